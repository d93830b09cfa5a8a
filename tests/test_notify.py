"""Tests for bot.notify: real SMTP on 127.0.0.1, LINE and Telegram through apprise with HTTP
intercepted by `responses` (nothing leaves the machine), masking, splitting, the outbox."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from requests import PreparedRequest

from bot.errors import BotError, ConfigError
from bot.notify import (
    OUTBOX_URL,
    UNLIMITED,
    Delivery,
    NotifyError,
    Sender,
    channel_limit,
    expand_env,
    line_messages,
    mask,
)
from bot.splitting import message_text
from tests.smtp_server import SMTP_PASSWORD, SMTP_USER, LocalSMTP

LINE_PUSH = "https://api.line.me/v2/bot/message/push"
# Shaped like a long-lived channel access token: base64 with "/" and "+", ending in "=".
LINE_TOKEN = "kQ7Zt+SECRETline/Xb3mW9pLq2Rr8sT4vY6uN1oA5cE0dF7gH2jK3lM4nP=="
LINE_USER = "U4af4980629be1c3d0e21b2c4aa4b5d6e"
LINE_GROUP = "C1234567890abcdef1234567890abcdef"
TG_TOKEN = "123456789:AAHsecretTelegramBotToken_x1y2z3"
TG_SEND = f"https://api.telegram.org/bot{TG_TOKEN}/sendMessage"

SUBJECT = "แจ้งเตือน: กำหนดส่งรายงาน 20 ม.ค. 2568"
BODY = (
    "เรียน นายก อบต.บ้านใหม่\n"
    "ขอให้ส่งรายงานผลการดำเนินงาน Soft Power ประจำเดือน ธ.ค. 2567\n"
    "ภายในวันที่ 20 ม.ค. 2568"
)
THAI_ROW = "อำเภอเมืองเชียงใหม่ ส่งแล้ว 12 จาก 25 ตำบล ยังไม่ส่ง ตำบลสุเทพ ตำบลช้างเผือก"


@pytest.fixture(autouse=True)
def http() -> Iterator[responses.RequestsMock]:
    """Every test runs with `requests` intercepted: an unregistered URL fails, offline."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sender(tmp_path: Path) -> Sender:
    return Sender(tmp_path / "outbox", env={})


def mail_url(port: int, extra: str = "&mode=insecure", scheme: str = "mailto") -> str:
    return (
        f"{scheme}://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{port}"
        f"?from=bot@example.org&to=district@example.org{extra}"
    )


def request_json(request: PreparedRequest) -> Any:
    """The JSON body of an intercepted request."""
    assert isinstance(request.body, bytes | str)
    return json.loads(request.body)


def pushed_texts(http: responses.RequestsMock) -> list[str]:
    """The text of every LINE push, in order."""
    return [request_json(call.request)["messages"][0]["text"] for call in http.calls]


# --- e-mail through a real SMTP server ----------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "extra"),
    [
        ("mailto", "&smtp=127.0.0.1&mode=insecure"),
        ("mailto", "&mode=insecure"),
        ("mailto", ""),  # mailto:// defaults to plain SMTP
        ("mailtos", "&mode=insecure"),  # mailtos:// but told not to use TLS
    ],
)
def test_email_arrives_with_thai_subject_and_body(
    smtp: LocalSMTP, sender: Sender, scheme: str, extra: str
) -> None:
    delivery = sender.send(mail_url(smtp.port, extra, scheme), SUBJECT, BODY)

    assert delivery.ok, delivery.error
    assert delivery.parts == 1
    assert delivery.error is None
    assert SMTP_PASSWORD not in delivery.url
    assert delivery.url.startswith(f"{scheme}://{SMTP_USER}:****@127.0.0.1:{smtp.port}/")
    [received] = smtp.messages
    assert received.login == SMTP_USER
    assert received.mail_from == "bot@example.org"
    assert received.rcpt_tos == ["district@example.org"]
    assert received.message["To"] == "district@example.org"
    assert received.message["Subject"] == SUBJECT
    part = received.message.get_body(("plain",))
    assert part is not None
    assert part.get_content_type() == "text/plain"
    assert part.get_content_charset() == "utf-8"
    assert part.get_content().replace("\r\n", "\n").rstrip("\n") == BODY


def test_email_with_host_name_and_smtp_port_parameters(smtp: LocalSMTP, sender: Sender) -> None:
    url = (
        f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@example.org"
        f"?to=district@example.org&smtp=127.0.0.1&port={smtp.port}"
    )
    assert sender.send(url, SUBJECT, BODY).ok
    [received] = smtp.messages
    assert received.mail_from == "bot@example.org"  # from user@host when from= is absent


