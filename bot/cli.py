"""The `softpower-bot` command line: thin wiring around the library, one function a command.

Exit codes: 0 done; 1 `check` found errors, `sync` had to skip a spreadsheet, or `doctor`
found something that blocks a sync;
2 the bot could not run (bad config, missing workbook, another bot running).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date
from types import FrameType
from typing import TYPE_CHECKING

from bot import CONFIG_ENV, DEFAULT_CONFIG_PATH, thai
from bot.cli_line import add_line_commands
from bot.cli_report import add_report_command
from bot.errors import BotError
from bot.output import pairs, table
from bot.problems import KINDS

# What a command needs (pydantic models, openpyxl, apprise, holidays, jinja2...) is imported
# when it runs, so `--help` and a mistyped command answer at once.
if TYPE_CHECKING:
    from bot.config import Config
    from bot.cycle import CycleReport

EXIT_OK, EXIT_FOUND, EXIT_FAILED = 0, 1, 2

DESCRIPTION = """\
Checks the monthly reports of the "1 อำเภอ 1 อัตลักษณ์ท้องถิ่น" (Soft Power) programme,
flags problems next to each row in Thai, and rolls district rows up into provincial and
national tabs with a KPI summary."""


def _parse_today(text: str) -> date:
    parsed = thai.parse_date(text)
    if parsed is None:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2025-01-17 (C.E.) or 2568-01-17 (B.E.), got {text!r}"
        )
    return parsed


def cmd_check(args: argparse.Namespace) -> int:
    """Validate every district tab; write nothing."""
    from bot.backends import open_backend  # noqa: PLC0415
    from bot.config_load import load_config, local_today  # noqa: PLC0415
    from bot.cycle import check_cycle  # noqa: PLC0415
    from bot.doctor_local import period_findings  # noqa: PLC0415
    from bot.read_cache import cache_for  # noqa: PLC0415

    config = load_config(args.config)
    with open_backend(config) as backend:
        report = check_cycle(
            config, backend, local_today(config, args.today), cache=cache_for(config)
        )
    if args.json:
        _print_json(
            {
                "problems": [p.as_json() for p in report.problems],
                "summary": report.summary.as_json(),
            }
        )
    else:
        print(_problems_text(report))
        print()
        print(_summary_text(report))
        # After the programme's end (or before its start) the figures above mean little.
        for f in period_findings(config, report.summary.today):
            if f.level != "ok":
                print(f"\n{f.thai}\n{f.english}")
    return EXIT_FOUND if report.has_errors else EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    """Run one cycle: check, then write status columns, highlights and the bot's tabs."""
    from bot.backends import open_backend  # noqa: PLC0415
    from bot.config_load import load_config, local_today  # noqa: PLC0415
    from bot.cycle import sync_cycle  # noqa: PLC0415
    from bot.dispatch import record_manual_sync  # noqa: PLC0415
    from bot.read_cache import cache_for  # noqa: PLC0415

    config = load_config(args.config)
    with open_backend(config) as backend:
        report = sync_cycle(
            config, backend, local_today(config, args.today), cache=cache_for(config)
        )
        locations = {a.spreadsheet: backend.location(a.spreadsheet) for a in report.applied}
    record_manual_sync(config, report)
    if args.json:
        out = report.summary.as_json()
        out["spreadsheets"] = [
            {
                "spreadsheet": a.spreadsheet,
                "location": locations[a.spreadsheet],
                "written": a.written,
                "skipped_reason": a.skipped_reason,
            }
            for a in report.applied
        ]
        _print_json(out)
    else:
        print(_summary_text(report))
        print()
        print(_written_text(config, report, locations))
    return EXIT_FOUND if report.skipped else EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    """Check credentials, sharing, tabs, headers and bot tabs; say how to fix each."""
    from bot.backends import open_backend  # noqa: PLC0415
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.doctor import blocks_sync, diagnose  # noqa: PLC0415

    config = load_config(args.config)
    findings = diagnose(config, open_backend, args.today)
    if args.json:
        _print_json({"findings": [f.as_json() for f in findings],
                     "blocks_sync": blocks_sync(findings)})  # fmt: skip
    else:
        marks = {"ok": "✔", "warning": "⚠", "blocking": "✖"}
        for f in findings:
            print(f"{marks[f.level]} {f.subject}: {f.thai} — {f.english}")
        print()
        print("A sync cannot run until the ✖ lines are fixed." if blocks_sync(findings)
              else "Nothing blocks a sync.")  # fmt: skip
    return EXIT_FOUND if blocks_sync(findings) else EXIT_OK


