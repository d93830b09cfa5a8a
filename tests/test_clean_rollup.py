"""The provincial and national tabs carry one official spelling per value (a closed set for
month, kind, province and district), the district register has one line per configured
district, and every bot tab says how it should look."""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import geo, normalise
from bot.backends import open_backend
from bot.checks import CheckContext, check_tabs
from bot.config import Config, source_tabs
from bot.config_load import load_config, parse_config
from bot.cycle import check_cycle
from bot.examples import make_examples
from bot.form import parse_tab
from bot.form_fields import CATEGORIES, FIELDS
from bot.model import BotTab, Cell, LinkedText, SheetPlan, TabData
from bot.normalise import month_key, month_text, programme_months
from bot.register import STATES
from bot.rollup import KEPT_HEADER, MONTH_KEY_HEADER, plan_cycle
from bot.summary import summarise
from tests.factories import GOOD, column, grid, row

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 1, 17)
PROVINCE = geo.find_province("ชัยภูมิ")
assert PROVINCE is not None
DISTRICTS = geo.districts(PROVINCE.code)


def closed_sets(config: Config) -> dict[str, set[str]]:
    """Every value the month, kind, province and district columns may hold: the
    programme's months, the four kinds, the registry's names and codes."""
    months = programme_months(config.programme)
    districts = [d for p in geo.provinces() for d in geo.districts(p.code)]
    return {
        "เดือนที่รายงาน": {month_text(*m) for m in months},
        MONTH_KEY_HEADER: {month_key(*m) for m in months},
        "ด้านอัตลักษณ์": set(CATEGORIES),
        "จังหวัด": {p.name for p in geo.provinces()},
        "อำเภอ": {d.name for d in districts},
        "รหัสจังหวัด": {p.code for p in geo.provinces()},
        "รหัสอำเภอ": {d.code for d in districts},
    }


# The value columns a "kept" flag can name, for each closed column.
FLAGGED_BY = {
    "เดือนที่รายงาน": "เดือนที่รายงาน",
    MONTH_KEY_HEADER: "เดือนที่รายงาน",
    "ด้านอัตลักษณ์": "ด้านอัตลักษณ์",
    "จังหวัด": "จังหวัด",
    "รหัสจังหวัด": "จังหวัด",
    "อำเภอ": "อำเภอ",
    "รหัสอำเภอ": "อำเภอ",
}


def tab(plans: list[SheetPlan], name: str) -> BotTab:
    return next(t for p in plans for t in p.tabs if t.name == name)


def assert_closed(config: Config, rows: list[list[Any]]) -> int:
    """Every value of the closed columns is in its set, or its row flags it as kept as
    typed; returns how many rows were flagged."""
    sets = closed_sets(config)
    kept = column(rows, KEPT_HEADER)
    for header, allowed in sets.items():
        for value, flag in zip(column(rows, header), kept, strict=True):
            flagged = FLAGGED_BY[header] in str(flag or "").split(", ")
            assert value in allowed or flagged, (header, value, flag)
    return sum(1 for k in kept if k)


def pivot_by_month(rows: list[list[Any]]) -> dict[str, set[str]]:
    """A pivot by the month column: each month's text -> the YYYY-MM keys under it."""
    out: dict[str, set[str]] = defaultdict(set)
    for text, key in zip(column(rows, "เดือนที่รายงาน"), column(rows, MONTH_KEY_HEADER), strict=True):
        if key:
            out[text].add(key)
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, list[SheetPlan]]:
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "config.example.yaml", folder / "config.yaml")
    make_examples(folder / "example")
    config = load_config(folder / "config.yaml")
    with open_backend(config) as backend:
        report = check_cycle(config, backend, TODAY)
    return config, report.plans


