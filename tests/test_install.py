"""deploy/install.sh into a throw-away root: the layout, the modes, and a daemon that starts
from it. Offline: the dependencies come from this test run's own environment."""

from __future__ import annotations

import os
import shutil
import signal
import site
import stat
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from bot.examples import make_examples

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _install(root: Path) -> subprocess.CompletedProcess[str]:
    # Pre-make the venv and let it see this environment's packages, so pip needs no index:
    # only the bot itself is built and installed (tests never reach PyPI).
    venv = root / "opt" / "softpower-bot" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    Path(purelib, "test-env.pth").write_text(site.getsitepackages()[0] + "\n", encoding="utf-8")
    (venv / "bin" / "pip").unlink(missing_ok=True)
    env = {
        **os.environ,
        "PYTHON": sys.executable,
        "SOFTPOWER_PIP_ARGS": "--no-index --no-build-isolation --no-deps --ignore-installed",
    }
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / "install.sh"), "--root", str(root)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_install_into_a_root_and_start_the_daemon_from_it(tmp_path: Path) -> None:
    root = tmp_path / "root"
    done = _install(root)
    assert done.returncode == 0, done.stderr
    etc, var = root / "etc" / "softpower-bot", root / "var" / "lib" / "softpower-bot"
    bot = root / "opt" / "softpower-bot" / "venv" / "bin" / "softpower-bot"
    assert bot.exists()
    assert stat.S_IMODE((etc / "softpower-bot.env").stat().st_mode) == 0o600
    assert stat.S_IMODE((etc / "config.yaml").stat().st_mode) == 0o640
    assert stat.S_IMODE(var.stat().st_mode) == 0o750
    unit = (root / "etc" / "systemd" / "system" / "softpower-bot.service").read_text()
    assert f"ExecStart={root}/opt/softpower-bot/venv/bin/softpower-bot run" in unit
    assert f"EnvironmentFile={etc}/softpower-bot.env" in unit  # no "-": a missing file fails

    make_examples(etc / "example")  # the example config's workbooks
    config = str(etc / "config.yaml")
    env = {k: v for k, v in os.environ.items() if k != "SOFTPOWER_CONFIG"}
    status = subprocess.run(
        [str(bot), "--config", config, "status"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert status.returncode == 0, status.stderr
    national = etc / "example" / "national.xlsx"
    national_as_made = _stamp(national)
    daemon = subprocess.Popen(
        [str(bot), "--config", config, "--today", "2025-01-17", "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        # Stopped once its first sync has written the national workbook: a daemon well
        # started, however slowly a loaded machine imports it.
        deadline = time.monotonic() + 180
        while (
            national_as_made == _stamp(national)
            and daemon.poll() is None
            and (time.monotonic() < deadline)
        ):
            time.sleep(0.2)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=120)
    assert daemon.returncode == 0, err
    # The bot's own files went to the state folder, none beside the config in /etc.
    assert (var / "softpower-bot.sqlite").exists()
    assert not (etc / "softpower-bot.sqlite").exists()
    assert (etc / "example" / "national.xlsx").exists()  # the first sync wrote it
    assert "Traceback" not in err

    # Run again: an upgrade keeps the admin's config.
    (etc / "config.yaml").write_text(
        (etc / "config.yaml").read_text() + "# edited by the admin\n", encoding="utf-8"
    )
    shutil.rmtree(root / "opt")
    again = _install(root)
    assert again.returncode == 0, again.stderr
    assert "# edited by the admin" in (etc / "config.yaml").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    unit = tmp_path / "softpower-bot.service"
    shutil.copy(ROOT / "deploy" / "softpower-bot.service", unit)
    done = subprocess.run(
        ["systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Outside a booted systemd, verify also says the ExecStart binary is not installed and
    # the targets are unknown; anything about the unit file itself is a failure.
    lines = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if line.strip()
        and "is not executable" not in line
        and "not found" not in line
        and "Failed to create" not in line
    ]
    assert lines == []


def _stamp(path: Path) -> tuple[int, int] | None:
    """A file's inode and mtime (None while absent): it changes when the file is written."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns
