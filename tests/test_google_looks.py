"""How the bot's tabs look on Google Sheets (issue 11), on the fake over real HTTP: frozen
headers, filters, per-cent formats, coloured statuses, the duplicate highlighted, native
charts; all of it kept right, and never doubled, as rows change cycle after cycle."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fake_sheets import FakeSheets
from fake_sheets.model import Sheet
from tests.factories import column
from tests.test_google_changes import (
    IDENTITY,
    NATIONAL,
    TAB,
    _build_on_the_national_tab,
    _what_people_built,
    recording,
)
from tests.workbooks import default_tabs, khwao_row
from tests.worlds import GoogleWorld

SUMMARY = "สรุปตัวชี้วัด"
DASHBOARD = "ภาพรวมจังหวัดชัยภูมิ"
STATUS_HEADER = "ผลการตรวจสอบ (ระบบ)"
DUPLICATE_COLOUR = "F4B183"
PERCENT = '0.0"%"'


def _tab(world: GoogleWorld, where: str, title: str) -> Sheet:
    return next(s for s in world.fake.spreadsheet(world.ids[where]).sheets if s.title == title)


def _format(tab: Sheet, row: int, col: int) -> dict[str, Any]:
    """The format the bot gave 1-based cell (row, col)."""
    cell = tab.cells.get((row - 1, col - 1))
    return (cell.fmt if cell is not None else None) or {}


def _hex(fmt: dict[str, Any]) -> str:
    colour = fmt.get("backgroundColor") or {}
    return "".join(f"{round(colour.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


def _bot_rules(tab: Sheet) -> list[tuple[str, str]]:
    out = []
    for rule in tab.conditional:
        condition = rule["booleanRule"]["condition"]
        if condition["type"] == "TEXT_STARTS_WITH":
            out.append((condition["values"][0]["userEnteredValue"],
                        _hex(rule["booleanRule"]["format"])))  # fmt: skip
    return out


def _chart_titles(world: GoogleWorld, where: str) -> list[str]:
    ss = world.fake.spreadsheet(world.ids[where])
    return [c["spec"].get("title", "") for s in ss.sheets for c in s.charts]


def _with_a_duplicate() -> dict[str, list[list[Any]]]:
    tabs = default_tabs()
    tabs[TAB].append(list(tabs[TAB][1]))  # the first Phu Khiao row typed again
    return tabs


def _duplicate_rows(world: GoogleWorld) -> list[int]:
    """The national tab's rows the bot coloured as duplicates (1-based)."""
    tab = _tab(world, "national", NATIONAL)
    rows = range(1, tab.props["gridProperties"]["rowCount"] + 1)
    return [r for r in rows if _hex(_format(tab, r, 1)) == DUPLICATE_COLOUR]


