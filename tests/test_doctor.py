"""`doctor` finds every blocker an admin meets, each with the fix in Thai and English: the
reminder channels (variables, URLs, the mail server, checked without sending), where the
bot keeps its files, a tab renamed by staff, a changed header row, a programme period that
is over or not begun. Real workbooks, a real SMTP server on 127.0.0.1, the fake Sheets API."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest

from bot.backends.google import GoogleBackend
from bot.cli import main
from bot.config_load import load_config
from bot.doctor import blocks_sync, diagnose
from bot.doctor_local import channel_findings
from bot.form_fields import SPEC_BY_KEY
from fake_sheets import FakeSheets
from tests.factories import HEADERS
from tests.smtp_server import SMTP_PASSWORD, LocalSMTP
from tests.workbooks import CONFIG_TEXT, default_tabs, write_workbook
from tests.worlds import GoogleWorld

TODAY = "2025-01-17"


def project(folder: Path, extra: str = "", tabs: dict | None = None) -> Path:  # type: ignore[type-arg]
    write_workbook(folder / "chaiyaphum.xlsx", tabs if tabs is not None else default_tabs())
    path = folder / "config.yaml"
    path.write_text(CONFIG_TEXT + extra, encoding="utf-8")
    return path


def doctor(
    config: Path, capsys: pytest.CaptureFixture[str], today: str = TODAY
) -> tuple[int, list]:  # type: ignore[type-arg]
    code = main(["--config", str(config), "--today", today, "doctor", "--json"])
    return code, json.loads(capsys.readouterr().out)["findings"]


def about(findings: list, subject: str) -> list:  # type: ignore[type-arg]
    return [f for f in findings if f["subject"].startswith(subject)]


def test_a_healthy_project_has_nothing_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, findings = doctor(project(tmp_path), capsys)
    assert code == 0
    assert [f["level"] for f in about(findings, "programme")] == ["ok"]
    assert {f["subject"] for f in findings if f["subject"].startswith(("daemon.", "reminders."))} \
        == {"daemon.state", "daemon.read_cache", "reminders.outbox"}  # fmt: skip
    assert not about(findings, "form.headers")
    # Checking write access left nothing behind (the lock is the xlsx backend's, as in sync).
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == [".softpower-bot.lock", "chaiyaphum.xlsx", "config.yaml"]


# -- channels -----------------------------------------------------------------------------


def mail_url(port: int, scheme: str = "mailto") -> str:
    mode = "&mode=insecure" if scheme == "mailto" else ""
    return (f"{scheme}://bot:${{SMTP_PASSWORD}}@127.0.0.1:{port}"
            f"?from=bot@dla.example&to=admin@dla.example{mode}")  # fmt: skip


def test_unset_secrets_block_and_are_named_without_their_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    smtp: LocalSMTP,
) -> None:  # fmt: skip
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    monkeypatch.delenv("LINE_TOKEN", raising=False)
    line = "line://${LINE_TOKEN}/C1234567890abcdef1234567890abcdef"
    config = project(tmp_path, (
        f'reminders:\n  admins: ["{mail_url(smtp.port)}"]\n'
        f'  districts: {{ชัยภูมิ: {{ภูเขียว: ["{line}"]}}}}\n'
    ))  # fmt: skip
    code, findings = doctor(config, capsys)
    assert code == 1
    [mail] = about(findings, "reminders.admins")
    assert mail["level"] == "blocking"
    assert "SMTP_PASSWORD" in mail["english"] and "are not set" in mail["english"]
    assert "ยังไม่ได้กำหนดตัวแปร SMTP_PASSWORD" in mail["thai"]
    [push] = about(findings, "reminders.districts.ชัยภูมิ.ภูเขียว")
    assert push["level"] == "blocking" and "LINE_TOKEN" in push["english"]
    # The fallback of LINE (the outbox by default) is no channel to check.
    assert not about(findings, "line.fallback")
    # Set, the mail server is reached and asked EHLO; nothing is sent.
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("LINE_TOKEN", "a-token-for-the-test")
    code, findings = doctor(config, capsys)
    assert code == 0
    [mail] = about(findings, "reminders.admins")
    assert mail["level"] == "ok" and f"127.0.0.1:{smtp.port} answers" in mail["english"]
    assert smtp.messages == []
    assert SMTP_PASSWORD not in json.dumps(findings, ensure_ascii=False)


def test_a_mail_server_out_of_reach_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = project(tmp_path, f'reminders:\n  admins: ["{mail_url(port)}"]\n')
    code, findings = doctor(config, capsys)
    assert code == 1
    [mail] = about(findings, "reminders.admins")
    assert mail["level"] == "blocking"
    assert f"cannot reach the mail server 127.0.0.1:{port}" in mail["english"]
    assert "เชื่อมต่อเซิร์ฟเวอร์อีเมล" in mail["thai"]


def test_mailtos_needs_a_server_that_offers_starttls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: LocalSMTP
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    # The local test server speaks plain SMTP only: mailtos:// would fail at send time.
    config = load_config(project(tmp_path, (
        f'reminders:\n  admins: ["{mail_url(smtp.port, "mailtos")}"]\n'
    )))  # fmt: skip
    [mail] = channel_findings(config)
    assert mail.level == "blocking" and "does not offer STARTTLS" in mail.english


def test_a_url_apprise_cannot_read_blocks(tmp_path: Path) -> None:
    config = load_config(project(tmp_path, 'reminders:\n  admins: ["mailto//no-scheme"]\n'))
    [bad] = channel_findings(config, env={})
    assert bad.level == "blocking" and "apprise cannot understand" in bad.english


# -- the bot's own files ------------------------------------------------------------------


def test_state_outbox_and_read_cache_that_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be", encoding="utf-8")
    config = project(tmp_path, (
        "daemon: {state: blocker/state.sqlite, read_cache: blocker/reads}\n"
        "reminders: {outbox: blocker/outbox}\n"
    ))  # fmt: skip
    code, findings = doctor(config, capsys)
    assert code == 1
    levels = {f["subject"]: f["level"] for f in findings if "blocker" in f["english"]}
    assert levels == {"daemon.state": "blocking", "reminders.outbox": "blocking",
                      "daemon.read_cache": "warning"}  # fmt: skip
    [state] = about(findings, "daemon.state")
    assert "is a file, not a folder" in state["english"] and "state_dir" in state["english"]
    assert "กรุณาให้สิทธิ์เขียน" in state["thai"]


def test_paths_follow_state_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    var = tmp_path / "var"
    var.mkdir()
    code, findings = doctor(project(tmp_path, f"state_dir: {var}\n"), capsys)
    assert code == 0
    [state] = about(findings, "daemon.state")
    assert state["english"] == f"the bot may write {var / 'softpower-bot.sqlite'}"


# -- the programme period ------------------------------------------------------------------


def test_a_programme_that_is_over_blocks_and_says_what_to_change(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, findings = doctor(project(tmp_path), capsys, today="2025-11-03")
    assert code == 1
    [period] = about(findings, "programme")
    assert period["level"] == "blocking"
    assert "the programme ended on 2025-09-30" in period["english"]
    assert "start: 2568-11, end: 2569-09" in period["english"]
    assert "439 by 2569-03-31, 878 by 2569-09-30" in period["english"]
    assert "โครงการสิ้นสุดแล้ว" in period["thai"]


def test_a_programme_not_begun_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, findings = doctor(project(tmp_path), capsys, today="2024-10-15")
    assert code == 0
    [period] = about(findings, "programme")
    assert period["level"] == "warning" and "has not begun" in period["english"]


# -- tabs and headers ----------------------------------------------------------------------


def test_a_renamed_tab_gets_a_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tabs = default_tabs()
    tabs["อ.ภูเขียว"] = tabs.pop("อำเภอภูเขียว")
    tabs["หมายเหตุของจังหวัด"] = [["ไม่เกี่ยวข้อง"]]
    code, findings = doctor(project(tmp_path, tabs=tabs), capsys)
    assert code == 0  # sync still runs and flags it
    [missing] = about(findings, "จังหวัดชัยภูมิ › อำเภอภูเขียว")
    assert missing["level"] == "warning"
    assert "did you mean 'อ.ภูเขียว'? Rename it to 'อำเภอภูเขียว'" in missing["english"]
    assert "กรุณาเปลี่ยนชื่อแท็บ “อ.ภูเขียว” เป็น “อำเภอภูเขียว”" in missing["thai"]
    assert "tabs.district" not in missing["english"]  # one tab: rename it


def test_tabs_all_named_another_way_get_the_pattern_to_configure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tabs = {name.replace("อำเภอ", "อ."): grid for name, grid in default_tabs().items()}
    config = project(tmp_path, tabs=tabs)
    code, findings = doctor(config, capsys)
    assert code == 0
    hints = [f for f in findings if "did you mean" in f["english"]]
    assert len(hints) == 3
    assert all('set tabs.district: "อ.{district}"' in f["english"] for f in hints)
    # Doing what it says: nothing is missing any more.
    text = config.read_text("utf-8")
    config.write_text(text + 'tabs: {district: "อ.{district}"}\n', "utf-8")
    code, findings = doctor(config, capsys)
    assert code == 0
    assert not [f for f in findings if "MISSING_TAB" in f["english"]]


def test_a_changed_header_gets_a_form_headers_snippet_that_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = {SPEC_BY_KEY["post_url"].header: "ลิงก์โพสต์ *",
               SPEC_BY_KEY["hashtags"].header: "Hashtag ที่ใช้",
               SPEC_BY_KEY["phone"].header: "เบอร์โทร"}  # fmt: skip
    tabs = default_tabs()
    for name in ("อำเภอภูเขียว", "อำเภอคอนสาร"):
        tabs[name][0] = [renamed.get(h, h) for h in HEADERS]
    config = project(tmp_path, tabs=tabs)
    code, findings = doctor(config, capsys)
    assert code == 0  # sync still runs, and flags the columns it cannot find
    [mapping] = about(findings, "form.headers")
    assert mapping["level"] == "warning"
    snippet = mapping["english"].split("\n", 1)[1]
    assert snippet == (
        "form:\n  headers:\n"
        '    post_url: ["ลิงก์เผยแพร่", "ลิงก์โพสต์"]\n'
        '    hashtags: ["แฮชแท็ก", "Hashtag ที่ใช้"]\n'
        '    phone: ["โทรศัพท์", "เบอร์โทร"]'
    )
    assert "header row of 2 tabs" in mapping["english"]
    missing = [f for f in findings if "MISSING_COLUMN" in f["english"]]
    assert missing and all("see form.headers below" in f["english"] for f in missing)
    # Pasted into the config, every column is found again.
    config.write_text(config.read_text("utf-8") + snippet + "\n", "utf-8")
    _, findings = doctor(config, capsys)
    assert not [f for f in findings if "MISSING_COLUMN" in f["english"]]
    assert not about(findings, "form.headers")


def test_on_google_a_renamed_tab_is_found_in_the_tab_list(fake: FakeSheets) -> None:
    tabs = default_tabs()
    tabs["ภูเขียว "] = tabs.pop("อำเภอภูเขียว")
    world = GoogleWorld(fake)
    config = world.make(tabs)
    findings = diagnose(config, lambda c: GoogleBackend(c, session=fake.session()),
                        date(2025, 1, 17))  # fmt: skip
    assert not blocks_sync(findings)
    [missing] = [f for f in findings if f.subject.endswith("› อำเภอภูเขียว")]
    assert "did you mean 'ภูเขียว '?" in missing.english


def test_remind_dry_run_names_a_channel_whose_secret_is_unset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LINE_TOKEN", raising=False)
    line = "line://${LINE_TOKEN}/C1234567890abcdef1234567890abcdef"
    config = project(tmp_path, f'reminders:\n  districts: {{ชัยภูมิ: {{ภูเขียว: ["{line}"]}}}}\n')
    argv = ["--config", str(config), "--today", "2025-01-15", "remind", "--dry-run"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "Channels that would fail" in text and "LINE_TOKEN" in text
    assert main([*argv, "--json"]) == 0
    [problem] = json.loads(capsys.readouterr().out)["channel_problems"]
    assert problem["subject"].startswith("reminders.districts.ชัยภูมิ.ภูเขียว")


def test_check_says_when_the_programme_is_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["--config", str(project(tmp_path)), "--today", "2025-11-03", "check"])
    text = capsys.readouterr().out
    assert "the programme ended on 2025-09-30" in text and "start: 2568-11" in text
