"""The fake's data validation, and its Drive folders and sharing, over real HTTP: what a
client that makes and shares spreadsheets meets on Google."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from fake_sheets import FakeSheets
from fake_sheets.validation import rule_at

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
FILES = "https://www.googleapis.com/drive/v3/files"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
MONTHS = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "ม.ค. 2568"},
                                                         {"userEnteredValue": "ก.พ. 2568"}]},
          "inputMessage": "กรุณาเลือกเดือน", "strict": True, "showCustomUi": True}  # fmt: skip


def batch(session: requests.Session, key: str, *requests_: dict[str, Any]) -> requests.Response:
    return session.post(f"{SHEETS}/{key}:batchUpdate", json={"requests": list(requests_)})


def test_a_validation_rule_stays_with_its_cell_and_never_changes_a_value(
    fake: FakeSheets,
) -> None:
    key = fake.add_spreadsheet("s", tabs={"t": [["เดือน", "x"], ["typed", "y"]]})
    session = fake.session()
    rng = {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": 1}
    assert batch(session, key, {"setDataValidation": {"range": rng, "rule": MONTHS}}).ok
    ss = fake.spreadsheet(key)
    assert rule_at(ss, "t", 2, 1) == MONTHS and rule_at(ss, "t", 1000, 1) == MONTHS
    assert rule_at(ss, "t", 1, 1) is None and rule_at(ss, "t", 2, 2) is None
    assert fake.tab_values(key, "t") == [["เดือน", "x"], ["typed", "y"]]  # values untouched
    # It is read back with the cell, and moves with it when a row is inserted above.
    fields = "sheets(data(rowData(values(dataValidation))))"
    got = session.get(f"{SHEETS}/{key}", params={"ranges": "t!A1:A3", "fields": fields}).json()
    rows = got["sheets"][0]["data"][0]["rowData"]
    assert rows[0] == {} and rows[1]["values"][0]["dataValidation"] == MONTHS
    fake.insert_rows(key, "t", 1, 1)
    assert rule_at(fake.spreadsheet(key), "t", 2, 1) is None
    assert rule_at(fake.spreadsheet(key), "t", 3, 1) == MONTHS
    # Without a rule, setDataValidation clears it.
    assert batch(session, key, {"setDataValidation": {"range": rng}}).ok
    assert rule_at(fake.spreadsheet(key), "t", 3, 1) is None


@pytest.mark.parametrize(
    ("rule", "said"),
    [
        ({"condition": {"type": "TEXT_STARTS_WITH", "values": [{"userEnteredValue": "h"}]}},
         "not supported in data validation"),
        ({"condition": {"type": "ONE_OF_LIST", "values": []}}, "1 to 500 values"),
        ({"condition": {"type": "TEXT_IS_URL", "values": [{"userEnteredValue": "x"}]}},
         "takes no values"),
        ({"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": "A1>0"}]}},
         "one formula"),
        ({"condition": {"type": "ONE_OF_LIST"}, "help": "x"}, 'Unknown name "help"'),
    ],
)  # fmt: skip
def test_a_rule_google_refuses_is_refused(fake: FakeSheets, rule: dict, said: str) -> None:  # type: ignore[type-arg]
    key = fake.add_spreadsheet("s")
    rng = {"sheetId": 0, "startRowIndex": 1}
    answer = batch(fake.session(), key, {"setDataValidation": {"range": rng, "rule": rule}})
    assert answer.status_code == 400 and said in answer.json()["error"]["message"]


def create(
    session: requests.Session, folder: str | None, *, all_drives: bool = True
) -> requests.Response:
    body: dict[str, Any] = {"name": "รายงาน", "mimeType": SHEET_MIME}
    if folder:
        body["parents"] = [folder]
    params = {"supportsAllDrives": "true"} if all_drives else {}
    return session.post(FILES, json=body, params={**params, "fields": "id,parents,driveId"})


def test_a_service_account_creates_files_only_in_a_shared_drive(fake: FakeSheets) -> None:
    session = fake.session()
    shared = fake.add_folder("รายงาน 2568", shared_drive=True)
    made = create(session, shared)
    assert made.ok and made.json()["parents"] == [shared] and made.json()["driveId"]
    assert fake.folder_files(shared) == [made.json()["id"]]
    # The same folder without supportsAllDrives: Drive does not see it.
    assert create(session, shared, all_drives=False).status_code == 404
    # In someone's My Drive (or its own root), a service account owns no storage.
    for folder in (fake.add_folder("ของฉัน", shared_drive=False), None):
        refused = create(session, folder)
        assert refused.status_code == 403
        assert refused.json()["error"]["errors"][0]["reason"] == "storageQuotaExceeded"
    # A folder shared with it as Viewer, or not at all.
    assert create(session, fake.add_folder("ดูได้", role="reader")).status_code == 403
    assert create(session, fake.add_folder("ไม่แชร์", role=None)).status_code == 404
    # Listing by name in a folder finds it.
    q = f"'{shared}' in parents and name = 'รายงาน' and trashed = false"
    listed = session.get(FILES, params={"q": q, "supportsAllDrives": "true",
                                        "includeItemsFromAllDrives": "true"}).json()  # fmt: skip
    assert [f["id"] for f in listed["files"]] == [made.json()["id"]]


def test_sharing_a_file(fake: FakeSheets) -> None:
    session = fake.session()
    made = create(session, fake.add_folder("รายงาน")).json()["id"]
    perms = f"{FILES}/{made}/permissions"
    params = {"supportsAllDrives": "true", "emailMessage": "เรียนเชิญ"}
    body = {"type": "user", "role": "writer", "emailAddress": "sthj@example.go.th"}
    assert session.post(perms, json=body, params=params).ok
    viewer = {"type": "user", "role": "reader", "emailAddress": "dla@example.go.th"}
    quiet = {**params, "sendNotificationEmail": "false"}
    added = session.post(perms, json=viewer, params=quiet).json()
    assert fake.shared_with(made) == {
        fake.caller_email: "fileOrganizer", "sthj@example.go.th": "writer",
        "dla@example.go.th": "reader",
    }  # fmt: skip
    assert fake.sharing_emails() == [(made, "sthj@example.go.th", "เรียนเชิญ")]
    listed = session.get(perms, params={"supportsAllDrives": "true"}).json()["permissions"]
    assert {p["emailAddress"] for p in listed} == set(fake.shared_with(made))
    upgraded = session.patch(f"{perms}/{added['id']}", json={"role": "writer"},
                             params={"supportsAllDrives": "true"})  # fmt: skip
    assert upgraded.ok and fake.shared_with(made)["dla@example.go.th"] == "writer"
    # What Google refuses.
    assert session.post(perms, json={"type": "user", "emailAddress": "a@b.org"},
                        params=params).status_code == 400  # fmt: skip
    assert session.post(perms, json={**body, "color": "red"}, params=params).status_code == 400
    assert session.post(perms, json=body).status_code == 404  # no supportsAllDrives
    fake.set_role(made, "reader")
    assert session.post(perms, json=body, params=params).status_code == 403
