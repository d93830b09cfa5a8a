"""Applying a spreadsheet's plan on Google Sheets: the district tabs' marks (see
`google_marks`), the bot's tabs (only the rows that changed, see `google_tabs`), monthly
records by a server-side copy, all in one atomic batchUpdate per spreadsheet where it fits,
then the statuses by their column's anchor.

People keep editing while the bot works. The marks are planned on a read of the district
tabs made moments before (the cycle's own read when it is fresh, else a read just for
this), the batch's own answer is checked for rows that moved, and only then are the
statuses written; where rows moved, `SheetChanged` makes the cycle read again and retry.
A spreadsheet the bot did not read this cycle (Drive says nobody changed it) gets no write
at all when its plan brings what the bot last wrote there. In one that people changed, a
bot tab's difference is computed from the rows it holds, not from what the bot wrote: as
this cycle's read brought them (`GoogleBackend.read`), else read back just before.

Every write is counted per spreadsheet (`google_drive` compares Drive's version with the
bot's own writes); a write whose answer was lost makes the spreadsheet read again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import gspread
from gspread.urls import SPREADSHEET_BATCH_UPDATE_URL

from bot.backends import google_errors as errors
from bot.backends.google_grid import BATCH_REPLY_FIELDS, READ_BACK_FIELDS, TabMeta, tab_meta
from bot.backends.google_http import PoliteHTTPClient
from bot.backends.google_marks import (
    GoogleRead,
    MarksWrite,
    TabState,
    locked,
    marks_digest,
    moved_rows,
    plan_marks,
)
from bot.backends.google_memory import Memory, SheetMemory
from bot.backends.google_requests import DIGEST_KEY, body_size, new_sheet_id, ownership
from bot.backends.google_rows import Shape, TabRead, content_hashes, hashes_of_rows
from bot.backends.google_tabs import CELL_WARNING, MAX_CELLS, STAGING, TabWriter, cells_of
from bot.config import Config
from bot.errors import SheetError
from bot.model import ApplyResult, BotTab, SheetPlan, TabMarks
from bot.sheets import SheetRead, column_letter, conflict_problem, quote_tab

if TYPE_CHECKING:
    import re

log = logging.getLogger(__name__)

SHEETS_API = "https://sheets.googleapis.com/v4/spreadsheets"
# A read older than this is read again just before the bot writes next to its rows.
FRESH_S = 60.0
READ_BACK_ROWS = 5_000  # rows of a bot tab read back per request (bounded memory)
_READ = "read back"  # `_known`: what the tab holds must be read
Marks = list[tuple[TabMarks, MarksWrite, TabState]]
Batches = list[list[Mapping[str, Any]]]


class GoogleWriting:
    """The writing half of `GoogleBackend` (a mixin: it shares the backend's client,
    caches and memory)."""

    config: Config
    client: gspread.Client
    http: PoliteHTTPClient
    memory: Memory
    tabs: TabWriter
    _meta: dict[str, dict[str, TabMeta]]
    _sizes: dict[str, dict[int, int]]
    _record: re.Pattern[str]
    _kept: set[str]
    _read_at: dict[str, float]
    _writes: Counter[str]
    _unsure: set[str]
    _untouched: set[str]
    # Bot tabs' rows brought by this cycle's read of a spreadsheet people changed
    # (`GoogleBackend.read`), for this cycle's write there only.
    _fresh: dict[str, dict[str, TabRead]]
    _call: Callable[..., Any]
    metadata: Callable[[str], dict[str, TabMeta]]
    _grid: Callable[[str, list[str]], dict[str, Any]]

    @property
    def who(self) -> str:
        """Whom to share spreadsheets with (the backend says)."""
        raise NotImplementedError

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        """Write a plan: the district tabs' marks safely, the bot's tabs in atomic
        batches (only what changed); nothing at all when nothing changed."""
        try:
            return self._apply(plan, read)
        except SheetError:
            # What the bot knew of the tabs may be wrong now (a write applied after all,
            # tabs renamed): the next read looks at everything again.
            self._meta.pop(plan.spreadsheet, None)
            self._unsure.add(plan.spreadsheet)
            self._untouched.discard(plan.spreadsheet)
            raise
        finally:
            self.tabs.forget()
            self._fresh.pop(plan.spreadsheet, None)  # a retry reads the spreadsheet again
            self._settle(plan.spreadsheet)

    def _settle(self, sheet: str) -> None:
        """Note the writes just made into ``sheet`` in its memory (for Drive's version)."""
        memory = self.memory.get(sheet)
        count = self._writes.pop(sheet, 0)
        if sheet in self._unsure:
            self._unsure.discard(sheet)
            memory.version, memory.pending = None, None  # read it again, whatever Drive says
        elif count and memory.version is not None:
            before, made = memory.pending or (memory.version, 0)
            memory.pending = (before, made + count)
        if memory.read is not None and isinstance(memory.read.version, GoogleRead):
            memory.read.version.tabs.update(self._meta.get(sheet, {}))
        memory.dirty = True
        self.memory.save()

    def _apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        sheet = plan.spreadsheet
        result = ApplyResult(sheet, written=False)
        state = read.version if read is not None else None
        if not isinstance(state, GoogleRead):
            state = GoogleRead(tabs=dict(self._meta.get(sheet) or self.metadata(sheet)))
        memory = self.memory.get(sheet)
        tabs = list(plan.tabs)
        records = [t for t in tabs if self._record.match(t.name)]
        tabs = [t for t in tabs if t not in records]
        archived = records if self.config.google.archive else []
        marks, checked = self._checked_marks(sheet, plan.marks, state)
        cleanup: Batches = []
        taken = {m.sheet_id for m in state.tabs.values()}
        read_back: dict[str, Shape] = {}
        tab_groups, staged, shapes, touched = self._bot_tab_requests(
            sheet, tabs, state, result, taken, read_back=read_back
        )
        if staged:
            # A staged write adds tabs: its ids must not clash with any tab, and a ranged
            # read does not list them all. The full tab list also shows the staging tabs a
            # crash left behind, which this write removes.
            full = self.metadata(sheet)
            result.conflicts.clear()
            taken = {m.sheet_id for m in full.values()}
            tab_groups, staged, shapes, touched = self._bot_tab_requests(
                sheet, tabs, state, result, taken, read_back=read_back
            )
            leftovers = [m.sheet_id for t, m in full.items() if STAGING.search(t)]
            if leftovers:
                cleanup.append([{"deleteSheet": {"sheetId": i}} for i in leftovers])
        copies: list[Mapping[str, Any]] = []
        if records and not archived:
            copies = [*self._record_copies(sheet, records, tabs, state, result, shapes=shapes)]
        if not checked and not copies and not any(tab_groups + staged) and any(
                w.requests or w.values is not None for _, w, _ in marks):  # fmt: skip
            # Only marks to write: no batch answer to check them against afterwards, so
            # check them on a read made just now instead.
            marks, checked = self._checked_marks(sheet, plan.marks, state, force=True)
        groups: Batches = [[*w.requests] for _, w, _ in marks if w.requests]
        groups += cleanup
        batches = self._pack(groups + tab_groups) + staged
        if copies:
            if batches and not staged and body_size(batches[-1] + copies) <= (
                    self.config.google.max_request_bytes):  # fmt: skip
                batches[-1] += copies
            else:
                batches.append(copies)
        values = [w.values for _, w, _ in marks if w.values is not None]
        if batches:
            self._check_cells(sheet, batches, state)
            # Ask for the district tabs written (to check again that their rows did not
            # move) and the bot's tabs this write changes (their ids and metadata, for the
            # cache) back; what the bot knows of the others still holds (a national
            # spreadsheet with 76 provincial tabs would name them all in every write).
            shown = [quote_tab(m.tab) for m, w, _ in marks if not w.empty]
            shown += [f"{quote_tab(t.name)}!A1:A1" for t in [*tabs, *records]
                      if t.name not in {p.tab for p in result.conflicts}
                      and t not in archived
                      and (t.name in touched or t in records)]  # fmt: skip
            answer = self._send(sheet, batches, shown)
            result.written = True
            self._recheck(sheet, [m for m in marks if not m[1].empty], answer)
        if values:
            self._write_statuses(sheet, values)
            result.written = True
        if archived:
            result.written |= self._write_archive(sheet, archived, tabs, state)
        # What the tabs hold now is what the plan says: remember it.
        for tab_marks, _, _ in marks:
            memory.marks[tab_marks.tab] = marks_digest(tab_marks)
        for name, (sheet_id, shape) in shapes.items():
            meta = self._meta.get(sheet, {}).get(name)
            memory.shapes[name] = (meta.sheet_id if meta else sheet_id, shape)
        return result

    # -- district tabs -------------------------------------------------------------------

    def _checked_marks(
        self, sheet: str, plan: list[TabMarks], state: GoogleRead, *, force: bool = False
    ) -> tuple[Marks, bool]:
        """The district tabs' writes, planned on a read of them made moments before (the
        cycle's own if it is fresh, else one made now) and safe on it; and whether that
        read was made now."""
        kept = sheet in self._kept
        memory = self.memory.get(sheet)
        drafts: list[tuple[TabMarks, TabState]] = []
        for marks in plan:
            before = state.tab(marks.tab)
            if before is None:
                continue
            if kept:
                # Nobody changed the spreadsheet since the bot wrote there: only marks that
                # differ from what it wrote need writing.
                if memory.marks.get(marks.tab) != marks_digest(marks):
                    drafts.append((marks, before))
            elif not plan_marks(marks, before).empty:
                drafts.append((marks, before))
            else:
                memory.marks[marks.tab] = marks_digest(marks)  # already there
        if not drafts:
            return [], False
        age = time.monotonic() - self._read_at.get(sheet, float("-inf"))
        fresh = GoogleRead(tabs={})
        legacy = any(b.bot_colours for _, b in drafts)  # old cell colours to clear by position
        checked = force or kept or age > FRESH_S or legacy
        if checked:
            try:
                fresh.take(self._grid(sheet, [quote_tab(m.tab) for m, _ in drafts]))
            except errors.StaleRanges as exc:  # a tab renamed since
                raise errors.renamed(sheet, exc.tab) from None
        out = []
        for marks, before in drafts:
            now = fresh.tab(marks.tab) if fresh.tabs else before
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
        return out, checked

    def _recheck(self, sheet: str, marks: Marks, answer: dict[str, Any]) -> None:
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
            sheet, lambda: self._counted(sheet, lambda: self.http.request(
                "post", url, json=body).json()), writing=True)  # fmt: skip
        if any("updatedRange" not in r for r in answer.get("responses", [])):
            # Its anchor matched nothing: the status column was deleted a moment ago.
            raise errors.changed(sheet, "a status column was deleted while the bot wrote")

    # -- the bot's tabs ------------------------------------------------------------------

    def _bot_tab_requests(
        self,
        sheet: str,
        tabs: list[BotTab],
        state: GoogleRead,
        result: ApplyResult,
        taken: set[int],
        *,
        read_back: dict[str, Shape],
    ) -> tuple[Batches, Batches, dict[str, tuple[int, Shape]], set[str]]:
        """The requests that bring the plan's bot tabs about: those that fit one request
        each, and the sequence of those too big for one; each tab's new shape; and the
        tabs that have any request. ``read_back``: the tabs read back so far (grows)."""
        groups: Batches = []
        staged: Batches = []
        shapes: dict[str, tuple[int, Shape]] = {}
        touched: set[str] = set()
        planned: list[tuple[BotTab, TabMeta | None, Shape, Shape | str | None]] = []
        for tab in tabs:
            meta = state.tabs.get(tab.name)
            if meta is not None and not meta.owned and state.grids.get(tab.name):
                result.conflicts.append(conflict_problem(sheet, tab.name))
                continue
            shape = self.tabs.shape(tab)
            planned.append((tab, meta, shape, self._known(sheet, tab, meta, shape)))
        # The tabs whose content the bot cannot vouch for: as this cycle's read found them
        # when it brought their rows, else read back in as few requests as their rows allow
        # (once per write: a staged write plans its tabs twice).
        unknown = [(meta, tab.header_rows) for tab, meta, _, known in planned
                   if meta is not None and known is _READ
                   and tab.name not in read_back]  # fmt: skip
        read_back.update(self._read_fresh(sheet, unknown))
        read_back.update(
            self._read_back(sheet, [u for u in unknown if u[0].title not in read_back])
        )
        for tab, meta, shape, vouched in planned:
            known = read_back[tab.name] if vouched is _READ else vouched
            assert not isinstance(known, str)
            batches = self.tabs.batches(tab, meta, taken, shape, known)
            made = (r["addSheet"]["properties"]["sheetId"] for b in batches for r in b
                    if "addSheet" in r)  # fmt: skip
            shapes[tab.name] = (meta.sheet_id if meta is not None else next(made, 0), shape)
            if any(batches):
                touched.add(tab.name)
            if len(batches) == 1:
                groups.append(batches[0])
            else:
                staged += batches  # a big tab: its own sequence of requests
        return groups, staged, shapes, touched

    def _known(
        self, sheet: str, tab: BotTab, meta: TabMeta | None, shape: Shape
    ) -> Shape | str | None:
        """What an owned bot tab holds now, as row fingerprints: from what the bot last
        wrote there when the tab's digest vouches for it and nobody else changed the
        spreadsheet since (a person's sort or typing leaves the digest as it was); else
        `_READ` (as this cycle's read found it, `_read_fresh`, or read back); None when it
        is written whole."""
        if meta is None or not meta.owned:
            return None
        digest = meta.metadata.get(DIGEST_KEY, (0, ""))[1]
        if digest == shape.digest:
            return shape  # nothing to do
        remembered = remembered_shape(self.memory.get(sheet), meta)
        if remembered is not None and sheet in self._untouched:
            return remembered
        if meta.columns != shape.width:
            return None  # its columns changed: written whole
        return _READ

    def _read_fresh(self, sheet: str, tabs: list[tuple[TabMeta, int]]) -> dict[str, Shape]:
        """The tabs' rows as this cycle's read of the spreadsheet found them, where it
        brought them, still the same tab (id and width) and the read is fresh (as fresh as
        the district tabs' marks need, `FRESH_S`): a person's edit since shows in Drive's
        version at the next cycle, which reads the tab again and repairs any difference."""
        found = self._fresh.get(sheet, {})
        age = time.monotonic() - self._read_at.get(sheet, float("-inf"))
        out = {}
        for meta, header_rows in tabs:
            got = found.get(meta.title)
            if got is not None and age <= FRESH_S and (got.sheet_id, got.columns) == (
                    meta.sheet_id, meta.columns):  # fmt: skip
                out[meta.title] = Shape(got.hashes, meta.columns, header_rows)
        return out

    def _read_back(self, sheet: str, tabs: list[tuple[TabMeta, int]]) -> dict[str, Shape]:
        """Read bot tabs' cells (values, links and the looks in a row's fingerprint) into
        row fingerprints: parts of a few thousand rows, several tabs' parts in one request
        while their rows together stay under that."""
        if not tabs:
            return {}
        step = READ_BACK_ROWS
        parts = [(meta, start, min(meta.rows, start + step))
                 for meta, _ in tabs for start in range(0, max(1, meta.rows), step)]  # fmt: skip
        requests: list[list[tuple[TabMeta, int, int]]] = []
        size = READ_BACK_ROWS
        for part in parts:
            rows = max(1, part[2] - part[1])
            if size + rows > READ_BACK_ROWS or any(p[0] is part[0] for p in requests[-1]):
                requests.append([])
                size = 0
            requests[-1].append(part)
            size += rows
        hashes: dict[str, list[bytes]] = {meta.title: [] for meta, _ in tabs}
        for request in requests:
            ranges = [f"{quote_tab(m.title)}!A{start + 1}:{column_letter(max(1, m.columns))}"
                      f"{max(end, start + 1)}" for m, start, end in request]  # fmt: skip
            params = {"ranges": ranges, "fields": READ_BACK_FIELDS}
            body: dict[str, Any] = self._call(
                sheet, lambda p=params: self.client.http_client.spreadsheets_get(sheet, params=p)
            )
            found = {str((s.get("properties") or {}).get("title")): s
                     for s in body.get("sheets") or []}  # fmt: skip
            for meta, start, end in request:
                data = (found.get(meta.title) or {}).get("data") or [{}]
                rows = data[0].get("rowData", [])
                hashes[meta.title] += hashes_of_rows(rows, meta.columns)
                hashes[meta.title] += hashes_of_rows([{}] * (end - start - len(rows)), meta.columns)
        return {
            meta.title: Shape(content_hashes(hashes[meta.title], meta.columns), meta.columns, n)
            for meta, n in tabs
        }

    def _record_copies(
        self,
        sheet: str,
        records: list[BotTab],
        tabs: list[BotTab],
        state: GoogleRead,
        result: ApplyResult,
        *,
        shapes: dict[str, tuple[int, Shape]],
    ) -> list[dict[str, Any]]:
        """Monthly records as server-side copies of the national tab, made after it is
        written in the same batch: no cells are sent. A record, once made, is never
        rewritten; a person's tab under its name is left alone (TAB_CONFLICT)."""
        full = self.metadata(sheet)  # every tab: is the record there, which ids are free
        taken = {m.sheet_id for m in full.values()} | {sid for sid, _ in shapes.values()}
        out: list[dict[str, Any]] = []
        for record in records:
            source = next((t for t in tabs if t.rows is record.rows), None)
            found = full.get(record.name)
            if found is not None:
                if not found.owned:
                    result.conflicts.append(conflict_problem(sheet, record.name))
                continue
            if source is None or source.name not in shapes:
                continue
            found_source = full.get(source.name) or state.tabs.get(source.name)
            source_id = found_source.sheet_id if found_source else shapes[source.name][0]
            new_id = new_sheet_id(record.name, taken)
            taken.add(new_id)
            out.append({"duplicateSheet": {"sourceSheetId": source_id, "newSheetId": new_id,
                                           "newSheetName": record.name,
                                           "insertSheetIndex": len(full)}})  # fmt: skip
            shape = shapes[source.name][1]
            out += ownership(new_id, None, shape.digest)
            shapes[record.name] = (new_id, shape)
        return out

    def _write_archive(
        self, sheet: str, records: list[BotTab], tabs: list[BotTab], state: GoogleRead
    ) -> bool:
        """Monthly records copied into the archive spreadsheet (`sheets.copyTo` of the
        national tab just written, then named and marked); one made is never rewritten.
        Returns whether anything was written."""
        archive = self.config.google.archive
        assert archive is not None
        known = self.metadata(archive)
        wrote = False
        for record in records:
            source = next((t for t in tabs if t.rows is record.rows), None)
            meta = self._meta.get(sheet, {}).get(source.name) if source else None
            if record.name in known or meta is None or source is None:
                continue
            grown = {**self._sizes.get(archive, {}), -1: meta.rows * meta.columns}
            self._check_cells(archive, [], GoogleRead(tabs=known), grown)
            url = f"{SHEETS_API}/{sheet}/sheets/{meta.sheet_id}:copyTo"
            body = {"destinationSpreadsheetId": archive}
            props: dict[str, Any] = self._call(archive, lambda u=url, b=body: self._counted(
                archive, lambda: self.http.request("post", u, json=b).json()),
                writing=True)  # fmt: skip
            copy_id = int(props["sheetId"])
            name = {"sheetId": copy_id, "title": record.name}
            digest = self.tabs.shape(source).digest
            self._send(archive, [[{"updateSheetProperties": {"properties": name,
                                                             "fields": "title"}},
                                  *ownership(copy_id, None, digest)]], [])  # fmt: skip
            known = self.metadata(archive)
            wrote = True
        return wrote

    # -- sending ---------------------------------------------------------------------------

    def _pack(self, groups: Batches) -> Batches:
        """Request groups packed into as few batches as the size limit allows."""
        limit = self.config.google.max_request_bytes
        chunks: Batches = []
        size = limit
        for group in groups:
            group_size = body_size(group)
            if size + group_size > limit:
                chunks.append([])
                size = 0
            chunks[-1].extend(group)  # a tab's requests always travel together
            size += group_size
        return chunks

    def _send(
        self, spreadsheet: str, chunks: Batches, response_ranges: list[str]
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
            # Only what the bot reads back (the tabs' state and the cells it rechecks), as
            # a read asks for it: Google's whole CellData for each tab asked back is
            # several times bigger, in bytes received and in the bot's memory.
            url = SPREADSHEET_BATCH_UPDATE_URL % spreadsheet
            params: dict[str, Any] = {"fields": BATCH_REPLY_FIELDS}
            reply: dict[str, Any] = self.client.http_client.request(
                "post", url, json=body, params=params
            ).json()
            return reply

        result: dict[str, Any] = self._call(
            spreadsheet, lambda: self._counted(spreadsheet, send), writing=True
        )
        return result

    def _counted(self, spreadsheet: str, write: Callable[[], Any]) -> Any:
        """Make one write request and count it for Drive's version (a write whose answer
        was lost on the way may have happened or not: the spreadsheet is read again)."""
        try:
            answer = write()
        except Exception:
            self._unsure.add(spreadsheet)
            raise
        if self.http.last_ambiguous:
            self._unsure.add(spreadsheet)
        self._writes[spreadsheet] += 1
        return answer

    def _check_cells(
        self,
        sheet: str,
        batches: Batches,
        state: GoogleRead,
        sizes: dict[int, int] | None = None,
    ) -> None:
        """Refuse a write that would take the spreadsheet past 90% of Google's 10 million
        cells (each monthly record tab adds a national tab's worth)."""
        grows = sizes is not None or any(
            "addSheet" in r or "duplicateSheet" in r or "appendDimension" in r
            or "rowCount" in r.get("updateSheetProperties", {}).get("properties", {}).get(
                "gridProperties", {}) for b in batches for r in b)  # fmt: skip
        if not grows:
            return
        if sizes is None:
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


def remembered_shape(memory: SheetMemory, meta: TabMeta) -> Shape | None:
    """What the bot remembers writing in a tab, when the tab is still that one: the same
    id, and the digest the bot left on it (a person's sort or typing leaves the digest as
    it was: whether to trust it is the caller's to say, by Drive's version)."""
    remembered = memory.shapes.get(meta.title)
    digest = meta.metadata.get(DIGEST_KEY, (0, ""))[1]
    if remembered is None or (remembered[0], remembered[1].digest) != (meta.sheet_id, digest):
        return None
    return remembered[1]


def remember_read(memory: SheetMemory, read: SheetRead, version: int | None) -> None:
    """A spreadsheet was just read: its memory now starts from that read."""
    memory.read = read
    memory.version = version
    memory.pending = None
    memory.dirty = True
