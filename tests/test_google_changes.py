"""Reading only what changed and writing only the difference, on the fake: Drive tells the
bot which spreadsheets changed, a person's edit beside the bot's own writes is never hidden,
the bot's tabs change row by row and keep everything people built on them, monthly records
are server-side copies, and an unchanged cycle does nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests

from bot.backends.google import GoogleBackend
from bot.backends.google_requests import DIGEST_KEY
from bot.cycle import sync_cycle
from bot.doctor import diagnose
from bot.quarters import quarter_of, snapshot_names
from fake_sheets import FakeSheets
from tests.factories import HEADERS, row
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

TODAY = date(2025, 1, 17)
TAB = "อำเภอภูเขียว"
STATUS = len(HEADERS) + 1
IDENTITY = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1
NOTE = HEADERS.index("หมายเหตุ") + 1
POST_URL = HEADERS.index("ลิงก์เผยแพร่") + 1
NATIONAL = "รวมทั้งประเทศ"


class Recorder:
    """Every request body the bot sends, by API method, from a `requests` hook."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any] | None]] = []

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        request = response.request
        body = request.body
        text = body.decode() if isinstance(body, bytes) else body
        self.sent.append(
            (str(request.method), str(request.url), json.loads(text) if text else None)
        )

    def batches(self, spreadsheet: str) -> list[list[dict[str, Any]]]:
        """The request lists of the batchUpdates sent to one spreadsheet."""
        return [body["requests"] for _, url, body in self.sent
                if body and f"{spreadsheet}:batchUpdate" in url]  # fmt: skip

    def size(self) -> int:
        return sum(len(json.dumps(b, ensure_ascii=False).encode()) for _, _, b in self.sent if b)


def recording(world: GoogleWorld, **kwargs: Any) -> Recorder:
    """Give the world a bot whose requests are recorded."""
    assert world.config is not None
    recorder = Recorder()
    session = world.fake.session()
    session.hooks["response"].append(recorder.hook)
    world._backend = GoogleBackend(world.config, session=session, sleep=lambda s: None, **kwargs)
    return recorder


def reads_of(fake: FakeSheets, spreadsheet: str) -> int:
    return sum(1 for r in fake.requests
               if r.kind == "spreadsheets.get" and f"/{spreadsheet}" in r.path)  # fmt: skip


def status(world: GoogleWorld, line: int) -> str:
    return str(world.values("province", TAB)[line - 1][STATUS - 1])


def _before(fake: FakeSheets, kind: str, action: Callable[[FakeSheets], None]) -> None:
    fake.before_next(action, kind=kind)


