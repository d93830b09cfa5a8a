"""Deliver reminders by e-mail, LINE, Telegram (through apprise) or into a local outbox folder.

A recipient's channel is one URL in apprise's notation, with secrets kept in environment
variables and referenced as ``${NAME}``::

    mailto://user:${SMTP_PASSWORD}@smtp.example.org?to=district@example.org   (plain SMTP)
    mailtos://user:${SMTP_PASSWORD}@smtp.example.org?to=district@example.org  (STARTTLS)
    line://${LINE_TOKEN}/U0123456789abcdef0123456789abcdef                     (LINE push)
    tgram://${TELEGRAM_BOT_TOKEN}/123456789                                    (Telegram)
    outbox://                                  (write a .txt file; the default without a URL)

LINE Notify was shut down on 31 Mar 2025; ``line://`` is the LINE Messaging API push
(``POST https://api.line.me/v2/bot/message/push``), billed per message and, for a group
or room, per member. `line_messages` estimates that cost for a dry run.

Every URL that reaches a log line, an error or a `Delivery` is masked first (apprise's own
``url(privacy=True)``). While apprise works, a logging filter on the ``apprise`` and
``urllib3`` loggers also blanks the URL's secrets out of their records, because some
plugins log request URLs at DEBUG (Telegram puts the bot token in the URL path).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote

import apprise
from apprise import NotifyBase, NotifyFormat, PersistentStoreMode
from apprise.plugins import N_MGR
from apprise.plugins.line import NotifyLine

from bot.errors import ConfigError, NotifyError
from bot.splitting import message_text, split_message

__all__ = [
    "OUTBOX_URL",
    "UNLIMITED",
    "Delivery",
    "NotifyError",
    "Sender",
    "channel_limit",
    "expand_env",
    "line_messages",
    "mask",
]

log = logging.getLogger(__name__)

OUTBOX_URL = "outbox://"
"""The pseudo-URL for "write the message to the outbox folder" (also used for no URL)."""

UNLIMITED = 1_000_000_000
"""`channel_limit` of the outbox: no real limit, so nothing is ever split there."""

# Loggers that may see a URL's secrets while apprise sends: apprise itself, and urllib3,
# which logs every request line ("POST /bot<token>/sendMessage") at DEBUG.
_LEAKY_LOGGERS = ("apprise", "urllib3.connectionpool")

_ENV_REF = re.compile(r"\$\{(?P<name>[^}]*)(?P<close>\}?)")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_PATH_SPLIT = re.compile(r"[/:@\s]+")
_VALUE_SPLIT = re.compile(r"[,;\s]+")
_MIN_SECRET = 4  # shorter URL pieces ("to", "25", "yes") are never treated as secrets
_MAX_REASON = 200


def expand_env(url: str, env: Mapping[str, str] | None = None) -> str:
    """Return `url` with every ``${NAME}`` replaced by that environment variable.

    `env` defaults to `os.environ`. Values are inserted verbatim (a password holding
    ``@``, ``/`` or ``:`` must be stored percent-encoded). A variable that is unset or
    empty, or a malformed ``${...``, raises `ConfigError` naming the variable; no value
    and no other part of the URL is ever put in the message.
    """
    source: Mapping[str, str] = os.environ if env is None else env

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if not match.group("close") or not _ENV_NAME.fullmatch(name):
            shown = name if _ENV_NAME.fullmatch(name) else "..."
            raise ConfigError(
                f"a notify URL has a malformed variable reference '${{{shown}': "
                "write it as ${NAME}, with NAME made of letters, digits and _"
            )
        value = source.get(name)
        if not value:
            state = "is empty" if value == "" else "is not set"
            raise ConfigError(
                f"environment variable {name} {state}, but a notify URL uses ${{{name}}}: "
                f"set it before running (e.g. export {name}=...)"
            )
        return value

    return _ENV_REF.sub(replace, url)


def mask(url: str) -> str:
    """Return `url` fit for logs and output: apprise's privacy rendering, secrets hidden.

    ``outbox://`` is returned as is. A URL apprise cannot parse becomes ``scheme://***``
    (or ``***`` without a scheme); the raw URL is never returned.
    """
    text = url.strip()
    if _is_outbox(text):
        return text
    plugin = _load(text)
    if plugin is None:
        return _opaque(text)
    return str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]


def channel_limit(url: str) -> int:
    """Return the longest message body the service named by `url` accepts, in characters.

    This is the apprise plugin's ``body_maxlen`` (LINE 5000, Telegram 4096, e-mail 32768
    with apprise 2.3); ``outbox://`` has no limit (`UNLIMITED`). An unexpanded
    ``${NAME}`` is fine here. Raises `ConfigError` for a scheme apprise does not know.
    """
    text = url.strip()
    if not text or _is_outbox(text):
        return UNLIMITED
    plugin = _load(text)
    if plugin is not None:
        return int(plugin.body_maxlen)
    # Not loadable as written (e.g. "tgram://${TOKEN}/1" fails apprise's token check):
    # the service's class still knows its limit.
    match = _SCHEME.match(text)
    if match and match.group(1).lower() in N_MGR:
        return int(N_MGR[match.group(1).lower()].body_maxlen)
    raise ConfigError(_not_understood(text))


def line_messages(urls: Sequence[str], texts: Sequence[str]) -> int:
    """Estimate how many LINE Messaging API messages sending every text to every URL costs.

    Only ``line://`` URLs count: each target in the URL (a user ``U...``, group ``C...``
    or room ``R...``) gets one push per part of each text after `split_message` at
    LINE's limit, and each push is one message. A push to a group or room is really
    billed once per member, which is not known here, so it counts as 1: the estimate is
    a lower bound for groups. `texts` are the messages as sent, i.e. `message_text`
    (title, body). URLs may still hold ``${NAME}`` references.
    """
    total = 0
    for url in urls:
        text = url.strip()
        match = _SCHEME.match(text)
        if not match or match.group(1).lower() != "line":
            continue
        plugin = _load(text)
        if plugin is None:
            raise ConfigError(_not_understood(text))
        limit = int(plugin.body_maxlen)
        total += len(plugin) * sum(len(split_message(body, limit)) for body in texts)
    return total


@dataclass(frozen=True)
class Delivery:
    """The outcome of one `Sender.send`.

    `url` is masked; `parts` is how many parts the message was split into; `error` is a
    short reason (secrets masked) when `ok` is false, else None.
    """

    url: str
    ok: bool
    parts: int
    error: str | None = None


class Sender:
    """Sends messages to apprise URLs, or writes them into an outbox folder.

    `env` is where ``${NAME}`` references are looked up (default `os.environ`); `echo`,
    if given, receives the text of every message written to the outbox (the CLI prints
    it). `line_api` is where ``line://`` pushes go (`line.api_base`; apprise's own
    default is ``https://api.line.me``): the tests' local fake LINE API.
    """

    def __init__(
        self,
        outbox: Path,
        *,
        env: Mapping[str, str] | None = None,
        echo: Callable[[str], None] | None = None,
        line_api: str | None = None,
    ) -> None:
        """Prepare a sender writing outbox files into `outbox` (created when needed)."""
        self.outbox = Path(outbox)
        self._env = env
        self._echo = echo
        self._line_push = f"{line_api.rstrip('/')}/v2/bot/message/push" if line_api else None

    def send(
        self,
        url: str,
        title: str,
        body: str,
        attachments: Sequence[tuple[str, bytes]] = (),
    ) -> Delivery:
        """Deliver one message to `url` and report how it went.

        `attachments` are files (name, bytes), e.g. a digest's charts as PNG: the outbox
        writes them beside the text; a service that takes files (e-mail, Telegram) gets
        them with the message's first part; one that does not (LINE) gets the text only.

        ``outbox://`` (or an empty URL) writes the message into the outbox folder as a
        UTF-8 ``.txt`` file named after a hash of title and body, so sending the same
        message again rewrites nothing. Any other URL has its ``${NAME}`` references
        expanded and goes through apprise: the body is split to the service's limit
        (`channel_limit`; for services without a subject the title becomes the first
        line, see `message_text`) and each part is one apprise notification. Sending
        stops at the first failed part. A failed delivery never raises: it returns
        ``ok=False`` with the reason. Raises `ConfigError` for a missing variable or a
        URL apprise cannot understand at all.
        """
        text = url.strip()
        if not text or _is_outbox(text):
            return self._to_outbox(title, body, attachments)

        expanded = expand_env(text, self._env)
        plugin = _load(expanded)
        if plugin is None:
            raise ConfigError(_not_understood(expanded))
        shown = str(plugin.url(privacy=True))  # type: ignore[no-untyped-call]
        redactor = _Redactor(_secrets(plugin, expanded, shown))

        if plugin.title_maxlen <= 0:
            # No subject field: fold the title in before splitting, or apprise would add
            # "title\r\n" to every part and push it past the limit.
            parts = [("", part) for part in _split_for(plugin, message_text(title, body))]
        else:
            parts = [(title, part) for part in _split_for(plugin, body)]

        files = list(attachments) if plugin.attachment_support else []
        for index, (part_title, part_body) in enumerate(parts, start=1):
            reason = self._notify(
                expanded, part_title, part_body, redactor, files if index == 1 else []
            )
            if reason is not None:
                if len(parts) > 1:
                    reason = f"part {index}/{len(parts)}: {reason}"
                    if index < len(parts):
                        reason += f" (parts {index + 1}-{len(parts)} not sent)"
                log.warning("delivery to %s failed: %s", shown, reason)
                return Delivery(url=shown, ok=False, parts=len(parts), error=reason)
        log.info("delivered to %s in %d part(s)", shown, len(parts))
        return Delivery(url=shown, ok=True, parts=len(parts), error=None)

    def _notify(
        self,
        url: str,
        title: str,
        body: str,
        redactor: _Redactor,
        files: Sequence[tuple[str, bytes]] = (),
    ) -> str | None:
        """Send one part through a fresh apprise object; return the failure reason or None.

        A fresh object per part means apprise's per-object throttle (5.5 s between two
        requests of one LINE or e-mail object) never sleeps between our parts. Files go
        through a temporary folder, removed when the part is sent.
        """
        with redactor.active(), tempfile.TemporaryDirectory(prefix="softpower-") as folder:
            try:
                paths = []
                for name, data in files:
                    path = Path(folder) / Path(name).name
                    path.write_bytes(data)
                    paths.append(str(path))
                app = apprise.Apprise(asset=_asset())
                plugin = apprise.Apprise.instantiate(url, asset=_asset())
                if plugin is None or not app.add(plugin):
                    return "apprise could not load the URL"
                if self._line_push and isinstance(plugin, NotifyLine):
                    # apprise posts to its class attribute; this instance posts here.
                    plugin.notify_url = self._line_push
                attach = apprise.AppriseAttachment(paths, asset=_asset()) if paths else None
                with app.notify(
                    body=body, title=title, body_format=NotifyFormat.TEXT, attach=attach
                ) as result:
                    if result:
                        return None
                    messages = [
                        entry.message
                        for entry in result.logs()
                        if entry.level in {"WARNING", "ERROR", "CRITICAL"}
                    ]
            except Exception as error:  # a plugin bug must not stop the other reminders
                return _shorten(redactor.redact(f"{type(error).__name__}: {error}"))
        reason = messages[-1] if messages else "the service did not accept the message"
        return _shorten(redactor.redact(reason))

    def _to_outbox(
        self, title: str, body: str, attachments: Sequence[tuple[str, bytes]] = ()
    ) -> Delivery:
        """Write the message into the outbox folder (once per distinct message) and echo it;
        its attachments go beside it as message-<digest>-<name>."""
        text = message_text(title, body)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        path = self.outbox / f"message-{digest}.txt"
        try:
            for name, data in attachments:
                self.outbox.mkdir(parents=True, exist_ok=True)
                beside = self.outbox / f"message-{digest}-{Path(name).name}"
                if not beside.exists():
                    partial = beside.with_name(beside.name + ".part")
                    partial.write_bytes(data)
                    partial.replace(beside)
            if not path.exists():
                self.outbox.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(path.name + ".part")
                partial.write_text(text if text.endswith("\n") else text + "\n", "utf-8")
                partial.replace(path)
                log.info("wrote %s", path)
            else:
                log.info("already in the outbox: %s", path)
        except OSError as error:
            reason = f"cannot write {path}: {error.strerror or error}"
            log.warning("outbox delivery failed: %s", reason)
            return Delivery(url=OUTBOX_URL, ok=False, parts=1, error=reason)
        if self._echo is not None:
            self._echo(text)
        return Delivery(url=OUTBOX_URL, ok=True, parts=1, error=None)


# ---------------------------------------------------------------------------------------
# Splitting at a channel's limit (the cutting itself is bot.splitting)


def _split_for(plugin: NotifyBase, text: str) -> list[str]:
    """`split_message` at the plugin's limit, as the service will count the parts.

    A service that takes HTML or Markdown rather than plain text (Telegram) gets our text
    converted by apprise, which turns every "\n" into "\r\n": the budget shrinks until
    the converted parts fit too. (Escapes such as "&amp;" count as one character there.)
    """
    limit = int(plugin.body_maxlen)
    if plugin.resolve_format(NotifyFormat.TEXT) == NotifyFormat.TEXT:
        return split_message(text, limit)
    budget = limit
    while True:
        parts = split_message(text, budget)
        over = max(len(part) + part.count("\n") for part in parts) - limit
        if over <= 0:
            return parts
        budget -= over


# ---------------------------------------------------------------------------------------
# apprise and secrets


def _asset() -> apprise.AppriseAsset:
    """apprise settings: keep its persistent store in memory (no files under $HOME)."""
    return apprise.AppriseAsset(storage_mode=PersistentStoreMode.MEMORY)


def _is_outbox(url: str) -> bool:
    """True for ``outbox://`` (any case, surrounding blanks ignored)."""
    return url.strip().lower() == OUTBOX_URL


