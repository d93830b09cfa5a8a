"""Turn checked rows into a write plan: status column, highlights and the bot's own tabs.

Pure: the same rows, problems and `today` always give the same plan, which is what makes a
cycle idempotent (a second run finds nothing to change) and testable without a backend.

The provincial and national tabs carry each row's values in their official spelling
(`bot.normalise`), with DOPA codes and a sortable month; a value that could not be
normalised stays as typed and the row says which (column `KEPT_HEADER`). The KPI summary is
`bot.summary`, the district register `bot.register`, a province's dashboard
`bot.dashboard`; how each tab looks is data (`bot.presentation`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from bot import problems as problem_kinds
from bot import thai
from bot.checks import RowResult
from bot.config import Config, SourceTab
from bot.dashboard import dashboard_tab
from bot.form import ParsedTab
from bot.form_fields import FIELD_KEYS
from bot.model import BotTab, Highlight, Link, LinkedText, OutCell, Problem, SheetPlan, TabMarks
from bot.normalise import NORMALISED, LaoNames, RowSpeller
from bot.presentation import (
    Format,
    Layout,
    PageSetup,
    Range,
    Style,
    Styled,
    TextRule,
    fit_widths,
    wide_columns,
)
from bot.register import DistrictEntry, register, register_tab
from bot.reminders import report_month_on
from bot.rounds import Archived, archive_note, earlier_rounds
from bot.summary import (
    ProvinceStats,
    Summary,
    quarter_lines,
    quarter_verdict,
    summarise,
    summary_tab,
)

__all__ = [
    "KEPT_HEADER",
    "SOURCE_HEADER",
    "STATUS_COMPLETE",
    "ProvinceStats",
    "Summary",
    "issue_rows",
    "plan_cycle",
    "plan_marks",
    "quarter_lines",
    "quarter_verdict",
    "rollup_header",
    "rollup_rows",
    "status_text",
    "summarise",
]

STATUS_COMPLETE = "ครบถ้วน"
STATUS_WARNINGS = "ครบถ้วน (มีข้อสังเกต)"
STATUS_ERRORS = "ต้องแก้ไข"
SOURCE_HEADER = "ที่มา (แท็บและแถว)"
KEPT_HEADER = "ค่าที่ยังไม่เป็นมาตรฐาน (คงไว้ตามที่กรอก)"
MONTH_KEY_HEADER = "เดือน (ค.ศ. ปี-เดือน)"
PROVINCE_CODE_HEADER = "รหัสจังหวัด"
DISTRICT_CODE_HEADER = "รหัสอำเภอ"
SEVERITY_TH = {"error": "ต้องแก้ไข", "warning": "ข้อสังเกต"}
# Column widths are measured on this many rows of a long tab: enough to meet every kind of
# value, and a national cycle need not measure 30,000 rows.
WIDTH_SAMPLE = 1500
# Colours of status cells, most specific prefix first (the first rule that matches wins).
STATUS_RULES: tuple[tuple[str, Style], ...] = (
    (STATUS_ERRORS, "error"),
    (STATUS_WARNINGS, "warning"),
    (STATUS_COMPLETE, "ok"),
)


def status_text(result: RowResult) -> str:
    """The Thai text of a row's status cell."""
    if not result.problems and not result.tab_blocked:
        return STATUS_COMPLETE  # most rows
    errors = [p.message for p in result.problems if p.severity == "error"]
    warnings = [p.message for p in result.problems if p.severity == "warning"]
    if result.tab_blocked:
        errors.append(
            "ยังไม่นับแถวนี้ว่าครบถ้วน เนื่องจากแถวหัวตารางของแท็บนี้ยังไม่ตรงกับแบบรายงาน "
            "(เช่น ขาดคอลัมน์ที่ต้องกรอก) กรุณาแก้ไขหัวคอลัมน์ให้ตรงกับแบบรายงาน"
        )
    if errors:
        text = f"{STATUS_ERRORS} {len(errors)} รายการ: " + " | ".join(errors)
        return text + (" | ข้อสังเกต: " + " | ".join(warnings) if warnings else "")
    if warnings:
        # No brackets around the notes: a note may end with a bracket of its own.
        return f"{STATUS_WARNINGS} " + " | ".join(warnings)
    return STATUS_COMPLETE


