"""Google Sheets (via gspread + google-auth): the backend staff actually work in.

A cycle first asks Drive which spreadsheets changed (`google_drive`, one request for all);
a spreadsheet nobody changed since the bot last read it is evaluated from that read
(`unchanged`), kept in memory and in a folder (`google_memory`). A spreadsheet that changed
is read with one `spreadsheets.get` with a field mask (values, backgrounds, tab properties,
protected ranges and the bot's developer metadata of exactly the tabs it needs); only the
very first cycle, before the bot's tabs exist, has to read the tab list first. When people
changed a spreadsheet, what the bot remembers writing in its tabs there cannot be trusted
(a sort or typing leaves the bot's digest as it was): the same read brings those tabs'
rows too, and the write computes its difference from them (`google_write`). A tab too long
for that (the national tab) is read back in a request of its own, only when it is due a
difference.

Writing is `google_write`: the status column anchored by developer metadata and written
by a DataFilter on it, highlights as the bot's conditional format rules, bot tabs changed
row by row (`google_rows`, `google_tabs`), one atomic batchUpdate per spreadsheet. Where
people moved rows under the write, `SheetChanged` tells the cycle to read that spreadsheet
again and retry it once. The bot's marks use fixed ids, so a write repeated after its
answer was lost changes nothing or is refused as a whole, never leaving a second copy.

`values:batchGet` is not used for the read because it cannot return cell backgrounds, and
the bot must know which colours are its own to remove only those.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import gspread
import requests
from gspread.exceptions import APIError

from bot.backends import google_errors as errors
from bot.backends.google_drive import DriveWatch
from bot.backends.google_grid import GRID_AND_BOT_FIELDS, GRID_FIELDS, TabMeta, tab_meta
from bot.backends.google_http import PoliteHTTPClient, RateLimiter, RetryPolicy
from bot.backends.google_marks import GoogleRead
from bot.backends.google_memory import Memory
from bot.backends.google_rows import TabRead, content_hashes, hashes_of_rows
from bot.backends.google_tabs import TabWriter
from bot.backends.google_write import (
    READ_BACK_ROWS,
    GoogleWriting,
    remember_read,
    remembered_shape,
)
from bot.config import Config
from bot.config_load import config_path
from bot.errors import ConfigError
from bot.model import Link, TabData
from bot.sheets import BotTabState, SheetRead, column_letter, quote_tab

log = logging.getLogger(__name__)

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    # Only to ask Drive whether the bot may edit a file (doctor), never to change one.
    "https://www.googleapis.com/auth/drive.metadata.readonly",
)
# `provision` makes spreadsheets in a Drive folder and shares them: all of Drive.
PROVISION_SCOPES = ("https://www.googleapis.com/auth/spreadsheets",
                    "https://www.googleapis.com/auth/drive")  # fmt: skip
SHEETS_API = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_API = "https://www.googleapis.com/drive/v3/files"
_META_FIELDS = (
    "properties.title,"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "developerMetadata(metadataId,metadataKey,metadataValue),charts(chartId),"
    "conditionalFormats(booleanRule(condition(type),format(backgroundColor))))"
)


def load_credentials(config: Config, scopes: tuple[str, ...] = SCOPES) -> Any:
    """Credentials from the service-account key (or authorized-user file) in the config."""
    from google.oauth2 import credentials as user_credentials  # noqa: PLC0415
    from google.oauth2 import service_account  # noqa: PLC0415

    g = config.google
    name = g.authorized_user or g.credentials or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if not name:
        raise ConfigError(
            "google.credentials: give the path of the service account's JSON key "
            "(README: 'Google Sheets') or set GOOGLE_APPLICATION_CREDENTIALS"
        )
    path = config_path(config, name)
    try:
        if g.authorized_user:
            user = user_credentials.Credentials.from_authorized_user_file
            return user(str(path))  # type: ignore[no-untyped-call]
        account = service_account.Credentials.from_service_account_file
        return account(str(path), scopes=scopes)  # type: ignore[no-untyped-call]
    except FileNotFoundError:
        raise ConfigError(f"{path}: credentials file not found; check google.credentials") from None
    except (ValueError, KeyError, json.JSONDecodeError) as exc:
        raise ConfigError(
            f"{path}: not a valid Google credentials file ({exc}); download the JSON key "
            "of the service account again"
        ) from None


class GoogleBackend(GoogleWriting):
    """Reads and writes the Google spreadsheets named in the config.

    ``memory``: a folder where the backend keeps what it knows of each spreadsheet across
    restarts (`open_backend` gives the read cache's folder); without one it keeps it for
    the object's life, as the daemon keeps one backend."""

    name = "google"

    def __init__(
        self,
        config: Config,
        *,
        credentials: Any = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        memory: Path | None = None,
        now: Callable[[], float] = time.time,
        provision: bool = False,
    ) -> None:
        self.config = config
        if session is None and credentials is None:
            credentials = load_credentials(config, PROVISION_SCOPES if provision else SCOPES)
        self.account = getattr(credentials, "service_account_email", None)
        self.client = gspread.Client(
            auth=credentials, session=session, http_client=PoliteHTTPClient
        )
        http = self.client.http_client
        assert isinstance(http, PoliteHTTPClient)
        g = config.google
        http.configure(
            policy=RetryPolicy(max_retries=g.max_retries, max_backoff_s=g.max_backoff_s),
            read_limiter=RateLimiter(
                min(g.read_quota_per_minute, g.project_quota_per_minute), clock, sleep
            ),
            write_limiter=RateLimiter(
                min(g.write_quota_per_minute, g.project_quota_per_minute), clock, sleep
            ),
            timeout_s=g.timeout_s,
            sleep=sleep,
            clock=clock,
            quota_wait_s=g.quota_wait_s,
        )
        self.http = http
        # Google compresses answers only for clients that say "gzip" in their User-Agent.
        http.session.headers["User-Agent"] = "softpower-bot (gzip)"
        self._meta: dict[str, dict[str, TabMeta]] = {}
        # Every tab's cell count by tab id, once the full tab list was read (cell limit).
        self._sizes: dict[str, dict[int, int]] = {}
        self.tabs = TabWriter(g.max_request_bytes, self.link)
        # Monthly records and quarter-end snapshots: frozen copies, made by a server-side
        # copy of the tab they freeze (see `google_write`).
        record = re.escape(config.daemon.record_tab).replace(re.escape("{month}"), ".+")
        quarter = re.escape(config.daemon.quarter_tab)
        for field in ("{tab}", "{quarter}"):
            quarter = quarter.replace(re.escape(field), ".+")
        self._record = re.compile(f"^(?:{record}|{quarter})$")
        self.memory = Memory(memory)
        self.drive = DriveWatch(http, self.memory, g, now)
        self._kept: set[str] = set()  # spreadsheets this cycle evaluates from memory
        self._read_at: dict[str, float] = {}  # when each was last read (monotonic)
        self._writes: Counter[str] = Counter()  # write requests made, per spreadsheet
        self._unsure: set[str] = set()  # a write there may or may not have happened
        self._seen: dict[str, int] = {}  # Drive's versions at this cycle's check
        # Spreadsheets nobody but the bot changed since its last write there (Drive's
        # version says): only in those are its bot tabs what it remembers writing.
        self._untouched: set[str] = set()
        self._fresh: dict[str, dict[str, TabRead]] = {}

    def __enter__(self) -> GoogleBackend:
        self.http.start_cycle()  # one cycle's budget for waiting out other clients' quota use
        self._kept.clear()
        self._fresh.clear()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.memory.save()  # what this cycle read, for a restarted bot

    def location(self, spreadsheet: str) -> str:
        """The spreadsheet's address in a browser."""
        return f"https://docs.google.com/spreadsheets/d/{spreadsheet}/edit"

    def busy(self, spreadsheet: str) -> str | None:
        """Google Sheets take writes while people edit: never busy."""
        return None

    @property
    def who(self) -> str:
        """Whom to share spreadsheets with, as the admin should read it."""
        return self.account or "the bot's Google account"

    def _call(self, spreadsheet: str, what: Callable[[], Any], *, writing: bool = False) -> Any:
        try:
            return what()
        except APIError as exc:
            message = errors.message_of(exc)
            if (writing and self.http.last_ambiguous and exc.response.status_code == 400
                    and errors.PROTECTED not in message):  # fmt: skip
                # The same write was sent before and its answer lost: it was probably
                # carried out, and repeating it was refused as a whole. Look again.
                raise errors.changed(
                    spreadsheet, f"a write whose answer was lost was already applied: {message}"
                ) from None
            raise errors.explain(spreadsheet, exc, self.who, writing=writing) from None

    # -- reading ---------------------------------------------------------------------------

    def metadata(self, spreadsheet: str) -> dict[str, TabMeta]:
        """Tab properties and the bot's developer metadata (one read), cached."""
        body = self._call(
            spreadsheet,
            lambda: self.client.http_client.spreadsheets_get(
                spreadsheet, params={"fields": _META_FIELDS}
            ),
        )
        tabs = {m.title: m for m in (tab_meta(s) for s in body.get("sheets", []))}
        self._meta[spreadsheet] = tabs
        self._sizes[spreadsheet] = {m.sheet_id: m.rows * m.columns for m in tabs.values()}
        return tabs

    def tab_names(self, spreadsheet: str) -> list[str]:
        """Every tab's name in the spreadsheet, in its order (one read; "did you mean")."""
        tabs = self.metadata(spreadsheet)
        return [t.title for t in sorted(tabs.values(), key=lambda m: m.index)]

    def read(self, spreadsheet: str, tabs: Sequence[str], bot_tabs: Sequence[str]) -> SheetRead:
        """One read of the source tabs' cells and the bot tabs' state."""
        meta = self._meta.get(spreadsheet)
        if meta is not None and any(t not in meta for t in tabs):
            meta = None  # a missing district tab may have been made since: look again
        body: dict[str, Any] | None = None
        rows: dict[str, TabMeta] = {}
        if meta is None:
            # Ask for every expected tab at once; Google refuses the lot (400) only when one
            # is missing, and then the tab list is read first.
            rows = self._with_rows(spreadsheet, bot_tabs, None)
            try:
                body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, None, rows),
                                  bot_rows=bool(rows))  # fmt: skip
            except errors.StaleRanges:
                rows = {}
                meta = self.metadata(spreadsheet)
        if body is None:
            assert meta is not None
            rows = self._with_rows(spreadsheet, bot_tabs, meta)
            try:
                body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, meta, rows),
                                  bot_rows=bool(rows))  # fmt: skip
            except errors.StaleRanges:
                # A tab was renamed or deleted since the metadata was cached: look again.
                rows = {}
                meta = self.metadata(spreadsheet)
                try:
                    body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, meta))
                except errors.StaleRanges as exc:  # renamed again, right now: next cycle
                    raise errors.renamed(spreadsheet, exc.tab) from None
        fresh = self._take_rows(body, rows)
        state = GoogleRead(tabs=dict(meta or {}))
        state.take(body)
        # A tab with the bot's name that the bot does not own was only peeked at (A1): read
        # it whole before calling it empty, or a person's data below A1 could be claimed.
        peeked = [
            t for t in bot_tabs
            if t in state.tabs and not state.tabs[t].owned and not state.grids.get(t)
        ]  # fmt: skip
        if peeked and meta is None:
            try:
                state.take(self._grid(spreadsheet, [quote_tab(t) for t in peeked]))
            except errors.StaleRanges as exc:
                raise errors.renamed(spreadsheet, exc.tab) from None
        self._meta[spreadsheet] = dict(state.tabs)
        out = {
            t: TabData(spreadsheet, t, state.grids.get(t) if t in state.tabs else None)
            for t in tabs
        }
        states: dict[str, BotTabState] = {}
        for t in bot_tabs:
            found = state.tabs.get(t)
            if found is None:
                states[t] = BotTabState.ABSENT
            elif found.owned:
                states[t] = BotTabState.OWNED
            else:
                states[t] = BotTabState.FOREIGN if state.grids.get(t) else BotTabState.EMPTY
        read = SheetRead(spreadsheet, out, states, state, token=os.urandom(8).hex())
        # Remembered from the version Drive reported before this read: a change made
        # meanwhile shows as a newer version next time, and the spreadsheet is read again.
        remember_read(self.memory.get(spreadsheet), read, self._seen.get(spreadsheet))
        self._kept.discard(spreadsheet)
        self._read_at[spreadsheet] = time.monotonic()
        self._fresh[spreadsheet] = fresh
        return read

    def _with_rows(
        self, sheet: str, bot_tabs: Sequence[str], meta: dict[str, TabMeta] | None
    ) -> dict[str, TabMeta]:
        """The bot tabs whose rows a read of ``sheet`` should bring: Drive says someone
        else changed the spreadsheet, so what the bot remembers writing there (digest, id
        and all as it left them) is no longer to be trusted, and their rows are needed if
        the plan has a difference for them. Bringing them in this read saves a request of
        their own before the write; the cost is the read's field mask, which covers the
        source tabs' cells too (one mask a request).

        A tab longer than `READ_BACK_ROWS` rows (the national tab: ~30,000) is left to its
        own read back: it would be pulled whole into every read of its spreadsheet, though
        most cycles that read it leave it unchanged, and held in memory at once."""
        if sheet in self._untouched or sheet not in self._seen:
            return {}  # vouched for by Drive, or Drive cannot tell (read back when needed)
        memory = self.memory.get(sheet)
        if meta is None:  # a restarted bot: the tabs as its last read and writes left them
            last = memory.read.version if memory.read is not None else None
            meta = last.tabs if isinstance(last, GoogleRead) else {}
        out = {}
        for t in bot_tabs:
            found = meta.get(t)
            if found is None or not found.owned or found.rows > READ_BACK_ROWS:
                continue
            if remembered_shape(memory, found) is not None:
                out[t] = found
        return out

    @staticmethod
    def _take_rows(body: dict[str, Any], asked: dict[str, TabMeta]) -> dict[str, TabRead]:
        """The rows of the bot tabs ``asked`` for, as fingerprints, where the read found the
        tab as asked (same id and width, no rows added below); their cells are then cut
        from ``body`` down to A1, as a read of only their state brings."""
        out = {}
        for sheet in body.get("sheets", []):
            props = sheet.get("properties") or {}
            meta = asked.get(str(props.get("title")))
            if meta is None:
                continue
            grid = props.get("gridProperties") or {}
            blocks = sheet.get("data") or [{}]
            rows = blocks[0].get("rowData") or []
            if (int(props.get("sheetId", -1)) == meta.sheet_id and len(blocks) == 1
                    and int(grid.get("rowCount", 0)) <= meta.rows
                    and int(grid.get("columnCount", 0)) == meta.columns
                    and not blocks[0].get("startRow")):  # fmt: skip
                hashes = content_hashes(hashes_of_rows(rows, meta.columns), meta.columns)
                out[meta.title] = TabRead(meta.sheet_id, meta.columns, hashes)
            if rows:
                blocks[0]["rowData"] = [{"values": (rows[0].get("values") or [])[:1]}]
        return out

    def unchanged(
        self, wanted: Mapping[str, Sequence[str]], bot_tabs: Mapping[str, Sequence[str]]
    ) -> dict[str, SheetRead]:
        """The spreadsheets nobody changed since the bot last read them (Drive's versions,
        one request for all), each with that read: the cycle evaluates them without
        reading. Empty when Drive cannot tell, or on a cycle that reads everything anyway
        (every `google.full_read_hours`)."""
        sheets = list(dict.fromkeys([*wanted, *bot_tabs]))
        versions = self.drive.check(sheets)
        self._seen = dict(versions.seen) if versions is not None else {}
        self._untouched.clear()
        kept: dict[str, SheetRead] = {}
        for sheet in sheets:
            memory = self.memory.get(sheet)
            now = self._seen.get(sheet)
            if memory.pending is not None:
                before, made = memory.pending
                # Only the bot's own writes since its read: what it knows is current.
                memory.version = before + made if now == before + made else before
                memory.pending, memory.dirty = None, True
            if now is not None and memory.version == now:
                self._untouched.add(sheet)
            read = memory.read
            if (versions is None or versions.full or read is None or now is None
                    or memory.version != now):  # fmt: skip
                continue
            found = self._kept_read(sheet, read, wanted.get(sheet, []), bot_tabs.get(sheet, []))
            if found is not None:
                kept[sheet] = found
        self._kept = set(kept)
        self.memory.save()
        return kept

    def _kept_read(
        self, sheet: str, read: SheetRead, tabs: Sequence[str], bot_tabs: Sequence[str]
    ) -> SheetRead | None:
        """The last read of ``sheet`` for these tabs, or None if it did not cover them."""
        state = read.version
        if not isinstance(state, GoogleRead) or any(t not in read.tabs for t in tabs):
            return None
        states: dict[str, BotTabState] = {}
        for t in bot_tabs:
            meta = state.tabs.get(t)
            if t in read.bot_tabs and (meta is None) == (read.bot_tabs[t] is BotTabState.ABSENT):
                states[t] = read.bot_tabs[t]
            elif meta is None:
                states[t] = BotTabState.ABSENT  # made by the write, which checks first
            elif meta.owned:
                states[t] = BotTabState.OWNED
            else:
                return None  # a person's tab of that name, not read: read it
        self._meta[sheet] = {**state.tabs, **self._meta.get(sheet, {})}
        return SheetRead(sheet, {t: read.tabs[t] for t in tabs}, states, state, token=read.token)

    @staticmethod
    def _ranges(
        tabs: Sequence[str],
        bot_tabs: Sequence[str],
        meta: dict[str, TabMeta] | None,
        rows: Mapping[str, TabMeta] | None = None,
    ) -> list[str]:
        """Source tabs whole; the bot's own tabs only at A1 (their state, not their cells),
        but those in ``rows`` whole."""
        ranges = [quote_tab(t) for t in tabs if meta is None or t in meta]
        for t in bot_tabs:
            if rows and t in rows:
                m = rows[t]
                ranges.append(f"{quote_tab(t)}!A1:{column_letter(max(1, m.columns))}"
                              f"{max(1, m.rows)}")  # fmt: skip
            elif meta is None or (t in meta and meta[t].owned):
                ranges.append(f"{quote_tab(t)}!A1:A1")
            elif t in meta:
                ranges.append(quote_tab(t))  # not the bot's: is it empty?
        return ranges

    def _grid(
        self, spreadsheet: str, ranges: list[str], *, bot_rows: bool = False
    ) -> dict[str, Any]:
        if not ranges:
            return {"sheets": []}
        fields = GRID_AND_BOT_FIELDS if bot_rows else GRID_FIELDS
        params: Any = {"ranges": ranges, "fields": fields, "includeGridData": "true"}
        try:
            body: dict[str, Any] = self.client.http_client.spreadsheets_get(
                spreadsheet, params=params
            )
        except APIError as exc:
            if exc.response.status_code == 400 and "parse range" in str(exc):
                raise errors.StaleRanges(errors.message_of(exc)) from None
            raise errors.explain(spreadsheet, exc, self.who, writing=False) from None
        return body

    # -- rights, links -----------------------------------------------------------------------

    def can_edit(self, spreadsheet: str) -> bool | None:
        """Whether the bot may edit the file, asked of Drive without writing anything;
        None when Drive cannot tell (its API is off in the project)."""
        url = f"{DRIVE_API}/{spreadsheet}"
        params = {"fields": "capabilities(canEdit)", "supportsAllDrives": "true"}
        try:
            answer = self.http.request("get", url, params=params).json()
        except APIError as exc:
            if exc.response.status_code == 403 and errors.reason_of(exc) in (
                "SERVICE_DISABLED", "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions",
            ):  # fmt: skip
                return None
            raise errors.explain(spreadsheet, exc, self.who, writing=False) from None
        return bool(answer.get("capabilities", {}).get("canEdit"))

    def link(self, link: Link) -> str:
        """A browser link to one cell."""
        meta = self._meta.get(link.spreadsheet, {}).get(link.tab)
        gid = f"gid={meta.sheet_id}&" if meta else ""
        return (
            f"{self.location(link.spreadsheet)}#{gid}range={column_letter(link.column)}{link.row}"
        )
