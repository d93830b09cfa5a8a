"""Who is reminded of what on a given day. Pure: decides, returns data, renders nothing.

A district is reminded only when, for the month being reported, it has no complete row or
has rows with errors; the message lists what is missing row by row with links. A province
gets a digest of its districts before its own deadline (only if one of them still owes
something), overdue district notices are copied to their province, and the admins get a
national digest. One message per recipient per run: everything due for one recipient on
one day goes into a single message. `bot.render` turns a message into its Thai text.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from bot import deadlines, thai
from bot.checks import RowResult
from bot.config import Config, SourceTab, source_tabs
from bot.model import Link, Problem

# Who receives a message: a district office, a provincial office or the admins.
Audience = Literal["district", "province", "admin"]
ADMINS = "ผู้ดูแลระบบ"


@dataclass(frozen=True)
class Todo:
    """One thing a district still has to do, with a link to where."""

    text: str
    link: Link | None = None


@dataclass
class DistrictState:
    """A district's report for one month: its complete rows and what is left to fix."""

    source: SourceTab
    complete: int = 0
    todos: list[Todo] = field(default_factory=list)

    @property
    def owes(self) -> bool:
        """Whether the district still owes something for the month."""
        return self.complete == 0 or bool(self.todos)


@dataclass
class Section:
    """One reminder's part of a message."""

    reminder: deadlines.Reminder
    districts: list[DistrictState]


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a chart as PNG): its file name, its Thai title (the
    letter lists it under สิ่งที่ส่งมาด้วย) and its bytes."""

    name: str
    title: str
    data: bytes


@dataclass
class Message:
    """Everything one recipient gets in one run; `title` and `text` are filled by
    `bot.render.render_messages`, `attachments` by `bot.dispatch` (digests' charts)."""

    level: Audience
    recipient: str
    province: str | None
    sections: list[Section]
    channels: list[str]
    title: str = ""
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def first(self) -> deadlines.Reminder:
        """The reminder that leads the message (for its title and for the record)."""
        return self.sections[0].reminder


def rules_of(config: Config, province: str | None = None) -> deadlines.Rules:
    """The calendar rules the config describes: a province's own deadline days when it is
    named (and configured), else the programme's."""
    prog, rem = config.programme, config.reminders
    days = (prog.district_deadline_day, prog.province_deadline_day)
    sheet = next((p for p in config.provinces if p.province == province), None)
    if sheet is not None:
        days = config.deadline_days(sheet)
    return deadlines.Rules(
        start=prog.start,
        end=prog.end,
        district_day=days[0],
        province_day=days[1],
        district_offsets=tuple(rem.district_offsets),
        province_offsets=tuple(rem.province_offsets),
        overdue_days=tuple(rem.overdue_days),
        extra_holidays=tuple(rem.extra_holidays),
        covers=prog.deadline_covers,
    )


def all_rules(config: Config) -> list[deadlines.Rules]:
    """The distinct calendars in force: the programme's and each province's own."""
    return list(
        dict.fromkeys([rules_of(config), *(rules_of(config, p.province) for p in config.provinces)])
    )


def any_reminder_on(config: Config, day: date) -> bool:
    """Whether any province's calendar has a reminder on `day`."""
    return any(deadlines.reminders_on(day, rules) for rules in all_rules(config))


def report_month_on(
    config: Config, day: date, province: str | None = None
) -> tuple[int, int] | None:
    """The report month people are working on at `day`: the one whose province deadline is
    in force (from the district deadline to the province's, late districts still see it).
    None once the programme is over."""
    in_force = deadlines.deadline_in_force("province", day, rules_of(config, province))
    return in_force.month if in_force else None


def district_states(
    config: Config, results: list[RowResult], problems: list[Problem], month: tuple[int, int]
) -> list[DistrictState]:
    """Every configured district's standing for `month`, in registry order."""
    by_tab: dict[tuple[str, str], DistrictState] = {
        (s.spreadsheet, s.tab): DistrictState(s) for s in source_tabs(config)
    }
    for p in problems:
        state = by_tab.get((p.spreadsheet, p.tab))
        if state is not None and p.row is None and p.severity == "error":
            state.todos.append(Todo(p.message, Link(p.spreadsheet, p.tab, 1, 1)))
    for r in results:
        state = by_tab.get((r.row.source.spreadsheet, r.row.source.tab))
        # Rows whose month cannot be read may well be this month's: they count as to-do.
        if state is None or r.month not in (month, None):
            continue
        if r.complete:
            state.complete += 1
            continue
        errors = [p for p in r.problems if p.severity == "error"]
        if not errors:
            continue  # blocked by a tab-level error, already listed
        first = errors[0]
        text = f"แถวที่ {r.row.row}: " + " | ".join(p.message for p in errors)
        state.todos.append(
            Todo(text, Link(first.spreadsheet, first.tab, r.row.row, first.column or 1))
        )
    for state in by_tab.values():
        if state.complete == 0:
            label = thai.month_label(*month, full=True)
            where = Link(state.source.spreadsheet, state.source.tab, 1, 1)
            state.todos.insert(0, Todo(f"ยังไม่มีรายการที่ครบถ้วนของเดือน{label}", where))
    return list(by_tab.values())


def due_messages(
    config: Config,
    today: date,
    results: list[RowResult],
    problems: list[Problem],
) -> list[Message]:
    """The messages due on `today`, one per recipient, not yet rendered.

    Each province follows its own calendar (`rules_of(config, province)`); the admins get
    one section per province-deadline reminder, over every province that has it today.
    """
    out: dict[tuple[Audience, str], Message] = {}

    def add(level: Audience, recipient: str, province: str | None, section: Section) -> None:
        key = (level, recipient)
        if key not in out:
            out[key] = Message(
                level, recipient, province, [], _channels(config, level, province, recipient)
            )
        out[key].sections.append(section)

    states_of: dict[tuple[int, int], dict[str, list[DistrictState]]] = {}
    admin: dict[deadlines.Reminder, list[DistrictState]] = {}
    for sheet in config.provinces:
        prov = sheet.province
        for reminder in deadlines.reminders_on(today, rules_of(config, prov)):
            month = reminder.deadline.month
            if month not in states_of:
                by_province: dict[str, list[DistrictState]] = defaultdict(list)
                for s in district_states(config, results, problems, month):
                    by_province[s.source.province.name].append(s)
                states_of[month] = by_province
            states = states_of[month].get(prov, [])
            owing = [s for s in states if s.owes]
            if reminder.deadline.level == "district":
                for s in owing:
                    add("district", s.source.district.name, prov, Section(reminder, [s]))
                if reminder.copy_up and owing:
                    add("province", prov, prov, Section(reminder, owing))
                continue
            if owing:
                add("province", prov, prov, Section(reminder, states))
            admin.setdefault(reminder, []).extend(states)
    for reminder, states in admin.items():
        if any(s.owes for s in states):
            add("admin", ADMINS, None, Section(reminder, states))
    return list(out.values())


def _channels(config: Config, level: Audience, province: str | None, recipient: str) -> list[str]:
    rem = config.reminders
    if level == "admin":
        urls = rem.admins
    elif level == "province":
        urls = rem.provinces.get(recipient, [])
    else:
        urls = rem.districts.get(province or "", {}).get(recipient, [])
    # Nobody configured: the message still goes somewhere a person can read it.
    return list(urls) or ["outbox://"]
