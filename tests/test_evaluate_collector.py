"""The pure part of a cycle and Python's cyclic garbage collector (bot.cycle.evaluate).

The collector is paused while the pure part runs and what it made goes straight to the
oldest generation; these tests pin that the process is left as it was otherwise: the
collector on (or off, if it was), garbage cycles still collected, a caller's frozen
objects still frozen, and the report the same.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot.config import source_tabs
from bot.cycle import CycleReport, evaluate
from bot.model import TabData
from bot.sheets import SheetRead
from tests.factories import TAB, TODAY, config, grid, row


@pytest.fixture
def collector() -> Iterator[None]:
    """Start with nothing frozen; leave the collector on or off as the test found it."""
    enabled = gc.isenabled()
    gc.unfreeze()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:
        gc.disable()


def _evaluate() -> CycleReport:
    cfg = config()
    sources = source_tabs(cfg)
    rows = [row(identity=f"อัตลักษณ์ {n}", post_url=f"https://fb.com/p/{n}") for n in range(50)]
    reads: dict[str, SheetRead] = {}
    for s in sources:  # the rows in their district's tab, the other tabs empty
        read = reads.setdefault(s.spreadsheet, SheetRead(s.spreadsheet, {}))
        cells = grid(*rows) if s.tab == TAB else grid()
        read.tabs[s.tab] = TabData(s.spreadsheet, s.tab, cells)
    return evaluate(cfg, sources, reads, TODAY)


class _Cycle:
    """An object in a reference cycle: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_the_collector_is_on_after_the_pure_part_and_still_collects_cycles(
    collector: None,
) -> None:
    gc.enable()
    _Cycle()  # garbage from before the cycle
    report = _evaluate()
    assert gc.isenabled()
    # The report's objects are counted as long-lived, not left for young passes to walk.
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(report.results[0]) in oldest and id(report.plans[0]) in oldest
    assert len(report.results) == 50 and report.summary.rows_complete == 50
    _Cycle()  # and from after it
    assert gc.collect() >= 2


def test_a_collector_the_caller_turned_off_stays_off(collector: None) -> None:
    gc.disable()
    _evaluate()
    assert not gc.isenabled()


def test_a_callers_frozen_objects_stay_frozen(collector: None) -> None:
    gc.enable()
    mine = [object()]  # tracked by the collector, frozen by the caller
    gc.freeze()
    _evaluate()
    assert gc.isenabled()
    assert gc.is_tracked(mine)
    # Still in the permanent generation: in none of the three the collector walks.
    assert not any(o is mine for g in range(3) for o in gc.get_objects(generation=g))
