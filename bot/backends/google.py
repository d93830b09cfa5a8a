"""Google Sheets (via gspread + google-auth): the backend staff actually work in.

Per spreadsheet and cycle: one read (`spreadsheets.get` with a field mask: values,
backgrounds, tab properties, protected ranges and the bot's developer metadata of exactly
the tabs it needs), and writes only when something changed. Only the very first cycle,
before the bot's tabs exist, has to read the tab list first.

People keep editing while the bot works, and the Sheets API has no conditional write. So
(see `google_marks`): the status column is anchored by developer metadata and written by a
DataFilter on it, landing in that column wherever people moved it; highlights (formats at
positions) are sent only after a read just before the write shows that the rows they touch
still hold what was read, and the write's own answer is checked the same way. Where rows
moved, `SheetChanged` tells the cycle to read that spreadsheet again and retry it once.

Bot tabs are rebuilt by `google_tabs` in one atomic batchUpdate (or staged through a
hidden tab when too big); their marks use fixed ids, so a write repeated after its answer
was lost changes nothing or is refused as a whole, never leaving a second copy.

`values:batchGet` is not used for the read because it cannot return cell backgrounds, and
the bot must know which colours are its own to remove only those.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import gspread
import requests
from gspread.exceptions import APIError

from bot.backends import google_errors as errors
from bot.backends.google_grid import TabMeta, grid_of, tab_meta
from bot.backends.google_http import PoliteHTTPClient, RateLimiter, RetryPolicy, encode_json
from bot.backends.google_marks import MarksWrite, TabState, locked, moved_rows, plan_marks
from bot.backends.google_tabs import CELL_WARNING, MAX_CELLS, STAGING, TabWriter, cells_of
from bot.config import Config
from bot.config_load import config_path
from bot.errors import ConfigError, SheetError
from bot.model import ApplyResult, BotTab, Cell, Link, SheetPlan, TabData, TabMarks
from bot.sheets import BotTabState, SheetRead, column_letter, conflict_problem, quote_tab

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
    "developerMetadata(metadataId,metadataKey,metadataValue))"
)
_GRID_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "developerMetadata(metadataId,metadataKey,metadataValue),"
    "protectedRanges(range,requestingUserCanEdit,warningOnly),"
    "conditionalFormats(ranges,booleanRule(condition(values(userEnteredValue)))),"
    "data(startRow,startColumn,columnMetadata(developerMetadata(metadataId,metadataKey)),"
    "rowData(values(effectiveValue,effectiveFormat(numberFormat(type)),"
    "userEnteredFormat(backgroundColor)))))"
)


@dataclass
class GoogleRead:
    """What a read saw of one spreadsheet, kept for its write."""

    tabs: dict[str, TabMeta]
    # (row, column) 1-based -> "error"/"warning" for cells showing one of the bot's colours.
    bot_colours: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    grids: dict[str, list[list[Cell]]] = field(default_factory=dict)
    # Cells a person coloured (not white, not the bot's): never recoloured by the bot.
    person_colours: dict[str, set[tuple[int, int]]] = field(default_factory=dict)

    def tab(self, title: str) -> TabState | None:
        """One read tab's state, None if it was not read."""
        meta, grid = self.tabs.get(title), self.grids.get(title)
        if meta is None or grid is None:
            return None
        return TabState(meta, grid, self.bot_colours.get(title, {}),
                        self.person_colours.get(title, set()))  # fmt: skip

    def take(self, body: dict[str, Any]) -> None:
        """Add what a spreadsheets.get (or a write's answer) returned."""
        for sheet in body.get("sheets", []):
            tab = tab_meta(sheet)
            self.tabs[tab.title] = tab
            if sheet.get("data"):
                grid, colours, person = grid_of(sheet)
                self.grids[tab.title] = grid
                self.bot_colours[tab.title] = colours
                self.person_colours[tab.title] = person


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


