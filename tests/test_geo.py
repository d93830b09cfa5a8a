"""The registry the KPI is counted against, and how typed names are matched to it."""

from __future__ import annotations

import pytest

from bot import geo


def test_registry_has_the_programme_s_76_provinces_and_878_districts() -> None:
    provinces = geo.provinces()
    assert len(provinces) == 76
    assert "กรุงเทพมหานคร" not in {p.name for p in provinces}
    assert sum(len(geo.districts(p.code)) for p in provinces) == 878


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("ชัยภูมิ", "ชัยภูมิ"),
        ("จ.ชัยภูมิ", "ชัยภูมิ"),
        ("จังหวัด ชัยภูมิ", "ชัยภูมิ"),
        ("Chaiyaphum", "ชัยภูมิ"),
        ("ชัยภูม", None),
        ("", None),
    ],
)
def test_find_province(typed: str, name: str | None) -> None:
    found = geo.find_province(typed)
    assert (found.name if found else None) == name


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("ภูเขียว", "ภูเขียว"),
        ("อ.ภูเขียว", "ภูเขียว"),
        ("อำเภอภูเขียว", "ภูเขียว"),
        ("อ. ภูเขียว", "ภูเขียว"),
        ("เมือง", "เมืองชัยภูมิ"),
        ("อ.เมือง", "เมืองชัยภูมิ"),
        ("Phu Khiao", "ภูเขียว"),
        ("ชุมแพ", None),
        ("ภูเขียวว", None),
    ],
)
def test_find_district_of_chaiyaphum(typed: str, name: str | None) -> None:
    found = geo.find_district("36", typed)
    assert (found.name if found else None) == name


def test_suggestions_for_typos() -> None:
    assert geo.suggest_district("36", "ภูเขียวว") == "ภูเขียว"
    assert geo.suggest_district("36", "บ้านแทน") == "บ้านแท่น"
    assert geo.suggest_province("ชัยภูม") == "ชัยภูมิ"
    assert geo.suggest_district("36", "กรุงเทพ") is None
