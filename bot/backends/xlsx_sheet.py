"""Reading a worksheet part: every cell with its value and its byte span, in one pass.

The cost is in proportion to the cells the XML holds, never to the sheet's nominal extent:
a stray cell at row 1,048,576 adds one cell, a formatted cell at AD300000 adds nothing to
the grid, and blank rows between are one shared empty list each.

Values are read as Excel last calculated them (`<v>` of a formula), and typed as openpyxl
would type them: shared and inline strings as text (rich text flattened), numbers as int or
float, numbers in a date format as datetimes, booleans, and error codes such as "#REF!" as
text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Final

from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from bot.backends.xlsx_styles import Styles
from bot.backends.xlsx_xml import (
    MAX_COLUMN,
    MAX_ROW,
    XmlError,
    column_number,
    is_end_tag,
    local,
    parser,
    prefix_of,
    range_bounds,
    run,
)
from bot.model import Cell

# One cell as scanned: row, column, start and end byte, style index, type ("n", "s",
# "str", "inlineStr", "b", "e", "d"), the text of <v> (or of the inline string), and
# whether a formula is present.
Scanned = tuple[int, int, int, int, int, str, str | None, bool]
ROW: Final = 0
COL: Final = 1
START: Final = 2
END: Final = 3
STYLE: Final = 4
KIND: Final = 5
TEXT: Final = 6
FORMULA: Final = 7

_EMPTY: list[Cell] = []  # every blank row of a grid shares this list: never mutate a row


@dataclass
class RowSpan:
    """A <row> element: its number, span, and its cells' positions in `Scan.cells`."""

    number: int
    start: int
    end: int
    close: int | None  # where </row> starts; None for an empty <row/>
    first: int  # index of its first cell in Scan.cells
    last: int  # one past its last cell


@dataclass
class Part:
    """A top-level element of the worksheet (sheetData, cols, dimension, mergeCells...)."""

    name: str
    start: int
    end: int
    close: int | None
    attrs: dict[str, str]


@dataclass
class Scan:
    """Everything the bot needs from one worksheet part."""

    prefix: str
    cells: list[Scanned] = field(default_factory=list)
    rows: list[RowSpan] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    cols: list[tuple[int, int, int, int]] = field(default_factory=list)  # min, max, start, end

    def part(self, name: str) -> Part | None:
        """The first top-level element of that name."""
        return next((p for p in self.parts if p.name == name), None)


# A cell reference's column and row (None: the row it is in), by its text: the same few
# thousand references ("A2", "N36"...) come back in every tab. Bounded: cleared when full.
_REFS: dict[str, tuple[int, int | None]] = {}


def _ref_of(ref: str) -> tuple[int, int | None]:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters) :]
    where = column_number(letters.lstrip("$")), int(digits) if digits.isdigit() else None
    if len(_REFS) >= 1 << 14:
        _REFS.clear()
    _REFS[ref] = where
    return where


def scan(data: bytes) -> Scan:
    """Scan a worksheet part; raises XmlError when it is not a well-formed worksheet."""
    p = parser()
    out = Scan("")
    cells = out.cells
    rows = out.rows
    depth = 0
    row_number = 0
    col_number = 0
    cell: list[object] | None = None  # [row, col, start, style, kind, formula, has text]
    text: list[str] | None = None
    texts: list[str] = []
    in_phonetic = 0
    row_start = 0
    current_part: Part | None = None
    names: dict[str, str] = {}  # qualified name -> local name
    closes: dict[str, bytes] = {}  # qualified name -> its usual end tag

    def span_end(name: str, pos: int) -> tuple[int, bool]:
        """Where the element whose end event is at `pos` ends, and if it has an end tag."""
        close = closes.get(name)
        if close is None:
            close = closes[name] = b"</" + name.encode() + b">"
        if data.startswith(close, pos):
            return pos + len(close), True
        if is_end_tag(data, pos, name):
            return data.index(b">", pos) + 1, True
        return pos, False

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, row_number, col_number, cell, text, in_phonetic, row_start
        nonlocal current_part
        depth += 1
        tag = names.get(name)
        if tag is None:
            tag = names[name] = name.rpartition(":")[2]
        # Inside a cell first: most events of a sheet are its cells' values and texts (a
        # cell only starts at depth 4, so none starts while one is open).
        if cell is not None:
            if tag == "v" and depth == 5:
                text = texts
                cell[6] = True
            elif tag == "f" and depth == 5:
                cell[5] = True
            elif tag == "rPh":
                in_phonetic += 1
            elif tag == "t" and not in_phonetic:
                text = texts
                cell[6] = True
        elif depth == 4 and tag == "c":
            ref = attrs.get("r")
            if ref:
                where = _REFS.get(ref)
                if where is None:
                    where = _ref_of(ref)
                col_number = where[0]
                r = row_number if where[1] is None else where[1]
            else:
                col_number += 1
                r = row_number
            style = attrs.get("s")
            cell = [r, col_number, p.CurrentByteIndex,
                    int(style) if style and style.isdigit() else 0, attrs.get("t", "n"), False,
                    False]  # fmt: skip
            texts.clear()
        elif depth == 3 and tag == "row":
            number = attrs.get("r")
            row_number = int(number) if number and number.isdigit() else row_number + 1
            col_number = 0
            row_start = p.CurrentByteIndex
        elif depth == 2:
            current_part = Part(tag, p.CurrentByteIndex, 0, None, attrs)
            out.parts.append(current_part)
        elif depth == 3 and tag == "mergeCell":
            bounds = range_bounds(attrs.get("ref", ""))
            if bounds:
                out.merges.append(bounds)
        elif depth == 3 and tag == "col":
            try:
                low, high = int(attrs.get("min", "0")), int(attrs.get("max", "0"))
            except ValueError:
                low = high = 0
            out.cols.append((low, high, p.CurrentByteIndex, -1))
        elif depth == 1:
            out.prefix = prefix_of(name)
            if tag != "worksheet":
                raise XmlError(f"the part holds a {tag}, not a worksheet")

    def end(name: str) -> None:
        nonlocal depth, cell, text, in_phonetic, current_part
        tag = names[name]
        if cell is not None and depth > 4:  # a value, a text, a run... inside a cell
            if tag in ("v", "t"):
                text = None
            elif tag == "rPh":
                in_phonetic -= 1
            depth -= 1
            return
        pos = p.CurrentByteIndex
        if depth == 4 and cell is not None and tag == "c":
            close = closes.get(name)  # the usual "</c>", known after the first
            if close is not None and data.startswith(close, pos):
                stop = pos + len(close)
            else:
                stop, _ = span_end(name, pos)
            value = "".join(texts) if cell[6] else None
            cells.append((cell[0], cell[1], cell[2], stop, cell[3], cell[4], value, cell[5]))  # type: ignore[arg-type]
            cell = None
            text = None
        elif cell is not None:
            if tag in ("v", "t"):
                text = None
            elif tag == "rPh":
                in_phonetic -= 1
        elif depth == 3 and tag == "row":
            stop, closing = span_end(name, pos)
            first = rows[-1].last if rows else 0
            rows.append(RowSpan(row_number, row_start, stop, pos if closing else None, first,
                                len(cells)))  # fmt: skip
        elif depth == 3 and tag == "col" and out.cols and out.cols[-1][3] == -1:
            low, high, begin, _ = out.cols[-1]
            out.cols[-1] = (low, high, begin, span_end(name, pos)[0])
        elif depth == 2 and current_part is not None:
            current_part.end, closing = span_end(name, pos)
            current_part.close = pos if closing else None
            current_part = None
        depth -= 1

    def chars(value: str) -> None:
        if text is not None:
            text.append(value)

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    run(p, data)
    return out


