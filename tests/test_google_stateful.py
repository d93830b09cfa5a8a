"""A stateful property test: people edit district tabs at every step of the bot's cycles.

Hypothesis drives a `RuleBasedStateMachine` over a province spreadsheet in the fake: people
type, paint cells, insert, delete and move rows and columns, sort, filter, rename tabs and
delete the status column, either between cycles or just before any of the bot's requests
inside a cycle (after its read, between its writes). Invariants, checked after every step:

* every cell a person owns (value or formula, own colour, note) is exactly as people left
  it, following their own moves: the bot changed none;
* after a cycle nobody interfered with, every status is on the row it describes.

CI runs 50 machines, over 1,000 edits made inside cycles (about 40 s); set
SOFTPOWER_STATEFUL_EXAMPLES=400 for a longer run (several minutes, over 10,000 such edits).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fake_sheets import FakeSheets
from tests.factories import HEADERS, row
from tests.races import person_view, status_columns, status_errors
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

TABS = ("อำเภอบ้านเขว้า", "อำเภอภูเขียว", "อำเภอคอนสาร")
KINDS = (
    "type", "type", "paint", "insert rows", "delete rows", "move rows", "insert columns",
    "delete columns", "move columns", "sort", "filter", "rename", "delete status column",
)  # fmt: skip
TYPED = ("ข้าวหลาม", "", "ภูเขียว", "https://fb.watch/z9", "0812345678", "=1+1", "ธ.ค. 2567", 42)
WIDTH = len(HEADERS) + 2

FIRED: list[str] = []  # edits made inside a cycle, over the whole run


Edit = tuple[int, str, int, int]  # tab id, kind, two numbers saying where


def person_edit(fake: FakeSheets, key: str, edit: Edit) -> None:
    """One thing a person does to a tab (found by id: it may have been renamed)."""
    sheet_id, kind, a, b = edit
    found = next(s for s in fake.spreadsheet(key).sheets if s.sheet_id == sheet_id)
    tab = found.title
    bot = status_columns(fake, key, tab)
    column = next(c for c in range(b, b + 4) if c - 1 not in bot)
    cell = f"{chr(64 + column)}{a + 1}"
    if kind == "type":
        fake.set_values(key, tab, cell, [[TYPED[(a * 7 + b) % len(TYPED)]]])
    elif kind == "paint":
        fake.paint(key, tab, cell)
    elif kind == "insert rows":
        fake.insert_rows(key, tab, a + 1, 1 + b % 2)
    elif kind == "delete rows":
        fake.delete_rows(key, tab, a + 1, 1 + b % 2)
    elif kind == "move rows":
        fake.move(key, tab, "ROWS", a + 1, 1, 2 + b % 5)
    elif kind == "insert columns":
        fake.insert_columns(key, tab, b)
    elif kind == "delete columns":
        fake.delete_columns(key, tab, column)
    elif kind == "move columns":
        fake.move(key, tab, "COLUMNS", b, 1, 1 + (a * 5) % WIDTH)
    elif kind == "sort":
        fake.sort(key, tab, (2, 7), (1, WIDTH), column, descending=a % 2 == 1)
    elif kind == "filter":
        fake.set_filter(key, tab, 1, sort_by=column)
    elif kind == "rename":
        fake.rename_tab(key, tab, tab[:-4] if tab.endswith("เดิม") else f"{tab} เดิม")
    elif kind == "delete status column" and bot:
        fake.delete_columns(key, tab, min(bot) + 1)


class PeopleAndTheBot(RuleBasedStateMachine):
    """People editing a province's district tabs while the bot syncs."""

    fake: FakeSheets

    def __init__(self) -> None:
        super().__init__()
        tabs = default_tabs()
        tabs["อำเภอคอนสาร"] += [row(district="คอนสาร", identity=f"ผ้าทอ {n}") for n in range(3)]
        self.world = GoogleWorld(self.fake)
        self.world.make(tabs)
        self.key = self.world.ids["province"]
        self.ids = [s.sheet_id for s in self.fake.spreadsheet(self.key).sheets]
        self.expected = self._view()

    def _view(self) -> dict[int, dict[tuple[int, int], Any]]:
        out = {}
        for sheet in self.fake.spreadsheet(self.key).sheets:
            if sheet.sheet_id in self.ids:
                out[sheet.sheet_id] = person_view(self.fake, self.key, sheet.title)
        return out

    def _edit(self, f: FakeSheets, edit: Edit) -> None:
        person_edit(f, self.key, edit)
        self.expected[edit[0]] = person_view(f, self.key, self._title(edit[0]))

    def _title(self, sheet_id: int) -> str:
        return next(s.title for s in self.fake.spreadsheet(self.key).sheets
                    if s.sheet_id == sheet_id)  # fmt: skip

    @rule(edits=st.lists(st.tuples(st.integers(1, 6), st.integers(0, 2), st.sampled_from(KINDS),
                                   st.integers(1, 6), st.integers(1, WIDTH - 1)),
                         min_size=3, max_size=6))  # fmt: skip
    def cycle(self, edits: list[tuple[int, int, str, int, int]]) -> None:
        """The bot syncs while people edit just before some of its requests (the first is
        its read of the province; later ones its writes); edits planned for a step the
        cycle never reaches happen after it, between two cycles."""
        start = len(self.fake.requests)
        pending = sorted(edits)

        def hook(f: FakeSheets) -> None:
            while pending and len(f.requests) - start >= pending[0][0] - 1:
                _, tab, kind, a, b = pending.pop(0)
                self._edit(f, (self.ids[tab], kind, a, b))
                FIRED.append(kind)
            if pending:
                f.before_next(hook)

        self.fake.before_next(hook)
        self.world.sync()
        self.fake.clear_hooks()
        for _, tab, kind, a, b in pending:  # the cycle ended before their step came
            self._edit(self.fake, (self.ids[tab], kind, a, b))

    @rule()
    def quiet_cycle(self) -> None:
        """A cycle nobody interferes with: afterwards every status is on its row."""
        self.world.sync()
        assert status_errors(self.world) == []

    @invariant()
    def no_person_cell_changed(self) -> None:
        """What people own is as they left it."""
        now = self._view()
        changed = [
            f"{self._title(tab)} {cell}: {now[tab].get(cell)} not {self.expected[tab].get(cell)}"
            for tab in now
            for cell in sorted(set(now[tab]) | set(self.expected[tab]))
            if now[tab].get(cell) != self.expected[tab].get(cell)
        ]
        assert changed == [], changed


def _run(fake: FakeSheets, examples: int) -> None:
    PeopleAndTheBot.fake = fake
    FIRED.clear()
    PeopleAndTheBot.TestCase.settings = settings(
        max_examples=examples,
        stateful_step_count=16,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    PeopleAndTheBot.TestCase().runTest()


@pytest.fixture
def quiet_fake() -> Iterator[FakeSheets]:
    """One fake for all examples (each makes its own spreadsheets), generous quotas."""
    with FakeSheets(read_per_minute=10**6, write_per_minute=10**6,
                    project_per_minute=10**6) as fake:  # fmt: skip
        yield fake
        assert fake.errors == []


@pytest.mark.slow
def test_people_and_the_bot_at_every_step(quiet_fake: FakeSheets) -> None:
    examples = int(os.environ.get("SOFTPOWER_STATEFUL_EXAMPLES", "50"))
    _run(quiet_fake, examples)
    print(f"stateful: {examples} runs, {len(FIRED)} edits made inside the bot's cycles")
    assert len(FIRED) >= 500
