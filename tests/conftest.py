"""Fixtures shared by the test modules: a fresh fake Google Sheets API, a fresh fake LINE
Messaging API and a real SMTP server, all on 127.0.0.1 and always stopped."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fake_line import FakeLine
from fake_sheets import FakeClock, FakeSheets
from tests.smtp_server import SMTP_PASSWORD, SMTP_USER, LocalSMTP, local_smtp


@pytest.fixture
def fake_clock() -> FakeClock | None:
    """The clock the fake's quotas run on: the real one, unless a module overrides this
    fixture to move time by hand."""
    return None


@pytest.fixture
def fake(fake_clock: FakeClock | None) -> Iterator[FakeSheets]:
    """A fresh fake Sheets API; fails the test if the fake hit an internal error."""
    with FakeSheets(clock=fake_clock) as server:
        yield server
        assert server.errors == [], server.errors


@pytest.fixture
def smtp() -> Iterator[LocalSMTP]:
    """A real SMTP server on 127.0.0.1 that expects SMTP_USER / SMTP_PASSWORD."""
    with local_smtp(user=SMTP_USER, password=SMTP_PASSWORD) as server:
        yield server


@pytest.fixture
def line() -> Iterator[FakeLine]:
    """A fresh fake LINE channel (300 messages a month, none used); fails the test if the
    fake hit an internal error."""
    with FakeLine() as server:
        yield server
        assert server.errors == [], server.errors
