"""A local fake of the LINE Messaging API over real HTTP on 127.0.0.1, and of the LINE
Platform's side of a webhook: events signed with the channel secret, as LINE sends them.

    with FakeLine() as line:
        group = line.add_group("กลุ่มสถ.อ.ภูเขียว", members=12)
        line.deliver(webhook_url, [line.join_event(group.group_id)])
        ...  # the bot calls line.url + "/v2/bot/..." with line.token

It keeps the month's quota and consumption (a push to a group costs one message per
member), issues single-use reply tokens that expire, and can be told to answer the next
requests with 429 or 5xx (`fail`).
"""

from fake_line.server import (
    DEFAULT_SECRET,
    DEFAULT_TOKEN,
    MONTHLY_LIMIT,
    Chat,
    FakeLine,
    Push,
    Reply,
)
from fake_line.webhooks import sign

__all__ = [
    "DEFAULT_SECRET",
    "DEFAULT_TOKEN",
    "MONTHLY_LIMIT",
    "Chat",
    "FakeLine",
    "Push",
    "Reply",
    "sign",
]
