"""The fake Sheets API driven the way the bot will drive it: real gspread over real HTTP.

Each test gets a fresh fake (tests/conftest.py; it starts in milliseconds) whose quotas run
on a `FakeClock` the test moves by hand.
"""

from __future__ import annotations

import time
from typing import Any

import gspread
import pytest
import requests
from gspread.utils import ValueInputOption, ValueRenderOption

from fake_sheets import FakeClock, FakeSheets
from fake_sheets.a1 import A1Error, Window, format_range, parse_range, quote_sheet_name

THAI_TAB = "ข้อมูล อำเภอ"
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


@pytest.fixture
def fake_clock() -> FakeClock:
    """The clock the quotas run on; tests move it by hand (overrides tests/conftest.py)."""
    return FakeClock(1_000.0)


@pytest.fixture
def gc(fake: FakeSheets) -> gspread.Client:
    """A real gspread client wired to the fake."""
    return fake.client()


def _reports(fake: FakeSheets) -> str:
    return fake.add_spreadsheet(
        "รายงาน Soft Power",
        tabs={
            "Data": [["district", "score", "note"], ["เมือง", "12", ""], ["บางพลี", "7.5", "ok"]],
            THAI_TAB: [["อำเภอ", "คะแนน"], ["เมือง", "3"]],
            "A1": [["tab called A1"]],
        },
    )


# --- A1 notation ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "sheet", "window"),
    [
        ("'My tab'!A1:B2", "My tab", Window(0, 2, 0, 2)),
        ("'It''s'!C3", "It's", Window(2, 3, 2, 3)),
        ("Sheet1", "Sheet1", None),
        ("A1", None, Window(0, 1, 0, 1)),
        ("'A1'!A1", "A1", Window(0, 1, 0, 1)),
        (f"{THAI_TAB}!A:C", THAI_TAB, Window(0, None, 0, 3)),
        ("Data!A2:C", "Data", Window(1, None, 0, 3)),
        ("Data!2:5", "Data", Window(1, 5, 0, None)),
        ("Data!A1:1", "Data", Window(0, 1, 0, None)),
        ("Data!B2:A1", "Data", Window(0, 2, 0, 2)),
        ("🌵 test 1", "🌵 test 1", None),
    ],
)
def test_a1_parsing(text: str, sheet: str | None, window: Window | None) -> None:
    """Google's A1 forms: quoted, unquoted, whole-sheet, open and reversed ranges."""
    parsed = parse_range(text)
    assert (parsed.sheet, parsed.window) == (sheet, window)


@pytest.mark.parametrize("text", ["A1!A1", "'unterminated!A1", "Data!", "Data!A:1", "''!A1", " A1"])
def test_a1_rejects_what_google_rejects(text: str) -> None:
    """A tab named like a cell must be quoted; half-ranges and stray quotes don't parse."""
    with pytest.raises(A1Error):
        parse_range(text)


def test_a1_printing_quotes_only_when_needed() -> None:
    """Plain ASCII names print bare; spaces, Thai, emoji and cell-like names are quoted."""
    assert quote_sheet_name("Sheet1") == "Sheet1"
    assert quote_sheet_name("A1") == "'A1'"
    assert quote_sheet_name(THAI_TAB) == f"'{THAI_TAB}'"
    assert quote_sheet_name("It's") == "'It''s'"
    assert format_range("🌵 test sheet", 0, 5, 0, 4) == "'🌵 test sheet'!A1:D5"
    assert format_range("Sheet1", 1, 2, 1, 2) == "Sheet1!B2"


# --- gspread against the fake --------------------------------------------------------
def test_open_by_key_lists_tabs_and_properties(fake: FakeSheets, gc: gspread.Client) -> None:
    """open_by_key + worksheet(): metadata comes from spreadsheets.get."""
    sh = gc.open_by_key(_reports(fake))
    assert sh.title == "รายงาน Soft Power"
    assert (sh.locale, sh.timezone) == ("en_US", "Etc/GMT")
    assert [ws.title for ws in sh.worksheets()] == ["Data", THAI_TAB, "A1"]
    data = sh.worksheet("Data")
    assert (data.id, data.row_count, data.col_count) == (0, 1000, 26)
    assert data.get_all_values() == [
        ["district", "score", "note"],
        ["เมือง", "12", ""],
        ["บางพลี", "7.5", "ok"],
    ]


