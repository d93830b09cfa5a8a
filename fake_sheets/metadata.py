"""Developer metadata on the spreadsheet, a sheet, or one row or column: create/update/
delete requests, developerMetadata.search and .get, and data filters (`resolve`: the ranges
a DataFilter selects, for the values and getByDataFilter endpoints).

Stored (and answered) in Google's shape::

    {"metadataId": 123, "metadataKey": "k", "metadataValue": "v",
     "location": {"locationType": "SHEET", "sheetId": 0}, "visibility": "DOCUMENT"}
    {"metadataId": 124, "metadataKey": "col", "visibility": "DOCUMENT",
     "location": {"locationType": "COLUMN", "dimensionRange": {"sheetId": 7,
                  "dimension": "COLUMNS", "startIndex": 3, "endIndex": 4}}}

Metadata on a row or column moves with it when rows or columns are inserted, deleted or
moved (`model.Sheet.shift` / `permute`) and is deleted with it; a sort moves cells, not
rows, so it leaves row metadata where it was.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import fieldmask
from .errors import ApiError, bad_request
from .model import Box, Sheet
from .ranges import set_span

if TYPE_CHECKING:
    from .context import Context
    from .model import Spreadsheet

_VISIBILITIES = ("DOCUMENT", "PROJECT")


def all_metadata(ss: Spreadsheet) -> Iterator[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Every metadata entry with the list that holds it (spreadsheet first, then sheets)."""
    for item in ss.metadata:
        yield ss.metadata, item
    for sheet in ss.sheets:
        for item in sheet.metadata:
            yield sheet.metadata, item


def _location(
    ss: Spreadsheet, given: Any, fail: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(stored location, list to keep the entry in) for a request's ``location``."""
    if not isinstance(given, dict) or not given:
        raise fail("Developer metadata must have a location.")
    if given.get("spreadsheet"):
        return {"locationType": "SPREADSHEET", "spreadsheet": True}, ss.metadata
    if "dimensionRange" in given:
        where = given["dimensionRange"] or {}
        sheet = ss.sheet_by_id(int(where.get("sheetId") or 0))
        if sheet is None:
            raise fail(f"No grid with id: {int(where.get('sheetId') or 0)}")
        dimension = where.get("dimension")
        if dimension not in ("ROWS", "COLUMNS"):
            raise fail("dimensionRange.dimension must be ROWS or COLUMNS.")
        start, end = int(where.get("startIndex") or 0), where.get("endIndex")
        if end is None or int(end) != start + 1:
            raise fail("The specified DimensionRange must represent a single row or column.")
        if start >= (sheet.rows if dimension == "ROWS" else sheet.cols):
            raise fail(f"Range index {start} exceeds the grid limits of the sheet.")
        stored: dict[str, Any] = {"sheetId": sheet.sheet_id} if sheet.sheet_id else {}
        stored["dimension"] = dimension
        set_span(stored, start, start + 1)
        kind = "ROW" if dimension == "ROWS" else "COLUMN"
        return {"locationType": kind, "dimensionRange": stored}, sheet.metadata
    if "sheetId" in given:
        sheet = ss.sheet_by_id(int(given["sheetId"]))
        if sheet is None:
            raise fail(f"No grid with id: {given['sheetId']}")
        return {"locationType": "SHEET", "sheetId": sheet.sheet_id}, sheet.metadata
    raise fail("Developer metadata must have a location.")


def _span(location: dict[str, Any]) -> tuple[int | None, str | None, int, int]:
    """(sheetId, or None for the spreadsheet; dimension or None; first; end) of a location."""
    if location.get("spreadsheet") or location.get("locationType") == "SPREADSHEET":
        return None, None, 0, 0
    where = location.get("dimensionRange")
    if where is not None:
        start = int(where.get("startIndex") or 0)
        end = int(where["endIndex"]) if "endIndex" in where else start + 1
        return int(where.get("sheetId") or 0), where.get("dimension"), start, end
    return int(location.get("sheetId") or 0), None, 0, 0


def _location_matches(location: dict[str, Any], wanted: dict[str, Any], exact: bool) -> bool:
    mine, asked = _span(location), _span(wanted)
    if exact or asked[0] is None or mine[0] is None:
        return mine == asked
    if mine[0] != asked[0]:
        return False
    if mine[1] is None or asked[1] is None or mine[1] != asked[1]:
        return True  # a sheet holds its rows and columns; a row crosses every column
    return mine[2] < asked[3] and asked[2] < mine[3]


def _lookup_matches(item: dict[str, Any], lookup: dict[str, Any]) -> bool:
    location = item["location"]
    if "metadataId" in lookup and item["metadataId"] != int(lookup["metadataId"]):
        return False
    for key in ("metadataKey", "metadataValue"):
        if key in lookup and item.get(key) != lookup[key]:
            return False
    visibility = lookup.get("visibility", "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED")
    if (
        visibility != "DEVELOPER_METADATA_VISIBILITY_UNSPECIFIED"
        and item["visibility"] != visibility
    ):
        return False
    if "locationType" in lookup and location["locationType"] != lookup["locationType"]:
        return False
    where = lookup.get("metadataLocation")
    if where:
        strategy = lookup.get("locationMatchingStrategy", "INTERSECTING_LOCATION")
        return _location_matches(location, where, strategy == "EXACT_LOCATION")
    return True


def filter_matches(item: dict[str, Any], data_filter: dict[str, Any]) -> bool:
    """Whether a DataFilter's developerMetadataLookup selects this metadata entry."""
    if "developerMetadataLookup" in data_filter:
        return _lookup_matches(item, data_filter["developerMetadataLookup"] or {})
    raise bad_request("fake_sheets selects developer metadata by developerMetadataLookup only")


def resolve(ss: Spreadsheet, data_filter: Any) -> list[tuple[Sheet, Box]]:
    """The ranges a DataFilter selects: an A1 range, a GridRange, or wherever the matching
    developer metadata sits now (a whole row, column or sheet)."""
    if not isinstance(data_filter, dict) or len(data_filter) != 1:
        raise bad_request(
            "A data filter must set exactly one of developerMetadataLookup, a1Range and gridRange."
        )
    if "a1Range" in data_filter:
        text = str(data_filter["a1Range"])
        sheet, window = ss.resolve(text)
        return [(sheet, ss.box(sheet, window, text))]
    if "gridRange" in data_filter:
        grid = data_filter["gridRange"] or {}
        found = ss.sheet_by_id(int(grid.get("sheetId") or 0))
        if found is None:
            raise bad_request(f"No grid with id: {int(grid.get('sheetId') or 0)}")
        r1 = min(int(grid.get("endRowIndex", found.rows)), found.rows)
        c1 = min(int(grid.get("endColumnIndex", found.cols)), found.cols)
        r0, c0 = int(grid.get("startRowIndex", 0)), int(grid.get("startColumnIndex", 0))
        return [(found, (r0, r1, c0, c1))]
    ranges = []
    for _, item in all_metadata(ss):
        if not filter_matches(item, data_filter):
            continue
        sheet_id, dimension, start, end = _span(item["location"])
        holder = ss.sheet_by_id(sheet_id) if sheet_id is not None else None
        if holder is None:
            continue  # spreadsheet-level metadata covers no cells
        sheet = holder
        if dimension == "ROWS":
            ranges.append((sheet, (start, end, 0, sheet.cols)))
        elif dimension == "COLUMNS":
            ranges.append((sheet, (0, sheet.rows, start, end)))
        else:
            ranges.append((sheet, (0, sheet.rows, 0, sheet.cols)))
    return ranges


def create_metadata(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """createDeveloperMetadata."""
    given = req.get("developerMetadata")
    if not isinstance(given, dict):
        raise ctx.fail("developerMetadata must be set.")
    if not given.get("metadataKey"):
        raise ctx.fail("Developer metadata must have a key.")
    if given.get("visibility") not in _VISIBILITIES:
        raise ctx.fail("Developer metadata must have a visibility of DOCUMENT or PROJECT.")
    location, holder = _location(ss, given.get("location"), ctx.fail)
    metadata_id = given.get("metadataId")
    taken = {item["metadataId"] for _, item in all_metadata(ss)}
    if metadata_id is None:
        metadata_id = ctx.ids.fresh_number(lambda i: i in taken)
    elif int(metadata_id) in taken:
        raise ctx.fail(f"Developer metadata with id {metadata_id} already exists.")
    stored: dict[str, Any] = {
        "metadataId": int(metadata_id),
        "metadataKey": str(given["metadataKey"]),
    }
    if given.get("metadataValue") is not None:
        stored["metadataValue"] = str(given["metadataValue"])
    stored["location"] = location
    stored["visibility"] = given["visibility"]
    holder.append(stored)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(stored)}}


