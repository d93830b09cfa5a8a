"""Google Sheets (via gspread + google-auth): the backend staff actually work in.

Per spreadsheet and cycle: one read (`spreadsheets.get` with a field mask: values,
backgrounds, tab properties and the bot's developer metadata of exactly the tabs it needs)
and at most one write (`spreadsheets.batchUpdate`, which Google applies atomically), none
when nothing changed. Only the very first cycle, before the bot's tabs exist, has to read
the tab list first. A bot tab too big for one request is filled into a hidden staging tab
in parts and swapped in by one atomic request.

`values:batchGet` is not used for the read because it cannot return cell backgrounds, and
the bot must know which colours are its own to remove only those.

The Sheets API has no conditional write, so a person can insert or delete rows between the
bot's read and its write. Every write therefore asks for the stamped tabs back in its
response; a status that no longer sits next to the row it was computed from is cleared at
once (one more write), and the next cycle computes it again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import gspread
import requests
from gspread.exceptions import APIError

from bot import thai
from bot.backends.google_grid import COLOURS, TabMeta, cell_at, grid_of, tab_meta
from bot.backends.google_http import PoliteHTTPClient, RateLimiter, RetryPolicy, encode_json
from bot.config import Config
from bot.config_load import config_path
from bot.errors import ConfigError, SheetError
from bot.form import fingerprint
from bot.model import (
    ApplyResult,
    BotTab,
    Cell,
    Link,
    LinkedText,
    OutCell,
    SheetPlan,
    TabData,
    TabMarks,
)
from bot.sheets import (
    OWNER_MARK,
    BotTabState,
    SheetRead,
    column_letter,
    conflict_problem,
    quote_tab,
)

log = logging.getLogger(__name__)

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
DIGEST_KEY = "softpower-bot.digest"
_HEADER_COLOUR = {"red": 0.867, "green": 0.922, "blue": 0.969}
_META_FIELDS = (
    "properties.title,"
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "developerMetadata(metadataId,metadataKey,metadataValue))"
)
_GRID_FIELDS = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount)),"
    "developerMetadata(metadataId,metadataKey,metadataValue),"
    "data(startRow,startColumn,rowData(values(effectiveValue,"
    "effectiveFormat(numberFormat(type)),userEnteredFormat(backgroundColor)))))"
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


def load_credentials(config: Config) -> Any:
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
            return user(str(path), SCOPES)  # type: ignore[no-untyped-call]
        account = service_account.Credentials.from_service_account_file
        return account(str(path), scopes=SCOPES)  # type: ignore[no-untyped-call]
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
    ) -> None:
        self.config = config
        if session is None and credentials is None:
            credentials = load_credentials(config)
        self.account = getattr(credentials, "service_account_email", None)
        self.client = gspread.Client(
            auth=credentials, session=session, http_client=PoliteHTTPClient
        )
        http = self.client.http_client
        assert isinstance(http, PoliteHTTPClient)
        g = config.google
        http.configure(
            policy=RetryPolicy(max_retries=g.max_retries, max_backoff_s=g.max_backoff_s),
            read_limiter=RateLimiter(g.read_quota_per_minute, clock, sleep),
            write_limiter=RateLimiter(g.write_quota_per_minute, clock, sleep),
            timeout_s=g.timeout_s,
            sleep=sleep,
        )
        self.http = http
        # Google compresses answers only for clients that say "gzip" in their User-Agent.
        http.session.headers["User-Agent"] = "softpower-bot (gzip)"
        self._meta: dict[str, dict[str, TabMeta]] = {}

    def __enter__(self) -> GoogleBackend:
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

    # -- reading ---------------------------------------------------------------------------

    def _call(self, spreadsheet: str, what: Callable[[], Any]) -> Any:
        try:
            return what()
        except APIError as exc:
            raise self._explain(spreadsheet, exc) from None

    def _explain(self, spreadsheet: str, exc: APIError) -> SheetError:
        code = exc.response.status_code
        if code == 404:
            return SheetError(
                f"spreadsheet {spreadsheet} not found; check its key or url in the config"
            )
        if code == 403:
            who = self.account or "the bot's Google account"
            return SheetError(
                f"spreadsheet {spreadsheet} is not shared with the bot; share it with {who} "
                "as Editor"
            )
        return SheetError(f"spreadsheet {spreadsheet}: Google answered {code}: {exc}")

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
        return tabs

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
                body = self._grid(spreadsheet, self._ranges(tabs, bot_tabs, meta))
        state = GoogleRead(tabs=dict(meta or {}))
        self._take(state, body)
        # A tab with the bot's name that the bot does not own was only peeked at (A1): read
        # it whole before calling it empty, or a person's data below A1 could be claimed.
        peeked = [
            t for t in bot_tabs
            if t in state.tabs and not state.tabs[t].owned and not state.grids.get(t)
        ]  # fmt: skip
        if peeked and meta is None:
            self._take(state, self._grid(spreadsheet, [quote_tab(t) for t in peeked]))
        self._meta[spreadsheet] = dict(state.tabs)
        out = {
            t: TabData(spreadsheet, t, state.grids.get(t) if t in state.tabs else None)
            for t in tabs
        }
        states: dict[str, BotTabState] = {}
        for t in bot_tabs:
            tab_meta = state.tabs.get(t)
            if tab_meta is None:
                states[t] = BotTabState.ABSENT
            elif tab_meta.owned:
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

    @staticmethod
    def _take(state: GoogleRead, body: dict[str, Any]) -> None:
        for sheet in body.get("sheets", []):
            tab = tab_meta(sheet)
            state.tabs[tab.title] = tab
            grid, colours, person = grid_of(sheet)
            state.grids[tab.title] = grid
            state.bot_colours[tab.title] = colours
            state.person_colours[tab.title] = person

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
                raise _StaleRanges from None
            raise self._explain(spreadsheet, exc) from None
        return body

    # -- writing ---------------------------------------------------------------------------

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        """Write a plan in one atomic batchUpdate (chunked only above the size limit)."""
        result = ApplyResult(plan.spreadsheet, written=False)
        state = read.version if read is not None else None
        if not isinstance(state, GoogleRead):
            state = GoogleRead(
                tabs=dict(self._meta.get(plan.spreadsheet) or self.metadata(plan.spreadsheet))
            )
        groups: list[list[dict[str, Any]]] = []
        stamped: list[TabMarks] = []
        for marks in plan.marks:
            requests_ = self._marks_requests(marks, state)
            if requests_:
                groups.append(requests_)
                stamped.append(marks)
        tab_groups, staged = self._bot_tab_requests(plan, state, result, state.tabs)
        if staged:
            # A staged write adds tabs: its ids must not clash with any tab, and a ranged
            # read does not list them all. The full tab list also shows the staging tabs a
            # crash left behind, which this write removes.
            full = self.metadata(plan.spreadsheet)
            result.conflicts.clear()
            tab_groups, staged = self._bot_tab_requests(plan, state, result, full)
            leftovers = [m.sheet_id for t, m in full.items() if _STAGING.search(t)]
            if leftovers:
                groups.append([{"deleteSheet": {"sheetId": i}} for i in leftovers])
        groups += tab_groups
        if not groups and not staged:
            return result
        # Ask for the stamped tabs (to check rows did not move) and the bot's tabs (their
        # new ids and metadata, for the cache) in the write's own response.
        shown = [quote_tab(m.tab) for m in stamped]
        shown += [f"{quote_tab(t.name)}!A1:A1" for t in plan.tabs if t.name not in {
            p.tab for p in result.conflicts}]  # fmt: skip
        replies = self._send(plan.spreadsheet, self._pack(groups) + staged, shown)
        result.written = True
        moved = self._verify(plan.spreadsheet, stamped, replies)
        if moved:
            log.warning("rows moved while writing %s: cleared %d statuses", plan.spreadsheet, moved)
        return result

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
        tabs = {}
        for sheet in merged.get("sheets", []):
            meta = tab_meta(sheet)
            tabs[meta.title] = meta
        if tabs:
            self._meta[spreadsheet] = {**self._meta.get(spreadsheet, {}), **tabs}
        return merged

    def _verify(self, spreadsheet: str, stamped: list[TabMarks], reply: dict[str, Any]) -> int:
        """Clear statuses and highlights that no longer sit on the row they were computed for."""
        grids = {}
        for sheet in reply.get("sheets", []):
            if sheet.get("data"):
                grids[sheet["properties"]["title"]] = grid_of(sheet)[0]
        fixes: list[dict[str, Any]] = []
        moved = 0
        for marks in stamped:
            grid = grids.get(marks.tab)
            meta = self._meta.get(spreadsheet, {}).get(marks.tab)
            if grid is None or meta is None:
                continue
            for row, expected in marks.fingerprints.items():
                cells = grid[row - 1] if row - 1 < len(grid) else []
                now = fingerprint(
                    [
                        thai.clean_text(c) if i != marks.column - 1 else ""
                        for i, c in enumerate(cells)
                    ]
                )
                if now != expected:
                    moved += 1
                    fixes.append(
                        _cell_request(meta.sheet_id, row, marks.column, {}, "userEnteredValue")
                    )
                    fixes += [
                        _clear_colour(meta.sheet_id, h.row, h.column)
                        for h in marks.highlights
                        if h.row == row
                    ]
        if fixes:
            self._batch(spreadsheet, {"requests": fixes})
        return moved

    def _batch(self, spreadsheet: str, body: dict[str, Any]) -> dict[str, Any]:
        def send() -> dict[str, Any]:
            reply: dict[str, Any] = self.client.http_client.batch_update(spreadsheet, body)
            return reply

        result: dict[str, Any] = self._call(spreadsheet, send)
        return result

    def _bot_tab_requests(
        self,
        plan: SheetPlan,
        state: GoogleRead,
        result: ApplyResult,
        tabs: dict[str, TabMeta],
    ) -> tuple[list[list[dict[str, Any]]], list[list[dict[str, Any]]]]:
        """The requests that rewrite the plan's bot tabs: those that fit one request each,
        and the staged sequence of those too big for one; `tabs` are the ids in use."""
        taken = {m.sheet_id for m in tabs.values()}
        groups: list[list[dict[str, Any]]] = []
        staged: list[list[dict[str, Any]]] = []
        for tab in plan.tabs:
            meta = state.tabs.get(tab.name)
            if meta is not None and not meta.owned and state.grids.get(tab.name):
                result.conflicts.append(conflict_problem(plan.spreadsheet, tab.name))
                continue
            batches = self._tab_requests(tab, meta, taken)
            if len(batches) == 1:
                groups.append(batches[0])
            else:
                staged += batches  # a big tab: its own sequence of requests
        return groups, staged

    def _marks_requests(self, marks: TabMarks, state: GoogleRead) -> list[dict[str, Any]]:
        meta = state.tabs.get(marks.tab)
        grid = state.grids.get(marks.tab)
        if meta is None or grid is None:
            return []
        col = marks.column
        out: list[dict[str, Any]] = []
        wanted = {marks.header_row: marks.header, **marks.status}
        current = {r: thai.clean_text(cell_at(grid, r, col)) for r in wanted}
        if any(current[r] != (text or "") for r, text in wanted.items()):
            if col > meta.columns:
                out.append({"appendDimension": {"sheetId": meta.sheet_id, "dimension": "COLUMNS",
                                                "length": col - meta.columns}})  # fmt: skip
                meta.columns = col
            first, last = min(wanted), max(wanted)
            rows = [{"values": [_text_cell(wanted.get(r) or None)]} for r in range(first, last + 1)]
            out.append({"updateCells": {
                "start": {"sheetId": meta.sheet_id, "rowIndex": first - 1, "columnIndex": col - 1},
                "rows": rows, "fields": "userEnteredValue",
            }})  # fmt: skip
        colours = state.bot_colours.get(marks.tab, {})
        want = {(h.row, h.column): h.severity for h in marks.highlights}
        for r, c in colours:
            if (r, c) not in want:
                out.append(_clear_colour(meta.sheet_id, r, c))
        for (r, c), severity in want.items():
            if colours.get((r, c)) == severity:
                continue
            if (r, c) in state.person_colours.get(marks.tab, set()):
                continue  # a person's colour stays; the status cell still explains
            red, green, blue = COLOURS[severity]
            fmt = {
                "userEnteredFormat": {"backgroundColor": {"red": red, "green": green, "blue": blue}}
            }
            out.append(_cell_request(meta.sheet_id, r, c, fmt, "userEnteredFormat.backgroundColor"))
        return out

    def _tab_requests(
        self, tab: BotTab, meta: TabMeta | None, taken: set[int]
    ) -> list[list[dict[str, Any]]]:
        """The batches that rebuild one bot tab: none if unchanged, one if it fits in a
        request, else a hidden staging tab filled chunk by chunk and swapped in at once."""
        rows = [[self._render(c) for c in row] for row in tab.rows]
        width = max((len(r) for r in rows), default=1) or 1
        rows = [r + [{}] * (width - len(r)) for r in rows]
        for cell in rows[tab.header_rows - 1] if len(rows) >= tab.header_rows else []:
            if cell:
                cell["userEnteredFormat"] = {
                    "textFormat": {"bold": True},
                    "backgroundColor": _HEADER_COLOUR,
                }
        digest = hashlib.sha256(
            json.dumps(rows, ensure_ascii=False, sort_keys=True).encode()
        ).hexdigest()
        if meta is not None and meta.owned and meta.metadata.get(DIGEST_KEY, (0, ""))[1] == digest:
            return []
        grid = {"rowCount": max(len(rows), tab.header_rows + 1), "columnCount": width,
                "frozenRowCount": tab.header_rows}  # fmt: skip
        marks = _ownership(digest)
        sheet_id = _new_sheet_id(tab.name, taken) if meta is None else meta.sheet_id
        whole = [*self._fill(sheet_id, rows, grid, meta, tab.name), *marks(sheet_id)]
        if len(encode_json({"requests": whole})) <= self.config.google.max_request_bytes:
            taken.add(sheet_id)
            return [whole]
        return self._staged(tab, rows, grid, meta, taken, marks)

    def _fill(
        self,
        sheet_id: int,
        rows: list[list[dict[str, Any]]],
        grid: dict[str, int],
        meta: TabMeta | None,
        title: str,
    ) -> list[dict[str, Any]]:
        """Rewrite a tab in place: (add it,) drop the bot's metadata, resize, write cells."""
        out: list[dict[str, Any]] = []
        if meta is None:
            out.append({"addSheet": {"properties": {"sheetId": sheet_id, "title": title}}})
        else:
            for key in (OWNER_MARK, DIGEST_KEY):
                if key in meta.metadata:
                    lookup = {"developerMetadataLookup": {"metadataId": meta.metadata[key][0]}}
                    out.append({"deleteDeveloperMetadata": {"dataFilter": lookup}})
        out.append(_resize(sheet_id, grid))
        out.append(_write_rows(sheet_id, 0, rows))
        return out

    def _staged(  # noqa: PLR0917 - the parts of one tab's rebuild
        self,
        tab: BotTab,
        rows: list[list[dict[str, Any]]],
        grid: dict[str, int],
        meta: TabMeta | None,
        taken: set[int],
        marks: Callable[[int], list[dict[str, Any]]],
    ) -> list[list[dict[str, Any]]]:
        # Too big for one request (the national tab): fill a hidden copy in requests under
        # the size limit, then swap it in with one atomic batchUpdate, so nobody ever sees
        # a half-built tab. The swap keeps the old tab's id, so links to it still work.
        limit = self.config.google.max_request_bytes - 4096
        staging = _new_sheet_id(f"{tab.name}{os.urandom(4).hex()}", taken)
        taken.add(staging)
        title = f"{tab.name} (กำลังปรับปรุง {staging})"
        batches: list[list[dict[str, Any]]] = []
        hidden = {"sheetId": staging, "title": title, "hidden": True, "gridProperties": grid}
        current: list[dict[str, Any]] = [{"addSheet": {"properties": hidden}}]
        chunk: list[list[dict[str, Any]]] = []
        size, start = len(encode_json({"requests": current})), 0
        for index, row in enumerate(rows):
            row_size = len(encode_json({"values": row})) + 1
            if chunk and size + row_size > limit:
                current.append(_write_rows(staging, start, chunk))
                batches.append(current)
                current, size, start, chunk = [], 0, index, []
            chunk.append(row)
            size += row_size
        current.append(_write_rows(staging, start, chunk))
        batches.append(current)
        swap: list[dict[str, Any]]
        if meta is None:
            final = staging
            props: dict[str, Any] = {"sheetId": staging, "title": tab.name, "hidden": False}
            swap = [{"updateSheetProperties": {"properties": props, "fields": "title,hidden"}}]
        else:
            final = meta.sheet_id
            copy = {
                "sourceSheetId": staging,
                "newSheetId": meta.sheet_id,
                "newSheetName": tab.name,
                "insertSheetIndex": meta.index,
            }
            shown: dict[str, Any] = {"sheetId": meta.sheet_id, "hidden": False}
            swap = [
                {"deleteSheet": {"sheetId": meta.sheet_id}},
                {"duplicateSheet": copy},
                {"deleteSheet": {"sheetId": staging}},
                {"updateSheetProperties": {"properties": shown, "fields": "hidden"}},
            ]
        batches.append([*swap, *marks(final)])
        return batches

    def _render(self, value: OutCell) -> dict[str, Any]:
        if isinstance(value, LinkedText):
            cell = _text_cell(value.text)
            url = self.link(value.link)
            cell["textFormatRuns"] = [{"startIndex": 0, "format": {"link": {"uri": url}}}]
            return cell
        if isinstance(value, bool):
            return {"userEnteredValue": {"boolValue": value}}
        if isinstance(value, int | float):
            return {"userEnteredValue": {"numberValue": value}}
        return _text_cell(value)

    def link(self, link: Link) -> str:
        """A browser link to one cell."""
        meta = self._meta.get(link.spreadsheet, {}).get(link.tab)
        gid = f"gid={meta.sheet_id}&" if meta else ""
        return (
            f"{self.location(link.spreadsheet)}#{gid}range={column_letter(link.column)}{link.row}"
        )


