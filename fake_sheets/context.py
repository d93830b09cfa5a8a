"""What every spreadsheets.batchUpdate request handler shares: its context (position in
the batch, id maker, caller) and the lookup of the sheet and grid range it names."""

from __future__ import annotations

from typing import Any

from .errors import ApiError, invalid_request
from .model import Box, IdMaker, Sheet, Spreadsheet


class Context:
    """What a request handler needs besides the spreadsheet: its position and the id maker."""

    def __init__(self, index: int, kind: str, ids: IdMaker, caller: str) -> None:
        self.index = index
        self.kind = kind
        self.ids = ids
        self.caller = caller

    def fail(self, reason: str) -> ApiError:
        """400 ``Invalid requests[i].kind: reason``."""
        return invalid_request(self.index, self.kind, reason)


def sheet_of(ss: Spreadsheet, sheet_id: Any, ctx: Context) -> Sheet:
    sheet = ss.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise ctx.fail(f"No grid with id: {int(sheet_id or 0)}")
    return sheet


def grid_box(ss: Spreadsheet, grid_range: dict[str, Any], ctx: Context) -> tuple[Sheet, Box]:
    """A GridRange (missing bounds = unbounded) as a sheet and a closed box."""
    sheet = sheet_of(ss, grid_range.get("sheetId"), ctx)
    r0 = int(grid_range.get("startRowIndex", 0))
    r1 = int(grid_range.get("endRowIndex", sheet.rows))
    c0 = int(grid_range.get("startColumnIndex", 0))
    c1 = int(grid_range.get("endColumnIndex", sheet.cols))
    if r1 > sheet.rows or c1 > sheet.cols:
        raise ctx.fail(
            f"Range ('{sheet.title}'!R{r0 + 1}C{c0 + 1}:R{r1}C{c1}) exceeds grid limits. "
            f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
        )
    if r0 < 0 or c0 < 0 or r0 > r1 or c0 > c1:
        raise ctx.fail("Invalid range: start index must be non-negative and not after the end")
    return sheet, (r0, r1, c0, c1)
