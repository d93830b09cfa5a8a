"""Turn checked rows into a write plan: status column, highlights and the bot's own tabs.

Pure: the same rows, problems and `today` always give the same plan, which is what makes a
cycle idempotent (a second run finds nothing to change) and testable without a backend.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from bot import thai
from bot.checks import RowResult
from bot.config import Config, SourceTab
from bot.form import ParsedTab
from bot.form_fields import CATEGORIES, FIELD_KEYS
from bot.model import BotTab, Highlight, Link, LinkedText, OutCell, Problem, SheetPlan, TabMarks

STATUS_COMPLETE = "ครบถ้วน"
SOURCE_HEADER = "ที่มา (แท็บและแถว)"
SEVERITY_TH = {"error": "ต้องแก้ไข", "warning": "ข้อสังเกต"}


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


def status_text(result: RowResult) -> str:
    """The Thai text of a row's status cell."""
    errors = [p.message for p in result.problems if p.severity == "error"]
    warnings = [p.message for p in result.problems if p.severity == "warning"]
    if result.tab_blocked:
        errors.append(
            "ยังไม่นับแถวนี้ว่าครบถ้วน เนื่องจากแถวหัวตารางของแท็บนี้ยังไม่ตรงกับแบบรายงาน "
            "(เช่น ขาดคอลัมน์ที่ต้องกรอก) กรุณาแก้ไขหัวคอลัมน์ให้ตรงกับแบบรายงาน"
        )
    if errors:
        text = f"ต้องแก้ไข {len(errors)} รายการ: " + " | ".join(errors)
        return text + (" | ข้อสังเกต: " + " | ".join(warnings) if warnings else "")
    if warnings:
        return f"{STATUS_COMPLETE} (ข้อสังเกต: " + " | ".join(warnings) + ")"
    return STATUS_COMPLETE


def plan_marks(tab: ParsedTab, results: list[RowResult], header: str) -> TabMarks | None:
    """The status column and highlights of one district tab; None if the tab is unreadable."""
    if tab.header_row is None or tab.status_column is None:
        return None
    # Every data row gets its status; a stale status on any other row is cleared.
    status: dict[int, str] = dict.fromkeys(tab.status_rows, "")
    highlights: list[Highlight] = []
    fingerprints: dict[int, tuple[str, ...]] = {}
    for result in results:
        row = result.row.row
        status[row] = status_text(result)
        fingerprints[row] = result.row.fingerprint
        for p in result.problems:
            if p.column is not None:
                highlights.append(Highlight(row, p.column, p.severity))
    return TabMarks(
        tab=tab.source.tab,
        header_row=tab.header_row,
        column=tab.status_column,
        header=header,
        status=status,
        highlights=_strongest(highlights),
        new_column=tab.status_is_new,
        fingerprints=fingerprints,
    )


def _strongest(highlights: list[Highlight]) -> list[Highlight]:
    # One colour per cell: an error outranks a warning on the same cell.
    best: dict[tuple[int, int], Highlight] = {}
    for h in highlights:
        key = (h.row, h.column)
        if key not in best or h.severity == "error":
            best[key] = h
    return [best[k] for k in sorted(best)]


def rollup_header(config: Config) -> list[OutCell]:
    """The header row shared by the provincial and national tabs."""
    return [
        *(config.form.display_header(k) for k in FIELD_KEYS),
        SOURCE_HEADER,
        config.form.status_header,
    ]


def rollup_rows(
    tabs: list[ParsedTab],
    by_tab: dict[str, list[RowResult]],
    stale_since: dict[str, datetime] | None = None,
) -> list[list[OutCell]]:
    """Every row of `tabs`, as text, with a link back to its source and its status.

    Rows of a spreadsheet in `stale_since` come from an earlier read: their source cell
    says when that read was.
    """
    out: list[list[OutCell]] = []
    for tab in tabs:
        since = (stale_since or {}).get(tab.source.spreadsheet)
        note = f" (ข้อมูล ณ {thai.datetime_label(since)})" if since else ""
        for result in by_tab.get(_tab_id(tab.source), []):
            row = result.row
            source = LinkedText(
                f"{row.source.tab} แถวที่ {row.row}{note}",
                Link(row.source.spreadsheet, row.source.tab, row.row, 1),
            )
            cells: list[OutCell] = list(map(row.text.get, FIELD_KEYS, _BLANKS))
            cells += (source, status_text(result))
            out.append(cells)
    return out


