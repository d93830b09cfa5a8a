"""Who is reminded of what on a day (bot.reminders, pure): which month a deadline covers,
and each province's own deadline days."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.checks import CheckContext, check_tabs
from bot.config import source_tabs
from bot.config_load import parse_config
from bot.errors import ConfigError
from bot.form import parse_tab
from bot.model import TabData
from bot.reminders import due_messages, report_month_on, rules_of
from bot.state import State
from bot.status import gather_status
from tests.factories import grid, row

TWO_PROVINCES = """
national: {{file: national.xlsx}}
programme: {{deadline_covers: {covers}}}
provinces:
  - {{province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [ภูเขียว]{own}}}
  - {{province: ขอนแก่น, file: khonkaen.xlsx, districts: [ชุมแพ]}}
"""


def _messages(covers: str, today: date, own: str = "") -> list[tuple[str, str, date]]:
    """Who gets a message on `today` when ภูเขียว has complete December rows only and
    ชุมแพ has nothing at all; each message as (level, recipient, due date of its lead)."""
    config = parse_config(TWO_PROVINCES.format(covers=covers, own=own))
    sources = source_tabs(config)
    grids = {"อำเภอภูเขียว": grid(row(report_month="ธ.ค. 2567")), "อำเภอชุมแพ": grid()}
    tabs = [parse_tab(s, TabData(s.spreadsheet, s.tab, grids[s.tab]), config.form) for s in sources]
    results = check_tabs(tabs, CheckContext(config.form, config.programme, today))
    problems = [p for r in results for p in r.problems]
    return sorted(
        (m.level, m.recipient, m.first.deadline.due)
        for m in due_messages(config, today, results, problems)
    )


def test_with_current_a_december_report_does_not_count_for_the_january_deadline() -> None:
    # The default: on 15 Jan the report due on the 20th is January's, which ภูเขียว lacks.
    assert _messages("current", date(2025, 1, 15)) == [
        ("district", "ชุมแพ", date(2025, 1, 20)),
        ("district", "ภูเขียว", date(2025, 1, 20)),
    ]


def test_with_previous_a_district_with_december_rows_is_not_told_it_reported_nothing() -> None:
    # The case: complete December rows, 15 Jan, the report due on 20 Jan covers
    # December: ภูเขียว owes nothing; ชุมแพ still owes December.
    assert _messages("previous", date(2025, 1, 15)) == [
        ("district", "ชุมแพ", date(2025, 1, 20)),
    ]


def test_a_province_with_its_own_district_day_is_reminded_on_its_own_calendar() -> None:
    # Chaiyaphum moves its districts' day to the 15th: five days before is Fri 10 Jan
    # for ภูเขียว, while Khon Kaen's ชุมแพ keeps the programme's 20th.
    own = ", district_deadline_day: 15"
    assert _messages("current", date(2025, 1, 10), own) == [
        ("district", "ภูเขียว", date(2025, 1, 15)),
    ]
    assert _messages("current", date(2025, 1, 15), own) == [
        ("district", "ชุมแพ", date(2025, 1, 20)),
        ("district", "ภูเขียว", date(2025, 1, 15)),
    ]


def test_the_report_month_in_force_follows_which_month_a_deadline_covers() -> None:
    current = parse_config(TWO_PROVINCES.format(covers="current", own=""))
    previous = parse_config(TWO_PROVINCES.format(covers="previous", own=""))
    assert report_month_on(current, date(2025, 1, 15)) == (2025, 1)
    assert report_month_on(previous, date(2025, 1, 15)) == (2024, 12)
    # After the province deadline (25 Jan) the next month's report is in force.
    assert report_month_on(previous, date(2025, 1, 27)) == (2025, 1)
    assert report_month_on(current, date(2025, 10, 1)) is None
    assert report_month_on(previous, date(2025, 10, 1)) == (2025, 9)


def test_a_province_deadline_day_before_its_district_day_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"provinces\[0\]\.district_deadline_day: day 27 is after"
    ):
        parse_config(TWO_PROVINCES.format(covers="current", own=", district_deadline_day: 27"))


def test_rules_of_an_unconfigured_province_are_the_programme_s() -> None:
    config = parse_config(
        TWO_PROVINCES.format(covers="previous", own=", district_deadline_day: 15")
    )
    assert rules_of(config, "ชัยภูมิ").district_day == 15
    assert rules_of(config, "ขอนแก่น").district_day == 20
    assert rules_of(config).covers == "previous"


def test_status_lists_the_next_reminders_of_every_province_s_calendar(tmp_path: Path) -> None:
    config = parse_config(TWO_PROVINCES.format(covers="current", own=", district_deadline_day: 15"))
    with State(tmp_path / "state.sqlite", now=lambda: datetime(2025, 1, 6, 9, 0)) as state:
        report = gather_status(config, state, date(2025, 1, 6))
    dues = [(r.send_on, r.deadline.due) for r in report.upcoming]
    # Chaiyaphum's own 15th comes first (reminded from Fri 10 Jan), then the programme's 20th.
    assert dues[:3] == [
        (date(2025, 1, 10), date(2025, 1, 15)),
        (date(2025, 1, 13), date(2025, 1, 15)),
        (date(2025, 1, 14), date(2025, 1, 15)),
    ]
    assert (date(2025, 1, 15), date(2025, 1, 20)) in dues
