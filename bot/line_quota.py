"""What a reminder round costs in LINE messages, and whether it fits this month's quota.

LINE bills a push once per recipient: a push to a group or room costs one message per
member, and each part of a split message is its own push. Before a round, the bot reads
each LINE channel's quota and consumption and each group's member count (a count LINE
cannot give now is taken from the last one read, kept in `bot.line_groups`), adds up what
the round's pending pushes cost, and when that exceeds what is left of the month, or the
quota cannot be read at all, sends none of that channel's pushes: each goes to the
recipient's other channels, or to `line.fallback` (the outbox by default), and the
admins are told once that day. A round is kept whole rather than pushed to the first
groups that fit: every recipient hears the same way, and no office is skipped for being
last in the list.

`remind --dry-run` shows the same figures per group (`cost_lines`).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from apprise.plugins.line import NotifyLine

from bot import thai
from bot.config import Config
from bot.errors import BotError
from bot.line_api import LineApi, LineApiError, Quota
from bot.line_groups import LineGroup, LineGroups, open_line_groups
from bot.notify import Sender, channel_limit, expand_env, mask, outbox_tag
from bot.output import table
from bot.reminders import Message
from bot.splitting import message_text, split_message
from bot.state import SendKey, State

log = logging.getLogger(__name__)

NOTICE_FLAG = "line_quota_notice:{day}"
MAX_FAILURES = 3  # member counts LINE failed to give in a row before the bot stops asking


@dataclass
class LineTarget:
    """One push target of the round: a user, group or room in one message's LINE URL."""

    level: str
    recipient: str
    url: str  # as in the config (with ${NAME}); never shown
    channel: str  # the URL masked
    chat: str  # U..., C... or R...
    parts: int
    members: int | None = None  # None: unknown
    name: str | None = None
    note: str = ""  # where the member count came from when LINE did not say
    sent: bool = False  # already sent today: costs nothing more

    @property
    def cost(self) -> int | None:
        """Messages this target costs (None: unknown)."""
        return None if self.members is None else self.members * self.parts

    @property
    def shown(self) -> str:
        """The chat for people: the group's name and its masked id."""
        masked = f"{self.chat[0]}...{self.chat[-1]}"
        kind = {"C": "กลุ่ม", "R": "ห้อง"}.get(self.chat[0], "ผู้ใช้")
        return f"{kind} {self.name} ({masked})" if self.name else f"{kind} {masked}"


@dataclass
class LineChannel:
    """One LINE channel (one access token) used by the round, and its quota."""

    label: str
    quota: Quota | None = None
    error: str | None = None  # why the quota is unknown
    targets: list[LineTarget] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """What the pending pushes whose cost is known add up to."""
        return sum(t.cost or 0 for t in self.targets if not t.sent)

    @property
    def fits(self) -> bool:
        """Whether the pending pushes can all go out within the quota."""
        if self.error is not None or self.quota is None:
            return False
        left = self.quota.left
        return left is None or self.cost <= left


@dataclass
class LineRound:
    """The LINE side of one reminder round: channels, targets, and what goes elsewhere."""

    channels: list[LineChannel]
    # (level, recipient, url) of each LINE URL that is not pushed, with the reason.
    replaced: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """The known cost of every pending push of the round."""
        return sum(c.cost for c in self.channels)

    def as_json(self) -> dict[str, object]:
        """The `line_cost` object of `remind --json`."""
        return {
            "total": self.total,
            "channels": [
                {
                    "channel": c.label,
                    "limit": c.quota.limit if c.quota else None,
                    "used": c.quota.used if c.quota else None,
                    "left": c.quota.left if c.quota else None,
                    "cost": c.cost,
                    "fits": c.fits,
                    "error": c.error,
                }
                for c in self.channels
            ],
            "targets": [
                {
                    "level": t.level,
                    "recipient": t.recipient,
                    "channel": t.channel,
                    "chat": t.shown,
                    "members": t.members,
                    "parts": t.parts,
                    "cost": t.cost,
                    "already_sent": t.sent,
                    "note": t.note,
                }
                for c in self.channels
                for t in c.targets
            ],
            "fallback": [
                {"level": level, "recipient": who, "channel": mask(url), "reason": reason}
                for (level, who, url), reason in self.replaced.items()
            ],
        }


def is_line(url: str) -> bool:
    """Whether `url` is a LINE Messaging API push (``line://``)."""
    return url.strip().lower().startswith("line://")


