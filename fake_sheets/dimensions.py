"""What people do to the shape of a sheet: insert, delete and move rows or columns, sort a
range, set or clear the basic filter. Each is a spreadsheets.batchUpdate request here, and
`FakeSheets` exposes them as "a person's edit" helpers too.

Rows and columns carry what sits on them (cells, developer metadata on that row or
column, protected and filter ranges; see `model.Sheet.shift` and `permute`). A sort moves
cells (values, formats, notes) within its range and nothing else: row metadata stays on
its row, as a sort rearranges contents, not dimensions. Sort order follows Sheets:
numbers, then text (case-insensitive), then booleans, blanks always last.
"""

from __future__ import annotations

import copy
from typing import Any

from . import guards, objects
from .cells import FormulaError
from .context import Context, grid_box, sheet_of
from .model import Box, Sheet, Spreadsheet


def _dimension(
    ss: Spreadsheet, dim_range: dict[str, Any], ctx: Context
) -> tuple[Sheet, str, int, int]:
    sheet = sheet_of(ss, dim_range.get("sheetId"), ctx)
    dimension = dim_range.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise ctx.fail("range.dimension must be ROWS or COLUMNS.")
    count = sheet.rows if dimension == "ROWS" else sheet.cols
    start = int(dim_range.get("startIndex", 0))
    end = int(dim_range.get("endIndex", count))
    if start < 0 or end < start:
        raise ctx.fail("range.endIndex must not be less than range.startIndex.")
    return sheet, dimension, start, end


def insert_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """insertDimension (formats are not inherited: inheritFromBefore is ignored)."""
    sheet, dimension, start, end = _dimension(ss, req.get("range") or {}, ctx)
    count = sheet.rows if dimension == "ROWS" else sheet.cols
    if start > count:
        raise ctx.fail(f"range.startIndex ({start}) must be at most the sheet's size ({count}).")
    if req.get("inheritFromBefore") and start == 0:
        raise ctx.fail(
            "Cannot inherit properties from before if inserting at the first row or column."
        )
    sheet.shift(dimension, start, end - start)
    objects.shifted(ss, sheet, dimension, start, end - start)
    return {}


def _whole(sheet: Sheet, dimension: str, start: int, end: int) -> Box:
    return (start, end, 0, sheet.cols) if dimension == "ROWS" else (0, sheet.rows, start, end)


def delete_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteDimension (refused where a range protected from the caller would lose cells)."""
    sheet, dimension, start, end = _dimension(ss, req.get("range") or {}, ctx)
    count = sheet.rows if dimension == "ROWS" else sheet.cols
    end = min(end, count)
    if start == 0 and end >= count:
        noun = "rows" if dimension == "ROWS" else "columns"
        raise ctx.fail(f"You can't delete all the {noun} on the sheet.")
    guards.check_cells(sheet, _whole(sheet, dimension, start, end), ctx.caller)
    sheet.shift(dimension, start, -(end - start))
    objects.shifted(ss, sheet, dimension, start, -(end - start))
    return {}


def append_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """appendDimension."""
    sheet = sheet_of(ss, req.get("sheetId"), ctx)
    length = int(req.get("length", 0))
    if length < 1 or req.get("dimension") not in ("ROWS", "COLUMNS"):
        raise ctx.fail("length must be positive and dimension ROWS or COLUMNS.")
    count = sheet.rows if req["dimension"] == "ROWS" else sheet.cols
    sheet.shift(str(req["dimension"]), count, length)
    return {}


def move_order(count: int, start: int, end: int, destination: int) -> list[int]:
    """``order[new] = old`` after moving [start, end) to ``destination`` (an index counted
    before the moved rows are taken out, as the API defines it)."""
    items = list(range(count))
    block, rest = items[start:end], items[:start] + items[end:]
    at = destination if destination <= start else destination - (end - start)
    return rest[:at] + block + rest[at:]


def move_dimension(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """moveDimension: rows or columns, with everything on them, to another place."""
    sheet, dimension, start, end = _dimension(ss, req.get("source") or {}, ctx)
    count = sheet.rows if dimension == "ROWS" else sheet.cols
    destination = int(req.get("destinationIndex", 0))
    if end > count or destination < 0 or destination > count:
        raise ctx.fail(f"Index out of range: the sheet has {count} {dimension.lower()}.")
    if start <= destination <= end or start == end:
        return {}  # moving rows onto themselves changes nothing
    guards.check_cells(sheet, _whole(sheet, dimension, min(start, destination),
                                     max(end, destination)), ctx.caller)  # fmt: skip
    sheet.permute(dimension, move_order(count, start, end, destination))
    return {}


def _rank(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, int | float):
        return 0, float(value)
    if isinstance(value, FormulaError):
        return 3, value.code
    return 1, str(value).casefold()


def sort_rows(ss: Spreadsheet, sheet: Sheet, box: Box, specs: list[dict[str, Any]]) -> None:
    """Reorder the rows of ``box`` by ``specs`` (SortSpec: dimensionIndex, sortOrder),
    moving the cells of the box's columns only."""
    r0, r1, c0, c1 = box
    order = list(range(r0, r1))
    for spec in reversed(specs):  # stable sorts, least significant key first
        column = int(spec.get("dimensionIndex", 0))
        values = {r: ss.effective(sheet, r, column) for r in order}
        filled = [r for r in order if values[r] not in (None, "")]
        blank = [r for r in order if values[r] in (None, "")]
        filled.sort(key=lambda r: _rank(values[r]), reverse=spec.get("sortOrder") == "DESCENDING")
        order = filled + blank
    taken = {
        k: sheet.cells.pop(k) for k in list(sheet.cells) if r0 <= k[0] < r1 and c0 <= k[1] < c1
    }
    for new, old in enumerate(order, start=r0):
        for c in range(c0, c1):
            if (old, c) in taken:
                sheet.cells[(new, c)] = taken[(old, c)]


def sort_range(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """sortRange."""
    sheet, box = grid_box(ss, req.get("range") or {}, ctx)
    specs = req.get("sortSpecs") or []
    if not specs:
        raise ctx.fail("At least one sort spec must be given.")
    guards.check_cells(sheet, box, ctx.caller)
    sort_rows(ss, sheet, box, specs)
    return {}


def set_basic_filter(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """setBasicFilter: the filter is kept (and listed on the sheet); its sort specs sort the
    rows below its header row. Hiding rows by criteria is not modelled: values reads and
    writes ignore filters anyway."""
    given = copy.deepcopy(req.get("filter") or {})
    sheet, (r0, r1, c0, c1) = grid_box(ss, given.get("range") or {}, ctx)
    rng = {k: v for k, v in (given.get("range") or {}).items() if v or k != "sheetId"}
    given["range"] = rng
    specs = given.get("sortSpecs") or []
    if specs:
        guards.check_cells(sheet, (r0 + 1, r1, c0, c1), ctx.caller)
        sort_rows(ss, sheet, (r0 + 1, r1, c0, c1), specs)
    sheet.basic_filter = given
    return {}


def clear_basic_filter(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """clearBasicFilter."""
    sheet_of(ss, req.get("sheetId"), ctx).basic_filter = None
    return {}
