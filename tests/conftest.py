"""Fixtures shared by the test modules: a fresh fake Google Sheets API, a fresh fake LINE
Messaging API and a real SMTP server, all on 127.0.0.1 and always stopped; the README's
demo set-up, and the command line run in this process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.examples import make_examples
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


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """The README's demo set-up: config.example.yaml beside a fresh ./example folder."""
    shutil.copy(ROOT / "config.example.yaml", tmp_path / "config.yaml")
    make_examples(tmp_path / "example")
    return tmp_path / "config.yaml"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`softpower-bot ARGS` in this process: its exit code, standard output and error."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
