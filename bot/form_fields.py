"""The report form's fields: their keys, default Thai headers and what each must hold.

Kept apart from the checks so the config can name fields without importing them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldSpec:
    """One column of the report form."""

    key: str
    header: str
    required: bool
    max_length: int


# The default form (DESIGN.md section 3), in the order the roll-up tabs show it.
FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("report_month", "เดือนที่รายงาน", True, 40),
    FieldSpec("province", "จังหวัด", True, 60),
    FieldSpec("district", "อำเภอ", True, 60),
    FieldSpec("lao", "องค์กรปกครองส่วนท้องถิ่น", True, 200),
    FieldSpec("category", "ด้านอัตลักษณ์", True, 100),
    FieldSpec("identity", "ชื่ออัตลักษณ์ท้องถิ่น", True, 300),
    FieldSpec("activity", "กิจกรรมการบริหารและพัฒนาการท่องเที่ยว", True, 2000),
    FieldSpec("role", "บทบาท อปท.", False, 60),
    FieldSpec("budget", "แหล่งงบประมาณ", False, 100),
    FieldSpec("post_url", "ลิงก์เผยแพร่", True, 500),
    FieldSpec("hashtags", "แฮชแท็ก", True, 500),
    FieldSpec("reporter", "ผู้รายงาน", False, 200),
    FieldSpec("phone", "โทรศัพท์", False, 60),
    FieldSpec("note", "หมายเหตุ", False, 2000),
)

FIELD_KEYS: tuple[str, ...] = tuple(f.key for f in FIELDS)
SPEC_BY_KEY: dict[str, FieldSpec] = {f.key: f for f in FIELDS}

# "ระบบ", as every message staff read calls the bot; sheets made before kept the old name,
# which is still recognised as the status column (and renamed to this one when written).
STATUS_HEADER = "ผลการตรวจสอบ (ระบบ)"
LEGACY_STATUS_HEADERS: tuple[str, ...] = ("ผลตรวจสอบ (บอท)",)

# The four kinds of local identity (the Ministry's letter), numbered as the letter does.
CATEGORIES: tuple[str, ...] = (
    "อาหารท้องถิ่น",
    "สถานที่ท่องเที่ยวทางประวัติศาสตร์",
    "ศิลปวัฒนธรรมท้องถิ่น",
    "สินค้าหรือผลิตภัณฑ์ท้องถิ่น",
)
ROLES: tuple[str, ...] = ("หน่วยงานหลัก", "หน่วยงานสนับสนุน")
BUDGETS: tuple[str, ...] = ("จังหวัด", "อปท.", "ภาคเอกชน", "อื่น ๆ")

DEFAULT_PLATFORMS: tuple[str, ...] = (
    "facebook.com",
    "fb.com",
    "fb.watch",
    "tiktok.com",
    "youtube.com",
    "youtu.be",
    "instagram.com",
    "x.com",
    "twitter.com",
)
