"""Writing the bot's marks into a district tab's XML: the status column and the highlights,
and nothing else.

Each change is a splice into the part as it is: a status cell is replaced or inserted, a
highlighted cell gets a new style index (a format equal to its own but for the fill), and
the sheet's dimension and column widths grow to take in a new status column. Every other
byte of the part, every other cell included, stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.backends.xlsx_sheet import (
    COL,
    END,
    FORMULA,
    ROW,
    START,
    STYLE,
    TEXT,
    Decoder,
    RowSpan,
    Scan,
    Scanned,
)
from bot.backends.xlsx_styles import BOT_COLOURS, Styles
from bot.backends.xlsx_xml import MAX_COLUMN, clean, esc, range_bounds, set_attrs, splice, tag_end
from bot.model import Cell, TabMarks
from bot.sheets import column_letter

STATUS_WIDTH = 60


class MarkError(Exception):
    """The status column cannot be written as it stands; `str()` says why and the fix."""


@dataclass
class Marked:
    """What patching one tab gave: the new part (None: nothing changed) and the column the
    statuses are in (None: no room left of Excel's last column)."""

    data: bytes | None
    column: int | None
    # Row -> the text its status cell holds now ("" when empty): header and statuses.
    statuses: dict[int, str] = field(default_factory=dict)


def patch(data: bytes, found: Scan, marks: TabMarks, decoder: Decoder, styles: Styles) -> Marked:
    """Write the status column and highlights of `marks` into the worksheet part `data`."""
    wanted = {marks.header_row: marks.header, **marks.status}
    cells_at: dict[tuple[int, int], Scanned] = {}
    for scanned in found.cells:
        cells_at.setdefault((scanned[ROW], scanned[COL]), scanned)
    column = _place(found, marks, wanted)
    if column is None:
        return Marked(None, None)
    # A stale status below the header that the plan does not mention is cleared too.
    for (r, c), found_cell in cells_at.items():
        if (
            c == column
            and r > marks.header_row
            and r not in wanted
            and found_cell[TEXT] is not None
        ):
            wanted[r] = ""

    pre = found.prefix
    edits: list[tuple[int, int, bytes]] = []
    new_cells: dict[int, list[tuple[int, bytes]]] = {}
    statuses: dict[int, str] = {}
    for row, text in sorted(wanted.items()):
        want = statuses[row] = clean(text) if text else ""
        status_cell = cells_at.get((row, column))
        ref = f"{column_letter(column)}{row}"
        if status_cell is not None:
            have = decoder.value(status_cell) if status_cell[TEXT] is not None else None
            if ("" if have is None else have) == want and not status_cell[FORMULA]:
                continue
            style = status_cell[STYLE]
            if row == marks.header_row and not style:
                style = styles.bold()
            span = (status_cell[START], status_cell[END])
            edits.append((*span, _cell(pre, ref, style, want) if (want or style) else b""))
        elif want:
            style = styles.bold() if row == marks.header_row else 0
            new_cells.setdefault(row, []).append((column, _cell(pre, ref, style, want)))

    colours = {(h.row, h.column): h.severity for h in marks.highlights if h.column != column}
    coloured = {s for s in {c[STYLE] for c in found.cells} if styles.bot_severity(s)}
    for (r, c), cell in cells_at.items():
        if r <= marks.header_row or c == column:
            continue
        if cell[STYLE] not in coloured and (r, c) not in colours:
            continue  # the common case: neither the bot's colour nor wanted
        have = styles.bot_severity(cell[STYLE])
        want_sev = colours.get((r, c))
        if have == want_sev:
            continue
        if have is None and styles.colour(cell[STYLE]) is not None:
            continue  # a person's colour stays; the status cell still explains
        style = styles.with_fill(cell[STYLE], BOT_COLOURS[want_sev] if want_sev else None)
        tag = data[cell[START] : tag_end(data, cell[START])]
        edits.append((cell[START], cell[START] + len(tag),
                      set_attrs(tag, {"s": str(style) if style else None})))  # fmt: skip
    for (r, c), severity in colours.items():
        if (r, c) not in cells_at and r > marks.header_row:
            style = styles.with_fill(0, BOT_COLOURS[severity])
            new_cells.setdefault(r, []).append((c, _cell(pre, f"{column_letter(c)}{r}", style)))

    edits += _insert(data, found, new_cells)
    if new_cells:
        edits += _dimension(data, found, new_cells)
    edits += _width(data, found, column)
    if not edits:
        return Marked(None, column, statuses)
    return Marked(splice(data, edits), column, statuses)


def status_column(found: Scan, marks: TabMarks) -> int | None:
    """The column `patch` writes the statuses of `marks` into (None: no room left)."""
    return _place(found, marks, {marks.header_row: marks.header, **marks.status})


def marked_grid(grid: list[list[Cell]], column: int, statuses: dict[int, str]) -> list[list[Cell]]:
    """The tab's values as a fresh read returns them once `patch` put `statuses` (see
    `Marked`) in `column`: the bot knows what it wrote without reading the file again."""
    out = list(grid)
    for row, text in statuses.items():
        while len(out) < row:
            out.append([])
        cells: list[Cell] = list(out[row - 1])
        if len(cells) < column:
            cells.extend([None] * (column - len(cells)))
        # An XML parser reads a line break written as CR (or CR LF) back as LF.
        cells[column - 1] = text.replace("\r\n", "\n").replace("\r", "\n") or None
        while cells and cells[-1] is None:
            cells.pop()
        out[row - 1] = cells
    while out and not out[-1]:
        out.pop()
    return out


def _place(found: Scan, marks: TabMarks, wanted: dict[int, str]) -> int | None:
    """The status column: the planned one, or for a new column the first one right of
    everything in the sheet (formulas never calculated included) and of merged cells."""
    rows = [r for r, text in wanted.items() if text]
    low, high = min(rows), max(rows)
    column = marks.column
    if marks.new_column:
        used = max((c[COL] for c in found.cells if c[TEXT] is not None or c[FORMULA]), default=0)
        column = max(column, used + 1)
    while column <= MAX_COLUMN:
        merge = next(
            (m for m in found.merges
             if m[1] <= column <= m[3] and m[0] <= high and m[2] >= low
             and any(m[0] <= r <= m[2] for r in rows)),
            None,
        )  # fmt: skip
        if merge is None:
            return column
        if not marks.new_column:
            first, last = (
                f"{column_letter(merge[1])}{merge[0]}",
                f"{column_letter(merge[3])}{merge[2]}",
            )
            raise MarkError(
                f"เซลล์ {first}:{last} ถูกผสานรวมทับคอลัมน์ผลตรวจสอบ (คอลัมน์ {column_letter(column)}) "
                f"กรุณายกเลิกการผสานเซลล์ — cells {first}:{last} are merged over the status "
                f"column {column_letter(column)}; unmerge them (Home › Merge & Center)"
            )
        column = merge[3] + 1
    return None


def _cell(pre: str, ref: str, style: int, text: str = "") -> bytes:
    s = f' s="{style}"' if style else ""
    if not text:
        return f'<{pre}c r="{ref}"{s}/>'.encode()
    return (
        f'<{pre}c r="{ref}"{s} t="inlineStr"><{pre}is><{pre}t xml:space="preserve">'
        f"{esc(text)}</{pre}t></{pre}is></{pre}c>"
    ).encode()


def _insert(
    data: bytes, found: Scan, new_cells: dict[int, list[tuple[int, bytes]]]
) -> list[tuple[int, int, bytes]]:
    """Edits that put new cells into their rows, and new rows into sheetData, in order."""
    pre = found.prefix
    edits: list[tuple[int, int, bytes]] = []
    rows: dict[int, RowSpan] = {}
    for span in found.rows:
        rows.setdefault(span.number, span)
    missing: list[tuple[int, bytes]] = []
    for number in sorted(new_cells):
        items = sorted(new_cells[number])
        found_row = rows.get(number)
        if found_row is None:
            body = b"".join(xml for _, xml in items)
            missing.append(
                (number, f'<{pre}row r="{number}">'.encode() + body + f"</{pre}row>".encode())
            )
            continue
        if found_row.close is None:  # an empty <row/>: open it
            tag = data[found_row.start : found_row.end]
            body = b"".join(xml for _, xml in items)
            opened = tag[:-2].rstrip() + b">" + body + f"</{pre}row>".encode()
            edits.append((found_row.start, found_row.end, opened))
            continue
        cells = found.cells[found_row.first : found_row.last]
        for col, xml in items:
            before = [c for c in cells if c[COL] < col]
            pos = before[-1][END] if before else tag_end(data, found_row.start)
            edits.append((pos, pos, xml))
    if missing:
        sheet_data = found.part("sheetData")
        if sheet_data is None:
            raise MarkError("the worksheet has no sheetData element")
        ordered = sorted(found.rows, key=lambda r: r.number)
        if sheet_data.close is None:
            tag = data[sheet_data.start : sheet_data.end]
            body = b"".join(xml for _, xml in missing)
            opened = tag[:-2].rstrip() + b">" + body + f"</{pre}sheetData>".encode()
            edits.append((sheet_data.start, sheet_data.end, opened))
        else:
            for number, xml in missing:
                after = next((r for r in ordered if r.number > number), None)
                pos = after.start if after is not None else sheet_data.close
                edits.append((pos, pos, xml))
    return edits


def _dimension(
    data: bytes, found: Scan, new_cells: dict[int, list[tuple[int, bytes]]]
) -> list[tuple[int, int, bytes]]:
    """Grow the sheet's declared extent to take in new cells (readers rely on it)."""
    dim = found.part("dimension")
    if dim is None:
        return []
    bounds = range_bounds(dim.attrs.get("ref", ""))
    rows = list(new_cells)
    cols = [c for items in new_cells.values() for c, _ in items]
    low = (min(rows), min(cols))
    high = (max(rows), max(cols))
    if bounds is None:
        grown = (*low, *high)
    else:
        grown = (min(bounds[0], low[0]), min(bounds[1], low[1]),
                 max(bounds[2], high[0]), max(bounds[3], high[1]))  # fmt: skip
    if grown == bounds:
        return []
    ref = f"{column_letter(grown[1])}{grown[0]}:{column_letter(grown[3])}{grown[2]}"
    tag = data[dim.start : tag_end(data, dim.start)]
    return [(dim.start, dim.start + len(tag), set_attrs(tag, {"ref": ref}))]


def _width(data: bytes, found: Scan, column: int) -> list[tuple[int, int, bytes]]:
    """A generous width for the status column, unless a person set one for it."""
    if any(low <= column <= high for low, high, _, _ in found.cols):
        return []
    pre = found.prefix
    col = (
        f'<{pre}col min="{column}" max="{column}" width="{STATUS_WIDTH}" customWidth="1"/>'.encode()
    )
    cols = found.part("cols")
    if cols is None:
        sheet_data = found.part("sheetData")
        if sheet_data is None:
            return []
        return [
            (
                sheet_data.start,
                sheet_data.start,
                f"<{pre}cols>".encode() + col + f"</{pre}cols>".encode(),
            )
        ]
    after = next(((s, e) for low, _, s, e in sorted(found.cols) if low > column), None)
    if after is not None:
        return [(after[0], after[0], col)]
    if cols.close is None:
        return []
    return [(cols.close, cols.close, col)]
