"""Districts in spreadsheets of their own, beside districts in the province's spreadsheet:
the config, the checks, the roll-up and isolation work the same."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest

from bot.backends import open_backend
from bot.config import source_tabs
from bot.config_load import load_config, parse_config
from bot.cycle import sync_cycle
from bot.errors import ConfigError
from bot.form_fields import STATUS_HEADER
from tests.factories import HEADERS, column
from tests.workbooks import default_tabs, values, write_workbook

TODAY = date(2025, 1, 17)
STATUS_COL = len(HEADERS) + 1

MIXED = """
programme: {start: 2567-11, end: 2568-09}
national: {file: national.xlsx}
provinces:
  - province: ชัยภูมิ
    file: chaiyaphum.xlsx           # the provincial tab, and Khon San's tab
    districts:
      - {district: ภูเขียว, file: phu-khiao.xlsx}
      - {district: บ้านเขว้า, file: ban-khwao.xlsx}
      - คอนสาร
"""


def mixed_project(folder: Path) -> Path:
    tabs = default_tabs()
    write_workbook(folder / "phu-khiao.xlsx", {"อำเภอภูเขียว": tabs["อำเภอภูเขียว"]})
    write_workbook(folder / "ban-khwao.xlsx", {"อำเภอบ้านเขว้า": tabs["อำเภอบ้านเขว้า"]})
    write_workbook(folder / "chaiyaphum.xlsx", {"อำเภอคอนสาร": tabs["อำเภอคอนสาร"]})
    (folder / "config.yaml").write_text(MIXED, encoding="utf-8")
    return folder / "config.yaml"


def test_each_district_tab_is_read_where_the_config_puts_it(tmp_path: Path) -> None:
    config = load_config(mixed_project(tmp_path))
    assert [(s.spreadsheet, s.tab) for s in source_tabs(config)] == [
        ("ban-khwao.xlsx", "อำเภอบ้านเขว้า"),
        ("phu-khiao.xlsx", "อำเภอภูเขียว"),
        ("chaiyaphum.xlsx", "อำเภอคอนสาร"),
    ]


def test_a_mixed_province_is_checked_rolled_up_and_stamped_in_each_file(tmp_path: Path) -> None:
    config = load_config(mixed_project(tmp_path))
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, TODAY)
    assert not report.skipped
    phu = values(tmp_path / "phu-khiao.xlsx", "อำเภอภูเขียว")
    assert phu[0][STATUS_COL - 1] == STATUS_HEADER and phu[1][STATUS_COL - 1] == "ครบถ้วน"
    assert values(tmp_path / "ban-khwao.xlsx", "อำเภอบ้านเขว้า")[1][STATUS_COL - 1] == "ครบถ้วน"
    # The provincial tab, in the province's file, gathers all of its districts' rows.
    province = values(tmp_path / "chaiyaphum.xlsx", "รวมจังหวัดชัยภูมิ")
    assert column(province, "อำเภอ") == ["บ้านเขว้า"] + ["ภูเขียว"] * 3
    assert values(tmp_path / "national.xlsx", "รวมทั้งประเทศ") == province
    # A district's own file gets no bot tab.
    assert openpyxl.load_workbook(tmp_path / "phu-khiao.xlsx").sheetnames == ["อำเภอภูเขียว"]


def test_one_broken_district_file_stops_neither_its_province_nor_the_others(
    tmp_path: Path,
) -> None:
    config = load_config(mixed_project(tmp_path))
    (tmp_path / "ban-khwao.xlsx").write_bytes(b"not a workbook at all")
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, TODAY)
    assert [a.spreadsheet for a in report.skipped] == ["ban-khwao.xlsx"]
    issues = values(tmp_path / "national.xlsx", "รายการที่ต้องแก้ไข")
    stale = [
        text
        for code, text in zip(column(issues, "รหัสปัญหา"), column(issues, "รายละเอียด"), strict=True)
        if code == "STALE_SPREADSHEET"
    ]
    assert len(stale) == 1 and "อำเภอบ้านเขว้า จังหวัดชัยภูมิ" in str(stale[0])
    assert values(tmp_path / "phu-khiao.xlsx", "อำเภอภูเขียว")[1][STATUS_COL - 1] == "ครบถ้วน"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "backend: google\nnational: {key: " + "N" * 44 + "}\nprovinces:\n"
            "  - province: ชัยภูมิ\n    key: " + "P" * 44 + "\n"
            "    districts: [{district: ภูเขียว, file: x.xlsx}]\n",
            "provinces[0].districts[0].key: key or url is required with backend: google",
        ),
        (
            "national: {file: n.xlsx}\nprovinces:\n  - province: ชัยภูมิ\n    file: c.xlsx\n"
            "    districts: [ภูเขียว, {district: อ.ภูเขียว, file: p.xlsx}]\n",
            "ภูเขียว is listed twice",
        ),
        (
            # เฉลิมพระเกียรติ is a district of several provinces: one shared file, same tab name.
            "national: {file: n.xlsx}\nprovinces:\n"
            "  - {province: นครราชสีมา, file: shared.xlsx, districts: [เฉลิมพระเกียรติ]}\n"
            "  - {province: บุรีรัมย์, file: shared.xlsx, districts: [เฉลิมพระเกียรติ]}\n",
            "two district tabs would both be named 'อำเภอเฉลิมพระเกียรติ' in one spreadsheet",
        ),
    ],
    ids=["district key missing", "district twice", "same tab twice in one file"],
)
def test_wrong_topologies_are_refused_at_load(text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("spelling", ["./chaiyaphum.xlsx", "data/../chaiyaphum.xlsx", "ABSOLUTE"])
def test_one_workbook_named_two_ways_is_refused_at_load(tmp_path: Path, spelling: str) -> None:
    # Read and written as two spreadsheets, the one file would be "changed while the bot
    # was checking it" after the bot's own first write, in every cycle that writes.
    mixed_project(tmp_path)
    other = str(tmp_path / "chaiyaphum.xlsx") if spelling == "ABSOLUTE" else spelling
    text = MIXED.replace("file: phu-khiao.xlsx", f"file: {other}")
    (tmp_path / "config.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "config.yaml")
    message = str(caught.value)
    assert ":8: provinces[0].districts[0].file:" in message
    assert f"'{other}' is the file 'chaiyaphum.xlsx' of provinces[0].file" in message
