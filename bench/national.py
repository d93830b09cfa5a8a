"""National-scale benchmark: 76 provinces, 878 district tabs, ~30,000 rows.

    python bench/national.py --backend xlsx [--rows-per-tab 34] [--keep DIR]
    python bench/national.py --backend google [--rows-per-tab 34] [--naive-provinces 19]
                             [--no-scenarios]

Both backends use the same generated data: one spreadsheet per province with one tab per
district (about 10% of rows wrong in the usual ways) and a national spreadsheet.

`--backend xlsx` writes one workbook per province, then measures reading, the pure part,
full and unchanged syncs (each in a fresh process, as `softpower-bot sync` runs) and the
naive pandas script a user would write instead: see `bench/national_xlsx.py`.

`--backend google` puts the spreadsheets straight into the local fake Sheets API
(fake_sheets, served over real HTTP on 127.0.0.1, in this process), which enforces
Google's default per-user quota (60 read and 60 write requests a minute) on a simulated
clock shared with the bot's own pacing, so waiting a quota minute takes no real time.
Requests themselves take no simulated time (the harshest case for the quota). It runs a
first `sync` (nothing of the bot's exists yet), a second, unchanged one with the same
`GoogleBackend` (as the daemon keeps it, tab metadata cached), and a third with a new
`GoogleBackend` a simulated minute later (a restarted bot: nothing cached, nothing to
write). For each it counts the requests by kind, the 429s the fake answered and the
simulated seconds the pacing waited; then it times the pure part on the data already read.

It then runs the naive approach on the same data, in a fresh fake with the same quota:
plain gspread, per district tab `get_all_records()`, then per district tab `append_rows`
into a provincial tab and into the national tab (both made with `add_worksheet`). gspread
does not pace, so the naive script gets 429s; each of its calls is wrapped in a simple
bounded retry (on a 429 only: sleep 1, 2, 4 ... 64 s of simulated time, at most 10 tries)
so that it completes and its requests can be counted. Appending to a national tab that
grows to 30,000 rows gets slow in the fake (not in Google), so by default the naive
approach runs on a deterministic sample of provinces (every k-th, `--naive-provinces`) and
is scaled to the whole country part by part: the national tab once, the per-province
requests by provinces, the per-tab requests by district tabs. The accepted request counts
scale exactly (the script's requests are a fixed number per province and per tab); the
429s, retry waits and simulated time are scaled in proportion, so they are estimates.
`--naive-provinces 0` runs it on every province (slow: about 10 minutes).

Figures: `reads`/`writes` are the first sync's requests; `reads` is split into
`data_reads` (cells), `check_reads` (the district tabs read again just before the bot
writes into them, to be sure no row moved), `metadata_reads` (tab properties only) and
`refused_reads` (answered 400, e.g. a range naming a tab that does not exist yet);
`writes` into `status_writes` (the status columns, by their anchors) and batchUpdates.
`unchanged_*` and `restart_*` are the second and third syncs'; `http_429` counts the bot's
429s over all three. `naive_*` are the naive script's accepted requests (429s apart);
`ratio` = naive_requests / (reads + writes), `ratio_unchanged` the same against the
unchanged sync. `peak_rss_mb` is
the whole process, the fake's data and its request handling included. Wall times include
the fake, which answers in threads of this process; `*_bot_cpu_s` is the bot's own CPU.

Then (unless `--no-scenarios`) issue 10's scenarios, in both topologies, with the fake
and the bot each in a process of their own so that `bot_peak_rss_mb` is the bot's alone
(`bench/google_scenarios.py`): `"scenarios"` (districts as tabs of the province's
spreadsheet) and `"district_topology"` (every district a spreadsheet of its own), each
with first / unchanged / one_cell / ten_provinces / record_day, and `*_targets`.
The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import openpyxl

from bot import geo
from bot.config import Config, source_tabs
from bot.config_load import parse_config
from bot.cycle import CycleReport, evaluate, sync_cycle
from bot.form_fields import CATEGORIES, FIELDS

if TYPE_CHECKING:
    # The Google side (gspread, the fake) is imported where it runs, so that the xlsx
    # benchmark's memory figures do not carry it.
    import requests

    from bot.backends.google_http import Traffic
    from fake_sheets import FakeClock, FakeSheets, RequestRecord

T = TypeVar("T")

TODAY = date(2025, 6, 26)
MONTHS = ["พ.ย. 2567", "ธ.ค. 2567", "ม.ค. 2568", "ก.พ. 2568", "มี.ค. 2568", "เม.ย. 2568",
          "พ.ค. 2568", "มิ.ย. 2568"]  # fmt: skip
ASCII = "abcdefghijklmnopqrstuvwxyz"
SEED = 2568
QUOTA_PER_MINUTE = 60  # Google's default per-user read and write quotas
HEADERS = [f.header for f in FIELDS]


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


def district_rows(
    rng: random.Random, province: geo.Province, rows_per_tab: int
) -> Iterator[tuple[geo.District, list[list[object]]]]:
    """Each district of a province with its report rows (about `rows_per_tab`, no header)."""
    for district in geo.districts(province.code):
        count = max(1, rows_per_tab + rng.randint(-3, 3))
        yield district, [make_row(rng, province, district, n) for n in range(count)]


def generate(folder: Path, rows_per_tab: int, seed: int = SEED) -> tuple[Path, int]:
    """Write 76 province workbooks and a config; return the config path and the row count."""
    rng = random.Random(seed)
    rows = 0
    entries = []
    for province in geo.provinces():
        wb = openpyxl.Workbook(write_only=True)
        for district, report in district_rows(rng, province, rows_per_tab):
            ws = wb.create_sheet(f"อำเภอ{district.name}")
            ws.append(HEADERS)
            for row in report:
                ws.append(row)
            rows += len(report)
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


# -- Google Sheets (the local fake) ---------------------------------------------------------


@dataclass
class ProvinceData:
    """One province's spreadsheet as staff filled it: district tab -> rows (header first)."""

    province: geo.Province
    tabs: dict[str, list[list[object]]]

    @property
    def rows(self) -> int:
        """Report rows, headers not counted."""
        return sum(len(t) - 1 for t in self.tabs.values())


