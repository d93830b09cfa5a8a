"""Guesses for `doctor`: which tab a missing district tab probably is, and which column of a
changed header row means which field of the form. Pure: names and grids in, guesses out.

A district tab renamed to `อ.ภูเขียว` or `ภูเขียว ` is found by the district's name once the
usual prefixes (`อำเภอ`, `อ.`, `เขต`), spaces and zero-width characters are set aside, or by
a close spelling; when every tab found this way follows one other pattern, the config's
`tabs.district` can say so instead of renaming them all. A header cell that no field's
header matches is compared with each field's headers (spelling, and words that name it:
`ลิงก์`, `link`, `url` for the post's link); the best pairs above `MIN_SCORE` become a
`form.headers` snippet that keeps the names already configured, so other tabs still match.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot import thai
from bot.config import Form, SourceTab
from bot.form_fields import FIELD_KEYS
from bot.model import Cell

# A district tab's name with one of these in front still names the district.
_TAB_PREFIXES = ("อำเภอ", "อ.", "เขต", "amphoe", "district")
# Below this a guess is not worth showing.
MIN_TAB_SCORE = 0.75
MIN_SCORE = 0.6
# A header row must show at least this many of the form's fields (exactly or by a guess).
MIN_FIELDS = 3

# Words in a header that name a field, whatever else the header says (header_key form).
HINTS: dict[str, tuple[str, ...]] = {
    "report_month": ("เดือน", "month", "งวด"),
    "province": ("จังหวัด", "province"),
    "district": ("อำเภอ", "district"),
    "lao": ("อปท", "องค์กรปกครอง", "เทศบาล", "อบต", "lao"),
    "category": ("ด้าน", "ประเภท", "category"),
    "identity": ("อัตลักษณ์", "identity"),
    "activity": ("กิจกรรม", "activity"),
    "role": ("บทบาท", "role"),
    "budget": ("งบ", "budget"),
    "post_url": ("ลิงก์", "ลิ้งก์", "ลิงค์", "ลิ้งค์", "link", "url", "โพสต์"),
    "hashtags": ("แฮชแท็ก", "แฮชแท็ค", "แฮชแทก", "hashtag", "#"),
    "reporter": ("ผู้รายงาน", "ผู้กรอก", "ผู้บันทึก", "reporter"),
    "phone": ("โทร", "เบอร์", "phone", "tel"),
    "note": ("หมายเหตุ", "note", "remark"),
}


def tab_key(name: str) -> str:
    """A tab's name with spaces, zero-width characters, case and a district prefix set aside."""
    key = thai.clean_text(name).replace(" ", "").casefold()
    for prefix in _TAB_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def match_tabs(missing: Sequence[SourceTab], present: Iterable[str]) -> dict[str, str]:
    """For district tabs the config names but the spreadsheet lacks: the tab among `present`
    (tabs nobody else claims) that most likely is each one. Each tab is given once."""
    pairs: list[tuple[float, str, str]] = []
    names = list(present)
    for source in missing:
        want = tab_key(source.district.name)
        for name in names:
            key = tab_key(name)
            if not key:
                continue
            if key == want:
                score = 1.0
            elif key.startswith(want) and tab_key(key[len(want) :]) in (
                "", tab_key(source.province.name), tab_key("จ." + source.province.name),
                tab_key("จังหวัด" + source.province.name),
            ):  # fmt: skip
                score = 0.95
            else:
                score = _ratio(key, want)
            if score >= MIN_TAB_SCORE:
                pairs.append((score, source.tab, name))
    out: dict[str, str] = {}
    for _, tab, name in sorted(pairs, key=lambda p: -p[0]):
        if tab not in out and name not in out.values():
            out[tab] = name
    return out


def tab_pattern(found: Sequence[tuple[SourceTab, str]]) -> str | None:
    """The `tabs.district` pattern every found tab follows (e.g. "อ.{district}"), when at
    least two were found and they all follow the same one; else None."""
    patterns = set()
    for source, name in found:
        if source.district.name not in name:
            return None
        pattern = name.replace(source.district.name, "{district}", 1)
        pattern = pattern.replace(source.province.name, "{province}")
        patterns.add(pattern)
    if len(found) < 2 or len(patterns) != 1:
        return None
    return patterns.pop()


@dataclass(frozen=True)
class HeaderGuess:
    """A header text in a tab that probably means a field of the form."""

    field: str
    text: str  # as typed in the sheet
    column: int  # 1-based
    row: int  # 1-based


def _known(form: Form) -> dict[str, str]:
    return {thai.header_key(n): key for key in FIELD_KEYS for n in form.header_names(key)}


def score(form: Form, key: str, text: str) -> float:
    """How much a header text (already `thai.header_key`ed) looks like the field `key`."""
    best = max(_ratio(text, thai.header_key(n)) for n in form.header_names(key))
    if any(hint in text for hint in HINTS.get(key, ())):
        best = max(best, 0.7 + 0.3 * best)
    return best


def _guesses(form: Form, cells: Sequence[Cell], known: dict[str, str]) -> list[HeaderGuess]:
    found = {known[k] for c in cells if (k := thai.header_key(c)) in known}
    status = thai.header_key(form.status_header)
    candidates = [
        (col, thai.clean_text(c).rstrip("*: ") or thai.clean_text(c), k)
        for col, c in enumerate(cells, start=1)
        if (k := thai.header_key(c)) and k not in known and k != status
    ]
    pairs = sorted(
        (
            (score(form, field, key), field, col, text)
            for field in FIELD_KEYS
            if field not in found
            for col, text, key in candidates
        ),
        key=lambda p: (-p[0], p[2]),
    )
    out: list[HeaderGuess] = []
    for value, field, col, text in pairs:
        if value < MIN_SCORE:
            break
        if any(g.field == field or g.column == col for g in out):
            continue
        out.append(HeaderGuess(field, text, col, 0))
    return out


def header_guesses(grid: Sequence[Sequence[Cell]], form: Form) -> list[HeaderGuess]:
    """The header cells of a tab that no configured header matches but that probably mean
    a field the tab lacks, in the row that shows the most fields (exactly or by a guess)."""
    known = _known(form)
    best: tuple[int, int, list[HeaderGuess]] = (0, -1, [])
    for index, cells in enumerate(grid[: form.header_search_rows]):
        exact = {known[k] for c in cells if (k := thai.header_key(c)) in known}
        guesses = _guesses(form, cells, known)
        total = len(exact) + len(guesses)
        if total > best[0]:
            best = (total, index, guesses)
    total, index, guesses = best
    if total < MIN_FIELDS:
        return []
    return [HeaderGuess(g.field, g.text, g.column, index + 1) for g in guesses]


def headers_yaml(form: Form, new: dict[str, list[str]]) -> str:
    """A `form.headers` snippet to paste into the config: each field's configured names
    (the first is still what the roll-up shows), then the new ones."""
    lines = ["form:", "  headers:"]
    for key in FIELD_KEYS:
        if key not in new:
            continue
        names = list(dict.fromkeys([*form.header_names(key), *new[key]]))
        lines.append(f"    {key}: [{', '.join(json.dumps(n, ensure_ascii=False) for n in names)}]")
    return "\n".join(lines)
