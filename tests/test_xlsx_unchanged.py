"""Only what changed is read and written: a workbook that holds what the bot last read or
wrote is not read again (in the same process or a restarted one), the bot's own write does
not count as a change, and a person's save is never hidden by it, however close to the
bot's write it lands."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.backends import xlsx_file
from bot.backends.xlsx import XlsxBackend
from bot.config import Config
from bot.cycle import LastReport, sync_cycle
from bot.model import ApplyResult, SheetPlan
from bot.read_cache import ReadCache, cache_for
from bot.sheets import SheetRead
from tests.factories import HEADERS, row
from tests.test_xlsx_concurrency import SAVER, big_tabs
from tests.workbooks import DISTRICT_TABS, khwao_row, make_project, values
from tests.xlsx_parts import sheet_parts

TODAY = date(2025, 1, 17)
STATUS_COL = len(HEADERS) + 1
BOOK, NATIONAL = "chaiyaphum.xlsx", "national.xlsx"


class CountingBackend(XlsxBackend):
    """The real xlsx backend, counting the workbooks it reads and the plans it applies."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.reads: list[str] = []
        self.applied: list[str] = []

    def read(self, spreadsheet: str, tabs: Sequence[str], bot_tabs: Sequence[str]) -> SheetRead:
        self.reads.append(spreadsheet)
        return super().read(spreadsheet, tabs, bot_tabs)

    def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
        self.applied.append(plan.spreadsheet)
        return super().apply(plan, read)


def cycle(
    config: Config, backend: XlsxBackend | None = None, cache: ReadCache | None = None
) -> tuple[CountingBackend | XlsxBackend, list[str]]:
    """One sync as the CLI runs it (with the config's read cache); the spreadsheets written."""
    backend = backend or CountingBackend(config)
    with backend:
        report = sync_cycle(config, backend, TODAY, cache=cache or cache_for(config))
    assert not report.skipped, report.skipped
    return backend, sorted(a.spreadsheet for a in report.applied if a.written)


def counted(config: Config) -> tuple[list[str], list[str], list[str]]:
    """Reads, applies and writes of one sync by a restarted bot (new backend, new cache)."""
    backend = CountingBackend(config)
    _, written = cycle(config, backend, cache_for(config))
    return sorted(backend.reads), sorted(backend.applied), written


