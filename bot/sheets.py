"""The one small interface every spreadsheet backend implements, and the factory.

A cycle reads each spreadsheet once (all its tabs in one go) and applies one plan to it;
nothing else crosses this line. Backends: `xlsx` (local Excel workbooks, the embedded
default) in `bot.backends.xlsx`; `google` (Google Sheets) in `bot.backends.google`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import Protocol, runtime_checkable

from bot import problems
from bot.model import ApplyResult, Link, Problem, SheetPlan, TabData

# Name of the marker that says a tab was made by the bot (a hidden sheet-scoped defined
# name in xlsx). A tab without it that holds data belongs to a person.
OWNER_MARK = "_SoftpowerBotOwned"


class BotTabState(StrEnum):
    """What a spreadsheet holds under one of the bot's tab names."""

    ABSENT = "absent"  # no such tab: the bot creates it
    OWNED = "owned"  # the bot made it: rewritten every cycle
    EMPTY = "empty"  # a person made it but left it empty: the bot may claim it
    FOREIGN = "foreign"  # a person made it and filled it: never overwritten


@dataclass
class SheetRead:
    """All that one read of a spreadsheet returned."""

    spreadsheet: str
    tabs: dict[str, TabData]
    bot_tabs: dict[str, BotTabState] = field(default_factory=dict)
    # Opaque token a backend uses to notice that the file changed before it writes.
    version: object = None
    # The digest of the bot's plan (`bot.cycle.plan_digest`) this content is known to be
    # the result of (the bot wrote it, or found it already so); None when unknown.
    applied: str | None = None
    # Names this read's content: two reads with the same token hold the same cells (a
    # backend that cannot tell leaves it None). The cycle skips its work when every
    # read, today and the config are as in the previous cycle.
    token: str | None = None


class Backend(Protocol):
    """Reads many tabs in one call and applies one write plan per spreadsheet."""

    name: str

    def read(self, spreadsheet: str, tabs: Sequence[str], bot_tabs: Sequence[str]) -> SheetRead:
        """Read the given source tabs and report on the bot's tabs, in one pass."""
        ...

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        """Write a plan; skip (with a reason) rather than clobber what changed or is open.

        Raises `SheetChanged` when the layout moved under the plan (re-read and retry),
        `SheetError` when the spreadsheet cannot be written (skip it)."""
        ...

    def location(self, spreadsheet: str) -> str:
        """Where a person opens the spreadsheet (a path or a URL)."""
        ...

    def link(self, link: Link) -> str:
        """An address a person can open to reach one cell."""
        ...

    def busy(self, spreadsheet: str) -> str | None:
        """Why the spreadsheet cannot be written right now (open in Excel...), or None."""
        ...

    def __enter__(self) -> Backend: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class KnowsVersions(Protocol):
    """A backend that can tell, without reading a spreadsheet again, that it still holds
    what the bot last read or wrote there (xlsx: the file's identity, then its hash)."""

    def token(self, version: object) -> dict[str, object] | None:
        """A read's `version` as plain JSON values, to keep with the read on disk."""
        ...

    def still_holds(self, spreadsheet: str, token: dict[str, object]) -> object | None:
        """The spreadsheet's version now, if it still holds what `token` describes; None
        when it changed or cannot tell (then it is read)."""
        ...

    def content(self, version: object) -> str | None:
        """A name for the content a `version` holds (equal names, equal cells), for
        `SheetRead.token`; None when it cannot tell."""
        ...

    def last_write(self, spreadsheet: str) -> SheetRead | None:
        """What the spreadsheet holds after this backend's last `apply` of it, exactly as
        a fresh read of the same tabs would return it; None when not known."""
        ...


@runtime_checkable
class KnowsChanges(Protocol):
    """A backend that can tell, cheaply and for all spreadsheets at once, which did not
    change since it last read them (Google: Drive's changes feed)."""

    def unchanged(
        self, wanted: Mapping[str, Sequence[str]], bot_tabs: Mapping[str, Sequence[str]]
    ) -> dict[str, SheetRead]:
        """The spreadsheets known unchanged, each with its last read (covering the tabs
        asked for); the cycle evaluates them without reading them again."""
        ...


def quote_tab(tab: str) -> str:
    """A tab name quoted for an A1 reference: always quoted, so 'A1', Thai and spaces are safe."""
    return "'" + tab.replace("'", "''") + "'"


def column_letter(column: int) -> str:
    """Spreadsheet column letters for a 1-based column number (1 -> A, 27 -> AA)."""
    letters = ""
    while column > 0:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def conflict_problem(spreadsheet: str, tab: str) -> Problem:
    """The problem reported when a person's tab holds one of the bot's tab names."""
    return Problem(
        spreadsheet,
        tab,
        None,
        None,
        None,
        "TAB_CONFLICT",
        problems.severity("TAB_CONFLICT"),
        problems.message("TAB_CONFLICT", tab=tab),
    )