def test_email_password_from_environment(smtp: LocalSMTP, tmp_path: Path) -> None:
    sender = Sender(tmp_path, env={"SMTP_PASSWORD": SMTP_PASSWORD})
    url = mail_url(smtp.port).replace(SMTP_PASSWORD, "${SMTP_PASSWORD}")
    delivery = sender.send(url, SUBJECT, BODY)
    assert delivery.ok
    assert smtp.messages[0].login == SMTP_USER


def test_email_wrong_password_fails_without_raising(smtp: LocalSMTP, sender: Sender) -> None:
    url = mail_url(smtp.port).replace(SMTP_PASSWORD, "wrong-password")
    delivery = sender.send(url, SUBJECT, BODY)
    assert delivery == Delivery(url=mask(url), ok=False, parts=1, error=delivery.error)
    assert delivery.error
    assert "wrong-password" not in delivery.error
    assert "wrong-password" not in delivery.url
    assert smtp.messages == []


def test_email_refused_recipient_is_a_failed_delivery(smtp: LocalSMTP, sender: Sender) -> None:
    smtp.refuse.add("district@example.org")
    delivery = sender.send(mail_url(smtp.port), SUBJECT, BODY)
    assert not delivery.ok
    assert delivery.error
    assert smtp.messages == []


def test_mailtos_default_starttls_fails_against_a_plain_server(
    smtp: LocalSMTP, sender: Sender
) -> None:
    delivery = sender.send(mail_url(smtp.port, extra="", scheme="mailtos"), SUBJECT, BODY)
    assert not delivery.ok
    assert "mode=starttls" in delivery.url
    assert smtp.messages == []


# --- LINE Messaging API -------------------------------------------------------------------


def test_line_push_request_is_exactly_what_line_expects(
    http: responses.RequestsMock, sender: Sender
) -> None:
    http.add(responses.POST, LINE_PUSH, json={}, status=200)

    delivery = sender.send(f"line://{LINE_TOKEN}/{LINE_USER}", SUBJECT, BODY)

    assert delivery == Delivery(url=delivery.url, ok=True, parts=1, error=None)
    assert LINE_TOKEN not in delivery.url
    assert delivery.url.startswith("line://****/U...e?")
    [call] = http.calls
    assert call.request.method == "POST"
    assert call.request.url == LINE_PUSH
    assert call.request.headers["Authorization"] == f"Bearer {LINE_TOKEN}"
    assert call.request.headers["Content-Type"] == "application/json"
    payload = request_json(call.request)
    assert payload["to"] == LINE_USER
    [message] = payload["messages"]
    assert message["type"] == "text"
    # LINE has no title field: the title is the first line of the text.
    assert message["text"] == f"{SUBJECT}\n{BODY}"
    # apprise also names itself as the sender, with its icon (add ?image=no to drop it).
    assert message["sender"]["name"] == "Apprise"
    assert message["sender"]["iconUrl"].startswith("https://")


def test_line_token_from_environment(http: responses.RequestsMock, tmp_path: Path) -> None:
    http.add(responses.POST, LINE_PUSH, json={}, status=200)
    sender = Sender(tmp_path, env={"LINE_TOKEN": LINE_TOKEN})
    assert sender.send(f"line://${{LINE_TOKEN}}/{LINE_USER}", SUBJECT, BODY).ok
    assert http.calls[0].request.headers["Authorization"] == f"Bearer {LINE_TOKEN}"


def test_line_error_is_a_failed_delivery_without_the_token(
    http: responses.RequestsMock, sender: Sender
) -> None:
    http.add(responses.POST, LINE_PUSH, json={"message": "Internal error"}, status=500)

    delivery = sender.send(f"line://{LINE_TOKEN}/{LINE_USER}", SUBJECT, BODY)

    assert not delivery.ok
    assert delivery.parts == 1
    assert delivery.error is not None
    assert "500" in delivery.error
    assert LINE_TOKEN not in delivery.error
    assert "SECRET" not in delivery.error
    assert LINE_TOKEN not in delivery.url


