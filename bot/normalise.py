"""The values of a row as the roll-up shows them: official names, codes and one spelling.

Staff type one month as `ธ.ค. 2567`, `2024-12-01`, `ธันวาคม ๒๕๖๗` or `12/2567`, a district
as `อ.ภูเขียว`, a kind as `2` or `ด้านที่ 3`. A pivot or a filter over such text splits one
thing into many values, so the provincial and national tabs carry each value the bot
understands in one official spelling from a closed set:

- the report month as B.E. text that sorts (`2567-12 ธ.ค.`) plus `YYYY-MM` (`2024-12`);
- the province and district by their registry names, with their DOPA codes;
- the kind of identity by its official name (`form_fields.CATEGORIES`);
- the role and budget source by the form's choices, the local organisation with its
  type prefix spelt the short official way (`อบต.นาบยางกลัก`).

A value that cannot be normalised stays as typed, and the row names it (`CleanRow.kept`)
so the roll-up can flag it. Pure.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from bot import geo, thai
from bot.checks import RowResult
from bot.config import Programme
from bot.form_fields import BUDGETS, CATEGORIES, ROLES

# Fields whose value the roll-up replaces by an official spelling (or flags).
NORMALISED = ("report_month", "province", "district", "lao", "category", "role", "budget")
# Of those, the ones a row must have: an empty one is flagged too.
_REQUIRED = frozenset({"report_month", "province", "district", "lao", "category"})

_ROLE_WORDS = (("หลัก", ROLES[0]), ("สนับสนุน", ROLES[1]))
_BUDGET_WORDS = (
    (("จังหวัด",), BUDGETS[0]),
    (("อปท", "ท้องถิ่น"), BUDGETS[1]),
    (("เอกชน",), BUDGETS[2]),
    (("อื่น",), BUDGETS[3]),
)
# Long forms of the local organisation types and their official short prefixes; the longer
# phrase first, so "เทศบาลตำบล" is not read as a bare "เทศบาล".
_LAO_TYPES = (
    ("องค์การบริหารส่วนจังหวัด", "อบจ."),
    ("องค์การบริหารส่วนตำบล", "อบต."),
    ("เทศบาลนคร", "ทน."),
    ("เทศบาลเมือง", "ทม."),
    ("เทศบาลตำบล", "ทต."),
    ("อบจ", "อบจ."),
    ("อบต", "อบต."),
    ("ทน", "ทน."),
    ("ทม", "ทม."),
    ("ทต", "ทต."),
)
_LAO_SHORT = dict(_LAO_TYPES)
_LAO_PREFIX = re.compile(
    "^(" + "|".join(re.escape(long) for long, _ in _LAO_TYPES) + r")\s*\.?\s*(\S.*)$"
)


class CleanRow(NamedTuple):
    """A row's values in their official spelling; `kept` names the fields left as typed.

    A named tuple, not a frozen dataclass: one is made for every row of a cycle, and a
    tuple is made in half the time."""

    values: dict[str, str]
    month_key: str  # "2024-12", or "" when the month could not be read
    province_code: str
    district_code: str
    kept: tuple[str, ...]


# A cycle's rows hold few months: each spelling is made once and shared by every row.
@lru_cache(maxsize=1024)
def month_text(year: int, month: int) -> str:
    """A report month as B.E. text that sorts as text: "2567-12 ธ.ค."."""
    return f"{year + thai.BE_OFFSET}-{month:02d} {thai.THAI_MONTHS_ABBR[month - 1]}"


@lru_cache(maxsize=1024)
def month_key(year: int, month: int) -> str:
    """A report month as sortable C.E. `YYYY-MM`: "2024-12"."""
    return f"{year:04d}-{month:02d}"


def programme_months(programme: Programme) -> list[tuple[int, int]]:
    """Every report month of the programme, in order."""
    out: list[tuple[int, int]] = []
    year, month = programme.start
    while (year, month) <= programme.end:
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def clean_row(result: RowResult, programme: Programme, laos: LaoNames | None = None) -> CleanRow:
    """The official spelling of every value of a checked row that the bot understands
    (`laos`: the organisations' names spelt so far in the cycle)."""
    row = result.row
    text = row.text
    month = _month(result, programme)
    province = geo.find_province(text.get("province", ""))
    # A district is looked up in the province the row names, else in its tab's province.
    where = province or row.source.province
    district = geo.find_district(where.code, text.get("district", ""))
    kind = result.category
    official = (  # in NORMALISED's order, the order `kept` names them in
        ("report_month", month_text(*month) if month else None),
        ("province", province.name if province else None),
        ("district", district.name if district else None),
        ("lao", (LaoNames() if laos is None else laos)[text.get("lao", "")]),
        ("category", CATEGORIES[kind - 1] if kind else None),
        ("role", _role(text.get("role", ""))),
        ("budget", _budget(text.get("budget", ""))),
    )
    values = dict(text)
    kept: list[str] = []
    for key, value in official:
        if key not in text:  # no such column in its tab
            continue
        if value is not None:
            values[key] = value
        elif text[key] or key in _REQUIRED:
            kept.append(key)
    return CleanRow(  # by position: keywords take twice as long, for every row
        values,
        month_key(*month) if month else "",
        province.code if province else "",
        district.code if district else "",
        tuple(kept),
    )


def _month(result: RowResult, programme: Programme) -> tuple[int, int] | None:
    # The checks drop a month outside the programme (OUT_OF_PERIOD) and a future one; the
    # roll-up still shows a future month of the programme in its official spelling.
    if result.month is not None:
        return result.month
    row = result.row
    raw = row.raw.get("report_month", "")  # none kept: a text cell
    month = thai.parse_month(raw if not isinstance(raw, str) else row.text.get("report_month"))
    return month if month is not None and programme.in_period(month) else None


def lao_text(text: str) -> str | None:
    """A local organisation's name with its type prefix spelt the short official way
    ("องค์การบริหารส่วนตำบล นาบยางกลัก" -> "อบต.นาบยางกลัก"); None without a known type."""
    match = _LAO_PREFIX.match(text.strip())
    if match is None:
        return None
    kind, name = match.groups()
    official = _LAO_SHORT[kind] + name.strip()
    return text if official == text else official  # as typed: the row's own string, shared


class LaoNames(dict[str, str | None]):
    """`lao_text` of each distinct name, worked out once a cycle: the roll-up and the
    register both spell every row's organisation, and most names are met in one row
    or a few (a cache of recent names would miss them all the second time)."""

    def __missing__(self, text: str) -> str | None:
        official = self[text] = lao_text(text)
        return official


@lru_cache(maxsize=1024)
def _role(text: str) -> str | None:
    found = [name for word, name in _ROLE_WORDS if word in text]
    return found[0] if len(found) == 1 else None


@lru_cache(maxsize=1024)
def _budget(text: str) -> str | None:
    found = [name for words, name in _BUDGET_WORDS if any(w in text for w in words)]
    return ", ".join(found) if found else None
