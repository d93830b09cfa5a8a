"""Other programs and bad luck while the bot writes a workbook: a person's save from another
process at any moment of a sync is never lost, a `kill -9` in the middle of a save never
leaves a broken workbook, and a full disk leaves every file as it was, with one clear line.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from bot.backends import open_backend
from bot.config import Config
from bot.cycle import sync_cycle
from bot.form_fields import STATUS_HEADER
from tests.factories import HEADERS, row
from tests.workbooks import DISTRICT_TABS, make_project, values
from tests.xlsx_parts import sheet_parts

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 1, 17)

# Another program that saves the workbook when told: a person's new row in a district tab,
# written in place (truncate and write, as a script does) or as a new file renamed over the
# old one (as Excel and LibreOffice do).
SAVER = textwrap.dedent("""
    import io, os, sys, time, zipfile
    print("ready", flush=True)
    for line in sys.stdin:
        path, part, delay, marker, mode = line.split()
        time.sleep(float(delay))
        with open(path, "rb") as handle:
            old = zipfile.ZipFile(io.BytesIO(handle.read()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
            for info in old.infolist():
                data = old.read(info)
                if info.filename == part:
                    cell = f'<row r="{MARKER_ROW}"><c r="A{MARKER_ROW}" t="inlineStr"><is><t>'
                    data = data.replace(b"</sheetData>",
                                        (cell + marker + "</t></is></c></row>").encode()
                                        + b"</sheetData>")
                new.writestr(info, data)
        if mode == "inplace":
            with open(path, "wb") as handle:
                handle.write(out.getvalue())
        else:
            with open(path + ".saving", "wb") as handle:
                handle.write(out.getvalue())
            os.replace(path + ".saving", path)
        print("saved", flush=True)
""").replace("{MARKER_ROW}", "1000")


def big_tabs(rows: int) -> dict[str, list[list[object]]]:
    """Chaiyaphum's three district tabs with `rows` rows each, a tenth of them wrong."""
    return {
        tab: [HEADERS, *(row(identity="" if i % 10 == 0 else f"อัตลักษณ์ {i}") for i in range(rows))]
        for tab in DISTRICT_TABS
    }  # type: ignore[misc]


def sync(config: Config) -> tuple[bool, str | None]:
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, TODAY)
    [province] = [a for a in report.applied if a.spreadsheet == "chaiyaphum.xlsx"]
    return province.written, province.skipped_reason


@pytest.mark.slow
def test_a_save_from_another_process_during_a_sync_is_never_lost(tmp_path: Path) -> None:
    rng = random.Random(2568)
    config = make_project(tmp_path, big_tabs(60))
    book = tmp_path / "chaiyaphum.xlsx"
    original = book.read_bytes()
    part = sheet_parts(book)["อำเภอคอนสาร"]
    start = time.perf_counter()
    sync(config)
    span = time.perf_counter() - start  # how long a sync of this workbook takes
    saver = subprocess.Popen([sys.executable, "-c", SAVER], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert saver.stdin is not None and saver.stdout is not None
    assert saver.stdout.readline().strip() == "ready"
    trials, lost, written, skipped = 60, 0, 0, 0
    try:
        for trial in range(trials):
            book.write_bytes(original)
            (tmp_path / "national.xlsx").unlink(missing_ok=True)
            marker = f"บันทึกของคน-{trial}"
            mode = "inplace" if trial % 2 else "replace"
            delay = rng.uniform(0, span * 1.3)
            saver.stdin.write(f"{book} {part} {delay:.4f} {marker} {mode}\n")
            saver.stdin.flush()
            done, reason = sync(config)
            assert saver.stdout.readline().strip() == "saved"
            written += done
            skipped += reason is not None
            with zipfile.ZipFile(book) as z:  # a whole package, never a half-written one
                assert z.testzip() is None
                xml = z.read(part).decode()
            if f"<t>{marker}</t>" not in xml:
                lost += 1
    finally:
        saver.stdin.close()
        saver.wait(timeout=30)
    assert lost == 0
    # The saves fell before, during and after the bot's work: both outcomes happened.
    assert written > 0 and skipped > 0, (written, skipped)


KILLED_SYNC = textwrap.dedent("""
    import sys
    from bot.cli import main
    sys.exit(main(["--config", sys.argv[1], "--today", "2025-01-17", "sync"]))
""")


@pytest.mark.slow
def test_kill_9_in_the_middle_of_saves_never_breaks_a_workbook(tmp_path: Path) -> None:
    rng = random.Random(9)
    make_project(tmp_path, big_tabs(250))
    book = tmp_path / "chaiyaphum.xlsx"
    original = book.read_bytes()
    staff = {tab: values(book, tab) for tab in DISTRICT_TABS}
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", KILLED_SYNC, str(tmp_path / "config.yaml")]
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=120)
    span = time.perf_counter() - start
    kills = 0
    for _ in range(12):
        book.write_bytes(original)
        (tmp_path / "national.xlsx").unlink(missing_ok=True)
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.3, 1.0) * span)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        data = book.read_bytes()
        if data != original:  # the new version, complete
            with zipfile.ZipFile(book) as z:
                assert z.testzip() is None
            assert all(
                [r[: len(HEADERS)] for r in values(book, tab)] ==
                [r[: len(HEADERS)] for r in staff[tab]]
                for tab in DISTRICT_TABS
            )  # fmt: skip
    assert kills >= 8
    # The next run removes what the killed ones left and finishes the job.
    subprocess.run(command, env=env, check=False, capture_output=True, timeout=120)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert values(book, "อำเภอภูเขียว")[0][len(HEADERS)] == STATUS_HEADER


