"""The checks' quick path (a row with no problem, every verdict one lookup) never passes a
row that the full checks would flag, and gives the same month and kind of identity."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import geo
from bot.checks import (
    CheckContext,
    _checked_row,
    _clean_row_result,
    _urls_allowed,
    check_tabs,
    is_allowed_url,
    required_hashtags,
)
from bot.config import source_tabs
from bot.config_load import parse_config
from bot.form import parse_tab
from bot.form_fields import FIELDS
from bot.model import Cell, TabData
from tests.factories import GOOD, HEADERS, MINIMAL_CONFIG, TODAY

CONFIG = parse_config(MINIMAL_CONFIG)
SOURCE = next(s for s in source_tabs(CONFIG) if s.tab == "อำเภอภูเขียว")
PROVINCE = geo.find_province("ชัยภูมิ")
assert PROVINCE is not None

# Per field, values that pass and values each check must catch (or that only look odd).
VARIANTS: dict[str, list[Cell]] = {
    "report_month": [
        "ธ.ค. 2567",
        "ธันวาคม ๒๕๖๗",
        "12/2567",
        "2024-12",
        "ม.ค. 2568",
        "ก.พ. 2568",
        "มี.ค. 2570",
        "ม.ค. 2560",
        "เดือนหน้า",
        date(2024, 12, 1),
        datetime(2025, 1, 5),
        45627,
        "",
    ],
    "province": ["ชัยภูมิ", " ชัยภูมิ", "Chaiyaphum", "จ.ชัยภูมิ", "ขอนแก่น", "ชัยภูม", ""],
    "district": ["ภูเขียว", "อ.ภูเขียว", "อำเภอภูเขียว", "บ้านเขว้า", "ภูเขียวว", "เมือง", ""],
    "lao": ["อบต.ผักปัง", "เทศบาลตำบลผักปัง", "ทต. ผักปัง", "ผักปัง", "#REF!", ""],
    "category": ["อาหารท้องถิ่น", "1", "ด้านที่ 3", "ของกิน", "อาหาร และสินค้า", ""],
    "role": ["หน่วยงานหลัก", "สนับสนุน", "ผู้ชม", ""],
    "budget": ["อปท.", "งบจังหวัด", "ไม่มี", ""],
    "post_url": [
        "https://www.facebook.com/abtphakpang/posts/123",
        "https://youtu.be/x https://www.tiktok.com/@a/video/1",
        "https://example.com/x",
        "facebook.com/abc",
        "",
    ],
    "hashtags": [
        GOOD["hashtags"],
        "#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอบ้านเขว้า",
        "#เที่ยวท้องถิ่น",
        "#n/a",
        "#ERROR!",
        "",
    ],
    "phone": ["044-861-234", "0812345678", "+66 81 234 5678", "1111", "12", "โทร", ""],
    "identity": ["ข้าวหลามผักปัง", "x" * 301, "#VALUE!", "#Div/0!", "#แท็ก", ""],
    "activity": [GOOD["activity"], "", "#NAME?"],
    "reporter": ["นางสาวสุภาพร ใจดี", "", "ก" * 201],
    "note": ["", "หมายเหตุ", "#N/A"],
}


@st.composite
def report_rows(draw: st.DrawFn) -> tuple[list[str], list[Cell]]:
    """A header (a column or two may be left out) and one row of good values but for one
    or two taken from the variants: a single slip is what the quick path must not miss."""
    every = [f.key for f in FIELDS]
    gone = draw(st.sets(st.sampled_from(every), max_size=2)) if draw(st.booleans()) else set()
    keys = [k for k in every if k not in gone]
    varied = draw(st.sets(st.sampled_from(sorted(VARIANTS)), min_size=1, max_size=2))
    chosen = {k: draw(st.sampled_from(VARIANTS[k])) if k in varied else GOOD[k] for k in keys}
    if "hashtags" not in varied:
        # Hashtags that fit the places the row names, so a wrong place is its only slip.
        province = geo.find_province(str(chosen.get("province", ""))) or PROVINCE
        district = geo.find_district(province.code, str(chosen.get("district", "")))
        if district is not None:
            chosen["hashtags"] = " ".join(required_hashtags(province, district))
    values = [chosen[k] for k in keys]
    headers = [HEADERS[[f.key for f in FIELDS].index(k)] for k in keys]
    return headers, values


def agree(ctx: CheckContext, full: CheckContext, headers: list[str], values: list[Cell]) -> bool:
    """Assert the quick path agrees with the full checks on a row; whether it took it."""
    grid: list[list[Cell]] = [[*headers], values]
    tab = parse_tab(SOURCE, TabData(SOURCE.spreadsheet, SOURCE.tab, grid), CONFIG.form)
    (parsed,) = tab.rows
    quick = _clean_row_result(parsed, ctx)
    checked = _checked_row(parsed, full)
    if quick is None:
        return False
    assert checked.problems == [], [p.code for p in checked.problems]
    assert (quick.month, quick.category) == (checked.month, checked.category)
    assert quick.problems == []
    return True


ABSENT = "(no such column)"

# Each variant alone in an otherwise correct row (hashtags made to fit the places named),
# and a row naming another province and one of its districts.
SLIPS = [(k, {k: v}) for k, variants in VARIANTS.items() for v in variants] + [
    ("province", {"province": "ขอนแก่น", "district": "เมืองขอนแก่น"}),
    ("province", {"province": "Khon Kaen", "district": "อ.เมืองขอนแก่น"}),
    ("province", {"province": "ขอนแก่น", "district": ABSENT}),
    ("district", {"district": "บ้านเขว้า", "province": ABSENT}),
]


@pytest.mark.parametrize(("key", "slip"), SLIPS, ids=[f"{k}={v!r}" for k, v in SLIPS])
def test_a_single_slip_is_never_passed_by_the_quick_path(key: str, slip: dict[str, Cell]) -> None:
    chosen = {**GOOD, **slip}
    if key != "hashtags":
        province = geo.find_province(str(chosen["province"])) or PROVINCE
        district = geo.find_district(province.code, str(chosen["district"]))
        if chosen["district"] == ABSENT:
            district = geo.find_district(PROVINCE.code, str(GOOD["district"]))
        if district is not None:
            chosen["hashtags"] = " ".join(required_hashtags(province, district))
    fields = [f for f in FIELDS if chosen[f.key] != ABSENT]
    headers, values = [f.header for f in fields], [chosen[f.key] for f in fields]
    ctx = CheckContext(CONFIG.form, CONFIG.programme, TODAY)
    full = CheckContext(CONFIG.form, CONFIG.programme, TODAY)
    # Twice in one context: the second time every verdict comes from what the first kept.
    assert agree(ctx, full, headers, values) == agree(ctx, full, headers, values)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(report_rows(), min_size=1, max_size=6))
def test_the_quick_path_passes_only_rows_the_full_checks_pass(
    rows: list[tuple[list[str], list[Cell]]],
) -> None:
    # One context for all rows, as in a cycle: verdicts kept by one row serve the next.
    ctx = CheckContext(CONFIG.form, CONFIG.programme, TODAY)
    full = CheckContext(CONFIG.form, CONFIG.programme, TODAY)
    for headers, values in rows:
        agree(ctx, full, headers, values)


def test_a_correct_row_takes_the_quick_path_and_a_wrong_one_gets_its_problems() -> None:
    good = [GOOD[f.key] for f in FIELDS]
    bad = [*good]
    keys = [f.key for f in FIELDS]
    bad[keys.index("phone")] = "12"
    bad[keys.index("identity")] = "ผ้าไหมภูเขียว"  # another report, not a duplicate
    grid: list[list[Cell]] = [list(HEADERS), good, bad]
    tab = parse_tab(SOURCE, TabData(SOURCE.spreadsheet, SOURCE.tab, grid), CONFIG.form)
    ctx = CheckContext(CONFIG.form, CONFIG.programme, TODAY)
    assert _clean_row_result(tab.rows[0], ctx) is not None
    assert _clean_row_result(tab.rows[1], ctx) is None
    results = check_tabs([tab], CheckContext(CONFIG.form, CONFIG.programme, TODAY))
    assert [[p.code for p in r.problems] for r in results] == [[], ["BAD_PHONE"]]
    assert results[0].month == (2024, 12) and results[0].category == 1


LINKS = [
    "https://www.facebook.com/abtphakpang/posts/123",
    "http://m.facebook.com/x",
    "HTTPS://WWW.FACEBOOK.COM/x",
    "https://www.facebook.com.evil.com/x",
    "https://www.facebook.com@evil.com/x",
    "https://evil.com/https://www.facebook.com/",
    "https://user@www.facebook.com/x",
    "https://www.facebook.com:8080/x",
    "https://facebook.com",
    "https://youtu.be/abc",
    "https://www.youtu.be/abc",
    "https://Youtu.be/abc",
    "ftp://www.facebook.com/x",
    "https://m.tiktok.com/@a/video/1",
    "https://vt.tiktok.com/ZS123/",
]


@pytest.mark.parametrize("platforms", [None, ["facebook.com", "Youtu.be"]])
@pytest.mark.parametrize("link", LINKS)
def test_a_link_s_usual_beginning_is_accepted_only_where_its_host_would_be(
    link: str, platforms: list[str] | None
) -> None:
    config = (
        CONFIG
        if platforms is None
        else parse_config(MINIMAL_CONFIG + f"form: {{platforms: {platforms}}}\n")
    )
    ctx = CheckContext(config.form, config.programme, TODAY)
    assert _urls_allowed(link, ctx) == is_allowed_url(link, config.form.platforms)