@pytest.mark.parametrize(
    "moment",
    ["drive.changes.list", "spreadsheets.get", "spreadsheets.batchUpdate",
     "values.batchUpdateByDataFilter", "after the cycle"],
)  # fmt: skip
def test_a_persons_edit_beside_the_bots_own_writes_is_never_hidden(
    fake: FakeSheets, moment: str
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    assert status(world, 3).startswith("ต้องแก้ไข")  # row 3 has no identity
    # A cycle with writes into the province (a fix in row 4), and a person filling in row
    # 3's identity at some moment of it.
    world.set_value("province", TAB, 4, POST_URL, "https://www.facebook.com/x/posts/4")

    def fill(f: FakeSheets) -> None:
        f.set_values(world.ids["province"], TAB, f"{chr(64 + IDENTITY)}3", [["ข้าวหลาม"]])

    if moment == "after the cycle":
        world.sync()
        fill(fake)
    else:
        _before(fake, moment, fill)
        world.sync()
        assert fake.pending["hooks"] == 0
    fake.reset_counts()
    world.sync()  # the following cycle sees the edit, whenever it was made
    assert status(world, 3).startswith("ครบถ้วน")
    world.sync()
    fake.reset_counts()
    world.sync()
    assert dict(fake.counts) == {"drive.changes.list": 1}  # and then it is quiet again


def test_without_the_drive_api_every_spreadsheet_is_read_every_cycle(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    fake.disable_api("drive.googleapis.com")
    world.sync()
    for _ in range(2):
        fake.reset_counts()
        world.sync()
        assert fake.counts.get("spreadsheets.get") == 2  # both, every cycle
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    world.sync()
    assert status(world, 3).startswith("ครบถ้วน")
    findings = diagnose(config, lambda c: GoogleBackend(c, session=fake.session()))
    assert any("reads every spreadsheet every cycle" in f.english for f in findings)


def test_everything_is_read_again_every_full_read_hours(fake: FakeSheets) -> None:
    clock = [1_000_000.0]
    world = GoogleWorld(fake, full_read_hours=2)
    world.make(default_tabs())
    recording(world, now=lambda: clock[0])
    world.sync()
    clock[0] += 3600
    fake.reset_counts()
    world.sync()
    assert "spreadsheets.get" not in fake.counts  # within two hours: Drive is trusted
    clock[0] += 3601
    fake.reset_counts()
    report = world.sync()
    assert fake.counts["spreadsheets.get"] == 2  # the safety net: both read
    assert not any(a.written for a in report.applied)


def test_a_write_whose_answer_was_lost_makes_the_next_cycle_read_again(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    # The status write is carried out but its answer never arrives; the bot sends it again.
    fake.late_next(40, kind="values.batchUpdateByDataFilter")
    world._backend = None
    assert world.config is not None
    world.config = world.config.model_copy(update={"google": world.config.google.model_copy(
        update={"timeout_s": 1.0})})  # fmt: skip
    world.sync()
    fake.clear_faults()
    fake.reset_counts()
    world.sync()
    # It cannot know whether Drive's version counts one status write or two: it reads.
    assert reads_of(fake, world.ids["province"]) == 1


def _build_on_the_national_tab(world: GoogleWorld) -> dict[str, int]:
    """What DLA staff build on the national tab: a filter, a filter view, a chart on a tab
    of their own, a protected range and a formula counting its rows."""
    fake, national = world.fake, world.ids["national"]
    fake.add_tab(national, "กราฟ", [["=COUNTA('รวมทั้งประเทศ'!R2:R500)"]])  # rows, by source
    sheets = {s.title: s.sheet_id for s in fake.spreadsheet(national).sheets}
    tab, chart_tab = sheets[NATIONAL], sheets["กราฟ"]
    columns = {"sheetId": tab, "startColumnIndex": 0, "endColumnIndex": 3}  # whole columns
    chart = {"spec": {"basicChart": {"chartType": "COLUMN", "series": [{"series": {
        "sourceRange": {"sources": [columns]}}}]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": chart_tab}}}}  # fmt: skip
    world.fake.client().open_by_key(national).batch_update({"requests": [
        {"setBasicFilter": {"filter": {"range": {"sheetId": tab}}}},
        {"addFilterView": {"filter": {"title": "เฉพาะภูเขียว", "range": {"sheetId": tab}}}},
        {"addChart": {"chart": chart}},
    ]})  # fmt: skip
    fake.protect(national, NATIONAL, "A1:C1", warning_only=True)
    return sheets


def _what_people_built(world: GoogleWorld) -> dict[str, Any]:
    ss = world.fake.spreadsheet(world.ids["national"])
    tab = next(s for s in ss.sheets if s.title == NATIONAL)
    chart = next(s for s in ss.sheets if s.title == "กราฟ").charts[0]
    sources = chart["spec"]["basicChart"]["series"][0]["series"]["sourceRange"]["sources"]
    return {
        "tab id": tab.sheet_id,
        "filter": tab.basic_filter is not None,
        "filter views": [v["title"] for v in tab.filter_views],
        "protected": len(tab.protected),
        "chart reads": [s["sheetId"] for s in sources],
    }


def test_bot_tabs_change_row_by_row_and_keep_what_people_built(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    sheets = _build_on_the_national_tab(world)
    built = _what_people_built(world)
    assert built == {"tab id": sheets[NATIONAL], "filter": True, "filter views": ["เฉพาะภูเขียว"],
                     "protected": 1, "chart reads": [sheets[NATIONAL]]}  # fmt: skip
    recorder = recording(world)
    edits: list[Callable[[], None]] = [
        lambda: world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม"),  # a row changes
        lambda: world.set_value("province", TAB, 5, 1, "ธ.ค. 2567"),  # a row appears
        lambda: fake.delete_rows(world.ids["province"], TAB, 2),  # a row goes
        lambda: world.set_value("province", "อำเภอคอนสาร", 2, NOTE, "ใหม่"),  # another tab
    ]
    for edit in edits:
        edit()
        world.sync()
        national = world.values("national", NATIONAL)
        assert national == world.values("province", "รวมจังหวัดชัยภูมิ")
        assert _what_people_built(world) == built
        assert world.values("national", "กราฟ") == [[len(national) - 1]]
    sent = [r for batch in recorder.batches(world.ids["national"]) for r in batch]
    kinds = {next(iter(r)) for r in sent}
    assert not kinds & {"deleteSheet", "duplicateSheet", "addSheet"}  # the tab itself stays
    assert {"insertDimension", "deleteDimension", "updateCells"} <= kinds
    # Each change sent its own rows only (a deleted row renumbers the rows below it in
    # its source column), never the whole tab of 5 or 6 rows.
    rows_sent = [len(r["updateCells"]["rows"]) for r in sent if "updateCells" in r
                 and r["updateCells"]["start"]["sheetId"] == sheets[NATIONAL]]  # fmt: skip
    assert sum(rows_sent) <= 1 + 1 + 3 + 1


def test_a_difference_too_big_for_one_request_goes_in_parts_never_trusted_half_done(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake, max_request_bytes=10_000, max_retries=0)
    tabs = default_tabs()
    tabs[TAB] += [row(identity=f"ที่ {n}", post_url=f"https://fb.watch/{n}") for n in range(40)]
    world.make(tabs)
    world.sync()
    national = world.ids["national"]
    gid = next(s.sheet_id for s in fake.spreadsheet(national).sheets if s.title == NATIONAL)
    # Every row of the district changes (its month): too much for one 10 kB request.
    for line in range(2, 46):
        world.set_value("province", TAB, line, 1, "ม.ค. 2568")
    digests: list[str] = []

    def watch(f: FakeSheets) -> None:
        meta = {m["metadataKey"]: m["metadataValue"] for m in f.developer_metadata(national)
                if m["location"].get("sheetId") == gid}  # fmt: skip
        digests.append(meta.get(DIGEST_KEY, ""))
        if digests[-1] == "partial":
            f.fail_next(503, kind="spreadsheets.batchUpdate")  # cut the write short
        else:
            f.before_next(watch, kind="spreadsheets.batchUpdate")

    fake.before_next(watch, kind="spreadsheets.batchUpdate")
    report = world.sync()
    # After the national tab's first part its digest said "unknown"; the second part failed.
    assert digests[-1] == "partial"
    assert national in {a.spreadsheet for a in report.skipped}
    world.sync()  # the same bot: it reads the tab back instead of trusting what it sent
    assert world.values("national", NATIONAL) == world.values("province", "รวมจังหวัดชัยภูมิ")
    assert gid == next(s.sheet_id for s in fake.spreadsheet(national).sheets
                       if s.title == NATIONAL)  # fmt: skip


def test_a_tab_an_older_bot_wrote_is_read_back_not_rewritten(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    national = world.ids["national"]
    gid = next(s.sheet_id for s in fake.spreadsheet(national).sheets if s.title == NATIONAL)
    for item in fake.spreadsheet(national).sheets[-3].metadata:  # an older digest format
        item["metadataValue"] = "9f" * 32 if item["metadataKey"] == DIGEST_KEY else (
            item["metadataValue"])  # fmt: skip
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    recorder = recording(world)  # a new bot, after an upgrade
    world.sync()
    assert world.values("national", NATIONAL) == world.values("province", "รวมจังหวัดชัยภูมิ")
    kinds = {next(iter(r)) for b in recorder.batches(national) for r in b}
    assert "deleteSheet" not in kinds and "duplicateSheet" not in kinds
    assert gid == next(s.sheet_id for s in fake.spreadsheet(national).sheets
                       if s.title == NATIONAL)  # fmt: skip


ORGANISATION = HEADERS.index("องค์กรปกครองส่วนท้องถิ่น") + 1


@pytest.mark.parametrize(
    "edit",
    ["sorts it", "types over a cell", "deletes a row", "drags a row down"],
)
def test_a_persons_edit_in_a_bot_tab_never_misplaces_the_next_difference(
    fake: FakeSheets, edit: str
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    national = world.ids["national"]
    gid = next(s.sheet_id for s in fake.spreadsheet(national).sheets if s.title == NATIONAL)
    # A person works on the national tab (its digest stays as the bot wrote it) ...
    if edit == "sorts it":  # by district code, largest first
        code = world.values("national", NATIONAL)[0].index("รหัสอำเภอ") + 1
        fake.sort(national, NATIONAL, (2, 5), (1, 20), code, descending=True)
    elif edit == "types over a cell":
        fake.set_values(national, NATIONAL, f"{chr(64 + ORGANISATION)}3", [["อบต.อื่น"]])
    elif edit == "deletes a row":
        fake.delete_rows(national, NATIONAL, 3)
    else:
        fake.move(national, NATIONAL, "ROWS", 2, 1, 5)
    # ... then a district fixes a row: only that row is due in the national tab.
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    world.sync()
    # The difference lands on the rows the tab really holds, not on the rows the bot
    # remembers writing: no row twice, none missing.
    assert world.values("national", NATIONAL) == world.values("province", "รวมจังหวัดชัยภูมิ")
    assert gid == next(s.sheet_id for s in fake.spreadsheet(national).sheets
                       if s.title == NATIONAL)  # fmt: skip


PROVINCIAL = "รวมจังหวัดชัยภูมิ"
WRITES = ("spreadsheets.batchUpdate", "values.batchUpdateByDataFilter", "values.batchUpdate")


def test_a_persons_sort_of_the_provincial_tab_is_repaired_by_one_read_and_one_write(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    province = world.ids["province"]
    written = world.values("province", PROVINCIAL)
    # A person sorts the provincial tab by district code, largest first (the tab's digest
    # stays as the bot wrote it) ...
    code = written[0].index("รหัสอำเภอ") + 1
    fake.sort(province, PROVINCIAL, (2, len(written)), (1, len(written[0])), code,
              descending=True)  # fmt: skip
    assert world.values("province", PROVINCIAL) != written
    # ... then a district adds a note to a row: its status stays, its roll-up row changes.
    world.set_value("province", TAB, 3, NOTE, "ปรับปรุงข้อมูลแล้ว")
    fake.reset_counts()
    world.sync()
    # The provincial tab holds the bot's rows again, in the bot's order, the new note on
    # its row: the difference was computed from what the tab held, not what the bot wrote.
    now = world.values("province", PROVINCIAL)
    assert now == world.values("national", NATIONAL)
    assert sorted(map(tuple, now)) != sorted(map(tuple, written))  # the note arrived
    assert [r for r in now if "ปรับปรุงข้อมูลแล้ว" in r] != []
    # One read of the province brought its bot tabs' rows too; one write repaired them.
    assert reads_of(fake, province) == 1
    writes = [r.kind for r in fake.requests if r.kind in WRITES and f"/{province}" in r.path]
    assert writes == ["spreadsheets.batchUpdate"]


def test_the_rows_a_read_brings_of_a_bot_tab_tell_its_unchanged_rows_from_changed_ones(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    province = world.ids["province"]
    gid = next(s.sheet_id for s in fake.spreadsheet(province).sheets if s.title == PROVINCIAL)
    recorder = recording(world)
    world.sync()  # the recording bot's first cycle: it knows what it wrote from now on
    edits: list[Callable[[], None]] = [
        lambda: world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม"),  # a row changes
        lambda: world.set_value("province", TAB, 5, 1, "ธ.ค. 2567"),  # a row appears
        lambda: fake.delete_rows(province, TAB, 2),  # a row goes
        lambda: world.set_value("province", "อำเภอคอนสาร", 2, NOTE, "ใหม่"),  # another tab
    ]
    for edit in edits:
        edit()
        fake.reset_counts()
        world.sync()
        assert world.values("province", PROVINCIAL) == world.values("national", NATIONAL)
        assert reads_of(fake, province) == 1  # the provincial tab's rows came with the read
    # Its rows as the read found them (values, links, looks) match the bot's own rows
    # where nothing changed: each change sent only its own rows, as from memory.
    sent = [r for batch in recorder.batches(province) for r in batch]
    rows_sent = [len(r["updateCells"]["rows"]) for r in sent if "updateCells" in r
                 and r["updateCells"]["start"]["sheetId"] == gid]  # fmt: skip
    assert 0 < sum(rows_sent) <= 1 + 1 + 3 + 1


def test_a_provincial_tab_grown_past_what_the_bot_knew_is_read_back_before_its_difference(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    province = world.ids["province"]
    # A person adds rows with a line of their own to the provincial tab, and a district
    # adds a note to a row: the tab is due a difference.
    fake.insert_rows(province, PROVINCIAL, 3, [["บรรทัดของผู้ใช้"], []])
    world.set_value("province", TAB, 3, NOTE, "ปรับปรุงข้อมูลแล้ว")
    fake.reset_counts()
    world.sync()
    # The read saw the tab grown past the rows it asked for: it is read back whole before
    # its difference is written, which lands on the rows the tab really holds.
    assert reads_of(fake, province) == 2
    assert world.values("province", PROVINCIAL) == world.values("national", NATIONAL)


def test_the_monthly_record_is_one_server_side_copy(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    recorder = recording(world)
    world.sync()
    recorder.sent.clear()
    backend = world.backend()
    fake.reset_counts()
    with backend:
        report = sync_cycle(config, backend, TODAY, "บันทึก ม.ค. 2568")
    national = world.ids["national"]
    assert world.values("national", "บันทึก ม.ค. 2568") == world.values("national", NATIONAL)
    [batch] = recorder.batches(national)
    assert {next(iter(r)) for r in batch} <= {"duplicateSheet", "createDeveloperMetadata"}
    assert recorder.size() < 10_000  # no cells sent
    # Only the new tab is asked back: the bot tabs it did not touch are not named (a
    # national spreadsheet holding 76 provincial tabs would name them all).
    [body] = [b for _, url, b in recorder.sent if b and f"{national}:batchUpdate" in url]
    assert [r.split("!")[0].strip("'") for r in body["responseRanges"]] == ["บันทึก ม.ค. 2568"]
    assert dict(fake.counts) == {
        "drive.changes.list": 1, "spreadsheets.get": 1, "spreadsheets.batchUpdate": 1}  # fmt: skip
    assert [a.written for a in report.applied] == [False, True]
    # Made once: the next cycle with the same record writes nothing.
    fake.reset_counts()
    with backend:
        again = sync_cycle(config, backend, TODAY, "บันทึก ม.ค. 2568")
    assert not any(a.written for a in again.applied)


def test_quarter_end_snapshots_are_server_side_copies_too(fake: FakeSheets) -> None:
    """The summary and the register frozen at a quarter's end: two duplicateSheet, no cells
    sent, each copy equal to the tab it froze."""
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    recorder = recording(world)
    world.sync()
    recorder.sent.clear()
    snapshots = snapshot_names(config, quarter_of(TODAY))
    backend = world.backend()
    with backend:
        sync_cycle(config, backend, TODAY, snapshots)
    for tab, copy in snapshots.items():
        assert world.values("national", copy) == world.values("national", tab)
    [batch] = recorder.batches(world.ids["national"])
    kinds = [next(iter(r)) for r in batch]
    assert kinds.count("duplicateSheet") == 2
    assert set(kinds) <= {"duplicateSheet", "createDeveloperMetadata"}
    assert recorder.size() < 10_000  # no cells sent


def test_the_monthly_record_goes_to_the_archive_by_copying_the_tab(fake: FakeSheets) -> None:
    archive = fake.add_spreadsheet("archive", {"อ่านก่อน": [["บันทึกรายเดือน"]]})
    world = GoogleWorld(fake, archive=archive)
    config = world.make(default_tabs())
    recorder = recording(world)
    world.sync()
    recorder.sent.clear()
    with world.backend() as backend:
        sync_cycle(config, backend, TODAY, "บันทึก ม.ค. 2568")
    assert "บันทึก ม.ค. 2568" not in world.tabs("national")
    record = fake.tab_values(archive, "บันทึก ม.ค. 2568", "UNFORMATTED_VALUE")
    assert record == fake.tab_values(world.ids["national"], NATIONAL, "UNFORMATTED_VALUE")
    assert any(":copyTo" in url for _, url, _ in recorder.sent)
    assert recorder.size() < 10_000


def test_an_unchanged_cycle_stands_on_the_previous_result(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    backend = world.backend()
    with backend:
        first = sync_cycle(config, backend, TODAY)
    fake.reset_counts()
    with backend:
        second = sync_cycle(config, backend, TODAY, previous=first)
    assert dict(fake.counts) == {"drive.changes.list": 1}
    assert second.summary is first.summary  # nothing was evaluated again
    assert not any(a.written for a in second.applied)
    # Another day is another input: evaluated again (and still nothing to write).
    with backend:
        third = sync_cycle(config, backend, date(2025, 1, 18), previous=second)
    assert third.summary is not first.summary and third.summary.today == date(2025, 1, 18)


def test_a_damaged_memory_file_is_read_again_not_trusted(fake: FakeSheets, tmp_path: Path) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    sync_cycle(config, GoogleBackend(config, session=fake.session(), memory=tmp_path), TODAY)
    for path in tmp_path.glob("sheet-*.json"):
        path.write_text("{not json", encoding="utf-8")
    fake.reset_counts()
    report = sync_cycle(config, GoogleBackend(config, session=fake.session(), memory=tmp_path),
                        TODAY)  # fmt: skip
    assert fake.counts["spreadsheets.get"] == 2
    assert not report.skipped and not any(a.written for a in report.applied)
