"""Local Excel workbooks (.xlsx, via openpyxl): the embedded default backend.

Safety rules, in order: never write while another bot holds the folder's lock; never write
a workbook that Excel or LibreOffice has open (their lock files say so) or that changed
since it was read; write a whole workbook atomically (temp file, fsync, rename); touch
only the status column, the bot's highlights and the bot's own tabs.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import openpyxl
from filelock import FileLock, Timeout
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from bot.config import Config
from bot.config_load import workbook_path
from bot.errors import SheetError
from bot.model import (
    ApplyResult,
    BotTab,
    Cell,
    Link,
    LinkedText,
    OutCell,
    SheetPlan,
    TabData,
    TabMarks,
)
from bot.sheets import (
    OWNER_MARK,
    BotTabState,
    SheetRead,
    column_letter,
    conflict_problem,
    quote_tab,
)

# The bot's own highlight colours. Only cells with exactly these fills are ever un-coloured
# by the bot, so a colour a person chose is never removed.
FILLS = {
    "error": PatternFill(fill_type="solid", start_color="FFF8CBCB", end_color="FFF8CBCB"),
    "warning": PatternFill(fill_type="solid", start_color="FFFFF0B3", end_color="FFFFF0B3"),
}
_BOT_COLOURS = {f.start_color.rgb for f in FILLS.values()}
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFDDEBF7", end_color="FFDDEBF7")
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
LOCK_NAME = ".softpower-bot.lock"


class XlsxBackend:
    """Reads and writes the workbooks named in the config, in `xlsx.folder`."""

    name = "xlsx"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.folder = workbook_path(config, ".").resolve()
        self._lock: FileLock | None = None

    def __enter__(self) -> XlsxBackend:
        if not self.folder.is_dir():
            raise SheetError(
                f"{self.folder}: the workbook folder does not exist; check xlsx.folder "
                "in the config"
            )
        self._lock = FileLock(str(self.folder / LOCK_NAME), timeout=0)
        try:
            self._lock.acquire()
        except Timeout:
            raise SheetError(
                f"another softpower-bot is already working on {self.folder} "
                f"(lock file {LOCK_NAME}); wait for it to finish"
            ) from None
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def path(self, spreadsheet: str) -> Path:
        """The workbook file of a spreadsheet id from the config."""
        return workbook_path(self.config, spreadsheet)

    def location(self, spreadsheet: str) -> str:
        """The workbook's path, as a person would open it."""
        return str(self.path(spreadsheet))

    def link(self, link: Link) -> str:
        """A file URL with the cell as its fragment (Excel and LibreOffice follow it)."""
        cell = f"{column_letter(link.column)}{link.row}"
        return f"{self.path(link.spreadsheet).resolve().as_uri()}#{quote_tab(link.tab)}!{cell}"

    def busy(self, spreadsheet: str) -> str | None:
        """Why the workbook must not be written now: open in Excel or LibreOffice."""
        path = self.path(spreadsheet)
        office = office_lock(path)
        if office is None:
            return None
        return (
            f"{path.name} is open in Excel or LibreOffice (lock file {office.name}); "
            "close it and the bot will update it on the next run. If nobody has it "
            f"open, delete {office.name}"
        )

    # -- reading ---------------------------------------------------------------------------

    def read(self, spreadsheet: str, tabs: Sequence[str], bot_tabs: Sequence[str]) -> SheetRead:
        """Read the source tabs' values (as last calculated) and the bot tabs' state."""
        path = self.path(spreadsheet)
        if not path.exists():
            if tabs:
                raise SheetError(
                    f"{path}: workbook not found; check the file name in the config "
                    "(provinces[].file) and xlsx.folder"
                )
            # A workbook holding only bot tabs (the national one) is created by the bot.
            return SheetRead(spreadsheet, {}, dict.fromkeys(bot_tabs, BotTabState.ABSENT), None)
        version = _version(path)
        try:
            owned = _owned_tabs(path)
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (OSError, zipfile.BadZipFile, KeyError, ValueError, ET.ParseError) as exc:
            raise SheetError(
                f"{path}: cannot open the workbook ({exc}); is it a real .xlsx file?"
            ) from None
        try:
            out: dict[str, TabData] = {}
            for tab in tabs:
                grid = _grid(wb[tab]) if tab in wb.sheetnames else None
                out[tab] = TabData(spreadsheet, tab, grid)
            states: dict[str, BotTabState] = {}
            for tab in bot_tabs:
                if tab not in wb.sheetnames:
                    states[tab] = BotTabState.ABSENT
                elif tab in owned:
                    states[tab] = BotTabState.OWNED
                else:
                    states[tab] = BotTabState.FOREIGN if _grid(wb[tab]) else BotTabState.EMPTY
        finally:
            wb.close()
        return SheetRead(spreadsheet, out, states, version)

    # -- writing ---------------------------------------------------------------------------

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        """Apply a plan to one workbook in one atomic save, or explain why not."""
        path = self.path(plan.spreadsheet)
        result = ApplyResult(plan.spreadsheet, written=False)
        busy = self.busy(plan.spreadsheet)
        if busy:
            result.skipped_reason = busy
            return result
        exists = path.exists()
        if read is not None and read.version != (_version(path) if exists else None):
            result.skipped_reason = (
                f"{path.name} changed while the bot was checking it; it will be checked "
                "again on the next run"
            )
            return result
        if exists:
            try:
                wb = openpyxl.load_workbook(path)
            except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
                raise SheetError(f"{path}: cannot open the workbook ({exc})") from None
        else:
            wb = openpyxl.Workbook()
            wb.remove(wb.active)
        changed = False
        for marks in plan.marks:
            if marks.tab in wb.sheetnames:
                changed |= _apply_marks(wb[marks.tab], marks)
        for tab in plan.tabs:
            conflict = _foreign(wb, tab.name)
            if conflict:
                result.conflicts.append(conflict_problem(plan.spreadsheet, tab.name))
                continue
            changed |= self._write_tab(wb, tab, plan.spreadsheet)
        if changed:
            _save_atomically(wb, path)
            result.written = True
        wb.close()
        return result

    def _write_tab(self, wb: Any, tab: BotTab, spreadsheet: str) -> bool:
        cells = [[self._cell(c, spreadsheet) for c in row] for row in tab.rows]
        if tab.name in wb.sheetnames:
            ws = wb[tab.name]
            if _tab_matches(ws, cells) and OWNER_MARK in ws.defined_names:
                return False
            index = wb.index(ws)
            wb.remove(ws)
        else:
            index = len(wb.sheetnames)
        ws = wb.create_sheet(tab.name, index)
        ws.defined_names[OWNER_MARK] = DefinedName(
            OWNER_MARK, attr_text='"softpower-bot"', hidden=True
        )
        bold = Font(bold=True)
        link_font = Font(color="FF0563C1", underline="single")
        for r, row in enumerate(cells, start=1):
            for c, (value, target, location) in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(r, c)
                cell.value = value
                if isinstance(value, str):
                    # Copied text stays text: "=IMPORTXML(...)" typed by staff is never run.
                    cell.data_type = "s"
                if target or location:
                    cell.hyperlink = Hyperlink(
                        ref=cell.coordinate, target=target, location=location
                    )
                    cell.font = link_font
                if r == tab.header_rows:
                    cell.font = bold
                    cell.fill = _HEADER_FILL
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = ws.cell(tab.header_rows + 1, 1)
        for c in range(1, max((len(r) for r in cells), default=0) + 1):
            width = 60 if (c - 1) in tab.wide_columns else 22
            ws.column_dimensions[column_letter(c)].width = width
        return True

    def _cell(self, value: OutCell, spreadsheet: str) -> tuple[Any, str | None, str | None]:
        if isinstance(value, LinkedText):
            link = value.link
            location = f"{quote_tab(link.tab)}!{column_letter(link.column)}{link.row}"
            target = None
            if link.spreadsheet != spreadsheet:
                here = self.path(spreadsheet).parent
                target = Path(os.path.relpath(self.path(link.spreadsheet), here)).as_posix()
            return _clean(value.text), target, location
        return (_clean(value) if isinstance(value, str) else value), None, None


