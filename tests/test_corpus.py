"""The adversarial corpus (`tests/corpus.py`) through the command line: every case ends with
its expected exit code and a line matching its message, no traceback, no "unexpected"
error, no cell a person typed changed, and one broken workbook never stops the others.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from bot.cli import main
from tests.corpus import BOOK, CASES, DAY, Case, make_project
from tests.factories import HEADERS
from tests.workbooks import DISTRICT_TABS
from tests.xlsx_parts import (
    cells,
    check_order,
    check_structure,
    members,
    sheet_parts,
    without_style,
)

ROOT = Path(__file__).resolve().parent.parent
Cells = dict[tuple[str, int, int], bytes]


def staff_cells(path: Path) -> Cells:
    """Every cell element of the district tabs (staff's), as bytes without its style
    index (the bot's highlights change only that)."""
    parts = members(path)
    return {
        (tab, r, openpyxl.utils.column_index_from_string(col)): without_style(xml)
        for tab, part in sheet_parts(path).items()
        if tab in DISTRICT_TABS
        for (r, col), xml in cells(parts[part]).items()
    }


def _ordered(xml: bytes) -> bool:
    try:
        check_order(xml)
    except AssertionError:
        return False
    return True


def status_columns(path: Path) -> dict[str, int]:
    """Tab -> the column the bot marked as its status column."""
    book = members(path)["xl/workbook.xml"].decode()
    names = re.findall(r'<sheet [^>]*?name="([^"]+)"', book)
    out = {}
    for index, ref in re.findall(
        r'<definedName name="_SoftpowerBotStatus" localSheetId="(\d+)"[^>]*>[^<]*!\$?([A-Z]+)', book
    ):
        out[names[int(index)]] = openpyxl.utils.column_index_from_string(ref)
    return out


def run_cli(case: Case, folder: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = ["--config", str(folder / "config.yaml"), "--today", DAY, *case.command]
    if case.needs == "non-root" and os.geteuid() == 0:
        # Root reads and writes whatever the permission bits say; in a user namespace of
        # its own it is held to them, like the office's service account.
        unshare = shutil.which("unshare")
        if unshare is None:
            pytest.skip("running as root and no `unshare` to drop the override of file modes")
        done = subprocess.run(
            [unshare, "--user", sys.executable, "-m", "bot", *argv],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        if "unshare failed" in done.stderr:
            pytest.skip(f"cannot make a user namespace here: {done.stderr.strip()}")
        return done.returncode, done.stdout + done.stderr
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "project"
    make_project(folder, case.config)
    if case.presync:
        assert main(["--config", str(folder / "config.yaml"), "--today", DAY, "sync"]) == 0
        capsys.readouterr()
    book, other, national = folder / BOOK, folder / "khonkaen.xlsx", folder / "national.xlsx"
    national_before = national.read_bytes() if national.exists() else None
    case.breaks(folder)
    staff = staff_cells(book) if case.workbook == "healthy" else {}
    ordered = (
        [t for t, p in sheet_parts(book).items() if _ordered(members(book)[p])] if staff else []
    )
    before = book.read_bytes() if book.is_file() and os.access(book, os.R_OK) else None
    other_before = other.read_bytes()
    try:
        code, output = run_cli(case, folder, capsys)
    finally:
        folder.chmod(0o755)
        if book.exists() and not book.is_symlink():
            book.chmod(0o644)
    assert "Traceback" not in output, output
    assert "unexpected" not in output, output
    assert code == case.exit_code, output
    assert re.search(case.message, output, re.S), output
    writes = case.command[0] == "sync"
    if case.workbook in ("broken", "untouched", "untouched-folder") and before is not None:
        assert book.read_bytes() == before
    if case.workbook == "broken" and writes:
        # One broken workbook never stops the others: Khon Kaen and the national tabs.
        assert openpyxl.load_workbook(other)["อำเภอชุมแพ"].cell(1, len(HEADERS) + 1).value
        national_rows = openpyxl.load_workbook(national)["รวมทั้งประเทศ"]
        assert any(c.value == "ชุมแพ" for r in national_rows.iter_rows() for c in r)
    if case.workbook in ("untouched", "untouched-folder") or not writes:
        assert other.read_bytes() == other_before
        assert (national.read_bytes() if national.exists() else None) == national_before
    if case.workbook == "healthy":
        check_structure(book)
        check_structure(national)
        for tab, part in sheet_parts(book).items():
            if tab in ordered:  # what the case broke on purpose stays broken
                check_order(members(book)[part])
        # No cell a person typed changed; the bot wrote only in the column it marked.
        after = staff_cells(book)
        ours = status_columns(book)
        for key, value in staff.items():
            if key[2] != ours.get(key[0]):
                assert after.get(key) == value, key
        for key in after.keys() - staff.keys():
            # A new cell: in the bot's column, or an empty one the bot coloured.
            assert key[2] == ours.get(key[0]) or after[key].endswith(b"/>"), (key, after[key])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["truncated sheet XML", "config: an anchor bomb",
                                  "read-only file", "a stray x in C1048576"])  # fmt: skip
def test_the_real_command_prints_one_line_and_no_traceback(name: str, tmp_path: Path) -> None:
    [case] = [c for c in CASES if c.name == name]
    folder = tmp_path / "project"
    make_project(folder, case.config)
    case.breaks(folder)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(folder / "config.yaml"), "--today", DAY,
         *case.command],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    (folder / BOOK).chmod(0o644)
    assert done.returncode == case.exit_code, done.stderr
    assert "Traceback" not in done.stderr
    if case.exit_code == 2:
        assert done.stdout == "" and done.stderr.count("\n") == 1, done.stderr
        assert len(done.stderr) < 1200
    assert re.search(case.message, done.stdout + done.stderr, re.S)
