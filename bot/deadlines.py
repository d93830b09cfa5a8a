"""Deadlines and reminder days of the monthly reporting programme.

Districts report to their province by day 20 of each month and provinces report to the
national department (DLA) by day 25. Which month such a report covers is a rule too
(`Rules.covers`): "current" (the default) means the report due on 20 January is January's;
"previous" means it is December's, so the deadlines of a report month fall in the month
after it. This module works out, for a given set of `Rules`,
every deadline of the programme and the working day on which each reminder about it is
sent. Weekends, Thai public holidays (from the `holidays` package, including in-lieu
days and Buddhist lunar days) and extra days off from `Rules.extra_holidays` are not
working days.

Pure: no I/O and no clock. Anything that depends on "today" takes the day as a parameter,
so the same code serves the scheduler, the CLI and the tests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

import holidays

from bot import thai

__all__ = [
    "EXTRA_HOLIDAY_NAME",
    "WEEKDAY_NAMES",
    "Covers",
    "Deadline",
    "Reminder",
    "ReminderKind",
    "ReportingLevel",
    "Rules",
    "deadline_in_force",
    "deadlines",
    "holiday_label",
    "holiday_name",
    "is_working_day",
    "reminders_on",
    "schedule",
]

# Who reports by a deadline: districts to their province, provinces to DLA.
ReportingLevel = Literal["district", "province"]
# When a reminder goes relative to its deadline.
ReminderKind = Literal["before", "deadline", "overdue"]
# Which month the report due on a deadline covers: the month the deadline falls in, or the
# month before it.
Covers = Literal["current", "previous"]

# Thai names of Monday..Sunday, as date.weekday() numbers them: the reason a deadline is not
# a working day ("วันเสาร์"), and the weekday of a due date in a letter ("วันศุกร์ที่ 24 ...").
WEEKDAY_NAMES: tuple[str, ...] = thai.WEEKDAYS
# Shown for a day off from Rules.extra_holidays that is neither a weekend nor a public
# holiday: the cabinet announces such days as "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ".
EXTRA_HOLIDAY_NAME = "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ"
# How the `holidays` package names such a day, and how an official letter names it.
_PACKAGE_EXTRA = "วันหยุดพิเศษ (เพิ่มเติม)"
_IN_LIEU = "ชดเชย"

_SATURDAY = 5
# Districts sort before provinces on the same day: a province's reminder is about the
# district reports it rolls up, so reading them in this order follows the reporting chain.
_LEVEL_ORDER: dict[ReportingLevel, int] = {"district": 0, "province": 1}


@dataclass(frozen=True)
class Rules:
    """How the programme's deadlines and reminders are laid out.

    Frozen (hence hashable) so that the schedule can be cached per set of rules.
    Months are (year, month) in the common era: the report months, from `start` to `end`.
    A deadline day beyond the end of a short month (say 31) falls on that month's last day.
    `covers` says whether a report month's deadlines fall in that month ("current") or in
    the month after it ("previous": the report due on 20 January covers December).
    """

    start: tuple[int, int]
    end: tuple[int, int]
    district_day: int = 20
    province_day: int = 25
    district_offsets: tuple[int, ...] = (5, 2, 1, 0)
    province_offsets: tuple[int, ...] = (3, 1, 0)
    overdue_days: tuple[int, ...] = (1, 3)
    extra_holidays: tuple[date, ...] = ()
    covers: Covers = "current"

    def __post_init__(self) -> None:
        # Fail when the rules are built (config load), not later inside the scheduler.
        for name, (year, month) in (("start", self.start), ("end", self.end)):
            if not 1 <= month <= 12 or year < 1:
                raise ValueError(f"{name} must be a (year, month) pair, got {(year, month)}")
        if self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        for name, day in (("district_day", self.district_day), ("province_day", self.province_day)):
            if not 1 <= day <= 31:
                raise ValueError(f"{name} must be between 1 and 31, got {day}")
        for name, offsets in (
            ("district_offsets", self.district_offsets),
            ("province_offsets", self.province_offsets),
        ):
            if any(o < 0 for o in offsets):
                raise ValueError(f"{name} are days before the deadline and cannot be negative")
        # 0 days after would be the deadline itself, which the offsets already cover.
        if any(d < 1 for d in self.overdue_days):
            raise ValueError("overdue_days are days after the deadline and must be at least 1")
        if self.covers not in ("current", "previous"):
            raise ValueError(f"covers must be current or previous, got {self.covers!r}")


@dataclass(frozen=True)
class Deadline:
    """One reporting deadline: a level's report for `month` is due on `due`.

    `non_working` says the due date itself is a weekend or a day off; `holiday_name` then
    says why (the holiday as a letter names it, see `holiday_label`, or "วันเสาร์" /
    "วันอาทิตย์"), otherwise it is None. `effective` is the day the report must really be
    in: the due date, or the last working day before it when the due date is a day off.
    """

    level: ReportingLevel
    month: tuple[int, int]
    due: date
    non_working: bool
    holiday_name: str | None
    effective: date


@dataclass(frozen=True)
class Reminder:
    """One message to send about a deadline.

    `offset` is the configured distance in days: +5 is five days before the deadline, 0 the
    deadline itself, -1 one day after (overdue). `send_on` is the working day it actually
    goes out, which may differ from due - offset when that day is not a working day.
    `copy_up` is set on overdue notices, which also go to the level above (the province
    for a district, the admins for a province).
    """

    deadline: Deadline
    kind: ReminderKind
    offset: int
    send_on: date
    copy_up: bool


# --- working days --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> dict[date, str]:
    # Built once per year: the package computes lunar days and in-lieu days on every
    # construction, and the schedule asks about the same few years thousands of times.
    # Several holidays on one day come back joined with "; ", which is fine to show.
    # Only the default "public" category: government-only days such as Royal Ploughing Day
    # (category "government") are not in it; Rules.extra_holidays can add them.
    found = holidays.country_holidays("TH", years=year, language="th")
    return {day: str(name) for day, name in found.items()}


def holiday_name(day: date) -> str | None:
    """The Thai name of the public holiday on `day`, or None if it is not one.

    Uses the `holidays` package (country TH, language "th", public holidays), which
    includes in-lieu days ("ชดเชย...") and the Buddhist lunar holidays. Weekends are not
    holidays here; see `is_working_day`.
    """
    return _public_holidays(day.year).get(day)


def holiday_label(name: str) -> str:
    """A holiday name as an official letter writes it.

    The package's raw names become the terms letters use: "ชดเชยวันวิสาขบูชา" is
    "วันหยุดชดเชยวันวิสาขบูชา", "วันหยุดพิเศษ (เพิ่มเติม)" is
    "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ", and several holidays on one day (joined by the
    package with "; ") are listed the Thai way: "ก ข และค".
    """
    parts: list[str] = []
    for raw in name.split(";"):
        part = " ".join(raw.split())
        if not part:
            continue
        if part == _PACKAGE_EXTRA:
            part = EXTRA_HOLIDAY_NAME
        elif part.startswith(_IN_LIEU):
            part = "วันหยุด" + part
        if part not in parts:
            parts.append(part)
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " ".join(parts[:-1]) + " และ" + parts[-1]


def is_working_day(day: date, rules: Rules) -> bool:
    """Whether government offices work on `day`: a weekday that is not a day off."""
    return (
        day.weekday() < _SATURDAY and holiday_name(day) is None and day not in rules.extra_holidays
    )


def _day_off_name(day: date, rules: Rules) -> str | None:
    # The public holiday name wins over the weekday name because it tells staff more
    # (e.g. "วันสงกรานต์" on a Sunday). The package also lists Children's Day, which is
    # always a Saturday, so that one name shows up only on a day that is off anyway.
    name = holiday_name(day)
    if name is not None:
        return holiday_label(name)
    if day.weekday() >= _SATURDAY:
        return WEEKDAY_NAMES[day.weekday()]
    if day in rules.extra_holidays:
        return EXTRA_HOLIDAY_NAME
    return None


def _working_day_on_or_before(day: date, rules: Rules) -> date:
    while not is_working_day(day, rules):
        day -= timedelta(days=1)
    return day


def _working_day_on_or_after(day: date, rules: Rules) -> date:
    while not is_working_day(day, rules):
        day += timedelta(days=1)
    return day


# --- deadlines -----------------------------------------------------------------------------


def _months(rules: Rules) -> list[tuple[int, int]]:
    months: list[tuple[int, int]] = []
    year, month = rules.start
    while (year, month) <= rules.end:
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _due_date(year: int, month: int, day: int) -> date:
    # Clamp to the month's last day, so "by the 31st" means "by the end of the month".
    next_month = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(day, last_day))


def _make_deadline(
    level: ReportingLevel, month: tuple[int, int], day: int, rules: Rules
) -> Deadline:
    year, number = month
    if rules.covers == "previous":
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    due = _due_date(year, number, day)
    name = _day_off_name(due, rules)
    return Deadline(
        level=level,
        month=month,
        due=due,
        non_working=name is not None,
        holiday_name=name,
        effective=_working_day_on_or_before(due, rules),
    )


@lru_cache(maxsize=32)
def _deadlines(rules: Rules) -> tuple[Deadline, ...]:
    found: list[Deadline] = []
    for month in _months(rules):
        found.append(_make_deadline("district", month, rules.district_day, rules))
        found.append(_make_deadline("province", month, rules.province_day, rules))
    found.sort(key=lambda d: (d.due, _LEVEL_ORDER[d.level]))
    return tuple(found)


def deadlines(rules: Rules) -> list[Deadline]:
    """Every district and province deadline of the programme, in date order.

    One of each level per report month from `rules.start` to `rules.end`; the deadline on
    day D of month M is for the report of month M (`covers` "current") or of the month
    before M ("previous"). On the same date districts come first.
    """
    return list(_deadlines(rules))


# --- reminders -----------------------------------------------------------------------------


def _reminders_for(deadline: Deadline, rules: Rules) -> list[Reminder]:
    offsets = rules.district_offsets if deadline.level == "district" else rules.province_offsets
    candidates: list[Reminder] = []
    for offset in sorted(set(offsets)):
        # A reminder must reach people while they can still act, so a day off pulls it
        # earlier, never later (a "due today" sent after the deadline would be useless).
        send_on = _working_day_on_or_before(deadline.due - timedelta(days=offset), rules)
        kind: ReminderKind = "deadline" if offset == 0 else "before"
        candidates.append(Reminder(deadline, kind, offset, send_on, copy_up=False))
    for days in sorted(set(rules.overdue_days)):
        # An overdue notice must come strictly after the deadline, so a day off pushes it
        # later; nominal day > due and moving forward keeps it there.
        send_on = _working_day_on_or_after(deadline.due + timedelta(days=days), rules)
        candidates.append(Reminder(deadline, "overdue", -days, send_on, copy_up=True))

    # Nothing goes out before the programme has started (e.g. a reminder for an early
    # deadline of the first month that would fall in the previous month).
    first_day = date(rules.start[0], rules.start[1], 1)
    candidates = [r for r in candidates if r.send_on >= first_day]

    # Two reminders about one deadline on the same day would read as spam: keep the one with
    # the smallest offset. For before/deadline that is the one closest to the deadline (the
    # "deadline" kind if it is among them); for overdue notices (negative offsets) it is the
    # later, firmer one, whose nominal day is the send day. Before/deadline and overdue
    # notices never share a day: one is on or before the due date, the other after it.
    kept: dict[date, Reminder] = {}
    for reminder in candidates:
        current = kept.get(reminder.send_on)
        if current is None or reminder.offset < current.offset:
            kept[reminder.send_on] = reminder
    return sorted(kept.values(), key=lambda r: r.send_on)


def _sort_key(reminder: Reminder) -> tuple[date, int, date, int]:
    level = _LEVEL_ORDER[reminder.deadline.level]
    return (reminder.send_on, level, reminder.deadline.due, -reminder.offset)


@lru_cache(maxsize=32)
def _schedule(rules: Rules) -> tuple[Reminder, ...]:
    found = [r for deadline in _deadlines(rules) for r in _reminders_for(deadline, rules)]
    found.sort(key=_sort_key)
    return tuple(found)


@lru_cache(maxsize=32)
def _by_day(rules: Rules) -> dict[date, tuple[Reminder, ...]]:
    # Index the cached schedule by send day so a daily scheduler's lookup is a dict hit.
    index: defaultdict[date, list[Reminder]] = defaultdict(list)
    for reminder in _schedule(rules):
        index[reminder.send_on].append(reminder)
    return {day: tuple(found) for day, found in index.items()}


def schedule(rules: Rules) -> list[Reminder]:
    """Every reminder of the programme, sorted by send day, then level (district first).

    For each deadline: one reminder per configured offset before it ("before"; offset 0 is
    the "deadline" kind) moved to the previous working day when needed, and one "overdue"
    notice per `overdue_days` moved to the next working day when needed. Reminders of one
    deadline that end up on the same day are merged (the smallest offset is kept), and
    any reminder that would be sent before the first report month starts is dropped.
    """
    return list(_schedule(rules))


def reminders_on(day: date, rules: Rules) -> list[Reminder]:
    """The reminders to send on `day` (none on days off), in `schedule` order."""
    return list(_by_day(rules).get(day, ()))


def deadline_in_force(level: ReportingLevel, day: date, rules: Rules) -> Deadline | None:
    """The next `level` deadline on or after `day`, or None once the programme is over.

    A deadline stays in force through its own due date, even when that is a day off.
    """
    for deadline in _deadlines(rules):
        if deadline.level == level and deadline.due >= day:
            return deadline
    return None
