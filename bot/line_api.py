"""The few LINE Messaging API calls the bot makes itself (pushes go through apprise):
a group's name, a chat's member count, the month's quota and consumption, and replies.

Plain `requests` rather than the official line-bot-sdk (README, "Dependencies"): five
small JSON calls, and we need what the SDK does not do, a bounded retry of 429 and 5xx
that honours ``Retry-After``.

Retries: a connection error, a timeout, 5xx or a 429 for the rate limit is tried again
up to `max_retries` times with exponential backoff (``Retry-After`` first). A 429 saying
the monthly limit is reached is final: waiting does not help. Retrying a reply is safe:
a reply token works once, so a reply that did arrive cannot arrive twice.

The access token travels only in the Authorization header; no message this module
produces contains it.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from bot.errors import NotifyError

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 8.0
MONTHLY_LIMIT = "monthly limit"
# LINE's limits for one reply: 5 message objects of 5,000 characters each.
MAX_REPLY_MESSAGES = 5
MAX_TEXT = 5000


class LineApiError(NotifyError):
    """A LINE API call failed for good; `status` is the last HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Quota:
    """This month's message quota: `limit` None means no limit; `used` so far."""

    limit: int | None
    used: int

    @property
    def left(self) -> int | None:
        """Messages that can still be sent this month (None: no limit)."""
        return None if self.limit is None else max(0, self.limit - self.used)


class LineApi:
    """A client for one LINE channel (one access token)."""

    def __init__(
        self,
        base: str,
        token: str,
        *,
        timeout_s: float = 10.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        """A client of the API at `base` (``https://api.line.me``) with `token`."""
        self.base = base.rstrip("/")
        self._token = token
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._session = session or requests.Session()

    def group_name(self, group_id: str) -> str:
        """The group's name as its members see it (group summary API)."""
        data = self._call("GET", f"/v2/bot/group/{quote(group_id, safe='')}/summary")
        return str(data.get("groupName") or "")

    def member_count(self, chat_id: str) -> int:
        """How many people are in a group (``C...``) or room (``R...``), the bot not counted;
        a user id (``U...``) is one person."""
        if chat_id.startswith("U"):
            return 1
        kind = "room" if chat_id.startswith("R") else "group"
        data = self._call("GET", f"/v2/bot/{kind}/{quote(chat_id, safe='')}/members/count")
        return int(data["count"])

    def quota(self) -> Quota:
        """This month's quota and consumption (two calls)."""
        limit = self._call("GET", "/v2/bot/message/quota")
        used = self._call("GET", "/v2/bot/message/quota/consumption")
        value = None if limit.get("type") == "none" else int(limit["value"])
        return Quota(value, int(used["totalUsage"]))

    def reply(self, reply_token: str, texts: list[str]) -> None:
        """Reply with up to five texts of up to 5,000 characters (free of charge)."""
        if not 1 <= len(texts) <= MAX_REPLY_MESSAGES or any(len(t) > MAX_TEXT for t in texts):
            raise ValueError("a reply holds 1 to 5 texts of at most 5000 characters")
        messages = [{"type": "text", "text": text} for text in texts]
        body = {"replyToken": reply_token, "messages": messages}
        self._call("POST", "/v2/bot/message/reply", body)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call with bounded retries; the JSON answer, or LineApiError."""
        headers = {"Authorization": f"Bearer {self._token}"}
        attempt = 0
        while True:
            status: int | None = None
            wait: float | None = None
            try:
                response = self._session.request(
                    method,
                    self.base + path,
                    json=body,
                    headers=headers,
                    timeout=self.timeout_s,
                )
            except requests.RequestException as exc:
                reason = f"no answer ({type(exc).__name__})"
            else:
                status = response.status_code
                if status < 300:
                    data = _json(response)
                    return data if isinstance(data, dict) else {}
                reason = _reason(response)
                final = status < 500 and status != 429
                if final or MONTHLY_LIMIT in reason.lower():
                    message = f"LINE answered {status} to {method} {path}: {reason}"
                    raise LineApiError(message, status)
                wait = _retry_after(response)
            if attempt >= self.max_retries:
                tries = f"{attempt + 1} tries" if attempt else "1 try"
                raise LineApiError(f"LINE {method} {path} failed after {tries}: {reason}", status)
            delay = self.backoff_s * 2**attempt * (0.5 + random.random() / 2)
            delay = min(MAX_BACKOFF_S, wait if wait is not None else delay)
            log.info("LINE %s %s: %s; trying again in %.1f s", method, path, reason, delay)
            self._sleep(delay)
            attempt += 1


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}


def _reason(response: requests.Response) -> str:
    """LINE's error message (and the first detail), shortened; the status alone if none."""
    data = _json(response)
    if not isinstance(data, dict) or not data.get("message"):
        return f"HTTP {response.status_code}"
    text = str(data["message"])
    details = data.get("details")
    if isinstance(details, list) and details and isinstance(details[0], dict):
        text += f" ({details[0].get('property', '')}: {details[0].get('message', '')})"
    return text[:200]


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