def test_update_raw_keeps_text_and_user_entered_parses(
    fake: FakeSheets, gc: gspread.Client
) -> None:
    """RAW stores strings as typed; USER_ENTERED turns numbers, dates and formulas into values."""
    ws = gc.open_by_key(fake.add_spreadsheet("t")).sheet1
    raw = ws.update([["0042", "=1+1", "2020-01-01"]], "A1", value_input_option=ValueInputOption.raw)
    assert raw["updatedRange"] == "Sheet1!A1:C1"
    ws.update(
        [["0042", "=A2*2", "2020-01-01", "50%", "TRUE"]],
        "A2",
        value_input_option=ValueInputOption.user_entered,
    )
    assert ws.get("A1:E2") == [
        ["0042", "=1+1", "2020-01-01"],
        ["42", "84", "2020-01-01", "50%", "TRUE"],
    ]
    unformatted = ws.get("A1:E2", value_render_option=ValueRenderOption.unformatted)
    assert unformatted == [["0042", "=1+1", "2020-01-01"], [42, 84, 43831, 0.5, True]]
    assert ws.get("B2", value_render_option=ValueRenderOption.formula) == [["=A2*2"]]
    assert fake.tab_values(ws.spreadsheet_id, "Sheet1", "UNFORMATTED_VALUE")[1][:2] == [42, 84]


