"""What a reminder round leaves behind for the admin: one log line per message at INFO
(who, which channel, what happened) with the text only at DEBUG, outbox files whose names
say whose message it is, and `remind` exiting 1 when a send failed."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

import pytest

from bot.cli import main
from bot.examples import make_examples
from tests.smtp_server import SMTP_PASSWORD

DAY = "2025-01-15"  # five days before the district deadline: 10 example districts owe


def project(folder: Path, reminders: str = "") -> Path:
    make_examples(folder / "example")
    path = folder / "config.yaml"
    path.write_text(
        "xlsx: {folder: example}\nnational: {file: national.xlsx}\n"
        "provinces: [{province: ชัยภูมิ, file: chaiyaphum.xlsx}]\n"
        "daemon: {state: state.sqlite}\n" + reminders,
        encoding="utf-8",
    )
    return path


def test_outbox_files_are_named_by_day_level_and_recipient(tmp_path: Path) -> None:
    config = project(tmp_path)
    assert main(["--config", str(config), "--today", DAY, "remind", "--json"]) == 0
    names = sorted(p.name for p in (tmp_path / "outbox").glob("*.txt"))
    district = [n for n in names if n.startswith("2025-01-15_district_ชัยภูมิ-ภูเขียว_")]
    assert len(district) == 1
    assert re.fullmatch(r"[0-9a-f]{8}\.txt", district[0].rsplit("_", 1)[1])  # a short hash
    assert len(names) == 10 and all(n.startswith("2025-01-15_district_ชัยภูมิ-") for n in names)
    assert not any(n.startswith("message-") for n in names)
    text = (tmp_path / "outbox" / district[0]).read_text("utf-8")
    assert "เรียน ท้องถิ่นอำเภอภูเขียว" in text  # the letter to that office
    # Run again: on record, nothing new is written.
    assert main(["--config", str(config), "--today", DAY, "remind", "--json"]) == 0
    assert sorted(p.name for p in (tmp_path / "outbox").glob("*.txt")) == names


def test_each_send_is_one_info_line_and_the_text_is_only_at_debug(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project(tmp_path)
    with caplog.at_level(logging.DEBUG):
        assert main(["--config", str(config), "--today", DAY, "remind", "--json"]) == 0
    capsys.readouterr()
    sends = [r for r in caplog.records if r.name == "bot.dispatch"]
    info = [r.getMessage() for r in sends if r.levelno == logging.INFO]
    debug = [r.getMessage() for r in sends if r.levelno == logging.DEBUG]
    # One line per message and channel: the 10 districts that still owe something.
    assert len(info) == 10
    phu = [line for line in info if "district ภูเขียว" in line]
    assert phu == ["reminder to district ภูเขียว via outbox://: sent"]
    body_line = "เรียน ท้องถิ่นอำเภอภูเขียว"
    every_info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not any(body_line in line for line in every_info)
    assert any(body_line in line for line in debug)


def test_remind_exits_1_and_names_the_failure_when_a_send_fails(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    with socket.socket() as probe:  # a port nobody listens on: the mail server is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mail = f"mailto://bot:${{SMTP_PASSWORD}}@127.0.0.1:{port}?from=bot@dla.example&mode=insecure"
    config = project(
        tmp_path, f'reminders:\n  districts: {{ชัยภูมิ: {{ภูเขียว: ["{mail}&to=d@x.example"]}}}}\n'
    )
    with caplog.at_level(logging.INFO):
        code = main(["--config", str(config), "--today", DAY, "remind"])
    out = capsys.readouterr().out
    assert code == 1
    assert "sent 9" in out and "failed 1" in out and "FAILED ภูเขียว via mailto://" in out
    assert SMTP_PASSWORD not in out + caplog.text
    failed = [r for r in caplog.records if r.name == "bot.dispatch" and "FAILED" in r.getMessage()]
    assert len(failed) == 1 and failed[0].levelno == logging.WARNING
    # The other districts' messages went; only Phu Khiao's e-mail is tried again, and fails.
    assert main(["--config", str(config), "--today", DAY, "remind", "--json"]) == 1
