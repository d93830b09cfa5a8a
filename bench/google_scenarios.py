"""The Google scenarios of issue 10, with the fake in a process of its own.

`run_scenarios` starts ``python -m fake_sheets`` (Google's default quotas, on a simulated
clock shared through a file), fills it with the national data set in one of two
topologies, and starts the bot in a third process (``python -m bench.google_scenarios``)
that keeps one `GoogleBackend` across cycles, as the daemon does. Between cycles this
process plays the people (one cell typed, cells typed in ten provinces) through the
fake's controls, then tells the bot to run the next cycle. Scenarios, in order:

  first          a fresh bot with no memory: reads everything, writes every status and tab
  unchanged      the next cycle, nobody typed anything
  one_cell       one person changed one cell of one district tab
  ten_provinces  one cell changed in a district tab of each of ten provinces
  record_day     an unchanged cycle that must also make the monthly record tab

Topologies: ``province`` (each province's districts are tabs of the province's
spreadsheet: 77 spreadsheets) and ``district`` (every district in a spreadsheet of its
own, the provincial tabs in the national spreadsheet: 879 spreadsheets).

Per scenario: ``reads`` (Sheets reads and Drive requests), ``writes`` (Sheets writes),
``http_429``, ``bytes_sent``/``bytes_received`` (bodies of the bot's requests and the
answers, as the fake prints them: uncompressed JSON), ``simulated_minutes`` (the shared
clock: the bot's pacing under 60 reads and 60 writes a minute), ``bot_cpu_s`` and
``bot_peak_rss_mb`` (the bot's process alone, peak since it started: it only grows).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

if TYPE_CHECKING:
    from bench.national import ProvinceData

SCENARIOS = ("first", "unchanged", "one_cell", "ten_provinces", "record_day")
RECORD = "บันทึก มิ.ย. 2568"


class Fake:
    """The fake Sheets API running as a program of its own."""

    def __init__(self, folder: Path, quota_per_minute: int) -> None:
        self.clock_file = folder / "clock"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fake_sheets", "--clock-file", str(self.clock_file),
             "--read-per-minute", str(quota_per_minute),
             "--write-per-minute", str(quota_per_minute)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        self.url = str(json.loads(self.process.stdout.readline())["url"])
        self.http = requests.Session()
        self.seen = 0

    def control(self, method: str, name: str, **kwargs: Any) -> Any:
        """One ``/_fake/`` control request (not counted as a Google request)."""
        answer = self.http.request(method, f"{self.url}/_fake/{name}", timeout=600, **kwargs)
        answer.raise_for_status()
        return answer.json()

    def add(self, title: str, tabs: dict[str, list[list[object]]] | None = None) -> str:
        """A spreadsheet with these tabs (values typed as they are)."""
        body = {"title": title, "tabs": tabs, "value_input": "RAW"}
        return str(self.control("POST", "spreadsheets", json=body)["id"])

    def since_last(self) -> list[Any]:
        """The requests the fake received since the last call (as `RequestRecord`s)."""
        from fake_sheets import RequestRecord  # noqa: PLC0415

        log = self.control("GET", "log", params={"since": self.seen})
        self.seen = int(log["total"])
        return [RequestRecord(*r) for r in log["records"]]

    def close(self) -> None:
        """Stop the fake (it ends when its standard input does)."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _config(national: str, provinces: list[tuple[str, str, list[tuple[str, str]]]]) -> str:
    """The config text: province -> (its key, [(district, own key)...])."""
    lines = ["backend: google", f"national: {{key: {national}}}", "provinces:"]
    for name, key, districts in provinces:
        lines.append(f"  - province: {name}\n    key: {key}")
        if districts:
            own = ", ".join(f"{{district: {d}, key: {k}}}" for d, k in districts)
            lines.append(f"    districts: [{own}]")
    return "\n".join(lines) + "\n"


