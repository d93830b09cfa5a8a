"""The same behaviour from every backend: local .xlsx files and Google Sheets (on the fake).

What staff and DLA see after a cycle must not depend on where the sheets live.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.form_fields import STATUS_HEADER
from fake_sheets import FakeSheets
from tests.factories import HEADERS, column, row
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld, World, XlsxWorld

STATUS_COL = len(HEADERS) + 1
IDENTITY_COL = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
PHONE_COL = HEADERS.index("โทรศัพท์") + 1


@pytest.fixture(params=["xlsx", "google"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    if request.param == "xlsx":
        yield XlsxWorld(tmp_path)
        return
    with FakeSheets() as fake:
        yield GoogleWorld(fake)
        assert fake.errors == []


def test_status_highlights_and_bot_tabs(world: World) -> None:
    world.make(default_tabs())
    report = world.sync()
    phu = world.values("province", "อำเภอภูเขียว")
    assert phu[0][STATUS_COL - 1] == STATUS_HEADER
    assert [r[STATUS_COL - 1][:9] for r in phu[1:]] == ["ครบถ้วน", "ต้องแก้ไข", "ต้องแก้ไข"]
    assert world.colour("province", "อำเภอภูเขียว", 3, IDENTITY_COL) == "error"
    assert world.colour("province", "อำเภอภูเขียว", 4, PHONE_COL) == "warning"
    assert world.colour("province", "อำเภอภูเขียว", 2, IDENTITY_COL) is None
    province = world.values("province", "รวมจังหวัดชัยภูมิ")
    assert column(province, "อำเภอ") == ["บ้านเขว้า"] + ["ภูเขียว"] * 3
    assert world.values("national", "รวมทั้งประเทศ") == province
    summary = world.values("national", "สรุปตัวชี้วัด")
    assert next(r for r in summary if r and r[0] == "ชัยภูมิ")[1:4] == [3, 2, 66.7]
    issues = world.values("national", "รายการที่ต้องแก้ไข")
    assert sorted(column(issues, "รหัสปัญหา")) == ["BAD_PHONE", "BAD_URL", "MISSING"]
    assert report.summary.rows_complete == 2
    assert all(a.written for a in report.applied)


def test_second_cycle_writes_nothing_and_duplicates_nothing(world: World) -> None:
    world.make(default_tabs())
    world.sync()
    before = world.values("national", "รวมทั้งประเทศ")
    report = world.sync()
    assert [a.written for a in report.applied] == [False, False]
    assert world.values("national", "รวมทั้งประเทศ") == before
    assert len(before) == 5


def test_fixing_a_row_clears_its_status_and_highlight(world: World) -> None:
    world.make(default_tabs())
    world.sync()
    world.set_value("province", "อำเภอภูเขียว", 3, IDENTITY_COL, "ข้าวหลาม")
    world.sync()
    assert world.values("province", "อำเภอภูเขียว")[2][STATUS_COL - 1] == "ครบถ้วน"
    assert world.colour("province", "อำเภอภูเขียว", 3, IDENTITY_COL) is None


def test_a_person_s_colour_is_never_touched(world: World) -> None:
    world.make(default_tabs())
    world.paint("province", "อำเภอภูเขียว", 3, IDENTITY_COL)  # a cell the bot flags
    world.paint("province", "อำเภอภูเขียว", 2, IDENTITY_COL)  # a cell it does not
    world.sync()
    world.sync()
    assert world.colour("province", "อำเภอภูเขียว", 3, IDENTITY_COL) == "person"
    assert world.colour("province", "อำเภอภูเขียว", 2, IDENTITY_COL) == "person"


def test_formula_looking_text_is_copied_as_text(world: World) -> None:
    tabs = default_tabs()
    tabs["อำเภอภูเขียว"] = [HEADERS, row(note='=IMPORTXML("http://x","//a")')]
    world.make(tabs)
    world.sync()
    copied = world.values("national", "รวมทั้งประเทศ")
    assert [v for v in column(copied, "หมายเหตุ") if v] == ['=IMPORTXML("http://x","//a")']


def test_a_person_s_tab_with_the_bot_s_name_is_left_alone(world: World) -> None:
    world.make(default_tabs(), national={"รวมทั้งประเทศ": [["งานของฉัน"], ["ห้ามลบ"]]})
    report = world.sync()
    assert world.values("national", "รวมทั้งประเทศ") == [["งานของฉัน"], ["ห้ามลบ"]]
    assert "TAB_CONFLICT" in {p.code for p in report.problems}
    issues = world.values("national", "รายการที่ต้องแก้ไข")
    assert "TAB_CONFLICT" in column(issues, "รหัสปัญหา")


def test_a_person_s_tab_is_not_taken_for_empty_when_only_a1_is_blank(world: World) -> None:
    mine = [[None, None], [None, None], [None, "ข้อมูลของฉัน"]]
    # All the bot's tab names exist, so the bot's first read succeeds in one request and
    # sees only A1 of each: it must look further before calling this one empty.
    national = {"คำอธิบาย": [["x"]], "รวมทั้งประเทศ": mine, "สรุปตัวชี้วัด": [], "รายการที่ต้องแก้ไข": []}
    world.make(default_tabs(), national=national)
    world.sync()  # first cycle
    world.sync()  # a later one, with what the backend has learnt
    assert world.values("national", "รวมทั้งประเทศ") == [[], [], [None, "ข้อมูลของฉัน"]]


def test_an_empty_tab_with_the_bot_s_name_is_claimed(world: World) -> None:
    world.make(default_tabs(), national={"คำอธิบาย": [["x"]], "รวมทั้งประเทศ": []})
    report = world.sync()
    assert "TAB_CONFLICT" not in {p.code for p in report.problems}
    assert len(world.values("national", "รวมทั้งประเทศ")) == 5
    assert world.sync().applied[1].written is False


def test_a_missing_district_tab_is_reported_and_the_others_synced(world: World) -> None:
    world.make({"อำเภอภูเขียว": [HEADERS, row()]})
    report = world.sync()
    assert sorted(p.tab for p in report.problems if p.code == "MISSING_TAB") == [
        "อำเภอคอนสาร",
        "อำเภอบ้านเขว้า",
    ]
    assert world.values("province", "อำเภอภูเขียว")[1][STATUS_COL - 1] == "ครบถ้วน"


def test_rows_and_tabs_change_between_cycles(world: World) -> None:
    world.make(default_tabs())
    world.sync()
    world.set_value("province", "อำเภอคอนสาร", 2, 1, "ธ.ค. 2567")  # a new, incomplete row
    report = world.sync()
    khon_san = world.values("province", "อำเภอคอนสาร")
    assert khon_san[1][STATUS_COL - 1].startswith("ต้องแก้ไข")
    assert len(world.values("national", "รวมทั้งประเทศ")) == 6
    assert report.applied[0].written and report.applied[1].written