def age(path: Path, seconds: int = 3600) -> None:
    """Make a file look saved a while ago (its mtime only), as most files on a disk are."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 10**9))


def test_an_unchanged_workbook_is_neither_read_nor_written_again(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    _, written = cycle(config)
    assert written == [BOOK, NATIONAL]
    files = [tmp_path / BOOK, tmp_path / NATIONAL]
    before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
    # The same process (a daemon) and a restarted one: nothing read, nothing applied.
    backend, written = cycle(config, CountingBackend(config))
    assert isinstance(backend, CountingBackend)
    assert (backend.reads, backend.applied, written) == ([], [], [])
    assert counted(config) == ([], [], [])
    assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before
    assert values(files[0], "อำเภอภูเขียว")[1][STATUS_COL - 1] == "ครบถ้วน"


def test_a_daemon_s_unchanged_cycle_stands_on_the_last_result(tmp_path: Path) -> None:
    """In the daemon (one backend, the last report kept) a cycle whose workbooks, day and
    config are all as before computes nothing: the last result stands. A person's save is
    worked from at once."""
    config = make_project(tmp_path)
    backend = CountingBackend(config)
    cache = cache_for(config)
    with backend:
        first = sync_cycle(config, backend, TODAY, cache=cache)
        # The bot's own write changed the files: one more evaluation, writing nothing.
        second = sync_cycle(config, backend, TODAY, cache=cache, previous=first)
        third = sync_cycle(config, backend, TODAY, cache=cache, previous=second)
    assert not any(a.written for a in [*second.applied, *third.applied])
    assert second.summary is not first.summary
    assert third.summary is second.summary  # nothing was evaluated again
    book = tmp_path / BOOK
    wb = openpyxl.load_workbook(book)
    wb["อำเภอภูเขียว"].cell(3, HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1).value = "ข้าวหลาม"
    wb.save(book)
    with backend:
        fourth = sync_cycle(config, backend, TODAY, cache=cache, previous=third)
    assert fourth.summary is not third.summary
    assert sorted(a.spreadsheet for a in fourth.applied if a.written) == [BOOK, NATIONAL]
    assert any("ข้าวหลาม" in r for r in values(tmp_path / NATIONAL, "รวมทั้งประเทศ"))


def test_the_daemon_lets_its_last_report_go_before_working_out_a_new_one(
    tmp_path: Path,
) -> None:
    """The daemon keeps its last report to stand on; when something changed, that report
    is let go before the new one is worked out and written, so the bot never holds two
    national reports at once (its memory stays that of one cycle)."""
    config = make_project(tmp_path)
    kept = LastReport()
    held_while_writing: list[bool] = []

    class Watching(CountingBackend):
        def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
            held_while_writing.append(kept.report is not None)
            return super().apply(plan, read)

    backend = Watching(config)
    cache = cache_for(config)
    with backend:
        for _ in range(3):  # the third one stands on the second
            report = sync_cycle(config, backend, TODAY, cache=cache, previous=kept)
            kept.report = report
    assert kept.report is report
    second_summary = report.summary
    book = tmp_path / BOOK
    wb = openpyxl.load_workbook(book)
    wb["อำเภอภูเขียว"].cell(3, HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1).value = "ข้าวหลาม"
    wb.save(book)
    held_while_writing.clear()
    with backend:
        fourth = sync_cycle(config, backend, TODAY, cache=cache, previous=kept)
    assert held_while_writing and not any(held_while_writing)
    assert kept.report is None and fourth.summary is not second_summary
    assert any("ข้าวหลาม" in r for r in values(tmp_path / NATIONAL, "รวมทั้งประเทศ"))


def test_a_person_s_edit_is_read_and_only_what_it_changes_is_written(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    cycle(config)
    book = tmp_path / BOOK
    wb = openpyxl.load_workbook(book)
    identity_col = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
    wb["อำเภอภูเขียว"].cell(3, identity_col).value = "ข้าวหลามหนองแวง"
    wb.save(book)
    reads, applied, written = counted(config)
    assert reads == [BOOK]  # national.xlsx still holds what the bot wrote: not read
    assert applied == written == [BOOK, NATIONAL]
    assert values(book, "อำเภอภูเขียว")[2][STATUS_COL - 1] == "ครบถ้วน"
    national = values(tmp_path / NATIONAL, "รวมทั้งประเทศ")
    assert any("ข้าวหลามหนองแวง" in r for r in national)
    assert counted(config) == ([], [], [])


def test_a_save_that_keeps_size_and_mtime_is_still_noticed(tmp_path: Path) -> None:
    # Saved within the same timestamp tick as the bot's own write (same size, same mtime).
    config = make_project(tmp_path)
    cycle(config)
    book = tmp_path / BOOK
    st = book.stat()
    _same_size_edit(book)
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (book.stat().st_size, book.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    reads, _, _ = counted(config)
    assert reads == [BOOK]


def test_an_old_file_rewritten_and_given_back_its_mtime_is_noticed(tmp_path: Path) -> None:
    # Long unchanged, then rewritten in place with the same size and its old mtime put back
    # (as `cp -p` or a backup restore does).
    config = make_project(tmp_path)
    cycle(config)
    book = tmp_path / BOOK
    age(book)
    assert counted(config) == ([], [], [])
    st = book.stat()
    _same_size_edit(book)
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert counted(config)[0] == [BOOK]


def test_a_file_only_touched_is_hashed_not_read(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    cycle(config)
    book = tmp_path / BOOK
    os.utime(book)  # a new mtime, the same bytes (a sync tool, `touch`)
    assert counted(config) == ([], [], [])


def test_a_save_racing_the_bot_s_write_is_kept_and_read_next_time(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    cycle(config)
    book = tmp_path / BOOK
    wb = openpyxl.load_workbook(book)
    wb["อำเภอบ้านเขว้า"].append(khwao_row(identity="", lao="ทต.โนนแดง"))
    wb.save(book)  # the bot has something to write into the workbook

    class SaveWhileWriting(CountingBackend):
        """A person saves the workbook at the last moment before the bot's rename."""

        calls = 0

        def busy(self, spreadsheet: str) -> str | None:
            # Asked before the bot reads the file for writing, and again before the rename.
            self.calls += spreadsheet == BOOK
            if spreadsheet == BOOK and self.calls == 2:
                person = openpyxl.load_workbook(book)
                tags = "#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอคอนสาร"
                konsan = row(district="คอนสาร", lao="อบต.ทุ่งนาเลา", hashtags=tags)
                person["อำเภอคอนสาร"].append(konsan)
                person.save(book)
            return super().busy(spreadsheet)

    backend = SaveWhileWriting(config)
    with backend:
        report = sync_cycle(config, backend, TODAY, cache=cache_for(config))
    [skipped] = report.skipped
    assert skipped.spreadsheet == BOOK
    assert "changed while the bot was working" in (skipped.skipped_reason or "")
    konsan = values(book, "อำเภอคอนสาร")
    assert konsan[1][HEADERS.index("องค์กรปกครองส่วนท้องถิ่น")] == "อบต.ทุ่งนาเลา"
    # The next cycle reads the person's version and writes statuses for both new rows.
    reads, _, written = counted(config)
    assert reads == [BOOK] and BOOK in written
    assert values(book, "อำเภอคอนสาร")[1][STATUS_COL - 1] == "ครบถ้วน"
    assert values(book, "อำเภอบ้านเขว้า")[2][STATUS_COL - 1].startswith("ต้องแก้ไข")


