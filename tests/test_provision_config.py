"""The provision settings as an admin writes them: each mistake is refused at load with the
file, line, YAML path and the fix, like every other setting."""

from __future__ import annotations

import pytest

from bot.config_load import parse_config
from bot.errors import ConfigError
from bot.layout import spreadsheets

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
    assert message in error_of(share)


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
