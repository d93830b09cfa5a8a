"""The Google benchmark on a tiny data set: the request budget the bot's design claims.

bench/national.py --backend google measures these at national scale; here 2 provinces with
about 3 rows per district tab keep the same structure and run in about a second.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench import google_scenarios, national


def _run(**kwargs: Any) -> dict[str, Any]:
    figures = national.run_google(rows_per_tab=3, provinces=2, naive_provinces=0, **kwargs)
    assert figures["spreadsheets"] == 3  # 2 provinces + the national spreadsheet
    assert figures["naive_scaled"] is False  # the naive script ran on everything
    return figures


def _assert_design_claims(f: dict[str, Any]) -> None:
    spreadsheets = f["spreadsheets"]
    # First sync: every read is accounted for, and a cold start costs at most one extra
    # metadata read and one refused (400) read per spreadsheet besides its data read, and
    # one read to check that no row moved before writing into district tabs.
    assert f["reads"] == (
        f["data_reads"] + f["check_reads"] + f["metadata_reads"] + f["refused_reads"] + 2
    )  # and Drive's page token and versions
    assert f["data_reads"] <= spreadsheets
    assert f["check_reads"] == 0  # the cycle's own read is fresh: no second read to check
    assert f["metadata_reads"] <= spreadsheets
    assert f["refused_reads"] <= spreadsheets
    # Steady state: Drive's changes feed, nothing else; a restarted bot that remembers
    # nothing: Drive's token and versions, then one read per spreadsheet.
    assert f["unchanged_reads"] == 1
    assert f["restart_reads"] == spreadsheets + 2
    for cycle in ("unchanged", "restart"):
        assert f[f"{cycle}_metadata_reads"] == 0
        assert f[f"{cycle}_writes"] == 0
        assert f[f"{cycle}_spreadsheets_written"] == 0
    # One batchUpdate per spreadsheet (more only for a staged tab) and one write of the
    # status columns by their anchors per spreadsheet with district tabs.
    assert 0 < f["status_writes"] < spreadsheets
    assert f["writes"] <= spreadsheets + f["status_writes"]
    assert f["first_spreadsheets_written"] == spreadsheets
    assert f["http_429"] == 0
    assert f["bot_retries"] == 0
    assert f["naive_requests"] > f["reads"] + f["writes"]
    assert f["ratio"] > 1


def test_design_claims_under_the_default_quota() -> None:
    figures = _run()
    _assert_design_claims(figures)
    assert figures["quota_per_minute"] == 60
    assert figures["paced_wait_s"] == 0  # a dozen requests never come near 60 a minute
    assert figures["naive_http_429"] == 0
    assert all(figures["claims"].values()), figures["claims"]


def test_pacing_avoids_429s_where_the_naive_script_gets_them() -> None:
    figures = _run(quota_per_minute=2)
    _assert_design_claims(figures)
    # 8 reads at 2 a minute cannot go through without waiting: the bot waits on the
    # simulated clock instead of being refused, while the unpaced script is refused.
    assert figures["paced_wait_s"] > 0
    assert figures["first_simulated_s"] >= figures["first_quota_floor_s"] >= 60
    assert figures["naive_http_429"] > 0
    assert figures["naive_retry_wait_s"] > 0


def test_the_naive_request_count_scales_per_part() -> None:
    data = national.national_data(rows_per_tab=2, provinces=4)
    tabs = [len(p.tabs) for p in data]
    full = national.run_naive(data, 0, "รวมทั้งประเทศ", "รวมจังหวัด{province}")
    sample = national.run_naive(data, 2, "รวมทั้งประเทศ", "รวมจังหวัด{province}")
    assert sample["naive_scaled"] is True
    assert sample["naive_sample_tabs"] == tabs[0] + tabs[2]  # every 2nd province
    # Open the national spreadsheet, add its tab, append its header (3), then per
    # province open, list tabs, add a tab, append a header (4), per tab 1 read + 2 appends.
    assert full["naive_requests"] == 3 + 4 * len(data) + 3 * sum(tabs)
    assert sample["naive_requests"] == full["naive_requests"]


@pytest.mark.slow  # two fakes and two bots, each a process of its own (~9 s)
def test_issue_10_scenarios_in_both_topologies_with_the_fake_in_its_own_process() -> None:
    data = national.national_data(rows_per_tab=3, provinces=2)
    for topology in ("province", "district"):
        got = google_scenarios.run_scenarios(data, topology, national.TODAY)
        assert list(got) == list(google_scenarios.SCENARIOS)
        held = google_scenarios.targets(got, district=topology == "district")
        # The province topology must write both the province's and the national
        # spreadsheet for one cell: 4 requests, the one target it cannot meet.
        missed = {"one_cell: <= 3 requests"} if topology == "province" else set()
        assert {t for t, ok in held.items() if not ok} == missed, got
        assert got["first"]["writes"] > 0 and got["first"]["bytes_sent"] > 0
        # Only the spreadsheet a person changed is read, and a bot tab's changed row sent:
        # Drive's changes, then that spreadsheet; with districts as tabs the provincial tab
        # shares its spreadsheet with the district a person changed, and comes with it (a
        # person may have sorted or typed in it), not in a read of its own.
        assert got["one_cell"]["reads"] == 2
        assert 0 < got["one_cell"]["bytes_sent"] < 20_000
        assert got["unchanged"] == {**got["unchanged"], "reads": 1, "writes": 0,
                                    "bytes_sent": 0}  # fmt: skip
