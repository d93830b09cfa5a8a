"""Programme rounds: the config's `rounds:`, the round in force on a day, a round's own
district tab names (earlier tabs read for their archive, never written), and what `doctor`
and `status` say between rounds. The two-round daemon walk is tests/test_rounds_walk.py."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.backends import open_backend
from bot.cli import main
from bot.config import Config
from bot.config_load import load_config, parse_config
from bot.doctor import diagnose
from bot.errors import ConfigError
from bot.rounds import config_on, round_on
from tests.factories import HEADERS, column, row
from tests.workbooks import values, write_workbook

BASE = """\
xlsx: {folder: .}
national: {file: national.xlsx}
provinces:
  - {province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [ภูเขียว, คอนสาร]}
daemon: {state: state.sqlite}
"""
ROUNDS = """\
rounds:
  - fiscal_year: 2568
    start: 2567-11
    end: 2568-09
    targets: [{districts: 439, by: 2568-03-31}, {districts: 878, by: 2568-09-30}]
  - fiscal_year: 2569
    start: 2568-11
    end: 2569-09
    targets: [{districts: 600, by: 2569-09-30}]
    district_deadline_day: 15
    province_deadline_day: 22
    district_tab: "อำเภอ{district} ปี 2569"
"""


def error_of(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="cfg.yaml")
    return str(info.value)


def test_the_round_in_force_gives_its_period_targets_days_and_tab_names() -> None:
    config = parse_config(BASE + ROUNDS, source="cfg.yaml")
    # Unnarrowed, the config is its first round: everything written before rounds works.
    assert config.programme.start == (2024, 11) and config.tabs.district == "อำเภอ{district}"
    assert round_on(config, date(2024, 10, 1)) is config.rounds[0]  # type: ignore[index]
    assert round_on(config, date(2025, 10, 31)) is config.rounds[0]  # type: ignore[index]
    later = config_on(config, date(2025, 11, 1))
    assert later.in_force == "2569" and later.programme.start == (2025, 11)
    assert later.programme.target_on(date(2026, 1, 1)).districts == 600
    assert later.deadline_days(later.provinces[0]) == (15, 22)
    assert later.tabs.district == "อำเภอ{district} ปี 2569"
    assert config_on(later, date(2026, 5, 1)) is later
    assert config_on(later, date(2025, 5, 1)).programme.end == (2025, 9)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            "programme: {start: 2567-11}\n" + ROUNDS,
            "give either programme: (one round) or rounds: (several), not both",
        ),
        (
            ROUNDS.replace("start: 2568-11", "start: 2568-09"),
            "rounds[1].start: round 2569 starts in ก.ย. 2568, but round 2568 has reports due "
            "until ก.ย. 2568",
        ),
        (
            ROUNDS.replace("fiscal_year: 2569", "fiscal_year: 2568"),
            "two rounds are both fiscal year 2568",
        ),
        (
            ROUNDS.replace("by: 2569-09-30", "by: 2569-12-31"),
            "is outside the round",
        ),
        (
            ROUNDS.replace('district_tab: "อำเภอ{district} ปี 2569"', 'district_tab: "ปี 2569"'),
            "the district tab name must contain {district}",
        ),
        (
            ROUNDS + "    provinces: {ขอนแก่น: {district_deadline_day: 10}}\n",
            "ขอนแก่น is not configured under provinces:",
        ),
    ],
)
def test_rounds_that_cannot_work_are_refused_with_the_fix(extra: str, expected: str) -> None:
    assert expected in error_of(BASE + extra)


def days_tabs(tab: str, *months: str) -> dict[str, list[list[object]]]:
    tags = {d: f"#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอ{d}" for d in ("ภูเขียว", "คอนสาร")}
    return {
        tab.format(district=d): [
            HEADERS,
            *(
                row(
                    report_month=m,
                    district=d,
                    lao=f"อบต.{d}",
                    identity=f"อัตลักษณ์{d} {m}",
                    hashtags=tags[d],
                    post_url=f"https://www.facebook.com/{len(d)}/{i}",
                )
                for i, m in enumerate(months)
            ),
        ]
        for d in ("ภูเขียว", "คอนสาร")
    }


@pytest.fixture
def project(tmp_path: Path) -> Config:
    (tmp_path / "config.yaml").write_text(BASE + ROUNDS, encoding="utf-8")
    old = days_tabs("อำเภอ{district}", "ม.ค. 2568", "ก.พ. 2568")
    new = days_tabs("อำเภอ{district} ปี 2569", "ธ.ค. 2568")
    write_workbook(tmp_path / "chaiyaphum.xlsx", {**old, **new})
    return load_config(tmp_path / "config.yaml")


def test_a_round_with_its_own_tabs_archives_the_old_tabs_rows_and_leaves_them_alone(
    project: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book, national = tmp_path / "chaiyaphum.xlsx", tmp_path / "national.xlsx"
    before = values(book, "อำเภอภูเขียว")
    config = str(tmp_path / "config.yaml")
    assert main(["--config", config, "--today", "2025-12-20", "sync", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == 0 and out["rows_read"] == 2  # 2569's rows only
    assert values(book, "อำเภอภูเขียว") == before  # the old tab: not even a status column
    assert column(values(book, "อำเภอภูเขียว ปี 2569"), "ผลการตรวจสอบ (ระบบ)") == ["ครบถ้วน"]
    archive = values(national, "รายงานปีงบประมาณ 2568")
    assert len(archive) - 1 == 4  # both districts' January and February 2568 rows
    register = values(national, "ทะเบียนอำเภอ")
    assert column(register, "ปีงบประมาณ 2568") == ["มีอัตลักษณ์แล้ว"] * 2


def test_doctor_and_status_say_when_it_is_between_rounds(
    project: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    findings = diagnose(project, open_backend, date(2025, 10, 15))
    rounds = [f for f in findings if f.subject == "rounds"]
    assert len(rounds) == 1 and rounds[0].level == "warning"
    assert "ระหว่างนี้ระบบจะไม่ส่งการแจ้งเตือน" in rounds[0].thai
    assert "the fiscal 2569 round starts on 2025-11-01" in rounds[0].english
    assert not [f for f in diagnose(project, open_backend, date(2025, 12, 1))
                if f.subject == "rounds"]  # fmt: skip
    config = str(tmp_path / "config.yaml")
    assert main(["--config", config, "--today", "2025-10-15", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["between_rounds"] == {
        "ended": "2568",
        "last_day": "2025-09-29",
        "next": "2569",
        "starts": "2025-11-01",
    }
    assert status["next_reminders"] == [] or all(
        r["send_on"] >= "2025-11-01" for r in status["next_reminders"]
    )


def test_the_example_configs_rounds_block_loads_as_documented() -> None:
    lines = (Path(__file__).resolve().parent.parent / "config.example.yaml").read_text("utf-8")
    block = lines.split("# rounds:\n", 1)[1].split("\n# archive:", 1)[0]
    text = "rounds:\n" + "\n".join(line.removeprefix("# ") for line in block.splitlines())
    config = parse_config(BASE + text, source="config.example.yaml")
    assert [r.label for r in config.rounds or []] == ["2568", "2569"]
    later = config_on(config, date(2026, 1, 5))
    assert later.deadline_days(later.provinces[0]) == (18, 22)


def test_the_archive_may_go_to_a_spreadsheet_of_its_own(
    project: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.yaml").write_text(
        BASE + "archive: {file: archive.xlsx}\n" + ROUNDS, encoding="utf-8"
    )
    config = str(tmp_path / "config.yaml")
    assert main(["--config", config, "--today", "2025-12-20", "sync"]) == 0, capsys.readouterr()
    assert len(values(tmp_path / "archive.xlsx", "รายงานปีงบประมาณ 2568")) - 1 == 4
    frozen = values(tmp_path / "archive.xlsx", "รายงานปีงบประมาณ 2568")
    # A 2568 row typed later does not change the archive: it is made once.
    old = days_tabs("อำเภอ{district}", "ม.ค. 2568", "ก.พ. 2568", "มี.ค. 2568")
    new = days_tabs("อำเภอ{district} ปี 2569", "ธ.ค. 2568")
    write_workbook(tmp_path / "chaiyaphum.xlsx", {**old, **new})
    assert main(["--config", config, "--today", "2026-01-20", "sync"]) == 0
    assert values(tmp_path / "archive.xlsx", "รายงานปีงบประมาณ 2568") == frozen