def test_a_sync_gives_the_bot_tabs_their_looks(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(_with_a_duplicate())
    world.sync()
    national = _tab(world, "national", NATIONAL)
    values = world.values("national", NATIONAL)
    # The header row stays on screen and filters the whole table, whatever its length.
    assert national.props["gridProperties"]["frozenRowCount"] == 1
    assert national.basic_filter is not None
    where = national.basic_filter["range"]
    assert (where["startRowIndex"], where["startColumnIndex"]) == (0, 0)
    assert where["endColumnIndex"] == len(values[0])
    assert "endRowIndex" not in where  # rows added later are inside the filter too
    assert _format(national, 1, 1)["textFormat"]["bold"] is True
    # The statuses are coloured by their first words, one rule each, and wrap.
    status = values[0].index(STATUS_HEADER) + 1
    rules = _bot_rules(national)
    assert rules and len(rules) == len(set(rules))
    assert {prefix for prefix, _ in rules} >= {"ครบถ้วน", "ต้องแก้ไข"}
    assert _format(national, 2, status).get("wrapStrategy") == "WRAP"
    # The row typed twice is highlighted, the row it repeats is not.
    statuses = column(values, STATUS_HEADER)
    flagged = [n for n, s in enumerate(statuses, start=2) if "ซ้ำ" in str(s)]
    assert _duplicate_rows(world) == flagged != []
    # Per cents carry their sign on the summary; the charts are native, each once.
    summary = _tab(world, "national", SUMMARY)
    patterns = Counter(
        (c.fmt or {}).get("numberFormat", {}).get("pattern") for c in summary.cells.values()
    )
    assert patterns[PERCENT] > 0
    titles = _chart_titles(world, "national")
    assert len(titles) == len(set(titles)) >= 3
    assert any("ร้อยละ" in t for t in titles)
    # The province's own dashboard has its charts too.
    assert _chart_titles(world, "province")
    assert _tab(world, "province", DASHBOARD).charts


def test_looks_follow_rows_and_are_never_doubled(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(_with_a_duplicate())
    world.sync()
    sheets = _build_on_the_national_tab(world)  # a person's filter view and chart
    built = _what_people_built(world)
    titles = sorted(_chart_titles(world, "national"))
    rules = {t: _bot_rules(_tab(world, "national", t)) for t in (NATIONAL, SUMMARY)}
    before = _duplicate_rows(world)
    # A row appears above the duplicate (Ban Khwao's rows come first) and another changes.
    for n, value in enumerate(khwao_row(identity="ผ้าขาวม้า"), start=1):
        world.set_value("province", "อำเภอบ้านเขว้า", 3, n, value)
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    world.sync()
    after = _duplicate_rows(world)
    assert after == [r + 1 for r in before]  # the colour moved with its row
    statuses = column(world.values("national", NATIONAL), STATUS_HEADER)
    assert after == [n for n, s in enumerate(statuses, start=2) if "ซ้ำ" in str(s)]
    world.sync()  # a third cycle
    assert sorted(_chart_titles(world, "national")) == titles
    assert {t: _bot_rules(_tab(world, "national", t)) for t in rules} == rules
    assert _what_people_built(world) == built
    person = _tab(world, "national", "กราฟ").charts
    assert len(person) == 1 and person[0]["position"]["overlayPosition"]["anchorCell"][
        "sheetId"] == sheets["กราฟ"]  # fmt: skip
    # The charts read the tables under them as they are now.
    summary = _tab(world, "national", SUMMARY)
    grid = world.values("national", SUMMARY)
    for chart in summary.charts:
        domain = chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0]
        first, end = domain["startRowIndex"], domain["endRowIndex"]
        assert grid[first][0] == chart["spec"]["title"]  # the table's header row
        assert all(grid[r][0] for r in range(first + 1, end))  # then its categories
        assert end == len(grid) or not grid[end] or not grid[end][0]


def test_an_unchanged_cycle_still_writes_nothing(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(_with_a_duplicate())
    world.sync()
    world.sync()
    recorder = recording(world)
    world.sync()
    writes = [(m, url) for m, url, _ in recorder.sent if m == "POST"]
    assert writes == []


def test_a_person_deleting_a_bot_chart_gets_it_back_once(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    summary = _tab(world, "national", SUMMARY)
    titles = sorted(_chart_titles(world, "national"))
    gone = summary.charts[0]["chartId"]
    world.fake.client().open_by_key(world.ids["national"]).batch_update(
        {"requests": [{"deleteEmbeddedObject": {"objectId": gone}}]}
    )
    world.sync()
    world.sync()
    assert sorted(_chart_titles(world, "national")) == titles


def test_a_bot_without_memory_reads_the_looks_back_and_sends_one_row(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    world.make(_with_a_duplicate())
    world.sync()
    world.set_value("province", TAB, 3, IDENTITY, "ข้าวหลาม")
    recorder = recording(world)  # a new bot: it knows the tabs only by reading them back
    world.sync()
    national = _tab(world, "national", NATIONAL)
    sent = [r["updateCells"] for b in recorder.batches(world.ids["national"]) for r in b
            if "updateCells" in r]  # fmt: skip
    rows = [len(u["rows"]) for u in sent if u["start"]["sheetId"] == national.sheet_id]
    # The coloured, bold, wrapped and formatted rows read back match what the bot would
    # write: only the row that changed goes again.
    assert rows == [1]
    assert _duplicate_rows(world) != []
