"""The KPI summary: districts with an identity against the targets, per province and per
fiscal quarter, and the summary tab that shows it with its charts. Pure; `today` is a
parameter.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from bot import thai
from bot.charts import coverage_chart, finish, kinds_chart, provinces_chart, reserve
from bot.checks import RowResult
from bot.config import Config
from bot.form import ParsedTab
from bot.form_fields import CATEGORIES
from bot.model import BotTab, OutCell
from bot.presentation import Format, Layout, PageSetup, Range, Styled, fit_widths

COVERED = "มีอัตลักษณ์แล้ว"


@dataclass
class ProvinceStats:
    """One province's line in the summary tab."""

    province: str
    districts: int
    districts_with_identity: int
    rows: int
    complete_rows: int
    by_category: list[int]
    open_errors: int

    @property
    def percent(self) -> float:
        """Share of the province's districts that have an identity."""
        return (
            round(100 * self.districts_with_identity / self.districts, 1) if self.districts else 0.0
        )


@dataclass
class Summary:
    """The figures of one cycle, as printed by the CLI and shown in the summary tab."""

    today: date
    rows_read: int
    rows_complete: int
    problems_by_code: dict[str, int]
    errors: int
    warnings: int
    districts: int
    districts_with_identity: int
    target_districts: int
    target_by: date
    provinces: list[ProvinceStats] = field(default_factory=list)
    # District codes with a complete row, per (year, month) of the report; for quarters.
    covered_by_month: dict[tuple[int, int], set[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        """The stable shape of `sync --json` (see README)."""
        return {
            "today": self.today.isoformat(),
            "rows_read": self.rows_read,
            "rows_complete": self.rows_complete,
            "problems_by_code": dict(sorted(self.problems_by_code.items())),
            "errors": self.errors,
            "warnings": self.warnings,
            "districts": self.districts,
            "districts_with_identity": self.districts_with_identity,
            "target": {"districts": self.target_districts, "by": self.target_by.isoformat()},
        }

    def covered_in(self, codes: set[str]) -> dict[tuple[int, int], set[str]]:
        """`covered_by_month` narrowed to some districts (one province's)."""
        return {m: v & codes for m, v in self.covered_by_month.items() if v & codes}


def summarise(
    config: Config, tabs: list[ParsedTab], results: list[RowResult], today: date
) -> Summary:
    """Count rows, problems and districts with an identity, per province and in total."""
    all_problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    codes = Counter(p.code for p in all_problems)
    errors_by_tab = Counter((p.spreadsheet, p.tab) for p in all_problems if p.severity == "error")
    covered: set[str] = set()
    covered_by_month: dict[tuple[int, int], set[str]] = defaultdict(set)
    # Per province, in one pass over the rows: its rows, complete rows, and complete rows
    # by kind of identity.
    tally: dict[str, list[int]] = {}
    for r in results:
        source = r.row.source
        counts = tally.get(source.province.name)
        if counts is None:
            counts = tally[source.province.name] = [0] * (2 + len(CATEGORIES))
        counts[0] += 1
        if r.complete:
            counts[1] += 1
            if r.category:
                counts[1 + r.category] += 1
            if r.month is not None:
                covered.add(source.district.code)
                covered_by_month[r.month].add(source.district.code)
    tabs_of: dict[str, list[ParsedTab]] = defaultdict(list)  # by province, in their order
    for t in tabs:
        tabs_of[t.source.province.name].append(t)
    stats: list[ProvinceStats] = []
    for prov in config.provinces:
        p_tabs = tabs_of.get(prov.province, [])
        p_codes = {t.source.district.code for t in p_tabs}
        counts = tally.get(prov.province, [0] * (2 + len(CATEGORIES)))
        open_errors = sum(errors_by_tab[(t.source.spreadsheet, t.source.tab)] for t in p_tabs)
        stats.append(
            ProvinceStats(
                province=prov.province,
                districts=len(p_tabs),
                districts_with_identity=len(p_codes & covered),
                rows=counts[0],
                complete_rows=counts[1],
                by_category=counts[2:],
                open_errors=open_errors,
            )
        )
    target = config.programme.target_on(today)
    return Summary(
        today=today,
        rows_read=len(results),
        rows_complete=sum(counts[1] for counts in tally.values()),
        problems_by_code=dict(codes),
        errors=sum(1 for p in all_problems if p.severity == "error"),
        warnings=sum(1 for p in all_problems if p.severity == "warning"),
        districts=len(tabs),
        districts_with_identity=len(covered),
        target_districts=target.districts,
        target_by=target.by,
        provinces=stats,
        covered_by_month=dict(covered_by_month),
    )


PROVINCE_HEADER = (
    "จังหวัด",
    "จำนวนอำเภอ",
    "อำเภอที่มีอัตลักษณ์แล้ว",
    "ร้อยละของอำเภอที่มีอัตลักษณ์",
    "จำนวนแถวที่รายงาน",
    "จำนวนแถวที่ครบถ้วน",
    *(f"{c} (แถว)" for c in CATEGORIES),
    "จำนวนข้อผิดพลาดที่ยังไม่แก้ไข",
)
QUARTER_HEADER = (
    "ไตรมาส",
    "ช่วงเวลา",
    "เป้าหมาย (อำเภอ)",
    "อำเภอที่มีอัตลักษณ์ (สะสม)",
    "ร้อยละของเป้าหมาย",
    "ผลการประเมิน",
)


def _stats_line(s: ProvinceStats) -> list[OutCell]:
    return [
        s.province,
        s.districts,
        s.districts_with_identity,
        s.percent,
        s.rows,
        s.complete_rows,
        *s.by_category,
        s.open_errors,
    ]


def summary_tab(config: Config, summary: Summary, notes: list[str] | None = None) -> BotTab:
    """The KPI tab: per province, national totals, each fiscal quarter against its target,
    `notes` (provinces whose figures are not current), and the charts with their tables."""
    today = summary.today
    prog = config.programme
    layout = Layout(frozen_rows=4, page=PageSetup(repeat_rows=4))
    rows: list[list[OutCell]] = [
        [f"สรุปผลการดำเนินงาน {prog.name}"],
        [as_of_line(today)],
        [],
        list(PROVINCE_HEADER),
    ]
    rows += [_stats_line(s) for s in summary.provinces]
    total = ProvinceStats(
        "รวม",
        sum(s.districts for s in summary.provinces),
        sum(s.districts_with_identity for s in summary.provinces),
        sum(s.rows for s in summary.provinces),
        sum(s.complete_rows for s in summary.provinces),
        [sum(s.by_category[i] for s in summary.provinces) for i in range(len(CATEGORIES))],
        sum(s.open_errors for s in summary.provinces),
    )
    rows.append(_stats_line(total))
    width = len(PROVINCE_HEADER)
    body = Range(5, 2, len(rows), width)
    layout.formats += [Format(body, "integer"), Format(Range(5, 4, len(rows), 4), "percent")]
    layout.styled += [
        Styled(Range(1, 1, 1, 1), "title"),
        Styled(Range(4, 1, 4, width), "header"),
        Styled(Range(len(rows), 1, len(rows), width), "total"),
    ]
    rows += [
        [],
        [
            f"เป้าหมายที่ใช้ประเมิน: ไม่น้อยกว่า {summary.target_districts:,} อำเภอ "
            f"ภายในวันที่ {thai.date_label(summary.target_by)} "
            f"ผลการดำเนินงาน ณ วันที่ {thai.date_label(today)} "
            f"จำนวน {summary.districts_with_identity:,} อำเภอ "
            f"(ร้อยละ {_pct(summary.districts_with_identity, summary.target_districts)} ของเป้าหมาย)"
        ],
        [],
        list(QUARTER_HEADER),
    ]
    q_head = len(rows)
    rows += [list(q) for q in quarter_lines(config, summary)]
    layout.styled.append(Styled(Range(q_head, 1, q_head, len(QUARTER_HEADER)), "header"))
    if len(rows) > q_head:
        layout.formats += [
            Format(Range(q_head + 1, 3, len(rows), 4), "integer"),
            Format(Range(q_head + 1, 5, len(rows), 5), "percent"),
        ]
    if notes:
        rows += [[], ["ข้อมูลที่ยังไม่เป็นปัจจุบัน"]]
        layout.styled.append(Styled(Range(len(rows), 1, len(rows), 1), "section"))
        rows += [[note] for note in notes]
    layout.widths = fit_widths(rows, skip_rows=3)
    until = (today.year, today.month)
    charts = [
        coverage_chart(config, summary.covered_by_month, until),
        provinces_chart([(s.province, s.percent) for s in summary.provinces]),
        kinds_chart(total.by_category),
    ]
    band = reserve(rows, charts)
    specs = finish(rows, layout, charts, band)
    return BotTab(
        config.tabs.summary, rows, header_rows=4, wide_columns=(0,), layout=layout, charts=specs
    )


def as_of_line(today: date) -> str:
    """The line under a KPI tab's title: the day its figures are of, with the fiscal year
    and quarter it falls in."""
    return (
        f"ข้อมูล ณ วันที่ {thai.date_label(today, full_month=True)} "
        f"(ปีงบประมาณ พ.ศ. {thai.fiscal_year(today)} ไตรมาสที่ {thai.fiscal_quarter(today)})"
    )


def quarter_lines(config: Config, summary: Summary) -> list[tuple[OutCell, ...]]:
    """One line per fiscal quarter of the programme: target, districts covered, verdict."""
    prog = config.programme
    lines: list[tuple[OutCell, ...]] = []
    for start, end in _quarters(prog.start, prog.end):
        q_end = thai.month_end(end)
        target = prog.target_on(q_end)
        label = f"ไตรมาสที่ {thai.fiscal_quarter(q_end)}/{thai.fiscal_year(q_end)}"
        span = f"{thai.month_label(*start)} – {thai.month_label(*end)}"
        if (summary.today.year, summary.today.month) < start:
            lines.append((label, span, target.districts, "", "", "ยังไม่ถึงไตรมาสนี้"))
            continue
        covered = set().union(*(v for m, v in summary.covered_by_month.items() if m <= end))
        verdict = quarter_verdict(len(covered), target.districts, target.by, q_end, summary.today)
        lines.append(
            (
                label,
                span,
                target.districts,
                len(covered),
                _pct(len(covered), target.districts),
                verdict,
            )
        )
    return lines


def quarter_verdict(covered: int, target: int, due: date, quarter_end: date, today: date) -> str:
    """How a quarter stands: judged against its target only once the target falls due."""
    if today <= quarter_end:
        return "อยู่ระหว่างดำเนินการ"
    if quarter_end < due:
        # Q1 counts toward the 439 due at the end of Q2: not a failure yet, just progress.
        return f"ผลสะสม (เป้าหมายครบกำหนด {thai.date_label(due)})"
    return "บรรลุเป้าหมาย" if covered >= target else "ไม่บรรลุเป้าหมาย"


def _quarters(
    start: tuple[int, int], end: tuple[int, int]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    # Fiscal quarters are Oct-Dec, Jan-Mar, Apr-Jun, Jul-Sep; clip the first and last to the period.
    out = []
    year, month = start
    while (year, month) <= end:
        q_last = ((month - 1) // 3) * 3 + 3
        last = min((year, q_last), end)
        out.append(((year, month), last))
        year, month = (year + 1, 1) if q_last == 12 else (year, q_last + 1)
    return out


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0
