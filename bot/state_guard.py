"""What keeps the state file honest while the bot runs: the one-daemon lock, the lock every
sender takes, and a watch on the file itself.

The daemon and an admin's `remind` may run at the same time; both send reminders. They take
turns through one `flock` on `<state file>.send.lock`, held for a whole round of sending, so
the second finds on record what the first sent. The kernel drops the lock when its holder
dies, even by SIGKILL, so a killed sender never blocks the next one.

The state file can also be deleted, replaced or cut short under a running bot (a clean-up
script, a restore, a full disk). SQLite would carry on with what it has open, or with an
empty file, and the bot would send every reminder of the day again; the watch notices and
the bot refuses to send instead.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from bot.errors import BotError

log = logging.getLogger(__name__)

# How long a sender waits for another one (the daemon, or `remind`) to finish sending.
SEND_LOCK_WAIT_SECONDS: Final = 15 * 60


class StateError(BotError):
    """The state file or its lock cannot be used; the message says what to do."""


def take_daemon_lock(lock_path: Path, state_path: Path) -> int:
    """Take the one-daemon-per-state-file lock: a non-blocking exclusive `flock` on
    `lock_path`, with this process's pid written in it; returns the descriptor to keep.

    Raises StateError naming the other daemon's pid if the lock is held.
    """
    try:
        # os.open's descriptors are not inherited by child processes, so a helper the
        # daemon starts cannot keep the lock alive after the daemon dies.
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StateError(
            f"cannot open lock file {lock_path} ({exc}); check that its directory is writable "
            "by the user running the bot"
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        os.close(fd)
        raise StateError(
            f"another softpower-bot is running with state file {state_path} "
            f"(pid {holder if holder is not None else 'unknown'}); stop it first, or give "
            "this one a different state file"
        ) from None
    except OSError as exc:
        os.close(fd)
        raise StateError(f"cannot lock {lock_path} ({exc})") from exc
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    except OSError as exc:
        os.close(fd)  # also releases the lock
        raise StateError(f"cannot write lock file {lock_path} ({exc})") from exc
    return fd


def _read_pid(fd: int) -> int | None:
    # The holder writes its pid just after locking; in that instant the file can still
    # be empty or hold the previous owner's pid, hence "unknown" rather than a guess.
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def daemon_holder(lock_path: Path) -> int | None:
    """The pid of the daemon holding the lock at `lock_path`, or None when none does.

    Probes the lock without keeping it (the kernel drops a daemon's lock when it dies);
    -1 when a daemon holds it but its pid cannot be read yet.
    """
    try:
        fd = os.open(lock_path, os.O_RDONLY)
    except OSError:
        return None  # never locked, or not readable: no daemon we can see
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read_pid(fd)
        return holder if holder is not None else -1
    except OSError:
        return None
    finally:
        os.close(fd)  # also drops the probe's own shared lock
    return None


class SendLock:
    """The lock every sender holds while it sends; re-entrant within one holder."""

    def __init__(self, path: Path) -> None:
        """A lock on the file at `path` (created when first taken)."""
        self.path = path
        self._fd: int | None = None
        self._depth = 0

    @contextmanager
    def hold(self, wait_s: float = SEND_LOCK_WAIT_SECONDS) -> Iterator[None]:
        """Take the lock (waiting up to `wait_s` seconds for another holder), then release
        it. Raises StateError when the wait runs out."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        fd = self._open()
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    told = True
                    log.warning("another softpower-bot is sending reminders; waiting for it")
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise StateError(
                        f"another softpower-bot has been sending reminders for over "
                        f"{wait_s:g}s (lock file {self.path}); try again when it has finished"
                    ) from None
                time.sleep(0.05)
        self._fd, self._depth = fd, 1
        try:
            yield
        finally:
            if self._fd == fd:
                self.close()

    def held_elsewhere(self) -> bool:
        """Whether someone else holds the lock right now (False when we hold it)."""
        if self._depth:
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also drops the lock if we got it
        return False

    def close(self) -> None:
        """Release the lock if held."""
        if self._fd is not None:
            fd, self._fd, self._depth = self._fd, None, 0
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StateError(
                f"cannot open lock file {self.path} ({exc.strerror}); check that its "
                "directory is writable by the user running the bot"
            ) from exc


class FileWatch:
    """The identity and size of the state file as opened, to notice it being lost."""

    def __init__(self, path: Path) -> None:
        """Watch the file at `path` (from `remember` on)."""
        self.path = path
        self._identity: tuple[int, int] | None = None
        self._size = 0

    def remember(self) -> None:
        """Note the file as it is now (its size only grows from here: SQLite never shrinks
        a database file without VACUUM)."""
        st = os.stat(self.path)
        self._identity = (st.st_dev, st.st_ino)
        self._size = st.st_size

    def check(self) -> None:
        """Raise StateError if the file was deleted, replaced or cut short."""
        if self._identity is None:
            return
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            what = "was deleted"
        except OSError as exc:
            what = f"cannot be checked ({exc.strerror})"
        else:
            if (st.st_dev, st.st_ino) != self._identity:
                what = "was replaced by another file"
            elif st.st_size < self._size:
                what = f"was cut short (from {self._size:,} to {st.st_size:,} bytes)"
            else:
                self._size = st.st_size
                return
        raise StateError(
            f"state file {self.path} {what} while the bot was running; it no longer knows "
            "which reminders went, so it sends none rather than send them all again. Restore "
            "the file from a backup and restart the bot, or restart it to begin a new state "
            "file (reminders already sent today may then go once more)"
        )