_BLANKS = ("",) * len(FIELD_KEYS)  # the default of each field's text: none typed


def _tab_id(source: SourceTab) -> str:
    return f"{source.spreadsheet}\x00{source.tab}"


def summarise(
    config: Config, tabs: list[ParsedTab], results: list[RowResult], today: date
) -> Summary:
    """Count rows, problems and districts with an identity, per province and in total."""
    all_problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    codes = Counter(p.code for p in all_problems)
    errors_by_tab = Counter((p.spreadsheet, p.tab) for p in all_problems if p.severity == "error")
    covered: set[str] = set()
    covered_by_month: dict[tuple[int, int], set[str]] = defaultdict(set)
    for r in results:
        if r.complete and r.month is not None:
            covered.add(r.row.source.district.code)
            covered_by_month[r.month].add(r.row.source.district.code)

    results_by_province: dict[str, list[RowResult]] = defaultdict(list)
    for r in results:
        results_by_province[r.row.source.province.name].append(r)
    stats: list[ProvinceStats] = []
    for prov in config.provinces:
        p_tabs = [t for t in tabs if t.source.province.name == prov.province]
        p_codes = {t.source.district.code for t in p_tabs}
        p_results = results_by_province.get(prov.province, [])
        by_category = [0] * len(CATEGORIES)
        for r in p_results:
            if r.complete and r.category:
                by_category[r.category - 1] += 1
        open_errors = sum(errors_by_tab[(t.source.spreadsheet, t.source.tab)] for t in p_tabs)
        stats.append(
            ProvinceStats(
                province=prov.province,
                districts=len(p_tabs),
                districts_with_identity=len(p_codes & covered),
                rows=len(p_results),
                complete_rows=sum(r.complete for r in p_results),
                by_category=by_category,
                open_errors=open_errors,
            )
        )
    target = config.programme.target_on(today)
    return Summary(
        today=today,
        rows_read=len(results),
        rows_complete=sum(r.complete for r in results),
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


def summary_tab(config: Config, summary: Summary) -> BotTab:
    """The KPI tab: per province, national totals, and each fiscal quarter against its target."""
    today = summary.today
    prog = config.programme
    rows: list[list[OutCell]] = [
        [f"สรุปผลการดำเนินงาน {prog.name}"],
        [
            f"ข้อมูล ณ วันที่ {thai.date_label(today)} "
            f"(ปีงบประมาณ พ.ศ. {thai.fiscal_year(today)} ไตรมาสที่ {thai.fiscal_quarter(today)})"
        ],
        [],
        [
            "จังหวัด",
            "จำนวนอำเภอ",
            "อำเภอที่มีอัตลักษณ์แล้ว",
            "ร้อยละของอำเภอที่มีอัตลักษณ์",
            "จำนวนแถวที่รายงาน",
            "จำนวนแถวที่ครบถ้วน",
            *(f"{c} (แถว)" for c in CATEGORIES),
            "จำนวนข้อผิดพลาดที่ยังไม่แก้ไข",
        ],
    ]
    for s in summary.provinces:
        rows.append(
            [
                s.province,
                s.districts,
                s.districts_with_identity,
                s.percent,
                s.rows,
                s.complete_rows,
                *s.by_category,
                s.open_errors,
            ]
        )
    total = ProvinceStats(
        "รวม",
        sum(s.districts for s in summary.provinces),
        sum(s.districts_with_identity for s in summary.provinces),
        sum(s.rows for s in summary.provinces),
        sum(s.complete_rows for s in summary.provinces),
        [sum(s.by_category[i] for s in summary.provinces) for i in range(len(CATEGORIES))],
        sum(s.open_errors for s in summary.provinces),
    )
    rows.append(
        [
            total.province,
            total.districts,
            total.districts_with_identity,
            total.percent,
            total.rows,
            total.complete_rows,
            *total.by_category,
            total.open_errors,
        ]
    )
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
        [
            "ไตรมาส",
            "ช่วงเวลา",
            "เป้าหมาย (อำเภอ)",
            "อำเภอที่มีอัตลักษณ์ (สะสม)",
            "ร้อยละของเป้าหมาย",
            "ผลการประเมิน",
        ],
    ]
    for q in quarter_lines(config, summary):
        rows.append(list(q))
    return BotTab(config.tabs.summary, rows, header_rows=4, wide_columns=(0,))


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