def test_a_save_right_after_the_bot_s_write_is_not_taken_for_the_bot_s(tmp_path: Path) -> None:
    config = make_project(tmp_path)

    class SaveAfterWriting(CountingBackend):
        """A person saves the workbook right after the bot's rename, in place, keeping its
        size and mtime (the worst case: the same timestamp tick)."""

        def apply(self, plan: SheetPlan, read: SheetRead | None) -> ApplyResult:
            result = super().apply(plan, read)
            if plan.spreadsheet == BOOK:
                book = tmp_path / BOOK
                st = book.stat()
                _same_size_edit(book)
                os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))
            return result

    cycle(config, SaveAfterWriting(config))
    assert counted(config)[0] == [BOOK]


def test_what_the_bot_keeps_of_its_write_is_what_a_fresh_read_finds(tmp_path: Path) -> None:
    # A new status column right of a stray cell, statuses, highlights, the bot's tabs; then
    # a row emptied by a person, whose stale status the bot clears.
    tabs = {
        "อำเภอบ้านเขว้า": [HEADERS, khwao_row(), [], [None] * (STATUS_COL + 2) + ["x"]],
        "อำเภอภูเขียว": [HEADERS, row(), row(identity="", phone="12345"), row()],
        "อำเภอคอนสาร": [HEADERS],
    }
    config = make_project(tmp_path, tabs)
    for step in ("first", "a row emptied"):
        if step == "a row emptied":
            wb = openpyxl.load_workbook(tmp_path / BOOK)
            for cell in wb["อำเภอภูเขียว"][3][: len(HEADERS)]:
                cell.value = None
            wb.save(tmp_path / BOOK)
        backend, written = cycle(config)
        assert written == [BOOK, NATIONAL], step
        for sheet in (BOOK, NATIONAL):
            kept = backend.last_write(sheet)
            assert kept is not None
            with XlsxBackend(config) as other:
                fresh = other.read(sheet, list(kept.tabs), list(kept.bot_tabs))
            assert (kept.tabs, kept.bot_tabs) == (fresh.tabs, fresh.bot_tabs), (step, sheet)
            cached = cache_for(config).load(sheet)
            assert cached is not None
            again = cached.read(list(kept.tabs), list(kept.bot_tabs), fresh.version)
            assert again is not None and again.tabs == fresh.tabs, (step, sheet)
    assert values(tmp_path / BOOK, "อำเภอภูเขียว")[2][STATUS_COL - 1] is None


