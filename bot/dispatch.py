"""Today's reminders, end to end: read the sheets fresh, decide, render, and send each
message on each channel exactly once (the state file remembers what went).

Shared by `softpower-bot remind` and the daemon's reminder job, so both decide and send
the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot import geo
from bot.chart_png import charts_available, render_png
from bot.config import Config
from bot.config_load import state_path
from bot.cycle import CycleReport, check_cycle
from bot.errors import BotError
from bot.line_quota import LineRound, estimate_round, guard_round
from bot.model import SheetPlan
from bot.notify import Sender, expand_env, line_messages, mask
from bot.read_cache import cache_for
from bot.reminders import Attachment, Message, due_messages
from bot.render import render_messages
from bot.sheets import Backend
from bot.splitting import message_text
from bot.state import SendKey, State

log = logging.getLogger(__name__)

# A channel that keeps failing is tried this often in a day, then reported and left.
MAX_TRIES = 5


def open_state(config: Config) -> State:
    """The state file the config names (use it as a context manager)."""
    path = state_path(config, config.daemon.state)
    tz = ZoneInfo(config.timezone)
    return State(path, now=lambda: datetime.now(tz))


def record_manual_sync(config: Config, report: CycleReport) -> None:
    """Record a sync made by hand in the state file, as the daemon records its own, so
    `status` tells of it; a state file that cannot be written only gets a warning."""
    try:
        with open_state(config) as state:
            state.record_sync(True, report.summary.as_json(), None)
    except BotError as exc:
        log.warning("the sync is not recorded in the state file: %s", exc)


def make_sender(config: Config, echo: Callable[[str], None] | None = None) -> Sender:
    """A sender writing the outbox the config names; `echo` receives outbox texts."""
    return Sender(
        state_path(config, config.reminders.outbox), echo=echo, line_api=config.line.api_base
    )


def reminders_due(config: Config, backend: Backend, today: date) -> list[Message]:
    """The rendered messages due on `today`, from the sheets as they are now; the admins'
    and provinces' digests carry their charts as PNG (`attach_charts`)."""
    report = check_cycle(config, backend, today, cache=cache_for(config))
    messages = due_messages(config, today, report.results, report.problems)
    attach_charts(config, messages, report.plans)
    return render_messages(config, messages, today, backend.link)


def attach_charts(config: Config, messages: list[Message], plans: list[SheetPlan]) -> None:
    """Attach to each digest the charts of its tab: the admins get the summary tab's, a
    province its dashboard's. Without matplotlib or the Thai font, digests go without."""
    wanted = [m for m in messages if m.level in ("admin", "province")]
    if not wanted:
        return
    why = charts_available()
    if why is not None:
        log.warning("digests go without charts: %s", why)
        return
    tabs = {tab.name: tab for plan in plans for tab in plan.tabs}
    drawn: dict[tuple[str, str], Attachment] = {}
    for message in wanted:
        if message.level == "admin":
            name = config.tabs.summary
        else:
            province = geo.find_province(message.recipient)
            name = config.tabs.dashboard_tab(province) if province else ""
        tab = tabs.get(name)
        if tab is None:
            continue
        for chart in tab.charts:
            key = (name, chart.key)
            if key not in drawn:
                try:
                    data = render_png(chart)
                except Exception as exc:  # a chart that cannot be drawn never stops a digest
                    log.warning("chart %s of %s not drawn: %s", chart.key, name, exc)
                    continue
                drawn[key] = Attachment(f"{chart.key}.png", f"แผนภูมิ{chart.title}", data)
            message.attachments.append(drawn[key])


def line_estimate(messages: list[Message]) -> int:
    """LINE messages these cost: each message on each of its own LINE channels."""
    return sum(
        line_messages([url], [message_text(m.title, m.text)])
        for m in messages
        for url in m.channels
        if url.startswith("line")
    )


@dataclass
class SendReport:
    """What one reminder run sent, skipped and failed."""

    sent: list[tuple[Message, str]] = field(default_factory=list)
    already: int = 0
    given_up: int = 0
    failed: list[tuple[Message, str, str]] = field(default_factory=list)
    line: LineRound | None = None  # the round's LINE cost and what went to fallbacks


