"""Reading Google's answers: tab properties, developer metadata, cell values and colours.

Pure functions over the JSON the Sheets API returns, kept apart from the backend that
talks to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.model import Cell
from bot.presentation import STYLE_COLOURS
from bot.sheets import OWNER_MARK

# Developer metadata on the status column: it moves with the column wherever people move
# it, and writes addressed by it (a DataFilter) land in that column and nowhere else.
STATUS_KEY = "softpower-bot.status"
# The bot's highlights are conditional format rules (one per severity) that colour the
# cells at fault: no person's cell format is ever written, and a rule's cells move with
# inserted and deleted rows. This formula (always true) is how the bot knows its rules.
HIGHLIGHT_FORMULA = {s: f'=LEN("softpower-bot {s}")>0' for s in ("error", "warning")}
_SEVERITY_OF = {formula: s for s, formula in HIGHLIGHT_FORMULA.items()}


# What the bot reads of a spreadsheet's tabs and cells (a read, and the tabs a write asks
# back to check them): the tabs' state, the bot's marks and each cell's value and colour.
_GRID = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "developerMetadata(metadataId,metadataKey,metadataValue),"
    "protectedRanges(range,requestingUserCanEdit,warningOnly),"
    "conditionalFormats(ranges,booleanRule(condition(type,values(userEnteredValue)),"
    "format(backgroundColor))),charts(chartId),"
    "data(startRow,startColumn,columnMetadata(developerMetadata(metadataId,metadataKey)),"
    "rowData(values({cells}))))"
)
GRID_FIELDS = _GRID.format(cells="effectiveValue,effectiveFormat(numberFormat(type)),"
                           "userEnteredFormat(backgroundColor)")  # fmt: skip
# What a bot tab's row fingerprints need of its cells (`google_rows.hashes_of_rows`): the
# values and link addresses the bot wrote and the looks it sets.
READ_BACK_FIELDS = (
    "sheets(properties(title),data(rowData(values(userEnteredValue,"
    "textFormatRuns(format(link(uri))),"
    "userEnteredFormat(numberFormat(pattern),backgroundColor,textFormat(bold),wrapStrategy)))))"
)
# A read that also brings some bot tabs' rows (`GoogleBackend.read`). One request has one
# field mask for all its ranges, so the source tabs' cells come with these fields too: the
# values are the effective ones the read needs anyway, not `userEnteredValue` as well,
# which would repeat every value of every source tab (measured: the province's read about
# 2x as big). The bot writes plain values, no formulas, so a cell it wrote has the same
# effective value; a formula a person typed over it counts as the value it shows.
GRID_AND_BOT_FIELDS = _GRID.format(
    cells="effectiveValue,effectiveFormat(numberFormat(type)),textFormatRuns(format(link(uri))),"
    "userEnteredFormat(numberFormat(pattern),backgroundColor,textFormat(bold),wrapStrategy)"
)
# The answer of a batchUpdate: the tabs asked back, as a read gets them.
BATCH_REPLY_FIELDS = f"spreadsheetId,updatedSpreadsheet({GRID_FIELDS})"


@dataclass(frozen=True)
class Rule:
    """One of the bot's highlight rules: its place in the tab's list and the 1-based cells
    it colours."""

    index: int
    severity: str
    cells: frozenset[tuple[int, int]]


# The bot's highlight colours (red, green, blue as the API writes them).
COLOURS = {"error": (0.973, 0.796, 0.796), "warning": (1.0, 0.941, 0.702)}
_SERIAL_EPOCH = date(1899, 12, 30)
# ErrorValue.type -> what the cell shows.
ERROR_TEXT = {
    "ERROR": "#ERROR!", "NULL_VALUE": "#NULL!", "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!",
    "REF": "#REF!", "NAME": "#NAME?", "NUM": "#NUM!", "N_A": "#N/A", "LOADING": "#LOADING",
}  # fmt: skip
_DATE_TYPES = frozenset({"DATE", "DATE_TIME"})


@dataclass
class TabMeta:
    """What the bot knows of one tab without reading its cells."""

    sheet_id: int
    title: str
    rows: int
    columns: int
    index: int = 0
    metadata: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (id, value)
    # Ids of further entries under a key already in `metadata` (left by an older version's
    # repeated writes): the next rewrite of the tab deletes them.
    duplicates: list[int] = field(default_factory=list)
    # The status column's anchors: (metadataId, 1-based column), from a read of the cells.
    anchors: list[tuple[int, int]] = field(default_factory=list)
    # Ranges protected against the bot: (first row, end row, first col, end col), 0-based,
    # end-exclusive, None for unbounded.
    locked: list[tuple[int, int | None, int, int | None]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)  # the bot's highlight rules
    charts: list[int] = field(default_factory=list)  # ids of the charts over the tab
    own_rules: list[int] = field(default_factory=list)  # indexes of the bot's text rules

    @property
    def owned(self) -> bool:
        """Whether the bot made this tab."""
        return OWNER_MARK in self.metadata


def tab_meta(sheet: dict[str, Any]) -> TabMeta:
    """A tab's properties and developer metadata from a Sheet resource."""
    props = sheet.get("properties", {})
    grid = props.get("gridProperties", {})
    metadata: dict[str, tuple[int, str]] = {}
    duplicates = []
    for m in sheet.get("developerMetadata", []):
        key, entry = (
            m.get("metadataKey", ""),
            (int(m.get("metadataId", 0)), m.get("metadataValue", "")),
        )
        if key in metadata:
            duplicates.append(entry[0])
        else:
            metadata[key] = entry
    anchors = []
    for block in sheet.get("data", []):
        first = int(block.get("startColumn", 0))
        for offset, column in enumerate(block.get("columnMetadata", [])):
            for m in column.get("developerMetadata", []):
                if m.get("metadataKey") == STATUS_KEY:
                    anchors.append((int(m.get("metadataId", 0)), first + offset + 1))
    locked = []
    for p in sheet.get("protectedRanges", []):
        if p.get("requestingUserCanEdit") or p.get("warningOnly"):
            continue
        r = p.get("range", {})
        locked.append((int(r.get("startRowIndex", 0)), r.get("endRowIndex"),
                       int(r.get("startColumnIndex", 0)), r.get("endColumnIndex")))  # fmt: skip
    rules = []
    own_rules = []
    for index, rule in enumerate(sheet.get("conditionalFormats", [])):
        if is_own_rule(rule):
            own_rules.append(index)
        values = rule.get("booleanRule", {}).get("condition", {}).get("values") or [{}]
        severity = _SEVERITY_OF.get(str(values[0].get("userEnteredValue", "")))
        if severity is not None:
            rules.append(Rule(index, severity, frozenset(_cells(rule.get("ranges", [])))))
    return TabMeta(
        sheet_id=int(props.get("sheetId", 0)),
        title=props.get("title", ""),
        rows=int(grid.get("rowCount", 0)),
        columns=int(grid.get("columnCount", 0)),
        index=int(props.get("index", 0)),
        metadata=metadata,
        duplicates=duplicates,
        anchors=sorted(set(anchors)),
        locked=locked,
        rules=rules,
        charts=[int(c.get("chartId", 0)) for c in sheet.get("charts", [])],
        own_rules=own_rules,
    )


