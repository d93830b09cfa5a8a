"""Walk the whole programme, every day from 1 Nov 2024 to 30 Sep 2025 at 09:00 Bangkok time
(frozen with freezegun), on workbooks that change over the months, through the daemon's
own reminder job, and check exactly who was reminded each day.

The sheets: ภูเขียว reports a complete row on the 10th of every month; บ้านเขว้า only on
the 24th (late for the district deadline of the 20th, in time for the province's 25th);
คอนสาร types a row without hashtags on the 3rd and fixes it on the 19th, except in
January 2025, when the fix only comes on 2 February.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from bot import deadlines, thai
from bot.backends import open_backend
from bot.config import Config
from bot.config_load import load_config
from bot.notify import Sender
from bot.reminders import ADMINS, rules_of
from bot.scheduler import Daemon
from bot.state import State
from tests.factories import HEADERS, row
from tests.workbooks import write_workbook

BANGKOK = ZoneInfo("Asia/Bangkok")
START, END = date(2024, 11, 1), date(2025, 9, 30)
DISTRICTS = ("บ้านเขว้า", "ภูเขียว", "คอนสาร")  # registry order


def complete_from(district: str, month: tuple[int, int]) -> date:
    """The day a district's report for `month` becomes complete."""
    first = date(*month, 1)
    if district == "ภูเขียว":
        return first.replace(day=10)
    if district == "บ้านเขว้า":
        return first.replace(day=24)
    return date(2025, 2, 2) if month == (2025, 1) else first.replace(day=19)


def district_row(district: str, month: tuple[int, int], day: date) -> list[object] | None:
    """The row a district has typed for `month` as of `day` (None before it starts)."""
    label = thai.month_label(*month)
    tags = f"#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอ{district}"
    done = day >= complete_from(district, month)
    if district == "คอนสาร" and day >= date(*month, 3) and not done:
        tags = "#เที่ยวท้องถิ่น"  # the mistake
    elif not done:
        return None
    url = f"https://www.facebook.com/{month[0]}{month[1]:02d}/{len(district)}"
    return row(report_month=label, district=district, lao=f"อบต.{district}",
               identity=f"อัตลักษณ์{district} {label}", hashtags=tags, post_url=url)  # fmt: skip


def sheets_on(day: date) -> dict[str, list[list[object]]]:
    months = []
    year, month = 2024, 11
    while (year, month) <= (day.year, day.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        f"อำเภอ{d}": [HEADERS, *(r for m in months if (r := district_row(d, m, day)) is not None)]
        for d in DISTRICTS
    }


def owes(district: str, month: tuple[int, int], day: date) -> bool:
    return day < complete_from(district, month)


def expected_on(day: date, config: Config) -> set[tuple[str, str, date, int]]:
    """Who should be reminded on `day`: an independent model of the rules."""
    first: dict[tuple[str, str], tuple[date, int]] = {}
    for rem in deadlines.reminders_on(day, rules_of(config)):
        month = rem.deadline.month
        owing = [d for d in DISTRICTS if owes(d, month, day)]
        if not owing:
            continue
        recipients: list[tuple[str, str]] = []
        if rem.deadline.level == "district":
            recipients += [("district", d) for d in owing]
            if rem.copy_up:
                recipients.append(("province", "ชัยภูมิ"))
        else:
            recipients += [("province", "ชัยภูมิ"), ("admin", ADMINS)]
        for who in recipients:
            # One message per recipient per run, recorded under its first reminder.
            first.setdefault(who, (rem.deadline.due, rem.offset))
    return {(level, name, due, offset) for (level, name), (due, offset) in first.items()}


@pytest.fixture
def walk(tmp_path: Path) -> tuple[Config, State]:
    (tmp_path / "config.yaml").write_text(
        "xlsx: {folder: .}\nnational: {file: national.xlsx}\nprovinces:\n"
        "  - {province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [ภูเขียว, บ้านเขว้า, คอนสาร]}\n"
        "daemon: {state: state.sqlite}\n",
        encoding="utf-8",
    )
    write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(START))
    config = load_config(tmp_path / "config.yaml")
    state = State(tmp_path / "state.sqlite", now=lambda: datetime.now(BANGKOK))
    return config, state


@pytest.mark.slow
def test_the_whole_programme_day_by_day(walk: tuple[Config, State], tmp_path: Path) -> None:
    config, state = walk
    sender = Sender(tmp_path / "outbox")
    daemon = Daemon(config, open_backend=open_backend, sender=sender, state=state)
    sent_days: dict[date, set[tuple[str, str, date, int]]] = {}
    day = START
    while day <= END:
        if deadlines.reminders_on(day, rules_of(config)):
            write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(day))
        at_nine = datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANGKOK)
        with freeze_time(at_nine):
            daemon.remind_job()
            daemon.remind_job()  # a second tick the same day sends nothing more
        got = {
            (k.level, k.recipient, k.deadline, k.offset) for k, _ in state.sent_between(day, day)
        }
        assert got == expected_on(day, config), day
        if got:
            sent_days[day] = got
        if not deadlines.is_working_day(day, rules_of(config)):
            assert not got, f"nothing is sent on a weekend or holiday ({day})"
        day += timedelta(days=1)

    # Spot checks a person can verify on a paper calendar.
    assert sent_days[date(2025, 1, 15)] == {
        ("district", "บ้านเขว้า", date(2025, 1, 20), 5),
        ("district", "คอนสาร", date(2025, 1, 20), 5),
    }
    # 25 Jan 2025 is a Saturday: the province's deadline reminder goes out on Friday 24th;
    # บ้านเขว้า completed that morning, คอนสาร (unfixed in January) still owes.
    assert sent_days[date(2025, 1, 24)] == {
        ("province", "ชัยภูมิ", date(2025, 1, 25), 0),
        ("admin", ADMINS, date(2025, 1, 25), 0),
    }
    # 20 Apr 2025 is a Sunday: the district deadline reminder goes out on Friday 18th, and
    # the 5-day reminder (Tue 15, Songkran) on Friday 11th.
    assert {k[3] for k in sent_days[date(2025, 4, 18)]} == {0}
    assert {k[3] for k in sent_days[date(2025, 4, 11)]} == {5}
    assert date(2025, 4, 15) not in sent_days
    # Overdue January: คอนสาร is still reminded in the first days of February, and the
    # province is told.
    assert ("province", "ชัยภูมิ", date(2025, 1, 25), -1) in sent_days[date(2025, 1, 27)]
    # บ้านเขว้า is late every month: it gets every district deadline's day-of reminder.
    district_deadlines = [d for d in deadlines.deadlines(rules_of(config)) if d.level == "district"]
    got_day_of = {
        k[2]
        for v in sent_days.values()
        for k in v
        if k[:2] == ("district", "บ้านเขว้า") and k[3] == 0
    }
    assert got_day_of == {d.due for d in district_deadlines}
    assert len(district_deadlines) == 11


