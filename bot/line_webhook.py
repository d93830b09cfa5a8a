"""`softpower-bot line-webhook`: the small HTTP service LINE posts its webhook events to.

It runs beside the daemon, behind an HTTPS reverse proxy (LINE posts only to HTTPS), and
takes POSTs at ``/``. A request is answered 401 unless its ``X-Line-Signature`` is the
base64 HMAC-SHA256 of the raw body under the channel secret (compared in constant time),
and 200 as soon as a signed one is queued; the events are handled one at a time by a
worker thread, so LINE never waits on a spreadsheet read.

- ``join``: the group's id and name (group summary API) go into the state file
  (`bot.line_groups`), and a free reply tells the group its id and how to ask.
- ``leave``: the group is marked as left.
- a text message that is one of `line.keywords` (``สถานะ``...): in a mapped group, the
  reply is its province's or district's status (`bot.line_status`); in an unmapped one,
  one line saying how the admin maps it. Any other message is ignored: the bot never
  chats in a group on its own.

Replies are free, unlike pushes. The same group asking again within `ANSWER_TTL_S` gets
the same answer without another read of the spreadsheet.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot import thai
from bot.config import Config
from bot.errors import BotError
from bot.line_api import LineApi, LineApiError
from bot.line_groups import LineGroups, open_line_groups
from bot.line_status import place_status, status_texts
from bot.sheets import Backend

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000  # bytes; LINE's webhook bodies are a few kB
ANSWER_TTL_S = 60.0
# Polite endings and punctuation staff add to a one-word question.
_ENDINGS = ("ครับ", "ค่ะ", "คะ", "คับ", "ค่า", "นะ", "จ้า", "?", "？", "!", ".")


def verify_signature(secret: bytes, body: bytes, signature: str | None) -> bool:
    """Whether `signature` is LINE's signature of `body` under the channel `secret`."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
    return hmac.compare_digest(expected, signature.strip().encode("utf-8", "replace"))


def is_question(text: str, keywords: list[str]) -> bool:
    """Whether a message asks for the status: a keyword, after @mentions and a polite
    ending (``@softpower-bot สถานะครับ``)."""
    words = [w for w in thai.clean_text(text).split() if not w.startswith("@")]
    asked = "".join(words).casefold()
    wanted = {"".join(k.split()).casefold() for k in keywords}
    while asked not in wanted:
        # "สถานะ" itself ends in "นะ": an ending is cut only while no keyword matched.
        ending = next((e for e in _ENDINGS if asked.endswith(e) and asked != e), None)
        if ending is None:
            return False
        asked = asked[: -len(ending)]
    return True


def _chat_of(event: dict[str, Any]) -> str | None:
    source = event.get("source") or {}
    value = source.get("groupId") or source.get("roomId")
    return value if isinstance(value, str) else None


