"""National-scale benchmark: 76 provinces, 878 district tabs, ~30,000 rows.

    python bench/national.py --backend xlsx [--rows-per-tab 34] [--keep DIR]

Generates one workbook per province (about 10% of rows wrong in the usual ways), then
measures, in this order:
  read_s           reading every workbook once (xlsx backend)
  compute_s        the pure part: parse, check, summarise and plan (best of --repeat runs)
  compute_peak_mb  memory allocated at the peak of the pure part (tracemalloc, separate run)
  sync_s           a full `sync` cycle: read, compute and write every workbook
  resync_s         a second, unchanged `sync` (nothing to write)
  peak_rss_mb      the process's peak resident memory over the whole run
The last line printed is one JSON object with these figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot import geo  # noqa: E402
from bot.config import Config, load_config  # noqa: E402
from bot.cycle import evaluate, read_all, sync_cycle  # noqa: E402
from bot.form_fields import CATEGORIES, FIELDS  # noqa: E402
from bot.sheets import open_backend  # noqa: E402

TODAY = date(2025, 6, 26)
MONTHS = ["พ.ย. 2567", "ธ.ค. 2567", "ม.ค. 2568", "ก.พ. 2568", "มี.ค. 2568", "เม.ย. 2568",
          "พ.ค. 2568", "มิ.ย. 2568"]  # fmt: skip
ASCII = "abcdefghijklmnopqrstuvwxyz"


def province_file(province: geo.Province) -> str:
    """The workbook file name of a province."""
    return f"{province.code}-{province.name_en.lower().replace(' ', '-')}.xlsx"


def make_row(
    rng: random.Random, province: geo.Province, district: geo.District, n: int
) -> list[object]:
    """A report row; about one in ten carries one of the mistakes staff make."""
    slug = "".join(rng.choice(ASCII) for _ in range(8))
    values: dict[str, object] = {
        "report_month": rng.choice(MONTHS),
        "province": province.name,
        "district": district.name,
        "lao": f"อบต.{district.name}{n}",
        "category": rng.choice(CATEGORIES),
        "identity": f"อัตลักษณ์{district.name}ลำดับที่{n}",
        "activity": "จัดกิจกรรมส่งเสริมการท่องเที่ยวเชิงวัฒนธรรมและพัฒนาแหล่งท่องเที่ยวของชุมชน",
        "role": rng.choice(["หน่วยงานหลัก", "หน่วยงานสนับสนุน"]),
        "budget": rng.choice(["อปท.", "จังหวัด", "ภาคเอกชน"]),
        "post_url": f"https://www.facebook.com/{slug}/posts/{n}",
        "hashtags": f"#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัด{province.name} #อำเภอ{district.name}",
        "reporter": "นางสาวสุภาพร ใจดี",
        "phone": f"08{rng.randint(10000000, 99999999)}",
        "note": "",
    }
    mistake = rng.random()
    if mistake < 0.03:
        values["identity"] = ""
    elif mistake < 0.05:
        values["post_url"] = "ดูในเพจ อบต."
    elif mistake < 0.07:
        values["hashtags"] = "#เที่ยวท้องถิ่น #ของดีบ้านเรา"
    elif mistake < 0.08:
        values["category"] = "กีฬา"
    elif mistake < 0.09:
        values["report_month"] = "ต.ค. 2567"
    elif mistake < 0.10:
        values["phone"] = "12345"
    return [values[f.key] for f in FIELDS]


def generate(folder: Path, rows_per_tab: int, seed: int = 2568) -> tuple[Path, int]:
    """Write 76 province workbooks and a config; return the config path and the row count."""
    rng = random.Random(seed)
    headers = [f.header for f in FIELDS]
    rows = 0
    entries = []
    for province in geo.provinces():
        wb = openpyxl.Workbook(write_only=True)
        for district in geo.districts(province.code):
            ws = wb.create_sheet(f"อำเภอ{district.name}")
            ws.append(headers)
            count = max(1, rows_per_tab + rng.randint(-3, 3))
            for n in range(count):
                ws.append(make_row(rng, province, district, n))
            rows += count
        wb.save(folder / province_file(province))
        entries.append(f"  - {{province: {province.name}, file: {province_file(province)}}}")
    config = folder / "config.yaml"
    config.write_text(
        "xlsx: {folder: .}\nnational: {file: national.xlsx}\nprovinces:\n"
        + "\n".join(entries)
        + "\n",
        encoding="utf-8",
    )
    return config, rows


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(config: Config, repeat: int) -> dict[str, object]:
    """Measure the read, the pure part and full syncs on one generated data set."""
    figures: dict[str, object] = {}
    with open_backend(config) as backend:
        start = time.perf_counter()
        sources, reads = read_all(config, backend)
        figures["read_s"] = round(time.perf_counter() - start, 2)
        times = []
        report = None
        for _ in range(repeat):
            start = time.perf_counter()
            report = evaluate(config, sources, reads, TODAY)
            times.append(time.perf_counter() - start)
        assert report is not None
        figures["compute_s"] = round(min(times), 3)
        figures["rss_after_compute_mb"] = round(peak_rss_mb(), 1)
        tracemalloc.start()
        evaluate(config, sources, reads, TODAY)
        figures["compute_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
        figures["problems"] = len(report.problems)
        figures["rows_complete"] = report.summary.rows_complete
        figures["districts_with_identity"] = report.summary.districts_with_identity
        del sources, reads, report

        start = time.perf_counter()
        first = sync_cycle(config, backend, TODAY)
        figures["sync_s"] = round(time.perf_counter() - start, 2)
        figures["sync_written"] = sum(a.written for a in first.applied)
        start = time.perf_counter()
        second = sync_cycle(config, backend, TODAY)
        figures["resync_s"] = round(time.perf_counter() - start, 2)
        figures["resync_written"] = sum(a.written for a in second.applied)
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["xlsx"], default="xlsx")
    parser.add_argument("--rows-per-tab", type=int, default=34)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the pure part (best kept)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        config_path, rows = generate(folder, args.rows_per_tab)
        generate_s = round(time.perf_counter() - start, 2)
        config = load_config(config_path)
        print(f"generated {rows:,} rows in {len(config.provinces)} workbooks "
              f"({generate_s} s) in {folder}", file=sys.stderr)  # fmt: skip
        figures = run(config, args.repeat)
    result = {
        "backend": args.backend,
        "spreadsheets": len(config.provinces) + 1,
        "district_tabs": sum(len(p.registry_districts()) for p in config.provinces),
        "rows": rows,
        "generate_s": generate_s,
        **figures,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    for key, value in result.items():
        print(f"{key:>24}  {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
