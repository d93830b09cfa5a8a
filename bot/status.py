"""`softpower-bot status`: what the state file says about the last sync, the reminders sent
and failing this month, and what the calendar says comes next.

Times are shown in the config's time zone. A "next sync" is given only while a daemon runs
on the state file (it holds the state lock); a sync made by hand (`softpower-bot sync`) is
recorded like the daemon's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot import deadlines, thai
from bot.config import Config
from bot.reminders import all_rules
from bot.state import SendKey, State


@dataclass
class StatusReport:
    """The daemon's standing on one day, as the state file and the calendar tell it."""

    last_sync: dict[str, object] | None
    next_sync: datetime | None
    upcoming: list[deadlines.Reminder]
    sent: list[tuple[SendKey, datetime]]
    failing: list[tuple[SendKey, str, int]]
    daemon_pid: int | None = None  # the running daemon, if any
    programme_ended: date | None = None  # the programme's last day, once it has passed

    @property
    def coverage(self) -> object:
        """The summary the last sync recorded (districts covered and the target), if any."""
        return self.last_sync.get("summary") if self.last_sync else None

    def as_json(self) -> dict[str, object]:
        """The stable shape of `status --json`."""
        return {
            "last_sync": self.last_sync,
            "next_sync": self.next_sync.isoformat() if self.next_sync else None,
            "daemon_running": self.daemon_pid is not None,
            "programme_ended": self.programme_ended.isoformat() if self.programme_ended else None,
            "next_reminders": [
                {
                    "send_on": r.send_on.isoformat(),
                    "level": r.deadline.level,
                    "kind": r.kind,
                    "deadline": r.deadline.due.isoformat(),
                    "offset": r.offset,
                }
                for r in self.upcoming
            ],
            "reminders_sent_this_month": [
                {
                    "recipient": k.recipient,
                    "level": k.level,
                    "deadline": k.deadline.isoformat(),
                    "offset": k.offset,
                    "channel": k.channel,
                    "at": at.isoformat(),  # already in the config's time zone
                }
                for k, at in self.sent
            ],
            "failed_reminders": [
                {"recipient": k.recipient, "channel": k.channel, "error": e, "tries": n}
                for k, e, n in self.failing
            ],
            "coverage": self.coverage,
        }


def _order(reminder: deadlines.Reminder) -> tuple[date, int, date, int]:
    level = 0 if reminder.deadline.level == "district" else 1
    return (reminder.send_on, level, reminder.deadline.due, -reminder.offset)


def gather_status(config: Config, state: State, today: date) -> StatusReport:
    """Read the state file and the calendar for `today` (the CLI's --today, or today)."""
    tz = ZoneInfo(config.timezone)
    last = state.last_sync()
    if last:
        last = {**last, "at": _local(str(last["at"]), tz)}
    sent = [(k, at.astimezone(tz)) for k, at in state.sent_between(today.replace(day=1), today)]
    failing = state.pending_failures(today)
    # Every calendar in force (provinces may keep their own deadline days), merged.
    merged = {r for rules in all_rules(config) for r in deadlines.schedule(rules)}
    upcoming = sorted((r for r in merged if r.send_on >= today), key=_order)[:5]
    pid = state.daemon_pid()
    next_sync = None
    if last and pid is not None:
        every = timedelta(minutes=config.daemon.sync_every_minutes)
        next_sync = datetime.fromisoformat(str(last["at"])) + every
    end = thai.month_end(config.programme.end)
    ended = end if today > end else None
    return StatusReport(last, next_sync, upcoming, sent, failing, pid, ended)


def _local(text: str, tz: ZoneInfo) -> str:
    """An ISO time from the state file, in the config's time zone (naive: taken as UTC)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(tz).isoformat(timespec="seconds")
