"""What the admin's YAML file means: the validated pydantic models of the config. Pure.

The models check every setting and every rule across settings; `bot.config_load` reads the
file, turns a validation error into one message that names the YAML path and line, and
resolves the paths and the clock. Nothing here reads a file, the environment or the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import Field, PositiveInt, field_validator, model_validator

from bot import geo, thai
from bot.config_services import (
    DaemonSettings,
    GoogleSettings,
    LineSettings,
    ReminderSettings,
    XlsxSettings,
)
from bot.config_types import (
    FlexDate,
    Month,
    SettingError,
    Strict,
    check_pattern,
    registry_province,
    tab_name_problem,
)
from bot.form_fields import (
    DEFAULT_PLATFORMS,
    FIELD_KEYS,
    SPEC_BY_KEY,
    STATUS_HEADER,
)

BACKENDS = ("xlsx", "google")


class Target(Strict):
    """At least `districts` districts must have an identity by the date `by`."""

    districts: int = Field(gt=0)
    by: FlexDate


class Programme(Strict):
    """The programme's period, targets and monthly deadlines."""

    name: str = "1 อำเภอ 1 อัตลักษณ์ท้องถิ่น (Soft Power)"
    start: Month = (2024, 11)
    end: Month = (2025, 9)
    targets: list[Target] = Field(
        default_factory=lambda: [
            Target(districts=439, by=date(2025, 3, 31)),
            Target(districts=878, by=date(2025, 9, 30)),
        ],
        min_length=1,
    )
    district_deadline_day: int = Field(default=20, ge=1, le=28)
    province_deadline_day: int = Field(default=25, ge=1, le=28)
    # Which month the report due on a deadline covers: "current" (due 20 Jan: January's
    # report, progress to date, as the letters' "every 20th until September 2568" reads)
    # or "previous" (due 20 Jan: December's, the month just ended). See the README.
    deadline_covers: Literal["current", "previous"] = "current"

    @model_validator(mode="after")
    def _ordered(self) -> Programme:
        if self.end < self.start:
            raise SettingError(("end",), "the programme ends before it starts: check start and end")
        if self.district_deadline_day > self.province_deadline_day:
            raise SettingError(
                ("district_deadline_day",),
                "must not be after province_deadline_day: districts "
                "report to their province before the province reports to DLA",
            )
        for i in range(1, len(self.targets)):
            if self.targets[i].by < self.targets[i - 1].by:
                raise SettingError(
                    ("targets", i, "by"), "targets must be listed in date order, earliest first"
                )
        return self

    def target_on(self, today: date) -> Target:
        """The target in force on `today`: the next one due, or the last once all are past."""
        for target in self.targets:
            if today <= target.by:
                return target
        return self.targets[-1]

    def in_period(self, month: tuple[int, int]) -> bool:
        """Whether a (year, month) falls inside the programme period."""
        return self.start <= month <= self.end


