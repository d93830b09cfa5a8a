"""The last good read of a spreadsheet, kept on disk: it comes back as it was read."""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.model import TabData
from bot.read_cache import ReadCache

AT = datetime(2025, 1, 10, 9, 30, tzinfo=ZoneInfo("Asia/Bangkok"))


def tabs() -> dict[str, TabData]:
    grid = [
        ["เดือนที่รายงาน", "จำนวน", "ตกลง", "วันที่"],
        ["ธ.ค. 2567", 3, True, date(2024, 12, 1)],
        [datetime(2024, 12, 2, 8, 15), 2.5, None, '{"$date": "x"}'],
        [time(8, 30), Decimal("1.5"), "", ""],
    ]
    # A tab named like the cache's own date tag must not confuse it.
    return {
        "อำเภอภูเขียว": TabData("a.xlsx", "อำเภอภูเขียว", grid),
        "$date": TabData("a.xlsx", "$date", [["x"]]),
        "อำเภอคอนสาร": TabData("a.xlsx", "อำเภอคอนสาร", None),  # absent: not kept
    }


def test_a_read_comes_back_with_its_cell_types_and_time(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path / "reads")
    cache.store("a.xlsx", tabs(), AT)
    back = ReadCache(tmp_path / "reads").load("a.xlsx")  # a restarted bot
    assert back is not None and back.read_at == AT
    assert set(back.tabs) == {"อำเภอภูเขียว", "$date"}
    grid = tabs()["อำเภอภูเขียว"].grid
    assert grid is not None
    grid[3][1] = "1.5"  # a type the cache does not know comes back as its text
    assert back.tabs["อำเภอภูเขียว"].grid == grid
    assert back.tabs["$date"].grid == [["x"]]


def test_an_unchanged_read_only_moves_the_time_of_the_last_read(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path)
    cache.store("a.xlsx", tabs(), AT)
    [file] = tmp_path.glob("*.json")
    first = file.stat().st_mtime_ns
    later = datetime(2025, 1, 10, 10, 0, tzinfo=AT.tzinfo)
    cache.store("a.xlsx", tabs(), later)
    assert file.stat().st_mtime_ns == first  # the grids are not written again
    loaded = cache.load("a.xlsx")
    assert loaded is not None and loaded.read_at == later  # still true as of the later read


def test_nothing_kept_damaged_or_foreign_is_none(tmp_path: Path) -> None:
    cache = ReadCache(tmp_path)
    assert cache.load("a.xlsx") is None
    cache.store("a.xlsx", tabs(), AT)
    [file] = tmp_path.glob("*.json")
    file.write_text("{not json", encoding="utf-8")
    assert cache.load("a.xlsx") is None
    file.write_text('{"format": 99}', encoding="utf-8")
    assert cache.load("a.xlsx") is None


def test_an_unwritable_folder_is_only_logged(tmp_path: Path) -> None:
    blocker = tmp_path / "reads"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    ReadCache(blocker).store("a.xlsx", tabs(), AT)  # no exception
    assert ReadCache(blocker).load("a.xlsx") is None


def test_a_read_kept_by_this_process_is_not_parsed_again_but_another_s_write_is_seen(
    tmp_path: Path,
) -> None:
    """The daemon's next cycle takes the read it kept from memory (one copy of every read,
    not two); a write of the same file by another process (`sync` run by hand) wins."""
    daemon, by_hand = ReadCache(tmp_path), ReadCache(tmp_path)
    kept = tabs()
    daemon.store("a.xlsx", kept, AT)
    again = daemon.load("a.xlsx")
    assert again is not None and again.tabs["อำเภอภูเขียว"] is kept["อำเภอภูเขียว"]
    other = tabs()
    other["อำเภอภูเขียว"] = TabData("a.xlsx", "อำเภอภูเขียว", [["แก้ไขแล้ว"]])
    later = datetime(2025, 1, 10, 10, 0, tzinfo=AT.tzinfo)
    by_hand.store("a.xlsx", other, later)
    seen = daemon.load("a.xlsx")
    assert seen is not None and seen.read_at == later
    assert seen.tabs["อำเภอภูเขียว"].grid == [["แก้ไขแล้ว"]]
    # A check that found it unchanged moves its time, held or not.
    even_later = datetime(2025, 1, 10, 11, 0, tzinfo=AT.tzinfo)
    by_hand.touch("a.xlsx", even_later)
    moved = daemon.load("a.xlsx")
    assert moved is not None and moved.read_at == even_later
    # A damaged time stamp makes the held read as unusable as the file read from disk.
    [stamp] = tmp_path.glob("*.at")
    stamp.write_text("not a time", encoding="utf-8")
    assert daemon.load("a.xlsx") is None and by_hand.load("a.xlsx") is None
    by_hand.touch("a.xlsx", even_later)
    # Deleted by an admin: nothing is held on to.
    for file in tmp_path.glob("*.json"):
        file.unlink()
    assert daemon.load("a.xlsx") is None


def test_a_file_damaged_or_replaced_since_is_written_again_by_the_same_read(
    tmp_path: Path,
) -> None:
    """A read the bot already kept is not written twice, but only while the file is the
    one it wrote: a damaged file, or one another process (`sync` by hand) replaced with
    an older read, would otherwise stay so, and be all that is left the day the
    spreadsheet cannot be read."""
    daemon, by_hand = ReadCache(tmp_path), ReadCache(tmp_path)
    daemon.store("a.xlsx", tabs(), AT)
    [file] = tmp_path.glob("*.json")
    file.write_text("{not json", encoding="utf-8")
    later = datetime(2025, 1, 10, 10, 0, tzinfo=AT.tzinfo)
    daemon.store("a.xlsx", tabs(), later)
    back = ReadCache(tmp_path).load("a.xlsx")
    assert back is not None and back.tabs["$date"].grid == [["x"]]
    other = tabs()
    other["$date"] = TabData("a.xlsx", "$date", [["ก่อนหน้า"]])
    by_hand.store("a.xlsx", other, later)
    daemon.store("a.xlsx", tabs(), datetime(2025, 1, 10, 11, 0, tzinfo=AT.tzinfo))
    back = ReadCache(tmp_path).load("a.xlsx")
    assert back is not None and back.tabs["$date"].grid == [["x"]]


@contextmanager
def disk_full_past(size: int) -> Iterator[None]:
    """Writes past ``size`` bytes fail as on a full disk (the process's file size limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    before = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, before)


def test_a_write_the_disk_has_no_room_for_leaves_nothing_behind(tmp_path: Path) -> None:
    """On a full disk the last good read stays as it was, and the failed write leaves no
    half-written file to take up the room that frees up before the next cycle."""
    cache = ReadCache(tmp_path)
    cache.store("a.xlsx", tabs(), AT)
    big = tabs()
    big["อำเภอภูเขียว"] = TabData("a.xlsx", "อำเภอภูเขียว", [["ข้อความยาว" * 200]] * 50)
    kept = sorted(p.name for p in tmp_path.iterdir())
    later = datetime(2025, 1, 10, 10, 0, tzinfo=AT.tzinfo)
    with disk_full_past(4096):
        for _ in range(3):
            cache.store("a.xlsx", big, later)  # logged, never raised
    assert sorted(p.name for p in tmp_path.iterdir()) == kept
    back = cache.load("a.xlsx")
    assert back is not None and back.tabs["$date"].grid == [["x"]]
