"""The workbook as a file: read it in one consistent piece, and replace it only if nobody
else saved it meanwhile.

A person may save the workbook from Excel (a new file renamed over the old one) or a script
may rewrite it in place at any moment of a sync. So the bot reads the bytes it works from
together with the file's identity (device, inode, size, mtime_ns) and a hash of the bytes,
and writes its new version to a temporary file beside the original.

Checking "still the same file?" and then renaming leaves an instant between the two in which
a person's save is overwritten and lost. So on Linux the bot does not rename over the file:
it *swaps* the two names in one atomic step (renameat2 RENAME_EXCHANGE), which unlinks
nothing, and then checks what it swapped out. If that is exactly the version it read
(identity first, and the hash, because a save within the same timestamp tick keeps size and
mtime), the old file is removed. If not, a person saved in the meantime: the bot swaps back,
so the person's file is at its name again, and the bot's version is thrown away. A script
that truncates the file in place has truncated it when it opened it, so that shows too.
Where the swap is not available (another system, a network file system) the bot falls back
to check-then-rename, and the instant between the two remains.

The file is respected: a symlink is written through to its target, a file without write
permission is left alone, a new file gets the mode the umask gives (like any program's),
a replaced file keeps its mode (and its owner and group where the system allows), and
temporary files a killed bot left behind are removed the next time.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import re
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

TEMP_TAG = "softpower-bot"


@dataclass(frozen=True)
class Version:
    """What the bot read: the file's identity and a hash of its bytes."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    digest: str

    def same_file(self, st: os.stat_result) -> bool:
        """Whether `st` describes the file as it was read (identity, not content)."""
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns) == (
            self.device, self.inode, self.size, self.mtime_ns,
        )  # fmt: skip


class Changed(Exception):
    """The file kept changing while the bot read it."""


def target(path: Path) -> Path:
    """The file a write must replace: the end of a chain of symlinks, or `path` itself."""
    return Path(os.path.realpath(path))


def snapshot(path: Path, tries: int = 5) -> tuple[bytes, Version]:
    """The file's bytes and their version, read so that both describe the same content."""
    for _ in range(tries):
        before = os.stat(path)
        with open(path, "rb") as handle:
            data = handle.read()
            after = os.fstat(handle.fileno())
        again = os.stat(path)
        key = (before.st_ino, before.st_size, before.st_mtime_ns)
        if key == (after.st_ino, after.st_size, after.st_mtime_ns) == (
            again.st_ino, again.st_size, again.st_mtime_ns,
        ) and len(data) == before.st_size:  # fmt: skip
            digest = hashlib.sha256(data).hexdigest()
            return data, Version(before.st_dev, before.st_ino, before.st_size,
                                 before.st_mtime_ns, digest)  # fmt: skip
    raise Changed(str(path))


def unchanged(path: Path, version: Version) -> bool:
    """Whether the file at `path` is still the one `version` describes."""
    try:
        with open(path, "rb") as handle:
            if not version.same_file(os.fstat(handle.fileno())):
                return False
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return False
    return digest == version.digest


def _load_renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a libc older than glibc 2.28, or no libc at all
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]  # fmt: skip
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _load_renameat2()
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# What a kernel or file system says when it cannot swap two names.
_NO_SWAP = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV}


def exchange(first: Path, second: Path) -> bool:
    """Swap the names of two existing files in one atomic step; False when this system or
    file system cannot (nothing happened then). Other errors raise OSError."""
    if _RENAMEAT2 is None:
        return False
    done = _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                      _RENAME_EXCHANGE)  # fmt: skip
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_SWAP:
        return False
    raise OSError(code, os.strerror(code), str(second))


def read_only(path: Path) -> str | None:
    """Why the bot must leave an existing file alone, if it must: no write permission for
    anyone (mode 0444 is a deliberate "do not change", honoured even for root), or none
    for the user the bot runs as."""
    st = os.stat(path)
    if not st.st_mode & 0o222:
        return f"mode {st.st_mode & 0o777:04o}"
    if not os.access(path, os.W_OK):
        return "no write permission for the user the bot runs as"
    return None


