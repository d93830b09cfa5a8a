"""The daemon's jobs in-process, with frozen time: the monthly record, telling the admins
when syncs keep failing (once) and when they recover (once), and the message templates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from freezegun import freeze_time

from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.dispatch import reminders_due
from bot.notify import Sender
from bot.rollup import SOURCE_HEADER
from bot.scheduler import Daemon
from bot.state import State
from tests.factories import column
from tests.workbooks import make_project, values

BANGKOK = ZoneInfo("Asia/Bangkok")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BANGKOK)


def daemon_for(config: Config, folder: Path, told: list[str]) -> Daemon:
    state = State(folder / "state.sqlite", now=lambda: datetime.now(BANGKOK))
    sender = Sender(folder / "outbox", echo=told.append)
    return Daemon(config, open_backend=open_backend, sender=sender, state=state)


def test_the_national_tab_is_frozen_at_the_end_of_the_province_deadline_day(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    daemon = daemon_for(config, tmp_path, [])
    deadline = date(2025, 1, 25)  # a Saturday: the record is still made that night
    with freeze_time(at(deadline, 23, 44)):
        assert daemon.record_job() is False
    with freeze_time(at(deadline, 23, 46)):
        assert daemon.record_job() is True
        assert daemon.record_job() is False  # once a month
    national = tmp_path / "national.xlsx"
    assert values(national, "บันทึก ม.ค. 2568") == values(national, "รวมทั้งประเทศ")
    frozen = values(national, "บันทึก ม.ค. 2568")
    # Later the data changes; the record of January does not.
    wb = openpyxl.load_workbook(tmp_path / "chaiyaphum.xlsx")
    wb["อำเภอคอนสาร"].cell(2, 1).value = "ก.พ. 2568"
    wb.save(tmp_path / "chaiyaphum.xlsx")
    with freeze_time(at(date(2025, 2, 3), 10)):
        daemon.sync_job()
    assert values(national, "บันทึก ม.ค. 2568") == frozen
    assert values(national, "รวมทั้งประเทศ") != frozen
    with freeze_time(at(date(2025, 1, 24), 23, 50)):  # not a deadline day
        assert daemon.record_job() is False


def test_admins_are_told_once_when_syncs_keep_failing_and_once_when_they_recover(
    tmp_path: Path,
) -> None:
    books = tmp_path / "books"
    books.mkdir()
    make_project(books)
    (tmp_path / "config.yaml").write_text(
        (books / "config.yaml").read_text("utf-8").replace("folder: .", "folder: books"), "utf-8"
    )
    config = load_config(tmp_path / "config.yaml")
    told: list[str] = []
    daemon = daemon_for(config, tmp_path, told)
    # The workbook folder is gone (an unmounted share): nothing at all can be read.
    books.rename(tmp_path / "away")
    with freeze_time(at(date(2025, 1, 10), 10)):
        for _ in range(5):
            assert daemon.sync_job() is None  # survived, not raised
    assert len(told) == 1
    assert "ติดต่อกัน 3 ครั้ง" in told[0] and "the workbook folder does not exist" in told[0]
    (tmp_path / "away").rename(books)
    with freeze_time(at(date(2025, 1, 10), 11)):
        assert daemon.sync_job() is not None
        assert daemon.sync_job() is not None
    assert len(told) == 2 and "กลับมาตรวจสอบรายงานได้ตามปกติ" in told[1]
    last = daemon.state.last_sync()
    assert last is not None and last["ok"] is True and last["consecutive_failures"] == 0


def test_a_spreadsheet_skipped_cycle_after_cycle_is_told_once_and_its_recovery_once(
    tmp_path: Path,
) -> None:
    config = make_project(tmp_path)
    told: list[str] = []
    daemon = daemon_for(config, tmp_path, told)
    with freeze_time(at(date(2025, 1, 10), 9)):
        assert daemon.sync_job() is not None  # a good read, kept as the last good one
    national = tmp_path / "national.xlsx"
    rows_before = values(national, "รวมทั้งประเทศ")
    book = tmp_path / "chaiyaphum.xlsx"
    book.rename(tmp_path / "moved-away.xlsx")  # e.g. someone moved the workbook
    with freeze_time(at(date(2025, 1, 10), 10)):
        for _ in range(5):
            report = daemon.sync_job()
            assert report is not None and [a.spreadsheet for a in report.skipped] == [
                "chaiyaphum.xlsx"
            ]
    assert len(told) == 1
    assert "chaiyaphum.xlsx" in told[0] and "workbook not found" in told[0]
    # The national workbook was still written, and kept the province's rows, marked stale.
    rows_now = values(national, "รวมทั้งประเทศ")
    assert len(rows_now) == len(rows_before) > 1
    assert all("(ข้อมูล ณ 10 ม.ค. 2568 เวลา 09.00 น.)" in s for s in column(rows_now, SOURCE_HEADER))
    issues = values(national, "รายการที่ต้องแก้ไข")
    stale = zip(column(issues, "รหัสปัญหา"), column(issues, "รายละเอียด"), strict=True)
    assert any(code == "STALE_SPREADSHEET" and "จังหวัดชัยภูมิ" in text for code, text in stale)
    (tmp_path / "moved-away.xlsx").rename(book)
    with freeze_time(at(date(2025, 1, 10), 11)):
        assert daemon.sync_job() is not None
        assert daemon.sync_job() is not None
    assert len(told) == 2 and "กลับมาอ่านและบันทึก" in told[1] and "chaiyaphum.xlsx" in told[1]
    assert values(national, "รวมทั้งประเทศ") == rows_before


def test_a_failing_job_never_stops_the_loop(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    daemon = daemon_for(config, tmp_path, [])
    calls = []

    def broken() -> None:
        calls.append(1)
        raise RuntimeError("a bug")

    guarded = daemon._guard(broken, "broken")
    guarded()
    guarded()
    assert len(calls) == 2


def _messages(config: Config, day: date) -> list[str]:
    with open_backend(config) as backend:
        return [m.text for m in reminders_due(config, backend, day)]


def test_templates_can_be_replaced_from_the_config(tmp_path: Path) -> None:
    make_project(tmp_path)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "district.txt.j2").write_text(
        "ถึง อำเภอ{{ recipient }}: ส่งภายใน {{ sections[0].due }}\n", encoding="utf-8"
    )
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    (tmp_path / "config.yaml").write_text(text + "reminders: {templates: mine}\n", encoding="utf-8")
    config = load_config(tmp_path / "config.yaml")
    texts = _messages(config, date(2025, 1, 15))
    assert "ถึง อำเภอภูเขียว: ส่งภายใน 20 ม.ค. 2568\n" in texts


def test_thai_digits_when_asked(tmp_path: Path) -> None:
    make_project(tmp_path)
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    (tmp_path / "config.yaml").write_text(
        text + "reminders: {thai_digits: true}\n", encoding="utf-8"
    )
    config = load_config(tmp_path / "config.yaml")
    texts = _messages(config, date(2025, 1, 15))
    assert texts and all("ภายในวันจันทร์ที่ ๒๐ มกราคม ๒๕๖๘ (อีก ๕ วัน)" in t for t in texts)


@pytest.mark.parametrize(("day", "count"), [(date(2025, 1, 13), 0), (date(2025, 1, 15), 3)])
def test_only_districts_that_owe_are_reminded(tmp_path: Path, day: date, count: int) -> None:
    # The small project: บ้านเขว้า complete (Dec rows only, so it owes January), ภูเขียว
    # has errors, คอนสาร has no row at all; 13 Jan is no reminder day.
    config = make_project(tmp_path)
    assert len(_messages(config, day)) == count
