"""The fake models what people and Google do to a client: structural edits that carry
developer metadata along, sorts and filters, data-filter reads and writes, protected
ranges, Viewer access, a disabled API, per-project quota, late answers, request limits,
conditional formats, and request bodies checked against Google's discovery documents."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from fake_sheets import FakeClock, FakeSheets

API = "https://sheets.googleapis.com/v4/spreadsheets"
TAB = "ข้อมูล"


@pytest.fixture
def fake_clock() -> FakeClock:
    """Quotas on a clock the tests move (overrides tests/conftest.py)."""
    return FakeClock(1_000.0)


@pytest.fixture
def key(fake: FakeSheets) -> str:
    rows = [["ชื่อ", "คะแนน", "สถานะ"], ["ข", 2, "s-ข"], ["ก", 1, "s-ก"], ["ค", 3, "s-ค"]]
    return fake.add_spreadsheet("people", tabs={TAB: rows})


def call(fake: FakeSheets, method: str, path: str, body: Any = None, **params: Any) -> Any:
    session = fake.session()
    answer = session.request(method, f"{API}/{path}", json=body, params=params, timeout=10)
    return answer.status_code, answer.json() if answer.content else None


def batch(fake: FakeSheets, key: str, *requests_: dict[str, Any]) -> tuple[int, Any]:
    return call(fake, "POST", f"{key}:batchUpdate", {"requests": list(requests_)})  # type: ignore[no-any-return]


def sheet_id(fake: FakeSheets, key: str) -> int:
    return fake.spreadsheet(key).sheets[0].sheet_id


def anchor(fake: FakeSheets, key: str, column: int) -> None:
    location = {"dimensionRange": {"sheetId": sheet_id(fake, key), "dimension": "COLUMNS",
                                   "startIndex": column, "endIndex": column + 1}}  # fmt: skip
    status, _ = batch(fake, key, {"createDeveloperMetadata": {"developerMetadata": {
        "metadataId": 77, "metadataKey": "status", "visibility": "DOCUMENT",
        "location": location}}})  # fmt: skip
    assert status == 200


def write_by_anchor(fake: FakeSheets, key: str, values: list[list[Any]]) -> Any:
    where = {"developerMetadataLookup": {"metadataId": 77}}
    body = {"valueInputOption": "RAW", "data": [{"dataFilter": where, "values": values}]}
    return call(fake, "POST", f"{key}/values:batchUpdateByDataFilter", body)


# --- request bodies and parameters checked against the discovery document ------------
@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"updateCells": {"rows": [], "fields": "*", "colour": 1}},
         "Invalid JSON payload received. Unknown name \"colour\" at 'requests[0].update_cells': "
         "Cannot find field."),
        ({"updateCells": {"start": {"rowIndex": "two"}, "fields": "*"}},
         "Invalid value at 'requests[0].update_cells.start.row_index' (TYPE_INT32), \"two\""),
        ({"insertDimension": {"range": {"dimension": "ROWZ"}}},
         "Invalid value at 'requests[0].insert_dimension.range.dimension' (TYPE_ENUM), \"ROWZ\""),
        ({"updateCells": {"fields": "*", "rows": {"values": []}}},
         "Invalid value at 'requests[0].update_cells.rows'"),
    ],
)  # fmt: skip
def test_a_body_that_breaks_the_schema_is_a_400_naming_the_field(
    fake: FakeSheets, key: str, request_: dict[str, Any], message: str
) -> None:
    status, body = batch(fake, key, request_)
    assert status == 400
    assert body["error"]["message"].startswith(message)
    assert fake.tab_values(key, TAB)[1] == ["ข", "2", "s-ข"]  # nothing applied


def test_an_unknown_query_parameter_is_refused(fake: FakeSheets, key: str) -> None:
    status, body = call(fake, "GET", key, includeGridDta="true")
    assert status == 400 and 'Unknown name "includeGridDta"' in body["error"]["message"]


# --- developer metadata on a column, and writes addressed by it ----------------------------
def test_column_metadata_moves_with_the_column_and_writes_follow_it(
    fake: FakeSheets, key: str
) -> None:
    anchor(fake, key, 2)  # on column C, "สถานะ"
    fake.insert_columns(key, TAB, 1, 2)  # two columns before A: C is now E
    fake.move(key, TAB, "COLUMNS", 5, 1, 2)  # E dragged before B: it is B now
    status, body = call(fake, "GET", key, fields="sheets.data.columnMetadata")
    columns = body["sheets"][0]["data"][0]["columnMetadata"]
    assert [i for i, c in enumerate(columns) if c.get("developerMetadata")] == [1]
    status, answer = write_by_anchor(fake, key, [[None], ["ใหม่"]])  # null: left as it is
    assert status == 200 and answer["responses"][0]["updatedRange"].startswith(f"'{TAB}'!B1")
    values = fake.tab_values(key, TAB)
    assert [r[1] for r in values[:2]] == ["สถานะ", "ใหม่"]
    assert values[1] == ["", "ใหม่", "", "ข", "2"]  # nobody else's cell moved or changed


def test_deleting_the_column_deletes_its_metadata_and_writes_then_miss(
    fake: FakeSheets, key: str
) -> None:
    anchor(fake, key, 2)
    fake.delete_columns(key, TAB, 3)
    assert fake.developer_metadata(key) == []
    status, answer = write_by_anchor(fake, key, [["x"]])
    assert status == 200 and "updatedRange" not in answer["responses"][0]
    assert "x" not in str(fake.tab_values(key, TAB))


def test_a_sort_moves_cells_not_row_metadata(fake: FakeSheets, key: str) -> None:
    location = {"dimensionRange": {"sheetId": sheet_id(fake, key), "dimension": "ROWS",
                                   "startIndex": 1, "endIndex": 2}}  # fmt: skip
    batch(fake, key, {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "row", "visibility": "DOCUMENT", "location": location}}})  # fmt: skip
    status, _ = batch(fake, key, {"sortRange": {
        "range": {"sheetId": sheet_id(fake, key), "startRowIndex": 1, "endRowIndex": 4},
        "sortSpecs": [{"dimensionIndex": 1, "sortOrder": "DESCENDING"}]}})  # fmt: skip
    assert status == 200
    assert [r[1] for r in fake.tab_values(key, TAB)[1:]] == ["3", "2", "1"]
    [meta] = fake.developer_metadata(key)
    assert meta["location"]["dimensionRange"]["startIndex"] == 1  # still row 2


def test_a_filter_that_sorts_keeps_the_header_and_protections_move_with_rows(
    fake: FakeSheets, key: str
) -> None:
    fake.set_filter(key, TAB, 1, sort_by=1)
    assert [r[0] for r in fake.tab_values(key, TAB)] == ["ชื่อ", "ก", "ข", "ค"]
    _, body = call(fake, "GET", key, fields="sheets.basicFilter")
    assert body["sheets"][0]["basicFilter"]["sortSpecs"][0]["sortOrder"] == "ASCENDING"
    fake.protect(key, TAB, "C2:C4")
    fake.insert_rows(key, TAB, 1)  # a title row above: the protection moves down with it
    _, body = call(fake, "GET", key, fields="sheets.protectedRanges.range")
    moved = body["sheets"][0]["protectedRanges"][0]["range"]
    assert (moved["startRowIndex"], moved["endRowIndex"]) == (2, 5)


def test_data_filter_reads(fake: FakeSheets, key: str) -> None:
    anchor(fake, key, 2)
    status, body = call(fake, "POST", f"{key}/values:batchGetByDataFilter", {
        "dataFilters": [{"developerMetadataLookup": {"metadataKey": "status"}}],
        "majorDimension": "COLUMNS"})  # fmt: skip
    assert body["valueRanges"][0]["valueRange"]["values"] == [["สถานะ", "s-ข", "s-ก", "s-ค"]]
    status, body = call(fake, "POST", f"{key}:getByDataFilter", {
        "dataFilters": [{"a1Range": f"'{TAB}'!A1:B2"}], "includeGridData": True})  # fmt: skip
    assert status == 200
    assert len(body["sheets"][0]["data"][0]["rowData"]) == 2


# --- who may write ---------------------------------------------------------------------------
def test_a_range_protected_from_the_caller_refuses_writes(fake: FakeSheets, key: str) -> None:
    fake.protect(key, TAB, "C1:C10")
    status, body = call(fake, "PUT", f"{key}/values/'{TAB}'!C2", {"values": [["x"]]},
                        valueInputOption="RAW")  # fmt: skip
    assert status == 400 and "protected cell or object" in body["error"]["message"]
    status, _ = call(fake, "PUT", f"{key}/values/'{TAB}'!D2", {"values": [["x"]]},
                     valueInputOption="RAW")  # fmt: skip
    assert status == 200  # next to it is fine
    fake.protect(key, TAB, "D1:D10", warning_only=True)
    status, _ = call(fake, "PUT", f"{key}/values/'{TAB}'!D3", {"values": [["y"]]},
                     valueInputOption="RAW")  # fmt: skip
    assert status == 200  # a warning does not stop the API


def test_viewer_access_reads_but_cannot_write(fake: FakeSheets, key: str) -> None:
    fake.set_role(key, "reader")
    assert call(fake, "GET", key)[0] == 200
    status, body = batch(fake, key, {"appendDimension": {
        "sheetId": sheet_id(fake, key), "dimension": "ROWS", "length": 1}})  # fmt: skip
    assert (status, body["error"]["status"]) == (403, "PERMISSION_DENIED")
    drive = fake.session().get(f"https://www.googleapis.com/drive/v3/files/{key}",
                               params={"fields": "capabilities(canEdit)"}, timeout=10)  # fmt: skip
    assert drive.json() == {"capabilities": {"canEdit": False}}
    fake.set_role(key, "writer")
    drive = fake.session().get(f"https://www.googleapis.com/drive/v3/files/{key}",
                               params={"fields": "capabilities(canEdit)"}, timeout=10)  # fmt: skip
    assert drive.json() == {"capabilities": {"canEdit": True}}


def test_a_disabled_api_answers_service_disabled(fake: FakeSheets, key: str) -> None:
    fake.disable_api()
    status, body = call(fake, "GET", key)
    assert status == 403
    [info] = [d for d in body["error"]["details"] if d.get("reason")]
    assert info["reason"] == "SERVICE_DISABLED"
    assert "Google Sheets API has not been used in project" in body["error"]["message"]
    fake.enable_api()
    assert call(fake, "GET", key)[0] == 200


# --- quota, time, size ---------------------------------------------------------------------------
def test_the_project_quota_counts_every_user(fake: FakeSheets, key: str) -> None:
    for n in range(5):
        assert fake.spend_quota("read", 60, user=f"tool{n}@p") == 60
    assert fake.quota_used("read", project=True) == 300
    assert fake.quota_used("read") == 0  # the caller's own minute is untouched
    status, body = call(fake, "GET", key)
    assert status == 429
    assert body["error"]["details"][0]["metadata"]["quota_limit"] == (
        "ReadRequestsPerMinutePerProject"
    )


def test_a_late_answer_was_carried_out_anyway(fake: FakeSheets, key: str) -> None:
    fake.late_next(1.0, kind="values.update")
    with pytest.raises(requests.ReadTimeout):
        fake.session().put(f"{API}/{key}/values/'{TAB}'!A2", params={"valueInputOption": "RAW"},
                           json={"values": [["ช้า"]]}, timeout=0.3)  # fmt: skip
    assert fake.tab_values(key, TAB)[1][0] == "ช้า"


def test_a_body_over_10_mib_is_refused(fake: FakeSheets, key: str) -> None:
    huge = {"values": [["x" * (10 * 1024 * 1024)]]}
    status, body = call(fake, "PUT", f"{key}/values/'{TAB}'!A1", huge, valueInputOption="RAW")
    assert status == 400
    assert body["error"]["message"] == "Request payload size exceeds the limit: 10485760 bytes."


# --- conditional formats ------------------------------------------------------------------
def test_conditional_formats_colour_cells_and_move_with_rows(fake: FakeSheets, key: str) -> None:
    rule = {"ranges": [{"sheetId": sheet_id(fake, key), "startRowIndex": 1, "endRowIndex": 2,
                        "startColumnIndex": 0, "endColumnIndex": 1}],
            "booleanRule": {"condition": {"type": "CUSTOM_FORMULA",
                                          "values": [{"userEnteredValue": "=LEN(\"x\")>0"}]},
                            "format": {"backgroundColor": {"red": 1.0}}}}  # fmt: skip
    assert batch(fake, key, {"addConditionalFormatRule": {"rule": rule, "index": 0}})[0] == 200
    assert fake.shown_background(key, TAB, "A2") == {"red": 1}
    assert fake.background(key, TAB, "A2") is None  # the cell's own format is untouched
    fake.insert_rows(key, TAB, 1)
    assert fake.shown_background(key, TAB, "A3") == {"red": 1}
    assert fake.shown_background(key, TAB, "A2") is None
    _, body = call(fake, "GET", key, fields="sheets.conditionalFormats")
    assert body["sheets"][0]["conditionalFormats"][0]["ranges"][0]["startRowIndex"] == 2
    assert batch(fake, key, {"deleteConditionalFormatRule": {
        "sheetId": sheet_id(fake, key), "index": 0}})[0] == 200  # fmt: skip
    assert fake.shown_background(key, TAB, "A3") is None
