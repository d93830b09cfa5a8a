"""What the fake models for a client that reads only what changed and keeps people's work:
Drive's file `version` and changes feed (checked against drive.v3.json), copying a tab to
another spreadsheet, filter views, charts and formulas that live as long as their tab, and
the fake served from a process of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import requests

from fake_sheets import FakeSheets, FileClock

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3"
FIELDS = "newStartPageToken,nextPageToken,changes(fileId,removed,file(version))"


def get(fake: FakeSheets, url: str, **params: Any) -> tuple[int, Any]:
    answer = fake.session().get(url, params=params, timeout=10)
    return answer.status_code, answer.json()


def post(fake: FakeSheets, url: str, body: Any) -> tuple[int, Any]:
    answer = fake.session().post(url, json=body, timeout=10)
    return answer.status_code, answer.json() if answer.content else None


def version(fake: FakeSheets, key: str) -> int:
    status, file = get(fake, f"{DRIVE}/files/{key}", fields="version")
    assert status == 200
    return int(file["version"])


def changes(fake: FakeSheets, token: str, **params: Any) -> dict[str, Any]:
    status, body = get(fake, f"{DRIVE}/changes", pageToken=token, fields=FIELDS, **params)
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def start_token(fake: FakeSheets) -> str:
    status, body = get(fake, f"{DRIVE}/changes/startPageToken")
    assert status == 200
    return str(body["startPageToken"])


def test_every_write_and_every_edit_adds_one_to_the_version_and_reads_none(
    fake: FakeSheets,
) -> None:
    key = fake.add_spreadsheet("v", {"A": [["x"]]})
    assert version(fake, key) == 1
    get(fake, f"{SHEETS}/{key}", includeGridData="true")  # a read
    assert version(fake, key) == 1
    body = {"valueInputOption": "RAW", "data": [{"range": "A!B1", "values": [["y"]]}]}
    assert post(fake, f"{SHEETS}/{key}/values:batchUpdate", body)[0] == 200
    assert version(fake, key) == 2
    refused = {"requests": [{"deleteSheet": {"sheetId": 999}}]}
    assert post(fake, f"{SHEETS}/{key}:batchUpdate", refused)[0] == 400
    assert version(fake, key) == 2  # a refused batch changes nothing
    fake.set_values(key, "A", "C1", [["z"]])  # a person types
    assert version(fake, key) == 3


def test_the_changes_feed_lists_each_changed_file_once_with_its_version(
    fake: FakeSheets,
) -> None:
    keys = [fake.add_spreadsheet(f"s{n}", {"A": [["x"]]}) for n in range(5)]
    token = start_token(fake)
    assert changes(fake, token)["changes"] == []
    fake.set_values(keys[1], "A", "B1", [["a"]])
    fake.set_values(keys[3], "A", "B1", [["a"]])
    fake.set_values(keys[1], "A", "C1", [["b"]])  # twice: listed once, with the last version
    listed = changes(fake, token)
    assert [(c["fileId"], c["file"]["version"]) for c in listed["changes"]] == [
        (keys[3], "2"), (keys[1], "3")]  # fmt: skip
    assert changes(fake, listed["newStartPageToken"])["changes"] == []
    # Pages: pageSize at a time, nextPageToken until the last page.
    for key in keys:
        fake.set_values(key, "A", "D1", [["c"]])
    first = changes(fake, listed["newStartPageToken"], pageSize=3)
    assert len(first["changes"]) == 3 and "newStartPageToken" not in first
    rest = changes(fake, first["nextPageToken"], pageSize=3)
    assert len(rest["changes"]) == 2 and "nextPageToken" not in rest
    assert {c["fileId"] for c in first["changes"] + rest["changes"]} == set(keys)
    # A deleted file is listed as removed.
    token = rest["newStartPageToken"]
    assert fake.session().delete(f"{DRIVE}/files/{keys[0]}", timeout=10).status_code == 204
    assert changes(fake, token)["changes"] == [{"fileId": keys[0], "removed": True}]


def test_drive_refuses_what_drive_v3_json_does_not_have(fake: FakeSheets) -> None:
    token = start_token(fake)
    status, body = get(fake, f"{DRIVE}/changes", pageToken=token, fields="changes(file(vers))")
    assert status == 400 and "Invalid field selection changes/file/vers" in body["error"]["message"]
    status, body = get(fake, f"{DRIVE}/changes", fields="changes(fileId)")
    assert status == 400 and "pageToken" in body["error"]["message"]
    status, _ = get(fake, f"{DRIVE}/changes", pageToken=token, pageSize="many")
    assert status == 400


def test_files_list_filters_by_type_and_gives_versions(fake: FakeSheets) -> None:
    key = fake.add_spreadsheet("รายงาน", {"A": [["x"]]})
    fake.set_values(key, "A", "B1", [["y"]])
    hidden = fake.add_spreadsheet("not shared", {"A": [["x"]]}, shared=False)
    q = "mimeType='application/vnd.google-apps.spreadsheet' and trashed=false"
    status, body = get(fake, f"{DRIVE}/files", q=q, fields="files(id,version)", pageSize=1000)
    assert status == 200
    assert body == {"files": [{"id": key, "version": "2"}]}
    assert hidden not in json.dumps(body)


def test_a_tab_is_copied_into_another_spreadsheet_that_the_caller_may_edit(
    fake: FakeSheets,
) -> None:
    source = fake.add_spreadsheet("national", {"รวม": [["h"], ["1"]]}, value_input="RAW")
    archive = fake.add_spreadsheet("archive", {"เดิม": [["old"]]})
    tab = fake.spreadsheet(source).sheets[0].sheet_id
    status, props = post(fake, f"{SHEETS}/{source}/sheets/{tab}:copyTo",
                         {"destinationSpreadsheetId": archive})  # fmt: skip
    assert status == 200 and props["title"] == "Copy of รวม"
    assert fake.tab_values(archive, "Copy of รวม") == [["h"], ["1"]]
    assert version(fake, archive) == 2 and version(fake, source) == 1
    fake.set_role(archive, "reader")
    status, _ = post(fake, f"{SHEETS}/{source}/sheets/{tab}:copyTo",
                     {"destinationSpreadsheetId": archive})  # fmt: skip
    assert status == 403


def _build_on(fake: FakeSheets, key: str, tab_id: int, other_id: int) -> None:
    rng = {"sheetId": tab_id, "startRowIndex": 0, "endRowIndex": 10, "startColumnIndex": 0,
           "endColumnIndex": 2}  # fmt: skip
    chart = {"spec": {"basicChart": {"chartType": "COLUMN", "domains": [{"domain": {
        "sourceRange": {"sources": [rng]}}}]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": other_id}}}}  # fmt: skip
    status, _ = post(fake, f"{SHEETS}/{key}:batchUpdate", {"requests": [
        {"addFilterView": {"filter": {"title": "ของฉัน", "range": rng}}},
        {"addChart": {"chart": chart}}]})  # fmt: skip
    assert status == 200
    fake.set_values(key, "อื่น", "A1", [["='รวม'!A2"]])


def test_filter_views_charts_and_formulas_go_with_their_tab(fake: FakeSheets) -> None:
    key = fake.add_spreadsheet("n", {"รวม": [["h"], ["1"], ["2"]], "อื่น": [[""]]},
                               value_input="RAW")  # fmt: skip
    tab, other = (s.sheet_id for s in fake.spreadsheet(key).sheets)
    _build_on(fake, key, tab, other)
    assert fake.tab_values(key, "อื่น") == [["1"]]
    # Rows inserted above: the filter view and the chart's data move along.
    post(fake, f"{SHEETS}/{key}:batchUpdate", {"requests": [{"insertDimension": {"range": {
        "sheetId": tab, "dimension": "ROWS", "startIndex": 0, "endIndex": 2}}}]})  # fmt: skip
    [sheet, chart_tab] = fake.spreadsheet(key).sheets
    assert sheet.filter_views[0]["range"]["startRowIndex"] == 2
    source = chart_tab.charts[0]["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]
    assert source["sources"][0]["startRowIndex"] == 2
    # The tab deleted and made again under its name: the view is gone, the chart has no
    # data, the formula points at #REF! for good.
    post(fake, f"{SHEETS}/{key}:batchUpdate", {"requests": [
        {"deleteSheet": {"sheetId": tab}},
        {"addSheet": {"properties": {"title": "รวม"}}}]})  # fmt: skip
    [chart_tab, again] = fake.spreadsheet(key).sheets
    assert again.filter_views == []
    assert chart_tab.charts[0]["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"] == {
        "sources": []}  # fmt: skip
    fake.set_values(key, "รวม", "A2", [["ใหม่"]])
    assert fake.tab_values(key, "อื่น") == [["#REF!"]]


def test_a_duplicated_tab_gets_its_own_filter_views_and_charts(fake: FakeSheets) -> None:
    key = fake.add_spreadsheet("n", {"รวม": [["h"]], "อื่น": [[""]]})
    tab, other = (s.sheet_id for s in fake.spreadsheet(key).sheets)
    chart = {"spec": {"basicChart": {"chartType": "BAR", "series": [{"series": {"sourceRange": {
        "sources": [{"sheetId": tab, "endRowIndex": 3, "endColumnIndex": 1}]}}}]}},
        "position": {"overlayPosition": {"anchorCell": {"sheetId": tab}}}}  # fmt: skip
    post(fake, f"{SHEETS}/{key}:batchUpdate", {"requests": [{"addChart": {"chart": chart}}]})
    post(fake, f"{SHEETS}/{key}:batchUpdate", {"requests": [{"duplicateSheet": {
        "sourceSheetId": tab, "newSheetId": 4242, "newSheetName": "บันทึก"}}]})  # fmt: skip
    sheets = {s.title: s for s in fake.spreadsheet(key).sheets}
    original, copy = sheets["รวม"].charts[0], sheets["บันทึก"].charts[0]
    assert original["chartId"] != copy["chartId"]
    copied = copy["spec"]["basicChart"]["series"][0]["series"]["sourceRange"]["sources"][0]
    assert copied["sheetId"] == 4242 and other != 4242


def test_the_fake_runs_as_a_program_of_its_own_on_a_shared_clock(tmp_path: Path) -> None:
    clock = FileClock(tmp_path / "clock", start=100.0)
    server = subprocess.Popen(
        [sys.executable, "-m", "fake_sheets", "--read-per-minute", "1",
         "--clock-file", str(tmp_path / "clock")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        url = json.loads(server.stdout.readline())["url"]
        key = requests.post(f"{url}/_fake/spreadsheets", timeout=10,
                            json={"title": "t", "tabs": {"A": [["x"]]}}).json()["id"]  # fmt: skip
        assert requests.get(f"{url}/v4/spreadsheets/{key}", timeout=10).status_code == 200
        assert requests.get(f"{url}/v4/spreadsheets/{key}", timeout=10).status_code == 429
        clock.advance(61)  # this process moves the time the server's quota runs on
        assert requests.get(f"{url}/v4/spreadsheets/{key}", timeout=10).status_code == 200
        log = requests.get(f"{url}/_fake/log", timeout=10).json()
        assert [r[3] for r in log["records"]] == [200, 429, 200]  # controls are not logged
        requests.post(f"{url}/_fake/edit", timeout=10, json={
            "spreadsheet": key, "tab": "A", "start": "B1", "rows": [["y"]]})  # fmt: skip
        assert requests.get(f"{url}/_fake/values", params={"spreadsheet": key, "tab": "A"},
                            timeout=10).json() == [["x", "y"]]  # fmt: skip
    finally:
        assert server.stdin is not None
        server.stdin.close()  # the end of its input stops it
        assert server.wait(timeout=10) == 0
