"""spreadsheets.sheets.copyTo: a copy of one tab into another spreadsheet.

As in Sheets, the copy gets a new id, the name "Copy of <name>" (made unique with a
number), goes after the destination's last tab, and takes the cells, formats, merges,
conditional formats and filter views along but not the developer metadata or protected
ranges; the destination must be shared with the caller as Editor. It is one write to the
destination (its Drive version grows by one).
"""

from __future__ import annotations

import copy
from typing import Any

from .errors import ApiError, bad_request, not_found, permission_denied
from .model import IdMaker, Spreadsheet


def copy_to(
    spreadsheets: dict[str, Spreadsheet],
    source: Spreadsheet,
    sheet_id: str,
    body: dict[str, Any],
    ids: IdMaker,
) -> dict[str, Any]:
    """Copy tab ``sheet_id`` of ``source`` into ``body.destinationSpreadsheetId``."""
    sheet = source.sheet_by_id(int(sheet_id))
    if sheet is None:
        raise ApiError(404, f"No grid with id: {sheet_id}")
    target_id = body.get("destinationSpreadsheetId")
    if not target_id:
        raise bad_request("Invalid requests: destinationSpreadsheetId is required")
    target = spreadsheets.get(str(target_id))
    if target is None:
        raise not_found()
    if target.role != "writer":
        raise permission_denied()
    title, n = f"Copy of {sheet.title}", 1
    while target.sheet_by_title(title) is not None:
        n += 1
        title = f"Copy of {sheet.title} {n}"
    work = target.copy()
    clone = copy.deepcopy(sheet)
    clone.metadata = []
    clone.protected = []
    clone.props["sheetId"] = ids.fresh_number(lambda i: work.sheet_by_id(i) is not None)
    clone.props["title"] = title
    clone.props["index"] = len(work.sheets)
    work.sheets.append(clone)
    work.reindex()
    work.touch()
    spreadsheets[target.spreadsheet_id] = work
    return clone.properties_json()
