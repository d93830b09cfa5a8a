"""Google Sheets specifics, against the local fake: calls per cycle, quota, faults, people
editing at the same time, awkward tab names, sharing errors, chunking and credentials."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.backends.google import GoogleBackend, load_credentials
from bot.backends.google_grid import cell_value
from bot.config import Config
from bot.config_load import parse_config
from bot.cycle import sync_cycle
from bot.doctor import blocks_sync, diagnose
from bot.errors import ConfigError
from bot.form_fields import STATUS_HEADER
from bot.sheets import quote_tab
from fake_sheets import FakeClock, FakeSheets
from tests.factories import HEADERS, row
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

TODAY = date(2025, 1, 17)
STATUS_COL = len(HEADERS) + 1
IDENTITY_COL = HEADERS.index("ชื่ออัตลักษณ์ท้องถิ่น") + 1


def kinds(fake: FakeSheets) -> dict[str, int]:
    return dict(fake.counts)


DRIVE_FIRST = {"drive.changes.getStartPageToken": 1, "drive.files.list": 1}
CHECK = {"drive.changes.list": 1}  # which spreadsheets changed: one request for all


def test_one_read_per_changed_spreadsheet_and_none_when_nothing_changed(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world.sync()
    # The very first cycle: Drive's page token and every spreadsheet's version (2), then,
    # as the bot's tabs do not exist yet, the one-request read is refused (400) and each
    # spreadsheet's tab list is read first: 3 reads for the province (try, tab list,
    # cells), 2 for the national sheet (try, tab list). The statuses go in one write by
    # their column's anchor, everything else in one batchUpdate per spreadsheet.
    writes = {"spreadsheets.batchUpdate": 2, "values.batchUpdateByDataFilter": 1}
    assert kinds(fake) == {**DRIVE_FIRST, "spreadsheets.get": 5, **writes}
    fake.reset_counts()
    world.sync()
    assert kinds(fake) == CHECK  # unchanged: Drive says so, nothing read, nothing written
    fake.reset_counts()
    world.set_value("province", "อำเภอภูเขียว", 3, IDENTITY_COL, "ข้าวหลาม")
    world.sync()
    # Only the province is read, its bot tabs' rows in the same request (people changed
    # that spreadsheet, so the bot looks at what its tabs hold before writing only their
    # difference); the national spreadsheet is not read.
    assert kinds(fake) == {**CHECK, "spreadsheets.get": 1, **writes}
    fake.reset_counts()
    world.sync()
    assert kinds(fake) == CHECK  # its own writes did not make the bot read it again


def test_a_restarted_bot_reads_only_what_changed_while_it_was_away(
    fake: FakeSheets, tmp_path: Path
) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    memory = tmp_path / "memory"
    first = sync_cycle(config, GoogleBackend(config, session=fake.session(), memory=memory), TODAY)
    assert [a.written for a in first.applied] == [True, True]
    fake.reset_counts()
    # A new process (a restarted daemon, a `sync` from cron) with the same memory folder.
    report = sync_cycle(config, GoogleBackend(config, session=fake.session(), memory=memory), TODAY)
    assert kinds(fake) == CHECK
    assert [a.written for a in report.applied] == [False, False]
    assert report.summary == first.summary  # evaluated from what it remembered
    world.set_value("province", "อำเภอภูเขียว", 3, IDENTITY_COL, "ข้าวหลาม")
    fake.reset_counts()
    report = sync_cycle(config, GoogleBackend(config, session=fake.session(), memory=memory), TODAY)
    # The province, with its bot tabs' rows: what the bot wrote there is remembered too.
    assert kinds(fake)["spreadsheets.get"] == 1
    assert world.values("province", "อำเภอภูเขียว")[2][STATUS_COL - 1] == "ครบถ้วน"
    # Without the folder, a new process knows nothing and reads each spreadsheet once.
    fake.reset_counts()
    report = sync_cycle(config, GoogleBackend(config, session=fake.session()), TODAY)
    assert kinds(fake) == {**DRIVE_FIRST, "spreadsheets.get": 2}
    assert [a.written for a in report.applied] == [False, False]


def test_pacing_keeps_under_the_quota_so_no_429(fake: FakeSheets) -> None:
    clock = FakeClock(1000.0)
    fake_quota = FakeSheets(clock=clock, read_per_minute=2, write_per_minute=2)
    with fake_quota:
        world = GoogleWorld(fake_quota, read_quota_per_minute=2, write_quota_per_minute=2)
        world.make(default_tabs())
        world._backend = GoogleBackend(
            world.config,
            session=fake_quota.session(),
            clock=clock,
            sleep=clock.advance,  # type: ignore[arg-type]
        )
        for _ in range(3):
            world.sync()
        statuses = [r.status for r in fake_quota.requests]
        assert 429 not in statuses
        assert len(statuses) >= 7
        assert world._backend.http.traffic.waited_s > 60  # it really had to wait


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried(fake: FakeSheets, status: int) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    fake.fail_next(status, count=2)
    report = world.sync()
    assert all(a.written for a in report.applied)
    traffic = world.backend().http.traffic
    # A 429 is waited out (the quota window), not counted against max_retries.
    assert (traffic.quota_waits if status == 429 else traffic.retries) == 2
    assert world.values("province", "อำเภอภูเขียว")[1][STATUS_COL - 1] == "ครบถ้วน"


def test_retry_after_is_honoured(fake: FakeSheets) -> None:
    slept: list[float] = []
    world = GoogleWorld(fake)
    world.make(default_tabs())
    world._backend = GoogleBackend(world.config, session=fake.session(), sleep=slept.append)  # type: ignore[arg-type]
    fake.fail_next(429, retry_after=7)
    world.sync()
    assert slept and slept[0] >= 7.0


def test_dropped_connections_and_slow_answers_are_retried(fake: FakeSheets) -> None:
    world = GoogleWorld(fake, timeout_s=0.5)
    world.make(default_tabs())
    fake.drop_next()
    fake.slow_next(2.0)
    report = world.sync()
    assert all(a.written for a in report.applied)
    assert world.backend().http.traffic.retries == 2


def test_when_retries_run_out_the_cycle_fails_cleanly_with_nothing_half_written(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake, max_retries=2)
    world.make(default_tabs())
    fake.fail_next(503, count=50, kind="spreadsheets.batchUpdate")
    report = world.sync()
    # Each spreadsheet is skipped with the reason; the cycle itself does not stop.
    reasons = {a.spreadsheet: a.skipped_reason or "" for a in report.skipped}
    assert set(reasons) == {world.ids["province"], world.ids["national"]}
    assert all("did not answer a write request after 3 tries" in r for r in reasons.values())
    # The batch is all or nothing: no status, no highlight, no bot tab.
    assert all(len(r) < STATUS_COL for r in world.values("province", "อำเภอภูเขียว"))
    assert world.tabs("province") == ["อำเภอบ้านเขว้า", "อำเภอภูเขียว", "อำเภอคอนสาร"]
    fake.clear_faults()
    world.sync()
    assert "รวมจังหวัดชัยภูมิ" in world.tabs("province")


def test_rows_inserted_between_read_and_write_are_read_again_and_retried(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    province = world.ids["province"]
    # A person inserts an empty row above the bad row just before the bot writes.
    fake.before_next(
        lambda f: f.insert_rows(province, "อำเภอภูเขียว", 3, 1), kind="spreadsheets.batchUpdate"
    )
    report = world.sync()
    assert fake.pending["hooks"] == 0
    assert not report.skipped  # the province was read again and written within the cycle
    statuses = [r[STATUS_COL - 1][:9] if len(r) >= STATUS_COL else None
                for r in world.values("province", "อำเภอภูเขียว")]  # fmt: skip
    assert statuses == [STATUS_HEADER[:9], "ครบถ้วน", None, "ต้องแก้ไข", "ต้องแก้ไข"]
    assert world.colour("province", "อำเภอภูเขียว", 4, IDENTITY_COL) == "error"
    assert world.colour("province", "อำเภอภูเขียว", 3, IDENTITY_COL) is None


def test_awkward_tab_names_are_quoted_everywhere(fake: FakeSheets) -> None:
    assert quote_tab("A1") == "'A1'"
    assert quote_tab("it's") == "'it''s'"
    assert quote_tab("อำเภอ เมือง") == "'อำเภอ เมือง'"
    world = GoogleWorld(fake)
    world.make(default_tabs())
    assert world.config is not None
    names = {"province": "รวม จ.{province}", "summary": "A1", "issues": "รายการ 'ด่วน' ที่ต้องแก้ไข"}
    tabs = world.config.tabs.model_copy(update=names)
    world.config = world.config.model_copy(update={"tabs": tabs})
    world.sync()
    assert {"A1", "รายการ 'ด่วน' ที่ต้องแก้ไข"} <= set(world.tabs("national"))
    assert "รวม จ.ชัยภูมิ" in world.tabs("province")
    fake.reset_counts()
    world._backend = None  # a new bot reads the bot tabs back by (quoted) range
    report = world.sync()
    assert [a.written for a in report.applied] == [False, False]
    assert kinds(fake) == {**DRIVE_FIRST, "spreadsheets.get": 2}


def test_a_sheet_not_shared_with_the_bot_says_whom_to_share_it_with(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    fake.set_shared(world.ids["province"], False)
    account = SimpleNamespace(
        service_account_email="softpower-bot@thai-dla.iam.gserviceaccount.com"
    )
    backend = GoogleBackend(config, credentials=account, session=fake.session())
    report = sync_cycle(config, backend, TODAY)
    [skipped] = report.skipped
    assert skipped.spreadsheet == world.ids["province"]
    assert "share it with softpower-bot@thai-dla.iam.gserviceaccount.com as Editor" in (
        skipped.skipped_reason or ""
    )
    # The national spreadsheet is still written, and says which province is stale.
    assert any(p.code == "STALE_SPREADSHEET" for p in report.problems)
    assert "รายการที่ต้องแก้ไข" in world.tabs("national")
    findings = diagnose(
        config, lambda c: GoogleBackend(c, credentials=account, session=fake.session())
    )
    assert blocks_sync(findings)
    assert any(f.level == "blocking" and "as Editor" in f.english for f in findings)
    assert any(f.level == "ok" and "softpower-bot@thai-dla" in f.thai for f in findings)


def test_a_wrong_key_is_reported_as_not_found(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    bad = config.model_copy(update={"national": config.national.model_copy(
        update={"key": "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"})})  # fmt: skip
    report = sync_cycle(bad, GoogleBackend(bad, session=fake.session()), TODAY)
    reasons = {a.spreadsheet: a.skipped_reason or "" for a in report.skipped}
    assert list(reasons) == ["1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"]
    assert (
        "not found; check its key or url" in reasons["1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"]
    )
    # The province's own spreadsheet is still written.
    assert "รวมจังหวัดชัยภูมิ" in world.tabs("province")


def test_a_tab_too_big_for_one_request_appears_whole_and_keeps_its_id(fake: FakeSheets) -> None:
    world = GoogleWorld(fake, max_request_bytes=10_000)
    tabs = default_tabs()
    tabs["อำเภอภูเขียว"] += [
        row(identity=f"อัตลักษณ์ที่ {n}", post_url=f"https://fb.watch/{n}") for n in range(40)
    ]
    world.make(tabs)
    national = world.ids["national"]
    seen: list[list[list[Any]] | None] = []

    def watch(f: FakeSheets) -> None:
        # What a person looking at the national tab sees before each of the bot's writes.
        titles = [s.title for s in f.spreadsheet(national).sheets if not s.props.get("hidden")]
        seen.append(f.tab_values(national, "รวมทั้งประเทศ") if "รวมทั้งประเทศ" in titles else None)
        f.before_next(watch, kind="spreadsheets.batchUpdate")

    fake.before_next(watch, kind="spreadsheets.batchUpdate")
    world.sync()
    first = world.values("national", "รวมทั้งประเทศ")
    assert len(first) == 45
    assert len(world.values("province", "รวมจังหวัดชัยภูมิ")) == 45
    assert len(seen) > 3  # it took several requests...
    # ...and the tab only appeared complete (the other bot tabs follow in later requests).
    assert all(v is None or len(v) == 45 for v in seen)
    gid = next(s.sheet_id for s in fake.spreadsheet(national).sheets if s.title == "รวมทั้งประเทศ")

    world.set_value("province", "อำเภอคอนสาร", 2, 1, "ธ.ค. 2567")  # one more row
    seen.clear()
    world.sync()
    second = world.values("national", "รวมทั้งประเทศ")
    assert len(second) == 46
    # Before every request a person saw the whole old tab or the whole new one, never a mix
    # (the change is one row: one request, the tab itself kept).
    lengths = [len(v) if v is not None else None for v in seen]
    assert set(lengths) == {45, 46}
    assert lengths == sorted(lengths, key=lambda n: n or 0)
    assert [s.title for s in fake.spreadsheet(national).sheets if "กำลังปรับปรุง" in s.title] == []
    # Same tab id: links and bookmarks to the national tab keep working.
    assert gid == next(
        s.sheet_id for s in fake.spreadsheet(national).sheets if s.title == "รวมทั้งประเทศ"
    )
    assert world.sync().applied[1].written is False  # its digest came along


def test_a_tab_written_in_parts_holds_the_same_cells_as_one_written_at_once(
    fake: FakeSheets,
) -> None:
    # The parts' rows are rendered only when each part is sent: every row must still land
    # once, in its place, with its look.
    tabs = default_tabs()
    tabs["อำเภอภูเขียว"] += [
        row(identity=f"อัตลักษณ์ที่ {n}", post_url=f"https://fb.watch/{n}") for n in range(40)
    ]
    parts, whole = GoogleWorld(fake, max_request_bytes=10_000), GoogleWorld(fake)
    for world in (parts, whole):
        world.make(tabs)
        world.sync()
    assert len(parts.values("national", "รวมทั้งประเทศ")) == 45
    assert parts.values("national", "รวมทั้งประเทศ") == whole.values("national", "รวมทั้งประเทศ")
    assert fake.backgrounds(parts.ids["national"], "รวมทั้งประเทศ") == fake.backgrounds(
        whole.ids["national"], "รวมทั้งประเทศ"
    )


def test_a_staging_tab_left_by_a_crash_is_removed(fake: FakeSheets) -> None:
    world = GoogleWorld(fake, max_request_bytes=10_000, max_retries=0)
    tabs = default_tabs()
    tabs["อำเภอภูเขียว"] += [
        row(identity=f"ที่ {n}", post_url=f"https://fb.watch/{n}") for n in range(40)
    ]
    world.make(tabs)
    # The national tab is too big for one request: it is built in a hidden staging tab and
    # shown by the last request, which fails: the hidden staging tab stays.
    national = world.ids["national"]

    def fail_the_last_step(f: FakeSheets) -> None:
        staging = [t.title for t in f.spreadsheet(national).sheets if "กำลังปรับปรุง" in t.title]
        if staging and len(f.tab_values(national, staging[0])) == 45:
            f.fail_next(503, kind="spreadsheets.batchUpdate")  # this very request
        else:
            f.before_next(fail_the_last_step, kind="spreadsheets.batchUpdate")

    fake.before_next(fail_the_last_step, kind="spreadsheets.batchUpdate")
    report = world.sync()
    assert [a.spreadsheet for a in report.skipped] == [world.ids["national"]]
    assert "รวมทั้งประเทศ" not in world.tabs("national")
    assert [t for t in world.tabs("national") if "กำลังปรับปรุง" in t]
    world._backend = None  # a restarted bot
    world.sync()
    assert len(world.values("national", "รวมทั้งประเทศ")) == 45
    assert not [t for t in world.tabs("national") if "กำลังปรับปรุง" in t]


def test_dates_are_read_as_dates_not_locale_text() -> None:
    cell: dict[str, Any] = {
        "effectiveValue": {"numberValue": 45627},
        "formattedValue": "1/12/2567",
        "effectiveFormat": {"numberFormat": {"type": "DATE"}},
    }
    assert cell_value(cell) == date(2024, 12, 1)
    assert cell_value({"effectiveValue": {"numberValue": 3.0}}) == 3
    assert (
        cell_value({"effectiveValue": {"errorValue": {"type": "REF"}}, "formattedValue": "#REF!"})
        == "#REF!"
    )
    assert cell_value({"effectiveValue": {"stringValue": "=1+1"}}) == "=1+1"


def google_config(folder: Path, google: str = "") -> Config:
    """A Google config with two well-formed keys, relative paths under `folder`."""
    return parse_config(
        f"backend: google\n{google}"
        "national: {key: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms}\n"
        "provinces: [{province: ชัยภูมิ, key: 2BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms}]\n",
        base_dir=folder,
    )


def _service_account_file(path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "thai-dla", "private_key_id": "abc",
        "private_key": pem, "client_email": "softpower-bot@thai-dla.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token",
    }))  # fmt: skip
    return path


def test_credentials_from_a_service_account_key(tmp_path: Path) -> None:
    _service_account_file(tmp_path / "sa.json")
    config = google_config(tmp_path, "google: {credentials: sa.json}\n")
    credentials = load_credentials(config)
    assert credentials.service_account_email == "softpower-bot@thai-dla.iam.gserviceaccount.com"
    assert GoogleBackend(config).account == credentials.service_account_email


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "credentials file not found"), ("{not json", "not a valid Google credentials file"),
     ('{"type": "service_account"}', "not a valid Google credentials file")],
)  # fmt: skip
def test_bad_credentials_are_a_clear_config_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "sa.json").write_text(content)
    config = google_config(tmp_path, "google: {credentials: sa.json}\n")
    with pytest.raises(ConfigError, match=message):
        load_credentials(config)


def test_no_credentials_at_all_says_where_to_put_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    config = google_config(Path.cwd())
    with pytest.raises(ConfigError, match=r"google\.credentials: give the path"):
        load_credentials(config)


def test_doctor_finds_a_viewer_share_without_writing_and_names_provinces(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    fake.set_role(world.ids["province"], "reader")
    account = SimpleNamespace(
        service_account_email="softpower-bot@thai-dla.iam.gserviceaccount.com"
    )
    fake.reset_counts()
    findings = diagnose(
        config, lambda c: GoogleBackend(c, credentials=account, session=fake.session()), TODAY
    )
    assert blocks_sync(findings)
    [viewer] = [f for f in findings if f.level == "blocking"]
    assert viewer.subject == "จังหวัดชัยภูมิ"
    assert "shared with the bot only as Viewer" in viewer.english
    assert "softpower-bot@thai-dla.iam.gserviceaccount.com" in viewer.thai
    assert any(f.subject == "ระดับประเทศ (national)" and f.english == "the bot may edit it"
               for f in findings)  # fmt: skip
    assert "docs.google.com" not in " ".join(f.subject for f in findings)
    # It asked Drive and read; it wrote nothing.
    assert set(fake.counts) == {"spreadsheets.get", "drive.files.get"}


def test_doctor_without_the_drive_api_still_runs(fake: FakeSheets) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    fake.disable_api("drive.googleapis.com")
    findings = diagnose(config, lambda c: GoogleBackend(c, session=fake.session()), TODAY)
    assert not blocks_sync(findings)
    assert any("Google Drive API is not enabled" in f.english for f in findings)