def test_the_example_s_national_tab_holds_only_official_values(
    example: tuple[Config, list[SheetPlan]],
) -> None:
    config, plans = example
    rows = tab(plans, config.tabs.national).rows
    assert len(rows) == 68  # header + the 67 example rows
    flagged = assert_closed(config, rows)
    # The example's messy spellings are all understood; only its real mistakes stay as
    # typed: a month outside the programme, "เดือนที่แล้ว", a kind that is none of the four,
    # a misspelt district and a #REF! organisation.
    assert flagged == 5
    assert sorted(k for k in column(rows, KEPT_HEADER) if k) == [
        "ด้านอัตลักษณ์", "องค์กรปกครองส่วนท้องถิ่น", "อำเภอ", "เดือนที่รายงาน", "เดือนที่รายงาน"
    ]  # fmt: skip
    typed = {c for c in column(rows, "อำเภอ") if c and c not in closed_sets(config)["อำเภอ"]}
    assert typed == {"ภูเขียวว"}  # the example's misspelt district, kept and flagged


def test_a_pivot_of_the_example_by_month_gives_one_row_per_month(
    example: tuple[Config, list[SheetPlan]],
) -> None:
    config, plans = example
    rows = tab(plans, config.tabs.national).rows
    pivot = pivot_by_month(rows)
    assert all(len(keys) == 1 for keys in pivot.values())
    assert sorted(pivot) == ["2567-11 พ.ย.", "2567-12 ธ.ค.", "2568-01 ม.ค."]
    # The same month typed as ธ.ค. 2567, 2024-12-01, ธันวาคม ๒๕๖๗ and 12/2567 in the
    # district tabs is one value here.
    assert sorted(k for keys in pivot.values() for k in keys) == ["2024-11", "2024-12", "2025-01"]


# --- a random messy workbook --------------------------------------------------------------

MONTHS = [(2024, 11), (2024, 12), (2025, 1)]
THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def month_spellings(year: int, month: int) -> list[Cell]:
    abbr = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.",
            "พ.ย.", "ธ.ค.")[month - 1]  # fmt: skip
    be = year + 543
    return [
        f"{abbr} {be}",
        f"{abbr}{be}",
        f"{month}/{be}",
        f"{month:02d}/{be}".translate(THAI_DIGITS),
        f"{year}-{month:02d}",
        f"{year}-{month:02d}-01",
        date(year, month, 1),
        datetime(year, month, 15, 10, 30),
        f" {abbr} {be % 100} ",
        f"เดือน{abbr} พ.ศ. {be}",
    ]


KIND_SPELLINGS = ["1", "2", "3", "4", "ด้านที่ 2", "(3)", "4.", "อาหารท้องถิ่น", "ด้านศิลปวัฒนธรรม",
                  "สินค้า OTOP", "สถานที่ท่องเที่ยวทางประวัติศาสตร์", "๒"]  # fmt: skip
JUNK = ["", "-", "ไม่ทราบ", "13/2567", "#N/A", "ด้านที่ 9"]


@st.composite
def messy_row(draw: st.DrawFn, district: geo.District) -> list[Cell]:
    month = draw(st.sampled_from(MONTHS))
    month_cell = draw(st.sampled_from(month_spellings(*month) + JUNK[:2] + ["13/2567"]))
    prefix = draw(st.sampled_from(["", "อ.", "อำเภอ", "อ. ", " ", "\u200b"]))
    name = draw(st.sampled_from([district.name, district.name + "ว", district.name_en]))
    province = draw(st.sampled_from(["ชัยภูมิ", "จ.ชัยภูมิ", "จังหวัดชัยภูมิ", " ชัยภูมิ\u200b",
                                     "Chaiyaphum", "ชัยภูม", "", "ขอนแก่น"]))  # fmt: skip
    kind = draw(st.sampled_from(KIND_SPELLINGS + JUNK))
    return row(report_month=month_cell, district=prefix + name, province=province, category=kind)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_random_messy_workbook_rolls_up_to_official_values(data: st.DataObject) -> None:
    config = parse_config(
        "national: {file: national.xlsx}\nprovinces: [{province: ชัยภูมิ, file: chaiyaphum.xlsx}]\n"
    )
    sources = source_tabs(config)
    tabs = []
    for source in sources:
        n = data.draw(st.integers(min_value=0, max_value=3))
        rows = [data.draw(messy_row(source.district)) for _ in range(n)]
        cells = TabData(source.spreadsheet, source.tab, grid(*rows))
        tabs.append(parse_tab(source, cells, config.form))
    results = check_tabs(tabs, CheckContext(config.form, config.programme, TODAY))
    summary = summarise(config, tabs, results, TODAY)
    plans = plan_cycle(config, tabs, results, summary)
    national = tab(plans, config.tabs.national).rows
    assert len(national) == 1 + len(results)
    assert_closed(config, national)
    assert all(len(keys) == 1 for keys in pivot_by_month(national).values())
    # A row whose every understood value was read has nothing flagged.
    for result, kept in zip(results, column(national, KEPT_HEADER), strict=True):
        understood = not {p.code for p in result.problems} & NOT_UNDERSTOOD
        assert (kept == "") == understood, (result.row.text, kept)
    # The register: exactly one line per configured district, rows or not.
    register = tab(plans, config.tabs.district_register).rows
    assert column(register, "รหัสอำเภอ") == [d.code for d in DISTRICTS]
    assert set(column(register, "สถานะ")) <= set(STATES)


