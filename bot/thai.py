"""Thai text, digits, months and dates as staff type them into report spreadsheets.

Pure functions only (no I/O): cleaning cell values, matching headers, reading the
"report month" and date cells in their many Thai and international spellings, and
formatting Buddhist-era (B.E.) labels for people to read.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

__all__ = [
    "THAI_MONTHS_ABBR",
    "THAI_MONTHS_FULL",
    "be_year",
    "clean_text",
    "date_label",
    "display_width",
    "fiscal_quarter",
    "fiscal_year",
    "header_key",
    "month_label",
    "parse_date",
    "parse_month",
    "to_arabic_digits",
    "to_thai_digits",
    "weekday_date_label",
]

THAI_MONTHS_ABBR: tuple[str, ...] = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
THAI_MONTHS_FULL: tuple[str, ...] = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)

# The Buddhist era runs 543 years ahead of the common era.
BE_OFFSET = 543

# --- digits -------------------------------------------------------------------------------

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)


def to_arabic_digits(s: str) -> str:
    """Replace Thai digits (๐-๙) with ASCII digits (0-9)."""
    return s.translate(_TO_ARABIC)


def to_thai_digits(s: str) -> str:
    """Replace ASCII digits (0-9) with Thai digits (๐-๙)."""
    return s.translate(_TO_THAI)


# --- text ---------------------------------------------------------------------------------

# Invisible characters that Word, LINE and web forms leave in pasted text; they make two
# identical-looking values compare unequal, so they are dropped outright.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Nikhahit + sara aa is how some keyboards and PDF copies spell sara am (ำ); an optional
# tone mark may sit between them ("น" + "ํ" + "้" + "า"), which renders the same as "น้ำ".
_DECOMPOSED_SARA_AM_RE = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")


def clean_text(value: object) -> str:
    """Turn any cell value into trimmed, normalised single-line text ("" for empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_str(value)
    # bool before int: bool is a subclass of int and True must not become "1".
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return "" if value.is_nan() else str(value)
        return str(int(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, date):
        if _is_nat(value):
            return ""
        day = value.date() if isinstance(value, datetime) else value
        return day.isoformat()
    return _clean_str(str(value))


def _is_nat(value: date) -> bool:
    # pandas' missing timestamp (NaT) passes for a datetime but its fields are NaN floats.
    return not isinstance(value.year, int)


def _float_text(value: float) -> str:
    # NaN is how pandas and numpy spell an empty cell; "nan" would look like a real value.
    if math.isnan(value):
        return ""
    if math.isinf(value):
        return repr(value)
    if value.is_integer():
        return str(int(value))
    return repr(value)


# Cells repeat a lot (province and district names, hashtags, categories), so a bounded
# cache roughly halves the cost of normalising a national cycle's ~450,000 cells.
@lru_cache(maxsize=1 << 16)
def _clean_str(s: str) -> str:
    return _clean(s)


def _clean(s: str) -> str:
    """`clean_text` of a str, uncached. A text that is clean already comes back as it is,
    the same object: most cells are, and a cycle's rows then share the read's strings
    instead of holding copies."""
    # Printable text has no invisible characters (they are format characters, which are
    # not printable) and no space but the ASCII one; pure ASCII, or NFC without nikhahit,
    # needs nothing else. Most cells, Thai ones included, take this path.
    if s.isprintable() and (
        s.isascii() or ("\u0e4d" not in s and unicodedata.is_normalized("NFC", s))
    ):
        if "  " not in s and s[:1] != " " and s[-1:] != " ":
            return s  # no space to collapse either: decided without copying the text
        return " ".join(s.split())
    s = _INVISIBLE_RE.sub("", s)
    s = unicodedata.normalize("NFC", s)
    if "\u0e4d" in s:
        s = _DECOMPOSED_SARA_AM_RE.sub("\\1\u0e33", s)
    # str.split() with no argument splits on every Unicode space (NBSP, U+2000-U+200A,
    # U+202F, U+3000, ...) and on newlines, so this both normalises and collapses them.
    return " ".join(s.split())


class CleanTexts(dict[object, str]):
    """`clean_text` of each cell value, each distinct text worked out once: a cycle's
    ~450,000 cells hold far fewer distinct texts (province and district names, months,
    categories). Look any value up: `texts[value]`.

    Only texts (and None) are kept: as dict keys 1, 1.0 and True are one key, and True
    reads "TRUE", so other values are cleaned each time they are met (they are few)."""

    def __init__(self) -> None:
        super().__init__({None: ""})

    def __missing__(self, value: object) -> str:
        if value.__class__ is str:
            # Not through `_clean_str`'s cache: most texts met here once (links, names)
            # are met only once, and the cache would keep them alive after the cycle.
            clean = self[value] = _clean(value)
            return clean
        return clean_text(value)


class HeaderKeys(dict[str, str]):
    """`header_key` of each distinct text, worked out once (headers are searched for in the
    first rows of every tab)."""

    def __missing__(self, text: str) -> str:
        key = self[text] = _header_key(text)
        return key


@lru_cache(maxsize=4096)
def _header_key(text: str) -> str:
    key = _clean_str(text).replace(" ", "")
    # People mark required columns with "*" and some headers end with ":".
    return key.rstrip("*:").casefold()


def header_key(text: object) -> str:
    """The key two column headers must share to be the same column."""
    if isinstance(text, str):
        return _header_key(text)
    return clean_text(text).replace(" ", "").rstrip("*:").casefold()


# --- years and months ---------------------------------------------------------------------


def be_year(year: int) -> int:
    """Convert a year as a person wrote it (B.E. or C.E., 2 or 4 digits) to C.E."""
    if year >= 2400:
        return year - BE_OFFSET
    if 60 <= year <= 99:
        # A two-digit year in the 60s-90s can only be a short B.E. year (2567 -> "67").
        return 2500 + year - BE_OFFSET
    if 0 <= year <= 59:
        return 2000 + year
    # 1900-2399 are already C.E.; anything else is left alone for the caller to reject.
    return year


def _build_month_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    english_full = (
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    )
    for number, (abbr, full, english) in enumerate(
        zip(THAI_MONTHS_ABBR, THAI_MONTHS_FULL, english_full, strict=True), start=1
    ):
        lookup[abbr.replace(".", "")] = number
        lookup[full] = number
        # Colloquial names drop the "-คม"/"-ยน"/"-พันธ์" ending: "ธันวา", "เมษา", "กุมภา".
        lookup[full.removesuffix("คม").removesuffix("ยน").removesuffix("พันธ์")] = number
        lookup[english] = number
        lookup[english[:3]] = number
    # Misspellings common enough in real sheets to accept rather than reject.
    lookup.update(
        {
            "กรกฏาคม": 7,  # ฏ for ฎ
            "กรกฏา": 7,
            "พฤศภาคม": 5,  # ศ for ษ
            "พฤษจิกายน": 11,  # ษ for ศ
            "sept": 9,
        }
    )
    return lookup


_MONTH_LOOKUP = _build_month_lookup()
# Punctuation and spaces that never change which month a word names ("ธ.ค." == "ธค").
_MONTH_WORD_NOISE = str.maketrans("", "", " .,-/'")

_SEP = r"\s*([-/.])\s*"
# A time of day after a date, as str(datetime) or a CSV export writes it; ignored.
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_RE_MONTH_YEAR = re.compile(rf"([0-9]{{1,2}}){_SEP}([0-9]{{4}}|[0-9]{{2}})")
_RE_YEAR_MONTH = re.compile(rf"([0-9]{{4}}){_SEP}([0-9]{{1,2}})")
# The second separator must repeat the first (\2 / \4) so "1/2-2567" is not a date.
_RE_DAY_MONTH_YEAR = re.compile(
    r"([0-9]{1,2})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{4}|[0-9]{2})" + _TIME
)
_RE_YEAR_MONTH_DAY = re.compile(r"([0-9]{4})\s*([-/.])\s*([0-9]{1,2})\s*\2\s*([0-9]{1,2})" + _TIME)
# "[15] <month word> [พ.ศ.] 2567": the word is checked against _MONTH_LOOKUP afterwards.
_RE_NAMED = re.compile(r"(?:([0-9]{1,2})[\s,/-]*)?(\D+?)[\s,/.-]*([0-9]{4}|[0-9]{2})" + _TIME)
_RE_COMPACT = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_RE_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")

# Spreadsheet serial dates: Excel counts 1900-01-01 as day 1 but also counts a 29 Feb 1900
# that never was, so from serial 61 on, day 0 is effectively 1899-12-30.
_SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL_MIN = 20000  # 1954-10-03
_SERIAL_MAX = 80000  # 2119-01-10

# Years outside this C.E. window after conversion are typos, not report dates.
_MIN_YEAR = 1900
_MAX_YEAR = 2399


def _from_serial(value: float) -> date | None:
    if math.isnan(value) or not _SERIAL_MIN <= value <= _SERIAL_MAX:
        return None
    # The fraction is the time of day, which a month or date does not need.
    return _SERIAL_EPOCH + timedelta(days=math.floor(value))


def _year_from_text(digits: str, era: str | None = None) -> int | None:
    year = int(digits)
    if len(digits) == 2:
        # An explicit era settles what a short year means; otherwise be_year guesses.
        if era == "BE":
            return 2500 + year - BE_OFFSET
        if era == "CE":
            return 2000 + year
    ce = be_year(year)
    return ce if _MIN_YEAR <= ce <= _MAX_YEAR else None


def _month_from_word(word: str) -> tuple[int, str | None] | None:
    key = word.translate(_MONTH_WORD_NOISE).casefold()
    key = key.removeprefix("เดือน")
    era: str | None = None
    if key.endswith("พศ"):
        key, era = key[:-2], "BE"
    elif key.endswith("คศ"):
        key, era = key[:-2], "CE"
    # "ธันวาคม ปี 2567" / "ธันวาคม ปี พ.ศ. 2567"
    key = key.removesuffix("ปี")
    month = _MONTH_LOOKUP.get(key)
    return None if month is None else (month, era)


def _valid_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _checked(year: int | None, month: int, day: int | None) -> tuple[int, int, int | None] | None:
    if year is None or not 1 <= month <= 12:
        return None
    if day is not None and not _valid_day(year, month, day):
        return None
    return year, month, day


@lru_cache(maxsize=4096)
def _parse_text(text: str) -> tuple[int, int, int | None] | None:
    # Cached: a report-month column holds a handful of distinct spellings over many rows.
    if not text:
        return None
    if text[0].isdigit():
        if m := _RE_MONTH_YEAR.fullmatch(text):
            return _checked(_year_from_text(m[3]), int(m[1]), None)
        if m := _RE_YEAR_MONTH.fullmatch(text):
            return _checked(_year_from_text(m[1]), int(m[3]), None)
        if m := _RE_DAY_MONTH_YEAR.fullmatch(text):
            return _checked(_year_from_text(m[4]), int(m[3]), int(m[1]))
        if m := _RE_YEAR_MONTH_DAY.fullmatch(text):
            return _checked(_year_from_text(m[1]), int(m[3]), int(m[4]))
        if m := _RE_COMPACT.fullmatch(text):
            return _checked(_year_from_text(m[1]), int(m[2]), int(m[3]))
        if _RE_SERIAL.fullmatch(text):
            # A date cell exported as its bare serial number ("45641" or "45641.0").
            serial = _from_serial(float(text))
            return None if serial is None else (serial.year, serial.month, serial.day)
    if m := _RE_NAMED.fullmatch(text):
        found = _month_from_word(m[2])
        if found is None:
            return None
        month, era = found
        day = int(m[1]) if m[1] else None
        return _checked(_year_from_text(m[3], era), month, day)
    return None


def _ce_date(value: date) -> date | None:
    # A date object whose year is 2400+ was typed as B.E.; the same day may not exist in
    # C.E. (29 Feb 2568 -> 2025), which makes it unreadable rather than an error.
    if value.year < 2400:
        return value
    try:
        return value.replace(year=value.year - BE_OFFSET)
    except ValueError:
        return None


def parse_month(value: object) -> tuple[int, int] | None:
    """Read a report-month cell as (C.E. year, month 1-12), or None if it cannot be read."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, date):
        if _is_nat(value):
            return None
        year = value.year - BE_OFFSET if value.year >= 2400 else value.year
        return year, value.month
    if isinstance(value, int | float):
        serial = _from_serial(value)
        return None if serial is None else (serial.year, serial.month)
    parsed = _parse_text(to_arabic_digits(clean_text(value)))
    return None if parsed is None else (parsed[0], parsed[1])


def parse_date(value: object) -> date | None:
    """Read a config/CLI date in B.E. or C.E. (ISO, d/m/y or Thai month name), or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, date):
        if _is_nat(value):
            return None
        day = value.date() if isinstance(value, datetime) else value
        return _ce_date(day)
    if isinstance(value, float):
        return _from_serial(value)
    if isinstance(value, int):
        # YAML reads an unquoted 20250331 as an int; small ints are spreadsheet serials.
        if 10_000_000 <= value <= 99_999_999:
            value = str(value)
        else:
            return _from_serial(value)
    parsed = _parse_text(to_arabic_digits(clean_text(value)))
    if parsed is None or parsed[2] is None:
        return None
    return date(parsed[0], parsed[1], parsed[2])


# --- labels -------------------------------------------------------------------------------


def month_label(year: int, month: int, *, thai_digits: bool = False, full: bool = False) -> str:
    """Label a C.E. (year, month) the Thai way, e.g. "ธ.ค. 2567" (`full`: "ธันวาคม 2567",
    as the body of a letter writes it)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    names = THAI_MONTHS_FULL if full else THAI_MONTHS_ABBR
    label = f"{names[month - 1]} {year + BE_OFFSET}"
    return to_thai_digits(label) if thai_digits else label


def date_label(d: date, *, thai_digits: bool = False, full_month: bool = False) -> str:
    """Label a date the Thai way, e.g. "20 ม.ค. 2568" or "20 มกราคม 2568"."""
    names = THAI_MONTHS_FULL if full_month else THAI_MONTHS_ABBR
    label = f"{d.day} {names[d.month - 1]} {d.year + BE_OFFSET}"
    return to_thai_digits(label) if thai_digits else label


WEEKDAYS: tuple[str, ...] = (
    "วันจันทร์",
    "วันอังคาร",
    "วันพุธ",
    "วันพฤหัสบดี",
    "วันศุกร์",
    "วันเสาร์",
    "วันอาทิตย์",
)


def weekday_date_label(d: date, *, thai_digits: bool = False) -> str:
    """A date as a letter names a due date: "วันศุกร์ที่ 24 มกราคม 2568"."""
    label = f"{WEEKDAYS[d.weekday()]}ที่ {date_label(d, full_month=True)}"
    return to_thai_digits(label) if thai_digits else label


def datetime_label(moment: datetime, *, thai_digits: bool = False) -> str:
    """Label a moment the way official letters give a time: "3 ธ.ค. 2569 เวลา 10.15 น."."""
    label = f"{date_label(moment.date())} เวลา {moment.hour:02d}.{moment.minute:02d} น."
    return to_thai_digits(label) if thai_digits else label


def month_end(month: tuple[int, int]) -> date:
    """The last day of a C.E. (year, month)."""
    year, m = month
    first_of_next = date(year + 1, 1, 1) if m == 12 else date(year, m + 1, 1)
    return first_of_next - timedelta(days=1)


def fiscal_year(d: date) -> int:
    """The Thai government (B.E.) fiscal year of a date; it starts on 1 October."""
    return d.year + BE_OFFSET + (1 if d.month >= 10 else 0)


def fiscal_quarter(d: date) -> int:
    """The quarter (1-4) of the Thai fiscal year: Oct-Dec is 1, Jul-Sep is 4."""
    return (d.month - 10) % 12 // 3 + 1


# --- terminal width -----------------------------------------------------------------------


@lru_cache(maxsize=2048)
def _char_width(ch: str) -> int:
    # Thai vowels above/below and tone marks (Mn) stack on the previous character.
    if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(s: str) -> int:
    """The number of terminal columns a string takes (Thai combining marks take none)."""
    if s.isascii():
        return len(s)
    return sum(map(_char_width, s))