def cmd_provision(args: argparse.Namespace) -> int:
    """Make the spreadsheets, tabs, help and sharing the config names and lacks."""
    from bot.backends import open_backend  # noqa: PLC0415
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.provision import provision  # noqa: PLC0415

    config = load_config(args.config, provision=True)
    with open_backend(config, provision=True) as backend:
        report = provision(config, backend, dry_run=args.dry_run)
    if args.json:
        _print_json(report.as_json())
    else:
        print(report.as_text())
    return EXIT_FOUND if report.failed else EXIT_OK


def cmd_remind(args: argparse.Namespace) -> int:
    """`remind` (see `bot.cli_daemon`)."""
    from bot import cli_daemon  # noqa: PLC0415

    return cli_daemon.cmd_remind(args)


def cmd_run(args: argparse.Namespace) -> int:
    """`run` (see `bot.cli_daemon`). A SIGTERM or SIGINT while it starts (importing and
    loading take a while on a busy machine) is kept, and stops it cleanly once started."""
    early = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        early.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    from bot import cli_daemon  # noqa: PLC0415

    return cli_daemon.cmd_run(args, early)


def cmd_status(args: argparse.Namespace) -> int:
    """`status` (see `bot.cli_daemon`)."""
    from bot import cli_daemon  # noqa: PLC0415

    return cli_daemon.cmd_status(args)


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _summary_text(report: CycleReport) -> str:
    s = report.summary
    lines = [
        f"softpower-bot · {thai.date_label(s.today)} ({s.today.isoformat()})",
        pairs(
            [
                ("จำนวนแถวที่อ่าน (rows read)", f"{s.rows_read:,}"),
                ("จำนวนแถวที่ครบถ้วน (complete)", f"{s.rows_complete:,}"),
                ("ข้อผิดพลาด (errors)", f"{s.errors:,}"),
                ("ข้อสังเกต (warnings)", f"{s.warnings:,}"),
                (
                    "อำเภอที่มีอัตลักษณ์ (districts covered)",
                    f"{s.districts_with_identity:,} of the {s.districts:,} districts checked",
                ),
                (
                    "เป้าหมาย (target in force)",
                    f"{s.target_districts:,} districts by {thai.date_label(s.target_by)} "
                    f"({s.target_by.isoformat()}): {s.districts_with_identity:,} covered, "
                    f"{100 * s.districts_with_identity / s.target_districts:.1f}%",
                ),
            ]
        ),
    ]
    if s.problems_by_code:
        lines += [
            "",
            "Problems by kind:",
            table(
                ["code", "count", "meaning"],
                [
                    (code, n, KINDS[code].gloss)
                    for code, n in sorted(
                        s.problems_by_code.items(), key=lambda kv: (-kv[1], kv[0])
                    )
                ],
            ),
        ]
    return "\n".join(lines)


def _problems_text(report: CycleReport) -> str:
    if not report.problems:
        return "No problems found: every row is complete."
    rows = [
        (p.tab, p.row or "-", p.code, "E" if p.severity == "error" else "W", p.message)
        for p in sorted(report.problems, key=lambda p: (p.spreadsheet, p.tab, p.row or 0))
    ]
    return table(["tab", "row", "code", "", "message"], rows)


def _written_text(config: Config, report: CycleReport, locations: dict[str, str]) -> str:
    lines = []
    for a in report.applied:
        where = locations[a.spreadsheet]
        if a.skipped_reason:
            lines.append(f"  NOT WRITTEN  {where}: {a.skipped_reason}")
        else:
            lines.append(f"  {'updated    ' if a.written else 'unchanged  '}  {where}")
    national = locations.get(config.national.sheet, "")
    lines.append("")
    lines.append(
        f"Open {national}: tab “{config.tabs.issues}” lists every problem with a link to its "
        f"cell; “{config.tabs.summary}” has the KPIs."
    )
    return "Spreadsheets:\n" + "\n".join(lines)


