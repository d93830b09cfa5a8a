"""The xlsx half of the national benchmark (`python bench/national.py --backend xlsx`).

In this process: generate the 76 province workbooks, then
  help_s           `python -m bot --help` in a fresh process (min of at least 5; with
                   help_median_s, and python_start_s for a bare `python -c pass`)
  read_s           reading every workbook once (xlsx backend, no read cache)
  compute_s        the pure part: parse, check, summarise and plan (min of --repeat runs;
                   compute_median_s the median, compute_cpu_s the least CPU time)
  compute_peak_mb  memory allocated at the peak of the pure part (tracemalloc, separate run)
  peak_rss_mb      this process's peak resident memory (generating, reading, computing)

Each sync runs in a fresh process of its own, as `softpower-bot sync` does (with the
config's read cache), on a fresh copy of the generated workbooks, --repeat times:
  sync_s               a full first sync: read, compute, write every workbook (min;
                       *_median_s the median)
  resync_s             a second, unchanged sync in the same process (a daemon's next cycle;
                       the bot's own writes of the first changed the files, so it evaluates
                       once more and writes nothing)
  steady_resync_s      a third one: the daemon's cycle when nothing changed, standing on
                       the last result (`sync_cycle`'s `previous`)
  unchanged_resync_s   an unchanged sync by a restarted process (the cycle itself;
                       unchanged_resync_process_s adds starting Python and importing the bot)
  bot_peak_rss_mb      the peak resident memory of the process that ran the first sync
                       and the daemon-style re-sync (the bot alone; Linux's VmHWM)
  *_cpu_s              the CPU time of that run (least of the runs): on a shared machine
                       wall times swing with the load, CPU times much less
  naive_s              the script a user would write instead: pandas reads every sheet of
                       every workbook with the calamine engine, concatenates them and writes
                       one national workbook (naive_read_s + naive_write_s; naive_peak_rss_mb)
Where each sync's time goes (`phases`, seconds, from the run whose time is the median):
parsing workbooks (`read`), checking that a workbook still holds what was kept (`verify`),
the read cache on disk (`cache`), the pure part (`compute`), the plan digests (`digest`),
and within writing (`apply`): reading the file again before writing (`snapshot`), patching
district tabs (`patch`), rendering the bot's tabs (`render`), assembling the zip
(`zip`) and saving it safely (`save`: write, fsync, compare, rename); and in which of them
the process's peak resident memory grew (`rss_peaks_mb`, MB at the end of that phase).

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from bot.backends import open_backend
from bot.config_load import load_config
from bot.cycle import evaluate, read_all

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 6, 26)  # bench.national's day; not imported, so a child loads only the bot


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MB.

    Linux's VmHWM: unlike getrusage's ru_maxrss, which a child started by exec inherits
    from its parent's peak at the fork, it describes this program's memory alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_xlsx(rows_per_tab: int, repeat: int, keep: Path | None) -> dict[str, Any]:
    """Generate the workbooks, measure in this process and in fresh ones; the figures."""
    from bench.national import TODAY as BENCH_DAY  # noqa: PLC0415
    from bench.national import generate  # noqa: PLC0415

    assert BENCH_DAY == TODAY
    with tempfile.TemporaryDirectory() as tmp:
        folder = keep or Path(tmp) / "generated"
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        config_path, rows = generate(folder, rows_per_tab)
        generate_s = round(time.perf_counter() - start, 2)
        config = load_config(config_path)
        print(f"generated {rows:,} rows in {len(config.provinces)} workbooks "
              f"({generate_s} s) in {folder}", file=sys.stderr)  # fmt: skip
        figures: dict[str, Any] = {
            "backend": "xlsx",
            "spreadsheets": len(config.provinces) + 1,
            "district_tabs": sum(len(p.registry_districts()) for p in config.provinces),
            "rows": rows,
            "generate_s": generate_s,
            "load_average": os.getloadavg()[0],
        }
        figures.update(_help(repeat))
        figures.update(_in_process(config_path, repeat))
        runs: dict[str, list[dict[str, Any]]] = {"first": [], "again": [], "steady": [],
                                                  "restart": []}  # fmt: skip
        naive: list[dict[str, Any]] = []
        for n in range(repeat):
            work = Path(tmp) / f"run{n}"
            shutil.copytree(folder, work, ignore=shutil.ignore_patterns("softpower-bot-*"))
            print(f"naive pandas + calamine script ({n + 1}/{repeat}) ...", file=sys.stderr)
            naive.append(_child("naive", work / "config.yaml"))
            (work / "naive-national.xlsx").unlink()
            print(f"sync, daemon re-sync, restarted re-sync ({n + 1}/{repeat}) ...",
                  file=sys.stderr)  # fmt: skip
            both = _child("sync", work / "config.yaml")
            runs["first"].append(both["first"])
            runs["again"].append(both["again"])
            runs["steady"].append(both["steady"])
            started = time.perf_counter()
            restart = _child("resync", work / "config.yaml")
            restart["first"]["process_s"] = round(time.perf_counter() - started, 2)
            runs["restart"].append(restart["first"])
            shutil.rmtree(work)
        figures["load_average_after"] = os.getloadavg()[0]
    figures.update(_summary(runs, naive))
    figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return figures


def _help(repeat: int) -> dict[str, Any]:
    """`softpower-bot --help` in a fresh process (Python's start included), min and median."""
    times = []
    for _ in range(max(repeat, 5)):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    bare = time.perf_counter() - start
    return {"help_s": round(min(times), 3), "help_median_s": round(statistics.median(times), 3),
            "python_start_s": round(bare, 3)}  # fmt: skip


def _in_process(config_path: Path, repeat: int) -> dict[str, Any]:
    """Reading everything and the pure part, in this process (no read cache)."""
    config = load_config(config_path)
    figures: dict[str, Any] = {}
    with open_backend(config) as backend:
        start = time.perf_counter()
        sources, reads, _ = read_all(config, backend)
        figures["read_s"] = round(time.perf_counter() - start, 2)
    times, cpu = [], []
    report = None
    for _ in range(repeat):
        start, started = time.perf_counter(), time.process_time()
        report = evaluate(config, sources, reads, TODAY)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - started)
    assert report is not None
    figures["compute_s"] = round(min(times), 3)
    figures["compute_median_s"] = round(statistics.median(times), 3)
    figures["compute_cpu_s"] = round(min(cpu), 3)
    figures["rss_after_compute_mb"] = round(peak_rss_mb(), 1)
    tracemalloc.start()
    evaluate(config, sources, reads, TODAY)
    figures["compute_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    figures["problems"] = len(report.problems)
    figures["rows_complete"] = report.summary.rows_complete
    figures["districts_with_identity"] = report.summary.districts_with_identity
    return figures


def _child(mode: str, config: Path) -> dict[str, Any]:
    """Run `mode` in a fresh Python process; its JSON figures."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.national_xlsx", "--child", mode, str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _summary(runs: dict[str, list[dict[str, Any]]], naive: list[dict[str, Any]]) -> dict[str, Any]:
    def times(items: list[dict[str, Any]], key: str = "wall_s") -> tuple[float, float]:
        values = [i[key] for i in items]
        return round(min(values), 2), round(statistics.median(values), 2)

    def median_run(items: list[dict[str, Any]]) -> dict[str, Any]:
        return sorted(items, key=lambda i: float(i["wall_s"]))[len(items) // 2]

    out: dict[str, Any] = {}
    for label, key in (("first", "sync"), ("again", "resync"), ("steady", "steady_resync"),
                       ("restart", "unchanged_resync")):  # fmt: skip
        items = runs[label]
        out[f"{key}_s"], out[f"{key}_median_s"] = times(items)
        out[f"{key}_cpu_s"] = times(items, "cpu_s")[0]
        out[f"{key}_written"] = items[0]["written"]
        out[f"{key}_read"] = items[0]["counts"].get("read", 0)
        out[f"{key}_phases"] = median_run(items)["phases"]
        out[f"{key}_rss_peaks_mb"] = median_run(items)["rss_peaks_mb"]
    out["unchanged_resync_process_s"], out["unchanged_resync_process_median_s"] = times(
        runs["restart"], "process_s"
    )
    out["bot_peak_rss_mb"] = max(
        i["peak_rss_mb"] for i in runs["first"] + runs["again"] + runs["steady"]
    )
    out["restart_peak_rss_mb"] = max(i["peak_rss_mb"] for i in runs["restart"])
    out["naive_s"], out["naive_median_s"] = times(naive)
    out["naive_cpu_s"] = times(naive, "cpu_s")[0]
    out["naive_read_s"] = median_run(naive)["read_s"]
    out["naive_write_s"] = median_run(naive)["write_s"]
    out["naive_peak_rss_mb"] = max(i["peak_rss_mb"] for i in naive)
    out["naive_rows"] = naive[0]["rows"]
    return out


# -- in the child process -------------------------------------------------------------------


class Phases:
    """Wall time spent in named functions, by wrapping them where the cycle looks them up."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.peaks: dict[str, float] = {}  # label -> the peak RSS (MB) reached within it

    def wrap(self, owner: Any, name: str, label: str) -> None:
        """Time every call of `owner.name` under `label`."""
        inner: Callable[..., Any] = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start, peak = time.perf_counter(), peak_rss_mb()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - start
                self.counts[label] = self.counts.get(label, 0) + 1
                if (now := peak_rss_mb()) > peak:
                    self.peaks[label] = round(now, 1)

        setattr(owner, name, timed)

    def take(self) -> tuple[dict[str, float], dict[str, int], dict[str, float]]:
        """The times, counts and peaks so far, then start again from zero."""
        seconds = {k: round(v, 2) for k, v in sorted(self.seconds.items())}
        counts, peaks = dict(self.counts), dict(sorted(self.peaks.items()))
        self.seconds, self.counts, self.peaks = {}, {}, {}
        return seconds, counts, peaks


def child(mode: str, config_path: Path) -> dict[str, Any]:
    """One measured run in this (fresh) process."""
    if mode == "naive":
        return naive_script(config_path)
    from bot import cycle  # noqa: PLC0415
    from bot.backends import xlsx, xlsx_file, xlsx_zip  # noqa: PLC0415
    from bot.read_cache import ReadCache, cache_for  # noqa: PLC0415

    phases = Phases()
    phases.wrap(xlsx.XlsxBackend, "read", "read")
    phases.wrap(xlsx.XlsxBackend, "still_holds", "verify")
    phases.wrap(xlsx.XlsxBackend, "apply", "apply")
    for name in ("load", "keep", "touch"):
        phases.wrap(ReadCache, name, "cache")
    phases.wrap(cycle, "evaluate", "compute")
    phases.wrap(cycle, "plan_digest", "digest")
    phases.wrap(xlsx, "_snapshot", "apply: snapshot")
    phases.wrap(xlsx, "patch", "apply: patch")
    phases.wrap(xlsx, "write_tab", "apply: render")  # the bot tabs, their looks and charts
    phases.wrap(xlsx_zip.Package, "rewrite", "apply: zip")
    phases.wrap(xlsx_file, "replace", "apply: save")
    config = load_config(config_path)
    out: dict[str, Any] = {}
    with open_backend(config) as backend:
        # As the daemon keeps them: one read cache, and the last report.
        previous, cache = cycle.LastReport(), cache_for(config)
        for label in ("first", "again", "steady") if mode == "sync" else ("first",):
            start, cpu = time.perf_counter(), time.process_time()
            report = cycle.sync_cycle(config, backend, TODAY, cache=cache, previous=previous)
            wall = time.perf_counter() - start
            seconds, counts, peaks = phases.take()
            assert not report.skipped, report.skipped
            out[label] = {
                "wall_s": round(wall, 2),
                "cpu_s": round(time.process_time() - cpu, 2),
                "written": sum(a.written for a in report.applied),
                "phases": seconds,
                "counts": counts,
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "rss_peaks_mb": peaks,
            }
            # The daemon keeps its last report (to stand on it when nothing changed) and
            # lets it go once a cycle's inputs differ: so does this loop.
            previous.report = report
            del report
    return out


def naive_script(config_path: Path) -> dict[str, Any]:
    """What a user would write instead: every sheet of every workbook into one national
    workbook, with pandas (calamine to read, openpyxl to write, pandas' defaults)."""
    import pandas as pd  # noqa: PLC0415

    folder = config_path.parent
    start, cpu = time.perf_counter(), time.process_time()
    frames: list[pd.DataFrame] = []
    for path in sorted(folder.glob("*.xlsx")):
        if path.name == "national.xlsx":
            continue
        frames += pd.read_excel(path, sheet_name=None, engine="calamine").values()
    national: pd.DataFrame = pd.concat(frames, ignore_index=True)
    read_s = time.perf_counter() - start
    national.to_excel(folder / "naive-national.xlsx", index=False)
    wall = time.perf_counter() - start
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "read_s": round(read_s, 2),
        "write_s": round(wall - read_s, 2),
        "rows": len(national),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def print_table(f: dict[str, Any]) -> None:
    """The figures a person reads (stdout)."""
    print(f"{f['spreadsheets']} workbooks, {f['district_tabs']} district tabs, "
          f"{f['rows']:,} rows; load average {f['load_average']} before, "
          f"{f['load_average_after']} after\n")  # fmt: skip
    lines = [
        ("full sync (fresh process)", "sync"),
        ("unchanged, same process", "resync"),
        ("unchanged, restarted process", "unchanged_resync"),
    ]
    print(f"{'':<32}{'min s':>8}{'median s':>10}{'cpu s':>8}{'read':>6}{'written':>9}")
    for name, key in lines:
        print(f"{name:<32}{f[key + '_s']:>8}{f[key + '_median_s']:>10}{f[key + '_cpu_s']:>8}"
              f"{f[key + '_read']:>6}{f[key + '_written']:>9}")  # fmt: skip
    print(f"{'naive pandas + calamine':<32}{f['naive_s']:>8}{f['naive_median_s']:>10}"
          f"{f['naive_cpu_s']:>8}   (read {f['naive_read_s']} s, "
          f"write {f['naive_write_s']} s)")  # fmt: skip
    print()
    for key in ("sync", "resync", "unchanged_resync"):
        print(f"where {key} goes: {f[key + '_phases']}")
        print(f"  peak RSS (MB) reached within: {f[key + '_rss_peaks_mb']}")
    print()
    for key in ("read_s", "compute_s", "compute_median_s", "compute_cpu_s", "compute_peak_mb",
                "help_s", "help_median_s", "python_start_s",
                "unchanged_resync_process_s", "bot_peak_rss_mb", "restart_peak_rss_mb",
                "naive_peak_rss_mb", "peak_rss_mb", "generate_s"):  # fmt: skip
        print(f"{key:>32}  {f[key]}")


def compare_readers(config_path: Path, repeat: int) -> dict[str, Any]:
    """Reading every province workbook: the bot's reader (values, the status column's mark,
    the bot tabs' states) against python-calamine's values alone; wall and CPU seconds,
    min and median of `repeat` runs."""
    from python_calamine import CalamineWorkbook  # noqa: PLC0415

    from bot.backends.xlsx import XlsxBackend  # noqa: PLC0415
    from bot.config import source_tabs  # noqa: PLC0415

    config = load_config(config_path)
    where = XlsxBackend(config)
    books = sorted({where.path(s.spreadsheet) for s in source_tabs(config)})
    runs: dict[str, list[tuple[float, float]]] = {"bot": [], "calamine": []}
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        with open_backend(config) as backend:
            read_all(config, backend)
        runs["bot"].append((time.perf_counter() - start, time.process_time() - cpu))
        start, cpu = time.perf_counter(), time.process_time()
        cells = 0
        for path in books:
            book = CalamineWorkbook.from_path(str(path))
            for name in book.sheet_names:
                cells += sum(map(len, book.get_sheet_by_name(name).to_python()))
        runs["calamine"].append((time.perf_counter() - start, time.process_time() - cpu))
    out: dict[str, Any] = {"workbooks": len(books), "calamine_cells": cells}
    for name, items in runs.items():
        walls, cpus = [w for w, _ in items], [c for _, c in items]
        out[f"{name}_read_s"] = round(min(walls), 2)
        out[f"{name}_read_median_s"] = round(statistics.median(walls), 2)
        out[f"{name}_read_cpu_s"] = round(min(cpus), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    """`--child MODE CONFIG`: one measured run in this process (used by `run_xlsx`);
    `--readers CONFIG`: the bot's reader against python-calamine on generated workbooks
    (`python bench/national.py --backend xlsx --keep DIR` leaves them in DIR)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--child", nargs=2, metavar=("MODE", "CONFIG"))
    what.add_argument("--readers", type=Path, metavar="CONFIG")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.readers:
        result = compare_readers(args.readers, args.repeat)
        for key, value in result.items():
            print(f"{key:>24}  {value}")
    else:
        result = child(args.child[0], Path(args.child[1]))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
