"""A whole sync cycle on real .xlsx files: what staff and DLA see after it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.backends import open_backend
from bot.backends.xlsx_styles import BOT_COLOURS
from bot.config import Config
from bot.config_load import load_config
from bot.cycle import check_cycle, sync_cycle
from bot.errors import ConfigError
from bot.form_fields import STATUS_HEADER
from bot.rollup import MONTH_KEY_HEADER, SOURCE_HEADER
from tests.factories import HEADERS, column, row
from tests.workbooks import DISTRICT_TABS, make_project, values, write_workbook

TODAY = date(2025, 1, 17)
STATUS_COL = len(HEADERS) + 1


def sync(config: Config, today: date = TODAY):  # type: ignore[no-untyped-def]
    with open_backend(config) as backend:
        return sync_cycle(config, backend, today)


@pytest.fixture
def project(tmp_path: Path) -> Config:
    return make_project(tmp_path)


def test_sync_writes_status_highlights_and_all_bot_tabs(project: Config, tmp_path: Path) -> None:
    report = sync(project)
    book = tmp_path / "chaiyaphum.xlsx"
    phu = values(book, "อำเภอภูเขียว")
    assert phu[0][STATUS_COL - 1] == STATUS_HEADER
    assert phu[1][STATUS_COL - 1] == "ครบถ้วน"
    assert phu[2][STATUS_COL - 1].startswith("ต้องแก้ไข 1 รายการ: ยังไม่ได้กรอก “ชื่ออัตลักษณ์ท้องถิ่น”")
    assert "ลิงก์เผยแพร่" in phu[3][STATUS_COL - 1] and "ข้อสังเกต" in phu[3][STATUS_COL - 1]

    ws = openpyxl.load_workbook(book)["อำเภอภูเขียว"]
    identity_col = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
    phone_col = HEADERS.index("โทรศัพท์") + 1
    assert ws.cell(3, identity_col).fill.start_color.rgb == BOT_COLOURS["error"]
    assert ws.cell(4, phone_col).fill.start_color.rgb == BOT_COLOURS["warning"]
    assert ws.cell(2, identity_col).fill.fill_type is None

    province = values(book, "รวมจังหวัดชัยภูมิ")
    # The form's headers in the form's order, with the codes and the sortable month beside.
    assert [h for h in province[0] if h in HEADERS] == HEADERS
    assert province[0][:4] == ["เดือนที่รายงาน", MONTH_KEY_HEADER, "รหัสจังหวัด", "จังหวัด"]
    # District order: บ้านเขว้า (registry 02) before ภูเขียว (10); sources link back.
    assert column(province, "อำเภอ") == ["บ้านเขว้า"] + ["ภูเขียว"] * 3
    source_col = province[0].index(SOURCE_HEADER) + 1
    assert province[2][source_col - 1] == "อำเภอภูเขียว แถวที่ 2"
    link = openpyxl.load_workbook(book)["รวมจังหวัดชัยภูมิ"].cell(3, source_col).hyperlink
    assert link.location == "'อำเภอภูเขียว'!A2"

    national = tmp_path / "national.xlsx"
    assert values(national, "รวมทั้งประเทศ") == province
    summary = values(national, "สรุปตัวชี้วัด")
    chaiyaphum = next(r for r in summary if r[0] == "ชัยภูมิ")
    assert chaiyaphum[1:4] == [3, 2, 66.7]  # 3 districts, 2 with an identity
    issues = values(national, "รายการที่ต้องแก้ไข")
    assert set(column(issues, "รหัสปัญหา")) == {"MISSING", "BAD_URL", "BAD_PHONE"}
    cell_link = openpyxl.load_workbook(national)["รายการที่ต้องแก้ไข"].cell(2, 9).hyperlink
    assert cell_link.target == "chaiyaphum.xlsx"
    assert cell_link.location == f"'อำเภอภูเขียว'!{openpyxl.utils.get_column_letter(identity_col)}3"

    assert report.summary.rows_read == 4
    assert report.summary.rows_complete == 2
    assert report.summary.districts_with_identity == 2
    assert report.summary.target_districts == 439
    assert all(a.written for a in report.applied)


def test_second_sync_changes_nothing_and_duplicates_nothing(
    project: Config, tmp_path: Path
) -> None:
    sync(project)
    files = [tmp_path / "chaiyaphum.xlsx", tmp_path / "national.xlsx"]
    before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
    report = sync(project)
    assert [a.written for a in report.applied] == [False, False]
    assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before
    assert len(values(files[0], "รวมจังหวัดชัยภูมิ")) == 5


def test_fixing_a_row_clears_its_status_and_highlight(project: Config, tmp_path: Path) -> None:
    sync(project)
    book = tmp_path / "chaiyaphum.xlsx"
    wb = openpyxl.load_workbook(book)
    identity_col = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
    wb["อำเภอภูเขียว"].cell(3, identity_col).value = "ข้าวหลาม"
    wb.save(book)
    sync(project)
    ws = openpyxl.load_workbook(book)["อำเภอภูเขียว"]
    assert ws.cell(3, STATUS_COL).value == "ครบถ้วน"
    assert ws.cell(3, identity_col).fill.fill_type is None


def test_a_person_s_colour_is_never_removed(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    book = tmp_path / "chaiyaphum.xlsx"
    wb = openpyxl.load_workbook(book)
    identity_col = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
    green = openpyxl.styles.PatternFill("solid", start_color="FF00FF00", end_color="FF00FF00")
    wb["อำเภอภูเขียว"].cell(3, identity_col).fill = green
    wb["อำเภอภูเขียว"].cell(2, identity_col).fill = green
    wb.save(book)
    sync(config)
    ws = openpyxl.load_workbook(book)["อำเภอภูเขียว"]
    assert ws.cell(3, identity_col).fill.start_color.rgb == "FF00FF00"
    assert ws.cell(2, identity_col).fill.start_color.rgb == "FF00FF00"


def test_formulas_typed_by_staff_are_copied_as_text(tmp_path: Path) -> None:
    tabs = {name: [HEADERS] for name in DISTRICT_TABS}
    tabs["อำเภอภูเขียว"] = [HEADERS, row(note='=IMPORTXML("http://x","//a")')]
    config = make_project(tmp_path, tabs)
    wb = openpyxl.load_workbook(tmp_path / "chaiyaphum.xlsx")
    wb["อำเภอภูเขียว"].cell(2, HEADERS.index("หมายเหตุ") + 1).data_type = "s"
    wb.save(tmp_path / "chaiyaphum.xlsx")
    sync(config)
    copy = openpyxl.load_workbook(tmp_path / "national.xlsx")["รวมทั้งประเทศ"]
    header = [c.value for c in copy[1]]
    cell = copy.cell(2, header.index("หมายเหตุ") + 1)
    assert cell.value == '=IMPORTXML("http://x","//a")'
    assert cell.data_type == "s"


def test_a_person_s_tab_with_the_bot_s_name_is_left_alone(project: Config, tmp_path: Path) -> None:
    write_workbook(tmp_path / "national.xlsx", {"รวมทั้งประเทศ": [["งานของฉัน"], ["ห้ามลบ"]]})
    report = sync(project)
    assert values(tmp_path / "national.xlsx", "รวมทั้งประเทศ") == [["งานของฉัน"], ["ห้ามลบ"]]
    assert "TAB_CONFLICT" in {p.code for p in report.problems}
    assert values(tmp_path / "national.xlsx", "สรุปตัวชี้วัด")  # the other tabs are written
    issues = values(tmp_path / "national.xlsx", "รายการที่ต้องแก้ไข")
    assert "TAB_CONFLICT" in column(issues, "รหัสปัญหา")


def test_an_empty_tab_with_the_bot_s_name_is_claimed(project: Config, tmp_path: Path) -> None:
    write_workbook(tmp_path / "national.xlsx", {"รวมทั้งประเทศ": []})
    report = sync(project)
    assert "TAB_CONFLICT" not in {p.code for p in report.problems}
    assert len(values(tmp_path / "national.xlsx", "รวมทั้งประเทศ")) == 5


@pytest.mark.parametrize(
    "lock", [".~lock.chaiyaphum.xlsx#", "~$chaiyaphum.xlsx", "~$aiyaphum.xlsx"]
)
def test_a_workbook_open_in_an_office_program_is_not_touched(
    project: Config, tmp_path: Path, lock: str
) -> None:
    book = tmp_path / "chaiyaphum.xlsx"
    before = book.read_bytes()
    (tmp_path / lock).write_text("someone,somewhere")
    report = sync(project)
    assert book.read_bytes() == before
    [skipped] = report.skipped
    assert skipped.spreadsheet == "chaiyaphum.xlsx"
    assert "open in Excel or LibreOffice" in (skipped.skipped_reason or "")
    assert (tmp_path / "national.xlsx").exists()  # the others are still written


def test_a_workbook_changed_after_reading_is_not_overwritten(
    project: Config, tmp_path: Path
) -> None:
    book = tmp_path / "chaiyaphum.xlsx"
    with open_backend(project) as backend:
        report = check_cycle(project, backend, TODAY)
        wb = openpyxl.load_workbook(book)
        wb["อำเภอภูเขียว"].cell(5, 1).value = "พิมพ์ระหว่างที่บอทตรวจ"
        wb.save(book)
        result = backend.apply(report.plans[0], report.reads["chaiyaphum.xlsx"])
    assert not result.written and "changed while" in (result.skipped_reason or "")
    assert values(book, "อำเภอภูเขียว")[4][0] == "พิมพ์ระหว่างที่บอทตรวจ"


def test_two_bots_cannot_write_in_one_folder_but_both_can_read(
    project: Config, tmp_path: Path
) -> None:
    book = tmp_path / "chaiyaphum.xlsx"
    before = book.read_bytes()
    with open_backend(project) as first:
        first_report = check_cycle(project, first, TODAY)
        assert first.apply(first_report.plans[0], first_report.reads["chaiyaphum.xlsx"]).written
        with open_backend(project) as second:
            report = sync_cycle(project, second, TODAY)  # reads fine: `check` and `remind` work
        assert report.summary.rows_read == 4
        assert {a.spreadsheet for a in report.skipped} == {"chaiyaphum.xlsx", "national.xlsx"}
        assert all("another softpower-bot is writing" in (a.skipped_reason or "")
                   for a in report.skipped)  # fmt: skip
    assert book.read_bytes() != before  # the first bot's write stands


def test_missing_province_workbook_is_skipped_with_a_clear_reason(
    project: Config, tmp_path: Path
) -> None:
    (tmp_path / "chaiyaphum.xlsx").unlink()
    report = sync(project)
    [skipped] = report.skipped
    assert skipped.spreadsheet == "chaiyaphum.xlsx"
    assert "chaiyaphum.xlsx: ไม่พบไฟล์สเปรดชีต" in (skipped.skipped_reason or "")
    assert "workbook not found" in (skipped.skipped_reason or "")
    # The national workbook is still written and names the stale province.
    issues = values(tmp_path / "national.xlsx", "รายการที่ต้องแก้ไข")
    stale = zip(column(issues, "รหัสปัญหา"), column(issues, "รายละเอียด"), strict=True)
    assert any(code == "STALE_SPREADSHEET" and "จังหวัดชัยภูมิ" in text for code, text in stale)


def test_a_missing_district_tab_is_reported_and_others_still_synced(tmp_path: Path) -> None:
    config = make_project(tmp_path, {"อำเภอภูเขียว": [HEADERS, row()]})
    report = sync(config)
    missing = [p for p in report.problems if p.code == "MISSING_TAB"]
    assert sorted(p.tab for p in missing) == ["อำเภอคอนสาร", "อำเภอบ้านเขว้า"]
    assert values(tmp_path / "chaiyaphum.xlsx", "อำเภอภูเขียว")[1][STATUS_COL - 1] == "ครบถ้วน"


def test_config_that_would_write_into_a_source_tab_is_refused(tmp_path: Path) -> None:
    make_project(tmp_path)
    text = (tmp_path / "config.yaml").read_text() + "tabs: {province: อำเภอภูเขียว}\n"
    (tmp_path / "config.yaml").write_text(text)
    with pytest.raises(ConfigError, match="would overwrite the district tab 'อำเภอภูเขียว'"):
        load_config(tmp_path / "config.yaml")


def test_new_status_column_never_lands_on_an_uncalculated_formula(tmp_path: Path) -> None:
    # A formula saved by a script has no cached value, so the read sees an empty cell.
    tabs = {name: [HEADERS] for name in DISTRICT_TABS}
    tabs["อำเภอภูเขียว"] = [HEADERS, [*row(), "=1+1"]]
    config = make_project(tmp_path, tabs)
    sync(config)
    ws = openpyxl.load_workbook(tmp_path / "chaiyaphum.xlsx")["อำเภอภูเขียว"]
    formula = ws.cell(2, len(HEADERS) + 1)
    assert (formula.value, formula.data_type) == ("=1+1", "f")
    assert ws.cell(1, len(HEADERS) + 2).value == STATUS_HEADER
    assert ws.cell(2, len(HEADERS) + 2).value == "ครบถ้วน"


def test_one_shared_spreadsheet_for_two_provinces_and_the_national_tabs(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        """
xlsx: {folder: .}
national: {file: shared.xlsx}
provinces:
  - {province: ชัยภูมิ, file: shared.xlsx, districts: [ภูเขียว]}
  - {province: ขอนแก่น, file: shared.xlsx, districts: [ชุมแพ]}
