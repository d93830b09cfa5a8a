"""What a workbook's nominal extent costs a sync: nothing but its data, or so it should be.

    python bench/extent.py [--repeat 3] [--cases plain stray_cell formatted_cell rows_5000]

Cases, each on a small Chaiyaphum project (three district tabs of four rows each, made like
the national benchmark's):
  plain          the project as it is
  stray_cell     plus an "x" typed in C1048576 of one district tab (Excel's last row)
  formatted_cell plus a cell with only a fill at AD300000 (formatted, empty)
  rows_5000      one district tab with 5,000 rows (about 10% of them wrong)

Each case runs in a fresh child process: a first `sync` (statuses and highlights written,
the bot's tabs created) and a second, unchanged one. Figures per case: `sync_s` and
`resync_s` (min and median over --repeat children), and `peak_rss_mb`, the child's peak
resident memory (its interpreter and imports included; compare with `plain`). The last
line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import PatternFill

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import national  # noqa: E402
from bot import geo  # noqa: E402

CASES = ("plain", "stray_cell", "formatted_cell", "rows_5000")
DISTRICTS = ("ภูเขียว", "บ้านเขว้า", "คอนสาร")


def make_case(case: str, folder: Path) -> None:
    """Write the project of one case into `folder`: three Chaiyaphum district tabs."""
    rng = random.Random(national.SEED)
    province = geo.find_province("ชัยภูมิ")
    assert province is not None
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in DISTRICTS:
        district = geo.find_district(province.code, name)
        assert district is not None
        count = 5000 if case == "rows_5000" and name == DISTRICTS[0] else 4
        ws = wb.create_sheet(f"อำเภอ{name}")
        ws.append(national.HEADERS)
        for n in range(count):
            ws.append(national.make_row(rng, province, district, n))
    if case == "stray_cell":
        wb[f"อำเภอ{DISTRICTS[0]}"]["C1048576"] = "x"
    elif case == "formatted_cell":
        wb[f"อำเภอ{DISTRICTS[0]}"]["AD300000"].fill = PatternFill("solid", start_color="FFFFFF00")
    wb.save(folder / "chaiyaphum.xlsx")
    (folder / "config.yaml").write_text(
        "xlsx: {folder: .}\nnational: {file: national.xlsx}\nprovinces:\n"
        f"  - {{province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [{', '.join(DISTRICTS)}]}}\n",
        encoding="utf-8",
    )


def child(folder: Path) -> None:
    """Run two syncs on the project in `folder`; print their times as JSON."""
    from bot.backends import open_backend  # noqa: PLC0415
    from bot.config_load import load_config  # noqa: PLC0415
    from bot.cycle import sync_cycle  # noqa: PLC0415

    config = load_config(folder / "config.yaml")
    times = []
    for _ in range(2):
        start = time.perf_counter()
        with open_backend(config) as backend:
            report = sync_cycle(config, backend, national.TODAY)
        times.append(time.perf_counter() - start)
        assert not report.skipped, report.skipped
    print(json.dumps({"sync_s": times[0], "resync_s": times[1],
                      "rows": report.summary.rows_read}))  # fmt: skip


def run_case(case: str, repeat: int) -> dict[str, Any]:
    """Measure one case in `repeat` fresh children."""
    syncs, resyncs, rss = [], [], []
    rows = 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            make_case(case, Path(tmp))
            proc = subprocess.Popen(
                [sys.executable, __file__, "--child", tmp], stdout=subprocess.PIPE, text=True
            )
            assert proc.stdout is not None
            out = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise SystemExit(f"case {case} failed")
            figures = json.loads(out.strip().splitlines()[-1])
            syncs.append(figures["sync_s"])
            resyncs.append(figures["resync_s"])
            rows = figures["rows"]
            rss.append(usage.ru_maxrss / 1024)
    return {
        "case": case,
        "rows": rows,
        "sync_s_min": round(min(syncs), 3),
        "sync_s_median": round(statistics.median(syncs), 3),
        "resync_s_min": round(min(resyncs), 3),
        "resync_s_median": round(statistics.median(resyncs), 3),
        "peak_rss_mb": round(statistics.median(rss), 1),
    }


def main() -> None:
    """Run every case and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES),
                        help="which cases to run (plain always runs first)")  # fmt: skip
    parser.add_argument("--child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child))
        return
    chosen = ["plain", *(c for c in args.cases if c != "plain")]
    results = [run_case(case, args.repeat) for case in chosen]
    plain = results[0]
    print(f"{'case':16}{'rows':>7}{'sync s (min/med)':>20}{'resync s (min/med)':>22}"
          f"{'peak RSS MB':>14}")  # fmt: skip
    for r in results:
        sync = f"{r['sync_s_min']:>11}/{r['sync_s_median']:<8}"
        resync = f"{r['resync_s_min']:>13}/{r['resync_s_median']:<8}"
        print(f"{r['case']:16}{r['rows']:>7}{sync}{resync}{r['peak_rss_mb']:>14}")
    extra = {
        r["case"]: {
            "sync_s_added": round(r["sync_s_median"] - plain["sync_s_median"], 3),
            "rss_mb_added": round(r["peak_rss_mb"] - plain["peak_rss_mb"], 1),
        }
        for r in results[1:]
    }
    print(json.dumps({"cases": results, "added_to_plain": extra}, ensure_ascii=False))


if __name__ == "__main__":
    main()
