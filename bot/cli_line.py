"""The LINE commands: `line-webhook` (the service LINE posts events to), `line groups` and
`line map`. Thin wiring, like `bot.cli`."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import BotError, ConfigError
from bot.output import table

# Imported when a command runs, so that building the command line (`--help`) stays quick.
if TYPE_CHECKING:
    from bot.config import Config
    from bot.line_groups import LineGroup

log = logging.getLogger("bot.line")

EXAMPLES = {
    "line-webhook": "softpower-bot --config config.yaml line-webhook --port 8088",
    "line": "softpower-bot line groups\n  "
    "softpower-bot line map C0123456789abcdef0123456789abcdef --province ชัยภูมิ "
    "--district ภูเขียว",
}


def _now(config: Config, args: argparse.Namespace) -> Callable[[], datetime]:
    tz = ZoneInfo(config.timezone)
    if args.today:
        # As if on that day (at the real time of day): for rehearsals and tests.
        day = args.today
        return lambda: datetime.combine(day, datetime.now(tz).time(), tzinfo=tz)
    return lambda: datetime.now(tz)


def cmd_line_webhook(args: argparse.Namespace) -> int:
    """Serve LINE's webhook until SIGTERM or SIGINT."""
    from bot.backends import open_backend  # noqa: PLC0415
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.line_api import LineApi  # noqa: PLC0415
    from bot.line_webhook import WebhookHandler, WebhookService  # noqa: PLC0415
    from bot.notify import expand_env  # noqa: PLC0415

    config = load_config(args.config)
    settings = config.line
    secret = expand_env(settings.channel_secret)
    api = LineApi(
        settings.api_base,
        expand_env(settings.token),
        timeout_s=settings.timeout_s,
        max_retries=settings.max_retries,
    )
    handler = WebhookHandler(config, api, open_backend=open_backend, now=_now(config, args))
    host = args.host or settings.webhook_host
    port = settings.webhook_port if args.port is None else args.port
    try:
        service = WebhookService(handler, secret, host=host, port=port)
    except OSError as exc:
        raise BotError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another "
            "--port or line.webhook_port, or stop what uses it"
        ) from exc
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: finishing the events in hand", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service.start()
    log.info("LINE webhook listening on %s (LINE must reach it through HTTPS)", service.url)
    stop.wait()
    service.shutdown()
    log.info("LINE webhook stopped")
    return 0