class WebhookHandler:
    """What the bot does with each webhook event; runs in one worker thread."""

    def __init__(
        self,
        config: Config,
        api: LineApi,
        *,
        open_backend: Callable[[Config], Backend],
        now: Callable[[], datetime],
    ) -> None:
        """Handle events for `config`, calling LINE through `api`."""
        self.config = config
        self.api = api
        self.open_backend = open_backend
        self.now = now
        self._groups: LineGroups | None = None
        self._answers: dict[str, tuple[datetime, list[str]]] = {}

    def groups(self) -> LineGroups:
        """The LINE groups table, opened on first use (in the worker's thread)."""
        if self._groups is None:
            self._groups = open_line_groups(self.config)
        return self._groups

    def close(self) -> None:
        """Close the state file."""
        if self._groups is not None:
            self._groups.close()
            self._groups = None

    def handle(self, payload: dict[str, Any]) -> None:
        """Handle every event of one webhook request; one bad event never stops the rest."""
        for event in payload.get("events") or []:
            try:
                self._event(event)
            except Exception:
                log.exception("could not handle a LINE %s event", event.get("type"))

    def _event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        chat = _chat_of(event)
        token = event.get("replyToken")
        if kind == "join" and chat:
            name = self._record(chat)
            log.info("joined LINE chat %s (%s)", chat, name or "no name")
            if isinstance(token, str):
                self._reply(token, [self._greeting(chat)])
        elif kind == "leave" and chat:
            self.groups().left(chat)
            log.info("left LINE chat %s", chat)
        elif kind == "message" and isinstance(token, str):
            message = event.get("message") or {}
            text = message.get("text") if message.get("type") == "text" else None
            if not isinstance(text, str) or not is_question(text, self.config.line.keywords):
                return
            if chat is None:
                self._reply(token, [
                    "บริการสอบถามสถานะการรายงานใช้ได้ในกลุ่ม LINE ที่ผู้ดูแลระบบกำหนดจังหวัดหรืออำเภอไว้แล้ว"
                ])  # fmt: skip
                return
            if self.groups().get(chat) is None:
                self._record(chat)  # the bot joined before the webhook ran: learn it now
            self._reply(token, self._answer(chat))

    def _record(self, chat: str) -> str | None:
        """Record that the bot is in `chat`, with its name and member count if LINE says."""
        name = None
        if chat.startswith("C"):
            try:
                name = self.api.group_name(chat)
            except LineApiError as exc:
                log.warning("could not read the name of LINE group %s: %s", chat, exc)
        groups = self.groups()
        groups.joined(chat, name)
        try:
            groups.set_members(chat, self.api.member_count(chat))
        except LineApiError as exc:
            log.warning("could not read the member count of LINE chat %s: %s", chat, exc)
        return name

    def _greeting(self, chat: str) -> str:
        group = self.groups().get(chat)
        if group is not None and group.province:
            return (
                "ขอบคุณที่เพิ่มบัญชีระบบแจ้งเตือน softpower-bot เข้าร่วมกลุ่ม "
                f"กลุ่มนี้กำหนดไว้สำหรับ{group.place} "
                "สมาชิกสามารถพิมพ์ “สถานะ” เพื่อสอบถามสถานะการรายงานได้"
            )
        return (
            "ขอบคุณที่เพิ่มบัญชีระบบแจ้งเตือน softpower-bot เข้าร่วมกลุ่ม "
            f"รหัสกลุ่มนี้คือ {chat} เมื่อผู้ดูแลระบบกำหนดจังหวัดหรืออำเภอของกลุ่มแล้ว "
            "สมาชิกสามารถพิมพ์ “สถานะ” เพื่อสอบถามสถานะการรายงานได้"
        )

    def _answer(self, chat: str) -> list[str]:
        group = self.groups().get(chat)
        if group is None or not group.province:
            return [
                "กลุ่มนี้ยังไม่ได้กำหนดจังหวัดหรืออำเภอ ขอความกรุณาแจ้งผู้ดูแลระบบให้ใช้คำสั่ง "
                f"softpower-bot line map {chat} --province <จังหวัด> [--district <อำเภอ>]"
            ]
        now = self.now()
        cached = self._answers.get(chat)
        if cached is not None and (now - cached[0]).total_seconds() < ANSWER_TTL_S:
            return cached[1]
        backend = self.open_backend(self.config)
        try:
            status = place_status(self.config, backend, group.province, group.district, now=now)
        except BotError as exc:
            log.warning("status for LINE chat %s: %s", chat, exc)
            return [f"ขออภัย ขณะนี้ระบบไม่สามารถอ่านข้อมูลรายงานของ{group.place}ได้ ขอความกรุณาลองใหม่ภายหลัง"]
        texts = status_texts(self.config, status, now.date(), backend.link)
        self._answers[chat] = (now, texts)
        return texts

    def _reply(self, token: str, texts: list[str]) -> None:
        try:
            self.api.reply(token, texts)
        except LineApiError as exc:
            # An expired or used token (a redelivered event) lands here too: nothing to do.
            log.warning("LINE reply failed: %s", exc)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], service: WebhookService) -> None:
        super().__init__(address, _Handler)
        self.service = service


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are logged by the service, without headers (the signature)."""

    def _answer(self, status: int, text: str) -> None:
        data = json.dumps({"message": text}).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """A health check for the reverse proxy; LINE itself only POSTs."""
        if self.path == "/healthz":
            self._answer(200, "ok")
        else:
            self._answer(405 if self.path == "/" else 404, "POST LINE webhook events to /")

    def do_POST(self) -> None:
        """Verify, queue, answer; the events are handled by the worker."""
        if self.path.split("?", 1)[0] != "/":
            self._answer(404, "POST LINE webhook events to /")
            return
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            self._answer(411, "Content-Length required")
            return
        if int(length) > MAX_BODY:
            self._answer(413, "body too large")
            self.close_connection = True
            return
        body = self.rfile.read(int(length))
        status, text = self.server.service.accept(body, self.headers.get("X-Line-Signature"))
        log.info("webhook POST from %s: %d", self.client_address[0], status)
        self._answer(status, text)


class WebhookService:
    """The HTTP server and its worker: `start` for tests, `serve_forever` for the command."""

    def __init__(
        self,
        handler: WebhookHandler,
        secret: str,
        *,
        host: str = "127.0.0.1",
        port: int = 8088,
    ) -> None:
        """Listen on `host`:`port` (0 picks a free port) for events signed with `secret`."""
        self.handler = handler
        self._secret = secret.encode("utf-8")
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._httpd = _Server((host, port), self)
        self._worker = threading.Thread(target=self._work, name="line-events", daemon=True)
        self._worker.start()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Where it listens, e.g. ``http://127.0.0.1:8088/``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def accept(self, body: bytes, signature: str | None) -> tuple[int, str]:
        """The answer to one POST: 401 unless signed, 400 unless JSON, else 200 (queued)."""
        if not verify_signature(self._secret, body, signature):
            return 401, "invalid or missing X-Line-Signature"
        try:
            payload = json.loads(body)
        except ValueError:
            return 400, "the body is not JSON"
        if not isinstance(payload, dict):
            return 400, "the body is not a webhook request"
        self._queue.put(payload)
        return 200, "ok"

    def _work(self) -> None:
        while True:
            payload = self._queue.get()
            try:
                if payload is None:
                    self.handler.close()
                    return
                self.handler.handle(payload)
            except Exception:  # the worker must outlive any one request
                log.exception("could not handle a LINE webhook request")
            finally:
                self._queue.task_done()

    def wait_idle(self) -> None:
        """Wait until every queued request was handled."""
        self._queue.join()

    def start(self) -> WebhookService:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve until `shutdown` is called from another thread (or a signal handler)."""
        self._httpd.serve_forever(poll_interval=0.5)

    def shutdown(self) -> None:
        """Stop taking requests, finish the queued ones, close."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=10)
        self._httpd.server_close()
        self._queue.put(None)
        self._worker.join(timeout=60)
