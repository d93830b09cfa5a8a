"""Which round of the programme is in force on a day, and what becomes of the rows of an
earlier round. Pure: the day is a parameter.

- The round in force on a day is the latest round that has started (its first report
  month has begun); before the first one starts, the first. Once a round's calendar is
  over (its last deadline and overdue notices are past) and the next has not started, it
  stays in force for the checks, so late corrections still count, but nothing is sent:
  `between_rounds` says so, for `doctor` and `status`.
- `config_on(config, day)` narrows a config to the round in force (`Config.narrowed`): its
  period, targets, deadline days and district tab names. A config of one `programme:` is
  returned as it is, so everything built before rounds works unchanged.
- Rows whose report month belongs to an earlier round are archived, not errors
  (`split_rounds`): they are checked under their own round's rules, left as typed, marked as
  archived in the status column, frozen once into the round's archive tab
  (`tabs.archive`), and give the district register its history.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from bot import deadlines, thai
from bot.config import Config, SourceTab, source_tabs
from bot.config_rounds import Round
from bot.form import ParsedRow, ParsedTab
from bot.reminders import all_rules


def round_on(config: Config, day: date) -> Round | None:
    """The round in force on `day` (None for a config of one `programme:`)."""
    rounds = config.unnarrowed().rounds
    if not rounds:
        return None
    started = [r for r in rounds if date(*r.start, 1) <= day]
    return started[-1] if started else rounds[0]


def config_on(config: Config, day: date) -> Config:
    """`config` narrowed to the round in force on `day`; itself when it has no rounds or
    is narrowed to that round already."""
    rnd = round_on(config, day)
    if rnd is None or config.in_force == rnd.label:
        return config
    return config.narrowed(rnd)


def earlier_rounds(config: Config) -> list[Round]:
    """The rounds before the one `config` is narrowed to: their rows are archived."""
    rounds = config.unnarrowed().rounds or []
    labels = [r.label for r in rounds]
    if config.in_force not in labels:
        return []
    return rounds[: labels.index(config.in_force)]


def round_of_month(rounds: list[Round], month: tuple[int, int]) -> Round | None:
    """The round whose period holds a report month, if any."""
    return next((r for r in rounds if r.start <= month <= r.end), None)


def last_day(config: Config) -> date:
    """The last day anything is sent in the round `config` is narrowed to: its last
    reminder or overdue notice over every province's calendar."""
    days = [r.send_on for rules in all_rules(config) for r in deadlines.schedule(rules)]
    return max(days) if days else thai.month_end(config.programme.end)


@dataclass(frozen=True)
class Between:
    """A day between rounds: the round that ended, its last sending day, and the next
    round with its first day (None when no later round is configured yet)."""

    ended: Round
    last_day: date
    next: Round | None
    starts: date | None

    def thai(self) -> str:
        """The admin's line in Thai."""
        text = (
            f"อยู่ระหว่างรอบการรายงาน: รอบปีงบประมาณ พ.ศ. {self.ended.label} สิ้นสุดการแจ้งเตือนแล้ว"
            f"เมื่อวันที่ {thai.date_label(self.last_day)} "
        )
        if self.next is None or self.starts is None:
            return (
                text
                + "และยังไม่ได้กำหนดรอบถัดไป ระบบจึงไม่ส่งการแจ้งเตือน กรุณาเพิ่มรอบถัดไปในไฟล์ตั้งค่า (rounds:)"
            )
        return text + (
            f"รอบปีงบประมาณ พ.ศ. {self.next.label} เริ่มวันที่ {thai.date_label(self.starts)} "
            "ระหว่างนี้ระบบจะไม่ส่งการแจ้งเตือน"
        )

    def english(self) -> str:
        """The admin's line in English."""
        text = (
            f"between rounds: the fiscal {self.ended.label} round sent its last reminder on "
            f"{self.last_day.isoformat()}; "
        )
        if self.next is None or self.starts is None:
            return (
                text + "no later round is configured: no reminders are sent until one is added "
                "under rounds:"
            )
        return text + (
            f"the fiscal {self.next.label} round starts on {self.starts.isoformat()}; "
            "no reminders are sent until then"
        )