# Problems that leave a value the roll-up cannot spell officially.
NOT_UNDERSTOOD = {"BAD_MONTH", "UNKNOWN_DISTRICT", "UNKNOWN_PROVINCE", "BAD_CATEGORY",
                  "MISSING", "CELL_ERROR"}  # fmt: skip


# --- the register and the dashboard -------------------------------------------------------


def test_the_register_lists_every_configured_district_including_those_without_rows(
    example: tuple[Config, list[SheetPlan]],
) -> None:
    config, plans = example
    register = tab(plans, config.tabs.district_register).rows
    assert len(register) == 1 + 16
    assert column(register, "อำเภอ") == [d.name for d in DISTRICTS]
    states = dict(zip(column(register, "อำเภอ"), column(register, "สถานะ"), strict=True))
    # The README's demo: 14 of the 16 districts are covered.
    assert sum(s == "มีอัตลักษณ์แล้ว" for s in states.values()) == 14
    assert set(states.values()) <= set(STATES)
    links = column(register, "แท็บของอำเภอ")
    assert all(isinstance(link, LinkedText) for link in links)
    assert [link.link.tab for link in links] == [f"อำเภอ{d.name}" for d in DISTRICTS]


def test_a_district_with_no_rows_still_has_its_line(tmp_path: Path) -> None:
    config = parse_config(
        "national: {file: national.xlsx}\n"
        "provinces: [{province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [ภูเขียว, คอนสาร]}]\n"
    )
    sources = source_tabs(config)
    grids = {"อำเภอภูเขียว": grid(row()), "อำเภอคอนสาร": grid()}
    tabs = [parse_tab(s, TabData(s.spreadsheet, s.tab, grids[s.tab]), config.form) for s in sources]
    results = check_tabs(tabs, CheckContext(config.form, config.programme, TODAY))
    plans = plan_cycle(config, tabs, results, summarise(config, tabs, results, TODAY))
    register = tab(plans, config.tabs.district_register).rows
    assert column(register, "อำเภอ") == ["ภูเขียว", "คอนสาร"]
    assert column(register, "สถานะ") == ["มีอัตลักษณ์แล้ว", "ยังไม่มี"]
    assert column(register, "ชื่ออัตลักษณ์ท้องถิ่น") == ["ข้าวหลามผักปัง", ""]
    assert column(register, "เดือนแรกที่มีอัตลักษณ์") == ["2567-12 ธ.ค.", ""]
    assert column(register, "จำนวนแถวของเดือน ม.ค. 2568") == [0, 0]
    dashboard = tab(plans, "ภาพรวมจังหวัดชัยภูมิ")
    assert dashboard.layout.filter is not None  # over the register inside the dashboard
    header_row = dashboard.rows[dashboard.layout.filter.top - 1]
    assert header_row[:4] == ["รหัสจังหวัด", "จังหวัด", "รหัสอำเภอ", "อำเภอ"]


