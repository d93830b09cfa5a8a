"""A sync touches only the bot's parts of a workbook: every other zip member comes out byte
for byte, and in a district tab every cell but the status cells is unchanged (a highlighted
cell changes only its style index, to a format that differs only in its fill). So a
person's formulas keep their calculated values, and rich text, comments, data validation,
charts, pictures and macros survive."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.cycle import CycleReport, check_cycle, sync_cycle
from bot.form_fields import STATUS_HEADER
from tests.factories import HEADERS
from tests.workbooks import CONFIG_TEXT, DISTRICT_TABS, default_tabs, khwao_row, values
from tests.xlsx_parts import (
    VBA,
    add_picture,
    cells,
    check_order,
    check_structure,
    make_macro_workbook,
    members,
    raw_records,
    set_cached_values,
    sheet_parts,
    without_style,
)

TODAY = date(2025, 1, 17)
STATUS_LETTER = openpyxl.utils.get_column_letter(len(HEADERS) + 1)
BOT_OWNED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
             "xl/styles.xml"}  # fmt: skip


def sync(config: Config) -> CycleReport:
    with open_backend(config) as backend:
        return sync_cycle(config, backend, TODAY)


def check(config: Config) -> CycleReport:
    with open_backend(config) as backend:
        return check_cycle(config, backend, TODAY)


def rich_workbook(path: Path) -> None:
    """Chaiyaphum's district tabs with what people put in real workbooks."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in default_tabs().items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value not in (None, ""):
                    ws.cell(r, c).value = value
    phu = wb["อำเภอภูเขียว"]
    note = HEADERS.index("หมายเหตุ") + 1
    phu.cell(2, note).value = CellRichText(
        "ส่งแล้ว ", TextBlock(InlineFont(b=True, color="FFFF0000"), "ตัวหนาสีแดง")
    )
    phu.cell(2, 1).comment = Comment("ตรวจแล้ว", "สมศรี")
    check_list = DataValidation(type="list", formula1='"หน่วยงานหลัก,หน่วยงานสนับสนุน"')
    phu.add_data_validation(check_list)
    check_list.add(f"{openpyxl.utils.get_column_letter(HEADERS.index('บทบาท อปท.') + 1)}2:H100")
    phu.conditional_formatting.add(
        "A2:A100",
        CellIsRule(operator="equal", formula=['"x"'], fill=PatternFill("solid", "FFFF00")),
    )
    phu.merge_cells("A10:C10")
    phu["A10"] = "หมายเหตุท้ายตาราง"
    chart = BarChart()
    chart.add_data(Reference(phu, min_col=1, min_row=1, max_row=4))
    wb["อำเภอบ้านเขว้า"].add_chart(chart, "Q2")
    wb.defined_names["ผู้ประสานงาน"] = DefinedName("ผู้ประสานงาน", attr_text="'อำเภอภูเขียว'!$L$2")
    wb.save(path)
    add_picture(path, "อำเภอคอนสาร")