def test_update_errors_match_google(fake: FakeSheets, gc: gspread.Client) -> None:
    """Writing past a closed range or past the grid answers Google's 400s."""
    ws = gc.open_by_key(fake.add_spreadsheet("t")).sheet1
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["a", "b", "c"]], "A1:B1")
    assert err.value.error["message"] == (
        "Requested writing within range ['Sheet1'!A1:B1], but tried writing to column [C]"
    )
    with pytest.raises(gspread.exceptions.APIError) as err:
        ws.update([["x"]], "A1001")
    assert err.value.error["message"] == (
        "Range ('Sheet1'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )
    assert fake.tab_values(ws.spreadsheet_id, "Sheet1") == []


def test_batch_update_and_batch_get_values(fake: FakeSheets, gc: gspread.Client) -> None:
    """Worksheet.batch_update / batch_get: one request each, ranges as Google prints them."""
    ws = gc.open_by_key(fake.add_spreadsheet("t")).sheet1
    fake.reset_counts()
    result = ws.batch_update(
        [{"range": "A1:B2", "values": [["a", "b"], ["c", ""]]}, {"range": "D4", "values": [[4]]}],
        value_input_option=ValueInputOption.user_entered,
    )
    assert (result["totalUpdatedCells"], result["totalUpdatedSheets"]) == (5, 1)
    got = ws.batch_get(["A1:C3", "D4", "A:A"])
    assert [vr.range for vr in got] == ["Sheet1!A1:C3", "Sheet1!D4", "Sheet1!A1:A1000"]
    assert [list(vr) for vr in got] == [[["a", "b"], ["c"]], [["4"]], [["a"], ["c"]]]
    assert fake.counts == {"values.batchUpdate": 1, "values.batchGet": 1}


def test_values_batch_get_with_thai_and_a1_tab_names(fake: FakeSheets, gc: gspread.Client) -> None:
    """Quoted Thai names with spaces, a tab called "A1", and a bare "A1" (first sheet)."""
    sh = gc.open_by_key(_reports(fake))
    got = sh.values_batch_get(
        [f"'{THAI_TAB}'!A1:B2", "'A1'!A1", "A1", f"{THAI_TAB}!B:B"],
        params={"valueRenderOption": "UNFORMATTED_VALUE"},
    )
    ranges = [(vr["range"], vr.get("values")) for vr in got["valueRanges"]]
    assert ranges == [
        (f"'{THAI_TAB}'!A1:B2", [["อำเภอ", "คะแนน"], ["เมือง", 3]]),
        ("'A1'!A1", [["tab called A1"]]),
        ("Data!A1", [["district"]]),
        (f"'{THAI_TAB}'!B1:B1000", [["คะแนน"], [3]]),
    ]
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.values_batch_get(["A1!A1"])
    assert err.value.response.json() == {
        "error": {
            "code": 400,
            "message": "Unable to parse range: A1!A1",
            "status": "INVALID_ARGUMENT",
        }
    }


def test_open_ranges_columns_and_date_options(fake: FakeSheets, gc: gspread.Client) -> None:
    """A2:C, 2:3, majorDimension=COLUMNS and dateTimeRenderOption behave like Google."""
    key = fake.add_spreadsheet("t", tabs={"T": [["h1", "h2"], ["2024-03-01", "x"], ["", "y"]]})
    sh = gc.open_by_key(key)
    assert sh.values_get("T!A2:C")["range"] == "T!A2:C1000"
    rows = sh.values_get("T!2:3")
    assert (rows["range"], rows["values"]) == ("T!A2:Z3", [["2024-03-01", "x"], ["", "y"]])
    cols = sh.values_get("T", params={"majorDimension": "COLUMNS"})
    assert cols["values"] == [["h1", "2024-03-01"], ["h2", "x", "y"]]
    serial = sh.values_get("T!A2", params={"valueRenderOption": "UNFORMATTED_VALUE"})
    text = sh.values_get(
        "T!A2",
        params={
            "valueRenderOption": "UNFORMATTED_VALUE",
            "dateTimeRenderOption": "FORMATTED_STRING",
        },
    )
    assert (serial["values"], text["values"]) == ([[45352]], [["2024-03-01"]])


def test_spreadsheet_batch_update_sheets_cells_and_metadata(
    fake: FakeSheets, gc: gspread.Client
) -> None:
    """addSheet + updateCells + createDeveloperMetadata in one call, replies in order."""
    sh = gc.open_by_key(_reports(fake))
    red = {"red": 1.0, "green": 0.8, "blue": 0.8}
    reply = sh.batch_update(
        {
            "requests": [
                {
                    "addSheet": {
                        "properties": {
                            "title": "สรุป",
                            "sheetId": 4242,
                            "gridProperties": {"rowCount": 10},
                        }
                    }
                },
                {
                    "updateCells": {
                        "range": {
                            "sheetId": 4242,
                            "startRowIndex": 0,
                            "endRowIndex": 1,
                            "endColumnIndex": 2,
                        },
                        "rows": [
                            {
                                "values": [
                                    {"userEnteredValue": {"stringValue": "total"}},
                                    {
                                        "userEnteredValue": {"numberValue": 19.5},
                                        "userEnteredFormat": {"backgroundColor": red},
                                    },
                                ]
                            }
                        ],
                        "fields": "userEnteredValue,userEnteredFormat.backgroundColor",
                    }
                },
                {
                    "createDeveloperMetadata": {
                        "developerMetadata": {
                            "metadataKey": "softpower-bot",
                            "metadataValue": "owned",
                            "location": {"sheetId": 4242},
                            "visibility": "DOCUMENT",
                        }
                    }
                },
            ]
        }
    )
    added, cells, meta = reply["replies"]
    assert added["addSheet"]["properties"] == {
        "sheetId": 4242,
        "title": "สรุป",
        "index": 3,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 10, "columnCount": 26},
    }
    assert cells == {}
    created = meta["createDeveloperMetadata"]["developerMetadata"]
    assert created["location"] == {"locationType": "SHEET", "sheetId": 4242}
    assert fake.tab_values(sh.id, "สรุป") == [["total", "19.5"]]
    assert fake.backgrounds(sh.id, "สรุป") == {"B1": {"red": 1, "green": 0.8, "blue": 0.8}}

    found = gc.http_client.request(
        "post",
        f"{SHEETS}/{sh.id}/developerMetadata:search",
        json={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "softpower-bot"}}]},
    ).json()
    assert [m["developerMetadata"]["metadataId"] for m in found["matchedDeveloperMetadata"]] == [
        created["metadataId"]
    ]
    listed = sh.fetch_sheet_metadata()["sheets"][3]
    assert listed["developerMetadata"] == [created]
    sh.batch_update(
        {
            "requests": [
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {
                            "developerMetadataLookup": {"metadataId": created["metadataId"]}
                        }
                    }
                }
            ]
        }
    )
    assert fake.developer_metadata(sh.id) == []


def test_spreadsheet_batch_update_is_all_or_nothing(fake: FakeSheets, gc: gspread.Client) -> None:
    """One bad request: 400 naming it, and none of the batch applies."""
    sh = gc.open_by_key(_reports(fake))
    with pytest.raises(gspread.exceptions.APIError) as err:
        sh.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "new"}}},
                    {"deleteSheet": {"sheetId": 999}},
                ]
            }
        )
    assert err.value.error == {
        "code": 400,
        "message": "Invalid requests[1].deleteSheet: No grid with id: 999",
        "status": "INVALID_ARGUMENT",
    }
    assert [ws.title for ws in sh.worksheets()] == ["Data", THAI_TAB, "A1"]
    with pytest.raises(gspread.exceptions.APIError, match='Unknown name "frobnicate"'):
        sh.batch_update({"requests": [{"frobnicate": {}}]})


