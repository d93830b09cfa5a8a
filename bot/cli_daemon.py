"""The daemon's commands: `run`, `remind` and `status`. Thin wiring, like `bot.cli`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
from datetime import datetime, timedelta
from types import FrameType
from zoneinfo import ZoneInfo

from bot import deadlines, thai
from bot.backends import open_backend
from bot.config import Config
from bot.config_load import config_path, load_config, local_today
from bot.cycle import check_cycle
from bot.notify import Sender, channel_limit, line_messages, mask, message_text, split_message
from bot.output import pairs, table
from bot.reminders import due_messages, rules_of
from bot.scheduler import Daemon, send_due
from bot.state import State

log = logging.getLogger("bot.daemon")


def _state(config: Config) -> State:
    return State(config_path(config, config.daemon.state), now=lambda: datetime.now().astimezone())


def _sender(config: Config, echo: bool) -> Sender:
    out = config_path(config, config.reminders.outbox)
    return Sender(out, echo=(lambda text: print(text, flush=True)) if echo else log.info)


def cmd_remind(args: argparse.Namespace) -> int:
    """Show (with --dry-run) or send the reminders due today (or on --today)."""
    config = load_config(args.config)
    today = local_today(config, args.today)
    with open_backend(config) as backend:
        report = check_cycle(config, backend, today)
        messages = due_messages(config, today, report.results, report.problems, link=backend.link)
    rows = [
        {
            "recipient": m.recipient,
            "level": m.level,
            "deadline": m.first.deadline.due.isoformat(),
            "offset": m.first.offset,
            "channel": mask(url),
            "title": m.title,
            "text": m.text,
        }
        for m in messages
        for url in m.channels
    ]
    # Each message costs its own pushes, on its own LINE channels (title included).
    estimate = sum(
        line_messages([url], [message_text(m.title, m.text)])
        for m in messages
        for url in m.channels
        if url.startswith("line")
    )
    sent = None
    if not args.dry_run:
        with _state(config) as state:
            sent = send_due(config, messages, today, _sender(config, echo=not args.json), state)
    if args.json:
        out: dict[str, object] = {"messages": rows, "line_messages_estimate": estimate}
        if sent is not None:
            out["sent"] = len(sent.sent)
            out["already_sent"] = sent.already
            out["failed"] = [
                {"recipient": m.recipient, "channel": c, "error": e} for m, c, e in sent.failed
            ]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        if not rows:
            print(f"No reminders are due on {thai.date_label(today)} ({today.isoformat()}).")
        for row in rows:
            parts = len(split_message(str(row["text"]), channel_limit(str(row["channel"]))))
            print(f"── {row['level']} · {row['recipient']} · {row['channel']}"
                  f"{f' · {parts} parts' if parts > 1 else ''}")  # fmt: skip
            print(f"   {row['title']}")
            if args.dry_run:
                print("   " + str(row["text"]).replace("\n", "\n   "))
        print(f"\nLINE messages this run would cost (estimate): {estimate}")
        if sent is not None:
            counts = (len(sent.sent), sent.already, len(sent.failed))
            print("sent {}, already sent before {}, failed {}".format(*counts))
            for message, channel, error in sent.failed:
                print(
                    f"  FAILED {message.recipient} via {channel}: {error} (retried on the next run)"
                )
    return 1 if sent is not None and sent.failed else 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the daemon in the foreground until SIGTERM or SIGINT."""
    config = load_config(args.config)
    with _state(config) as state:
        state.lock()
        sender = _sender(config, echo=False)
        now = None
        if args.today:
            # Run as if on that day (at the real time of day): for rehearsals and tests.
            tz = ZoneInfo(config.timezone)
            day = args.today

            def now() -> datetime:
                return datetime.combine(day, datetime.now(tz).time(), tzinfo=tz)

        daemon = Daemon(config, open_backend=open_backend, sender=sender, state=state, now=now)

        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("received %s: finishing the job in hand", signal.Signals(signum).name)
            daemon.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        daemon.run()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """The last sync, the next jobs, this month's reminders and the coverage."""
    config = load_config(args.config)
    today = local_today(config, args.today)
    rules = rules_of(config)
    with _state(config) as state:
        last = state.last_sync()
        month_start = today.replace(day=1)
        sent = state.sent_between(month_start, today)
        failing = state.pending_failures(today)
    upcoming = [r for r in deadlines.schedule(rules) if r.send_on >= today][:5]
    next_sync = None
    if last:
        next_sync = datetime.fromisoformat(str(last["at"])) + timedelta(
            minutes=config.daemon.sync_every_minutes
        )
    summary = last.get("summary") if last else None
    data = {
        "last_sync": last,
        "next_sync": next_sync.isoformat() if next_sync else None,
        "next_reminders": [
            {
                "send_on": r.send_on.isoformat(),
                "level": r.deadline.level,
                "kind": r.kind,
                "deadline": r.deadline.due.isoformat(),
                "offset": r.offset,
            }
            for r in upcoming
        ],
        "reminders_sent_this_month": [
            {
                "recipient": k.recipient,
                "level": k.level,
                "deadline": k.deadline.isoformat(),
                "offset": k.offset,
                "channel": k.channel,
                "at": at.isoformat(),
            }
            for k, at in sent
        ],
        "failed_reminders": [
            {"recipient": k.recipient, "channel": k.channel, "error": e, "tries": n}
            for k, e, n in failing
        ],
        "coverage": summary,
    }
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        return 0
    if last:
        result = "ok" if last["ok"] else f"FAILED: {last['error']}"
        print(pairs([("last sync", f"{last['at']} ({result})"),
                     ("consecutive failures", last["consecutive_failures"]),
                     ("next sync", data["next_sync"])]))  # fmt: skip
    else:
        print("  no sync recorded yet (start the daemon with `softpower-bot run`)")
    if isinstance(summary, dict):
        target = summary.get("target", {})
        print(pairs([("districts covered", f"{summary.get('districts_with_identity')} of target "
                      f"{target.get('districts')} by {target.get('by')}")]))  # fmt: skip
    print("\nNext reminders:")
    lines = [(r.send_on, r.deadline.level, r.kind, r.deadline.due) for r in upcoming]
    print(table(["send on", "level", "kind", "deadline"], lines))
    print(f"\nReminders sent this month: {len(sent)}")
    if failing:
        print(f"Reminders failing (retried): {len(failing)}")
    return 0