def send_due(
    config: Config,
    messages: list[Message],
    today: date,
    sender: Sender,
    state: State,
) -> SendReport:
    """Send each message on each channel unless the state says it went already.

    The record is written right after each send returns, so a crash can repeat at most the
    one message whose send had finished and whose record had not; nothing is ever lost.
    """
    report = SendReport()
    # One sender at a time (the daemon, or `remind` beside it): the other waits, then
    # finds on record what went meanwhile. Nothing is sent if the state file was lost.
    with state.sending():
        state.verify()
        messages, report.line = guard_round(config, messages, today, sender, state)
        tries = {key: n for key, _, n in state.pending_failures(today)}
        for message in messages:
            for url in message.channels:
                _send_one(message, url, state, sender, tries=tries, report=report)
    return report


def _send_one(
    message: Message,
    url: str,
    state: State,
    sender: Sender,
    *,
    tries: dict[SendKey, int],
    report: SendReport,
) -> None:
    """Send one message on one channel unless it went already, is failing for good today,
    or another sender is sending it right now."""
    first = message.first
    shown = mask(url)
    key = SendKey(
        deadline=first.deadline.due,
        level=message.level,
        month=f"{first.deadline.month[0]:04d}-{first.deadline.month[1]:02d}",
        offset=first.offset,
        recipient=message.recipient,
        channel=shown,
    )
    if state.was_sent(key):
        report.already += 1
        return
    if tries.get(key, 0) >= MAX_TRIES:
        report.given_up += 1
        return
    if not state.claim(key):
        report.already += 1  # sent meanwhile, or being sent by the other sender right now
        return
    try:
        files = [(a.name, a.data) for a in message.attachments]
        delivery = sender.send(expand_env(url), message.title, message.text, files)
    except BotError as exc:
        state.mark_failed(key, str(exc))
        report.failed.append((message, shown, str(exc)))
        return
    if delivery.ok:
        state.mark_sent(key)
        report.sent.append((message, shown))
    else:
        state.mark_failed(key, delivery.error or "failed")
        report.failed.append((message, shown, delivery.error or "failed"))


@dataclass
class RemindRun:
    """What `softpower-bot remind` found due and, unless a dry run, what it sent."""

    today: date
    messages: list[Message]
    sent: SendReport | None = None  # None on a dry run
    line: LineRound | None = None  # LINE cost per push (read from LINE on a dry run)

    def rows(self) -> list[dict[str, object]]:
        """One entry per message and channel, channels masked (the `--json` shape)."""
        return [
            {
                "recipient": m.recipient,
                "level": m.level,
                "deadline": m.first.deadline.due.isoformat(),
                "offset": m.first.offset,
                "channel": mask(url),
                "title": m.title,
                "text": m.text,
            }
            for m in self.messages
            for url in m.channels
        ]

    def as_json(self) -> dict[str, object]:
        """The stable shape of `remind --json`."""
        out: dict[str, object] = {
            "messages": self.rows(),
            "line_messages_estimate": line_estimate(self.messages),
        }
        line = self.sent.line if self.sent is not None else self.line
        if line is not None:
            out["line_cost"] = line.as_json()
        if self.sent is not None:
            out["sent"] = len(self.sent.sent)
            out["already_sent"] = self.sent.already
            out["failed"] = [
                {"recipient": m.recipient, "channel": c, "error": e} for m, c, e in self.sent.failed
            ]
        return out


def remind(
    config: Config,
    open_backend: Callable[[Config], Backend],
    today: date,
    *,
    send: bool,
    echo: Callable[[str], None] | None = None,
) -> RemindRun:
    """Find the reminders due on `today` and, with `send`, send and record them."""
    with open_backend(config) as backend:
        messages = reminders_due(config, backend, today)
    run = RemindRun(today, messages)
    if not send:
        run.line = estimate_round(config, messages)
    if send:
        with open_state(config) as state:
            run.sent = send_due(config, messages, today, make_sender(config, echo), state)
    return run
