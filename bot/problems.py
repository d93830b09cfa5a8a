"""Problem codes, their severity and the Thai messages staff read next to their rows.

Codes are stable: scripts and the issues tab use them. Messages are polite, official Thai
that name the column and say what to do; `{placeholders}` are filled by the checks.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.model import Severity


class Kind(NamedTuple):
    """A problem code's severity, Thai message template and short English gloss."""

    severity: Severity
    template: str
    gloss: str


KINDS: dict[str, Kind] = {
    "MISSING": Kind(
        "error",
        "ยังไม่ได้กรอก “{header}” กรุณากรอกข้อมูลให้ครบถ้วน",
        "a required cell is empty",
    ),
    "UNKNOWN_PROVINCE": Kind(
        "error",
        "ไม่พบจังหวัด “{value}” ในทะเบียนจังหวัด กรุณาตรวจสอบการสะกด{hint}",
        "the province is not in the registry",
    ),
    "UNKNOWN_DISTRICT": Kind(
        "error",
        "ไม่พบอำเภอ “{value}” ในจังหวัด{province} กรุณาตรวจสอบการสะกด{hint}",
        "the district is not a district of that province",
    ),
    "WRONG_TAB": Kind(
        "error",
        "แถวนี้ระบุ{what} “{value}” แต่อยู่ในแท็บของ{what}{expected} "
        "กรุณาแก้ไข “{header}” หรือย้ายแถวไปยังแท็บที่ถูกต้อง",
        "the row belongs to another province or district tab",
    ),
    "BAD_CATEGORY": Kind(
        "error",
        "“{header}” ไม่ตรงกับด้านใดด้านหนึ่ง (“{value}”) กรุณาเลือก 1) อาหารท้องถิ่น "
        "2) สถานที่ท่องเที่ยวทางประวัติศาสตร์ 3) ศิลปวัฒนธรรมท้องถิ่น หรือ "
        "4) สินค้าหรือผลิตภัณฑ์ท้องถิ่น เพียงด้านเดียวต่อแถว",
        "not one of the four kinds of identity",
    ),
    "BAD_MONTH": Kind(
        "error",
        "อ่าน “{header}” ไม่ได้ (“{value}”) กรุณาระบุเดือนและปี พ.ศ. เช่น ธ.ค. 2567",
        "the report month cannot be read",
    ),
    "OUT_OF_PERIOD": Kind(
        "error",
        "เดือนที่รายงาน {month} {why} กรุณาตรวจสอบเดือนและปี พ.ศ.",
        "the report month is outside the programme period or in the future",
    ),
    "BAD_URL": Kind(
        "error",
        "“{header}” ต้องเป็นลิงก์ที่ขึ้นต้นด้วย https:// ของโพสต์สาธารณะบน {platforms} "
        "(ได้รับ “{value}”) กรุณาคัดลอกลิงก์ของโพสต์มาวางใหม่",
        "not a link to a post on an accepted platform",
    ),
    "MISSING_HASHTAG": Kind(
        "error",
        "แฮชแท็กยังไม่ครบ ขาด {missing} กรุณาเพิ่มให้ครบทั้ง 4 แฮชแท็กทั้งในโพสต์และในช่องนี้",
        "one or more of the four required hashtags is missing",
    ),
    "DUPLICATE": Kind(
        "error",
        "แถวนี้ซ้ำกับแถวที่ {twin_row} ในแท็บ “{twin_tab}” กรุณาลบแถวที่ซ้ำออก",
        "the same report is entered twice",
    ),
    "CELL_ERROR": Kind(
        "error",
        "ช่อง “{header}” แสดงข้อผิดพลาดของสูตร ({value}) กรุณาแก้ไขสูตรหรือพิมพ์ข้อมูลแทน",
        "the cell shows a formula error",
    ),
    "BAD_PHONE": Kind(
        "warning",
        "หมายเลขโทรศัพท์ “{value}” ไม่อยู่ในรูปแบบของประเทศไทย "
        "(เช่น 044-811-234 หรือ 081-234-5678) กรุณาตรวจสอบ",
        "the phone number does not look Thai",
    ),
    "TOO_LONG": Kind(
        "warning",
        "“{header}” ยาว {length:,} ตัวอักษร เกินกว่าที่กำหนด ({limit:,} ตัวอักษร) กรุณาสรุปให้กระชับ",
        "the text is longer than the form allows",
    ),
    "UNKNOWN_LAO_TYPE": Kind(
        "warning",
        "“{header}” ไม่ได้ระบุประเภทขององค์กรปกครองส่วนท้องถิ่น (“{value}”) "
        "กรุณาระบุ เช่น อบต.นายางกลัก หรือ ทต.บ้านเขว้า",
        "the local organisation has no type prefix (อบจ., ทน., ทม., ทต., อบต.)",
    ),
    "BAD_CHOICE": Kind(
        "warning",
        "“{header}” ไม่ตรงกับตัวเลือกของแบบรายงาน (“{value}”) กรุณาเลือก {choices}",
        "an optional field holds a value the form does not list",
    ),
    "MISSING_COLUMN": Kind(
        "error",
        "ไม่พบคอลัมน์ “{header}” ในแถวหัวตาราง (แถวที่ {header_row}) "
        "กรุณาเพิ่มคอลัมน์หรือแก้ไขชื่อหัวคอลัมน์ให้ตรงกับแบบรายงาน",
        "a required column is not in the header row",
    ),
    "DUPLICATE_COLUMN": Kind(
        "warning",
        "พบคอลัมน์ “{header}” มากกว่าหนึ่งคอลัมน์ ({columns}) ระบบใช้คอลัมน์แรก กรุณาลบหรือเปลี่ยนชื่อคอลัมน์ที่ซ้ำ",
        "two columns have the same header; the first is used",
    ),
    "NO_HEADER": Kind(
        "error",
        "ไม่พบแถวหัวตารางของแบบรายงานใน {rows} แถวแรกของแท็บนี้ กรุณาตรวจสอบว่าแท็บนี้ใช้แบบรายงานที่กำหนด",
        "no header row of the form was found",
    ),
    "MISSING_TAB": Kind(
        "error",
        "ไม่พบแท็บ “{tab}” กรุณาสร้างแท็บชื่อนี้ตามแบบรายงาน หรือแก้ไขชื่อแท็บให้ตรงกัน",
        "a configured district tab does not exist",
    ),
    "TAB_CONFLICT": Kind(
        "error",
        "มีแท็บชื่อ “{tab}” ที่ผู้ใช้สร้างและมีข้อมูลอยู่แล้ว ระบบจึงไม่เขียนทับ "
        "กรุณาเปลี่ยนชื่อแท็บดังกล่าว หรือกำหนดชื่อแท็บอื่นในไฟล์ตั้งค่า",
        "a tab with the bot's tab name was made by a person; it is left alone",
    ),
}

# Problems in these codes concern a whole tab; the others concern a row.
TAB_LEVEL = frozenset(
    {"MISSING_COLUMN", "DUPLICATE_COLUMN", "NO_HEADER", "MISSING_TAB", "TAB_CONFLICT"}
)


def message(code: str, **values: object) -> str:
    """The Thai message for a problem code, filled with `values`."""
    return KINDS[code].template.format(**values)


def severity(code: str) -> Severity:
    """Whether a problem code is an error or a warning."""
    return KINDS[code].severity