class GoogleBackend:
    """Reads and writes the Google spreadsheets named in the config."""

    name = "google"

    def __init__(
        self,
        config: Config,
        *,
        credentials: Any = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
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
        record = re.escape(config.daemon.record_tab).replace(re.escape("{month}"), ".+")
        self._record = re.compile(f"^{record}$")

    def __enter__(self) -> GoogleBackend:
        self.http.start_cycle()  # one cycle's budget for waiting out other clients' quota use
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None

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
        if meta is None:
            # Ask for every expected tab at once; Google refuses the lot (400) only when one
            # is missing, and then the tab list is read first.
            try:
                body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, None))
            except _StaleRanges:
                meta = self.metadata(spreadsheet)
        if body is None:
            assert meta is not None
            try:
                body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, meta))
            except _StaleRanges:
                # A tab was renamed or deleted since the metadata was cached: look again.
                meta = self.metadata(spreadsheet)
                try:
                    body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, meta))
                except _StaleRanges as exc:  # renamed again, right now: next cycle
                    raise errors.renamed(spreadsheet, exc.tab) from None
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
            except _StaleRanges as exc:
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
        return SheetRead(spreadsheet, out, states, state)

    @staticmethod
    def _ranges(
        tabs: Sequence[str], bot_tabs: Sequence[str], meta: dict[str, TabMeta] | None
    ) -> list[str]:
        """Source tabs whole; the bot's own tabs only at A1 (their state, not their cells)."""
        ranges = [quote_tab(t) for t in tabs if meta is None or t in meta]
        for t in bot_tabs:
            if meta is None or (t in meta and meta[t].owned):
                ranges.append(f"{quote_tab(t)}!A1:A1")
            elif t in meta:
                ranges.append(quote_tab(t))  # not the bot's: is it empty?
        return ranges

    def _grid(self, spreadsheet: str, ranges: list[str]) -> dict[str, Any]:
        if not ranges:
            return {"sheets": []}
        params: Any = {"ranges": ranges, "fields": _GRID_FIELDS, "includeGridData": "true"}
        try:
            body: dict[str, Any] = self.client.http_client.spreadsheets_get(
                spreadsheet, params=params
            )
        except APIError as exc:
            if exc.response.status_code == 400 and "parse range" in str(exc):
                raise _StaleRanges(errors.message_of(exc)) from None
            raise errors.explain(spreadsheet, exc, self.who, writing=False) from None
        return body

    # -- writing ---------------------------------------------------------------------------

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        """Write a plan: the district tabs' marks safely (see the module's docstring), the
        bot's tabs in atomic batches; nothing at all when nothing changed."""
        try:
            return self._apply(plan, read)
        except SheetError:
            # What the bot knew of the tabs may be wrong now (a write applied after all,
            # tabs renamed): the next read looks at everything again.
            self._meta.pop(plan.spreadsheet, None)
            raise

    def _apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        sheet = plan.spreadsheet
        result = ApplyResult(sheet, written=False)
        state = read.version if read is not None else None
        if not isinstance(state, GoogleRead):
            state = GoogleRead(tabs=dict(self._meta.get(sheet) or self.metadata(sheet)))
        tabs = list(plan.tabs)
        archived = [t for t in tabs if self.config.google.archive and self._record.match(t.name)]
        if archived:
            tabs = [t for t in tabs if t not in archived]
            result.written |= self._write_archive(archived)
        marks = self._checked_marks(sheet, plan.marks, state)
        groups = [w.requests for _, w, _ in marks if w.requests]
        tab_groups, staged = self._bot_tab_requests(sheet, tabs, state, result, state.tabs)
        if staged:
            # A staged write adds tabs: its ids must not clash with any tab, and a ranged
            # read does not list them all. The full tab list also shows the staging tabs a
            # crash left behind, which this write removes.
            full = self.metadata(sheet)
            result.conflicts.clear()
            tab_groups, staged = self._bot_tab_requests(sheet, tabs, state, result, full)
            leftovers = [m.sheet_id for t, m in full.items() if STAGING.search(t)]
            if leftovers:
                groups.append([{"deleteSheet": {"sheetId": i}} for i in leftovers])
        batches = self._pack(groups + tab_groups) + staged
        values = [w.values for _, w, _ in marks if w.values is not None]
        if not batches and not values:
            return result
        if batches:
            self._check_cells(sheet, batches, state)
            # Ask for the district tabs written (to check again that their rows did not
            # move) and the bot's tabs (their ids and metadata, for the cache) back.
            shown = [quote_tab(m.tab) for m, _, _ in marks]
            shown += [f"{quote_tab(t.name)}!A1:A1" for t in tabs
                      if t.name not in {p.tab for p in result.conflicts}]  # fmt: skip
            answer = self._send(sheet, batches, shown)
            result.written = True
            self._recheck(sheet, marks, answer)
        if values:
            self._write_statuses(sheet, values)
            result.written = True
        return result

    def _checked_marks(
        self, sheet: str, plan: list[TabMarks], state: GoogleRead
    ) -> list[tuple[TabMarks, MarksWrite, TabState]]:
        """The district tabs' writes, planned on a read made just now and safe on it."""
        drafts = []
        for marks in plan:
            before = state.tab(marks.tab)
            if before is not None and not plan_marks(marks, before).empty:
                drafts.append((marks, before))
        if not drafts:
            return []
        fresh = GoogleRead(tabs={})
        try:
            fresh.take(self._grid(sheet, [quote_tab(m.tab) for m, _ in drafts]))
        except _StaleRanges as exc:
            raise errors.renamed(sheet, exc.tab) from None
        out = []
        for marks, before in drafts:
            now = fresh.tab(marks.tab)
            if now is None:
                raise errors.renamed(sheet, marks.tab)
            write = plan_marks(marks, now)
            why = moved_rows(marks, write, before, now)
            if why:
                raise errors.changed(sheet, why)
            if locked(write, now.meta):
                raise errors.protected(sheet, self.who, marks.tab)
            state.tabs[marks.tab] = now.meta
            out.append((marks, write, now))
        return out

    def _recheck(
        self,
        sheet: str,
        marks: list[tuple[TabMarks, MarksWrite, TabState]],
        answer: dict[str, Any],
    ) -> None:
        """After the batch: the rows its highlights touched must still be where they were,
        or the statuses would follow them onto the wrong rows."""
        after = GoogleRead(tabs={})
        after.take(answer)
        for tab_marks, write, before in marks:
            now = after.tab(tab_marks.tab)
            if now is None:
                raise errors.renamed(sheet, tab_marks.tab)
            if dict(now.meta.anchors).get(write.anchor) != tab_marks.column:
                raise errors.changed(sheet, f"the status column of {tab_marks.tab} moved")
            write.new_anchor = False  # it exists now: the check below looks for it
            why = moved_rows(tab_marks, write, before, now)
            if why:
                raise errors.changed(sheet, why)

    def _write_statuses(self, sheet: str, data: list[dict[str, Any]]) -> None:
        """Write the status columns through their anchors (one request for all tabs)."""
        body = {"valueInputOption": "RAW", "data": data}
        url = f"{SHEETS_API}/{sheet}/values:batchUpdateByDataFilter"
        answer: dict[str, Any] = self._call(
            sheet, lambda: self.http.request("post", url, json=body).json(), writing=True
        )
        if any("updatedRange" not in r for r in answer.get("responses", [])):
            # Its anchor matched nothing: the status column was deleted a moment ago.
            raise errors.changed(sheet, "a status column was deleted while the bot wrote")

    def _pack(self, groups: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
        """Request groups packed into as few batches as the size limit allows."""
        limit = self.config.google.max_request_bytes
        chunks: list[list[dict[str, Any]]] = []
        size = limit
        for group in groups:
            group_size = len(encode_json({"requests": group}))
            if size + group_size > limit:
                chunks.append([])
                size = 0
            chunks[-1].extend(group)  # a tab's requests always travel together
            size += group_size
        return chunks

    def _send(
        self, spreadsheet: str, chunks: list[list[dict[str, Any]]], response_ranges: list[str]
    ) -> dict[str, Any]:
        """Send the batches in order; the last one brings back the tabs in `response_ranges`."""
        merged: dict[str, Any] = {"sheets": []}
        for n, chunk in enumerate(chunks):
            body: dict[str, Any] = {"requests": chunk, "includeSpreadsheetInResponse": True}
            if n == len(chunks) - 1 and response_ranges:
                body["responseRanges"] = response_ranges
                body["responseIncludeGridData"] = True
            reply = self._batch(spreadsheet, body)
            merged = reply.get("updatedSpreadsheet", merged)
            sizes = self._sizes.get(spreadsheet)
            if sizes is not None:
                self._sizes[spreadsheet] = cells_of(chunk, sizes)
        tabs = {}
        for sheet in merged.get("sheets", []):
            meta = tab_meta(sheet)
            tabs[meta.title] = meta
        if tabs:
            self._meta[spreadsheet] = {**self._meta.get(spreadsheet, {}), **tabs}
        return merged

    def _batch(self, spreadsheet: str, body: dict[str, Any]) -> dict[str, Any]:
        def send() -> dict[str, Any]:
            reply: dict[str, Any] = self.client.http_client.batch_update(spreadsheet, body)
            return reply

        result: dict[str, Any] = self._call(spreadsheet, send, writing=True)
        return result

    def _check_cells(
        self, sheet: str, batches: list[list[dict[str, Any]]], state: GoogleRead
    ) -> None:
        """Refuse a write that would take the spreadsheet past 90% of Google's 10 million
        cells (each monthly record tab adds a national tab's worth)."""
        grows = any("addSheet" in r or "duplicateSheet" in r or "appendDimension" in r
                    or "updateSheetProperties" in r for b in batches for r in b)  # fmt: skip
        if not grows:
            return
        if sheet not in self._sizes:
            self.metadata(sheet)
        sizes = dict(self._sizes[sheet])
        for meta in state.tabs.values():
            sizes.setdefault(meta.sheet_id, meta.rows * meta.columns)
        peak = sum(sizes.values())
        for request in (r for batch in batches for r in batch):
            sizes = cells_of([request], sizes)
            peak = max(peak, sum(sizes.values()))
        if peak > CELL_WARNING * MAX_CELLS:
            move = (
                "ย้ายแท็บบันทึกประจำเดือนไปไว้ในสเปรดชีตอื่นแล้วระบุไว้ที่ google.archive "
                "ในไฟล์ตั้งค่า หรือลบแท็บที่ไม่ใช้แล้ว"
            )
            raise SheetError(
                f"สเปรดชีตนี้จะมีเซลล์ {peak:,} เซลล์ เกิน 90% ของขีดจำกัด 10 ล้านเซลล์ของ Google บอทจึงไม่บันทึก "
                f"กรุณา{move} (this write would take spreadsheet {sheet} to {peak:,} cells, past "
                f"90% of Google's limit of {MAX_CELLS:,}; move the monthly record tabs to "
                "another spreadsheet and name it under google.archive in the config, or "
                "delete tabs no longer needed)"
            )

    def _bot_tab_requests(
        self,
        sheet: str,
        tabs: list[BotTab],
        state: GoogleRead,
        result: ApplyResult,
        known: dict[str, TabMeta],
    ) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
        """The requests that rewrite the plan's bot tabs: those that fit one request each,
        and the staged sequence of those too big for one; `known` are the ids in use."""
        taken = {m.sheet_id for m in known.values()}
        groups: list[list[dict[str, Any]]] = []
        staged: list[list[dict[str, Any]]] = []
        for tab in tabs:
            meta = state.tabs.get(tab.name)
            if meta is not None and not meta.owned and state.grids.get(tab.name):
                result.conflicts.append(conflict_problem(sheet, tab.name))
                continue
            batches = self.tabs.batches(tab, meta, taken)
            if len(batches) == 1:
                groups.append(batches[0])
            else:
                staged += batches  # a big tab: its own sequence of requests
        return groups, staged

    def _write_archive(self, tabs: list[BotTab]) -> bool:
        """Write monthly record tabs into the archive spreadsheet; one made is never
        rewritten. Returns whether anything was written."""
        archive = self.config.google.archive
        assert archive is not None
        known = self.metadata(archive)
        taken = {m.sheet_id for m in known.values()}
        batches = []
        for tab in tabs:
            if tab.name not in known:
                batches += self.tabs.batches(tab, None, taken)
        if not batches:
            return False
        self._check_cells(archive, batches, GoogleRead(tabs=known))
        self._send(archive, batches, [])
        return True

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


class _StaleRanges(Exception):
    """A range named a tab that no longer exists."""

    @property
    def tab(self) -> str:
        """The tab Google could not find (from its message)."""
        text = str(self).split("parse range:", 1)[-1].strip()
        return text.rsplit("!", 1)[0].strip("'").replace("''", "'") if "!" in text else (
            text.strip("'").replace("''", "'"))  # fmt: skip