def between_rounds(config: Config, day: date) -> Between | None:
    """Whether `day` falls after the calendar of the round in force and before the next
    round (or after the last round): then no reminders go out."""
    rnd = round_on(config, day)
    if rnd is None or day < date(*rnd.start, 1):
        return None
    narrowed = config_on(config, day)
    end = last_day(narrowed)
    if day <= end:
        return None
    rounds = config.unnarrowed().rounds or []
    later = rounds[rounds.index(rnd) + 1 :]
    nxt = later[0] if later else None
    return Between(rnd, end, nxt, date(*nxt.start, 1) if nxt else None)


def cycle_sources(config: Config) -> list[SourceTab]:
    """The district tabs a cycle reads: the round in force's, then the tabs of earlier
    rounds that had other names (read only for their archived rows, never written)."""
    current = source_tabs(config)
    seen = {(s.spreadsheet, s.tab) for s in current}
    out = list(current)
    for rnd in earlier_rounds(config):
        for s in source_tabs(config.narrowed(rnd)):
            if (s.spreadsheet, s.tab) not in seen:
                seen.add((s.spreadsheet, s.tab))
                out.append(s)
    return out


def row_month(row: ParsedRow) -> tuple[int, int] | None:
    """A row's report month as the checks read it."""
    raw = row.raw.get("report_month", "")  # none kept: a text cell
    return thai.parse_month(raw if not isinstance(raw, str) else row.text.get("report_month", ""))


@dataclass
class Archived:
    """An earlier round's rows as read now: per tab, only that round's rows."""

    round: Round
    tabs: list[ParsedTab]


def split_rounds(config: Config, tabs: list[ParsedTab]) -> tuple[list[ParsedTab], list[Archived]]:
    """The tabs with the rows of the round in force only, and the earlier rounds' rows.

    A tab of the round in force keeps its tab-level problems and every row that does not
    belong to an earlier round (a month in no round is still OUT_OF_PERIOD). A tab that only
    an earlier round named is left out of the round in force entirely.
    """
    earlier = earlier_rounds(config)
    if not earlier:
        return tabs, []
    current_ids = {(s.spreadsheet, s.tab) for s in source_tabs(config)}
    kept: list[ParsedTab] = []
    per_round: dict[str, Archived] = {r.label: Archived(r, []) for r in earlier}
    for tab in tabs:
        by_round: dict[str, list[ParsedRow]] = {}
        rest: list[ParsedRow] = []
        for row in tab.rows:
            month = row_month(row)
            rnd = round_of_month(earlier, month) if month is not None else None
            if rnd is None:
                rest.append(row)
            else:
                by_round.setdefault(rnd.label, []).append(row)
        for label, rows in by_round.items():
            per_round[label].tabs.append(replace(tab, rows=rows, problems=[]))
        if (tab.source.spreadsheet, tab.source.tab) in current_ids:
            kept.append(replace(tab, rows=rest) if by_round else tab)
    return kept, [a for a in per_round.values() if a.tabs]


def archive_tab(config: Config, rnd: Round) -> str:
    """The name of an ended round's archive tab."""
    return config.tabs.archive.format(round=rnd.label)


def archive_note(config: Config, rnd: Round) -> str:
    """The status of an archived row, in polite Thai: nothing to do."""
    return (
        f"รายการของปีงบประมาณ พ.ศ. {rnd.label} ซึ่งสิ้นสุดแล้ว "
        f"ระบบจัดเก็บไว้ในแท็บ “{archive_tab(config, rnd)}” ไม่ต้องดำเนินการใด ๆ เพิ่มเติม"
    )
