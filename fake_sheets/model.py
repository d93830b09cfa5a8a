"""The fake's data: spreadsheets, their sheets (tabs) and cells, and how they render.

A sheet keeps only the cells that hold something, keyed by zero-based (row, column), so
inserting or deleting rows is a re-keying and a 1000x26 grid costs nothing until used.
Everything a request changes lives in `Spreadsheet`, which `copy()` clones so that a
spreadsheets.batchUpdate can be applied to a copy and committed only if every request
in it succeeded (Google's all-or-nothing rule).
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import a1, defaults
from .cells import Cell, FormulaError, Scalar, format_scalar, json_number, unformatted_scalar
from .errors import ApiError, unparsable_range
from .fieldmask import select
from .formulas import evaluate
from .ranges import set_span, shift_range

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
ROW_PIXELS = 21
COLUMN_PIXELS = 100

# Sheet properties Google leaves out of its answers while they hold their default.
_OMIT_WHEN_DEFAULT: dict[str, Any] = {"hidden": False, "rightToLeft": False}
_GRID_OMIT_WHEN_DEFAULT: dict[str, Any] = {
    "frozenRowCount": 0,
    "frozenColumnCount": 0,
    "hideGridlines": False,
    "rowGroupControlAfter": False,
    "columnGroupControlAfter": False,
}

Box = tuple[int, int, int, int]  # r0, r1, c0, c1: zero-based, end-exclusive


# Drive numbers every change to any file with one growing sequence (the changes feed's
# page tokens are positions in it); one sequence per process is enough for the fake.
_CHANGE_IDS = itertools.count(1)
_last_change = [0]


def next_change() -> int:
    """The id of a new change in Drive's change log."""
    _last_change[0] = next(_CHANGE_IDS)
    return _last_change[0]


def last_change() -> int:
    """The id of the latest change made so far (0 before any)."""
    return _last_change[0]


def now_rfc3339() -> str:
    """The current UTC time as Drive prints it (millisecond precision, ``Z``)."""
    moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class IdMaker:
    """Google-looking ids from a seeded generator, so runs are repeatable."""

    _ALPHABET = string.ascii_letters + string.digits + "-_"

    def __init__(self, seed: int = 20240217) -> None:
        self._rng = random.Random(seed)

    def spreadsheet_id(self) -> str:
        """44 characters, like Google's file ids."""
        return "1" + "".join(self._rng.choice(self._ALPHABET) for _ in range(43))

    def number(self) -> int:
        """A positive 31-bit id (sheetId, protectedRangeId, metadataId)."""
        return self._rng.randint(1, 2**31 - 1)

    def fresh_number(self, taken: Callable[[int], bool]) -> int:
        """A number id not ``taken`` (collisions are rare; the loop is bounded anyway)."""
        for _ in range(1000):
            candidate = self.number()
            if not taken(candidate):
                return candidate
        raise RuntimeError("no free id after 1000 tries")

    def fresh_spreadsheet_id(self, taken: Callable[[str], bool]) -> str:
        """A spreadsheet id not ``taken``."""
        for _ in range(1000):
            candidate = self.spreadsheet_id()
            if not taken(candidate):
                return candidate
        raise RuntimeError("no free id after 1000 tries")


