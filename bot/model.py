"""Plain data that flows between the layers: cells, rows, problems and write plans.

Nothing here does I/O. A backend turns spreadsheets into `TabData`; the core turns those
into `Problem`s and a `SheetPlan` per spreadsheet; a backend applies the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.presentation import ChartSpec, Layout

Cell = str | int | float | bool | datetime | date | None
Severity = Literal["error", "warning"]


@dataclass
class TabData:
    """One tab as a backend read it: a grid of cell values, or None when the tab is absent."""

    spreadsheet: str
    tab: str
    grid: list[list[Cell]] | None
    # The column the backend's own mark says the bot made (xlsx: a hidden defined name on
    # its header cell), and whether the backend keeps such marks. When it does, a column
    # that only has the status header's name is a person's and is never written.
    bot_column: int | None = None
    marks_known: bool = False


@dataclass(frozen=True)
class Problem:
    """Something wrong in a sheet: a row's field, a whole row, or a whole tab (row None)."""

    spreadsheet: str
    tab: str
    row: int | None
    column: int | None
    field: str | None
    code: str
    severity: Severity
    message: str

    def as_json(self) -> dict[str, object]:
        """The stable shape scripts parse (see README, `check --json`)."""
        return {
            "spreadsheet": self.spreadsheet,
            "tab": self.tab,
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(frozen=True, init=False)
class Link:
    """The address of one cell, turned into a URL by the backend that owns it."""

    spreadsheet: str
    tab: str
    row: int
    column: int

    def __init__(self, spreadsheet: str, tab: str, row: int, column: int) -> None:
        # A roll-up makes one a row: its fields go straight into the instance's dict
        # (a frozen dataclass's own __init__ makes a call per field to get past
        # __setattr__). Same dict, same order: equal, hashed and pickled as before.
        fields = self.__dict__
        fields["spreadsheet"], fields["tab"], fields["row"] = spreadsheet, tab, row
        fields["column"] = column


@dataclass(frozen=True, init=False)
class LinkedText:
    """A cell whose text links to another cell."""

    text: str
    link: Link

    def __init__(self, text: str, link: Link) -> None:
        fields = self.__dict__  # as in `Link`
        fields["text"], fields["link"] = text, link


OutCell = str | int | float | LinkedText | None


@dataclass(frozen=True)
class Highlight:
    """A cell the bot colours because of a problem."""

    row: int
    column: int
    severity: Severity


@dataclass
class TabMarks:
    """What the bot writes into one source tab: its status column and highlights only.

    `status` has an entry for every data row the tab has now and for every other row whose
    status cell holds something (an empty string clears a stale status); `highlights` is
    the complete set, so highlights no longer listed are removed.
    """

    tab: str
    header_row: int
    column: int
    header: str
    status: dict[int, str]
    highlights: list[Highlight]
    # True when the tab had no status column yet and `column` is a proposal: the backend
    # moves it further right if a cell there holds something the read could not see.
    new_column: bool = False
    # Each status row's fingerprint (see ParsedRow.fingerprint): a backend without locks
    # checks after writing that the row it stamped still holds what was validated.
    fingerprints: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class BotTab:
    """A tab the bot owns and rewrites whole every cycle.

    `layout` and `charts` say how it should look (`bot.presentation`); a backend renders
    what it can of them and ignores the rest.
    """

    name: str
    rows: list[list[OutCell]]
    header_rows: int = 1
    # Columns (0-based) whose widths should be generous: long Thai text.
    wide_columns: tuple[int, ...] = ()
    layout: Layout = field(default_factory=Layout)
    charts: list[ChartSpec] = field(default_factory=list)


@dataclass
class SheetPlan:
    """Everything to write into one spreadsheet in one go."""

    spreadsheet: str
    marks: list[TabMarks] = field(default_factory=list)
    tabs: list[BotTab] = field(default_factory=list)


@dataclass
class ApplyResult:
    """What a backend did with a plan."""

    spreadsheet: str
    written: bool
    conflicts: list[Problem] = field(default_factory=list)
    skipped_reason: str | None = None