def national_data(
    rows_per_tab: int, provinces: int | None = None, seed: int = SEED
) -> list[ProvinceData]:
    """The data set of `generate` (the first `provinces` provinces only, if given)."""
    rng = random.Random(seed)
    out = []
    for province in geo.provinces()[:provinces]:
        tabs: dict[str, list[list[object]]] = {}
        for district, report in district_rows(rng, province, rows_per_tab):
            header: list[object] = list(HEADERS)
            tabs[f"อำเภอ{district.name}"] = [header, *report]
        out.append(ProvinceData(province, tabs))
    return out


def load_fake(fake: FakeSheets, data: Sequence[ProvinceData]) -> tuple[str, dict[str, str]]:
    """Put the spreadsheets straight into the fake (no HTTP): national id, province -> id."""
    ids = {p.province.name: fake.add_spreadsheet(p.province.name, p.tabs, value_input="RAW")
           for p in data}  # fmt: skip
    return fake.add_spreadsheet("national", value_input="RAW"), ids


def google_config(
    national: str, ids: dict[str, str], quota_per_minute: int = QUOTA_PER_MINUTE
) -> Config:
    """A `backend: google` config for the spreadsheets in the fake (default quotas)."""
    entries = "".join(f"  - {{province: {name}, key: {key}}}\n" for name, key in ids.items())
    return parse_config(
        f"backend: google\ngoogle:\n  read_quota_per_minute: {quota_per_minute}\n"
        f"  write_quota_per_minute: {quota_per_minute}\n"
        f"national: {{key: {national}}}\nprovinces:\n{entries}"
    )


