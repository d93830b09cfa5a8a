"""What the admin's YAML file means: the validated pydantic models of the config. Pure.

The models check every setting and every rule across settings; `bot.config_load` reads the
file, turns a validation error into one message that names the YAML path and line, and
resolves the paths and the clock. Nothing here reads a file, the environment or the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import (
    Field,
    PositiveInt,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot import geo, thai

# Re-exported: the programme's models lived here before rounds came.
from bot.config_rounds import Programme as Programme  # noqa: PLC0414
from bot.config_rounds import Round, round_problems
from bot.config_rounds import Target as Target  # noqa: PLC0414
from bot.config_services import (
    DaemonSettings,
    GoogleSettings,
    LineSettings,
    ProvisionSettings,
    ReminderSettings,
    XlsxSettings,
)
from bot.config_types import (
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
    # The rows of an ended round, frozen once the next round starts; {round} is its B.E.
    # fiscal year (in the national spreadsheet, or the one `archive:` names).
    archive: str = "รายงานปีงบประมาณ {round}"

    @model_validator(mode="after")
    def _placeholders(self) -> Tabs:
        allowed = {
            "district": {"district", "province"},
            "province": {"province"},
            "dashboard": {"province"},
            "archive": {"round"},
        }
        names = (
            "district",
            "province",
            "national",
            "summary",
            "issues",
            "district_register",
            "dashboard",
            "archive",
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
        if "{round}" not in self.archive:
            raise ValueError("the archive tab name must contain {round} (each round has its own)")
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
# `key: new`: a Google spreadsheet that `softpower-bot provision` is to make.
NEW = "new"
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
        if value is not None and value.strip().casefold() == NEW:
            return NEW  # made by `softpower-bot provision`, which prints the real key
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
    def is_new(self) -> bool:
        """Whether this spreadsheet is still to be made (`key: new`, for `provision`)."""
        return self.key == NEW

    def _placeholder(self) -> str:
        return "?"

    @property
    def sheet(self) -> str:
        """The spreadsheet's id inside the bot: the file name, or the Google key (for a
        spreadsheet still to be made, `new:` and whose it is)."""
        if self.is_new:
            return f"{NEW}:{self._placeholder()}"
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

    def _placeholder(self) -> str:
        return str(self.district)

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

    def _placeholder(self) -> str:
        return str(self.province)

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
                own = entry.own_sheet
                # Two new spreadsheets of same-named districts (of two provinces) differ.
                out[found.code] = f"{NEW}:{self.province}/{found.name}" if entry.is_new else own
        return out


class NationalSheet(_SheetRef):
    """The national spreadsheet: national, summary and issues tabs."""

    def _placeholder(self) -> str:
        return "national"


class ArchiveSheet(_SheetRef):
    """A spreadsheet of the bot's own for the rows of ended rounds (`tabs.archive`)."""