def issues_tab(config: Config, problems: list[Problem], form_headers: dict[str, str]) -> BotTab:
    """One row per problem, errors first, each with a link to the exact cell."""
    rows: list[list[OutCell]] = [
        [
            "ลำดับ",
            "ไฟล์",
            "แท็บ",
            "แถว",
            "คอลัมน์",
            "รหัสปัญหา",
            "ระดับ",
            "รายละเอียด",
            "ลิงก์ไปยังตำแหน่งที่ต้องแก้ไข",
        ],
    ]
    ordered = sorted(
        problems,
        key=lambda p: (
            p.severity != "error",
            p.spreadsheet,
            p.tab,
            p.row or 0,
            p.column or 0,
            p.code,
        ),
    )
    for n, p in enumerate(ordered, start=1):
        link = LinkedText(
            "เปิดช่องนี้" if p.row else "เปิดแท็บนี้",
            Link(p.spreadsheet, p.tab, p.row or 1, p.column or 1),
        )
        rows.append(
            [
                n,
                p.spreadsheet,
                p.tab,
                p.row or "",
                form_headers.get(p.field or "", ""),
                p.code,
                SEVERITY_TH[p.severity],
                p.message,
                link,
            ]
        )
    return BotTab(config.tabs.issues, rows, wide_columns=(7,))


def plan_cycle(
    config: Config,
    tabs: list[ParsedTab],
    results: list[RowResult],
    summary: Summary,
    extra_problems: list[Problem] | None = None,
    *,
    stale_since: dict[str, datetime] | None = None,
) -> list[SheetPlan]:
    """The complete write plan of a cycle, one `SheetPlan` per spreadsheet.

    `stale_since` names spreadsheets whose rows come from an earlier read, and when.
    """
    by_tab: dict[str, list[RowResult]] = defaultdict(list)
    for r in results:
        by_tab[_tab_id(r.row.source)].append(r)
    plans: dict[str, SheetPlan] = {}
    header = rollup_header(config)
    national_rows: list[list[OutCell]] = [header]
    for prov in config.provinces:
        plan = plans.setdefault(prov.sheet, SheetPlan(prov.sheet))
        # A province's districts may sit in its spreadsheet or in spreadsheets of their own.
        p_tabs = [t for t in tabs if t.source.province.name == prov.province]
        for tab in p_tabs:
            marks = plan_marks(tab, by_tab.get(_tab_id(tab.source), []), config.form.status_header)
            if marks is not None:
                where = tab.source.spreadsheet
                plans.setdefault(where, SheetPlan(where)).marks.append(marks)
        rows = rollup_rows(p_tabs, by_tab, stale_since)
        plan.tabs.append(
            BotTab(
                config.tabs.province_tab(prov.registry_province),
                [header, *rows],
                wide_columns=_wide(),
            )
        )
        national_rows += rows
    national = plans.setdefault(config.national.sheet, SheetPlan(config.national.sheet))
    all_problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    all_problems += extra_problems or []
    headers = {k: config.form.display_header(k) for k in FIELD_KEYS}
    summary_sheet = summary_tab(config, summary)
    # Say on the KPI tab itself when a province's figures are not current.
    notes = [p.message for p in extra_problems or [] if p.code == "STALE_SPREADSHEET"]
    if notes:
        summary_sheet.rows += [[], ["ข้อมูลที่ยังไม่เป็นปัจจุบัน"]]
        summary_sheet.rows += [[note] for note in notes]
    national.tabs += [
        BotTab(config.tabs.national, national_rows, wide_columns=_wide()),
        summary_sheet,
        issues_tab(config, all_problems, headers),
    ]
    return list(plans.values())


def _wide() -> tuple[int, ...]:
    wide = [i for i, k in enumerate(FIELD_KEYS) if k in ("identity", "activity", "note")]
    return (*wide, len(FIELD_KEYS) + 1)
