"""One monthly-report cycle: read every spreadsheet once, check, plan, and (for sync) write.

`check_cycle` never writes. `sync_cycle` applies the plan one spreadsheet at a time, the
national spreadsheet last.

One broken spreadsheet never stops the others. A spreadsheet that cannot be read (a
`SheetError`: not shared, renamed, a broken file, retries spent) is evaluated from its last
good read (`bot.read_cache`), its rows marked stale with the time of that read, and nothing
is written into it; one that cannot be written is skipped with its reason. Every other
spreadsheet and the national tabs are still written, and the summary and issues tabs say
which province is stale and why (problem `STALE_SPREADSHEET`). An error that is not about
one spreadsheet (no credentials, no network) still stops the cycle.

A backend that finds people moved rows or columns under its write (`SheetChanged`) has
written nothing unsafe; the cycle reads that spreadsheet again, plans anew and retries it
once, so the statuses land on the rows they describe in the same cycle.

Only what changed is read and written. A backend that knows which spreadsheets nobody
changed since it last read them (`KnowsChanges`; Google asks Drive) hands those reads back,
and when every read, today and the config are what the previous cycle worked from, that
cycle's result stands and nothing is computed or written again. With a backend that knows
versions (`KnowsVersions`; xlsx) a spreadsheet that still holds what the bot last read or
wrote there comes from the read cache, and one whose plan is the one it is already the
result of is not touched. After a write the cache keeps what the bot wrote (derived, not
read back), with the version of the file written, so the bot's own write does not count as
a change next cycle, and anybody else's save after it does.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import pickle
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import problems as problem_kinds
from bot import thai
from bot.checks import CheckContext, RowResult, check_tabs
from bot.config import Config, SourceTab, holders
from bot.errors import SheetChanged, SheetError
from bot.form import ParsedTab, parse_tab
from bot.model import ApplyResult, Problem, SheetPlan
from bot.read_cache import ReadCache
from bot.rollup import Summary, archive_rows_tab, plan_cycle, summarise
from bot.rounds import Archived, archive_tab, config_on, cycle_sources, earlier_rounds, split_rounds
from bot.sheets import (
    Backend,
    BotTabState,
    KnowsChanges,
    KnowsVersions,
    SheetRead,
    conflict_problem,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stale:
    """A spreadsheet the cycle could not read or write, and the read its rows come from."""

    reason: str
    last_read: datetime | None  # None: never read; its rows are not counted this cycle
    unread: bool = True  # False: read fine but could not be written (rows are current)


@dataclass
class CycleReport:
    """Everything a cycle found and did."""

    summary: Summary
    problems: list[Problem]
    results: list[RowResult]
    plans: list[SheetPlan]
    applied: list[ApplyResult] = field(default_factory=list)
    reads: dict[str, SheetRead] = field(default_factory=dict)
    stale: dict[str, Stale] = field(default_factory=dict)
    # What the cycle worked from (see `inputs_of`); None when a read cannot be named.
    inputs: str | None = None
    # Earlier rounds' rows (archived, not errors), checked under their own round's rules.
    archived: list[tuple[Archived, list[RowResult]]] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        """Whether any error-severity problem is open."""
        return any(p.severity == "error" for p in self.problems)

    @property
    def skipped(self) -> list[ApplyResult]:
        """Spreadsheets the cycle could not write, each with its reason."""
        return [a for a in self.applied if a.skipped_reason]


@dataclass
class LastReport:
    """The last cycle's report, kept by the daemon for the next cycle to stand on
    (`sync_cycle`'s ``previous``). A cycle whose inputs differ lets go of it before
    evaluating, so two national reports (tens of MB each) are never held at once."""

    report: CycleReport | None = None


def bot_tabs_by_spreadsheet(config: Config) -> dict[str, list[str]]:
    """The tabs the bot owns, grouped by the spreadsheet that holds them."""
    out: dict[str, list[str]] = defaultdict(list)
    for prov in config.provinces:
        province = prov.registry_province
        out[prov.sheet] += [config.tabs.province_tab(province), config.tabs.dashboard_tab(province)]
    out[config.national.sheet] += config.tabs.national_tabs()
    return dict(out)


def record_tab(config: Config, month: tuple[int, int]) -> str:
    """The name of the frozen copy of the national tab for a report month."""
    return config.daemon.record_tab.format(month=thai.month_label(*month))


# What a cycle freezes: the name of the national tab's copy (the monthly record), or a
# mapping of national bot tabs to the names of their copies (the quarter's snapshot).
Record = str | dict[str, str] | None


def records_of(config: Config, record: Record) -> dict[str, str]:
    """A cycle's `record` as {bot tab of the national spreadsheet: name of its copy}."""
    if isinstance(record, str):
        return {config.tabs.national: record}
    return dict(record or {})


def read_all(
    config: Config, backend: Backend, record: Record = None, cache: ReadCache | None = None
) -> tuple[list[SourceTab], dict[str, SheetRead], dict[str, Stale]]:
    """Read every spreadsheet of the config once, with all its tabs.

    A spreadsheet that cannot be read comes back from `cache` (its last good read) and is
    listed as stale with the reason; without a cached read its tabs are left out.
    """
    sources = cycle_sources(config)
    wanted, bot_tabs = _tabs_to_read(config, record)
    reads: dict[str, SheetRead] = {}
    stale: dict[str, Stale] = {}
    kept = backend.unchanged(wanted, bot_tabs) if isinstance(backend, KnowsChanges) else {}
    for spreadsheet in dict.fromkeys([*wanted, *bot_tabs]):
        if spreadsheet in kept:  # nobody changed it since its last read (Drive says)
            reads[spreadsheet] = kept[spreadsheet]
            continue
        tabs, bots = wanted.get(spreadsheet, []), bot_tabs.get(spreadsheet, [])
        now = datetime.now(ZoneInfo(config.timezone))
        known = _unchanged(backend, cache, spreadsheet, tabs=tabs, bot_tabs=bots, now=now)
        if known is not None:  # it still holds what the bot last read or wrote (xlsx)
            log.info("%s has not changed since it was last read", spreadsheet)
            reads[spreadsheet] = known
            continue
        log.info("reading %s", spreadsheet)
        try:
            read = backend.read(spreadsheet, tabs, bots)
        except SheetError as exc:
            log.warning("cannot read %s: %s", spreadsheet, exc)
            cached = cache.load(spreadsheet) if cache is not None else None
            stale[spreadsheet] = Stale(str(exc), cached.read_at if cached else None)
            if cached is not None:
                reads[spreadsheet] = SheetRead(spreadsheet, cached.tabs)
            continue
        reads[spreadsheet] = read
        if cache is not None:
            _keep(backend, cache, read, now)
    # A district tab whose spreadsheet was never read is not known this cycle: left out.
    sources = [s for s in sources if s.spreadsheet in reads and s.tab in reads[s.spreadsheet].tabs]
    return sources, reads, stale


def _unchanged(
    backend: Backend,
    cache: ReadCache | None,
    spreadsheet: str,
    *,
    tabs: list[str],
    bot_tabs: list[str],
    now: datetime,
) -> SheetRead | None:
    """The kept read of a spreadsheet that still holds what it held then; None: read it."""
    if cache is None or not isinstance(backend, KnowsVersions):
        return None
    cached = cache.load(spreadsheet)
    if cached is None or not cached.token:
        return None
    version = backend.still_holds(spreadsheet, cached.token)
    read = cached.read(tabs, bot_tabs, version) if version is not None else None
    if read is None:
        return None
    # Named by its content, so that a daemon's cycle whose every input is as before can
    # stand on the previous result (`sync_cycle`'s `previous`).
    read = replace(read, token=backend.content(version))
    if backend.token(version) != cached.token:
        cache.keep(read, now, backend.token(version))  # same bytes, a new identity
    else:
        cache.touch(spreadsheet, now)
    return read


def _keep(backend: Backend, cache: ReadCache, read: SheetRead, now: datetime) -> None:
    """Keep a read: whole, with its version, when the backend knows versions."""
    if isinstance(backend, KnowsVersions):
        cache.keep(read, now, backend.token(read.version))
    else:
        cache.store(read.spreadsheet, read.tabs, now)


def plan_digest(plan: SheetPlan) -> str:
    """A digest of what a plan leaves in its spreadsheet: equal digests, equal results,
    in any process (pickled without a memo: the bytes depend on values, not identity).

    A status column's `new_column` (a proposal) and its empty statuses (clearing stale
    ones) are left out: the plan made from the read of what the bot just wrote differs from
    the one that wrote it only in those, and leaves the same spreadsheet."""
    # The many short-lived tuples made here would set the collector walking the whole
    # report (about 0.4 s of a national plan's digest); they are freed as they go.
    with _collector_paused():
        marks = [
            (m.tab, m.header_row, m.column, m.header,
             sorted((r, t) for r, t in m.status.items() if t),
             m.highlights, sorted(m.fingerprints.items()))
            for m in plan.marks
        ]  # fmt: skip
        digest = _Hashing()
        pickler = pickle.Pickler(digest, protocol=5)
        pickler.fast = True
        pickler.dump((plan.spreadsheet, marks, plan.tabs))
    return digest.hash.hexdigest()


class _Hashing:
    """A file that hashes what is written to it: the pickle of a national plan (tens of
    MB) is hashed frame by frame and never held whole."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def write(self, data: bytes) -> int:
        """Hash `data` (the pickler writes frames of about 64 KB)."""
        self.hash.update(data)
        return len(data)


def _tabs_to_read(
    config: Config, record: Record
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per spreadsheet: its district tabs, and the bot's tabs (with records to make and
    the archive tabs of earlier rounds)."""
    wanted: dict[str, list[str]] = defaultdict(list)
    for s in cycle_sources(config):
        wanted[s.spreadsheet].append(s.tab)
    bot_tabs = bot_tabs_by_spreadsheet(config)
    bot_tabs[config.national.sheet] += records_of(config, record).values()
    for rnd in earlier_rounds(config):
        bot_tabs.setdefault(config.archive_sheet(), []).append(archive_tab(config, rnd))
    return wanted, bot_tabs


def evaluate(
    config: Config,
    sources: list[SourceTab],
    reads: dict[str, SheetRead],
    today: date,
    record: Record = None,
    *,
    stale: dict[str, Stale] | None = None,
) -> CycleReport:
    """The pure part of a cycle: parse, check, summarise and plan.

    With `record`, the plan also freezes a copy of the national tab (or of the national bot
    tabs it maps) under that name, unless a tab of that name exists already (a record,
    once made, is never rewritten). `stale` spreadsheets get no plan; their rows carry the
    time of the read they come from. The config is narrowed to the round in force on
    `today`; the rows of earlier rounds are archived, not checked against this one.
    """
    with _collector_paused():
        return _evaluate(config, sources, reads, today, record=record, stale=stale or {})


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: the pure part makes ~10 objects a cell and
    no reference cycles, and every collection pass would walk all of them (a quarter of its
    time). Memory is still freed by reference counting as it goes.

    What it made lives on as the cycle's report, so it goes straight to the oldest
    generation (freezing and unfreezing moves every tracked object there, without walking
    them): re-enabled with ~300,000 new objects counted, the collector would walk them all
    at the next allocation, and again in the middle generation, to learn that they live.
    Reference cycles in them are still collected, by the next full collection."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            if gc.get_freeze_count() == 0:  # unfreezing would also free a caller's frozen
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _evaluate(
    config: Config,
    sources: list[SourceTab],
    reads: dict[str, SheetRead],
    today: date,
    *,
    record: Record,
    stale: dict[str, Stale],
) -> CycleReport:
    config = config_on(config, today)
    texts = thai.CleanTexts()  # each distinct cell text is cleaned once a cycle
    tabs: list[ParsedTab] = [
        parse_tab(s, reads[s.spreadsheet].tabs[s.tab], config.form, texts) for s in sources
    ]
    del texts  # a table of every distinct text (~5 MB nationally): not held while planning
    tabs, earlier = split_rounds(config, tabs)
    results = check_tabs(tabs, CheckContext(config.form, config.programme, today))
    archived = [
        (a, check_tabs(a.tabs, CheckContext(config.form, a.round.as_programme(), today)))
        for a in earlier
    ]
    conflicts = _conflicts(reads) + _stale_problems(config, stale)
    summary = summarise(config, tabs, results, today)
    read_at = {sheet: st.last_read for sheet, st in stale.items() if st.unread and st.last_read}
    plans = plan_cycle(
        config, tabs, results, summary, conflicts, stale_since=read_at, archived=archived
    )
    plans = [p for p in plans if p.spreadsheet not in stale]
    blocked = {(p.spreadsheet, p.tab) for p in conflicts}
    for plan in plans:
        plan.tabs = [t for t in plan.tabs if (plan.spreadsheet, t.name) not in blocked]
    national = reads.get(config.national.sheet)
    for source, name in records_of(config, record).items():
        if national is None or national.bot_tabs.get(name) is not BotTabState.ABSENT:
            continue
        for plan in plans:
            for tab in list(plan.tabs):
                if plan.spreadsheet == config.national.sheet and tab.name == source:
                    plan.tabs.append(replace(tab, name=name))
    if not stale:
        _archive(config, archived, reads, plans)
    problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    counts = Counter(p.code for p in conflicts)
    for code, n in counts.items():
        summary.problems_by_code[code] = summary.problems_by_code.get(code, 0) + n
    summary.errors += sum(1 for p in conflicts if p.severity == "error")
    report = CycleReport(summary, problems + conflicts, results, plans, reads=reads, stale=stale)
    report.archived = archived
    return report


def _archive(
    config: Config,
    archived: list[tuple[Archived, list[RowResult]]],
    reads: dict[str, SheetRead],
    plans: list[SheetPlan],
) -> None:
    """Freeze each earlier round's rows into its archive tab, once: only while every
    spreadsheet was read (so no province is missing) and the tab does not exist yet."""
    sheet = config.archive_sheet()
    read = reads.get(sheet)
    if read is None:
        return
    for rnd in earlier_rounds(config):
        name = archive_tab(config, rnd)
        if read.bot_tabs.get(name) is not BotTabState.ABSENT:
            continue
        tabs, results = next(((a.tabs, r) for a, r in archived if a.round is rnd), ([], []))
        tab = archive_rows_tab(config.narrowed(rnd), name, tabs, results)
        plan = next((p for p in plans if p.spreadsheet == sheet), None)
        if plan is None:
            plan = SheetPlan(sheet)
            plans.append(plan)
        plan.tabs.append(tab)


def _whose(config: Config, sheet: str) -> str:
    """Whose spreadsheet, the Thai way: "ของจังหวัดชัยภูมิ", "ระดับประเทศ"."""
    names = holders(config, sheet)
    national = sheet == config.national.sheet
    if not names:
        return "ระดับประเทศ" if national else f" “{sheet}”"
    who = "ของ" + " และ".join(names)
    return who + " (ซึ่งเป็นสเปรดชีตระดับประเทศด้วย)" if national else who


def _stale_problems(config: Config, stale: dict[str, Stale]) -> list[Problem]:
    """One STALE_SPREADSHEET problem per spreadsheet the cycle could not read or write."""
    out = []
    for sheet, st in stale.items():
        who = _whose(config, sheet)
        if not st.unread:
            since = "ข้อมูลในแท็บรวมเป็นข้อมูลปัจจุบัน แต่ยังไม่ได้บันทึกผลตรวจสอบลงในสเปรดชีตดังกล่าว"
        elif st.last_read is not None:
            since = f"จึงใช้ข้อมูลที่อ่านได้ครั้งล่าสุดเมื่อวันที่ {thai.datetime_label(st.last_read)} แทน"
        else:
            since = "และยังไม่เคยอ่านข้อมูลได้ จึงยังไม่นับรวมข้อมูลของสเปรดชีตนี้"
        message = problem_kinds.message("STALE_SPREADSHEET", who=who, reason=st.reason, since=since)
        severity = problem_kinds.severity("STALE_SPREADSHEET")
        out.append(Problem(sheet, "", None, None, None, "STALE_SPREADSHEET", severity, message))
    return out


def _conflicts(reads: dict[str, SheetRead]) -> list[Problem]:
    return [
        conflict_problem(read.spreadsheet, tab)
        for read in reads.values()
        for tab, state in read.bot_tabs.items()
        if state is BotTabState.FOREIGN
    ]


def check_cycle(
    config: Config,
    backend: Backend,
    today: date,
    record: Record = None,
    cache: ReadCache | None = None,
) -> CycleReport:
    """Read and check everything; write nothing."""
    config = config_on(config, today)
    sources, reads, stale = read_all(config, backend, record, cache)
    return evaluate(config, sources, reads, today, record, stale=stale)


def inputs_of(
    config: Config,
    reads: dict[str, SheetRead],
    stale: dict[str, Stale],
    today: date,
    record: Record,
) -> str | None:
    """A name for everything a cycle's result depends on: the config, today, the records
    to make, each read's content token and what could not be read. None when a read has
    no token (its content cannot be named cheaply)."""
    if any(r.token is None for r in reads.values()):
        return None
    records = sorted(record.items()) if isinstance(record, dict) else record or ""
    parts = [config.model_dump_json(), today.isoformat(), repr(records),
             *sorted(f"{s}\x00{r.token}" for s, r in reads.items()),
             *sorted(f"{s}\x00{st.reason}\x00{st.last_read}\x00{st.unread}"
                     for s, st in stale.items())]  # fmt: skip
    return hashlib.sha256("\x01".join(parts).encode("utf-8")).hexdigest()


def sync_cycle(
    config: Config,
    backend: Backend,
    today: date,
    record: Record = None,
    cache: ReadCache | None = None,
    *,
    previous: CycleReport | LastReport | None = None,
) -> CycleReport:
    """Read, check and write: status columns, highlights, the bot's tabs (and a record).

    The provincial spreadsheets are written first; if one of them cannot be written, the
    national plan is made again so its summary and issues tabs say so. When ``previous``
    (the last cycle's report) worked from exactly the same inputs and wrote everything,
    its result stands: nothing is evaluated or written. Given as a `LastReport`, it is
    let go of (set to None) when it does not stand.
    """
    config = config_on(config, today)
    sources, reads, stale = read_all(config, backend, record, cache)
    inputs = inputs_of(config, reads, stale, today, record)
    last = previous.report if isinstance(previous, LastReport) else previous
    if (last is not None and inputs is not None and last.inputs == inputs
            and not any(a.skipped_reason and a.spreadsheet not in stale
                        for a in last.applied)):  # fmt: skip
        log.info("nothing read changed since the last cycle: nothing to write")
        return replace(last, applied=[replace(a, written=False) for a in last.applied])
    if isinstance(previous, LastReport):
        previous.report = None
    last = previous = None  # nothing here holds the old report while the new one is made
    report = evaluate(config, sources, reads, today, record, stale=stale)
    national = config.national.sheet
    known_stale = dict(stale)  # grows by the spreadsheets that could not be written

    def again(sheet: str) -> CycleReport | None:
        # People moved rows or columns under the plan: read that spreadsheet again and
        # plan anew, once; None if it cannot even be read now.
        wanted, bot_tabs = _tabs_to_read(config, record)
        try:
            reads[sheet] = backend.read(sheet, wanted.get(sheet, []), bot_tabs.get(sheet, []))
        except SheetError as exc:
            log.warning("cannot read %s again: %s", sheet, exc)
            return None
        fresh = [s for s in cycle_sources(config) if s.spreadsheet in reads
                 and s.tab in reads[s.spreadsheet].tabs]  # fmt: skip
        return evaluate(config, fresh, reads, today, record, stale=known_stale)

    applied = []
    for plan in [p for p in report.plans if p.spreadsheet != national]:
        result, report = _apply_known(backend, cache, plan, report, again, timezone=config.timezone)
        applied.append(result)
    failed = {
        a.spreadsheet: Stale(a.skipped_reason, None, unread=False)
        for a in applied
        if a.skipped_reason and a.spreadsheet not in stale
    }
    known_stale.update(failed)
    if failed:
        report = evaluate(config, _present(report, sources), reads, today, record,
                          stale=known_stale)  # fmt: skip
    for plan in [p for p in report.plans if p.spreadsheet == national]:
        result, report = _apply_known(backend, cache, plan, report, again, timezone=config.timezone)
        applied.append(result)
    report.stale = {**stale, **failed}
    # The spreadsheets read again for a retry have new reads: name what was worked from.
    report.inputs = inputs_of(config, reads, stale, today, record) if not failed else None
    report.applied = applied + [
        ApplyResult(sheet, False, skipped_reason=f"not read this cycle: {st.reason}")
        for sheet, st in stale.items()
    ]
    for result in report.applied:
        for conflict in result.conflicts:
            if conflict not in report.problems:
                report.problems.append(conflict)
    return report


def _present(report: CycleReport, sources: list[SourceTab]) -> list[SourceTab]:
    """The district tabs a report's reads hold (a spreadsheet read again may have lost one)."""
    return [s for s in sources if s.spreadsheet in report.reads
            and s.tab in report.reads[s.spreadsheet].tabs]  # fmt: skip


def _apply_known(
    backend: Backend,
    cache: ReadCache | None,
    plan: SheetPlan,
    report: CycleReport,
    again: Callable[[str], CycleReport | None],
    *,
    timezone: str,
) -> tuple[ApplyResult, CycleReport]:
    """`_apply`, but leave alone a spreadsheet that already is the result of this very
    plan, and keep in the cache what the backend left there (with a backend that knows
    versions)."""
    if cache is None or not isinstance(backend, KnowsVersions):
        return _apply(backend, plan, report, again)
    sheet = plan.spreadsheet
    digest = plan_digest(plan)
    read = report.reads.get(sheet)
    if read is not None and read.applied == digest:
        log.info("%s already holds what this cycle would write", sheet)
        return ApplyResult(sheet, False), report
    result, after_report = _apply(backend, plan, report, again)
    after = backend.last_write(sheet)
    if result.skipped_reason is None and after is not None:
        # Applied again after a re-read, the plan was another; a conflict is told each cycle.
        known = after_report is report and not result.conflicts
        after = replace(after, applied=digest if known else None)
        cache.keep(after, datetime.now(ZoneInfo(timezone)), backend.token(after.version))
    return result, after_report


def _apply(
    backend: Backend,
    plan: SheetPlan,
    report: CycleReport,
    again: Callable[[str], CycleReport | None],
) -> tuple[ApplyResult, CycleReport]:
    """Apply one spreadsheet's plan; a `SheetError` skips it with its reason. After a
    `SheetChanged` the spreadsheet is read again and its new plan applied once more."""
    sheet = plan.spreadsheet
    try:
        result = backend.apply(plan, report.reads.get(sheet))
    except SheetChanged as exc:
        log.info("%s changed under the write (%s); reading it again", sheet, exc)
        fresh = again(sheet)
        retry = next((p for p in fresh.plans if p.spreadsheet == sheet), None) if fresh else None
        if fresh is None or retry is None:
            result = ApplyResult(sheet, False, skipped_reason=str(exc))
        else:
            report = fresh
            try:
                result = backend.apply(retry, report.reads.get(sheet))
            except SheetError as second:
                result = ApplyResult(sheet, False, skipped_reason=str(second))
    except SheetError as exc:
        result = ApplyResult(sheet, False, skipped_reason=str(exc))
    if result.skipped_reason:
        log.warning("skipped %s: %s", sheet, result.skipped_reason)
    return result, report
