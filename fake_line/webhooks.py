"""The LINE Platform's webhook side: event objects shaped as LINE sends them, signed with
the channel secret (``X-Line-Signature``: base64 of HMAC-SHA256 of the raw body)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

# Crockford's base32, the alphabet of the ULIDs LINE uses for webhookEventId.
_ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def sign(secret: str, body: bytes) -> str:
    """The ``X-Line-Signature`` LINE puts on `body` for a channel with `secret`."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def body_of(destination: str, events: list[dict[str, Any]]) -> bytes:
    """The request body LINE posts: the bot's user id and the events, as compact JSON."""
    payload = {"destination": destination, "events": events}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_id() -> str:
    """A fresh ULID-shaped webhook event id (26 characters)."""
    return "".join(secrets.choice(_ULID) for _ in range(26))


def source(chat_id: str, user_id: str | None = None) -> dict[str, Any]:
    """The `source` of an event in a group (C...), a room (R...) or a 1:1 chat (U...)."""
    if chat_id.startswith("C"):
        out: dict[str, Any] = {"type": "group", "groupId": chat_id}
    elif chat_id.startswith("R"):
        out = {"type": "room", "roomId": chat_id}
    else:
        return {"type": "user", "userId": chat_id}
    if user_id is not None:
        out["userId"] = user_id
    return out


def event(kind: str, chat_id: str, *, redelivery: bool = False, **extra: Any) -> dict[str, Any]:
    """One webhook event of type `kind` in `chat_id`, with LINE's common fields."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": source(chat_id, extra.pop("user_id", None)),
        "webhookEventId": event_id(),
        "deliveryContext": {"isRedelivery": redelivery},
        **extra,
    }


def text_message(text: str) -> dict[str, Any]:
    """A text message object as it appears in a message event."""
    return {
        "id": str(secrets.randbelow(10**18)),
        "type": "text",
        "quoteToken": secrets.token_urlsafe(24),
        "text": text,
    }
