"""The roll-up plan and the KPI summary, computed without any backend."""

from __future__ import annotations

from datetime import date

import pytest

from bot.rollup import quarter_lines, quarter_verdict, summarise
from tests.factories import config

DUE_Q2 = date(2025, 3, 31)


@pytest.mark.parametrize(
    ("covered", "quarter_end", "today", "verdict"),
    [
        (10, date(2024, 12, 31), date(2024, 12, 20), "อยู่ระหว่างดำเนินการ"),
        (10, date(2024, 12, 31), date(2025, 1, 17), "ผลสะสม (เป้าหมายครบกำหนด 31 มี.ค. 2568)"),
        (10, date(2025, 3, 31), date(2025, 4, 1), "ไม่บรรลุเป้าหมาย"),
        (439, date(2025, 3, 31), date(2025, 4, 1), "บรรลุเป้าหมาย"),
    ],
)
def test_a_quarter_is_judged_only_once_its_target_is_due(
    covered: int, quarter_end: date, today: date, verdict: str
) -> None:
    assert quarter_verdict(covered, 439, DUE_Q2, quarter_end, today) == verdict


def test_quarter_lines_cover_the_programme_with_cumulative_districts() -> None:
    cfg = config()
    summary = summarise(cfg, [], [], date(2025, 5, 2))
    summary.covered_by_month = {
        (2024, 12): {"3601", "3602"},
        (2025, 2): {"3602", "3610"},
        (2025, 4): {"3603"},
    }
    lines = quarter_lines(cfg, summary)
    assert [line[0] for line in lines] == [
        "ไตรมาสที่ 1/2568",
        "ไตรมาสที่ 2/2568",
        "ไตรมาสที่ 3/2568",
        "ไตรมาสที่ 4/2568",
    ]
    assert lines[0][1] == "พ.ย. 2567 – ธ.ค. 2567"  # the programme starts in November
    assert [line[2] for line in lines] == [439, 439, 878, 878]
    assert [line[3] for line in lines] == [2, 3, 4, ""]
    assert lines[1][5] == "ไม่บรรลุเป้าหมาย"
    assert lines[2][5] == "อยู่ระหว่างดำเนินการ"
    assert lines[3][5] == "ยังไม่ถึงไตรมาสนี้"


@pytest.mark.parametrize(
    ("today", "districts", "by"),
    [
        (date(2024, 11, 1), 439, date(2025, 3, 31)),
        (date(2025, 3, 31), 439, date(2025, 3, 31)),
        (date(2025, 4, 1), 878, date(2025, 9, 30)),
        (date(2026, 11, 26), 878, date(2025, 9, 30)),
    ],
)
def test_summary_uses_the_target_in_force(today: date, districts: int, by: date) -> None:
    summary = summarise(config(), [], [], today)
    assert (summary.target_districts, summary.target_by) == (districts, by)
