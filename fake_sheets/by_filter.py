"""The data-filter endpoints: values by DataFilter (get, update, clear) and
spreadsheets.getByDataFilter.

A DataFilter names its range by an A1 range, a GridRange, or developer metadata
(`metadata.resolve`): a write addressed by metadata on a column lands in that column
wherever people have moved it since, which is what makes such writes safe. As documented,
values written to a filter that selects several ranges go to each of them, and ``null``
values leave their cell as it was.
"""

from __future__ import annotations

import copy
from typing import Any

from . import a1, fieldmask, guards, metadata, values_api
from .errors import bad_request
from .model import Box, Sheet, Spreadsheet


def _filters(body: dict[str, Any]) -> list[Any]:
    filters = body.get("dataFilters")
    if not isinstance(filters, list) or not filters:
        raise bad_request("At least one data filter must be specified.")
    return filters


def _write(sheet: Sheet, box: Box, item: dict[str, Any], field: str) -> values_api.Write:
    """Values of a DataFilterValueRange placed in one selected range (they must fit)."""
    values = values_api.check_values(item.get("values"), field)
    major = values_api.enum(item, "majorDimension")
    r0, r1, c0, c1 = box
    cells = []
    for i, line in enumerate(values):
        for j, raw in enumerate(line):
            r, c = (r0 + i, c0 + j) if major == "ROWS" else (r0 + j, c0 + i)
            if r >= r1 or c >= c1:
                shown = a1.format_range(sheet.title, *box)
                where = f"row [{r + 1}]" if r >= r1 else f"column [{a1.column_letters(c)}]"
                raise bad_request(
                    f"Requested writing within range [{shown}], but tried writing to {where}"
                )
            cells.append((r, c, raw))
    return values_api.Write(sheet, r0, c0, cells)


def batch_update(ss: Spreadsheet, body: dict[str, Any], caller: str) -> dict[str, Any]:
    """values.batchUpdateByDataFilter: every filter resolved and checked, then all written."""
    option = values_api.input_option(body)
    data = body.get("data") or []
    planned: list[tuple[dict[str, Any], list[values_api.Write]]] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise bad_request(f"Invalid data[{i}]: expected a DataFilterValueRange.")
        writes = [
            _write(sheet, box, item, f"data[{i}].values")
            for sheet, box in metadata.resolve(ss, item.get("dataFilter"))
        ]
        for write in writes:
            guards.check_cells(write.sheet, write.cells_box(), caller)
        planned.append((item, writes))
    for _, writes in planned:
        for write in writes:
            values_api.commit(write, option)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    touched = [w for _, writes in planned for w in writes if w.cells]
    if touched:
        out["totalUpdatedRows"] = len(
            {(w.sheet.sheet_id, r) for w in touched for r, _, _ in w.cells}
        )
        out["totalUpdatedColumns"] = len(
            {(w.sheet.sheet_id, c) for w in touched for _, c, _ in w.cells}
        )
        out["totalUpdatedCells"] = sum(len(w.cells) for w in touched)
        out["totalUpdatedSheets"] = len({w.sheet.sheet_id for w in touched})
    responses = []
    for item, writes in planned:
        for write in writes or [values_api.Write(Sheet.new(0, "", 0), 0, 0, [])]:
            # A filter that selects nothing writes nothing: its answer names only the filter.
            response: dict[str, Any] = {"dataFilter": copy.deepcopy(item.get("dataFilter"))}
            if write.cells:
                answer = write.response(ss.spreadsheet_id)
                answer.pop("spreadsheetId", None)
                response.update(answer)
                if body.get("includeValuesInResponse"):
                    response["updatedData"] = values_api.updated_data(ss, write, body)
            responses.append(response)
    if responses:
        out["responses"] = responses
    return out


def batch_get(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """values.batchGetByDataFilter: each selected range with the filters that selected it."""
    options = (
        values_api.enum(body, "majorDimension"),
        values_api.enum(body, "valueRenderOption"),
        values_api.enum(body, "dateTimeRenderOption"),
    )
    matched = []
    for data_filter in _filters(body):
        for sheet, box in metadata.resolve(ss, data_filter):
            matched.append({
                "valueRange": values_api.value_range(ss, sheet, box, options),
                "dataFilters": [copy.deepcopy(data_filter)],
            })  # fmt: skip
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if matched:
        out["valueRanges"] = matched
    return out


def batch_clear(ss: Spreadsheet, body: dict[str, Any], caller: str) -> dict[str, Any]:
    """values.batchClearByDataFilter: values go, formats and notes stay."""
    targets = [t for f in _filters(body) for t in metadata.resolve(ss, f)]
    for sheet, box in targets:
        guards.check_cells(sheet, box, caller)
    for sheet, box in targets:
        values_api.wipe(sheet, box)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if targets:
        out["clearedRanges"] = [a1.format_range(s.title, *b) for s, b in targets]
    return out


def get_spreadsheet(ss: Spreadsheet, body: dict[str, Any], query: dict[str, list[str]]) -> Any:
    """spreadsheets.getByDataFilter: the sheets the filters select, with their cells when
    ``includeGridData`` is set (or a field mask asks for them)."""
    fields = (query.get("fields") or [""])[-1]
    try:
        mask = fieldmask.parse(fields)
    except fieldmask.MaskError as exc:
        raise bad_request(f"Invalid field selection {fields}") from exc
    want_data = bool(body.get("includeGridData"))
    if fields:
        sheets_mask = mask.get("sheets") if mask is not None else None
        want_data = mask is None or "sheets" not in mask or sheets_mask is None or (
            "data" in sheets_mask)  # fmt: skip
    grid: dict[int, list[Box]] = {}
    for data_filter in _filters(body):
        for sheet, box in metadata.resolve(ss, data_filter):
            boxes = grid.setdefault(sheet.sheet_id, [])
            if want_data:
                boxes.append(box)
    return fieldmask.select(ss.to_json(grid, None), mask)
