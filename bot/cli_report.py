"""`softpower-bot report --quarter 2568Q2`: thin wiring around `bot.quarter_report`, which
(with pandas) is imported only when the command runs, so `--help` stays fast and the bot
runs without pandas until someone asks for a report."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.backends import open_backend
from bot.config_load import load_config, local_today
from bot.errors import BotError
from bot.quarters import Quarter, parse_quarter

EXAMPLE = "softpower-bot --config config.yaml report --quarter 2568Q2 --out q2-2568.xlsx"


def _quarter(text: str) -> Quarter:
    quarter = parse_quarter(text)
    if quarter is None:
        raise argparse.ArgumentTypeError(
            f"expected a fiscal quarter such as 2568Q2 (B.E. fiscal year, quarter 1-4), "
            f"got {text!r}"
        )
    return quarter


def cmd_report(args: argparse.Namespace) -> int:
    """Write the quarterly report for the Ministry as an xlsx workbook."""
    try:
        from bot import quarter_report  # noqa: PLC0415 - pandas only when a report is made
    except ImportError as exc:
        raise BotError(
            f"the quarterly report needs pandas ({exc}): install it with "
            "pip install 'softpower-bot[report]'"
        ) from None
    config = load_config(args.config)
    quarter: Quarter = args.quarter
    out = Path(args.out or f"softpower-report-{quarter.key}.xlsx")
    with open_backend(config) as backend:
        report = quarter_report.gather(config, backend, quarter, local_today(config, args.today))
    path = quarter_report.write_xlsx(report, out)
    if args.json:
        data = {
            "quarter": quarter.key,
            "as_of": report.as_of.isoformat(),
            "file": str(path),
            "districts": report.districts,
            "districts_with_identity": report.covered,
            "districts_without_identity": len(report.uncovered),
        }
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(report.title))
        print(f"wrote {path}")
    return 0


def add_report_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `report --quarter` to the command line."""
    text = (
        "write the quarterly report for the Ministry (xlsx): per province and per kind "
        "against the target, and the districts still without an identity"
    )
    p = sub.add_parser(
        "report",
        parents=[common],
        help=text,
        description=text,
        epilog=f"example:\n  {EXAMPLE}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--quarter",
        type=_quarter,
        required=True,
        metavar="YYYYQN",
        help="the fiscal quarter, e.g. 2568Q2 (January-March 2568)",
    )
    p.add_argument(
        "--out", metavar="PATH", help="where to write it (default: softpower-report-YYYYQN.xlsx)"
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_report)