def _opaque(url: str) -> str:
    """``scheme://***`` for a URL nobody could parse (``***`` without a scheme)."""
    match = _SCHEME.match(url.strip())
    return f"{match.group(1).lower()}://***" if match else "***"


def _not_understood(url: str) -> str:
    """The ConfigError message for a URL apprise cannot load."""
    return (
        f"apprise cannot understand the notify URL {mask(url)}: check its scheme and parts, "
        "e.g. mailto://user:${SMTP_PASSWORD}@smtp.example.org?to=a@example.org, "
        "line://${LINE_TOKEN}/U..., tgram://${TELEGRAM_BOT_TOKEN}/CHAT_ID or outbox://"
    )


def _load(url: str) -> NotifyBase | None:
    """apprise's plugin object for `url`, or None; the URL's pieces are kept out of the
    log records apprise writes meanwhile (we do not know yet which are secret)."""
    redactor = _Redactor(dict.fromkeys(_url_pieces(url), "***"))
    with redactor.active():
        return apprise.Apprise.instantiate(url, asset=_asset())


def _url_pieces(url: str) -> set[str]:
    """The values in `url` (user, password, host, path segments, query values), raw and
    percent-decoded, at least `_MIN_SECRET` long. The scheme and query keys are left out."""
    match = _SCHEME.match(url)
    rest = url[match.end() :] if match else url
    main, _, query = rest.partition("?")
    main = main.partition("#")[0]
    pieces: set[str] = set()
    for chunk in (main, unquote(main)):
        pieces.update(_PATH_SPLIT.split(chunk))
    for _key, value in parse_qsl(query, keep_blank_values=True):
        pieces.update(_VALUE_SPLIT.split(value))
    return {piece for piece in pieces if len(piece) >= _MIN_SECRET}


