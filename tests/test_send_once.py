"""Every reminder exactly once, even when an admin runs `remind` while the daemon is sending,
and never all again when the state file is lost while the daemon runs.

Real SMTP on 127.0.0.1 (slowed down, so sends overlap), the example workbooks, the real
`remind` command and the daemon's own job; each trial starts `remind` at a random moment
of the daemon's sending.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.backends import open_backend
from bot.cli import main
from bot.config import Config
from bot.config_load import load_config
from bot.dispatch import make_sender
from bot.scheduler import Daemon
from bot.state import SendKey, State, StateError
from tests.smtp_server import SMTP_PASSWORD, SMTP_USER, local_smtp
from tests.test_daemon import DAY, OWING, project, recipients, wait_for

BANGKOK = ZoneInfo("Asia/Bangkok")
MORNING = datetime(2025, 1, 15, 10, 0, tzinfo=BANGKOK)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("SMTP_PASSWORD", SMTP_PASSWORD)
    root = Path(__file__).resolve().parent.parent
    return {**os.environ, "SMTP_PASSWORD": SMTP_PASSWORD, "PYTHONPATH": str(root)}


def fresh_state(config_path: Path, trial: int) -> Path:
    """Point the config at a state file of its own for this trial."""
    text = config_path.read_text("utf-8").replace("state.sqlite", f"state-{trial}.sqlite")
    text = text.replace(f"state-{trial - 1}.sqlite", f"state-{trial}.sqlite")
    config_path.write_text(text, "utf-8")
    return config_path


def daemon_reminds(config: Config, state_path: Path) -> None:
    """The daemon's reminder job, as the daemon runs it (its state opened in its thread)."""
    with State(state_path, now=lambda: MORNING) as state:
        state.lock()
        daemon = Daemon(config, open_backend=open_backend, sender=make_sender(config),
                        state=state, now=lambda: MORNING)  # fmt: skip
        daemon.remind_job()


