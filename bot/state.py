"""The daemon's local memory: one SQLite file that survives restarts and crashes.

It remembers which reminders were sent (so none is sent twice or lost), how the last
spreadsheet syncs went, a few flags, and which monthly snapshots were made. A separate
`<state file>.lock` makes sure two daemons never work on the same state.

Sending a reminder is three steps, each committed to disk before the next one starts::

    if state.claim(key):                        # 1. intent: an 'attempt' row
        try:
            send(message)                       # 2. the send itself
        except NotifyError as exc:
            state.mark_failed(key, str(exc))    # 3a. still due: retried later the same day
        else:
            state.mark_sent(key)                # 3b. fsync'd before the next send starts

Which way it errs: the record is written after the send returns, because nothing can be
written atomically with a message on someone else's server. A kill between a successful
send and its record (3b) therefore causes at most one duplicate of that one message on
restart; a reminder is never lost, because a claimed-but-not-sent key is simply due again
(`claim` returns True) and `interrupted_attempts` lists such keys for the log. Writing the
record first instead would turn that duplicate into a silently lost reminder.

Two senders (the daemon, and an admin's `remind` beside it) take turns: `sending()` holds
one lock for the whole round, so the second one finds on record what the first one sent,
and `claim` refuses a key another sender claimed while that sender still holds the lock.
Before it writes or decides what went, the state checks that its file is still the one it
opened (`verify`): a file deleted, replaced or cut short while the bot runs would make it
send every reminder of the day again, so it refuses instead.

Every public method is its own transaction, committed before it returns; the file runs in
WAL mode with `synchronous=FULL`, so a returned `mark_sent` survives a crash or power cut.

Secrets: `SendKey.channel` must already be masked (state files get copied around and
attached to bug reports); this module cannot tell a masked URL from a real one. As a second
line of defence, error texts are stored with every URL cut down to its scheme and host,
because HTTP errors like to quote the full webhook URL with its token.

The schema is versioned with `PRAGMA user_version`; a file from a newer bot is refused
rather than guessed at, and a damaged file is never deleted or rewritten here, only
reported with the command to move it aside.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import shlex
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final, Self

from bot.state_guard import (
    SEND_LOCK_WAIT_SECONDS,
    FileWatch,
    SendLock,
    StateError,
    daemon_holder,
    take_daemon_lock,
)

SCHEMA_VERSION: Final = 2
"""The schema this bot writes; files with a higher `user_version` are refused."""

# "SPBT": marks the file as ours, so a stray SQLite file of another program is refused
# instead of getting our tables added to it.
APPLICATION_ID: Final = 0x53504254

LEVELS: Final = ("district", "province", "admin")
"""The recipient levels a `SendKey` may name."""

# How long a write waits for another connection (e.g. `softpower-bot status` reading
# while the daemon writes) before giving up with a StateError.
BUSY_TIMEOUT_SECONDS: Final = 10.0

# Sync history is only for `status` and debugging; a sync every few minutes would
# otherwise grow the file forever.
SYNC_HISTORY: Final = 1000

# Error texts come from HTTP libraries and can be pages long; the first part says enough.
MAX_ERROR_CHARS: Final = 2000

_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

# scheme://[userinfo@]host[/path?query#fragment]; the path and userinfo may hold a token.
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?:[^\s/?#@]*@)?"
    r"(?P<host>[^\s/?#'\"<>]*)(?P<rest>[^\s'\"<>]*)"
)

# Version N of the schema is reached by running _MIGRATIONS[N - 1] on version N - 1.
# Append to this list to change the schema; never edit a step that has shipped.
_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (
        # One row per reminder ever attempted. `status` is the last thing that happened:
        # 'attempt' (claimed, outcome unknown), 'failed' or 'sent'; 'sent' is final.
        """
        CREATE TABLE sends (
            deadline TEXT NOT NULL,
            level TEXT NOT NULL,
            month TEXT NOT NULL,
            offset_days INTEGER NOT NULL,
            recipient TEXT NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('attempt', 'failed', 'sent')),
            attempts INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            first_attempt_at TEXT,
            last_attempt_at TEXT,
            last_error TEXT,
            failed_at TEXT,
            failed_day TEXT,
            sent_at TEXT,
            sent_day TEXT,
            PRIMARY KEY (deadline, level, month, offset_days, recipient, channel)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX sends_by_sent_day ON sends (sent_day) WHERE status = 'sent'",
        "CREATE INDEX sends_by_failed_day ON sends (failed_day) WHERE failures > 0",
        """
        CREATE TABLE syncs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            ok INTEGER NOT NULL,
            summary TEXT,
            error TEXT,
            consecutive_failures INTEGER NOT NULL
        )
        """,
        "CREATE TABLE flags (name TEXT PRIMARY KEY, value TEXT NOT NULL, set_at TEXT NOT NULL)",
        """
        CREATE TABLE snapshots (
            month TEXT PRIMARY KEY,
            spreadsheet TEXT NOT NULL,
            tab TEXT NOT NULL,
            at TEXT NOT NULL
        )
        """,
    ),
    (
        # Who made a claim ('attempt'): "<pid>:<token>:<time>". While that sender holds the
        # send lock, another one skips the key instead of sending it too.
        "ALTER TABLE sends ADD COLUMN claimed_by TEXT",
    ),
)
assert len(_MIGRATIONS) == SCHEMA_VERSION

