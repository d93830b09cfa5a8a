"""Local Excel workbooks (.xlsx, .xlsm): the embedded default backend.

The bot edits a workbook at the level of its zip package (`bot.backends.xlsx_zip`): it
rewrites only the parts it owns (the status cells and highlights in a district tab's XML,
the styles, its own tabs, the list of tabs) and copies every other part byte for byte. A
person's formulas keep their calculated values, and rich text, macros, charts, images,
comments and data validation survive by construction, not by a library's care.

Safety rules, in order: never write while another bot holds the folder's lock; never write
a workbook that Excel or LibreOffice has open (their lock files say so), that is read-only,
or that changed since it was read (checked again right before the atomic rename:
`bot.backends.xlsx_file`); touch only the status column, the bot's highlights and the
bot's own tabs. A workbook that cannot be read or written raises a `SheetError` naming the
file, the tab and the fix, in Thai and English, so the cycle skips it and goes on.
"""

from __future__ import annotations

import errno
import functools
import logging
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from bot import problems
from bot.backends import xlsx_file
from bot.backends.xlsx_book import (
    STATUS_MARK,
    STYLES_CT,
    STYLES_TYPE,
    Book,
    BookError,
    check_package,
    new_workbook_parts,
)
from bot.backends.xlsx_marks import MarkError, marked_grid, patch, status_column
from bot.backends.xlsx_sheet import (
    CellError,
    Decoder,
    Scan,
    grid,
    has_values,
    scan,
    shared_strings,
)
from bot.backends.xlsx_spans import Spans, keep
from bot.backends.xlsx_styles import DEFAULT_STYLES, Styles
from bot.backends.xlsx_tabs import Out, write_tab
from bot.backends.xlsx_xml import XmlError
from bot.backends.xlsx_zip import LockedPackage, Package, PackageError, Packed, new_package
from bot.config import Config
from bot.config_load import workbook_path
from bot.errors import SheetError
from bot.model import (
    ApplyResult,
    Link,
    LinkedText,
    Problem,
    SheetPlan,
    TabData,
    TabMarks,
)
from bot.sheets import (
    BotTabState,
    SheetRead,
    column_letter,
    conflict_problem,
    quote_tab,
)

log = logging.getLogger(__name__)

LOCK_NAME = ".softpower-bot.lock"
SUFFIXES = (".xlsx", ".xlsm")


