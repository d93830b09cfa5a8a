"""Tests for bot.examples: the example workbooks the README's demo runs on."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot import examples, geo
from bot.form_fields import FIELDS

# Zero-width characters and every kind of space: a header matches whatever of these it holds.
_NOISE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
REQUIRED = {_NOISE.sub("", f.header) for f in FIELDS if f.required}
HEADER_SEARCH_ROWS = 5


def _squash(value: object) -> str:
    return _NOISE.sub("", value) if isinstance(value, str) else ""


def _values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def _header_index(rows: list[tuple[Any, ...]]) -> int | None:
    """The index of the first row holding every required default header, if any."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if REQUIRED.issubset(_squash(v) for v in row):
            return index
    return None


def _data_rows(rows: list[tuple[Any, ...]]) -> int:
    header = _header_index(rows)
    assert header is not None
    return sum(1 for row in rows[header + 1 :] if any(v not in (None, "") for v in row))


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return examples.make_examples(tmp_path_factory.mktemp("examples") / "new" / "folder")


def test_both_files_are_made(made: list[Path]) -> None:
    assert [p.name for p in made] == ["chaiyaphum.xlsx", "national.xlsx"]
    assert all(p.is_file() and p.stat().st_size > 0 for p in made)
    assert made[0].parent == made[1].parent


def test_province_tabs_are_the_registry_districts(made: list[Path]) -> None:
    province = geo.find_province("ชัยภูมิ")
    assert province is not None
    expected = ["อำเภอ" + d.name for d in geo.districts(province.code)]
    assert len(expected) == 16
    wb = openpyxl.load_workbook(made[0], read_only=True)
    try:
        assert wb.sheetnames == expected
    finally:
        wb.close()


def test_every_tab_has_the_required_headers(made: list[Path]) -> None:
    for tab, rows in _values(made[0]).items():
        assert _header_index(rows) is not None, f"{tab}: no row holds every required header"


def test_layout_variations_are_present(made: list[Path]) -> None:
    tabs = _values(made[0])
    headers = {tab: rows[_header_index(rows) or 0] for tab, rows in tabs.items()}
    assert _header_index(tabs["อำเภอเมืองชัยภูมิ"]) == 1  # a title row above the header
    assert headers["อำเภอภูเขียว"][0] == "ลำดับ"
    assert any("\u200b" in str(h) for h in headers["อำเภอแก้งคร้อ"])
    default = [f.header for f in FIELDS]
    assert list(headers["อำเภอจัตุรัส"]) != default
    assert sorted(headers["อำเภอจัตุรัส"]) == sorted(default)


def test_row_count_and_unreported_districts(made: list[Path]) -> None:
    counts = {tab: _data_rows(rows) for tab, rows in _values(made[0]).items()}
    assert 50 <= sum(counts.values()) <= 120
    assert sorted(tab for tab, n in counts.items() if n == 0) == ["อำเภอซับใหญ่", "อำเภอเนินสง่า"]


def test_cell_kinds_staff_produce(made: list[Path]) -> None:
    wb = openpyxl.load_workbook(made[0])
    try:
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
        errors = [c for c in cells if c.data_type == "e"]
        assert [c.value for c in errors] == ["#REF!"]
        assert any(isinstance(c.value, datetime) for c in cells)
    finally:
        wb.close()


def test_national_workbook_explains_the_bot_tabs(made: list[Path]) -> None:
    tabs = _values(made[1])
    assert list(tabs) == ["คำอธิบาย"]
    text = " ".join(str(v) for row in tabs["คำอธิบาย"] for v in row if v)
    assert 3 <= sum(1 for row in tabs["คำอธิบาย"] if any(row)) <= 5
    for name in ("รวมทั้งประเทศ", "สรุปตัวชี้วัด", "รายการที่ต้องแก้ไข", "softpower-bot"):
        assert name in text


def test_making_twice_gives_identical_values(tmp_path: Path) -> None:
    first = examples.make_examples(tmp_path / "a")
    second = examples.make_examples(tmp_path / "b")
    # A fresh interpreter too: values fixed at import time must not vary between runs.
    root = Path(examples.__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "bot.examples", str(tmp_path / "c")],
        cwd=root,
        check=True,
        capture_output=True,
    )
    third = [tmp_path / "c" / p.name for p in first]
    for a, b, c in zip(first, second, third, strict=True):
        assert _values(a) == _values(b) == _values(c)


def test_overwrites_its_files_and_leaves_others(tmp_path: Path) -> None:
    (tmp_path / "chaiyaphum.xlsx").write_bytes(b"not a workbook")
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"keep me")
    examples.make_examples(tmp_path)
    assert _values(tmp_path / "chaiyaphum.xlsx")
    assert other.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "chaiyaphum.xlsx",
        "national.xlsx",
        "other.xlsx",
    ]


def test_main_writes_and_names_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert examples.main([str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("chaiyaphum.xlsx") and lines[1].endswith("national.xlsx")
    assert (tmp_path / "out" / "national.xlsx").is_file()


def test_making_prints_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    examples.make_examples(tmp_path)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
