"""Google's hard limits: 10 million cells per spreadsheet, 10 MiB per request."""

from __future__ import annotations

from datetime import date

import pytest

from bot.config_load import parse_config
from bot.cycle import sync_cycle
from bot.errors import ConfigError
from fake_sheets import FakeSheets
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld

KEY = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


def test_a_write_past_90_percent_of_the_cell_limit_is_refused_with_what_to_do(
    fake: FakeSheets,
) -> None:
    world = GoogleWorld(fake)
    world.make(default_tabs())
    # Old monthly records fill the national spreadsheet to just under 9 million cells
    # (90% of the limit): the new national tabs would take it past.
    national = world.ids["national"]
    fake.add_tab(national, "บันทึก ต.ค. 2567")
    filled = fake.spreadsheet(national).sheet_by_title("บันทึก ต.ค. 2567")
    assert filled is not None
    filled.resize(345_153, 26)  # with the 1000 x 26 tab "คำอธิบาย": 8,999,978 cells
    report = world.sync()
    [skipped] = report.skipped
    assert skipped.spreadsheet == national
    reason = skipped.skipped_reason or ""
    assert "past 90% of Google's limit of 10,000,000" in reason
    assert "name it under google.archive" in reason and "เกิน 90%" in reason
    assert "รวมทั้งประเทศ" not in world.tabs("national")  # nothing of the write was sent
    assert "รวมจังหวัดชัยภูมิ" in world.tabs("province")  # the province was written


def test_monthly_records_go_to_the_archive_spreadsheet_once(fake: FakeSheets) -> None:
    archive = fake.add_spreadsheet("บันทึกรายเดือน", tabs={"คำอธิบาย": [["บันทึก"]]})
    world = GoogleWorld(fake, archive=archive)
    config = world.make(default_tabs())
    backend = world.backend()
    record = "บันทึก ม.ค. 2568"
    with backend:
        report = sync_cycle(config, backend, date(2025, 1, 25), record)
    assert not report.skipped
    assert record not in world.tabs("national")
    copy = fake.tab_values(archive, record)
    assert copy == fake.tab_values(world.ids["national"], "รวมทั้งประเทศ")
    fake.reset_counts()
    world.set_value("province", "อำเภอภูเขียว", 3, 6, "ข้าวหลาม")
    with backend:
        sync_cycle(config, backend, date(2025, 1, 25), record)
    assert fake.tab_values(archive, record) == copy  # a record, once made, stays as it was


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("max_request_bytes: 20000000", r"more than Google accepts in one request \(10,485,760\)"),
        ("archive: not a key", "neither a spreadsheet key nor a Google Sheets address"),
    ],
)
def test_settings_beyond_google_are_refused(setting: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(f"backend: google\ngoogle: {{{setting}}}\nnational: {{key: {KEY}}}\n"
                     f"provinces: [{{province: ชัยภูมิ, key: {KEY[::-1]}}}]\n")  # fmt: skip


def test_the_archive_takes_an_address_or_a_key() -> None:
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
    config = parse_config(f"backend: google\ngoogle: {{archive: '{url}'}}\n"
                          f"national: {{key: {KEY[::-1]}}}\n"
                          f"provinces: [{{province: ชัยภูมิ, key: {KEY[1:]}x}}]\n")  # fmt: skip
    assert config.google.archive == KEY
