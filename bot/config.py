"""The admin's YAML file, loaded into validated pydantic models.

Every mistake in the file becomes one `ConfigError` that names the YAML path (and line),
what was found and what is expected, so an admin can fix it without reading code.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    Field,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from bot import geo, thai
from bot.config_services import Daemon, GoogleBackend, Reminders, XlsxBackend
from bot.config_types import FlexDate, Month, SettingError, Strict, registry_province
from bot.errors import ConfigError
from bot.form_fields import (
    DEFAULT_PLATFORMS,
    FIELD_KEYS,
    SPEC_BY_KEY,
    STATUS_HEADER,
)

DEFAULT_CONFIG_PATH = "config.yaml"
CONFIG_ENV = "SOFTPOWER_CONFIG"
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


_PLACEHOLDER = re.compile(r"{(\w*)}")


class Tabs(Strict):
    """Tab names; `{province}` and `{district}` are filled with registry names."""

    district: str = "อำเภอ{district}"
    province: str = "รวมจังหวัด{province}"
    national: str = "รวมทั้งประเทศ"
    summary: str = "สรุปตัวชี้วัด"
    issues: str = "รายการที่ต้องแก้ไข"

    @model_validator(mode="after")
    def _placeholders(self) -> Tabs:
        allowed = {"district": {"district", "province"}, "province": {"province"}}
        for name in ("district", "province", "national", "summary", "issues"):
            template = getattr(self, name)
            used = set(_PLACEHOLDER.findall(template))
            bad = used - allowed.get(name, set())
            if bad:
                raise ValueError(
                    f"tab name {name}={template!r} uses {{{bad.pop()}}}; allowed here: "
                    + (", ".join(f"{{{p}}}" for p in sorted(allowed.get(name, set()))) or "none")
                )
            if not template.strip():
                raise ValueError(f"tab name {name} is empty")
        if "{district}" not in self.district:
            raise ValueError("the district tab name must contain {district}")
        return self

    def district_tab(self, province: geo.Province, district: geo.District) -> str:
        """The name of a district's tab."""
        return self.district.format(province=province.name, district=district.name)

    def province_tab(self, province: geo.Province) -> str:
        """The name of a province's roll-up tab."""
        return self.province.format(province=province.name)


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


class ProvinceSheet(_SheetRef):
    """One province's spreadsheet: its district tabs and its roll-up tab."""

    province: str
    districts: list[str] | None = Field(default=None, min_length=1)  # None: every district

    @field_validator("province")
    @classmethod
    def _known_province(cls, value: str) -> str:
        return registry_province(value).name

    @model_validator(mode="after")
    def _known_districts(self) -> ProvinceSheet:
        prov = self.registry_province
        for i, name in enumerate(self.districts or []):
            if geo.find_district(prov.code, name) is None:
                hint = geo.suggest_district(prov.code, name)
                raise SettingError(
                    ("districts", i),
                    f"{name!r} is not a district of {prov.name}"
                    + (f"; did you mean {hint!r}?" if hint else ""),
                )
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
        wanted = {d.code for n in self.districts if (d := geo.find_district(code, n))}
        return [d for d in geo.districts(code) if d.code in wanted]


class NationalSheet(_SheetRef):
    """The national spreadsheet: national, summary and issues tabs."""


