"""LINE pushes against the month's quota, as the admin meets them: `remind --dry-run` shows
what each group really costs (one message per member), a round that does not fit is not
pushed but goes to the fallback with a notice to the admins, and LINE's 429/5xx answers.
apprise's own ``line://`` plugin posts to the fake LINE API on 127.0.0.1 (`line.api_base`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.cli import main
from bot.config_load import load_config
from bot.config_services import LineSettings
from bot.line_api import LineApi, LineApiError
from bot.notify import Sender
from fake_line import MONTHLY_LIMIT, Chat, FakeLine
from tests.line_project import DAY, groups_of, line_env, webhook, write_project
from tests.smtp_server import SMTP_PASSWORD, LocalSMTP

# On DAY, both of these districts owe something and get a reminder (one push each).
PHU_KHIAO, MUEANG = "ภูเขียว", "เมืองชัยภูมิ"


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch, line: FakeLine) -> None:
    line_env(monkeypatch, line)
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)


# Five of the ten districts that owe something on DAY.
OWING = (PHU_KHIAO, MUEANG, "บ้านเขว้า", "เกษตรสมบูรณ์", "จัตุรัส")


def project(folder: Path, line: FakeLine, smtp: LocalSMTP, *groups: Chat, extra: str = "") -> Path:
    """Districts (ภูเขียว, เมืองชัยภูมิ, ... in `OWING` order) pushed to LINE groups, the
    admins e-mailed through the local server."""
    mail = (
        f"mailto://bot:${{SMTP_PASSWORD}}@127.0.0.1:{smtp.port}"
        "?from=bot@dla.example&to=admin@dla.example&mode=insecure"
    )
    district_urls = "\n".join(
        f'      {name}: ["line://${{LINE_TOKEN}}/{group.chat_id}"]'
        for name, group in zip(OWING, groups, strict=False)
    )
    reminders = f'reminders:\n  admins: ["{mail}"]\n  districts:\n    ชัยภูมิ:\n{district_urls}\n'
    return write_project(folder, line, reminders + extra)


def remind(config: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["--config", str(config), "--today", DAY, "remind", "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def outbox(folder: Path) -> str:
    return "\n".join(p.read_text("utf-8") for p in sorted((folder / "outbox").glob("*.txt")))


def test_dry_run_shows_what_each_group_really_costs(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    line.usage = 120
    config = project(tmp_path, line, smtp, phu, mueang)
    assert main(["--config", str(config), "--today", DAY, "remind", "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert "LINE messages this run would cost (estimate): 2" in text  # the old lower bound
    row = next(r for r in text.splitlines() if f"district · {PHU_KHIAO}" in r and "40" in r)
    assert row.split()[-3:] == ["40", "1", "40"]  # members, parts, cost
    assert "round costs 65; quota 300, used 120, left 180: fits" in text

    code, data = remind(config, capsys, "--dry-run")
    assert code == 0
    cost = data["line_cost"]
    assert cost["total"] == 65
    assert {(t["recipient"], t["members"], t["cost"]) for t in cost["targets"]} == {
        (PHU_KHIAO, 40, 40), (MUEANG, 25, 25)}  # fmt: skip
    assert cost["channels"][0] | {"channel": ""} == {"channel": "", "limit": 300, "used": 120,
        "left": 180, "cost": 65, "fits": True, "error": None}  # fmt: skip
    assert cost["fallback"] == []
    assert line.pushes == [] and smtp.messages == []
    assert line.token not in json.dumps(data) and line.token not in text

    line.usage = 250  # 50 left: the dry run says what a real run would do
    code, data = remind(config, capsys, "--dry-run")
    assert {f["recipient"] for f in data["line_cost"]["fallback"]} == {PHU_KHIAO, MUEANG}
    assert data["line_cost"]["channels"][0]["fits"] is False
    assert line.pushes == [] and smtp.messages == []  # and does nothing


def test_a_round_that_fits_is_pushed_by_apprise_to_the_fake_line_api(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    config = project(tmp_path, line, smtp, phu, mueang)
    code, data = remind(config, capsys)
    assert code == 0
    assert sorted(p.to for p in line.pushes) == sorted([phu.chat_id, mueang.chat_id])
    assert line.usage == 65
    pushed = next(p for p in line.pushes if p.to == phu.chat_id).texts[0]
    assert "เรียน ท้องถิ่นอำเภอภูเขียว" in pushed
    assert data["line_cost"]["fallback"] == []
    assert smtp.messages == []  # no notice to the admins
    assert PHU_KHIAO not in outbox(tmp_path)
    # Run again the same day: every push is on record, so LINE is not even asked.
    asked = len(line.records)
    code, again = remind(config, capsys)
    assert (code, again["sent"], len(line.records)) == (0, 0, asked)


def test_a_round_over_the_quota_goes_to_the_fallback_and_the_admins_are_told_once(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    line.usage = 250  # 50 left; the round costs 65
    config = project(tmp_path, line, smtp, phu, mueang)
    code, data = remind(config, capsys)
    assert code == 0
    assert line.pushes == [] and line.usage == 250
    assert line.paths("/v2/bot/message/push") == []  # not even tried
    saved = outbox(tmp_path)
    assert "เรียน ท้องถิ่นอำเภอภูเขียว" in saved
    assert "เรียน ท้องถิ่นอำเภอเมืองชัยภูมิ" in saved
    assert {(f["recipient"], f["channel"][:7]) for f in data["line_cost"]["fallback"]} == {
        (PHU_KHIAO, "line://"), (MUEANG, "line://")}  # fmt: skip
    [notice] = smtp.messages
    body = notice.message.get_content()
    assert "โควตาข้อความ LINE ไม่เพียงพอ" in notice.message["Subject"]
    assert "รอบนี้ต้องใช้ประมาณ 65 ข้อความ แต่โควตาเดือนนี้คงเหลือ 50 จาก 300 ข้อความ" in body
    assert "- อำเภอภูเขียว (line://" in body and "- อำเภอเมืองชัยภูมิ (line://" in body
    assert line.token not in body

    # The same day again: everything went (to the outbox); no second notice, no push.
    code, again = remind(config, capsys)
    assert code == 0 and again["sent"] == 0
    assert len(smtp.messages) == 1 and line.pushes == []


def test_when_the_quota_cannot_be_read_nothing_is_pushed(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    config = project(tmp_path, line, smtp, phu, mueang)
    line.fail(500, "/v2/bot/message/quota", times=10, retry_after=0)
    code, data = remind(config, capsys)
    assert code == 0 and line.pushes == []
    assert data["line_cost"]["channels"][0]["error"].startswith(
        "LINE GET /v2/bot/message/quota failed after 3 tries"
    )
    assert "ไม่สามารถอ่านโควตาข้อความจาก LINE ได้" in smtp.messages[0].message.get_content()
    assert "อำเภอภูเขียว" in outbox(tmp_path)
    assert line.paths("/v2/bot/group") == []  # no member count asked of a LINE that is down


def test_when_line_stops_answering_member_counts_the_bot_stops_asking(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    groups = [line.add_group(f"สถ.อ.{name}", 10 + i) for i, name in enumerate(OWING)]
    config = project(tmp_path, line, smtp, *groups)
    line.fail(503, "/v2/bot/group", times=100, retry_after=0)
    code, data = remind(config, capsys)
    assert code == 0 and line.pushes == []
    asked = {path.split("/")[4] for path in line.paths("/v2/bot/group")}
    assert len(asked) == 3  # then the rest are not asked: 3 tries each (max_retries 2)
    assert len(line.paths("/v2/bot/group")) == 9
    assert {f["recipient"] for f in data["line_cost"]["fallback"]} == set(OWING)


def test_a_group_the_bot_is_not_in_goes_to_the_fallback_alone(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    mueang.bot_in = False  # removed from the group; LINE answers 404 for its count
    config = project(tmp_path, line, smtp, phu, mueang)
    code, data = remind(config, capsys)
    assert [p.to for p in line.pushes] == [phu.chat_id]
    [moved] = data["line_cost"]["fallback"]
    assert moved["recipient"] == MUEANG and "ไม่ทราบจำนวนสมาชิก" in moved["reason"]
    assert "อำเภอเมืองชัยภูมิ" in outbox(tmp_path)
    assert code == 0


def test_a_member_count_line_cannot_give_now_is_the_last_one_read(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    config = project(tmp_path, line, smtp, phu, mueang)
    loaded = load_config(config)
    with webhook(loaded, line) as service:
        line.deliver(service.url, [line.join_event(phu.chat_id)])
        service.wait_idle()
    assert groups_of(loaded)[phu.chat_id].members == 40
    line.fail(503, f"/v2/bot/group/{phu.chat_id}/members", times=10, retry_after=0)
    code, data = remind(config, capsys, "--dry-run")
    assert code == 0
    target = next(t for t in data["line_cost"]["targets"] if t["recipient"] == PHU_KHIAO)
    assert (target["members"], target["cost"]) == (40, 40)
    assert target["note"].startswith("count of ") and target["chat"].startswith("กลุ่ม สถ.อ.ภูเขียว")


def test_without_the_check_a_push_over_the_limit_fails_and_is_retried_later(
    tmp_path: Path, line: FakeLine, smtp: LocalSMTP, capsys: pytest.CaptureFixture[str]
) -> None:
    phu, mueang = line.add_group("สถ.อ.ภูเขียว", 40), line.add_group("สถ.อ.เมือง", 25)
    line.usage = 270  # 30 left: the 25-member group fits, the 40-member one does not
    config = project(tmp_path, line, smtp, phu, mueang, extra="")
    text = config.read_text("utf-8").replace("max_retries: 2", "max_retries: 2, check_quota: false")
    config.write_text(text, "utf-8")
    code, data = remind(config, capsys)
    assert code == 1  # a send failed
    assert [p.to for p in line.pushes] == [mueang.chat_id]
    [failed] = data["failed"]
    assert failed["recipient"] == PHU_KHIAO and "429" in failed["error"]
    assert "line_cost" not in data
    assert line.token not in json.dumps(data)
    # Later the same day, with room in the quota again, only the failed push goes.
    line.usage = 0
    code, again = remind(config, capsys)
    assert code == 0 and (again["sent"], again["already_sent"]) == (1, 9)
    assert [p.to for p in line.pushes] == [mueang.chat_id, phu.chat_id]


# --- the LINE client -----------------------------------------------------------------------


def test_the_client_retries_5xx_and_429_honouring_retry_after(line: FakeLine) -> None:
    waits: list[float] = []
    api = LineApi(line.url, line.token, max_retries=3, backoff_s=0.2, sleep=waits.append)
    line.fail(502, "/v2/bot/message/quota")
    line.fail(429, "/v2/bot/message/quota", retry_after=1.5)
    quota = api.quota()
    assert (quota.limit, quota.used, quota.left) == (300, 0, 300)
    assert waits[1] == 1.5 and 0.1 <= waits[0] <= 0.2
    assert [r.status for r in line.records] == [502, 429, 200, 200]


def test_the_client_gives_up_with_a_clear_error_and_never_shows_the_token(
    line: FakeLine,
) -> None:
    api = LineApi(line.url, line.token, max_retries=2, sleep=lambda _: None)
    line.fail(500, "/v2/bot/group", times=5)
    with pytest.raises(LineApiError) as failed:
        api.member_count("C" + "1" * 32)
    assert failed.value.status == 500 and "after 3 tries" in str(failed.value)
    # A 4xx is final at once, with LINE's own reason.
    with pytest.raises(LineApiError) as missing:
        api.group_name("C" + "2" * 32)
    assert missing.value.status == 404 and "Not found" in str(missing.value)
    wrong = LineApi(line.url, "wrong-token", max_retries=2, sleep=lambda _: None)
    with pytest.raises(LineApiError) as denied:
        wrong.quota()
    assert denied.value.status == 401 and len(line.paths("/v2/bot/message/quota")) == 1
    nobody = LineApi("http://127.0.0.1:9", line.token, max_retries=1, sleep=lambda _: None)
    with pytest.raises(LineApiError) as refused:
        nobody.quota()
    assert refused.value.status is None and "no answer" in str(refused.value)
    for error in (failed, missing, denied, refused):
        assert line.token not in str(error.value)


def test_unlimited_quota_and_user_ids(line: FakeLine) -> None:
    line.quota = None
    api = LineApi(line.url, line.token)
    assert api.quota().left is None
    assert api.member_count("U" + "3" * 32) == 1  # a person: no call
    assert line.paths("/v2/bot/user") == []


def test_the_sender_pushes_split_parts_to_the_fake_and_each_costs_every_member(
    tmp_path: Path, line: FakeLine
) -> None:
    group = line.add_group("สถ.จ.ชัยภูมิ", 30)
    sender = Sender(tmp_path / "outbox", env={"LINE_TOKEN": line.token}, line_api=line.url)
    body = "\n".join(f"{i}) อำเภอที่ยังไม่ส่งรายงาน แถวที่ {i}" for i in range(400))
    delivery = sender.send(f"line://${{LINE_TOKEN}}/{group.chat_id}", "หัวเรื่อง", body)
    assert delivery.ok, delivery.error
    assert delivery.parts == len(line.pushes) > 1
    assert line.usage == 30 * delivery.parts
    assert line.pushes[0].texts[0].startswith(f"(1/{delivery.parts}) หัวเรื่อง\n0) ")
    assert line.token not in delivery.url


def test_a_monthly_limit_push_fails_without_a_retry_storm(tmp_path: Path, line: FakeLine) -> None:
    group = line.add_group("สถ.จ.ชัยภูมิ", 30)
    line.usage = 290
    sender = Sender(tmp_path / "outbox", env={"LINE_TOKEN": line.token}, line_api=line.url)
    delivery = sender.send(f"line://${{LINE_TOKEN}}/{group.chat_id}", "หัวเรื่อง", "ข้อความ")
    assert not delivery.ok and "429" in (delivery.error or "")
    assert [r.status for r in line.records] == [429]
    assert MONTHLY_LIMIT  # the fake's answer text, which our own client treats as final


# --- the settings --------------------------------------------------------------------------


def test_line_settings_keep_secrets_out_of_the_file() -> None:
    with pytest.raises(ValidationError, match="never write it in this file"):
        LineSettings(channel_secret="0123456789abcdef0123456789abcdef")
    with pytest.raises(ValidationError, match="not line://"):
        LineSettings(fallback=["line://${LINE_TOKEN}/U" + "1" * 32])
    with pytest.raises(ValidationError, match=r"https://api\.line\.me"):
        LineSettings(api_base="api.line.me")
    assert LineSettings(api_base="http://127.0.0.1:1234/").api_base == "http://127.0.0.1:1234"
