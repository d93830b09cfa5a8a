"""Builders for test data: a correct report row, grids, parsed tabs and configs."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import geo
from bot.checks import CheckContext, RowResult, check_tabs
from bot.config import Config, SourceTab
from bot.config_load import parse_config
from bot.form import ParsedTab, parse_tab
from bot.form_fields import FIELDS
from bot.model import Cell, TabData

PROVINCE = geo.find_province("ชัยภูมิ")
assert PROVINCE is not None
DISTRICT = geo.find_district(PROVINCE.code, "ภูเขียว")
OTHER_DISTRICT = geo.find_district(PROVINCE.code, "บ้านเขว้า")
assert DISTRICT is not None and OTHER_DISTRICT is not None
TAB = "อำเภอภูเขียว"
TODAY = date(2025, 1, 17)
HEADERS = [f.header for f in FIELDS]

GOOD: dict[str, Cell] = {
    "report_month": "ธ.ค. 2567",
    "province": "ชัยภูมิ",
    "district": "ภูเขียว",
    "lao": "อบต.ผักปัง",
    "category": "อาหารท้องถิ่น",
    "identity": "ข้าวหลามผักปัง",
    "activity": "จัดกิจกรรมส่งเสริมการท่องเที่ยวเชิงอาหารท้องถิ่น",
    "role": "หน่วยงานหลัก",
    "budget": "อปท.",
    "post_url": "https://www.facebook.com/abtphakpang/posts/123",
    "hashtags": "#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอภูเขียว",
    "reporter": "นางสาวสุภาพร ใจดี",
    "phone": "044-861-234",
    "note": "",
}

MINIMAL_CONFIG = """
national: {file: national.xlsx}
provinces:
  - province: ชัยภูมิ
    file: chaiyaphum.xlsx
"""


def row(**changes: Cell) -> list[Cell]:
    """A report row in default column order, with some fields changed."""
    values = {**GOOD, **changes}
    return [values[f.key] for f in FIELDS]


def grid(*rows: list[Cell], headers: list[str] | None = None) -> list[list[Cell]]:
    """A tab's grid: the default header row, then `rows`."""
    return [list(headers or HEADERS), *rows]


def config(text: str = MINIMAL_CONFIG, **_: Any) -> Config:
    """A config parsed from YAML text."""
    return parse_config(text)


def source(tab: str = TAB, district: geo.District = DISTRICT) -> SourceTab:
    """The SourceTab of a Chaiyaphum district tab."""
    return SourceTab("chaiyaphum.xlsx", tab, PROVINCE, district)


def parsed(cells: list[list[Cell]] | None, cfg: Config | None = None) -> ParsedTab:
    """Parse a grid as the Phu Khiao tab."""
    cfg = cfg or config()
    return parse_tab(source(), TabData("chaiyaphum.xlsx", TAB, cells), cfg.form)


def check(*rows: list[Cell], today: date = TODAY) -> list[RowResult]:
    """Check rows typed into the Phu Khiao tab under the default headers."""
    cfg = config()
    tab = parsed(grid(*rows), cfg)
    return check_tabs([tab], CheckContext(cfg.form, cfg.programme, today))


def codes(result: RowResult) -> list[str]:
    """The problem codes of a row, sorted."""
    return sorted(p.code for p in result.problems)


def column(rows: list[list[Any]], header: str) -> list[Any]:
    """The values under `header` in a table whose first row is its header (None past a
    short row): bot tabs are read by header, not by position."""
    index = list(rows[0]).index(header)
    return [r[index] if index < len(r) else None for r in rows[1:]]
