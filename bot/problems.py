"""Problem codes, their severity and the Thai messages staff read next to their rows.

Codes are stable: scripts and the issues tab use them. Messages are polite, official Thai
that name the column and say what to do; `{placeholders}` are filled by the checks.

House style, so new messages read like the others: a row-level message names its column as
ช่อง “{header}” (a tab-level one as คอลัมน์ “{header}”), quotes what was typed as
ระบุว่า “{value}” ซึ่ง..., then asks with กรุณา...; “ ” quotes, a space between clauses, no
full stop at the end, B.E. years, and the programme's own terms (อำเภอ, จังหวัด,
องค์กรปกครองส่วนท้องถิ่น, ด้านอัตลักษณ์, ลิงก์เผยแพร่, แฮชแท็ก, แบบรายงาน). The bot is ระบบ,
never บอท, in anything staff read. A message never ends in a bracket of its own making and
never asks a question ("หมายถึง ... หรือไม่"): a near registry name is offered as
ชื่อที่ใกล้เคียงในทะเบียน คือ “...”.

Letters (the reminder templates in bot/templates/, modelled on the programme's own letters
ขย 0023.6/ว 3053 and มท 0810.6/ว 12509):

- They open with the addressee by office title: เรียน ท้องถิ่นอำเภอ{district} (from the
  provincial office, สถ.จ., to a district office, สถ.อ.), เรียน ท้องถิ่นจังหวัด{province}
  (DLA to สถ.จ.), เรียน ผู้รับผิดชอบโครงการ... (the admins' digest).
- The first paragraph recalls the instruction as ตามที่...นั้น; the next says where it
  stands with บัดนี้...; a note of explanation starts with ทั้งนี้.
- Dates in bodies are written in full: the due date with its weekday
  (ภายในวันศุกร์ที่ 24 มกราคม 2568), months by their full names (ประจำเดือนมกราคม 2568);
  a due date that is a day off names the holiday as letters do (วันหยุดชดเชยวันวิสาขบูชา,
  several joined with และ, see `deadlines.holiday_label`) and gives the working day before.
- Late is ล่วงเลยกำหนด. A province asks its own districts plainly (ขอให้...), DLA asks a
  province with ขอความร่วมมือ...; nobody writes ขอความกรุณา to an office below it.
- One closing line: จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการ when something is asked,
  จึงเรียนมาเพื่อโปรดทราบ for the admins' digest, which reports and asks nothing.
- Attachments are listed under สิ่งที่ส่งมาด้วย, numbered.
"""

from __future__ import annotations

from typing import NamedTuple

from bot.model import Severity


class ProblemKind(NamedTuple):
    """A problem code's severity, Thai message template, short English gloss and short
    Thai label (the issues tab's "ประเภทปัญหา")."""

    severity: Severity
    template: str
    gloss: str
    label: str


