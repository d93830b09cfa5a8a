"""What the bot's tabs look like in the .xlsx files after the demo's sync: each tab's layout
(bot.presentation) rendered, read back with openpyxl as Excel would show it: number
formats, frozen header, filter, widths, wrapping and row heights, colours, print setup.
And the district tabs, which are staff's, keep their own print setup."""

from __future__ import annotations

import shutil
import warnings
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.cycle import CycleReport, sync_cycle
from bot.examples import make_examples
from bot.model import BotTab
from bot.presentation import NUMBER_PATTERNS, STYLE_COLOURS
from tests.factories import column
from tests.xlsx_parts import members, sheet_parts

ROOT = Path(__file__).resolve().parent.parent
DAY = date(2025, 1, 17)
DASHBOARD = "ภาพรวมจังหวัดชัยภูมิ"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Config, CycleReport]:
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "config.example.yaml", folder / "config.yaml")
    make_examples(folder / "example")
    shutil.copy(folder / "example" / "chaiyaphum.xlsx", folder / "as-made.xlsx")
    config = load_config(folder / "config.yaml")
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, DAY)
    assert not report.skipped
    return folder / "example", config, report


def _load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a part openpyxl cannot read would warn
        return openpyxl.load_workbook(path)


def _tab(report: CycleReport, name: str) -> BotTab:
    return next(t for p in report.plans for t in p.tabs if t.name == name)


def _colour(ws: Worksheet, row: int, col: int) -> str | None:
    fill = ws.cell(row, col).fill
    return fill.fgColor.rgb if fill.fill_type == "solid" else None


