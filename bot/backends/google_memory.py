"""What the Google backend remembers of each spreadsheet between cycles, and across a
restart: its last read (cells, tabs, the bot's marks found), the Drive version that read
reflects, the writes it has made since, the status marks it last wrote in each district tab
and the row fingerprints of each bot tab it last wrote.

A spreadsheet whose Drive version is still the one its last read reflects (plus exactly
the bot's own writes since) has not changed, so the cycle evaluates it from that read
instead of reading it again (`google_drive`). The memory is kept in a folder (one JSON file
per spreadsheet, written atomically, only when it changed) so a restarted bot skips
unchanged spreadsheets too; without a folder it lives as long as the backend object. A
damaged or foreign file is ignored (logged): the spreadsheet is simply read again.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.backends.google_grid import Rule, TabMeta
from bot.backends.google_marks import GoogleRead
from bot.backends.google_rows import Shape
from bot.model import TabData
from bot.read_cache import decode_cell, encode_cell, write_atomic
from bot.sheets import BotTabState, SheetRead

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass
class SheetMemory:
    """One spreadsheet as the bot last knew it."""

    # The Drive version the kept read reflects (None: unknown, read it again).
    version: int | None = None
    # (version before, number of writes) of the bot's own writes not yet confirmed by Drive.
    pending: tuple[int, int] | None = None
    read: SheetRead | None = None  # version: the GoogleRead
    read_at: str = ""
    # District tab -> digest of the status marks last written there (or found in place).
    marks: dict[str, str] = field(default_factory=dict)
    # Bot tab -> (its tab id, its rows' fingerprints) as last written or read.
    shapes: dict[str, tuple[int, Shape]] = field(default_factory=dict)
    dirty: bool = False  # changed since last saved


class Memory:
    """Every spreadsheet's `SheetMemory`, kept in ``folder`` when one is given."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._sheets: dict[str, SheetMemory] = {}

    def get(self, spreadsheet: str) -> SheetMemory:
        """The memory of one spreadsheet (loaded from the folder the first time)."""
        found = self._sheets.get(spreadsheet)
        if found is None:
            found = self._load(spreadsheet) or SheetMemory()
            self._sheets[spreadsheet] = found
        return found

    def path(self, name: str) -> Path | None:
        """A file of the memory's folder (None without a folder)."""
        return None if self.folder is None else self.folder / name

    def _file(self, spreadsheet: str) -> Path | None:
        name = hashlib.sha256(spreadsheet.encode("utf-8")).hexdigest()[:24]
        return self.path(f"sheet-{name}.json")

    def save(self) -> None:
        """Write every changed spreadsheet's memory (atomically; a failure is logged)."""
        for spreadsheet, memory in self._sheets.items():
            path = self._file(spreadsheet)
            if path is None or not memory.dirty:
                continue
            body = {"format": FORMAT, "spreadsheet": spreadsheet, **_encode_memory(memory)}
            if write_atomic(
                path, json.dumps(body, ensure_ascii=False, default=encode_cell), "the bot's memory"
            ):
                memory.dirty = False

    def _load(self, spreadsheet: str) -> SheetMemory | None:
        path = self._file(spreadsheet)
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_hook=decode_cell)
            if data.get("format") != FORMAT or data.get("spreadsheet") != spreadsheet:
                return None
            return _decode_memory(spreadsheet, data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring the damaged memory file %s: %s", path, exc)
            return None


# -- JSON -----------------------------------------------------------------------------------


def _encode_memory(m: SheetMemory) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": m.version,
        "pending": list(m.pending) if m.pending else None,
        "read_at": m.read_at,
        "marks": m.marks,
        "shapes": {
            name: [sid, base64.b64encode(b"".join(s.hashes)).decode(), s.width, s.header_rows]
            for name, (sid, s) in m.shapes.items()
        },
    }
    read = m.read
    if read is not None:
        state = read.version if isinstance(read.version, GoogleRead) else GoogleRead(tabs={})
        out["read"] = {
            "token": read.token,
            # Each source tab asked for, and whether it was there (its cells are in grids).
            "tabs": [[name, data.grid is not None] for name, data in read.tabs.items()],
            "bot_tabs": {name: s.value for name, s in read.bot_tabs.items()},
            "metas": [_encode_meta(meta) for meta in state.tabs.values()],
            "grids": [[name, grid] for name, grid in state.grids.items()],
            "bot_colours": [
                [name, [[r, c, s] for (r, c), s in cells.items()]]
                for name, cells in state.bot_colours.items()
            ],
            "person_colours": [
                [name, sorted(cells)] for name, cells in state.person_colours.items()
            ],
        }
    return out


def _decode_memory(spreadsheet: str, data: dict[str, Any]) -> SheetMemory:
    m = SheetMemory(
        version=data.get("version"),
        pending=(int(data["pending"][0]), int(data["pending"][1])) if data.get("pending") else None,
        read_at=str(data.get("read_at", "")),
        marks=dict(data.get("marks", {})),
    )
    for name, (sid, packed, width, header_rows) in data.get("shapes", {}).items():
        raw = base64.b64decode(packed)
        hashes = tuple(raw[i : i + 8] for i in range(0, len(raw), 8))
        m.shapes[name] = (int(sid), Shape(hashes, int(width), int(header_rows)))
    read = data.get("read")
    if read is not None:
        state = GoogleRead(tabs={})
        for meta in read["metas"]:
            decoded = _decode_meta(meta)
            state.tabs[decoded.title] = decoded
        state.grids = dict(read["grids"])
        state.bot_colours = {name: {(r, c): s for r, c, s in cells}
                             for name, cells in read["bot_colours"]}  # fmt: skip
        state.person_colours = {name: {(r, c) for r, c in cells}
                                for name, cells in read["person_colours"]}  # fmt: skip
        tabs = {
            name: TabData(spreadsheet, name, state.grids.get(name, []) if there else None)
            for name, there in read["tabs"]
        }
        bot_tabs = {name: BotTabState(v) for name, v in read["bot_tabs"].items()}
        m.read = SheetRead(spreadsheet, tabs, bot_tabs, state, token=read.get("token"))
    return m


def _encode_meta(meta: TabMeta) -> dict[str, Any]:
    return {
        "sheet_id": meta.sheet_id, "title": meta.title, "rows": meta.rows,
        "columns": meta.columns, "index": meta.index,
        "metadata": {k: list(v) for k, v in meta.metadata.items()},
        "duplicates": meta.duplicates, "anchors": [list(a) for a in meta.anchors],
        "locked": [list(x) for x in meta.locked],
        "rules": [[r.index, r.severity, sorted(r.cells)] for r in meta.rules],
        "charts": meta.charts, "own_rules": meta.own_rules,
    }  # fmt: skip


def _decode_meta(data: dict[str, Any]) -> TabMeta:
    return TabMeta(
        sheet_id=int(data["sheet_id"]),
        title=str(data["title"]),
        rows=int(data["rows"]),
        columns=int(data["columns"]),
        index=int(data["index"]),
        metadata={k: (int(v[0]), str(v[1])) for k, v in data["metadata"].items()},
        duplicates=[int(x) for x in data["duplicates"]],
        anchors=[(int(a), int(b)) for a, b in data["anchors"]],
        locked=[(int(a), b, int(c), d) for a, b, c, d in data["locked"]],
        rules=[
            Rule(int(i), str(s), frozenset((int(r), int(c)) for r, c in cells))
            for i, s, cells in data["rules"]
        ],
        charts=[int(x) for x in data.get("charts", [])],
        own_rules=[int(x) for x in data.get("own_rules", [])],
    )
