"""The official registry of provinces and districts (from `geothai`), and name matching.

Staff type names with `จ.`/`อ.` prefixes, stray spaces and typos; this module turns what
they typed into a registry entry, or says which real name they probably meant.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

import geothai

BANGKOK_CODE = "10"


@dataclass(frozen=True)
class Province:
    """A province of the registry."""

    code: str
    name: str
    name_en: str


@dataclass(frozen=True)
class District:
    """A district (อำเภอ) of the registry; `name` carries no `อำเภอ` prefix."""

    code: str
    name: str
    name_en: str
    province_code: str


def _key(name: str) -> str:
    # geothai's own normaliser drops "จังหวัด"/"อำเภอ"/"จ."/"อ." prefixes, spaces and dots.
    return str(geothai.normalize(name))  # type: ignore[attr-defined]


@cache
def provinces() -> tuple[Province, ...]:
    """Every province outside Bangkok (76), in registry code order."""
    return tuple(
        Province(p.code, p.name_th, p.name_en)
        for p in geothai.provinces()
        if p.code != BANGKOK_CODE
    )


@cache
def _province_index() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for p in provinces():
        index[_key(p.name)] = p
        index[_key(p.name_en)] = p
    return index


@cache
def districts(province_code: str) -> tuple[District, ...]:
    """The districts of a province, in registry code order."""
    return tuple(
        District(d.code, d.name_th, d.name_en, d.province_code)
        for d in geothai.districts(province_code)
    )


@cache
def _district_index(province_code: str) -> dict[str, District]:
    index: dict[str, District] = {}
    for d in districts(province_code):
        index[_key(d.name)] = d
        index[_key(d.name_en)] = d
    capital = next((d for d in districts(province_code) if d.code.endswith("01")), None)
    if capital is not None:
        # People write the capital district as just "อ.เมือง".
        index.setdefault("เมือง", capital)
        index.setdefault("mueang", capital)
    return index


@cache
def find_province(name: str) -> Province | None:
    """The province a typed name means, or None."""
    return _province_index().get(_key(name)) if name else None


@cache
def find_district(province_code: str, name: str) -> District | None:
    """The district of `province_code` a typed name means, or None."""
    return _district_index(province_code).get(_key(name)) if name else None


def suggest_province(name: str) -> str | None:
    """The registry name closest to a misspelt province name, if any is close."""
    names = [p.name for p in provinces()]
    return _closest(name, names)


def suggest_district(province_code: str, name: str) -> str | None:
    """The district of the province closest to a misspelt name, if any is close."""
    return _closest(name, [d.name for d in districts(province_code)])


def _closest(name: str, choices: list[str]) -> str | None:
    key = _key(name)
    keys = {_key(c): c for c in choices}
    found = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    return keys[found[0]] if found else None