def plan_marks(
    tab: ParsedTab,
    results: list[RowResult],
    header: str,
    notes: list[tuple[RowResult, str]] | None = None,
    status_of: Callable[[RowResult], str] = status_text,
) -> TabMarks | None:
    """The status column and highlights of one district tab; None if the tab is unreadable.

    `notes` are rows of an earlier round: each gets its note (archived) and no highlight.
    `status_of` gives a row's status (`status_text`, or the text a cycle made already).
    """
    if tab.header_row is None or tab.status_column is None:
        return None
    # Every data row gets its status; a stale status on any other row is cleared.
    status: dict[int, str] = dict.fromkeys(tab.status_rows, "")
    highlights: list[Highlight] = []
    fingerprints: dict[int, tuple[str, ...]] = {}
    for result, note in notes or []:
        status[result.row.row] = note
        fingerprints[result.row.row] = result.row.fingerprint
    for result in results:
        row = result.row.row
        status[row] = status_of(result)
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


def _keys() -> list[str]:
    """The roll-up's columns: the form's fields with the month key and codes beside them."""
    keys: list[str] = []
    for key in FIELD_KEYS:
        if key in ("province", "district"):
            keys.append(f"{key}_code")
        keys.append(key)
        if key == "report_month":
            keys.append("month_key")
    return [*keys, "source", "status", "kept"]


def rollup_header(config: Config) -> list[OutCell]:
    """The header row shared by the provincial and national tabs."""
    names = {
        "month_key": MONTH_KEY_HEADER,
        "province_code": PROVINCE_CODE_HEADER,
        "district_code": DISTRICT_CODE_HEADER,
        "source": SOURCE_HEADER,
        "status": config.form.status_header,
        "kept": KEPT_HEADER,
    }
    return [names.get(k) or config.form.display_header(k) for k in _keys()]


def rollup_rows(
    config: Config,
    tabs: list[ParsedTab],
    by_tab: dict[str, list[RowResult]],
    stale_since: dict[str, datetime] | None = None,
    *,
    status_of: Callable[[RowResult], str] = status_text,
    laos: LaoNames | None = None,
) -> list[list[OutCell]]:
    """Every row of `tabs` in its official spelling, with a link back to its source, its
    status (`status_of`) and the names of the columns kept as typed (`laos`: the
    organisations' names spelt so far in the cycle).

    Rows of a spreadsheet in `stale_since` come from an earlier read: their source cell
    says when that read was.
    """
    out: list[list[OutCell]] = []
    speller = RowSpeller(config.programme, _keys()[:-3], laos)  # source, status, kept follow
    kept_names: dict[tuple[str, ...], str] = {(): ""}  # few combinations: joined once each
    for tab in tabs:
        since = (stale_since or {}).get(tab.source.spreadsheet)
        note = f" (ข้อมูล ณ {thai.datetime_label(since)})" if since else ""
        sheet, name = tab.source.spreadsheet, tab.source.tab
        for result in by_tab.get(_tab_id(tab.source), []):
            at = result.row.row
            cells, kept_keys = speller.cells(result)
            kept = kept_names.get(kept_keys)
            if kept is None:
                kept = kept_names[kept_keys] = ", ".join(
                    config.form.display_header(k) for k in kept_keys
                )
            cells += (
                LinkedText(f"{name} แถวที่ {at}{note}", Link(sheet, name, at, 1)),
                status_of(result),
                kept,
            )
            out.append(cells)
    return out


def rollup_layout(
    config: Config,
    rows: list[list[OutCell]],
    results: list[RowResult],
    widths: tuple[float, ...] | None = None,
) -> Layout:
    """How a provincial or national tab looks: filter, frozen header, coloured statuses,
    kept values and duplicates highlighted, widths that fit (measured on the first rows,
    or `widths` when known: the national tab takes the widest of its provinces')."""
    header = rollup_header(config)
    width, bottom = len(header), max(len(rows), 1)
    layout = Layout(frozen_rows=1, frozen_columns=1, filter=Range(1, 1, bottom, width))
    layout.styled.append(Styled(Range(1, 1, 1, width), "header"))
    status_col = width - 1
    if bottom > 1:
        body = Range(2, status_col, bottom, status_col)
        layout.rules += [TextRule(body, prefix, style) for prefix, style in STATUS_RULES]
        for col in (
            2,
            header.index(PROVINCE_CODE_HEADER) + 1,
            header.index(DISTRICT_CODE_HEADER) + 1,
        ):
            layout.formats.append(Format(Range(2, col, bottom, col), "text"))
    columns = _columns(config)
    for index, row in enumerate(rows[1:], start=2):
        kept = row[-1]
        if isinstance(kept, str) and kept:
            for name in kept.split(", "):
                found = columns.get(name)
                if found is not None:
                    layout.styled.append(Styled(Range(index, found, index, found), "kept"))
    duplicates = _duplicate_rows(rows, results)
    layout.styled += [Styled(Range(r, 1, r, width), "duplicate") for r in duplicates]
    layout.widths = widths or fit_widths(rows[:WIDTH_SAMPLE])
    layout.wrap = wide_columns(layout.widths)
    return layout


