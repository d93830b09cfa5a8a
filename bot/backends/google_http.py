"""Talking to Google politely: pace requests under the quota, retry what is worth retrying.

gspread 6.2.1's `BackOffHTTPClient` retries forever, without jitter and without reading
`Retry-After`; this client stops after a bounded number of tries with exponential backoff
and full jitter, honours `Retry-After`, sets a timeout on every request, and keeps reads and
writes under their per-minute quotas (per user and per project) so a national cycle never
sees a 429 of its own making.

A 429 means someone else spent the minute (an admin's `check`, another tool on the same
Cloud project). Quotas refill per minute, so a short backoff cannot outlast it: on a 429
the client waits for the window (`Retry-After`, else a minute) as often as needed, within a
per-cycle time budget (`GoogleSettings.quota_wait_s`) that `start_cycle` resets.

What went wrong is told apart: no way to reach Google at all (DNS, proxy, firewall, a
refused key) is a `ServiceError`, which stops the cycle and is one line on the command
line; a spreadsheet whose requests keep failing is a `SheetError`, which the cycle skips.
A write whose answer was lost (timeout, connection cut mid-answer, a page that is not
JSON) may have been applied: it is sent again only because every write the backend makes
is idempotent or fails as a whole when repeated, and `last_ambiguous` tells the backend
so, to check a refusal of the repeat against what is really there.
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
from google.auth.exceptions import RefreshError, TransportError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from bot.errors import ServiceError, SheetError

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})
QUOTA_WINDOW_S = 60.0  # Google refills its per-minute quotas every minute
CONNECT_TIMEOUT_S = 15.0  # reaching Google takes well under a second when it works
# POSTs that only read: they count against the read quota.
_READ_POSTS = ("values:batchGet", "developerMetadata:search", ":getByDataFilter")


def request_kind(method: str, url: str) -> str:
    """'read' or 'write': which per-minute quota a request counts against."""
    if method.upper() == "GET" or any(p in url for p in _READ_POSTS):
        return "read"
    return "write"


def encode_json(body: Mapping[str, Any]) -> bytes:
    """A request body as the bot sends it (compact UTF-8 JSON); its length is its size.
    A request made only when sent (a `Mapping` that is not a dict, such as
    `google_requests.LazyRequest`) is made here and dropped once encoded."""
    text = json_module.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_made)
    return text.encode("utf-8")


def _made(value: object) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


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
    waited_s: float = 0.0  # pacing under the bot's own quota settings
    quota_waits: int = 0  # 429s ridden out
    quota_waited_s: float = 0.0


def _unreachable(exc: BaseException) -> bool:
    """Whether a connection failure happened before the request could reach Google."""
    if isinstance(exc, requests.ConnectTimeout | TransportError):
        return True
    seen: BaseException | None = exc
    while seen is not None:
        name = type(seen).__name__
        if name in ("NewConnectionError", "NameResolutionError", "ProxyError", "gaierror"):
            return True
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and isinstance(
            seen.args[0], BaseException) else None)  # fmt: skip
    return False


class PoliteHTTPClient(HTTPClient):
    """gspread's HTTP client with pacing, a timeout, bounded retries and quota waits."""

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.configure()

    def configure(
        self,
        *,
        policy: RetryPolicy | None = None,
        read_limiter: RateLimiter | None = None,
        write_limiter: RateLimiter | None = None,
        timeout_s: float = 190.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        quota_wait_s: float = 600.0,
    ) -> None:
        """Set the retry policy, quotas, timeout and quota budget (gspread builds the client
        itself, so this comes after construction)."""
        self.policy = policy or RetryPolicy()
        self.limiters = {
            "read": read_limiter or RateLimiter(60),
            "write": write_limiter or RateLimiter(60),
        }
        self.timeout = (min(CONNECT_TIMEOUT_S, timeout_s), timeout_s)
        self.sleep = sleep
        self.clock = clock
        self.quota_wait_s = quota_wait_s
        self.traffic = Traffic()
        self.last_ambiguous = False
        self.start_cycle()

    def start_cycle(self) -> None:
        """Give the next cycle its full budget of waiting for other clients' quota use."""
        self._quota_left = self.quota_wait_s

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
        """Send one API request, pacing and retrying; raise SheetError or ServiceError when
        it cannot be done, APIError for Google's own refusal (the backend explains it)."""
        kind = request_kind(method, endpoint)
        if json is not None:
            # UTF-8, not requests' \uXXXX escapes: Thai text goes out at half the size.
            data, json = encode_json(json), None
            headers = {**(headers or {}), "Content-Type": "application/json; charset=utf-8"}
        self.last_ambiguous = False
        last, unreachable, attempt = "", False, 0
        while True:
            self.traffic.waited_s += self.limiters[kind].acquire()
            self.traffic.by_kind[kind] += 1
            retry_after: float | None = None
            try:
                response = self.session.request(
                    method=method, url=endpoint, json=json, params=params, data=data,
                    files=files, headers=headers, timeout=self.timeout,
                )  # fmt: skip
            except RefreshError as exc:
                # Not worth retrying: the key was revoked, deleted, or the clock is wrong.
                why = str(exc.args[0] if exc.args else exc).split(":")[0]
                raise ServiceError(
                    "Google ปฏิเสธกุญแจของบอท กรุณาตรวจสอบ google.credentials สร้างกุญแจใหม่ของ "
                    "บัญชีบริการหากถูกลบไป และตรวจสอบนาฬิกาของเครื่อง (Google refused the bot's "
                    f"credentials ({why}); check google.credentials, make a new "
                    "key for the service account if it was deleted, and check the machine's clock)"
                ) from None
            except (requests.RequestException, TransportError) as exc:
                unreachable = _unreachable(exc)
                # A request that may have reached Google may have been carried out.
                self.last_ambiguous = self.last_ambiguous or not unreachable
                last = type(exc).__name__
            else:
                self.traffic.by_status[response.status_code] += 1
                if response.status_code == 429:
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    if self._wait_for_quota(kind, retry_after, response):
                        continue
                    raise SheetError(_quota_spent(kind, self.quota_wait_s))
                if response.ok:
                    if _is_json(response):
                        return response
                    last, unreachable = "an answer that is not JSON (a proxy's page?)", False
                    self.last_ambiguous = True
                elif response.status_code not in RETRY_STATUS:
                    raise APIError(response)
                else:
                    last, unreachable = f"HTTP {response.status_code}", False
                    self.last_ambiguous = self.last_ambiguous or response.status_code >= 500
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
            if attempt >= self.policy.max_retries:
                break
            pause = self.policy.delay(attempt, retry_after)
            log.info("%s %s: %s; retrying in %.1f s", method.upper(), kind, last, pause)
            self.traffic.retries += 1
            attempt += 1
            self.sleep(pause)
        tries = self.policy.max_retries + 1
        if unreachable:
            raise ServiceError(
                "เชื่อมต่อ Google ไม่ได้ กรุณาตรวจสอบเครือข่าย DNS พร็อกซี หรือไฟร์วอลล์ของเครื่องที่รันบอท "
                f"(cannot reach Google after {tries} tries (last: {last}); check the machine's "
                "network, DNS, proxy or firewall; the next cycle tries again)"
            )
        raise SheetError(
            "Google ไม่ตอบสนองหลังจากลองใหม่หลายครั้ง รอบถัดไประบบจะลองอีกครั้ง "
            f"(Google Sheets did not answer a {kind} request after {tries} tries (last: {last}); "
            "nothing more was written in this spreadsheet this cycle and the next cycle will "
            "try again)"
        )

    def _wait_for_quota(
        self, kind: str, retry_after: float | None, response: requests.Response
    ) -> bool:
        """Wait for the quota window to refill, if the cycle's budget allows."""
        pause = retry_after if retry_after is not None else QUOTA_WINDOW_S
        if pause > self._quota_left:
            return False
        which = "per-project" if "PerProject" in response.text else "per-user"
        log.info("%s quota (%s) spent by another client; waiting %.0f s for it to refill",
                    kind, which, pause)  # fmt: skip
        self._quota_left -= pause
        self.traffic.quota_waits += 1
        self.traffic.quota_waited_s += pause
        self.sleep(pause)
        return True


def _is_json(response: requests.Response) -> bool:
    if not response.content:
        return True  # a 204 (Drive's delete) has no body
    try:
        response.json()
    except ValueError:
        return False
    return True


def _quota_spent(kind: str, budget: float) -> str:
    return (
        "โควตาการใช้งาน Google Sheets ต่อนาทีถูกใช้หมดอย่างต่อเนื่อง (อาจมีโปรแกรมอื่นที่ใช้บัญชีหรือโปรเจกต์เดียวกัน) "
        f"รอบถัดไประบบจะลองอีกครั้ง (Google's per-minute {kind} quota stayed spent for the "
        f"{budget:.0f} s this cycle may wait (another client of the same account or Cloud "
        "project is using it); the next cycle tries again)"
    )
