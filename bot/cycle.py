"""One monthly-report cycle: read every spreadsheet once, check, plan, and (for sync) write.

`check_cycle` never writes. `sync_cycle` applies the plan one spreadsheet at a time; a
spreadsheet that cannot be written (open in Excel, changed meanwhile) is skipped with a
reason and the others still get their updates.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from bot import thai
from bot.checks import CheckContext, RowResult, check_tabs
from bot.config import Config, SourceTab, source_tabs
from bot.form import ParsedTab, parse_tab
from bot.model import ApplyResult, Problem, SheetPlan
from bot.rollup import Summary, plan_cycle, summarise
from bot.sheets import Backend, BotTabState, SheetRead, conflict_problem

log = logging.getLogger(__name__)


@dataclass
class CycleReport:
    """Everything a cycle found and did."""

    summary: Summary
    problems: list[Problem]
    results: list[RowResult]
    plans: list[SheetPlan]
    applied: list[ApplyResult] = field(default_factory=list)
    reads: dict[str, SheetRead] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        """Whether any error-severity problem is open."""
        return any(p.severity == "error" for p in self.problems)

    @property
    def skipped(self) -> list[ApplyResult]:
        """Spreadsheets the cycle could not write, each with its reason."""
        return [a for a in self.applied if a.skipped_reason]


def bot_tabs_by_spreadsheet(config: Config) -> dict[str, list[str]]:
    """The tabs the bot owns, grouped by the spreadsheet that holds them."""
    out: dict[str, list[str]] = defaultdict(list)
    for prov in config.provinces:
        out[prov.sheet].append(config.tabs.province_tab(prov.registry_province))
    out[config.national.sheet] += [config.tabs.national, config.tabs.summary, config.tabs.issues]
    return dict(out)


def record_tab(config: Config, month: tuple[int, int]) -> str:
    """The name of the frozen copy of the national tab for a report month."""
    return config.daemon.record_tab.format(month=thai.month_label(*month))


def read_all(
    config: Config, backend: Backend, record: str | None = None
) -> tuple[list[SourceTab], dict[str, SheetRead]]:
    """Read every spreadsheet of the config once, with all its tabs."""
    sources = source_tabs(config)
    wanted: dict[str, list[str]] = defaultdict(list)
    for s in sources:
        wanted[s.spreadsheet].append(s.tab)
    bot_tabs = bot_tabs_by_spreadsheet(config)
    if record:
        bot_tabs[config.national.sheet].append(record)
    reads: dict[str, SheetRead] = {}
    for spreadsheet in dict.fromkeys([*wanted, *bot_tabs]):
        log.info("reading %s", spreadsheet)
        reads[spreadsheet] = backend.read(
            spreadsheet, wanted.get(spreadsheet, []), bot_tabs.get(spreadsheet, [])
        )
    return sources, reads


def evaluate(
    config: Config,
    sources: list[SourceTab],
    reads: dict[str, SheetRead],
    today: date,
    record: str | None = None,
) -> CycleReport:
    """The pure part of a cycle: parse, check, summarise and plan.

    With `record`, the plan also freezes a copy of the national tab under that name, unless
    a tab of that name exists already (a record, once made, is never rewritten).
    """
    tabs: list[ParsedTab] = [
        parse_tab(s, reads[s.spreadsheet].tabs[s.tab], config.form) for s in sources
    ]
    results = check_tabs(tabs, CheckContext(config.form, config.programme, today))
    conflicts = _conflicts(reads)
    summary = summarise(config, tabs, results, today)
    plans = plan_cycle(config, tabs, results, summary, conflicts)
    blocked = {(p.spreadsheet, p.tab) for p in conflicts}
    for plan in plans:
        plan.tabs = [t for t in plan.tabs if (plan.spreadsheet, t.name) not in blocked]
    national = reads.get(config.national.sheet)
    if record and national is not None and national.bot_tabs.get(record) is BotTabState.ABSENT:
        for plan in plans:
            for tab in list(plan.tabs):
                if plan.spreadsheet == config.national.sheet and tab.name == config.tabs.national:
                    plan.tabs.append(replace(tab, name=record))
    problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    summary.problems_by_code.update({"TAB_CONFLICT": len(conflicts)} if conflicts else {})
    return CycleReport(summary, problems + conflicts, results, plans, reads=reads)


def _conflicts(reads: dict[str, SheetRead]) -> list[Problem]:
    return [
        conflict_problem(read.spreadsheet, tab)
        for read in reads.values()
        for tab, state in read.bot_tabs.items()
        if state is BotTabState.FOREIGN
    ]


def check_cycle(
    config: Config, backend: Backend, today: date, record: str | None = None
) -> CycleReport:
    """Read and check everything; write nothing."""
    sources, reads = read_all(config, backend, record)
    return evaluate(config, sources, reads, today, record)


def sync_cycle(
    config: Config, backend: Backend, today: date, record: str | None = None
) -> CycleReport:
    """Read, check and write: status columns, highlights, the bot's tabs (and a record)."""
    report = check_cycle(config, backend, today, record)
    for plan in report.plans:
        result = backend.apply(plan, report.reads.get(plan.spreadsheet))
        if result.skipped_reason:
            log.warning("skipped %s: %s", plan.spreadsheet, result.skipped_reason)
        for conflict in result.conflicts:
            if conflict not in report.problems:
                report.problems.append(conflict)
        report.applied.append(result)
    return report
