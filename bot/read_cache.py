"""The last good read of every spreadsheet, kept on disk so one broken spreadsheet never
empties the national picture.

When a spreadsheet cannot be read (not shared, renamed, a broken file, retries spent), the
cycle evaluates its district tabs from the last read that worked, marks them stale with the
time of that read, and writes nothing into that spreadsheet. The roll-up keeps the
province's rows instead of dropping them; the summary and the issues tab say which province
is stale and why.

The same files let a cycle skip reading a spreadsheet that did not change: `keep` stores
a read whole (cells, the bot's marks, the state of its tabs) with the backend's token of
the version read (xlsx: the file's identity and hash) and the digest of the bot's plan the
content is known to be the result of. The cycle reuses it while the backend says the
spreadsheet still holds that version (`bot.sheets.KnowsVersions`), in this process or a
restarted one.

One JSON file per spreadsheet in a folder (`daemon.read_cache`, next to the config by
default), written atomically and only when what was read changed; beside it a one-line
file holds the time of the latest good read, which moves on every cycle. Cells keep their types:
dates and datetimes are tagged, everything else is plain JSON. A damaged or foreign file is
treated as absent (and logged), never as a reason to stop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.config_load import state_path
from bot.model import Cell, TabData
from bot.sheets import BotTabState, SheetRead

log = logging.getLogger(__name__)

FORMAT = 2
READABLE = (1, 2)  # format 1 (cells only) still serves as a last good read


@dataclass(frozen=True)
class CachedRead:
    """The source tabs of one spreadsheet as last read successfully, and when.

    A read kept whole (`ReadCache.keep`) also has the backend's `token` of its version,
    the bot tabs' states, the tabs that were absent, and the plan digest it carries."""

    spreadsheet: str
    read_at: datetime
    tabs: dict[str, TabData]
    token: dict[str, object] | None = None
    bot_tabs: dict[str, BotTabState] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    applied: str | None = None

    def read(self, tabs: list[str], bot_tabs: list[str], version: object) -> SheetRead | None:
        """This read as the backend would give it for these tabs now, or None when it
        does not hold them all (the config asks for a tab it never read)."""
        if not self.token or not set(bot_tabs) <= self.bot_tabs.keys():
            return None
        out: dict[str, TabData] = {}
        for name in tabs:
            if name in self.tabs:
                out[name] = self.tabs[name]
            elif name in self.absent:
                out[name] = TabData(self.spreadsheet, name, None)
            else:
                return None
        states = {name: self.bot_tabs[name] for name in bot_tabs}
        return SheetRead(self.spreadsheet, out, states, version, applied=self.applied)