def test_a_batch_update_answers_only_the_fields_asked_for(
    fake: FakeSheets, gc: gspread.Client
) -> None:
    """The `fields` parameter narrows the answer (here the cells asked back); a field the
    response does not have is refused before anything is changed."""
    key = _reports(fake)
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{key}:batchUpdate"
    body = {
        "requests": [{"addSheet": {"properties": {"title": "new"}}}],
        "includeSpreadsheetInResponse": True,
        "responseRanges": ["Data!A1:B2"],
        "responseIncludeGridData": True,
    }
    fields = (
        "spreadsheetId,"
        "updatedSpreadsheet(sheets(properties(title),data(rowData(values(effectiveValue)))))"
    )
    answer = gc.http_client.request("post", url, json=body, params={"fields": fields}).json()
    assert set(answer) == {"spreadsheetId", "updatedSpreadsheet"}  # no "replies"
    (sheet,) = answer["updatedSpreadsheet"]["sheets"]
    assert set(sheet) == {"properties", "data"} and sheet["properties"] == {"title": "Data"}
    cells = [c for row in sheet["data"][0]["rowData"] for c in row["values"]]
    assert cells and all(set(c) <= {"effectiveValue"} for c in cells)
    body["requests"] = [{"addSheet": {"properties": {"title": "other"}}}]
    with pytest.raises(gspread.exceptions.APIError, match="Invalid field selection"):
        gc.http_client.request(
            "post", url, json=body, params={"fields": "updatedSpreadsheet(nope)"}
        )
    assert "other" not in [ws.title for ws in gc.open_by_key(key).worksheets()]


def test_dimensions_repeat_cell_and_sheet_properties(fake: FakeSheets, gc: gspread.Client) -> None:
    """insert/delete/appendDimension move data; repeatCell paints; properties update."""
    sh = gc.open_by_key(_reports(fake))
    ws = sh.worksheet("Data")
    green = {"red": 0.8, "green": 1, "blue": 0.8}
    sh.batch_update(
        {
            "requests": [
                {
                    "insertDimension": {
                        "range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 1, "endIndex": 3}
                    }
                },
                {
                    "deleteDimension": {
                        "range": {
                            "sheetId": 0,
                            "dimension": "COLUMNS",
                            "startIndex": 2,
                            "endIndex": 3,
                        }
                    }
                },
                {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 5}},
                {
                    "repeatCell": {
                        "range": {
                            "sheetId": 0,
                            "startRowIndex": 0,
                            "endRowIndex": 1,
                            "endColumnIndex": 2,
                        },
                        "cell": {"userEnteredFormat": {"backgroundColor": green}},
                        "fields": "userEnteredFormat.backgroundColor",
                    }
                },
                {
                    "updateDimensionProperties": {
                        "range": {"sheetId": 0, "dimension": "COLUMNS"},
                        "properties": {"pixelSize": 90},
                        "fields": "pixelSize",
                    }
                },
                {
                    "updateSheetProperties": {
                        "properties": {
                            "sheetId": 0,
                            "title": "Data 2024",
                            "tabColor": {"red": 1},
                            "gridProperties": {"frozenRowCount": 1},
                        },
                        "fields": "title,tabColor,gridProperties.frozenRowCount",
                    }
                },
            ]
        }
    )
    assert fake.tab_values(sh.id, "Data 2024") == [
        ["district", "score"],
        [],
        [],
        ["เมือง", "12"],
        ["บางพลี", "7.5"],
    ]
    assert fake.backgrounds(sh.id, "Data 2024") == {
        "A1": {"red": 0.8, "green": 1, "blue": 0.8},
        "B1": {"red": 0.8, "green": 1, "blue": 0.8},
    }
    props = sh.fetch_sheet_metadata()["sheets"][0]["properties"]
    assert props["gridProperties"] == {"rowCount": 1007, "columnCount": 25, "frozenRowCount": 1}
    assert (props["tabColor"], props["tabColorStyle"]) == ({"red": 1}, {"rgbColor": {"red": 1}})
    assert ws.id == 0


