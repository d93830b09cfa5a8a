"""Cut a message into parts a channel accepts, the Thai way. Pure.

Thai is written without spaces between words, so a message is cut between lines first (a
row of a reminder stays whole), then between words at a space, and only then inside a
word, never between a Thai letter and the vowel or tone mark written above or below it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

_THAI_LEADING_VOWELS = frozenset("เแโใไ")
_SARA_AM = "\u0e33"  # ำ: written after its consonant but part of its syllable


def message_text(title: str, body: str) -> str:
    """Return the message as one text: the title on the first line, then the body.

    This is what channels without a subject field (LINE, Telegram) and the outbox show,
    and what `bot.notify.line_messages` expects as its `texts`.
    """
    return f"{title}\n{body}" if title else body


def split_message(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` characters, only when it is too long.

    A text that fits is returned whole, as ``[text]``. Otherwise each part starts with
    its number, ``"(1/3) "``, and parts break between lines first (so a row of a Thai
    message, which has no spaces between words, stays whole), then between words at a
    space, and only then inside a word - never between a Thai letter and the vowel or
    tone mark above or below it. The line break or space at a break is dropped.
    Raises `ValueError` if `limit` cannot hold a part number and some text.
    """
    if len(text) <= limit:
        return [text]
    total = 9
    while True:
        budget = limit - len(_number(total, total))
        if budget < 1:
            raise ValueError(f"limit {limit} is too small to split a message into parts")
        pieces = _split_lines(text, budget)
        if len(pieces) <= total:
            break
        total = 10 ** len(str(len(pieces))) - 1  # room for one more digit
    count = len(pieces)
    return [_number(index, count) + piece for index, piece in enumerate(pieces, start=1)]


def _number(index: int, total: int) -> str:
    """The part marker put in front of a part."""
    return f"({index}/{total}) "


def _split_lines(text: str, budget: int) -> list[str]:
    """Parts of at most `budget` characters: whole lines, else words, else safe cuts."""

    def words(line: str) -> list[str]:
        return _pack(line.split(" "), " ", budget, lambda word: _cut_word(word, budget))

    return _pack(text.splitlines(), "\n", budget, words)


def _pack(
    pieces: Iterable[str], sep: str, budget: int, split_long: Callable[[str], list[str]]
) -> list[str]:
    """Greedily join `pieces` with `sep` into parts of at most `budget` characters.

    A piece too long for a part on its own is split by `split_long`; its last chunk stays
    open, so what follows may join it.
    """
    parts: list[str] = []
    current: str | None = None
    for piece in pieces:
        if current is not None and len(current) + len(sep) + len(piece) <= budget:
            current = f"{current}{sep}{piece}"
            continue
        if current is not None:
            parts.append(current)
        chunks = [piece] if len(piece) <= budget else split_long(piece)
        parts.extend(chunks[:-1])
        current = chunks[-1]
    if current is not None:
        parts.append(current)
    return parts


def _cut_word(word: str, budget: int) -> list[str]:
    """A word too long for a part, cut into chunks of at most `budget` characters."""
    chunks: list[str] = []
    rest = word
    while len(rest) > budget:
        cut = _safe_cut(rest, budget)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    return chunks


def _safe_cut(word: str, budget: int) -> int:
    """The largest cut <= `budget` that keeps Thai syllables whole (see `_may_cut`);
    `budget` itself if there is no such cut."""
    cut = budget
    while cut > 1 and not _may_cut(word, cut):
        cut -= 1
    return cut if _may_cut(word, cut) else budget


def _may_cut(word: str, cut: int) -> bool:
    """True unless cutting `word` before index `cut` would part a Thai syllable's letters:
    a mark or SARA AM from the letter before it, or a leading vowel from the letter after."""
    after = word[cut]
    return not (
        unicodedata.category(after).startswith("M")
        or after == _SARA_AM
        or word[cut - 1] in _THAI_LEADING_VOWELS
    )
