"""`provision` on the fake Sheets and Drive API: from an empty shared-drive folder to the
Chaiyaphum province spreadsheet and a national one, with the form's header, notes,
drop-downs, the link rule, the protected status column and the sharing; a second run
writes nothing; a sync then uses the status column provision made."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.backends.google import GoogleBackend
from bot.backends.google_provision import PROTECTION
from bot.config import Config
from bot.config_load import parse_config
from bot.cycle import sync_cycle
from bot.errors import ConfigError
from bot.form_fields import CATEGORIES, FIELDS, STATUS_HEADER
from bot.geo import districts, find_province
from bot.layout import months
from bot.provision import ProvisionReport, provision
from fake_sheets import FakeSheets
from fake_sheets.routes import WRITE_KINDS
from fake_sheets.validation import rule_at

CHAIYAPHUM = find_province("ชัยภูมิ")
assert CHAIYAPHUM is not None
DISTRICT_TABS = [f"อำเภอ{d.name}" for d in districts(CHAIYAPHUM.code)]
HEADERS = [f.header for f in FIELDS] + [STATUS_HEADER]
DRIVE_WRITES = ("drive.files.create", "drive.permissions.create", "drive.permissions.update")
DLA, STHJ, PHU = (
    "dla.softpower@dla.go.th",
    "sthj.chaiyaphum@example.go.th",
    "phukhiao@example.go.th",
)


def config_text(folder: str, national: str = "new", province: str = "new") -> str:
    return f"""
backend: google
google: {{timeout_s: 30, read_quota_per_minute: 300, write_quota_per_minute: 300}}
programme: {{start: 2567-11, end: 2568-09}}
national: {{key: {national}}}
provinces:
  - {{province: ชัยภูมิ, key: {province}}}
provision:
  folder: https://drive.google.com/drive/folders/{folder}
  rows: 200
  share:
    dla: [{DLA}]
    provinces: {{ชัยภูมิ: [{STHJ}]}}
    districts: {{ชัยภูมิ: {{ภูเขียว: [{PHU}]}}}}
