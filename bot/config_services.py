"""Settings of the services around the sheets: where workbooks are, how to reach Google,
who gets reminders through which channels, and how the daemon runs."""

from __future__ import annotations

import re

from pydantic import Field, field_validator, model_validator

from bot import geo
from bot.config_types import FlexDate, Strict, registry_province

# What Google's API front end accepts in one request body (bigger ones are refused with
# "Request payload size exceeds the limit: 10485760 bytes"); Google recommends 2 MB.
GOOGLE_MAX_REQUEST_BYTES = 10 * 1024 * 1024
_SHEET_ADDRESS = re.compile(r"(?:/spreadsheets/d/)?([A-Za-z0-9_-]{20,})(?:[/?#].*)?$")


class GoogleSettings(Strict):
    """How to reach Google Sheets when `backend: google`."""

    # A service account's JSON key file, or an OAuth "authorized user" token file.
    credentials: str | None = None
    authorized_user: str | None = None
    read_quota_per_minute: int = Field(default=60, ge=1, le=300)
    write_quota_per_minute: int = Field(default=60, ge=1, le=300)
    # Google's per-project quotas (all users of the Cloud project together).
    project_quota_per_minute: int = Field(default=300, ge=1)
    # Google gives up on a request after 180 s; waiting a little longer lets its own answer
    # arrive instead of a guess, so a slow write is not sent twice.
    timeout_s: float = Field(default=190.0, gt=0, le=600)
    max_retries: int = Field(default=6, ge=0, le=20)
    max_backoff_s: float = Field(default=64.0, gt=0)
    # How long one cycle may wait in all for quota that other clients spent (429s).
    quota_wait_s: float = Field(default=600.0, ge=0, le=3600)
    max_request_bytes: int = Field(default=2_000_000, ge=10_000, le=GOOGLE_MAX_REQUEST_BYTES)
    # A spreadsheet (key or address) that receives the monthly record tabs instead of the
    # national spreadsheet, which would otherwise near Google's 10-million-cell limit.
    archive: str | None = None

    @field_validator("max_request_bytes", mode="before")
    @classmethod
    def _google_limit(cls, value: object) -> object:
        if isinstance(value, int) and value > GOOGLE_MAX_REQUEST_BYTES:
            raise ValueError(
                f"{value:,} bytes is more than Google accepts in one request "
                f"({GOOGLE_MAX_REQUEST_BYTES:,}); use 2000000 (Google's recommendation)"
            )
        return value

    @field_validator("archive")
    @classmethod
    def _archive_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _SHEET_ADDRESS.search(str(value).strip())
        if match is None:
            raise ValueError(
                f"{value!r} is neither a spreadsheet key nor a Google Sheets address "
                "(https://docs.google.com/spreadsheets/d/<key>/edit)"
            )
        return match.group(1)

    @model_validator(mode="after")
    def _one_login(self) -> GoogleSettings:
        if self.credentials and self.authorized_user:
            raise ValueError("give only one of credentials (service account) or authorized_user")
        return self


class XlsxSettings(Strict):
    """Where the workbooks live when `backend: xlsx`."""

    folder: str = "."


_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ReminderSettings(Strict):
    """Who is reminded of the deadlines, when, and through which channels."""

    enabled: bool = True
    send_time: str = "09:00"  # local time (the config's timezone)
    district_offsets: list[int] = Field(default_factory=lambda: [5, 2, 1, 0])
    province_offsets: list[int] = Field(default_factory=lambda: [3, 1, 0])
    overdue_days: list[int] = Field(default_factory=lambda: [1, 3])
    extra_holidays: list[FlexDate] = Field(default_factory=list)
    thai_digits: bool = False
    templates: str | None = None  # a folder whose templates replace the built-in ones
    outbox: str = "outbox"  # where the default channel writes messages
    # Channels are apprise URLs; ${NAME} is read from the environment (keep secrets there).
    admins: list[str] = Field(default_factory=lambda: ["outbox://"])
    provinces: dict[str, list[str]] = Field(default_factory=dict)
    districts: dict[str, dict[str, list[str]]] = Field(default_factory=dict)

    @field_validator("send_time")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        if not _TIME.match(str(value)):
            raise ValueError(f"expected a time of day such as 09:00, got {value!r}")
        return value

    @field_validator("district_offsets", "province_offsets")
    @classmethod
    def _before(cls, value: list[int]) -> list[int]:
        if any(v < 0 for v in value):
            raise ValueError("offsets are days before the deadline (0 = the day itself)")
        return sorted(set(value), reverse=True)

    @field_validator("overdue_days")
    @classmethod
    def _after(cls, value: list[int]) -> list[int]:
        if any(v <= 0 for v in value):
            raise ValueError("overdue_days are days after the deadline (1 or more)")
        return sorted(set(value))

    @field_validator("provinces")
    @classmethod
    def _provinces(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {registry_province(name).name: urls for name, urls in value.items()}

    @field_validator("districts")
    @classmethod
    def _districts(cls, value: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = {}
        for prov_name, by_district in value.items():
            prov = registry_province(prov_name)
            out[prov.name] = {}
            for name, urls in by_district.items():
                found = geo.find_district(prov.code, name)
                if found is None:
                    hint = geo.suggest_district(prov.code, name)
                    raise ValueError(
                        f"{name!r} is not a district of {prov.name}"
                        + (f"; did you mean {hint!r}?" if hint else "")
                    )
                out[prov.name][found.name] = urls
        return out


class DaemonSettings(Strict):
    """How `softpower-bot run` paces itself and where it keeps its memory."""

    sync_every_minutes: int = Field(default=15, ge=1, le=24 * 60)
    state: str = "softpower-bot.sqlite"  # relative to the config file
    # The last good read of every spreadsheet (a folder), so a spreadsheet that cannot be
    # read keeps its rows in the roll-up; relative to the config file.
    read_cache: str = "softpower-bot-reads"
    failures_before_alert: int = Field(default=3, ge=1)
    # The national tab is frozen as this bot-owned tab at the end of each province
    # deadline day; {month} becomes e.g. "ม.ค. 2568".
    record_tab: str = "บันทึก {month}"

    @field_validator("record_tab")
    @classmethod
    def _record_tab(cls, value: str) -> str:
        if "{month}" not in value:
            raise ValueError("the record tab name must contain {month}")
        return value
