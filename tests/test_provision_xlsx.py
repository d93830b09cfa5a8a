"""`provision` with local workbooks: missing workbooks are made with openpyxl (district
tabs, header, comments, drop-downs, link rule, frozen header, the bot's status column);
existing ones get what their tabs lack through the bot's zip patching, their cells byte
for byte as they were; a second run writes nothing; a sync uses what provision made."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.datavalidation import DataValidation

from bot.backends import open_backend
from bot.cli import main
from bot.config_load import load_config
from bot.cycle import sync_cycle
from bot.form_fields import CATEGORIES, FIELDS, STATUS_HEADER
from bot.provision import provision
from tests.workbooks import CONFIG_TEXT, default_tabs, write_workbook
from tests.xlsx_parts import cells, check_structure, members, sheet_parts

FORM = [f.header for f in FIELDS] + [STATUS_HEADER]
SPLIT = """
programme: {start: 2567-11, end: 2568-09}
national: {file: national.xlsx}
provinces:
  - province: ชัยภูมิ
    file: chaiyaphum.xlsx
    districts:
      - {district: ภูเขียว, file: phu-khiao.xlsx}
      - บ้านเขว้า
      - คอนสาร
"""


def run(folder: Path, *, dry_run: bool = False) -> tuple[int, dict]:  # type: ignore[type-arg]
    config = load_config(folder / "config.yaml", provision=True)
    with open_backend(config, provision=True) as backend:
        report = provision(config, backend, dry_run=dry_run)
    return report.writes, report.as_json()


def rules(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, DataValidation]:
    """Column letter -> the validation that covers row 2 of it."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            if rng.min_row <= 2 <= rng.max_row:
                for col in range(rng.min_col, rng.max_col + 1):
                    out[openpyxl.utils.get_column_letter(col)] = dv
    return out


def test_new_workbooks_are_made_with_the_form_and_a_sync_uses_them(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(SPLIT, encoding="utf-8")
    assert run(tmp_path, dry_run=True)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]  # a plan only
    writes, report = run(tmp_path)
    assert writes == 2  # two workbooks; the national one is the first sync's
    assert not (tmp_path / "national.xlsx").exists()
    assert "the first sync makes it" in report["spreadsheets"][-1]["actions"][0]
    wb = openpyxl.load_workbook(tmp_path / "chaiyaphum.xlsx")
    assert wb.sheetnames == ["อำเภอบ้านเขว้า", "อำเภอคอนสาร"]
    assert openpyxl.load_workbook(tmp_path / "phu-khiao.xlsx").sheetnames == ["อำเภอภูเขียว"]
    ws = wb["อำเภอคอนสาร"]
    assert [c.value for c in ws[1]] == FORM
    assert ws.freeze_panes == "A2" and ws["A1"].font.b
    assert "#จังหวัดชัยภูมิ #อำเภอคอนสาร" in ws.cell(1, FORM.index("แฮชแท็ก") + 1).comment.text
    got = rules(ws)
    assert got["A"].type == "list" and got["A"].formula1.startswith('"พ.ย. 2567,ธ.ค. 2567,')
    assert got["C"].formula1 == '"คอนสาร"'
    assert got["E"].formula1 == '"' + ",".join(CATEGORIES) + '"'
    assert got["J"].type == "custom" and 'LEFT(J2,8)="https://"' in got["J"].formula1
    assert got["F"].type is None and got["F"].prompt  # free text: an input message only
    status = got[openpyxl.utils.get_column_letter(len(FORM))]
    assert status.errorStyle == "warning" and status.formula1 == "FALSE"
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.xlsx")}
    assert run(tmp_path)[0] == 0  # the second run writes nothing
    assert {p.name: p.read_bytes() for p in tmp_path.glob("*.xlsx")} == before
    # The sync takes the provisioned status column as its own: no second one.
    book = openpyxl.load_workbook(tmp_path / "phu-khiao.xlsx")
    book["อำเภอภูเขียว"].append(["ม.ค. 2568", "ชัยภูมิ", "ภูเขียว"])
    book.save(tmp_path / "phu-khiao.xlsx")
    config = load_config(tmp_path / "config.yaml")
    with open_backend(config) as backend:
        report_ = sync_cycle(config, backend, date(2025, 1, 17))
    assert not report_.skipped
    assert not [p for p in report_.problems if p.code == "STATUS_COLUMN_TAKEN"]
    rows = list(openpyxl.load_workbook(tmp_path / "phu-khiao.xlsx")["อำเภอภูเขียว"].values)
    assert list(rows[0]) == FORM and str(rows[1][len(FORM) - 1]).startswith("ต้องแก้ไข")


