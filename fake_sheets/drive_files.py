"""Drive v3 beyond gspread's needs: folders, where a new spreadsheet goes, and who it is
shared with (`permissions.create`, `list`, `update`).

What Google does that is modelled, because a client that makes spreadsheets meets it:

* a file is created in the folder its `parents` names; a folder the caller cannot see is
  404 "File not found", one it may only view is 403 ``insufficientFilePermissions``;
* a folder in a shared drive is found only with ``supportsAllDrives=true`` (else 404);
* a service account owns no Drive storage: creating a file anywhere but in a shared drive
  is 403 ``storageQuotaExceeded`` ("Service Accounts do not have storage quota...");
* `files.list` understands ``name = '...'``, ``'<folder>' in parents``, ``mimeType = '...'``
  and ``trashed = false`` joined by ``and``;
* a permission needs a valid `role` and, for a user or group, an `emailAddress`; sharing
  needs edit rights on the file; sharing with someone who already has a permission changes
  its role; `sendNotificationEmail` (default true) is recorded in `DriveState.notified`.

Everything sits in `DriveState`, one per store; `DriveControls` are the test helpers mixed
into `FakeSheets`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import fieldmask
from .errors import ApiError, drive_not_found

if TYPE_CHECKING:
    from .routes import Route, Store

FOLDER_MIME = "application/vnd.google-apps.folder"
ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")
_TYPES = ("user", "group", "domain", "anyone")
STORAGE_MESSAGE = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use "
    "OAuth delegation (http://support.google.com/a/answer/7281227) instead."
)
NOT_ALLOWED = "The user does not have sufficient permissions for this file."
_PERMISSIONS = re.compile(r"^/drive/v3/files/(?P<file>[^/]+)/permissions(?:/(?P<perm>[^/]+))?$")


@dataclass
class Folder:
    """A Drive folder the fake knows."""

    folder_id: str
    name: str
    drive_id: str | None  # the shared drive it is in; None: someone's My Drive
    role: str | None = "writer"  # the caller's access ("writer", "reader", or None)


@dataclass
class DriveState:
    """Folders, each file's parents and permissions, and the sharing e-mails sent."""

    folders: dict[str, Folder] = field(default_factory=dict)
    parents: dict[str, list[str]] = field(default_factory=dict)
    permissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notified: list[tuple[str, str, str]] = field(default_factory=list)  # file, address, message
    next_permission: int = 1
    # Until 2025 a service account had 15 GB of Drive storage of its own (gspread's
    # recordings are from then); now it has none.
    service_account_storage: bool = False


