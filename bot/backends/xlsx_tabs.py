"""The bot's own tabs (provincial, national, summary, issues, monthly records) as worksheet
parts, written from scratch.

Text goes in as inline strings, so the workbook's shared strings (a person's part) are never
touched, and copied text is always text: a cell typed as `=IMPORTXML(...)` is copied as those
characters and never becomes a formula. The same rows always give the same bytes, so an
unchanged tab is recognised by comparing bytes and not written.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from bot.backends.xlsx_book import HYPERLINK_TYPE, relationships
from bot.backends.xlsx_styles import Styles
from bot.backends.xlsx_xml import MAIN_NS, REL_NS, attr, clean, esc
from bot.model import BotTab, OutCell
from bot.sheets import column_letter

# One cell to write: its value, and an external file and an in-workbook location to link to.
Out = tuple[str | int | float | None, str | None, str | None]

WIDE, NARROW = 60, 22


def render(
    tab: BotTab, cell: Callable[[OutCell], Out], styles: Styles
) -> tuple[bytes, bytes | None]:
    """The worksheet part of a bot tab, and its relationships part (None without links to
    other files); `cell` turns each of the tab's cells into what is written (one row at a
    time: the national roll-up's half a million cells are never all converted at once)."""
    header = styles.header()
    link = styles.link()
    rows = tab.rows
    width = max((len(r) for r in rows), default=0)
    letters = [column_letter(c) for c in range(1, width + 2)]
    last_row = next((r for r in range(len(rows), 0, -1)
                     if any(v is not None and v != "" for v, _, _ in map(cell, rows[r - 1]))),
                    0)  # fmt: skip
    frozen = tab.header_rows + 1
    # Written row by row as UTF-8 into one buffer: the national roll-up is tens of MB, and
    # joining it as text first (two bytes a Thai letter) then encoding it would hold
    # several copies of it at once.
    out = io.BytesIO()
    write = out.write
    head = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        f'<dimension ref="A1:{letters[max(width, 1) - 1]}{max(last_row, 1)}"/>',
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane ySplit="{tab.header_rows}" topLeftCell="A{frozen}" activePane="bottomLeft" '
        'state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="A{frozen}" sqref="A{frozen}"/>'
        "</sheetView></sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
    ]
    if width:
        head.append("<cols>")
        for c in range(1, width + 1):
            w = WIDE if (c - 1) in tab.wide_columns else NARROW
            head.append(f'<col min="{c}" max="{c}" width="{w}" customWidth="1"/>')
        head.append("</cols>")
    head.append("<sheetData>" if last_row else "<sheetData/>")
    write("".join(head).encode("utf-8"))
    links: list[str] = []
    targets: list[str] = []
    for r, row in enumerate(rows[:last_row], start=1):
        cells: list[str] = []
        for c, (value, target, location) in enumerate(map(cell, row)):
            if value is None or value == "":
                continue
            ref = f"{letters[c]}{r}"
            style = header if r == tab.header_rows else (link if target or location else 0)
            s = f' s="{style}"' if style else ""
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
                cells.append(f'<c r="{ref}"{s}><v>{value!r}</v></c>')
            else:
                text = clean(str(value))
                cells.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{esc(text)}'
                    "</t></is></c>"
                )
            if target or location:
                where = f' location="{attr(location)}"' if location else ""
                if target:
                    targets.append(target)
                    where = f' r:id="rId{len(targets)}"' + where
                links.append(f'<hyperlink ref="{ref}"{where}/>')
        if cells:
            write(f'<row r="{r}">{"".join(cells)}</row>'.encode())
    tail = ["</sheetData>" if last_row else ""]
    if links:
        tail.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    tail.append(
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</worksheet>"
    )
    write("".join(tail).encode("utf-8"))
    sheet = out.getvalue()
    del out
    if not targets:
        return sheet, None
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{HYPERLINK_TYPE}" Target="{attr(t)}" '
        'TargetMode="External"/>'
        for i, t in enumerate(targets, start=1)
    )
    return sheet, relationships(rels.encode("utf-8"))