"""


def run(fake: FakeSheets, config: Config, *, dry_run: bool = False,
        account: str | None = None) -> ProvisionReport:  # fmt: skip
    credentials = SimpleNamespace(service_account_email=account) if account else None
    backend = GoogleBackend(config, session=fake.session(), credentials=credentials,
                            sleep=lambda s: None)  # fmt: skip
    with backend:
        return provision(config, backend, dry_run=dry_run)


def writes(fake: FakeSheets) -> int:
    return sum(n for kind, n in fake.counts.items() if kind in WRITE_KINDS or kind in DRIVE_WRITES)


@pytest.fixture
def folder(fake: FakeSheets) -> str:
    fake.set_quota(10_000, 10_000, project_per_minute=10_000)
    return fake.add_folder("รายงาน 1 อำเภอ 1 อัตลักษณ์ (ไดรฟ์ที่แชร์ของ สถ.)", shared_drive=True)


def test_from_an_empty_drive_to_shared_spreadsheets_and_a_second_run_writes_nothing(
    fake: FakeSheets, folder: str, tmp_path: Path
) -> None:
    config = parse_config(config_text(folder), provision=True, base_dir=tmp_path)
    # The plan first: nothing is made.
    plan = run(fake, config, dry_run=True)
    assert fake.folder_files(folder) == [] and writes(fake) == 0
    assert "make the spreadsheet" in plan.as_text() and "Dry run" in plan.as_text()
    # No key exists yet, so no snippet to paste (it would hold `new:...`, which no config takes).
    assert plan.snippet is None and "prints the new spreadsheets' keys" in plan.as_text()

    report = run(fake, config)
    assert report.failed == []
    made = fake.folder_files(folder)
    assert len(made) == 2
    province, national = (o.location.split("/d/")[1].split("/")[0] for o in report.outcomes)
    assert made == [province, national]
    assert [o.created for o in report.outcomes] == [True, True]
    # One Drive create, one batchUpdate and the shares per spreadsheet: nothing per cell.
    assert fake.counts["drive.files.create"] == 2 and fake.counts["spreadsheets.batchUpdate"] == 2
    assert report.writes == writes(fake) == 2 + 2 + 3 + 1

    ss = fake.spreadsheet(province)
    assert [s.title for s in ss.sheets] == DISTRICT_TABS
    tab = ss.sheet_by_title("อำเภอภูเขียว")
    assert tab is not None
    assert fake.tab_values(province, "อำเภอภูเขียว") == [HEADERS]
    assert tab.props["gridProperties"]["frozenRowCount"] == 1
    notes = {c: tab.cells[(0, c)].note for c in range(len(HEADERS))}
    assert all(notes.values())
    assert "#จังหวัดชัยภูมิ #อำเภอภูเขียว" in notes[HEADERS.index("แฮชแท็ก")]
    assert "กรุณาอย่าแก้ไข" in notes[len(HEADERS) - 1]

    # Drop-downs and the link rule cover the data rows, not the header.
    def rule(column: str, row: int = 2) -> dict[str, Any] | None:
        return rule_at(ss, "อำเภอภูเขียว", row, HEADERS.index(column) + 1)

    month = rule("เดือนที่รายงาน")
    assert month is not None and rule("เดือนที่รายงาน", 1) is None
    assert [v["userEnteredValue"] for v in month["condition"]["values"]] == list(months(config))
    assert month["strict"] and month["showCustomUi"]
    assert rule("เดือนที่รายงาน", 200) == month
    kinds = rule("ด้านอัตลักษณ์")
    assert kinds and [v["userEnteredValue"] for v in kinds["condition"]["values"]] == list(
        CATEGORIES
    )
    place = rule("อำเภอ")
    assert place and place["condition"]["values"] == [{"userEnteredValue": "ภูเขียว"}]
    link = rule("ลิงก์เผยแพร่")
    assert link and link["condition"] == {"type": "TEXT_IS_URL"}
    assert rule("ชื่ออัตลักษณ์ท้องถิ่น") is None  # free text: its note says what to type
    # The status column: the bot's anchor, and a protection that only warns.
    [protection] = tab.protected
    assert protection["warningOnly"] and protection["description"] == PROTECTION
    assert protection["range"]["startColumnIndex"] == len(HEADERS) - 1
    # Shared as the config says; the national spreadsheet with DLA only.
    assert fake.shared_with(province) == {fake.caller_email: "fileOrganizer", STHJ: "writer",
                                          PHU: "writer", DLA: "reader"}  # fmt: skip
    assert fake.shared_with(national) == {fake.caller_email: "fileOrganizer", DLA: "reader"}
    assert [s.title for s in fake.spreadsheet(national).sheets] == ["รวมทั้งประเทศ"]
    assert {address for _, address, _ in fake.sharing_emails()} == {STHJ, PHU, DLA}
    # The snippet to paste holds the new keys, and loads as a config of its own.
    assert report.snippet is not None and report.snippet_path is not None
    assert f"national: {{key: {national}}}" in report.snippet
    assert f"key: {province}" in report.snippet
    assert report.snippet_path.read_text("utf-8").endswith(report.snippet + "\n")

    # Run again with the same config (key: new): found by name, nothing written.
    fake.reset_counts()
    again = run(fake, config)
    assert again.failed == [] and again.writes == 0 and writes(fake) == 0
    assert fake.folder_files(folder) == made
    # And with the keys pasted in.
    pasted = parse_config(config_text(folder, national, province), base_dir=tmp_path)
    fake.reset_counts()
    assert run(fake, pasted).writes == 0 and writes(fake) == 0

    # The sync uses the status column provision made, and provision still has nothing to do.
    fake.set_values(province, "อำเภอภูเขียว", "A2", [["ม.ค. 2568", "ชัยภูมิ", "ภูเขียว"]])
    with GoogleBackend(pasted, session=fake.session(), sleep=lambda s: None) as backend:
        synced = sync_cycle(pasted, backend, date(2025, 1, 17))
    assert not synced.skipped
    values = fake.tab_values(province, "อำเภอภูเขียว")
    assert values[0] == HEADERS and values[1][len(HEADERS) - 1].startswith("ต้องแก้ไข")
    fake.reset_counts()
    assert run(fake, pasted).writes == 0 and writes(fake) == 0


def test_a_service_account_and_a_folder_outside_a_shared_drive(
    fake: FakeSheets, tmp_path: Path
) -> None:
    folder = fake.add_folder("โฟลเดอร์ของเจ้าหน้าที่", shared_drive=False)
    config = parse_config(config_text(folder), provision=True, base_dir=tmp_path)
    report = run(fake, config, account=fake.caller_email)
    assert len(report.failed) == 2 and fake.folder_files(folder) == []
    problem = report.failed[0].problem or ""
    assert "shared drive" in problem and "google.authorized_user" in problem
    assert "ไดรฟ์ที่แชร์" in problem
    assert writes(fake) == 0


def test_a_folder_shared_only_to_view(fake: FakeSheets, tmp_path: Path) -> None:
    folder = fake.add_folder("ดูได้อย่างเดียว", role="reader")
    report = run(fake, parse_config(config_text(folder), provision=True, base_dir=tmp_path))
    assert "may only view the folder" in (report.failed[0].problem or "")


def test_key_new_outside_provision_says_what_to_run(fake: FakeSheets) -> None:
    with pytest.raises(
        ConfigError, match=r"national\.key: key: new .* run `softpower-bot provision`"
    ):
        parse_config(config_text("1" * 25))
    with pytest.raises(ConfigError, match=r"provision\.folder: name the Google Drive folder"):
        parse_config(config_text("x").replace("  folder: https://drive.google.com/drive/"
                                              "folders/x\n", ""), provision=True)  # fmt: skip


def test_rows_added_at_the_bottom_get_the_drop_downs_at_the_next_run(
    fake: FakeSheets, folder: str, tmp_path: Path
) -> None:
    config = parse_config(config_text(folder), provision=True, base_dir=tmp_path)
    key = run(fake, config).outcomes[0].location.split("/d/")[1].split("/")[0]
    sid = fake.spreadsheet(key).sheet_by_title("อำเภอภูเขียว").sheet_id  # type: ignore[union-attr]
    fake.set_values(key, "อำเภอภูเขียว", "A2", [["ม.ค. 2568", "ชัยภูมิ", "ภูเขียว", "ของฉัน"]])
    # Staff press "Add 300 more rows at the bottom".
    answer = fake.session().post(
        f"https://sheets.googleapis.com/v4/spreadsheets/{key}:batchUpdate",
        json={"requests": [{"appendDimension": {"sheetId": sid, "dimension": "ROWS",
                                                "length": 300}}]},
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 200
    month = HEADERS.index("เดือนที่รายงาน") + 1
    assert rule_at(fake.spreadsheet(key), "อำเภอภูเขียว", 450, month) is None

    again = run(fake, config)
    assert "add drop-downs and the link rule" in again.as_text()
    ss = fake.spreadsheet(key)
    assert rule_at(ss, "อำเภอภูเขียว", 450, month) == rule_at(ss, "อำเภอภูเขียว", 3, month)
    assert fake.tab_values(key, "อำเภอภูเขียว")[1][:4] == ["ม.ค. 2568", "ชัยภูมิ", "ภูเขียว", "ของฉัน"]
    fake.reset_counts()
    assert run(fake, config).writes == 0 and writes(fake) == 0