def test_long_line_message_is_split_into_numbered_pushes(
    http: responses.RequestsMock, sender: Sender
) -> None:
    http.add(responses.POST, LINE_PUSH, json={}, status=200)
    rows = [f"{n:03d} {THAI_ROW}" for n in range(1, 151)]  # about 12,200 characters
    body = "\n".join(rows)

    delivery = sender.send(f"line://{LINE_TOKEN}/{LINE_USER}", SUBJECT, body)

    assert delivery.ok
    assert delivery.parts == 3
    texts = pushed_texts(http)
    assert len(texts) == 3
    assert [text[:6] for text in texts] == ["(1/3) ", "(2/3) ", "(3/3) "]
    assert all(len(text) <= 5000 for text in texts)
    assert texts[0].startswith(f"(1/3) {SUBJECT}\n001 ")
    # Rows are never cut: every line of every part is a whole row (or the title).
    lines = [line for text in texts for line in text[6:].split("\n")]
    assert lines == [SUBJECT, *rows]
    assert line_messages([f"line://{LINE_TOKEN}/{LINE_USER}"], [message_text(SUBJECT, body)]) == 3


def test_failed_part_stops_the_rest(http: responses.RequestsMock, sender: Sender) -> None:
    http.add(responses.POST, LINE_PUSH, json={}, status=200)
    http.add(responses.POST, LINE_PUSH, json={"message": "quota"}, status=429)
    body = "\n".join([THAI_ROW] * 150)

    delivery = sender.send(f"line://{LINE_TOKEN}/{LINE_USER}", SUBJECT, body)

    assert not delivery.ok
    assert delivery.parts == 3
    assert delivery.error is not None
    assert delivery.error.startswith("part 2/3: ")
    assert delivery.error.endswith("(parts 3-3 not sent)")
    assert len(http.calls) == 2


def test_line_token_never_reaches_the_logs(
    http: responses.RequestsMock, sender: Sender, caplog: pytest.LogCaptureFixture
) -> None:
    http.add(responses.POST, LINE_PUSH, json={}, status=200)
    http.add(responses.POST, LINE_PUSH, json={"message": "bad"}, status=401)
    caplog.set_level(logging.DEBUG)

    sender.send(f"line://{LINE_TOKEN}/{LINE_USER}", SUBJECT, BODY)
    sender.send(f"line://{LINE_TOKEN}/{LINE_USER}", SUBJECT, BODY)

    assert any(record.name == "apprise" for record in caplog.records)  # apprise did log
    assert any(record.name == "bot.notify" for record in caplog.records)
    for record in caplog.records:
        assert LINE_TOKEN not in record.getMessage()
        assert "SECRETline" not in record.getMessage()
    assert "SECRETline" not in caplog.text


# --- Telegram -----------------------------------------------------------------------------


def test_telegram_send_message_request(http: responses.RequestsMock, sender: Sender) -> None:
    http.add(responses.POST, TG_SEND, json={"ok": True, "result": {}}, status=200)

    delivery = sender.send(f"tgram://{TG_TOKEN}/987654321", SUBJECT, BODY)

    assert delivery.ok
    assert TG_TOKEN not in delivery.url
    [call] = http.calls
    assert call.request.url == TG_SEND
    payload = request_json(call.request)
    assert payload["chat_id"] == 987654321
    assert payload["parse_mode"] == "HTML"
    # Plain text is sent in Telegram's HTML mode: apprise ends lines with \r\n.
    assert payload["text"].replace("\r\n", "\n") == f"{SUBJECT}\n{BODY}"


def test_long_telegram_message_fits_after_apprise_turns_newlines_into_crlf(
    http: responses.RequestsMock, sender: Sender
) -> None:
    http.add(responses.POST, TG_SEND, json={"ok": True, "result": {}}, status=200)
    rows = [f"{n:03d} ส่งแล้ว" for n in range(1, 700)]  # short rows: many line breaks
    body = "\n".join(rows)

    delivery = sender.send(f"tgram://{TG_TOKEN}/987654321", SUBJECT, body)

    assert delivery.ok
    texts = [request_json(call.request)["text"] for call in http.calls]
    assert len(texts) == delivery.parts > 1
    assert all(len(text) <= 4096 for text in texts)  # as Telegram receives them
    assert texts[0].startswith(f"(1/{delivery.parts}) {SUBJECT}\r\n001 ")
    lines = [line for text in texts for line in text.split("\r\n")]
    assert [re.sub(r"^\(\d+/\d+\) ", "", line) for line in lines] == [SUBJECT, *rows]