def test_an_existing_workbook_gets_rules_and_a_missing_tab_and_keeps_every_cell(
    tmp_path: Path,
) -> None:
    tabs = default_tabs()
    del tabs["อำเภอคอนสาร"]  # staff never made this one
    tabs["อำเภอภูเขียว"].insert(0, ["แบบรายงานผลการดำเนินงาน อำเภอภูเขียว"])  # a title row
    book = tmp_path / "chaiyaphum.xlsx"
    write_workbook(book, tabs)
    wb = openpyxl.load_workbook(book)
    mine = DataValidation(type="list", formula1='"ก,ข"', promptTitle="ของเจ้าหน้าที่")
    mine.add("E2:E50")  # a person's own rule on the kind of identity
    wb["อำเภอบ้านเขว้า"].add_data_validation(mine)
    wb.save(book)
    (tmp_path / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    before = members(book)
    parts = sheet_parts(book)
    writes, report = run(tmp_path)
    assert writes == 1
    actions = " | ".join(report["spreadsheets"][0]["actions"])
    assert "add tab “อำเภอคอนสาร”" in actions
    assert "header comments are not added to an existing workbook" in actions
    after = members(book)
    check_structure(book)
    for tab in ("อำเภอบ้านเขว้า", "อำเภอภูเขียว"):
        part = parts[tab]
        assert cells(after[part]) == cells(before[part]), tab  # every cell byte for byte
    untouched = {n for n in before if n not in {parts["อำเภอบ้านเขว้า"], parts["อำเภอภูเขียว"]}}
    changed = {n for n in untouched if before[n] != after.get(n)}
    assert changed <= {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                       "xl/styles.xml"}  # fmt: skip
    wb = openpyxl.load_workbook(book)
    khwao = rules(wb["อำเภอบ้านเขว้า"])
    assert khwao["E"].promptTitle == "ของเจ้าหน้าที่"  # the person's rule is theirs still
    assert khwao["A"].type == "list" and khwao["J"].type == "custom"
    phu = wb["อำเภอภูเขียว"]
    # The header is on row 2 there: the rules start on row 3.
    assert all(str(r.sqref).split(":")[0][1:] == "3" for r in phu.data_validations.dataValidation)
    new = wb["อำเภอคอนสาร"]
    assert [c.value for c in new[1]] == FORM and new.freeze_panes == "A2"
    assert rules(new)["C"].formula1 == '"คอนสาร"'
    # Run again: nothing to add, the file is not even rewritten.
    data = book.read_bytes()
    assert run(tmp_path)[0] == 0 and book.read_bytes() == data
    # And the sync reads all three tabs as before.
    config = load_config(tmp_path / "config.yaml")
    with open_backend(config) as backend:
        synced = sync_cycle(config, backend, date(2025, 1, 17))
    assert not synced.skipped
    assert not [p for p in synced.problems if p.code in ("MISSING_TAB", "NO_HEADER")]


def test_provision_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    argv = ["--config", str(tmp_path / "config.yaml"), "provision"]
    assert main([*argv, "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "make the workbook with 3 district tabs" in text and "Dry run" in text
    assert not (tmp_path / "chaiyaphum.xlsx").exists()
    assert main([*argv, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["writes"] == 1 and data["spreadsheets"][0]["created"]
    assert main(argv) == 0
    assert capsys.readouterr().out.rstrip().endswith("0 writes.")
    # A workbook it cannot write stops only itself, and the exit code says so.
    (tmp_path / "chaiyaphum.xlsx").write_bytes(b"not a workbook")
    assert main(argv) == 1
    assert "NOT PROVISIONED" in capsys.readouterr().out


def test_provision_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["provision", "--help"])
    assert done.value.code == 0
    assert "softpower-bot --config config.yaml provision --dry-run" in capsys.readouterr().out
