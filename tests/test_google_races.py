"""People restructure a district tab while the bot is between its read and its writes.

Each kind of structural edit (columns and rows inserted, deleted, moved; a sort; a filter
that sorts) is made just before each of the bot's requests of a cycle that writes: its
Drive check, its read of the province (with the rows of its bot tabs, as people changed that
spreadsheet), the province's batchUpdate, the write of the statuses and the national
batchUpdate. Afterwards every cell a person owns (value and own
colour) is exactly as the person left it, and after the following cycle every status is on
the row it describes: an edit made at any moment of a cycle, even beside the bot's own
writes, makes the next cycle read the spreadsheet again.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_sheets import FakeSheets
from tests.factories import HEADERS
from tests.races import person_view, status_errors
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

TAB = "อำเภอภูเขียว"
STATUS = len(HEADERS) + 1
IDENTITY = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
PHONE = HEADERS.index("โทรศัพท์") + 1

Edit = Callable[[FakeSheets, str], None]
EDITS: dict[str, Edit] = {
    "insert a column left of the status column": lambda f, s: f.insert_columns(s, TAB, STATUS),
    "insert a column among the data": lambda f, s: f.insert_columns(s, TAB, 2, 2),
    "delete a person's column": lambda f, s: f.delete_columns(s, TAB, PHONE),
    "move a column right of the status column": lambda f, s: f.move(
        s, TAB, "COLUMNS", 2, 1, STATUS + 1
    ),
    "move the status column to the front": lambda f, s: f.move(s, TAB, "COLUMNS", STATUS, 1, 1),
    "delete the status column": lambda f, s: f.delete_columns(s, TAB, STATUS),
    "insert rows above the data": lambda f, s: f.insert_rows(s, TAB, 2, 2),
    "delete a row": lambda f, s: f.delete_rows(s, TAB, 2),
    "move a row up": lambda f, s: f.move(s, TAB, "ROWS", 4, 1, 2),
    "sort the rows": lambda f, s: f.sort(s, TAB, (2, 4), (1, STATUS), IDENTITY, descending=True),
    "sort the rows but not the status column": lambda f, s: f.sort(
        s, TAB, (2, 4), (1, STATUS - 1), IDENTITY, descending=True
    ),
    "turn on a filter that sorts": lambda f, s: f.set_filter(s, TAB, 1, sort_by=PHONE),
    "type into a row": lambda f, s: f.set_values(s, TAB, "B3", [["นครราชสีมา"]]),
}


def _before(fake: FakeSheets, kind: str, nth: int, action: Callable[[FakeSheets], None]) -> None:
    """Run ``action`` just before the ``nth`` request of ``kind`` from now (1-based)."""
    seen = [0]

    def hook(f: FakeSheets) -> None:
        seen[0] += 1
        if seen[0] == nth:
            action(f)
        else:
            f.before_next(hook, kind=kind)

    fake.before_next(hook, kind=kind)


def _world(fake: FakeSheets) -> tuple[GoogleWorld, str]:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    province = world.ids["province"]
    world.sync()
    # A person coloured two cells; a fix makes the next cycle write statuses and colours.
    world.paint("province", TAB, 2, PHONE)
    world.paint("province", TAB, 4, IDENTITY)
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    return world, province


# The changed cycle's requests (checked on an untouched copy of the same cycle below).
STEPS = {
    "Drive check": ("drive.changes.list", 1),
    "read": ("spreadsheets.get", 1),
    "batchUpdate": ("spreadsheets.batchUpdate", 1),
    "status write": ("values.batchUpdateByDataFilter", 1),
    "national write": ("spreadsheets.batchUpdate", 2),
}


@pytest.mark.parametrize("step", list(STEPS))
@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_between_read_and_write_changes_no_person_cell(
    fake: FakeSheets, edit: str, step: str
) -> None:
    world, province = _world(fake)
    seen: dict[str, object] = {}

    def person(f: FakeSheets) -> None:
        EDITS[edit](f, province)
        seen["after edit"] = person_view(f, province, TAB)

    _before(fake, *STEPS[step], person)
    report = world.sync()
    assert "after edit" in seen, "the edit never happened"
    assert person_view(fake, province, TAB) == seen["after edit"]
    assert world.ids["national"] not in {a.spreadsheet for a in report.skipped}
    world.sync()  # the following cycle
    assert status_errors(world) == []
    assert person_view(fake, province, TAB) == seen["after edit"]


def test_the_requests_of_a_changed_cycle_are_as_the_race_test_assumes(fake: FakeSheets) -> None:
    world, _ = _world(fake)
    fake.reset_counts()
    world.sync()
    kinds = [r.kind for r in fake.requests]
    assert kinds == ["drive.changes.list", "spreadsheets.get", "spreadsheets.batchUpdate",
                     "values.batchUpdateByDataFilter", "spreadsheets.batchUpdate"]  # fmt: skip
