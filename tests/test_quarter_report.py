"""`softpower-bot report --quarter`: the quarterly report for the Ministry, on the demo data,
checked against the summary tab a sync writes on the quarter's last day."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.cli import main
from bot.form_fields import CATEGORIES
from bot.summary import PROVINCE_HEADER
from tests.conftest import run_cli as cli

ROOT = Path(__file__).resolve().parent.parent


def sheet(path: Path, name: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in wb[name].iter_rows(values_only=True)]
    finally:
        wb.close()


def table_after(rows: list[list[Any]], first: str) -> dict[str, list[Any]]:
    """{first cell: the rest of its line} for the table whose header starts with `first`."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == first)
    out: dict[str, list[Any]] = {"": list(rows[start][1:])}
    for r in rows[start + 1 :]:
        if not r or r[0] in (None, ""):
            break
        out[str(r[0])] = list(r[1:])
    return out


def listed_districts(rows: list[list[Any]]) -> list[str]:
    """The district column of the "without an identity" table, under its header."""
    table = table_after(rows, "ลำดับ")
    at = table[""].index("อำเภอ")
    return [str(line[at]) for key, line in table.items() if key]


def test_the_report_matches_the_summary_tab_of_the_quarter_end(
    demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "--config", str(demo), "--today", "2025-03-31", "sync")
    assert code == 0, err
    summary = table_after(sheet(demo.parent / "example" / "national.xlsx", "สรุปตัวชี้วัด"),
                          PROVINCE_HEADER[0])  # fmt: skip
    out = tmp_path / "q2.xlsx"
    # Made after the quarter: as of its last day all the same.
    code, text, err = cli(capsys, "--config", str(demo), "--today", "2025-05-02", "report",
                          "--quarter", "2568Q2", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "ไตรมาสที่ 2/2568" in text and "31 มีนาคม 2568" in text and f"wrote {out}" in text

    report = table_after(sheet(out, "สรุปรายจังหวัด"), "จังหวัด")
    head = report[""]
    assert set(summary) - {""} == set(report) - {""} == {"ชัยภูมิ", "รวม"}
    for province in ("ชัยภูมิ", "รวม"):
        want = dict(zip(summary[""], summary[province], strict=False))
        got = dict(zip(head, report[province], strict=False))
        for key in ("จำนวนอำเภอ", "อำเภอที่มีอัตลักษณ์แล้ว", "ร้อยละของอำเภอที่มีอัตลักษณ์",
                    *(f"{c} (แถว)" for c in CATEGORIES)):  # fmt: skip
            assert got[key] == want[key], (province, key)
    total = dict(zip(head, report["รวม"], strict=False))
    assert 0 < total["อำเภอที่มีอัตลักษณ์แล้ว"] < total["จำนวนอำเภอ"]

    # Every district without an identity is listed, and none with one.
    missing = sheet(out, "อำเภอที่ยังไม่มีอัตลักษณ์")
    listed = listed_districts(missing)
    assert len(listed) == total["จำนวนอำเภอ"] - total["อำเภอที่มีอัตลักษณ์แล้ว"]
    national = sheet(demo.parent / "example" / "national.xlsx", "ทะเบียนอำเภอ")
    header = national[0]
    district_at, state_at = header.index("อำเภอ"), header.index("สถานะ")
    state = {r[district_at]: r[state_at] for r in national[1:] if r}
    assert {d for d, s in state.items() if s != "มีอัตลักษณ์แล้ว"} == set(listed)

    # Per kind: districts with an identity of each kind, each at most the districts covered.
    kinds = table_after(sheet(out, "รายประเภท"), "จังหวัด")
    line = dict(zip(kinds[""], kinds["รวม"], strict=False))
    assert line["อำเภอที่มีอัตลักษณ์ (รวม)"] == total["อำเภอที่มีอัตลักษณ์แล้ว"]
    assert all(line[f"{c} (อำเภอ)"] <= total["อำเภอที่มีอัตลักษณ์แล้ว"] for c in CATEGORIES)


def test_rows_of_later_months_do_not_change_a_past_quarter(
    demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = demo.parent / "example" / "chaiyaphum.xlsx"
    wb = openpyxl.load_workbook(book)
    tab = wb["อำเภอบ้านเขว้า"]
    for (cell,) in tab.iter_rows(min_row=2, max_col=1):
        if cell.value:
            cell.value = "เม.ย. 2568"  # everything บ้านเขว้า reported, moved to April
    wb.save(book)

    def report(quarter: str, today: str) -> list[str]:
        out = tmp_path / f"{quarter}.xlsx"
        code, _, err = cli(capsys, "--config", str(demo), "--today", today, "report",
                           "--quarter", quarter, "--out", str(out))  # fmt: skip
        assert code == 0, err
        return listed_districts(sheet(out, "อำเภอที่ยังไม่มีอัตลักษณ์"))

    assert "บ้านเขว้า" in report("2568Q2", "2025-05-02")
    assert "บ้านเขว้า" not in report("2568Q3", "2025-05-02")


def test_a_bad_or_foreign_quarter_is_one_line(
    demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--config", str(demo), "report", "--quarter", "2568Q5"])
    assert exited.value.code == 2
    assert "expected a fiscal quarter such as 2568Q2" in capsys.readouterr().err
    code, _, err = cli(capsys, "--config", str(demo), "report", "--quarter", "2570Q1",
                       "--out", str(tmp_path / "x.xlsx"))  # fmt: skip
    assert code == 2
    assert "ไตรมาสที่ 1/2570 (2570Q1) is outside the programme" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.xlsx").exists()
    code, _, err = cli(capsys, "--config", str(demo), "--today", "2025-01-17", "report",
                       "--quarter", "2568Q3", "--out", str(tmp_path / "x.xlsx"))  # fmt: skip
    assert code == 2 and "has not started yet: it begins on 2025-04-01" in err


def test_help_does_not_import_pandas() -> None:
    code = (
        "import sys\n"
        "from bot.cli import build_parser\n"
        "build_parser().parse_args(['report', '--quarter', '2568Q2'])\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_a_province_that_cannot_be_read_now_is_reported_from_its_last_read_and_named(
    demo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["--config", str(demo), "--today", "2025-03-31", "sync", "--json"]) == 0
    covered = json.loads(capsys.readouterr().out)["districts_with_identity"]
    (demo.parent / "example" / "chaiyaphum.xlsx").write_bytes(b"not a workbook")
    out_file = str(tmp_path / "q.xlsx")
    code, out, err = cli(capsys, "--config", str(demo), "--today", "2025-04-02", "report",
                         "--quarter", "2568Q2", "--out", out_file, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["districts_with_identity"] == covered
    notes = [r[0] for r in sheet(tmp_path / "q.xlsx", "สรุปรายจังหวัด")[:6] if r and r[0]]
    assert any(str(n).startswith("หมายเหตุ: อ่านสเปรดชีต chaiyaphum.xlsx ไม่ได้") for n in notes)