def estimate_round(
    config: Config, messages: list[Message], sent: Callable[[Message, str], bool] | None = None
) -> LineRound | None:
    """Read quotas and member counts, cost every LINE push of `messages`, and decide which
    go to the fallback (`decide`).

    `sent(message, url)` says whether that push went already (it costs nothing more). None
    when the round has no LINE push left. Never raises for LINE's sake: what LINE cannot
    tell is recorded as an error or an unknown count.
    """
    by_token: dict[str, LineChannel] = {}
    apis: dict[str, LineApi] = {}
    for message in messages:
        for url in message.channels:
            if not is_line(url):
                continue
            try:
                parsed = NotifyLine.parse_url(expand_env(url))  # type: ignore[no-untyped-call]
            except BotError as exc:
                log.warning("cannot cost %s: %s", mask(url), exc)
                continue  # the send itself reports the missing variable
            if not parsed or not parsed.get("token"):
                continue
            token = str(parsed["token"])
            channel = by_token.get(token)
            if channel is None:
                digest = hashlib.sha256(token.encode("utf-8")).hexdigest()[:6]
                channel = by_token[token] = LineChannel(f"LINE #{digest}")
                apis[token] = LineApi(
                    config.line.api_base,
                    token,
                    timeout_s=config.line.timeout_s,
                    max_retries=config.line.max_retries,
                )
            parts = len(split_message(message_text(message.title, message.text),
                                      channel_limit(url)))  # fmt: skip
            shown = mask(url)
            done = sent is not None and sent(message, url)
            for chat in parsed.get("targets") or []:
                target = LineTarget(message.level, message.recipient, url, shown, str(chat), parts)
                target.sent = done
                channel.targets.append(target)
    if all(t.sent for c in by_token.values() for t in c.targets):
        return None  # no LINE push left to make: nothing to ask LINE
    with open_line_groups(config) as groups:
        for token, channel in by_token.items():
            _read_channel(apis[token], channel, groups)
    line = LineRound(list(by_token.values()))
    decide(line)
    return line


def _read_channel(api: LineApi, channel: LineChannel, groups: LineGroups) -> None:
    """Fill in the channel's quota and its targets' names and member counts."""
    try:
        channel.quota = api.quota()
    except LineApiError as exc:
        channel.error = str(exc)
    counts: dict[str, tuple[int | None, str]] = {}
    # LINE down: every count would wait out its retries and timeouts, group after group.
    # Without a quota the channel's pushes go to the fallback anyway; otherwise asking stops
    # after a few failures in a row, and the last counts read stand in.
    give_up = channel.error
    streak = 0
    for target in channel.targets:
        known = groups.get(target.chat)
        target.name = known.name if known else None
        if target.chat not in counts:
            if give_up is not None:
                counts[target.chat] = _stored(target.chat, known, give_up)
            else:
                counts[target.chat], error = _member_count(api, target.chat, known, groups)
                # A 404 (the bot is not in that group) is an answer; no answer is not.
                down = error is not None and (error.status is None or error.status >= 429)
                streak = streak + 1 if down else 0
                if error is not None and streak >= MAX_FAILURES:
                    give_up = str(error)
        target.members, target.note = counts[target.chat]


def _member_count(
    api: LineApi, chat: str, known: LineGroup | None, groups: LineGroups
) -> tuple[tuple[int | None, str], LineApiError | None]:
    """LINE's member count now, else the last one read (with a note saying so); and
    LINE's error, if any."""
    try:
        count = api.member_count(chat)
    except LineApiError as exc:
        return _stored(chat, known, str(exc)), exc
    if known is not None:
        groups.set_members(chat, count)
    return (count, ""), None


def _stored(chat: str, known: LineGroup | None, error: str) -> tuple[int | None, str]:
    """The last member count read, with a note saying why LINE's was not used."""
    if chat.startswith("U"):
        return 1, ""  # a person, not a group
    if known is not None and known.members is not None:
        return known.members, f"count of {known.members_at} ({error})"
    return None, f"unknown ({error})"


def decide(line: LineRound) -> None:
    """Fill `line.replaced`: every pending push of a channel that does not fit, and every
    push whose cost is unknown."""
    for channel in line.channels:
        if channel.error is not None:
            reason = f"ไม่สามารถอ่านโควตาข้อความจาก LINE ได้ ({channel.error})"
        elif not channel.fits and channel.quota is not None:
            reason = (
                f"รอบนี้ต้องใช้ประมาณ {channel.cost:,} ข้อความ แต่โควตาเดือนนี้คงเหลือ "
                f"{channel.quota.left:,} จาก {channel.quota.limit:,} ข้อความ"
            )
        else:
            reason = ""
        for target in channel.targets:
            if target.sent:
                continue
            key = (target.level, target.recipient, target.url)
            if reason:
                line.replaced.setdefault(key, reason)
            elif target.cost is None:
                line.replaced.setdefault(key, f"ไม่ทราบจำนวนสมาชิกของ{target.shown} ({target.note})")


def apply_fallback(config: Config, messages: list[Message], line: LineRound) -> list[Message]:
    """`messages` with each replaced LINE URL taken out; a message left with no channel
    goes to `line.fallback`."""
    out = []
    for message in messages:
        kept = [
            url
            for url in message.channels
            if (message.level, message.recipient, url) not in line.replaced
        ]
        if len(kept) != len(message.channels) and not kept:
            kept = list(config.line.fallback)
        out.append(message if kept == message.channels else replace(message, channels=kept))
    return out


