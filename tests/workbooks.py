"""Real .xlsx workbooks for tests: a small Chaiyaphum province and its config."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from bot.config import Config
from bot.config_load import load_config
from bot.model import Cell
from tests.factories import HEADERS, row

CONFIG_TEXT = """
programme: {start: 2567-11, end: 2568-09}
xlsx: {folder: .}
national: {file: national.xlsx}
provinces:
  - province: ชัยภูมิ
    file: chaiyaphum.xlsx
    districts: [ภูเขียว, บ้านเขว้า, คอนสาร]
"""

DISTRICT_TABS = ("อำเภอบ้านเขว้า", "อำเภอภูเขียว", "อำเภอคอนสาร")  # registry order


def khwao_row(**changes: Cell) -> list[Cell]:
    """A correct Ban Khwao row."""
    values: dict[str, Cell] = {
        "district": "บ้านเขว้า",
        "lao": "ทต.บ้านเขว้า",
        "identity": "ผ้าไหมมัดหมี่บ้านเขว้า",
        "category": "สินค้าหรือผลิตภัณฑ์ท้องถิ่น",
        "hashtags": "#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอบ้านเขว้า",
        "post_url": "https://www.tiktok.com/@bankhwao/video/1",
    }
    return row(**{**values, **changes})


def default_tabs() -> dict[str, list[list[Cell]]]:
    """Ban Khwao complete, Phu Khiao with one good and two bad rows, Khon San empty."""
    return {
        "อำเภอบ้านเขว้า": [HEADERS, khwao_row()],
        "อำเภอภูเขียว": [
            HEADERS,
            row(),
            row(identity="", lao="อบต.กวางโจน", post_url="https://fb.watch/x1"),
            row(identity="ไก่ย่างภูเขียว", post_url="ดูในเพจ", phone="12345"),
        ],
        "อำเภอคอนสาร": [HEADERS],
    }


def write_workbook(path: Path, tabs: dict[str, list[list[Cell]]], *, raw: bool = False) -> None:
    """Write `tabs` (name -> grid) as a workbook, in the given order.

    With `raw`, text starting with "=" is stored as text (as '=... typed in Excel), not as
    a formula.
    """
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, cells in tabs.items():
        ws = wb.create_sheet(name)
        for r, values in enumerate(cells, start=1):
            for c, value in enumerate(values, start=1):
                if value is not None:
                    cell = ws.cell(r, c)
                    cell.value = value
                    if raw and isinstance(value, str):
                        cell.data_type = "s"
    wb.save(path)


def make_project(folder: Path, tabs: dict[str, list[list[Cell]]] | None = None) -> Config:
    """A config file and a Chaiyaphum workbook in `folder`; returns the loaded config."""
    (folder / "config.yaml").write_text(CONFIG_TEXT, encoding="utf-8")
    write_workbook(folder / "chaiyaphum.xlsx", tabs if tabs is not None else default_tabs())
    return load_config(folder / "config.yaml")


def values(path: Path, tab: str) -> list[list[Cell]]:
    """All cell values of a tab (formulas as their text), trailing empty rows dropped."""
    wb = openpyxl.load_workbook(path)
    rows = [list(r) for r in wb[tab].iter_rows(values_only=True)]
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows
