"""`FakeLine`: the LINE Messaging API calls softpower-bot makes, served over real HTTP on
127.0.0.1, plus the LINE Platform's signed webhook deliveries.

Served (``Authorization: Bearer <token>`` required, else 401 as LINE answers):

- ``POST /v2/bot/message/push``: counted against the month's quota, one message per
  recipient (a group or room: one per member); over the quota, 429 "You have reached
  your monthly limit." and nothing is delivered;
- ``POST /v2/bot/message/reply``: free; a reply token works once, within
  `reply_token_seconds` of its event, for the chat it came from; else 400;
- ``GET /v2/bot/message/quota`` and ``/v2/bot/message/quota/consumption``;
- ``GET /v2/bot/group/{id}/summary`` and ``/v2/bot/{group|room}/{id}/members/count``
  (404 when the bot is not in that chat).

Each request is recorded (`requests`); a fault armed with `fail` answers the next
matching requests with its status first. Bodies and error shapes follow LINE's reference
(checked against the official SDK's models in tests/test_fake_line.py).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import requests

from fake_line import webhooks

DEFAULT_TOKEN = "fAkE+LiNe/channel-access-token/0123456789abcdefghij="
DEFAULT_SECRET = "fake0line0channel0secret00000000"
DEFAULT_BOT = "U" + "0f" * 16
MONTHLY_LIMIT = "You have reached your monthly limit."
RATE_LIMIT = "The API rate limit has been exceeded. Try again later."
MAX_TEXT = 5000  # characters in one text message object
MAX_MESSAGES = 5  # message objects in one push or reply


@dataclass
class Chat:
    """A group (``C...``) or room (``R...``) the fake knows, and whether the bot is in it."""

    chat_id: str
    name: str
    members: int
    bot_in: bool = True


@dataclass(frozen=True)
class Push:
    """One accepted push: to whom, the texts, and what it cost against the quota."""

    to: str
    texts: list[str]
    cost: int


@dataclass(frozen=True)
class Reply:
    """One accepted reply: the chat its token came from and the texts."""

    chat_id: str
    texts: list[str]


@dataclass(frozen=True)
class Record:
    """One request the fake received and its answer's status."""

    method: str
    path: str
    status: int


@dataclass
class _Fault:
    status: int
    prefix: str
    method: str | None
    times: int
    retry_after: str | None


@dataclass
class _Token:
    chat_id: str
    issued: float
    used: bool = False


class _ApiError(Exception):
    def __init__(self, status: int, message: str, details: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message}
        if details:
            self.body["details"] = details


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeLine, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep the fake's own failures loud, client hang-ups quiet."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging."""

    def do_GET(self) -> None:
        """Every method goes through the same path."""
        self.server.fake._serve(self)

    do_POST = do_PUT = do_DELETE = do_GET


