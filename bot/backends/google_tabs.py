"""Writing the bot's own tabs (provincial, national, summary, issues, monthly records) in
Google Sheets: nothing when the content digest is unchanged; else only the rows that
differ (`google_rows`: updates, inserted and deleted rows) when the bot knows what the tab
holds, so the tab keeps its id and everything people built on it; a whole rewrite only for
a new tab, a tab whose columns changed, or one whose content the bot cannot know. A rewrite
too big for one request is filled into a hidden staging tab in parts and swapped in by one
atomic request that keeps the tab's id (nobody sees a half-built tab); a difference too big
for one request is sent in parts whose first marks the tab's digest unknown until the last
restores it, so an interrupted write is read again, never trusted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.backends.google_grid import TabMeta
from bot.backends.google_http import encode_json
from bot.backends.google_looks import LOOKS_KEY, CellLooks, build, recorded, tab_looks
from bot.backends.google_requests import (
    DIGEST_KEY,
    body_size,
    by_id,
    guarded_digest,
    lazy_rows,
    new_sheet_id,
    ownership,
    resize,
    text_cell,
)
from bot.backends.google_rows import Shape, diff, edit_requests, grid_after, shape_of
from bot.model import BotTab, Link, LinkedText, OutCell

STAGING = re.compile(r" \(กำลังปรับปรุง \d+\)$")
MAX_CELLS = 10_000_000  # Google's limit per spreadsheet
CELL_WARNING = 0.9  # refuse a write that would take a spreadsheet past this share of it

Batches = list[list[Mapping[str, Any]]]


class TabWriter:
    """Turns a bot tab into the batches that rebuild it."""

    def __init__(self, max_bytes: int, link: Callable[[Link], str]) -> None:
        self.max_bytes = max_bytes
        self.link = link
        self._sized: dict[int, tuple[BotTab, int, list[int]]] = {}

    def render(self, value: OutCell) -> dict[str, Any]:
        """One output cell as CellData: text as text, numbers as numbers, links as links."""
        if isinstance(value, LinkedText):
            cell = text_cell(value.text)
            url = self.link(value.link)
            cell["textFormatRuns"] = [{"startIndex": 0, "format": {"link": {"uri": url}}}]
            return cell
        if isinstance(value, bool):
            return {"userEnteredValue": {"boolValue": value}}
        if isinstance(value, int | float):
            return {"userEnteredValue": {"numberValue": value}}
        return text_cell(value)

    def row(self, tab: BotTab, n: int, width: int, looks: CellLooks) -> list[dict[str, Any]]:
        """Row ``n`` (0-based) of a tab as CellData, padded to ``width``, each cell with its
        format from the layout (so a row's look travels with it)."""
        cells = [self.render(c) for c in tab.rows[n]] + [{}] * (width - len(tab.rows[n]))
        for cell, fmt in zip(cells, looks.formats(n + 1), strict=False):
            if fmt:
                cell["userEnteredFormat"] = fmt
        return cells

    @staticmethod
    def looks(
        tab: BotTab,
        sheet_id: int,
        meta: TabMeta | None,
        *,
        fresh: bool,
        moved: bool = False,
    ) -> list[dict[str, Any]]:
        """The tab-level looks to send (frozen panes, filter, widths, text rules, charts):
        all of them on a tab made afresh (``fresh``: new, or rebuilt from a copy), else
        only the parts that differ from what the tab's metadata records."""
        built = build(tab.layout, tab.charts, sheet_id, len(tab.rows))
        if fresh or meta is None:
            return tab_looks(built, sheet_id, {}, [], [], None)
        return tab_looks(built, sheet_id, recorded(meta.metadata.get(LOOKS_KEY, (0, ""))[1]),
                         meta.charts, meta.own_rules, meta.metadata.get(LOOKS_KEY),
                         moved=moved)  # fmt: skip

    def shape(self, tab: BotTab) -> Shape:
        """The tab's row fingerprints and digest (nothing rendered)."""
        return shape_of(tab, self.link)

    @staticmethod
    def unchanged(meta: TabMeta | None, digest: str) -> bool:
        """Whether the bot's tab already holds exactly this content."""
        return (
            meta is not None and meta.owned and meta.metadata.get(DIGEST_KEY, (0, ""))[1] == digest
        )

    @staticmethod
    def grid_of(tab: BotTab, shape: Shape) -> dict[str, int]:
        """The grid size a rebuilt tab gets."""
        return {"rowCount": shape.grid_rows, "columnCount": shape.width,
                "frozenRowCount": tab.header_rows}  # fmt: skip

    def batches(
        self,
        tab: BotTab,
        meta: TabMeta | None,
        taken: set[int],
        shape: Shape | None = None,
        known: Shape | None = None,
    ) -> Batches:
        """The batches that bring one bot tab to the plan: none if unchanged; the rows
        that differ from ``known`` (what the tab holds) when it is known and has the same
        columns; else the whole tab, in one request if it fits, or staged. ``taken``: tab
        ids in use (grows)."""
        shape = shape or self.shape(tab)
        if self.unchanged(meta, shape.digest):
            assert meta is not None
            # The rows are right; the tab's looks may still differ (a width measured on
            # other tabs, a chart a person deleted).
            looks: list[Mapping[str, Any]] = [*self.looks(tab, meta.sheet_id, meta, fresh=False)]
            return [looks] if looks else []
        if (meta is not None and meta.owned and known is not None
                and known.width == shape.width == meta.columns):  # fmt: skip
            return self._edits(tab, meta, shape, known)
        cell_looks = self._cell_looks(tab, shape)
        sizes = self._row_sizes(tab, shape.width, cell_looks)
        if sum(sizes) > self.max_bytes:
            return self._staged(tab, sizes, cell_looks, meta, taken, shape)
        grid = self.grid_of(tab, shape)
        sheet_id = new_sheet_id(tab.name, taken) if meta is None else meta.sheet_id
        whole: list[Mapping[str, Any]] = []
        if meta is None:
            # Made at its final size: a new tab is otherwise 1000 x 26 for a moment.
            props = {"sheetId": sheet_id, "title": tab.name, "gridProperties": grid}
            whole.append({"addSheet": {"properties": props}})
        else:
            whole.append(resize(sheet_id, grid))
        whole.append(lazy_rows(sheet_id, 0, self._renderer(tab, shape.width, cell_looks), sizes))
        if meta is None:
            whole += self.looks(tab, sheet_id, None, fresh=True)
        else:
            # Rewritten in place: the charts and rules already there are updated or
            # replaced, never added a second time.
            built = build(tab.layout, tab.charts, sheet_id, len(tab.rows))
            whole += tab_looks(built, sheet_id, {}, meta.charts, meta.own_rules,
                               meta.metadata.get(LOOKS_KEY))  # fmt: skip
        whole += ownership(sheet_id, meta, shape.digest)
        if body_size(whole) <= self.max_bytes:
            taken.add(sheet_id)
            return [whole]
        return self._staged(tab, sizes, cell_looks, meta, taken, shape)

    def _row_sizes(self, tab: BotTab, width: int, looks: CellLooks) -> list[int]:
        """Each row's size in a request, rendered one at a time and dropped (remembered
        until `forget`: a write that is planned twice measures once)."""
        known = self._sized.get(id(tab))
        if known is not None and known[0] is tab and known[1] == width:
            return known[2]
        sizes = [len(encode_json({"values": self.row(tab, n, width, looks)})) + 1
                 for n in range(len(tab.rows))]  # fmt: skip
        self._sized[id(tab)] = (tab, width, sizes)
        return sizes

    def forget(self) -> None:
        """Drop the row sizes measured for the plan just written."""
        self._sized.clear()

    def _renderer(
        self, tab: BotTab, width: int, looks: CellLooks
    ) -> Callable[[int], list[dict[str, Any]]]:
        return lambda n: self.row(tab, n, width, looks)

    @staticmethod
    def _cell_looks(tab: BotTab, shape: Shape) -> CellLooks:
        if shape.looks is not None:
            return shape.looks
        return CellLooks(tab.layout, shape.width, len(tab.rows), tab.header_rows)

    def _edits(self, tab: BotTab, meta: TabMeta, shape: Shape, known: Shape) -> Batches:
        """Only the rows that differ: deletes, inserts and updates, last rows first."""
        edits = diff(known.hashes, shape.hashes)
        cell_looks = self._cell_looks(tab, shape)
        requests = edit_requests(meta.sheet_id, edits,
                                 lambda n: self.row(tab, n, shape.width, cell_looks))  # fmt: skip
        if grid_after(meta.rows, edits) != shape.grid_rows:
            grid = {"rowCount": shape.grid_rows, "columnCount": shape.width}
            requests.append({"updateSheetProperties": {
                "properties": {"sheetId": meta.sheet_id, "gridProperties": grid},
                "fields": "gridProperties(rowCount,columnCount)"}})  # fmt: skip
        moved = any(e.insert or e.delete for e in edits)
        requests += self.looks(tab, meta.sheet_id, meta, fresh=False, moved=moved)
        # Rows inserted or deleted twice would be wrong rows: the digest is made so that
        # the batch is refused as a whole if it is ever sent again.
        closing = guarded_digest(meta.sheet_id, meta, shape.digest)
        if body_size([*requests, *closing]) <= self.max_bytes:
            return [[*requests, *closing]]
        # Too much for one request: parts in order, the tab's digest unknown in between (a
        # write cut short is read again next time instead of trusted).
        digest_id = meta.metadata.get(DIGEST_KEY, (0, ""))[0]
        unknown = {"updateDeveloperMetadata": {
            "dataFilters": [by_id(digest_id)], "developerMetadata": {"metadataValue": "partial"},
            "fields": "metadataValue"}}  # fmt: skip
        batches: Batches = [[unknown]] if digest_id else [[]]
        size, limit = len(encode_json(unknown)), self.max_bytes - 4096
        for request in requests:
            one = len(encode_json(request)) + 1
            if batches[-1] and size + one > limit:
                batches.append([])
                size = 0
            batches[-1].append(request)
            size += one
        batches[-1] += closing
        return batches

    def _staged(  # noqa: PLR0917 - the parts of one tab's rebuild
        self,
        tab: BotTab,
        sizes: list[int],
        cell_looks: CellLooks,
        meta: TabMeta | None,
        taken: set[int],
        shape: Shape,
    ) -> Batches:
        # Too big for one request (the national tab): fill a hidden copy in requests under
        # the size limit, then swap it in with one atomic batchUpdate, so nobody ever sees
        # a half-built tab. The swap keeps the old tab's id, so links to it still work.
        # Each part's rows are rendered only when it is sent (`lazy_rows`).
        limit = self.max_bytes - 4096
        staging = new_sheet_id(f"{tab.name}{os.urandom(4).hex()}", taken)
        taken.add(staging)
        title = f"{tab.name} (กำลังปรับปรุง {staging})"
        batches: Batches = []
        grid = self.grid_of(tab, shape)
        hidden = {"sheetId": staging, "title": title, "hidden": True, "gridProperties": grid}
        current: list[Mapping[str, Any]] = [{"addSheet": {"properties": hidden}}]
        size, start = body_size(current), 0
        row = self._renderer(tab, shape.width, cell_looks)
        for index, row_size in enumerate(sizes):
            if index > start and size + row_size > limit:
                current.append(lazy_rows(staging, start, row, sizes[start:index]))
                batches.append(current)
                current, size, start = [], 0, index
            size += row_size
        current.append(lazy_rows(staging, start, row, sizes[start:]))
        batches.append(current)
        swap: list[Mapping[str, Any]]
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
        # The old tab went with its metadata, charts and rules: the marks and the looks are
        # made afresh on the final tab.
        looks = self.looks(tab, final, None, fresh=True)
        batches.append([*swap, *looks, *ownership(final, None, shape.digest)])
        return batches


def cells_of(requests: Sequence[Mapping[str, Any]], sizes: dict[int, int]) -> dict[int, int]:
    """Each tab's cell count after ``requests`` (addSheet, resize, duplicate, delete),
    starting from ``sizes`` (tab id -> cells); what the 10-million-cell limit counts."""
    out = dict(sizes)
    for request in requests:
        if "addSheet" in request:
            props = request["addSheet"]["properties"]
            grid = props.get("gridProperties", {})
            out[int(props["sheetId"])] = grid.get("rowCount", 1000) * grid.get("columnCount", 26)
        elif "updateSheetProperties" in request:
            props = request["updateSheetProperties"]["properties"]
            grid = props.get("gridProperties")
            if grid and "rowCount" in grid:
                out[int(props["sheetId"])] = grid["rowCount"] * grid["columnCount"]
        elif "duplicateSheet" in request:
            copy = request["duplicateSheet"]
            out[int(copy["newSheetId"])] = out.get(int(copy["sourceSheetId"]), 0)
        elif "deleteSheet" in request:
            out.pop(int(request["deleteSheet"]["sheetId"]), None)
    return out