def cmd_line_groups(args: argparse.Namespace) -> int:
    """List the LINE groups the official account is in, and their mapping."""
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.line_groups import open_line_groups  # noqa: PLC0415

    config = load_config(args.config)
    with open_line_groups(config) as groups:
        found = groups.all()
    if args.json:
        print(json.dumps({"groups": [g.as_json() for g in found]}, ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(
            "No LINE group yet. Run `softpower-bot line-webhook` behind HTTPS, set its address "
            "as the channel's webhook URL, then add the official account to a group."
        )
        return 0
    rows = [
        (
            g.chat_id,
            g.name or "-",
            "-" if g.members is None else g.members,
            "yes" if g.active else f"left {g.left_at}",
            g.place or "-",
        )
        for g in found
    ]
    print(table(["group id", "name", "members", "bot in it", "mapped to"], rows))
    print(
        "\nMap a group: softpower-bot line map <group id> --province <จังหวัด> [--district <อำเภอ>]"
        "\nPush reminders to it: put line://${LINE_TOKEN}/<group id> under reminders.provinces "
        "or reminders.districts in the config."
    )
    return 0


def cmd_line_map(args: argparse.Namespace) -> int:
    """Map a LINE group to a province or district (or clear its mapping)."""
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.line_groups import open_line_groups  # noqa: PLC0415

    config = load_config(args.config)
    province = district = None
    if not args.clear:
        if not args.province:
            raise ConfigError("give --province (and --district for a district's group), or --clear")
        province, district = _place(config, args.province, args.district)
    with open_line_groups(config) as groups:
        if not groups.map(args.group, province, district):
            raise BotError(
                f"no LINE group {args.group} is known: the bot learns a group's id when it is "
                "added to the group while `softpower-bot line-webhook` runs; see "
                "`softpower-bot line groups`"
            )
        group = groups.get(args.group)
    assert group is not None
    if args.json:
        print(json.dumps(group.as_json(), ensure_ascii=False, indent=2))
        return 0
    if not group.province:
        print(f"{_label(group)} is no longer mapped.")
        return 0
    print(f"{_label(group)} now speaks for {group.place}: “สถานะ” there answers for it.")
    print("To push its reminders to this group too, add to the config:\n")
    print("reminders:")
    if group.district:
        print(f"  districts:\n    {group.province}:\n      {group.district}: "
              f'["line://${{LINE_TOKEN}}/{group.chat_id}"]')  # fmt: skip
    else:
        print(f'  provinces:\n    {group.province}: ["line://${{LINE_TOKEN}}/{group.chat_id}"]')
    return 0


def _label(group: LineGroup) -> str:
    return f"{group.name} ({group.chat_id})" if group.name else group.chat_id


def _place(config: Config, province_name: str, district_name: str | None) -> tuple[str, str | None]:
    """Registry names of a configured province and one of its configured districts."""
    from bot import geo  # noqa: PLC0415
    from bot.config_types import registry_province  # noqa: PLC0415
    from bot.line_status import province_sheet  # noqa: PLC0415

    try:
        province = registry_province(province_name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    sheet = province_sheet(config, province.name)
    if sheet is None:
        raise ConfigError(
            f"{province.name} has no spreadsheet in the config (provinces): add it there first"
        )
    if district_name is None:
        return province.name, None
    found = geo.find_district(province.code, district_name)
    if found is None:
        hint = geo.suggest_district(province.code, district_name)
        raise ConfigError(
            f"{district_name!r} is not a district of {province.name}"
            + (f"; did you mean {hint!r}?" if hint else "")
        )
    if found.code not in {d.code for d in sheet.registry_districts()}:
        raise ConfigError(f"{found.name} is not among the districts the config lists for "
                          f"{province.name}")  # fmt: skip
    return province.name, found.name


def add_line_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add `line-webhook` and `line groups|map` to the command line."""

    def parser(
        into: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        text: str,
        example: str,
    ) -> argparse.ArgumentParser:
        return into.add_parser(
            name,
            parents=[common],
            help=text,
            description=text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    hook = parser(
        sub,
        "line-webhook",
        "serve the LINE webhook (run beside the daemon, behind HTTPS): learn the groups "
        "the official account joins, answer “สถานะ” in mapped groups",
        EXAMPLES["line-webhook"],
    )
    hook.add_argument("--port", type=int, help="port to listen on (default: line.webhook_port)")
    hook.add_argument("--host", help="address to listen on (default: line.webhook_host)")
    hook.set_defaults(func=cmd_line_webhook)

    line = parser(sub, "line", "the LINE groups the official account is in", EXAMPLES["line"])
    actions = line.add_subparsers(dest="line_command", metavar="ACTION", required=True)
    groups = parser(actions, "groups", "list the LINE groups and their mapping",
                    "softpower-bot line groups --json")  # fmt: skip
    groups.add_argument("--json", action="store_true", help="print JSON for scripts")
    groups.set_defaults(func=cmd_line_groups)
    mapping = parser(
        actions,
        "map",
        "say which province or district a LINE group speaks for (used for “สถานะ” replies)",
        EXAMPLES["line"].split("\n  ")[1],
    )
    mapping.add_argument("group", help="the group id (C...) from `line groups`")
    mapping.add_argument("--province", help="the province, as in the registry")
    mapping.add_argument("--district", help="the district, for a district office's group")
    mapping.add_argument("--clear", action="store_true", help="remove the group's mapping")
    mapping.add_argument("--json", action="store_true", help="print JSON for scripts")
    mapping.set_defaults(func=cmd_line_map)
