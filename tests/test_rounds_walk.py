"""Two rounds of the programme, fiscal 2568 and 2569, walked from November 2567 to
September 2569 through the daemon's own jobs with the clock frozen (freezegun), on
workbooks that grow month by month: the rows of 2568 stay in the district tabs all along.

The sheets: ภูเขียว reports a complete row on the 10th of every month; บ้านเขว้า only on
the 24th (late for the district deadline, in time for the province's); คอนสาร types a row
without hashtags on the 3rd and fixes it on the 19th, except in January 2568 (2025), whose
row it never fixes: an error of 2568 that must not come back in 2569. Nobody reports in
October 2568, the month between the rounds.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from freezegun import freeze_time

from bot import deadlines, thai
from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.notify import Sender
from bot.reminders import ADMINS, rules_of
from bot.rounds import between_rounds, config_on
from bot.scheduler import Daemon
from bot.state import State
from tests.factories import HEADERS, column, row
from tests.workbooks import write_workbook

BANGKOK = ZoneInfo("Asia/Bangkok")
START, END = date(2024, 11, 1), date(2026, 9, 30)
DISTRICTS = ("บ้านเขว้า", "ภูเขียว", "คอนสาร")  # registry order
ROUND_2568 = ((2024, 11), (2025, 9))
ROUND_2569 = ((2025, 11), (2026, 9))
NEVER_FIXED = (2025, 1)  # คอนสาร's January 2568 row keeps its missing hashtags

CONFIG = """\
xlsx: {folder: .}
national: {file: national.xlsx}
provinces:
  - {province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [ภูเขียว, บ้านเขว้า, คอนสาร]}
daemon: {state: state.sqlite}
rounds:
  - fiscal_year: 2568
    start: 2567-11
    end: 2568-09
    targets: [{districts: 439, by: 2568-03-31}, {districts: 878, by: 2568-09-30}]
  - fiscal_year: 2569
    start: 2568-11
    end: 2569-09
    targets: [{districts: 600, by: 2569-03-31}, {districts: 878, by: 2569-09-30}]
    district_deadline_day: 15
    province_deadline_day: 22
"""


def months_until(day: date) -> list[tuple[int, int]]:
    out = []
    for first, last in (ROUND_2568, ROUND_2569):
        year, month = first
        while (year, month) <= last and (year, month) <= (day.year, day.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def complete_from(district: str, month: tuple[int, int]) -> date:
    """The day a district's report for `month` becomes complete (never: date.max)."""
    first = date(*month, 1)
    if district == "ภูเขียว":
        return first.replace(day=10)
    if district == "บ้านเขว้า":
        return first.replace(day=24)
    return date.max if month == NEVER_FIXED else first.replace(day=19)


def district_row(district: str, month: tuple[int, int], day: date) -> list[object] | None:
    label = thai.month_label(*month)
    tags = f"#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอ{district}"
    done = day >= complete_from(district, month)
    if district == "คอนสาร" and day >= date(*month, 3) and not done:
        tags = "#เที่ยวท้องถิ่น"  # the mistake
    elif not done:
        return None
    url = f"https://www.facebook.com/{month[0]}{month[1]:02d}/{len(district)}"
    return row(report_month=label, district=district, lao=f"อบต.{district}",
               identity=f"อัตลักษณ์{district} {label}", hashtags=tags, post_url=url)  # fmt: skip


def sheets_on(day: date) -> dict[str, list[list[object]]]:
    return {
        f"อำเภอ{d}": [
            HEADERS,
            *(r for m in months_until(day) if (r := district_row(d, m, day)) is not None),
        ]
        for d in DISTRICTS
    }


def round_of(month: tuple[int, int]) -> str:
    return "2568" if ROUND_2568[0] <= month <= ROUND_2568[1] else "2569"


