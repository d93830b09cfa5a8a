"""Property: whatever staff typed, any number of cycles leaves every cell they typed unchanged.

Random sheets (reordered, partial and extra columns, title rows, Thai and English text,
numbers, dates, real formulas and formula-looking text, blanks) go through 1-3 sync cycles
on different days; afterwards every cell outside the bot's status column is compared with
the original, value and type.
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.backends import open_backend
from bot.config_load import load_config
from bot.cycle import sync_cycle
from tests.factories import GOOD, HEADERS
from tests.workbooks import CONFIG_TEXT, DISTRICT_TABS

thai_text = st.text(
    alphabet=st.sampled_from("กขคงจฉชซญดตถทนบปผพฟมยรลวศสหอฮะัาำิีึืุูเแโใไ่้๊๋็์ ๐๑๒๓abcXYZ019 #./:-\u200b"),
    max_size=30,
)
cell_value = st.one_of(
    st.none(),
    thai_text,
    st.sampled_from([str(v) for v in GOOD.values() if v]),
    st.integers(min_value=-(10**9), max_value=10**9),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31)).map(
        lambda d: datetime(d.year, d.month, d.day)
    ),
    st.sampled_from(["=1+1", "=A2", '=IMPORTXML("http://x","//a")', "=SUM(1,2)"]).map(
        lambda f: ("formula", f)
    ),
    st.sampled_from(["=not a formula", "+66812345678", "#REF!", "'quoted"]).map(
        lambda t: ("text", t)
    ),
)


@st.composite
def sheets(draw: st.DrawFn) -> list[list[Any]]:
    """A district tab as staff might leave it."""
    headers = draw(st.permutations(HEADERS))
    keep = draw(st.integers(min_value=3, max_value=len(headers)))
    header_row: list[Any] = list(headers[:keep])
    if draw(st.booleans()):
        header_row.insert(draw(st.integers(0, len(header_row))), "ลำดับ")
    grid: list[list[Any]] = []
    if draw(st.booleans()):
        grid.append(["แบบรายงานผลการดำเนินงาน"])
    grid.append(header_row)
    width = len(header_row) + draw(st.integers(0, 2))
    for _ in range(draw(st.integers(0, 6))):
        grid.append(draw(st.lists(cell_value, min_size=0, max_size=width)))
    return grid


def write(path: Path, tabs: dict[str, list[list[Any]]]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, grid in tabs.items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(grid, start=1):
            for c, value in enumerate(values, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c)
                if isinstance(value, tuple):
                    kind, text = value
                    cell.value = text
                    cell.data_type = "f" if kind == "formula" else "s"
                else:
                    cell.value = value
    wb.save(path)


def snapshot(path: Path) -> dict[str, dict[tuple[int, int], tuple[Any, str]]]:
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: {
            (c.row, c.column): (c.value, c.data_type)
            for row in ws.iter_rows()
            for c in row
            if c.value is not None
        }
        for ws in wb.worksheets
        if ws.title in DISTRICT_TABS
    }


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    tabs=st.lists(sheets(), min_size=3, max_size=3),
    days=st.lists(st.dates(date(2024, 11, 1), date(2025, 10, 31)), min_size=1, max_size=3),
)
def test_cycles_never_change_a_cell_a_person_typed(
    tabs: list[list[list[Any]]], days: list[date]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
        book = folder / "chaiyaphum.xlsx"
        write(book, dict(zip(DISTRICT_TABS, tabs, strict=True)))
        before = snapshot(book)
        config = load_config(folder / "config.yaml")
        for day in days:
            with open_backend(config) as backend:
                report = sync_cycle(config, backend, day)
            assert not report.skipped
        after = snapshot(book)
        status_header = config.form.status_header
        for tab, cells in before.items():
            status_cols = {c for (r, c), (v, _) in after[tab].items() if v == status_header}
            assert len(status_cols) <= 1
            outside = {k: v for k, v in after[tab].items() if k[1] not in status_cols}
            assert outside == cells, tab
            # The status column was placed where nobody had typed anything.
            assert not any(c in status_cols for (_, c) in cells)