def _clean(text: str) -> str | None:
    return ILLEGAL_CHARACTERS_RE.sub("", text) or None


def _version(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size)


def _grid(ws: Worksheet) -> list[list[Cell]]:
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    return rows


def _owned_tabs(path: Path) -> set[str]:
    # Read-only workbooks don't expose sheet-scoped names, so read workbook.xml directly.
    with zipfile.ZipFile(path) as z:
        root = ET.fromstring(z.read("xl/workbook.xml"))
    sheets = [s.get("name", "") for s in root.iter(f"{_MAIN_NS}sheet")]
    owned = set()
    for name in root.iter(f"{_MAIN_NS}definedName"):
        index = name.get("localSheetId")
        if name.get("name") == OWNER_MARK and index is not None and int(index) < len(sheets):
            owned.add(sheets[int(index)])
    return owned


def office_lock(path: Path) -> Path | None:
    """The Excel or LibreOffice lock file that says a person has `path` open, if any."""
    candidates = [
        path.with_name(f".~lock.{path.name}#"),  # LibreOffice
        path.with_name(f"~${path.name}"),  # Excel
        path.with_name(f"~${path.name[2:]}"),  # Excel, for names of 8+ characters
    ]
    return next((c for c in candidates if c.exists()), None)


def _foreign(wb: Any, name: str) -> bool:
    if name not in wb.sheetnames:
        return False
    ws = wb[name]
    if OWNER_MARK in ws.defined_names:
        return False
    return any(v not in (None, "") for row in ws.iter_rows(values_only=True) for v in row)


