"""Quota storms: other clients of the bot's account or Cloud project spend the minute's
quota, and the bot waits for it to refill instead of giving up (on a simulated clock)."""

from __future__ import annotations

import pytest

from bot.backends.google import GoogleBackend
from fake_sheets import FakeClock, FakeSheets
from tests.factories import HEADERS
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

IDENTITY = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1


def _world(fake: FakeSheets, clock: FakeClock, **google: object) -> GoogleWorld:
    # Google's default quotas: 60 reads and 60 writes a minute per user, 300 per project.
    world = GoogleWorld(fake, read_quota_per_minute=60, write_quota_per_minute=60, **google)
    world.make(default_tabs())
    assert world.config is not None
    world._backend = GoogleBackend(
        world.config, session=fake.session(), clock=clock, sleep=clock.advance
    )
    return world


def test_twenty_cycles_complete_while_others_spend_every_minute() -> None:
    clock = FakeClock(1_000.0)
    with FakeSheets(clock=clock) as fake:
        world = _world(fake, clock)
        completed = 0
        for n in range(20):
            clock.advance(61)
            # Someone changes a row, so the cycle has reads and writes to make...
            world.set_value("province", "อำเภอภูเขียว", 3, IDENTITY, f"ข้าวหลาม {n}")
            # ...and just before it, another client spends the whole minute: an admin's
            # script with the bot's own key (per-user quota), or five other tools of the
            # same Cloud project (the per-project quota).
            if n % 2 == 0:
                assert fake.spend_quota("read", 60) == 60
                assert fake.spend_quota("write", 60) == 60
            else:
                for tool in range(5):
                    fake.spend_quota("read", 60, user=f"tool{tool}@project")
                    fake.spend_quota("write", 60, user=f"tool{tool}@project")
                assert fake.quota_used("read", project=True) == 300
            report = world.sync()
            completed += not report.skipped and all(a.written for a in report.applied)
        assert fake.errors == []
        traffic = world.backend().http.traffic
        assert completed == 20
        assert traffic.quota_waits >= 20  # it really met the spent quota every time
        statuses = [r for r in fake.requests if r.status == 429]
        assert len(statuses) == traffic.quota_waits
        assert world.values("province", "อำเภอภูเขียว")[2][len(HEADERS)] == "ครบถ้วน"


def test_a_storm_longer_than_the_cycle_may_wait_skips_with_the_reason() -> None:
    clock = FakeClock(1_000.0)
    with FakeSheets(clock=clock) as fake:
        world = _world(fake, clock, quota_wait_s=30)
        fake.spend_quota("read", 60)
        report = world.sync()
        assert {a.spreadsheet for a in report.skipped} == set(world.ids.values())
        reason = report.skipped[0].skipped_reason or ""
        assert "per-minute read quota stayed spent" in reason
        assert "โควตาการใช้งาน Google Sheets" in reason


@pytest.mark.parametrize("retry_after", [None, 7.0])
def test_a_429_waits_for_the_window_or_what_google_asks(retry_after: float | None) -> None:
    clock = FakeClock(1_000.0)
    with FakeSheets(clock=clock) as fake:
        world = _world(fake, clock)
        fake.fail_next(429, retry_after=retry_after)
        start = clock()
        report = world.sync()
        assert not report.skipped
        waited = world.backend().http.traffic.quota_waited_s
        assert waited == (retry_after if retry_after is not None else 60.0)
        assert clock() - start >= waited