Where = dict[str, list[tuple[str, str]]]  # province -> [(spreadsheet, district tab)...]


def load(fake: Fake, data: Sequence[ProvinceData], topology: str) -> tuple[str, Where]:
    """Put the data into the fake: the config text, and where each district tab lives
    (province -> [(spreadsheet, tab)...])."""
    national = fake.add("national")
    provinces: list[tuple[str, str, list[tuple[str, str]]]] = []
    where: Where = {}
    for p in data:
        name = p.province.name
        if topology == "province":
            key = fake.add(name, p.tabs)
            provinces.append((name, key, []))
            where[name] = [(key, tab) for tab in p.tabs]
        else:
            own = [(tab, fake.add(f"{name} {tab}", {tab: rows})) for tab, rows in p.tabs.items()]
            provinces.append((name, national, [(t.removeprefix("อำเภอ"), k) for t, k in own]))
            where[name] = [(k, t) for t, k in own]
    return _config(national, provinces), where


def _edit(fake: Fake, spreadsheet: str, tab: str, value: str) -> None:
    """A person types ``value`` into the first report row's note column (a cell the
    roll-up carries into the provincial and national tabs)."""
    from bot.form_fields import FIELDS  # noqa: PLC0415

    column = next(n for n, f in enumerate(FIELDS) if f.header == "หมายเหตุ")
    start = f"{chr(65 + column)}2"
    fake.control("POST", "edit", json={"spreadsheet": spreadsheet, "tab": tab, "start": start,
                                       "rows": [[value]], "value_input": "RAW"})  # fmt: skip


