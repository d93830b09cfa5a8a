"""Find the form in a tab and read its rows, whatever people did to the layout.

Staff reorder columns, add their own, put a title above the table, misspace headers and
paste zero-width characters; none of that may stop the bot. What cannot be read becomes a
tab-level problem, never an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from bot import problems, thai
from bot.config import Form, SourceTab
from bot.form_fields import FIELDS, LEGACY_STATUS_HEADERS, STATUS_HEADER
from bot.model import Cell, Problem, TabData
from bot.sheets import column_letter

# A header row must match at least this many form headers: one stray match in a title
# row ("จังหวัด") must not be mistaken for the header.
MIN_HEADER_MATCHES = 3

# What most rows keep as `raw`: one shared, read-only empty mapping, not one dict a row.
NO_RAW: Mapping[str, Cell] = MappingProxyType({})

# The last column a sheet has (Excel's XFD; Google Sheets allows a little more).
MAX_COLUMN = 16_384

# How every status the bot writes begins (see rollup.status_text). A column with the status
# header but no mark of the bot's, holding nothing else, is one an earlier version of the
# bot wrote before it marked its columns: the bot takes it back rather than add another.
BOT_STATUS_PREFIXES = ("ครบถ้วน", "ต้องแก้ไข")


@dataclass(slots=True)
class ParsedRow:
    """One non-blank data row of a district tab (slots: a cycle holds one per row)."""

    source: SourceTab
    row: int  # 1-based sheet row
    text: dict[str, str]  # cleaned text of each field whose column exists
    # The report month's cell as read when it is not text (a date or a number), to be
    # parsed from that; a text cell is read from `text`, so most rows keep nothing here.
    raw: Mapping[str, Cell]
    columns: dict[str, int]  # 1-based column of each field
    # The row's cells as cleaned text, status column blanked: what its status was computed
    # from. A backend that cannot lock the sheet compares it after writing.
    fingerprint: tuple[str, ...] = ()


@dataclass
class ParsedTab:
    """A district tab after the form was located in it."""

    source: SourceTab
    present: bool
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)
    status_column: int | None = None
    status_is_new: bool = False
    rows: list[ParsedRow] = field(default_factory=list)
    height: int = 0  # rows in the grid
    # Rows below the header whose status cell holds something, so stale ones get cleared.
    status_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """Whether a tab-level error stops every row of this tab from being complete."""
        return any(p.severity == "error" for p in self.problems)


# The header keys of the form last parsed with: a cycle parses its ~900 tabs with one form
# (a config cannot change once loaded), and working them out took 10 us a tab.
_FORM_KEYS: list[tuple[Form, dict[str, str]]] = []


def _header_keys(form: Form) -> dict[str, str]:
    last = _FORM_KEYS[0] if _FORM_KEYS else None  # read once: another thread may replace it
    if last is not None and last[0] is form:
        return last[1]
    keys: dict[str, str] = {}
    for spec in FIELDS:
        for name in form.header_names(spec.key):
            keys.setdefault(thai.header_key(name), spec.key)
    _FORM_KEYS[:] = [(form, keys)]
    return keys


def parse_tab(
    source: SourceTab, data: TabData, form: Form, texts: thai.CleanTexts | None = None
) -> ParsedTab:
    """Locate the header row and read every non-blank row of a district tab (`texts`:
    the cleaned texts known so far, shared by the tabs of a cycle)."""
    tab = ParsedTab(source=source, present=data.grid is not None)
    if data.grid is None:
        tab.problems.append(_tab_problem(source, "MISSING_TAB", tab=source.tab))
        return tab
    grid = data.grid
    tab.height = len(grid)
    keys = _header_keys(form)
    status_keys = {thai.header_key(form.status_header)}
    if form.status_header == STATUS_HEADER:
        # A sheet from before the default header was renamed: its column is still ours.
        status_keys |= {thai.header_key(h) for h in LEGACY_STATUS_HEADERS}

    header_index, matches = _find_header(grid, keys, form.header_search_rows)
    if header_index is None:
        tab.problems.append(_tab_problem(source, "NO_HEADER", rows=form.header_search_rows))
        return tab
    tab.header_row = header_index + 1

    found: dict[str, list[int]] = {}
    for col, key in matches:
        found.setdefault(key, []).append(col)
    status_column = _status_column(tab, data, header_index, status_keys, form.status_header)
    tab.columns = {key: cols[0] for key, cols in found.items()}
    for key, cols in found.items():
        if len(cols) > 1:
            tab.problems.append(
                _tab_problem(
                    source,
                    "DUPLICATE_COLUMN",
                    header=form.display_header(key),
                    columns=", ".join(column_letter(c) for c in cols),
                )
            )
    for spec in FIELDS:
        if spec.required and spec.key not in tab.columns:
            tab.problems.append(
                _tab_problem(
                    source,
                    "MISSING_COLUMN",
                    header=form.display_header(spec.key),
                    header_row=tab.header_row,
                )
            )

    if status_column is None:
        # Right of everything anyone typed in any row, so the new column overwrites nothing.
        used = 0
        for cells in grid:
            if len(cells) > used:  # a row no longer than the widest so far cannot widen it
                used = max(used, _last_used(cells))
        status_column = used + 1
        tab.status_is_new = True
        if status_column > MAX_COLUMN:
            # Never past the sheet's last column: the rows are checked, nothing is written.
            tab.problems.append(_tab_problem(source, "NO_ROOM_FOR_STATUS", tab=source.tab))
            status_column = MAX_COLUMN + 1
    tab.status_column = status_column if status_column <= MAX_COLUMN else None

    skip = status_column - 1
    # A C-level lookup per cell: `map` does a row in half the time of a comprehension.
    clean = (thai.CleanTexts() if texts is None else texts).__getitem__
    places = [(key, col - 1) for key, col in tab.columns.items()]
    width = max(tab.columns.values(), default=0)
    month = tab.columns.get("report_month", 0) - 1  # -1: no month column
    for index in range(header_index + 1, len(grid)):
        cells = grid[index]
        if not cells:
            continue  # blank rows are many in a tab with a stray far-away cell: keep it cheap
        if skip < len(cells) and cells[skip] not in (None, ""):
            tab.status_rows.append(index + 1)
        cleaned = list(map(clean, cells))
        if skip < len(cleaned):
            cleaned[skip] = ""
        if not any(cleaned):
            continue
        row_print = fingerprint(cleaned)
        if len(cleaned) < width:  # a short row: the missing cells are empty
            cleaned += [""] * (width - len(cleaned))
        text = {key: cleaned[i] for key, i in places}
        cell = cells[month] if 0 <= month < len(cells) else None
        raw = NO_RAW if cell is None or cell.__class__ is str else {"report_month": cell}
        tab.rows.append(ParsedRow(source, index + 1, text, raw, tab.columns, row_print))
    return tab


def _status_column(
    tab: ParsedTab, data: TabData, header_index: int, status_keys: set[str], header: str
) -> int | None:
    """The bot's status column in the header row, if it has one.

    A backend that marks the bot's column (xlsx) says which one it is; any other column
    with the status header is a person's: it is reported and never written. Without
    marks, the column is found by its header.
    """
    grid = data.grid or []
    named = [
        col
        for col, cell in enumerate(grid[header_index], start=1)
        if thai.header_key(cell) in status_keys
    ]
    if not data.marks_known:
        return named[0] if named else None
    header_cells = grid[header_index]
    marked = data.bot_column
    at_mark = header_cells[marked - 1] if marked and marked - 1 < len(header_cells) else None
    if marked and (at_mark in (None, "") or marked in named):
        # The bot's by its mark, even if someone cleared (or merged away) its header; a
        # header a person typed over it makes the column theirs.
        ours: int | None = marked
    else:
        ours = next((c for c in named if _only_statuses(grid, header_index, c)), None)
    for col in named:
        if col != ours:
            tab.problems.append(
                _tab_problem(
                    tab.source, "STATUS_COLUMN_TAKEN", header=header, column=column_letter(col)
                )
            )
    return ours


def _only_statuses(grid: list[list[Cell]], header_index: int, col: int) -> bool:
    """Whether every cell below the header in `col` is empty or a status the bot wrote."""
    for cells in grid[header_index + 1 :]:
        value = cells[col - 1] if col - 1 < len(cells) else None
        if value in (None, ""):
            continue
        if not (isinstance(value, str) and value.startswith(BOT_STATUS_PREFIXES)):
            return False
    return True


def fingerprint(cleaned: list[str]) -> tuple[str, ...]:
    """A row's cleaned cells without trailing blanks, so padding never makes rows differ."""
    if cleaned and cleaned[-1]:
        return tuple(cleaned)  # most rows: no copy to slice
    end = len(cleaned)
    while end and not cleaned[end - 1]:
        end -= 1
    return tuple(cleaned[:end])