_STAGING = re.compile(r" \(กำลังปรับปรุง \d+\)$")


def _resize(sheet_id: int, grid: dict[str, int]) -> dict[str, Any]:
    return {"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": grid},
        "fields": "gridProperties(rowCount,columnCount,frozenRowCount)",
    }}  # fmt: skip


def _write_rows(sheet_id: int, start: int, rows: list[list[dict[str, Any]]]) -> dict[str, Any]:
    return {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": start, "columnIndex": 0},
        "rows": [{"values": r} for r in rows],
        "fields": "userEnteredValue,textFormatRuns,userEnteredFormat",
    }}  # fmt: skip


def _ownership(digest: str) -> Callable[[int], list[dict[str, Any]]]:
    """The developer metadata that marks a tab as the bot's, with its content digest."""

    def create(sheet_id: int) -> list[dict[str, Any]]:
        out = []
        for key, value in ((OWNER_MARK, "softpower-bot"), (DIGEST_KEY, digest)):
            meta = {
                "metadataKey": key,
                "metadataValue": value,
                "visibility": "DOCUMENT",
                "location": {"sheetId": sheet_id},
            }
            out.append({"createDeveloperMetadata": {"developerMetadata": meta}})
        return out

    return create


class _StaleRanges(Exception):
    """A range named a tab that no longer exists."""


def _text_cell(text: str | None) -> dict[str, Any]:
    # stringValue is written as-is: "=IMPORTXML(...)" typed by staff is never executed.
    return {"userEnteredValue": {"stringValue": text}} if text else {}


def _cell_request(
    sheet_id: int, row: int, col: int, cell: dict[str, Any], fields: str
) -> dict[str, Any]:
    return {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": col - 1},
        "rows": [{"values": [cell]}], "fields": fields,
    }}  # fmt: skip


def _clear_colour(sheet_id: int, row: int, col: int) -> dict[str, Any]:
    # Google keeps a colour twice (backgroundColor and its backgroundColorStyle twin):
    # clearing one could leave the other showing, so clear both.
    return _cell_request(
        sheet_id, row, col, {}, "userEnteredFormat(backgroundColor,backgroundColorStyle)"
    )


def _new_sheet_id(title: str, taken: set[int]) -> int:
    # Deterministic ids keep a rebuilt plan identical; probe on the rare collision.
    candidate = zlib.crc32(title.encode()) & 0x7FFFFFFF
    while candidate in taken or candidate == 0:
        candidate = (candidate + 1) & 0x7FFFFFFF
    return candidate
