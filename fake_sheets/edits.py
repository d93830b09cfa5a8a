"""What people do in the Sheets UI while a client works, as `FakeSheets` methods: type,
insert, delete and move rows or columns, sort, filter, rename a tab, protect a range,
change how the spreadsheet is shared, or switch the API off in the Cloud project.

Each edit goes straight to the store under the server's lock (no HTTP, no quota), so a
test can make it "between two requests" with `FakeSheets.before_next`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from . import a1, dimensions
from .cells import normalise_format
from .model import Sheet, Spreadsheet
from .routes import Store
from .values_api import write_block


class PersonEdits:
    """The edit helpers; mixed into `FakeSheets`, which provides the lock and the store."""

    _lock: threading.RLock
    _store: Store

    def _tab(self, spreadsheet_id: str, tab: str) -> tuple[Spreadsheet, Sheet]:
        ss = self._store.spreadsheets[spreadsheet_id]
        sheet = ss.sheet_by_title(tab)
        if sheet is None:
            raise KeyError(f"no tab {tab!r} in spreadsheet {spreadsheet_id}")
        return ss, sheet

    def set_values(
        self,
        spreadsheet_id: str,
        tab: str,
        start: str,
        rows: Sequence[Sequence[Any]],
        value_input: str = "USER_ENTERED",
    ) -> None:
        """Type a block of values starting at cell ``start`` (e.g. ``"B2"``)."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            window = a1.parse_window(start)
            write_block(
                sheet, window.start_row, window.start_col, [list(r) for r in rows], value_input
            )
            ss.touch()

    def insert_rows(
        self, spreadsheet_id: str, tab: str, row: int, rows: Sequence[Sequence[Any]] | int = 1
    ) -> None:
        """Insert rows before 1-based ``row`` (filled with ``rows`` if given, else empty)."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            count = rows if isinstance(rows, int) else len(rows)
            sheet.shift("ROWS", row - 1, count)
            if not isinstance(rows, int):
                write_block(sheet, row - 1, 0, [list(r) for r in rows], "USER_ENTERED")
            ss.touch()

    def delete_rows(self, spreadsheet_id: str, tab: str, row: int, count: int = 1) -> None:
        """Delete ``count`` rows starting at 1-based ``row``."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            sheet.shift("ROWS", row - 1, -count)
            ss.touch()

    def insert_columns(self, spreadsheet_id: str, tab: str, column: int, count: int = 1) -> None:
        """Insert empty columns before 1-based ``column``."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            sheet.shift("COLUMNS", column - 1, count)
            ss.touch()

    def delete_columns(self, spreadsheet_id: str, tab: str, column: int, count: int = 1) -> None:
        """Delete ``count`` columns starting at 1-based ``column``."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            sheet.shift("COLUMNS", column - 1, -count)
            ss.touch()

    def move(  # noqa: PLR0917 - where, what, how many, to where
        self, spreadsheet_id: str, tab: str, dimension: str, first: int, count: int, before: int
    ) -> None:
        """Drag ``count`` rows or columns (``dimension`` ROWS or COLUMNS) starting at 1-based
        ``first`` to just before 1-based ``before`` (counted before they are taken out)."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            size = sheet.rows if dimension == "ROWS" else sheet.cols
            start, end, destination = first - 1, first - 1 + count, before - 1
            if not (start <= destination <= end):
                order = dimensions.move_order(size, start, end, destination)
                sheet.permute(dimension, order)
            ss.touch()

    def sort(
        self,
        spreadsheet_id: str,
        tab: str,
        rows: tuple[int, int],
        columns: tuple[int, int],
        by: int,
        *,
        descending: bool = False,
    ) -> None:
        """Sort 1-based rows ``rows[0]..rows[1]`` over columns ``columns[0]..columns[1]``
        (inclusive) by 1-based column ``by``, as Data > Sort range does."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            box = (rows[0] - 1, rows[1], columns[0] - 1, columns[1])
            order = "DESCENDING" if descending else "ASCENDING"
            dimensions.sort_rows(ss, sheet, box, [{"dimensionIndex": by - 1, "sortOrder": order}])
            ss.touch()

    def set_filter(
        self, spreadsheet_id: str, tab: str, header_row: int, sort_by: int | None = None
    ) -> None:
        """Turn on the basic filter over the tab from 1-based ``header_row`` down, sorting by
        1-based column ``sort_by`` if given."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            rng: dict[str, Any] = {"startRowIndex": header_row - 1} if header_row > 1 else {}
            if sheet.sheet_id:
                rng["sheetId"] = sheet.sheet_id
            given: dict[str, Any] = {"range": rng}
            if sort_by is not None:
                given["sortSpecs"] = [{"dimensionIndex": sort_by - 1, "sortOrder": "ASCENDING"}]
                dimensions.sort_rows(
                    ss, sheet, (header_row, sheet.rows, 0, sheet.cols), given["sortSpecs"]
                )
            sheet.basic_filter = given
            ss.touch()

    def paint(
        self, spreadsheet_id: str, tab: str, cell: str, colour: dict[str, float] | None = None
    ) -> None:
        """Give a cell a background colour (light green by default), as Fill colour does."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            window = a1.parse_window(cell)
            found = sheet.cell(window.start_row, window.start_col)
            fmt = dict(found.fmt or {})
            fmt["backgroundColor"] = colour or {"red": 0.8, "green": 1.0, "blue": 0.8}
            found.fmt = normalise_format(fmt)
            ss.touch()

    def rename_tab(self, spreadsheet_id: str, tab: str, new_title: str) -> None:
        """Rename a tab."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            sheet.props["title"] = new_title
            ss.touch()

    def protect(
        self,
        spreadsheet_id: str,
        tab: str,
        cells: str | None = None,
        *,
        editors: Sequence[str] = ("owner@example.org",),
        warning_only: bool = False,
    ) -> int:
        """Protect an A1 range (the whole tab if None) so only ``editors`` may change it;
        returns the protectedRangeId."""
        with self._lock:
            ss, sheet = self._tab(spreadsheet_id, tab)
            rng: dict[str, Any] = {"sheetId": sheet.sheet_id} if sheet.sheet_id else {}
            if cells is not None:
                r0, r1, c0, c1 = ss.box(sheet, a1.parse_window(cells), cells)
                rng.update(startRowIndex=r0, endRowIndex=r1, startColumnIndex=c0,
                           endColumnIndex=c1)  # fmt: skip
                rng = {k: v for k, v in rng.items() if v or k.startswith("end")}
            protection_id = self._store.ids.number()
            sheet.protected.append({
                "protectedRangeId": protection_id,
                "range": rng,
                "warningOnly": warning_only,
                "requestingUserCanEdit": self._store.caller in editors or warning_only,
                "editors": {"users": list(editors)},
            })  # fmt: skip
            ss.touch()
            return protection_id

    def set_role(self, spreadsheet_id: str, role: str | None) -> None:
        """How the spreadsheet is shared with the caller: "writer" (Editor), "reader"
        (Viewer; writes answer 403), "commenter", or None (not shared: 403, Drive 404)."""
        with self._lock:
            self._store.spreadsheets[spreadsheet_id].role = role

    def set_shared(self, spreadsheet_id: str, shared: bool) -> None:
        """Shared as Editor, or not at all (403 from Sheets, 404 from Drive)."""
        self.set_role(spreadsheet_id, "writer" if shared else None)

    def disable_api(self, service: str = "sheets.googleapis.com") -> None:
        """Switch an API off in the caller's Cloud project: every request to it answers
        403 SERVICE_DISABLED (``drive.googleapis.com`` for Drive)."""
        with self._lock:
            self._store.disabled.add(service)

    def enable_api(self, service: str = "sheets.googleapis.com") -> None:
        """Switch an API back on."""
        with self._lock:
            self._store.disabled.discard(service)