_KEYS = thai.HeaderKeys()  # grows by the distinct texts of tabs' first rows: bounded below


def _find_header(
    grid: list[list[Cell]], keys: dict[str, str], search_rows: int
) -> tuple[int | None, list[tuple[int, str]]]:
    best: tuple[int | None, list[tuple[int, str]]] = (None, [])
    if len(_KEYS) > 100_000:
        _KEYS.clear()
    known, header_key = _KEYS, thai.header_key
    every = len(set(keys.values()))
    for index, cells in enumerate(grid[:search_rows]):
        matches = [
            (col, keys[k])
            for col, cell in enumerate(cells, start=1)
            if (k := known[cell] if cell.__class__ is str else header_key(cell)) in keys
        ]
        found = len({key for _, key in matches})
        if found > len({key for _, key in best[1]}):
            best = (index, matches)
            if found == every:
                break  # no row below can match more headers than every one
    if len({key for _, key in best[1]}) < MIN_HEADER_MATCHES:
        return None, []
    return best


def _last_used(cells: list[Cell]) -> int:
    for i in range(len(cells) - 1, -1, -1):
        if cells[i] is not None and cells[i] != "":
            return i + 1
    return 0


def _tab_problem(source: SourceTab, code: str, **values: object) -> Problem:
    return Problem(
        spreadsheet=source.spreadsheet,
        tab=source.tab,
        row=None,
        column=None,
        field=None,
        code=code,
        severity=problems.severity(code),
        message=problems.message(code, **values),
    )