def run_scenarios(
    data: Sequence[ProvinceData], topology: str, today: date, quota_per_minute: int = 60
) -> dict[str, dict[str, Any]]:
    """Run the five scenarios in one topology on ``today``; the figures per scenario."""
    from bench.national import tally  # noqa: PLC0415

    out: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as tmp:
        folder = Path(tmp)
        fake = Fake(folder, quota_per_minute)
        try:
            config_text, where = load(fake, data, topology)
            config = folder / "config.yaml"
            config.write_text(config_text, encoding="utf-8")
            fake.control("POST", "reset")
            fake.since_last()
            bot = subprocess.Popen(
                [sys.executable, "-m", "bench.google_scenarios", "--config", str(config),
                 "--url", fake.url, "--clock-file", str(fake.clock_file),
                 "--memory", str(folder / "memory"), "--today", today.isoformat()],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                cwd=Path(__file__).resolve().parent.parent,
            )  # fmt: skip
            assert bot.stdin is not None and bot.stdout is not None
            provinces = list(where)
            for n, scenario in enumerate(SCENARIOS):
                if scenario == "one_cell":
                    sheet, tab = where[provinces[0]][0]
                    _edit(fake, sheet, tab, "แก้ไข 1")
                elif scenario == "ten_provinces":
                    step = max(1, len(provinces) // 10)
                    for p in provinces[::step][:10]:
                        sheet, tab = where[p][-1]
                        _edit(fake, sheet, tab, f"แก้ไข {n}")
                fake.control("POST", "reset")
                fake.since_last()
                record = RECORD if scenario == "record_day" else ""
                bot.stdin.write(json.dumps({"record": record}) + "\n")
                bot.stdin.flush()
                figures = json.loads(bot.stdout.readline())
                counted = tally(fake.since_last())
                out[scenario] = {
                    "reads": counted.reads, "writes": counted.writes,
                    "http_429": counted.reads_429 + counted.writes_429,
                    **figures,
                }  # fmt: skip
                print(f"  {topology} {scenario}: {out[scenario]}", file=sys.stderr)
            bot.stdin.close()
            bot.wait(timeout=600)
        finally:
            fake.close()
    return out


# -- the bot's process ----------------------------------------------------------------------


def _bot(config_path: Path, url: str, clock_file: Path, memory: Path, today: date) -> int:
    """Run one sync cycle per line read from standard input; print each one's figures."""
    from bench.national_xlsx import peak_rss_mb  # noqa: PLC0415
    from bot.backends.google import GoogleBackend  # noqa: PLC0415
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.cycle import LastReport, sync_cycle  # noqa: PLC0415
    from fake_sheets import FileClock, session_to  # noqa: PLC0415

    config = load_config(config_path)
    clock = FileClock(clock_file)
    session = session_to(url)
    wire = [0, 0]

    def count(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        body = response.request.body
        wire[0] += len(body.encode()) if isinstance(body, str) else 0
        wire[0] += len(body) if isinstance(body, bytes) else 0
        wire[1] += int(response.headers.get("Content-Length") or 0)

    session.hooks["response"].append(count)
    backend = GoogleBackend(config, session=session, clock=clock, sleep=clock.advance,
                            memory=memory)  # fmt: skip
    previous = LastReport()  # as the daemon keeps it
    for line in sys.stdin:
        record = json.loads(line)["record"] or None
        sent, received, sim, cpu = wire[0], wire[1], clock(), time.process_time()
        with backend:
            report = sync_cycle(config, backend, today, record, previous=previous)
        peak = peak_rss_mb()  # VmHWM: ru_maxrss would start from the parent's peak
        print(json.dumps({
            "bytes_sent": wire[0] - sent, "bytes_received": wire[1] - received,
            "simulated_minutes": round((clock() - sim) / 60, 2),
            "bot_cpu_s": round(time.process_time() - cpu, 2),
            "bot_peak_rss_mb": round(peak, 1),
            "spreadsheets_written": sum(a.written for a in report.applied),
        }), flush=True)  # fmt: skip
        previous.report = report
        del report  # held only by `previous`, which the next cycle lets go if it must
    return 0


def main(argv: list[str] | None = None) -> int:
    """The bot's side of `run_scenarios` (not meant to be run by hand)."""
    import argparse  # noqa: PLC0415

    parser = argparse.ArgumentParser(description="the bot's process of the Google scenarios")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--clock-file", type=Path, required=True)
    parser.add_argument("--memory", type=Path, required=True)
    parser.add_argument("--today", type=date.fromisoformat, required=True)
    args = parser.parse_args(argv)
    return _bot(args.config, args.url, args.clock_file, args.memory, args.today)


if __name__ == "__main__":
    sys.exit(main())


def targets(scenarios: dict[str, dict[str, Any]], *, district: bool) -> dict[str, bool]:
    """Issue 10's targets, each held or not, for one topology's scenarios."""
    s = scenarios
    total = {name: f["reads"] + f["writes"] for name, f in s.items()}
    out = {
        "unchanged: <= 2 requests, 0 writes": total["unchanged"] <= 2
        and s["unchanged"]["writes"] == 0,
        "one_cell: <= 3 requests": total["one_cell"] <= 3,
        "one_cell: < 200 KB sent": s["one_cell"]["bytes_sent"] < 200_000,
        # Ten spreadsheets changed by people.
        "ten_provinces: reads <= 11": s["ten_provinces"]["reads"] <= 11,
        "ten_provinces: writes <= 12": s["ten_provinces"]["writes"] <= 12,
        "record_day: <= 2 extra requests": total["record_day"] - total["unchanged"] <= 2,
        "record_day: < 10 KB extra sent": s["record_day"]["bytes_sent"]
        - s["unchanged"]["bytes_sent"]
        < 10_000,
        "0 x 429": all(f["http_429"] == 0 for f in s.values()),
        "bot peak RSS < 300 MB": all(f["bot_peak_rss_mb"] < 300 for f in s.values()),
        "unchanged bot CPU < 2 s": s["unchanged"]["bot_cpu_s"] < 2,
    }
    if district:
        out["every scenario < 5 simulated minutes"] = all(
            f["simulated_minutes"] < 5 for f in s.values()
        )
    return out
