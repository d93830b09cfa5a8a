"""How a bot tab should look, as data: formats, frozen rows, filters, widths, colours, page
setup and charts. Pure: nothing here renders; a backend reads it and renders what it can
(and ignores the rest until it learns to).

Every position is 1-based (row 1 is the first row, column 1 is column A) and every range
is inclusive, as people count cells. Colours are RGB hex without "#".

Per cents are stored as points (87.5, not 0.875) and shown with the `percent` pattern
`0.0"%"`, which adds the sign without scaling: a backend that does not yet render formats
still shows the right number, and Excel and Google Sheets read the same pattern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from bot import thai

NumberFormat = Literal["integer", "percent", "decimal", "text"]
# Number format patterns that Excel, LibreOffice and Google Sheets all understand.
NUMBER_PATTERNS: dict[NumberFormat, str] = {
    "integer": "#,##0",
    "percent": '0.0"%"',
    "decimal": "#,##0.0",
    "text": "@",
}

Style = Literal[
    "header", "title", "ok", "error", "warning", "duplicate", "kept", "stale", "total", "section"
]
# Background colour of each style, and whether its text is bold. The error and warning
# colours are the ones the bot uses for highlights in district tabs.
STYLE_COLOURS: dict[Style, str] = {
    "header": "DDEBF7",
    "title": "FFFFFF",
    "ok": "E2F0D9",
    "error": "F8CBCB",
    "warning": "FFF0B3",
    "duplicate": "F4B183",
    "kept": "FCE4D6",
    "stale": "E7E6E6",
    "total": "F2F2F2",
    "section": "FFFFFF",
}
BOLD_STYLES: frozenset[Style] = frozenset({"header", "title", "total", "section"})

# Widths in characters (Thai combining marks take none): no column narrower than a short
# number, none wider than a readable line; longer text wraps.
MIN_WIDTH = 6.0
MAX_WIDTH = 60.0


@dataclass(frozen=True)
class Range:
    """A block of cells, 1-based and inclusive."""

    top: int
    left: int
    bottom: int
    right: int

    def __post_init__(self) -> None:
        if not (1 <= self.top <= self.bottom and 1 <= self.left <= self.right):
            raise ValueError(f"not a range: {self}")


@dataclass(frozen=True)
class Format:
    """A number format over a block of cells."""

    range: Range
    format: NumberFormat


@dataclass(frozen=True)
class Styled:
    """A style over a block of cells (a highlighted duplicate row, a total line)."""

    range: Range
    style: Style


@dataclass(frozen=True)
class TextRule:
    """Colour the cells of `range` whose text starts with `prefix` (conditional format).

    Rules are listed most specific first: for one cell, the first rule that matches wins.
    """

    range: Range
    prefix: str
    style: Style


@dataclass(frozen=True)
class PageSetup:
    """How a tab prints: A4, landscape, every column on one page width, header repeated."""

    landscape: bool = True
    fit_width: bool = True
    paper: Literal["A4"] = "A4"
    repeat_rows: int = 1  # the first rows printed again on every page


@dataclass
class Layout:
    """Everything about how a tab looks that is not its values."""

    frozen_rows: int = 1
    frozen_columns: int = 0
    filter: Range | None = None  # a filter over this header row and the rows below it
    widths: tuple[float, ...] = ()  # characters, one per column from column A
    wrap: tuple[int, ...] = ()  # columns whose cells wrap
    formats: list[Format] = field(default_factory=list)
    styled: list[Styled] = field(default_factory=list)
    rules: list[TextRule] = field(default_factory=list)
    page: PageSetup = field(default_factory=PageSetup)


ChartKind = Literal["line", "bar", "column"]


@dataclass(frozen=True)
class Series:
    """One line or set of bars; `dashed` for a target line."""

    name: str
    values: tuple[float, ...]
    dashed: bool = False


@dataclass(frozen=True)
class ChartSpec:
    """A chart: its values (for a PNG) and where its table is in the tab (for a native chart).

    `data` is the table the chart reads in its own tab: the first row holds the series
    names, the first column the categories, series i is column `data.left + 1 + i`.
    `anchor` is the cell (row, column) at the chart's top-left corner.
    """

    key: str  # stable: the PNG's file name and the backend's chart id
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    data: Range
    anchor: tuple[int, int]
    x_title: str = ""
    y_title: str = ""
    percent: bool = False  # values are per cent points (0-100)
    width_px: int = 560
    height_px: int = 320

    def __post_init__(self) -> None:
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values for "
                                 f"{len(self.categories)} categories")  # fmt: skip
        if self.data.bottom - self.data.top != len(self.categories):
            raise ValueError(f"chart {self.key}: its table has the wrong number of rows")
        if self.data.right - self.data.left != len(self.series):
            raise ValueError(f"chart {self.key}: its table has the wrong number of columns")


def cell_text(cell: object) -> str:
    """The text a cell shows (a linked cell's text, a number as written)."""
    text = getattr(cell, "text", cell)
    if text is None:
        return ""
    if isinstance(text, float):
        return f"{text:,.1f}"
    if isinstance(text, int):
        return f"{text:,}"
    return str(text)


def fit_widths(
    rows: Sequence[Sequence[object]],
    *,
    skip_rows: int = 0,
    cap: float = MAX_WIDTH,
    header_cap: float = 24.0,
) -> tuple[float, ...]:
    """Column widths that fit the widest cell (in characters), within [MIN_WIDTH, cap].

    Headers wrap, so they count only up to `header_cap`; the first `skip_rows` rows (a
    title above the table) do not count at all, nor does a line with text in its first
    cell only (a note, whose text runs on over the empty cells to its right).
    """
    widths: list[float] = []
    for index, row in enumerate(rows):
        if index < skip_rows:
            continue
        # A note's line; any() first, in C: most rows have text.
        if index != skip_rows and not any(row[1:]) and all(c is None or c == "" for c in row[1:]):
            continue
        if len(row) > len(widths):
            widths += [MIN_WIDTH] * (len(row) - len(widths))
        for col, cell in enumerate(row):
            if cell.__class__ is str:
                if len(cell) + 2 <= widths[col]:
                    continue  # the common case, decided without building any text
                text = cell
            elif cell is None or cell == "":
                continue
            else:
                text = cell_text(cell)
            if widths[col] >= cap:
                continue
            # A text never takes more columns than it has characters: skip the cells that
            # cannot widen their column (most of them) before measuring Thai.
            if len(text) + 2 <= widths[col]:
                continue
            width = float(_width(text)) + 2
            if index == skip_rows:
                width = min(width, header_cap)
            widths[col] = max(widths[col], min(width, cap))
    return tuple(widths)


@lru_cache(maxsize=1 << 14)
def _width(text: str) -> int:
    # Names, kinds and months repeat down a column: measure each text once.
    return thai.display_width(text)


def wide_columns(widths: Sequence[float], at: float = MAX_WIDTH) -> tuple[int, ...]:
    """The 1-based columns as wide as the cap: their text is longer, so they wrap."""
    return tuple(i for i, w in enumerate(widths, start=1) if w >= at)