class Config(Strict):
    """The whole configuration file."""

    programme: Programme = Field(default_factory=Programme)
    backend: str = "xlsx"
    xlsx: XlsxBackend = Field(default_factory=XlsxBackend)
    google: GoogleBackend = Field(default_factory=GoogleBackend)
    national: NationalSheet
    provinces: list[ProvinceSheet] = Field(min_length=1)
    tabs: Tabs = Field(default_factory=Tabs)
    form: Form = Field(default_factory=Form)
    reminders: Reminders = Field(default_factory=Reminders)
    daemon: Daemon = Field(default_factory=Daemon)
    timezone: str = "Asia/Bangkok"

    # Set by load_config: relative paths in the file are relative to the file itself.
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in BACKENDS:
            raise ValueError(
                f"unknown backend {value!r}; use xlsx (local Excel workbooks) or google "
                "(Google Sheets)"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use e.g. Asia/Bangkok") from None
        return value

    @model_validator(mode="after")
    def _files_present(self) -> Config:
        wanted = "file" if self.backend == "xlsx" else "key or url"
        refs: list[tuple[tuple[str | int, ...], _SheetRef]] = [(("national",), self.national)]
        refs += [(("provinces", i), prov) for i, prov in enumerate(self.provinces)]
        for loc, ref in refs:
            ok = bool(ref.file) if self.backend == "xlsx" else bool(ref.key or ref.url)
            if not ok:
                raise SettingError(
                    (*loc, "file" if self.backend == "xlsx" else "key"),
                    f"{wanted} is required with backend: {self.backend}",
                )
        seen: set[str] = set()
        for i, prov in enumerate(self.provinces):
            if prov.province in seen:
                raise SettingError(
                    ("provinces", i, "province"), f"province {prov.province} is listed twice"
                )
            seen.add(prov.province)
        return self

    @model_validator(mode="after")
    def _never_write_into_sources(self) -> Config:
        # The bot owns whole tabs; if one of them had a source tab's name it would wipe
        # out what staff typed. Refuse such a config before anything is read.
        national_tabs = {self.tabs.national, self.tabs.summary, self.tabs.issues}
        if len(national_tabs) != 3:
            raise SettingError(
                ("tabs",), "tabs.national, tabs.summary and tabs.issues must all differ"
            )
        for prov in self.provinces:
            p = prov.registry_province
            sources = {self.tabs.district_tab(p, d) for d in prov.registry_districts()}
            bot_tabs = {self.tabs.province_tab(p)}
            if prov.sheet == self.national.sheet:
                bot_tabs |= national_tabs
            clash = sorted(sources & bot_tabs)
            if clash:
                raise SettingError(
                    ("tabs",),
                    f"the bot would overwrite the district tab {clash[0]!r} of {p.name}: "
                    "give tabs.province / national / summary / issues names that no "
                    "district tab has",
                )
        form_headers = {thai.header_key(h) for k in FIELD_KEYS for h in self.form.header_names(k)}
        if thai.header_key(self.form.status_header) in form_headers:
            raise SettingError(("form", "status_header"), "must differ from every form header")
        return self

    def local_path(self, name: str) -> Path:
        """A path from the config (state file, outbox, templates), relative to the config."""
        path = Path(name).expanduser()
        return path if path.is_absolute() else self.base_dir / path

    def path_of(self, file: str) -> Path:
        """A workbook path from the config, resolved against the config's folder."""
        path = Path(file).expanduser()
        if not path.is_absolute():
            path = self.base_dir / Path(self.xlsx.folder).expanduser() / path
        return path


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
            out.append(SourceTab(prov.sheet, config.tabs.district_tab(p, d), p, d))
    return out


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates, and refusing a key given twice.

    PyYAML would turn `2568-02-29` into a C.E. date and fail (2568 is no leap year) or
    accept `2568-13-45` only to crash; as text, our own B.E.-aware parser reads it. A key
    given twice would silently keep only the last value.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping_without_duplicates(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the setting {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _mapping_without_duplicates,
)


def local_today(config: Config, override: date | None = None) -> date:
    """`override` if given (the CLI's --today), else today in the config's time zone."""
    if override is not None:
        return override
    return datetime.now(ZoneInfo(config.timezone)).date()


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and validate the YAML file at `path` (default: $SOFTPOWER_CONFIG or config.yaml)."""
    chosen = Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)
    try:
        text = chosen.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            f"{chosen}: config file not found; copy config.example.yaml to {chosen} "
            "and edit it, or pass --config PATH"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{chosen}: the file is not UTF-8 text; save it as UTF-8 (in Notepad: "
            "Save As, Encoding UTF-8)"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{chosen}: cannot read the config file ({exc.strerror})") from None
    return parse_config(text, source=str(chosen), base_dir=chosen.resolve().parent)


def parse_config(text: str, *, source: str = "config", base_dir: Path | None = None) -> Config:
    """Validate YAML text; errors name `source`, the YAML path and the line."""
    try:
        root = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}{where}: not valid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings (key: value) at the top level")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source, root)) from None
    return config.model_copy(update={"base_dir": base_dir or Path.cwd()})


def _describe(exc: ValidationError, source: str, root: yaml.Node | None) -> str:
    errors = exc.errors()
    missing = [e for e in errors if e["type"] == "missing"]
    if missing and len(missing) == len(errors):
        # An empty or half-written file: name every required setting at once.
        paths = [_yaml_path([p for p in e["loc"] if not _is_pydantic_tag(p)]) for e in missing]
        line = _line_of(root, [p for p in missing[0]["loc"][:-1] if not _is_pydantic_tag(p)])
        where = f"{source}:{line}" if line else source
        noun = "this setting is" if len(paths) == 1 else "these settings are"
        return f"{where}: {', '.join(paths)}: {noun} required (see config.example.yaml)"
    first = errors[0]
    loc = [part for part in first["loc"] if not _is_pydantic_tag(part)]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, SettingError):
        loc += list(cause.loc)
    path = _yaml_path(loc)
    line = _line_of(root, loc)
    msg = str(first["msg"]).removeprefix("Value error, ")
    if first["type"] == "missing":
        msg = "this setting is required"
    elif first["type"] == "extra_forbidden":
        hint = _closest_setting(loc)
        msg = "unknown setting" + (
            f"; did you mean {hint!r}?"
            if hint
            else " (check the spelling against config.example.yaml)"
        )
    elif "input" in first and first["type"] not in {"value_error", "assertion_error"}:
        msg = f"{msg}, got {first['input']!r}"
    where = f"{source}:{line}" if line else source
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {path + ': ' if path else ''}{msg}{more}"


def _closest_setting(loc: list[str | int]) -> str | None:
    model: Any = Config
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        annotation = getattr(field, "annotation", None)
        args = getattr(annotation, "__args__", ())
        model = next((a for a in (annotation, *args) if hasattr(a, "model_fields")), None)
        if model is None:
            return None
    if not hasattr(model, "model_fields"):
        return None
    names = [n for n in model.model_fields if n != "base_dir"]
    found = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.7)
    return found[0] if found else None


def _is_pydantic_tag(part: object) -> bool:
    # pydantic puts union/validator tags such as "function-before[...]" in locations.
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _yaml_path(loc: list[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line_of(node: yaml.Node | None, loc: list[str | int]) -> int | None:
    """The line of the setting at `loc`: the key's own line, where the admin looks."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                return line
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line
