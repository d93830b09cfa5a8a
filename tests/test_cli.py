"""The command line as people and scripts use it, on a copy of the example workbooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from bot.cli import build_parser, main
from bot.rollup import SOURCE_HEADER
from tests.conftest import run_cli as run
from tests.factories import column

ROOT = Path(__file__).resolve().parent.parent


def test_sync_on_the_examples_reports_and_writes(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--config", str(demo), "--today", "2025-01-17", "sync")
    assert code == 0, err
    assert "จำนวนแถวที่อ่าน (rows read)" in out and "67" in out
    assert "439 districts by 31 มี.ค. 2568" in out
    assert "DUPLICATE" in out and "UNKNOWN_DISTRICT" in out
    national = demo.parent / "example" / "national.xlsx"
    assert f"updated      {national}" in out
    assert "รายการที่ต้องแก้ไข" in out
    wb = openpyxl.load_workbook(national)
    assert {"รวมทั้งประเทศ", "สรุปตัวชี้วัด", "รายการที่ต้องแก้ไข"} <= set(wb.sheetnames)

    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-01-17", "sync")
    assert code == 0
    assert "unchanged" in out and "updated" not in out


def test_check_json_shape_and_exit_code(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (demo.parent / "example" / "chaiyaphum.xlsx").read_bytes()
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2568-01-17", "check", "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"problems", "summary"}
    keys = {"spreadsheet", "tab", "row", "field", "code", "severity", "message"}
    assert all(set(p) == keys for p in data["problems"])
    dup = next(p for p in data["problems"] if p["code"] == "DUPLICATE")
    assert (dup["spreadsheet"], dup["tab"], dup["severity"]) == (
        "chaiyaphum.xlsx",
        "อำเภอเมืองชัยภูมิ",
        "error",
    )
    assert isinstance(dup["row"], int) and dup["row"] > 1
    summary = data["summary"]
    assert summary["rows_read"] == 67
    assert summary["target"] == {"districts": 439, "by": "2025-03-31"}
    assert sum(summary["problems_by_code"].values()) == len(data["problems"])
    # check writes nothing
    assert (demo.parent / "example" / "chaiyaphum.xlsx").read_bytes() == before
    assert (
        "รายการที่ต้องแก้ไข"
        not in openpyxl.load_workbook(demo.parent / "example" / "national.xlsx").sheetnames
    )


def test_sync_json_and_target_later_in_the_programme(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-06-01", "sync", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["target"] == {"districts": 878, "by": "2025-09-30"}
    assert {"rows_read", "rows_complete", "problems_by_code", "districts_with_identity"} <= set(
        data
    )
    assert [s["written"] for s in data["spreadsheets"]] == [True, True]


def test_config_from_environment(
    demo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOFTPOWER_CONFIG", str(demo))
    code, out, _ = run(capsys, "--today", "2025-01-17", "check")
    assert code == 1
    assert "อำเภอเมืองชัยภูมิ" in out


def test_errors_are_one_line_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--config", str(tmp_path / "nope.yaml"), "sync")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and "config file not found" in err
    assert "Traceback" not in err


def test_a_workbook_open_in_excel_makes_sync_exit_1_with_the_reason(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (demo.parent / "example" / "~$chaiyaphum.xlsx").write_text("x")
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-01-17", "sync")
    assert code == 1
    assert "NOT WRITTEN" in out and "open in Excel or LibreOffice" in out


def test_bad_today_is_a_usage_error(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(demo), "--today", "yesterday", "check"])
    assert exc.value.code == 2
    assert "expected a date such as 2025-01-17" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "sync"])
def test_every_command_has_help_with_an_example(command: str) -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    text = sub.choices[command].format_help()  # type: ignore[union-attr]
    assert "example:" in text and "softpower-bot --config config.yaml" in text
    assert "--json" in text


def test_python_dash_m_bot_and_options_after_the_command(demo: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "sync",
            "--config",
            str(demo),
            "--today",
            "2025-01-17",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=demo.parent,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["rows_read"] == 67


def test_a_broken_province_workbook_is_named_and_the_national_one_still_written(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--config", str(demo), "--today", "2025-01-17")
    assert run(capsys, *args, "sync")[0] == 0  # a good read, kept as the last one
    book = demo.parent / "example" / "chaiyaphum.xlsx"
    book.write_bytes(b"PK\x03\x04 not really a workbook")
    national = demo.parent / "example" / "national.xlsx"
    rows_before = openpyxl.load_workbook(national)["รวมทั้งประเทศ"].max_row

    code, out, err = run(capsys, *args, "sync", "--json")
    assert code == 1, err
    data = json.loads(out)
    written = {Path(s["location"]).name: s for s in data["spreadsheets"]}
    assert "not an Excel file" in written["chaiyaphum.xlsx"]["skipped_reason"]
    assert written["national.xlsx"]["written"] is True
    # The province's 67 rows stay in the national tab, marked with the time of the last read.
    sheet = openpyxl.load_workbook(national)["รวมทั้งประเทศ"]
    assert sheet.max_row == rows_before
    sources = column([list(r) for r in sheet.iter_rows(values_only=True)], SOURCE_HEADER)
    assert all("(ข้อมูล ณ " in str(s) for s in sources)
    assert data["problems_by_code"]["STALE_SPREADSHEET"] == 1

    code, out, _ = run(capsys, *args, "sync")
    assert code == 1
    assert f"NOT WRITTEN  {book}: not read this cycle: {book}: ไฟล์สเปรดชีตเสียหาย" in out


def test_a_manual_sync_is_recorded_and_status_speaks_local_time(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = demo.read_text(encoding="utf-8").replace(
        "timezone: Asia/Bangkok", "timezone: Asia/Tokyo"
    )
    demo.write_text(text, encoding="utf-8")
    assert run(capsys, "--config", str(demo), "--today", "2025-01-17", "sync")[0] == 0
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-01-17", "status", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["last_sync"]["ok"] is True and data["last_sync"]["at"].endswith("+09:00")
    assert data["coverage"]["districts_with_identity"] == 14
    assert data["daemon_running"] is False and data["next_sync"] is None
    assert data["programme_ended"] is None
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-01-17", "status")
    assert "next sync" in out and "no daemon is running" in out


def test_status_after_the_programme_says_it_ended(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-10-02", "status")
    assert code == 0
    assert "the programme ended on 30 ก.ย. 2568 (2025-09-30)" in out
    code, out, _ = run(capsys, "--config", str(demo), "--today", "2025-10-02", "status", "--json")
    assert json.loads(out)["programme_ended"] == "2025-09-30"


def test_json_into_a_reader_that_stops_early_ends_quietly(demo: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(demo), "--today", "2025-01-17",
         "check", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the bot prints (`| head -0`)
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 141  # the reader's departure was seen, and met quietly
