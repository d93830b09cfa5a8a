"""bench/provision.py on 2 provinces: the request budget `provision` claims (the README
gives the national figures), so the benchmark cannot rot unnoticed."""

from __future__ import annotations

from bench import provision


def test_provision_request_budget() -> None:
    f = provision.run(2)
    spreadsheets = 3  # 2 provinces + the national spreadsheet
    assert f["spreadsheets_made"] == spreadsheets
    first = f["first_by_kind"]
    # Per spreadsheet: one Drive create and one batchUpdate, whatever its tab count; the
    # shares are one per address (the province's own and DLA's; the national: DLA's).
    assert first["drive.files.create"] == first["spreadsheets.batchUpdate"] == spreadsheets
    assert first["drive.permissions.create"] == 2 * 2 + 1
    assert f["first_writes"] == 2 * spreadsheets + 5
    # Later runs, by name or by key, write nothing and read little.
    for run in ("found_by_name", "by_key"):
        assert f[f"{run}_writes"] == 0
        assert f[f"{run}_requests"] <= 4 * spreadsheets
    assert f["by_key_requests"] < f["found_by_name_requests"]
    assert f["first_http_429"] == f["found_by_name_http_429"] == f["by_key_http_429"] == 0
