"""spreadsheets.batchUpdate: the requests the bot uses, applied all-or-nothing.

`apply_batch` runs the requests in order on a copy of the spreadsheet; the caller keeps
the copy only if every request succeeded, so a 400 changes nothing (as with Google).
Replies come back in request order, ``{}`` where Google answers with an empty reply.

Modelled: addSheet, deleteSheet, updateSheetProperties, updateSpreadsheetProperties,
updateCells, repeatCell, insertDimension, deleteDimension, appendDimension, moveDimension,
sortRange, setBasicFilter, clearBasicFilter (in `dimensions`), add/update/delete
ConditionalFormatRule (in `conditional`), setDataValidation (in `validation`), addFilterView,
deleteFilterView, addChart, updateChartSpec, updateEmbeddedObjectPosition,
deleteEmbeddedObject (in `objects`), createDeveloperMetadata, updateDeveloperMetadata,
deleteDeveloperMetadata, addProtectedRange, deleteProtectedRange.
Cell writes into a range protected from the caller fail (`guards`). Accepted and ignored
(validated, no effect): updateDimensionProperties, autoResizeDimensions.
Any other real request kind answers 400 "fake_sheets does not model ..."; an unknown name
answers Google's "Invalid JSON payload received. Unknown name ..." error.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import conditional, fieldmask, guards, objects, validation
from .cells import normalise_color, normalise_color_style, normalise_format
from .context import Context, grid_box, sheet_of
from .dimensions import (
    append_dimension,
    clear_basic_filter,
    delete_dimension,
    insert_dimension,
    move_dimension,
    set_basic_filter,
    sort_range,
)
from .errors import bad_request, unknown_field
from .metadata import create_metadata, delete_metadata, update_metadata
from .model import Box, IdMaker, Sheet, Spreadsheet

Handler = Callable[[Spreadsheet, dict[str, Any], "Context"], dict[str, Any]]

# Real request kinds the fake knows exist but does not model (so the error says so).
_REAL_BUT_NOT_MODELLED = {
    "addBanding", "addDataSource", "addDimensionGroup",
    "addNamedRange", "addSlicer", "addTable", "appendCells", "autoFill",
    "copyPaste", "cutPaste",
    "deleteBanding", "deleteDataSource",
    "deleteDimensionGroup", "deleteDuplicates",
    "deleteNamedRange", "deleteRange", "duplicateFilterView",
    "findReplace", "insertRange", "mergeCells", "pasteData",
    "randomizeRange", "refreshDataSource", "textToColumns",
    "trimWhitespace", "unmergeCells", "updateBanding", "updateBorders",
    "updateDataSource", "updateDimensionGroup",
    "updateEmbeddedObjectBorder", "updateFilterView",
    "updateNamedRange", "updateProtectedRange", "updateSlicerSpec", "updateTable",
}  # fmt: skip


def _title_taken(ss: Spreadsheet, title: str, but: Sheet | None = None) -> bool:
    return any(s.title.casefold() == title.casefold() and s is not but for s in ss.sheets)


def _normalise_tab_color(props: dict[str, Any]) -> None:
    # Google keeps tabColor and tabColorStyle in step whichever one was sent.
    if isinstance(props.get("tabColorStyle"), dict):
        props["tabColorStyle"] = normalise_color_style(props["tabColorStyle"])
        if "rgbColor" in props["tabColorStyle"]:
            props["tabColor"] = dict(props["tabColorStyle"]["rgbColor"])
    elif isinstance(props.get("tabColor"), dict):
        props["tabColor"] = normalise_color(props["tabColor"])
        props["tabColorStyle"] = {"rgbColor": dict(props["tabColor"])}


def add_sheet(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """addSheet."""
    props = copy.deepcopy(req.get("properties") or {})
    if props.get("sheetType", "GRID") != "GRID":
        raise ctx.fail("fake_sheets models GRID sheets only")
    title = props.get("title")
    if title is None:
        # Like the Sheets UI: the first free "SheetN" from N = number of sheets + 1.
        first = len(ss.sheets) + 1
        free = (n for n in range(first, first + len(ss.sheets) + 1))
        title = next(f"Sheet{n}" for n in free if not _title_taken(ss, f"Sheet{n}"))
    if not str(title).strip():
        raise ctx.fail("The sheet name cannot be empty.")
    if _title_taken(ss, str(title)):
        raise ctx.fail(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = ctx.ids.fresh_number(lambda i: ss.sheet_by_id(i) is not None)
    elif ss.sheet_by_id(int(sheet_id)) is not None:
        raise ctx.fail(f"A sheet with id {sheet_id} already exists.")
    grid = props.get("gridProperties") or {}
    sheet = Sheet.new(
        int(sheet_id),
        str(title),
        len(ss.sheets),
        int(grid.get("rowCount", 1000)),
        int(grid.get("columnCount", 26)),
    )
    for key, value in grid.items():
        if key not in ("rowCount", "columnCount"):
            sheet.props["gridProperties"][key] = value
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in props:
            sheet.props[key] = props[key]
    _normalise_tab_color(sheet.props)
    index = int(props.get("index", len(ss.sheets)))
    for other in ss.sheets:
        if int(other.props["index"]) >= index:
            other.props["index"] = int(other.props["index"]) + 1
    sheet.props["index"] = min(index, len(ss.sheets))
    ss.sheets.append(sheet)
    ss.reindex()
    return {"addSheet": {"properties": sheet.properties_json()}}


def delete_sheet(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteSheet."""
    sheet = sheet_of(ss, req.get("sheetId"), ctx)
    if len(ss.sheets) == 1:
        raise ctx.fail("You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.reindex()
    if all(s.props.get("hidden") for s in ss.sheets):
        raise ctx.fail("You can't remove all the visible sheets in a document.")
    objects.deleted(ss, sheet)
    return {}


def duplicate_sheet(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """duplicateSheet: a copy of a sheet's cells and properties, under a new id and name.

    Developer metadata is not copied (an assumption: the recordings have no duplicateSheet);
    the bot does not rely on either behaviour, it deletes and recreates its own.
    """
    source = sheet_of(ss, req.get("sourceSheetId"), ctx)
    new_id = req.get("newSheetId")
    if new_id is None:
        new_id = ctx.ids.fresh_number(lambda i: ss.sheet_by_id(i) is not None)
    elif ss.sheet_by_id(int(new_id)) is not None:
        raise ctx.fail(f"A sheet with id {new_id} already exists.")
    title = str(req.get("newSheetName") or f"Copy of {source.title}")
    if _title_taken(ss, title):
        raise ctx.fail(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    copy_of = copy.deepcopy(source)
    copy_of.metadata = []
    copy_of.protected = []
    objects.renumber(ss, copy_of, source.sheet_id, int(new_id), ctx)
    copy_of.props["sheetId"] = int(new_id)
    copy_of.props["title"] = title
    index = req.get("insertSheetIndex", len(ss.sheets))
    for sheet in ss.sheets:
        if int(sheet.props["index"]) >= int(index):
            sheet.props["index"] = int(sheet.props["index"]) + 1
    copy_of.props["index"] = int(index)
    ss.sheets.append(copy_of)
    ss.reindex()
    return {"duplicateSheet": {"properties": copy.deepcopy(copy_of.props)}}


def update_sheet_properties(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """updateSheetProperties (title, index, hidden, tab colour, grid size, frozen panes...)."""
    given = req.get("properties") or {}
    sheet = sheet_of(ss, given.get("sheetId"), ctx)
    if not req.get("fields"):
        raise ctx.fail("At least one field must be updated.")
    mask = fieldmask.parse(str(req["fields"]))
    new = copy.deepcopy(sheet.props)
    fieldmask.apply(new, given, mask)
    touched = fieldmask.top_level(mask) or set()
    if "tabColor" in touched and "tabColorStyle" not in touched:
        new.pop("tabColorStyle", None)  # the colour just sent replaces its stale twin
    new["sheetId"] = sheet.sheet_id
    new["sheetType"] = "GRID"
    title = str(new.get("title", ""))
    if not title.strip():
        raise ctx.fail("The sheet name cannot be empty.")
    if title != sheet.title and _title_taken(ss, title, but=sheet):
        raise ctx.fail(
            f'A sheet with the name "{title}" already exists. Please enter another name.'
        )
    if new.get("hidden") and all(s.props.get("hidden") or s is sheet for s in ss.sheets):
        raise ctx.fail("You can't hide all the sheets in a document.")
    grid = new.setdefault("gridProperties", {})
    rows = int(grid.get("rowCount") or sheet.rows)
    cols = int(grid.get("columnCount") or sheet.cols)
    if rows < 1 or cols < 1:
        raise ctx.fail("The grid must have at least one row and one column.")
    old_index = int(sheet.props["index"])
    new_index = int(new.get("index", old_index))
    sheet.props = new
    sheet.resize(rows, cols)
    _normalise_tab_color(sheet.props)
    if new_index != old_index:
        # Google's quirk: moving right, the index counts the sheet's old slot too.
        target = new_index - 1 if new_index > old_index else new_index
        ss.sheets.remove(sheet)
        ss.sheets.insert(max(0, min(target, len(ss.sheets))), sheet)
        for i, s in enumerate(ss.sheets):
            s.props["index"] = i
    else:
        sheet.props["index"] = old_index
    return {}


def update_spreadsheet_properties(
    ss: Spreadsheet, req: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    """updateSpreadsheetProperties (title, locale, timeZone, autoRecalc)."""
    if not req.get("fields"):
        raise ctx.fail("At least one field must be updated.")
    mask = fieldmask.parse(str(req["fields"]))
    new = copy.deepcopy(ss.props)
    fieldmask.apply(new, req.get("properties") or {}, mask)
    # defaultFormat/spreadsheetTheme are served as constants (see defaults.py).
    for key in ("defaultFormat", "spreadsheetTheme", "iterativeCalculationSettings"):
        new.pop(key, None)
    if not str(new.get("title", "")).strip():
        raise ctx.fail("The spreadsheet title cannot be empty.")
    ss.props = new
    return {}


def _apply_cell(
    sheet: Sheet, row: int, col: int, data: dict[str, Any], mask: fieldmask.Mask | None
) -> None:
    existing = sheet.cells.get((row, col))
    if existing is None and not data:
        return  # nothing to set and nothing to clear
    cell = sheet.cell(row, col)
    view: dict[str, Any] = {}
    if (uev := cell.user_entered_value()) is not None:
        view["userEnteredValue"] = uev
    if cell.fmt:
        view["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if cell.note:
        view["note"] = cell.note
    if cell.validation:
        view["dataValidation"] = copy.deepcopy(cell.validation)
    if cell.runs:
        view["textFormatRuns"] = copy.deepcopy(cell.runs)
    fieldmask.apply(view, data, mask)
    touched = fieldmask.top_level(mask)
    runs = cell.runs
    if touched is None or "userEnteredValue" in touched:
        cell.set_user_entered_value(view.get("userEnteredValue"))
    if touched is None or "textFormatRuns" in touched:
        runs = view.get("textFormatRuns") or None
    cell.runs = runs if cell.value is not None or cell.formula is not None else None
    fmt = view.get("userEnteredFormat")
    if isinstance(fmt, dict):
        sent = data.get("userEnteredFormat") or {}
        # Whichever of a colour and its *Style twin was sent wins over the stale one.
        if "backgroundColorStyle" in sent and "backgroundColor" not in sent:
            fmt.pop("backgroundColor", None)
        text_sent = sent.get("textFormat") or {}
        if "foregroundColorStyle" in text_sent and "foregroundColor" not in text_sent:
            fmt.get("textFormat", {}).pop("foregroundColor", None)
        cell.fmt = normalise_format(fmt) or None
    else:
        cell.fmt = None
    cell.note = view.get("note") or None
    cell.validation = validation.checked_rule(view.get("dataValidation"))
    sheet.prune(row, col)


def _fields(req: dict[str, Any], ctx: Context) -> fieldmask.Mask | None:
    if not req.get("fields"):
        raise ctx.fail("At least one field must be specified.")
    try:
        return fieldmask.parse(str(req["fields"]))
    except fieldmask.MaskError as exc:
        raise ctx.fail(f"Invalid field mask: {req['fields']}") from exc


def update_cells(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """updateCells: with ``range`` every cell in it gets the fields; with ``start`` only
    the cells the rows cover."""
    mask = _fields(req, ctx)
    rows = req.get("rows") or []
    if "range" in req:
        sheet, (r0, r1, c0, c1) = grid_box(ss, req["range"], ctx)
        if len(rows) > r1 - r0 or any(len(row.get("values") or []) > c1 - c0 for row in rows):
            raise ctx.fail("Attempting to write beyond the requested range.")
        guards.check_cells(sheet, (r0, r1, c0, c1), ctx.caller)
        for r in range(r0, r1):
            line = (rows[r - r0].get("values") or []) if r - r0 < len(rows) else []
            for c in range(c0, c1):
                _apply_cell(sheet, r, c, line[c - c0] if c - c0 < len(line) else {}, mask)
        return {}
    start = req.get("start") or {}
    sheet = sheet_of(ss, start.get("sheetId"), ctx)
    r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
    if r0 + len(rows) > sheet.rows or any(
        c0 + len(row.get("values") or []) > sheet.cols for row in rows
    ):
        raise ctx.fail(
            f"Range exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
        )
    width = max((len(row.get("values") or []) for row in rows), default=0)
    guards.check_cells(sheet, (r0, r0 + len(rows), c0, c0 + width), ctx.caller)
    for i, row in enumerate(rows):
        for j, data in enumerate(row.get("values") or []):
            _apply_cell(sheet, r0 + i, c0 + j, data or {}, mask)
    return {}


def repeat_cell(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """repeatCell: the same CellData fields on every cell of the range."""
    mask = _fields(req, ctx)
    sheet, (r0, r1, c0, c1) = grid_box(ss, req.get("range") or {}, ctx)
    guards.check_cells(sheet, (r0, r1, c0, c1), ctx.caller)
    data = req.get("cell") or {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            _apply_cell(sheet, r, c, data, mask)
    return {}


def accept_ignored(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """A request the fake validates (its sheet must exist) but does not model."""
    target = req.get("range") or req.get("dimensions") or {}
    if isinstance(target, dict) and "sheetId" in target:
        sheet_of(ss, target["sheetId"], ctx)
    return {}


def add_protected_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """addProtectedRange: stored and listed on the sheet; edits are not enforced."""
    given = copy.deepcopy(req.get("protectedRange") or {})
    grid_range = given.get("range") or {}
    sheet, _ = grid_box(ss, grid_range, ctx)
    range_out = {k: v for k, v in grid_range.items() if not (k == "sheetId" and not v)}
    reply: dict[str, Any] = {
        "protectedRangeId": int(given.get("protectedRangeId") or ctx.ids.number())
    }
    reply["range"] = range_out
    if given.get("description"):
        reply["description"] = given["description"]
    if given.get("warningOnly"):
        reply["warningOnly"] = True
    reply["requestingUserCanEdit"] = True
    stored = copy.deepcopy(reply)
    reply["editors"] = {}
    # Once created, Google lists the caller as an editor (for a warning-only range too).
    stored["editors"] = {"users": [ctx.caller]}
    sheet.protected.append(stored)
    return {"addProtectedRange": {"protectedRange": reply}}


def delete_protected_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteProtectedRange."""
    wanted = int(req.get("protectedRangeId", -1))
    for sheet in ss.sheets:
        for item in sheet.protected:
            if item["protectedRangeId"] == wanted:
                sheet.protected.remove(item)
                return {}
    raise ctx.fail(f"No protected range with id: {wanted}")


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "duplicateSheet": duplicate_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "appendDimension": append_dimension,
    "moveDimension": move_dimension,
    "sortRange": sort_range,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addConditionalFormatRule": conditional.add_rule,
    "updateConditionalFormatRule": conditional.update_rule,
    "deleteConditionalFormatRule": conditional.delete_rule,
    "updateDimensionProperties": accept_ignored,
    "setDataValidation": validation.set_data_validation,
    "autoResizeDimensions": accept_ignored,
    "addFilterView": objects.add_filter_view,
    "deleteFilterView": objects.delete_filter_view,
    "addChart": objects.add_chart,
    "updateChartSpec": objects.update_chart_spec,
    "updateEmbeddedObjectPosition": objects.update_embedded_object_position,
    "deleteEmbeddedObject": objects.delete_embedded_object,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "createDeveloperMetadata": create_metadata,
    "updateDeveloperMetadata": update_metadata,
    "deleteDeveloperMetadata": delete_metadata,
}


def apply_batch(ss: Spreadsheet, body: dict[str, Any], ids: IdMaker, caller: str) -> dict[str, Any]:
    """Run a batchUpdate body on ``ss`` (a copy the caller commits on success)."""
    requests = body.get("requests")
    if not isinstance(requests, list) or not requests:
        raise bad_request("Must specify at least one request.")
    replies = []
    for index, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise bad_request(
                f"Invalid requests[{index}]: exactly one kind of request must be set."
            )
        ((kind, payload),) = request.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            if kind in _REAL_BUT_NOT_MODELLED:
                raise bad_request(f"fake_sheets does not model the batchUpdate request '{kind}'")
            raise unknown_field(kind, f"requests[{index}]")
        replies.append(handler(ss, payload or {}, Context(index, kind, ids, caller)))
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = ss.to_json(*_response_grid(ss, body))
    return out


def _response_grid(
    ss: Spreadsheet, body: dict[str, Any]
) -> tuple[dict[int, list[Box]] | None, Any]:
    """What `responseRanges` / `responseIncludeGridData` ask the reply to include.

    As with spreadsheets.get's `ranges`, `responseRanges` narrows the sheets listed;
    `responseIncludeGridData` adds their cells (the whole grid when no range is given).
    """
    ranges = body.get("responseRanges") or []
    with_data = bool(body.get("responseIncludeGridData"))
    if not ranges:
        if not with_data:
            return None, None
        return {s.sheet_id: [(0, s.rows, 0, s.cols)] for s in ss.sheets}, None
    grid: dict[int, list[Box]] = {}
    for text in ranges:
        sheet, window = ss.resolve(text)
        boxes = grid.setdefault(sheet.sheet_id, [])
        if with_data:
            boxes.append(ss.box(sheet, window, text))
    return grid, None
