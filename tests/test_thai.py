"""Tests for bot.thai: digits, text cleaning, header keys, months, dates and labels."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import thai

ZWSP = "\u200b"
NBSP = "\u00a0"

# --- constants ----------------------------------------------------------------------------


def test_month_tables() -> None:
    assert len(thai.THAI_MONTHS_ABBR) == 12
    assert len(thai.THAI_MONTHS_FULL) == 12
    assert thai.THAI_MONTHS_ABBR[0] == "ม.ค."
    assert thai.THAI_MONTHS_ABBR[11] == "ธ.ค."
    assert thai.THAI_MONTHS_FULL[0] == "มกราคม"
    assert thai.THAI_MONTHS_FULL[1] == "กุมภาพันธ์"
    assert thai.THAI_MONTHS_FULL[11] == "ธันวาคม"


# --- digits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("ธ.ค. ๒๕๖๗", "ธ.ค. 2567"),
        ("12/2567", "12/2567"),
        ("", ""),
        ("๑2๓", "123"),
    ],
)
def test_to_arabic_digits(text: str, expected: str) -> None:
    assert thai.to_arabic_digits(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0123456789", "๐๑๒๓๔๕๖๗๘๙"),
        ("ธ.ค. 2567", "ธ.ค. ๒๕๖๗"),
        ("๒๕๖๗", "๒๕๖๗"),
        ("", ""),
        ("abc", "abc"),
    ],
)
def test_to_thai_digits(text: str, expected: str) -> None:
    assert thai.to_thai_digits(text) == expected


# --- clean_text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("   ", ""),
        ("  hello   world \n", "hello world"),
        ("a\nb\r\n\tc", "a b c"),
        (f"a{NBSP}b", "a b"),
        ("a\u2003\u202f\u3000b", "a b"),  # em space, narrow NBSP, ideographic space
        (f"ชื่อ{ZWSP}อัตลักษณ์", "ชื่ออัตลักษณ์"),
        ("a\u200c\u200d\u2060\ufeff\u00adb", "ab"),
        (f"{ZWSP} {ZWSP}", ""),
        ("\ufeffจังหวัด", "จังหวัด"),
        ("น\u0e4d\u0e32", "นำ"),  # nikhahit + sara aa -> sara am
        ("น\u0e4d\u0e49\u0e32", "น\u0e49\u0e33"),  # with a tone mark in between -> "น้ำ"
        ("ตลาดน\u0e49\u0e4d\u0e32", "ตลาดน\u0e49\u0e33"),  # tone mark first
        ("e\u0301", "\u00e9"),  # NFC composes
        ("๒๕๖๗", "๒๕๖๗"),  # Thai digits are left alone
        (12, "12"),
        (-3, "-3"),
        (0, "0"),
        (12.0, "12"),
        (-0.0, "0"),
        (12.5, "12.5"),
        (0.1, "0.1"),
        (1 / 3, "0.3333333333333333"),
        (float("nan"), ""),
        (float("inf"), "inf"),
        (True, "TRUE"),
        (False, "FALSE"),
        (Decimal("12.00"), "12"),
        (Decimal("12.50"), "12.50"),
        (date(2024, 12, 15), "2024-12-15"),
        (datetime(2024, 12, 15, 13, 45, 10), "2024-12-15"),
        (date(2567, 1, 2), "2567-01-02"),
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    assert thai.clean_text(value) == expected


# Letters a cell may hold that cleaning treats differently: Thai letters, tone marks,
# nikhahit and sara aa (sara am's two halves), spaces of several kinds, newlines,
# invisible characters, a decomposed "é" and plain ASCII.
TRICKY = "กนา\u0e49\u0e48\u0e4d\u0e32\u0e33 \u00a0\u3000\n\t\x1c\u200b\u00ad\ufeffe\u0301ab.1"


def spelled_out_clean(text: str) -> str:
    """What cleaning a text means, step by step, the slow way."""
    text = re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)
    text = unicodedata.normalize("NFC", text)
    text = re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)
    return " ".join(text.split())


@given(st.text(alphabet=TRICKY, max_size=12))
def test_clean_text_of_any_text_is_its_cleaning_step_by_step(text: str) -> None:
    # Both ways a cycle cleans a cell: `clean_text`, and the cycle's table of texts.
    assert thai.clean_text(text) == spelled_out_clean(text)
    assert thai.CleanTexts()[text] == spelled_out_clean(text)


def test_a_cycles_table_of_texts_cleans_any_cell_as_clean_text_does() -> None:
    # As dict keys 1, 1.0 and True are one key: True must still read "TRUE".
    cells = [1, True, 1.0, None, "", " ก ", False, 0, date(2024, 12, 15), 12.5, float("nan")]
    texts = thai.CleanTexts()
    assert [texts[c] for c in cells] == [thai.clean_text(c) for c in cells]
    assert [texts[c] for c in reversed(cells)] == [thai.clean_text(c) for c in reversed(cells)]


@pytest.mark.parametrize(
    "text", ["อัตลักษณ์ภูเขียว ลำดับที่ 12", "https://www.facebook.com/p/1", "0812345678", ""]
)
def test_a_clean_text_is_kept_not_copied(text: str) -> None:
    # A cycle's rows share the read's strings: 30,000 rows of links and names are not
    # held twice.
    typed = "".join(list(text))  # a string of its own, not a shared constant
    assert thai.CleanTexts()[typed] is typed


def test_clean_text_pandas_missing_values() -> None:
    assert thai.clean_text(pd.NaT) == ""
    assert thai.clean_text(pd.Timestamp("2024-12-15 10:00")) == "2024-12-15"


# --- header_key ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"  ชื่อ อัตลักษณ์{ZWSP}ท้องถิ่น * ", "ชื่ออัตลักษณ์ท้องถิ่น"),
        ("ชื่ออัตลักษณ์ท้องถิ่น", "ชื่ออัตลักษณ์ท้องถิ่น"),
        ("จังหวัด*", "จังหวัด"),
        ("จังหวัด:", "จังหวัด"),
        ("จังหวัด :", "จังหวัด"),
        (f"บทบาท{NBSP}อปท.", "บทบาทอปท."),
        ("เดือนที่\nรายงาน", "เดือนที่รายงาน"),
        ("Phone Number", "phonenumber"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),  # casefold, not lower
        ("*", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_header_key(text: object, expected: str) -> None:
    assert thai.header_key(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (f"  ชื่อ อัตลักษณ์{ZWSP}ท้องถิ่น * ", "ชื่ออัตลักษณ์ท้องถิ่น"),
        ("ผลตรวจสอบ (บอท)", "ผลตรวจสอบ(บอท)"),
        ("องค์กรปกครอง\nส่วนท้องถิ่น", "องค์กรปกครองส่วนท้องถิ่น"),
        ("ลิงก์เผยแพร่:", " ลิงก์เผยแพร่ "),
    ],
)
def test_header_key_matches_variants(a: str, b: str) -> None:
    assert thai.header_key(a) == thai.header_key(b)


def test_header_key_keeps_different_headers_apart() -> None:
    assert thai.header_key("จังหวัด") != thai.header_key("อำเภอ")


# --- be_year ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2567, 2024),
        (2568, 2025),
        (2400, 1857),  # lowest B.E. year
        (2399, 2399),  # highest C.E. year
        (2024, 2024),
        (1900, 1900),
        (99, 2056),
        (68, 2025),
        (67, 2024),
        (60, 2017),  # lowest short B.E. year
        (59, 2059),  # highest short C.E. year
        (25, 2025),
        (24, 2024),
        (0, 2000),
    ],
)
def test_be_year(year: int, expected: int) -> None:
    assert thai.be_year(year) == expected


# --- parse_month --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        # Thai abbreviations, with or without dots and spaces
        "ธ.ค. 2567",
        "ธ.ค.2567",
        "ธค 67",
        "ธค2567",
        "ธ.ค.67",
        "ธ.ค 2567",
        "ธ. ค. 2567",
        # full names, "เดือน", "พ.ศ."
        "ธันวาคม 2567",
        "ธันวาคม ๒๕๖๗",
        "ธันวาคม2567",
        "เดือนธันวาคม 2567",
        "เดือน ธันวาคม 2567",
        "ธันวาคม พ.ศ. 2567",
        "ธันวาคม พ.ศ 2567",
        "ธันวาคม พศ 2567",
        "ธ.ค. พ.ศ. 2567",
        "ธันวาคม ปี 2567",
        "ธันวา 67",  # colloquial
        "ธันวาคม ค.ศ. 2024",
        # numeric month/year
        "12/2567",
        "12-2567",
        "12.2567",
        "12 / 2567",
        "12/67",
        "12/24",
        "12/2024",
        "๑๒/๒๕๖๗",
        "2567-12",
        "2024-12",
        "2024/12",
        # full dates
        "2024-12-15",
        "2024-12-15 00:00:00",
        "2024-12-15T08:30",
        "15/12/2567",
        "15-12-2567",
        "15.12.2567",
        "15/12/2024",
        "15/12/67",
        "๑๕/๑๒/๒๕๖๗",
        "15 ธ.ค. 2567",
        "15 ธ.ค. 67",
        "15 ธันวาคม 2567",
        "15 ธันวาคม พ.ศ. 2567",
        "15-Dec-24",
        # English
        "Dec 2024",
        "DEC 2024",
        "December 2567",
        "december 2024",
        # dirty cells
        f"  ธ.ค.{NBSP}{NBSP}2567 ",
        f"{ZWSP}ธ.ค. ๒๕๖๗{ZWSP}",
        "ธ.ค.\n2567",
        "ธ\u0e31นวาคม\u200b 2567",
        # objects
        date(2024, 12, 1),
        date(2024, 12, 31),
        datetime(2024, 12, 15, 23, 59),
        date(2567, 12, 1),  # B.E. year in a date object
        datetime(2567, 12, 15, 8, 0),
        # spreadsheet serials
        45627,  # 2024-12-01
        45641,  # 2024-12-15
        45657,  # 2024-12-31
        45641.75,  # time of day ignored
        "45641",
        "45641.0",
    ],
)
def test_parse_month_reads_december_2024(value: object) -> None:
    assert thai.parse_month(value) == (2024, 12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ม.ค. 2568", (2025, 1)),
        ("มค 68", (2025, 1)),
        ("มกราคม 2568", (2025, 1)),
        ("กุมภาพันธ์ 2568", (2025, 2)),
        ("ก.พ. 68", (2025, 2)),
        ("กุมภา 68", (2025, 2)),
        ("มี.ค. 2568", (2025, 3)),
        ("มีค 2568", (2025, 3)),
        ("มีนาคม 2568", (2025, 3)),
        ("เม.ย. 2568", (2025, 4)),
        ("เมษายน 2568", (2025, 4)),
        ("พ.ค. 2568", (2025, 5)),
        ("พฤษภาคม 2568", (2025, 5)),
        ("มิ.ย. 2568", (2025, 6)),
        ("มิถุนายน 2568", (2025, 6)),
        ("ก.ค. 2568", (2025, 7)),
        ("กรกฎาคม 2568", (2025, 7)),
        ("กรกฏาคม 2568", (2025, 7)),  # common misspelling
        ("ส.ค. 2568", (2025, 8)),
        ("สิงหาคม 2568", (2025, 8)),
        ("ก.ย. 2568", (2025, 9)),
        ("กันยายน 2568", (2025, 9)),
        ("Sept 2025", (2025, 9)),
        ("ต.ค. 2567", (2024, 10)),
        ("ตุลาคม 2567", (2024, 10)),
        ("พ.ย. 2567", (2024, 11)),
        ("พย 67", (2024, 11)),
        ("พฤศจิกายน 2567", (2024, 11)),
        ("1/2568", (2025, 1)),
        ("01/2568", (2025, 1)),
        ("2568-01", (2025, 1)),
        ("1/68", (2025, 1)),
        ("Jan 2025", (2025, 1)),
        ("January 2568", (2025, 1)),
        ("29/02/2567", (2024, 2)),  # leap day of a leap year
        ("20250115", (2025, 1)),
        # C.E./B.E. boundaries of the year rules
        ("12/2399", (2399, 12)),
        ("12/2443", (1900, 12)),
        ("12/1900", (1900, 12)),
        ("12/60", (2017, 12)),
        ("12/59", (2059, 12)),
        ("12/00", (2000, 12)),
        ("ธ.ค. พ.ศ. 25", (1982, 12)),  # explicit era decides a short year
        ("ธ.ค. ค.ศ. 67", (2067, 12)),
        (date(2024, 2, 29), (2024, 2)),
        (45658, (2025, 1)),  # 2025-01-01
        (44927, (2023, 1)),  # 2023-01-01
        (20000, (1954, 10)),
        (80000, (2119, 1)),
    ],
)
def test_parse_month(value: object, expected: tuple[int, int]) -> None:
    assert thai.parse_month(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        ZWSP,
        "abc",
        "-",
        "13/2567",
        "0/2567",
        "00/2567",
        "2567-13",
        "2567-00",
        "ธ.ค.",
        "ธันวาคม",
        "เดือนธันวาคม",
        "2567",
        "๒๕๖๗",
        "12",
        "67",
        "12/",
        "/2567",
        "12/567",  # three-digit year
        "12/25677",
        "12/1899",  # before the 1900 C.E. floor
        "12/2442",  # B.E. 2442 = C.E. 1899
        "ธ.ค. 567",
        "ธันวาคมม 2567",  # not a month name
        "ศุกร์ 2567",
        "15 ธ.ค.",
        "32/12/2567",
        "31/11/2567",
        "29/02/2568",  # 2025 is not a leap year
        "2024-02-30",
        "15/12-2567",  # mixed separators
        "12/15/2024",  # US month/day order is not supported
        "1.5",
        "ธ.ค. 2567 extra",
        True,
        False,
        2567,  # a bare year, not a serial date
        12,
        19999,  # below the serial range
        80001,  # above the serial range
        float("nan"),
        "12345",  # five digits but out of the serial range
    ],
)
def test_parse_month_rejects(value: object) -> None:
    assert thai.parse_month(value) is None


def test_parse_month_pandas_values() -> None:
    assert thai.parse_month(pd.NaT) is None
    assert thai.parse_month(pd.Timestamp("2024-12-15")) == (2024, 12)


# --- parse_date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2568-03-31", date(2025, 3, 31)),
        ("2025-03-31", date(2025, 3, 31)),
        ("2025-3-1", date(2025, 3, 1)),
        ("2025/03/31", date(2025, 3, 31)),
        ("31/03/2568", date(2025, 3, 31)),
        ("31/03/2025", date(2025, 3, 31)),
        ("31-03-2568", date(2025, 3, 31)),
        ("31.03.2568", date(2025, 3, 31)),
        ("31/3/68", date(2025, 3, 31)),
        ("31 มี.ค. 2568", date(2025, 3, 31)),
        ("31 มีค 68", date(2025, 3, 31)),
        ("31 มีนาคม 2568", date(2025, 3, 31)),
        ("31 มีนาคม พ.ศ. 2568", date(2025, 3, 31)),
        ("๓๑ มี.ค. ๒๕๖๘", date(2025, 3, 31)),
        ("๓๑/๐๓/๒๕๖๘", date(2025, 3, 31)),
        ("๒๕๖๘-๐๓-๓๑", date(2025, 3, 31)),
        ("31 March 2025", date(2025, 3, 31)),
        ("2025-03-31 17:00:00", date(2025, 3, 31)),
        (f" 31/03/2568{NBSP}", date(2025, 3, 31)),
        ("20250331", date(2025, 3, 31)),
        ("25680331", date(2025, 3, 31)),
        ("29/02/2567", date(2024, 2, 29)),  # leap day
        ("2024-02-29", date(2024, 2, 29)),
        ("1/1/2443", date(1900, 1, 1)),
        (date(2025, 3, 31), date(2025, 3, 31)),
        (date(2568, 3, 31), date(2025, 3, 31)),
        (date(2399, 1, 1), date(2399, 1, 1)),
        (date(2400, 1, 1), date(1857, 1, 1)),
        (datetime(2025, 3, 31, 12, 30), date(2025, 3, 31)),
        (datetime(2568, 3, 31, 12, 30), date(2025, 3, 31)),
        (20250331, date(2025, 3, 31)),  # YAML reads an unquoted 20250331 as an int
        (45747, date(2025, 3, 31)),  # spreadsheet serial
        (45747.5, date(2025, 3, 31)),
    ],
)
def test_parse_date(value: object, expected: date) -> None:
    result = thai.parse_date(value)
    assert result == expected
    assert type(result) is date  # never a datetime


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "abc",
        "2568-03",  # a month, not a date
        "03/2568",
        "มี.ค. 2568",
        "2568",
        "31 มี.ค.",
        "31/02/2568",
        "31/02/2025",
        "29/02/2568",  # 2025 is not a leap year
        "2025-02-29",
        "2568-02-29",
        "2025-13-01",
        "2025-00-10",
        "2025-01-00",
        "32/01/2568",
        "00/01/2568",
        "31/04/2568",
        "31/03/1899",
        "20251301",
        date(2568, 2, 29),  # a B.E. leap day that C.E. 2025 does not have
        True,
        123,
        99_999_999,
        float("nan"),
    ],
)
def test_parse_date_rejects(value: object) -> None:
    assert thai.parse_date(value) is None


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "thai_digits", "expected"),
    [
        (2024, 12, False, "ธ.ค. 2567"),
        (2025, 1, False, "ม.ค. 2568"),
        (2025, 3, False, "มี.ค. 2568"),
        (2024, 12, True, "ธ.ค. ๒๕๖๗"),
        (2025, 6, True, "มิ.ย. ๒๕๖๘"),
    ],
)
def test_month_label(year: int, month: int, thai_digits: bool, expected: str) -> None:
    assert thai.month_label(year, month, thai_digits=thai_digits) == expected


@pytest.mark.parametrize("month", [0, 13, -1])
def test_month_label_rejects_bad_month(month: int) -> None:
    with pytest.raises(ValueError, match="month"):
        thai.month_label(2024, month)


@pytest.mark.parametrize(("year", "month"), [(2024, m) for m in range(1, 13)])
def test_month_label_round_trips(year: int, month: int) -> None:
    assert thai.parse_month(thai.month_label(year, month)) == (year, month)
    assert thai.parse_month(thai.month_label(year, month, thai_digits=True)) == (year, month)


@pytest.mark.parametrize(
    ("d", "thai_digits", "full_month", "expected"),
    [
        (date(2025, 1, 20), False, False, "20 ม.ค. 2568"),
        (date(2025, 1, 20), False, True, "20 มกราคม 2568"),
        (date(2025, 1, 20), True, False, "๒๐ ม.ค. ๒๕๖๘"),
        (date(2025, 1, 20), True, True, "๒๐ มกราคม ๒๕๖๘"),
        (date(2024, 12, 5), False, False, "5 ธ.ค. 2567"),
        (date(2024, 2, 29), False, True, "29 กุมภาพันธ์ 2567"),
        (datetime(2024, 12, 5, 9, 0), False, False, "5 ธ.ค. 2567"),
    ],
)
def test_date_label(d: date, thai_digits: bool, full_month: bool, expected: str) -> None:
    assert thai.date_label(d, thai_digits=thai_digits, full_month=full_month) == expected


@pytest.mark.parametrize(
    "d", [date(2025, 1, 20), date(2024, 2, 29), date(2024, 12, 31), date(2025, 10, 1)]
)
def test_date_label_round_trips(d: date) -> None:
    assert thai.parse_date(thai.date_label(d)) == d
    assert thai.parse_date(thai.date_label(d, thai_digits=True, full_month=True)) == d


# --- fiscal year --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "year", "quarter"),
    [
        (date(2024, 9, 30), 2567, 4),
        (date(2024, 10, 1), 2568, 1),
        (date(2024, 11, 15), 2568, 1),
        (date(2024, 12, 31), 2568, 1),
        (date(2025, 1, 1), 2568, 2),
        (date(2025, 3, 31), 2568, 2),
        (date(2025, 4, 1), 2568, 3),
        (date(2025, 6, 30), 2568, 3),
        (date(2025, 7, 1), 2568, 4),
        (date(2025, 9, 30), 2568, 4),
        (date(2025, 10, 1), 2569, 1),
    ],
)
def test_fiscal_year_and_quarter(d: date, year: int, quarter: int) -> None:
    assert thai.fiscal_year(d) == year
    assert thai.fiscal_quarter(d) == quarter


# --- display_width ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("abc", 3),
        ("a b", 3),
        ("กขค", 3),
        ("น้ำ", 2),  # mai tho combines; sara am takes a column
        ("สวัสดีครับ", 7),  # three vowels above combine
        ("ที่", 1),  # vowel and tone mark both above
        ("กุ", 1),  # vowel below
        ("ธ.ค. 2567", 9),
        ("จังหวัด", 5),
        (f"a{ZWSP}b", 2),  # Cf takes no column
        ("a\u00adb", 2),  # soft hyphen is Cf
        ("e\u0301", 1),  # combining accent
        ("日本", 4),  # East Asian wide
        ("ＡＢ", 4),  # fullwidth
        ("한글", 4),
    ],
)
def test_display_width(text: str, expected: int) -> None:
    assert thai.display_width(text) == expected
