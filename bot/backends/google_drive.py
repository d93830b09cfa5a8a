"""Which spreadsheets changed since the bot last read them, asked of Google Drive in one
request for all of them (the changes feed), so a cycle reads only those.

Drive gives every file a `version` that grows with every change made to it by anyone, and
a changes feed that lists, from a saved page token, each file changed since with its
version. The bot keeps, per spreadsheet, the version its last read reflects
(`google_memory`); a spreadsheet whose version is still that one has not changed.

The bot's own writes change the version too, and must not hide a person's edit made in
the same moment. So they are counted: after writing n requests into a spreadsheet read at
version v, the bot expects v + n, and trusts its read only if Drive then reports exactly
that. A person's edit at any moment (before the bot's write, between two of its requests,
right after) makes the version larger and the spreadsheet is read again; so does a write
whose answer was lost (it may or may not have happened). The count assumes Drive adds
one per write request; if Google ever adds more, the bot just reads its own spreadsheets
once more than needed, never less.

On the first cycle (no page token yet) the bot takes a page token, then lists every
spreadsheet's version (one `files.list`, 1,000 a page). Every `full_read_hours` it reads
everything anyway, in case Drive missed a change. Without the Drive API (not enabled, or
a key without the Drive scope) every spreadsheet is read every cycle, as before; the
first such cycle logs it once, and `doctor` says so.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gspread.exceptions import APIError

from bot.backends import google_errors as errors
from bot.backends.google_http import PoliteHTTPClient
from bot.backends.google_memory import Memory
from bot.config_services import GoogleSettings
from bot.errors import SheetError
from bot.read_cache import write_atomic

log = logging.getLogger(__name__)

DRIVE = "https://www.googleapis.com/drive/v3"
SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
_OFF_REASONS = ("SERVICE_DISABLED", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions",
                "accessNotConfigured")  # fmt: skip
_BOTH_DRIVES = {"supportsAllDrives": "true", "includeItemsFromAllDrives": "true"}
GONE = -1  # the version of a file Drive says is gone (deleted, unshared)


@dataclass
class Watch:
    """Drive's latest word: the page token and each spreadsheet's last seen version."""

    token: str | None = None
    seen: dict[str, int] = field(default_factory=dict)
    full_read_at: float = 0.0


@dataclass(frozen=True)
class Versions:
    """What one check found: each spreadsheet's version now (where Drive said), and
    whether this cycle must read everything anyway (the safety net)."""

    seen: dict[str, int]
    full: bool


class DriveWatch:
    """Asks Drive which spreadsheets changed; remembers its page token in the memory's
    folder (`drive.json`) so a restarted bot carries on from it."""

    def __init__(
        self,
        http: PoliteHTTPClient,
        memory: Memory,
        settings: GoogleSettings,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.memory = memory
        self.enabled = settings.read_changed_only
        self.full_every_s = settings.full_read_hours * 3600
        self.now = now
        self.watch: Watch | None = None
        # None: not asked yet; False: the Drive API cannot be used (then `off_reason`).
        self.available: bool | None = None
        self.off_reason = ""

    def _load(self) -> Watch:
        if self.watch is None:
            self.watch = Watch()
            path = self.memory.path("drive.json")
            if path is not None and path.exists():
                try:
                    data = json.loads(path.read_text(encoding="utf-8"))
                    self.watch = Watch(data.get("token"), {k: int(v) for k, v in
                                       data.get("seen", {}).items()},
                                       float(data.get("full_read_at", 0.0)))  # fmt: skip
                except (OSError, ValueError, TypeError, AttributeError) as exc:
                    log.warning("ignoring the damaged Drive watch file %s: %s", path, exc)
        return self.watch

    def _save(self, watch: Watch) -> None:
        path = self.memory.path("drive.json")
        if path is not None:
            body = {"token": watch.token, "seen": watch.seen, "full_read_at": watch.full_read_at}
            write_atomic(path, json.dumps(body), "the bot's memory")

    def check(self, spreadsheets: Sequence[str]) -> Versions | None:
        """The spreadsheets' versions now, or None when Drive cannot tell (then every
        spreadsheet is read). One request in the usual case."""
        if not self.enabled or self.available is False:
            return None
        watch = self._load()
        try:
            if watch.token is None:
                watch.token = self._start_token()  # first: changes after this are listed
                watch.seen = self._all_versions()
            else:
                watch.token = self._changes(watch.token, watch.seen)
        except APIError as exc:
            if exc.response.status_code == 403 and errors.reason_of(exc) in _OFF_REASONS:
                self.available = False
                self.off_reason = errors.message_of(exc)
                log.warning("the Google Drive API cannot be used (%s): every spreadsheet is "
                            "read every cycle", self.off_reason)  # fmt: skip
                return None
            # A page token Drive no longer knows (400/404), or another refusal: read
            # everything this cycle and start the feed afresh next time.
            log.warning("Drive's changes feed failed (%s); reading every spreadsheet",
                        errors.message_of(exc))  # fmt: skip
            watch.token = None
            self._save(watch)
            return None
        except SheetError as exc:  # Drive did not answer after the retries
            log.warning("Drive did not answer (%s); reading every spreadsheet", exc)
            return None
        self.available = True
        full = self.now() - watch.full_read_at >= self.full_every_s
        if full:
            watch.full_read_at = self.now()
        self._save(watch)
        return Versions({s: watch.seen[s] for s in spreadsheets if s in watch.seen}, full)

    def _get(self, url: str, params: dict[str, str]) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.request("get", url, params=params).json()
        return answer

    def _start_token(self) -> str:
        body = self._get(f"{DRIVE}/changes/startPageToken",
                         {"fields": "startPageToken", "supportsAllDrives": "true"})  # fmt: skip
        return str(body["startPageToken"])

    def _all_versions(self) -> dict[str, int]:
        seen: dict[str, int] = {}
        params = {"q": f"mimeType='{SHEETS_MIME}' and trashed=false", "pageSize": "1000",
                  "fields": "nextPageToken,files(id,version)", **_BOTH_DRIVES}  # fmt: skip
        while True:
            body = self._get(f"{DRIVE}/files", params)
            for file in body.get("files", []):
                seen[str(file["id"])] = int(file.get("version", GONE))
            if not body.get("nextPageToken"):
                return seen
            params["pageToken"] = str(body["nextPageToken"])

    def _changes(self, token: str, seen: dict[str, int]) -> str:
        params = {"pageToken": token, "pageSize": "1000", "includeRemoved": "true",
                  "fields": "nextPageToken,newStartPageToken,"
                            "changes(fileId,removed,file(version,trashed))",
                  **_BOTH_DRIVES}  # fmt: skip
        while True:
            body = self._get(f"{DRIVE}/changes", params)
            for change in body.get("changes", []):
                file = change.get("file") or {}
                gone = change.get("removed") or file.get("trashed")
                seen[str(change["fileId"])] = GONE if gone else int(file.get("version", GONE))
            if body.get("newStartPageToken"):
                return str(body["newStartPageToken"])
            params["pageToken"] = str(body["nextPageToken"])
