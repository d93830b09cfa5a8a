"""Tests for bot.splitting: cutting a message to a channel's limit, the Thai way."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.splitting import split_message

# --- split_message() ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "parts"),
    [
        ("", 10, [""]),
        ("short", 10, ["short"]),
        ("x" * 20, 20, ["x" * 20]),
        ("line one\nline two", 100, ["line one\nline two"]),
        # lines are packed together while they fit, and never cut when they fit alone
        ("aaaa\nbbbb\ncccc\ndddd", 16, ["(1/2) aaaa\nbbbb", "(2/2) cccc\ndddd"]),
        ("aaaa\nbbbb\ncccc", 12, ["(1/3) aaaa", "(2/3) bbbb", "(3/3) cccc"]),
        # a line too long for a part breaks at spaces
        ("one two three four", 15, ["(1/3) one two", "(2/3) three", "(3/3) four"]),
        # a word too long for a part is cut hard
        ("x" * 20, 14, ["(1/3) xxxxxxxx", "(2/3) xxxxxxxx", "(3/3) xxxx"]),
        # Thai without spaces: whole rows first
        ("ส่งแล้ว\nยังไม่ส่ง", 16, ["(1/2) ส่งแล้ว", "(2/2) ยังไม่ส่ง"]),
        # the end of a line cut at spaces is packed with the next line when they fit
        ("one two three\nfo", 15, ["(1/2) one two", "(2/2) three\nfo"]),
    ],
)
def test_split_message_table(text: str, limit: int, parts: list[str]) -> None:
    assert split_message(text, limit) == parts


def test_split_numbering_widens_past_nine_parts() -> None:
    parts = split_message("\n".join(f"row{n:02d}" for n in range(12)), 13)
    assert len(parts) == 12
    assert parts[0] == "(1/12) row00"
    assert parts[-1] == "(12/12) row11"
    assert all(len(part) <= 13 for part in parts)


def test_huge_thai_line_without_spaces_still_splits_and_keeps_syllables() -> None:
    text = "กำหนดส่งรายงานผลการดำเนินงานที่ไม่ได้ส่งตามกำหนดเวลา" * 40  # no spaces at all
    parts = split_message(text, 100)
    assert len(parts) > 1
    assert all(len(part) <= 100 for part in parts)
    bodies = [re.sub(r"^\(\d+/\d+\) ", "", part) for part in parts]
    assert "".join(bodies) == text
    for body in bodies:
        assert not unicodedata.category(body[0]).startswith("M")  # no orphan ่ ้ ิ ี ุ
        assert body[0] != "ำ"
        assert body[-1] not in "เแโใไ"  # a leading vowel stays with its consonant


def test_split_message_rejects_a_useless_limit() -> None:
    with pytest.raises(ValueError, match="too small"):
        split_message("some text that is long", 5)


_ALPHABET = st.sampled_from(list("กขคงจมยรลวสหอ่้ิีุูำเแไ012 \nab"))


@settings(max_examples=300, deadline=None)
@given(text=st.text(_ALPHABET, max_size=400), limit=st.integers(min_value=12, max_value=80))
def test_split_message_properties(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    if len(text) <= limit:
        assert parts == [text]
        return
    count = len(parts)
    prefixes = [f"({index}/{count}) " for index in range(1, count + 1)]
    assert [part[: len(prefix)] for part, prefix in zip(parts, prefixes, strict=True)] == prefixes
    # Only the line breaks and spaces where parts meet are dropped.
    bodies = "".join(part[len(prefix) :] for part, prefix in zip(parts, prefixes, strict=True))
    assert re.sub(r"\s", "", bodies) == re.sub(r"\s", "", text)
