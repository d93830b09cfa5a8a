"""What the bot writes into a district tab on Google Sheets, and the checks that keep it off
every cell a person owns.

* The status column is anchored by developer metadata on the column (`STATUS_KEY`): it
  moves with the column when people insert, delete or move columns, and the statuses are
  written by a DataFilter on it (values:batchUpdateByDataFilter), so they land in that
  column wherever it is by then, never in a person's.
* Highlights are conditional format rules (one per severity) naming the cells at fault: no
  person's cell format is ever written, and a rule's cells move with inserted or deleted
  rows and columns. A cell a person coloured is left out (never covered). Rules and the
  status rows are placed where a read made just before the write shows the rows they touch
  still hold what was read (`moved_rows`), checked again on the write's own answer; where
  rows moved, the cycle reads the tab again and retries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot import thai
from bot.backends.google_grid import (
    COLOURS,
    HIGHLIGHT_FORMULA,
    STATUS_KEY,
    TabMeta,
    cell_at,
    grid_of,
    tab_meta,
)
from bot.backends.google_requests import (
    by_id,
    clear_colour,
    create_metadata,
    delete_metadata,
    metadata_id,
)
from bot.form import fingerprint
from bot.model import Cell, TabMarks


@dataclass
class TabState:
    """One tab as a read saw it: properties and anchors, cells, colours."""

    meta: TabMeta
    grid: list[list[Cell]]
    bot_colours: dict[tuple[int, int], str] = field(default_factory=dict)
    person_colours: set[tuple[int, int]] = field(default_factory=set)


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


@dataclass
class MarksWrite:
    """The writes for one district tab."""

    tab: str
    anchor: int  # metadataId of the status column's anchor
    new_anchor: bool
    requests: list[dict[str, Any]] = field(default_factory=list)  # for spreadsheets.batchUpdate
    values: dict[str, Any] | None = None  # a DataFilterValueRange for the status column
    rows: set[int] = field(default_factory=set)  # 1-based rows whose cells are written
    cells: set[tuple[int, int]] = field(default_factory=set)  # (row, column) written

    @property
    def empty(self) -> bool:
        """Nothing to write."""
        return not self.requests and self.values is None


def plan_marks(marks: TabMarks, state: TabState) -> MarksWrite:
    """The anchor, status values and highlight changes that bring a tab to ``marks``."""
    meta, col = state.meta, marks.column
    here = [mid for mid, c in meta.anchors if c == col]
    out = MarksWrite(marks.tab, here[0] if here else metadata_id(STATUS_KEY, meta.sheet_id),
                     new_anchor=not here)  # fmt: skip
    # Anchors anywhere else are stale (the header moved off them): removed.
    out.requests += [delete_metadata(mid) for mid, c in meta.anchors if mid != out.anchor]
    if out.new_anchor:
        if col > meta.columns:
            grow = {"sheetId": meta.sheet_id, "dimension": "COLUMNS", "length": col - meta.columns}
            out.requests.append({"appendDimension": grow})
        where = {"dimensionRange": {"sheetId": meta.sheet_id, "dimension": "COLUMNS",
                                    "startIndex": col - 1, "endIndex": col}}  # fmt: skip
        if any(mid == out.anchor for mid, _ in meta.anchors):
            out.requests.append(delete_metadata(out.anchor))
        out.requests.append(create_metadata(STATUS_KEY, "", where, out.anchor))
        out.cells.add((marks.header_row, col))
    wanted = {marks.header_row: marks.header, **marks.status}
    changed = {
        r: text for r, text in wanted.items()
        if thai.clean_text(cell_at(state.grid, r, col)) != (text or "")
    }  # fmt: skip
    if changed:
        # Rows left as null are not touched (the API skips nulls); "" clears a cell.
        rows: list[list[str | None]] = [
            [changed[r] or ""] if r in changed else [None] for r in range(1, max(changed) + 1)
        ]
        out.values = {"dataFilter": by_id(out.anchor), "majorDimension": "ROWS", "values": rows}
        out.rows |= set(changed)
        out.cells |= {(r, col) for r in changed}
    # A person's colour stays as it is, not even covered: the status column explains.
    want = {(h.row, h.column): h.severity for h in marks.highlights
            if (h.row, h.column) not in state.person_colours}  # fmt: skip
    for r, c in state.bot_colours:
        # Cell colours an older version of the bot wrote: removed, once.
        out.requests.append(clear_colour(meta.sheet_id, r, c))
        out.rows.add(r)
        out.cells.add((r, c))
    out.requests += _rules(meta, want, out.rows)
    return out


def _rules(
    meta: TabMeta, want: Mapping[tuple[int, int], str], rows: set[int]
) -> list[dict[str, Any]]:
    """The requests that make the bot's highlight rules colour exactly ``want``.

    Rules are addressed by their place in the tab's list, as the read found it: updates
    first, then deletions from the last, then new rules put first (so they win)."""
    updates, deletes, adds = [], [], []
    for severity in HIGHLIGHT_FORMULA:
        cells = frozenset(k for k, s in want.items() if s == severity)
        rules = sorted((r for r in meta.rules if r.severity == severity), key=lambda r: r.index)
        now = rules[0].cells if rules else frozenset()
        if len(rules) == 1 and now == cells:
            continue
        rows |= {r for r, _ in cells ^ now}
        keep = rules[:1] if cells else []
        deletes += [r.index for r in rules if r not in keep]
        if not cells:
            continue
        rule = _rule(meta.sheet_id, severity, cells)
        if keep:
            updates.append({"updateConditionalFormatRule": {
                "sheetId": meta.sheet_id, "index": keep[0].index, "rule": rule}})  # fmt: skip
        else:
            adds.append({"addConditionalFormatRule": {"rule": rule, "index": 0}})
    removed = [{"deleteConditionalFormatRule": {"sheetId": meta.sheet_id, "index": i}}
               for i in sorted(deletes, reverse=True)]  # fmt: skip
    return updates + removed + adds


def _rule(sheet_id: int, severity: str, cells: frozenset[tuple[int, int]]) -> dict[str, Any]:
    ranges = []
    for row in sorted({r for r, _ in cells}):
        columns = sorted(c for r, c in cells if r == row)
        start = prev = columns[0]
        for col in [*columns[1:], None]:
            if col is not None and col == prev + 1:
                prev = col
                continue
            ranges.append({"sheetId": sheet_id, "startRowIndex": row - 1, "endRowIndex": row,
                           "startColumnIndex": start - 1, "endColumnIndex": prev})  # fmt: skip
            if col is not None:
                start = prev = col
    red, green, blue = COLOURS[severity]
    condition = {"type": "CUSTOM_FORMULA",
                 "values": [{"userEnteredValue": HIGHLIGHT_FORMULA[severity]}]}  # fmt: skip
    fmt = {"backgroundColor": {"red": red, "green": green, "blue": blue}}
    return {"ranges": ranges, "booleanRule": {"condition": condition, "format": fmt}}


def _row_print(grid: list[list[Cell]], row: int, skip: int) -> tuple[str, ...]:
    cells = grid[row - 1] if 0 < row <= len(grid) else []
    return fingerprint([thai.clean_text(c) if i != skip - 1 else "" for i, c in enumerate(cells)])


def moved_rows(marks: TabMarks, write: MarksWrite, before: TabState, now: TabState) -> str | None:
    """Why ``write``, planned on ``before``, would be unsafe on ``now`` (None: it is safe).

    Safe means: the same tab, the status column's anchor where it was (or, for a new
    column, still nobody's), the header row unchanged, and every row the write touches
    holding what it held (its cells outside the status column).
    """
    col = marks.column
    if now.meta.sheet_id != before.meta.sheet_id:
        return f"the tab {marks.tab} was replaced"
    anchors = dict(now.meta.anchors)
    if not write.new_anchor and anchors.get(write.anchor) != col:
        return f"the status column of {marks.tab} moved"
    if write.new_anchor:
        if any(c == col for c in anchors.values()):
            return f"another status column appeared in {marks.tab}"
        header = thai.clean_text(cell_at(now.grid, marks.header_row, col))
        taken = [r for r in range(1, len(now.grid) + 1) if r != marks.header_row
                 and thai.clean_text(cell_at(now.grid, r, col))]  # fmt: skip
        if header not in ("", marks.header) or taken:
            return f"someone typed in column {col} of {marks.tab}, where the status column goes"
    for row in {marks.header_row, *write.rows}:
        if _row_print(before.grid, row, col) != _row_print(now.grid, row, col):
            return f"row {row} of {marks.tab} no longer holds what was read"
    return None


def locked(write: MarksWrite, meta: TabMeta) -> bool:
    """Whether a range protected against the bot covers a cell this write sets."""
    for r0, r1, c0, c1 in meta.locked:
        for row, col in write.cells:
            if r0 < row <= (r1 if r1 is not None else row) and c0 < col <= (
                c1 if c1 is not None else col
            ):
                return True
    return False


def marks_digest(marks: TabMarks) -> str:
    """What a district tab's marks come to (column, header, statuses, highlights), as a
    short digest: the bot keeps the last one it wrote, so a plan that brings the same
    marks to a tab nobody changed since is not written again."""
    text = repr((marks.tab, marks.header_row, marks.column, marks.header,
                 sorted(marks.status.items()),
                 [(h.row, h.column, h.severity) for h in marks.highlights]))  # fmt: skip
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()