def shared_strings(data: bytes) -> list[str]:
    """The shared strings table: each <si> as plain text (rich text runs joined, phonetic
    guides left out)."""
    p = parser()
    out: list[str] = []
    texts: list[str] = []
    state = {"si": False, "t": False, "phonetic": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = local(name)
        if tag == "si":
            state["si"] = True
            texts.clear()
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t" and state["si"] and not state["phonetic"]:
            state["t"] = True

    def end(name: str) -> None:
        tag = local(name)
        if tag == "si":
            out.append("".join(texts))
            state["si"] = False
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["t"] = False

    def chars(value: str) -> None:
        if state["t"]:
            texts.append(value)

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    run(p, data)
    return out


class CellError(Exception):
    """A cell that cannot be read; `str()` names the cell."""


@dataclass
class Decoder:
    """Turns scanned cells into values, as openpyxl reads them with `data_only=True`."""

    shared: list[str]
    styles: Styles
    date1904: bool = False

    def value(self, c: Scanned) -> Cell:
        """The value of a scanned cell (None when empty or never calculated)."""
        kind, text = c[KIND], c[TEXT]
        if kind == "inlineStr":
            return text if text is not None else None
        if not text:
            return None
        if kind == "s":
            try:
                return self.shared[int(text)]
            except (ValueError, IndexError):
                raise CellError(
                    f"cell {_ref(c)} refers to shared text number {text}, which the file "
                    "does not hold"
                ) from None
        if kind in ("str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(text.strip().removesuffix("Z"))
            except ValueError:
                return text
        try:
            number: int | float = (
                float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            )
        except ValueError:
            return text  # a number cell holding words: read it as the words
        if c[STYLE] in self.styles.dates:
            epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
            try:
                when = from_excel(number, epoch, timedelta=c[STYLE] in self.styles.durations)
            except (OverflowError, ValueError):
                return "#VALUE!"
            if isinstance(when, time | timedelta):
                return str(when)  # a time of day or a duration: the text a person sees
            return when  # type: ignore[no-any-return]
        return number


def _ref(c: Scanned) -> str:
    from bot.sheets import column_letter  # noqa: PLC0415

    return f"{column_letter(c[COL])}{c[ROW]}"


def grid(found: Scan, decoder: Decoder) -> list[list[Cell]]:
    """The tab's values as rows of cells, up to the last row and column holding a value."""
    by_row: dict[int, list[tuple[int, Cell]]] = {}
    for c in found.cells:
        if c[TEXT] is None:
            continue
        value = decoder.value(c)
        if value is None or value == "":
            continue
        if not (1 <= c[ROW] <= MAX_ROW and 1 <= c[COL] <= MAX_COLUMN):
            continue
        by_row.setdefault(c[ROW], []).append((c[COL], value))
    if not by_row:
        return []
    out: list[list[Cell]] = [_EMPTY] * max(by_row)
    for r, values in by_row.items():
        width = max(col for col, _ in values)
        row: list[Cell] = [None] * width
        for col, value in values:
            if row[col - 1] is None:  # a cell given twice: the first one counts
                row[col - 1] = value
        out[r - 1] = row
    return out


def has_values(found: Scan, decoder: Decoder) -> bool:
    """Whether any cell of the tab holds something."""
    return any(c[TEXT] is not None and decoder.value(c) not in (None, "") for c in found.cells)