class XlsxBackend:
    """Reads and writes the workbooks named in the config, in `xlsx.folder`."""

    name = "xlsx"

    def __init__(self, config: Config) -> None:
        self.config = config
        self.folder = workbook_path(config, ".").resolve()
        self._lock: FileLock | None = None
        self._lock_problem: str | None = None
        self._cleaned: set[Path] = set()
        self._written: dict[str, SheetRead] = {}
        # Per workbook, the hash of the bytes last read and its district tabs' scans, kept
        # small (part -> spans) until the workbook is written: see `xlsx_spans`.
        self._spans: dict[str, tuple[str, dict[str, Spans]]] = {}

    def __enter__(self) -> XlsxBackend:
        if not self.folder.is_dir():
            raise SheetError(
                f"{self.folder}: ไม่พบโฟลเดอร์ของไฟล์สเปรดชีต กรุณาตรวจสอบ xlsx.folder ในไฟล์ตั้งค่า — "
                "the workbook folder does not exist; check xlsx.folder in the config"
            )
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
        self._lock_problem = None

    def _write_lock(self) -> str | None:
        """Take the folder's lock for writing (reading needs none); why not, if it cannot."""
        if self._lock is not None or self._lock_problem is not None:
            return self._lock_problem
        lock = FileLock(str(self.folder / LOCK_NAME), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            self._lock_problem = (
                f"มีโปรแกรม softpower-bot อีกตัวกำลังบันทึกไฟล์ในโฟลเดอร์ {self.folder} อยู่ — another "
                f"softpower-bot is writing in {self.folder} (lock file {LOCK_NAME}); this one "
                "leaves the workbooks to it"
            )
        except OSError as exc:
            self._lock_problem = _folder_problem(self.folder, exc)
        else:
            self._lock = lock
        return self._lock_problem

    def lock_problem(self) -> str | None:
        """Take the folder's write lock (kept until the backend closes); why not, if not."""
        return self._write_lock()

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
        office = office_lock(path) or office_lock(xlsx_file.target(path))
        if office is None:
            return None
        return (
            f"{path.name} เปิดอยู่ใน Excel หรือ LibreOffice กรุณาปิดไฟล์ แล้วบอทจะบันทึกในรอบถัดไป — "
            f"{path.name} is open in Excel or LibreOffice (lock file {office.name}); close it "
            f"and the bot will update it on the next run. If nobody has it open, delete "
            f"{office.name}"
        )

    # -- knowing what did not change ------------------------------------------------------

    def token(self, version: object) -> dict[str, object] | None:
        """A workbook's version (identity and hash) as JSON values."""
        return version.as_json() if isinstance(version, xlsx_file.Version) else None

    def still_holds(self, spreadsheet: str, token: dict[str, object]) -> object | None:
        """The workbook's version now if it still holds the bytes `token` describes."""
        version = xlsx_file.Version.from_json(token)
        if version is None:
            return None
        return xlsx_file.still_holds(self.path(spreadsheet), version)

    def content(self, version: object) -> str | None:
        """The hash of a workbook's bytes: equal bytes, equal cells."""
        return version.digest if isinstance(version, xlsx_file.Version) else None

    def last_write(self, spreadsheet: str) -> SheetRead | None:
        """The read of a workbook as the bot's last `apply` left it (written or found
        already so), derived from what it wrote; None when not known."""
        return self._written.get(spreadsheet)

    # -- reading ---------------------------------------------------------------------------

    def read(self, spreadsheet: str, tabs: Sequence[str], bot_tabs: Sequence[str]) -> SheetRead:
        """Read the source tabs' values (as last calculated) and the bot tabs' state."""
        path = self.path(spreadsheet)
        if not path.exists():
            if tabs:
                raise SheetError(
                    f"{path}: ไม่พบไฟล์สเปรดชีต กรุณาตรวจสอบชื่อไฟล์ในไฟล์ตั้งค่า — workbook not "
                    "found; check the file name in the config (provinces[].file) and xlsx.folder"
                )
            # A workbook holding only bot tabs (the national one) is created by the bot.
            return SheetRead(spreadsheet, {}, dict.fromkeys(bot_tabs, BotTabState.ABSENT), None,
                             token="absent")  # fmt: skip
        self._spans.pop(spreadsheet, None)
        data, version = _snapshot(path)
        where = str(path)
        spans: dict[str, Spans] = {}
        try:
            pkg, book, styles = _open(data)
            decoder = Decoder([], styles, book.date1904)
            if book.shared_strings:
                decoder.shared = shared_strings(pkg.read(book.shared_strings))
            out: dict[str, TabData] = {}
            for name in tabs:
                where = f"{path} › {name}"
                tab = book.tab(name)
                if tab is None:
                    out[name] = TabData(spreadsheet, name, None)
                    continue
                if not tab.worksheet or tab.part is None:
                    raise SheetError(_broken(
                        where, "แท็บนี้ไม่ใช่แผ่นงานที่มีข้อมูล", f"the tab {name!r} is not a worksheet"
                        " (a chart sheet, or its part is missing)", "rename it and make a worksheet"
                        " tab of this name"))  # fmt: skip
                found = scan(pkg.read(tab.part))
                cells = grid(found, decoder)
                mark = book.status_column(tab)
                kept = keep(found, {mark} if mark else set())
                if kept is not None:
                    spans[tab.part] = kept
                out[name] = TabData(spreadsheet, name, cells, bot_column=mark, marks_known=True)
            states: dict[str, BotTabState] = {}
            for name in bot_tabs:
                where = f"{path} › {name}"
                tab = book.tab(name)
                if tab is None:
                    states[name] = BotTabState.ABSENT
                elif book.owned(tab):
                    states[name] = BotTabState.OWNED
                elif (
                    tab.worksheet and tab.part and not has_values(scan(pkg.read(tab.part)), decoder)
                ):
                    states[name] = BotTabState.EMPTY
                else:
                    states[name] = BotTabState.FOREIGN
        except (PackageError, BookError, XmlError, CellError) as exc:
            raise SheetError(_damaged(where, exc)) from None
        if spans:
            self._spans[spreadsheet] = (version.digest, spans)
        return SheetRead(spreadsheet, out, states, version, token=self.content(version))

    def tab_names(self, spreadsheet: str) -> list[str]:
        """Every tab's name in the workbook, in its order (for a "did you mean")."""
        path = self.path(spreadsheet)
        data, _ = _snapshot(path)
        try:
            return [t.name for t in Book(Package(data)).tabs]
        except (PackageError, BookError, XmlError) as exc:
            raise SheetError(_damaged(str(path), exc)) from None

    # -- writing ---------------------------------------------------------------------------

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        """Apply a plan to one workbook in one atomic save, or explain why not."""
        return self._apply(plan, read, write=True)

    def rehearse(self, plan: SheetPlan, read: SheetRead | None) -> str | None:
        """Everything `apply` would do short of writing: why the write would not happen."""
        try:
            result = self._apply(plan, read, write=False)
        except SheetError as exc:
            return str(exc)
        return result.skipped_reason

    def _apply(self, plan: SheetPlan, read: SheetRead | None, *, write: bool) -> ApplyResult:
        path = self.path(plan.spreadsheet)
        real = xlsx_file.target(path)
        result = ApplyResult(plan.spreadsheet, written=False)
        # Let the read's spans go now, used or not: they are kept for this write alone.
        kept = (self._spans.pop if write else self._spans.get)(plan.spreadsheet, None)
        if write:
            self._written.pop(plan.spreadsheet, None)
        result.skipped_reason = self.busy(plan.spreadsheet) or self._write_lock()
        if result.skipped_reason:
            return result
        if real.suffix.lower() not in SUFFIXES:
            raise SheetError(
                _broken(
                    str(path),
                    "บอทบันทึกได้เฉพาะไฟล์ .xlsx และ .xlsm",
                    "the bot writes only .xlsx and .xlsm workbooks",
                    "save the file as an Excel workbook (.xlsx) and name it in the config",
                )
            )
        if real not in self._cleaned:
            self._cleaned.add(real)
            for stale in xlsx_file.remove_stale_temps(real.parent, {real.name}):
                log.info("removed %s, left by an interrupted save", stale)
        exists = real.exists()
        if read is not None and read.version is not None and not exists:
            result.skipped_reason = (
                f"{path.name} ถูกลบหรือย้ายไประหว่างที่บอทกำลังตรวจสอบ — {path.name} was removed "
                "while the bot was checking it; put it back, or fix the file name in the config"
            )
            return result
        version = None
        if exists:
            try:
                locked = xlsx_file.read_only(real)
            except OSError as exc:
                raise SheetError(_file_problem(path, exc)) from None
            if locked:
                result.skipped_reason = (
                    f"{path.name} เป็นไฟล์แบบอ่านอย่างเดียว บอทจึงไม่บันทึกผลตรวจสอบลงในไฟล์นี้ — "
                    f"{path} is read-only ({locked}); the bot leaves it alone. To let it write "
                    f"the status column, make it writable (chmod u+w {path.name})"
                )
                return result
            data, version = _snapshot(path)
            if read is not None and read.version != version:
                result.skipped_reason = (
                    f"{path.name} มีการแก้ไขระหว่างที่บอทกำลังตรวจสอบ บอทจะตรวจสอบใหม่ในรอบถัดไป — "
                    f"{path.name} changed while the bot was checking it; it will be checked "
                    "again on the next run"
                )
                return result
        else:
            parts = new_workbook_parts(real.suffix.lower() == ".xlsm")
            parts["xl/styles.xml"] = DEFAULT_STYLES
            data = new_package(parts)
        done = _Done()
        # The read's spans describe these very bytes only if the file hashes the same.
        same = kept is not None and version is not None and kept[0] == version.digest
        spans = kept[1] if kept is not None and same else {}
        try:
            changes = self._changes(plan, data, str(path), result, done, spans=spans)
        except (PackageError, BookError, XmlError, CellError) as exc:
            raise SheetError(_damaged(str(path), exc)) from None
        if not write:
            return result
        if changes is None:
            if read is not None and version is not None:
                self._remember(read, done, version)
            return result
        try:
            written = xlsx_file.replace(real, changes, version, lambda: self.busy(plan.spreadsheet))
        except OSError as exc:
            raise SheetError(_file_problem(path, exc)) from None
        if isinstance(written, str):
            result.skipped_reason = (
                f"{path.name} มีการแก้ไขหรือเปิดใช้งานระหว่างที่บอทกำลังบันทึก บอทจึงไม่บันทึกทับ "
                "และจะลองใหม่ในรอบถัดไป — "
                f"{path.name}: {written}; nothing was written, the next run tries again"
            )
            return result
        result.written = True
        if read is not None:
            self._remember(read, done, written)
        return result

    def _remember(self, read: SheetRead, done: _Done, version: xlsx_file.Version) -> None:
        """Keep what the workbook holds now: the read with the bot's own changes in it."""
        tabs = dict(read.tabs)
        for name, (column, statuses) in done.marked.items():
            before = tabs.get(name)
            if before is None or before.grid is None:
                continue
            grid = marked_grid(before.grid, column, statuses)
            tabs[name] = TabData(read.spreadsheet, name, grid, bot_column=column, marks_known=True)
        states = dict(read.bot_tabs)
        states.update(dict.fromkeys(done.owned.intersection(states), BotTabState.OWNED))
        self._written[read.spreadsheet] = SheetRead(read.spreadsheet, tabs, states, version)

    def _changes(
        self,
        plan: SheetPlan,
        data: bytes,
        where: str,
        result: ApplyResult,
        done: _Done,
        *,
        spans: dict[str, Spans],
    ) -> bytes | None:
        """The new package for `plan`, or None when nothing would change; `done` learns
        what the district tabs and the bot's tabs hold then. `spans`: the read's scans of
        the district tabs, when `data` is what was read (part -> spans)."""
        pkg, book, styles = _open(data)
        if book.strict:
            raise SheetError(_broken(
                where, "ไฟล์บันทึกในรูปแบบ Strict Open XML", "the workbook is saved as Strict Open "
                "XML", "save it as an Excel Workbook (.xlsx)"))  # fmt: skip
        decoder = Decoder([], styles, book.date1904)
        if book.shared_strings:
            decoder.shared = shared_strings(pkg.read(book.shared_strings))
        changes: dict[str, bytes | Packed | None] = {}
        for marks in plan.marks:
            tab = book.tab(marks.tab)
            if tab is None or not tab.worksheet or tab.part is None:
                continue
            part = pkg.read(tab.part)
            try:
                marked = patch(part, _scan(part, spans.get(tab.part), marks), marks, decoder,
                               styles)  # fmt: skip
            except MarkError as exc:
                raise SheetError(f"{where} › {marks.tab}: {exc}") from None
            if marked.column is None:
                result.conflicts.append(_no_room(plan.spreadsheet, marks.tab))
                continue
            done.marked[marks.tab] = (marked.column, marked.statuses)
            if marked.data is not None:
                changes[tab.part] = marked.data
            if book.status_column(tab) != marked.column:
                ref = f"${column_letter(marked.column)}${marks.header_row}"
                book.set_name(STATUS_MARK, tab.index, f"{quote_tab(tab.name)}!{ref}")
        for bot_tab in plan.tabs:
            tab = book.tab(bot_tab.name)
            owned = tab is not None and book.owned(tab)
            if (
                tab is not None
                and not owned
                and (
                    not tab.worksheet
                    or tab.part is None
                    or has_values(scan(pkg.read(tab.part)), decoder)
                )
            ):
                result.conflicts.append(conflict_problem(plan.spreadsheet, bot_tab.name))
                continue
            done.owned.add(bot_tab.name)
            link = partial(self._link, spreadsheet=plan.spreadsheet)
            changes.update(write_tab(pkg, book, styles, bot_tab, link, tab=tab, owned=owned))
        new_styles = styles.changes()
        if new_styles is not None and changes:
            if book.styles is None:  # no styles part, and no relationship to one
                book.styles = posixpath.join(posixpath.dirname(book.part), "styles.xml")
                book.add_rel(STYLES_TYPE, book.styles, STYLES_CT)
            elif pkg.find(book.styles) is None:  # related, but missing
                book.register(book.styles, STYLES_CT)
            changes[book.styles] = new_styles
        changes.update(book.changes())
        if not changes:
            return None
        return pkg.rewrite(changes)

    def _link(self, value: LinkedText, spreadsheet: str) -> Out:
        """A linked cell's text, the file it links to (another workbook's) and the cell."""
        link = value.link
        location = f"{quote_tab(link.tab)}!{column_letter(link.column)}{link.row}"
        target = None
        if link.spreadsheet != spreadsheet:
            target = self._file_url(link.spreadsheet)
        return value.text, target, location

    @functools.cache  # noqa: B019 (one backend per cycle or daemon; a few dozen workbooks)
    def _file_url(self, spreadsheet: str) -> str:
        """The absolute file URL of a workbook, for a link from another one: a relative
        path breaks as soon as the linking workbook is copied or mailed elsewhere (or is
        opened from a program whose base folder is not the workbook's own)."""
        # Absolute, not resolved: a symlinked workbook opens through its link (and a
        # symlink loop, which `resolve` refuses, is reported when the file is read).
        return self.path(spreadsheet).absolute().as_uri()


@dataclass
class _Done:
    """What a plan leaves in a workbook: each marked tab's status column and status texts
    (row -> text, "" when empty), and the bot's tabs it owns."""

    marked: dict[str, tuple[int, dict[int, str]]] = field(default_factory=dict)
    owned: set[str] = field(default_factory=set)


def _scan(part: bytes, spans: Spans | None, marks: TabMarks) -> Scan:
    """The scan of a district tab's part for patching `marks` into it: rebuilt from the
    read's spans when they serve (see `xlsx_spans`), else scanned now."""
    if spans is not None:
        found = spans.rebuilt()
        column = status_column(found, marks)
        if column is None or spans.knows(column, found):
            return found
    return scan(part)


def _open(data: bytes) -> tuple[Package, Book, Styles]:
    pkg = Package(data)
    check_package(pkg)
    book = Book(pkg)
    present = book.styles is not None and pkg.find(book.styles) is not None
    styles = Styles(pkg.read(book.styles) if present and book.styles else None)
    if book.shared_strings and pkg.find(book.shared_strings) is None:
        book.shared_strings = None  # a relationship to nothing: no shared text to read
    return pkg, book, styles


def _snapshot(path: Path) -> tuple[bytes, xlsx_file.Version]:
    try:
        return xlsx_file.snapshot(path)
    except xlsx_file.Changed:
        raise SheetError(
            f"{path}: ไฟล์มีการเปลี่ยนแปลงตลอดเวลาที่บอทอ่าน — the file kept changing while the bot "
            "read it; the next run tries again"
        ) from None
    except OSError as exc:
        raise SheetError(_file_problem(path, exc)) from None


def _broken(where: str, thai: str, english: str, fix: str) -> str:
    return f"{where}: {thai} — {english}; {fix}"


def _damaged(where: str, exc: Exception) -> str:
    if isinstance(exc, LockedPackage):
        return _broken(
            where,
            "ไฟล์นี้ตั้งรหัสผ่านไว้หรือเป็นไฟล์ Excel รุ่นเก่า (.xls) บอทจึงอ่านไม่ได้",
            f"this is {exc}",
            "remove the password (File › Info › Protect Workbook) and save it as an Excel "
            "Workbook (.xlsx)",
        )
    return _broken(
        where,
        "ไฟล์สเปรดชีตเสียหายหรือไม่ใช่ไฟล์ Excel บอทจึงอ่านหรือบันทึกไม่ได้ กรุณาเปิดไฟล์ด้วย Excel แล้วบันทึกใหม่",
        f"the workbook is damaged or not an Excel file: {exc}",
        "open it in Excel or LibreOffice and save it again as .xlsx, or restore it from a backup",
    )


def _file_problem(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return _broken(
            str(path), "พื้นที่ดิสก์เต็ม บอทจึงบันทึกไฟล์ไม่ได้", f"the disk is full ({exc.strerror})",
            f"free some space on the disk holding {path.parent}; nothing was changed",
        )  # fmt: skip
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _folder_problem(path.parent, exc, path)
    if isinstance(exc, IsADirectoryError):
        return _broken(str(path), "ชื่อนี้เป็นโฟลเดอร์ ไม่ใช่ไฟล์", "this is a folder, not a "
                       "workbook", "name a .xlsx file in the config")  # fmt: skip
    return _broken(str(path), "อ่านหรือบันทึกไฟล์ไม่ได้", f"cannot read or write the file "
                   f"({exc.strerror or exc})", "check the disk and the file")  # fmt: skip


def _folder_problem(folder: Path, exc: OSError, path: Path | None = None) -> str:
    what = path or folder
    if exc.errno == errno.EROFS:
        english = f"{folder} is on a read-only file system"
    else:
        english = f"the user the bot runs as may not {'read' if path else 'write in'} {what}"
    return _broken(
        str(what), "บอทไม่มีสิทธิ์อ่านหรือเขียนไฟล์หรือโฟลเดอร์นี้", f"{english} ({exc.strerror})",
        "give that user read and write permission on the folder and its workbooks",
    )  # fmt: skip


def _no_room(spreadsheet: str, tab: str) -> Problem:
    code = "NO_ROOM_FOR_STATUS"
    return Problem(spreadsheet, tab, None, None, None, code, problems.severity(code),
                   problems.message(code, tab=tab))  # fmt: skip


def office_lock(path: Path) -> Path | None:
    """The Excel or LibreOffice lock file that says a person has `path` open, if any."""
    candidates = [
        path.with_name(f".~lock.{path.name}#"),  # LibreOffice
        path.with_name(f"~${path.name}"),  # Excel
        path.with_name(f"~${path.name[2:]}"),  # Excel, for names of 8+ characters
    ]
    return next((c for c in candidates if c.exists()), None)
