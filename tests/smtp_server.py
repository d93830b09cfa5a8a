"""A real SMTP server on 127.0.0.1 for tests: it accepts AUTH over plain SMTP and keeps
every message it receives.

    with local_smtp(user="bot", password="secret") as server:
        ...send to f"mailto://bot:secret@127.0.0.1:{server.port}?..."...
        server.messages[0].message["Subject"]

Use it through a pytest fixture so the server is always stopped.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = ["SMTP_PASSWORD", "SMTP_USER", "LocalSMTP", "Received", "local_smtp"]

# The login the `smtp` fixture (tests/conftest.py) expects.
SMTP_USER = "bot"
SMTP_PASSWORD = "s3cret-SMTP-pw"


@dataclass(frozen=True)
class Received:
    """One message as the server got it: SMTP envelope, login and parsed MIME message."""

    mail_from: str
    rcpt_tos: list[str]
    login: str | None
    message: EmailMessage


@dataclass
class LocalSMTP:
    """The running server: where it listens, what it received, whom it refuses."""

    port: int
    user: str | None
    password: str | None
    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    delay_s: float = 0.0  # a slow server, so a test can kill a sender half-way through

    # aiosmtpd handler hooks (aiosmtpd calls them by these names) --------------------------

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        """Accept a recipient unless it is in `refuse`."""
        if address in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Keep the message, parsed with the modern e-mail policy (decoded headers)."""
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        login = session.auth_data.login.decode() if session.auth_data else None
        self.messages.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                login=login,
                message=parsed,
            )
        )
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """Accept exactly `user`/`password` (LOGIN or PLAIN)."""
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == self.user
            and auth_data.password.decode() == self.password
        )
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)  # let aiosmtpd answer 535


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def local_smtp(
    user: str | None = None, password: str | None = None, delay_s: float = 0.0
) -> Iterator[LocalSMTP]:
    """Run an SMTP server on 127.0.0.1 for the block; it checks AUTH against `user`/`password`
    (a client that logs in with anything else gets 535; `Received.login` tells who did).

    aiosmtpd's Controller cannot listen on port 0, so a free port is picked first (and
    picked again if another process took it in between).
    """
    for attempt in range(3):
        state = LocalSMTP(port=_free_port(), user=user, password=password, delay_s=delay_s)
        controller = Controller(
            state,
            hostname="127.0.0.1",
            port=state.port,
            authenticator=state.authenticate if user else None,
            auth_require_tls=False,  # offer AUTH on plain SMTP (loopback only)
            ready_timeout=5.0,
        )
        try:
            controller.start()
        except OSError:
            if attempt == 2:
                raise
            continue
        try:
            yield state
        finally:
            controller.stop()
        return
