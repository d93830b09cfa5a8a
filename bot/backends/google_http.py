"""Talking to Google politely: pace requests under the quota, retry what is worth retrying.

gspread 6.2.1's `BackOffHTTPClient` retries forever, without jitter and without reading
`Retry-After`; this client stops after a bounded number of tries with exponential backoff
and full jitter, honours `Retry-After`, sets a timeout on every request, and keeps reads and
writes under their per-minute quotas so a national cycle never sees a 429 at all.
"""

from __future__ import annotations

import json as json_module
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from google.auth.exceptions import RefreshError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from bot.errors import SheetError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
# POSTs that only read: they count against the read quota.
_READ_POSTS = ("values:batchGet", "developerMetadata:search", ":getByDataFilter")


def request_kind(method: str, url: str) -> str:
    """'read' or 'write': which per-minute quota a request counts against."""
    if method.upper() == "GET" or any(p in url for p in _READ_POSTS):
        return "read"
    return "write"


def encode_json(body: Mapping[str, Any]) -> bytes:
    """A request body as the bot sends it (compact UTF-8 JSON); its length is its size."""
    return json_module.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class RateLimiter:
    """At most `per_minute` requests in any 60-second window (sliding window)."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self._sent: deque[float] = deque()

    def acquire(self) -> float:
        """Wait until one more request fits in the window; returns the seconds waited."""
        waited = 0.0
        while True:
            now = self.clock()
            while self._sent and now - self._sent[0] >= 60.0:
                self._sent.popleft()
            if len(self._sent) < self.per_minute:
                self._sent.append(now)
                return waited
            pause = 60.0 - (now - self._sent[0]) + 0.01
            self.sleep(pause)
            waited += pause


@dataclass
class RetryPolicy:
    """Bounded exponential backoff with full jitter."""

    max_retries: int = 6
    base_s: float = 1.0
    max_backoff_s: float = 64.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `attempt` (0-based)."""
        cap = min(self.max_backoff_s, self.base_s * 2**attempt)
        jittered = self.rng.uniform(0, cap)
        # Retry-After is the server's own minimum; never retry sooner than it says.
        return max(jittered, retry_after or 0.0)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


@dataclass
class Traffic:
    """Requests sent, by kind and by API method, and what came back; for `doctor` and bench."""

    by_kind: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)
    retries: int = 0
    waited_s: float = 0.0


class PoliteHTTPClient(HTTPClient):
    """gspread's HTTP client with pacing, a timeout and bounded retries."""

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.configure()

    def configure(
        self,
        *,
        policy: RetryPolicy | None = None,
        read_limiter: RateLimiter | None = None,
        write_limiter: RateLimiter | None = None,
        timeout_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Set the retry policy, quotas and timeout (gspread builds the client itself)."""
        self.policy = policy or RetryPolicy()
        self.limiters = {
            "read": read_limiter or RateLimiter(60),
            "write": write_limiter or RateLimiter(60),
        }
        self.timeout = timeout_s
        self.sleep = sleep
        self.traffic = Traffic()

    def request(  # noqa: PLR0917 - gspread's own signature
        self,
        method: str,
        endpoint: str,
        params: Any = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: Any = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """Send one API request, pacing and retrying; raise SheetError when it cannot."""
        kind = request_kind(method, endpoint)
        if json is not None:
            # UTF-8, not requests' \uXXXX escapes: Thai text goes out at half the size.
            data, json = encode_json(json), None
            headers = {**(headers or {}), "Content-Type": "application/json; charset=utf-8"}
        last = ""
        for attempt in range(self.policy.max_retries + 1):
            self.traffic.waited_s += self.limiters[kind].acquire()
            self.traffic.by_kind[kind] += 1
            retry_after: float | None = None
            try:
                response = self.session.request(
                    method=method, url=endpoint, json=json, params=params, data=data,
                    files=files, headers=headers, timeout=self.timeout,
                )  # fmt: skip
            except (requests.Timeout, requests.ConnectionError) as exc:
                last = f"{type(exc).__name__}"
            except RefreshError as exc:
                # Not worth retrying: the key was revoked, deleted, or the clock is wrong.
                raise SheetError(
                    f"Google refused the bot's credentials ({str(exc).split(':')[0]}); check "
                    "google.credentials, make a new key for the service account if it was "
                    "deleted, and check the machine's clock"
                ) from None
            else:
                self.traffic.by_status[response.status_code] += 1
                if response.ok:
                    return response
                if response.status_code not in RETRY_STATUS:
                    raise APIError(response)
                last = f"HTTP {response.status_code}"
                retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == self.policy.max_retries:
                break
            pause = self.policy.delay(attempt, retry_after)
            log.warning("%s %s: %s; retrying in %.1f s", method.upper(), kind, last, pause)
            self.traffic.retries += 1
            self.sleep(pause)
        raise SheetError(
            f"Google Sheets did not answer a {kind} request after "
            f"{self.policy.max_retries + 1} tries (last: {last}); nothing more was written "
            "in this cycle and the next cycle will try again"
        )