def replace(
    path: Path,
    data: bytes,
    version: Version | None,
    still_free: Callable[[], str | None],
) -> str | None:
    """Put `data` at `path` atomically if the file is still `version` (None: still absent).

    Returns None when written, or why not (the file changed, or a person opened it in the
    meantime). OSError (disk full, read-only folder) propagates, with no temp file left.
    """
    folder = path.parent
    temp = folder / f".{path.name}.{TEMP_TAG}-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    # 0o666 and the umask: a new workbook gets the mode any program would give it.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    ours = os.fstat(fd)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if version is not None:
            st = os.stat(path)
            os.chmod(temp, st.st_mode & 0o7777)
            with contextlib.suppress(OSError):
                os.chown(temp, st.st_uid, st.st_gid)
        if version is None:
            busy = still_free()
            if busy:
                return busy
            try:
                os.link(temp, path)  # fails if someone created the file meanwhile
            except FileExistsError:
                return "created by someone else while the bot was working"
            except OSError:
                if path.exists():
                    return "created by someone else while the bot was working"
                os.replace(temp, path)
        else:
            reason = _swap_in(temp, path, version, ours, still_free)
            if reason:
                return reason
    finally:
        # Whatever happened, `temp` goes if it is still a name of the bot's own file (left
        # unused, or a second link to the new workbook); after a swap it may name a
        # person's file, which is never removed here.
        if _is(temp, ours):
            with contextlib.suppress(OSError):
                os.unlink(temp)
    _sync_folder(folder)
    return None


def _is(path: Path, st: os.stat_result) -> bool:
    try:
        now = os.stat(path)
    except OSError:
        return False
    return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)


def _swap_in(
    temp: Path,
    path: Path,
    version: Version,
    ours: os.stat_result,
    still_free: Callable[[], str | None],
) -> str | None:
    """Put the bot's file at `temp` in the place of `path` if `path` is still `version` and
    nobody has it open (`still_free`, asked last). Returns None when done, or why not (then
    `temp` is the bot's file again, see `_put_back`)."""
    # Check first, so that in the usual case of a change the bot's version never shows
    # under the workbook's name, not even for an instant a person could open it in.
    if not unchanged(path, version):
        return "changed while the bot was working"
    busy = still_free()
    if busy:
        return busy
    if not exchange(temp, path):
        os.replace(temp, path)  # no atomic swap here: the instant since the check remains
        return None
    # `temp` now holds whatever was at `path` at the moment of the swap: nothing is lost
    # yet. A save by rename since the check shows in its identity, at once; a rewrite in
    # place within the same clock tick only in its content.
    try:
        moved = os.stat(temp)
    except OSError:
        moved = None
    if moved is None or not version.same_file(moved) or not unchanged(temp, version):
        return _put_back(temp, path, ours)
    os.unlink(temp)
    return None


def _put_back(temp: Path, path: Path, ours: os.stat_result) -> str:
    """A person saved between the bot's read and its swap: give them their file back."""
    exchange(temp, path)
    if _is(temp, ours):
        return "changed while the bot was working"  # the caller removes the bot's file
    # Someone saved again in the microseconds between the two swaps: the newest save goes
    # back to its name, and the one it replaced is kept beside it rather than deleted.
    exchange(temp, path)
    kept = path.with_name(f"{path.stem}.{TEMP_TAG}-kept-{time.strftime('%Y%m%d-%H%M%S')}"
                          f"{path.suffix}")  # fmt: skip
    os.replace(temp, kept)
    return f"changed twice while the bot was working; the earlier save is kept as {kept.name}"


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_OURS = re.compile(r"^\.(?P<name>.+)\." + TEMP_TAG + r"-(?P<pid>\d+)-[0-9a-f]{8}\.tmp$")
# What `tempfile.mkstemp` made for earlier versions of the bot: .<name>.<8 chars>.tmp
_LEGACY = re.compile(r"^\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp$")


def remove_stale_temps(folder: Path, names: set[str]) -> list[Path]:
    """Remove the temporary files an interrupted save of these workbooks left in `folder`
    (the caller holds the folder's lock, so no other bot is writing them); returns them."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _OURS.match(entry.name) or _LEGACY.match(entry.name)
        if match is None or match.group("name") not in names:
            continue
        pid = int(match.groupdict().get("pid") or 0)
        if pid and _alive(pid) and pid != os.getpid():
            continue
        try:
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