_KEY_COLUMNS: Final = "deadline, level, month, offset_days, recipient, channel"
_KEY_WHERE: Final = (
    "deadline = ? AND level = ? AND month = ? AND offset_days = ? AND recipient = ? AND channel = ?"
)


@dataclass(frozen=True)
class SendKey:
    """One reminder: what it is about, who gets it, and on which (masked) channel.

    Two sends with equal keys are the same reminder, sent at most once.
    """

    deadline: date
    """The deadline's due date."""
    level: str
    """One of `LEVELS`: "district", "province" or "admin"."""
    month: str
    """The report month, "YYYY-MM"."""
    offset: int
    """Days before (+), on (0) or after (-) the deadline."""
    recipient: str
    """The district, province or admin name."""
    channel: str
    """The channel URL, already masked: it is written to the state file as is."""

    def __post_init__(self) -> None:
        # A datetime is a date too, but its isoformat() carries a time, so the same
        # reminder would get a different key: refuse it rather than send twice.
        if not isinstance(self.deadline, date) or isinstance(self.deadline, datetime):
            raise TypeError(f"SendKey.deadline must be a date, got {self.deadline!r}")
        if self.level not in LEVELS:
            raise ValueError(f"SendKey.level must be one of {LEVELS}, got {self.level!r}")
        if not _MONTH.fullmatch(self.month):
            raise ValueError(f"SendKey.month must look like 2025-01, got {self.month!r}")

    @property
    def send_day(self) -> date:
        """The day this reminder is meant to go out (`deadline` minus `offset` days)."""
        return self.deadline - timedelta(days=self.offset)

    def _row(self) -> tuple[str, str, str, int, str, str]:
        return (
            self.deadline.isoformat(),
            self.level,
            self.month,
            self.offset,
            self.recipient,
            self.channel,
        )

    @classmethod
    def _from_row(cls, row: sqlite3.Row) -> SendKey:
        return cls(
            deadline=date.fromisoformat(row["deadline"]),
            level=row["level"],
            month=row["month"],
            offset=row["offset_days"],
            recipient=row["recipient"],
            channel=row["channel"],
        )


def scrub_urls(text: str) -> str:
    """`text` with every URL cut to its scheme and host, e.g. `https://hooks.example/…`."""

    def short(m: re.Match[str]) -> str:
        return m["scheme"] + m["host"] + ("/…" if m["rest"] else "")

    return _URL.sub(short, text)


def _clean_error(error: str | None) -> str | None:
    if error is None:
        return None
    text = scrub_urls(error)
    if len(text) > MAX_ERROR_CHARS:
        text = text[:MAX_ERROR_CHARS] + "…"
    return text


@contextmanager
def _one_opener(lock: Path, wait_s: float = 2 * BUSY_TIMEOUT_SECONDS) -> Iterator[None]:
    """Hold an exclusive `flock` on `lock` while opening the state file (milliseconds). A
    lock that cannot be made (a read-only folder) or that stays taken past `wait_s` (a
    process stuck while opening) does not stop the bot: it opens without it, as SQLite's
    own locking still keeps the data safe."""
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:
        yield
        return
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock


