"""Property: `provision` over random existing district tabs (reordered, partial and extra
columns, title rows, Thai and English text, numbers, dates, formulas, a person's notes and
rules) changes no cell a person typed, keeps their notes and rules, and a second run writes
nothing: on Google (the fake) and on local workbooks (every cell byte for byte)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.worksheet.datavalidation import DataValidation

from bot.backends import open_backend
from bot.backends.google import GoogleBackend
from bot.config_load import load_config, parse_config
from bot.provision import provision
from fake_sheets import FakeSheets
from fake_sheets.routes import WRITE_KINDS
from tests.test_source_tabs_sacred import sheets, snapshot, write
from tests.workbooks import CONFIG_TEXT, DISTRICT_TABS
from tests.xlsx_parts import cells, libreoffice, libreoffice_save, members, sheet_parts

PERSON_RULE = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "ของฉัน"}]},
               "inputMessage": "กฎของเจ้าหน้าที่", "strict": False}  # fmt: skip
EXTRAS = st.fixed_dictionaries({
    "note": st.tuples(st.integers(0, 2), st.integers(0, 16)),  # (row, column) of a person's note
    "rule": st.tuples(st.integers(1, 8), st.integers(0, 16)),  # a person's rule from this row
    "missing": st.booleans(),  # the last tab was never made
})  # fmt: skip


def google_value(value: Any) -> Any:
    """A generated cell as a person types it into Google Sheets."""
    if isinstance(value, tuple):
        kind, text = value
        return text if kind == "formula" else "'" + text
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return value


def typed(fake: FakeSheets, key: str) -> dict[str, Any]:
    out = {}
    for sheet in fake.spreadsheet(key).sheets:
        rows = fake.tab_values(key, sheet.title, "FORMULA")
        notes = {k: c.note for k, c in sheet.cells.items() if c.note}
        out[sheet.title] = (rows, notes)
    return out


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(tabs=st.lists(sheets(), min_size=3, max_size=3), extras=EXTRAS)
def test_google_provision_never_changes_what_a_person_typed(
    tabs: list[list[list[Any]]], extras: dict[str, Any]
) -> None:
    with FakeSheets() as fake:
        fake.set_quota(10_000, 10_000, project_per_minute=10_000)
        grids = {name: [[google_value(v) for v in row] for row in grid]
                 for name, grid in zip(DISTRICT_TABS, tabs, strict=True)}  # fmt: skip
        if extras["missing"]:
            del grids[DISTRICT_TABS[-1]]
        key = fake.add_spreadsheet("ชัยภูมิ", tabs=grids)
        first = fake.spreadsheet(key).sheets[0]
        r, c = extras["note"]
        first.cell(r, c).note = "บันทึกของเจ้าหน้าที่"
        r, c = extras["rule"]
        for row in range(r, r + 5):
            first.cell(row, c).validation = PERSON_RULE
        before = typed(fake, key)
        config = parse_config(
            "backend: google\nprogramme: {start: 2567-11, end: 2568-09}\n"
            f"national: {{key: {key}}}\nprovinces:\n  - {{province: ชัยภูมิ, key: {key}, "
            "districts: [ภูเขียว, บ้านเขว้า, คอนสาร]}\n"
        )
        backend = GoogleBackend(config, session=fake.session(), sleep=lambda s: None)
        with backend:
            report = provision(config, backend)
        assert not report.failed, report.as_text()
        after = typed(fake, key)
        for tab, (rows, notes) in before.items():
            assert after[tab][0] == rows, tab  # every value and formula as typed
            assert {k: v for k, v in after[tab][1].items() if k in notes} == notes, tab
        person = fake.spreadsheet(key).sheets[0]
        assert all(person.cells[(row, c)].validation == PERSON_RULE for row in range(r, r + 5))
        fake.reset_counts()
        with backend:
            assert provision(config, backend).writes == 0
        assert not any(kind in WRITE_KINDS for kind in fake.counts)


def xlsx_project(folder: Path, tabs: list[list[list[Any]]], extras: dict[str, Any]) -> Path:
    (folder / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    book = folder / "chaiyaphum.xlsx"
    named = dict(zip(DISTRICT_TABS, tabs, strict=True))
    if extras["missing"]:
        del named[DISTRICT_TABS[-1]]
    write(book, named)
    wb = openpyxl.load_workbook(book)
    r, c = extras["rule"]
    mine = DataValidation(type="list", formula1='"ของฉัน"', promptTitle="ของเจ้าหน้าที่")
    letter = openpyxl.utils.get_column_letter(c + 1)
    mine.add(f"{letter}{r + 1}:{letter}{r + 5}")
    wb.worksheets[0].add_data_validation(mine)
    wb.save(book)
    return book


def run_xlsx(folder: Path) -> int:
    config = load_config(folder / "config.yaml", provision=True)
    with open_backend(config, provision=True) as backend:
        report = provision(config, backend)
    assert not report.failed, report.as_text()
    return report.writes


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(tabs=st.lists(sheets(), min_size=3, max_size=3), extras=EXTRAS)
def test_xlsx_provision_never_changes_what_a_person_typed(
    tabs: list[list[list[Any]]], extras: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = xlsx_project(folder, tabs, extras)
        before, parts = members(book), sheet_parts(book)
        values = snapshot(book)
        run_xlsx(folder)
        after = members(book)
        for tab, part in parts.items():
            assert cells(after[part]) == cells(before[part]), tab  # byte for byte
        now = snapshot(book)
        assert {t: now[t] for t in values} == values  # as openpyxl reads them, too
        mine = [dv for dv in openpyxl.load_workbook(book).worksheets[0].data_validations
                .dataValidation if dv.promptTitle == "ของเจ้าหน้าที่"]  # fmt: skip
        assert len(mine) == 1
        data = book.read_bytes()
        assert run_xlsx(folder) == 0 and book.read_bytes() == data


@pytest.mark.slow
@pytest.mark.skipif(libreoffice() is None, reason="LibreOffice (soffice) is not installed: "
                    "`apt-get install libreoffice-calc-nogui` runs this part")  # fmt: skip
def test_libreoffice_keeps_the_rules_provision_adds(tmp_path: Path) -> None:
    made = tmp_path / "made"
    made.mkdir()
    (made / "config.yaml").write_text(CONFIG_TEXT.replace("chaiyaphum.xlsx", "new.xlsx"), "utf-8")
    run_xlsx(made)  # a new workbook (openpyxl)
    grid = [["เดือนที่รายงาน", "จังหวัด", "อำเภอ", "ด้านอัตลักษณ์", "ลิงก์เผยแพร่"], ["x"]]
    xlsx_project(tmp_path, [grid, grid, grid], {"rule": (1, 8), "missing": True, "note": (0, 0)})
    run_xlsx(tmp_path)  # an existing one (patched)
    for book in (made / "new.xlsx", tmp_path / "chaiyaphum.xlsx"):
        [saved] = libreoffice_save([book], tmp_path / f"lo-{book.stem}")
        ours, theirs = openpyxl.load_workbook(book), openpyxl.load_workbook(saved)
        for ws in ours.worksheets:
            mine = {(str(dv.sqref).split(":")[0], dv.type, dv.formula1)
                    for dv in ws.data_validations.dataValidation if dv.type == "list"}  # fmt: skip
            lo = {(str(dv.sqref).split(":")[0], dv.type, dv.formula1)
                  for dv in theirs[ws.title].data_validations.dataValidation}  # fmt: skip
            assert mine and mine <= lo, (book.name, ws.title)
