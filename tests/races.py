"""What a person sees of a district tab in the fake, and the two promises about it: the bot
never changes a cell a person owns, and every status sits on the row it describes.

`person_view` is a tab as seen by its owner: every cell's value (outside the bot's status
column), note, and the background a person gave it (the bot's own colours are the bot's).
`status_errors` runs a read-only check and compares the statuses it would write with those
in the sheet.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.backends.google import GoogleBackend
from bot.backends.google_grid import COLOURS
from bot.cycle import check_cycle
from bot.form_fields import STATUS_HEADER
from bot.model import TabMarks
from fake_sheets import FakeSheets
from tests.worlds import GoogleWorld

BOT_RGB = {tuple(round(v, 2) for v in rgb) for rgb in COLOURS.values()}
Cellview = tuple[Any, tuple[float, ...] | None, str | None]


def status_columns(fake: FakeSheets, spreadsheet: str, tab: str) -> set[int]:
    """0-based columns whose header cell (in the first rows) is the bot's status header."""
    sheet = fake.spreadsheet(spreadsheet).sheet_by_title(tab)
    assert sheet is not None
    return {c for (r, c), cell in sheet.cells.items() if r < 5 and cell.value == STATUS_HEADER}


def person_view(fake: FakeSheets, spreadsheet: str, tab: str) -> dict[tuple[int, int], Cellview]:
    """Every cell a person owns: (row, col) 0-based -> (value or formula, the colour a
    person gave it, its note)."""
    sheet = fake.spreadsheet(spreadsheet).sheet_by_title(tab)
    assert sheet is not None
    bot_columns = status_columns(fake, spreadsheet, tab)
    out: dict[tuple[int, int], Cellview] = {}
    for (r, c), cell in sheet.cells.items():
        colour = None
        background = (cell.fmt or {}).get("backgroundColor")
        if isinstance(background, dict):
            rgb = tuple(round(float(background.get(k, 0.0)), 2) for k in ("red", "green", "blue"))
            colour = None if rgb in BOT_RGB else rgb
        value = cell.formula if cell.formula is not None else cell.value
        if c in bot_columns:
            value = None  # the bot's statuses; a colour or note a person put there is theirs
        if value is not None or colour is not None or cell.note:
            out[(r, c)] = (value, colour, cell.note)
    return out


def status_errors(world: GoogleWorld, today: date = date(2025, 1, 17)) -> list[str]:
    """Statuses that are not on the row they describe (a read-only check decides, by a
    bot that remembers nothing, so it reads every spreadsheet as it is now)."""
    assert world.config is not None
    fresh = GoogleBackend(world.config, session=world.fake.session(), sleep=lambda s: None)
    report = check_cycle(world.config, fresh, today)
    wrong = []
    for plan in report.plans:
        for marks in plan.marks:
            wrong += _compare(world.fake, plan.spreadsheet, marks)
    return wrong


def _compare(fake: FakeSheets, spreadsheet: str, marks: TabMarks) -> list[str]:
    sheet = fake.spreadsheet(spreadsheet).sheet_by_title(marks.tab)
    assert sheet is not None
    wanted = {marks.header_row: marks.header, **marks.status}
    wrong = []
    for row, text in wanted.items():
        cell = sheet.cells.get((row - 1, marks.column - 1))
        there = "" if cell is None or cell.value is None else str(cell.value)
        if there != (text or ""):
            wrong.append(f"{marks.tab} row {row}: {there[:20]!r} instead of {text[:20]!r}")
    return wrong
