"""Every bot tab says how it should look (bot.presentation): what a backend renders is data
the core decides, so it is tested here without any backend."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from bot import problems
from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.cycle import check_cycle
from bot.examples import make_examples
from bot.model import BotTab, SheetPlan
from bot.presentation import ChartSpec, Range, cell_text, fit_widths
from bot.rollup import status_text
from bot.thai import display_width
from tests.factories import check, column, row

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Config, list[SheetPlan]]:
    folder = tmp_path_factory.mktemp("demo")
    shutil.copy(ROOT / "config.example.yaml", folder / "config.yaml")
    make_examples(folder / "example")
    config = load_config(folder / "config.yaml")
    with open_backend(config) as backend:
        report = check_cycle(config, backend, date(2025, 1, 17))
    return config, report.plans


def _tab(plans: list[SheetPlan], name: str) -> BotTab:
    return next(t for p in plans for t in p.tabs if t.name == name)


def _cells(tab: BotTab, r: Range) -> list[object]:
    return [
        tab.rows[i - 1][j - 1] if j - 1 < len(tab.rows[i - 1]) else None
        for i in range(r.top, r.bottom + 1)
        for j in range(r.left, r.right + 1)
    ]


def test_every_bot_tab_prints_landscape_at_one_page_wide(
    plans: tuple[Config, list[SheetPlan]],
) -> None:
    _, found = plans
    tabs = [t for p in found for t in p.tabs]
    assert len(tabs) == 6  # roll-up and dashboard; national, summary, issues, register
    for tab in tabs:
        assert tab.layout.page.landscape and tab.layout.page.fit_width, tab.name
        assert tab.layout.widths, tab.name


def test_per_cents_are_formatted_as_per_cents(plans: tuple[Config, list[SheetPlan]]) -> None:
    config, found = plans
    summary = _tab(found, config.tabs.summary)
    percent = [f.range for f in summary.layout.formats if f.format == "percent"]
    header = summary.rows[3]
    col = header.index("ร้อยละของอำเภอที่มีอัตลักษณ์") + 1
    # The province's 87.5 and the total line are under a per-cent format...
    chaiyaphum = next(i for i, r in enumerate(summary.rows, 1) if r and r[0] == "ชัยภูมิ")
    assert summary.rows[chaiyaphum - 1][col - 1] == 87.5
    assert any(r.left <= col <= r.right and r.top <= chaiyaphum <= r.bottom for r in percent)
    # ...and every cell under one is a number of points (0-100), not a fraction.
    for r in percent:
        values = [v for v in _cells(summary, r) if isinstance(v, int | float)]
        assert values and all(0 <= v <= 1000 for v in values)
        assert any(v > 1 for v in values)


def test_roll_up_tabs_freeze_and_filter_their_header_and_colour_statuses(
    plans: tuple[Config, list[SheetPlan]],
) -> None:
    config, found = plans
    for name in (config.tabs.national, "รวมจังหวัดชัยภูมิ"):
        tab = _tab(found, name)
        layout = tab.layout
        assert layout.frozen_rows == 1
        assert layout.filter == Range(1, 1, len(tab.rows), len(tab.rows[0]))
        status_col = tab.rows[0].index(config.form.status_header) + 1
        rules = [(r.prefix, r.style) for r in layout.rules if r.range.left == status_col]
        assert rules == [("ต้องแก้ไข", "error"), ("ครบถ้วน (มีข้อสังเกต)", "warning"),
                         ("ครบถ้วน", "ok")]  # fmt: skip
        # Every status the tab holds is coloured by one of them.
        statuses = column(tab.rows, config.form.status_header)
        assert all(any(s.startswith(p) for p, _ in rules) for s in statuses)
        assert status_col in layout.wrap


def test_the_duplicate_row_is_highlighted_whole(plans: tuple[Config, list[SheetPlan]]) -> None:
    config, found = plans
    tab = _tab(found, config.tabs.national)
    status = column(tab.rows, config.form.status_header)
    duplicates = [i for i, s in enumerate(status, start=2) if "ซ้ำกับแถวที่" in s]
    assert duplicates
    styled = [s.range for s in tab.layout.styled if s.style == "duplicate"]
    assert styled == [Range(r, 1, r, len(tab.rows[0])) for r in duplicates]


def test_widths_fit_the_numbers_so_nothing_spills(plans: tuple[Config, list[SheetPlan]]) -> None:
    config, found = plans
    for tab in (_tab(found, config.tabs.summary), _tab(found, config.tabs.district_register)):
        for r in tab.rows[4:]:
            for c, value in enumerate(r):
                if isinstance(value, int | float):
                    assert tab.layout.widths[c] >= display_width(cell_text(value)) + 1, (
                        tab.name,
                        c,
                    )
    # Long Thai text is capped and wraps instead of stretching the column.
    widths = fit_widths([["ชื่อ", "ลำดับ"], ["ก" * 300, "1"]])
    assert widths == (60.0, 6.0)


def test_issues_carry_a_thai_label_and_keep_the_code_in_its_own_column(
    plans: tuple[Config, list[SheetPlan]],
) -> None:
    config, found = plans
    issues = _tab(found, config.tabs.issues).rows
    codes = column(issues, "รหัสปัญหา")
    labels = column(issues, "ประเภทปัญหา")
    assert "CELL_ERROR" in codes
    assert labels[codes.index("CELL_ERROR")] == "สูตรแสดงค่าผิดพลาด"
    assert all(label == problems.label(code) for code, label in zip(codes, labels, strict=True))
    assert not any(label.isascii() for label in labels)


def test_a_note_ending_in_a_bracket_is_not_closed_twice() -> None:
    (result,) = check(row(phone="12345"))
    text = status_text(result)
    assert text.startswith("ครบถ้วน (มีข้อสังเกต) ")
    assert "))" not in text


def _chart(tab: BotTab, key: str) -> ChartSpec:
    return next(c for c in tab.charts if c.key == key)


def test_the_summary_charts_coverage_against_the_targets_provinces_and_kinds(
    plans: tuple[Config, list[SheetPlan]],
) -> None:
    config, found = plans
    summary = _tab(found, config.tabs.summary)
    assert [c.key for c in summary.charts] == ["coverage", "by_province", "by_kind"]
    coverage = _chart(summary, "coverage")
    assert coverage.categories == ("พ.ย. 2567", "ธ.ค. 2567", "ม.ค. 2568")
    covered, *targets = coverage.series
    assert list(covered.values) == sorted(covered.values)  # cumulative
    assert covered.values[-1] == 14.0
    assert [t.values[0] for t in targets] == [439.0, 878.0] and all(t.dashed for t in targets)
    assert _chart(summary, "by_province").categories == ("ชัยภูมิ",)
    kinds = _chart(summary, "by_kind")
    assert len(kinds.categories) == 4 and sum(kinds.series[0].values) == 54  # complete rows


def test_a_chart_s_table_in_its_tab_holds_its_values_below_every_cell_in_use(
    plans: tuple[Config, list[SheetPlan]],
) -> None:
    # A native chart reads the table; the PNG reads the spec: they must agree.
    _, found = plans
    for tab in (t for p in found for t in p.tabs if t.charts):
        for chart in tab.charts:
            d = chart.data
            header = tab.rows[d.top - 1][d.left - 1 : d.right]
            assert header == [chart.title, *(s.name for s in chart.series)]
            for i, category in enumerate(chart.categories):
                line = tab.rows[d.top + i][d.left - 1 : d.right]
                assert line == [category, *(s.values[i] for s in chart.series)]
            # The chart sits on rows left blank for it.
            top, left = chart.anchor
            rows = range(top, top + chart.height_px // 21)
            assert all(not tab.rows[r - 1] for r in rows if r <= len(tab.rows)), tab.name
            assert left >= 1


def test_the_dashboard_measures_the_province_against_its_share_of_the_targets(
    plans: tuple[Config, list[SheetPlan]],
) -> None:
    _, found = plans
    dashboard = _tab(found, "ภาพรวมจังหวัดชัยภูมิ")
    coverage = _chart(dashboard, "coverage")
    assert [s.values[0] for s in coverage.series[1:]] == [8.0, 16.0]
    assert "จังหวัดชัยภูมิ" in coverage.title
