"""The provision settings as an admin writes them: each mistake is refused at load with the
file, line, YAML path and the fix, like every other setting."""

from __future__ import annotations

import pytest

from bot.config_load import parse_config
from bot.errors import ConfigError
from bot.layout import snippet, spreadsheets

BASE = """backend: google
national: {key: 1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms}
provinces:
  - province: ชัยภูมิ
    key: 1CxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms
    districts: [ภูเขียว, {district: คอนสาร, key: new}]
provision:
  folder: https://drive.google.com/drive/folders/0AbCdEfGhIjKlMnOpQ
  share:
"""


def error_of(share: str, *, provision: bool = True) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(BASE + share, source="config.yaml", provision=provision)
    return str(info.value)


@pytest.mark.parametrize(
    ("share", "message"),
    [
        ("    dla: [dla at example]\n",
         "config.yaml:10: provision.share.dla: 'dla at example' is not an e-mail address"),
        ("    dla_role: owner\n",
         "config.yaml:10: provision.share.dla_role: expected viewer or editor, got 'owner'"),
        ("    provinces: {ชัยภูมิ: [a@example.go.th, 'b@example.go.th,c@example.go.th']}\n",
         "config.yaml:10: provision.share.provinces: 'b@example.go.th,c@example.go.th' is not"),
        ("    provinces: {ขอนแก่น: [a@example.go.th]}\n",
         "config.yaml:10: provision.share.provinces.ขอนแก่น: ขอนแก่น is not under provinces:"),
        ("    districts: {ชัยภูมิ: {ภูเขียวว: [a@example.go.th]}}\n",
         "did you mean 'ภูเขียว'?"),
        ("    districts: {ชัยภูมิ: {จัตุรัส: [a@example.go.th]}}\n",
         "จัตุรัส is not among the districts configured for ชัยภูมิ"),
    ],
)  # fmt: skip
def test_sharing_mistakes_name_the_line_and_the_fix(share: str, message: str) -> None:
    said = error_of(share)
    assert message in said and "\n" not in said


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("  rows: 5\n",
         "config.yaml:9: provision.rows: Input should be greater than or equal to 10, got 5"),
        ("  rows: 100000\n", "provision.rows: Input should be less than or equal to 50000"),
        ("  title: '  '\n", "provision.title: a spreadsheet's name must not be empty"),
        ("  national_title: 'รวม {province}'\n",
         "provision.national_title: national_title='รวม {province}' uses {province}"),
        ("  sharing: {dla: [a@example.go.th]}\n",
         "config.yaml:9: provision.sharing: unknown setting"),
        ("  share: {provinces: {ชัยภูม: [a@example.go.th]}}\n",
         "provision.share.provinces: 'ชัยภูม' is not a province in the registry; "
         "did you mean 'ชัยภูมิ'?"),
        ("  share: {notify: maybe}\n", "provision.share.notify: Input should be a valid boolean"),
    ],
)  # fmt: skip
def test_other_provision_mistakes_are_one_line_with_the_setting(setting: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(BASE.replace("  share:\n", setting), source="config.yaml", provision=True)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_one_address_may_be_written_without_brackets() -> None:
    config = parse_config(BASE + (
        "    dla: softpower@dla.go.th\n"
        "    provinces: {ชัยภูมิ: sthj@example.go.th}\n"
        "    districts: {ชัยภูมิ: {ภูเขียว: phu@example.go.th}}\n"
    ), provision=True)  # fmt: skip
    share = config.provision.share
    assert share.dla == ["softpower@dla.go.th"]
    assert share.provinces == {"ชัยภูมิ": ["sthj@example.go.th"]}
    assert share.districts == {"ชัยภูมิ": {"ภูเขียว": ["phu@example.go.th"]}}
    # Still checked as an address.
    assert "'nobody' is not an e-mail address" in error_of("    dla: nobody\n")


def test_key_new_is_for_google_only() -> None:
    text = """backend: xlsx
national: {file: national.xlsx}
provinces:
  - {province: ชัยภูมิ, key: new}
"""
    with pytest.raises(ConfigError) as info:
        parse_config(text, source="config.yaml", provision=True)
    assert str(info.value).startswith(
        "config.yaml:4: provinces[0].key: key: new is for Google spreadsheets"
    )
    assert "with xlsx, name the file and provision makes it" in str(info.value)


def test_titles_and_folder_are_checked() -> None:
    bad = BASE.replace("  share:\n", "  title: 'รายงาน {district}'\n")
    with pytest.raises(ConfigError, match=r"provision\.title: title='รายงาน \{district\}' uses "):
        parse_config(bad, provision=True)
    bad = BASE.replace("https://drive.google.com/drive/folders/0AbCdEfGhIjKlMnOpQ", "my folder")
    with pytest.raises(ConfigError, match=r"provision\.folder: 'my folder' is neither"):
        parse_config(bad, provision=True)


def test_who_gets_which_spreadsheet() -> None:
    config = parse_config(BASE + (
        "    dla: [DLA@dla.go.th]\n    dla_role: editor\n"
        "    provinces: {ชัยภูมิ: [sthj@example.go.th]}\n"
        "    districts: {ชัยภูมิ: {ภูเขียว: [phu@example.go.th], คอนสาร: [khon@example.go.th]}}\n"
    ), provision=True)  # fmt: skip
    plans = {p.whose: p for p in spreadsheets(config)}
    assert list(plans) == ["จังหวัดชัยภูมิ", "อำเภอคอนสาร จังหวัดชัยภูมิ", "ระดับประเทศ"]
    assert plans["จังหวัดชัยภูมิ"].share == {
        "sthj@example.go.th": "writer",
        "phu@example.go.th": "writer",
        "dla@dla.go.th": "writer",
    }
    # A district's own spreadsheet: its office edits, its province views.
    assert plans["อำเภอคอนสาร จังหวัดชัยภูมิ"].share == {
        "sthj@example.go.th": "reader",
        "khon@example.go.th": "writer",
        "dla@dla.go.th": "writer",
    }
    assert plans["ระดับประเทศ"].share == {"dla@dla.go.th": "writer"}
    assert [s.tab for s in plans["จังหวัดชัยภูมิ"].tabs] == ["อำเภอภูเขียว"]
    assert plans["อำเภอคอนสาร จังหวัดชัยภูมิ"].title.endswith("อำเภอคอนสาร จังหวัดชัยภูมิ")
    # Outside provision, key: new stops the load with what to run.
    message = error_of("    notify: false\n", provision=False)
    assert message.startswith("config.yaml:6: provinces[0].districts[1].key: key: new asks")


def test_the_snippet_to_paste_loads_with_the_new_keys_and_loses_nothing() -> None:
    config = parse_config(BASE.replace(
        "    districts: [ภูเขียว, {district: คอนสาร, key: new}]\n",
        "    districts: [ภูเขียว, {district: คอนสาร, key: new}, {district: เทพสถิต, key: new}]\n"
        "  - {province: ขอนแก่น, key: new, district_deadline_day: 18}\n",
    ).replace("  share:\n", ""), provision=True)  # fmt: skip
    new = {p.sheet for p in spreadsheets(config) if p.sheet.startswith("new:")}
    assert new == {"new:ชัยภูมิ/คอนสาร", "new:ชัยภูมิ/เทพสถิต", "new:ขอนแก่น"}
    made = {"new:ชัยภูมิ/คอนสาร": "1" * 44, "new:ขอนแก่น": "2" * 44}  # เทพสถิต failed
    text = "backend: google\n" + snippet(config, made)
    pasted = parse_config(text + "\nprovision: {folder: 0AbCdEfGhIjKlMnOpQ}\n", provision=True)
    assert pasted.national.sheet == config.national.sheet
    chaiyaphum, khon_kaen = pasted.provinces
    assert chaiyaphum.sheet == config.provinces[0].sheet and khon_kaen.sheet == "2" * 44
    assert khon_kaen.district_deadline_day == 18  # a province's own settings are kept
    keys = {d.district: d.key for d in chaiyaphum.districts or []}
    # The one not made stays `key: new`, so the next provision run makes it.
    assert keys == {"ภูเขียว": None, "คอนสาร": "1" * 44, "เทพสถิต": "new"}
    # Once made, nothing `new` is left: the other commands load it.
    made["new:ชัยภูมิ/เทพสถิต"] = "3" * 44
    again = parse_config("backend: google\n" + snippet(config, made))
    assert [d.key for d in again.provinces[0].districts or []] == [None, "1" * 44, "3" * 44]