class ReadCache:
    """A folder of last good reads, one file per spreadsheet."""

    def __init__(self, folder: Path) -> None:
        """Keep the reads in `folder` (created on the first write)."""
        self.folder = Path(folder)
        # What this process last wrote into each file, and the file's identity then: the
        # same read is not written again while the file is still that one.
        self._digests: dict[str, tuple[str, tuple[int, int, int]]] = {}
        # The read each file holds, as this process wrote or loaded it, with the file's
        # identity then: a daemon's next cycle takes it from here instead of parsing the
        # file again, which would hold a second copy of every read (tens of MB) beside
        # the one its last report holds. Another process's write changes the identity.
        self._held: dict[str, tuple[tuple[int, int, int], CachedRead]] = {}

    def _path(self, spreadsheet: str) -> Path:
        # Spreadsheet ids are file names or Google keys; hash them into a safe file name.
        name = hashlib.sha256(spreadsheet.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{name}.json"

    def store(self, spreadsheet: str, tabs: dict[str, TabData], read_at: datetime) -> None:
        """Remember a successful read's cells; a failure to write is logged, never raised."""
        self._save(spreadsheet, tabs, read_at, {})

    def keep(self, read: SheetRead, read_at: datetime, token: dict[str, object] | None) -> None:
        """Remember a read whole, with the backend's `token` of the version it describes,
        so a later cycle can use it instead of reading while the spreadsheet holds that
        version; a failure to write is logged, never raised."""
        extra = {
            "token": token,
            "applied": read.applied,
            "bot_tabs": sorted([name, state.value] for name, state in read.bot_tabs.items()),
            "marks": sorted([name, data.bot_column, data.marks_known]
                            for name, data in read.tabs.items() if data.grid is not None),
            "absent": sorted(name for name, data in read.tabs.items() if data.grid is None),
        }  # fmt: skip
        self._save(read.spreadsheet, read.tabs, read_at, extra)

    def touch(self, spreadsheet: str, read_at: datetime) -> None:
        """Say that the last read is still true at `read_at` (the spreadsheet was checked
        unchanged)."""
        write_atomic(self._path(spreadsheet).with_suffix(".at"), read_at.isoformat(),
                     f"the last good read of {spreadsheet}")  # fmt: skip

    def _save(
        self, spreadsheet: str, tabs: dict[str, TabData], read_at: datetime, extra: dict[str, Any]
    ) -> None:
        # A list of [tab, grid] pairs, not a mapping: a tab may have any name at all.
        grids = sorted([name, data.grid] for name, data in tabs.items() if data.grid is not None)
        body = json.dumps(grids, default=encode_cell, ensure_ascii=False)
        more = json.dumps(extra, ensure_ascii=False)
        digest = hashlib.sha256((body + more).encode("utf-8")).hexdigest()
        path = self._path(spreadsheet)
        written = self._digests.get(spreadsheet)
        if written is not None and written[0] == digest and _identity_or_none(path) == written[1]:
            self.touch(spreadsheet, read_at)
            return
        payload = (
            f'{{"format": {FORMAT}, "spreadsheet": {json.dumps(spreadsheet)}, '
            f'"read_at": {json.dumps(read_at.isoformat())}, "digest": "{digest}", '
            f'"more": {more}, "grids": {body}}}'
        )
        self._held.pop(spreadsheet, None)
        if write_atomic(path, payload, f"the last good read of {spreadsheet}"):
            self.touch(spreadsheet, read_at)
            identity = _identity_or_none(path)
            if identity is not None:
                self._digests[spreadsheet] = (digest, identity)
            token = extra.get("token")
            held = CachedRead(
                spreadsheet,
                read_at,
                dict(tabs),
                token=token if isinstance(token, dict) else None,
                bot_tabs={name: BotTabState(state) for name, state in extra.get("bot_tabs", [])},
                absent=tuple(extra.get("absent", ())),
                applied=extra.get("applied"),
            )
            self._hold(path, held)

    def _hold(self, path: Path, read: CachedRead) -> None:
        try:
            self._held[read.spreadsheet] = (_identity(path), read)
        except OSError:
            self._held.pop(read.spreadsheet, None)

    def load(self, spreadsheet: str) -> CachedRead | None:
        """The last good read of `spreadsheet`, or None when there is none usable."""
        path = self._path(spreadsheet)
        try:
            identity = _identity(path)
            held = self._held.pop(spreadsheet, None)
            if held is not None and held[0] == identity:
                self._held[spreadsheet] = held
                return replace(held[1], read_at=self._read_at(path, held[1].read_at))
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=decode_cell)
            if data.get("format") not in READABLE or data.get("spreadsheet") != spreadsheet:
                return None
            read_at = self._read_at(path, datetime.fromisoformat(data["read_at"]))
            grids: list[tuple[str, list[list[Cell]]]] = data["grids"]
            more: dict[str, Any] = data.get("more") or {}
            marks = {name: (column, known) for name, column, known in more.get("marks", [])}
            tabs = {name: TabData(spreadsheet, name, grid, *marks.get(name, (None, False)))
                    for name, grid in grids}  # fmt: skip
            token = more.get("token")
            loaded = CachedRead(
                spreadsheet,
                read_at,
                tabs,
                token=token if isinstance(token, dict) else None,
                bot_tabs={name: BotTabState(state) for name, state in more.get("bot_tabs", [])},
                absent=tuple(more.get("absent", ())),
                applied=more.get("applied"),
            )
            if _identity(path) == identity:  # not replaced while it was being read
                self._held[spreadsheet] = (identity, loaded)
            return loaded
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring the damaged last-read file %s: %s", path, exc)
            return None

    @staticmethod
    def _read_at(path: Path, read_at: datetime) -> datetime:
        """When the read was last known true: its own time, or a later check's stamp."""
        stamp = path.with_suffix(".at")
        try:
            return max(read_at, datetime.fromisoformat(stamp.read_text("utf-8").strip()))
        except FileNotFoundError:
            return read_at


def _identity(path: Path) -> tuple[int, int, int]:
    """A file's identity: a rewrite (always a new file, renamed in) changes it."""
    found = path.stat()
    return found.st_ino, found.st_size, found.st_mtime_ns


def _identity_or_none(path: Path) -> tuple[int, int, int] | None:
    try:
        return _identity(path)
    except OSError:
        return None


def cache_for(config: Config) -> ReadCache:
    """The read cache the config names (`daemon.read_cache`)."""
    return ReadCache(state_path(config, config.daemon.read_cache))


def write_atomic(path: Path, text: str, what: str) -> bool:
    """Replace ``path`` with ``text`` atomically (a temporary file beside it, renamed);
    False, and a log line naming `what` is kept there, when it cannot."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as handle:
            temporary = handle.name
            handle.write(text)
        os.replace(handle.name, path)
    except OSError as exc:
        log.warning("cannot keep %s in %s: %s", what, path, exc)
        if temporary is not None:
            # A half-written copy left on a full disk would hold the room that frees up.
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return False
    return True


def encode_cell(value: object) -> Any:
    """A cell value as JSON (`json.dumps` default): dates and times tagged, to come back
    as they were (`decode_cell`)."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    # Any other cell a backend may one day return is kept as its text, never a crash.
    return str(value)


def decode_cell(obj: dict[str, Any]) -> Any:
    """The `json.loads` object hook undoing `encode_cell`."""
    if len(obj) == 1:
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"])
        if "$date" in obj:
            return date.fromisoformat(obj["$date"])
        if "$time" in obj:
            return time.fromisoformat(obj["$time"])
    return obj
