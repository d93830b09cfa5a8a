"""Which cell format each cell of a bot tab gets, from the tab's `Layout`: number formats,
fills and bold of its styled ranges, wrapped columns, links.

A national tab has some 30,000 rows and a few dozen ranges, so the format is not looked up
range by range for each cell: the rows are cut into bands where the same ranges apply
(one band for all the body rows of a roll-up, a band of one row for a duplicate), each
band's formats are worked out once per column, and a cell's format is an index into its
band's list.
"""

from __future__ import annotations

from bisect import bisect_right

from bot.backends.xlsx_styles import Look, Styles
from bot.presentation import BOLD_STYLES, NUMBER_PATTERNS, STYLE_COLOURS, Layout, Range

# A white fill would hide the grid lines and look the same as none.
_NO_FILL = "FFFFFF"


class Band:
    """Rows that share their looks: one look and one cell format per column."""

    def __init__(self, looks: list[Look], styles: Styles) -> None:
        self.looks = looks
        self.styles = styles
        self.formats = [styles.look(look) for look in looks]
        self.wraps = [look.wrap for look in looks]
        # Columns whose empty cells still show something (a fill): they are written too.
        self.filled = [c for c, look in enumerate(looks) if look.fill]
        self._variants: dict[tuple[int, bool, bool], int] = {}

    def link(self, column: int) -> int:
        """The format of a linked cell in this 0-based column."""
        return self.variant(column, link=True, wrap=self.look(column).wrap)

    def variant(self, column: int, *, link: bool, wrap: bool) -> int:
        """The format of a cell in this 0-based column, linked or not, wrapped or not: a
        note alone on its line runs on over the empty cells to its right instead of
        wrapping; a text too long for its column, with a neighbour, wraps instead of being
        cut off."""
        key = (column, link, wrap)
        found = self._variants.get(key)
        if found is None:
            look = self.look(column)
            look = look._replace(link=link, wrap=wrap, top=look.top or wrap)
            found = self._variants[key] = self.styles.look(look)
        return found

    def look(self, column: int) -> Look:
        """The look of a cell in this 0-based column (a plain one right of the table)."""
        return self.looks[column] if column < len(self.looks) else Look()


class Painter:
    """The cell formats of one bot tab, row by row."""

    def __init__(self, layout: Layout, width: int, height: int, styles: Styles) -> None:
        """`width` columns and `height` rows hold the tab's values."""
        self.width = max(width, 1)
        wrap = {c - 1 for c in layout.wrap if 1 <= c <= self.width}
        # Once a column wraps, its row grows: every cell reads best from the top.
        top = bool(wrap)
        self._base = [Look(wrap=c in wrap, top=top) for c in range(self.width)]
        ranges: list[tuple[Range, str, str]] = [
            (f.range, "number", NUMBER_PATTERNS[f.format]) for f in layout.formats
        ] + [(s.range, "style", s.style) for s in layout.styled]
        ranges = [r for r in ranges if r[0].top <= height and r[0].left <= self.width]
        cuts = sorted({1, height + 1} | {r.top for r, _, _ in ranges}
                      | {min(r.bottom, height) + 1 for r, _, _ in ranges})  # fmt: skip
        self.starts: list[int] = []
        self.bands: list[Band] = []
        by_top = sorted(range(len(ranges)), key=lambda i: ranges[i][0].top)
        active: list[int] = []
        nxt = 0
        for start in cuts[:-1]:
            while nxt < len(by_top) and ranges[by_top[nxt]][0].top <= start:
                active.append(by_top[nxt])
                nxt += 1
            active = sorted(i for i in active if ranges[i][0].bottom >= start)
            self.starts.append(start)
            self.bands.append(Band(self._looks([ranges[i] for i in active]), styles))

    def _looks(self, ranges: list[tuple[Range, str, str]]) -> list[Look]:
        """Each column's look under these ranges, later ones over earlier ones."""
        looks = list(self._base)
        for where, kind, value in ranges:
            for c in range(where.left - 1, min(where.right, self.width)):
                if kind == "number":
                    looks[c] = looks[c]._replace(number=value)
                    continue
                colour = STYLE_COLOURS.get(value)  # type: ignore[call-overload]
                fill = None if colour in (None, _NO_FILL) else "FF" + colour
                bold = value in BOLD_STYLES
                wrap = looks[c].wrap or value == "header"
                looks[c] = looks[c]._replace(fill=fill, bold=bold, wrap=wrap,
                                             top=looks[c].top or wrap)  # fmt: skip
        return looks

    def band(self, row: int) -> Band:
        """The band of a 1-based row."""
        return self.bands[max(bisect_right(self.starts, row) - 1, 0)]
