"""Property: after any number of syncs, every zip member the bot does not own is byte for byte
what it was, and in the district tabs it patched every cell but the status cells is byte for
byte what it was (a cell the bot highlights changes only its style index, to a format that
differs from its own only in the fill). And what the bot keeps of each write, instead of
reading the file again next cycle, is exactly what a fresh read finds.

Random workbooks as people make them: reordered, partial and extra columns, title rows,
merged cells, Thai text, numbers, dates, formulas, rich text, a person's colours, comments,
data validation, charts, pictures, defined names, and sometimes a person's column that
carries the status column's header. Made by openpyxl (hypothesis picks the seeds), and made
by LibreOffice (a fixed batch opened and saved again by `soffice --headless`, so with shared
strings, calculated formula values and LibreOffice's own XML) when LibreOffice is installed.
"""

from __future__ import annotations

import random
import re
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from bot.backends import open_backend
from bot.config_load import load_config
from bot.cycle import sync_cycle
from bot.form_fields import STATUS_HEADER
from bot.sheets import KnowsVersions
from tests.factories import GOOD, HEADERS
from tests.workbooks import CONFIG_TEXT, DISTRICT_TABS
from tests.xlsx_parts import (
    add_picture,
    cells,
    check_order,
    check_structure,
    libreoffice,
    libreoffice_save,
    members,
    raw_records,
    sheet_parts,
    without_style,
)

BOT_OWNED = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
             "xl/styles.xml"}  # fmt: skip
THAI = "กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮะัาำิีึืุูเแโใไ่้๊๋็์ ๐๑๒๓"


def _value(rng: random.Random) -> object:
    kind = rng.randrange(10)
    if kind == 0:
        return None
    if kind == 1:
        return "".join(rng.choice(THAI + "abc019 #./:-") for _ in range(rng.randrange(1, 25)))
    if kind == 2:
        return rng.randint(-(10**6), 10**6)
    if kind == 3:
        return round(rng.uniform(-1e5, 1e5), 3)
    if kind == 4:
        return datetime(rng.randint(2020, 2026), rng.randint(1, 12), rng.randint(1, 28))
    if kind == 5:
        return rng.choice(["=1+1", "=A2", '=CONCATENATE("ก","ข")', "=SUM(1,2)", "=LEN(B2)"])
    if kind == 6:
        return CellRichText("ปกติ ", TextBlock(InlineFont(b=True, color="FFFF0000"), "เน้น"))
    return rng.choice([str(v) for v in GOOD.values() if v] + ["ดูในเพจ", "12345", ""])