class State:
    """The state file: sends, syncs, flags and snapshots. Use as a context manager.

    Opening creates the file and its tables if needed; `lock` must be called by the
    daemon (not by read-only commands such as `status`) before it starts working.
    One `State` belongs to the thread that opened it.
    """

    def __init__(self, path: Path, *, now: Callable[[], datetime]) -> None:
        """Open (or create) the state file at `path`; `now` gives the current local time.

        The day of a send or failure is `now().date()`, so `now` should return the
        programme's local time. Raises StateError if the file is damaged, belongs to a
        newer bot or to another program, or cannot be opened.
        """
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._send_lock = SendLock(self.path.with_name(self.path.name + ".send.lock"))
        self._watch = FileWatch(self.path)
        self._now = now
        self._lock_fd: int | None = None
        self._db: sqlite3.Connection | None = None
        self._claimant = f"{os.getpid()}:{secrets.token_hex(4)}"
        try:
            # The directory is ours to create: the state file is the bot's own data.
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StateError(
                f"cannot create the directory of state file {self.path}: {exc}; "
                "create it or choose another state file"
            ) from exc
        try:
            # isolation_level=None: no implicit transactions; each method opens its own.
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
            self._db.row_factory = sqlite3.Row
            # Processes that open one state file at the same instant (the daemon and
            # `remind`, the first start of both) take turns: SQLite's switch to WAL and the
            # schema's creation, done by two at once, stall each other or show one the
            # other's half-made file.
            with _one_opener(self.path.with_name(self.path.name + ".open.lock")):
                self._open()
                self._remember_file()
        except sqlite3.Error as exc:
            self.close()
            raise self._error(exc, "opening") from exc
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        db = self._conn()
        # Reading the header first: a damaged file fails here, before anything is written.
        version, app_id = self._header()
        foreign = version == 0 and app_id == 0 and self._has_tables()
        if foreign:
            # Another bot may have committed its schema between the two reads above: tables
            # and header are written in one transaction, so once its tables show, so does
            # its header. Only tables under a blank header are another program's.
            version, app_id = self._header()
            foreign = version == 0 and app_id == 0
        problems = [r[0] for r in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise StateError(self._damaged("; ".join(problems[:3])))
        if app_id not in (0, APPLICATION_ID) or foreign:
            raise StateError(
                f"{self.path} is not a softpower-bot state file (it holds another program's "
                "data); set the state file to a new path"
            )
        if version > SCHEMA_VERSION:
            raise StateError(self._too_new(version))
        # WAL lets `status` read while the daemon writes; FULL makes every commit fsync
        # the log, so a committed mark_sent survives a power cut. journal_mode cannot
        # change inside a transaction, hence before the schema step. If the filesystem
        # cannot do WAL, SQLite keeps its rollback journal, which is just as durable.
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _remember_file(self) -> None:
        """Note which file this is, to notice if it is deleted, replaced or emptied later."""
        # Move what the log holds into the file itself, so the file's size only grows from
        # here on (SQLite never shrinks it without VACUUM) and a truncation shows.
        self._conn().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._watch.remember()

    def verify(self) -> None:
        """Raise StateError if the state file was deleted, replaced by another file or cut
        short since it was opened: sending on would send every reminder of the day again."""
        self._watch.check()

    def _header(self) -> tuple[int, int]:
        db = self._conn()
        version = db.execute("PRAGMA user_version").fetchone()[0]
        return version, db.execute("PRAGMA application_id").fetchone()[0]

    def _has_tables(self) -> bool:
        row = self._conn().execute("SELECT count(*) FROM sqlite_master").fetchone()
        return bool(row[0])

    def _migrate(self) -> None:
        with self._tx() as db:
            # Read again under the write lock: another process may have just done it.
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StateError(self._too_new(version))
            for step in _MIGRATIONS[version:]:
                for statement in step:
                    db.execute(statement)
            # Both pragmas live in the file header, which is part of this transaction:
            # a crash leaves either the old version or the complete new one.
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _too_new(self, version: int) -> str:
        return (
            f"state file {self.path} was written by a newer softpower-bot (schema version "
            f"{version}; this bot knows up to {SCHEMA_VERSION}); upgrade the bot, or set the "
            "state file to a new path"
        )

    def _damaged(self, detail: str) -> str:
        p = self.path
        q = shlex.quote(str(p))
        # One line: the CLI prints a BotError as a single line, and quick_check's own
        # report spans several.
        detail = " ".join(detail.split())
        # The -wal file must move too: SQLite would replay a leftover log onto a new file.
        return (
            f"state file {p} is damaged ({detail}); stop the bot, move it aside with "
            f"`mv {q} {q}.damaged` (and its -wal and -shm files if present; do not delete "
            "them) and start the bot again with a fresh state; reminders already sent this "
            "month may then be sent once more"
        )

    def _error(self, exc: sqlite3.Error, doing: str) -> StateError:
        name = getattr(exc, "sqlite_errorname", "") or ""
        p = self.path
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
            return StateError(self._damaged(str(exc)))
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return StateError(
                f"state file {p} stayed busy for {BUSY_TIMEOUT_SECONDS:g}s while {doing}: "
                "another program holds it (a second softpower-bot, or a tool with the file "
                "open); close that program and try again"
            )
        if name.startswith("SQLITE_FULL"):
            return StateError(f"the disk holding state file {p} is full; free some space")
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
            return StateError(
                f"cannot write state file {p} ({exc}); check that its directory exists and "
                "that the file and directory are writable by the user running the bot"
            )
        if name.startswith("SQLITE_IOERR"):
            return StateError(
                f"disk error while {doing} state file {p} ({exc}); check the disk, then "
                "start the bot again"
            )
        return StateError(f"{doing} state file {p} failed ({exc}); check the file and disk")

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"state file {self.path} is already closed")
        return self._db

    @contextmanager
    def _tx(self, doing: str = "writing") -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: a read-then-write transaction that
        # upgrades later can fail with SQLITE_BUSY without waiting for the busy timeout.
        db = self._conn()
        self.verify()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                # A failed COMMIT (disk full, I/O error) leaves the transaction open;
                # the original error is the one worth reporting, not the rollback's.
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            raise self._error(exc, doing) from exc

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        # A single SELECT in autocommit mode is its own (read) transaction.
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc, "reading") from exc

    def _stamp(self) -> tuple[str, str]:
        now = self._now()
        return now.isoformat(), now.date().isoformat()

    # -- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Release the lock (if held) and close the file; calling it again does nothing."""
        self._send_lock.close()
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            # The lock file stays: deleting it would let a third process lock a new
            # file while a second one still waits on the old one.
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        if self._db is not None:
            db, self._db = self._db, None
            db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- exclusive lock ---------------------------------------------------------------

    def lock(self) -> None:
        """Make this the only daemon on this state file until `close`.

        Takes a non-blocking exclusive `flock` on `<path>.lock` and writes this process's
        pid into it. The kernel drops the lock when the process dies, even by SIGKILL,
        so a crashed daemon never blocks the next one. Calling it again does nothing.
        Raises StateError naming the other daemon's pid if the lock is held.
        """
        self._conn()
        if self._lock_fd is None:
            self._lock_fd = take_daemon_lock(self.lock_path, self.path)

    @property
    def locked(self) -> bool:
        """Whether this `State` holds the daemon lock."""
        return self._lock_fd is not None

    def daemon_pid(self) -> int | None:
        """The pid of the daemon running on this state file, or None when none runs.

        Probes the lock without keeping it: a daemon holds it for its whole life, and the
        kernel drops it when the daemon dies. -1 when a daemon runs but its pid is unreadable.
        """
        if self._lock_fd is not None:
            return os.getpid()
        return daemon_holder(self.lock_path)

    # -- the send lock ----------------------------------------------------------------

    def sending(self, wait_s: float = SEND_LOCK_WAIT_SECONDS) -> AbstractContextManager[None]:
        """Hold the lock every sender takes (the daemon and `remind`): while one sends, the
        other waits, then finds what went already. Re-entrant within this `State`.

        Raises StateError when the other sender does not finish within `wait_s` seconds.
        """
        return self._send_lock.hold(wait_s)

    # -- sends ------------------------------------------------------------------------

    def claim(self, key: SendKey) -> bool:
        """Record the intent to send `key`; False if it was sent already, or if another
        sender claimed it and may be sending it right now.

        Each call counts an attempt and stamps its time, so a crash between `claim` and
        `mark_sent` leaves evidence (see `interrupted_attempts`); such a key stays due once
        its claimant no longer holds the send lock (see `sending`).
        """
        at, _ = self._stamp()
        with self._tx() as db:
            row = db.execute(
                f"SELECT status, claimed_by FROM sends WHERE {_KEY_WHERE}", key._row()
            ).fetchone()
            if row is not None and row["status"] == "sent":
                return False
            if (
                row is not None
                and row["status"] == "attempt"
                and self._held_elsewhere(row["claimed_by"])
            ):
                return False
            db.execute(
                f"""
                INSERT INTO sends ({_KEY_COLUMNS}, status, attempts, first_attempt_at,
                                   last_attempt_at, claimed_by)
                VALUES (?, ?, ?, ?, ?, ?, 'attempt', 1, ?, ?, ?)
                ON CONFLICT DO UPDATE SET
                    status = 'attempt',
                    attempts = attempts + 1,
                    last_attempt_at = excluded.last_attempt_at,
                    claimed_by = excluded.claimed_by
                """,
                (*key._row(), at, at, f"{self._claimant}:{time.time():.0f}"),
            )
            return True

    def _held_elsewhere(self, claimed_by: str | None) -> bool:
        """Whether another sender that claimed a key may be sending it right now: it made
        the claim, and someone holds the send lock that is not us."""
        if not claimed_by or claimed_by.startswith(self._claimant + ":"):
            return False
        return self._send_lock.held_elsewhere()

    def mark_sent(self, key: SendKey) -> None:
        """Record `key` as sent, durably, before returning. A second call changes nothing."""
        at, day = self._stamp()
        with self._tx() as db:
            db.execute(
                f"""
                INSERT INTO sends ({_KEY_COLUMNS}, status, attempts, first_attempt_at,
                                   last_attempt_at, sent_at, sent_day)
                VALUES (?, ?, ?, ?, ?, ?, 'sent', 1, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET
                    status = 'sent',
                    sent_at = excluded.sent_at,
                    sent_day = excluded.sent_day
                WHERE status != 'sent'
                """,
                (*key._row(), at, at, at, day),
            )

    def mark_failed(self, key: SendKey, error: str) -> None:
        """Record a failed send of `key`: it stays due, and its failures are counted.

        URLs in `error` are cut to scheme and host before storing. A key already recorded
        as sent stays sent and this call changes nothing.
        """
        at, day = self._stamp()
        with self._tx() as db:
            db.execute(
                f"""
                INSERT INTO sends ({_KEY_COLUMNS}, status, attempts, failures,
                                   first_attempt_at, last_attempt_at, last_error,
                                   failed_at, failed_day)
                VALUES (?, ?, ?, ?, ?, ?, 'failed', 1, 1, ?, ?, ?, ?, ?)
                ON CONFLICT DO UPDATE SET
                    status = 'failed',
                    failures = failures + 1,
                    last_error = excluded.last_error,
                    failed_at = excluded.failed_at,
                    failed_day = excluded.failed_day
                WHERE status != 'sent'
                """,
                (*key._row(), at, at, _clean_error(error), at, day),
            )

    def was_sent(self, key: SendKey) -> bool:
        """Whether `key` has been recorded as sent."""
        self.verify()
        rows = self._read(f"SELECT status FROM sends WHERE {_KEY_WHERE}", key._row())
        return bool(rows) and rows[0]["status"] == "sent"

    def pending_failures(self, day: date) -> list[tuple[SendKey, str, int]]:
        """Keys that failed on `day` and are not sent yet, with last error and failure count.

        These are the ones to retry later today and to show in `status`; failures of
        earlier days are stale (the reminder's day has passed) and are left out. A key
        that failed and was claimed again without an outcome is still listed. Oldest
        failure first.
        """
        rows = self._read(
            f"""
            SELECT {_KEY_COLUMNS}, last_error, failures FROM sends
            WHERE failures > 0 AND status != 'sent' AND failed_day = ?
            ORDER BY failed_at, {_KEY_COLUMNS}
            """,
            (day.isoformat(),),
        )
        return [(SendKey._from_row(r), r["last_error"] or "", r["failures"]) for r in rows]

    def sent_between(self, start: date, end: date) -> list[tuple[SendKey, datetime]]:
        """Keys sent on a day from `start` to `end` (both included), oldest first."""
        rows = self._read(
            f"""
            SELECT {_KEY_COLUMNS}, sent_at FROM sends
            WHERE status = 'sent' AND sent_day BETWEEN ? AND ?
            ORDER BY sent_at, {_KEY_COLUMNS}
            """,
            (start.isoformat(), end.isoformat()),
        )
        return [(SendKey._from_row(r), datetime.fromisoformat(r["sent_at"])) for r in rows]

    def interrupted_attempts(self) -> list[tuple[SendKey, int, datetime]]:
        """Keys claimed but neither marked sent nor failed: the bot stopped mid-send.

        Each comes with its attempt count and last attempt time. They are still due; the
        recipient may already have the message, so retrying them can send one duplicate.
        Oldest first.
        """
        rows = self._read(
            f"""
            SELECT {_KEY_COLUMNS}, attempts, last_attempt_at FROM sends
            WHERE status = 'attempt'
            ORDER BY last_attempt_at, {_KEY_COLUMNS}
            """
        )
        return [
            (SendKey._from_row(r), r["attempts"], datetime.fromisoformat(r["last_attempt_at"]))
            for r in rows
        ]

    # -- daemon bookkeeping -----------------------------------------------------------

    def record_sync(self, ok: bool, summary: dict[str, object] | None, error: str | None) -> int:
        """Record one sync's outcome; returns the consecutive failed syncs, 0 after a success.

        `summary` is stored as JSON (values JSON cannot hold, such as dates, as text);
        URLs in `error` are cut to scheme and host.
        """
        at, _ = self._stamp()
        summary_json = (
            None
            if summary is None
            else json.dumps(summary, ensure_ascii=False, sort_keys=True, default=str)
        )
        with self._tx() as db:
            if ok:
                streak = 0
            else:
                prev = db.execute(
                    "SELECT consecutive_failures FROM syncs ORDER BY id DESC LIMIT 1"
                ).fetchone()
                streak = (prev[0] if prev is not None else 0) + 1
            cur = db.execute(
                "INSERT INTO syncs (at, ok, summary, error, consecutive_failures) "
                "VALUES (?, ?, ?, ?, ?)",
                (at, int(ok), summary_json, _clean_error(error), streak),
            )
            db.execute("DELETE FROM syncs WHERE id <= ?", ((cur.lastrowid or 0) - SYNC_HISTORY,))
            return streak

    def last_sync(self) -> dict[str, object] | None:
        """The latest sync, or None if none was recorded.

        Shape: {"at": ISO time, "ok": bool, "summary": dict | None, "error": str | None,
        "consecutive_failures": int}.
        """
        rows = self._read(
            "SELECT at, ok, summary, error, consecutive_failures FROM syncs "
            "ORDER BY id DESC LIMIT 1"
        )
        if not rows:
            return None
        r = rows[0]
        return {
            "at": r["at"],
            "ok": bool(r["ok"]),
            "summary": None if r["summary"] is None else json.loads(r["summary"]),
            "error": r["error"],
            "consecutive_failures": r["consecutive_failures"],
        }

    def get_flag(self, name: str) -> str | None:
        """The flag's value, or None if it is not set."""
        rows = self._read("SELECT value FROM flags WHERE name = ?", (name,))
        return rows[0]["value"] if rows else None

    def set_flag(self, name: str, value: str | None) -> None:
        """Set the flag to `value`; None removes it."""
        at, _ = self._stamp()
        with self._tx() as db:
            if value is None:
                db.execute("DELETE FROM flags WHERE name = ?", (name,))
            else:
                db.execute(
                    "INSERT INTO flags (name, value, set_at) VALUES (?, ?, ?) "
                    "ON CONFLICT DO UPDATE SET value = excluded.value, set_at = excluded.set_at",
                    (name, value, at),
                )

    def record_snapshot(self, month: str, spreadsheet: str, tab: str) -> bool:
        """Record that `month`'s frozen copy is `tab` of `spreadsheet`.

        Returns False (and keeps the first record) if that month already had one.
        """
        at, _ = self._stamp()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO snapshots (month, spreadsheet, tab, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (month, spreadsheet, tab, at),
            )
            return cur.rowcount == 1

    def has_snapshot(self, month: str) -> bool:
        """Whether `month`'s frozen copy of the national tab was recorded."""
        return bool(self._read("SELECT 1 FROM snapshots WHERE month = ?", (month,)))


__all__ = ["LEVELS", "SCHEMA_VERSION", "SendKey", "State", "StateError", "scrub_urls"]