def test_the_province_dashboard_links_stay_inside_its_own_file(
    example: tuple[Config, list[SheetPlan]],
) -> None:
    _, plans = example
    province = next(p for p in plans if p.spreadsheet == "chaiyaphum.xlsx")
    dashboard = next(t for t in province.tabs if t.name == "ภาพรวมจังหวัดชัยภูมิ")
    links = [c.link for r in dashboard.rows for c in r if isinstance(c, LinkedText)]
    assert len(links) > 16  # the register's 16 tabs and the problems' cells
    assert {link.spreadsheet for link in links} == {"chaiyaphum.xlsx"}
    texts = [str(c) for r in dashboard.rows for c in r if c is not None]
    # Its KPI against its share of the targets: 8 of the 439, all 16 of the 878.
    kpi = dashboard.rows[4:6]
    assert [r[:4] for r in kpi] == [
        ["439 อำเภอ", "31 มี.ค. 2568", 8, 14],
        ["878 อำเภอ", "30 ก.ย. 2568", 16, 14],
    ]
    assert any("รายการที่ต้องแก้ไขของจังหวัดชัยภูมิ" in t for t in texts)


def lao_by_pattern(text: str) -> str | None:
    """`lao_text` the slow way: every name through the pattern of the types' spellings."""
    match = normalise._LAO_PREFIX.match(text.strip())
    if match is None:
        return None
    kind, name = match.groups()
    return normalise._LAO_SHORT[kind] + name.strip()


@given(
    st.sampled_from(["", "อบต.", "อบต", "อบจ.", "ทน.", "ทม.", "ทต.", "เทศบาลตำบล", " อบต."]),
    st.text(alphabet="นาบยาง .\n\t\u00a0ต", max_size=8),
)
def test_an_organisation_s_name_is_spelt_as_its_type_s_pattern_says(prefix: str, name: str) -> None:
    assert normalise.lao_text(prefix + name) == lao_by_pattern(prefix + name)


def test_tabs_with_other_columns_roll_up_each_value_under_its_own_header() -> None:
    # Phu Khiao keeps the form's columns; Ban Khwao dropped three optional ones and put
    # the link first. Each row's values must land under their headers, blanks where its
    # tab has no such column.
    config = parse_config(
        "national: {file: national.xlsx}\nprovinces: [{province: ชัยภูมิ, file: chaiyaphum.xlsx}]\n"
    )
    district = geo.find_district(PROVINCE.code, "บ้านเขว้า")
    assert district is not None
    dropped = {"role", "budget", "note"}
    keys = ["post_url", *(f for f in GOOD if f not in dropped and f != "post_url")]
    headers = [next(f.header for f in FIELDS if f.key == k) for k in keys]
    theirs = {**GOOD, "district": "บ้านเขว้า", "identity": "ผ้าไหมบ้านเขว้า",
              "hashtags": "#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอบ้านเขว้า",
              "post_url": "https://www.facebook.com/bankhwao/posts/9"}  # fmt: skip
    grids = {
        "อำเภอภูเขียว": grid(row()),
        "อำเภอบ้านเขว้า": [headers, [theirs[k] for k in keys]],
    }
    sources = [s for s in source_tabs(config) if s.tab in grids]
    tabs = [parse_tab(s, TabData(s.spreadsheet, s.tab, grids[s.tab]), config.form) for s in sources]
    results = check_tabs(tabs, CheckContext(config.form, config.programme, TODAY))
    summary = summarise(config, tabs, results, TODAY)
    rows = tab(plan_cycle(config, tabs, results, summary), config.tabs.national).rows
    assert len(rows) == 3
    identities = column(rows, "ชื่ออัตลักษณ์ท้องถิ่น")
    mine, other = identities.index(GOOD["identity"]), identities.index("ผ้าไหมบ้านเขว้า")
    for header, expected in [
        ("ลิงก์เผยแพร่", (GOOD["post_url"], theirs["post_url"])),
        ("อำเภอ", ("ภูเขียว", "บ้านเขว้า")),
        ("รหัสอำเภอ", (DISTRICTS[[d.name for d in DISTRICTS].index("ภูเขียว")].code, district.code)),
        ("บทบาท อปท.", ("หน่วยงานหลัก", "")),
        ("แหล่งงบประมาณ", ("อปท.", "")),
        ("หมายเหตุ", ("", "")),
        ("ผู้รายงาน", (GOOD["reporter"], GOOD["reporter"])),
        (KEPT_HEADER, ("", "")),
    ]:
        values = column(rows, header)
        assert (values[mine], values[other]) == expected, header