def _secrets(plugin: NotifyBase, url: str, shown: str) -> dict[str, str]:
    """What to blank out of apprise's log records for `plugin`, and with what.

    The values apprise declares private (tokens, passwords) become ``****``; any other
    piece of the URL that apprise's privacy rendering `shown` hides (a LINE user id
    becomes ``U...f``) gets that same short form.
    """
    replacements: dict[str, str] = {}
    visible = unquote(shown)
    for piece in _url_pieces(url):
        if piece not in visible:
            replacements[piece] = f"{piece[0]}...{piece[-1]}"
    private: list[object] = [getattr(plugin, "password", None)]
    specs: dict[str, dict[str, object]] = {**plugin.template_tokens, **plugin.template_args}
    for key, spec in specs.items():
        if spec.get("private"):
            private.append(getattr(plugin, str(spec.get("map_to", key)), None))
    for value in private:
        if isinstance(value, str) and len(value) >= 3:
            replacements[value] = "****"
            replacements[quote(value, safe="")] = "****"
    return replacements


def _shorten(reason: str) -> str:
    """One line of at most `_MAX_REASON` characters."""
    flat = " ".join(reason.split())
    return flat if len(flat) <= _MAX_REASON else flat[: _MAX_REASON - 3] + "..."


class _Redactor(logging.Filter):
    """A logging filter that replaces secrets in records by their masked forms."""

    def __init__(self, replacements: Mapping[str, str]) -> None:
        super().__init__()
        # Longest first, so a token is replaced whole before any piece of it.
        self._pairs = sorted(replacements.items(), key=lambda pair: -len(pair[0]))

    def redact(self, text: str) -> str:
        """`text` with every secret replaced."""
        for secret, masked in self._pairs:
            text = text.replace(secret, masked)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message if it holds a secret; never drops a record."""
        if self._pairs:
            message = record.getMessage()
            clean = self.redact(message)
            if clean != message:
                record.msg = clean
                record.args = None
        return True

    @contextmanager
    def active(self) -> Iterator[None]:
        """Filter the loggers apprise and its HTTP stack write to, for the block's duration."""
        loggers = [logging.getLogger(name) for name in _LEAKY_LOGGERS]
        for logger in loggers:
            logger.addFilter(self)
        try:
            yield
        finally:
            for logger in loggers:
                logger.removeFilter(self)