def _tab_matches(ws: Worksheet, cells: list[list[tuple[Any, str | None, str | None]]]) -> bool:
    existing = _grid(ws)
    width = max([len(r) for r in cells] + [len(r) for r in existing] + [0])
    if len(existing) != len(cells):
        return False
    for r, (old, new) in enumerate(zip(existing, cells, strict=True), start=1):
        old_row = list(old) + [None] * (width - len(old))
        new_row = list(new) + [(None, None, None)] * (width - len(new))
        for c, (o, (value, target, location)) in enumerate(zip(old_row, new_row, strict=True), 1):
            if o != value:
                return False
            if target or location:
                link = ws.cell(r, c).hyperlink
                if link is None or (link.target, link.location) != (target, location):
                    return False
    return True


def _apply_marks(ws: Worksheet, marks: TabMarks) -> bool:
    changed = False
    col = marks.column
    if marks.new_column:
        # The read saw formulas by their last calculated value, and a formula never
        # calculated (a file saved by a script) reads as empty: look at the real cells.
        col = max(col, _last_used_column(ws) + 1)

    def put(row: int, text: str) -> None:
        nonlocal changed
        cell = ws.cell(row, col)
        want = _clean(text) if text else None
        if cell.value != want:
            cell.value = want
            if want is not None:
                cell.data_type = "s"
            changed = True

    put(marks.header_row, marks.header)
    ws.cell(marks.header_row, col).font = Font(bold=True)
    for row, text in marks.status.items():
        put(row, text)
    ws.column_dimensions[column_letter(col)].width = 60

    wanted = {(h.row, h.column): FILLS[h.severity] for h in marks.highlights}
    for row in ws.iter_rows(min_row=marks.header_row + 1):
        for cell in row:
            key = (cell.row, cell.column)
            ours = cell.fill.fill_type == "solid" and cell.fill.start_color.rgb in _BOT_COLOURS
            if ours and key not in wanted:
                cell.fill = PatternFill(fill_type=None)
                changed = True
    for (r, c), fill in wanted.items():
        cell = ws.cell(r, c)
        if cell.fill.fill_type is None or (
            cell.fill.start_color.rgb in _BOT_COLOURS
            and cell.fill.start_color.rgb != fill.start_color.rgb
        ):
            # A cell a person coloured keeps their colour: the status cell still explains.
            cell.fill = fill
            changed = True
    return changed


def _last_used_column(ws: Worksheet) -> int:
    return max(
        (c.column for row in ws.iter_rows() for c in row if c.value not in (None, "")),
        default=0,
    )


def _save_atomically(wb: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            wb.save(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