def test_messages_say_when_the_deadline_falls_on_a_day_off(
    walk: tuple[Config, State], tmp_path: Path
) -> None:
    config, state = walk
    texts: list[str] = []
    sender = Sender(tmp_path / "outbox", echo=texts.append)
    daemon = Daemon(config, open_backend=open_backend, sender=sender, state=state)
    write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(date(2025, 4, 18)))
    with freeze_time(datetime(2025, 4, 18, 9, 0, tzinfo=BANGKOK)):
        daemon.remind_job()
    joined = "\n".join(texts)
    assert "ภายในวันนี้ (วันศุกร์ที่ 18 เมษายน 2568)" in joined
    assert "วันที่ 20 เมษายน 2568 ตรงกับวันอาทิตย์ ซึ่งเป็นวันหยุดราชการ" in joined
    # คอนสาร's April row is the 6th report in its tab (sheet row 7), still without hashtags.
    assert "อำเภอคอนสาร" in joined and "แถวที่ 7: แฮชแท็กยังไม่ครบ" in joined


def test_before_the_send_time_nothing_is_sent(walk: tuple[Config, State], tmp_path: Path) -> None:
    config, state = walk
    daemon = Daemon(config, open_backend=open_backend, sender=Sender(tmp_path / "o"), state=state)
    write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(date(2025, 1, 15)))
    with freeze_time(datetime(2025, 1, 15, 8, 59, tzinfo=BANGKOK)):
        assert daemon.remind_job() is None
    with freeze_time(datetime(2025, 1, 15, 11, 30, tzinfo=BANGKOK)):  # a late start catches up
        result = daemon.remind_job()
    assert result is not None and len(result.sent) == 2


GOLDEN = Path(__file__).parent / "golden_letters"
# The letters of January and April 2025 pinned word for word (tests/golden_letters/): a
# district before its deadline and overdue, its province told of late districts, the
# province's own deadline on a Saturday and overdue, the admins' digest, and the district
# deadline that falls on a Sunday in April.
PINNED = {
    date(2025, 1, 15): ("district-คอนสาร",),
    date(2025, 1, 21): ("district-บ้านเขว้า", "province-ชัยภูมิ"),
    date(2025, 1, 24): ("province-ชัยภูมิ", "admin"),
    date(2025, 1, 27): ("province-ชัยภูมิ", "admin"),
    date(2025, 4, 11): ("district-คอนสาร",),
    date(2025, 4, 18): ("district-บ้านเขว้า",),
}


@pytest.mark.slow
def test_the_letters_of_january_and_april_2025_read_as_pinned(
    walk: tuple[Config, State], tmp_path: Path
) -> None:
    config, state = walk
    texts: list[str] = []
    sender = Sender(tmp_path / "outbox", echo=texts.append)
    daemon = Daemon(config, open_backend=open_backend, sender=sender, state=state)
    for day, names in PINNED.items():
        write_workbook(tmp_path / "chaiyaphum.xlsx", sheets_on(day))
        texts.clear()
        with freeze_time(datetime(day.year, day.month, day.day, 9, 0, tzinfo=BANGKOK)):
            daemon.remind_job()
        by_recipient = {_recipient(t): t.replace(str(tmp_path), "/TMP") for t in texts}
        for name in names:
            golden = (GOLDEN / f"{day.isoformat()}-{name}.txt").read_text(encoding="utf-8")
            assert by_recipient[name] == golden, f"{day} {name}"
    # The digests carry their charts; the outbox keeps them beside the text.
    charts = {p.name.split("-", 2)[-1] for p in (tmp_path / "outbox").glob("*.png")}
    assert charts == {"by_kind.png", "by_province.png", "coverage.png"}


def _recipient(text: str) -> str:
    """district-<name>, province-<name> or admin, from the letter's เรียน line."""
    line = next(x for x in text.splitlines() if x.startswith("เรียน "))
    if line.startswith("เรียน ท้องถิ่นอำเภอ"):
        return "district-" + line.removeprefix("เรียน ท้องถิ่นอำเภอ")
    if line.startswith("เรียน ท้องถิ่นจังหวัด"):
        return "province-" + line.removeprefix("เรียน ท้องถิ่นจังหวัด")
    return "admin"
