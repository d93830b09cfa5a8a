"""The admin's YAML file: what loads, what each setting becomes, and every error message.

Each error must be one `ConfigError` line of the form "<source>:<line>: <path>: <message>"
(the line only where the code can point at one) that says what is expected.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.config import Config, source_tabs
from bot.config_load import (
    CONFIG_ENV,
    config_path,
    load_config,
    parse_config,
    state_path,
    workbook_path,
)
from bot.errors import ConfigError
from tests.factories import MINIMAL_CONFIG

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.yaml"
SOURCE = "cfg.yaml"

# Four lines; whatever a test appends starts on line 5.
BASE = """\
national: {file: national.xlsx}
provinces:
  - province: ชัยภูมิ
    file: chaiyaphum.xlsx
"""

CHAIYAPHUM_DISTRICTS = [
    "เมืองชัยภูมิ",
    "บ้านเขว้า",
    "คอนสวรรค์",
    "เกษตรสมบูรณ์",
    "หนองบัวแดง",
    "จัตุรัส",
    "บำเหน็จณรงค์",
    "หนองบัวระเหว",
    "เทพสถิต",
    "ภูเขียว",
    "บ้านแท่น",
    "แก้งคร้อ",
    "คอนสาร",
    "ภักดีชุมพล",
    "เนินสง่า",
    "ซับใหญ่",
]


def parse(text: str) -> Config:
    return parse_config(text, source=SOURCE)


def error_of(text: str) -> str:
    """The one-line message of the ConfigError that `text` raises."""
    with pytest.raises(ConfigError) as info:
        parse(text)
    message = str(info.value)
    assert "\n" not in message
    return message


def load_error(path: Path | str | None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return str(info.value)


@pytest.fixture(scope="module")
def example() -> Config:
    return load_config(EXAMPLE)


# --- config.example.yaml ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        (lambda c: c.programme.name, "1 อำเภอ 1 อัตลักษณ์ท้องถิ่น (Soft Power)"),
        (lambda c: c.programme.start, (2024, 11)),
        (lambda c: c.programme.end, (2025, 9)),
        (
            lambda c: [(t.districts, t.by) for t in c.programme.targets],
            [(439, date(2025, 3, 31)), (878, date(2025, 9, 30))],
        ),
        (lambda c: c.programme.district_deadline_day, 20),
        (lambda c: c.programme.province_deadline_day, 25),
        (lambda c: c.backend, "xlsx"),
        (lambda c: c.xlsx.folder, "example"),
        (lambda c: c.national.file, "national.xlsx"),
        (lambda c: [p.province for p in c.provinces], ["ชัยภูมิ"]),
        (lambda c: [p.file for p in c.provinces], ["chaiyaphum.xlsx"]),
        (lambda c: c.provinces[0].districts, None),
        (lambda c: [d.name for d in c.provinces[0].registry_districts()], CHAIYAPHUM_DISTRICTS),
        (lambda c: len(source_tabs(c)), 16),
        (lambda c: source_tabs(c)[0].tab, "อำเภอเมืองชัยภูมิ"),
        (lambda c: source_tabs(c)[-1].tab, "อำเภอซับใหญ่"),
        (lambda c: c.tabs.province_tab(c.provinces[0].registry_province), "รวมจังหวัดชัยภูมิ"),
        (lambda c: c.tabs.national, "รวมทั้งประเทศ"),
        (lambda c: c.tabs.summary, "สรุปตัวชี้วัด"),
        (lambda c: c.tabs.issues, "รายการที่ต้องแก้ไข"),
        (lambda c: c.form.header_names("report_month"), ["เดือนที่รายงาน", "เดือน/ปีที่รายงาน"]),
        (lambda c: c.form.status_header, "ผลการตรวจสอบ (ระบบ)"),
        (lambda c: c.form.header_search_rows, 10),
        (lambda c: len(c.form.platforms), 9),
        (lambda c: c.timezone, "Asia/Bangkok"),
        (lambda c: Path(c.base_dir), ROOT),
        (lambda c: workbook_path(c, c.national.file), ROOT / "example" / "national.xlsx"),
        (lambda c: workbook_path(c, "chaiyaphum.xlsx"), ROOT / "example" / "chaiyaphum.xlsx"),
    ],
)
def test_example_config_values(
    example: Config, what: Callable[[Config], object], expected: object
) -> None:
    assert what(example) == expected


def test_example_config_spells_out_the_default_programme_and_tabs(example: Config) -> None:
    minimal = parse(MINIMAL_CONFIG)
    assert example.programme == minimal.programme
    assert example.tabs == minimal.tabs
    assert example.form.platforms == minimal.form.platforms


# --- dates and months ---------------------------------------------------------------------


def with_target_by(spelling: str) -> str:
    return BASE + f"programme:\n  targets:\n    - districts: 439\n      by: {spelling}\n"


@pytest.mark.parametrize(
    "spelling",
    [
        "2568-03-31",  # B.E., unquoted: YAML makes it a date object first
        "2025-03-31",  # C.E., unquoted
        "'2568-03-31'",
        '"2025-03-31"',
        "31/03/2568",
        '"31/03/2568"',
        "31/03/2025",
        "31 มี.ค. 2568",
        "'31 มี.ค. 2568'",
        "31 มีนาคม 2568",
        "31 มี.ค. 68",
        "๓๑/๐๓/๒๕๖๘",  # Thai digits
        "20250331",  # YAML reads this as an int
        "2025-03-31T00:00:00",
    ],
)
def test_target_dates_in_be_and_ce_give_the_same_day(spelling: str) -> None:
    [target] = parse(with_target_by(spelling)).programme.targets
    assert target.by == date(2025, 3, 31)
    assert target.districts == 439


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("2567-11", (2024, 11)),
        ("'2567-11'", (2024, 11)),
        ("2024-11", (2024, 11)),
        ("พ.ย. 2567", (2024, 11)),
        ("'พ.ย. 67'", (2024, 11)),
        ("พฤศจิกายน 2567", (2024, 11)),
        ("11/2567", (2024, 11)),
        ("'11/2024'", (2024, 11)),
        ("๑๑/๒๕๖๗", (2024, 11)),
        ("2567-11-01", (2024, 11)),  # a whole date: only its month counts
        ("ต.ค. 2567", (2024, 10)),
    ],
)
def test_programme_start_month_spellings(spelling: str, expected: tuple[int, int]) -> None:
    programme = parse(BASE + f"programme:\n  start: {spelling}\n").programme
    assert programme.start == expected
    assert programme.end == (2025, 9)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [("2568-09", (2025, 9)), ("ก.ย. 2568", (2025, 9)), ("12/2568", (2025, 12))],
)
def test_programme_end_month_spellings(spelling: str, expected: tuple[int, int]) -> None:
    assert parse(BASE + f"programme:\n  end: {spelling}\n").programme.end == expected


# --- targets in force and the programme period --------------------------------------------

THREE_TARGETS = BASE + (
    "programme:\n"
    "  targets:\n"
    "    - {districts: 100, by: 2567-12-31}\n"
    "    - {districts: 439, by: 2568-03-31}\n"
    "    - {districts: 878, by: 2568-09-30}\n"
)


@pytest.mark.parametrize(
    ("text", "today", "districts", "by"),
    [
        (MINIMAL_CONFIG, date(2024, 11, 1), 439, date(2025, 3, 31)),
        (MINIMAL_CONFIG, date(2025, 1, 17), 439, date(2025, 3, 31)),
        (MINIMAL_CONFIG, date(2025, 3, 30), 439, date(2025, 3, 31)),
        (MINIMAL_CONFIG, date(2025, 3, 31), 439, date(2025, 3, 31)),
        (MINIMAL_CONFIG, date(2025, 4, 1), 878, date(2025, 9, 30)),
        (MINIMAL_CONFIG, date(2025, 9, 30), 878, date(2025, 9, 30)),
        (MINIMAL_CONFIG, date(2025, 10, 1), 878, date(2025, 9, 30)),  # the last one stays
        (MINIMAL_CONFIG, date(2026, 1, 1), 878, date(2025, 9, 30)),
        (THREE_TARGETS, date(2024, 12, 31), 100, date(2024, 12, 31)),
        (THREE_TARGETS, date(2025, 1, 1), 439, date(2025, 3, 31)),
        (THREE_TARGETS, date(2025, 3, 31), 439, date(2025, 3, 31)),
        (THREE_TARGETS, date(2025, 4, 1), 878, date(2025, 9, 30)),
        (THREE_TARGETS, date(2027, 1, 1), 878, date(2025, 9, 30)),
        (with_target_by("2568-03-31"), date(2024, 1, 1), 439, date(2025, 3, 31)),
        (with_target_by("2568-03-31"), date(2030, 1, 1), 439, date(2025, 3, 31)),
    ],
)
def test_target_on(text: str, today: date, districts: int, by: date) -> None:
    target = parse(text).programme.target_on(today)
    assert (target.districts, target.by) == (districts, by)


@pytest.mark.parametrize(
    ("month", "inside"),
    [
        ((2024, 10), False),
        ((2024, 11), True),
        ((2025, 1), True),
        ((2025, 9), True),
        ((2025, 10), False),
        ((2023, 12), False),
    ],
)
def test_in_period(month: tuple[int, int], inside: bool) -> None:
    assert parse(MINIMAL_CONFIG).programme.in_period(month) is inside


# --- every wrong config: one ConfigError naming the YAML path -----------------------------

TARGETS_BAD_SECOND = (
    "programme:\n"  # 5
    "  targets:\n"  # 6
    "    - districts: 439\n"  # 7
    "      by: 2568-03-31\n"  # 8
    "    - districts: 878\n"  # 9
    "      by: {}\n"  # 10
)


# (YAML text, line or None, YAML path, fragments of the message).
# None: the code names no line (checks across several settings), so the message must
# start with "cfg.yaml: <path>: ".
ERRORS = {
    "unknown top-level key (typo)": (
        BASE + "programe: {name: x}\n",
        5,
        "programe",
        ["unknown setting", "did you mean 'programme'?"],
    ),
    "unknown nested key": (
        BASE + "programme:\n  deadine: 20\n",
        6,
        "programme.deadine",
        ["unknown setting", "config.example.yaml"],
    ),
    "unknown key under national": (
        "national:\n  file: n.xlsx\n  fiel: x\nprovinces:\n  - {province: ชัยภูมิ, file: c.xlsx}\n",
        3,
        "national.fiel",
        ["unknown setting"],
    ),
    "unknown key in a province": (
        BASE + "    distrcts: [ภูเขียว]\n",
        5,
        "provinces[0].distrcts",
        ["unknown setting"],
    ),
    "bad date 2568-13-45 (quoted)": (
        BASE + TARGETS_BAD_SECOND.format("'2568-13-45'"),
        10,
        "programme.targets[1].by",
        ["expected a date such as 2568-03-31 (B.E.) or 2025-03-31 (C.E.)", "got '2568-13-45'"],
    ),
    "bad date 31/02/2568": (
        BASE + TARGETS_BAD_SECOND.format("31/02/2568"),
        10,
        "programme.targets[1].by",
        ["expected a date", "got '31/02/2568'"],
    ),
    "bad date: a word": (
        BASE + TARGETS_BAD_SECOND.format("สิ้นเดือนกันยา"),
        10,
        "programme.targets[1].by",
        ["expected a date", "'สิ้นเดือนกันยา'"],
    ),
    # Flow style keeps `programme:` and its value on one line: see the report on block style.
    "targets out of order": (
        BASE + "programme: {targets: [{districts: 878, by: 2568-09-30},"
        " {districts: 439, by: 2568-03-31}]}\n",
        5,
        "programme.targets[1].by",
        ["targets must be listed in date order, earliest first"],
    ),
    "two targets on the same day are in order, then one earlier": (
        BASE + "programme: {targets: [{districts: 1, by: 2568-03-31},"
        " {districts: 2, by: 2568-03-31}, {districts: 3, by: 31/12/2567}]}\n",
        5,
        "programme.targets[2].by",
        ["date order"],
    ),
    "end before start": (
        BASE + "programme: {start: 2568-09, end: พ.ย. 2567}\n",
        5,
        "programme.end",
        ["the programme ends before it starts: check start and end"],
    ),
    "target without a date": (
        BASE + "programme:\n  targets:\n    - districts: 439\n",
        7,
        "programme.targets[0].by",
        ["this setting is required"],
    ),
    "target of zero districts": (
        BASE + "programme:\n  targets:\n    - {districts: 0, by: 2568-03-31}\n",
        7,
        "programme.targets[0].districts",
        ["greater than 0", "got 0"],
    ),
    "bad month": (
        BASE + "programme:\n  start: 2567-13\n",
        6,
        "programme.start",
        ["expected a month such as 2567-11 or พ.ย. 2567", "got '2567-13'"],
    ),
    "deadline day 31": (
        BASE + "programme:\n  district_deadline_day: 31\n",
        6,
        "programme.district_deadline_day",
        ["less than or equal to 28", "got 31"],
    ),
    "deadline day in words": (
        BASE + "programme:\n  province_deadline_day: ยี่สิบห้า\n",
        6,
        "programme.province_deadline_day",
        ["valid integer", "'ยี่สิบห้า'"],
    ),
    "unknown province, did you mean": (
        "national: {file: n.xlsx}\nprovinces:\n  - province: ชัยภูม\n    file: c.xlsx\n",
        3,
        "provinces[0].province",
        ["'ชัยภูม' is not a province in the registry", "did you mean 'ชัยภูมิ'?"],
    ),
    "unknown province in the second entry": (
        BASE + "  - province: เชียงใหมม\n    file: cm.xlsx\n",
        5,
        "provinces[1].province",
        ["'เชียงใหมม' is not a province", "did you mean 'เชียงใหม่'?"],
    ),
    "unknown district in districts:": (
        BASE + "    districts: [ภูเขียว, ภูเขีย]\n",
        5,
        "provinces[0].districts[1]",
        ["'ภูเขีย' is not a district of ชัยภูมิ", "did you mean 'ภูเขียว'?"],
    ),
    "district of another province": (
        BASE + "    districts: [หางดง]\n",
        5,
        "provinces[0].districts[0]",
        ["'หางดง' is not a district of ชัยภูมิ"],
    ),
    "province listed twice (other spelling)": (
        BASE + "  - province: จ.ชัยภูมิ\n    file: other.xlsx\n",
        5,
        "provinces[1].province",
        ["province ชัยภูมิ is listed twice"],
    ),
    "no provinces": (
        "national: {file: n.xlsx}\nprovinces: []\n",
        2,
        "provinces",
        ["at least 1 item"],
    ),
    "provinces is one name, not a list": (
        "national: {file: n.xlsx}\nprovinces: ชัยภูมิ\n",
        2,
        "provinces",
        ["valid list", "got 'ชัยภูมิ'"],
    ),
    "missing national": (
        "provinces:\n  - province: ชัยภูมิ\n    file: c.xlsx\n",
        None,
        "national",
        ["this setting is required"],
    ),
    "missing national.file": (
        "national: {}\nprovinces:\n  - province: ชัยภูมิ\n    file: c.xlsx\n",
        1,
        "national.file",
        ["required with backend: xlsx"],
    ),
    "missing provinces[].file": (
        BASE + "  - province: เชียงใหม่\n",
        5,
        "provinces[1].file",
        ["required with backend: xlsx"],
    ),
    "unknown backend": (
        BASE + "backend: dropbox\n",
        5,
        "backend",
        ["unknown backend 'dropbox'", "xlsx", "google"],
    ),
    "backend google with files instead of keys": (
        BASE + "backend: google\n",
        1,
        "national.key",
        ["key or url is required with backend: google"],
    ),
    "a sheet key that is not a key": (
        "national: {key: abc}\nprovinces: [{province: ชัยภูมิ, key: abc}]\nbackend: google\n",
        1,
        "national.key",
        ["does not look like a spreadsheet key"],
    ),
    "a url that is not a Google Sheets address": (
        "national: {url: 'https://example.com/x'}\nprovinces: [{province: ชัยภูมิ, file: a}]\n",
        1,
        "national.url",
        ["not a Google Sheets address"],
    ),
    "both file and key": (
        "national: {file: n.xlsx, key: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms}\n"
        "provinces: [{province: ชัยภูมิ, file: a}]\n",
        1,
        "national",
        ["give only one of file, key or url (got file and key)"],
    ),
    "tabs.province is a district tab": (
        BASE + "tabs:\n  province: อำเภอภูเขียว\n",
        5,
        "tabs",
        ["overwrite the district tab 'อำเภอภูเขียว' of ชัยภูมิ", "tabs.province"],
    ),
    "tabs.province template gives a district tab": (
        BASE + "tabs:\n  province: 'อำเภอเมือง{province}'\n",
        5,
        "tabs",
        ["overwrite the district tab 'อำเภอเมืองชัยภูมิ' of ชัยภูมิ"],
    ),
    "tabs.summary is a district tab in the same workbook": (
        "national: {file: c.xlsx}\nprovinces:\n  - {province: ชัยภูมิ, file: c.xlsx}\n"
        "tabs:\n  summary: อำเภอคอนสาร\n",
        4,
        "tabs",
        ["overwrite the district tab 'อำเภอคอนสาร' of ชัยภูมิ", "summary"],
    ),
    "tabs.national == tabs.summary": (
        BASE + "tabs:\n  national: สรุป\n  summary: สรุป\n",
        5,
        "tabs",
        ["tabs.national, tabs.summary, tabs.issues and tabs.district_register must all differ"],
    ),
    "tabs.district_register is a district tab in the same workbook": (
        "national: {file: c.xlsx}\nprovinces:\n  - {province: ชัยภูมิ, file: c.xlsx}\n"
        "tabs:\n  district_register: อำเภอภูเขียว\n",
        4,
        "tabs",
        ["overwrite the district tab 'อำเภอภูเขียว' of ชัยภูมิ", "district_register"],
    ),
    "tabs.dashboard gives a district tab": (
        BASE + "tabs:\n  dashboard: 'อำเภอเมือง{province}'\n",
        5,
        "tabs",
        ["overwrite the district tab 'อำเภอเมืองชัยภูมิ' of ชัยภูมิ", "dashboard"],
    ),
    "tabs.dashboard == tabs.province": (
        BASE + "tabs:\n  dashboard: 'รวมจังหวัด{province}'\n",
        5,
        "tabs",
        ["tabs.province and tabs.dashboard must differ"],
    ),
    "tabs.dashboard without {province} in a shared spreadsheet": (
        "national: {file: n.xlsx}\nprovinces:\n  - {province: ชัยภูมิ, file: c.xlsx}\n"
        "  - {province: ขอนแก่น, file: c.xlsx}\ntabs: {dashboard: ภาพรวม}\n",
        5,
        "tabs",
        ["ชัยภูมิ and ขอนแก่น share a spreadsheet and would both write the tab 'ภาพรวม'"],
    ),
    "dashboard tab placeholder {district}": (
        BASE + "tabs: {dashboard: 'ภาพรวม{district}'}\n",
        5,
        "tabs",
        ["uses {district}", "allowed here: {province}"],
    ),
    "tabs.issues == tabs.national": (
        BASE + "tabs:\n  issues: รวมทั้งประเทศ\n",
        5,
        "tabs",
        ["must all differ"],
    ),
    "district tab placeholder {amphoe}": (
        BASE + "tabs: {district: 'อำเภอ{amphoe}'}\n",
        5,
        "tabs",
        ["district='อำเภอ{amphoe}' uses {amphoe}", "allowed here: {district}, {province}"],
    ),
    "province tab placeholder {district}": (
        BASE + "tabs: {province: 'รวม{district}'}\n",
        5,
        "tabs",
        ["uses {district}", "allowed here: {province}"],
    ),
    "national tab placeholder {province}": (
        BASE + "tabs: {national: 'รวม{province}'}\n",
        5,
        "tabs",
        ["uses {province}", "allowed here: none"],
    ),
    "district tab without {district}": (
        BASE + "tabs: {district: 'อำเภอ'}\n",
        5,
        "tabs",
        ["the district tab name must contain {district}"],
    ),
    "empty tab name": (
        BASE + "tabs: {issues: '  '}\n",
        5,
        "tabs",
        ["tab name issues is empty"],
    ),
    "form.headers unknown field": (
        BASE + "form: {headers: {amphoe: อำเภอ}}\n",
        5,
        "form.headers",
        ["unknown field 'amphoe'", "the fields are report_month, province, district"],
    ),
    "form.max_length unknown field": (
        BASE + "form: {max_length: {amphoe: 50}}\n",
        5,
        "form.max_length",
        ["unknown field 'amphoe'", "identity"],
    ),
    "form.status_header equals a default header": (
        BASE + "form:\n  status_header: อำเภอ\n",
        6,
        "form.status_header",
        ["must differ from every form header"],
    ),
    "form.status_header equals a header but for spaces and *": (
        BASE + "form:\n  status_header: 'หมาย เหตุ *'\n",
        6,
        "form.status_header",
        ["must differ from every form header"],
    ),
    "form.status_header equals the admin's header": (
        BASE + "form:\n  headers: {note: ผลตรวจ}\n  status_header: ผลตรวจ\n",
        7,
        "form.status_header",
        ["must differ from every form header"],
    ),
    "no platforms": (
        BASE + "form:\n  platforms: []\n",
        6,
        "form.platforms",
        ["at least 1 item"],
    ),
    "empty file": (
        "",
        None,
        "national, provinces",
        ["these settings are required", "config.example.yaml"],
    ),
    "unknown time zone": (
        BASE + "timezone: Asia/Chaiyaphum\n",
        5,
        "timezone",
        ["unknown time zone 'Asia/Chaiyaphum'", "Asia/Bangkok"],
    ),
    "time zone that is a folder": (
        BASE + "timezone: Asia\n",
        5,
        "timezone",
        ["unknown time zone 'Asia'"],
    ),
    "file with only comments": (
        "# config\n# nothing yet\n",
        None,
        "national, provinces",
        ["these settings are required"],
    ),
}


@pytest.mark.parametrize(("text", "line", "path", "fragments"), ERRORS.values(), ids=ERRORS)
def test_wrong_config_names_path_line_and_expectation(
    text: str, line: int | None, path: str, fragments: list[str]
) -> None:
    message = error_of(text)
    where = f"{SOURCE}:{line}" if line is not None else SOURCE
    assert message.startswith(f"{where}: {path}: "), message
    for fragment in fragments:
        assert fragment in message, message


# (YAML text, the line the parser names, fragments)
BAD_YAML = {
    "unclosed bracket": (
        BASE + "form:\n  platforms: [facebook.com, tiktok.com\n",
        7,  # where the parser gives up: the end of the file
        ["expected ',' or ']'"],
    ),
    "tab character": (BASE + "tabs:\n\tprovince: x\n", 6, ["'\\t'"]),
    "unclosed quote": (BASE + "tabs:\n  province: 'รวม\n", 7, ["end of stream"]),
    "bad indentation": (BASE + "  timezone: Asia/Bangkok\n", 5, ["expected <block end>"]),
}


@pytest.mark.parametrize(("text", "line", "fragments"), BAD_YAML.values(), ids=BAD_YAML)
def test_invalid_yaml_names_its_line(text: str, line: int, fragments: list[str]) -> None:
    message = error_of(text)
    assert message.startswith(f"{SOURCE}:{line}: not valid YAML: "), message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("text", ["- national\n- provinces\n", "just some words\n", "42\n"])
def test_top_level_must_be_a_mapping(text: str) -> None:
    assert error_of(text) == (
        f"{SOURCE}: expected a mapping of settings (key: value) at the top level"
    )


# --- reading the file ---------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def test_missing_file_says_to_copy_the_example(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "config.yaml"
    message = load_error(path)
    assert message.startswith(f"{path}: config file not found")
    assert "copy config.example.yaml to" in message
    assert "--config PATH" in message


@pytest.mark.parametrize("encoding", ["cp874", "utf-16"])
def test_file_not_in_utf8_is_refused(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path / "config.yaml", MINIMAL_CONFIG, encoding=encoding)
    message = load_error(path)
    assert message == (
        f"{path}: the file is not UTF-8 text; save it as UTF-8 (in Notepad: Save As, "
        "Encoding UTF-8)"
    )


def test_utf8_with_bom_loads(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", MINIMAL_CONFIG, encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.province for p in load_config(path).provinces] == ["ชัยภูมิ"]


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert load_error(tmp_path).startswith(f"{tmp_path}: cannot read the config file (")


def test_errors_from_a_file_name_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "config.yaml", BASE + "programme:\n  deadine: 20\n")
    assert load_error(path).startswith(f"{path}:6: programme.deadine: unknown setting")


# --- which file load_config(None) reads ---------------------------------------------------


def test_env_variable_names_the_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "cwd" / "config.yaml", BASE + "timezone: Asia/Tokyo\n")
    chosen = write(tmp_path / "elsewhere" / "mine.yaml", BASE + "timezone: Asia/Bangkok\n")
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv(CONFIG_ENV, str(chosen))
    config = load_config(None)
    assert config.timezone == "Asia/Bangkok"
    assert Path(config.base_dir) == tmp_path / "elsewhere"


def test_without_env_variable_config_yaml_in_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "config.yaml", BASE + "timezone: Asia/Tokyo\n")
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.timezone == "Asia/Tokyo"
    assert Path(config.base_dir) == tmp_path


def test_explicit_path_beats_env_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "missing.yaml"))
    path = write(tmp_path / "given.yaml", BASE + "timezone: Asia/Tokyo\n")
    assert load_config(path).timezone == "Asia/Tokyo"


def test_env_variable_pointing_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "missing.yaml"
    monkeypatch.setenv(CONFIG_ENV, str(missing))
    assert load_error(None).startswith(f"{missing}: config file not found")


def test_no_config_yaml_in_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    message = load_error(None)
    assert message.startswith("config.yaml: config file not found")
    assert "copy config.example.yaml to config.yaml" in message


# --- relative paths resolve against the config file's folder ------------------------------


@pytest.mark.parametrize(
    ("folder", "file", "expected"),
    [
        (None, "chaiyaphum.xlsx", "conf/chaiyaphum.xlsx"),
        ("data", "chaiyaphum.xlsx", "conf/data/chaiyaphum.xlsx"),
        ("data", "sub/chaiyaphum.xlsx", "conf/data/sub/chaiyaphum.xlsx"),
        ("../shared", "national.xlsx", "conf/../shared/national.xlsx"),
        ("{tmp}/abs", "national.xlsx", "abs/national.xlsx"),
        ("data", "{tmp}/else/national.xlsx", "else/national.xlsx"),
    ],
)
def test_paths_resolve_against_the_config_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    folder: str | None,
    file: str,
    expected: str,
) -> None:
    text = BASE + (f"xlsx:\n  folder: '{folder.format(tmp=tmp_path)}'\n" if folder else "")
    write(tmp_path / "conf" / "config.yaml", text)
    (tmp_path / "run").mkdir()
    monkeypatch.chdir(tmp_path)
    config = load_config("conf/config.yaml")  # a relative path to the config itself
    monkeypatch.chdir(tmp_path / "run")  # the bot may run from anywhere afterwards
    assert workbook_path(config, file.format(tmp=tmp_path)) == tmp_path / expected


def test_the_bots_own_files_go_to_state_dir_and_the_rest_beside_the_config(
    tmp_path: Path,
) -> None:
    etc = tmp_path / "etc"
    (etc / "mine").mkdir(parents=True)
    text = BASE + "state_dir: ../var\nreminders: {templates: mine}\ndaemon: {state: s.sqlite}\n"
    config = parse_config(text, base_dir=etc)
    assert state_path(config, config.daemon.state) == etc / "../var" / "s.sqlite"
    assert state_path(config, config.reminders.outbox) == etc / "../var" / "outbox"
    assert state_path(config, "/abs/state.sqlite") == Path("/abs/state.sqlite")
    assert config_path(config, "mine") == etc / "mine"  # templates stay beside the config
    without = parse_config(BASE, base_dir=etc)
    assert state_path(without, without.daemon.state) == etc / "softpower-bot.sqlite"


def test_parse_config_uses_the_given_base_dir(tmp_path: Path) -> None:
    config = parse_config(BASE + "xlsx: {folder: data}\n", base_dir=tmp_path)
    assert workbook_path(config, "national.xlsx") == tmp_path / "data" / "national.xlsx"


# --- form headers and limits --------------------------------------------------------------

FORM = BASE + (
    "form:\n"
    "  headers:\n"
    "    identity: ชื่ออัตลักษณ์\n"  # one string
    "    report_month: [เดือน/ปีที่รายงาน, เดือนที่รายงาน]\n"
    "    phone: [เบอร์โทร, มือถือ]\n"
    "  max_length: {identity: 50, note: 5000}\n"
)


@pytest.mark.parametrize(
    ("text", "key", "names"),
    [
        (MINIMAL_CONFIG, "identity", ["ชื่ออัตลักษณ์ท้องถิ่น"]),
        (MINIMAL_CONFIG, "report_month", ["เดือนที่รายงาน"]),
        (MINIMAL_CONFIG, "role", ["บทบาท อปท."]),
        # The admin's headers replace the default (list the default to keep it).
        (FORM, "identity", ["ชื่ออัตลักษณ์"]),
        (FORM, "report_month", ["เดือน/ปีที่รายงาน", "เดือนที่รายงาน"]),
        (FORM, "phone", ["เบอร์โทร", "มือถือ"]),
        (FORM, "note", ["หมายเหตุ"]),
        (FORM, "district", ["อำเภอ"]),
    ],
)
def test_header_names(text: str, key: str, names: list[str]) -> None:
    form = parse(text).form
    assert form.header_names(key) == names
    assert form.display_header(key) == names[0]


@pytest.mark.parametrize(
    ("text", "key", "limit"),
    [
        (MINIMAL_CONFIG, "identity", 300),
        (MINIMAL_CONFIG, "note", 2000),
        (MINIMAL_CONFIG, "report_month", 40),
        (FORM, "identity", 50),
        (FORM, "note", 5000),
        (FORM, "activity", 2000),
        (FORM, "phone", 60),
    ],
)
def test_form_limit(text: str, key: str, limit: int) -> None:
    assert parse(text).form.limit(key) == limit


def test_districts_subset_keeps_registry_order() -> None:
    config = parse(BASE + "    districts: [ซับใหญ่, อ.ภูเขียว, เมืองชัยภูมิ]\n")
    names = [d.name for d in config.provinces[0].registry_districts()]
    assert names == ["เมืองชัยภูมิ", "ภูเขียว", "ซับใหญ่"]
    assert [s.tab for s in source_tabs(config)] == [
        "อำเภอเมืองชัยภูมิ",
        "อำเภอภูเขียว",
        "อำเภอซับใหญ่",
    ]


def test_a_province_template_in_a_district_tab_name_is_filled() -> None:
    config = parse(BASE + "tabs: {district: '{province}-{district}'}\n")
    assert source_tabs(config)[0].tab == "ชัยภูมิ-เมืองชัยภูมิ"


def test_unknown_province_without_a_close_name_has_no_hint() -> None:
    message = error_of(
        "national: {file: n.xlsx}\nprovinces:\n  - {province: xyzzy, file: c.xlsx}\n"
    )
    assert (
        message == f"{SOURCE}:3: provinces[0].province: 'xyzzy' is not a province in the registry"
    )
    assert "did you mean" not in message


def test_english_province_name_is_accepted_and_stored_in_thai() -> None:
    config = parse(
        "national: {file: n.xlsx}\nprovinces:\n  - {province: Chaiyaphum, file: c.xlsx}\n"
    )
    assert config.provinces[0].province == "ชัยภูมิ"
    assert re.fullmatch(r"\d+", config.provinces[0].registry_province.code)


# --- mistakes that used to crash or pass silently ----------------------------------------

FOUND_LATER = {
    "unquoted impossible date": (
        BASE + "programme:\n  targets:\n    - districts: 439\n      by: 2568-13-45\n",
        "cfg.yaml:8: programme.targets[0].by: expected a date",
    ),
    "a key given twice": (
        BASE + "timezone: Asia/Bangkok\ntimezone: Asia/Tokyo\n",
        "cfg.yaml:6: not valid YAML: the setting 'timezone' is given twice",
    ),
    "an unknown block key names the key's own line": (
        BASE + "programe:\n  name: x\n",
        "cfg.yaml:5: programe: unknown setting; did you mean 'programme'?",
    ),
    "a misspelt time zone": (
        BASE + "timezone: Asia/Bangkokk\n",
        "cfg.yaml:5: timezone: unknown time zone 'Asia/Bangkokk'",
    ),
    "an empty districts list": (
        BASE + "    districts: []\n",
        "cfg.yaml:5: provinces[0].districts: List should have at least 1 item",
    ),
    "a negative max_length": (
        BASE + "form: {max_length: {identity: -5}}\n",
        "cfg.yaml:5: form.max_length.identity: Input should be greater than 0",
    ),
    "district deadline after province deadline": (
        BASE + "programme: {district_deadline_day: 26}\n",
        "cfg.yaml:5: programme.district_deadline_day: must not be after province_deadline_day",
    ),
}


@pytest.mark.parametrize(("text", "start"), FOUND_LATER.values(), ids=FOUND_LATER)
def test_mistakes_are_config_errors_not_crashes(text: str, start: str) -> None:
    assert error_of(text).startswith(start)


def test_unquoted_be_leap_day_is_a_real_date() -> None:
    # 2567 B.E. = 2024, a leap year; PyYAML alone would read "2567-02-29" as C.E. and fail.
    config = parse(BASE + "programme:\n  targets:\n    - {districts: 439, by: 2567-02-29}\n")
    assert config.programme.targets[0].by == date(2024, 2, 29)


def test_home_folder_in_xlsx_folder_is_expanded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    config = parse(BASE + "xlsx: {folder: ~/reports}\n")
    assert workbook_path(config, "a.xlsx") == tmp_path / "reports" / "a.xlsx"


def test_google_sheets_by_key_or_url() -> None:
    key = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
    config = parse(
        f"backend: google\nnational: {{key: {key}}}\nprovinces:\n"
        f"  - {{province: ชัยภูมิ, url: 'https://docs.google.com/spreadsheets/d/{key}x/edit#gid=0'}}\n"
    )
    assert config.national.sheet == key
    assert config.provinces[0].sheet == key + "x"
    assert [t.spreadsheet for t in source_tabs(config)][:1] == [key + "x"]
    assert config.google.read_quota_per_minute == 60