EXAMPLES = {
    "check": "softpower-bot --config config.yaml check --json > problems.json",
    "sync": "softpower-bot --config config.yaml --today 2025-01-17 sync",
    "doctor": "softpower-bot --config config.yaml doctor",
    "provision": "softpower-bot --config config.yaml provision --dry-run",
    "remind": "softpower-bot --config config.yaml --today 2025-01-17 remind --dry-run",
    "run": "softpower-bot --config config.yaml run",
    "status": "softpower-bot --config config.yaml status --json",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with an example in every command's help."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=f"the YAML config (default: ${CONFIG_ENV} or {DEFAULT_CONFIG_PATH})",
    )
    common.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        type=_parse_today,
        default=argparse.SUPPRESS,
        help="act as if today were this date (C.E. or B.E.; default: today in Asia/Bangkok)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        default=argparse.SUPPRESS,
        help="show tracebacks and debug logs",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log progress to stderr",
    )
    parser = argparse.ArgumentParser(
        prog="softpower-bot",
        description=DESCRIPTION,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="example:\n  " + "\n  ".join(EXAMPLES.values()),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands: list[tuple[str, Callable[[argparse.Namespace], int], str]] = [
        (
            "check",
            cmd_check,
            "validate every district tab without writing anything "
            "(exit code 1 when any error is found)",
        ),
        (
            "sync",
            cmd_sync,
            "run one cycle: validate, write status and highlights, rebuild "
            "the provincial, national, summary and issues tabs",
        ),
        (
            "doctor",
            cmd_doctor,
            "check credentials, sharing, tabs, headers and bot tabs, and say how to fix "
            "each problem (exit code 1 when something blocks a sync)",
        ),
        (
            "provision",
            cmd_provision,
            "make the spreadsheets, district tabs, header notes, drop-downs and sharing the "
            "config names and lacks; never changes a typed cell (--dry-run: only show the plan)",
        ),
        (
            "remind",
            cmd_remind,
            "send the deadline reminders due today to those who still owe something "
            "(--dry-run: only show them)",
        ),
        (
            "run",
            cmd_run,
            "run the daemon in the foreground: sync every few minutes, remind at the "
            "send time; stops cleanly on SIGTERM/SIGINT",
        ),
        ("status", cmd_status, "the last sync, the next jobs, reminders sent this month"),
    ]
    for name, func, text in commands:
        p = sub.add_parser(
            name,
            parents=[common],
            help=text,
            description=text,
            epilog=f"example:\n  {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if name != "run":
            p.add_argument("--json", action="store_true", help="print JSON for scripts")
        if name == "remind":
            dry = "show the messages, rendered, without sending or recording"
            p.add_argument("--dry-run", action="store_true", help=dry)
        if name == "provision":
            dry = "read everything and print the plan; make and write nothing"
            p.add_argument("--dry-run", action="store_true", help=dry)
        p.set_defaults(func=func)
    add_line_commands(sub, common)
    add_report_command(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name, default in (("config", None), ("today", None), ("debug", False), ("verbose", False)):
        if not hasattr(args, name):
            setattr(args, name, default)
    # The daemon logs its progress (to stderr, i.e. the journal) without being asked.
    chatty = args.verbose or args.command in ("run", "line-webhook")
    level = logging.DEBUG if args.debug else logging.INFO if chatty else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        print("softpower-bot: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`softpower-bot check --json | head`): stop quietly, and keep
        # Python from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a process killed by SIGPIPE
    except Exception as exc:  # one line and exit 2, whatever went wrong; --debug shows all
        if args.debug:
            raise
        print(f"softpower-bot: error: {error_line(exc)}", file=sys.stderr)
        return EXIT_FAILED


# What kind of failure, in Thai, before the English detail: admins of Thai offices read it.
_KIND_TH = {
    "ConfigError": "ไฟล์ตั้งค่าไม่ถูกต้อง",
    "SheetError": "เปิดหรือบันทึกสเปรดชีตไม่ได้",
    "StateError": "ใช้ไฟล์สถานะของบอทไม่ได้",
    "NotifyError": "ส่งข้อความแจ้งเตือนไม่ได้",
}
MAX_LINE = 1000


def error_line(exc: BaseException) -> str:
    """One line that says what went wrong, where, and the fix: Thai first, then English."""
    if isinstance(exc, BotError):
        kinds = {c.__name__ for c in type(exc).__mro__}
        kind = next((v for k, v in _KIND_TH.items() if k in kinds), "บอทไม่สามารถทำงานได้")
        message = str(exc)
        # A message that already leads in Thai (Google's refusals, explained) needs no kind.
        text = message if "\u0e00" <= message[:1] <= "\u0e7f" else f"{kind} — {message}"
    elif isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        text = (
            f"อ่านหรือเขียนไฟล์ไม่ได้ — {where}{exc.strerror or exc}; check that the path exists "
            "and that the user running the bot may read and write it"
        )
    else:
        text = (
            f"เกิดข้อผิดพลาดที่ไม่คาดคิด — unexpected {type(exc).__name__}: {exc}; this is a bug "
            "in softpower-bot: run the same command again with --debug to see where, and "
            "report it"
        )
    line = " ".join(text.split())
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


if __name__ == "__main__":
    sys.exit(main())
