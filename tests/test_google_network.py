"""No way to reach Google (DNS, proxy, firewall): one line on stderr, exit 2, no traceback.

A valid service-account key whose token endpoint cannot be reached is what a machine
without a route to Google sees: google-auth raises TransportError while getting a token,
before any Sheets request.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from urllib3.exceptions import NewConnectionError

from bot.backends.google import GoogleBackend
from bot.cli import main
from bot.notify import Sender
from bot.scheduler import Daemon
from bot.state import State
from fake_sheets import FakeSheets
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

ROOT = Path(__file__).resolve().parent.parent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def unreachable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose key is valid but whose Google (the token endpoint) is unreachable."""
    folder = tmp_path_factory.mktemp("offline")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    (folder / "sa.json").write_text(json.dumps({
        "type": "service_account", "project_id": "thai-dla", "private_key_id": "abc",
        "private_key": pem, "client_email": "softpower-bot@thai-dla.iam.gserviceaccount.com",
        "client_id": "1", "token_uri": f"http://127.0.0.1:{_closed_port()}/token",
    }))  # fmt: skip
    (folder / "config.yaml").write_text(
        "backend: google\ngoogle: {credentials: sa.json, max_retries: 1, max_backoff_s: 0.1}\n"
        "national: {key: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms}\n"
        "provinces: [{province: ชัยภูมิ, key: 2BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms}]\n"
        "daemon: {read_cache: reads}\n",
        encoding="utf-8",
    )
    return folder / "config.yaml"


def test_sync_says_google_cannot_be_reached_in_one_line(unreachable: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(unreachable), "sync"],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("softpower-bot: error: เชื่อมต่อ Google ไม่ได้")
    assert "cannot reach Google after 2 tries (last: TransportError)" in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.parametrize("command", ["check", "doctor"])
def test_check_and_doctor_exit_2_not_1(
    unreachable: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(unreachable), command])
    out, err = capsys.readouterr()
    assert code == 2  # "could not run", not "errors found" / "something blocks a sync"
    assert len(err.strip().splitlines()) == 1
    assert "cannot reach Google" in err and out == ""


class FlakyNetwork(requests.Session):
    """The fake's session, behind a network link a test can cut."""

    def __init__(self, inner: requests.Session) -> None:
        super().__init__()
        self.inner = inner
        self.down = False

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if self.down:
            cause = NewConnectionError(None, "Failed to establish a new connection: no route")  # type: ignore[arg-type]
            raise requests.ConnectionError(cause)
        return self.inner.request(*args, **kwargs)


def test_the_daemon_survives_a_lost_network_and_tells_the_admins_once(
    fake: FakeSheets, tmp_path: Path
) -> None:
    world = GoogleWorld(fake)
    config = world.make(default_tabs())
    daemon_settings = config.daemon.model_copy(update={"read_cache": str(tmp_path / "reads")})
    config = config.model_copy(update={"daemon": daemon_settings})
    network = FlakyNetwork(fake.session())
    told: list[str] = []
    daemon = Daemon(
        config,
        open_backend=lambda c: GoogleBackend(c, session=network, sleep=lambda s: None),
        sender=Sender(tmp_path / "outbox", echo=told.append),
        state=State(tmp_path / "state.sqlite", now=lambda: datetime.now(UTC)),
    )
    assert daemon.sync_job() is not None
    network.down = True
    for _ in range(5):
        assert daemon.sync_job() is None  # survived; tried again on the next tick
    assert len(told) == 1 and "cannot reach Google" in told[0]
    network.down = False
    assert daemon.sync_job() is not None
    assert len(told) == 2 and "กลับมาตรวจสอบรายงานได้ตามปกติ" in told[1]
