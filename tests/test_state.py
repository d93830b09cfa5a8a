"""The state file: sends survive restarts and SIGKILL, one daemon per file, clear errors.

Real SQLite files under tmp_path; real child processes where a crash or a second daemon
is the point; `now` is injected.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import bot.state as state_mod
from bot.errors import BotError
from bot.state import SCHEMA_VERSION, SendKey, State, StateError, scrub_urls

ROOT = Path(__file__).resolve().parent.parent
BANGKOK = timezone(timedelta(hours=7))

# What the bot stores, and the secret it must never store.
MASKED = "https://hooks.example.com/services/…/…a1b2"
SECRET_TOKEN = "T0SECRET/B0SECRET/xoxbSuperSecretToken42"
SECRET_URL = f"https://hooks.example.com/services/{SECRET_TOKEN}"


class Clock:
    """An injectable `now` that tests move by hand."""

    def __init__(self, start: datetime) -> None:
        self.t = start

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **kw: float) -> datetime:
        self.t += timedelta(**kw)
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 1, 10, 9, 0, tzinfo=BANGKOK))


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "bot.sqlite"


def key(recipient: str = "เมืองชัยภูมิ", *, offset: int = 3, level: str = "district") -> SendKey:
    return SendKey(
        deadline=date(2025, 1, 15),
        level=level,
        month="2025-01",
        offset=offset,
        recipient=recipient,
        channel=MASKED,
    )


# The same keys, for child processes (which cannot import this test module).
CHILD_PRELUDE = """\
import os, signal, sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from bot.state import SendKey, State, StateError

now = lambda: datetime(2025, 1, 10, 9, 0, tzinfo=timezone(timedelta(hours=7)))
def key(recipient):
    return SendKey(date(2025, 1, 15), "district", "2025-01", 3, recipient, {masked!r})
