"""Rebuilding the bot's own tabs (provincial, national, summary, issues, monthly records)
in Google Sheets: nothing when the content digest is unchanged, one request when the tab
fits in one, else a hidden staging tab filled in parts and swapped in by one atomic request
that keeps the tab's id (links to it keep working, nobody sees a half-built tab).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from typing import Any

from bot.backends.google_grid import TabMeta
from bot.backends.google_http import encode_json
from bot.backends.google_requests import (
    DIGEST_KEY,
    new_sheet_id,
    ownership,
    resize,
    text_cell,
    write_rows,
)
from bot.model import BotTab, Link, LinkedText, OutCell

_HEADER_COLOUR = {"red": 0.867, "green": 0.922, "blue": 0.969}
STAGING = re.compile(r" \(กำลังปรับปรุง \d+\)$")
MAX_CELLS = 10_000_000  # Google's limit per spreadsheet
CELL_WARNING = 0.9  # refuse a write that would take a spreadsheet past this share of it

Batches = list[list[dict[str, Any]]]


class TabWriter:
    """Turns a bot tab into the batches that rebuild it."""

    def __init__(self, max_bytes: int, link: Callable[[Link], str]) -> None:
        self.max_bytes = max_bytes
        self.link = link

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

    def rows_of(self, tab: BotTab) -> tuple[list[list[dict[str, Any]]], str]:
        """The tab's cells, padded to one width, and the digest of that content."""
        rows = [[self.render(c) for c in row] for row in tab.rows]
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
        return rows, digest

    @staticmethod
    def unchanged(meta: TabMeta | None, digest: str) -> bool:
        """Whether the bot's tab already holds exactly this content."""
        return (
            meta is not None and meta.owned and meta.metadata.get(DIGEST_KEY, (0, ""))[1] == digest
        )

    @staticmethod
    def grid_of(tab: BotTab, rows: list[list[dict[str, Any]]]) -> dict[str, int]:
        """The grid size a rebuilt tab gets."""
        width = len(rows[0]) if rows else 1
        return {"rowCount": max(len(rows), tab.header_rows + 1), "columnCount": width,
                "frozenRowCount": tab.header_rows}  # fmt: skip

    def batches(self, tab: BotTab, meta: TabMeta | None, taken: set[int]) -> Batches:
        """The batches that rebuild one bot tab: none if unchanged, one if it fits in a
        request, else the staged sequence. ``taken``: tab ids in use (grows)."""
        rows, digest = self.rows_of(tab)
        if self.unchanged(meta, digest):
            return []
        grid = self.grid_of(tab, rows)
        sheet_id = new_sheet_id(tab.name, taken) if meta is None else meta.sheet_id
        whole: list[dict[str, Any]] = []
        if meta is None:
            # Made at its final size: a new tab is otherwise 1000 x 26 for a moment.
            props = {"sheetId": sheet_id, "title": tab.name, "gridProperties": grid}
            whole.append({"addSheet": {"properties": props}})
        else:
            whole.append(resize(sheet_id, grid))
        whole.append(write_rows(sheet_id, 0, rows))
        whole += ownership(sheet_id, meta, digest)
        if len(encode_json({"requests": whole})) <= self.max_bytes:
            taken.add(sheet_id)
            return [whole]
        return self._staged(tab, rows, grid, meta, taken, digest)

    def _staged(  # noqa: PLR0917 - the parts of one tab's rebuild
        self,
        tab: BotTab,
        rows: list[list[dict[str, Any]]],
        grid: dict[str, int],
        meta: TabMeta | None,
        taken: set[int],
        digest: str,
    ) -> Batches:
        # Too big for one request (the national tab): fill a hidden copy in requests under
        # the size limit, then swap it in with one atomic batchUpdate, so nobody ever sees
        # a half-built tab. The swap keeps the old tab's id, so links to it still work.
        limit = self.max_bytes - 4096
        staging = new_sheet_id(f"{tab.name}{os.urandom(4).hex()}", taken)
        taken.add(staging)
        title = f"{tab.name} (กำลังปรับปรุง {staging})"
        batches: Batches = []
        hidden = {"sheetId": staging, "title": title, "hidden": True, "gridProperties": grid}
        current: list[dict[str, Any]] = [{"addSheet": {"properties": hidden}}]
        chunk: list[list[dict[str, Any]]] = []
        size, start = len(encode_json({"requests": current})), 0
        for index, row in enumerate(rows):
            row_size = len(encode_json({"values": row})) + 1
            if chunk and size + row_size > limit:
                current.append(write_rows(staging, start, chunk))
                batches.append(current)
                current, size, start, chunk = [], 0, index, []
            chunk.append(row)
            size += row_size
        current.append(write_rows(staging, start, chunk))
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
        # The old tab went with its metadata: the marks are made afresh on the final tab.
        batches.append([*swap, *ownership(final, None, digest)])
        return batches


def cells_of(requests: list[dict[str, Any]], sizes: dict[int, int]) -> dict[int, int]:
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
