"""Developer metadata at spreadsheet and sheet level: create/update/delete requests,
developerMetadata.search and developerMetadata.get.

Stored (and answered) in Google's shape::

    {"metadataId": 123, "metadataKey": "k", "metadataValue": "v",
     "location": {"locationType": "SHEET", "sheetId": 0}, "visibility": "DOCUMENT"}

Metadata on rows/columns (``dimensionRange`` locations) and data filters by ``a1Range`` or
``gridRange`` are not modelled and answer 400 saying so.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from . import fieldmask
from .errors import ApiError, bad_request

if TYPE_CHECKING:
    from .batch_update import Context
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
    if "sheetId" in given:
        sheet = ss.sheet_by_id(int(given["sheetId"]))
        if sheet is None:
            raise fail(f"No grid with id: {given['sheetId']}")
        return {"locationType": "SHEET", "sheetId": sheet.sheet_id}, sheet.metadata
    raise fail("fake_sheets models spreadsheet- and sheet-level developer metadata only")


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
    where = lookup.get("metadataLocation") or {}
    if "dimensionRange" in where:
        raise bad_request("fake_sheets does not model developer metadata on rows or columns")
    if "sheetId" in where and location.get("sheetId") != int(where["sheetId"]):
        return False
    if where.get("spreadsheet") and location["locationType"] != "SPREADSHEET":
        return False
    return not ("locationType" in where and location["locationType"] != where["locationType"])


def filter_matches(item: dict[str, Any], data_filter: dict[str, Any]) -> bool:
    """Whether a DataFilter selects this metadata entry."""
    if "developerMetadataLookup" in data_filter:
        return _lookup_matches(item, data_filter["developerMetadataLookup"] or {})
    raise bad_request("fake_sheets models only developerMetadataLookup data filters")


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
