"""Settings of the services around the sheets: where workbooks are, how to reach Google,
who gets reminders through which channels, and how the daemon runs."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from bot import geo, thai
from bot.config_types import FlexDate, Strict, check_pattern, registry_province, tab_name_problem

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
    # Ask Google Drive which spreadsheets changed and read only those (needs the Drive API
    # enabled in the Cloud project; without it every spreadsheet is read every cycle).
    read_changed_only: bool = True
    # Read every spreadsheet anyway at least this often, in case Drive missed a change.
    full_read_hours: float = Field(default=3.0, gt=0, le=24 * 7)

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

    @field_validator("send_time", mode="before")
    @classmethod
    def _clock_time(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise ValueError(
                f"expected a time of day such as 09:00, got the number {value!r}; write the "
                "time as hours:minutes, e.g. send_time: '09:00'"
            )
        match = _TIME.match(str(value).strip()) if isinstance(value, str) else None
        if match is None:
            raise ValueError(f"expected a time of day such as 09:00, got {value!r}")
        return f"{int(match.group(1)):02d}:{match.group(2)}"  # 9:30 -> 09:30

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
        return registry_districts(value)


def registry_districts(value: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
    """A province -> district -> list mapping with registry names; a ValueError with a
    "did you mean" for a name the registry does not know."""
    out: dict[str, dict[str, list[str]]] = {}
    for prov_name, by_district in value.items():
        prov = registry_province(prov_name)
        out[prov.name] = {}
        for name, items in by_district.items():
            found = geo.find_district(prov.code, name)
            if found is None:
                hint = geo.suggest_district(prov.code, name)
                raise ValueError(
                    f"{name!r} is not a district of {prov.name}"
                    + (f"; did you mean {hint!r}?" if hint else "")
                )
            out[prov.name][found.name] = items
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
    # At each fiscal quarter's end the summary and register tabs are frozen as these
    # bot-owned tabs; {tab} is the tab's name, {quarter} e.g. "2-2568" (quarter 2 of 2568).
    quarter_tab: str = "{tab} ไตรมาส {quarter}"

    @field_validator("quarter_tab")
    @classmethod
    def _quarter_tab(cls, value: str) -> str:
        check_pattern(f"quarter_tab={value!r}", value, {"tab", "quarter"})
        if "{tab}" not in value or "{quarter}" not in value:
            raise ValueError("the quarter tab name must contain {tab} and {quarter}")
        return value

    @field_validator("record_tab")
    @classmethod
    def _record_tab(cls, value: str) -> str:
        check_pattern(f"record_tab={value!r}", value, {"month"})
        if "{month}" not in value:
            raise ValueError("the record tab name must contain {month}")
        # The longest month label ("มี.ค. 2568") must still make a valid tab name.
        longest = max((thai.month_label(2025, m) for m in range(1, 13)), key=len)
        problem = tab_name_problem(value.format(month=longest))
        if problem:
            raise ValueError(f"record_tab={value!r} filled with a month, e.g. "
                             f"{value.format(month=longest)!r}, {problem}")  # fmt: skip
        return value


_API_BASE = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")
_ENV_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


class LineSettings(Strict):
    """The LINE Official Account (Messaging API channel): the webhook that learns group ids
    and answers status questions, and the monthly message quota that pushes must fit in."""

    # Secrets stay in the environment: only ${NAME} references belong in the config file.
    channel_secret: str = "${LINE_CHANNEL_SECRET}"
    token: str = "${LINE_TOKEN}"
    # Where the Messaging API is; only tests (a local fake) change it.
    api_base: str = "https://api.line.me"
    webhook_host: str = "127.0.0.1"  # behind an HTTPS reverse proxy on the same machine
    webhook_port: int = Field(default=8088, ge=1, le=65535)
    # A message in a mapped group that is one of these (after the bot's @mention and a
    # polite ending such as ครับ/ค่ะ) gets the group's status as a free reply.
    keywords: list[str] = Field(
        default_factory=lambda: ["สถานะ", "status", "สรุป", "ต้องแก้อะไร", "ต้องแก้ไขอะไร"],
        min_length=1,
    )
    # Before a reminder round, read the month's quota and the groups' member counts; when
    # the round would not fit, its LINE pushes go to the recipient's other channels or here.
    check_quota: bool = True
    fallback: list[str] = Field(default_factory=lambda: ["outbox://"], min_length=1)
    timeout_s: float = Field(default=10.0, gt=0, le=60)
    max_retries: int = Field(default=3, ge=0, le=10)

    @field_validator("channel_secret", "token")
    @classmethod
    def _secret_from_env(cls, value: str) -> str:
        if not _ENV_REF.search(value):
            raise ValueError(
                "put the secret in the environment and refer to it here, e.g. "
                '"${LINE_CHANNEL_SECRET}" or "${LINE_TOKEN}"; never write it in this file'
            )
        return value

    @field_validator("api_base")
    @classmethod
    def _base(cls, value: str) -> str:
        if not _API_BASE.match(value):
            raise ValueError(f"expected an address such as https://api.line.me, got {value!r}")
        return value.rstrip("/")

    @field_validator("fallback")
    @classmethod
    def _not_line(cls, value: list[str]) -> list[str]:
        if any(url.strip().lower().startswith("line://") for url in value):
            raise ValueError("the fallback replaces LINE when its quota is spent: use e-mail "
                             "(mailtos://...) or outbox://, not line://")  # fmt: skip
        return value


_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_FOLDER = re.compile(
    r"^(?:https://drive\.google\.com/\S*?/folders/)?([A-Za-z0-9_-]{10,})(?:[/?#]\S*)?$"
)
# The words admins use for Drive's roles.
SHARE_ROLES = {"viewer": "reader", "reader": "reader", "editor": "writer", "writer": "writer"}


def _addresses(values: list[str]) -> list[str]:
    for value in values:
        if not _EMAIL.match(value.strip()):
            raise ValueError(
                f"{value!r} is not an e-mail address; give each address on its own, e.g. "
                "[sthj.chaiyaphum@example.go.th, other@gmail.com]"
            )
    return [v.strip() for v in values]


def _listed(value: Any, depth: int) -> Any:
    """`value` with a lone address `depth` mappings down made a one-item list."""
    if depth == 0:
        return [value] if isinstance(value, str) else value
    if isinstance(value, dict):
        return {k: _listed(v, depth - 1) for k, v in value.items()}
    return value


class ShareSettings(Strict):
    """Whom `provision` shares the Google spreadsheets with: each province's addresses edit
    its spreadsheet (and view its districts' own ones), each district's addresses edit the
    spreadsheet that holds its tab, DLA's addresses view (or edit) every spreadsheet."""

    dla: list[str] = Field(default_factory=list)
    dla_role: str = Field(default="viewer", validate_default=True)  # viewer or editor
    provinces: dict[str, list[str]] = Field(default_factory=dict)
    districts: dict[str, dict[str, list[str]]] = Field(default_factory=dict)
    # Google e-mails each new person a link (an address without a Google account can only
    # be shared with this way).
    notify: bool = True
    message: str = (
        "กรมส่งเสริมการปกครองท้องถิ่นขอเรียนเชิญท่านร่วมรายงานผลการดำเนินงานโครงการ 1 อำเภอ "
        "1 อัตลักษณ์ท้องถิ่น ในสเปรดชีตนี้ ขอขอบคุณที่ให้ความร่วมมือ"
    )

    @field_validator("dla", "provinces", "districts", mode="before")
    @classmethod
    def _one_address_alone(cls, value: Any, info: ValidationInfo) -> Any:
        # `dla: a@dla.go.th` (one address, no brackets) is what an admin writes first.
        depth = {"dla": 0, "provinces": 1, "districts": 2}[str(info.field_name)]
        return _listed(value, depth)

    @field_validator("dla")
    @classmethod
    def _dla(cls, value: list[str]) -> list[str]:
        return _addresses(value)

    @field_validator("dla_role")
    @classmethod
    def _role(cls, value: str) -> str:
        if value.strip().lower() not in SHARE_ROLES:
            raise ValueError(f"expected viewer or editor, got {value!r}")
        return SHARE_ROLES[value.strip().lower()]

    @field_validator("provinces")
    @classmethod
    def _provinces(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return {registry_province(name).name: _addresses(v) for name, v in value.items()}

    @field_validator("districts")
    @classmethod
    def _districts(cls, value: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, list[str]]]:
        named = registry_districts(value)
        return {p: {d: _addresses(v) for d, v in by.items()} for p, by in named.items()}


class ProvisionSettings(Strict):
    """What `softpower-bot provision` makes: where new Google spreadsheets go, their names,
    how many rows a new district tab has, and whom they are shared with."""

    # A Google Drive folder (its id, or its address from the browser); with a service
    # account it must be in a shared drive (service accounts own no Drive storage).
    folder: str | None = None
    title: str = "แบบรายงานผล 1 อำเภอ 1 อัตลักษณ์ท้องถิ่น จังหวัด{province}"
    district_title: str = "แบบรายงานผล 1 อำเภอ 1 อัตลักษณ์ท้องถิ่น อำเภอ{district} จังหวัด{province}"
    national_title: str = "รายงานผล 1 อำเภอ 1 อัตลักษณ์ท้องถิ่น ระดับประเทศ"
    rows: int = Field(default=1000, ge=10, le=50_000)
    share: ShareSettings = Field(default_factory=ShareSettings)

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _FOLDER.match(str(value).strip())
        if match is None:
            raise ValueError(
                f"{value!r} is neither a Drive folder id nor a folder's address "
                "(https://drive.google.com/drive/folders/<id>)"
            )
        return match.group(1)

    @field_validator("title", "district_title", "national_title")
    @classmethod
    def _titles(cls, value: str, info: ValidationInfo) -> str:
        allowed = {"title": {"province"}, "district_title": {"province", "district"}}
        name = str(info.field_name)
        check_pattern(f"{name}={value!r}", value, allowed.get(name, set()))
        if not value.strip():
            raise ValueError("a spreadsheet's name must not be empty")
        return value