def test_get_all_records_on_a_naive_path(fake: FakeSheets, gc: gspread.Client) -> None:
    """The naive approach (a read per tab, append_row per row) works and is countable."""
    key = fake.add_spreadsheet(
        "t", tabs={"Data": [["district", "score"], ["เมือง", "12"], ["บางพลี", "7.5"]]}
    )
    ws = gc.open_by_key(key).worksheet("Data")
    assert ws.get_all_records() == [
        {"district": "เมือง", "score": 12},
        {"district": "บางพลี", "score": 7.5},
    ]
    fake.reset_counts()
    new_rows: list[list[str | int | float]] = [["บางบ่อ", 3], ["พระประแดง", 4]]
    for row in new_rows:
        ws.append_row(row, value_input_option=ValueInputOption.user_entered)
    assert fake.counts == {"values.append": 2}
    assert fake.tab_values(key, "Data")[-2:] == [["บางบ่อ", "3"], ["พระประแดง", "4"]]


def test_clear_and_batch_clear_keep_formats(fake: FakeSheets, gc: gspread.Client) -> None:
    """values.clear / batchClear drop values only."""
    key = fake.add_spreadsheet("t", tabs={"T": [["a", "b"], ["c", "d"]]})
    sh = gc.open_by_key(key)
    sh.batch_update(
        {
            "requests": [
                {
                    "repeatCell": {
                        "range": {"sheetId": 0, "endRowIndex": 1, "endColumnIndex": 1},
                        "cell": {"userEnteredFormat": {"backgroundColor": {"blue": 1}}},
                        "fields": "userEnteredFormat",
                    }
                }
            ]
        }
    )
    assert sh.values_clear("T!A1:A2")["clearedRange"] == "T!A1:A2"
    assert sh.values_batch_clear(body={"ranges": ["T!B2"]})["clearedRanges"] == ["T!B2"]
    assert fake.tab_values(key, "T") == [["", "b"]]
    assert fake.background(key, "T", "A1") == {"blue": 1}


def test_create_open_delete_through_drive(fake: FakeSheets, gc: gspread.Client) -> None:
    """gspread create / open / del_spreadsheet, and spreadsheets.create. A service account
    owns no Drive storage: it creates files only in a shared drive's folder."""
    with pytest.raises(gspread.exceptions.APIError, match="Service Accounts do not have storage"):
        gc.create("ใหม่")
    sh = gc.create("ใหม่", folder_id=fake.add_folder("รายงาน", shared_drive=True))
    assert [ws.title for ws in sh.worksheets()] == ["Sheet1"]
    assert gc.open("ใหม่").id == sh.id
    assert sh.creationTime.endswith("Z")
    gc.del_spreadsheet(sh.id)
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key(sh.id)
    made = (
        fake.session()
        .post(
            SHEETS,
            json={"properties": {"title": "direct"}, "sheets": [{"properties": {"title": "Only"}}]},
        )
        .json()
    )
    assert [s["properties"]["title"] for s in made["sheets"]] == ["Only"]
    assert fake.counts["drive.files.create"] == 2 and fake.counts["spreadsheets.create"] == 1


