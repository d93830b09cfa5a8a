"""Drive v3's view of which files changed: each file's `version`, the changes feed
(`changes.getStartPageToken`, `changes.list`) and the `q` filters of `files.list`.

Modelled on Drive's documented behaviour: every change to a file (each write request,
each edit a person makes) gives it a new entry in one growing change log and adds one
to its `version`; the log keeps one entry per file (its latest), so `changes.list` from a
page token returns each file changed since that token once, in the order of their latest
changes, `pageSize` at a time (default 100, at most 1000), with `nextPageToken` while more
remain and `newStartPageToken` on the last page. A file the caller cannot see (not
shared, deleted) is listed as `removed` when `includeRemoved` is true (the default).

Every answer goes through the request's `fields` mask, which is first checked against
the response's schema in drive.v3.json: a field Drive does not have is a 400, as it is
from Google ("Invalid field selection").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import discovery, fieldmask
from .errors import ApiError, bad_request
from .model import Spreadsheet, last_change

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
_TERM = re.compile(
    r"^\s*(?P<field>name|mimeType|trashed)\s*(?P<op>=|!=)\s*"
    r"(?:'(?P<text>(?:[^'\\]|\\.)*)'|\"(?P<quoted>(?:[^\"\\]|\\.)*)\"|(?P<bare>true|false))\s*$"
)
_DEFAULT_CHANGE_FIELDS = (
    "kind,nextPageToken,newStartPageToken,changes(kind,changeType,time,removed,fileId,"
    "file(kind,id,name,mimeType))"
)


def drive_file(ss: Spreadsheet) -> dict[str, Any]:
    """A spreadsheet as a Drive File resource (what the caller may do with it included)."""
    editor = ss.role == "writer"
    return {
        "kind": "drive#file",
        "id": ss.spreadsheet_id,
        "name": ss.props["title"],
        "mimeType": SHEETS_MIME,
        "createdTime": ss.created,
        "modifiedTime": ss.modified,
        "version": str(ss.version),  # an int64, which JSON carries as a string
        "trashed": False,
        "capabilities": {
            "canEdit": editor,
            "canComment": editor or ss.role == "commenter",
            "canModifyContent": editor,
            "canShare": editor,
            "canCopy": True,
            "canDownload": True,
        },
    }


def mask(query: dict[str, list[str]], default: str, schema: str) -> fieldmask.Mask | None:
    """The request's `fields` (or Drive's default), checked against ``schema``."""
    text = (query.get("fields") or [default])[-1] or default
    try:
        parsed = fieldmask.parse(text)
    except fieldmask.MaskError as exc:
        raise bad_request(f"Invalid field selection {text}") from exc
    bad = discovery.unknown_in_mask("drive", schema, parsed)
    if bad is not None:
        raise ApiError(400, f"Invalid field selection {bad}")
    return parsed


def _int(query: dict[str, list[str]], name: str, default: int, low: int, high: int) -> int:
    raw = (query.get(name) or [str(default)])[-1]
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"Invalid value '{raw}'. Values must match the following regular "
                          "expression: '-?\\d+'") from None  # fmt: skip
    if value < low:
        raise bad_request(f"Invalid value '{raw}'. Values must be within the range: "
                          f"[{low}, {high}]")  # fmt: skip
    return min(value, high)


def _token(query: dict[str, list[str]]) -> int:
    raw = (query.get("pageToken") or [""])[-1]
    if not raw:
        raise ApiError(400, "Required parameter: pageToken")
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid Value: pageToken {raw}") from None


def _flag(query: dict[str, list[str]], name: str, default: bool) -> bool:
    raw = (query.get(name) or [""])[-1].lower()
    return default if raw == "" else raw == "true"


def start_page_token(query: dict[str, list[str]]) -> dict[str, Any]:
    """changes.getStartPageToken: the position after the latest change."""
    out = {"kind": "drive#startPageToken", "startPageToken": str(last_change() + 1)}
    answer: dict[str, Any] = fieldmask.select(out, mask(query, "kind,startPageToken",
                                                        "StartPageToken"))  # fmt: skip
    return answer


def list_changes(
    spreadsheets: dict[str, Spreadsheet], removed: dict[str, int], query: dict[str, list[str]]
) -> dict[str, Any]:
    """changes.list: every file changed at or after the page token, once, oldest first.

    ``removed`` maps files that left the caller's view (deleted) to their change id.
    """
    fields = mask(query, _DEFAULT_CHANGE_FIELDS, "ChangeList")
    start = _token(query)
    size = _int(query, "pageSize", 100, 1, 1000)
    with_removed = _flag(query, "includeRemoved", default=True)
    entries: list[tuple[int, dict[str, Any]]] = []
    for ss in spreadsheets.values():
        if ss.change < start:
            continue
        if ss.shared:
            entries.append((ss.change, _change(ss.spreadsheet_id, ss.modified, drive_file(ss))))
        elif with_removed:
            entries.append((ss.change, _change(ss.spreadsheet_id, ss.modified, None)))
    if with_removed:
        entries += [(n, _change(fid, None, None)) for fid, n in removed.items() if n >= start]
    entries.sort(key=lambda e: e[0])
    page = entries[:size]
    out: dict[str, Any] = {"kind": "drive#changeList", "changes": [c for _, c in page]}
    if len(entries) > size:
        out["nextPageToken"] = str(page[-1][0] + 1)
    else:
        out["newStartPageToken"] = str(last_change() + 1)
    answer: dict[str, Any] = fieldmask.select(out, fields)
    return answer


def _change(file_id: str, time: str | None, file: dict[str, Any] | None) -> dict[str, Any]:
    change: dict[str, Any] = {"kind": "drive#change", "changeType": "file", "fileId": file_id,
                              "removed": file is None}  # fmt: skip
    if time is not None:
        change["time"] = time
    if file is not None:
        change["file"] = file
    return change


def matches(ss: Spreadsheet, q: str) -> bool:
    """Whether a spreadsheet matches a `files.list` query: terms on name, mimeType and
    trashed joined by `and` (what the bot and gspread send); anything else is a 400."""
    if not q.strip():
        return True
    file = drive_file(ss)
    for term in re.split(r"\s+and\s+", q.strip()):
        found = _TERM.match(term)
        if found is None:
            raise ApiError(400, "Invalid Value", details=None)
        value = found.group("text") or found.group("quoted") or found.group("bare") or ""
        value = re.sub(r"\\(.)", r"\1", value)
        have = str(file[found.group("field")]).lower() if found.group("bare") else str(
            file[found.group("field")])  # fmt: skip
        if (have == value) != (found.group("op") == "="):
            return False
    return True


def list_files(
    spreadsheets: dict[str, Spreadsheet],
    query: dict[str, list[str]],
    match: Callable[[Spreadsheet], bool] | None = None,
    extra: Callable[[Spreadsheet], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """files.list: the files the caller can see that match `q` (or `match`, when given),
    `pageSize` at a time, each with what `extra` adds (its place in Drive)."""
    fields = mask(query, "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)",
                  "FileList")  # fmt: skip
    q = (query.get("q") or [""])[-1]
    size = _int(query, "pageSize", 100, 1, 1000)
    offset = int((query.get("pageToken") or ["0"])[-1] or 0)
    fits = match or (lambda ss: matches(ss, q))
    found = [{**drive_file(ss), **(extra(ss) if extra else {})}
             for ss in spreadsheets.values() if ss.shared and fits(ss)]  # fmt: skip
    out: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False,
                           "files": found[offset:offset + size]}  # fmt: skip
    if offset + size < len(found):
        out["nextPageToken"] = str(offset + size)
    answer: dict[str, Any] = fieldmask.select(out, fields)
    return answer
