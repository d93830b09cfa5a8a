"""The rules of the form: each row in, its problems out. Pure; `today` is a parameter.

Values are normalised first (Thai digits, B.E. years, `อ.`/`อำเภอ` prefixes, stray spaces
and zero-width characters are all fine); only what is still wrong after that is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot import geo, problems, thai
from bot.config import Form, Programme
from bot.form import ParsedRow, ParsedTab
from bot.form_fields import BUDGETS, CATEGORIES, FIELDS, ROLES
from bot.model import Problem

CELL_ERRORS = frozenset(
    {
        "#REF!",
        "#N/A",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#ERROR!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#N/A!",
    }
)
LAO_PREFIXES = (
    "อบจ",
    "อบต",
    "ทน",
    "ทม",
    "ทต",
    "เทศบาล",
    "องค์การบริหารส่วน",
    "เมืองพัทยา",
)
_BUDGET_WORDS = ("จังหวัด", "อปท", "ท้องถิ่น", "เอกชน", "อื่น")
FIXED_HASHTAGS = ("#เที่ยวท้องถิ่น", "#ของดีบ้านเรา")

# Keywords that identify each kind of identity in free text ("อาหาร", "ด้านที่ 2"...).
_CATEGORY_WORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, ("อาหาร",)),
    (2, ("ประวัติศาสตร์", "สถานที่", "แหล่งท่องเที่ยว")),
    (3, ("ศิลป", "วัฒนธรรม", "ประเพณี")),
    (4, ("สินค้า", "ผลิตภัณฑ์")),
)
_LEADING_NUMBER = re.compile(r"^\(?(?:ด้านที่|ด้าน)?\s*\(?([1-4])(?:\)|\.|\s|$)")
# Scheme and host of a URL (userinfo and port skipped); a regex because urlsplit was a
# tenth of the national cycle's time.
_URL_HOST = re.compile(
    r"^https?://(?:[^/?#@\s]*@)?([^/?#:@\s]+)(?::\d*)?(?:[/?#]|$)", re.IGNORECASE
)
_URL_SPLIT = re.compile(r"[\s,]+")
_PHONE_SPLIT = re.compile(r"\s*(?:,|/|;|หรือ|และ)\s*")
_PHONE_EXT = re.compile(r"\s*(?:ต่อ|ext\.?|#)\s*\d+$", re.IGNORECASE)
_PHONE_NOISE = re.compile(r"[\s\-.()]")
_PHONE_OK = re.compile(r"^(?:0[2-7]\d{7}|0[689]\d{8}|1\d{3})$")


@dataclass(frozen=True)
class CheckContext:
    """What the checks need besides the row: the form, the programme and the day."""

    form: Form
    programme: Programme
    today: date
    limits: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        # Looked up once per cell in a hot loop: resolve the per-field limits up front.
        object.__setattr__(self, "limits", {f.key: self.form.limit(f.key) for f in FIELDS})


@dataclass
class RowResult:
    """A row with its problems; `complete` when it has no error and its tab is readable."""

    row: ParsedRow
    problems: list[Problem] = field(default_factory=list)
    month: tuple[int, int] | None = None
    category: int | None = None
    complete: bool = False
    # A tab-level error (a missing required column, no header) keeps every row incomplete.
    tab_blocked: bool = False


def check_tabs(tabs: list[ParsedTab], ctx: CheckContext) -> list[RowResult]:
    """Check every row of every tab, including duplicates across all of them."""
    results: list[RowResult] = []
    first_seen: dict[tuple[str, ...], ParsedRow] = {}
    for tab in tabs:
        blocked = tab.blocked
        for row in tab.rows:
            result = check_row(row, ctx)
            key = _duplicate_key(row, result)
            if key is not None:
                twin = first_seen.setdefault(key, row)
                if twin is not row:
                    result.problems.append(
                        _problem(
                            row, None, "DUPLICATE", twin_row=twin.row, twin_tab=twin.source.tab
                        )
                    )
            result.tab_blocked = blocked
            result.complete = not blocked and not any(
                p.severity == "error" for p in result.problems
            )
            results.append(result)
    return results


def check_row(row: ParsedRow, ctx: CheckContext) -> RowResult:
    """All per-row problems of one row (duplicates aside)."""
    result = RowResult(row)
    out = result.problems
    form = ctx.form
    for spec in FIELDS:
        if spec.key not in row.columns:
            continue
        text = row.text.get(spec.key, "")
        if text[:1] == "#" and text.upper() in CELL_ERRORS:
            out.append(_problem(row, spec.key, "CELL_ERROR", value=text, header=_h(form, spec.key)))
            continue
        if not text:
            if spec.required:
                out.append(_problem(row, spec.key, "MISSING", header=_h(form, spec.key)))
            continue
        limit = ctx.limits[spec.key]
        if len(text) > limit:
            out.append(
                _problem(
                    row,
                    spec.key,
                    "TOO_LONG",
                    header=_h(form, spec.key),
                    length=len(text),
                    limit=limit,
                )
            )
    present = {
        k for k, v in row.text.items() if v and not (v[:1] == "#" and v.upper() in CELL_ERRORS)
    }

    if "report_month" in present:
        result.month = _check_month(row, ctx, out)
    province = row.source.province
    if "province" in present:
        province = _check_province(row, ctx, out) or province
    district = row.source.district
    if "district" in present:
        district = _check_district(row, province, ctx, out) or district
    if "lao" in present:
        _check_lao(row, ctx, out)
    if "category" in present:
        result.category = _check_category(row, ctx, out)
    if "role" in present:
        _check_choice(row, "role", ROLES, ("หลัก", "สนับสนุน"), ctx=ctx, out=out)
    if "budget" in present:
        _check_choice(row, "budget", BUDGETS, _BUDGET_WORDS, ctx=ctx, out=out)
    if "post_url" in present:
        _check_url(row, ctx, out)
    if "hashtags" in present:
        _check_hashtags(row, province, district, out)
    if "phone" in present:
        _check_phone(row, out)
    return result


def _check_month(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> tuple[int, int] | None:
    value = row.raw.get("report_month")
    month = thai.parse_month(value if not isinstance(value, str) else row.text["report_month"])
    if month is None:
        out.append(
            _problem(
                row,
                "report_month",
                "BAD_MONTH",
                header=_h(ctx.form, "report_month"),
                value=row.text["report_month"],
            )
        )
        return None
    label = thai.month_label(*month)
    prog = ctx.programme
    if not prog.in_period(month):
        why = (
            f"อยู่นอกระยะเวลาของโครงการ ({thai.month_label(*prog.start)} – "
            f"{thai.month_label(*prog.end)})"
        )
        out.append(_problem(row, "report_month", "OUT_OF_PERIOD", month=label, why=why))
        return None
    if month > (ctx.today.year, ctx.today.month):
        why = f"ยังไม่ถึงเดือนดังกล่าว (ตรวจสอบ ณ วันที่ {thai.date_label(ctx.today)})"
        out.append(_problem(row, "report_month", "OUT_OF_PERIOD", month=label, why=why))
        return None
    return month


def _check_province(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> geo.Province | None:
    text = row.text["province"]
    found = geo.find_province(text)
    if found is None:
        hint = _did_you_mean(geo.suggest_province(text))
        out.append(_problem(row, "province", "UNKNOWN_PROVINCE", value=text, hint=hint))
        return None
    _check_own_tab(row, ctx, out, "province", found=found, own=row.source.province)
    return found


def _check_district(
    row: ParsedRow, province: geo.Province, ctx: CheckContext, out: list[Problem]
) -> geo.District | None:
    text = row.text["district"]
    found = geo.find_district(province.code, text)
    if found is None:
        hint = _did_you_mean(geo.suggest_district(province.code, text))
        out.append(
            _problem(
                row, "district", "UNKNOWN_DISTRICT", value=text, province=province.name, hint=hint
            )
        )
        return None
    _check_own_tab(row, ctx, out, "district", found=found, own=row.source.district)
    return found


_PLACE_WORDS = {"province": "จังหวัด", "district": "อำเภอ"}


def _check_own_tab(
    row: ParsedRow,
    ctx: CheckContext,
    out: list[Problem],
    key: str,
    *,
    found: geo.Province | geo.District,
    own: geo.Province | geo.District,
) -> None:
    """WRONG_TAB when the row names a real place other than its tab's own."""
    if found.code != own.code:
        out.append(
            _problem(
                row,
                key,
                "WRONG_TAB",
                what=_PLACE_WORDS[key],
                value=found.name,
                expected=own.name,
                header=_h(ctx.form, key),
            )
        )


