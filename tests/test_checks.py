"""Every problem code: a row that triggers it and a near-identical row that does not."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.checks import parse_category
from bot.model import Cell
from tests.factories import HEADERS, check, codes, config, grid, parsed, row


def test_a_correct_row_is_complete_with_no_problem() -> None:
    [result] = check(row())
    assert result.problems == []
    assert result.complete
    assert result.month == (2024, 12)
    assert result.category == 1


# (field changes that trigger the code, field changes that must not)
CASES: dict[str, list[tuple[dict[str, Cell], dict[str, Cell]]]] = {
    "MISSING": [
        ({"identity": ""}, {"identity": "ข้าวหลาม"}),
        ({"activity": "   \u200b "}, {"activity": "อบรมมัคคุเทศก์ท้องถิ่น"}),
        ({"post_url": None}, {"note": None}),  # note is optional
    ],
    "UNKNOWN_PROVINCE": [
        ({"province": "ชัยภูม"}, {"province": "จ.ชัยภูมิ"}),
        ({"province": "Chaiyapum"}, {"province": "Chaiyaphum"}),
    ],
    "UNKNOWN_DISTRICT": [
        ({"district": "ภูเขียวว"}, {"district": "อ.ภูเขียว"}),
        ({"district": "หนองบัว"}, {"district": "อำเภอ ภูเขียว"}),
    ],
    "WRONG_TAB": [
        ({"district": "บ้านเขว้า"}, {"district": "ภูเขียว "}),
        ({"province": "ขอนแก่น"}, {"province": "ชัยภูมิ"}),
    ],
    "BAD_CATEGORY": [
        ({"category": "กีฬา"}, {"category": "อาหาร"}),
        ({"category": "5"}, {"category": "๒"}),
        ({"category": "อาหารและสินค้า"}, {"category": "ด้านที่ 4"}),
    ],
    "BAD_MONTH": [
        ({"report_month": "เดือนที่แล้ว"}, {"report_month": "ธันวาคม ๒๕๖๗"}),
        ({"report_month": "13/2567"}, {"report_month": "12/2567"}),
    ],
    "OUT_OF_PERIOD": [
        ({"report_month": "ต.ค. 2567"}, {"report_month": "พ.ย. 2567"}),
        ({"report_month": "ก.พ. 2568"}, {"report_month": "ม.ค. 2568"}),  # after today
        ({"report_month": datetime(2023, 12, 1)}, {"report_month": datetime(2024, 12, 1)}),
    ],
    "BAD_URL": [
        ({"post_url": "www.google.com/search?q=x"}, {"post_url": "https://fb.watch/abc"}),
        ({"post_url": "ดูในเพจ อบต."}, {"post_url": "https://vt.tiktok.com/ZS123/"}),
        ({"post_url": "https://evil-facebook.com/x"}, {"post_url": "https://m.facebook.com/x"}),
        ({"post_url": "ftp://youtube.com/x"}, {"post_url": "https://youtu.be/abc"}),
        # Several links, by spaces, commas or lines: every one must be a platform's.
        (
            {"post_url": "https://fb.com/a,https://evil.com/b"},
            {"post_url": "https://fb.com/a, https://youtu.be/b"},
        ),
        ({"post_url": " , ,"}, {"post_url": "https://fb.com/a\nhttps://x.com/b,,"}),
        (
            {"post_url": "https://fb.com/a ดูในเพจ"},
            {"post_url": "https://fb.com/a ,https://x.com/b"},
        ),
    ],
    "MISSING_HASHTAG": [
        (
            {"hashtags": "#เที่ยวท้องถิ่น #ของดีบ้านเรา #อำเภอภูเขียว"},
            {"hashtags": "#เที่ยวท้องถิ่น#ของดีบ้านเรา #จังหวัด ชัยภูมิ #อำเภอภูเขียว"},
        ),
        (
            {"hashtags": "#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอบ้านเขว้า"},
            {"hashtags": "#ของดีบ้านเรา #อำเภอภูเขียว #เที่ยวท้องถิ่น #จังหวัดชัยภูมิ"},
        ),
    ],
    "CELL_ERROR": [
        ({"identity": "#REF!"}, {"identity": "REF"}),
        ({"note": "#N/A"}, {"note": "N/A"}),
    ],
    "BAD_PHONE": [
        ({"phone": "12345"}, {"phone": "๐๘๑-๒๓๔-๕๖๗๘"}),
        ({"phone": "044-861"}, {"phone": "+66 81 234 5678"}),
        ({"phone": "081-234-5678, 12"}, {"phone": "044-861-234 ต่อ 12, 081-234-5678"}),
    ],
    "TOO_LONG": [
        ({"identity": "ก" * 301}, {"identity": "ก" * 300}),
    ],
    "UNKNOWN_LAO_TYPE": [
        ({"lao": "ผักปัง"}, {"lao": "เทศบาลตำบลผักปัง"}),
        ({"lao": "บ้านแก้ง"}, {"lao": "อบจ.ชัยภูมิ"}),
    ],
    "BAD_CHOICE": [
        ({"role": "ผู้ร่วมงาน"}, {"role": "หน่วยงานสนับสนุน"}),
        ({"budget": "บริจาค"}, {"budget": "ภาคเอกชน"}),
    ],
}


@pytest.mark.parametrize(
    ("code", "bad", "good"),
    [(code, bad, good) for code, pairs in CASES.items() for bad, good in pairs],
)
def test_problem_code_positive_and_negative(
    code: str, bad: dict[str, Cell], good: dict[str, Cell]
) -> None:
    [flagged] = check(row(**bad))
    assert code in codes(flagged)
    [clean] = check(row(**good))
    assert code not in codes(clean), [p.message for p in clean.problems]


def test_errors_make_a_row_incomplete_but_warnings_do_not() -> None:
    error, warning = check(row(identity=""), row(phone="12345"))
    assert not error.complete
    assert warning.complete


def test_problem_points_at_the_cell_and_speaks_thai() -> None:
    [result] = check(row(post_url="ดูในเพจ"))
    [problem] = result.problems
    assert (problem.row, problem.column, problem.field) == (
        2,
        HEADERS.index("ลิงก์เผยแพร่") + 1,
        "post_url",
    )
    assert "ลิงก์เผยแพร่" in problem.message and "https://" in problem.message


def test_unknown_district_suggests_the_registry_name() -> None:
    [result] = check(row(district="ภูเขียวว"))
    assert "ชื่อที่ใกล้เคียงในทะเบียน คือ “ภูเขียว”" in result.problems[0].message


def test_missing_hashtag_names_exactly_the_missing_ones() -> None:
    [result] = check(row(hashtags="#ของดีบ้านเรา #อำเภอภูเขียว"))
    [problem] = result.problems
    assert "#เที่ยวท้องถิ่น #จังหวัดชัยภูมิ" in problem.message
    assert "#ของดีบ้านเรา" not in problem.message.split("ขาด")[1].split("กรุณา")[0]


def test_a_report_typed_again_with_other_spaces_or_case_is_a_duplicate() -> None:
    first, *again = check(
        row(),
        row(lao="อบต. ผักปัง"),
        row(identity="ข้าวหลาม ผักปัง"),
        row(post_url="HTTPS://www.Facebook.com/abtphakpang/posts/123"),
        row(post_url="https://www.facebook.com/abtphakpang/posts/123 "),
    )
    assert "DUPLICATE" not in codes(first)
    assert [codes(r) for r in again] == [["DUPLICATE"]] * 4
    assert all("แถวที่ 2" in r.problems[0].message for r in again)


def test_reports_sharing_a_post_are_duplicates_only_of_their_own_twin() -> None:
    # Two identities in one post, each typed twice; another month is another report.
    a, b, b_again, a_again, later = check(
        row(),
        row(identity="ผ้าไหม"),
        row(identity="ผ้า ไหม"),
        row(),
        row(report_month="ม.ค. 2568"),
    )
    assert "DUPLICATE" not in codes(a) + codes(b) + codes(later)
    assert codes(b_again) == ["DUPLICATE"] and "แถวที่ 3" in b_again.problems[0].message
    assert codes(a_again) == ["DUPLICATE"] and "แถวที่ 2" in a_again.problems[0].message


def test_a_row_without_a_post_is_nobodys_twin() -> None:
    results = check(row(post_url=None), row(post_url=None))
    assert not any("DUPLICATE" in codes(r) for r in results)


def test_duplicate_points_at_the_first_twin() -> None:
    first, other, twin = check(row(), row(identity="ผ้าไหม"), row(note="พิมพ์ซ้ำ"))
    assert "DUPLICATE" not in codes(first) and "DUPLICATE" not in codes(other)
    assert codes(twin) == ["DUPLICATE"]
    assert "แถวที่ 2" in twin.problems[0].message
    assert not twin.complete


@pytest.mark.parametrize(
    "month",
    [
        "ธ.ค. 2567",
        "ธันวาคม ๒๕๖๗",
        "12/2567",
        "2024-12",
        datetime(2024, 12, 1),
        date(2567, 12, 1),
        45627,
        "  ธ.ค.\u200b2567 ",
    ],
)
def test_report_month_forms_staff_type(month: Cell) -> None:
    [result] = check(row(report_month=month))
    assert result.month == (2024, 12), [p.message for p in result.problems]
    assert result.complete


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("อาหารท้องถิ่น", 1),
        ("อาหาร", 1),
        ("1", 1),
        ("๒", 2),
        ("(3) ศิลปวัฒนธรรม", 3),
        ("ด้านที่ 4", 4),
        ("สถานที่ท่องเที่ยวทางประวัติศาสตร์", 2),
        ("ผลิตภัณฑ์", 4),
        ("กีฬา", None),
        ("5", None),
        ("อาหารและผลิตภัณฑ์", None),
    ],
)
def test_parse_category(text: str, kind: int | None) -> None:
    assert parse_category(text) == kind


# ---- tab level -------------------------------------------------------------------------


def tab_codes(cells: list[list[Cell]] | None) -> list[str]:
    return sorted(p.code for p in parsed(cells).problems)


def test_missing_tab_is_a_tab_problem() -> None:
    assert tab_codes(None) == ["MISSING_TAB"]


def test_no_header_is_a_tab_problem_not_a_crash() -> None:
    assert tab_codes([["สวัสดี"], [1, 2, 3]]) == ["NO_HEADER"]
    assert tab_codes([]) == ["NO_HEADER"]


def test_missing_required_column_is_reported_and_blocks_completeness() -> None:
    headers = [h for h in HEADERS if h != "แฮชแท็ก"]
    cells = [headers, [v for h, v in zip(HEADERS, row(), strict=True) if h != "แฮชแท็ก"]]
    tab = parsed(cells)
    assert [p.code for p in tab.problems] == ["MISSING_COLUMN"]
    assert "แฮชแท็ก" in tab.problems[0].message
    assert tab.blocked
    assert parsed(grid(row())).problems == []


def test_duplicate_column_uses_the_first_and_warns() -> None:
    cells = [[*HEADERS, "ชื่ออัตลักษณ์ท้องถิ่น"], [*row(), "อย่างอื่น"]]
    tab = parsed(cells)
    assert [p.code for p in tab.problems] == ["DUPLICATE_COLUMN"]
    assert tab.rows[0].text["identity"] == "ข้าวหลามผักปัง"


def test_headers_match_despite_order_spacing_zero_width_and_title_rows() -> None:
    shuffled = list(reversed(HEADERS))
    messy = [h.replace("อัตลักษณ์", "อัต ลักษณ์\u200b") + "  " for h in shuffled]
    cells = [["แบบรายงานผลการดำเนินงาน อำเภอภูเขียว"], [], ["ลำดับ", *messy], [1, *reversed(row())]]
    tab = parsed(cells)
    assert tab.problems == []
    assert tab.header_row == 3
    assert tab.rows[0].row == 4
    assert tab.rows[0].text["identity"] == "ข้าวหลามผักปัง"


def test_each_config_reads_the_headers_it_names() -> None:
    # One tab read under the default form, then under a form naming another header for
    # the identity, then the default again: each reads the column its own way.
    cells = grid(row(), headers=[*HEADERS[:5], "ของดี", *HEADERS[6:]])
    custom = config(
        "national: {file: national.xlsx}\nprovinces:\n"
        "  - {province: ชัยภูมิ, file: chaiyaphum.xlsx}\nform: {headers: {identity: ของดี}}\n"
    )
    assert "identity" not in parsed(cells).columns
    assert parsed(cells, custom).rows[0].text["identity"] == "ข้าวหลามผักปัง"
    assert "identity" not in parsed(cells).columns


def test_status_column_goes_right_of_everything_typed() -> None:
    cells = grid(row(), [*row(identity="x"), None, "โน้ตของเจ้าหน้าที่"])
    assert parsed(cells).status_column == len(HEADERS) + 3


def test_existing_status_column_is_reused() -> None:
    cfg = config()
    cells = [[*HEADERS[:3], cfg.form.status_header, *HEADERS[3:]]]
    assert parsed(cells).status_column == 4


def test_blank_rows_are_skipped() -> None:
    tab = parsed(grid(row(), [None] * len(HEADERS), ["", " \u200b"], row(identity="อื่น")))
    assert [r.row for r in tab.rows] == [2, 5]
