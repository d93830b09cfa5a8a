"""The fake LINE API speaks LINE's language: the official SDK (line-bot-sdk, the tests'
reference, never the bot's dependency) parses the fake's answers and signed webhooks with
its own models, and agrees with the bot's signature check on every body."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException
from linebot.v3.webhook import SignatureValidator
from linebot.v3.webhooks import GroupSource, JoinEvent, LeaveEvent, MessageEvent

from bot.line_webhook import verify_signature
from fake_line import MONTHLY_LIMIT, FakeLine, sign


@pytest.fixture
def sdk(line: FakeLine) -> MessagingApi:
    """The official client, pointed at the fake."""
    return MessagingApi(ApiClient(Configuration(host=line.url, access_token=line.token)))


def test_the_sdk_reads_the_fakes_quota_groups_and_member_counts(
    line: FakeLine, sdk: MessagingApi
) -> None:
    group = line.add_group("สถ.จ.ชัยภูมิ", members=30)
    line.usage = 42
    assert sdk.get_message_quota().value == 300
    assert sdk.get_message_quota_consumption().total_usage == 42
    summary = sdk.get_group_summary(group.chat_id)
    assert (summary.group_id, summary.group_name) == (group.chat_id, "สถ.จ.ชัยภูมิ")
    assert sdk.get_group_member_count(group.chat_id).count == 30
    room = line.add_group("ห้องประชุม", members=4, chat_id="R" + "5" * 32)
    assert sdk.get_room_member_count(room.chat_id).count == 4
    line.quota = None
    assert sdk.get_message_quota().type == "none"


def test_the_sdk_pushes_and_replies_through_the_fake(line: FakeLine, sdk: MessagingApi) -> None:
    group = line.add_group("สถ.จ.ชัยภูมิ", members=30)
    pushed = sdk.push_message(
        PushMessageRequest(to=group.chat_id, messages=[TextMessage(text="แจ้งเตือน")])
    )
    assert len(pushed.sent_messages) == 1 and line.usage == 30
    token = line.reply_token(group.chat_id)
    replied = sdk.reply_message(
        ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="สถานะ")])
    )
    assert len(replied.sent_messages) == 1 and line.usage == 30  # replies are free
    with pytest.raises(ApiException) as used:
        sdk.reply_message(ReplyMessageRequest(reply_token=token, messages=[TextMessage(text="x")]))
    assert used.value.status == 400 and "Invalid reply token" in str(used.value.body)


def test_the_fakes_errors_reach_the_sdk_as_lines_do(line: FakeLine, sdk: MessagingApi) -> None:
    group = line.add_group("สถ.จ.ชัยภูมิ", members=30)
    line.usage = 290
    with pytest.raises(ApiException) as limit:
        sdk.push_message(PushMessageRequest(to=group.chat_id, messages=[TextMessage(text="x")]))
    assert limit.value.status == 429 and MONTHLY_LIMIT in str(limit.value.body)
    line.fail(503, "/v2/bot/message/quota")
    with pytest.raises(ApiException) as down:
        sdk.get_message_quota()
    assert down.value.status == 503
    stranger = MessagingApi(ApiClient(Configuration(host=line.url, access_token="nope")))
    with pytest.raises(ApiException) as denied:
        stranger.get_message_quota()
    assert denied.value.status == 401


def test_the_sdk_parses_the_fakes_signed_webhooks(line: FakeLine) -> None:
    group = line.add_group("สถ.จ.ชัยภูมิ", members=30)
    events = [
        line.join_event(group.chat_id),
        line.text_event(group.chat_id, "สถานะ"),
        line.leave_event(group.chat_id),
    ]
    body = line.body(events).decode("utf-8")
    parsed = WebhookParser(line.secret).parse(body, sign(line.secret, body.encode()))
    assert [type(e) for e in parsed] == [JoinEvent, MessageEvent, LeaveEvent]
    assert all(isinstance(e.source, GroupSource) for e in parsed)
    assert {e.source.group_id for e in parsed} == {group.chat_id}
    assert parsed[1].message.text == "สถานะ"
    with pytest.raises(InvalidSignatureError):
        WebhookParser(line.secret).parse(body, sign("another secret", body.encode()))


@settings(max_examples=100, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=40),
    body=st.text(max_size=200),
    tamper=st.booleans(),
)
def test_the_bots_signature_check_agrees_with_the_sdk(secret: str, body: str, tamper: bool) -> None:
    raw = body.encode("utf-8")
    signature = sign(secret, raw)
    if tamper:
        signature = sign(secret, raw + b"x")
    expected = SignatureValidator(secret).validate(body, signature)
    assert verify_signature(secret.encode("utf-8"), raw, signature) is expected
    assert expected is not tamper
