"""One test world per backend: make sheets, run cycles, look at what a person would see.

The same contract tests run against `XlsxWorld` (real .xlsx files in tmp_path) and
`GoogleWorld` (the real gspread client talking HTTP to the local fake Sheets API).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Protocol

import openpyxl
from openpyxl.styles import PatternFill

from bot.backends import open_backend
from bot.backends.google import GoogleBackend
from bot.backends.google_grid import COLOURS
from bot.backends.xlsx_styles import BOT_COLOURS
from bot.config import Config
from bot.config_load import load_config, parse_config
from bot.cycle import CycleReport, sync_cycle
from bot.sheets import Backend
from fake_sheets import FakeSheets
from tests.workbooks import values as xlsx_values
from tests.workbooks import write_workbook

PROVINCE_TABS = "districts: [ภูเขียว, บ้านเขว้า, คอนสาร]"


class World(Protocol):
    """What a contract test needs from a backend's world."""

    name: str

    def make(
        self, tabs: dict[str, list[list[Any]]], national: dict[str, list[list[Any]]] | None = None
    ) -> Config: ...
    def sync(self, today: date = ...) -> CycleReport: ...
    def values(self, where: str, tab: str) -> list[list[Any]]: ...
    def colour(self, where: str, tab: str, row: int, col: int) -> str | None: ...
    def set_value(self, where: str, tab: str, row: int, col: int, value: Any) -> None: ...
    def paint(self, where: str, tab: str, row: int, col: int) -> None: ...
    def tabs(self, where: str) -> list[str]: ...


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] in (None, ""):
            r.pop()
    while out and not out[-1]:
        out.pop()
    return [[None if v == "" else v for v in r] for r in out]


class XlsxWorld:
    """Workbooks on disk."""

    name = "xlsx"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config: Config | None = None

    def file(self, where: str) -> Path:
        return self.folder / ("national.xlsx" if where == "national" else "chaiyaphum.xlsx")

    def make(
        self, tabs: dict[str, list[list[Any]]], national: dict[str, list[list[Any]]] | None = None
    ) -> Config:
        (self.folder / "config.yaml").write_text(
            "xlsx: {folder: .}\nnational: {file: national.xlsx}\nprovinces:\n"
            f"  - {{province: ชัยภูมิ, file: chaiyaphum.xlsx, {PROVINCE_TABS}}}\n",
            encoding="utf-8",
        )
        write_workbook(self.file("province"), tabs, raw=True)
        if national is not None:
            write_workbook(self.file("national"), national, raw=True)
        self.config = load_config(self.folder / "config.yaml")
        return self.config

    def backend(self) -> Backend:
        assert self.config is not None
        return open_backend(self.config)

    def sync(self, today: date = date(2025, 1, 17)) -> CycleReport:
        assert self.config is not None
        with self.backend() as backend:
            return sync_cycle(self.config, backend, today)

    def values(self, where: str, tab: str) -> list[list[Any]]:
        return _trim(xlsx_values(self.file(where), tab))

    def colour(self, where: str, tab: str, row: int, col: int) -> str | None:
        fill = openpyxl.load_workbook(self.file(where))[tab].cell(row, col).fill
        if fill.fill_type is None:
            return None
        rgb = fill.start_color.rgb
        return next((k for k, v in BOT_COLOURS.items() if v == rgb), "person")

    def set_value(self, where: str, tab: str, row: int, col: int, value: Any) -> None:
        wb = openpyxl.load_workbook(self.file(where))
        wb[tab].cell(row, col).value = value
        wb.save(self.file(where))

    def paint(self, where: str, tab: str, row: int, col: int) -> None:
        wb = openpyxl.load_workbook(self.file(where))
        wb[tab].cell(row, col).fill = PatternFill(
            "solid", start_color="FF00FF00", end_color="FF00FF00"
        )
        wb.save(self.file(where))

    def tabs(self, where: str) -> list[str]:
        return list(openpyxl.load_workbook(self.file(where)).sheetnames)