def _check_lao(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> None:
    text = row.text["lao"]
    if not text.replace(" ", "").startswith(LAO_PREFIXES):
        out.append(_problem(row, "lao", "UNKNOWN_LAO_TYPE", header=_h(ctx.form, "lao"), value=text))


def parse_category(text: str) -> int | None:
    """The kind of identity (1-4) that a cell means, or None when it is unclear."""
    clean = thai.to_arabic_digits(text).strip()
    number = _LEADING_NUMBER.match(clean)
    if number:
        return int(number.group(1))
    for index, name in enumerate(CATEGORIES, start=1):
        if name in clean.replace(" ", ""):
            return index
    kinds = {kind for kind, words in _CATEGORY_WORDS if any(w in clean for w in words)}
    return kinds.pop() if len(kinds) == 1 else None


def _check_category(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> int | None:
    kind = parse_category(row.text["category"])
    if kind is None:
        out.append(
            _problem(
                row,
                "category",
                "BAD_CATEGORY",
                header=_h(ctx.form, "category"),
                value=row.text["category"],
            )
        )
    return kind


def _check_choice(
    row: ParsedRow,
    key: str,
    choices: tuple[str, ...],
    words: tuple[str, ...],
    *,
    ctx: CheckContext,
    out: list[Problem],
) -> None:
    if not any(w in row.text[key] for w in words):
        out.append(
            _problem(
                row,
                key,
                "BAD_CHOICE",
                header=_h(ctx.form, key),
                value=row.text[key],
                choices=thai_list(list(choices)),
            )
        )


def is_allowed_url(url: str, platforms: list[str]) -> bool:
    """Whether `url` is an http(s) link to one of the accepted platforms (or a subdomain)."""
    match = _URL_HOST.match(url)
    if not match:
        return False
    host = match.group(1).lower()
    return any(host == p or host.endswith("." + p) for p in platforms)


def _check_url(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> None:
    urls = [u for u in _URL_SPLIT.split(row.text["post_url"]) if u]
    if not urls or not all(is_allowed_url(u, ctx.form.platforms) for u in urls):
        out.append(
            _problem(
                row,
                "post_url",
                "BAD_URL",
                header=_h(ctx.form, "post_url"),
                value=row.text["post_url"],
                platforms=_platform_names(ctx.form.platforms),
            )
        )


def _platform_names(platforms: list[str]) -> str:
    names = {
        "facebook.com": "Facebook",
        "tiktok.com": "TikTok",
        "youtube.com": "YouTube",
        "instagram.com": "Instagram",
        "x.com": "X",
    }
    return thai_list([names[p] for p in platforms if p in names] or platforms)


def thai_list(items: list[str]) -> str:
    """Items joined the Thai way: "ก ข หรือ ค" (หรือ before the last one)."""
    return items[0] if len(items) == 1 else " ".join(items[:-1]) + " หรือ " + items[-1]


def required_hashtags(province: geo.Province, district: geo.District) -> tuple[str, ...]:
    """The four hashtags a post of this district must carry."""
    return (*FIXED_HASHTAGS, f"#จังหวัด{province.name}", f"#อำเภอ{district.name}")


def _check_hashtags(
    row: ParsedRow, province: geo.Province, district: geo.District, out: list[Problem]
) -> None:
    # Compare without spaces: "# เที่ยวท้องถิ่น" and "#จังหวัด ชัยภูมิ" are typing slips.
    typed = row.text["hashtags"].replace(" ", "").replace("＃", "#")
    tags = set(re.findall(r"#[^#]+", typed))
    missing = [t for t in required_hashtags(province, district) if t not in tags]
    if missing:
        out.append(_problem(row, "hashtags", "MISSING_HASHTAG", missing=" ".join(missing)))


def _check_phone(row: ParsedRow, out: list[Problem]) -> None:
    text = thai.to_arabic_digits(row.text["phone"])
    for number in _PHONE_SPLIT.split(text):
        digits = _PHONE_NOISE.sub("", _PHONE_EXT.sub("", number))
        if digits.startswith("+66"):
            digits = "0" + digits[3:]
        elif digits.startswith("66") and len(digits) in (10, 11):
            digits = "0" + digits[2:]
        if not _PHONE_OK.match(digits):
            out.append(_problem(row, "phone", "BAD_PHONE", value=row.text["phone"]))
            return


def _duplicate_key(row: ParsedRow, result: RowResult) -> tuple[str, ...] | None:
    # The same report typed twice: same district tab, month, organisation, identity and post.
    parts = [row.text.get(k, "") for k in ("lao", "identity", "post_url")]
    if result.month is None or not all(parts):
        return None
    return (
        row.source.spreadsheet,
        row.source.district.code,
        str(result.month),
        *(p.replace(" ", "").casefold() for p in parts),
    )


def _did_you_mean(hint: str | None) -> str:
    # Not "หมายถึง ... หรือไม่": a question reads oddly in a list of what to fix.
    return f" ชื่อที่ใกล้เคียงในทะเบียน คือ “{hint}”" if hint else ""


def _h(form: Form, key: str) -> str:
    return form.display_header(key)


def _problem(row: ParsedRow, key: str | None, code: str, **values: object) -> Problem:
    return Problem(
        spreadsheet=row.source.spreadsheet,
        tab=row.source.tab,
        row=row.row,
        column=row.columns.get(key) if key else None,
        field=key,
        code=code,
        severity=problems.severity(code),
        message=problems.message(code, **values),
    )