PALETTE = frozenset(STYLE_COLOURS.values())


def hex_of(color: dict[str, Any] | None) -> str:
    """A Sheets `Color` back as RGB hex (missing channels are 0, as Google omits them)."""
    if not color:
        return ""
    return "".join(f"{round(float(color.get(c, 0)) * 255):02X}" for c in ("red", "green", "blue"))


def is_own_rule(rule: dict[str, Any]) -> bool:
    """Whether a conditional format rule (as Google returns it) is one of the bot's text
    rules on its own tabs: TEXT_STARTS_WITH with a background from the bot's palette."""
    boolean = rule.get("booleanRule") or {}
    if (boolean.get("condition") or {}).get("type") != "TEXT_STARTS_WITH":
        return False
    return hex_of((boolean.get("format") or {}).get("backgroundColor")) in PALETTE


def _cells(ranges: list[dict[str, Any]]) -> set[tuple[int, int]]:
    out = set()
    for r in ranges:
        rows = range(int(r.get("startRowIndex", 0)) + 1, int(r.get("endRowIndex", 0)) + 1)
        cols = range(int(r.get("startColumnIndex", 0)) + 1, int(r.get("endColumnIndex", 0)) + 1)
        out |= {(row, col) for row in rows for col in cols}
    return out


def grid_of(
    sheet: dict[str, Any],
) -> tuple[list[list[Cell]], dict[tuple[int, int], str], set[tuple[int, int]]]:
    """A tab's values (dates as dates), cells in the bot's colours, cells a person coloured."""
    grid: list[list[Cell]] = []
    colours: dict[tuple[int, int], str] = {}
    person: set[tuple[int, int]] = set()
    for block in sheet.get("data", []):
        top, left = block.get("startRow", 0), block.get("startColumn", 0)
        for r, row in enumerate(block.get("rowData", []), start=top):
            while len(grid) <= r:
                grid.append([])
            cells = grid[r]
            for c, cell in enumerate(row.get("values", []), start=left):
                while len(cells) <= c:
                    cells.append(None)
                cells[c] = cell_value(cell)
                colour = colour_of(cell)
                if colour in COLOURS:
                    colours[(r + 1, c + 1)] = colour
                elif colour:
                    person.add((r + 1, c + 1))
    while grid and all(v in (None, "") for v in grid[-1]):
        grid.pop()
    return grid, colours, person


def cell_value(cell: dict[str, Any]) -> Cell:
    """A cell's value as the checks want it: text, number, bool, or a date for dates."""
    effective = cell.get("effectiveValue")
    if not effective:
        return None
    if "errorValue" in effective:
        # What the cell shows; derived from the type so reads need not fetch formattedValue.
        kind = effective["errorValue"].get("type", "ERROR")
        return cell.get("formattedValue") or ERROR_TEXT.get(kind, "#ERROR!")
    if "stringValue" in effective:
        return str(effective["stringValue"])
    if "boolValue" in effective:
        return bool(effective["boolValue"])
    number = effective.get("numberValue")
    if number is None:
        return None
    kind = cell.get("effectiveFormat", {}).get("numberFormat", {}).get("type")
    if kind in _DATE_TYPES:
        # Read dates as dates, not as the locale's text ("1/12/2567" or "12/1/2024").
        return _SERIAL_EPOCH + timedelta(days=int(number))
    return int(number) if float(number).is_integer() else float(number)


def colour_of(cell: dict[str, Any]) -> str | None:
    """'error'/'warning' for the bot's colours, 'person' for any other, None for none/white."""
    colour = cell.get("userEnteredFormat", {}).get("backgroundColor")
    if not colour:
        return None
    # The API leaves out channels that are 0 and rounds to float32: compare loosely.
    rgb = tuple(round(float(colour.get(k, 0.0)), 2) for k in ("red", "green", "blue"))
    if rgb == (1.0, 1.0, 1.0):
        return None
    for severity, ours in COLOURS.items():
        if rgb == tuple(round(v, 2) for v in ours):
            return severity
    return "person"


def cell_at(grid: list[list[Cell]], row: int, col: int) -> Cell:
    """The value at a 1-based row and column, None outside the grid."""
    if row - 1 < len(grid) and col - 1 < len(grid[row - 1]):
        return grid[row - 1][col - 1]
    return None
