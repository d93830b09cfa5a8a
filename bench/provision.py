"""What `softpower-bot provision` costs at national scale on Google: 76 provincial
spreadsheets with all 878 district tabs and a national one, made from an empty shared-drive
folder in the local fake Sheets and Drive API (real HTTP on 127.0.0.1, every request body
checked against Google's discovery documents), with Google's default quota of 60 read and
60 write requests a minute per user enforced on a simulated clock shared with the bot's
pacing (a quota minute passes at once). Each province is shared with one address of its
own, and DLA with every spreadsheet.

    python bench/provision.py [--provinces 76]

It runs provision three times: the first makes everything; the second, with the same
config (`key: new` everywhere), finds every spreadsheet by its name in the folder; the
third, with the keys it printed pasted into the config, opens them by key. For each run it
prints the requests by kind, the writes (Drive creates and shares, batchUpdates), the 429s,
the simulated minutes the quota pacing took, the wall time and the CPU time; then the
peak RSS of the process (the bot and the fake run in one process, so CPU and memory are
theirs together). The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bot import geo
from bot.backends.google import GoogleBackend
from bot.config_load import parse_config
from bot.provision import provision

DRIVE_WRITES = ("drive.files.create", "drive.permissions.create", "drive.permissions.update")


def config_text(folder: str, provinces: list[geo.Province], keys: dict[str, str] | None) -> str:
    """The config: every province and the national spreadsheet `key: new` (or its key)."""
    keys = keys or {}
    lines = ["backend: google", f"national: {{key: {keys.get('national', 'new')}}}", "provinces:"]
    for p in provinces:
        lines.append(f"  - {{province: {p.name}, key: {keys.get(p.name, 'new')}}}")
    lines += [
        "provision:",
        f"  folder: {folder}",
        "  share:",
        "    dla: [softpower@dla.go.th]",
        "    provinces:",
        *(f"      {p.name}: [sthj{p.code}@example.go.th]" for p in provinces),
    ]
    return "\n".join(lines) + "\n"


def run(provinces: int) -> dict[str, Any]:
    """Provision `provinces` provinces three times; the figures."""
    from fake_sheets import FakeClock, FakeSheets  # noqa: PLC0415
    from fake_sheets.routes import WRITE_KINDS  # noqa: PLC0415

    chosen = list(geo.provinces())[:provinces]
    clock = FakeClock()
    tabs = sum(len(geo.districts(p.code)) for p in chosen)
    figures: dict[str, Any] = {"provinces": len(chosen), "district_tabs": tabs}
    with FakeSheets(clock=clock) as fake, tempfile.TemporaryDirectory() as tmp:
        folder = fake.add_folder("รายงาน 1 อำเภอ 1 อัตลักษณ์", shared_drive=True)
        made: dict[str, str] = {}
        for label in ("first", "found_by_name", "by_key"):
            keys = made if label == "by_key" else None
            config = parse_config(config_text(folder, chosen, keys), provision=True,
                                  base_dir=Path(tmp))  # fmt: skip
            fake.reset_counts()
            start, cpu0, sim0 = time.perf_counter(), time.process_time(), clock()
            backend = GoogleBackend(config, session=fake.session(), clock=clock,
                                    sleep=clock.advance)  # fmt: skip
            with backend:
                report = provision(config, backend)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu0
            assert not report.failed, report.as_text()
            counts = Counter(fake.counts)
            writes = sum(n for k, n in counts.items() if k in WRITE_KINDS or k in DRIVE_WRITES)
            figures[f"{label}_requests"] = sum(counts.values())
            figures[f"{label}_writes"] = writes
            figures[f"{label}_by_kind"] = dict(sorted(counts.items()))
            figures[f"{label}_simulated_min"] = round((clock() - sim0) / 60, 1)
            figures[f"{label}_wall_s"] = round(wall, 1)
            figures[f"{label}_cpu_s"] = round(cpu, 1)  # the bot's and the fake's
            figures[f"{label}_http_429"] = sum(1 for r in fake.requests if r.status == 429)
            if label == "first":
                figures["spreadsheets_made"] = len(fake.folder_files(folder))
                made["national"] = _key(report.snippet or "", "national")
                for p in chosen:
                    made[p.name] = _key(report.snippet or "", p.name)
    # Linux gives kilobytes: the bot and the fake in one process.
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


def _key(snippet: str, whose: str) -> str:
    if whose == "national":
        found = re.search(r"national: \{key: (\S+)\}", snippet)
    else:
        found = re.search(rf"- province: {re.escape(whose)}\n    key: (\S+)", snippet)
    assert found is not None, whose
    return found.group(1)


def main(argv: list[str] | None = None) -> int:
    """Run and print the figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provinces", type=int, default=len(geo.provinces()))
    args = parser.parse_args(argv)
    figures = run(args.provinces)
    for key, value in figures.items():
        if not key.endswith("_by_kind"):
            print(f"{key:28} {value}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
