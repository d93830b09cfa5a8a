"""Which endpoint a request is, and answering it from the store.

`classify` names a request's kind (``values.batchGet``, ``drive.files.get``...) from its
method and path alone, so the server can count it, apply quotas and faults before it
touches any data. `dispatch` then answers it. Both are plain functions of their inputs:
the HTTP layer lives in `server`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from . import (
    batch_update,
    by_filter,
    discovery,
    drive_changes,
    drive_files,
    fieldmask,
    metadata,
    sheet_copy,
    values_api,
)
from .errors import bad_request, drive_not_found, not_found, permission_denied, service_disabled
from .model import Box, IdMaker, Sheet, Spreadsheet, next_change

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"

READ_KINDS = frozenset(
    {
        "spreadsheets.get",
        "values.get",
        "values.batchGet",
        "developerMetadata.search",
        "developerMetadata.get",
        "values.batchGetByDataFilter",
        "spreadsheets.getByDataFilter",
    }
)
WRITE_KINDS = frozenset(
    {
        "spreadsheets.create",
        "spreadsheets.batchUpdate",
        "values.update",
        "values.batchUpdate",
        "values.clear",
        "values.batchClear",
        "values.append",
        "values.batchUpdateByDataFilter",
        "values.batchClearByDataFilter",
        "sheets.copyTo",
    }
)


@dataclass
class Store:
    """All spreadsheets the fake holds, plus what new ids and protections are made from."""

    ids: IdMaker = field(default_factory=IdMaker)
    caller: str = "fake-bot@fake-project.iam.gserviceaccount.com"
    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    # APIs not enabled in the caller's Cloud project ("sheets.googleapis.com", ...).
    disabled: set[str] = field(default_factory=set)
    # Folders, where files are and whom they are shared with (`drive_files`).
    drive: drive_files.DriveState = field(default_factory=drive_files.DriveState)
    # Files deleted through Drive, with their change log entry (changes.list lists them).
    removed: dict[str, int] = field(default_factory=dict)

    def new_spreadsheet(
        self, title: str, locale: str = "en_US", time_zone: str = "Etc/GMT"
    ) -> Spreadsheet:
        """Create and keep a spreadsheet with one empty Sheet1."""
        spreadsheet_id = self.ids.fresh_spreadsheet_id(lambda i: i in self.spreadsheets)
        ss = Spreadsheet.new(spreadsheet_id, title, locale, time_zone)
        self.spreadsheets[spreadsheet_id] = ss
        return ss


@dataclass(frozen=True)
class Route:
    """A classified request: its kind and the decoded path parameters."""

    kind: str
    spreadsheet_id: str | None = None
    target: str | None = None  # a range, a Drive file id or a metadata id


_SHEETS = re.compile(r"^/v4/spreadsheets(?:/(?P<rest>.*))?$")
_DRIVE = re.compile(r"^/drive/v3/files(?:/(?P<file>[^/]+))?$")
_CHANGES = {"/drive/v3/changes": "drive.changes.list",
            "/drive/v3/changes/startPageToken": "drive.changes.getStartPageToken"}  # fmt: skip
_COPY_TO = re.compile(r"^sheets/(?P<sheet>-?\d+):copyTo$")
_VERBS = {"clear": "values.clear", "append": "values.append"}
_COLLECTION = {
    ("GET", "values:batchGet"): "values.batchGet",
    ("POST", "values:batchUpdate"): "values.batchUpdate",
    ("POST", "values:batchClear"): "values.batchClear",
    ("POST", "developerMetadata:search"): "developerMetadata.search",
    ("POST", "values:batchGetByDataFilter"): "values.batchGetByDataFilter",
    ("POST", "values:batchUpdateByDataFilter"): "values.batchUpdateByDataFilter",
    ("POST", "values:batchClearByDataFilter"): "values.batchClearByDataFilter",
}


def classify(method: str, raw_path: str) -> Route | None:
    """The route for a method and raw (still percent-encoded) path; None if unsupported."""
    if permissions := drive_files.classify(method, raw_path):
        return permissions
    if raw_path in _CHANGES:
        return Route(_CHANGES[raw_path]) if method == "GET" else None
    if m := _DRIVE.match(raw_path):
        file_id = unquote(m.group("file")) if m.group("file") else None
        kind = {
            ("POST", False): "drive.files.create",
            ("GET", False): "drive.files.list",
            ("GET", True): "drive.files.get",
            ("DELETE", True): "drive.files.delete",
        }.get((method, file_id is not None))
        return Route(kind, target=file_id) if kind else None
    m = _SHEETS.match(raw_path)
    if not m:
        return None
    rest = m.group("rest")
    if rest is None or rest == "":
        return Route("spreadsheets.create") if method == "POST" else None
    head, _, tail = rest.partition("/")
    if not tail:
        spreadsheet_id, _, verb = head.partition(":")
        if not verb and method == "GET":
            return Route("spreadsheets.get", unquote(spreadsheet_id))
        if verb == "batchUpdate" and method == "POST":
            return Route("spreadsheets.batchUpdate", unquote(spreadsheet_id))
        if verb == "getByDataFilter" and method == "POST":
            return Route("spreadsheets.getByDataFilter", unquote(spreadsheet_id))
        return None
    spreadsheet_id = unquote(head)
    if (copy_to := _COPY_TO.match(tail)) and method == "POST":
        return Route("sheets.copyTo", spreadsheet_id, copy_to.group("sheet"))
    if (method, tail) in _COLLECTION:
        return Route(_COLLECTION[(method, tail)], spreadsheet_id)
    if tail.startswith("developerMetadata/") and method == "GET":
        return Route("developerMetadata.get", spreadsheet_id, unquote(tail.split("/", 1)[1]))
    if not tail.startswith("values/"):
        return None
    encoded = tail[len("values/") :]
    # The verb follows the last literal ":"; a ":" inside the range is normally encoded.
    base, sep, verb = encoded.rpartition(":")
    if sep and verb in _VERBS and method == "POST":
        return Route(_VERBS[verb], spreadsheet_id, unquote(base))
    kind = {"GET": "values.get", "PUT": "values.update"}.get(method)
    return Route(kind, spreadsheet_id, unquote(encoded)) if kind else None


def _spreadsheet(store: Store, spreadsheet_id: str | None, write: bool) -> Spreadsheet:
    ss = store.spreadsheets.get(spreadsheet_id or "")
    if ss is None:
        raise not_found()
    if not ss.shared or (write and ss.role != "writer"):
        raise permission_denied()  # not shared, or shared as Viewer and asked to write
    return ss


def _mask(query: dict[str, list[str]]) -> fieldmask.Mask | None:
    fields = (query.get("fields") or [""])[-1]
    try:
        return fieldmask.parse(fields)
    except fieldmask.MaskError as exc:
        raise bad_request(f"Invalid field selection {fields}") from exc


def _submask(mask: fieldmask.Mask | None, path: list[str]) -> fieldmask.Mask | None:
    node: fieldmask.Mask | None = mask
    for name in path:
        if node is None:
            return None
        node = node.get(name, {}) if name in node or "*" not in node else None
    return node


def spreadsheets_get(ss: Spreadsheet, query: dict[str, list[str]]) -> dict[str, Any]:
    """spreadsheets.get: ``ranges`` narrows the sheets listed; grid data when asked for."""
    has_fields = bool((query.get("fields") or [""])[-1])
    mask = _mask(query)
    if has_fields:
        # Google ignores includeGridData when a field mask is given: the mask decides.
        sheets_mask = _submask(mask, ["sheets"])
        want_data = sheets_mask is None or "data" in sheets_mask
    else:
        want_data = values_api.flag(query, "includeGridData")
    grid: dict[int, list[Box]] | None = None
    ranges = query.get("ranges") or []
    if ranges:
        grid = {}
        for text in ranges:
            sheet, window = ss.resolve(text)
            boxes = grid.setdefault(sheet.sheet_id, [])
            if want_data:
                boxes.append(ss.box(sheet, window, text))
    elif want_data:
        grid = {s.sheet_id: [(0, s.rows, 0, s.cols)] for s in ss.sheets}
    cell_mask = _submask(mask, ["sheets", "data", "rowData", "values"]) if has_fields else None
    answer: dict[str, Any] = fieldmask.select(ss.to_json(grid, cell_mask), mask)
    return answer


def spreadsheets_create(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """spreadsheets.create (POST /v4/spreadsheets) with properties and sheet properties."""
    props = body.get("properties") or {}
    ss = store.new_spreadsheet(
        str(props.get("title", "Untitled spreadsheet")),
        str(props.get("locale", "en_US")),
        str(props.get("timeZone", "Etc/GMT")),
    )
    given = body.get("sheets") or []
    if any("data" in s for s in given):
        del store.spreadsheets[ss.spreadsheet_id]
        raise values_api.not_modelled("grid data in spreadsheets.create")
    if given:
        ss.sheets = []
        for i, entry in enumerate(given):
            sp = entry.get("properties") or {}
            grid = sp.get("gridProperties") or {}
            sheet_id = (
                int(sp["sheetId"]) if "sheetId" in sp else (0 if i == 0 else store.ids.number())
            )
            ss.sheets.append(
                Sheet.new(
                    sheet_id,
                    str(sp.get("title", f"Sheet{i + 1}")),
                    i,
                    int(grid.get("rowCount", 1000)),
                    int(grid.get("columnCount", 26)),
                )
            )
    return ss.to_json()


def _drive_file(ss: Spreadsheet) -> dict[str, Any]:
    return drive_changes.drive_file(ss)


def _drive_fields(query: dict[str, list[str]], default: str) -> fieldmask.Mask | None:
    return fieldmask.parse((query.get("fields") or [default])[-1] or default)


def _drive_list(store: Store, query: dict[str, list[str]]) -> dict[str, Any]:
    q = (query.get("q") or [""])[-1]
    # Terms on a file's place go to `drive_files`, the others to `drive_changes`.
    terms = [t for t in re.split(r"\s+and\s+", q.strip()) if t]
    place = " and ".join(t for t in terms if "parents" in t)
    rest = " and ".join(t for t in terms if "parents" not in t)

    def match(ss: Spreadsheet) -> bool:
        return drive_changes.matches(ss, rest) and drive_files.matches(
            store, ss.spreadsheet_id, ss.props["title"], SHEETS_MIME, place
        )

    return drive_changes.list_files(
        store.spreadsheets, query, match=match,
        extra=lambda ss: drive_files.file_extra(store, ss.spreadsheet_id),
    )  # fmt: skip


def drive(store: Store, route: Route, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    """The Drive v3 calls gspread and the bot make: create (a spreadsheet or a folder,
    `drive_files`), get, list and delete a file, and the changes feed."""
    if route.kind == "drive.changes.getStartPageToken":
        return 200, drive_changes.start_page_token(query)
    if route.kind == "drive.changes.list":
        return 200, drive_changes.list_changes(store.spreadsheets, store.removed, query)
    if route.kind == "drive.files.create":
        if isinstance(body, dict) and body.get("mimeType") == drive_files.FOLDER_MIME:
            return 200, drive_files.create_folder(store, body)
        if not isinstance(body, dict) or body.get("mimeType") != SHEETS_MIME:
            raise bad_request("fake_sheets models only Google Sheets files in Drive")
        drive_files.check_create(store, query, body)
        ss = store.new_spreadsheet(str(body.get("name", "Untitled spreadsheet")))
        drive_files.placed(store, ss.spreadsheet_id, body)
        made = {**_drive_file(ss), **drive_files.file_extra(store, ss.spreadsheet_id)}
        return 200, fieldmask.select(made, _drive_fields(query, "kind,id,name,mimeType"))
    if route.kind == "drive.files.list":
        return 200, _drive_list(store, query)
    if route.kind == "drive.files.get" and route.target in store.drive.folders:
        return 200, drive_files.folder_file(store, route.target, query)
    found = store.spreadsheets.get(route.target or "")
    if found is None or not found.shared:  # Drive hides files it won't show you
        raise drive_not_found(route.target or "")
    if route.kind == "drive.files.delete":
        del store.spreadsheets[found.spreadsheet_id]
        store.removed[found.spreadsheet_id] = next_change()
        return 204, None
    shown = {**_drive_file(found), **drive_files.file_extra(store, found.spreadsheet_id)}
    return 200, fieldmask.select(shown, _drive_fields(query, "kind,id,name,mimeType"))


def check_service(store: Store, route: Route) -> None:
    """403 SERVICE_DISABLED when the API a request is for is not enabled in the project."""
    service = "drive.googleapis.com" if route.kind.startswith("drive.") else "sheets.googleapis.com"
    if service in store.disabled:
        raise service_disabled(service)


def dispatch(store: Store, route: Route, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
    """Answer a classified request: (HTTP status, JSON body or None)."""
    if route.kind.startswith("drive.permissions."):
        return drive_files.permissions(store, route, query, body)
    if route.kind.startswith("drive."):
        return drive(store, route, query, body)
    if body is not None and not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    body = body or {}
    if route.kind == "spreadsheets.create":
        return 200, spreadsheets_create(store, body)
    # copyTo reads its source; the spreadsheet it writes into is checked by the handler.
    writing = route.kind in WRITE_KINDS and route.kind != "sheets.copyTo"
    ss = _spreadsheet(store, route.spreadsheet_id, writing)
    target = route.target or ""
    caller = store.caller
    if route.kind == "spreadsheets.get":
        return 200, spreadsheets_get(ss, query)
    if route.kind == "values.get":
        return 200, values_api.get(ss, target, query)
    if route.kind == "values.batchGet":
        return 200, values_api.batch_get(ss, query)
    if route.kind == "developerMetadata.search":
        return 200, metadata.search(ss, body)
    if route.kind == "developerMetadata.get":
        return 200, metadata.get(ss, target)
    if route.kind == "values.batchGetByDataFilter":
        return 200, by_filter.batch_get(ss, body)
    if route.kind == "spreadsheets.getByDataFilter":
        return 200, by_filter.get_spreadsheet(ss, body, query)
    if route.kind == "sheets.copyTo":
        return 200, sheet_copy.copy_to(store.spreadsheets, ss, target, body, store.ids)
    if route.kind == "spreadsheets.batchUpdate":
        # The response's `fields` is checked before anything is changed, as Google does.
        mask = _mask(query)
        bad = discovery.unknown_in_mask("sheets", "BatchUpdateSpreadsheetResponse", mask)
        if bad is not None:
            raise bad_request(f"Invalid field selection {bad}")
        # Applied to a copy that replaces the original only if every request succeeded.
        work = ss.copy()
        answer = batch_update.apply_batch(work, body, store.ids, store.caller)
        work.touch()
        store.spreadsheets[ss.spreadsheet_id] = work
        return 200, fieldmask.select(answer, mask) if mask is not None else answer
    # The values.* writes validate everything before changing the first cell.
    handlers: dict[str, Any] = {
        "values.update": lambda: values_api.update(ss, target, query, body, caller),
        "values.batchUpdate": lambda: values_api.batch_update(ss, body, caller),
        "values.clear": lambda: values_api.clear(ss, target, caller),
        "values.batchClear": lambda: values_api.batch_clear(ss, body, caller),
        "values.append": lambda: values_api.append(ss, target, query, body, caller),
        "values.batchUpdateByDataFilter": lambda: by_filter.batch_update(ss, body, caller),
        "values.batchClearByDataFilter": lambda: by_filter.batch_clear(ss, body, caller),
    }
    answer = handlers[route.kind]()
    ss.touch()
    return 200, answer
