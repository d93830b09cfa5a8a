"""The answer to "สถานะ" in a LINE group: its province's or district's report, read now.

Computed by the same core as the reminders (`bot.cycle.evaluate`, then
`bot.reminders.district_states`), from a fresh read of that one province's spreadsheet,
not from the last sync: staff ask right after fixing a row, and an answer up to
`daemon.sync_every_minutes` old would tell them to fix what they just fixed. It costs one
read of one spreadsheet (one Sheets API request), well inside the reply token's life.
When that read fails (Google down; with xlsx, the daemon holding the folder's lock while
it syncs) the last good read (`bot.read_cache`) answers instead, and the text says so and
from when. The fresh read is not stored in the read cache: it may hold one district's tab
only, and the cache keeps whole spreadsheets.

The report month is the one whose province deadline is in force: from the 21st to the
25th, districts that are late for this month still see this month, overdue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot import deadlines, geo, thai
from bot.config import Config, ProvinceSheet, source_tabs
from bot.cycle import evaluate
from bot.errors import BotError, SheetError
from bot.model import Link
from bot.read_cache import cache_for
from bot.reminders import DistrictState, district_states, rules_of
from bot.render import template
from bot.sheets import Backend, SheetRead
from bot.splitting import split_message

log = logging.getLogger(__name__)

LINE_TEXT_LIMIT = 5000
LINE_REPLY_MESSAGES = 5


@dataclass
class PlaceStatus:
    """A province's or district's standing for the report month in force."""

    province: str
    district: str | None
    month: tuple[int, int] | None  # None: the programme is over
    due: list[deadlines.Deadline]  # the month's district deadline, then the province's
    states: list[DistrictState]
    complete_total: dict[str, int]  # district tab -> complete rows over the programme
    as_of: datetime
    stale_since: datetime | None = None  # the read comes from the cache, made then
    stale_reason: str = ""


def province_sheet(config: Config, province: str) -> ProvinceSheet | None:
    """The configured spreadsheet of `province` (a registry name), if any."""
    return next((p for p in config.provinces if p.province == province), None)


def place_status(
    config: Config,
    backend: Backend,
    province: str,
    district: str | None,
    *,
    now: datetime,
) -> PlaceStatus:
    """Read the place's district tabs and work out its standing at `now`.

    Raises `BotError` when the province has no spreadsheet in the config, or when its
    spreadsheet can be read neither now nor from the read cache.
    """
    sheet = province_sheet(config, province)
    if sheet is None:
        raise BotError(f"จังหวัด{province} ไม่มีสเปรดชีตในไฟล์ตั้งค่า (provinces)")
    narrowed = sheet.narrowed_to(district) if district else sheet
    local = config.model_copy(update={"provinces": [narrowed]})
    sources = source_tabs(local)
    stale_since: datetime | None = None
    reason = ""
    today = now.date()
    # The place's district tabs: in the province's spreadsheet, or in ones of their own.
    reads: dict[str, SheetRead] = {}
    for where in dict.fromkeys(s.spreadsheet for s in sources):
        tabs = [s.tab for s in sources if s.spreadsheet == where]
        try:
            with backend:
                reads[where] = backend.read(where, tabs, [])
        except SheetError as exc:
            cached = cache_for(config).load(where)
            if cached is None:
                raise
            log.warning("status of %s from the read of %s: %s", province, cached.read_at, exc)
            reads[where] = SheetRead(where, cached.tabs)
            stale_since = min(stale_since or cached.read_at, cached.read_at)
            reason = str(exc)
    present = [s for s in sources if s.tab in reads[s.spreadsheet].tabs]
    report = evaluate(local, present, reads, today)
    rules = rules_of(config, province)
    in_force = deadlines.deadline_in_force("province", today, rules)
    month = in_force.month if in_force else None
    due = [d for d in deadlines.deadlines(rules) if month is not None and d.month == month]
    if district:
        due = [d for d in due if d.level == "district"]
    states = district_states(local, report.results, report.problems, month) if month else []
    if not month:
        states = [DistrictState(s) for s in sources]
    totals = {s.tab: 0 for s in sources}
    for r in report.results:
        if r.complete:
            totals[r.row.source.tab] = totals.get(r.row.source.tab, 0) + 1
    return PlaceStatus(
        province, district, month, due, states, totals, now, stale_since, reason[:200]
    )


def status_texts(
    config: Config, status: PlaceStatus, today: date, link: Callable[[Link], str]
) -> list[str]:
    """The status as at most five LINE texts (the most one reply holds).

    A province with a very long list is cut after four texts; the fifth says where the
    whole list is.
    """
    digits = config.reminders.thai_digits

    def n(value: int) -> str:
        return thai.to_thai_digits(str(value)) if digits else str(value)

    def when(due: date) -> str:
        days = (due - today).days
        if days > 0:
            return f"อีก {n(days)} วัน"
        return "ครบกำหนดวันนี้" if days == 0 else f"ล่วงเลยกำหนดมาแล้ว {n(-days)} วัน"

    districts = [
        {
            "name": st.source.district.name,
            "covered": status.complete_total.get(st.source.tab, 0) > 0,
            "complete_total": n(status.complete_total.get(st.source.tab, 0)),
            "complete_month": n(st.complete),
            "owes": st.owes,
            "todos": [{"text": t.text, "url": link(t.link) if t.link else ""} for t in st.todos],
        }
        for st in status.states
    ]
    who = {
        "district": "อำเภอรายงานจังหวัด",
        "province": "จังหวัดรายงานกรมส่งเสริมการปกครองท้องถิ่น",
    }
    place = f"จังหวัด{status.province}"
    if status.district:
        place = f"อำเภอ{status.district} {place}"
    context = {
        "programme": config.programme.name,
        "level": "district" if status.district else "province",
        "place": place,
        "month": thai.month_label(*status.month, thai_digits=digits) if status.month else "",
        "as_of": thai.datetime_label(status.as_of, thai_digits=digits),
        "stale": status.stale_since is not None,
        "stale_since": (
            thai.datetime_label(status.stale_since, thai_digits=digits)
            if status.stale_since
            else ""
        ),
        "deadlines": [
            {
                "who": who[d.level],
                "due": thai.date_label(d.due, thai_digits=digits),
                "when": when(d.due),
                "holiday": (d.holiday_name or "วันหยุดราชการ") if d.non_working else "",
                "effective": thai.weekday_date_label(d.effective, thai_digits=digits),
            }
            for d in status.due
        ],
        "districts": districts,
        "covered": n(sum(1 for d in districts if d["covered"])),
        "owing": n(sum(1 for d in districts if d["owes"])),
        "total": n(len(districts)),
    }
    text = template(config, "line_status.txt.j2").render(context).strip()
    parts = split_message(text, LINE_TEXT_LIMIT)
    if len(parts) <= LINE_REPLY_MESSAGES:
        return parts
    sheet = province_sheet(config, status.province)
    where = ""
    if sheet is not None:
        province = geo.find_province(status.province)
        if province is not None:
            tab = config.tabs.province_tab(province)
            where = f" {link(Link(sheet.sheet, tab, 1, 1))}"
    more = (
        "รายการมีจำนวนมากเกินกว่าที่ส่งทาง LINE ได้ในครั้งเดียว "
        f"ขอความกรุณาดูรายการทั้งหมดในแท็บรวมของจังหวัด{where}"
    )
    return [*parts[: LINE_REPLY_MESSAGES - 1], more]