""",
        encoding="utf-8",
    )
    khon_kaen = row(
        province="ขอนแก่น", district="ชุมแพ", lao="ทม.ชุมแพ",
        hashtags="#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดขอนแก่น #อำเภอชุมแพ",
    )  # fmt: skip
    write_workbook(
        tmp_path / "shared.xlsx",
        {"อำเภอภูเขียว": [HEADERS, row()], "อำเภอชุมแพ": [HEADERS, khon_kaen]},
    )
    config = load_config(tmp_path / "config.yaml")
    report = sync(config)
    assert report.problems == []
    assert [a.spreadsheet for a in report.applied] == ["shared.xlsx"]  # one write
    book = tmp_path / "shared.xlsx"
    assert openpyxl.load_workbook(book).sheetnames == [
        "อำเภอภูเขียว", "อำเภอชุมแพ", "รวมจังหวัดชัยภูมิ", "ภาพรวมจังหวัดชัยภูมิ",
        "รวมจังหวัดขอนแก่น", "ภาพรวมจังหวัดขอนแก่น",
        "รวมทั้งประเทศ", "สรุปตัวชี้วัด", "รายการที่ต้องแก้ไข", "ทะเบียนอำเภอ",
    ]  # fmt: skip
    national = values(book, "รวมทั้งประเทศ")
    assert column(national, "จังหวัด") == ["ชัยภูมิ", "ขอนแก่น"]
    assert report.summary.districts_with_identity == 2


def test_a_status_column_under_the_old_header_is_kept_and_renamed(tmp_path: Path) -> None:
    # Sheets from before the default header said "ระบบ" keep their column: no second one.
    tabs = {name: [HEADERS] for name in DISTRICT_TABS}
    tabs["อำเภอภูเขียว"] = [[*HEADERS, "ผลตรวจสอบ (บอท)"], [*row(), "ครบถ้วน"]]
    config = make_project(tmp_path, tabs)
    sync(config)
    phu = values(tmp_path / "chaiyaphum.xlsx", "อำเภอภูเขียว")
    assert phu[0] == [*HEADERS, STATUS_HEADER]
    assert phu[1][STATUS_COL - 1] == "ครบถ้วน"
    assert STATUS_HEADER == "ผลการตรวจสอบ (ระบบ)"