def update_metadata(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """updateDeveloperMetadata: the masked fields of every entry the filters select."""
    filters = req.get("dataFilters") or []
    if not filters or not req.get("fields"):
        raise ctx.fail("dataFilters and fields must be set.")
    mask = fieldmask.parse(str(req["fields"]))
    given = req.get("developerMetadata") or {}
    changed = []
    for holder, item in list(all_metadata(ss)):
        if not any(filter_matches(item, f) for f in filters):
            continue
        new = copy.deepcopy(item)
        fieldmask.apply(new, given, mask)
        new["metadataId"] = item["metadataId"]
        if new.get("visibility") not in _VISIBILITIES or not new.get("metadataKey"):
            raise ctx.fail("Developer metadata must keep a key and a visibility.")
        location, target = _location(ss, new.get("location"), ctx.fail)
        new["location"] = location
        holder.remove(item)
        target.append(new)
        changed.append(copy.deepcopy(new))
    return {"updateDeveloperMetadata": {"developerMetadata": changed} if changed else {}}


def delete_metadata(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteDeveloperMetadata."""
    data_filter = req.get("dataFilter")
    if not isinstance(data_filter, dict):
        raise ctx.fail("dataFilter must be set.")
    deleted = []
    for holder, item in list(all_metadata(ss)):
        if filter_matches(item, data_filter):
            holder.remove(item)
            deleted.append(item)
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": deleted} if deleted else {}}


def search(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """developerMetadata.search: each matching entry with the filters that matched it."""
    filters = body.get("dataFilters") or []
    matched = []
    for _, item in all_metadata(ss):
        hits = [f for f in filters if filter_matches(item, f)]
        if hits:
            matched.append(
                {"developerMetadata": copy.deepcopy(item), "dataFilters": copy.deepcopy(hits)}
            )
    return {"matchedDeveloperMetadata": matched} if matched else {}


def get(ss: Spreadsheet, metadata_id: str) -> dict[str, Any]:
    """developerMetadata.get."""
    for _, item in all_metadata(ss):
        if str(item["metadataId"]) == metadata_id:
            return copy.deepcopy(item)
    raise ApiError(404, f"No developer metadata with ID: {metadata_id}")
