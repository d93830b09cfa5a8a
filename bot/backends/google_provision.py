"""`provision` on Google: make the spreadsheets the config names and lacks (in the Drive
folder it names), their district tabs with the form's header, help at the point of entry
and sharing; leave every cell a person typed alone.

Per spreadsheet: find it (its key, or for `key: new` its name in the folder, so a second
run finds what the first made), make it if missing, read its tabs (one read) and their
header rows (a second), then send one atomic batchUpdate with what is missing, then share
it. A new district tab gets the header row (bold, frozen, widths), a note on each header
saying what to type, drop-downs (month, province, district, kind, role, budget) and a link
rule, and the bot's status column: its header, its anchor (the developer metadata the sync
finds it by) and a warning-only protection. An existing tab gets what is missing of the
notes (a cell with a note of a person's keeps it), the rules (cells with a rule of a
person's keep it) and the protection of a status column the sync made; its values, widths
and layout stay. A mark on the tab (developer metadata: the digest of what was applied)
spares the next run reading every cell's rule: run twice, the second run writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gspread.exceptions import APIError

from bot import thai
from bot.backends import google_errors as errors
from bot.backends.google import DRIVE_API, SHEETS_API, GoogleBackend
from bot.backends.google_grid import STATUS_KEY
from bot.backends.google_requests import create_metadata, metadata_id, new_sheet_id
from bot.config import Config, SourceTab
from bot.errors import BotError, SheetError
from bot.form import parse_tab
from bot.layout import STATUS, Column, Outcome, Planned, columns, role_rank
from bot.model import TabData
from bot.sheets import column_letter, quote_tab

SHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"
PROVISION_KEY = "softpower-bot.provision"
# How the bot knows the protection of the status column is its own.
PROTECTION = "softpower-bot: คอลัมน์ผลตรวจสอบ ระบบเขียนให้อัตโนมัติ (the bot's status column)"
_DEFAULT_TITLES = ("Sheet1", "แผ่น1", "ชีต1")
_META = (
    "sheets(properties(sheetId,title,index,gridProperties(rowCount,columnCount,"
    "frozenRowCount)),developerMetadata(metadataId,metadataKey,metadataValue),"
    "protectedRanges(protectedRangeId,range,description,warningOnly))"
)
_DATA = (
    "sheets(properties(title),data(startRow,rowData(values(formattedValue,note)),"
    "columnMetadata(developerMetadata(metadataId,metadataKey))))"
)
_RULES = "sheets(properties(title),data(startRow,startColumn,rowData(values(dataValidation(inputMessage)))))"  # noqa: E501
_ROLE_NAMES = {"writer": "editor", "reader": "viewer"}


@dataclass
class Seen:
    """One tab as the reads saw it."""

    sheet_id: int
    title: str
    rows: int
    cols: int
    frozen: int
    marks: dict[str, tuple[int, str]] = field(default_factory=dict)  # key -> (id, value)
    anchors: list[int] = field(default_factory=list)  # 1-based columns of the status anchor
    protections: list[dict[str, Any]] = field(default_factory=list)
    grid: list[list[str]] = field(default_factory=list)  # the header rows' shown values
    notes: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) 1-based


def rule_of(column: Column) -> dict[str, Any] | None:
    """The Sheets data validation rule of a column (None: it has none)."""
    if column.kind == "list":
        values = [{"userEnteredValue": c} for c in column.choices]
        return {
            "condition": {"type": "ONE_OF_LIST", "values": values},
            "inputMessage": column.prompt,
            "strict": True,
            "showCustomUi": True,
        }
    if column.kind == "url":
        return {"condition": {"type": "TEXT_IS_URL"}, "inputMessage": column.prompt, "strict": True}
    return None


class GoogleProvisioner:
    """Provision the config's Google spreadsheets through one backend's HTTP client."""

    def __init__(self, config: Config, backend: GoogleBackend) -> None:
        self.config = config
        self.backend = backend
        self.http = backend.http
        self.writes = 0

    # -- HTTP -------------------------------------------------------------------------------

    def _request(
        self,
        sheet: str,
        method: str,
        url: str,
        *,
        writing: bool = False,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if writing:
            self.writes += 1
        try:
            answer: dict[str, Any] = self.http.request(method, url, params=params, json=body).json()
        except APIError as exc:
            raise self._explain(sheet, exc, writing=writing) from None
        return answer

    def _explain(self, sheet: str, exc: APIError, *, writing: bool) -> SheetError:
        reason = _drive_reason(exc)
        who = self.backend.who
        if reason == "storageQuotaExceeded":
            return SheetError(
                "บัญชีบริการ (service account) ไม่มีพื้นที่ใน Google Drive จึงสร้างสเปรดชีตได้เฉพาะในไดรฟ์ที่แชร์ "
                "(Shared drive) กรุณาย้ายโฟลเดอร์ไปไว้ในไดรฟ์ที่แชร์และเพิ่มบัญชีของบอทเป็นผู้จัดการเนื้อหา "
                "หรือใช้ google.authorized_user (บัญชีของเจ้าหน้าที่) แทน (a service account owns no Drive "
                "storage, so it can make files only in a shared drive: move provision.folder into "
                f"a shared drive and add {who} to it as Content manager, or give "
                "google.authorized_user, a person's login, instead)"
            )
        if reason in ("insufficientFilePermissions", "insufficientPermissions") or (
            exc.response.status_code == 403 and "scope" in errors.message_of(exc).lower()
        ):
            return SheetError(
                f"บอทไม่มีสิทธิ์สร้างหรือแชร์ไฟล์นี้ กรุณาเพิ่ม {who} เป็นผู้แก้ไข (Editor) หรือผู้จัดการเนื้อหา "
                f"(no right to make or share this file ({errors.message_of(exc)}): add {who} as "
                "Editor (Content manager in a shared drive); a person's login "
                "(google.authorized_user) needs the scope https://www.googleapis.com/auth/drive)"
            )
        return errors.explain(sheet, exc, who, writing=writing)

    def _drive(
        self,
        method: str,
        path: str,
        *,
        sheet: str = "",
        writing: bool = False,
        params: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        query = {"supportsAllDrives": "true", **(params or {})}
        return self._request(
            sheet, method, f"{DRIVE_API}{path}", writing=writing, params=query, body=body
        )

    def _get(self, sheet: str, fields: str, ranges: Sequence[str] = ()) -> dict[str, Any]:
        params: dict[str, Any] = {"fields": fields}
        if ranges:
            params["ranges"] = list(ranges)
        return self._request(sheet, "get", f"{SHEETS_API}/{sheet}", params=params)

    # -- the folder and the file -----------------------------------------------------------

    def check_folder(self) -> str | None:
        """Why new spreadsheets cannot go in `provision.folder`, or None."""
        folder = self.config.provision.folder
        assert folder is not None
        try:
            found = self._drive(
                "get",
                f"/{folder}",
                params={"fields": "id,name,mimeType,driveId,capabilities(canAddChildren)"},
            )
        except SheetError:
            return (
                f"ไม่พบโฟลเดอร์ {folder} หรือยังไม่ได้แชร์ให้ {self.backend.who} (the Drive folder "
                f"{folder} is not found or not shared with {self.backend.who}: share it with "
                "the bot, as Content manager in a shared drive, or check provision.folder)"
            )
        if found.get("mimeType") != FOLDER_MIME:
            return f"provision.folder {folder} is a file, not a folder"
        if not found.get("capabilities", {}).get("canAddChildren", True):
            return (
                f"บอทมีสิทธิ์เพียงดูโฟลเดอร์ {found.get('name')} (the bot may only view the folder "
                f"{found.get('name')!r}: make {self.backend.who} its Content manager or Editor)"
            )
        if not found.get("driveId") and str(self.backend.account or "").endswith(
            ".iam.gserviceaccount.com"
        ):
            return (
                f"โฟลเดอร์ {found.get('name')} ไม่ได้อยู่ในไดรฟ์ที่แชร์ (Shared drive) "
                "บัญชีบริการจึงสร้างไฟล์ในโฟลเดอร์นี้ไม่ได้ "
                f"(the folder {found.get('name')!r} is in a person's My Drive; a service account "
                "owns no Drive storage and can make files only in a shared drive: move the "
                "folder into a shared drive, or give google.authorized_user instead)"
            )
        return None

    def find(self, title: str) -> str | None:
        """The spreadsheet of that name in the folder, if one was made before."""
        folder = self.config.provision.folder
        escaped = title.replace("\\", "\\\\").replace("'", "\\'")
        q = (
            f"'{folder}' in parents and name = '{escaped}' and "
            f"mimeType = '{SHEET_MIME}' and trashed = false"
        )
        found = self._drive(
            "get",
            "",
            params={"q": q, "fields": "files(id,name)", "includeItemsFromAllDrives": "true"},
        )
        files = found.get("files", [])
        if len(files) > 1:
            raise SheetError(
                f"มีสเปรดชีตชื่อ “{title}” มากกว่าหนึ่งไฟล์ในโฟลเดอร์ กรุณาลบหรือเปลี่ยนชื่อไฟล์ที่ไม่ใช้ "
                f"(the folder holds {len(files)} spreadsheets named {title!r}: delete or rename "
                "the spare ones, or put the right key in the config)"
            )
        return str(files[0]["id"]) if files else None

    def create(self, title: str) -> str:
        """Make an empty spreadsheet in the folder; its key."""
        body = {"name": title, "mimeType": SHEET_MIME, "parents": [self.config.provision.folder]}
        made = self._drive("post", "", writing=True, body=body, params={"fields": "id"})
        return str(made["id"])

    # -- reading ------------------------------------------------------------------------------

    def read(self, sheet: str, wanted: Sequence[str]) -> dict[str, Seen]:
        """Every tab's properties, and the header rows of the tabs in `wanted` that exist."""
        seen: dict[str, Seen] = {}
        for entry in self._get(sheet, _META).get("sheets", []):
            props = entry.get("properties", {})
            grid = props.get("gridProperties", {})
            tab = Seen(
                int(props.get("sheetId", 0)),
                str(props.get("title", "")),
                int(grid.get("rowCount", 0)),
                int(grid.get("columnCount", 0)),
                int(grid.get("frozenRowCount", 0)),
            )
            for m in entry.get("developerMetadata", []):
                tab.marks[str(m.get("metadataKey"))] = (
                    int(m.get("metadataId", 0)),
                    str(m.get("metadataValue", "")),
                )
            tab.protections = list(entry.get("protectedRanges", []))
            seen[tab.title] = tab
        look = [t for t in wanted if t in seen]
        if len(seen) == 1:
            look += [t for t in seen if t in _DEFAULT_TITLES and t not in look]
        if not look:
            return seen
        rows = self.config.form.header_search_rows
        body = self._get(sheet, _DATA, [f"{quote_tab(t)}!A1:ZZ{rows}" for t in look])
        for entry in body.get("sheets", []):
            tab = seen[entry["properties"]["title"]]
            for data in entry.get("data", []):
                for r, row in enumerate(data.get("rowData", []), start=1):
                    values = row.get("values", [])
                    tab.grid.append([str(v.get("formattedValue", "")) for v in values])
                    for c, v in enumerate(values, start=1):
                        if v.get("note"):
                            tab.notes[(r, c)] = str(v["note"])
                for c, meta in enumerate(data.get("columnMetadata", []), start=1):
                    if any(
                        m.get("metadataKey") == STATUS_KEY
                        for m in meta.get("developerMetadata", [])
                    ):
                        tab.anchors.append(c)
        return seen

    def _rules(
        self,
        sheet: str,
        tab: Seen,
        cells: Sequence[tuple[int, Column]],
        start: int,
    ) -> dict[int, list[str | None]]:
        """The inputMessage of each cell's rule from row `start` down, per column ("" for a
        rule without one, None for no rule)."""
        ranges = [
            f"{quote_tab(tab.title)}!{column_letter(c)}{start}:{column_letter(c)}{tab.rows}"
            for c, _ in cells
        ]
        body = self._get(sheet, _RULES, ranges)
        out: dict[int, list[str | None]] = {}
        datas = [d for e in body.get("sheets", []) for d in e.get("data", [])]
        for (c, _), data in zip(cells, datas, strict=False):
            found: list[str | None] = [None] * (tab.rows - start + 1)
            for i, row in enumerate(data.get("rowData", [])):
                values = row.get("values", [])
                rule = values[0].get("dataValidation") if values else None
                if rule is not None and i < len(found):
                    found[i] = str(rule.get("inputMessage", ""))
            out[c] = found
        return out

    # -- planning -------------------------------------------------------------------------

    def plan(
        self,
        sheet: str,
        planned: Planned,
        seen: dict[str, Seen],
        created: bool,
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The requests that add what the spreadsheet lacks, and what they do, in words."""
        requests: list[dict[str, Any]] = []
        actions: list[str] = []
        taken = {t.sheet_id for t in seen.values()}
        spare = _spare_tab(seen, planned, created)
        if spare is not None and not created and not self._empty(sheet, spare):
            spare = None
        if planned.national and spare is not None:
            requests.append(_rename(spare, self.config.tabs.national))
            actions.append(f"name its first tab “{self.config.tabs.national}” (the sync fills it)")
        for source in planned.tabs:
            cols = columns(self.config, source)
            tab = seen.get(source.tab)
            if tab is None or self._empty(sheet, tab):
                reuse = tab or (spare if not planned.national else None)
                if reuse is not None and reuse is spare:
                    spare = None
                sid = reuse.sheet_id if reuse else new_sheet_id(source.tab, taken)
                taken.add(sid)
                requests += self._new_tab(source, cols, sid, reuse, created)
                actions.append(
                    f"add tab “{source.tab}”: header, notes, drop-downs, link rule, "
                    "frozen header, widths, protected status column"
                )
                continue
            reqs, done = self._existing_tab(sheet, source, cols, tab)
            requests += reqs
            actions += done
        return requests, actions

    def _empty(self, sheet: str, tab: Seen) -> bool:
        """Whether a tab holds no value at all (its header rows, then all of it, read)."""
        if any(any(r) for r in tab.grid):
            return False
        body = self._get(
            sheet, "sheets(data(rowData(values(formattedValue))))", [quote_tab(tab.title)]
        )
        return not any(
            v.get("formattedValue")
            for e in body.get("sheets", [])
            for d in e.get("data", [])
            for r in d.get("rowData", [])
            for v in r.get("values", [])
        )

    def _new_tab(
        self, source: SourceTab, cols: list[Column], sid: int, reuse: Seen | None, created: bool
    ) -> list[dict[str, Any]]:
        rows = self.config.provision.rows
        grid = {"rowCount": rows, "columnCount": len(cols), "frozenRowCount": 1}
        if reuse is not None and not created:
            # A tab a person made (empty): it only grows, so nothing of theirs is cut off.
            grid = {
                "rowCount": max(rows, reuse.rows),
                "columnCount": max(len(cols), reuse.cols),
                "frozenRowCount": 1,
            }
            rows = grid["rowCount"]
        out: list[dict[str, Any]] = []
        if reuse is None:
            out.append(
                {
                    "addSheet": {
                        "properties": {"sheetId": sid, "title": source.tab, "gridProperties": grid}
                    }
                }
            )
        else:
            out.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sid, "title": source.tab, "gridProperties": grid},
                        "fields": "title,gridProperties(rowCount,columnCount,frozenRowCount)",
                    }
                }
            )
        cells = [
            {
                "userEnteredValue": {"stringValue": c.header},
                "userEnteredFormat": {"textFormat": {"bold": True}},
                "note": c.note,
            }
            for c in cols
        ]
        out.append(
            {
                "updateCells": {
                    "start": {"sheetId": sid, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": cells}],
                    "fields": "userEnteredValue,userEnteredFormat.textFormat.bold,note",
                }
            }
        )
        for i, c in enumerate(cols):
            out.append(
                {
                    "updateDimensionProperties": {
                        "range": {
                            "sheetId": sid,
                            "dimension": "COLUMNS",
                            "startIndex": i,
                            "endIndex": i + 1,
                        },
                        "properties": {"pixelSize": c.width},
                        "fields": "pixelSize",
                    }
                }
            )
            rule = rule_of(c)
            if rule is not None:
                out.append(_validation(sid, i + 1, 2, rows, rule))
            if c.key == STATUS:
                out += _status_column(sid, i + 1)
        out.append(_mark(sid, None, _digest(cols, 1, rows)))
        return out

    def _existing_tab(
        self,
        sheet: str,
        source: SourceTab,
        cols: list[Column],
        tab: Seen,
    ) -> tuple[list[dict[str, Any]], list[str]]:
        grid: list[list[Any]] = [list(r) for r in tab.grid]
        parsed = parse_tab(source, TabData(sheet, source.tab, grid), self.config.form)
        if parsed.header_row is None:
            return [], [
                f"“{source.tab}” has no header row the bot can read: left as it is "
                "(softpower-bot doctor says what to change)"
            ]
        h = parsed.header_row
        at = {c.key: parsed.columns[c.key] for c in cols if c.key in parsed.columns}
        status = next((c for c in tab.anchors if parsed.status_column == c), None)
        if status is not None:
            at[STATUS] = status
        out: list[dict[str, Any]] = []
        actions: list[str] = []
        noted = 0
        for c in cols:
            col = at.get(c.key)
            if col is not None and (h, col) not in tab.notes:
                out.append(
                    {
                        "updateCells": {
                            "start": {
                                "sheetId": tab.sheet_id,
                                "rowIndex": h - 1,
                                "columnIndex": col - 1,
                            },
                            "rows": [{"values": [{"note": c.note}]}],
                            "fields": "note",
                        }
                    }
                )
                noted += 1
        if noted:
            actions.append(f"add notes to {noted} header cells of “{source.tab}”")
        ruled = [(at[c.key], c) for c in cols if c.key in at and rule_of(c) is not None]
        digest = _digest([c for _, c in ruled], h, tab.rows, [col for col, _ in ruled])
        if ruled and tab.marks.get(PROVISION_KEY, (0, ""))[1] != digest and tab.rows > h:
            found = self._rules(sheet, tab, ruled, h + 1)
            added = 0
            for col, c in ruled:
                rule = rule_of(c)
                assert rule is not None
                for first, last in _runs(found[col], c.prompt, h + 1):
                    out.append(_validation(tab.sheet_id, col, first, last, rule))
                    added += last - first + 1
            if added:
                actions.append(
                    f"add drop-downs and the link rule to {added} cells of "
                    f"“{source.tab}” (no value changes)"
                )
            out.append(_mark(tab.sheet_id, tab.marks.get(PROVISION_KEY), digest))
        if tab.frozen == 0:
            out.append(
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": tab.sheet_id,
                            "gridProperties": {"frozenRowCount": h},
                        },
                        "fields": "gridProperties.frozenRowCount",
                    }
                }
            )
            actions.append(f"freeze the header of “{source.tab}”")
        if status is None:
            actions.append(
                f"“{source.tab}” has no status column yet: run sync, then provision "
                "again to protect it"
            )
        elif not any(p.get("description") == PROTECTION for p in tab.protections):
            out.append(_protect(tab.sheet_id, status))
            actions.append(f"protect the status column of “{source.tab}” (warning only)")
        return out, actions

    # -- sharing ----------------------------------------------------------------------------

    def share(self, sheet: str, planned: Planned, *, dry_run: bool) -> list[str]:
        """Give each address its role (never lowering one); what was (or would be) done."""
        if not planned.share:
            return []
        listed = self._drive(
            "get",
            f"/{sheet}/permissions",
            sheet=sheet,
            params={"fields": "permissions(id,emailAddress,role,type)"},
        )
        have = {str(p.get("emailAddress", "")).casefold(): p for p in listed.get("permissions", [])}
        settings = self.config.provision.share
        actions = []
        for address, role in planned.share.items():
            current = have.get(address)
            name = _ROLE_NAMES.get(role, role)
            if current is not None and role_rank(str(current.get("role"))) >= role_rank(role):
                continue
            if current is None:
                actions.append(f"share with {address} as {name}")
                if not dry_run:
                    params = {
                        "sendNotificationEmail": "true" if settings.notify else "false",
                        "fields": "id",
                    }
                    if settings.notify:
                        params["emailMessage"] = settings.message
                    self._drive(
                        "post",
                        f"/{sheet}/permissions",
                        sheet=sheet,
                        writing=True,
                        params=params,
                        body={"type": "user", "role": role, "emailAddress": address},
                    )
            else:
                actions.append(f"make {address} {name} (was {current.get('role')})")
                if not dry_run:
                    self._drive(
                        "patch",
                        f"/{sheet}/permissions/{current['id']}",
                        sheet=sheet,
                        writing=True,
                        body={"role": role},
                        params={"fields": "id"},
                    )
        return actions

    # -- one spreadsheet ------------------------------------------------------------------

    def provision(
        self,
        planned: Planned,
        *,
        dry_run: bool,
        folder_problem: Callable[[], str | None],
    ) -> tuple[Outcome, str | None]:
        """Provision one spreadsheet; the outcome, and the key of a new one."""
        outcome = Outcome(planned.whose, "", planned.sheet)
        before = self.writes
        key: str | None = None
        try:
            key, created = self._key(planned, outcome, dry_run, folder_problem)
            if key is None:
                return outcome, None
            outcome.location = self.backend.location(key)
            seen = self.read(key, [s.tab for s in planned.tabs])
            requests, actions = self.plan(key, planned, seen, created)
            outcome.actions += actions
            if requests and not dry_run:
                self._request(
                    key,
                    "post",
                    f"{SHEETS_API}/{key}:batchUpdate",
                    writing=True,
                    body={"requests": requests},
                )
            outcome.actions += self.share(key, planned, dry_run=dry_run)
        except BotError as exc:
            outcome.problem = str(exc)
        outcome.writes = self.writes - before
        return outcome, key

    def _key(
        self,
        planned: Planned,
        outcome: Outcome,
        dry_run: bool,
        folder_problem: Callable[[], str | None],
    ) -> tuple[str | None, bool]:
        if not planned.sheet.startswith("new:"):
            return planned.sheet, False
        problem = folder_problem()
        if problem:
            raise SheetError(problem)
        found = self.find(planned.title)
        if found is not None:
            outcome.actions.append(f"found “{planned.title}” in the folder")
            return found, False
        outcome.actions.append(f"make the spreadsheet “{planned.title}” in the folder")
        if dry_run:
            outcome.actions.append(
                f"add its {len(planned.tabs)} district tabs"
                if planned.tabs
                else "its tabs are made by the first sync"
            )
            outcome.actions += [
                f"share with {a} as {_ROLE_NAMES.get(r, r)}" for a, r in planned.share.items()
            ]
            return None, False
        outcome.created = True
        return self.create(planned.title), True


def _drive_reason(exc: APIError) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return ""
    error = body.get("error", {}) if isinstance(body, dict) else {}
    for item in error.get("errors", []) or []:
        if isinstance(item, dict) and item.get("reason"):
            return str(item["reason"])
    return errors.reason_of(exc)


def _spare_tab(seen: dict[str, Seen], planned: Planned, created: bool) -> Seen | None:
    """The empty default tab of a new spreadsheet, to become its first tab."""
    if len(seen) != 1:
        return None
    (tab,) = seen.values()
    wanted = {s.tab for s in planned.tabs}
    if tab.title in wanted or (
        not created and (tab.title not in _DEFAULT_TITLES or any(any(r) for r in tab.grid))
    ):
        return None
    return tab


def _rename(tab: Seen, title: str) -> dict[str, Any]:
    return {
        "updateSheetProperties": {
            "properties": {"sheetId": tab.sheet_id, "title": title},
            "fields": "title",
        }
    }


def _validation(sid: int, col: int, first: int, last: int, rule: dict[str, Any]) -> dict[str, Any]:
    """setDataValidation on rows first..last (1-based) of one column."""
    rng = {
        "sheetId": sid,
        "startRowIndex": first - 1,
        "endRowIndex": last,
        "startColumnIndex": col - 1,
        "endColumnIndex": col,
    }
    return {"setDataValidation": {"range": rng, "rule": rule}}


def _status_column(sid: int, col: int) -> list[dict[str, Any]]:
    """The status column's anchor, as the sync makes it, and its protection."""
    where = {
        "dimensionRange": {
            "sheetId": sid,
            "dimension": "COLUMNS",
            "startIndex": col - 1,
            "endIndex": col,
        }
    }
    return [
        create_metadata(STATUS_KEY, "", where, metadata_id(STATUS_KEY, sid)),
        _protect(sid, col),
    ]


def _protect(sid: int, col: int) -> dict[str, Any]:
    rng = {"sheetId": sid, "startColumnIndex": col - 1, "endColumnIndex": col}
    return {
        "addProtectedRange": {
            "protectedRange": {"range": rng, "description": PROTECTION, "warningOnly": True}
        }
    }


def _mark(sid: int, existing: tuple[int, str] | None, digest: str) -> dict[str, Any]:
    if existing is None:
        return create_metadata(
            PROVISION_KEY, digest, {"sheetId": sid}, metadata_id(PROVISION_KEY, sid)
        )
    return {
        "updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {"metadataId": existing[0]}}],
            "developerMetadata": {"metadataValue": digest},
            "fields": "metadataValue",
        }
    }


def _digest(
    cols: Sequence[Column], header_row: int, rows: int, at: Sequence[int] | None = None
) -> str:
    """What the rules of a tab were set to: the columns, their rules, the rows covered."""
    ruled = [(c.key, rule_of(c)) for c in cols if rule_of(c) is not None]
    places = (
        list(at)
        if at is not None
        else [i + 1 for i, c in enumerate(cols) if rule_of(c) is not None]
    )
    text = json.dumps([header_row, rows, places, ruled], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _runs(found: list[str | None], ours: str, start: int) -> list[tuple[int, int]]:
    """Row spans (1-based, inclusive) whose cells have no rule or one of the bot's."""
    spans: list[tuple[int, int]] = []
    for i, message in enumerate(found):
        if message is not None and thai.clean_text(message) != thai.clean_text(ours):
            continue  # a person's rule: theirs
        row = start + i
        if spans and spans[-1][1] == row - 1:
            spans[-1] = (spans[-1][0], row)
        else:
            spans.append((row, row))
    return spans