def expected_on(day: date, config: Config) -> set[tuple[str, str, date, int]]:
    """Who should be reminded on `day`: an independent model of the rules, over the round
    in force only (its own deadline days)."""
    first: dict[tuple[str, str], tuple[date, int]] = {}
    for rem in deadlines.reminders_on(day, rules_of(config_on(config, day))):
        month = rem.deadline.month
        owing = [d for d in DISTRICTS if day < complete_from(d, month)]
        if not owing:
            continue
        recipients: list[tuple[str, str]] = []
        if rem.deadline.level == "district":
            recipients += [("district", d) for d in owing]
            if rem.copy_up:
                recipients.append(("province", "ชัยภูมิ"))
        else:
            recipients += [("province", "ชัยภูมิ"), ("admin", ADMINS)]
        for who in recipients:
            first.setdefault(who, (rem.deadline.due, rem.offset))
    return {(level, name, due, offset) for (level, name), (due, offset) in first.items()}


@pytest.fixture
def walk(tmp_path: Path) -> tuple[Config, State]:
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(START))
    config = load_config(tmp_path / "config.yaml")
    state = State(tmp_path / "state.sqlite", now=lambda: datetime.now(BANGKOK))
    return config, state


def tab_rows(path: Path, tab: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb[tab].iter_rows(values_only=True)]
    finally:
        wb.close()


def statuses(path: Path, tab: str) -> dict[str, str]:
    """Report month label -> status cell, of one district tab."""
    rows = tab_rows(path, tab)
    return {str(r[0]): str(r[-1] or "") for r in rows[1:] if r[0]}


# A sync now and then (each costs a cycle): mid-2568, between the rounds, the first day of
# 2569 (the archive is made), and mid-2569.
SYNC_DAYS = {date(2025, 2, 1), date(2025, 10, 1), date(2025, 11, 1), date(2026, 3, 1)}
MONTH_IN_TEXT = re.compile(r"ของเดือน(\S+ \d{4})")