def test_per_cents_show_with_their_sign_and_counts_with_thousands(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, config, _ = demo
    ws = _load(folder / "national.xlsx")[config.tabs.summary]
    line = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ชัยภูมิ")
    header = [ws.cell(4, c).value for c in range(1, ws.max_column + 1)]
    percent = ws.cell(line, header.index("ร้อยละของอำเภอที่มีอัตลักษณ์") + 1)
    # 14 of 16 districts: the number stays 87.5 and shows as "87.5%".
    assert percent.value == 87.5 and percent.number_format == '0.0"%"'
    assert ws.cell(line, 2).value == 16 and ws.cell(line, 2).number_format == "#,##0"
    assert ws.cell(1, 1).font.b  # the title
    assert ws.cell(4, 1).font.b and _colour(ws, 4, 1) == "FF" + STYLE_COLOURS["header"]


def test_roll_up_freezes_and_filters_its_header_and_fits_its_widths(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, config, report = demo
    tab = _tab(report, config.tabs.national)
    ws = _load(folder / "national.xlsx")[config.tabs.national]
    width = len(tab.rows[0])
    assert ws.freeze_panes == "B2"  # the header row and the month column stay in view
    assert ws.auto_filter.ref == f"A1:{get_column_letter(width)}{len(tab.rows)}"
    for c, expected in enumerate(tab.layout.widths, start=1):
        assert ws.column_dimensions[get_column_letter(c)].width == pytest.approx(expected, 0.01)
    # Codes and months are text: "3601" keeps its digits as typed, filters sort them as text.
    code = tab.rows[0].index("รหัสอำเภอ") + 1
    assert ws.cell(2, code).number_format == NUMBER_PATTERNS["text"]


def test_long_text_wraps_in_a_row_tall_enough_and_short_rows_stay_short(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, config, report = demo
    tab = _tab(report, config.tabs.national)
    ws = _load(folder / "national.xlsx")[config.tabs.national]
    status = tab.rows[0].index(config.form.status_header) + 1
    assert status in tab.layout.wrap
    texts = column(tab.rows, config.form.status_header)
    long_row = next(
        i for i, t in enumerate(texts, start=2) if len(t) > 2 * tab.layout.widths[status - 1]
    )
    short_rows = [i for i, row in enumerate(tab.rows[1:], start=2)
                  if all(len(str(v)) < 20 for v in row if isinstance(v, str))]  # fmt: skip
    assert ws.cell(long_row, status).alignment.wrap_text
    assert ws.cell(long_row, status).alignment.vertical == "top"
    assert (ws.row_dimensions[long_row].height or 15) >= 45  # three lines or more
    assert all(ws.row_dimensions[r].height is None for r in short_rows)
    # A column that does not wrap keeps its text on one line.
    month = tab.rows[0].index("เดือนที่รายงาน") + 1
    assert month not in tab.layout.wrap and not ws.cell(2, month).alignment.wrap_text


def test_statuses_are_coloured_by_rules_and_the_duplicate_row_is_highlighted(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, config, report = demo
    tab = _tab(report, config.tabs.national)
    ws = _load(folder / "national.xlsx")[config.tabs.national]
    status = tab.rows[0].index(config.form.status_header) + 1
    letter = get_column_letter(status)
    (formatting,) = [cf for cf in ws.conditional_formatting if str(cf.sqref).startswith(letter)]
    assert str(formatting.sqref) == f"{letter}2:{letter}{len(tab.rows)}"
    rules = sorted(formatting.rules, key=lambda r: r.priority)
    assert [(r.type, r.text) for r in rules] == [
        ("beginsWith", "ต้องแก้ไข"), ("beginsWith", "ครบถ้วน (มีข้อสังเกต)"), ("beginsWith", "ครบถ้วน"),
    ]  # fmt: skip
    shown = {r.text: r.dxf.fill.bgColor.rgb for r in rules}
    assert shown == {"ต้องแก้ไข": "FF" + STYLE_COLOURS["error"],
                     "ครบถ้วน (มีข้อสังเกต)": "FF" + STYLE_COLOURS["warning"],
                     "ครบถ้วน": "FF" + STYLE_COLOURS["ok"]}  # fmt: skip
    # Every status is caught by a rule: the first one whose text begins it (Excel stops there).
    for text in column(tab.rows, config.form.status_header):
        assert any(text.startswith(r.text) for r in rules), text
    # The duplicate row is coloured across the whole table, its empty cells too.
    duplicates = [s.range.top for s in tab.layout.styled if s.style == "duplicate"]
    assert duplicates
    for row in duplicates:
        assert {_colour(ws, row, c) for c in range(1, len(tab.rows[0]) + 1)} == {
            "FF" + STYLE_COLOURS["duplicate"]
        }
    # A value kept as typed (not normalised) is coloured where it stands.
    kept = [s.range for s in tab.layout.styled if s.style == "kept"]
    assert kept and all(_colour(ws, r.top, r.left) == "FF" + STYLE_COLOURS["kept"] for r in kept)


def test_links_stay_inside_the_file_or_name_the_other_file_absolutely(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, config, _ = demo
    issues = _load(folder / "national.xlsx")[config.tabs.issues]
    links = [c.hyperlink for row in issues.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert links
    assert {link.target for link in links} == {(folder / "chaiyaphum.xlsx").absolute().as_uri()}
    dashboard = _load(folder / "chaiyaphum.xlsx")[DASHBOARD]
    inside = [c.hyperlink for row in dashboard.iter_rows() for c in row if c.hyperlink]
    assert inside and all(h.target is None and h.location for h in inside)
    assert all(c.font.u == "single" for row in dashboard.iter_rows() for c in row if c.hyperlink)


def test_every_bot_tab_prints_on_a4_landscape_one_page_wide_with_its_header_repeated(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, _, report = demo
    for plan in report.plans:
        wb = _load(folder / plan.spreadsheet)
        for tab in plan.tabs:
            ws = wb[tab.name]
            setup = ws.page_setup
            assert (setup.orientation, str(setup.paperSize)) == ("landscape", "9"), tab.name
            assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), tab.name
            assert ws.sheet_properties.pageSetUpPr.fitToPage, tab.name
            repeat = tab.layout.page.repeat_rows
            assert ws.print_title_rows == (f"$1:${repeat}" if repeat else None), tab.name
            assert "&P" in (ws.oddFooter.right.text or ""), tab.name  # page numbers


def test_district_tabs_keep_the_print_setup_staff_gave_them(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, _, _ = demo
    before, after = _load(folder.parent / "as-made.xlsx"), _load(folder / "chaiyaphum.xlsx")
    districts = [n for n in before.sheetnames if n.startswith("อำเภอ")]
    assert len(districts) == 16
    parts_before = members(folder.parent / "as-made.xlsx")
    parts_after = members(folder / "chaiyaphum.xlsx")
    for name in districts:
        old, new = before[name], after[name]
        assert repr(new.page_setup) == repr(old.page_setup), name
        assert repr(new.page_margins) == repr(old.page_margins), name
        assert new.print_title_rows == old.print_title_rows, name
        assert new.freeze_panes == old.freeze_panes and new.auto_filter.ref == old.auto_filter.ref
        # Byte for byte, the part has no print element of the bot's.
        xml_before = parts_before[sheet_parts(folder.parent / "as-made.xlsx")[name]]
        xml_after = parts_after[sheet_parts(folder / "chaiyaphum.xlsx")[name]]
        for element in (b"<pageSetup", b"<pageMargins", b"<headerFooter", b"<sheetPr"):
            assert xml_after.count(element) == xml_before.count(element), (name, element)


def test_a_dashboard_note_runs_on_instead_of_wrapping(
    demo: tuple[Path, Config, CycleReport],
) -> None:
    folder, _, report = demo
    name = DASHBOARD
    tab = _tab(report, name)
    ws = _load(folder / "chaiyaphum.xlsx")[name]
    # The title and the section lines stand alone on their rows: one line each.
    alone = [i for i, row in enumerate(tab.rows, start=1)
             if isinstance(row[0] if row else None, str)
             and len([v for v in row if v not in (None, "")]) == 1]  # fmt: skip
    assert alone
    for r in alone:
        assert not ws.cell(r, 1).alignment.wrap_text, r
        assert ws.row_dimensions[r].height is None, r
