"""The bot respects the workbook file and the columns people made: symlinks, read-only files,
file modes, its own leftovers, Excel's last column, merged cells, and a person's column that
happens to carry the status column's name."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.backends import open_backend
from bot.config import Config
from bot.cycle import CycleReport, sync_cycle
from bot.form_fields import STATUS_HEADER
from tests.factories import HEADERS
from tests.workbooks import default_tabs, make_project, values, write_workbook
from tests.xlsx_parts import members, sheet_parts

TODAY = date(2025, 1, 17)
STATUS_COL = len(HEADERS) + 1


def sync(config: Config) -> CycleReport:
    with open_backend(config) as backend:
        return sync_cycle(config, backend, TODAY)


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_a_symlinked_workbook_is_written_through_to_its_target(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    config = make_project(tmp_path)
    (tmp_path / "chaiyaphum.xlsx").rename(shared / "chaiyaphum-original.xlsx")
    (tmp_path / "chaiyaphum.xlsx").symlink_to(shared / "chaiyaphum-original.xlsx")
    report = sync(config)
    assert all(a.written for a in report.applied)
    assert (tmp_path / "chaiyaphum.xlsx").is_symlink()
    assert values(shared / "chaiyaphum-original.xlsx", "อำเภอภูเขียว")[1][STATUS_COL - 1] == "ครบถ้วน"
    assert sync(config).applied[0].written is False  # and nothing changes the second time


def test_a_read_only_workbook_is_left_alone_with_a_message(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    book = tmp_path / "chaiyaphum.xlsx"
    before = book.read_bytes()
    book.chmod(0o444)
    report = sync(config)
    assert book.read_bytes() == before
    [skipped] = report.skipped
    assert skipped.spreadsheet == "chaiyaphum.xlsx"
    reason = skipped.skipped_reason or ""
    assert "อ่านอย่างเดียว" in reason and "read-only (mode 0444)" in reason and "chmod" in reason
    assert values(tmp_path / "national.xlsx", "รวมทั้งประเทศ")  # the others are written


def test_a_rewritten_workbook_keeps_its_mode(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    book = tmp_path / "chaiyaphum.xlsx"
    book.chmod(0o640)
    sync(config)
    assert stat.S_IMODE(book.stat().st_mode) == 0o640


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_a_new_workbook_gets_the_mode_the_umask_gives(
    tmp_path: Path, umask: None, mask: int
) -> None:
    config = make_project(tmp_path)
    os.umask(mask)
    sync(config)
    assert stat.S_IMODE((tmp_path / "national.xlsx").stat().st_mode) == 0o666 & ~mask


def test_temp_files_of_an_interrupted_save_are_removed_on_the_next_run(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    dead = 2**22 + 12345  # above any pid Linux hands out by default
    ours = tmp_path / f".chaiyaphum.xlsx.softpower-bot-{dead}-0badc0de.tmp"
    older_bot = tmp_path / ".chaiyaphum.xlsx.k3j_x9a2.tmp"  # what mkstemp made before
    living = tmp_path / f".chaiyaphum.xlsx.softpower-bot-{os.getppid()}-0badc0de.tmp"
    someone_elses = tmp_path / ".chaiyaphum.xlsx.backup.tmp"
    for path in (ours, older_bot, living, someone_elses):
        path.write_bytes(b"half a workbook")
    sync(config)
    assert not ours.exists() and not older_bot.exists()
    assert living.exists() and someone_elses.exists()
    assert not [p for p in tmp_path.iterdir() if "softpower-bot-" in p.name and p != living]


def test_the_status_column_never_goes_past_excel_s_last_column(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    book = tmp_path / "chaiyaphum.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["อำเภอภูเขียว"]["XFD1"] = "ใช้คอลัมน์สุดท้าย"
    wb.save(book)
    part = sheet_parts(book)["อำเภอภูเขียว"]
    before = members(book)[part]
    report = sync(config)
    assert members(book)[part] == before
    [problem] = [p for p in report.problems if p.code == "NO_ROOM_FOR_STATUS"]
    assert problem.tab == "อำเภอภูเขียว"
    assert values(book, "อำเภอบ้านเขว้า")[0][STATUS_COL - 1] == STATUS_HEADER  # the others


def test_a_person_s_column_with_the_status_header_is_never_written(tmp_path: Path) -> None:
    tabs = default_tabs()
    mine = [[*r, None, "ส่งแล้ว" if i else STATUS_HEADER] for i, r in enumerate(tabs["อำเภอภูเขียว"])]
    tabs["อำเภอภูเขียว"] = mine
    config = make_project(tmp_path, tabs)
    book = tmp_path / "chaiyaphum.xlsx"
    report = sync(config)
    grid = values(book, "อำเภอภูเขียว")
    person = STATUS_COL + 1
    assert [r[person - 1] for r in grid] == [STATUS_HEADER, "ส่งแล้ว", "ส่งแล้ว", "ส่งแล้ว"]
    assert grid[0][person] == STATUS_HEADER and grid[1][person] == "ครบถ้วน"  # the bot's own
    [taken] = [p for p in report.problems if p.code == "STATUS_COLUMN_TAKEN"]
    assert taken.tab == "อำเภอภูเขียว" and "คอลัมน์ P" in taken.message
    # Next cycle: the bot knows its column by its mark; nothing moves, nothing is added.
    again = sync(config)
    assert again.applied[0].written is False
    assert values(book, "อำเภอภูเขียว") == grid


def test_a_status_column_an_earlier_bot_wrote_is_taken_back_and_marked(tmp_path: Path) -> None:
    tabs = default_tabs()
    old = ["", "ครบถ้วน", "ต้องแก้ไข 1 รายการ: ของเดิม", ""]
    tabs["อำเภอภูเขียว"] = [
        [*r, STATUS_HEADER if i == 0 else old[i]] for i, r in enumerate(tabs["อำเภอภูเขียว"])
    ]
    config = make_project(tmp_path, tabs)
    report = sync(config)
    assert "STATUS_COLUMN_TAKEN" not in {p.code for p in report.problems}
    grid = values(tmp_path / "chaiyaphum.xlsx", "อำเภอภูเขียว")
    assert len(grid[0]) == STATUS_COL  # no second column
    assert grid[2][STATUS_COL - 1].startswith("ต้องแก้ไข 1 รายการ: ยังไม่ได้กรอก")
    assert b"_SoftpowerBotStatus" in members(tmp_path / "chaiyaphum.xlsx")["xl/workbook.xml"]


def test_a_new_status_column_goes_right_of_merged_cells(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    book = tmp_path / "chaiyaphum.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["อำเภอภูเขียว"]
    ws.merge_cells(start_row=1, start_column=STATUS_COL - 1, end_row=1, end_column=STATUS_COL + 1)
    wb.save(book)
    report = sync(config)
    assert not report.skipped
    header = values(book, "อำเภอภูเขียว")[0]
    assert header[STATUS_COL + 1] == STATUS_HEADER  # past the merged N1:P1
    assert values(book, "อำเภอภูเขียว")[1][STATUS_COL + 1] == "ครบถ้วน"


def test_cells_merged_over_the_status_column_skip_the_workbook_with_the_fix(
    tmp_path: Path,
) -> None:
    config = make_project(tmp_path)
    sync(config)
    book = tmp_path / "chaiyaphum.xlsx"
    wb = openpyxl.load_workbook(book)
    wb["อำเภอภูเขียว"].merge_cells(start_row=2, start_column=STATUS_COL, end_row=3,
                                   end_column=STATUS_COL)  # fmt: skip
    wb["อำเภอภูเขียว"].cell(4, 1).value = "แก้ไขแล้ว"  # so the statuses must be written again
    wb.save(book)
    before = book.read_bytes()
    report = sync(config)
    assert book.read_bytes() == before
    [skipped] = report.skipped
    reason = skipped.skipped_reason or ""
    assert "อำเภอภูเขียว" in reason and "O2:O3" in reason and "unmerge" in reason
    assert report.applied[-1].spreadsheet == "national.xlsx" and report.applied[-1].written


def test_the_bot_s_tabs_claim_an_empty_person_tab_but_never_a_filled_one(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    write_workbook(tmp_path / "national.xlsx", {"สรุปตัวชี้วัด": [], "รวมทั้งประเทศ": [["ของฉัน"]]})
    report = sync(config)
    assert values(tmp_path / "national.xlsx", "รวมทั้งประเทศ") == [["ของฉัน"]]
    assert values(tmp_path / "national.xlsx", "สรุปตัวชี้วัด")[0][0]
    assert "TAB_CONFLICT" in {p.code for p in report.problems}
