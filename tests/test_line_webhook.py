"""The LINE webhook as LINE and the staff meet it: signed and forged requests over real HTTP,
groups learnt on join and forgotten on leave, `line groups` / `line map`, and "สถานะ"
answered with the right place's rows (the fake LINE API on 127.0.0.1 takes the replies)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from filelock import FileLock

from bot.cli import main
from bot.config_load import load_config
from bot.line_webhook import is_question, verify_signature
from fake_line import FakeLine, sign
from tests.line_project import (
    BANGKOK,
    DAY,
    NOW,
    groups_of,
    line_env,
    map_group,
    project_config,
    webhook,
    write_project,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch, line: FakeLine) -> None:
    line_env(monkeypatch, line)


# --- signatures -------------------------------------------------------------------------


def test_forged_unsigned_and_tampered_requests_get_401_and_change_nothing(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line) as service:
        join = [line.join_event(group.chat_id)]
        forged = line.deliver(service.url, join, secret="not-the-channel-secret")
        unsigned = line.deliver(service.url, join, signature="")
        garbage = line.deliver(service.url, join, signature="bm90IGEgc2lnbmF0dXJl")
        # A real signature, but of another body: a replayed header on a changed request.
        other = sign(line.secret, line.body([line.join_event("C" + "0" * 32)]))
        tampered = line.deliver(service.url, join, signature=other)
        service.wait_idle()
    assert [r.status_code for r in (forged, unsigned, garbage, tampered)] == [401] * 4
    assert groups_of(config) == {}
    assert line.records == []  # the bot did not call LINE for any of them
    assert line.replies == []


def test_signature_is_checked_on_the_raw_bytes() -> None:
    body = b'{"destination":"U1","events":[]}'
    good = sign("s3cret", body)
    assert verify_signature(b"s3cret", body, good)
    assert verify_signature(b"s3cret", body, f" {good} ")  # header whitespace
    assert not verify_signature(b"s3cret", body + b" ", good)  # same JSON, other bytes
    assert not verify_signature(b"other", body, good)
    assert not verify_signature(b"s3cret", body, None)
    assert not verify_signature(b"s3cret", body, "ลายเซ็น")  # non-ASCII header: no crash


def test_the_line_console_verify_button_gets_200(tmp_path: Path, line: FakeLine) -> None:
    # "Verify" in the LINE console posts a signed request with no events.
    config = project_config(tmp_path, line)
    with webhook(config, line) as service:
        assert line.deliver(service.url, []).status_code == 200


# --- join, leave, groups, map -----------------------------------------------------------


def test_signed_join_records_the_group_with_its_name_and_tells_it_its_id(
    tmp_path: Path, line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line) as service:
        assert line.deliver(service.url, [line.join_event(group.chat_id)]).status_code == 200
        service.wait_idle()
    recorded = groups_of(config)[group.chat_id]
    assert (recorded.name, recorded.members, recorded.active) == ("สถ.อ.ภูเขียว", 12, True)
    [greeting] = line.replies
    assert greeting.chat_id == group.chat_id
    assert group.chat_id in greeting.texts[0] and "“สถานะ”" in greeting.texts[0]

    config_path = str(tmp_path / "config.yaml")
    assert main(["--config", config_path, "line", "groups", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)["groups"]
    assert (listed["chat_id"], listed["name"], listed["active"]) == (
        group.chat_id, "สถ.อ.ภูเขียว", True)  # fmt: skip
    assert main(["--config", config_path, "line", "groups"]) == 0
    out = capsys.readouterr().out
    assert group.chat_id in out and "สถ.อ.ภูเขียว" in out and "line map" in out


def test_leave_marks_the_group_left_and_a_new_join_keeps_its_mapping(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.จ.ชัยภูมิ", members=30)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", None)
        line.deliver(service.url, [line.leave_event(group.chat_id)])
        service.wait_idle()
        left = groups_of(config)[group.chat_id]
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
    back = groups_of(config)[group.chat_id]
    assert not left.active and left.left_at is not None
    assert back.active and back.province == "ชัยภูมิ"
    assert "จังหวัดชัยภูมิ" in line.replies[-1].texts[0]  # the greeting knows its place


def test_line_map_maps_with_one_command_and_prints_the_recipient_line(
    tmp_path: Path, line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
    path = str(tmp_path / "config.yaml")
    args = ["--config", path, "line", "map", group.chat_id, "--province", "จ.ชัยภูมิ"]
    assert main([*args, "--district", "อำเภอภูเขียว"]) == 0
    out = capsys.readouterr().out
    assert "อำเภอภูเขียว จังหวัดชัยภูมิ" in out
    assert f'ภูเขียว: ["line://${{LINE_TOKEN}}/{group.chat_id}"]' in out
    recorded = groups_of(config)[group.chat_id]
    assert (recorded.province, recorded.district) == ("ชัยภูมิ", "ภูเขียว")

    # Mistakes are one line each, with the fix, and change nothing.
    assert main([*args, "--district", "ภูเขียวว"]) == 2
    assert "did you mean 'ภูเขียว'" in capsys.readouterr().err
    assert main(["--config", path, "line", "map", group.chat_id, "--province", "เลย"]) == 2
    assert "no spreadsheet in the config" in capsys.readouterr().err
    unknown = "C" + "9" * 32
    assert main(["--config", path, "line", "map", unknown, "--province", "ชัยภูมิ"]) == 2
    assert "line groups" in capsys.readouterr().err
    assert groups_of(config)[group.chat_id].district == "ภูเขียว"

    assert main(["--config", path, "line", "map", group.chat_id, "--clear"]) == 0
    assert groups_of(config)[group.chat_id].province is None


# --- "สถานะ" --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("สถานะ", True),
        ("  สถานะครับ ", True),
        ("@softpower-bot สถานะค่ะ", True),
        ("STATUS?", True),
        ("สรุป", True),
        ("ต้องแก้อะไรคะ", True),
        ("สถา", False),
        ("สถานะของอำเภออื่น", False),
        ("สวัสดีครับ", False),
        ("ครับ", False),
    ],
)
def test_which_messages_ask_for_the_status(text: str, asked: bool) -> None:
    keywords = ["สถานะ", "status", "สรุป", "ต้องแก้อะไร"]
    assert is_question(text, keywords) is asked


def reminder_todos(capsys: pytest.CaptureFixture[str], config: Path, district: str) -> list[str]:
    """The to-do lines the reminder for `district` gives on DAY (`remind --dry-run`)."""
    assert main(["--config", str(config), "--today", DAY, "remind", "--dry-run", "--json"]) == 0
    messages = json.loads(capsys.readouterr().out)["messages"]
    [text] = [m["text"] for m in messages if m["recipient"] == district]
    return [line.strip() for line in text.splitlines() if re.match(r"\s*(\d+\)|file:)", line)]


def test_status_in_a_district_group_lists_that_districts_rows_with_links(
    tmp_path: Path, line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_project(tmp_path, line)
    config = load_config(path)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", "ภูเขียว")
        status = line.deliver(service.url, [line.text_event(group.chat_id, "@bot สถานะครับ")])
        service.wait_idle()
    assert status.status_code == 200
    [answer] = line.replies[1:]
    assert answer.chat_id == group.chat_id
    text = "\n".join(answer.texts)
    assert "อำเภอภูเขียว จังหวัดชัยภูมิ ประจำเดือน ม.ค. 2568" in text
    assert "ข้อมูล ณ วันที่ 15 ม.ค. 2568 เวลา 10.05 น." in text
    assert "อำเภอรายงานจังหวัดภายในวันที่ 20 ม.ค. 2568 (อีก 5 วัน)" in text
    assert "อัตลักษณ์ท้องถิ่น: มีแล้ว" in text
    # The same rows, with the same links, as the reminder the district gets that day.
    todos = reminder_todos(capsys, path, "ภูเขียว")
    assert todos and "ชื่อที่ใกล้เคียงในทะเบียน คือ “ภูเขียว”" in todos[0]
    assert "'อำเภอภูเขียว'!D5" in todos[1]
    assert all(todo in text for todo in todos)
    assert "'อำเภอคอนสาร'" not in text and "อำเภอคอนสาร" not in text  # no other district's rows


def test_status_in_a_province_group_covers_its_districts(tmp_path: Path, line: FakeLine) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.จ.ชัยภูมิ", members=30)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", None)
        line.deliver(service.url, [line.text_event(group.chat_id, "สรุป")])
        service.wait_idle()
    text = "\n".join(line.replies[-1].texts)
    assert "อำเภอที่มีอัตลักษณ์ท้องถิ่นแล้ว 14 จาก 16 อำเภอ" in text
    assert "อำเภอที่ยังรายงานเดือนนี้ไม่ครบถ้วน 10 จาก 16 อำเภอ" in text
    assert "- จังหวัดรายงานกรมส่งเสริมการปกครองท้องถิ่นภายในวันที่ 25 ม.ค. 2568 (อีก 10 วัน)" in text
    assert "อำเภอคอนสาร (3 รายการที่ต้องดำเนินการ)" in text
    assert "'อำเภอคอนสาร'!J5" in text
    assert re.search(r"อำเภอที่รายงานครบถ้วนแล้ว: .*หนองบัวแดง", text)


def test_an_unmapped_group_is_told_in_one_line_how_to_map_it(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("กลุ่มใหม่", members=5)
    with webhook(config, line) as service:
        # The bot was added before the webhook ran: the question is how it learns the id.
        line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
        service.wait_idle()
    [answer] = line.replies
    [text] = answer.texts
    assert "\n" not in text
    assert f"softpower-bot line map {group.chat_id} --province" in text
    assert groups_of(config)[group.chat_id].name == "กลุ่มใหม่"


def test_other_messages_get_no_reply_and_a_question_out_of_a_group_gets_one_line(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.text_event(group.chat_id, "ประชุมพรุ่งนี้ 9 โมงครับ")])
        line.deliver(service.url, [line.text_event("U" + "2b" * 16, "สถานะ")])  # a 1:1 chat
        service.wait_idle()
    [answer] = line.replies
    assert answer.chat_id.startswith("U") and "กลุ่ม LINE" in answer.texts[0]


def test_a_second_question_within_a_minute_gets_the_same_answer_without_a_read(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    workbook = tmp_path / "example" / "chaiyaphum.xlsx"
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", "ภูเขียว")
        line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
        service.wait_idle()
        workbook.rename(workbook.with_suffix(".gone"))  # a read now would fail
        line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
        service.wait_idle()
    assert line.replies[1].texts == line.replies[2].texts


def test_status_comes_from_the_last_good_read_while_a_workbook_is_broken(
    tmp_path: Path, line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_project(tmp_path, line)
    config = load_config(path)
    assert main(["--config", str(path), "--today", DAY, "sync"]) == 0  # keeps the last read
    capsys.readouterr()
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", "ภูเขียว")
        # The daemon is syncing: it holds the workbook folder's lock, but reading is free.
        with FileLock(str(tmp_path / "example" / ".softpower-bot.lock"), timeout=0):
            line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
            service.wait_idle()
        fresh = "\n".join(line.replies[-1].texts)
    # Someone saves a broken copy over the workbook: the last good read answers (a new
    # service, so the answer is not the one it just gave).
    (tmp_path / "example" / "chaiyaphum.xlsx").write_bytes(b"PK\x03\x04 broken")
    with webhook(config, line) as service:
        line.deliver(service.url, [line.text_event(group.chat_id, "ต้องแก้อะไร")])
        service.wait_idle()
    assert "ไม่ได้ชั่วคราว" not in fresh and "ชื่อที่ใกล้เคียงในทะเบียน คือ “ภูเขียว”" in fresh
    text = "\n".join(line.replies[-1].texts)
    assert "ระบบอ่านสเปรดชีตไม่ได้ชั่วคราว จึงแสดงข้อมูลที่อ่านได้ครั้งล่าสุดเมื่อวันที่" in text
    assert "ชื่อที่ใกล้เคียงในทะเบียน คือ “ภูเขียว”" in text


def test_a_spreadsheet_that_cannot_be_read_at_all_gets_an_apology_not_silence(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    (tmp_path / "example" / "chaiyaphum.xlsx").write_bytes(b"not a workbook")
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", "ภูเขียว")
        line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
        service.wait_idle()
    assert "ขออภัย" in line.replies[-1].texts[0]


# --- LINE failing -------------------------------------------------------------------------


def test_a_reply_is_retried_through_5xx_and_429_and_arrives_once(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    line.fail(500, "/v2/bot/message/reply")
    line.fail(429, "/v2/bot/message/reply", retry_after=0)
    with webhook(config, line) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
    assert len(line.replies) == 1
    assert [r.status for r in line.records if r.path == "/v2/bot/message/reply"] == [500, 429, 200]


def test_a_used_reply_token_fails_quietly_and_the_next_events_are_still_handled(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("กลุ่มใหม่", members=5)
    question = line.text_event(group.chat_id, "สถานะ")
    redelivered = {**question, "deliveryContext": {"isRedelivery": True}}
    with webhook(config, line) as service:
        line.deliver(service.url, [question])
        line.deliver(service.url, [redelivered, line.text_event(group.chat_id, "status")])
        service.wait_idle()
    statuses = [r.status for r in line.records if r.path == "/v2/bot/message/reply"]
    assert statuses == [200, 400, 200]  # the used token is refused once, not retried
    assert len(line.replies) == 2


def test_a_join_while_line_is_down_still_records_the_group(tmp_path: Path, line: FakeLine) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    line.fail(503, "/v2/bot/group", times=10)
    with webhook(config, line) as service:
        assert line.deliver(service.url, [line.join_event(group.chat_id)]).status_code == 200
        service.wait_idle()
    recorded = groups_of(config)[group.chat_id]
    assert recorded.active and recorded.name is None and recorded.members is None


# --- the command ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_line_webhook_command_refuses_forgeries_and_learns_a_group(
    tmp_path: Path, line: FakeLine, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_project(tmp_path, line)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "--config", str(path), "--today", DAY,
         "line-webhook", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the webhook did not start"
                time.sleep(0.1)
        assert line.deliver(url, [line.join_event(group.chat_id)], secret="x").status_code == 401
        assert line.deliver(url, [line.join_event(group.chat_id)]).status_code == 200
        found: list[dict[str, object]] = []
        while not found and time.monotonic() < deadline:
            assert main(["--config", str(path), "line", "groups", "--json"]) == 0
            found = json.loads(capsys.readouterr().out)["groups"]
            time.sleep(0.05)
        assert [(g["chat_id"], g["name"]) for g in found] == [(group.chat_id, "สถ.อ.ภูเขียว")]
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert line.secret not in err and line.token not in err


def test_the_command_names_a_missing_secret_in_one_line(
    tmp_path: Path, line: FakeLine, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path = write_project(tmp_path, line)
    monkeypatch.delenv("LINE_CHANNEL_SECRET")
    assert main(["--config", str(path), "line-webhook", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert "LINE_CHANNEL_SECRET is not set" in err and "\n" not in err


def test_after_the_programme_a_district_group_hears_it_is_over(
    tmp_path: Path, line: FakeLine
) -> None:
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    with webhook(config, line, now=datetime(2025, 10, 6, 9, 0, tzinfo=BANGKOK)) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", "ภูเขียว")
        line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
        service.wait_idle()
    text = "\n".join(line.replies[-1].texts)
    assert "โครงการสิ้นสุดระยะเวลาการรายงานแล้ว" in text
    assert "อัตลักษณ์ท้องถิ่น: มีแล้ว" in text and "กำหนดส่ง" not in text


def test_the_status_date_follows_the_clock(tmp_path: Path, line: FakeLine) -> None:
    # On 22 Jan the district deadline of January has passed, the province's has not:
    # a district group still sees January, overdue.
    config = project_config(tmp_path, line)
    group = line.add_group("สถ.อ.ภูเขียว", members=12)
    later = datetime(2025, 1, 22, 8, 30, tzinfo=BANGKOK)
    assert later > NOW
    with webhook(config, line, now=later) as service:
        line.deliver(service.url, [line.join_event(group.chat_id)])
        service.wait_idle()
        map_group(config, group.chat_id, "ชัยภูมิ", "ภูเขียว")
        line.deliver(service.url, [line.text_event(group.chat_id, "สถานะ")])
        service.wait_idle()
    text = "\n".join(line.replies[-1].texts)
    assert "ประจำเดือน ม.ค. 2568" in text
    assert "ภายในวันที่ 20 ม.ค. 2568 (ล่วงเลยกำหนดมาแล้ว 2 วัน)" in text