def test_telegram_token_in_the_request_url_is_kept_out_of_debug_logs(
    http: responses.RequestsMock, sender: Sender, caplog: pytest.LogCaptureFixture
) -> None:
    """apprise logs "Telegram POST URL: .../bot<token>/sendMessage" at DEBUG."""
    http.add(responses.POST, TG_SEND, json={"ok": False}, status=403)
    caplog.set_level(logging.DEBUG)

    delivery = sender.send(f"tgram://{TG_TOKEN}/987654321", SUBJECT, BODY)

    assert not delivery.ok
    assert delivery.error is not None
    assert "AAHsecret" not in delivery.error
    assert "Telegram POST URL" in caplog.text
    assert "AAHsecret" not in caplog.text


# --- configuration errors -----------------------------------------------------------------


def test_url_apprise_cannot_understand_raises_config_error(sender: Sender) -> None:
    with pytest.raises(ConfigError) as caught:
        sender.send("bogus://user:hunter2secret@example.org", SUBJECT, BODY)
    message = str(caught.value)
    assert "bogus://***" in message
    assert "hunter2secret" not in message


def test_rejected_token_raises_config_error_without_leaking_it(
    sender: Sender, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ConfigError) as caught:
        sender.send("tgram://not-a-bot-token-SECRETXYZ/123", SUBJECT, BODY)
    assert "SECRETXYZ" not in str(caught.value)
    assert "SECRETXYZ" not in caplog.text


def test_missing_variable_in_url_raises_before_sending(
    http: responses.RequestsMock, sender: Sender
) -> None:
    with pytest.raises(ConfigError, match="LINE_TOKEN"):
        sender.send(f"line://${{LINE_TOKEN}}/{LINE_USER}", SUBJECT, BODY)
    assert len(http.calls) == 0


def test_errors_belong_to_the_bot_hierarchy() -> None:
    assert issubclass(ConfigError, BotError)
    assert issubclass(NotifyError, BotError)


# --- mask() -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "secrets", "starts"),
    [
        (
            f"mailto://{SMTP_USER}:{SMTP_PASSWORD}@smtp.example.org?to=district@example.org",
            [SMTP_PASSWORD],
            f"mailto://{SMTP_USER}:****@smtp.example.org",
        ),
        (
            f"mailtos://{SMTP_USER}:{SMTP_PASSWORD}@smtp.example.org?to=district@example.org",
            [SMTP_PASSWORD],
            f"mailtos://{SMTP_USER}:****@smtp.example.org",
        ),
        (
            f"line://{LINE_TOKEN}/{LINE_USER}/{LINE_GROUP}",
            [LINE_TOKEN, "SECRETline", "Xb3mW9pLq2", LINE_USER, LINE_GROUP],
            "line://****/",
        ),
        (f"tgram://{TG_TOKEN}/987654321", [TG_TOKEN, "AAHsecret"], "tgram://"),
    ],
)
def test_mask_hides_tokens_and_passwords(url: str, secrets: list[str], starts: str) -> None:
    masked = mask(url)
    assert masked.startswith(starts)
    for secret in secrets:
        assert secret not in masked


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("outbox://", "outbox://"),
        ("bogus://user:hunter2@example.org/x", "bogus://***"),
        ("line://", "line://***"),
        ("just some text with hunter2", "***"),
        ("", "***"),
    ],
)
def test_mask_never_returns_what_it_cannot_parse(url: str, expected: str) -> None:
    assert mask(url) == expected


# --- expand_env() -------------------------------------------------------------------------


def test_expand_env_replaces_variables() -> None:
    env = {"LINE_TOKEN": "abc/def=", "TARGET": LINE_USER}
    assert expand_env("line://${LINE_TOKEN}/${TARGET}", env) == f"line://abc/def=/{LINE_USER}"
    assert expand_env("mailto://a@b.org", env) == "mailto://a@b.org"
    assert expand_env("price $5 and $HOME stay", env) == "price $5 and $HOME stay"


def test_expand_env_defaults_to_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOFTPOWER_TEST_TOKEN", "t0k3n")
    assert expand_env("line://${SOFTPOWER_TEST_TOKEN}/U1") == "line://t0k3n/U1"