def _columns(config: Config) -> dict[str, int]:
    header = rollup_header(config)
    return {config.form.display_header(k): header.index(config.form.display_header(k)) + 1
            for k in NORMALISED}  # fmt: skip


def _duplicate_rows(rows: list[list[OutCell]], results: list[RowResult]) -> list[int]:
    # A roll-up row is the result at the same position (rows are written in result order).
    return [
        i
        for i, r in enumerate(results, start=2)
        if r.problems and any(p.code == "DUPLICATE" for p in r.problems) and i <= len(rows)
    ]


def _tab_id(source: SourceTab) -> str:
    return f"{source.spreadsheet}\x00{source.tab}"


def _by_tab(results: list[RowResult]) -> dict[str, list[RowResult]]:
    """Results by their tab (`_tab_id`), in their order."""
    by_tab: dict[str, list[RowResult]] = defaultdict(list)
    source, rows = None, []
    for r in results:
        if r.row.source is not source:  # a tab's rows come one after another: one id a tab
            source = r.row.source
            rows = by_tab[_tab_id(source)]
        rows.append(r)
    return by_tab


ISSUE_HEADER = (
    "ลำดับ",
    "ไฟล์",
    "แท็บ",
    "แถว",
    "คอลัมน์",
    "ประเภทปัญหา",
    "ระดับ",
    "รายละเอียด",
    "ลิงก์ไปยังตำแหน่งที่ต้องแก้ไข",
    "รหัสปัญหา",
)


def issue_rows(problems: list[Problem], form_headers: dict[str, str]) -> list[list[OutCell]]:
    """One row per problem, errors first, each with a link to the exact cell; the Thai
    label first, the stable code in its own column (for scripts and filters)."""
    rows: list[list[OutCell]] = [list(ISSUE_HEADER)]
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
                problem_kinds.label(p.code),
                SEVERITY_TH[p.severity],
                p.message,
                link,
                p.code,
            ]
        )
    return rows


def issues_layout(rows: list[list[OutCell]], top: int = 1) -> Layout:
    """How a list of problems that starts at row `top` looks."""
    bottom = top + len(rows) - 1
    width = len(ISSUE_HEADER)
    layout = Layout(frozen_rows=top, filter=Range(top, 1, bottom, width))
    layout.styled.append(Styled(Range(top, 1, top, width), "header"))
    if bottom > top:
        severity = Range(top + 1, 7, bottom, 7)
        layout.rules += [
            TextRule(severity, SEVERITY_TH["error"], "error"),
            TextRule(severity, SEVERITY_TH["warning"], "warning"),
        ]
        layout.formats.append(Format(Range(top + 1, 1, bottom, 1), "integer"))
    layout.widths = fit_widths(rows[:1000])
    layout.wrap = wide_columns(layout.widths)
    layout.page = PageSetup(repeat_rows=top)
    return layout


def issues_tab(config: Config, problems: list[Problem], form_headers: dict[str, str]) -> BotTab:
    """The national list of problems."""
    rows = issue_rows(problems, form_headers)
    return BotTab(config.tabs.issues, rows, wide_columns=(7,), layout=issues_layout(rows))


