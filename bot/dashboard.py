"""A province's own dashboard tab, in its own spreadsheet. Pure.

What the provincial office (สถ.จ.) needs without opening DLA's national file: its KPI
against its share of each national target (`charts.target_share`), how many of its
districts are in each state, the register of its districts, and its open problems with
links that stay inside its own spreadsheet; with two charts (its districts covered month
by month against its share of the targets, and its complete rows by kind).
"""

from __future__ import annotations

from bot import thai
from bot.charts import coverage_chart, finish, kinds_chart, reserve, target_share
from bot.config import Config, ProvinceSheet
from bot.model import BotTab, OutCell
from bot.presentation import Format, Layout, PageSetup, Range, Styled, TextRule, fit_widths
from bot.register import (
    COVERED,
    NOT_YET,
    TO_FIX,
    DistrictEntry,
    counts,
    register_layout,
    register_rows,
    this_month_header,
)
from bot.summary import Summary, as_of_line, quarter_verdict

KPI_HEADER = (
    "เป้าหมายระดับประเทศ",
    "ครบกำหนด",
    "เป้าหมายของจังหวัด (อำเภอ)",
    "อำเภอที่มีอัตลักษณ์แล้ว",
    "ร้อยละของเป้าหมาย",
    "ผลการประเมิน",
)
STATE_HEADER = (
    "อำเภอทั้งหมด",
    COVERED,
    TO_FIX,
    NOT_YET,
    "รายการที่ต้องแก้ไข",
    "ร้อยละของอำเภอที่มีอัตลักษณ์",
)


def dashboard_tab(
    config: Config,
    prov: ProvinceSheet,
    summary: Summary,
    entries: list[DistrictEntry],
    issues: list[list[OutCell]],
    *,
    month: tuple[int, int] | None,
    rounds: list[str] | None = None,
) -> BotTab:
    """The dashboard of one province: KPI, charts, its districts' register, its problems.

    `rounds` are the earlier rounds (fiscal years) whose history the register shows.

    `issues` are the province's problems as `rollup.issue_rows` lays them out (header
    first); their links point at its own district tabs, in this same spreadsheet.
    """
    today = summary.today
    province = prov.registry_province
    layout = Layout(frozen_rows=0, page=PageSetup(repeat_rows=0))
    rows: list[list[OutCell]] = [
        [f"ภาพรวมการดำเนินงานโครงการ {config.programme.name} จังหวัด{province.name}"],
        [as_of_line(today)],
        [],
        list(KPI_HEADER),
    ]
    layout.styled += [Styled(Range(1, 1, 1, 1), "title"), _header(4, len(KPI_HEADER))]
    districts = len(entries)
    covered = sum(e.covered for e in entries)
    for target in config.programme.targets:
        share = target_share(target.districts, districts)
        verdict = quarter_verdict(covered, share, target.by, target.by, today)
        rows.append(
            [
                f"{target.districts:,} อำเภอ",
                thai.date_label(target.by),
                share,
                covered,
                _pct(covered, share),
                verdict,
            ]
        )
    kpi_end = len(rows)
    layout.formats += [
        Format(Range(5, 3, kpi_end, 4), "integer"),
        Format(Range(5, 5, kpi_end, 5), "percent"),
    ]
    by_state = counts(entries)
    open_errors = sum(e.open_errors for e in entries)
    rows += [
        [],
        list(STATE_HEADER),
        [
            districts,
            by_state[COVERED],
            by_state[TO_FIX],
            by_state[NOT_YET],
            open_errors,
            _pct(covered, districts),
        ],
    ]
    state_row = len(rows)
    layout.styled.append(_header(state_row - 1, len(STATE_HEADER)))
    layout.formats += [
        Format(Range(state_row, 1, state_row, 5), "integer"),
        Format(Range(state_row, 6, state_row, 6), "percent"),
    ]

    codes = {e.source.district.code for e in entries}
    stats = next((s for s in summary.provinces if s.province == province.name), None)
    charts = [
        coverage_chart(
            config,
            summary.covered_in(codes),
            (today.year, today.month),
            share=districts,
            where=f"จังหวัด{province.name}",
        ),
        kinds_chart(stats.by_category if stats else [0, 0, 0, 0], f"จังหวัด{province.name}"),
    ]
    band = reserve(rows, charts)

    rows += [[], [f"ทะเบียนอำเภอของจังหวัด{province.name} ({districts} อำเภอ)"]]
    layout.styled.append(Styled(Range(len(rows), 1, len(rows), 1), "section"))
    register = register_rows(entries, this_month_header({month}), rounds)
    top = len(rows) + 1
    rows += register
    _merge(layout, register_layout(register, top))
    # One filter per tab: it goes over the register, the part people sort and filter.

    rows += [[], [f"รายการที่ต้องแก้ไขของจังหวัด{province.name} ({len(issues) - 1} รายการ)"]]
    layout.styled.append(Styled(Range(len(rows), 1, len(rows), 1), "section"))
    top = len(rows) + 1
    rows += issues
    bottom = len(rows)
    layout.styled.append(_header(top, len(issues[0]) if issues else 1))
    if bottom > top:
        severity = Range(top + 1, 7, bottom, 7)
        layout.rules += [
            TextRule(severity, "ต้องแก้ไข", "error"),
            TextRule(severity, "ข้อสังเกต", "warning"),
        ]
    layout.widths = fit_widths(rows, skip_rows=3, cap=40.0)
    layout.wrap = tuple(i for i, w in enumerate(layout.widths, start=1) if w >= 40.0)
    specs = finish(rows, layout, charts, band)
    return BotTab(
        config.tabs.dashboard_tab(province), rows, header_rows=4, layout=layout, charts=specs
    )


def _merge(layout: Layout, part: Layout) -> None:
    """Take a block's filter, styles, rules and formats into the whole tab's layout."""
    layout.filter = part.filter
    layout.styled += part.styled
    layout.rules += part.rules
    layout.formats += part.formats


def _header(row: int, width: int) -> Styled:
    return Styled(Range(row, 1, row, max(width, 1)), "header")


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0
