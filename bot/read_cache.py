"""The last good read of every spreadsheet, kept on disk so one broken spreadsheet never
empties the national picture.

When a spreadsheet cannot be read (not shared, renamed, a broken file, retries spent), the
cycle evaluates its district tabs from the last read that worked, marks them stale with the
time of that read, and writes nothing into that spreadsheet. The roll-up keeps the
province's rows instead of dropping them; the summary and the issues tab say which province
is stale and why.

One JSON file per spreadsheet in a folder (`daemon.read_cache`, next to the config by
default), written atomically and only when what was read changed; beside it a one-line
file holds the time of the latest good read, which moves on every cycle. Cells keep their types:
dates and datetimes are tagged, everything else is plain JSON. A damaged or foreign file is
treated as absent (and logged), never as a reason to stop.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from bot.config import Config
from bot.config_load import state_path
from bot.model import Cell, TabData

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass(frozen=True)
class CachedRead:
    """The source tabs of one spreadsheet as last read successfully, and when."""

    spreadsheet: str
    read_at: datetime
    tabs: dict[str, TabData]


class ReadCache:
    """A folder of last good reads, one file per spreadsheet."""

    def __init__(self, folder: Path) -> None:
        """Keep the reads in `folder` (created on the first write)."""
        self.folder = Path(folder)
        self._digests: dict[str, str] = {}

    def _path(self, spreadsheet: str) -> Path:
        # Spreadsheet ids are file names or Google keys; hash them into a safe file name.
        name = hashlib.sha256(spreadsheet.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{name}.json"

    def store(self, spreadsheet: str, tabs: dict[str, TabData], read_at: datetime) -> None:
        """Remember a successful read; a failure to write is logged, never raised."""
        # A list of [tab, grid] pairs, not a mapping: a tab may have any name at all.
        grids = sorted([name, data.grid] for name, data in tabs.items() if data.grid is not None)
        body = json.dumps(grids, default=_encode, ensure_ascii=False)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        path = self._path(spreadsheet)
        if self._digests.get(spreadsheet) == digest:
            self._write(path.with_suffix(".at"), read_at.isoformat(), spreadsheet)
            return
        payload = (
            f'{{"format": {FORMAT}, "spreadsheet": {json.dumps(spreadsheet)}, '
            f'"read_at": {json.dumps(read_at.isoformat())}, "digest": "{digest}", '
            f'"grids": {body}}}'
        )
        if self._write(path, payload, spreadsheet):
            self._write(path.with_suffix(".at"), read_at.isoformat(), spreadsheet)
            self._digests[spreadsheet] = digest

    def _write(self, path: Path, text: str, spreadsheet: str) -> bool:
        """Replace `path` with `text` atomically; False (and a log line) when it cannot."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False
            ) as handle:
                handle.write(text)
            os.replace(handle.name, path)
        except OSError as exc:
            log.warning("cannot keep the last good read of %s in %s: %s", spreadsheet, path, exc)
            return False
        return True

    def load(self, spreadsheet: str) -> CachedRead | None:
        """The last good read of `spreadsheet`, or None when there is none usable."""
        path = self._path(spreadsheet)
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
            if data.get("format") != FORMAT or data.get("spreadsheet") != spreadsheet:
                return None
            read_at = datetime.fromisoformat(data["read_at"])
            stamp = path.with_suffix(".at")
            if stamp.exists():
                read_at = max(read_at, datetime.fromisoformat(stamp.read_text("utf-8").strip()))
            grids: list[tuple[str, list[list[Cell]]]] = data["grids"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring the damaged last-read file %s: %s", path, exc)
            return None
        tabs = {name: TabData(spreadsheet, name, grid) for name, grid in grids}
        return CachedRead(spreadsheet, read_at, tabs)


def cache_for(config: Config) -> ReadCache:
    """The read cache the config names (`daemon.read_cache`)."""
    return ReadCache(state_path(config, config.daemon.read_cache))


def _encode(value: object) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    # Any other cell a backend may one day return is kept as its text, never a crash.
    return str(value)


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if "$datetime" in obj:
            return datetime.fromisoformat(obj["$datetime"])
        if "$date" in obj:
            return date.fromisoformat(obj["$date"])
        if "$time" in obj:
            return time.fromisoformat(obj["$time"])
    return obj