def _same_size_edit(path: Path) -> None:
    """Change a byte of the file in place, keeping its size and leaving a valid package:
    the modification time stored in the first member's local header (a save that changes
    nothing the bot reads still changes the file, and must be noticed as a change)."""
    data = bytearray(path.read_bytes())
    assert data[:4] == b"PK\x03\x04"
    data[10] ^= 0x01  # the low byte of the member's DOS modification time
    with open(path, "r+b") as handle:
        handle.write(data)


def test_the_file_s_identity_alone_is_never_taken_for_its_content(tmp_path: Path) -> None:
    # Device, inode, size, mtime (and ctime) all as they were, the bytes not: whatever the
    # file system's clock or timestamp tick, only the hash says the workbook is unchanged.
    book = tmp_path / "a.xlsx"
    book.write_bytes(b"PK\x03\x04 a workbook")
    old = time.time_ns() - 3600 * 10**9
    os.utime(book, ns=(old, old))
    _, version = xlsx_file.snapshot(book)
    assert xlsx_file.still_holds(book, version) == version
    other = replace(version, digest=hashlib.sha256(b"what a person saved").hexdigest())
    assert version.same_file(book.stat())
    assert xlsx_file.still_holds(book, other) is None


@pytest.mark.slow
def test_a_save_at_any_moment_of_a_sync_is_what_the_next_cycle_works_from(
    tmp_path: Path,
) -> None:
    # A person saves from another process (in place, or renamed over) at a random moment of
    # a cycle that would otherwise read and write nothing. Whatever the moment, the next
    # cycle works from what the file holds, never from what the bot kept before the save.
    rng = random.Random(2569)
    config = make_project(tmp_path, big_tabs(60))
    book = tmp_path / BOOK
    original = book.read_bytes()
    part = sheet_parts(book)["อำเภอคอนสาร"]
    saver = subprocess.Popen([sys.executable, "-c", SAVER], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert saver.stdin is not None and saver.stdout is not None
    assert saver.stdout.readline().strip() == "ready"
    seen = 0
    try:
        for trial in range(16):
            book.write_bytes(original)
            cycle(config)  # the bot's write, kept with its hash
            start = time.perf_counter()
            cycle(config)  # unchanged: nothing read, nothing written
            span = time.perf_counter() - start
            marker = f"บันทึกของคน-{trial}"
            mode = "inplace" if trial % 2 else "replace"
            saver.stdin.write(f"{book} {part} {rng.uniform(0, span * 1.5):.4f} {marker} {mode}\n")
            saver.stdin.flush()
            with XlsxBackend(config) as backend:  # the save lands in this cycle, or after it
                sync_cycle(config, backend, TODAY, cache=cache_for(config))
            assert saver.stdout.readline().strip() == "saved"
            with XlsxBackend(config) as other:  # what the file holds now
                fresh = other.read(BOOK, DISTRICT_TABS, [])
            with XlsxBackend(config) as backend:
                report = sync_cycle(config, backend, TODAY, cache=cache_for(config))
            used = report.reads[BOOK]
            assert used.tabs == fresh.tabs, trial
            konsan = used.tabs["อำเภอคอนสาร"].grid or []
            seen += any(marker in r for r in konsan)
    finally:
        saver.stdin.close()
        saver.wait(timeout=30)
    assert seen > 0  # the person's row reached the bot (unless a save was lost on main)
