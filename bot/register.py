"""The district register: one line per district in the programme, rows or not. Pure.

Nationally it lists every configured district (all 878 when every province is configured);
a province's dashboard shows its own. Each line: DOPA codes, names, the district's state
(มีอัตลักษณ์แล้ว / มีรายการต้องแก้ไข / ยังไม่มี), its identities and their kinds, the first
month covered, the last month reported, its rows of the month being reported, how many
local organisations (อปท.) report, its open problems, and a link to its tab.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bot import thai
from bot.checks import RowResult
from bot.config import Config, SourceTab, source_tabs
from bot.form_fields import CATEGORIES
from bot.model import BotTab, Link, LinkedText, OutCell, Problem
from bot.normalise import LaoNames, month_text
from bot.presentation import (
    Format,
    Layout,
    PageSetup,
    Range,
    Styled,
    TextRule,
    fit_widths,
    wide_columns,
)

COVERED = "มีอัตลักษณ์แล้ว"
TO_FIX = "มีรายการต้องแก้ไข"
NOT_YET = "ยังไม่มี"
STATES = (COVERED, TO_FIX, NOT_YET)
# Identity names listed in one cell; more are counted, not listed.
MAX_NAMES = 5

HEADER: tuple[str, ...] = (
    "รหัสจังหวัด",
    "จังหวัด",
    "รหัสอำเภอ",
    "อำเภอ",
    "สถานะ",
    "ชื่ออัตลักษณ์ท้องถิ่น",
    "ด้านอัตลักษณ์",
    "เดือนแรกที่มีอัตลักษณ์",
    "เดือนล่าสุดที่รายงาน",
    "{this_month}",
    "จำนวน อปท. ที่รายงาน",
    "รายการที่ต้องแก้ไข",
    "แท็บของอำเภอ",
)
STATE_COLUMN = HEADER.index("สถานะ") + 1


@dataclass
class DistrictEntry:
    """One district's line in the register."""

    source: SourceTab
    identities: list[str] = field(default_factory=list)
    kinds: set[int] = field(default_factory=set)
    first_covered: tuple[int, int] | None = None
    last_reported: tuple[int, int] | None = None
    rows_this_month: int = 0
    laos: set[str] = field(default_factory=set)
    open_errors: int = 0
    # Earlier rounds (B.E. fiscal year) in which the district had an identity, and its
    # names then: the district's history, from the archived rows.
    history: dict[str, list[str]] = field(default_factory=dict)

    @property
    def covered(self) -> bool:
        """Whether the district has an identity: a complete row in the period."""
        return self.first_covered is not None

    @property
    def state(self) -> str:
        """มีอัตลักษณ์แล้ว, else มีรายการต้องแก้ไข when an error is open, else ยังไม่มี."""
        if self.covered:
            return COVERED
        return TO_FIX if self.open_errors else NOT_YET


def register(
    config: Config,
    results: list[RowResult],
    problems: list[Problem],
    month_of: Callable[[str], tuple[int, int] | None],
    *,
    province: str | None = None,
    history: list[tuple[str, list[RowResult]]] | None = None,
    laos: LaoNames | None = None,
) -> list[DistrictEntry]:
    """Every configured district (of `province`, or all), sorted by province then district
    code. `month_of(province)` is the report month in force there (for "rows this month");
    `history` holds earlier rounds' checked rows, by round (their B.E. fiscal year);
    `laos` the organisations' names spelt so far in the cycle."""
    official = LaoNames() if laos is None else laos
    entries = {
        (s.spreadsheet, s.tab): DistrictEntry(s)
        for s in source_tabs(config)
        if province is None or s.province.name == province
    }
    months = {name: month_of(name) for name in {e.source.province.name for e in entries.values()}}
    for p in problems:
        entry = entries.get((p.spreadsheet, p.tab))
        if entry is not None and p.severity == "error":
            entry.open_errors += 1
    # Each entry's identity names as a set too: a district lists dozens of them.
    named: dict[int, set[str]] = {id(e): set() for e in entries.values()}
    source, entry, this_month, known = None, None, None, set()
    for r in results:
        row = r.row
        if row.source is not source:  # a tab's rows come one after another
            source = row.source
            entry = entries.get((source.spreadsheet, source.tab))
            if entry is not None:
                this_month, known = months[entry.source.province.name], named[id(entry)]
        if entry is None:
            continue
        lao = row.text.get("lao", "")
        if lao:
            entry.laos.add(official[lao] or lao)
        month = r.month
        if month is None:
            continue
        if entry.last_reported is None or month > entry.last_reported:
            entry.last_reported = month
        if month == this_month:
            entry.rows_this_month += 1
        if r.complete:
            if entry.first_covered is None or month < entry.first_covered:
                entry.first_covered = month
            name = row.text.get("identity", "")
            if name and name not in known:
                known.add(name)
                entry.identities.append(name)
            if r.category:
                entry.kinds.add(r.category)
    by_code = {e.source.district.code: e for e in entries.values()}
    for label, old in history or []:
        for r in old:
            entry = by_code.get(r.row.source.district.code)
            if entry is None or not r.complete:
                continue
            names = entry.history.setdefault(label, [])
            name = r.row.text.get("identity", "")
            if name and name not in names:
                names.append(name)
    return sorted(entries.values(), key=lambda e: (e.source.province.code, e.source.district.code))


