"""The workbook as a file: read it in one consistent piece, and replace it only if nobody
else saved it meanwhile.

A person may save the workbook from Excel (a new file renamed over the old one) or a script
may rewrite it in place at any moment of a sync. So the bot reads the bytes it works from
together with the file's identity (device, inode, size, mtime_ns) and a hash of the bytes;
after writing its new version to a temporary file beside the original it checks, right
before the atomic rename, that the file on disk is still exactly the one it read (identity
first, and the hash when the identity is equal, because a save within the same timestamp
tick keeps size and mtime). If not, the new version is thrown away and the file is left
for the next cycle. What remains is the instant between that check and the rename itself;
no lock Excel honours can close it.

The file is respected: a symlink is written through to its target, a file without write
permission is left alone, a new file gets the mode the umask gives (like any program's),
a replaced file keeps its mode (and its owner and group where the system allows), and
temporary files a killed bot left behind are removed the next time.

The same hash tells a later cycle that a workbook did not change, so it need not be parsed
again (`still_holds`): its bytes are read and hashed every time (a few milliseconds a
workbook), because no cheaper sign is proof. A save within the same timestamp tick keeps
size and mtime, a restored copy gets its old mtime back, a network share's clock may lag:
the identity alone could hide a person's save, and a hidden save would stay hidden as long
as the bot finds nothing new to write. After its own save the bot keeps the hash of the
bytes it wrote, so its own write is not taken for a person's, and a person's save after it
always is (other bytes).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
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

    def as_json(self) -> dict[str, object]:
        """The version as plain JSON values (kept with the last read on disk)."""
        return {"device": self.device, "inode": self.inode, "size": self.size,
                "mtime_ns": self.mtime_ns, "digest": self.digest}  # fmt: skip

    @classmethod
    def from_json(cls, data: object) -> Version | None:
        """The version `as_json` gave, or None for anything else."""
        if not isinstance(data, dict):
            return None
        ints = ("device", "inode", "size", "mtime_ns")
        if not all(type(data.get(k)) is int for k in ints) or not isinstance(
            data.get("digest"), str
        ):
            return None
        return cls(data["device"], data["inode"], data["size"], data["mtime_ns"], data["digest"])


def _version(st: os.stat_result, digest: str) -> Version:
    return Version(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, digest)


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
        key = (before.st_ino, before.st_size, before.st_mtime_ns, before.st_ctime_ns)
        if key == (after.st_ino, after.st_size, after.st_mtime_ns, after.st_ctime_ns) == (
            again.st_ino, again.st_size, again.st_mtime_ns, again.st_ctime_ns,
        ) and len(data) == before.st_size:  # fmt: skip
            return data, _version(before, hashlib.sha256(data).hexdigest())
    raise Changed(str(path))


def still_holds(path: Path, version: Version) -> Version | None:
    """The file's version now if it still holds the bytes `version` describes, else None.

    The bytes are always hashed (see the module's docstring): a file only touched, copied
    back or renamed onto itself with the same bytes comes back with its new identity, and
    a save that kept size and mtime is a change."""
    try:
        if os.stat(path).st_size != version.size:
            return None
        _, now = snapshot(path)
    except (OSError, Changed):
        return None
    if now.digest != version.digest:
        return None
    return now


def unchanged(path: Path, version: Version) -> bool:
    """Whether the file at `path` is still the one `version` describes."""
    try:
        st = os.stat(path)
        if not version.same_file(st):
            return False
        with open(path, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return False
    return digest == version.digest


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
) -> Version | str:
    """Put `data` at `path` atomically if the file is still `version` (None: still absent).

    Returns the version of the file written (its identity taken before the rename, so a
    save by someone else right after it shows as a change), or why nothing was written
    (the file changed, or a person opened it in the meantime). OSError (disk full,
    read-only folder) propagates, with no temp file left.
    """
    folder = path.parent
    temp = folder / f".{path.name}.{TEMP_TAG}-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    # 0o666 and the umask: a new workbook gets the mode any program would give it.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    written = False
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
        ours = _version(os.stat(temp), hashlib.sha256(data).hexdigest())
        busy = still_free()
        if busy:
            return busy
        if version is None:
            try:
                os.link(temp, path)  # fails if someone created the file meanwhile
            except FileExistsError:
                return "created by someone else while the bot was working"
            except OSError:
                if path.exists():
                    return "created by someone else while the bot was working"
                os.replace(temp, path)
                written = True
        else:
            if not unchanged(path, version):
                return "changed while the bot was working"
            os.replace(temp, path)
            written = True
    finally:
        if not written:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    _sync_folder(folder)
    return ours


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