@pytest.mark.slow
def test_two_rounds_day_by_day(
    walk: tuple[Config, State], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, state = walk
    # Digests without their PNG charts (as where matplotlib is missing): drawing them on
    # 200 reminder days would be most of this walk's time, and they are not its subject.
    monkeypatch.setattr("bot.dispatch.charts_available", lambda: "not in this walk")
    texts: list[tuple[date, str]] = []
    today = [START]
    sender = Sender(tmp_path / "outbox", echo=lambda text: texts.append((today[0], text)))
    daemon = Daemon(config, open_backend=open_backend, sender=sender, state=state)
    book = tmp_path / "chaiyaphum.xlsx"
    national = tmp_path / "national.xlsx"
    sent_days: dict[date, set[tuple[str, str, date, int]]] = {}
    day = START
    clock = freeze_time(datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANGKOK))
    frozen = clock.start()  # one freezer moved day by day: starting one costs 40 ms
    while day <= END:
        today[0] = day
        rules = rules_of(config_on(config, day))
        if deadlines.reminders_on(day, rules) or day in SYNC_DAYS:
            write_workbook(book, sheets_on(day))
        frozen.move_to(datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANGKOK))
        daemon.remind_job()
        if day in SYNC_DAYS:
            assert daemon.sync_job() is not None, day
        got = {
            (k.level, k.recipient, k.deadline, k.offset) for k, _ in state.sent_between(day, day)
        }
        assert got == expected_on(day, config), day
        if got:
            sent_days[day] = got
        if date(2025, 10, 1) <= day <= date(2025, 10, 31):
            assert between_rounds(config, day) is not None, day
            assert not got, f"nothing is sent between the rounds ({day})"
        day += timedelta(days=1)
    clock.stop()

    # Fiscal 2569 runs on its own days: districts by the 15th, provinces by the 22nd.
    assert ("district", "บ้านเขว้า", date(2025, 12, 15), 0) in sent_days[date(2025, 12, 15)]
    assert ("province", "ชัยภูมิ", date(2026, 1, 22), 0) in sent_days[date(2026, 1, 22)]
    # The last overdue notice of 2568 went on 29 Sep 2568 (2025); then nothing until 2569.
    quiet = [d for d in sent_days if date(2025, 9, 29) < d < date(2025, 11, 10)]
    assert quiet == []

    # Reminders in 2569 name only 2569 work: its months, its rows. คอนสาร's January 2568
    # row was never fixed, yet no 2569 letter mentions it.
    for sent_on, text in texts:
        if sent_on < date(2025, 11, 1):
            continue
        for label in MONTH_IN_TEXT.findall(text):
            month = thai.parse_month(label)
            assert month is not None and round_of(month) == "2569", (sent_on, label)
        assert "ม.ค. 2568" not in text and "มกราคม 2568" not in text, sent_on

    # 2568 rows never become errors in 2569: archived, with nothing to fix.
    with freeze_time(datetime(2026, 9, 30, 12, 0, tzinfo=BANGKOK)):
        report = daemon.sync_job()
    assert report is not None
    assert "OUT_OF_PERIOD" not in report.summary.problems_by_code
    assert report.summary.errors == 0
    konsan = statuses(book, "อำเภอคอนสาร")
    assert konsan["ม.ค. 2568"].startswith("รายการของปีงบประมาณ พ.ศ. 2568 ซึ่งสิ้นสุดแล้ว")
    assert konsan["ก.ย. 2569"] == "ครบถ้วน"
    issues = tab_rows(national, "รายการที่ต้องแก้ไข")
    assert len(issues) == 1  # the header alone

    # 2568's rows were frozen into the archive tab when 2569 began, with their statuses
    # of 2568 (the unfixed January row still says what was wrong).
    archive = tab_rows(national, "รายงานปีงบประมาณ 2568")
    months = {str(m).split(" ")[0][:4] for m in column(archive, "เดือนที่รายงาน")}
    assert months == {"2567", "2568"}
    assert len(archive) - 1 == 3 * 11
    wrong = [s for s in column(archive, "ผลการตรวจสอบ (ระบบ)") if str(s).startswith("ต้องแก้ไข")]
    assert len(wrong) == 1 and "แฮชแท็ก" in wrong[0]
    # The national tab of 2569 holds 2569's rows only.
    national_months = column(tab_rows(national, "รวมทั้งประเทศ"), "เดือน (ค.ศ. ปี-เดือน)")
    assert national_months and all(m >= "2025-11" for m in national_months)

    # The register carries 2568: every district had an identity then, and its names.
    register = tab_rows(national, "ทะเบียนอำเภอ")
    assert column(register, "ปีงบประมาณ 2568") == ["มีอัตลักษณ์แล้ว"] * 3
    names = column(register, "อัตลักษณ์ ปีงบประมาณ 2568")
    for district, listed in zip(DISTRICTS, names, strict=True):
        # Eleven months' identities: the first five named, the rest counted.
        assert str(listed).startswith(f"อัตลักษณ์{district} พ.ย. 2567; "), listed
        more = 5 if district == "คอนสาร" else 6  # its January 2568 row was never complete
        assert str(listed).endswith(f"และอีก {more} รายการ"), listed
    assert column(register, "สถานะ") == ["มีอัตลักษณ์แล้ว"] * 3


def test_between_rounds_the_daemon_sends_nothing_and_says_why(
    walk: tuple[Config, State], tmp_path: Path
) -> None:
    config, state = walk
    between = between_rounds(config, date(2025, 10, 20))
    assert between is not None and between.ended.label == "2568" and between.next is not None
    assert between.starts == date(2025, 11, 1)
    assert "รอบปีงบประมาณ พ.ศ. 2569 เริ่มวันที่ 1 พ.ย. 2568" in between.thai()
    # 2568's last overdue notice (3 days after Thu 25 Sep, a Sunday) goes on Mon 29 Sep.
    assert between_rounds(config, date(2025, 9, 29)) is None
    assert between_rounds(config, date(2025, 9, 30)) is not None
    assert between_rounds(config, date(2025, 11, 3)) is None
    after = between_rounds(config, date(2026, 10, 20))
    assert after is not None and after.next is None
    daemon = Daemon(config, open_backend=open_backend, sender=Sender(tmp_path / "o"), state=state)
    write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(date(2025, 10, 20)))
    with freeze_time(datetime(2025, 10, 20, 10, 0, tzinfo=BANGKOK)):
        assert daemon.remind_job() is None
