"""The daemon and the reminder commands as an admin runs them: real processes, real SMTP on
127.0.0.1, real signals, the example workbooks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from bot.examples import make_examples
from bot.geo import districts, find_province
from fake_line import FakeLine
from tests.smtp_server import SMTP_PASSWORD, SMTP_USER, LocalSMTP, local_smtp

ROOT = Path(__file__).resolve().parent.parent
CHAIYAPHUM = find_province("ชัยภูมิ")
assert CHAIYAPHUM is not None
# 15 Jan 2025, 5 days before the district deadline: 10 example districts still owe.
DAY = "2025-01-15"
OWING = 10


def project(folder: Path, port: int, *, send_time: str = "00:00", extra: str = "") -> Path:
    """The example workbooks plus a config that e-mails every district, the province and
    the admins through the local SMTP server."""
    make_examples(folder / "example")
    base = (
        "xlsx: {folder: example}\nnational: {file: national.xlsx}\n"
        "provinces: [{province: ชัยภูมิ, file: chaiyaphum.xlsx}]\n"
    )
    smtp = f"mailto://bot:${{SMTP_PASSWORD}}@127.0.0.1:{port}?from=bot@dla.example&mode=insecure"
    lines = [
        "reminders:",
        f'  send_time: "{send_time}"',
        f'  admins: ["{smtp}&to=admin@dla.example"]',
        f'  provinces: {{ชัยภูมิ: ["{smtp}&to=province@chaiyaphum.example"]}}',
        "  districts:",
        "    ชัยภูมิ:",
        *(
            f'      {d.name}: ["{smtp}&to=d{d.code}@chaiyaphum.example"]'
            for d in districts(CHAIYAPHUM.code)
        ),
        "daemon: {state: state.sqlite, sync_every_minutes: 60}",
    ]
    path = folder / "config.yaml"
    path.write_text(base + "\n" + "\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    return {**os.environ, "SMTP_PASSWORD": SMTP_PASSWORD, "PYTHONPATH": str(ROOT)}


def recipients(server: LocalSMTP) -> Counter[str]:
    return Counter(r for m in server.messages for r in m.rcpt_tos)


def wait_for(condition: Callable[[], bool], seconds: float = 60.0) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def test_remind_sends_real_thai_email_once(tmp_path: Path, smtp: LocalSMTP, env: dict[str, str],
                                          capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    config = project(tmp_path, smtp.port)
    assert main(["--config", str(config), "--today", DAY, "remind"]) == 0
    out = capsys.readouterr().out
    got = recipients(smtp)
    assert len(got) == OWING and set(got.values()) == {1}
    assert "d3610@chaiyaphum.example" in got  # ภูเขียว: its row has a district typo
    message = next(m.message for m in smtp.messages if "d3610@chaiyaphum.example" in m.rcpt_tos)
    assert message["Subject"] == (
        "การรายงานผลการดำเนินงานโครงการ 1 อำเภอ 1 อัตลักษณ์ท้องถิ่น ประจำเดือนมกราคม 2568 "
        "(กำหนดส่งภายในวันจันทร์ที่ 20 มกราคม 2568)"
    )
    body = message.get_content()
    assert body.startswith("เรียน ท้องถิ่นอำเภอภูเขียว\r\n")  # e-mail lines end in CRLF
    assert "(อีก 5 วัน)" in body and "ชื่อที่ใกล้เคียงในทะเบียน คือ “ภูเขียว”" in body
    assert SMTP_PASSWORD not in out
    # The same day again: everything is on record, nothing goes twice.
    assert main(["--config", str(config), "--today", DAY, "remind", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["sent"], data["already_sent"]) == (0, OWING)
    assert len(smtp.messages) == OWING


@pytest.mark.usefixtures("env")
def test_dry_run_json_shows_everything_and_sends_nothing(
    tmp_path: Path, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, line: FakeLine,
) -> None:  # fmt: skip
    monkeypatch.setenv("LINE_TOKEN", line.token)
    group = line.add_group("สถ.จ.ชัยภูมิ", members=7, chat_id="C1234567890abcdef1234567890abcdef")
    config = project(tmp_path, smtp.port, extra=f"line: {{api_base: '{line.url}'}}\n")
    url = f"line://${{LINE_TOKEN}}/{group.chat_id}"
    text = config.read_text(encoding="utf-8")
    text = text.replace('  provinces: {ชัยภูมิ: ["', f'  provinces: {{ชัยภูมิ: ["{url}", "')
    text = text.replace('  admins: ["', f'  admins: ["{url}", "')
    config.write_text(text, encoding="utf-8")
    assert (
        main(["--config", str(config), "--today", "2025-01-22", "remind", "--dry-run", "--json"])
        == 0
    )
    out = capsys.readouterr().out
    data = json.loads(out)
    assert smtp.messages == []
    keys = {"recipient", "level", "deadline", "offset", "channel", "title", "text"}
    assert all(keys <= set(m) for m in data["messages"])
    levels = Counter(m["level"] for m in data["messages"])
    assert levels == {"province": 2, "admin": 2}  # each: LINE + e-mail
    assert data["line_messages_estimate"] == 2  # one push each, not every text to every URL
    assert data["line_cost"]["total"] == 14  # what LINE really bills: 7 members each
    assert line.pushes == [] and line.usage == 0
    assert line.token not in out and SMTP_PASSWORD not in out
    province = next(m for m in data["messages"] if m["channel"].startswith("line"))
    assert (province["deadline"], province["offset"]) == ("2025-01-25", 3)
    assert "ตรงกับวันเสาร์" in province["text"]


def start_daemon(config: Path, env: dict[str, str], *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(config), *extra, "run"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=config.parent,
    )  # fmt: skip


@pytest.mark.slow
def test_a_killed_daemon_sends_every_due_reminder_once_after_restart(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # A slow mail server, so the kill lands in the middle of the sending.
    with local_smtp(user=SMTP_USER, password=SMTP_PASSWORD, delay_s=0.3) as server:
        config = project(tmp_path, server.port)
        first = start_daemon(config, env, "--today", DAY)
        try:
            wait_for(lambda: len(server.messages) >= 3)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
        killed_at = len(server.messages)
        assert 3 <= killed_at < OWING
        second = start_daemon(config, env, "--today", DAY)
        try:
            wait_for(lambda: len(recipients(server)) >= OWING)
            time.sleep(1.5)  # nothing more may arrive
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=60)
        assert second.returncode == 0, err
    got = recipients(server)
    assert len(got) == OWING
    # Exactly once each; at most one message twice: the one whose send had completed
    # when the kill came, before its record was written (the design errs on that side).
    assert sum(got.values()) - OWING <= 1
    assert SMTP_PASSWORD not in err


@pytest.mark.slow
def test_daemon_syncs_and_stops_cleanly_on_sigterm(tmp_path: Path, env: dict[str, str]) -> None:
    with local_smtp(user=SMTP_USER, password=SMTP_PASSWORD) as server:
        config = project(tmp_path, server.port, send_time="23:59")
        national = tmp_path / "example" / "national.xlsx"
        before = national.stat().st_mtime_ns
        proc = start_daemon(config, env)
        try:
            wait_for(
                lambda: (
                    national.stat().st_mtime_ns != before and (tmp_path / "state.sqlite").exists()
                )
            )
            # A second daemon on the same state refuses to start.
            other = subprocess.run(
                [sys.executable, "-m", "bot", "--config", str(config), "run"],
                env=env, capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
            assert other.returncode == 2
            assert "another softpower-bot is running" in other.stderr
            # While the daemon runs, status says so and gives the next sync.
            running = subprocess.run(
                [sys.executable, "-m", "bot", "--config", str(config), "status", "--json"],
                env=env, capture_output=True, text=True, timeout=60, check=True,
            )  # fmt: skip
            live = json.loads(running.stdout)
            assert live["daemon_running"] is True and live["next_sync"] is not None
            assert live["next_sync"].endswith("+07:00")  # the config's time zone
            time.sleep(0.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "softpower-bot running" in err and "softpower-bot stopped" in err
    assert SMTP_PASSWORD not in err + out
    status = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(config), "status", "--json"],
        env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    data = json.loads(status.stdout)
    assert data["last_sync"]["ok"] is True
    assert data["coverage"]["districts_with_identity"] == 14
    # Stopped: no next sync is promised.
    assert data["daemon_running"] is False and data["next_sync"] is None
