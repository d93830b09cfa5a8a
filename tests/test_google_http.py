"""Pacing under the quota and bounded retries, with a fake clock (no waiting, no network)."""

from __future__ import annotations

import random

import pytest
import requests
from google.auth.exceptions import RefreshError
from urllib3.exceptions import NewConnectionError

from bot.backends.google_http import (
    PoliteHTTPClient,
    RateLimiter,
    RetryPolicy,
    request_kind,
    retry_after_seconds,
)
from bot.errors import ServiceError, SheetError


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_limiter_lets_60_through_then_waits_for_the_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(60, clock, clock.sleep)
    for _ in range(60):
        assert limiter.acquire() == 0.0
        clock.now += 0.1
    waited = limiter.acquire()
    # The first request was at t=1000, so the 61st may go at t=1060.
    assert 54.0 < waited < 54.2
    assert clock.now >= 1060.0


def test_limiter_never_exceeds_the_quota_in_any_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10, clock, clock.sleep)
    sent = []
    for _ in range(55):
        limiter.acquire()
        sent.append(clock.now)
        clock.now += 0.5
    for i, t in enumerate(sent):
        assert sum(1 for u in sent[i:] if u - t < 60.0) <= 10


@pytest.mark.parametrize(
    ("method", "url", "kind"),
    [
        ("GET", "https://sheets.googleapis.com/v4/spreadsheets/x", "read"),
        ("get", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchGet", "read"),
        ("POST", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchGet", "read"),
        ("POST", "https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate", "write"),
        ("PUT", "https://sheets.googleapis.com/v4/spreadsheets/x/values/A1", "write"),
    ],
)
def test_request_kind(method: str, url: str, kind: str) -> None:
    assert request_kind(method, url) == kind


def test_backoff_is_bounded_jittered_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_retries=6, base_s=1.0, max_backoff_s=8.0, rng=random.Random(1))
    delays = [policy.delay(n, None) for n in range(10)]
    assert all(0 <= d <= 8.0 for d in delays)
    assert len(set(delays)) == len(delays)  # jitter: no two the same
    assert policy.delay(0, 30.0) == 30.0  # never sooner than the server asks


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("7", 7.0), ("0", 0.0), ("-3", 0.0), ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),
     ("soon", None), (None, None), ("", None)],
)  # fmt: skip
def test_retry_after_header(header: str | None, seconds: float | None) -> None:
    now = 1445412480.0  # Wed, 21 Oct 2015 07:28:00 GMT
    assert retry_after_seconds(header, now=now) == seconds


def test_refused_credentials_are_one_clear_error_not_a_traceback() -> None:
    class RefusingSession(requests.Session):
        def request(self, *args: object, **kwargs: object) -> requests.Response:  # type: ignore[override]
            raise RefreshError("invalid_grant: Invalid JWT Signature.", {"error": "invalid_grant"})

    client = PoliteHTTPClient(None, RefusingSession())
    # Not about one spreadsheet: the cycle stops with this one line (exit 2 on the CLI).
    with pytest.raises(
        ServiceError, match=r"Google refused the bot's credentials \(invalid_grant\)"
    ):
        client.request("get", "https://sheets.googleapis.com/v4/spreadsheets/x")
    assert client.traffic.retries == 0


class ScriptedSession(requests.Session):
    """Answers from a script: exceptions are raised, (status, body, type) are answered."""

    def __init__(self, script: list[Exception | tuple[int, bytes, str]]) -> None:
        super().__init__()
        self.script = script
        self.sent = 0

    def request(self, *args: object, **kwargs: object) -> requests.Response:  # type: ignore[override]
        step = self.script[min(self.sent, len(self.script) - 1)]
        self.sent += 1
        if isinstance(step, Exception):
            raise step
        status, body, kind = step
        response = requests.Response()
        response.status_code, response._content = status, body
        response.headers["Content-Type"] = kind
        return response


def _client(session: requests.Session, retries: int = 3) -> PoliteHTTPClient:
    client = PoliteHTTPClient(None, session)
    client.configure(policy=RetryPolicy(max_retries=retries), sleep=lambda s: None)
    return client


def test_a_page_that_is_not_json_is_retried_not_a_traceback() -> None:
    portal = (200, b"<html>Sign in to the hotel Wi-Fi</html>", "text/html")
    session = ScriptedSession([portal, (200, b'{"sheets": []}', "application/json")])
    client = _client(session)
    assert client.request("get", "https://sheets.googleapis.com/v4/spreadsheets/x").json() == {
        "sheets": []
    }
    assert client.traffic.retries == 1


def test_a_connection_cut_mid_answer_is_retried_then_skips_the_spreadsheet() -> None:
    session = ScriptedSession([requests.exceptions.ChunkedEncodingError("reset mid-body")])
    client = _client(session, retries=2)
    url = "https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate"
    with pytest.raises(SheetError, match=r"after 3 tries \(last: ChunkedEncodingError\)"):
        client.request("post", url, json={"requests": []})
    assert client.last_ambiguous  # it may have been carried out: the backend checks
    assert session.sent == 3


def test_no_route_to_google_stops_the_cycle_with_one_line() -> None:
    refused = requests.ConnectionError(NewConnectionError(None, "no route to host"))  # type: ignore[arg-type]
    client = _client(ScriptedSession([refused]), retries=1)
    with pytest.raises(ServiceError, match="cannot reach Google after 2 tries") as caught:
        client.request("get", "https://sheets.googleapis.com/v4/spreadsheets/x")
    assert not isinstance(caught.value, SheetError)
    assert "\n" not in str(caught.value)