def this_month_header(months: set[tuple[int, int] | None]) -> str:
    """The header of the "rows this month" column: names the month when there is one."""
    known = {m for m in months if m is not None}
    if len(known) == 1:
        return f"จำนวนแถวของเดือน {thai.month_label(*known.pop())}"
    return "จำนวนแถวของเดือนที่ต้องรายงาน"


def history_header(rounds: list[str]) -> list[OutCell]:
    """The register's history columns: per earlier round, its state and identity names."""
    return [h for label in rounds for h in (f"ปีงบประมาณ {label}", f"อัตลักษณ์ ปีงบประมาณ {label}")]


def _names(names: list[str]) -> str:
    shown = names[:MAX_NAMES]
    more = len(names) - len(shown)
    return "; ".join(shown) + (f" และอีก {more} รายการ" if more else "")


def register_rows(
    entries: list[DistrictEntry], header: str, rounds: list[str] | None = None
) -> list[list[OutCell]]:
    """The register as rows, its header first; with `rounds` (earlier rounds' B.E. fiscal
    years), each district's history after the link to its tab."""
    rows: list[list[OutCell]] = [[header if h == "{this_month}" else h for h in HEADER]]
    rows[0] += history_header(rounds or [])
    for e in entries:
        names = e.identities[:MAX_NAMES]
        more = len(e.identities) - len(names)
        identities = "; ".join(names) + (f" และอีก {more} รายการ" if more else "")
        rows.append(
            [
                e.source.province.code,
                e.source.province.name,
                e.source.district.code,
                e.source.district.name,
                e.state,
                identities,
                ", ".join(CATEGORIES[k - 1] for k in sorted(e.kinds)),
                month_text(*e.first_covered) if e.first_covered else "",
                month_text(*e.last_reported) if e.last_reported else "",
                e.rows_this_month,
                len(e.laos),
                e.open_errors,
                LinkedText("เปิดแท็บ", Link(e.source.spreadsheet, e.source.tab, 1, 1)),
            ]
        )
        for label in rounds or []:
            old = e.history.get(label)
            rows[-1] += [COVERED if old is not None else NOT_YET, _names(old or [])]
    return rows


def register_layout(rows: list[list[OutCell]], top: int = 1) -> Layout:
    """How a register that starts at row `top` looks: filter, colours, formats, widths."""
    bottom = top + len(rows) - 1
    width = len(rows[0]) if rows else len(HEADER)
    layout = Layout(frozen_rows=top, frozen_columns=4)
    layout.filter = Range(top, 1, bottom, width)
    layout.styled.append(Styled(Range(top, 1, top, width), "header"))
    if bottom > top:
        state = Range(top + 1, STATE_COLUMN, bottom, STATE_COLUMN)
        layout.rules += [
            TextRule(state, COVERED, "ok"),
            TextRule(state, TO_FIX, "error"),
            TextRule(state, NOT_YET, "warning"),
        ]
        layout.formats.append(Format(Range(top + 1, 10, bottom, 12), "integer"))
        # Codes are text: "3601" must not become a number that loses a leading zero.
        layout.formats += [
            Format(Range(top + 1, 1, bottom, 1), "text"),
            Format(Range(top + 1, 3, bottom, 3), "text"),
        ]
    layout.widths = fit_widths(rows, cap=40.0)
    layout.wrap = wide_columns(layout.widths, 40.0)
    layout.page = PageSetup(repeat_rows=top)
    return layout


def register_tab(
    config: Config,
    entries: list[DistrictEntry],
    month_of: Callable[[str], tuple[int, int] | None],
    rounds: list[str] | None = None,
) -> BotTab:
    """The national register tab: every configured district (`entries` from `register`),
    with its history over the earlier `rounds`."""
    header = this_month_header({month_of(p.province) for p in config.provinces})
    rows = register_rows(entries, header, rounds)
    layout = register_layout(rows)
    return BotTab(config.tabs.district_register, rows, layout=layout)


def counts(entries: list[DistrictEntry]) -> dict[str, int]:
    """How many districts are in each state."""
    out: dict[str, int] = defaultdict(int)
    for e in entries:
        out[e.state] += 1
    return {s: out.get(s, 0) for s in STATES}