def guard_round(
    config: Config, messages: list[Message], today: date, sender: Sender, state: State
) -> tuple[list[Message], LineRound | None]:
    """Before sending: the messages to send, with the LINE pushes that would not fit this
    month's quota moved to fallbacks, and the round's LINE figures (None without LINE).

    The admins are told once a day when anything was moved.
    """
    if not config.line.check_quota:
        return messages, None
    line = estimate_round(config, messages, lambda m, url: state.was_sent(send_key(m, url)))
    if line is None:
        return messages, None
    if not line.replaced:
        return messages, line
    for (level, who, url), reason in line.replaced.items():
        log.warning("not pushing to %s %s via %s: %s", level, who, mask(url), reason)
    flag = NOTICE_FLAG.format(day=today.isoformat())
    if not state.get_flag(flag):
        _tell_admins(config, sender, line, today)
        state.set_flag(flag, "sent")
    return apply_fallback(config, messages, line), line


def send_key(message: Message, url: str) -> SendKey:
    """The state file's key of one message on one channel, as `bot.dispatch.send_due`
    records it."""
    first = message.first
    return SendKey(
        deadline=first.deadline.due,
        level=message.level,
        month=f"{first.deadline.month[0]:04d}-{first.deadline.month[1]:02d}",
        offset=first.offset,
        recipient=message.recipient,
        channel=mask(url),
    )


def _who(level: str, recipient: str) -> str:
    return {"district": f"อำเภอ{recipient}", "province": f"จังหวัด{recipient}"}.get(level, recipient)


def _tell_admins(config: Config, sender: Sender, line: LineRound, today: date) -> None:
    reasons = dict.fromkeys(line.replaced.values())
    moved = [f"- {_who(level, who)} ({mask(url)})" for level, who, url in line.replaced]
    fallback = ", ".join(mask(u) for u in config.line.fallback)
    title = "softpower-bot: โควตาข้อความ LINE ไม่เพียงพอ จึงส่งการแจ้งเตือนทางช่องทางสำรอง"
    text = (
        "เรียน ผู้ดูแลระบบ\n\n"
        f"การแจ้งเตือนรอบวันที่ {thai.date_label(today)} ไม่ได้ส่งทาง LINE "
        f"สำหรับผู้รับ {len(moved)} ราย ด้วยเหตุผลดังนี้\n"
        + "\n".join(f"- {r}" for r in reasons)
        + "\n\nระบบจึงส่งข้อความถึงผู้รับดังกล่าวทางช่องทางอื่นที่กำหนดไว้ของผู้รับ "
        f"หรือช่องทางสำรอง ({fallback}) แทน\n"
        + "\n".join(moved)
        + "\n\nหากต้องการส่งทาง LINE ต่อไป ขอความกรุณาพิจารณาเพิ่มโควตาข้อความของบัญชี "
        "LINE Official Account หรือลดจำนวนกลุ่มที่รับการแจ้งเตือน\n\n"
        "ระบบแจ้งเตือนอัตโนมัติ softpower-bot"
    )
    urls = [u for u in config.reminders.admins if not is_line(u)] or list(config.line.fallback)
    for url in urls:
        try:
            delivery = sender.send(url, title, text, tag=outbox_tag(today, "admin", "line-quota"))
        except BotError as exc:
            log.error("could not tell the admins via %s: %s", mask(url), exc)
            continue
        if not delivery.ok:
            log.error("could not tell the admins via %s: %s", mask(url), delivery.error)


def cost_lines(line: LineRound | None) -> list[str]:
    """The round's LINE cost for people: one row per target, then each channel's quota."""
    if line is None:
        return []
    rows = [
        (
            f"{t.level} · {t.recipient}",
            t.shown,
            "?" if t.members is None else t.members,
            t.parts,
            ("?" if t.cost is None else t.cost) if not t.sent else "0 (sent)",
            t.note,
        )
        for c in line.channels
        for t in c.targets
    ]
    out = [
        "LINE cost per push (a group or room is billed once per member):",
        table(["recipient", "LINE chat", "members", "parts", "cost", "note"], rows),
    ]
    for c in line.channels:
        if c.error is not None:
            out.append(f"  {c.label}: round costs {c.cost:,}; quota unknown ({c.error})")
            continue
        assert c.quota is not None
        quota = (
            "no monthly limit"
            if c.quota.limit is None
            else f"quota {c.quota.limit:,}, used {c.quota.used:,}, left {c.quota.left:,}"
        )
        verdict = "fits" if c.fits else "does NOT fit: these pushes are replaced by the fallback"
        out.append(f"  {c.label}: round costs {c.cost:,}; {quota}: {verdict}")
    return out
