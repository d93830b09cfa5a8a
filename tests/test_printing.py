"""The demo workbooks printed by LibreOffice, as a person would print them: every bot tab on
a few A4 pages with its Thai text drawn in a Thai font and its charts drawn; the district
tabs print as staff set them up, the column the bot adds included. And LibreOffice, saving
the bot's workbook again, keeps its charts, filters, colour rules and print titles: it
understood them.

Needs LibreOffice (`apt-get install libreoffice-calc-nogui`); the pictures of the pages
need `pdftoppm` (`apt-get install poppler-utils`). Without them these tests are skipped with
that reason. `python bench/printed.py` prints the page counts the README gives.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bench.printed import libreoffice, make_demo, pdf_fonts, pdf_pages, print_tabs, to_png
from bot.backends import open_backend
from bot.backends.xlsx_charts import MAIN_COLOUR, NAME_PREFIX, TARGET_COLOURS
from bot.config_load import load_config
from bot.cycle import sync_cycle
from tests.xlsx_parts import check_structure, libreoffice_save, members, tab_family

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        libreoffice() is None,
        reason="LibreOffice (soffice) is not installed: `apt-get install "
        "libreoffice-calc-nogui` runs these tests",
    ),
]

BOT_TABS = {"chaiyaphum": ("รวมจังหวัดชัยภูมิ", "ภาพรวมจังหวัดชัยภูมิ"),
            "national": ("รวมทั้งประเทศ", "สรุปตัวชี้วัด", "รายการที่ต้องแก้ไข", "ทะเบียนอำเภอ")}  # fmt: skip
# "A few pages": the demo's bot tabs each fit on this many A4 pages.
FEW = 3


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[tuple[str, str], Path]]:
    work = tmp_path_factory.mktemp("printed")
    synced = make_demo(work)
    books = {"as-made": work / "as-made" / "chaiyaphum.xlsx"} | {p.stem: p for p in synced}
    return work, print_tabs(books, work, whole=("as-made",))


def test_every_bot_tab_prints_on_a_few_pages_in_a_thai_font(
    printed: tuple[Path, dict[tuple[str, str], Path]],
) -> None:
    _, pdfs = printed
    for label, tabs in BOT_TABS.items():
        for tab in tabs:
            pdf = pdfs[(label, tab)]
            assert 1 <= pdf_pages(pdf) <= FEW, (tab, pdf_pages(pdf))
            # The Thai is drawn with a font that has Thai letters, not boxes.
            assert any(f.startswith("Sarabun") for f in pdf_fonts(pdf)), (tab, pdf_fonts(pdf))


def test_district_tabs_print_as_staff_set_them_up_with_the_status_column(
    printed: tuple[Path, dict[tuple[str, str], Path]],
) -> None:
    _, pdfs = printed
    districts = {tab: pdf for (label, tab), pdf in pdfs.items()
                 if label == "chaiyaphum" and tab.startswith("อำเภอ")}  # fmt: skip
    assert len(districts) == 16
    # The demo's form is set to print two A4 pages wide (bot/examples.py); the bot changes
    # no print setting of staff's (tests/test_xlsx_look.py), and its status column, with a
    # long status running on to its right, fits in the same width: a few pages each still.
    pages = {tab: pdf_pages(pdf) for tab, pdf in districts.items()}
    assert all(1 <= n <= FEW for n in pages.values()), pages
    before = pdf_pages(pdfs[("as-made", "*")])  # the district tabs as staff made them
    assert before <= sum(pages.values()) <= before + len(districts)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm is not installed: "
                    "`apt-get install poppler-utils` runs this test")  # fmt: skip
def test_the_charts_are_drawn_on_the_printed_summary(
    printed: tuple[Path, dict[tuple[str, str], Path]],
) -> None:
    work, pdfs = printed
    from PIL import Image  # noqa: PLC0415 (matplotlib brings Pillow; only this test needs it)

    (page,) = to_png(pdfs[("national", "สรุปตัวชี้วัด")], work / "summary", dpi=100)
    colours = Image.open(page).convert("RGB").getcolors(maxcolors=1 << 20) or []
    count = {f"{r:02X}{g:02X}{b:02X}": n for n, (r, g, b) in colours}
    # The bars and the covered line in the main colour, the dashed target lines in theirs.
    assert count.get(MAIN_COLOUR, 0) > 5_000, sorted(count.items(), key=lambda kv: -kv[1])[:8]
    assert all(count.get(c, 0) > 50 for c in TARGET_COLOURS[:2])


def test_libreoffice_keeps_the_charts_filters_colours_and_print_titles(
    printed: tuple[Path, dict[tuple[str, str], Path]],
) -> None:
    work, _ = printed
    (saved,) = libreoffice_save([work / "example" / "national.xlsx"], work / "resaved")
    wb = openpyxl.load_workbook(saved)
    summary, national = wb["สรุปตัวชี้วัด"], wb["รวมทั้งประเทศ"]
    assert len(summary._charts) == 3
    # (Frozen panes are view settings, which LibreOffice without a window does not save.)
    assert national.auto_filter.ref == f"A1:T{national.max_row}"
    rules = [r for cf in national.conditional_formatting for r in cf.rules]
    assert {r.text for r in rules} >= {"ต้องแก้ไข", "ครบถ้วน (มีข้อสังเกต)", "ครบถ้วน"}
    assert national.print_title_rows == "$1:$1"
    assert national.page_setup.orientation == "landscape"


def test_a_sync_after_libreoffice_saved_the_workbook_redraws_its_charts_in_place(
    printed: tuple[Path, dict[tuple[str, str], Path]],
) -> None:
    work, _ = printed
    again = work / "again"
    shutil.copytree(work / "example", again / "example")
    shutil.copy(work / "config.yaml", again / "config.yaml")
    national = again / "example" / "national.xlsx"
    (saved,) = libreoffice_save([national], work / "resaved-again")
    shutil.copy(saved, national)
    saved_charts = {n for n in members(national) if n.startswith("xl/charts/chart")}
    assert len(saved_charts) == 3  # LibreOffice's own names for the bot's three charts
    config = load_config(again / "config.yaml")
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, date(2025, 1, 20))
    assert not report.skipped
    (applied,) = [a for a in report.applied if a.spreadsheet == "national.xlsx"]
    assert applied.written and not applied.conflicts
    # The bot still knows its tabs, and draws its three charts over LibreOffice's, under
    # the names LibreOffice gave them: no second copy, nothing left behind.
    assert {n for n in members(national) if n.startswith("xl/charts/chart")} == saved_charts
    assert len(openpyxl.load_workbook(national)["สรุปตัวชี้วัด"]._charts) == 3
    (drawing,) = tab_family(national, "สรุปตัวชี้วัด")["drawing"]
    assert members(national)[drawing].count(NAME_PREFIX.encode()) == 3  # the bot's, redrawn
    check_structure(national)