@pytest.mark.parametrize(
    ("url", "env", "named", "said"),
    [
        ("line://${LINE_TOKEN}/U1", {}, "LINE_TOKEN", "is not set"),
        ("line://${LINE_TOKEN}/U1", {"LINE_TOKEN": ""}, "LINE_TOKEN", "is empty"),
        ("tgram://${TG}/${CHAT}", {"TG": "x"}, "CHAT", "is not set"),
        ("line://${LINE_TOKEN/U1", {"LINE_TOKEN": "x"}, "malformed", "${NAME}"),
        ("line://${1BAD}/U1", {}, "malformed", "${NAME}"),
    ],
)
def test_expand_env_errors_name_the_variable(
    url: str, env: dict[str, str], named: str, said: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        expand_env(url, env)
    assert named in str(caught.value)
    assert said in str(caught.value)


def test_expand_env_error_shows_no_values() -> None:
    env = {"SMTP_PASSWORD": "pw-visible-nowhere"}
    with pytest.raises(ConfigError) as caught:
        expand_env("mailto://u:${SMTP_PASSWORD}@h.org?to=${TO}", env)
    assert "pw-visible-nowhere" not in str(caught.value)
    assert "set it" in str(caught.value)


# --- channel_limit() ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        (f"line://{LINE_TOKEN}/{LINE_USER}", 5000),
        (f"line://${{LINE_TOKEN}}/{LINE_USER}", 5000),
        (f"tgram://{TG_TOKEN}/1", 4096),
        ("tgram://${TELEGRAM_BOT_TOKEN}/1", 4096),  # not loadable unexpanded; still known
        ("mailto://u:p@smtp.example.org?to=a@example.org", 32768),
        ("mailtos://u:p@smtp.example.org?to=a@example.org", 32768),
        (OUTBOX_URL, UNLIMITED),
        ("", UNLIMITED),
    ],
)
def test_channel_limit(url: str, limit: int) -> None:
    assert channel_limit(url) == limit


def test_channel_limit_of_unknown_scheme() -> None:
    with pytest.raises(ConfigError, match=r"bogus://\*\*\*"):
        channel_limit("bogus://secret@host")


# --- line_messages() ----------------------------------------------------------------------


def test_line_messages_counts_targets_times_parts() -> None:
    short, long = "สั้น", "\n".join([THAI_ROW] * 100)  # long: 2 parts at 5,000
    one_user = f"line://{LINE_TOKEN}/{LINE_USER}"
    user_and_group = f"line://${{LINE_TOKEN}}/{LINE_USER}/{LINE_GROUP}"
    assert line_messages([one_user], [short]) == 1
    assert line_messages([one_user], [short, long]) == 3
    assert line_messages([user_and_group], [short, long]) == 6
    assert line_messages([f"{one_user}?to={LINE_GROUP}"], [short]) == 2
    # Other channels cost no LINE messages.
    others = [
        "mailto://u:p@smtp.example.org?to=a@example.org",
        f"tgram://{TG_TOKEN}/1",
        "outbox://",
    ]
    assert line_messages([*others, one_user], [short]) == 1
    assert line_messages([], [short]) == 0
    assert line_messages([one_user], []) == 0


# --- outbox -------------------------------------------------------------------------------


def test_outbox_writes_one_file_per_distinct_message(tmp_path: Path) -> None:
    echoed: list[str] = []
    outbox = tmp_path / "out" / "box"
    sender = Sender(outbox, echo=echoed.append)

    first = sender.send("outbox://", SUBJECT, BODY)
    again = sender.send(OUTBOX_URL, SUBJECT, BODY)
    other = sender.send("", SUBJECT, BODY + "\nอีกบรรทัด")

    assert first == again == other == Delivery(url="outbox://", ok=True, parts=1, error=None)
    files = sorted(outbox.glob("*.txt"))
    assert len(files) == 2
    contents = {path.read_text(encoding="utf-8") for path in files}
    assert f"{SUBJECT}\n{BODY}\n" in contents
    assert echoed == [f"{SUBJECT}\n{BODY}"] * 2 + [f"{SUBJECT}\n{BODY}\nอีกบรรทัด"]
    assert not list(outbox.glob("*.part"))


def test_outbox_file_name_is_deterministic(tmp_path: Path) -> None:
    Sender(tmp_path / "a").send("outbox://", SUBJECT, BODY)
    Sender(tmp_path / "b").send("outbox://", SUBJECT, BODY)
    [a] = (tmp_path / "a").iterdir()
    [b] = (tmp_path / "b").iterdir()
    assert a.name == b.name
    assert re.fullmatch(r"message-[0-9a-f]{16}\.txt", a.name)


def test_outbox_that_cannot_be_written_is_a_failed_delivery(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the outbox folder should be", encoding="utf-8")
    delivery = Sender(blocker).send("outbox://", SUBJECT, BODY)
    assert not delivery.ok
    assert delivery.error is not None
    assert "cannot write" in delivery.error