def _small_disk(folder: Path, size_kb: int) -> list[str] | None:
    """A command prefix that runs a command with `folder` on a tmpfs of `size_kb` KB (in a
    private mount namespace), or None when this machine cannot make one."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    probe = subprocess.run(
        [unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
         f"mount -t tmpfs -o size={size_kb}k tmpfs {folder} && echo ok"],
        capture_output=True, text=True, check=False, timeout=30,
    )  # fmt: skip
    if "ok" not in probe.stdout:
        return None
    keep = folder.parent / "before-mount"
    return [unshare, "--user", "--map-root-user", "--mount", "sh", "-c",
            f"cp -a {folder} {keep} && mount -t tmpfs -o size={size_kb}k tmpfs {folder} &&"
            f' cp -a {keep}/. {folder}/ || exit 99; "$@"; status=$?;'
            f" ls -a {folder} > {folder}.listing; cp {folder}/chaiyaphum.xlsx {folder}.after;"
            " exit $status", "sh"]  # fmt: skip


@pytest.mark.slow
def test_a_full_disk_changes_nothing_and_says_so_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "books"
    folder.mkdir()
    make_project(folder, big_tabs(300))
    (folder / "config.yaml").write_text(
        (folder / "config.yaml").read_text("utf-8")
        + f"daemon: {{state: {tmp_path}/state.sqlite, read_cache: {tmp_path}/reads}}\n",
        "utf-8",
    )
    original = (folder / "chaiyaphum.xlsx").read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", KILLED_SYNC, str(folder / "config.yaml")]
    used_kb = sum(p.stat().st_size for p in folder.iterdir()) // 1024 + 8
    prefix = _small_disk(folder, used_kb)
    if prefix is not None:
        done = subprocess.run([*prefix, *command], env=env, capture_output=True, text=True,
                              timeout=120, check=False)  # fmt: skip
        listing = Path(f"{folder}.listing").read_text().split()
        after = Path(f"{folder}.after").read_bytes()
        how = "tmpfs"
    else:
        # No private mount here: limit the size of files this process may write instead.
        import resource  # noqa: PLC0415

        limit = len(original) + 4096

        def small_files() -> None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120,
                              check=False, preexec_fn=small_files)  # fmt: skip
        listing = [p.name for p in folder.iterdir()]
        after = (folder / "chaiyaphum.xlsx").read_bytes()
        how = "ulimit -f"
    assert done.returncode == 1, (how, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    assert after == original
    assert not [n for n in listing if n.endswith(".tmp")]
    not_written = [line for line in done.stdout.splitlines() if "NOT WRITTEN" in line]
    assert not_written and all("disk is full" in line and "พื้นที่ดิสก์เต็ม" in line
                               for line in not_written), done.stdout  # fmt: skip
