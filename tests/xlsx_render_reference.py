"""The bot-tab renderer as it was before it was made faster (a frozen copy of
`bot.backends.xlsx_tabs.render` at that time, one `cell` call per cell, `clean` and `esc` on
every text): the oracle that `tests/test_xlsx_render.py` holds the fast one to, byte for
byte. Not used by the bot."""

from __future__ import annotations

import math
from collections.abc import Callable

from bot.backends.xlsx_looks import Painter
from bot.backends.xlsx_styles import Styles
from bot.backends.xlsx_tabs import (
    LINE_PT,
    MAX_LINES,
    NARROW,
    Out,
    _cols,
    _display_width,
    _page,
    _plain,
    _rules,
    _view,
    _widths,
)
from bot.backends.xlsx_xml import MAIN_NS, REL_NS, attr, clean, esc
from bot.backends.xlsx_zip import Packed, Packer
from bot.model import BotTab, OutCell
from bot.sheets import column_letter

_NOTHING: Out = (None, None, None)


def render(
    tab: BotTab, cell: Callable[[OutCell], Out], styles: Styles, *, drawing: bool = False
) -> tuple[Packed, list[str]]:
    """The worksheet part of a bot tab, and the external targets of its links (relationship
    ids rId1, rId2... in this order; a drawing, if any, takes the next id). `cell` turns
    each of the tab's cells into what is written, one row at a time, and the part is
    written row by row as UTF-8 and deflated as it goes (`Packer`): the national roll-up
    is tens of MB of XML (half a million cells), and only its compressed bytes are held."""
    layout = tab.layout
    raw = tab.rows
    width = max((len(r) for r in raw), default=0)
    letters = [column_letter(c) for c in range(1, max(width, len(layout.widths)) + 2)]
    painter = Painter(layout, width, len(raw), styles)
    links: list[str] = []
    targets: list[str] = []
    widths = _widths(tab, width)
    # The last row written (the sheet's dimension comes before its rows): one with a value,
    # or with cells coloured though empty.
    last_row = next((r for r in range(len(raw), 0, -1) if painter.band(r).filled
                     or any(v is not None and v != "" for v, _, _ in map(cell, raw[r - 1]))),
                    0)  # fmt: skip
    page = layout.page
    out = Packer()
    write = out.write
    write("".join([
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if page.fit_width else "",
        f'<dimension ref="A1:{letters[max(width, 1) - 1]}{max(last_row, 1)}"/>',
        _view(layout),
        '<sheetFormatPr defaultRowHeight="15"/>',
        _cols(tab, width),
        "<sheetData>" if last_row else "<sheetData/>",
    ]).encode("utf-8"))  # fmt: skip
    for r in range(1, last_row + 1):
        row = list(map(cell, raw[r - 1]))
        band = painter.band(r)
        formats = band.formats
        filled = band.filled
        looks = band.looks
        lines = 1
        # A note alone on its line runs on to the right instead of wrapping in column A.
        alone = bool(band.looks) and band.looks[0].wrap and _alone(row)
        cells: list[str] = []
        columns = range(max(len(row), filled[-1] + 1)) if filled else range(len(row))
        for c in columns:
            value, target, location = row[c] if c < len(row) else _NOTHING
            ref = f"{letters[c]}{r}"
            if value is None or value == "":
                if c in filled:
                    cells.append(f'<c r="{ref}" s="{formats[c]}"/>')
                continue
            linked = bool(target or location)
            style = band.link(c) if linked else (formats[c] if c < len(formats) else 0)
            if isinstance(value, bool):
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{ref}"{s}><v>{value!r}</v></c>')
            else:
                text = clean(str(value))
                room = widths[c] if c < len(widths) else NARROW
                wrap = c < len(looks) and looks[c].wrap
                if wrap and alone and c == 0:
                    wrap = False
                    style = band.variant(c, link=linked, wrap=False)
                elif not wrap and _cut_off(text, room, row, c):
                    wrap = True
                    style = band.variant(c, link=linked, wrap=True)
                if wrap:
                    lines = max(lines, _lines(text, room))
                s = f' s="{style}"' if style else ""
                cells.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{esc(text)}'
                    "</t></is></c>"
                )
            if linked:
                where = f' location="{attr(location)}"' if location else ""
                if target:
                    targets.append(target)
                    where = f' r:id="rId{len(targets)}"' + where
                links.append(f'<hyperlink ref="{ref}"{where}/>')
        if cells:
            # Wrapped text needs a taller row, and not every program grows one on opening
            # (LibreOffice keeps the default height): the height is written with the row.
            height = (
                f' ht="{min(lines, MAX_LINES) * LINE_PT}" customHeight="1"' if lines > 1 else ""
            )
            write(f'<row r="{r}"{height}>{"".join(cells)}</row>'.encode())
    parts = ["</sheetData>" if last_row else ""]
    if layout.filter is not None:
        parts.append(f'<autoFilter ref="{_plain(layout.filter)}"/>')
    parts.append(_rules(layout, styles))
    if links:
        parts.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    parts.append(_page(page))
    if drawing:
        parts.append(f'<drawing r:id="rId{len(targets) + 1}"/>')
    parts.append("</worksheet>")
    write("".join(parts).encode("utf-8"))
    return out.done(), targets


def _cut_off(text: str, room: float, row: list[Out], c: int) -> bool:
    """Whether a text is wider than its column and its right neighbour holds something, so
    that it would be cut off (beyond the rows widths were measured on, say)."""
    if len(text) + 2 <= room or c + 1 >= len(row) or row[c + 1][0] in (None, ""):
        return False
    return _display_width(text) + 2 > room


def _alone(row: list[Out]) -> bool:
    return sum(1 for v in row if v[0] is not None and v[0] != "") == 1


def _lines(text: str, width: float) -> int:
    room = max(width - 1, 1.0)
    if len(text) <= room and "\n" not in text:
        return 1
    return sum(max(math.ceil(_display_width(part) / room), 1) for part in text.split("\n"))