@dataclass
class Sheet:
    """One tab: its properties as the API spells them, cells, protections, metadata."""

    props: dict[str, Any]
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    protected: list[dict[str, Any]] = field(default_factory=list)
    # Sheet-level developer metadata, and metadata on single rows or columns (whose
    # dimensionRange moves with them, as in Sheets).
    metadata: list[dict[str, Any]] = field(default_factory=list)
    basic_filter: dict[str, Any] | None = None
    conditional: list[dict[str, Any]] = field(default_factory=list)  # rules, first wins
    filter_views: list[dict[str, Any]] = field(default_factory=list)  # see `objects`
    charts: list[dict[str, Any]] = field(default_factory=list)  # placed over this tab

    @classmethod
    def new(
        cls,
        sheet_id: int,
        title: str,
        index: int,
        rows: int = DEFAULT_ROWS,
        cols: int = DEFAULT_COLUMNS,
    ) -> Sheet:
        """A fresh GRID sheet."""
        grid = {"rowCount": rows, "columnCount": cols}
        props = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        return cls(props)

    @property
    def sheet_id(self) -> int:
        """The numeric sheetId."""
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        """The tab's name."""
        return str(self.props["title"])

    @property
    def rows(self) -> int:
        """gridProperties.rowCount."""
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        """gridProperties.columnCount."""
        return int(self.props["gridProperties"]["columnCount"])

    def properties_json(self) -> dict[str, Any]:
        """Sheet properties as Google prints them (defaults left out)."""
        out = copy.deepcopy(self.props)
        for key, default in _OMIT_WHEN_DEFAULT.items():
            if out.get(key, default) == default:
                out.pop(key, None)
        grid = out.get("gridProperties", {})
        for key, default in _GRID_OMIT_WHEN_DEFAULT.items():
            if grid.get(key, default) == default:
                grid.pop(key, None)
        return out

    def cell(self, row: int, col: int) -> Cell:
        """The cell at (row, col), created if absent."""
        found = self.cells.get((row, col))
        if found is None:
            found = self.cells[(row, col)] = Cell()
        return found

    def prune(self, row: int, col: int) -> None:
        """Drop the cell if nothing is left in it."""
        found = self.cells.get((row, col))
        if found is not None and found.is_blank():
            del self.cells[(row, col)]

    def extent(self) -> tuple[int, int]:
        """(rows, cols) spanned by cells that hold a value."""
        used = [key for key, c in self.cells.items() if c.has_value()]
        if not used:
            return 0, 0
        return max(r for r, _ in used) + 1, max(c for _, c in used) + 1

    def shift(self, dimension: str, start: int, delta: int) -> None:
        """Insert (delta > 0) or delete (delta < 0) rows/columns at ``start``.

        What sits on the rows or columns moves with them: cells, developer metadata on a
        row or column (deleted with it), protected ranges and the basic filter's range.
        """
        axis = 0 if dimension == "ROWS" else 1
        moved: dict[tuple[int, int], Cell] = {}
        for key, cell in self.cells.items():
            pos = key[axis]
            if delta < 0 and start <= pos < start - delta:
                continue  # deleted
            if pos >= start:
                pos += delta
            moved[(pos, key[1]) if axis == 0 else (key[0], pos)] = cell
        self.cells = moved
        grid = self.props["gridProperties"]
        count_key = "rowCount" if axis == 0 else "columnCount"
        grid[count_key] = int(grid[count_key]) + delta

        def index(pos: int) -> int | None:
            if delta < 0 and start <= pos < start - delta:
                return None
            return pos + delta if pos >= start else pos

        kept = []
        for item in self.metadata:
            where = item["location"].get("dimensionRange")
            if where is not None and where.get("dimension") == dimension:
                new = index(int(where.get("startIndex", 0)))
                if new is None:
                    continue  # its row or column was deleted: so is the metadata
                set_span(where, new, new + 1)
            kept.append(item)
        self.metadata = kept
        keys = ("startRowIndex", "endRowIndex") if axis == 0 else (
            "startColumnIndex", "endColumnIndex")  # fmt: skip
        self.protected = [
            p for p in self.protected if shift_range(p.setdefault("range", {}), keys, start, delta)
        ]
        if self.basic_filter is not None and not shift_range(
            self.basic_filter.setdefault("range", {}), keys, start, delta
        ):
            self.basic_filter = None
        for rule in self.conditional:
            rule["ranges"] = [r for r in rule["ranges"] if shift_range(r, keys, start, delta)]
        self.conditional = [rule for rule in self.conditional if rule["ranges"]]
        self.filter_views = [
            v for v in self.filter_views
            if shift_range(v.setdefault("range", {}), keys, start, delta)
        ]  # fmt: skip

    def permute(self, dimension: str, order: list[int]) -> None:
        """Reorder whole rows/columns: ``order[new] = old`` (moveDimension).

        Cells and developer metadata on rows or columns go with their dimension; ranges
        (protection, filter) keep their indices, an approximation of Google's rules.
        """
        axis = 0 if dimension == "ROWS" else 1
        new_of = {old: new for new, old in enumerate(order)}
        moved: dict[tuple[int, int], Cell] = {}
        for key, cell in self.cells.items():
            pos = new_of.get(key[axis], key[axis])
            moved[(pos, key[1]) if axis == 0 else (key[0], pos)] = cell
        self.cells = moved
        for item in self.metadata:
            where = item["location"].get("dimensionRange")
            if where is not None and where.get("dimension") == dimension:
                new = new_of.get(int(where.get("startIndex", 0)), int(where.get("startIndex", 0)))
                set_span(where, new, new + 1)

    def dimension_metadata(
        self,
    ) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
        """Developer metadata on single rows and on single columns, by index."""
        rows: dict[int, list[dict[str, Any]]] = {}
        cols: dict[int, list[dict[str, Any]]] = {}
        for item in self.metadata:
            where = item["location"].get("dimensionRange")
            if where is not None:
                target = rows if where.get("dimension") == "ROWS" else cols
                target.setdefault(int(where.get("startIndex", 0)), []).append(item)
        return rows, cols

    def resize(self, rows: int, cols: int) -> None:
        """Set the grid size; cells outside it are lost (as in Sheets)."""
        self.props["gridProperties"]["rowCount"] = rows
        self.props["gridProperties"]["columnCount"] = cols
        self.cells = {k: v for k, v in self.cells.items() if k[0] < rows and k[1] < cols}
        limits = {"ROWS": rows, "COLUMNS": cols}
        self.metadata = [
            m for m in self.metadata
            if "dimensionRange" not in m["location"]
            or int(m["location"]["dimensionRange"].get("startIndex", 0))
            < limits[m["location"]["dimensionRange"].get("dimension", "ROWS")]
        ]  # fmt: skip