def drive_error(code: int, reason: str, message: str, domain: str = "global") -> ApiError:
    """A Drive v3 error body (it still carries the v2-style ``errors`` list)."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }
    return ApiError(code, message, body=body)


def _flag(query: dict[str, list[str]], name: str) -> bool:
    return (query.get(name) or ["false"])[-1].lower() == "true"


def classify(method: str, raw_path: str) -> Route | None:
    """The route of a permissions call (file id in `spreadsheet_id`, permission in `target`)."""
    from urllib.parse import unquote  # noqa: PLC0415

    from .routes import Route  # noqa: PLC0415 - routes imports this module

    m = _PERMISSIONS.match(raw_path)
    if m is None:
        return None
    perm = m.group("perm")
    kind = {
        ("GET", False): "drive.permissions.list",
        ("POST", False): "drive.permissions.create",
        ("PATCH", True): "drive.permissions.update",
    }.get((method, perm is not None))
    if kind is None:
        return None
    return Route(kind, unquote(m.group("file")), unquote(perm) if perm else None)


# -- files ---------------------------------------------------------------------------------


def create_folder(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """files.create of a folder (in the caller's My Drive, or under a parent folder)."""
    parents = body.get("parents") or []
    parent = store.drive.folders.get(parents[0]) if parents else None
    folder_id = store.ids.fresh_spreadsheet_id(lambda i: i in store.drive.folders)
    store.drive.folders[folder_id] = Folder(
        folder_id, str(body.get("name", "Untitled folder")), parent.drive_id if parent else None
    )
    return {
        "kind": "drive#file",
        "id": folder_id,
        "name": body.get("name"),
        "mimeType": FOLDER_MIME,
    }


def check_create(store: Store, query: dict[str, list[str]], body: dict[str, Any]) -> None:
    """Refuse to create a file where Google refuses to: an unknown or unshared folder, a
    folder the caller only views, or (for a service account) outside a shared drive."""
    parents = body.get("parents") or []
    if len(parents) > 1:
        raise drive_error(
            403, "cannotAddParent", "A shared drive item must have exactly one parent."
        )
    folder = store.drive.folders.get(parents[0]) if parents else None
    if parents and (folder is None or folder.role is None):
        raise drive_not_found(parents[0])
    if folder is not None and folder.drive_id and not _flag(query, "supportsAllDrives"):
        raise drive_not_found(parents[0])
    if folder is not None and folder.role != "writer":
        raise drive_error(403, "insufficientFilePermissions", NOT_ALLOWED)
    service_account = store.caller.endswith(".iam.gserviceaccount.com")
    if (
        service_account
        and not store.drive.service_account_storage
        and (folder is None or not folder.drive_id)
    ):
        raise drive_error(403, "storageQuotaExceeded", STORAGE_MESSAGE, "usageLimits")


def placed(store: Store, file_id: str, body: dict[str, Any]) -> None:
    """Record where a new file went, and that its creator may manage it."""
    parents = list(body.get("parents") or [])
    store.drive.parents[file_id] = parents
    folder = store.drive.folders.get(parents[0]) if parents else None
    role = "fileOrganizer" if folder is not None and folder.drive_id else "owner"
    store.drive.permissions[file_id] = [_permission(store, store.caller, role)]


def file_extra(store: Store, file_id: str) -> dict[str, Any]:
    """What files.get/list add about a file's place: parents and shared drive."""
    parents = store.drive.parents.get(file_id, [])
    out: dict[str, Any] = {"parents": list(parents)} if parents else {}
    folder = store.drive.folders.get(parents[0]) if parents else None
    if folder is not None and folder.drive_id:
        out["driveId"] = folder.drive_id
    return out


def folder_file(store: Store, folder_id: str, query: dict[str, list[str]]) -> dict[str, Any]:
    """files.get of a folder."""
    folder = store.drive.folders.get(folder_id)
    if folder is None or folder.role is None:
        raise drive_not_found(folder_id)
    if folder.drive_id and not _flag(query, "supportsAllDrives"):
        raise drive_not_found(folder_id)
    out: dict[str, Any] = {
        "kind": "drive#file",
        "id": folder_id,
        "name": folder.name,
        "mimeType": FOLDER_MIME,
        "capabilities": {
            "canAddChildren": folder.role == "writer",
            "canEdit": folder.role == "writer",
        },
    }
    if folder.drive_id:
        out["driveId"] = folder.drive_id
    default = "kind,id,name,mimeType"
    selected: dict[str, Any] = fieldmask.select(
        out, fieldmask.parse((query.get("fields") or [default])[-1] or default)
    )
    return selected


_CLAUSE = re.compile(
    r"""^\s*(?:(?P<field>name|mimeType)\s*=\s*(?P<q>["'])(?P<value>(?:(?!(?P=q))[^\\]|\\.)*)(?P=q)"""
    r"""|(?P<q2>["'])(?P<parent>[^"']+)(?P=q2)\s+in\s+parents"""
    r"""|parents\s+in\s+(?P<q3>["'])(?P<parent2>[^"']+)(?P=q3)"""
    r"""|trashed\s*=\s*(?P<trashed>true|false))\s*$"""
)


def matches(store: Store, file_id: str, name: str, mime: str, q: str) -> bool:
    """Whether a file fits a files.list query (the clauses a client of this fake uses)."""
    if not q.strip():
        return True
    for clause in re.split(r"\s+and\s+", q.strip()):
        m = _CLAUSE.match(clause)
        if m is None:
            raise drive_error(400, "invalid", "Invalid Value", "global")
        if m.group("field"):
            wanted = re.sub(r"\\(.)", r"\1", m.group("value"))
            if (name if m.group("field") == "name" else mime) != wanted:
                return False
        elif m.group("parent") or m.group("parent2"):
            parent = m.group("parent") or m.group("parent2")
            if parent not in store.drive.parents.get(file_id, []):
                return False
        elif m.group("trashed") == "true":
            return False
    return True


# -- permissions ---------------------------------------------------------------------------


def _permission(store: Store, address: str, role: str, kind: str = "user") -> dict[str, Any]:
    perm = {
        "kind": "drive#permission",
        "id": f"{store.drive.next_permission:020d}",
        "type": kind,
        "emailAddress": address,
        "role": role,
    }
    store.drive.next_permission += 1
    return perm


def permissions(
    store: Store, route: Route, query: dict[str, list[str]], body: Any
) -> tuple[int, Any]:
    """permissions.list, create and update of a spreadsheet."""
    file_id = route.spreadsheet_id or ""
    ss = store.spreadsheets.get(file_id)
    if ss is None or not ss.shared:
        raise drive_not_found(file_id)
    folder_parents = store.drive.parents.get(file_id, [])
    folders = [store.drive.folders[p] for p in folder_parents if p in store.drive.folders]
    in_drive = any(f.drive_id for f in folders)
    if in_drive and not _flag(query, "supportsAllDrives"):
        raise drive_not_found(file_id)
    # A file the test set up by hand is shared with the caller as its role says.
    if file_id not in store.drive.permissions:
        caller = _permission(store, store.caller, ss.role or "reader")
        store.drive.permissions[file_id] = [caller]
    perms = store.drive.permissions[file_id]
    default = "kind,id,type,role"
    if route.kind.endswith("list"):
        default = "kind,permissions(id,type,emailAddress,role)"
    mask = fieldmask.parse((query.get("fields") or [default])[-1] or default)
    if route.kind == "drive.permissions.list":
        return 200, fieldmask.select({"kind": "drive#permissionList", "permissions": perms}, mask)
    if ss.role != "writer":
        raise drive_error(403, "insufficientFilePermissions", NOT_ALLOWED)
    body = body if isinstance(body, dict) else {}
    role = body.get("role")
    if route.kind == "drive.permissions.update":
        found = next((p for p in perms if p["id"] == route.target), None)
        if found is None:
            raise drive_error(404, "notFound", f"Permission not found: {route.target}.")
        if role not in ROLES:
            raise drive_error(400, "invalid", "The value of the parameter 'role' is invalid.")
        found["role"] = role
        return 200, fieldmask.select(found, mask)
    if not role:
        raise drive_error(400, "required", "The permission role field is required.")
    if role not in ROLES:
        raise drive_error(400, "invalid", "The value of the parameter 'role' is invalid.")
    kind = body.get("type")
    if kind not in _TYPES:
        raise drive_error(400, "required", "The permission type field is required.")
    address = str(body.get("emailAddress") or "")
    if kind in ("user", "group") and "@" not in address:
        raise drive_error(400, "invalid", "The permission emailAddress field is required.")
    folded = address.casefold()
    found = next((p for p in perms if p.get("emailAddress", "").casefold() == folded), None)
    if found is None:
        found = _permission(store, address, role, kind)
        perms.append(found)
        if _flag(query, "sendNotificationEmail") or "sendNotificationEmail" not in query:
            store.drive.notified.append((file_id, address, (query.get("emailMessage") or [""])[-1]))
    else:
        found["role"] = role
    return 200, fieldmask.select(found, mask)


class DriveControls:
    """Test helpers for folders and sharing; mixed into `FakeSheets`."""

    _lock: threading.RLock
    _store: Store

    def add_folder(
        self, name: str, *, shared_drive: bool = True, role: str | None = "writer"
    ) -> str:
        """A folder shared with the caller (``role``), in a shared drive or in someone's My
        Drive; returns its id."""
        with self._lock:
            drive = self._store.drive
            folder_id = self._store.ids.fresh_spreadsheet_id(lambda i: i in drive.folders)
            drive_id = f"0A{folder_id[2:21]}" if shared_drive else None
            drive.folders[folder_id] = Folder(folder_id, name, drive_id, role)
            return folder_id

    @property
    def caller_email(self) -> str:
        """The account the fake answers as (the bot's service account)."""
        return self._store.caller

    def set_service_account_storage(self, allowed: bool) -> None:
        """Give service accounts Drive storage of their own again (as before 2025)."""
        with self._lock:
            self._store.drive.service_account_storage = allowed

    def folder_files(self, folder_id: str) -> list[str]:
        """The ids of the spreadsheets in a folder, in creation order."""
        with self._lock:
            return [f for f, parents in self._store.drive.parents.items() if folder_id in parents]

    def shared_with(self, file_id: str) -> dict[str, str]:
        """Who a file is shared with: e-mail address -> role (the caller included)."""
        with self._lock:
            perms = self._store.drive.permissions.get(file_id, [])
            return {p["emailAddress"]: p["role"] for p in perms if "emailAddress" in p}

    def sharing_emails(self) -> list[tuple[str, str, str]]:
        """(file id, address, message) of every sharing e-mail Google would have sent."""
        with self._lock:
            return list(self._store.drive.notified)