class Form(Strict):
    """The report form: which header text means which field."""

    headers: dict[str, list[str]] = Field(default_factory=dict)
    status_header: str = STATUS_HEADER
    header_search_rows: int = Field(default=10, ge=1, le=100)
    platforms: list[str] = Field(default_factory=lambda: list(DEFAULT_PLATFORMS), min_length=1)
    max_length: dict[str, PositiveInt] = Field(default_factory=dict)

    @field_validator("headers", mode="before")
    @classmethod
    def _headers(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, names in value.items():
            if key not in FIELD_KEYS:
                raise ValueError(f"unknown field {key!r}; the fields are {', '.join(FIELD_KEYS)}")
            out[key] = [names] if isinstance(names, str) else names
        return out

    @field_validator("status_header")
    @classmethod
    def _status_header(cls, value: str) -> str:
        if not value.strip():
            raise ValueError(
                "must not be empty: the bot finds and marks its status column by this header "
                f"(default: {STATUS_HEADER})"
            )
        return value

    @field_validator("max_length")
    @classmethod
    def _lengths(cls, value: dict[str, int]) -> dict[str, int]:
        for key in value:
            if key not in FIELD_KEYS:
                raise ValueError(f"unknown field {key!r}; the fields are {', '.join(FIELD_KEYS)}")
        return value

    def header_names(self, key: str) -> list[str]:
        """The header texts accepted for a field: the admin's, which replace the default."""
        return list(self.headers.get(key) or [SPEC_BY_KEY[key].header])

    def display_header(self, key: str) -> str:
        """The header the bot writes for a field in the roll-up tabs."""
        return self.header_names(key)[0]

    def limit(self, key: str) -> int:
        """Longest text accepted in a field before a TOO_LONG warning."""
        return self.max_length.get(key, SPEC_BY_KEY[key].max_length)


class Tabs(Strict):
    """Tab names; `{province}` and `{district}` are filled with registry names."""

    district: str = "อำเภอ{district}"
    province: str = "รวมจังหวัด{province}"
    national: str = "รวมทั้งประเทศ"
    summary: str = "สรุปตัวชี้วัด"
    issues: str = "รายการที่ต้องแก้ไข"
    district_register: str = "ทะเบียนอำเภอ"  # every district and its state (national file)
    dashboard: str = "ภาพรวมจังหวัด{province}"  # a province's KPI, districts and problems

    @model_validator(mode="after")
    def _placeholders(self) -> Tabs:
        allowed = {
            "district": {"district", "province"},
            "province": {"province"},
            "dashboard": {"province"},
        }
        names = (
            "district",
            "province",
            "national",
            "summary",
            "issues",
            "district_register",
            "dashboard",
        )
        for name in names:
            template = getattr(self, name)
            if not template.strip():
                raise ValueError(f"tab name {name} is empty")
            fixed = check_pattern(f"tab name {name}={template!r}", template,
                                  allowed.get(name, set()))  # fmt: skip
            problem = tab_name_problem(fixed, length=name not in allowed)
            if problem:
                raise ValueError(f"tab name {name}={template!r} {problem}")
        if "{district}" not in self.district:
            raise ValueError("the district tab name must contain {district}")
        return self

    def district_tab(self, province: geo.Province, district: geo.District) -> str:
        """The name of a district's tab."""
        return self.district.format(province=province.name, district=district.name)

    def province_tab(self, province: geo.Province) -> str:
        """The name of a province's roll-up tab."""
        return self.province.format(province=province.name)

    def dashboard_tab(self, province: geo.Province) -> str:
        """The name of a province's dashboard tab."""
        return self.dashboard.format(province=province.name)

    def national_tabs(self) -> tuple[str, ...]:
        """The bot's tabs in the national spreadsheet."""
        return (self.national, self.summary, self.issues, self.district_register)


_SHEET_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]{20,})")
_SHEET_KEY = re.compile(r"^[A-Za-z0-9_-]{20,}$")