def plan_cycle(
    config: Config,
    tabs: list[ParsedTab],
    results: list[RowResult],
    summary: Summary,
    extra_problems: list[Problem] | None = None,
    *,
    stale_since: dict[str, datetime] | None = None,
    archived: list[tuple[Archived, list[RowResult]]] | None = None,
) -> list[SheetPlan]:
    """The complete write plan of a cycle, one `SheetPlan` per spreadsheet.

    `stale_since` names spreadsheets whose rows come from an earlier read, and when.
    `archived` are earlier rounds' rows: marked as archived in their tabs, and the
    register's history.
    """
    by_tab = _by_tab(results)
    archived_of: dict[str, list[tuple[RowResult, str]]] = defaultdict(list)
    history: list[tuple[str, list[RowResult]]] = []
    for part, part_results in archived or []:
        note = archive_note(config, part.round)
        for r in part_results:
            archived_of[_tab_id(r.row.source)].append((r, note))
        history.append((part.round.label, part_results))
    plans: dict[str, SheetPlan] = {}
    header = rollup_header(config)
    national_rows: list[list[OutCell]] = [header]
    national_results: list[RowResult] = []
    all_problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    all_problems += extra_problems or []
    headers = {k: config.form.display_header(k) for k in FIELD_KEYS}
    month_of = _month_of(config, summary.today)
    rounds = [r.label for r in earlier_rounds(config)]
    laos = LaoNames()  # the register and the roll-up spell the same organisations
    entries = register(config, results, all_problems, month_of, history=history, laos=laos)
    problems_of: dict[tuple[str, str], list[Problem]] = defaultdict(list)
    for p in all_problems:
        problems_of[(p.spreadsheet, p.tab)].append(p)
    rolled: list[tuple[BotTab, list[RowResult]]] = []
    status_of = _status_once()
    tabs_of: dict[str, list[ParsedTab]] = defaultdict(list)  # by province, in their order
    for t in tabs:
        tabs_of[t.source.province.name].append(t)
    entries_of: dict[str, list[DistrictEntry]] = defaultdict(list)  # the same for the register
    for e in entries:
        entries_of[e.source.province.name].append(e)
    for prov in config.provinces:
        plan = plans.setdefault(prov.sheet, SheetPlan(prov.sheet))
        # A province's districts may sit in its spreadsheet or in spreadsheets of their own.
        p_tabs = tabs_of.get(prov.province, [])
        for tab in p_tabs:
            tab_id = _tab_id(tab.source)
            marks = plan_marks(
                tab,
                by_tab.get(tab_id, []),
                config.form.status_header,
                archived_of.get(tab_id),
                status_of,
            )
            if marks is not None:
                where = tab.source.spreadsheet
                plans.setdefault(where, SheetPlan(where)).marks.append(marks)
        rolled_rows = rollup_rows(
            config, p_tabs, by_tab, stale_since, status_of=status_of, laos=laos
        )
        rows = [header, *rolled_rows]
        p_results = [r for t in p_tabs for r in by_tab.get(_tab_id(t.source), [])]
        # Its layout comes once the widths of every roll-up tab are known (below).
        rollup = BotTab(
            config.tabs.province_tab(prov.registry_province), rows, wide_columns=_wide()
        )
        plan.tabs.append(rollup)
        rolled.append((rollup, p_results))
        own = [p for t in p_tabs for p in problems_of.get((t.source.spreadsheet, t.source.tab), [])]
        plan.tabs.append(
            dashboard_tab(
                config,
                prov,
                summary,
                entries_of.get(prov.province, []),
                issue_rows(own, headers),
                month=month_of(prov.province),
                rounds=rounds,
            )
        )
        national_rows += rows[1:]
        national_results += p_results
    # One set of widths for every roll-up tab, measured on rows spread over the country.
    step = max(1, len(national_rows) // WIDTH_SAMPLE)
    widths = fit_widths([header, *national_rows[1::step]])
    for rollup, p_results in rolled:
        rollup.layout = rollup_layout(config, rollup.rows, p_results, widths)
    national = plans.setdefault(config.national.sheet, SheetPlan(config.national.sheet))
    # Say on the KPI tab itself when a province's figures are not current.
    notes = [p.message for p in extra_problems or [] if p.code == "STALE_SPREADSHEET"]
    national.tabs += [
        BotTab(
            config.tabs.national,
            national_rows,
            wide_columns=_wide(),
            layout=rollup_layout(config, national_rows, national_results, widths),
        ),
        summary_tab(config, summary, notes),
        issues_tab(config, all_problems, headers),
        register_tab(config, entries, month_of, rounds),
    ]
    return list(plans.values())


def archive_rows_tab(
    config: Config, name: str, tabs: list[ParsedTab], results: list[RowResult]
) -> BotTab:
    """An ended round's rows as the national tab showed them (`config` narrowed to that
    round): every province, in official spelling, each with its link and status."""
    by_tab = _by_tab(results)
    rank = {p.province: i for i, p in enumerate(config.provinces)}
    ordered = sorted(
        tabs, key=lambda t: (rank.get(t.source.province.name, 0), t.source.district.code)
    )
    rows = [rollup_header(config), *rollup_rows(config, ordered, by_tab)]
    return BotTab(name, rows, wide_columns=_wide(), layout=rollup_layout(config, rows, results))


def _status_once() -> Callable[[RowResult], str]:
    """`status_text`, each row's made once: the status column and the roll-up tab show
    the same text, which is then one string, not two."""
    made: dict[int, str] = {}  # by the result's id: every result outlives the plan's making

    def status_of(result: RowResult) -> str:
        if not result.problems and not result.tab_blocked:
            return STATUS_COMPLETE
        text = made.get(id(result))
        if text is None:
            text = made[id(result)] = status_text(result)
        return text

    return status_of


def _month_of(config: Config, today: date) -> Callable[[str], tuple[int, int] | None]:
    cache: dict[str, tuple[int, int] | None] = {}

    def month_of(province: str) -> tuple[int, int] | None:
        if province not in cache:
            cache[province] = report_month_on(config, today, province)
        return cache[province]

    return month_of


def _wide() -> tuple[int, ...]:
    # 0-based columns of long text, for backends that read `wide_columns` only.
    keys = _keys()
    return tuple(keys.index(k) for k in ("identity", "activity", "note", "status"))
