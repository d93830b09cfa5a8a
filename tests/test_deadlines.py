"""Tests for bot.deadlines: deadlines, days off and reminder send days of FY2568.

The expected dates below were checked by hand against the real Thai calendar of
Nov 2567 - Oct 2568 (Nov 2024 - Oct 2025), including the cabinet's special days off.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta

import pytest

from bot import deadlines as cal
from bot.thai import date_label

RULES = cal.Rules(start=(2024, 11), end=(2025, 9))

FIRST_DAY = date(2024, 11, 1)
LAST_DAY = date(2025, 10, 31)

# The public holidays the `holidays` package gives for Nov 2024 - Oct 2025, written out so a
# package upgrade that changes them fails here first (and not silently in the schedule).
PUBLIC_HOLIDAYS: dict[date, str] = {
    date(2024, 12, 5): (
        "วันคล้ายวันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระบรมชนกาธิเบศร"
        " มหาภูมิพลอดุลยเดชมหาราช บรมนาถบพิตร; วันชาติ; วันพ่อแห่งชาติ"
    ),
    date(2024, 12, 10): "วันรัฐธรรมนูญ",
    date(2024, 12, 30): "วันหยุดพิเศษ (เพิ่มเติม)",
    date(2024, 12, 31): "วันสิ้นปี",
    date(2025, 1, 1): "วันขึ้นปีใหม่",
    date(2025, 1, 11): "วันเด็กแห่งชาติ",
    date(2025, 2, 12): "วันมาฆบูชา",
    date(2025, 4, 6): "วันพระบาทสมเด็จพระพุทธยอดฟ้าจุฬาโลกมหาราช และวันที่ระลึกมหาจักรีบรมราชวงศ์",
    date(2025, 4, 7): ("ชดเชยวันพระบาทสมเด็จพระพุทธยอดฟ้าจุฬาโลกมหาราช และวันที่ระลึกมหาจักรีบรมราชวงศ์"),
    date(2025, 4, 13): "วันสงกรานต์",
    date(2025, 4, 14): "วันสงกรานต์",
    date(2025, 4, 15): "วันสงกรานต์",
    date(2025, 4, 16): "ชดเชยวันสงกรานต์",
    date(2025, 5, 1): "วันแรงงานแห่งชาติ",
    date(2025, 5, 4): "วันฉัตรมงคล",
    date(2025, 5, 5): "ชดเชยวันฉัตรมงคล",
    date(2025, 5, 11): "วันวิสาขบูชา",
    date(2025, 5, 12): "ชดเชยวันวิสาขบูชา",
    date(2025, 6, 2): "วันหยุดพิเศษ (เพิ่มเติม)",
    date(2025, 6, 3): ("วันเฉลิมพระชนมพรรษาสมเด็จพระนางเจ้าสุทิดา พัชรสุธาพิมลลักษณ พระบรมราชินี"),
    date(2025, 7, 10): "วันอาสาฬหบูชา",
    date(2025, 7, 11): "วันเข้าพรรษา",
    date(2025, 7, 28): (
        "วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระปรเมนทรรามาธิบดีศรีสินทรมหาวชิราลงกรณ พระวชิรเกล้าเจ้าอยู่หัว"
    ),
    date(2025, 8, 11): "วันหยุดพิเศษ (เพิ่มเติม)",
    date(2025, 8, 12): "วันเฉลิมพระชนมพรรษาสมเด็จพระบรมราชชนนีพันปีหลวง; วันแม่แห่งชาติ",
    date(2025, 10, 13): "วันนวมินทรมหาราช",
    date(2025, 10, 23): "วันปิยมหาราช",
}


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _row(r: cal.Reminder) -> tuple[date, str, str, int, date]:
    return (r.send_on, r.deadline.level, r.kind, r.offset, r.deadline.due)


def _reminders_of(
    level: cal.Level, due: date, rules: cal.Rules = RULES
) -> list[tuple[date, str, int]]:
    return [
        (r.send_on, r.kind, r.offset)
        for r in cal.schedule(rules)
        if r.deadline.level == level and r.deadline.due == due
    ]


# --- holidays and working days -------------------------------------------------------------


def test_package_holidays_for_the_programme_year_are_the_ones_checked_by_hand() -> None:
    found = {day: name for day in _days(FIRST_DAY, LAST_DAY) if (name := cal.holiday_name(day))}
    assert found == PUBLIC_HOLIDAYS


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 12, 20), True),  # Friday
        (date(2024, 12, 21), False),  # Saturday
        (date(2024, 12, 22), False),  # Sunday
        (date(2024, 12, 30), False),  # special day off the cabinet added
        (date(2025, 4, 16), False),  # in lieu of Songkran falling on Sunday 13 Apr
        (date(2025, 4, 17), True),
        (date(2025, 5, 12), False),  # in lieu of Visakha Bucha on Sunday 11 May
        (date(2025, 7, 28), False),  # the King's birthday, a Monday
        (date(2025, 5, 9), True),  # Royal Ploughing Day: government-only, not public
    ],
    ids=lambda v: date_label(v) if isinstance(v, date) else str(v),
)
def test_is_working_day(day: date, working: bool) -> None:
    assert cal.is_working_day(day, RULES) is working


def test_holiday_name_is_none_on_an_ordinary_weekend() -> None:
    assert cal.holiday_name(date(2025, 1, 25)) is None
    assert cal.holiday_name(date(2025, 4, 13)) == "วันสงกรานต์"


# --- deadlines -----------------------------------------------------------------------------

WEEKEND_DEADLINES = [
    ("province", date(2025, 1, 25), "วันเสาร์"),
    ("district", date(2025, 4, 20), "วันอาทิตย์"),
    ("province", date(2025, 5, 25), "วันอาทิตย์"),
    ("district", date(2025, 7, 20), "วันอาทิตย์"),
    ("district", date(2025, 9, 20), "วันเสาร์"),
]


@pytest.mark.parametrize(
    ("level", "due", "name"),
    WEEKEND_DEADLINES,
    ids=[f"{level}-{date_label(due)}" for level, due, _ in WEEKEND_DEADLINES],
)
def test_weekend_deadlines_are_non_working(level: str, due: date, name: str) -> None:
    (deadline,) = [d for d in cal.deadlines(RULES) if d.level == level and d.due == due]
    assert deadline.non_working
    assert deadline.holiday_name == name
    assert deadline.month == (due.year, due.month)


@pytest.mark.parametrize(
    ("due", "effective"),
    [
        (date(2025, 1, 25), date(2025, 1, 24)),  # Sat -> Fri
        (date(2025, 4, 20), date(2025, 4, 18)),  # Sun -> Fri (no Thai Good Friday)
        (date(2025, 5, 25), date(2025, 5, 23)),
        (date(2025, 1, 20), date(2025, 1, 20)),  # a Monday: the day itself
    ],
)
def test_the_effective_due_date_is_the_last_working_day_on_or_before_it(
    due: date, effective: date
) -> None:
    (deadline,) = [d for d in cal.deadlines(RULES) if d.due == due]
    assert deadline.effective == effective
    assert deadline.effective.weekday() < 5


def test_only_the_five_weekend_deadlines_are_non_working() -> None:
    # No 20th or 25th of Nov 2024 - Sep 2025 is a public holiday, so these are all of them.
    found = [(d.level, d.due, d.holiday_name) for d in cal.deadlines(RULES) if d.non_working]
    assert found == WEEKEND_DEADLINES


def test_an_ordinary_deadline_is_working() -> None:
    (deadline,) = [d for d in cal.deadlines(RULES) if d.due == date(2024, 12, 20)]
    assert deadline == cal.Deadline(
        "district", (2024, 12), date(2024, 12, 20), False, None, date(2024, 12, 20)
    )


def test_deadlines_cover_every_report_month_in_date_order() -> None:
    found = cal.deadlines(RULES)
    assert len(found) == 22
    assert [d.due for d in found] == sorted(d.due for d in found)
    assert found[0] == cal.Deadline(
        "district", (2024, 11), date(2024, 11, 20), False, None, date(2024, 11, 20)
    )
    assert found[-1] == cal.Deadline(
        "province", (2025, 9), date(2025, 9, 25), False, None, date(2025, 9, 25)
    )
    assert {d.due.day for d in found if d.level == "district"} == {20}
    assert {d.due.day for d in found if d.level == "province"} == {25}


def test_a_deadline_on_a_public_holiday_carries_its_name() -> None:
    rules = cal.Rules(start=(2025, 4), end=(2025, 4), district_day=14)
    (district, _) = cal.deadlines(rules)
    assert district.due == date(2025, 4, 14)
    assert district.holiday_name == "วันสงกรานต์"


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("ชดเชยวันวิสาขบูชา", "วันหยุดชดเชยวันวิสาขบูชา"),
        ("วันหยุดพิเศษ (เพิ่มเติม)", "วันหยุดราชการเพิ่มเป็นกรณีพิเศษ"),
        ("วันสงกรานต์", "วันสงกรานต์"),
        (
            "วันเฉลิมพระชนมพรรษาสมเด็จพระบรมราชชนนีพันปีหลวง; วันแม่แห่งชาติ",
            "วันเฉลิมพระชนมพรรษาสมเด็จพระบรมราชชนนีพันปีหลวง และวันแม่แห่งชาติ",
        ),
        ("วันก; วันข; วันค", "วันก วันข และวันค"),
    ],
)
def test_holiday_names_read_as_a_letter_writes_them(raw: str, label: str) -> None:
    assert cal.holiday_label(raw) == label


def test_a_deadline_on_an_in_lieu_day_names_it_properly() -> None:
    # Mon 12 May 2025 is the day off in lieu of Visakha Bucha (Sun 11 May).
    rules = cal.Rules(start=(2025, 5), end=(2025, 5), district_day=12)
    district = next(d for d in cal.deadlines(rules) if d.level == "district")
    assert district.holiday_name == "วันหยุดชดเชยวันวิสาขบูชา"
    assert district.effective == date(2025, 5, 9)  # Friday


def test_deadlines_covering_the_previous_month_fall_in_the_month_after_it() -> None:
    rules = cal.Rules(start=(2024, 11), end=(2025, 9), covers="previous")
    found = cal.deadlines(rules)
    assert len(found) == 22
    first, last = found[0], found[-1]
    assert (first.level, first.month, first.due) == ("district", (2024, 11), date(2024, 12, 20))
    assert (last.level, last.month, last.due) == ("province", (2025, 9), date(2025, 10, 25))
    december = [d for d in found if d.month == (2024, 12)]
    assert [d.due for d in december] == [date(2025, 1, 20), date(2025, 1, 25)]
    # On 15 Jan the district deadline in force is the one for December's report.
    in_force = cal.deadline_in_force("district", date(2025, 1, 15), rules)
    assert in_force is not None and in_force.month == (2024, 12)
    # Nothing is sent in November: the first deadline is 20 Dec.
    assert min(r.send_on for r in cal.schedule(rules)) == date(2024, 12, 13)


def test_a_day_past_the_end_of_the_month_means_its_last_day() -> None:
    rules = cal.Rules(start=(2025, 2), end=(2025, 2), district_day=31)
    assert cal.deadlines(rules)[-1].due == date(2025, 2, 28)


# --- reminders of particular deadlines -----------------------------------------------------


def test_district_deadline_sunday_20_april_2025_around_songkran() -> None:
    # Songkran 13-15 Apr + in-lieu Wed 16 Apr: "5 days before" (Tue 15) goes back past the
    # holidays and the weekend to Fri 11 Apr. Fri 18 Apr (no Thai Good Friday) is a working
    # day, so "2 days", "1 day" (Sat 19) and "the day" (Sun 20) all land on it: one message.
    assert _reminders_of("district", date(2025, 4, 20)) == [
        (date(2025, 4, 11), "before", 5),
        (date(2025, 4, 18), "deadline", 0),
        (date(2025, 4, 21), "overdue", -1),
        (date(2025, 4, 23), "overdue", -3),
    ]


def test_province_deadline_saturday_25_january_2025() -> None:
    # "1 day before" (Fri 24) and "the day" (Sat 25 -> Fri 24) merge into the deadline one;
    # one day late (Sun 26) is sent on Monday 27.
    assert _reminders_of("province", date(2025, 1, 25)) == [
        (date(2025, 1, 22), "before", 3),
        (date(2025, 1, 24), "deadline", 0),
        (date(2025, 1, 27), "overdue", -1),
        (date(2025, 1, 28), "overdue", -3),
    ]


def test_overdue_notices_landing_on_one_day_are_merged() -> None:
    # Friday 20 Dec 2024: one day late is Sat 21 -> Mon 23, three days late is Mon 23.
    assert _reminders_of("district", date(2024, 12, 20)) == [
        (date(2024, 12, 13), "before", 5),
        (date(2024, 12, 18), "before", 2),
        (date(2024, 12, 19), "before", 1),
        (date(2024, 12, 20), "deadline", 0),
        (date(2024, 12, 23), "overdue", -3),
    ]


def test_overdue_notice_skips_the_new_year_holidays() -> None:
    # Wed 25 Dec 2024 + 3 = Sat 28; Sun 29, Mon 30 (special), Tue 31, Wed 1 Jan are off.
    assert _reminders_of("province", date(2024, 12, 25))[-1] == (
        date(2025, 1, 2),
        "overdue",
        -3,
    )


def test_overdue_notices_are_copied_up_and_the_others_are_not() -> None:
    for reminder in cal.schedule(RULES):
        assert reminder.copy_up is (reminder.kind == "overdue")


# --- a walk through the whole year ---------------------------------------------------------


def _expected_send_days(due: date, offsets: tuple[int, ...]) -> set[date]:
    # Written independently of bot.deadlines, from the hand-checked holiday list above.
    def working(day: date) -> bool:
        return day.weekday() < 5 and day not in PUBLIC_HOLIDAYS

    days: set[date] = set()
    for offset in offsets:
        day = due - timedelta(days=offset)
        while not working(day):
            day -= timedelta(days=1)
        days.add(day)
    for late in RULES.overdue_days:
        day = due + timedelta(days=late)
        while not working(day):
            day += timedelta(days=1)
        days.add(day)
    return days


def test_a_walk_through_every_day_of_the_year() -> None:
    sent = [r for day in _days(FIRST_DAY, LAST_DAY) for r in cal.reminders_on(day, RULES)]
    assert sent == cal.schedule(RULES)

    for reminder in sent:
        assert cal.is_working_day(reminder.send_on, RULES), reminder
        assert reminder.send_on.weekday() < 5
        assert reminder.send_on not in PUBLIC_HOLIDAYS
        if reminder.kind == "overdue":
            assert reminder.send_on > reminder.deadline.due, reminder
        else:
            assert reminder.send_on <= reminder.deadline.due, reminder
            assert reminder.send_on <= reminder.deadline.due - timedelta(days=reminder.offset)

    for deadline in cal.deadlines(RULES):
        on_time = [r for r in sent if r.deadline == deadline and r.kind == "deadline"]
        assert len(on_time) == 1, deadline
        assert on_time[0].send_on <= deadline.due
        # ...and on the last working day it can: nothing working between it and the due date.
        gap = _days(on_time[0].send_on + timedelta(days=1), deadline.due)
        assert not any(cal.is_working_day(day, RULES) for day in gap)
        # Never two messages about one deadline on one day.
        send_days = [r.send_on for r in sent if r.deadline == deadline]
        assert len(send_days) == len(set(send_days))

    expected: Counter[str] = Counter()
    for deadline in cal.deadlines(RULES):
        offsets = RULES.district_offsets if deadline.level == "district" else RULES.province_offsets
        expected[deadline.level] += len(_expected_send_days(deadline.due, offsets))
    assert Counter(r.deadline.level for r in sent) == expected
    # Counted by hand from the calendar, month by month.
    assert expected == {"district": 58, "province": 49}


def test_nothing_is_sent_outside_nov_2024_to_oct_2025() -> None:
    sent = cal.schedule(RULES)
    assert min(r.send_on for r in sent) == date(2024, 11, 15)
    # Sep 2025's overdue notices are all still in September this year.
    assert max(r.send_on for r in sent) == date(2025, 9, 29)
    assert cal.reminders_on(date(2024, 10, 31), RULES) == []
    assert cal.reminders_on(date(2025, 10, 1), RULES) == []
    assert cal.reminders_on(date(2025, 11, 20), RULES) == []


GOLDEN_JANUARY_2025 = [
    (date(2025, 1, 2), "province", "overdue", -3, date(2024, 12, 25)),
    (date(2025, 1, 15), "district", "before", 5, date(2025, 1, 20)),
    (date(2025, 1, 17), "district", "before", 1, date(2025, 1, 20)),
    (date(2025, 1, 20), "district", "deadline", 0, date(2025, 1, 20)),
    (date(2025, 1, 21), "district", "overdue", -1, date(2025, 1, 20)),
    (date(2025, 1, 22), "province", "before", 3, date(2025, 1, 25)),
    (date(2025, 1, 23), "district", "overdue", -3, date(2025, 1, 20)),
    (date(2025, 1, 24), "province", "deadline", 0, date(2025, 1, 25)),
    (date(2025, 1, 27), "province", "overdue", -1, date(2025, 1, 25)),
    (date(2025, 1, 28), "province", "overdue", -3, date(2025, 1, 25)),
]


def test_golden_january_2025() -> None:
    # Mon 20 Jan: "2 days before" (Sat 18) and "1 day before" (Sun 19) both become Fri 17,
    # where the 1-day one is kept. Sat 25 Jan: see the province test above.
    days = _days(date(2025, 1, 1), date(2025, 1, 31))
    found = [_row(r) for day in days for r in cal.reminders_on(day, RULES)]
    assert found == GOLDEN_JANUARY_2025


def test_schedule_is_sorted_by_day_then_level() -> None:
    # Fri 20 Dec 2024: the district deadline and the province's 3-days-before reminder.
    assert [_row(r) for r in cal.reminders_on(date(2024, 12, 20), RULES)] == [
        (date(2024, 12, 20), "district", "deadline", 0, date(2024, 12, 20)),
        (date(2024, 12, 20), "province", "before", 3, date(2024, 12, 25)),
    ]
    order = {"district": 0, "province": 1}
    sent = cal.schedule(RULES)
    keys = [(r.send_on, order[r.deadline.level]) for r in sent]
    assert keys == sorted(keys)


def test_reminders_on_returns_a_fresh_list() -> None:
    day = date(2025, 1, 24)
    cal.reminders_on(day, RULES).clear()
    cal.schedule(RULES).clear()
    assert len(cal.reminders_on(day, RULES)) == 1


def test_a_whole_year_of_lookups_is_fast() -> None:
    # A new Rules value, so the timing includes building its schedule once.
    rules = cal.Rules(start=(2024, 11), end=(2025, 9), extra_holidays=(date(2030, 1, 2),))
    started = time.perf_counter()
    total = sum(len(cal.reminders_on(day, rules)) for day in _days(FIRST_DAY, LAST_DAY))
    assert time.perf_counter() - started < 0.5
    assert total == 107


# --- rules ---------------------------------------------------------------------------------


def test_extra_holiday_moves_reminders_and_marks_the_deadline() -> None:
    # A special day off on Fri 17 Jan 2025 pulls "1 day before" (Sun 19 -> Fri 17) back to
    # Thu 16; and one on the due date itself (Mon 20) pulls the deadline reminder to Fri 17.
    rules = cal.Rules(start=(2024, 11), end=(2025, 9), extra_holidays=(date(2025, 1, 17),))
    assert not cal.is_working_day(date(2025, 1, 17), rules)
    assert _reminders_of("district", date(2025, 1, 20), rules) == [
        (date(2025, 1, 15), "before", 5),
        (date(2025, 1, 16), "before", 1),
        (date(2025, 1, 20), "deadline", 0),
        (date(2025, 1, 21), "overdue", -1),
        (date(2025, 1, 23), "overdue", -3),
    ]

    rules = cal.Rules(start=(2024, 11), end=(2025, 9), extra_holidays=(date(2025, 1, 20),))
    district = next(d for d in cal.deadlines(rules) if d.due == date(2025, 1, 20))
    assert district.non_working
    assert district.holiday_name == cal.EXTRA_HOLIDAY_NAME
    assert _reminders_of("district", date(2025, 1, 20), rules) == [
        (date(2025, 1, 15), "before", 5),
        (date(2025, 1, 17), "deadline", 0),
        (date(2025, 1, 21), "overdue", -1),
        (date(2025, 1, 23), "overdue", -3),
    ]


def test_reminders_before_the_first_report_month_are_dropped() -> None:
    # A deadline on Sun 3 Nov 2024: "5 days before" would be 29 Oct, before the programme.
    rules = cal.Rules(start=(2024, 11), end=(2024, 11), district_day=3, province_day=25)
    district = [_row(r) for r in cal.schedule(rules) if r.deadline.level == "district"]
    assert district == [
        (date(2024, 11, 1), "district", "deadline", 0, date(2024, 11, 3)),
        (date(2024, 11, 4), "district", "overdue", -1, date(2024, 11, 3)),
        (date(2024, 11, 6), "district", "overdue", -3, date(2024, 11, 3)),
    ]
    assert {d.month for d in cal.deadlines(rules)} == {(2024, 11)}


@pytest.mark.parametrize(
    ("level", "day", "due"),
    [
        ("district", date(2024, 10, 15), date(2024, 11, 20)),
        ("district", date(2025, 1, 20), date(2025, 1, 20)),
        ("district", date(2025, 1, 21), date(2025, 2, 20)),
        ("province", date(2025, 1, 25), date(2025, 1, 25)),  # a Saturday, still in force
        ("province", date(2025, 1, 26), date(2025, 2, 25)),
        ("district", date(2025, 9, 21), None),
        ("province", date(2025, 9, 21), date(2025, 9, 25)),
        ("province", date(2025, 9, 26), None),
    ],
)
def test_deadline_in_force(level: cal.Level, day: date, due: date | None) -> None:
    found = cal.deadline_in_force(level, day, RULES)
    assert (found.due if found else None) == due
    if found:
        assert found.level == level


@pytest.mark.parametrize(
    "kwargs",
    [
        {"start": (2025, 9), "end": (2024, 11)},
        {"start": (2024, 13), "end": (2025, 9)},
        {"start": (2024, 11), "end": (2025, 9), "district_day": 0},
        {"start": (2024, 11), "end": (2025, 9), "province_day": 32},
        {"start": (2024, 11), "end": (2025, 9), "district_offsets": (5, -1)},
        {"start": (2024, 11), "end": (2025, 9), "overdue_days": (0, 3)},
        {"start": (2024, 11), "end": (2025, 9), "covers": "next"},
    ],
)
def test_bad_rules_are_rejected(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        cal.Rules(**kwargs)  # type: ignore[arg-type]