def test_errors_are_shaped_like_google(fake: FakeSheets, gc: gspread.Client) -> None:
    """404 unknown spreadsheet, 403 when not shared (gspread maps both)."""
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
        gc.open_by_key("no-such-key")
    answer = fake.session().get(f"{SHEETS}/no-such-key")
    assert answer.json() == {
        "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    }
    key = fake.add_spreadsheet("private", shared=False)
    with pytest.raises(PermissionError):
        gc.open_by_key(key)
    answer = fake.session().get(f"{SHEETS}/{key}/values/A1")
    assert (answer.status_code, answer.json()["error"]["status"]) == (403, "PERMISSION_DENIED")


def test_session_refuses_everything_but_the_fake(fake: FakeSheets) -> None:
    """Nothing can reach Google (or anywhere else) through the fake's session."""
    with pytest.raises(requests.ConnectionError, match="refuses"):
        fake.session().post("https://oauth2.googleapis.com/token")


# --- quotas and counts -----------------------------------------------------------------
def test_read_quota_gives_429_until_the_minute_passes(
    fake: FakeSheets, fake_clock: FakeClock
) -> None:
    """Over the per-minute read quota: 429 RESOURCE_EXHAUSTED; writes have their own quota."""
    key = fake.add_spreadsheet("t")
    fake.set_quota(read_per_minute=3)
    session = fake.session()
    statuses = [session.get(f"{SHEETS}/{key}/values/A1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = session.get(f"{SHEETS}/{key}").json()["error"]
    assert (body["code"], body["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert body["details"][0]["metadata"]["quota_limit"] == "ReadRequestsPerMinutePerUser"
    assert session.put(
        f"{SHEETS}/{key}/values/A1?valueInputOption=RAW", json={"values": [["w"]]}
    ).ok
    fake_clock.advance(60)
    assert session.get(f"{SHEETS}/{key}/values/A1").json()["values"] == [["w"]]
    assert fake.counts == {"values.get": 5, "spreadsheets.get": 1, "values.update": 1}
    assert (fake.quota_used("read"), fake.quota_used("write")) == (1, 0)  # a new minute


def test_counts_by_kind_and_reset(fake: FakeSheets, gc: gspread.Client) -> None:
    """Every request is counted under its kind; reset_counts starts over."""
    sh = gc.open_by_key(_reports(fake))
    sh.values_batch_get(["Data!A1", "Data!B2"])
    sh.values_batch_get(["Data!A1"])
    sh.worksheet("Data").update([["x"]], "D1")
    assert fake.counts == {"spreadsheets.get": 2, "values.batchGet": 2, "values.update": 1}
    assert [r.status for r in fake.requests] == [200] * 5
    fake.reset_counts()
    assert fake.counts == {}


# --- faults ----------------------------------------------------------------------------
def test_status_faults_are_seen_by_plain_requests(fake: FakeSheets) -> None:
    """429 (with Retry-After), 500 and 503 answers, each once, then back to normal."""
    key = fake.add_spreadsheet("t")
    url = f"{fake.url}/v4/spreadsheets/{key}/values:batchGet?ranges=A1"
    fake.fail_next(429, retry_after=7)
    fake.fail_next(500)
    fake.fail_next(503, kind="values.batchGet")
    first = requests.get(url, timeout=5)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert first.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert requests.get(url, timeout=5).json()["error"] == {
        "code": 500,
        "message": "Internal error encountered.",
        "status": "INTERNAL",
    }
    # Not a batchGet, so the 503 armed for batchGet lets it through.
    assert requests.get(f"{fake.url}/v4/spreadsheets/{key}", timeout=5).status_code == 200
    assert requests.get(url, timeout=5).json()["error"]["status"] == "UNAVAILABLE"
    assert requests.get(url, timeout=5).status_code == 200
    assert fake.pending == {"faults": 0, "hooks": 0}


def test_slow_and_dropped_answers(fake: FakeSheets) -> None:
    """A slow answer trips a client timeout; a dropped connection is a ConnectionError."""
    key = fake.add_spreadsheet("t")
    session = fake.session()
    fake.slow_next(0.3, kind="spreadsheets.get")
    with pytest.raises(requests.ReadTimeout):
        session.get(f"{SHEETS}/{key}", timeout=0.05)
    fake.slow_next(0.1)
    started = time.monotonic()
    assert session.get(f"{SHEETS}/{key}", timeout=5).ok
    assert time.monotonic() - started >= 0.1
    fake.drop_next()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{fake.url}/v4/spreadsheets/{key}", timeout=5)
    assert session.get(f"{SHEETS}/{key}", timeout=5).ok
    assert [r.status for r in fake.requests][-2:] == [0, 200]


# --- a person's edit between two requests ------------------------------------------------
def test_person_inserts_a_row_between_two_reads(fake: FakeSheets, gc: gspread.Client) -> None:
    """The hook runs once, right before the next matching request, and shifts the rows."""
    key = fake.add_spreadsheet("t", tabs={"Data": [["h"], ["r1"], ["r2"]]})
    sh = gc.open_by_key(key)
    seen: list[Any] = []

    def staff_edit(f: FakeSheets) -> None:
        f.insert_rows(key, "Data", 2, [["typed by staff"]])
        f.delete_rows(key, "Data", 4)
        seen.append("edited")

    before = sh.values_batch_get(["Data!A1:A4"])["valueRanges"][0]["values"]
    fake.before_next(staff_edit, kind="values.batchGet")
    sh.worksheet("Data").update([["bot"]], "B1")  # not a batchGet: the hook waits
    assert seen == []
    after = sh.values_batch_get(["Data!A1:A4"])["valueRanges"][0]["values"]
    again = sh.values_batch_get(["Data!A1:A4"])["valueRanges"][0]["values"]
    assert before == [["h"], ["r1"], ["r2"]]
    assert after == again == [["h"], ["typed by staff"], ["r1"]]
    assert seen == ["edited"]