@pytest.mark.slow
def test_remind_beside_the_sending_daemon_sends_nothing_twice(
    tmp_path: Path, env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(9)
    trials, duplicates, remind_sent = 24, 0, 0
    with local_smtp(user=SMTP_USER, password=SMTP_PASSWORD, delay_s=0.04) as smtp:
        config_path = project(tmp_path, smtp.port)
        for trial in range(1, trials + 1):
            fresh_state(config_path, trial)
            config = load_config(config_path)
            before = len(smtp.messages)
            state_path = tmp_path / f"state-{trial}.sqlite"
            codes: list[int] = []
            argv = ["--config", str(config_path), "--today", DAY, "remind", "--json"]
            worker = threading.Thread(target=daemon_reminds, args=(config, state_path))
            manual = threading.Thread(target=lambda a=argv, c=codes: c.append(main(a)))
            # `remind` starts anywhere from well before the daemon's job to well after it.
            offset = rng.uniform(-0.8, 1.0)
            first, second = (worker, manual) if offset >= 0 else (manual, worker)
            first.start()
            time.sleep(abs(offset))
            second.start()
            worker.join(timeout=120)
            manual.join(timeout=120)
            [code] = codes
            assert code == 0, capsys.readouterr().err
            remind_sent += json.loads(capsys.readouterr().out)["sent"]
            got = Counter(r for m in smtp.messages[before:] for r in m.rcpt_tos)
            assert len(got) == OWING, got
            duplicates += sum(n - 1 for n in got.values())
    assert duplicates == 0
    # Some trials had `remind` send part of the day's reminders itself: the race was real.
    assert 0 < remind_sent < trials * OWING


@pytest.mark.slow
def test_remind_processes_beside_a_daemon_process_send_nothing_twice(
    tmp_path: Path, env: dict[str, str]
) -> None:
    rng = random.Random(3)
    with local_smtp(user=SMTP_USER, password=SMTP_PASSWORD, delay_s=0.15) as smtp:
        config_path = project(tmp_path, smtp.port)
        for trial in range(1, 4):
            fresh_state(config_path, trial)
            before = len(smtp.messages)
            command = [sys.executable, "-m", "bot", "--config", str(config_path), "--today", DAY]
            daemon = subprocess.Popen([*command, "run"], env=env, stderr=subprocess.PIPE,
                                      text=True)  # fmt: skip
            try:
                # The daemon syncs first, then sends: start `remind` somewhere in that.
                wait_for((tmp_path / f"state-{trial}.sqlite").exists)
                time.sleep(rng.uniform(0.0, 2.5))
                remind = subprocess.run([*command, "remind"], env=env, capture_output=True,
                                        text=True, timeout=120, check=False)  # fmt: skip
                assert remind.returncode == 0, remind.stderr
                wait_for(lambda before=before: len(smtp.messages) - before >= OWING)
                time.sleep(0.5)
            finally:
                daemon.send_signal(signal.SIGTERM)
                daemon.communicate(timeout=60)
            got = Counter(r for m in smtp.messages[before:] for r in m.rcpt_tos)
            assert len(got) == OWING and set(got.values()) == {1}, got


def key(recipient: str) -> SendKey:
    return SendKey(MORNING.date(), "district", "2025-01", 5, recipient, "mailto://x")


def test_a_key_claimed_by_a_sender_at_work_is_not_claimed_again(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    with State(path, now=lambda: MORNING) as daemon, State(path, now=lambda: MORNING) as other:
        with daemon.sending():
            assert daemon.claim(key("ภูเขียว"))  # ... and the send is under way
            assert other.claim(key("ภูเขียว")) is False
        # The daemon stopped without an outcome (killed mid-send): the key is due again.
        assert other.claim(key("ภูเขียว")) is True


def test_senders_take_turns(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    order: list[str] = []
    done = threading.Event()

    def second_sender(state: State) -> None:
        with state.sending():
            order.append("second")
            done.wait(10)

    with State(path, now=lambda: MORNING) as first, State(path, now=lambda: MORNING) as second:
        waiting = threading.Thread(target=second_sender, args=(second,))
        with first.sending():
            waiting.start()
            time.sleep(0.3)
            order.append("first done")
        wait_for(lambda: len(order) == 2, 10)
        with State(path, now=lambda: MORNING) as third:
            busy = pytest.raises(StateError, match="has been sending reminders for over")
            with busy, third.sending(wait_s=0.2):
                pass
            done.set()
            waiting.join(timeout=10)
            with third.sending(wait_s=1):
                order.append("third")
    assert order == ["first done", "second", "third"]


@pytest.mark.parametrize("loss", ["deleted", "emptied", "replaced"])
def test_a_lost_state_file_stops_the_sending_and_is_told_once(
    tmp_path: Path, env: dict[str, str], loss: str
) -> None:
    with local_smtp(user=SMTP_USER, password=SMTP_PASSWORD) as smtp:
        config_path = project(tmp_path, smtp.port)
        config = load_config(config_path)
        path = tmp_path / "state.sqlite"
        state = State(path, now=lambda: MORNING)
        daemon = Daemon(config, open_backend=open_backend, sender=make_sender(config),
                        state=state, now=lambda: MORNING)  # fmt: skip
        daemon.remind_job()
        assert len(smtp.messages) == OWING
        if loss == "deleted":
            path.unlink()
        elif loss == "emptied":
            os.truncate(path, 0)
        else:
            path.rename(tmp_path / "old.sqlite")
            State(path, now=lambda: MORNING).close()
        for _ in range(3):
            assert daemon.remind_job() is None
            assert daemon.sync_job() is None
        got = recipients(smtp)
        assert sum(got.values()) == OWING + 1  # the day's reminders once, and one alert
        assert got["admin@dla.example"] == 1
        alert = next(m.message for m in smtp.messages if "admin@dla.example" in m.rcpt_tos)
        assert "หยุดส่งการแจ้งเตือน" in alert["Subject"]
        with pytest.raises(StateError, match=f"state file {path}"):
            state.claim(key("ภูเขียว"))
        state.close()
