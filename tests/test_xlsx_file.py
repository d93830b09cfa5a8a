"""Replacing a workbook when a person saves it at the worst possible instant: right before
the bot puts its version in place. Their save always wins and nothing of theirs is deleted.

The bot asks `still_free` (is the workbook open in Excel?) as the very last step, after it
has checked the file is still the one it read and right before it swaps its version in;
these tests make the person's save happen there, the moment a check-then-rename loses it.
How often that happens under load, and how often it still goes wrong, is measured by
`bench/save_race.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.backends import xlsx_file

ORIGINAL = b"PK original workbook " * 50
BOTS = b"PK the bot's version " * 60
PERSON = b"PK a person's save " * 55


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "book.xlsx")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    path.write_bytes(ORIGINAL)
    os.chmod(path, 0o640)
    return path


def test_an_untouched_workbook_is_replaced_and_keeps_its_mode(book: Path) -> None:
    _, version = xlsx_file.snapshot(book)
    assert xlsx_file.replace(book, BOTS, version, lambda: None) is None
    assert book.read_bytes() == BOTS
    assert os.stat(book).st_mode & 0o777 == 0o640
    assert leftovers(book.parent) == []  # the old file and the temporary file are gone


def test_a_save_by_rename_at_the_last_instant_wins(book: Path) -> None:
    _, version = xlsx_file.snapshot(book)

    def person_saves() -> str | None:  # as Excel does: a new file renamed over the old one
        (book.parent / "~saving").write_bytes(PERSON)
        os.replace(book.parent / "~saving", book)
        return None

    reason = xlsx_file.replace(book, BOTS, version, person_saves)
    assert reason == "changed while the bot was working"
    assert book.read_bytes() == PERSON
    assert leftovers(book.parent) == []


def test_a_same_size_same_time_save_in_place_at_the_last_instant_wins(book: Path) -> None:
    _, version = xlsx_file.snapshot(book)
    stamp = os.stat(book).st_mtime_ns
    same_size = ORIGINAL.replace(b"original", b"ORIGINAL")

    def person_saves() -> str | None:  # a script rewriting the file in the same clock tick
        with open(book, "r+b") as handle:
            handle.write(same_size)
        os.utime(book, ns=(stamp, stamp))
        return None

    reason = xlsx_file.replace(book, BOTS, version, person_saves)
    assert reason == "changed while the bot was working"
    assert book.read_bytes() == same_size
    assert leftovers(book.parent) == []


def test_a_script_that_opened_the_file_before_the_swap_writes_into_the_workbook(
    book: Path,
) -> None:
    """A script truncates the file when it opens it and writes a moment later: its bytes
    must land in the workbook, not in a file the bot has already swapped away."""
    _, version = xlsx_file.snapshot(book)
    opened: list[int] = []

    def script_opens() -> str | None:
        opened.append(os.open(book, os.O_WRONLY | os.O_TRUNC))
        return None

    reason = xlsx_file.replace(book, BOTS, version, script_opens)
    os.write(opened[0], PERSON)
    os.close(opened[0])
    assert reason == "changed while the bot was working"
    assert book.read_bytes() == PERSON
    assert leftovers(book.parent) == []


def test_where_names_cannot_be_swapped_the_check_still_catches_an_earlier_save(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a system without renameat2 (or a file system that refuses the swap) the bot
    checks, then renames: a save before the check is never overwritten. (A save between the
    check and the rename is lost there: run the tests above with `_RENAMEAT2` set to None
    and the three "last instant" ones fail.)"""
    monkeypatch.setattr(xlsx_file, "_RENAMEAT2", None)  # the platform, not the bot's logic
    _, version = xlsx_file.snapshot(book)
    (book.parent / "~saving").write_bytes(PERSON)
    os.replace(book.parent / "~saving", book)
    assert xlsx_file.replace(book, BOTS, version, lambda: None) == (
        "changed while the bot was working"
    )
    assert book.read_bytes() == PERSON
    _, version = xlsx_file.snapshot(book)
    assert xlsx_file.replace(book, BOTS, version, lambda: None) is None
    assert book.read_bytes() == BOTS
    assert leftovers(book.parent) == []


def test_names_really_swap_on_this_system(tmp_path: Path) -> None:
    """The guarantee above rests on the atomic swap; CI runs on Linux where it exists."""
    first, second = tmp_path / "a", tmp_path / "b"
    first.write_bytes(b"a")
    second.write_bytes(b"b")
    assert xlsx_file.exchange(first, second)
    assert (first.read_bytes(), second.read_bytes()) == (b"b", b"a")