class GoogleWorld:
    """Spreadsheets in the local fake Sheets API, reached through real gspread HTTP."""

    name = "google"

    def __init__(self, fake: FakeSheets, **google: Any) -> None:
        self.fake = fake
        self.google = google
        self.ids: dict[str, str] = {}
        self.config: Config | None = None
        self._backend: GoogleBackend | None = None

    def make(
        self, tabs: dict[str, list[list[Any]]], national: dict[str, list[list[Any]]] | None = None
    ) -> Config:
        # RAW keeps what tests type exactly as staff typed it (no number or date guessing).
        self.ids["province"] = self.fake.add_spreadsheet("ชัยภูมิ", tabs=tabs, value_input="RAW")
        self.ids["national"] = self.fake.add_spreadsheet(
            "national", tabs=national or {"คำอธิบาย": [["รายงานระดับประเทศ"]]}, value_input="RAW"
        )
        # Generous quotas unless a test is about quotas: pacing is tested on its own.
        settings = {"timeout_s": 30, "read_quota_per_minute": 300, "write_quota_per_minute": 300,
                    **self.google}  # fmt: skip
        if "write_quota_per_minute" not in self.google:
            self.fake.set_quota(10_000, 10_000, project_per_minute=10_000)
        extra = "".join(f"  {k}: {v}\n" for k, v in settings.items())
        self.config = parse_config(
            f"backend: google\ngoogle:\n{extra}"
            f"national: {{key: {self.ids['national']}}}\nprovinces:\n"
            f"  - {{province: ชัยภูมิ, key: {self.ids['province']}, {PROVINCE_TABS}}}\n"
        )
        return self.config

    def backend(self) -> GoogleBackend:
        # One backend for the world's life, as in the daemon: its tab metadata is cached.
        if self._backend is None:
            assert self.config is not None
            self._backend = GoogleBackend(
                self.config, session=self.fake.session(), sleep=lambda s: None
            )
        return self._backend

    def sync(self, today: date = date(2025, 1, 17)) -> CycleReport:
        assert self.config is not None
        with self.backend() as backend:
            return sync_cycle(self.config, backend, today)

    def values(self, where: str, tab: str) -> list[list[Any]]:
        return _trim(self.fake.tab_values(self.ids[where], tab, "UNFORMATTED_VALUE"))

    def colour(self, where: str, tab: str, row: int, col: int) -> str | None:
        cell = f"{openpyxl.utils.get_column_letter(col)}{row}"
        found = self.fake.shown_background(self.ids[where], tab, cell)
        if not found:
            return None
        rgb = tuple(round(found.get(k, 0.0), 2) for k in ("red", "green", "blue"))
        return next(
            (k for k, v in COLOURS.items() if tuple(round(x, 2) for x in v) == rgb), "person"
        )

    def set_value(self, where: str, tab: str, row: int, col: int, value: Any) -> None:
        cell = f"{openpyxl.utils.get_column_letter(col)}{row}"
        self.fake.set_values(self.ids[where], tab, cell, [[value]])

    def paint(self, where: str, tab: str, row: int, col: int) -> None:
        sheet_id = next(
            s.sheet_id for s in self.fake.spreadsheet(self.ids[where]).sheets if s.title == tab
        )
        self.fake.client().open_by_key(self.ids[where]).batch_update({"requests": [{"repeatCell": {
            "range": {"sheetId": sheet_id, "startRowIndex": row - 1, "endRowIndex": row,
                      "startColumnIndex": col - 1, "endColumnIndex": col},
            "cell": {"userEnteredFormat": {"backgroundColor": {"green": 1.0}}},
            "fields": "userEnteredFormat.backgroundColor"}}]})  # fmt: skip

    def tabs(self, where: str) -> list[str]:
        return [s.title for s in self.fake.spreadsheet(self.ids[where]).sheets]