@pytest.fixture
def project(tmp_path: Path) -> Config:
    (tmp_path / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    rich_workbook(tmp_path / "chaiyaphum.xlsx")
    return load_config(tmp_path / "config.yaml")


def test_every_part_the_bot_does_not_own_is_copied_byte_for_byte(
    project: Config, tmp_path: Path
) -> None:
    book = tmp_path / "chaiyaphum.xlsx"
    before = raw_records(book)
    report = sync(project)
    assert all(a.written for a in report.applied)
    after = raw_records(book)
    owned = BOT_OWNED | {sheet_parts(book)[t] for t in DISTRICT_TABS}
    province_tab = sheet_parts(book)["รวมจังหวัดชัยภูมิ"]
    dashboard_tab = sheet_parts(book)["ภาพรวมจังหวัดชัยภูมิ"]
    assert province_tab not in before and dashboard_tab not in before  # the bot's own new tabs
    kept = {name for name in before if name not in owned}
    # Comments, their drawing, the chart, the picture, theme, document properties...
    assert {"xl/comments/comment1.xml", "xl/charts/chart1.xml", "xl/media/image9.png"} <= kept
    for name in kept:
        assert after[name] == before[name], name  # the stored zip record itself, not only content
    assert set(after) - set(before) == {province_tab, dashboard_tab}
    check_structure(book)
    check_structure(tmp_path / "national.xlsx")


def test_in_a_district_tab_only_status_cells_and_highlight_styles_change(
    project: Config, tmp_path: Path
) -> None:
    book = tmp_path / "chaiyaphum.xlsx"
    part = sheet_parts(book)["อำเภอภูเขียว"]
    before_xml = members(book)[part]
    looks_before = openpyxl.load_workbook(book)["อำเภอภูเขียว"]
    report = sync(project)
    after_xml = members(book)[part]
    looks_after = openpyxl.load_workbook(book)["อำเภอภูเขียว"]
    [marks] = [m for p in report.plans for m in p.marks if m.tab == "อำเภอภูเขียว"]
    flagged = {(h.row, openpyxl.utils.get_column_letter(h.column)) for h in marks.highlights}
    check_order(after_xml)
    before, after = cells(before_xml), cells(after_xml)
    changed = set()
    for key, cell in before.items():
        if key[1] == STATUS_LETTER or after[key] == cell:
            continue
        changed.add(key)
        # Only the style index changes, to a format that differs only in its fill.
        assert without_style(after[key]) == without_style(cell), key
        old, new = looks_before[f"{key[1]}{key[0]}"], looks_after[f"{key[1]}{key[0]}"]
        looks = ("font", "border", "alignment", "number_format", "protection")
        assert [repr(getattr(new, k)) for k in looks] == [repr(getattr(old, k)) for k in looks]
        assert new.fill.fgColor.rgb in ("FFF8CBCB", "FFFFF0B3")
    assert changed and changed <= flagged
    new = {k for k in after if k not in before}
    assert {k for k in new if k[1] == STATUS_LETTER} == {
        (r, STATUS_LETTER) for r in (1, 2, 3, 4, 10)
    }
    # The rich text, the comment's anchor, data validation and the merge are all still there.
    assert b"<b/>" in before_xml or b"<b val" in after_xml
    for block in (
        b"<dataValidations",
        b"<mergeCells",
        b"<conditionalFormatting",
        b"<legacyDrawing",
    ):
        assert after_xml.count(block) == before_xml.count(block) == 1, block

    # Outside the cells, only the dimension and a new column width changed.
    def rest(xml: bytes) -> bytes:
        xml = re.sub(rb"<sheetData>.*</sheetData>", b"", xml, flags=re.S)
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return re.sub(rb"<cols>.*?</cols>", b"", xml, flags=re.S)

    assert rest(after_xml) == rest(before_xml)


def test_formula_values_survive_check_sync_check(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    book = tmp_path / "chaiyaphum.xlsx"
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    formulas: dict[str, dict[str, object]] = {}
    for name, grid in default_tabs().items():
        ws = wb.create_sheet(name)
        formulas[name] = {}
        for r, row in enumerate(grid, start=1):
            for c, value in enumerate(row, start=1):
                if value in (None, ""):
                    continue
                ref = f"{openpyxl.utils.get_column_letter(c)}{r}"
                if r > 1 and isinstance(value, str) and c in (2, 3, 4, 5):
                    # Province, district, organisation and kind typed as formulas, as
                    # offices do when they copy them from a lookup tab.
                    ws[ref] = f'="{value}"'
                    formulas[name][ref] = value
                else:
                    ws[ref] = value
    extra = wb["อำเภอบ้านเขว้า"]
    for r in range(3, 6):
        for c, value in enumerate(khwao_row(lao=f"ทต.บ้านเขว้า{r}"), start=1):
            ref = f"{openpyxl.utils.get_column_letter(c)}{r}"
            extra[ref] = f'="{value}"' if c in (2, 3, 4, 5) else value
            if c in (2, 3, 4, 5):
                formulas["อำเภอบ้านเขว้า"][ref] = value
    wb.save(book)
    for name, refs in formulas.items():
        set_cached_values(book, name, refs)
    config = load_config(tmp_path / "config.yaml")

    first = check(config)
    assert first.summary.rows_read == 7 and first.summary.districts_with_identity == 2
    sync(config)
    sync(config)
    second = check(config)
    assert second.summary.as_json() == first.summary.as_json()
    assert [p.as_json() for p in second.problems] == [p.as_json() for p in first.problems]
    assert [r.row.text for r in second.results] == [r.row.text for r in first.results]
    # The formulas themselves are still formulas, with their values.
    ws = openpyxl.load_workbook(book)["อำเภอบ้านเขว้า"]
    assert ws["B3"].value == '="ชัยภูมิ"'
    assert openpyxl.load_workbook(book, data_only=True)["อำเภอบ้านเขว้า"]["B3"].value == "ชัยภูมิ"


def test_a_macro_workbook_keeps_its_macros(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        CONFIG_TEXT.replace("chaiyaphum.xlsx", "chaiyaphum.xlsm"), encoding="utf-8"
    )
    book = tmp_path / "chaiyaphum.xlsm"
    rich_workbook(book)
    make_macro_workbook(book)
    before = raw_records(book)
    config = load_config(tmp_path / "config.yaml")
    report = sync(config)
    assert all(a.written for a in report.applied)
    assert raw_records(book)["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert members(book)["xl/vbaProject.bin"] == VBA
    assert b"macroEnabled.main+xml" in members(book)["[Content_Types].xml"]
    assert values(book, "อำเภอภูเขียว")[0][len(HEADERS)] == STATUS_HEADER


def test_the_bot_s_own_tabs_open_in_openpyxl_with_links(project: Config, tmp_path: Path) -> None:
    sync(project)
    wb = openpyxl.load_workbook(tmp_path / "national.xlsx")
    issues = wb["รายการที่ต้องแก้ไข"]
    header = [c.value for c in issues[1]]
    assert header[0] and issues.freeze_panes == "A2"
    link = next(c.hyperlink for row in issues.iter_rows(min_row=2) for c in row if c.hyperlink)
    assert link.target == "chaiyaphum.xlsx" and link.location.startswith("'อำเภอภูเขียว'!")
    assert issues.cell(1, 1).font.b and issues.cell(1, 1).fill.fgColor.rgb == "FFDDEBF7"