def random_workbook(rng: random.Random, path: Path) -> None:
    """A Chaiyaphum workbook of three district tabs, as people leave them."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in DISTRICT_TABS:
        ws = wb.create_sheet(name)
        headers: list[object] = rng.sample(HEADERS, rng.randint(4, len(HEADERS)))
        if rng.random() < 0.3:
            headers.insert(rng.randrange(len(headers) + 1), "ลำดับ")
        if rng.random() < 0.15:
            headers.append(STATUS_HEADER)  # a person's column with the bot's header
        top = 1
        if rng.random() < 0.4:
            ws.cell(1, 1).value = "แบบรายงานผลการดำเนินงาน"
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=rng.randint(2, 20))
            top = 2
        for c, header in enumerate(headers, start=1):
            ws.cell(top, c).value = header
            if rng.random() < 0.2:
                ws.cell(top, c).font = Font(bold=True)
        for r in range(top + 1, top + 1 + rng.randrange(8)):
            for c in range(1, len(headers) + rng.randint(1, 3)):
                value = _value(rng)
                if value is not None:
                    ws.cell(r, c).value = value
                if rng.random() < 0.08:
                    colour = rng.choice(["FF00FF00", "FFFFFF00", "FF9999FF"])
                    ws.cell(r, c).fill = PatternFill("solid", start_color=colour, end_color=colour)
                if rng.random() < 0.03:
                    ws.cell(r, c).comment = Comment("ตรวจแล้ว", "สมศรี")
        if rng.random() < 0.3:
            choices = DataValidation(type="list", formula1='"หน่วยงานหลัก,หน่วยงานสนับสนุน"')
            ws.add_data_validation(choices)
            choices.add(f"B{top + 1}:B200")
        if rng.random() < 0.2:
            chart = LineChart()
            chart.add_data(Reference(ws, min_col=1, min_row=top, max_row=top + 3))
            ws.add_chart(chart, "Z5")
    if rng.random() < 0.3:
        wb.defined_names["ผู้ประสานงาน"] = DefinedName("ผู้ประสานงาน",
                                                       attr_text="'อำเภอภูเขียว'!$A$1")  # fmt: skip
    wb.save(path)
    if rng.random() < 0.3:
        add_picture(path, rng.choice(DISTRICT_TABS))


def check_untouched(folder: Path, days: list[date]) -> None:
    """Sync the workbook in `folder` on each of `days`; check the property."""
    (folder / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    book = folder / "chaiyaphum.xlsx"
    (folder / "original.xlsx").write_bytes(book.read_bytes())
    before_records = raw_records(book)
    before_parts = members(book)
    tab_parts = {t: p for t, p in sheet_parts(book).items() if t in DISTRICT_TABS}
    config = load_config(folder / "config.yaml")
    flagged: set[tuple[str, int, str]] = set()
    status: dict[str, set[str]] = {t: set() for t in DISTRICT_TABS}
    for day in days:
        with open_backend(config) as backend:
            report = sync_cycle(config, backend, day)
            # What the bot keeps of its write (so it need not read the file again) is
            # exactly what a fresh read finds.
            assert isinstance(backend, KnowsVersions)
            for sheet in ("chaiyaphum.xlsx", "national.xlsx"):
                kept = backend.last_write(sheet)
                assert kept is not None, sheet
                fresh = backend.read(sheet, list(kept.tabs), list(kept.bot_tabs))
                assert (kept.tabs, kept.bot_tabs) == (fresh.tabs, fresh.bot_tabs), sheet
        assert not report.skipped, report.skipped
        for plan in report.plans:
            for marks in plan.marks:
                status[marks.tab].add(openpyxl.utils.get_column_letter(marks.column))
                flagged |= {(marks.tab, h.row, openpyxl.utils.get_column_letter(h.column))
                            for h in marks.highlights}  # fmt: skip
    check_structure(book)
    check_structure(folder / "national.xlsx")
    after_records = raw_records(book)
    after_parts = members(book)
    owned = BOT_OWNED | set(tab_parts.values())
    for name, record in before_records.items():
        if name not in owned:
            assert after_records[name] == record, name
    restyled: list[tuple[str, str]] = []
    for tab, part in tab_parts.items():
        check_order(after_parts[part])
        old, new = cells(before_parts[part]), cells(after_parts[part])
        for key, cell in old.items():
            if key[1] in status[tab] or new.get(key) == cell:
                continue
            # Changed: only a cell the bot highlighted, and only its style index.
            assert (tab, *key) in flagged, (tab, key, cell, new.get(key))
            assert without_style(new[key]) == without_style(cell), (tab, key)
            restyled.append((tab, f"{key[1]}{key[0]}"))

        # Outside the cells only the dimension and the column widths may change.
        def rest(xml: bytes) -> bytes:
            xml = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", b"", xml, flags=re.S)
            xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
            return re.sub(rb"<cols>.*?</cols>", b"", xml, flags=re.S)

        assert rest(after_parts[part]) == rest(before_parts[part]), tab
    # A changed style differs only in its fill: every other part of the format is the same.
    if restyled:
        looks = ("font", "border", "alignment", "number_format", "protection")
        old_wb, new_wb = (
            openpyxl.load_workbook(folder / "original.xlsx"),
            openpyxl.load_workbook(book),
        )
        for tab, ref in restyled:
            old_cell, new_cell = old_wb[tab][ref], new_wb[tab][ref]
            assert [repr(getattr(new_cell, k)) for k in looks] == [
                repr(getattr(old_cell, k)) for k in looks
            ], (tab, ref)


days_strategy = st.lists(st.dates(date(2024, 11, 1), date(2025, 10, 31)), min_size=1, max_size=2)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), days=days_strategy)
def test_openpyxl_workbooks_keep_every_byte_the_bot_does_not_own(
    seed: int, days: list[date]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        random_workbook(random.Random(seed), folder / "chaiyaphum.xlsx")
        check_untouched(folder, days)


@pytest.mark.slow
@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice (soffice) is not installed: "
                    "`apt-get install libreoffice-calc-nogui` runs this part")  # fmt: skip
def test_libreoffice_workbooks_keep_every_byte_the_bot_does_not_own(tmp_path: Path) -> None:
    rng = random.Random(2568)
    made = tmp_path / "made"
    made.mkdir()
    sources = []
    for i in range(10):
        path = made / f"book{i}.xlsx"
        random_workbook(rng, path)
        sources.append(path)
    saved = libreoffice_save(sources, tmp_path / "saved")
    calculated = 0
    for i, path in enumerate(saved):
        folder = tmp_path / f"case{i}"
        folder.mkdir()
        (folder / "chaiyaphum.xlsx").write_bytes(path.read_bytes())
        parts = members(folder / "chaiyaphum.xlsx")
        assert "xl/sharedStrings.xml" in parts  # LibreOffice's own way of writing text
        calculated += sum(len(re.findall(rb"</f><v>", xml)) for xml in parts.values())
        check_untouched(folder, [date(2025, 1, 17), date(2025, 2, 3)])
    assert calculated > 0  # formulas with the values LibreOffice calculated went through
    # And LibreOffice reads what the bot wrote: open the synced workbooks, save them again,
    # and every status and every cell of the bot's tabs is still there.
    (tmp_path / "synced").mkdir()
    synced = []
    for i in range(len(saved)):
        synced.append(tmp_path / "synced" / f"case{i}.xlsx")
        synced[-1].write_bytes((tmp_path / f"case{i}" / "chaiyaphum.xlsx").read_bytes())
    synced.append(tmp_path / "synced" / "national.xlsx")
    synced[-1].write_bytes((tmp_path / "case0" / "national.xlsx").read_bytes())
    reopened = libreoffice_save(synced, tmp_path / "reopened")
    for ours, theirs in zip(synced, reopened, strict=True):
        mine, lo = openpyxl.load_workbook(ours), openpyxl.load_workbook(theirs)
        assert mine.sheetnames == lo.sheetnames
        for ws in mine.worksheets:
            got = {(c.row, c.column): c.value for r in lo[ws.title].iter_rows() for c in r
                   if c.value not in (None, "")}  # fmt: skip
            for r in ws.iter_rows():
                for c in r:
                    if isinstance(c.value, str) and not c.value.startswith("="):
                        assert got.get((c.row, c.column)) == c.value, (ours, ws.title, c.coordinate)