KINDS: dict[str, ProblemKind] = {
    "MISSING": ProblemKind(
        "error",
        "ยังไม่ได้กรอก “{header}” ซึ่งเป็นข้อมูลที่จำเป็นต้องรายงาน กรุณากรอกให้ครบถ้วน",
        "a required cell is empty",
        "ยังไม่ได้กรอกข้อมูลที่จำเป็น",
    ),
    "UNKNOWN_PROVINCE": ProblemKind(
        "error",
        "ไม่พบจังหวัด “{value}” ในทะเบียนรายชื่อจังหวัด กรุณาตรวจสอบการสะกดชื่อจังหวัด{hint}",
        "the province is not in the registry",
        "ไม่พบชื่อจังหวัด",
    ),
    "UNKNOWN_DISTRICT": ProblemKind(
        "error",
        "ไม่พบอำเภอ “{value}” ในจังหวัด{province} กรุณาตรวจสอบการสะกดชื่ออำเภอ{hint}",
        "the district is not a district of that province",
        "ไม่พบชื่ออำเภอ",
    ),
    "WRONG_TAB": ProblemKind(
        "error",
        "แถวนี้ระบุ{what} “{value}” แต่กรอกไว้ในแท็บของ{what}{expected} "
        "กรุณาแก้ไขช่อง “{header}” ให้ถูกต้อง หรือย้ายแถวนี้ไปกรอกในแบบรายงานของ{what}{value}",
        "the row belongs to another province or district tab",
        "กรอกไว้ผิดแท็บ",
    ),
    "BAD_CATEGORY": ProblemKind(
        "error",
        "ช่อง “{header}” ระบุว่า “{value}” ซึ่งไม่ตรงกับด้านใดด้านหนึ่ง กรุณาเลือก "
        "(1) อาหารท้องถิ่น (2) สถานที่ท่องเที่ยวทางประวัติศาสตร์ (3) ศิลปวัฒนธรรมท้องถิ่น "
        "หรือ (4) สินค้าหรือผลิตภัณฑ์ท้องถิ่น เพียงด้านเดียวต่อแถว "
        "(หากมีหลายด้าน กรุณาแยกรายงานแถวละหนึ่งด้าน)",
        "not one of the four kinds of identity",
        "ด้านอัตลักษณ์ไม่ถูกต้อง",
    ),
    "BAD_MONTH": ProblemKind(
        "error",
        "ช่อง “{header}” ระบุว่า “{value}” ซึ่งระบบไม่สามารถอ่านเป็นเดือนและปีได้ "
        "กรุณาระบุเดือนและปี พ.ศ. เช่น ธ.ค. 2567 หรือ 12/2567",
        "the report month cannot be read",
        "อ่านเดือนที่รายงานไม่ได้",
    ),
    "OUT_OF_PERIOD": ProblemKind(
        "error",
        "เดือนที่รายงาน {month} {why} กรุณาตรวจสอบเดือนและปี พ.ศ. ให้ถูกต้อง",
        "the report month is outside the programme period or in the future",
        "เดือนที่รายงานอยู่นอกระยะเวลา",
    ),
    "BAD_URL": ProblemKind(
        "error",
        "ช่อง “{header}” ระบุว่า “{value}” ซึ่งไม่ใช่ลิงก์ของโพสต์บน {platforms} "
        "กรุณาคัดลอกลิงก์ของโพสต์ที่เผยแพร่เป็นสาธารณะ (ขึ้นต้นด้วย https://) มาวางแทน",
        "not a link to a post on an accepted platform",
        "ลิงก์เผยแพร่ไม่ถูกต้อง",
    ),
    # Keep "ขาด {missing} กรุณา": tests read the missing hashtags between those two words.
    "MISSING_HASHTAG": ProblemKind(
        "error",
        "แฮชแท็กยังไม่ครบ ขาด {missing} กรุณาเพิ่มให้ครบทั้ง 4 แฮชแท็ก "
        "โดยใส่ไว้ในโพสต์และในช่องแฮชแท็กของแบบรายงาน",
        "one or more of the four required hashtags is missing",
        "แฮชแท็กไม่ครบ",
    ),
    "DUPLICATE": ProblemKind(
        "error",
        "แถวนี้ซ้ำกับแถวที่ {twin_row} ในแท็บ “{twin_tab}” (เดือนที่รายงาน "
        "องค์กรปกครองส่วนท้องถิ่น ชื่ออัตลักษณ์ท้องถิ่น และลิงก์เผยแพร่ตรงกัน) "
        "หากเป็นรายงานเดียวกัน กรุณาลบแถวนี้ออก หรือรวมข้อมูลไว้ในแถวเดียว",
        "the same report is entered twice",
        "รายงานซ้ำ",
    ),
    "CELL_ERROR": ProblemKind(
        "error",
        "ช่อง “{header}” แสดงค่าผิดพลาดจากสูตร ({value}) กรุณาแก้ไขสูตร หรือพิมพ์ข้อมูลลงในช่องโดยตรง",
        "the cell shows a formula error",
        "สูตรแสดงค่าผิดพลาด",
    ),
    "BAD_PHONE": ProblemKind(
        "warning",
        "หมายเลขโทรศัพท์ “{value}” ไม่ตรงกับรูปแบบหมายเลขโทรศัพท์ในประเทศไทย "
        "กรุณาตรวจสอบจำนวนหลักและระบุให้อยู่ในรูปแบบ เช่น 044-811-234 หรือ 081-234-5678 "
        "หากมีหลายหมายเลข ให้คั่นด้วยเครื่องหมายจุลภาค",
        "the phone number does not look Thai",
        "หมายเลขโทรศัพท์ไม่ถูกรูปแบบ",
    ),
    "TOO_LONG": ProblemKind(
        "warning",
        "ช่อง “{header}” มีความยาว {length:,} ตัวอักษร เกินกว่าที่กำหนด "
        "(ไม่เกิน {limit:,} ตัวอักษร) กรุณาสรุปให้กระชับ",
        "the text is longer than the form allows",
        "ข้อความยาวเกินกำหนด",
    ),
    "UNKNOWN_LAO_TYPE": ProblemKind(
        "warning",
        "ช่อง “{header}” ระบุว่า “{value}” ซึ่งไม่มีประเภทขององค์กรปกครองส่วนท้องถิ่นนำหน้า "
        "กรุณาเพิ่มประเภทนำหน้าชื่อ เช่น อบจ.ชัยภูมิ ทต.บ้านเขว้า หรือ อบต.นายางกลัก",
        "the local organisation has no type prefix (อบจ., ทน., ทม., ทต., อบต.)",
        "ไม่ระบุประเภทของ อปท.",
    ),
    "BAD_CHOICE": ProblemKind(
        "warning",
        "ช่อง “{header}” ระบุว่า “{value}” ซึ่งไม่ตรงกับตัวเลือกของแบบรายงาน "
        "กรุณาเลือกอย่างใดอย่างหนึ่ง ได้แก่ {choices}",
        "an optional field holds a value the form does not list",
        "ไม่ตรงกับตัวเลือกของแบบรายงาน",
    ),
    "MISSING_COLUMN": ProblemKind(
        "error",
        "ไม่พบคอลัมน์ “{header}” ในแถวหัวตาราง (แถวที่ {header_row}) กรุณาเพิ่มคอลัมน์ดังกล่าว "
        "หรือแก้ไขชื่อหัวคอลัมน์ให้ตรงกับแบบรายงาน ทั้งนี้ ระหว่างที่ยังไม่ได้แก้ไข "
        "ระบบจะยังไม่นับแถวใดในแท็บนี้ว่าครบถ้วน",
        "a required column is not in the header row",
        "ไม่พบคอลัมน์ที่จำเป็น",
    ),
    "DUPLICATE_COLUMN": ProblemKind(
        "warning",
        "พบคอลัมน์ “{header}” มากกว่าหนึ่งคอลัมน์ (คอลัมน์ {columns}) "
        "ระบบใช้ข้อมูลจากคอลัมน์แรกเท่านั้น กรุณาลบคอลัมน์ที่ซ้ำ "
        "หรือเปลี่ยนชื่อหัวคอลัมน์ให้ไม่ซ้ำกัน",
        "two columns have the same header; the first is used",
        "หัวคอลัมน์ซ้ำกัน",
    ),
    "NO_HEADER": ProblemKind(
        "error",
        "ไม่พบแถวหัวตารางของแบบรายงานภายใน {rows} แถวแรกของแท็บนี้ "
        "กรุณาตรวจสอบว่าแท็บนี้ใช้แบบรายงานตามที่กำหนด และแถวหัวตารางอยู่ภายใน {rows} แถวแรก",
        "no header row of the form was found",
        "ไม่พบแถวหัวตาราง",
    ),
    "MISSING_TAB": ProblemKind(
        "error",
        "ไม่พบแท็บ “{tab}” กรุณาสร้างแท็บชื่อนี้ตามแบบรายงานที่กำหนด หรือเปลี่ยนชื่อแท็บที่มีอยู่ให้ตรงกับชื่อนี้",
        "a configured district tab does not exist",
        "ไม่พบแท็บของอำเภอ",
    ),
    "STATUS_COLUMN_TAKEN": ProblemKind(
        "warning",
        "คอลัมน์ {column} มีหัวคอลัมน์ “{header}” ซึ่งตรงกับคอลัมน์ผลการตรวจสอบของระบบ "
        "แต่ไม่ได้สร้างโดยระบบ ระบบจึงไม่บันทึกข้อมูลใดลงในคอลัมน์ดังกล่าว "
        "และใช้คอลัมน์ผลการตรวจสอบของระบบเองแทน กรุณาเปลี่ยนชื่อหัวคอลัมน์ {column} เพื่อไม่ให้สับสน",
        "a person's column has the status column's header; the bot never writes in it",
        "หัวคอลัมน์ซ้ำกับคอลัมน์ผลตรวจสอบ",
    ),
    "NO_ROOM_FOR_STATUS": ProblemKind(
        "warning",
        "แท็บ “{tab}” มีข้อมูลถึงคอลัมน์สุดท้ายของแผ่นงานแล้ว ระบบจึงไม่มีที่บันทึกผลการตรวจสอบ "
        "กรุณาลบข้อมูลที่อยู่ในคอลัมน์ท้าย ๆ ของแผ่นงานที่ไม่ได้ใช้ออก",
        "no column is left right of the data for the status column",
        "ไม่มีคอลัมน์ว่างสำหรับผลตรวจสอบ",
    ),
    "TAB_CONFLICT": ProblemKind(
        "error",
        "มีแท็บชื่อ “{tab}” ซึ่งผู้ใช้สร้างไว้และมีข้อมูลอยู่แล้ว ระบบจึงไม่เขียนทับแท็บดังกล่าว "
        "กรุณาเปลี่ยนชื่อแท็บนั้น หรือกำหนดชื่อแท็บอื่นในไฟล์ตั้งค่า (ส่วน tabs)",
        "a tab with the bot's tab name was made by a person; it is left alone",
        "ชื่อแท็บซ้ำกับแท็บของผู้ใช้",
    ),
    "STALE_SPREADSHEET": ProblemKind(
        "error",
        "ระบบไม่สามารถอ่านหรือบันทึกสเปรดชีต{who}ได้ในรอบนี้ เนื่องจาก {reason} "
        "{since} ขอให้ผู้ดูแลระบบตรวจสอบและแก้ไขตามสาเหตุข้างต้น",
        "a spreadsheet could not be read or written this cycle; its last good rows are kept",
        "อ่านหรือบันทึกสเปรดชีตไม่ได้",
    ),
}


def message(code: str, **values: object) -> str:
    """The Thai message for a problem code, filled with `values`."""
    return KINDS[code].template.format(**values)


def label(code: str) -> str:
    """The short Thai name of a problem code, for the issues tab."""
    return KINDS[code].label


def severity(code: str) -> Severity:
    """Whether a problem code is an error or a warning."""
    return KINDS[code].severity