@dataclass
class Tally:
    """Requests the fake received, by quota bucket, and how it answered them.

    `reads` = `data_reads` + `check_reads` + `metadata_reads` + `refused_reads` +
    `reads_429`.
    """

    reads: int = 0
    writes: int = 0
    other: int = 0
    data_reads: int = 0  # answered reads of cells (spreadsheets.get with grid data, values)
    check_reads: int = 0  # a spreadsheet's cells read again in the cycle (before a write)
    status_writes: int = 0  # values written by a data filter (the status columns)
    metadata_reads: int = 0  # answered spreadsheets.get of tab properties only
    drive_reads: int = 0  # Drive: which spreadsheets changed (and their versions)
    refused_reads: int = 0  # reads answered 4xx other than 429 (e.g. a range naming no tab)
    reads_429: int = 0
    writes_429: int = 0
    kinds: Counter[str] = field(default_factory=Counter)

    @property
    def http_429(self) -> int:
        """Requests refused with 429."""
        return self.reads_429 + self.writes_429

    @property
    def accepted(self) -> int:
        """Requests not refused with 429."""
        return self.reads + self.writes + self.other - self.http_429

    def add(self, other: Tally) -> None:
        """Add another tally's counts to this one."""
        for name in ("reads", "writes", "other", "data_reads", "check_reads", "metadata_reads",
                     "refused_reads", "reads_429", "writes_429", "status_writes",
                     "drive_reads"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.kinds.update(other.kinds)


def tally(records: Sequence[RequestRecord]) -> Tally:
    """Count a slice of the fake's request log."""
    from fake_sheets import READ_KINDS, WRITE_KINDS  # noqa: PLC0415

    out = Tally()
    seen: set[str] = set()
    for r in records:
        out.kinds[r.kind] += 1
        if r.kind.startswith("drive.") and r.method == "GET":
            out.reads += 1
            out.drive_reads += 1
        elif r.kind in READ_KINDS:
            out.reads += 1
            if r.status == 429:
                out.reads_429 += 1
            elif r.status >= 400:
                out.refused_reads += 1
            elif r.kind == "spreadsheets.get" and "includeGridData=true" not in r.path:
                out.metadata_reads += 1
            else:
                sheet = r.path.split("?")[0].split("/")[3].split(":")[0]
                if sheet in seen:
                    out.check_reads += 1
                else:
                    out.data_reads += 1
                seen.add(sheet)
        elif r.kind in WRITE_KINDS:
            out.writes += 1
            out.writes_429 += r.status == 429
            out.status_writes += r.kind == "values.batchUpdateByDataFilter"
        else:
            out.other += 1
    return out


@dataclass
class Wire:
    """Bytes on the wire as the fake prints them (uncompressed JSON), from a session hook."""

    sent: int = 0
    received: int = 0
    largest_request: int = 0

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """A `requests` response hook: count the request body and the response length."""
        body = response.request.body
        size = len(body.encode()) if isinstance(body, str) else 0
        size = len(body) if isinstance(body, bytes) else size
        self.sent += size
        self.largest_request = max(self.largest_request, size)
        self.received += int(response.headers.get("Content-Length") or 0)


def bounded_retry(
    clock: FakeClock, call: Callable[[], T], tries: int = 10, cap_s: float = 64.0
) -> tuple[T, float]:
    """What a simple script does about 429s: sleep 1, 2, 4 ... `cap_s` s and try again.

    Sleeps on the simulated clock; any other error, or a 429 on the last try, is raised.
    Returns the call's result and the simulated seconds slept.
    """
    from gspread.exceptions import APIError  # noqa: PLC0415

    slept = 0.0
    for attempt in range(tries):
        try:
            return call(), slept
        except APIError as exc:
            if exc.response.status_code != 429 or attempt == tries - 1:
                raise
            pause = min(cap_s, 2.0**attempt)
            clock.advance(pause)
            slept += pause
    raise AssertionError("unreachable")


def sample_provinces(data: Sequence[ProvinceData], wanted: int) -> list[ProvinceData]:
    """Every k-th province (k = len // wanted): a deterministic spread over the country."""
    if wanted <= 0 or wanted >= len(data):
        return list(data)
    step = len(data) // wanted
    return list(data[::step][:wanted])


def run_naive(
    data: Sequence[ProvinceData],
    sample: int,
    national_tab: str,
    province_tab: str,
    quota_per_minute: int = QUOTA_PER_MINUTE,
) -> dict[str, Any]:
    """The straightforward gspread script, unpaced, on a sample; counts scaled to `data`.

    The requests are counted in three parts, each scaled by what it grows with: the
    national tab (once), each province (open, list tabs, add its tab, header) and each
    district tab (one read, two appends).
    """
    from fake_sheets import FakeClock, FakeSheets  # noqa: PLC0415

    chosen = sample_provinces(data, sample)
    clock = FakeClock()
    slept = 0.0
    parts = {"fixed": Tally(), "province": Tally(), "tab": Tally()}
    with FakeSheets(
        clock=clock, read_per_minute=quota_per_minute, write_per_minute=quota_per_minute
    ) as fake:
        national_id, ids = load_fake(fake, chosen)
        fake.reset_counts()

        def retry(call: Callable[[], T]) -> T:
            nonlocal slept
            result, waited = bounded_retry(clock, call)
            slept += waited
            return result

        def count(part: str, since: int) -> int:
            log = fake.requests
            parts[part].add(tally(log[since:]))
            return len(log)

        gc = fake.client()
        national = retry(partial(gc.open_by_key, national_id))
        national_ws = retry(
            partial(national.add_worksheet, national_tab, rows=1, cols=len(HEADERS))
        )
        retry(partial(national_ws.append_rows, [HEADERS]))
        seen = count("fixed", 0)
        for n, prov in enumerate(chosen, 1):
            print(f"  naive: {prov.province.name_en} ({n}/{len(chosen)}), "
                  f"{seen:,} requests so far", file=sys.stderr)  # fmt: skip
            sheet = retry(partial(gc.open_by_key, ids[prov.province.name]))
            districts = retry(sheet.worksheets)
            name = province_tab.format(province=prov.province.name)
            province_ws = retry(partial(sheet.add_worksheet, name, rows=1, cols=len(HEADERS)))
            retry(partial(province_ws.append_rows, [HEADERS]))
            seen = count("province", seen)
            records = [retry(ws.get_all_records) for ws in districts]
            for tab_records in records:
                rows = [[r.get(h, "") for h in HEADERS] for r in tab_records]
                retry(partial(province_ws.append_rows, rows))
                retry(partial(national_ws.append_rows, rows))
            seen = count("tab", seen)
        assert not fake.errors, fake.errors
        appended = len(fake.tab_values(national_id, national_tab)) - 1
        simulated = clock()
    assert appended == sum(p.rows for p in chosen), "the naive script lost rows"
    scale = {
        "fixed": 1.0,
        "province": len(data) / len(chosen),
        "tab": sum(len(p.tabs) for p in data) / sum(len(p.tabs) for p in chosen),
    }

    def scaled(figure: Callable[[Tally], int]) -> int:
        return round(sum(figure(parts[k]) * scale[k] for k in parts))

    measured = Tally()
    for part in parts.values():
        measured.add(part)
    accepted = scaled(lambda t: t.accepted)
    factor = accepted / measured.accepted
    return {
        "naive_sample_provinces": len(chosen),
        "naive_sample_tabs": sum(len(p.tabs) for p in chosen),
        "naive_scaled": len(chosen) < len(data),
        "naive_scale_factor": round(factor, 3),
        "naive_measured_requests": measured.accepted,
        "naive_measured_429": measured.http_429,
        "naive_measured_kinds": dict(measured.kinds),
        "naive_requests": accepted,
        "naive_reads": scaled(lambda t: t.reads - t.reads_429),
        "naive_writes": scaled(lambda t: t.writes - t.writes_429),
        "naive_http_429": scaled(lambda t: t.http_429),
        "naive_retry_wait_s": round(slept * factor, 1),
        "naive_simulated_s": round(simulated * factor, 1),
        "naive_quota_floor_s": quota_floor_s(
            scaled(lambda t: t.reads - t.reads_429),
            scaled(lambda t: t.writes - t.writes_429),
            quota_per_minute,
        ),
    }


def _add_traffic(total: Traffic, more: Traffic) -> None:
    total.by_kind.update(more.by_kind)
    total.by_status.update(more.by_status)
    total.retries += more.retries
    total.waited_s += more.waited_s


def quota_floor_s(reads: int, writes: int, per_minute: int) -> int:
    """The least time any client needs for these requests under the per-minute quotas."""
    return max((max(reads, writes, 1) - 1) // per_minute * 60, 0)


def run_google(
    rows_per_tab: int = 34,
    provinces: int | None = None,
    naive_provinces: int = 19,
    repeat: int = 3,
    quota_per_minute: int = QUOTA_PER_MINUTE,
    *,
    scenarios: bool = False,
) -> dict[str, Any]:
    """The Google Sheets benchmark against the local fake; returns the figures.

    ``scenarios`` adds issue 10's scenarios in both topologies (`bench.google_scenarios`,
    the fake and the bot each in a process of their own).

    `provinces` keeps only the first provinces (tests use 2); `naive_provinces` is the
    naive script's sample (0: all); `quota_per_minute` is both the fake's quota and the
    bot's configured pacing (Google's default is 60 reads and 60 writes).
    """
    from bot.backends.google import GoogleBackend  # noqa: PLC0415
    from bot.backends.google_http import Traffic  # noqa: PLC0415
    from fake_sheets import FakeClock, FakeSheets  # noqa: PLC0415

    wall = time.perf_counter()
    start = time.perf_counter()
    data = national_data(rows_per_tab, provinces)
    rows = sum(p.rows for p in data)
    clock = FakeClock()
    figures: dict[str, Any] = {"backend": "google"}
    with FakeSheets(
        clock=clock, read_per_minute=quota_per_minute, write_per_minute=quota_per_minute
    ) as fake:
        national_id, ids = load_fake(fake, data)
        config = google_config(national_id, ids, quota_per_minute)
        spreadsheets = len(ids) + 1
        figures.update(
            spreadsheets=spreadsheets,
            district_tabs=sum(len(p.tabs) for p in data),
            rows=rows,
            quota_per_minute=quota_per_minute,
            generate_s=round(time.perf_counter() - start, 2),
            rss_after_generate_mb=round(peak_rss_mb(), 1),
        )
        print(f"generated {rows:,} rows in {spreadsheets} spreadsheets of the fake "
              f"({figures['generate_s']} s)", file=sys.stderr)  # fmt: skip
        fake.reset_counts()
        session = fake.session()
        wire = Wire()
        session.hooks["response"].append(wire.hook)
        traffic = Traffic()

        def new_backend() -> GoogleBackend:
            # Its pacing sleeps on the fake's clock, so a quota minute passes at once.
            return GoogleBackend(config, session=session, clock=clock, sleep=clock.advance)

        # One backend for the first two cycles, as in the daemon: its tab metadata stays
        # cached. Then a restarted bot (a new backend, nothing cached) a minute later.
        backend = new_backend()
        cycles: dict[str, tuple[CycleReport, Tally]] = {}
        for label in ("first", "unchanged", "restart"):
            if label == "restart":
                _add_traffic(traffic, backend.http.traffic)
                clock.advance(60.0)
                backend = new_backend()
            print(f"sync ({label} cycle) ...", file=sys.stderr)
            waited, sim0, wire0 = backend.http.traffic.waited_s, clock(), replace(wire)
            start, cpu = time.perf_counter(), time.thread_time()
            with backend:
                report = sync_cycle(config, backend, TODAY)
            # The fake answers from its own threads: thread_time is the bot's own CPU.
            cpu_s = round(time.thread_time() - cpu, 2)
            wall_s = round(time.perf_counter() - start, 2)
            counted = tally(fake.requests)
            cycles[label] = (report, counted)
            figures.update({
                f"{label}_sync_s": wall_s,
                f"{label}_bot_cpu_s": cpu_s,
                f"{label}_paced_wait_s": round(backend.http.traffic.waited_s - waited, 1),
                f"{label}_simulated_s": round(clock() - sim0, 1),
                f"{label}_quota_floor_s": quota_floor_s(
                    counted.reads, counted.writes, quota_per_minute),
                f"{label}_spreadsheets_written": sum(a.written for a in report.applied),
                f"{label}_sent_mb": round((wire.sent - wire0.sent) / 1e6, 1),
                f"{label}_received_mb": round((wire.received - wire0.received) / 1e6, 1),
            })  # fmt: skip
            print(f"  {wall_s} s: {counted.reads} reads, {counted.writes} writes, "
                  f"{counted.http_429} x 429", file=sys.stderr)  # fmt: skip
            fake.reset_counts()
        _add_traffic(traffic, backend.http.traffic)
        assert not fake.errors, fake.errors
        first, one = cycles["first"]
        two, three = cycles["unchanged"][1], cycles["restart"][1]
        figures.update(
            reads=one.reads,
            data_reads=one.data_reads,
            check_reads=one.check_reads,
            status_writes=one.status_writes,
            metadata_reads=one.metadata_reads,
            refused_reads=one.refused_reads,
            writes=one.writes,
            unchanged_reads=two.reads,
            unchanged_metadata_reads=two.metadata_reads,
            unchanged_writes=two.writes,
            restart_reads=three.reads,
            restart_metadata_reads=three.metadata_reads,
            restart_writes=three.writes,
            http_429=one.http_429 + two.http_429 + three.http_429,
            bot_retries=traffic.retries,
            bot_traffic={"by_kind": dict(traffic.by_kind),
                         "by_status": dict(traffic.by_status)},
            paced_wait_s=round(traffic.waited_s, 1),
            largest_request_mb=round(wire.largest_request / 1e6, 2),
            problems=len(first.problems),
            rows_complete=first.summary.rows_complete,
        )  # fmt: skip
        print("compute (evaluate on the data already read) ...", file=sys.stderr)
        sources = source_tabs(config)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            evaluate(config, sources, first.reads, TODAY)
            times.append(time.perf_counter() - start)
        figures["compute_s"] = round(min(times), 3)
        del cycles, first, report
        # The fake's spreadsheets live in this process too: this is the bot and the fake.
        figures["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(f"naive gspread script (sample of {naive_provinces or 'all'} provinces) ...",
          file=sys.stderr)  # fmt: skip
    start = time.perf_counter()
    naive = run_naive(
        data, naive_provinces, config.tabs.national, config.tabs.province, quota_per_minute
    )
    figures.update(naive, naive_s=round(time.perf_counter() - start, 2))
    figures["ratio"] = round(
        figures["naive_requests"] / max(1, figures["reads"] + figures["writes"]), 1
    )
    figures["ratio_unchanged"] = round(
        figures["naive_requests"]
        / max(1, figures["unchanged_reads"] + figures["unchanged_writes"]),
        1,
    )
    figures["claims"] = {
        "data_reads <= spreadsheets": figures["data_reads"] <= spreadsheets,
        "unchanged_reads == 1": figures["unchanged_reads"] == 1,
        "restart_reads == spreadsheets + 2": figures["restart_reads"] == spreadsheets + 2,
        "check_reads <= spreadsheets": figures["check_reads"] <= spreadsheets,
        "status_writes <= spreadsheets": figures["status_writes"] <= spreadsheets,
        "unchanged_writes == 0": figures["unchanged_writes"] == 0,
        "restart_writes == 0": figures["restart_writes"] == 0,
        "http_429 == 0": figures["http_429"] == 0,
    }
    figures["peak_rss_total_mb"] = round(peak_rss_mb(), 1)
    if scenarios:
        from bench import google_scenarios as gs  # noqa: PLC0415

        for key, topology in (("scenarios", "province"), ("district_topology", "district")):
            print(f"scenarios, {topology} topology ...", file=sys.stderr)
            figures[key] = gs.run_scenarios(data, topology, TODAY, quota_per_minute)
            figures[f"{key}_targets"] = gs.targets(figures[key], district=key != "scenarios")
    figures["wall_s"] = round(time.perf_counter() - wall, 2)
    return figures


def print_google_table(f: dict[str, Any]) -> None:
    """The figures as a table a person reads (stdout)."""
    scaled = " (scaled)" if f["naive_scaled"] else ""
    print(f"{f['spreadsheets']} spreadsheets, {f['district_tabs']} district tabs, "
          f"{f['rows']:,} rows; quota {f['quota_per_minute']} reads + "
          f"{f['quota_per_minute']} writes a minute per user, on a simulated clock\n")  # fmt: skip
    bot = ("first", "unchanged", "restart")
    about = "~" if f["naive_scaled"] else ""  # 429s and waits scale only approximately

    def row(name: str, key: str, naive: object = "-") -> tuple[object, ...]:
        return (name, *(f[f"{c}_{key}"] for c in bot), naive)

    lines: list[tuple[object, ...]] = [
        ("", "first sync", "unchanged", "restarted bot", f"naive gspread{scaled}"),
        ("read requests", f["reads"], f["unchanged_reads"], f["restart_reads"],
         f["naive_reads"]),
        ("  of which metadata only", f["metadata_reads"], f["unchanged_metadata_reads"],
         f["restart_metadata_reads"], "-"),
        ("  of which re-checks", f["check_reads"], "", "", "-"),
        ("  of which refused (4xx)", f["refused_reads"], "", "", "-"),
        ("write requests", f["writes"], f["unchanged_writes"], f["restart_writes"],
         f["naive_writes"]),
        ("  of which status columns", f["status_writes"], "", "", "-"),
        ("429 answers", f"{f['http_429']} (all)", "", "", f"{about}{f['naive_http_429']}"),
        row("waited (simulated s)", "paced_wait_s", f"{about}{f['naive_retry_wait_s']}"),
        row("took (simulated s)", "simulated_s", f"{about}{f['naive_simulated_s']}"),
        row("  least the quota allows", "quota_floor_s", f["naive_quota_floor_s"]),
        row("spreadsheets written", "spreadsheets_written"),
        ("MB sent / received", *(f"{f[c + '_sent_mb']} / {f[c + '_received_mb']}" for c in bot),
         "-"),
        row("bot CPU (s)", "bot_cpu_s"),
        row("wall time with the fake (s)", "sync_s", f["naive_s"]),
    ]  # fmt: skip
    for name, *cells in lines:
        print(f"{name!s:<28}" + "".join(f"{c!s:>16}" for c in cells[:3]) + f"{cells[3]!s:>24}")
    if f["naive_scaled"]:
        print(f"\nnaive: measured on {f['naive_sample_provinces']} provinces "
              f"({f['naive_sample_tabs']} tabs): {f['naive_measured_requests']} requests, "
              f"{f['naive_measured_429']} x 429; scaled to the whole country "
              f"(x{f['naive_scale_factor']})")  # fmt: skip
    print()
    for key in ("ratio", "ratio_unchanged", "compute_s", "paced_wait_s", "largest_request_mb",
                "peak_rss_mb", "generate_s", "wall_s"):  # fmt: skip
        print(f"{key:>32}  {f[key]}")
    for claim, held in f["claims"].items():
        print(f"{claim:>32}  {'yes' if held else 'NO'}")
    for key in ("scenarios", "district_topology"):
        if key not in f:
            continue
        print(f"\n{key} (fake and bot each in a process of their own)")
        names = ("reads", "writes", "http_429", "bytes_sent", "bytes_received",
                 "simulated_minutes", "bot_cpu_s", "bot_peak_rss_mb")  # fmt: skip
        print(f"{'':<16}" + "".join(f"{n:>18}" for n in names))
        for scenario, got in f[key].items():
            print(f"{scenario:<16}" + "".join(f"{got[n]!s:>18}" for n in names))
        for target, held in f[f"{key}_targets"].items():
            print(f"{target:>40}  {'yes' if held else 'NO'}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures, JSON last."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["xlsx", "google"], default="xlsx")
    parser.add_argument("--rows-per-tab", type=int, default=34)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the pure part (best kept)")
    parser.add_argument("--keep", type=Path, help="xlsx: generate into this folder and keep it")
    parser.add_argument(
        "--naive-provinces", type=int, default=19,
        help="google: provinces the naive script runs on, scaled up (0: all, slow)",
    )  # fmt: skip
    parser.add_argument("--no-scenarios", action="store_true",
                        help="google: leave out issue 10's scenarios")  # fmt: skip
    args = parser.parse_args(argv)

    if args.backend == "google":
        result = run_google(args.rows_per_tab, None, args.naive_provinces, args.repeat,
                            scenarios=not args.no_scenarios)  # fmt: skip
        print_google_table(result)
    else:
        # Run as `python bench/national.py`: the checkout's root holds the bench package.
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bench.national_xlsx import print_table, run_xlsx  # noqa: PLC0415

        result = run_xlsx(args.rows_per_tab, args.repeat, args.keep)
        print_table(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    # Run as a script, this folder is on the path but not the project: the scenarios
    # import `bench` (and start `python -m bench.google_scenarios`) from the project root.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