path = Path({path!r})
"""


def child_code(path: Path, body: str) -> str:
    return CHILD_PRELUDE.format(masked=MASKED, path=str(path)) + textwrap.dedent(body)


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def run_child(path: Path, body: str) -> subprocess.CompletedProcess[str]:
    """Run `body` in a fresh Python process; the caller checks how it ended."""
    return subprocess.run(
        [sys.executable, "-c", child_code(path, body)],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def raw_bytes(path: Path) -> bytes:
    """Every byte SQLite (and the lock) wrote for this state file: db, -wal, -shm, .lock."""
    return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))


# -- sends ------------------------------------------------------------------------------


def test_claim_mark_sent_was_sent_round_trip(path: Path, clock: Clock) -> None:
    k = key()
    with State(path, now=clock) as s:
        assert not s.was_sent(k)
        assert s.claim(k) is True
        assert not s.was_sent(k)
        s.mark_sent(k)
        assert s.was_sent(k)
        assert s.claim(k) is False
        # Keys differ by every field: another offset is another reminder.
        assert not s.was_sent(key(offset=0))
        assert s.claim(key(offset=0)) is True


def test_every_write_is_committed_before_the_method_returns(path: Path, clock: Clock) -> None:
    k = key()
    with State(path, now=clock) as s:
        s.claim(k)
        s.mark_sent(k)
        s.set_flag("x", "1")
        # A second connection (another process, in effect) sees it while s is still open.
        other = sqlite3.connect(path)
        try:
            assert other.execute("SELECT status, attempts FROM sends").fetchall() == [("sent", 1)]
            assert other.execute("SELECT value FROM flags").fetchall() == [("1",)]
            assert other.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert other.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        finally:
            other.close()
        assert s._conn().execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_restart_keeps_sent_sent_and_claimed_but_unsent_due(path: Path, clock: Clock) -> None:
    sent, claimed = key("บ้านเขว้า"), key("คอนสวรรค์")
    with State(path, now=clock) as s:
        assert s.claim(sent)
        s.mark_sent(sent)
        assert s.claim(claimed)
    clock.advance(minutes=5)
    with State(path, now=clock) as s:  # the restart
        assert s.was_sent(sent)
        assert s.claim(sent) is False
        assert not s.was_sent(claimed)
        assert s.interrupted_attempts() == [(claimed, 1, clock.t - timedelta(minutes=5))]
        assert s.claim(claimed) is True
        assert s.interrupted_attempts() == [(claimed, 2, clock.t)]
        s.mark_sent(claimed)
        assert s.interrupted_attempts() == []


def test_sigkill_between_sends_loses_no_record(path: Path, clock: Clock) -> None:
    body = """
    names = ["k0", "k1", "k2", "k3", "k4"]
    s = State(path, now=now)
    s.lock()
    for i, name in enumerate(names):
        assert s.claim(key(name))
        if i == 3:
            # The message "went out", the record did not: the worst moment to die.
            os.kill(os.getpid(), signal.SIGKILL)
        s.mark_sent(key(name))
    """
    proc = run_child(path, body)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # The commits are still only in the write-ahead log: reopening must replay it.
    assert Path(f"{path}-wal").stat().st_size > 0

    with State(path, now=clock) as s:
        s.lock()  # the dead daemon's lock went with it
        assert [n for n in ("k0", "k1", "k2", "k3", "k4") if s.was_sent(key(n))] == [
            "k0",
            "k1",
            "k2",
        ]
        assert [k for k, _, _ in s.interrupted_attempts()] == [key("k3")]
        assert s.claim(key("k3")) is True  # retried: at most one duplicate
        assert s.claim(key("k4")) is True  # never started: simply due
        assert s.claim(key("k0")) is False


def test_mark_failed_keeps_the_key_due_and_counts_failures(path: Path, clock: Clock) -> None:
    k = key()
    with State(path, now=clock) as s:
        assert s.claim(k)
        s.mark_failed(k, "HTTP 502")
        assert not s.was_sent(k)
        clock.advance(minutes=30)
        assert s.claim(k) is True  # due again later the same day
        s.mark_failed(k, "HTTP 503")
        assert s.pending_failures(clock.t.date()) == [(k, "HTTP 503", 2)]
        assert s.claim(k) is True
        s.mark_sent(k)
        assert s.pending_failures(clock.t.date()) == []
        # A late failure report cannot un-send a sent key (that would send it twice).
        s.mark_failed(k, "late")
        assert s.was_sent(k)
        assert s.claim(k) is False


def test_pending_failures_lists_only_todays_unsent_failures(path: Path, clock: Clock) -> None:
    yesterday, today, retried, recovered = (key(n) for n in ("a", "b", "c", "d"))
    with State(path, now=clock) as s:
        s.claim(yesterday)
        s.mark_failed(yesterday, "timeout")
        clock.advance(days=1)
        for k in (today, retried, recovered):
            s.claim(k)
            s.mark_failed(k, f"failed {k.recipient}")
            clock.advance(minutes=1)
        s.claim(retried)  # claimed again, outcome unknown: still a pending failure
        s.claim(recovered)
        s.mark_sent(recovered)

        assert s.pending_failures(clock.t.date()) == [
            (today, "failed b", 1),
            (retried, "failed c", 1),
        ]
        assert s.pending_failures(clock.t.date() - timedelta(days=1)) == [(yesterday, "timeout", 1)]
        assert s.pending_failures(clock.t.date() + timedelta(days=1)) == []


def test_sent_between_includes_both_ends_in_send_order(path: Path, clock: Clock) -> None:
    sent: list[tuple[SendKey, datetime]] = []
    with State(path, now=clock) as s:
        for i, day in enumerate((date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 31))):
            clock.t = datetime(day.year, day.month, day.day, 8, i, tzinfo=BANGKOK)
            k = key(f"r{i}")
            s.claim(k)
            s.mark_sent(k)
            sent.append((k, clock.t))
        s.claim(key("never sent"))
        clock.t = datetime(2025, 2, 1, 0, 0, tzinfo=BANGKOK)
        s.claim(key("r3"))
        s.mark_sent(key("r3"))

        assert s.sent_between(date(2025, 1, 1), date(2025, 1, 31)) == sent[1:]
        assert s.sent_between(date(2024, 12, 31), date(2024, 12, 31)) == sent[:1]
        assert s.sent_between(date(2025, 3, 1), date(2025, 3, 31)) == []
        when = s.sent_between(date(2025, 1, 1), date(2025, 1, 1))[0][1]
        assert when.tzinfo is not None and when.utcoffset() == timedelta(hours=7)


def test_send_key_refuses_values_that_would_make_a_different_key() -> None:
    with pytest.raises(TypeError, match="date"):
        SendKey(datetime(2025, 1, 15, 0, 0), "district", "2025-01", 0, "x", MASKED)
    with pytest.raises(ValueError, match="level"):
        key(level="national")
    with pytest.raises(ValueError, match="2025-01"):
        SendKey(date(2025, 1, 15), "admin", "2025-1", 0, "x", MASKED)
    assert key(offset=3).send_day == date(2025, 1, 12)
    assert key(offset=-2).send_day == date(2025, 1, 17)


# -- the daemon lock ----------------------------------------------------------------------


def test_lock_refuses_a_second_daemon_until_the_first_is_killed(path: Path, clock: Clock) -> None:
    body = """
    s = State(path, now=now)
    s.lock()
    print("locked", flush=True)
    sys.stdin.read()  # hold the lock until killed
    """
    holder = subprocess.Popen(
        [sys.executable, "-c", child_code(path, body)],
        cwd=ROOT,
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        with State(path, now=clock) as s:
            with pytest.raises(StateError) as err:
                s.lock()
            msg = str(err.value)
            assert f"another softpower-bot is running with state file {path}" in msg
            assert f"(pid {holder.pid})" in msg
            assert not s.locked
            # Reading while the daemon runs is fine (that is what `status` does).
            assert s.last_sync() is None
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.close()
        holder.stdout.close()
    assert holder.returncode == -signal.SIGKILL

    with State(path, now=clock) as s:
        s.lock()  # the kernel released the dead daemon's lock
        assert s.locked
        assert Path(f"{path}.lock").read_text().strip() == str(os.getpid())


def test_a_child_process_cannot_lock_while_this_one_holds_it(path: Path, clock: Clock) -> None:
    body = """
    with State(path, now=now) as s:
        try:
            s.lock()
        except StateError as e:
            print(e)
            sys.exit(3)
    """
    with State(path, now=clock) as s:
        s.lock()
        s.lock()  # a second call is harmless
        proc = run_child(path, body)
        assert proc.returncode == 3, proc.stderr
        assert f"(pid {os.getpid()})" in proc.stdout
    # close() released it.
    proc = run_child(path, body)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_two_states_in_one_process_also_exclude_each_other(path: Path, clock: Clock) -> None:
    first = State(path, now=clock)
    second = State(path, now=clock)
    try:
        first.lock()
        with pytest.raises(StateError, match=rf"\(pid {os.getpid()}\)"):
            second.lock()
        first.close()
        second.lock()
        assert second.locked
    finally:
        first.close()
        second.close()


# -- daemon bookkeeping ---------------------------------------------------------------------


def test_record_sync_counts_consecutive_failures_and_resets_on_success(
    path: Path, clock: Clock
) -> None:
    with State(path, now=clock) as s:
        assert s.last_sync() is None
        assert s.record_sync(False, None, "quota exceeded") == 1
        assert s.record_sync(False, None, "quota exceeded") == 2
        clock.advance(minutes=10)
        assert s.record_sync(True, {"rows": 12, "month": date(2025, 1, 1)}, None) == 0
        assert s.last_sync() == {
            "at": clock.t.isoformat(),
            "ok": True,
            "summary": {"rows": 12, "month": "2025-01-01"},
            "error": None,
            "consecutive_failures": 0,
        }
        assert s.record_sync(False, None, "boom") == 1
    with State(path, now=clock) as s:  # the streak survives a restart
        assert s.record_sync(False, {"partial": True}, "boom again") == 2
        last = s.last_sync()
        assert last == {
            "at": clock.t.isoformat(),
            "ok": False,
            "summary": {"partial": True},
            "error": "boom again",
            "consecutive_failures": 2,
        }


def test_sync_history_is_bounded_and_the_streak_survives_pruning(
    path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_mod, "SYNC_HISTORY", 3)
    with State(path, now=clock) as s:
        for n in range(1, 8):
            assert s.record_sync(False, None, "down") == n
        rows = s._conn().execute("SELECT count(*) FROM syncs").fetchone()[0]
        assert rows == 3


def test_flags(path: Path, clock: Clock) -> None:
    with State(path, now=clock) as s:
        assert s.get_flag("admins_told_failing") is None
        s.set_flag("admins_told_failing", "2025-01-10")
        assert s.get_flag("admins_told_failing") == "2025-01-10"
        s.set_flag("admins_told_failing", "again")
        s.set_flag("other", "")
    with State(path, now=clock) as s:
        assert s.get_flag("admins_told_failing") == "again"
        assert s.get_flag("other") == ""
        s.set_flag("admins_told_failing", None)
        s.set_flag("never set", None)
        assert s.get_flag("admins_told_failing") is None


def test_snapshots(path: Path, clock: Clock) -> None:
    with State(path, now=clock) as s:
        assert not s.has_snapshot("2025-01")
        assert s.record_snapshot("2025-01", "national", "ภาพรวม 2025-01") is True
        assert s.record_snapshot("2025-01", "national", "another copy") is False
        assert s.has_snapshot("2025-01")
        assert not s.has_snapshot("2025-02")
    with State(path, now=clock) as s:
        assert s.has_snapshot("2025-01")
        tab = s._conn().execute("SELECT tab FROM snapshots").fetchone()[0]
        assert tab == "ภาพรวม 2025-01"  # the first record is kept


# -- files the bot must not use ---------------------------------------------------------------


def test_a_state_file_from_a_newer_bot_is_refused_untouched(path: Path, clock: Clock) -> None:
    State(path, now=clock).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StateError) as err:
        State(path, now=clock)
    msg = str(err.value)
    assert str(path) in msg
    assert "newer softpower-bot" in msg
    assert f"schema version {SCHEMA_VERSION + 1}" in msg
    assert "upgrade the bot" in msg
    assert path.read_bytes() == before


@pytest.mark.parametrize("damage", ["garbage", "damaged page"])
def test_a_corrupt_file_is_reported_with_how_to_move_it_aside(
    path: Path, clock: Clock, damage: str
) -> None:
    if damage == "garbage":
        path.parent.mkdir(parents=True)
        path.write_bytes(b"this is not a database\n" * 200)
    else:
        with State(path, now=clock) as s:
            for i in range(100):
                s.set_flag(f"flag {i}", "x" * 300)
        data = bytearray(path.read_bytes())
        page = 4096
        data[2 * page : 2 * page + 100] = b"\xff" * 100  # wreck a b-tree page header
        path.write_bytes(bytes(data))
    before = path.read_bytes()
    with pytest.raises(StateError) as err:
        State(path, now=clock)
    msg = str(err.value)
    assert isinstance(err.value, BotError)
    assert f"state file {path} is damaged" in msg
    assert f"mv {path} {path}.damaged" in msg
    assert "\n" not in msg  # the CLI prints errors as one line
    assert path.read_bytes() == before  # never deleted or rewritten


def test_another_programs_sqlite_file_is_refused(path: Path, clock: Clock) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE contacts (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StateError, match="not a softpower-bot state file"):
        State(path, now=clock)


def test_an_unwritable_place_gives_a_state_error(tmp_path: Path, clock: Clock) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    with pytest.raises(StateError, match="a file"):
        State(blocker / "state.sqlite", now=clock)


# -- secrets --------------------------------------------------------------------------------


def test_the_file_holds_masked_channels_and_no_secret(path: Path, clock: Clock) -> None:
    with State(path, now=clock) as s:
        s.lock()
        for i in range(3):
            k = key(f"district {i}")
            s.claim(k)
            if i == 0:
                s.mark_sent(k)
            else:
                # HTTP libraries quote the full URL (token and all) in their errors.
                s.mark_failed(k, f"500 Server Error for url: {SECRET_URL}?retry=1")
        s.record_sync(False, None, f"could not reach {SECRET_URL}")
        s.set_flag("admins_told_failing", "yes")
        assert s.pending_failures(clock.t.date())[0][1] == (
            "500 Server Error for url: https://hooks.example.com/…"
        )
        while_open = raw_bytes(path)
    after_close = raw_bytes(path)
    for data in (while_open, after_close):
        assert MASKED.encode() in data
        for secret_part in (SECRET_TOKEN, "SuperSecret", "xoxb"):
            assert secret_part.encode() not in data


def test_scrub_urls_keeps_scheme_and_host_only() -> None:
    assert scrub_urls("see https://user:pw@api.example.org/bot123:ABC/send?x=1 now") == (
        "see https://api.example.org/… now"
    )
    assert scrub_urls("host only https://example.org and text") == (
        "host only https://example.org and text"
    )
    assert scrub_urls("no url here") == "no url here"


OPEN_AT = """\
import sys, time
from datetime import datetime
from pathlib import Path
from bot.state import State, StateError
path, at = sys.argv[1], float(sys.argv[2])
while time.time() < at:
    pass
try:
    State(Path(path), now=datetime.now).close()
except StateError as exc:
    print(exc)
"""


@pytest.mark.slow
def test_processes_opening_a_new_state_file_at_once_all_take_it(tmp_path: Path) -> None:
    """The daemon and `remind` (or two daemons' first starts) may create the state file in
    the same instant: none may take the other's half-made schema for another program's
    file. (Three at once, as the daemon, `remind` and `status` may: reading the header and the
    tables apart refused some of them.)"""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    refused: list[str] = []
    for trial in range(20):
        at = time.time() + 1.5  # all three start together, once Python is up in each
        path = str(tmp_path / f"state-{trial}.sqlite")
        procs = [subprocess.Popen([sys.executable, "-c", OPEN_AT, path, str(at)], env=env,
                                  stdout=subprocess.PIPE, text=True) for _ in range(3)]  # fmt: skip
        refused += [out.strip() for p in procs if (out := p.communicate(timeout=60)[0]).strip()]
    assert refused == []