class Config(Strict):
    """The whole configuration file."""

    programme: Programme = Field(default_factory=Programme)
    # Several rounds (fiscal years) instead of one programme: `bot.rounds.config_on` gives
    # the config of the round in force on a day. Until then `programme` is the first round.
    rounds: list[Round] | None = Field(default=None, min_length=1)
    # Where the rows of an ended round are frozen; None: the national spreadsheet.
    archive: ArchiveSheet | None = None
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
    provision: ProvisionSettings = Field(default_factory=ProvisionSettings)
    timezone: str = "Asia/Bangkok"  # an IANA zone; the loader checks that it exists
    # Where the bot keeps its own files (state, outbox, last reads) when they are given
    # as relative paths; None: beside the config file. A server install sets it to
    # /var/lib/softpower-bot, so the config can live in a read-only /etc folder.
    state_dir: str | None = None

    # Set by the loader: relative paths in the file are relative to the file's folder
    # (see bot.config_load.config_path and workbook_path).
    base_dir: str = Field(default=".", exclude=True)
    # Set by `narrowed` (see `bot.rounds.config_on`): the round this config is narrowed
    # to, and the config as loaded.
    in_force: str | None = Field(default=None, exclude=True)
    _base: Config | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _programme_or_rounds(cls, data: Any) -> Any:
        if isinstance(data, dict) and "programme" in data and "rounds" in data:
            raise SettingError(
                ("rounds",),
                "give either programme: (one round) or rounds: (several), not both; "
                "move the programme's settings into the first round",
            )
        return data

    @model_validator(mode="after")
    def _rounds_in_order(self) -> Config:
        if self.rounds:
            round_problems(self.rounds, {p.province for p in self.provinces})
            for i, rnd in enumerate(self.rounds):
                for prov in self.provinces:
                    days = self.deadline_days(prov, rnd)
                    if days[0] > days[1]:
                        raise SettingError(
                            ("rounds", i, "provinces"),
                            f"{prov.province}: district deadline day {days[0]} is after the "
                            f"province's day {days[1]} in round {rnd.label}: districts report "
                            "to their province before the province reports to DLA",
                        )
            # Unnarrowed, the config means its first round (see bot.rounds.config_on).
            object.__setattr__(self, "programme", self.rounds[0].as_programme())
        return self

    def narrowed(self, rnd: Round) -> Config:
        """This config for one of its rounds: the round's period, targets, deadline days
        and district tab names in `programme` and `tabs`."""
        base = self.unnarrowed()
        tabs = base.tabs
        if rnd.district_tab:
            tabs = tabs.model_copy(update={"district": rnd.district_tab})
        out = base.model_copy(
            update={"programme": rnd.as_programme(), "tabs": tabs, "in_force": rnd.label}
        )
        out._base = base
        return out

    def unnarrowed(self) -> Config:
        """The config as loaded, before `narrowed`."""
        return self._base or self

    def round_named(self, label: str | None) -> Round | None:
        """The round of a B.E. fiscal year ("2569"), if the config has it."""
        return next((r for r in self.rounds or [] if r.label == label), None)

    def district_patterns(self) -> list[str]:
        """Every district tab pattern of the config: `tabs.district` and the rounds' own."""
        own = [r.district_tab for r in self.rounds or [] if r.district_tab]
        return list(dict.fromkeys([self.unnarrowed().tabs.district, *own]))

    def archive_sheet(self) -> str:
        """The spreadsheet that holds the archive tabs of ended rounds."""
        return self.archive.sheet if self.archive is not None else self.national.sheet

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
    def _files_present(self, info: ValidationInfo) -> Config:
        provisioning = bool(info.context and info.context.get("provision"))
        wanted = "file" if self.backend == "xlsx" else "key or url"
        refs: list[tuple[tuple[str | int, ...], _SheetRef]] = [(("national",), self.national)]
        if self.archive is not None:
            refs.append((("archive",), self.archive))
        refs += [(("provinces", i), prov) for i, prov in enumerate(self.provinces)]
        for i, prov in enumerate(self.provinces):
            for j, entry in enumerate(prov.districts or []):
                if entry.file or entry.key or entry.url:  # a spreadsheet of its own
                    refs.append((("provinces", i, "districts", j), entry))
        for loc, ref in refs:
            if ref.is_new and (self.backend == "xlsx" or not provisioning):
                raise SettingError(
                    (*loc, "key"),
                    "key: new is for Google spreadsheets that `softpower-bot provision` makes; "
                    "with xlsx, name the file and provision makes it"
                    if self.backend == "xlsx"
                    else "key: new asks for a spreadsheet that does not exist yet: run "
                    "`softpower-bot provision`, which makes it and prints the key to put here",
                )
            ok = bool(ref.file) if self.backend == "xlsx" else bool(ref.key or ref.url)
            if not ok:
                more = ""
                if self.backend == "google":
                    more = " (or key: new, and `softpower-bot provision` makes the spreadsheet)"
                raise SettingError(
                    (*loc, "file" if self.backend == "xlsx" else "key"),
                    f"{wanted} is required with backend: {self.backend}{more}",
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

    def deadline_days(self, prov: ProvinceSheet, rnd: Round | None = None) -> tuple[int, int]:
        """A province's district and province deadline days: its own, else the programme's
        (with `rnd`: the round's own days for the province first, else its days)."""
        rnd = rnd or self.round_named(self.in_force)
        prog: Programme = rnd or self.programme
        own = rnd.provinces.get(prov.province) if rnd is not None else None
        return (
            (own and own.district_deadline_day)
            or prov.district_deadline_day
            or prog.district_deadline_day,
            (own and own.province_deadline_day)
            or prov.province_deadline_day
            or prog.province_deadline_day,
        )

    @model_validator(mode="after")
    def _sharing_names_configured_places(self, info: ValidationInfo) -> Config:
        share = self.provision.share
        configured = {p.province: p for p in self.provinces}
        for name in share.provinces:
            if name not in configured:
                raise SettingError(("provision", "share", "provinces", name),
                                   f"{name} is not under provinces: in this config")  # fmt: skip
        for name, by in share.districts.items():
            prov = configured.get(name)
            if prov is None:
                raise SettingError(("provision", "share", "districts", name),
                                   f"{name} is not under provinces: in this config")  # fmt: skip
            mine = {d.name for d in prov.registry_districts()}
            for district in by:
                if district not in mine:
                    raise SettingError(
                        ("provision", "share", "districts", name, district),
                        f"{district} is not among the districts configured for {name}",
                    )
        new = self.national.is_new or any(
            p.is_new or any(d.is_new for d in p.districts or []) for p in self.provinces
        )
        if info.context and info.context.get("provision") and new and not self.provision.folder:
            raise SettingError(
                ("provision", "folder"),
                "name the Google Drive folder the new spreadsheets go in (key: new), e.g. "
                "folder: https://drive.google.com/drive/folders/<id>; share it with the bot",
            )
        return self

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
        if self.rounds:
            # Ended rounds' rows are frozen whole into tabs of the bot's own.
            names = {self.tabs.archive.format(round=r.label) for r in self.rounds}
            for name in sorted(names):
                problem = tab_name_problem(name)
                if problem:
                    raise SettingError(("tabs", "archive"), f"the tab name {name!r} {problem}")
            bot_at.setdefault(self.archive_sheet(), set()).update(names)
        for tab in (self.tabs.summary, self.tabs.district_register):
            # The quarter-end snapshots (bot.quarters): the longest quarter label is "4-2568".
            name = self.daemon.quarter_tab.format(tab=tab, quarter="4-2568")
            problem = tab_name_problem(name)
            if problem:
                raise SettingError(("daemon", "quarter_tab"), f"the tab name {name!r} {problem}")
        for pattern in self.district_patterns():
            where = self._pattern_setting(pattern)
            tabs = self.tabs.model_copy(update={"district": pattern})
            source_at = self._district_places(tabs, where)
            for (sheet, tab), (_, province) in source_at.items():
                if tab in bot_at.get(sheet, set()):
                    raise SettingError(
                        ("tabs",),
                        f"the bot would overwrite the district tab {tab!r} of {province}: "
                        "give tabs.province / dashboard / national / summary / issues / "
                        "district_register / archive names that no district tab has",
                    )
        form_headers = {thai.header_key(h) for k in FIELD_KEYS for h in self.form.header_names(k)}
        if thai.header_key(self.form.status_header) in form_headers:
            raise SettingError(("form", "status_header"), "must differ from every form header")
        return self

    def _pattern_setting(self, pattern: str) -> tuple[str | int, ...]:
        """Where a district tab pattern is set: tabs.district or a round's district_tab."""
        for i, rnd in enumerate(self.rounds or []):
            if rnd.district_tab == pattern and pattern != self.unnarrowed().tabs.district:
                return ("rounds", i, "district_tab")
        return ("tabs", "district")

    def _district_places(
        self, tabs: Tabs, where: tuple[str | int, ...]
    ) -> dict[tuple[str, str], tuple[str, str]]:
        """Every district tab's (spreadsheet, name) under one pattern; refuses two of the
        same name in one spreadsheet and names Excel would refuse."""
        source_at: dict[tuple[str, str], tuple[str, str]] = {}  # -> (district, province)
        for i, prov in enumerate(self.provinces):
            p = prov.registry_province
            sources = {tabs.district_tab(p, d) for d in prov.registry_districts()}
            bot_tabs = {tabs.province_tab(p), tabs.dashboard_tab(p)}
            for d in prov.registry_districts():
                place = (prov.sheet_of(d), tabs.district_tab(p, d))
                if place in source_at:
                    raise SettingError(
                        where,
                        f"two district tabs would both be named {place[1]!r} in one "
                        f"spreadsheet ({', '.join(source_at[place])} and {d.name}, {p.name}): put "
                        "{province} in tabs.district, e.g. อำเภอ{district} จ.{province}",
                    )
                source_at[place] = (d.name, p.name)
            for tab in sorted(sources | bot_tabs):
                problem = tab_name_problem(tab)
                if problem:
                    raise SettingError(
                        ("tabs",) if where == ("tabs", "district") else where,
                        f"the tab name {tab!r} (for {p.name}, provinces[{i}]) {problem}; "
                        "give tabs.district / tabs.province a shorter pattern",
                    )
        return source_at


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