class _SheetRef(Strict):
    """Where a spreadsheet is: a workbook file (xlsx) or a Google Sheets key or URL."""

    file: str | None = None
    key: str | None = None
    url: str | None = None

    @field_validator("file", "key", "url", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        # YAML reads an unquoted 2568 or 1e5 as a number; a name or key is always text.
        return (
            str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        )

    @field_validator("key")
    @classmethod
    def _key_shape(cls, value: str | None) -> str | None:
        if value is not None and not _SHEET_KEY.match(value.strip()):
            raise ValueError(
                f"{value!r} does not look like a spreadsheet key (the long code between "
                "/d/ and /edit in the sheet's address); or give the whole address as url:"
            )
        return value.strip() if value else value

    @field_validator("url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value is not None and not _SHEET_URL.search(value):
            raise ValueError(
                f"{value!r} is not a Google Sheets address; copy it from the browser's "
                "address bar, e.g. https://docs.google.com/spreadsheets/d/<key>/edit"
            )
        return value

    @model_validator(mode="after")
    def _one_place(self) -> _SheetRef:
        given = [n for n in ("file", "key", "url") if getattr(self, n)]
        if len(given) > 1:
            raise ValueError(f"give only one of file, key or url (got {' and '.join(given)})")
        return self

    @property
    def sheet(self) -> str:
        """The spreadsheet's id inside the bot: the file name, or the Google key."""
        if self.url:
            match = _SHEET_URL.search(self.url)
            assert match is not None  # checked by the validator
            return match.group(1)
        return self.file or self.key or ""


class DistrictSheet(_SheetRef):
    """A district of a province, and the spreadsheet of its own when it has one.

    In the YAML a district is either its name (its tab is in the province's spreadsheet)
    or `{district: ภูเขียว, file: phu-khiao.xlsx}` (or `key:`/`url:` with Google): its tab
    is in a spreadsheet of its own, which its office alone may be given to edit.
    """

    district: str

    @property
    def own_sheet(self) -> str | None:
        """The district's own spreadsheet, or None when it is in the province's."""
        return self.sheet or None


class ProvinceSheet(_SheetRef):
    """One province's spreadsheet: its roll-up tab, and the district tabs that have no
    spreadsheet of their own."""

    province: str
    # None: every district of the province, all in the province's spreadsheet.
    districts: list[DistrictSheet] | None = Field(default=None, min_length=1)

    @field_validator("districts", mode="before")
    @classmethod
    def _names_or_places(cls, value: Any) -> Any:
        # A bare name means "in the province's spreadsheet".
        if isinstance(value, list):
            return [
                {"district": item} if isinstance(item, str | int | float) else item
                for item in value
            ]
        return value

    # This province's own deadline days; None: the programme's (a province may set its
    # districts' day itself, as Chaiyaphum chose the 20th).
    district_deadline_day: int | None = Field(default=None, ge=1, le=28)
    province_deadline_day: int | None = Field(default=None, ge=1, le=28)

    @field_validator("province")
    @classmethod
    def _known_province(cls, value: str) -> str:
        return registry_province(value).name

    @model_validator(mode="after")
    def _known_districts(self) -> ProvinceSheet:
        prov = self.registry_province
        seen: set[str] = set()
        for i, entry in enumerate(self.districts or []):
            found = geo.find_district(prov.code, str(entry.district))
            if found is None:
                hint = geo.suggest_district(prov.code, str(entry.district))
                raise SettingError(
                    ("districts", i),
                    f"{entry.district!r} is not a district of {prov.name}"
                    + (f"; did you mean {hint!r}?" if hint else ""),
                )
            if found.code in seen:
                raise SettingError(("districts", i), f"{found.name} is listed twice")
            seen.add(found.code)
        return self

    @property
    def registry_province(self) -> geo.Province:
        """The registry entry of this province."""
        found = geo.find_province(self.province)
        assert found is not None  # checked by the validator
        return found

    def registry_districts(self) -> list[geo.District]:
        """The districts this spreadsheet holds, in registry order."""
        code = self.registry_province.code
        if self.districts is None:
            return list(geo.districts(code))
        wanted = set(self._own_sheets())
        return [d for d in geo.districts(code) if d.code in wanted]

    def narrowed_to(self, name: str) -> ProvinceSheet:
        """This province with one district only (which keeps its own spreadsheet)."""
        code = self.registry_province.code
        found = geo.find_district(code, name)
        for entry in self.districts or []:
            if found is not None and geo.find_district(code, entry.district) == found:
                return self.model_copy(update={"districts": [entry]})
        return self.model_copy(update={"districts": [DistrictSheet(district=name)]})

    def sheet_of(self, district: geo.District) -> str:
        """The spreadsheet that holds a district's tab: its own, or the province's."""
        return self._own_sheets().get(district.code) or self.sheet

    def _own_sheets(self) -> dict[str, str | None]:
        code = self.registry_province.code
        out: dict[str, str | None] = {}
        for entry in self.districts or []:
            found = geo.find_district(code, str(entry.district))
            if found is not None:
                out[found.code] = entry.own_sheet
        return out


class NationalSheet(_SheetRef):
    """The national spreadsheet: national, summary and issues tabs."""


class Config(Strict):
    """The whole configuration file."""

    programme: Programme = Field(default_factory=Programme)
    backend: str = "xlsx"
    xlsx: XlsxSettings = Field(default_factory=XlsxSettings)
    google: GoogleSettings = Field(default_factory=GoogleSettings)
    national: NationalSheet
    provinces: list[ProvinceSheet] = Field(min_length=1)
    tabs: Tabs = Field(default_factory=Tabs)
    form: Form = Field(default_factory=Form)
    reminders: ReminderSettings = Field(default_factory=ReminderSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    line: LineSettings = Field(default_factory=LineSettings)
    timezone: str = "Asia/Bangkok"  # an IANA zone; the loader checks that it exists
    # Where the bot keeps its own files (state, outbox, last reads) when they are given
    # as relative paths; None: beside the config file. A server install sets it to
    # /var/lib/softpower-bot, so the config can live in a read-only /etc folder.
    state_dir: str | None = None

    # Set by the loader: relative paths in the file are relative to the file's folder
    # (see bot.config_load.config_path and workbook_path).
    base_dir: str = Field(default=".", exclude=True)

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in BACKENDS:
            raise ValueError(
                f"unknown backend {value!r}; use xlsx (local Excel workbooks) or google "
                "(Google Sheets)"
            )
        return value

    @model_validator(mode="after")
    def _files_present(self) -> Config:
        wanted = "file" if self.backend == "xlsx" else "key or url"
        refs: list[tuple[tuple[str | int, ...], _SheetRef]] = [(("national",), self.national)]
        refs += [(("provinces", i), prov) for i, prov in enumerate(self.provinces)]
        for i, prov in enumerate(self.provinces):
            for j, entry in enumerate(prov.districts or []):
                if entry.file or entry.key or entry.url:  # a spreadsheet of its own
                    refs.append((("provinces", i, "districts", j), entry))
        for loc, ref in refs:
            ok = bool(ref.file) if self.backend == "xlsx" else bool(ref.key or ref.url)
            if not ok:
                raise SettingError(
                    (*loc, "file" if self.backend == "xlsx" else "key"),
                    f"{wanted} is required with backend: {self.backend}",
                )
        seen: set[str] = set()
        for i, prov in enumerate(self.provinces):
            days = self.deadline_days(prov)
            if days[0] > days[1]:
                raise SettingError(
                    ("provinces", i, "district_deadline_day"),
                    f"day {days[0]} is after the province's own deadline day {days[1]}: "
                    "districts report to their province before the province reports to DLA",
                )
            if prov.province in seen:
                raise SettingError(
                    ("provinces", i, "province"), f"province {prov.province} is listed twice"
                )
            seen.add(prov.province)
        return self

    def deadline_days(self, prov: ProvinceSheet) -> tuple[int, int]:
        """A province's district and province deadline days: its own, else the programme's."""
        prog = self.programme
        return (
            prov.district_deadline_day or prog.district_deadline_day,
            prov.province_deadline_day or prog.province_deadline_day,
        )

    @model_validator(mode="after")
    def _never_write_into_sources(self) -> Config:
        # The bot owns whole tabs; if one of them had a source tab's name it would wipe
        # out what staff typed. Refuse such a config before anything is read.
        national_tabs = set(self.tabs.national_tabs())
        if len(national_tabs) != len(self.tabs.national_tabs()):
            raise SettingError(
                ("tabs",),
                "tabs.national, tabs.summary, tabs.issues and tabs.district_register "
                "must all differ",
            )
        # What the bot writes whole, per spreadsheet, and every district tab's place.
        bot_at: dict[str, set[str]] = {self.national.sheet: set(national_tabs)}
        taken: dict[tuple[str, str], str] = {}  # a province's own bot tabs -> the province
        for prov in self.provinces:
            p = prov.registry_province
            own = [self.tabs.province_tab(p), self.tabs.dashboard_tab(p)]
            if own[0] == own[1]:
                raise SettingError(("tabs",), "tabs.province and tabs.dashboard must differ")
            for name in own:
                other = taken.setdefault((prov.sheet, name), p.name)
                if other != p.name:
                    raise SettingError(
                        ("tabs",),
                        f"{other} and {p.name} share a spreadsheet and would both write the "
                        f"tab {name!r}: put {{province}} in tabs.province and tabs.dashboard",
                    )
            bot_at.setdefault(prov.sheet, set()).update(own)
        source_at: dict[tuple[str, str], tuple[str, str]] = {}  # -> (district, province)
        for i, prov in enumerate(self.provinces):
            p = prov.registry_province
            sources = {self.tabs.district_tab(p, d) for d in prov.registry_districts()}
            bot_tabs = {self.tabs.province_tab(p), self.tabs.dashboard_tab(p)}
            for d in prov.registry_districts():
                place = (prov.sheet_of(d), self.tabs.district_tab(p, d))
                if place in source_at:
                    raise SettingError(
                        ("tabs", "district"),
                        f"two district tabs would both be named {place[1]!r} in one "
                        f"spreadsheet ({', '.join(source_at[place])} and {d.name}, {p.name}): put "
                        "{province} in tabs.district, e.g. อำเภอ{district} จ.{province}",
                    )
                source_at[place] = (d.name, p.name)
            for tab in sorted(sources | bot_tabs):
                problem = tab_name_problem(tab)
                if problem:
                    raise SettingError(
                        ("tabs",),
                        f"the tab name {tab!r} (for {p.name}, provinces[{i}]) {problem}; "
                        "give tabs.district / tabs.province a shorter pattern",
                    )
        for (sheet, tab), (_, province) in source_at.items():
            if tab in bot_at.get(sheet, set()):
                raise SettingError(
                    ("tabs",),
                    f"the bot would overwrite the district tab {tab!r} of {province}: "
                    "give tabs.province / dashboard / national / summary / issues / "
                    "district_register names that no district tab has",
                )
        form_headers = {thai.header_key(h) for k in FIELD_KEYS for h in self.form.header_names(k)}
        if thai.header_key(self.form.status_header) in form_headers:
            raise SettingError(("form", "status_header"), "must differ from every form header")
        return self


def holders(config: Config, sheet: str) -> list[str]:
    """Whose a spreadsheet is, in Thai: its provinces ("จังหวัดชัยภูมิ") and the districts
    that have it as their own ("อำเภอภูเขียว จังหวัดชัยภูมิ"); the national one aside."""
    names = [f"จังหวัด{p.province}" for p in config.provinces if p.sheet == sheet]
    for prov in config.provinces:
        for d in prov.registry_districts():
            if prov.sheet_of(d) == sheet != prov.sheet:
                names.append(f"อำเภอ{d.name} จังหวัด{prov.province}")
    return names


@dataclass(frozen=True)
class SourceTab:
    """A district tab the bot reads: where it is and whose it is."""

    spreadsheet: str
    tab: str
    province: geo.Province
    district: geo.District


def source_tabs(config: Config) -> list[SourceTab]:
    """Every district tab of every configured province, in province then district order."""
    out: list[SourceTab] = []
    for prov in config.provinces:
        p = prov.registry_province
        for d in prov.registry_districts():
            out.append(SourceTab(prov.sheet_of(d), config.tabs.district_tab(p, d), p, d))
    return out