@dataclass
class Spreadsheet:
    """One spreadsheet (one Drive file)."""

    spreadsheet_id: str
    props: dict[str, Any]
    sheets: list[Sheet]
    metadata: list[dict[str, Any]] = field(default_factory=list)
    # The caller's access: "writer" (Editor), "reader" (Viewer) or None (not shared).
    role: str | None = "writer"
    created: str = field(default_factory=now_rfc3339)
    modified: str = field(default_factory=now_rfc3339)
    # Drive's `version` (grows by one with every change: each write request, each edit a
    # person makes) and the id of the file's latest entry in the change log.
    version: int = 1
    change: int = field(default_factory=next_change)

    @classmethod
    def new(
        cls, spreadsheet_id: str, title: str, locale: str = "en_US", time_zone: str = "Etc/GMT"
    ) -> Spreadsheet:
        """A new spreadsheet with one empty ``Sheet1`` (sheetId 0), as Drive creates it."""
        props = {"title": title, "locale": locale, "autoRecalc": "ON_CHANGE", "timeZone": time_zone}
        return cls(spreadsheet_id, props, [Sheet.new(0, "Sheet1", 0)])

    def copy(self) -> Spreadsheet:
        """A deep copy to apply a batch to (committed only if all of it succeeds).

        Cells are copied one by one rather than with deepcopy (10x faster on big sheets);
        their ``fmt`` dicts are shared, which is safe because formats are only ever
        replaced, never changed in place.
        """
        sheets = [
            Sheet(
                copy.deepcopy(s.props),
                {key: cell.copy() for key, cell in s.cells.items()},
                copy.deepcopy(s.protected),
                copy.deepcopy(s.metadata),
                copy.deepcopy(s.basic_filter),
                copy.deepcopy(s.conditional),
                copy.deepcopy(s.filter_views),
                copy.deepcopy(s.charts),
            )
            for s in self.sheets
        ]
        return Spreadsheet(
            self.spreadsheet_id,
            copy.deepcopy(self.props),
            sheets,
            copy.deepcopy(self.metadata),
            self.role,
            self.created,
            self.modified,
            self.version,
            self.change,
        )

    @property
    def shared(self) -> bool:
        """Whether the caller may open it at all (as Viewer or Editor)."""
        return self.role is not None

    def touch(self) -> None:
        """Record a modification: Drive's modifiedTime, version and change log entry."""
        self.modified = now_rfc3339()
        self.version += 1
        self.change = next_change()

    # --- finding sheets -----------------------------------------------------------
    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        """The sheet with this sheetId, if any."""
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        """The sheet with this name; like Sheets, falls back to a case-insensitive match."""
        exact = next((s for s in self.sheets if s.title == title), None)
        if exact is not None:
            return exact
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def reindex(self) -> None:
        """Renumber sheet indexes after adding, deleting or moving a sheet."""
        self.sheets.sort(key=lambda s: int(s.props["index"]))
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    def resolve(self, text: str) -> tuple[Sheet, a1.Window | None]:
        """The sheet and window an A1 range names; 400 "Unable to parse range" if none."""
        try:
            parsed = a1.parse_range(text)
        except a1.A1Error as exc:
            raise unparsable_range(text) from exc
        if parsed.sheet is None:
            return self.sheets[0], parsed.window
        sheet = self.sheet_by_title(parsed.sheet)
        if sheet is None:
            raise unparsable_range(text)
        return sheet, parsed.window

    def box(self, sheet: Sheet, window: a1.Window | None, text: str) -> Box:
        """The window closed and clipped to the grid (reads); 400 if wholly outside it."""
        if window is None:
            return 0, sheet.rows, 0, sheet.cols
        r0, r1, c0, c1 = window.close(sheet.rows, sheet.cols)
        r1, c1 = min(r1, sheet.rows), min(c1, sheet.cols)
        if r0 >= r1 or c0 >= c1:
            raise grid_limits(sheet, text)
        return r0, r1, c0, c1

    # --- values -------------------------------------------------------------------
    def effective(
        self, sheet: Sheet, row: int, col: int, seen: frozenset[tuple[int, int, int]] = frozenset()
    ) -> Scalar | FormulaError | None:
        """The value a cell shows: its constant, or its formula's result."""
        found = sheet.cells.get((row, col))
        if found is None:
            return None
        if found.formula is None:
            return found.value
        key = (sheet.sheet_id, row, col)
        if key in seen:
            return FormulaError("#REF!")
        inner = seen | {key}

        def resolve(name: str | None, r0: int, r1: int, c0: int, c1: int) -> list[list[Any]]:
            target = sheet if name is None else self.sheet_by_title(name)
            if target is None:
                raise KeyError(name)
            return [
                [self.effective(target, r, c, inner) for c in range(c0, c1)] for r in range(r0, r1)
            ]

        return evaluate(found.formula, resolve)

    def render(self, sheet: Sheet, row: int, col: int, value_render: str, date_render: str) -> Any:
        """One cell under valueRenderOption / dateTimeRenderOption; ``""`` if empty."""
        found = sheet.cells.get((row, col))
        if found is None or not found.has_value():
            return ""
        if value_render == "FORMULA" and found.formula is not None:
            return found.formula
        if found.formula is not None:
            value = self.effective(sheet, row, col)
            return (
                format_scalar(value)
                if value_render == "FORMATTED_VALUE"
                else unformatted_scalar(value)
            )
        if value_render == "FORMATTED_VALUE":
            return found.display if found.display is not None else format_scalar(found.value)
        if found.is_date and date_render == "FORMATTED_STRING" and found.display is not None:
            return found.display
        return unformatted_scalar(found.value)

    def read(
        self, sheet: Sheet, box: Box, major: str, value_render: str, date_render: str
    ) -> list[list[Any]]:
        """Values of a box, trimmed as Google trims them (no trailing blanks or rows)."""
        r0, r1, c0, c1 = box
        used_rows, used_cols = sheet.extent()
        r1, c1 = min(r1, used_rows), min(c1, used_cols)
        outer, inner = (range(r0, r1), range(c0, c1))
        if major == "COLUMNS":
            outer, inner = inner, outer
        lines: list[list[Any]] = []
        for o in outer:
            line = [
                self.render(sheet, o, i, value_render, date_render)
                if major != "COLUMNS"
                else self.render(sheet, i, o, value_render, date_render)
                for i in inner
            ]
            while line and line[-1] == "":
                line.pop()
            lines.append(line)
        while lines and not lines[-1]:
            lines.pop()
        return lines

    # --- grid data (spreadsheets.get with ranges / includeGridData) -----------------
    def cell_data(self, sheet: Sheet, row: int, col: int) -> dict[str, Any]:
        """A CellData as Google prints it (effectiveFormat is not modelled)."""
        found = sheet.cells.get((row, col))
        if found is None:
            return {}
        out: dict[str, Any] = {}
        uev = found.user_entered_value()
        if uev is not None:
            out["userEnteredValue"] = uev
            value = self.effective(sheet, row, col)
            out["effectiveValue"] = _effective_value(value)
            out["formattedValue"] = self.render(
                sheet, row, col, "FORMATTED_VALUE", "FORMATTED_STRING"
            )
        if found.fmt:
            out["userEnteredFormat"] = copy.deepcopy(found.fmt)
        if found.note:
            out["note"] = found.note
        if found.validation:
            out["dataValidation"] = copy.deepcopy(found.validation)
        if found.runs:
            out["textFormatRuns"] = copy.deepcopy(found.runs)
        return out

    def grid_data(self, sheet: Sheet, box: Box, cell_mask: Any) -> dict[str, Any]:
        """One GridData: rows of CellData, each row and the row list trimmed like Google."""
        r0, r1, c0, c1 = box
        rows: list[dict[str, Any]] = []
        occupied = {k[0] for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1}
        for r in range(r0, max(occupied, default=r0 - 1) + 1):
            values = []
            if r in occupied:
                values = [select(self.cell_data(sheet, r, c), cell_mask) for c in range(c0, c1)]
            while values and not values[-1]:
                values.pop()
            rows.append({"values": values} if values else {})
        while rows and not rows[-1]:
            rows.pop()
        data: dict[str, Any] = {}
        if r0:
            data["startRow"] = r0
        if c0:
            data["startColumn"] = c0
        if rows:
            data["rowData"] = rows
        on_rows, on_cols = sheet.dimension_metadata()
        data["rowMetadata"] = [_dimension(ROW_PIXELS, on_rows.get(r)) for r in range(r0, r1)]
        data["columnMetadata"] = [_dimension(COLUMN_PIXELS, on_cols.get(c)) for c in range(c0, c1)]
        return data

    def to_json(
        self, grid: dict[int, list[Box]] | None = None, cell_mask: Any = None
    ) -> dict[str, Any]:
        """The Spreadsheet resource; ``grid`` maps sheetId -> boxes to include data for.

        With ``grid`` given only the sheets it names are listed, as Google does when
        spreadsheets.get is called with ``ranges``.
        """
        props = copy.deepcopy(self.props)
        props["defaultFormat"] = defaults.default_format()
        props["spreadsheetTheme"] = defaults.spreadsheet_theme()
        sheets = []
        for sheet in self.sheets:
            if grid is not None and sheet.sheet_id not in grid:
                continue
            entry: dict[str, Any] = {"properties": sheet.properties_json()}
            if grid is not None and grid[sheet.sheet_id]:
                entry["data"] = [
                    self.grid_data(sheet, box, cell_mask) for box in grid[sheet.sheet_id]
                ]
            if sheet.protected:
                entry["protectedRanges"] = copy.deepcopy(sheet.protected)
            if sheet.basic_filter is not None:
                entry["basicFilter"] = copy.deepcopy(sheet.basic_filter)
            if sheet.conditional:
                entry["conditionalFormats"] = copy.deepcopy(sheet.conditional)
            if sheet.filter_views:
                entry["filterViews"] = copy.deepcopy(sheet.filter_views)
            if sheet.charts:
                entry["charts"] = copy.deepcopy(sheet.charts)
            # Metadata on a row or column is listed with that row or column (in `data`).
            own = [m for m in sheet.metadata if m["location"]["locationType"] == "SHEET"]
            if own:
                entry["developerMetadata"] = copy.deepcopy(own)
            sheets.append(entry)
        out: dict[str, Any] = {
            "spreadsheetId": self.spreadsheet_id,
            "properties": props,
            "sheets": sheets,
        }
        if self.metadata:
            out["developerMetadata"] = copy.deepcopy(self.metadata)
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"
        return out


def _dimension(pixels: int, metadata: list[dict[str, Any]] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"pixelSize": pixels}
    if metadata:
        out["developerMetadata"] = copy.deepcopy(metadata)
    return out


_ERROR_TYPES = {
    "#DIV/0!": "DIVIDE_BY_ZERO",
    "#VALUE!": "VALUE",
    "#REF!": "REF",
    "#NAME?": "NAME",
    "#NUM!": "NUM",
    "#N/A": "N_A",
    "#NULL!": "NULL_VALUE",
    "#ERROR!": "ERROR",
}


def _effective_value(value: Scalar | FormulaError | None) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, FormulaError):
        return {
            "errorValue": {"type": _ERROR_TYPES.get(value.code, "ERROR"), "message": value.code}
        }
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, float):
        return {"numberValue": json_number(value)}
    return {"stringValue": value}


def grid_limits(sheet: Sheet, text: str) -> ApiError:
    """400 for a range outside the grid (Google quotes the sheet name in this message)."""
    cells = text.rpartition("!")[2] if "!" in text else text
    shown = f"{a1.always_quoted(sheet.title)}!{cells}"
    return ApiError(
        400,
        f"Range ({shown}) exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}",
    )
