"""The rules of the form: each row in, its problems out. Pure; `today` is a parameter.

Values are normalised first (Thai digits, B.E. years, `อ.`/`อำเภอ` prefixes, stray spaces
and zero-width characters are all fine); only what is still wrong after that is reported.

Cells repeat heavily (months, provinces, districts, categories, hashtags), so the verdict on
each distinct value is worked out once per `CheckContext` (one per cycle) and kept in its
`Seen`; a row's problems are then made from the verdicts of its values.
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
from bot.twins import Reports

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
# Longer texts that begin with "#" (every hashtags cell) are not upper-cased to compare.
_LONGEST_ERROR = max(map(len, CELL_ERRORS))
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
_ROLE_WORDS = ("หลัก", "สนับสนุน")
# The choice fields and the words that make a value fit, in the order they are checked.
_CHOICE_WORDS = (("role", _ROLE_WORDS), ("budget", _BUDGET_WORDS))
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
_PHONE_SPLIT = re.compile(r"\s*(?:,|/|;|หรือ|และ)\s*")
_PHONE_EXT = re.compile(r"\s*(?:ต่อ|ext\.?|#)\s*\d+$", re.IGNORECASE)
_PHONE_NOISE = re.compile(r"[\s\-.()]")
_PHONE_OK = re.compile(r"^(?:0[2-7]\d{7}|0[689]\d{8}|1\d{3})$")
_HASHTAG = re.compile(r"#[^#]+")
# Each field's place in the form: problems of one row are listed in this order.
FIELD_ORDER = {f.key: i for i, f in enumerate(FIELDS)}


# A problem a value gives wherever it appears: its code and the values of its message.
Finding = tuple[str, dict[str, object]]


@dataclass
class Seen:
    """Verdicts on the distinct values met so far (see the module's docstring)."""

    months: dict[str, tuple[tuple[int, int] | None, Finding | None]] = field(default_factory=dict)
    provinces: dict[str, geo.Province | None] = field(default_factory=dict)
    districts: dict[tuple[str, str], geo.District | None] = field(default_factory=dict)
    categories: dict[str, int | None] = field(default_factory=dict)
    choices: dict[tuple[str, str], bool] = field(default_factory=dict)
    urls: dict[str, bool] = field(default_factory=dict)
    hosts: dict[str, bool] = field(default_factory=dict)
    hashtags: dict[tuple[str, str, str], str] = field(default_factory=dict)
    phones: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckContext:
    """What the checks need besides the row: the form, the programme and the day."""

    form: Form
    programme: Programme
    today: date
    limits: dict[str, int] = field(init=False)
    required: frozenset[str] = field(init=False)
    platforms: tuple[frozenset[str], tuple[str, ...], tuple[str, ...]] = field(init=False)
    seen: Seen = field(init=False)

    def __post_init__(self) -> None:
        # Looked up once per cell in a hot loop: resolve the per-field limits up front.
        object.__setattr__(self, "limits", {f.key: self.form.limit(f.key) for f in FIELDS})
        object.__setattr__(self, "required", frozenset(f.key for f in FIELDS if f.required))
        hosts = self.form.platforms
        # The usual beginnings of an accepted link, whose host needs no parsing to know.
        starts = tuple(
            f"{scheme}://{sub}{h}/"
            for h in hosts
            if h == h.lower()  # a host is compared lower-cased (see `_urls_allowed`)
            for scheme in ("https", "http")
            for sub in ("", "www.", "m.")
        )
        platforms = (frozenset(hosts), tuple("." + h for h in hosts), starts)
        object.__setattr__(self, "platforms", platforms)
        object.__setattr__(self, "seen", Seen())


@dataclass(slots=True)
class RowResult:
    """A row with its problems; `complete` when it has no error and its tab is readable
    (slots: a cycle holds one per row)."""

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
    seen = Reports()
    for tab in tabs:
        blocked = tab.blocked
        for row in tab.rows:
            result = check_row(row, ctx)
            twin = seen.twin(row, result.month)
            if twin is not None:
                result.problems.append(
                    _problem(row, None, "DUPLICATE", twin_row=twin.row, twin_tab=twin.source.tab)
                )
            problems = result.problems
            if blocked:
                result.tab_blocked, result.complete = True, False
            else:
                result.complete = not problems or not any(p.severity == "error" for p in problems)
            results.append(result)
    return results


def check_row(row: ParsedRow, ctx: CheckContext) -> RowResult:
    """All per-row problems of one row (duplicates aside)."""
    quick = _clean_row_result(row, ctx)
    return quick if quick is not None else _checked_row(row, ctx)


def _clean_row_result(row: ParsedRow, ctx: CheckContext) -> RowResult | None:
    """The result of a row with no problem at all, or None when the row may have one.

    Nine rows in ten have none: for them every check is one lookup of a verdict kept in
    `ctx.seen`, made here without the calls, sets and problem lists that `_checked_row`
    (which finds and words the problems) spends on each field. Whatever is not a plain
    known-good value goes to `_checked_row`, so both always agree
    (`tests/test_checks_quick.py` holds them to it)."""
    texts = row.text
    limits = ctx.limits
    required = ctx.required
    for key, text in texts.items():
        if not text:
            if key in required:
                return None
        elif len(text) > limits[key] or (
            text[0] == "#" and len(text) <= _LONGEST_ERROR and text.upper() in CELL_ERRORS
        ):
            return None
    seen = ctx.seen
    get = texts.get
    month = None
    text = get("report_month", "")
    if text:
        if row.raw:  # a date or number cell: worked out from its value each time
            return None
        verdict = seen.months.get(text)
        if verdict is None:
            verdict = seen.months[text] = _month_verdict(text, text, ctx)
        month, finding = verdict
        if finding is not None:
            return None
    source = row.source
    province = source.province
    text = get("province", "")
    if text:
        known = seen.provinces
        found = known[text] if text in known else known.setdefault(text, geo.find_province(text))
        if found is None or found.code != province.code:
            return None
        province = found
    district = source.district
    text = get("district", "")
    if text:
        named = (province.code, text)
        places = seen.districts
        place = (
            places[named]
            if named in places
            else places.setdefault(named, geo.find_district(*named))
        )
        if place is None or place.code != district.code:
            return None
        district = place
    text = get("lao", "")
    if text and not text.replace(" ", "").startswith(LAO_PREFIXES):
        return None
    category = None
    text = get("category", "")
    if text:
        kinds = seen.categories
        category = kinds[text] if text in kinds else kinds.setdefault(text, parse_category(text))
        if category is None:
            return None
    for choice, words in _CHOICE_WORDS:
        text = get(choice, "")
        if text:
            fits = seen.choices.get((choice, text))
            if fits is None:
                fits = seen.choices[choice, text] = any(w in text for w in words)
            if not fits:
                return None
    text = get("post_url", "")
    if text:
        allowed = seen.urls.get(text)
        if allowed is None:
            allowed = seen.urls[text] = _urls_allowed(text, ctx)
        if not allowed:
            return None
    text = get("hashtags", "")
    if text:
        tags = (text, province.code, district.code)
        missing = seen.hashtags.get(tags)
        if missing is None:
            missing = seen.hashtags[tags] = _missing_hashtags(text, province, district)
        if missing:
            return None
    text = get("phone", "")
    if text:
        fine = seen.phones.get(text)
        if fine is None:
            fine = seen.phones[text] = is_thai_phone(text)
        if not fine:
            return None
    return RowResult(row, [], month, category)


def _checked_row(row: ParsedRow, ctx: CheckContext) -> RowResult:
    """Every per-row problem of one row, found and worded (duplicates aside)."""
    result = RowResult(row)
    out = result.problems
    form = ctx.form
    texts = row.text
    limits = ctx.limits
    unusable: set[str] = set()  # fields that are empty or show a formula error
    for key, text in texts.items():
        if text and text[0] != "#" and len(text) <= limits[key]:
            continue  # the common case: a plain value within its field's limit
        if not text:
            unusable.add(key)
            if key in ctx.required:
                out.append(_problem(row, key, "MISSING", header=_h(form, key)))
        elif text[0] == "#" and len(text) <= _LONGEST_ERROR and text.upper() in CELL_ERRORS:
            unusable.add(key)
            out.append(_problem(row, key, "CELL_ERROR", value=text, header=_h(form, key)))
        elif len(text) > limits[key]:
            out.append(_problem(row, key, "TOO_LONG", header=_h(form, key), length=len(text),
                                limit=limits[key]))  # fmt: skip
    if len(out) > 1:
        # Problems come in the form's field order, whatever the order of the columns.
        out.sort(key=lambda p: FIELD_ORDER[p.field or ""])
    present = texts.keys() - unusable

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
        _check_choice(row, "role", ROLES, _ROLE_WORDS, ctx=ctx, out=out)
    if "budget" in present:
        _check_choice(row, "budget", BUDGETS, _BUDGET_WORDS, ctx=ctx, out=out)
    if "post_url" in present:
        _check_url(row, ctx, out)
    if "hashtags" in present:
        _check_hashtags(row, province, district, ctx, out)
    if "phone" in present:
        _check_phone(row, ctx, out)
    return result


def _check_month(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> tuple[int, int] | None:
    value = row.raw.get("report_month", "")  # none kept: a text cell
    text = row.text["report_month"]
    if isinstance(value, str):
        verdict = ctx.seen.months.get(text)
        if verdict is None:
            verdict = ctx.seen.months[text] = _month_verdict(text, text, ctx)
    else:
        verdict = _month_verdict(value, text, ctx)
    month, finding = verdict
    if finding is not None:
        out.append(_problem(row, "report_month", finding[0], **finding[1]))
    return month


def _month_verdict(
    value: object, text: str, ctx: CheckContext
) -> tuple[tuple[int, int] | None, Finding | None]:
    """The month a report-month cell means, or the problem it has."""
    month = thai.parse_month(value)
    if month is None:
        return None, ("BAD_MONTH", {"header": _h(ctx.form, "report_month"), "value": text})
    label = thai.month_label(*month)
    prog = ctx.programme
    if not prog.in_period(month):
        why = (
            f"อยู่นอกระยะเวลาของโครงการ ({thai.month_label(*prog.start)} – "
            f"{thai.month_label(*prog.end)})"
        )
        return None, ("OUT_OF_PERIOD", {"month": label, "why": why})
    if month > (ctx.today.year, ctx.today.month):
        why = f"ยังไม่ถึงเดือนดังกล่าว (ตรวจสอบ ณ วันที่ {thai.date_label(ctx.today)})"
        return None, ("OUT_OF_PERIOD", {"month": label, "why": why})
    return month, None


def _check_province(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> geo.Province | None:
    text = row.text["province"]
    seen = ctx.seen.provinces
    found = seen[text] if text in seen else seen.setdefault(text, geo.find_province(text))
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
    seen, key = ctx.seen.districts, (province.code, text)
    found = seen[key] if key in seen else seen.setdefault(key, geo.find_district(*key))
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
    text = row.text["category"]
    seen = ctx.seen.categories
    kind = seen[text] if text in seen else seen.setdefault(text, parse_category(text))
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
    text = row.text[key]
    fits = ctx.seen.choices.get((key, text))
    if fits is None:
        fits = ctx.seen.choices[key, text] = any(w in text for w in words)
    if not fits:
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


def _urls_allowed(text: str, ctx: CheckContext) -> bool:
    """Whether a link cell holds one or more links, each to an accepted platform."""
    # Links are separated by spaces or commas (str.split's spaces are the regex \s, and
    # a third of the time of splitting on r"[\s,]+").
    urls = text.replace(",", " ").split()
    hosts, suffixes, starts = ctx.platforms
    for url in urls:
        if url.startswith(starts):
            continue  # most links: "https://www.facebook.com/..."
        match = _URL_HOST.match(url)
        if not match:
            return False
        host = match.group(1).lower()
        if host not in hosts and not host.endswith(suffixes):
            return False
    return bool(urls)


def _check_url(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> None:
    text = row.text["post_url"]
    allowed = ctx.seen.urls.get(text)
    if allowed is None:
        allowed = ctx.seen.urls[text] = _urls_allowed(text, ctx)
    if not allowed:
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


def _missing_hashtags(text: str, province: geo.Province, district: geo.District) -> str:
    """The required hashtags a cell lacks, space-separated ("" when none is missing)."""
    # Compare without spaces: "# เที่ยวท้องถิ่น" and "#จังหวัด ชัยภูมิ" are typing slips.
    typed = text.replace(" ", "").replace("＃", "#")
    tags = set(_HASHTAG.findall(typed))
    return " ".join(t for t in required_hashtags(province, district) if t not in tags)


def _check_hashtags(
    row: ParsedRow,
    province: geo.Province,
    district: geo.District,
    ctx: CheckContext,
    out: list[Problem],
) -> None:
    text = row.text["hashtags"]
    key = (text, province.code, district.code)
    missing = ctx.seen.hashtags.get(key)
    if missing is None:
        missing = ctx.seen.hashtags[key] = _missing_hashtags(text, province, district)
    if missing:
        out.append(_problem(row, "hashtags", "MISSING_HASHTAG", missing=missing))


def is_thai_phone(text: str) -> bool:
    """Whether a phone cell holds one or more Thai numbers (with spaces, dashes, +66,
    extensions, Thai digits)."""
    if _PHONE_OK.match(text):
        return True  # the common case, a plain number: nothing to take apart
    for number in _PHONE_SPLIT.split(thai.to_arabic_digits(text)):
        digits = _PHONE_NOISE.sub("", _PHONE_EXT.sub("", number))
        if digits.startswith("+66"):
            digits = "0" + digits[3:]
        elif digits.startswith("66") and len(digits) in (10, 11):
            digits = "0" + digits[2:]
        if not _PHONE_OK.match(digits):
            return False
    return True


def _check_phone(row: ParsedRow, ctx: CheckContext, out: list[Problem]) -> None:
    text = row.text["phone"]
    fine = ctx.seen.phones.get(text)
    if fine is None:
        fine = ctx.seen.phones[text] = is_thai_phone(text)
    if not fine:
        out.append(_problem(row, "phone", "BAD_PHONE", value=text))


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
