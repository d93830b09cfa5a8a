"""The LINE groups the bot's official account is in, learnt from webhook events, and the
province or district each one speaks for. Kept in the state file (`daemon.state`).

LINE tells a group's id only in a webhook event, when the account joins the group: the
webhook records it with the group's name (group summary API), `softpower-bot line groups`
lists them for the admin, and `softpower-bot line map` says which province or district a
group belongs to, so that a status question asked there is answered for that place.

Its own table (`line_groups`) and its own connection in the same SQLite file as
`bot.state`: the file is opened once through `State` first, which creates or checks it
and applies its migrations, so this module never decides the file's schema version.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.config import Config
from bot.config_load import state_path
from bot.state import BUSY_TIMEOUT_SECONDS, State, StateError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS line_groups (
    chat_id TEXT PRIMARY KEY,           -- C... (group) or R... (room)
    name TEXT,                          -- from the group summary API; NULL if unknown
    joined_at TEXT NOT NULL,
    left_at TEXT,                       -- NULL while the bot is in the chat
    members INTEGER,                    -- the last member count read, and when
    members_at TEXT,
    province TEXT,                      -- the mapping: registry names, NULL if none
    district TEXT,
    mapped_at TEXT
) WITHOUT ROWID
"""


@dataclass(frozen=True)
class LineGroup:
    """One group or room the bot was added to."""

    chat_id: str
    name: str | None
    joined_at: str
    left_at: str | None
    members: int | None
    members_at: str | None
    province: str | None
    district: str | None

    @property
    def active(self) -> bool:
        """Whether the bot is still in the chat."""
        return self.left_at is None

    @property
    def place(self) -> str:
        """Where it is mapped, in Thai (empty if nowhere)."""
        if not self.province:
            return ""
        if self.district:
            return f"อำเภอ{self.district} จังหวัด{self.province}"
        return f"จังหวัด{self.province}"

    def as_json(self) -> dict[str, object]:
        """The `line groups --json` shape of one group."""
        return {**asdict(self), "active": self.active}


class LineGroups:
    """The `line_groups` table of a state file. Use as a context manager; one thread."""

    def __init__(self, path: Path, *, now: Callable[[], datetime]) -> None:
        """Open the state file at `path` (creating it through `State` when new)."""
        self.path = Path(path)
        self._now = now
        with State(self.path, now=now):
            pass  # creates, checks and migrates the file; the daemon lock is not taken
        try:
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
            self._db.row_factory = sqlite3.Row
            self._db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            self._db.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise StateError(f"cannot use the LINE groups in {self.path}: {exc}") from exc

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        try:
            with self._db:
                return self._db.execute(sql, args).rowcount
        except sqlite3.Error as exc:
            raise StateError(f"cannot write the LINE groups in {self.path}: {exc}") from exc

    def joined(self, chat_id: str, name: str | None) -> None:
        """The bot was added to `chat_id`; a group it had left is active again, mapping kept."""
        at = self._now().isoformat(timespec="seconds")
        self._write(
            """
            INSERT INTO line_groups (chat_id, name, joined_at) VALUES (?, ?, ?)
            ON CONFLICT DO UPDATE SET joined_at = excluded.joined_at, left_at = NULL,
                name = coalesce(excluded.name, name)
            """,
            (chat_id, name, at),
        )

    def left(self, chat_id: str) -> None:
        """The bot was removed from `chat_id` (kept, with its mapping, for the record)."""
        at = self._now().isoformat(timespec="seconds")
        self._write(
            """
            INSERT INTO line_groups (chat_id, joined_at, left_at) VALUES (?, ?, ?)
            ON CONFLICT DO UPDATE SET left_at = excluded.left_at
            """,
            (chat_id, at, at),
        )

    def set_members(self, chat_id: str, count: int) -> None:
        """Remember the member count just read for `chat_id` (if it is a known chat)."""
        at = self._now().isoformat(timespec="seconds")
        self._write(
            "UPDATE line_groups SET members = ?, members_at = ? WHERE chat_id = ?",
            (count, at, chat_id),
        )

    def map(self, chat_id: str, province: str | None, district: str | None) -> bool:
        """Map `chat_id` to a province (and district), or clear it with None; False if the
        chat is unknown."""
        at = self._now().isoformat(timespec="seconds") if province else None
        changed = self._write(
            "UPDATE line_groups SET province = ?, district = ?, mapped_at = ? WHERE chat_id = ?",
            (province, district, at, chat_id),
        )
        return changed == 1

    def get(self, chat_id: str) -> LineGroup | None:
        """The chat, or None if the bot never joined it."""
        rows = self._select("WHERE chat_id = ?", (chat_id,))
        return rows[0] if rows else None

    def all(self) -> list[LineGroup]:
        """Every chat, active ones first, then by name."""
        return self._select("ORDER BY left_at IS NOT NULL, name, chat_id", ())

    def _select(self, where: str, args: tuple[object, ...]) -> list[LineGroup]:
        try:
            rows = self._db.execute(
                "SELECT chat_id, name, joined_at, left_at, members, members_at, province, "
                f"district FROM line_groups {where}",
                args,
            ).fetchall()
        except sqlite3.Error as exc:
            raise StateError(f"cannot read the LINE groups in {self.path}: {exc}") from exc
        return [LineGroup(**dict(row)) for row in rows]


def open_line_groups(config: Config) -> LineGroups:
    """The LINE groups of the state file the config names."""
    return LineGroups(
        state_path(config, config.daemon.state), now=lambda: datetime.now().astimezone()
    )
