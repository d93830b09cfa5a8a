"""The report form as staff meet it where they type: the header row, a note in polite Thai
on each header saying what to type, the drop-downs and the link rule, column widths, the
bot's status column; and what `softpower-bot provision` makes of a config: the spreadsheets,
their names, and whom each is shared with. Pure: the config in, descriptions out.

The drop-downs hold exactly what the checks accept in their plainest form (the four kinds
of identity, the two roles, the budget sources, the programme's months as `ม.ค. 2568`, the
tab's own province and district), so a value picked from a list is never flagged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from bot import geo, thai
from bot.config import NEW, Config, ProvinceSheet, SourceTab, source_tabs
from bot.form_fields import BUDGETS, CATEGORIES, FIELDS, ROLES

RuleKind = Literal["list", "url", "text", "status"]
STATUS = "status"  # the key of the bot's own column

# Pixel widths (Google); Excel's widths are these / 7 characters.
_WIDTHS = {
    "report_month": 110, "province": 100, "district": 120, "lao": 200, "category": 220,
    "identity": 220, "activity": 300, "role": 140, "budget": 120, "post_url": 260,
    "hashtags": 300, "reporter": 160, "phone": 130, "note": 200, STATUS: 340,
}  # fmt: skip


@dataclass(frozen=True)
class Column:
    """One column of a district tab as provisioned."""

    key: str  # a form field, or STATUS
    header: str
    note: str  # on the header cell: what to type, in polite Thai
    prompt: str  # shown as the cell is typed in (input message), at most 255 characters
    width: int  # pixels
    kind: RuleKind = "text"
    choices: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """A short title for the prompt (Excel allows 32 characters)."""
        return self.header[:32]


def months(config: Config) -> tuple[str, ...]:
    """The programme's months as the drop-down lists them, e.g. ("พ.ย. 2567", ...)."""
    out = []
    year, month = config.programme.start
    while (year, month) <= config.programme.end:
        out.append(thai.month_label(year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def columns(config: Config, source: SourceTab) -> list[Column]:
    """The columns of one district tab: the form's fields in order, then the status column."""
    p, d = source.province.name, source.district.name
    span = months(config)
    hashtags = f"#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัด{p} #อำเภอ{d}"
    optional = " (ไม่บังคับกรอก)"
    texts: dict[str, tuple[str, str]] = {
        "report_month": (
            f"กรุณาเลือกเดือนที่รายงานจากรายการ ({span[0]} ถึง {span[-1]}) หนึ่งแถวต่อหนึ่งรายการ",
            "กรุณาเลือกเดือนที่รายงานจากรายการ",
        ),
        "province": (f"กรุณาเลือก “{p}” (ไม่ต้องพิมพ์คำว่า จังหวัด)", f"กรุณาเลือก {p}"),
        "district": (f"กรุณาเลือก “{d}” (ไม่ต้องพิมพ์คำว่า อำเภอ)", f"กรุณาเลือก {d}"),
        "lao": (
            "กรุณากรอกชื่อองค์กรปกครองส่วนท้องถิ่นพร้อมประเภท เช่น อบต.นาบยางกลัก ทต.บ้านเขว้า ทม.ชัยภูมิ",
            "ชื่อ อปท. พร้อมประเภท เช่น อบต.นาบยางกลัก",
        ),
        "category": ("กรุณาเลือกด้านของอัตลักษณ์ท้องถิ่นจากรายการ 4 ด้าน", "กรุณาเลือกด้านจากรายการ"),
        "identity": ("กรุณากรอกชื่ออัตลักษณ์ท้องถิ่น เช่น ผ้าไหมมัดหมี่บ้านเขว้า", "ชื่ออัตลักษณ์ท้องถิ่น"),
        "activity": (
            "กรุณาอธิบายกิจกรรมการบริหารและพัฒนาการท่องเที่ยวที่ดำเนินการโดยสังเขป",
            "กิจกรรมที่ดำเนินการโดยสังเขป",
        ),
        "role": ("กรุณาเลือกบทบาทของ อปท. จากรายการ" + optional, "กรุณาเลือกจากรายการ"),
        "budget": ("กรุณาเลือกแหล่งงบประมาณจากรายการ" + optional, "กรุณาเลือกจากรายการ"),
        "post_url": (
            "กรุณาวางลิงก์ของโพสต์ที่เผยแพร่ ขึ้นต้นด้วย https:// บน "
            + ", ".join(config.form.platforms[:4]) + " หรือแพลตฟอร์มที่กำหนด",
            "ลิงก์ของโพสต์ ขึ้นต้นด้วย https://",
        ),
        "hashtags": (f"กรุณาใส่แฮชแท็กให้ครบทั้ง 4 รายการ: {hashtags}", hashtags),
        "reporter": ("ชื่อและนามสกุลของผู้รายงาน" + optional, "ชื่อผู้รายงาน" + optional),
        "phone": (
            "หมายเลขโทรศัพท์ที่ติดต่อได้ เช่น 044 811 234 หรือ 081 234 5678" + optional,
            "เช่น 081 234 5678" + optional,
        ),
        "note": ("ข้อมูลเพิ่มเติม" + optional, "ข้อมูลเพิ่มเติม" + optional),
    }  # fmt: skip
    lists: dict[str, tuple[str, ...]] = {
        "report_month": span, "province": (p,), "district": (d,), "category": CATEGORIES,
        "role": ROLES, "budget": BUDGETS,
    }  # fmt: skip
    out = []
    for spec in FIELDS:
        note, prompt = texts[spec.key]
        kind: RuleKind = "list" if spec.key in lists else "text"
        if spec.key == "post_url":
            kind = "url"
        out.append(Column(spec.key, config.form.display_header(spec.key), note, prompt,
                          _WIDTHS[spec.key], kind, lists.get(spec.key, ())))  # fmt: skip
    status_note = (
        "คอลัมน์นี้ระบบเขียนผลการตรวจสอบให้โดยอัตโนมัติ กรุณาอย่าแก้ไข หากแถวใดมีข้อความ “ต้องแก้ไข” "
        "กรุณาแก้ไขข้อมูลในแถวนั้นตามคำแนะนำ"
    )
    out.append(Column(STATUS, config.form.status_header, status_note,
                      "ระบบเขียนคอลัมน์นี้ให้อัตโนมัติ กรุณาอย่าแก้ไข", _WIDTHS[STATUS], "status"))  # fmt: skip
    return out


# -- the spreadsheets and whom they are shared with ----------------------------------------


@dataclass
class Planned:
    """One spreadsheet `provision` looks after."""

    sheet: str  # the config's id: a file name, a key, or `new:...`
    title: str  # the name a new one gets (Google)
    whose: str  # as the admin knows it ("จังหวัดชัยภูมิ", "ระดับประเทศ")
    tabs: list[SourceTab] = field(default_factory=list)  # district tabs it must hold
    national: bool = False
    # e-mail address -> Drive role ("writer" or "reader")
    share: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """What `provision` did (or, on a dry run, would do) to one spreadsheet."""

    whose: str
    location: str  # its address or path ("" while it is still to be made)
    sheet: str  # the config's id of it
    created: bool = False
    actions: list[str] = field(default_factory=list)
    writes: int = 0  # requests that changed something
    problem: str | None = None  # why it could not be provisioned (the others still are)


_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5, "owner": 6}


def role_rank(role: str) -> int:
    """How much a Drive role allows (to never lower a role someone already has)."""
    return _RANK.get(role, 0)


def _grant(share: dict[str, str], addresses: list[str], role: str) -> None:
    for address in addresses:
        key = address.casefold()
        if role_rank(role) > role_rank(share.get(key, "")):
            share[key] = role


def spreadsheets(config: Config) -> list[Planned]:
    """Every spreadsheet of the config, in config order (provinces, their districts' own
    ones, then the national one), with its district tabs and its sharing."""
    prov_cfg = config.provision
    share = prov_cfg.share
    by_sheet: dict[str, Planned] = {}
    for prov in config.provinces:
        name = prov.registry_province.name
        if prov.sheet not in by_sheet:
            title = prov_cfg.title.format(province=name)
            by_sheet[prov.sheet] = Planned(prov.sheet, title, f"จังหวัด{name}")
        _grant(by_sheet[prov.sheet].share, share.provinces.get(name, []), "writer")
    for source in source_tabs(config):
        p, d = source.province.name, source.district.name
        planned = by_sheet.get(source.spreadsheet)
        if planned is None:
            title = prov_cfg.district_title.format(province=p, district=d)
            planned = by_sheet[source.spreadsheet] = Planned(
                source.spreadsheet, title, f"อำเภอ{d} จังหวัด{p}"
            )
            _grant(planned.share, share.provinces.get(p, []), "reader")
        planned.tabs.append(source)
        _grant(planned.share, share.districts.get(p, {}).get(d, []), "writer")
    national = by_sheet.get(config.national.sheet)
    if national is None:
        national = by_sheet[config.national.sheet] = Planned(
            config.national.sheet, prov_cfg.national_title, "ระดับประเทศ"
        )
    national.national = True
    for planned in by_sheet.values():
        _grant(planned.share, share.dla, share.dla_role)
    return list(by_sheet.values())


def snippet(config: Config, keys: dict[str, str]) -> str:
    """The config's `national:` and `provinces:` (Google) with each new spreadsheet's key
    (`keys`: `new:...` -> key), to paste over the config's own. A spreadsheet not made
    (a dry run, or one that failed) stays `key: new`; a province keeps its other settings."""

    def ref(sheet: str) -> str:
        if sheet in keys:
            return f"key: {keys[sheet]}"
        return f"key: {NEW}" if sheet.startswith(f"{NEW}:") else f"key: {sheet}"

    lines = [f"national: {{{ref(config.national.sheet)}}}", "provinces:"]
    for prov in config.provinces:
        lines += [f"  - province: {prov.province}", f"    {ref(prov.sheet)}"]
        lines += [f"    {name}: {value}" for name, value in _other_settings(prov)]
        if prov.districts is None:
            continue
        lines.append("    districts:")
        for entry in prov.districts:
            found = geo.find_district(prov.registry_province.code, entry.district)
            if entry.own_sheet is None or found is None:
                lines.append(f"      - {found.name if found else entry.district}")
            else:
                lines.append(f"      - {{district: {found.name}, {ref(prov.sheet_of(found))}}}")
    return "\n".join(lines)


def _other_settings(prov: ProvinceSheet) -> list[tuple[str, str]]:
    """A province's settings besides where its spreadsheet is (e.g. its own deadline days),
    as YAML values, so pasting the snippet loses none of them."""
    where = {"province", "districts", "file", "key", "url"}
    out = []
    for name, spec in type(prov).model_fields.items():
        value = getattr(prov, name)
        if name not in where and name in prov.model_fields_set and value != spec.default:
            out.append((name, json.dumps(value, ensure_ascii=False, default=str)))
    return out
