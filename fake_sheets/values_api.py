"""spreadsheets.values.*: get, batchGet, update, batchUpdate, clear, batchClear, append.

Each function takes the spreadsheet, the decoded query (``name -> [values]``) and JSON
body, and returns the answer's JSON, or raises `ApiError`. Writes are validated in full
before the first cell changes, so a 400 never leaves a half-written range behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import a1, guards
from .cells import Cell, raw_entered, user_entered
from .errors import ApiError, bad_request, invalid_value
from .model import Box, Sheet, Spreadsheet, grid_limits

Query = dict[str, list[str]]

_ENUMS = {
    "majorDimension": (
        "major_dimension",
        "Dimension",
        ("ROWS", "COLUMNS", "DIMENSION_UNSPECIFIED"),
    ),
    "valueRenderOption": (
        "value_render_option",
        "ValueRenderOption",
        ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"),
    ),
    "dateTimeRenderOption": (
        "date_time_render_option",
        "DateTimeRenderOption",
        ("SERIAL_NUMBER", "FORMATTED_STRING"),
    ),
    "valueInputOption": (
        "valueinput_option",
        "ValueInputOption",
        ("RAW", "USER_ENTERED", "INPUT_VALUE_OPTION_UNSPECIFIED"),
    ),
    "insertDataOption": ("insert_data_option", "InsertDataOption", ("OVERWRITE", "INSERT_ROWS")),
}
_DEFAULTS = {
    "majorDimension": "ROWS",
    "valueRenderOption": "FORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "insertDataOption": "OVERWRITE",
}


def enum(source: Query | dict[str, Any], name: str) -> str:
    """An enum parameter from the query or a JSON body, validated like Google does."""
    raw = source.get(name)
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    if raw is None or raw == "":
        return _DEFAULTS.get(name, "")
    field, type_name, allowed = _ENUMS[name]
    if raw not in allowed:
        raise invalid_value(field, f"type.googleapis.com/google.apps.sheets.v4.{type_name}", raw)
    if raw == "DIMENSION_UNSPECIFIED":
        return "ROWS"
    return str(raw)


def flag(query: Query, name: str) -> bool:
    """A boolean query parameter (``true``/``True``/``1``)."""
    values = query.get(name) or ["false"]
    return values[-1].lower() in ("true", "1")


def value_range(
    ss: Spreadsheet, sheet: Sheet, box: Box, options: tuple[str, str, str]
) -> dict[str, Any]:
    major, render, dates = options
    out: dict[str, Any] = {"range": a1.format_range(sheet.title, *box), "majorDimension": major}
    values = ss.read(sheet, box, major, render, dates)
    if values:
        out["values"] = values
    return out


def get(ss: Spreadsheet, range_text: str, query: Query) -> dict[str, Any]:
    """values.get."""
    major = enum(query, "majorDimension")
    render = enum(query, "valueRenderOption")
    dates = enum(query, "dateTimeRenderOption")
    sheet, window = ss.resolve(range_text)
    return value_range(ss, sheet, ss.box(sheet, window, range_text), (major, render, dates))


def batch_get(ss: Spreadsheet, query: Query) -> dict[str, Any]:
    """values.batchGet: every range is resolved before any is read."""
    major = enum(query, "majorDimension")
    render = enum(query, "valueRenderOption")
    dates = enum(query, "dateTimeRenderOption")
    targets = []
    for text in query.get("ranges", []):
        sheet, window = ss.resolve(text)
        targets.append((sheet, ss.box(sheet, window, text)))
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if targets:
        out["valueRanges"] = [value_range(ss, s, b, (major, render, dates)) for s, b in targets]
    return out


@dataclass
class Write:
    """A validated write: where each entered value goes."""

    sheet: Sheet
    r0: int
    c0: int
    cells: list[tuple[int, int, Any]]  # absolute (row, col, raw value or None)

    def cells_box(self) -> Box:
        """The smallest box holding every cell the write sets (nulls leave cells alone)."""
        set_ = [(r, c) for r, c, raw in self.cells if raw is not None]
        if not set_:
            return (self.r0, self.r0, self.c0, self.c0)
        rows, cols = [r for r, _ in set_], [c for _, c in set_]
        return min(rows), max(rows) + 1, min(cols), max(cols) + 1

    def counts(self) -> tuple[set[int], set[int], int]:
        rows = {r for r, _, _ in self.cells}
        cols = {c for _, c, _ in self.cells}
        return rows, cols, len(self.cells)

    def response(self, spreadsheet_id: str) -> dict[str, Any]:
        out: dict[str, Any] = {"spreadsheetId": spreadsheet_id}
        if not self.cells:
            return out
        rows, cols, count = self.counts()
        r1, c1 = max(rows) + 1, max(cols) + 1
        out["updatedRange"] = a1.format_range(self.sheet.title, self.r0, r1, self.c0, c1)
        out.update(updatedRows=len(rows), updatedColumns=len(cols), updatedCells=count)
        return out


def check_values(values: Any, field: str) -> list[list[Any]]:
    if values is None:
        return []
    if not isinstance(values, list):
        raise invalid_value(field, "type.googleapis.com/google.protobuf.ListValue", values)
    for i, row in enumerate(values):
        if not isinstance(row, list):
            raise invalid_value(
                f"{field}[{i}]", "type.googleapis.com/google.protobuf.ListValue", row
            )
        for j, value in enumerate(row):
            if isinstance(value, list | dict):
                raise invalid_value(
                    f"{field}[{i}][{j}]", "type.googleapis.com/google.protobuf.Value", value
                )
    return values


def plan_write(
    ss: Spreadsheet,
    range_text: str,
    body: dict[str, Any],
    field: str = "data.values",
    *,
    at: tuple[int, int] | None = None,
    grow: bool = False,
) -> Write:
    """Validate a ValueRange write and work out which cells it touches."""
    values = check_values(body.get("values"), field)
    major = enum(body, "majorDimension")
    sheet, window = ss.resolve(range_text)
    if at is not None:
        r0, c0 = at
    else:
        r0 = window.start_row if window else 0
        c0 = window.start_col if window else 0
    cells: list[tuple[int, int, Any]] = []
    for i, line in enumerate(values):
        for j, raw in enumerate(line):
            r, c = (r0 + i, c0 + j) if major == "ROWS" else (r0 + j, c0 + i)
            cells.append((r, c, raw))
    # A single cell (no ":") only says where to start; a real range bounds the write.
    bounded = window is not None and ":" in range_text.rpartition("!")[2]
    if cells and at is None and window is not None and bounded:
        last_row = max(r for r, _, _ in cells)
        last_col = max(c for _, c, _ in cells)
        limit = f"Requested writing within range [{range_text}], but tried writing to"
        if window.end_row is not None and last_row >= window.end_row:
            raise bad_request(f"{limit} row [{last_row + 1}]")
        if window.end_col is not None and last_col >= window.end_col:
            raise bad_request(f"{limit} column [{a1.column_letters(last_col)}]")
    if cells and not grow:
        r1 = max(r for r, _, _ in cells) + 1
        c1 = max(c for _, c, _ in cells) + 1
        if r1 > sheet.rows or c1 > sheet.cols:
            corners = f"{a1.cell_name(r0, c0)}:{a1.cell_name(r1 - 1, c1 - 1)}"
            raise grid_limits(sheet, range_text if window is not None else corners)
    return Write(sheet, r0, c0, cells)


def commit(write: Write, input_option: str) -> None:
    """Store a planned write. ``null`` values leave their cell as it was (Google's rule)."""
    parse = user_entered if input_option == "USER_ENTERED" else raw_entered
    sheet = write.sheet
    if write.cells:
        need_rows = max(r for r, _, _ in write.cells) + 1
        need_cols = max(c for _, c, _ in write.cells) + 1
        if need_rows > sheet.rows or need_cols > sheet.cols:  # only appends get here
            sheet.resize(max(need_rows, sheet.rows), max(need_cols, sheet.cols))
    for r, c, raw in write.cells:
        if raw is None:
            continue
        entered: Cell = parse(raw)
        cell = sheet.cell(r, c)
        cell.value, cell.formula = entered.value, entered.formula
        cell.display, cell.is_date = entered.display, entered.is_date
        cell.runs = None  # a new value's text has no rich-text runs
        sheet.prune(r, c)


def write_block(sheet: Sheet, r0: int, c0: int, values: list[list[Any]], input_option: str) -> None:
    """Write a block of values at (r0, c0), growing the grid if needed (test set-up)."""
    cells = [(r0 + i, c0 + j, raw) for i, line in enumerate(values) for j, raw in enumerate(line)]
    commit(Write(sheet, r0, c0, cells), input_option)


def input_option(source: Query | dict[str, Any]) -> str:
    option = enum(source, "valueInputOption")
    if option in ("", "INPUT_VALUE_OPTION_UNSPECIFIED"):
        raise bad_request("'valueInputOption' is required but not specified")
    return option


def updated_data(ss: Spreadsheet, write: Write, query: Query | dict[str, Any]) -> dict[str, Any]:
    rows, cols, _ = write.counts()
    box = (write.r0, max(rows) + 1, write.c0, max(cols) + 1)
    render = _param(query, "responseValueRenderOption") or "FORMATTED_VALUE"
    dates = _param(query, "responseDateTimeRenderOption") or "SERIAL_NUMBER"
    return value_range(ss, write.sheet, box, ("ROWS", render, dates))


def _param(source: Query | dict[str, Any], name: str) -> str | None:
    raw = source.get(name)
    if isinstance(raw, list):
        return raw[-1] if raw else None
    return None if raw is None else str(raw)


def update(
    ss: Spreadsheet, range_text: str, query: Query, body: dict[str, Any], caller: str = ""
) -> dict[str, Any]:
    """values.update (PUT .../values/{range})."""
    option = input_option(query)
    if "range" in body and body["range"] and body["range"] != range_text:
        raise bad_request(
            f"Requested range [{range_text}] does not match range in the request body "
            f"[{body['range']}]."
        )
    write = plan_write(ss, range_text, body)
    guards.check_cells(write.sheet, write.cells_box(), caller)
    commit(write, option)
    out = write.response(ss.spreadsheet_id)
    if flag(query, "includeValuesInResponse") and write.cells:
        out["updatedData"] = updated_data(ss, write, query)
    return out


def batch_update(ss: Spreadsheet, body: dict[str, Any], caller: str = "") -> dict[str, Any]:
    """values.batchUpdate: all ranges validated first, then all written."""
    option = input_option(body)
    data = body.get("data") or []
    if not isinstance(data, list):
        raise invalid_value("data", "type.googleapis.com/google.apps.sheets.v4.ValueRange", data)
    writes = [
        plan_write(ss, str(item.get("range", "")), item, f"data[{i}].values")
        for i, item in enumerate(data)
    ]
    for write in writes:
        guards.check_cells(write.sheet, write.cells_box(), caller)
    for write in writes:
        commit(write, option)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    touched = [w for w in writes if w.cells]
    if touched:
        rows = {(w.sheet.sheet_id, r) for w in touched for r, _, _ in w.cells}
        cols = {(w.sheet.sheet_id, c) for w in touched for _, c, _ in w.cells}
        out["totalUpdatedRows"] = len(rows)
        out["totalUpdatedColumns"] = len(cols)
        out["totalUpdatedCells"] = sum(len(w.cells) for w in touched)
        out["totalUpdatedSheets"] = len({w.sheet.sheet_id for w in touched})
    responses = []
    for write in writes:
        response = write.response(ss.spreadsheet_id)
        if body.get("includeValuesInResponse") and write.cells:
            response["updatedData"] = updated_data(ss, write, body)
        responses.append(response)
    if responses:
        out["responses"] = responses
    return out


def _clear_box(ss: Spreadsheet, range_text: str) -> tuple[Sheet, Box]:
    sheet, window = ss.resolve(range_text)
    return sheet, ss.box(sheet, window, range_text)


def wipe(sheet: Sheet, box: Box) -> None:
    r0, r1, c0, c1 = box
    for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        sheet.cells[key].clear_value()  # formats and notes survive values.clear
        sheet.prune(*key)


def clear(ss: Spreadsheet, range_text: str, caller: str = "") -> dict[str, Any]:
    """values.clear: values go, formatting and notes stay."""
    sheet, box = _clear_box(ss, range_text)
    guards.check_cells(sheet, box, caller)
    wipe(sheet, box)
    return {"spreadsheetId": ss.spreadsheet_id, "clearedRange": a1.format_range(sheet.title, *box)}


def batch_clear(ss: Spreadsheet, body: dict[str, Any], caller: str = "") -> dict[str, Any]:
    """values.batchClear."""
    targets = [_clear_box(ss, str(text)) for text in body.get("ranges") or []]
    for sheet, box in targets:
        guards.check_cells(sheet, box, caller)
    for sheet, box in targets:
        wipe(sheet, box)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if targets:
        out["clearedRanges"] = [a1.format_range(s.title, *b) for s, b in targets]
    return out


def _table(sheet: Sheet, box: Box) -> Box | None:
    """The "table" values.append appends to (an approximation of Google's detection).

    Google's rule is not documented; the recordings show that with ``A1``, blank ``B1``
    and ``C1`` filled, the table is ``C1``. The fake takes the block of 4-connected
    filled cells that holds the last filled cell (in reading order) of the searched
    columns, which gives that answer and the obvious one for an ordinary table.
    """
    r0, _, c0, c1 = box
    filled = {k for k, c in sheet.cells.items() if c.has_value() and k[0] >= r0 and c0 <= k[1] < c1}
    if not filled:
        return None
    start = max(filled)
    block = {start}
    todo = [start]
    while todo:
        r, c = todo.pop()
        for nxt in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if nxt in filled and nxt not in block:
                block.add(nxt)
                todo.append(nxt)
    rows = [r for r, _ in block]
    cols = [c for _, c in block]
    return min(rows), max(rows) + 1, min(cols), max(cols) + 1


def append(
    ss: Spreadsheet, range_text: str, query: Query, body: dict[str, Any], caller: str = ""
) -> dict[str, Any]:
    """values.append: write after the table found in the range, growing the grid if needed."""
    option = input_option(query)
    insert = enum(query, "insertDataOption")
    sheet, window = ss.resolve(range_text)
    box = ss.box(sheet, window, range_text)
    if box[1] - box[0] == 1 and box[3] - box[2] == 1:
        # One cell only says where the search starts: look right and down from it.
        box = (box[0], sheet.rows, box[2], sheet.cols)
    table = _table(sheet, box)
    at = (box[0], box[2]) if table is None else (table[1], table[2])
    write = plan_write(ss, range_text, body, at=at, grow=True)
    guards.check_cells(write.sheet, write.cells_box(), caller)
    if insert == "INSERT_ROWS" and write.cells:
        height = max(r for r, _, _ in write.cells) + 1 - at[0]
        sheet.shift("ROWS", at[0], height)
    commit(write, option)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if table is not None:
        out["tableRange"] = a1.format_range(sheet.title, *table)
    updates = write.response(ss.spreadsheet_id)
    if flag(query, "includeValuesInResponse") and write.cells:
        updates["updatedData"] = updated_data(ss, write, query)
    out["updates"] = updates
    return out


def not_modelled(what: str) -> ApiError:
    """400 for a parameter or shape the fake does not model (a loud, honest failure)."""
    return bad_request(f"fake_sheets does not model {what}")
