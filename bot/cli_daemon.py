"""The daemon's commands: `run`, `remind` and `status`. Thin wiring, like `bot.cli`: load the
config, call one library function, format what it returns."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

from bot import thai
from bot.backends import open_backend
from bot.config_load import load_config, local_today
from bot.dispatch import RemindRun, make_sender, open_state, remind
from bot.doctor_local import channel_findings
from bot.line_quota import cost_lines
from bot.notify import channel_limit
from bot.output import pairs, table
from bot.scheduler import Daemon
from bot.splitting import split_message
from bot.status import StatusReport, gather_status

log = logging.getLogger("bot.daemon")


def cmd_remind(args: argparse.Namespace) -> int:
    """Show (with --dry-run) or send the reminders due today (or on --today)."""
    config = load_config(args.config)
    today = local_today(config, args.today)
    # With --json, stdout is for the JSON alone; each send is logged (one line, -v).
    echo = None if args.json else (lambda text: print(text, flush=True))
    run = remind(config, open_backend, today, send=not args.dry_run, echo=echo)
    # A channel whose secret is unset would fail at send time: a rehearsal says so now.
    broken = [f for f in channel_findings(config, probe=False) if f.level != "ok"]
    if args.json:
        out = run.as_json()
        if args.dry_run:
            out["channel_problems"] = [f.as_json() for f in broken]
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(_remind_text(run, dry_run=args.dry_run))
        if args.dry_run and broken:
            print("\nChannels that would fail (fix them before the real run):")
            print("\n".join(f"  ✖ {f.subject}: {f.thai} — {f.english}" for f in broken))
    return 1 if run.sent is not None and run.sent.failed else 0


def cmd_run(args: argparse.Namespace, early: threading.Event | None = None) -> int:
    """Run the daemon in the foreground until SIGTERM or SIGINT (`early`: set when one
    came while the command was starting)."""
    config = load_config(args.config)
    with open_state(config) as state:
        state.lock()
        now = None
        if args.today:
            # Run as if on that day (at the real time of day): for rehearsals and tests.
            tz, day = ZoneInfo(config.timezone), args.today

            def now() -> datetime:
                return datetime.combine(day, datetime.now(tz).time(), tzinfo=tz)

        # One log line per message (bot.dispatch); bodies only with --debug.
        sender = make_sender(config)
        daemon = Daemon(config, open_backend=open_backend, sender=sender, state=state, now=now)

        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("received %s: finishing the job in hand", signal.Signals(signum).name)
            daemon.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if early is not None and early.is_set():
            log.info("asked to stop while starting: stopped before any job")
            return 0
        daemon.run()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """The last sync, the next jobs, this month's reminders and the coverage."""
    config = load_config(args.config)
    with open_state(config) as state:
        report = gather_status(config, state, local_today(config, args.today))
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2, default=str))
    else:
        print(_status_text(report))
    return 0


def _remind_text(run: RemindRun, *, dry_run: bool) -> str:
    rows = run.rows()
    lines = []
    if not rows:
        lines.append(
            f"No reminders are due on {thai.date_label(run.today)} ({run.today.isoformat()})."
        )
    for row in rows:
        parts = len(split_message(str(row["text"]), channel_limit(str(row["channel"]))))
        lines.append(f"── {row['level']} · {row['recipient']} · {row['channel']}"
                     f"{f' · {parts} parts' if parts > 1 else ''}")  # fmt: skip
        lines.append(f"   {row['title']}")
        if dry_run:
            lines.append("   " + str(row["text"]).replace("\n", "\n   "))
    lines.append(
        f"\nLINE messages this run would cost (estimate): {run.as_json()['line_messages_estimate']}"
    )
    lines += cost_lines(run.sent.line if run.sent is not None else run.line)
    if run.sent is not None:
        sent = run.sent
        lines.append(f"sent {len(sent.sent)}, already sent before {sent.already}, "
                     f"failed {len(sent.failed)}")  # fmt: skip
        lines += [
            f"  FAILED {message.recipient} via {channel}: {error} (retried on the next run)"
            for message, channel, error in sent.failed
        ]
    return "\n".join(lines)


def _status_text(report: StatusReport) -> str:
    lines = []
    last = report.last_sync
    if last:
        result = "ok" if last["ok"] else f"FAILED: {last['error']}"
        if report.next_sync:
            upcoming_sync = report.next_sync.isoformat(timespec="seconds")
        else:
            upcoming_sync = "none: no daemon is running (start it with `softpower-bot run`)"
        lines.append(pairs([("last sync", f"{last['at']} ({result})"),
                            ("consecutive failures", last["consecutive_failures"]),
                            ("next sync", upcoming_sync)]))  # fmt: skip
    else:
        lines.append("  no sync recorded yet (start the daemon with `softpower-bot run`)")
    if report.programme_ended:
        lines.append(
            f"  the programme ended on {thai.date_label(report.programme_ended)} "
            f"({report.programme_ended.isoformat()}): set the next round's period, targets "
            "and deadlines under programme: in the config"
        )
    if report.between:
        lines.append(f"  {report.between.english()}")
    summary = report.coverage
    if isinstance(summary, dict):
        target = summary.get("target", {})
        covered = summary.get("districts_with_identity")
        goal = f"of target {target.get('districts')} by {target.get('by')}"
        lines.append(pairs([("districts covered", f"{covered} {goal}")]))
    lines.append("\nNext reminders:")
    upcoming = [(r.send_on, r.deadline.level, r.kind, r.deadline.due) for r in report.upcoming]
    lines.append(table(["send on", "level", "kind", "deadline"], upcoming))
    lines.append(f"\nReminders sent this month: {len(report.sent)}")
    if report.failing:
        lines.append(f"Reminders failing (retried): {len(report.failing)}")
    return "\n".join(lines)
