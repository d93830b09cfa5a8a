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

A value that cannot be normalised stays as typed, and the row names it (`RowSpeller.cells`)
so the roll-up can flag it. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from operator import itemgetter

from bot import geo, thai
from bot.checks import RowResult
from bot.config import Programme
from bot.form_fields import BUDGETS, CATEGORIES, ROLES
from bot.model import OutCell

# Fields whose value the roll-up replaces by an official spelling (or flags).
NORMALISED = ("report_month", "province", "district", "lao", "category", "role", "budget")

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
_SHORT_FORMS = tuple(sorted(set(_LAO_SHORT.values())))  # "อบต." ...
_LAO_PREFIX = re.compile(
    "^(" + "|".join(re.escape(long) for long, _ in _LAO_TYPES) + r")\s*\.?\s*(\S.*)$"
)


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


class RowSpeller:
    """Spells checked rows the official way, straight into roll-up cells: `cells(result)`
    gives the values of `fields` in that order (a field the row's tab lacks is "") and
    the names of the normalised fields left as typed.

    `fields` may hold `month_key`, `province_code` and `district_code`, filled from the
    row's month and places. One speller serves a cycle's rows: the months and provinces
    it spells are kept, and `laos` holds the organisations' names spelt so far."""

    def __init__(
        self, programme: Programme, fields: Sequence[str], laos: LaoNames | None = None
    ) -> None:
        self.programme = programme
        self.fields = tuple(fields)
        at = {key: index for index, key in enumerate(self.fields)}
        self._at = at
        # Where the spelt values go; past the end (never written) when not among `fields`.
        nowhere = len(self.fields)
        self._month_at = at.get("report_month", nowhere)
        self._month_key_at = at.get("month_key", nowhere)
        self._codes_at = (at.get("province_code", nowhere), at.get("district_code", nowhere))
        self.laos = LaoNames() if laos is None else laos
        self._months: dict[tuple[int, int], tuple[str, str]] = {}
        self._provinces: dict[str, geo.Province | None] = {}
        # How to lay out the rows of the tab met last (its rows share one `columns`).
        self._columns: object = None
        self._layout: tuple[Callable[[dict[str, str]], list[OutCell]], tuple[int, ...]]
        self._layout = (lambda _text: [], ())

    def _lay_out(
        self, text: dict[str, str]
    ) -> tuple[Callable[[dict[str, str]], list[OutCell]], tuple[int, ...]]:
        """For rows with the fields of `text`: a function listing their values in `fields`
        order (made in C), and where the fields they lack go, in ascending order."""
        present = [f for f in self.fields if f in text]
        gaps = tuple(i for i, f in enumerate(self.fields) if f not in text)
        if len(present) > 1:
            pick = itemgetter(*present)
            return (lambda text: [*pick(text)]), gaps
        return (lambda text: [text[f] for f in present]), gaps

    def cells(self, result: RowResult) -> tuple[list[OutCell], tuple[str, ...]]:
        """The row's cells in `fields` order, and the normalised fields kept as typed (in
        `NORMALISED` order: each has a value the bot does not understand, or is empty and
        required: all of them are but the role and the budget)."""
        row = result.row
        text = row.text
        at = self._at
        if row.columns is not self._columns:  # a tab's first row
            self._columns, self._layout = row.columns, self._lay_out(text)
        pick, gaps = self._layout
        # The row's values in one C-level call, blanks where it has no value: the spelt
        # values replace some below.
        cells = pick(text)
        for gap in gaps:
            cells.insert(gap, "")
        cells.append("")  # the slot of spelt values that have no column (dropped below)
        kept: list[str] = []
        month = result.month if result.month is not None else _month(result, self.programme)
        if month is not None:
            spelt = self._months.get(month)
            if spelt is None:
                spelt = self._months[month] = (month_text(*month), month_key(*month))
            cells[self._month_key_at] = spelt[1]
            if "report_month" in text:
                cells[self._month_at] = spelt[0]
        elif "report_month" in text:
            kept.append("report_month")
        typed = text.get("province", "")
        provinces = self._provinces
        province = (
            provinces[typed]
            if typed in provinces
            else provinces.setdefault(typed, geo.find_province(typed))
        )
        # A district is looked up in the province the row names, else in its tab's.
        where = province or row.source.province
        district = geo.find_district(where.code, text.get("district", ""))
        if province is not None:
            cells[self._codes_at[0]] = province.code
            if "province" in text:
                cells[at["province"]] = province.name
        elif "province" in text:
            kept.append("province")
        if district is not None:
            cells[self._codes_at[1]] = district.code
            if "district" in text:
                cells[at["district"]] = district.name
        elif "district" in text:
            kept.append("district")
        if "lao" in text:
            lao = self.laos[text["lao"]]
            if lao is not None:
                cells[at["lao"]] = lao
            else:
                kept.append("lao")
        if "category" in text:
            if result.category:
                cells[at["category"]] = CATEGORIES[result.category - 1]
            else:
                kept.append("category")
        for key, spell in (("role", _role), ("budget", _budget)):
            if key in text:
                official = spell(text[key])
                if official is not None:
                    cells[at[key]] = official
                elif text[key]:  # not required: an empty one is fine
                    kept.append(key)
        cells.pop()
        return cells, tuple(kept)


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
    if text.startswith(_SHORT_FORMS) and "\n" not in text and not text[-1].isspace():
        cut = text.index(".") + 1  # the end of the prefix: short forms end in their only dot
        if cut < len(text) and not text[cut].isspace():
            return text  # spelt the official way already (most names)
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