@dataclass
class FakeLine:
    """A fake LINE channel: its API server, chats, quota, pushes, replies and faults."""

    token: str = DEFAULT_TOKEN
    secret: str = DEFAULT_SECRET
    quota: int | None = 300  # None: no monthly limit ("type": "none")
    usage: int = 0
    bot_user_id: str = DEFAULT_BOT
    reply_token_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    chats: dict[str, Chat] = field(default_factory=dict)
    pushes: list[Push] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # tracebacks of bugs in the fake
    _tokens: dict[str, _Token] = field(default_factory=dict)
    _faults: list[_Fault] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _httpd: _Server | None = None
    _thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------
    def start(self) -> FakeLine:
        """Start serving in a background thread on a free port."""
        if self._httpd is None:
            self._httpd = _Server(self, 0)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.01},
                name="fake-line",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; safe to call twice."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)

    def __enter__(self) -> FakeLine:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL of the API, e.g. ``http://127.0.0.1:54321`` (LINE's is api.line.me)."""
        if self._httpd is None:
            raise RuntimeError("FakeLine is not running")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # --- the channel's world ------------------------------------------------------------
    def add_group(self, name: str, members: int, chat_id: str | None = None) -> Chat:
        """A group the bot is in (its id made up unless given); ``R...`` ids are rooms."""
        chat = Chat(chat_id or "C" + secrets.token_hex(16), name, members)
        with self._lock:
            self.chats[chat.chat_id] = chat
        return chat

    def fail(
        self,
        status: int,
        prefix: str = "/",
        *,
        times: int = 1,
        method: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next `times` requests whose path starts with `prefix` with `status`."""
        after = None if retry_after is None else f"{retry_after:g}"
        with self._lock:
            self._faults.append(_Fault(status, prefix, method, times, after))

    def paths(self, prefix: str = "/") -> list[str]:
        """The paths of the requests received so far that start with `prefix`, in order."""
        with self._lock:
            return [r.path for r in self.records if r.path.startswith(prefix)]

    # --- the LINE Platform's webhook side -------------------------------------------------
    def join_event(self, chat_id: str) -> dict[str, Any]:
        """The event LINE sends when the bot is added to a chat (the bot is then in it)."""
        with self._lock:
            if chat_id in self.chats:
                self.chats[chat_id].bot_in = True
        return webhooks.event("join", chat_id, replyToken=self.reply_token(chat_id))

    def leave_event(self, chat_id: str) -> dict[str, Any]:
        """The event LINE sends when the bot is removed from a chat (no reply token)."""
        with self._lock:
            if chat_id in self.chats:
                self.chats[chat_id].bot_in = False
        return webhooks.event("leave", chat_id)

    def text_event(
        self, chat_id: str, text: str, *, user_id: str = "U" + "1a" * 16, redelivery: bool = False
    ) -> dict[str, Any]:
        """The event LINE sends when someone in `chat_id` writes `text`."""
        return webhooks.event(
            "message",
            chat_id,
            user_id=user_id,
            redelivery=redelivery,
            replyToken=self.reply_token(chat_id),
            message=webhooks.text_message(text),
        )

    def reply_token(self, chat_id: str) -> str:
        """A fresh single-use reply token for `chat_id`."""
        token = secrets.token_hex(16)
        with self._lock:
            self._tokens[token] = _Token(chat_id, self.clock())
        return token

    def body(self, events: list[dict[str, Any]]) -> bytes:
        """The raw body LINE would post for `events`."""
        return webhooks.body_of(self.bot_user_id, events)

    def deliver(
        self,
        url: str,
        events: list[dict[str, Any]],
        *,
        secret: str | None = None,
        signature: str | None = None,
        timeout: float = 30.0,
    ) -> requests.Response:
        """POST `events` to the bot's webhook at `url`, signed as LINE signs them.

        `secret` signs with another secret (a forger's); `signature` sends that header
        value as is (an empty string sends no header at all).
        """
        body = self.body(events)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        value = signature if signature is not None else webhooks.sign(secret or self.secret, body)
        if value:
            headers["X-Line-Signature"] = value
        return requests.post(url, data=body, headers=headers, timeout=timeout)

    # --- serving ------------------------------------------------------------------------
    def _serve(self, handler: _Handler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        path = handler.path.split("?", 1)[0]
        headers: dict[str, str] = {}
        try:
            if handler.headers.get("Authorization") != f"Bearer {self.token}":
                raise _ApiError(
                    401,
                    "Authentication failed. Confirm that the access token in the "
                    "authorization header is valid.",
                )
            with self._lock:
                fault = self._take_fault(handler.command, path)
            if fault is not None:
                if fault.retry_after is not None:
                    headers["Retry-After"] = fault.retry_after
                message = RATE_LIMIT if fault.status == 429 else "Internal server error"
                raise _ApiError(fault.status, message)
            body = json.loads(raw) if raw.strip() else None
            with self._lock:
                status, payload = self._route(handler.command, path, body)
        except _ApiError as err:
            status, payload = err.status, err.body
        except ValueError:
            status, payload = 400, {"message": "The request body could not be parsed as JSON"}
        except Exception:  # a bug in the fake: answer 500 and keep the traceback
            self.errors.append(traceback.format_exc())
            status, payload = 500, {"message": "fake_line: internal error"}
        with self._lock:
            self.records.append(Record(handler.command, path, status))
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        with contextlib.suppress(ConnectionError):
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if path.startswith(fault.prefix) and fault.method in (None, method):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _route(self, method: str, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        parts = path.strip("/").split("/")
        if method == "GET" and path == "/v2/bot/message/quota":
            if self.quota is None:
                return 200, {"type": "none"}
            return 200, {"type": "limited", "value": self.quota}
        if method == "GET" and path == "/v2/bot/message/quota/consumption":
            return 200, {"totalUsage": self.usage}
        if method == "POST" and path == "/v2/bot/message/push":
            return self._push(body)
        if method == "POST" and path == "/v2/bot/message/reply":
            return self._reply(body)
        if method == "GET" and parts[:2] == ["v2", "bot"] and parts[2:3] in (["group"], ["room"]):
            chat = self.chats.get(parts[3]) if len(parts) > 3 else None
            prefix = "C" if parts[2] == "group" else "R"
            if chat is None or not chat.bot_in or not chat.chat_id.startswith(prefix):
                raise _ApiError(404, "Not found")
            if parts[2] == "group" and parts[4:] == ["summary"]:
                return 200, {"groupId": chat.chat_id, "groupName": chat.name}
            if parts[4:] == ["members", "count"]:
                return 200, {"count": chat.members}
        raise _ApiError(404, "Not found")

    def _texts(self, body: Any) -> list[str]:
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
            raise _ApiError(
                400,
                "The request body has 1 error(s)",
                [{"message": "Size must be between 1 and 5", "property": "messages"}],
            )
        texts = []
        for i, message in enumerate(messages):
            text = message.get("text") if isinstance(message, dict) else None
            if not isinstance(message, dict) or message.get("type") != "text" or not text:
                raise _ApiError(
                    400,
                    "The request body has 1 error(s)",
                    [{"message": "Must be a text message", "property": f"messages[{i}]"}],
                )
            if len(text) > MAX_TEXT:
                raise _ApiError(
                    400,
                    "The request body has 1 error(s)",
                    [{"message": "Length must be between 0 and 5000",
                      "property": f"messages[{i}].text"}],
                )  # fmt: skip
            texts.append(text)
        return texts

    @staticmethod
    def _sent(texts: list[str]) -> dict[str, Any]:
        return {
            "sentMessages": [
                {"id": str(secrets.randbelow(10**18)), "quoteToken": secrets.token_urlsafe(24)}
                for _ in texts
            ]
        }

    def _push(self, body: Any) -> tuple[int, dict[str, Any]]:
        to = body.get("to") if isinstance(body, dict) else None
        if not isinstance(to, str) or to[:1] not in ("U", "C", "R"):
            raise _ApiError(
                400,
                "The request body has 1 error(s)",
                [{"message": "Invalid to", "property": "to"}],
            )
        texts = self._texts(body)
        if to.startswith("U"):
            cost = 1
        else:
            chat = self.chats.get(to)
            if chat is None or not chat.bot_in:
                raise _ApiError(400, "Failed to send messages")
            cost = chat.members
        if self.quota is not None and self.usage + cost > self.quota:
            raise _ApiError(429, MONTHLY_LIMIT)
        self.usage += cost
        self.pushes.append(Push(to, texts, cost))
        return 200, self._sent(texts)

    def _reply(self, body: Any) -> tuple[int, dict[str, Any]]:
        token = body.get("replyToken") if isinstance(body, dict) else None
        texts = self._texts(body)
        entry = self._tokens.get(token) if isinstance(token, str) else None
        if entry is None or entry.used or self.clock() - entry.issued > self.reply_token_seconds:
            raise _ApiError(400, "Invalid reply token")
        entry.used = True
        self.replies.append(Reply(entry.chat_id, texts))
        return 200, self._sent(texts)
