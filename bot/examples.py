"""Make the example workbooks the README's demo runs on: ``python -m bot.examples FOLDER``.

Writes two files into FOLDER (and nothing else there):

* ``chaiyaphum.xlsx``: one tab per district of Chaiyaphum (all 16, in registry order),
  filled the way district staff really fill them in. Most rows are complete and correct;
  about one row in five is wrong in a way real staff get it wrong, and some tabs have the
  layout changes real tabs have (a title row, reordered columns, an extra column, headers
  with stray spaces and zero-width characters). Every deliberately wrong row below has a
  ``# WRONG:`` comment saying what the bot should report; rows marked ``# OK:`` look odd
  but are correct, and the bot must accept them.
* ``national.xlsx``: a short explanation tab; the bot adds its own tabs there.

The organisations, identities, people, phone numbers and links are made up for the demo
(plausible, not an official list). The output is fully deterministic.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot import geo
from bot.config import Tabs
from bot.form_fields import CATEGORIES, FIELD_KEYS, ROLES, SPEC_BY_KEY
from bot.model import Cell

PROVINCE = "ชัยภูมิ"
PROVINCE_FILE = "chaiyaphum.xlsx"
NATIONAL_FILE = "national.xlsx"
NOTES_TAB = "คำอธิบาย"

FOOD, HISTORY, CULTURE, PRODUCT = CATEGORIES
MAIN, SUPPORT = ROLES
DEC = "ธ.ค. 2567"
JAN = "ม.ค. 2568"
ZW = "\u200b"  # zero-width space, as pasted from LINE or a web page


def fb(page: str, post: str) -> str:
    """A Facebook post link."""
    return f"https://www.facebook.com/{page}/posts/{post}"


def tiktok(user: str, video: str) -> str:
    """A TikTok video link."""
    return f"https://www.tiktok.com/@{user}/video/{video}"


def youtu(video: str) -> str:
    """A short YouTube link."""
    return f"https://youtu.be/{video}"


def tags(district: str, province: str = PROVINCE) -> str:
    """The four hashtags a post of `district` must carry, as staff type them."""
    return f"#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัด{province} #อำเภอ{district}"


@dataclass(frozen=True)
class Entry:
    """One report row as staff typed it. The defaults are the usual, correct values."""

    lao: str
    category: Cell
    identity: str
    activity: str
    post_url: str
    reporter: str
    phone: str
    month: Cell = DEC
    role: str = MAIN
    budget: str = "อปท."
    note: str = ""
    province: str = PROVINCE
    district: str | None = None  # None: the tab's own district
    hashtags: str | None = None  # None: tags(the tab's district)

    def values(self, district: str) -> dict[str, Cell]:
        """The row's cell values by form field key, for the tab of `district`."""
        return {
            "report_month": self.month,
            "province": self.province,
            "district": district if self.district is None else self.district,
            "lao": self.lao,
            "category": self.category,
            "identity": self.identity,
            "activity": self.activity,
            "role": self.role,
            "budget": self.budget,
            "post_url": self.post_url,
            "hashtags": tags(district) if self.hashtags is None else self.hashtags,
            "reporter": self.reporter,
            "phone": self.phone,
            "note": self.note,
        }


@dataclass(frozen=True)
class Layout:
    """How a tab's table is laid out; the default is the form exactly as issued."""

    title: str | None = None  # a title row above the header row
    order: tuple[str, ...] = FIELD_KEYS  # the form's columns, left to right
    numbered: bool = False  # an extra "ลำดับ" (row number) column on the left
    headers: Mapping[str, str] = field(default_factory=dict)  # header text as typed

    def header_texts(self) -> list[str]:
        """The header row, left to right."""
        texts = [self.headers.get(key, SPEC_BY_KEY[key].header) for key in self.order]
        return ["ลำดับ", *texts] if self.numbered else texts


# --- the rows of each district tab --------------------------------------------------------
# Keyed by the district's registry name; every district of the province must be listed.

# Typed once, then pasted again by mistake (see อำเภอเมืองชัยภูมิ).
_MAM_CHAIYAPHUM = Entry(
    lao="ทม.ชัยภูมิ",
    category=FOOD,
    identity="หม่ำชัยภูมิ",
    activity="จัดตลาดนัดอาหารพื้นถิ่น “กินหม่ำ ชมเมืองชัยภูมิ” บริเวณลานอนุสาวรีย์พระยาภักดีชุมพล (แล)",
    post_url=tiktok("chaiyaphumcity", "7456213087451239682"),
    reporter="นางสาวสุภาพร ใจดี",
    phone="044-811-567",
    month=JAN,
)

ROWS: dict[str, tuple[Entry, ...]] = {
    "เมืองชัยภูมิ": (
        Entry(
            lao="อบจ.ชัยภูมิ",
            category=CULTURE,
            identity="ประเพณีบุญเดือนหก สักการะเจ้าพ่อพญาแล",
            activity="จัดกิจกรรมส่งเสริมการท่องเที่ยวเชิงวัฒนธรรม งานประเพณีบุญเดือนหก "
            "ร่วมกับสำนักงานวัฒนธรรมจังหวัดชัยภูมิ",
            post_url=fb("pao.chaiyaphum", "122134567801234567"),
            reporter="นายสมศักดิ์ แก้วประเสริฐ",
            phone="044-811-234",
            budget="จังหวัด",
        ),
        Entry(
            lao="ทม.ชัยภูมิ",
            category=HISTORY,
            identity="ปรางค์กู่",
            activity="ปรับปรุงภูมิทัศน์แหล่งท่องเที่ยวปรางค์กู่ ติดตั้งไฟส่องสว่างและป้ายสื่อความหมาย 2 ภาษา",
            post_url=fb("chaiyaphumcity", "122109876543210987"),
            reporter="นางสาวสุภาพร ใจดี",
            phone="044-811-567",
        ),
        _MAM_CHAIYAPHUM,
        Entry(
            lao="อบต.ห้วยต้อน",
            category=HISTORY,
            identity="พระพุทธรูปภูพระ วัดศิลาอาสน์ภูพระ",
            activity="ทำความสะอาดและพัฒนาพื้นที่โดยรอบแหล่งโบราณคดีภูพระ ร่วมกับจิตอาสาและวัดศิลาอาสน์ภูพระ",
            post_url=fb("huaytonsao", "1029384756102938"),
            reporter="นายธนพล บุญมา",
            phone="081-234-5678",
        ),
        Entry(
            lao="อบต.ท่าหินโงม",
            category=HISTORY,
            identity="มอหินขาว",
            activity="ปรับปรุงเส้นทางเดินศึกษาธรรมชาติและจุดชมวิวมอหินขาว พร้อมป้ายบอกทาง",
            post_url=youtu("mHk7aQ2xZ1c"),
            reporter="นางวราภรณ์ ศรีสุข",
            phone="044-056-112",
            role=SUPPORT,
            month=JAN,
        ),
        Entry(
            lao="อบต.นาฝาย",
            category=PRODUCT,
            identity="ผ้าขิดบ้านนาฝาย",
            activity="สนับสนุนกลุ่มทอผ้าขิดในการพัฒนาลวดลายและบรรจุภัณฑ์ และออกร้านในงานกาชาดจังหวัดชัยภูมิ",
            post_url=fb("nafai.sao", "2048613579246801"),
            reporter="นางสาวกนกวรรณ พรมมา",
            phone="089-517-2043",
            month=datetime(2024, 12, 1),  # OK: a real date cell
        ),
        _MAM_CHAIYAPHUM,  # WRONG: the row above (หม่ำชัยภูมิ, ม.ค. 2568) entered twice
    ),
    "บ้านเขว้า": (
        Entry(
            lao="ทต.บ้านเขว้า",
            category=PRODUCT,
            identity="ผ้าไหมมัดหมี่บ้านเขว้า",
            activity="จัดกิจกรรมส่งเสริมการท่องเที่ยวเชิงวัฒนธรรม “เยือนถิ่นผ้าไหมบ้านเขว้า” สาธิตการมัดหมี่และทอผ้า",
            post_url=fb("bankhwao.municipality", "122118765432109876"),
            reporter="นางสมปอง ทองดี",
            phone="044-891-045",
        ),
        Entry(
            lao="ทต.บ้านเขว้า",
            category=CULTURE,
            identity="ประเพณีบุญคูณลาน",
            activity="จัดงานประเพณีบุญคูณลาน สืบสานวัฒนธรรมข้าวของชุมชน",
            post_url=tiktok("bankhwao.official", "7459876543210987654"),
            reporter="นางสมปอง ทองดี",
            phone="044-891-045",
            month=JAN,
        ),
        Entry(
            lao="อบต.ลุ่มลำชี",
            category=FOOD,
            identity="ปลาส้มลุ่มน้ำชี",
            activity="จัดอบรมผู้ประกอบการอาหารท้องถิ่นด้านสุขาภิบาลอาหารและบรรจุภัณฑ์",
            post_url=fb("lumlamchi.sao", "1357913579135791"),
            reporter="นายอนุชา ปัญญาดี",
            phone="093-418-2276",
            month="ธันวาคม ๒๕๖๗",  # OK: the month in words with Thai digits
        ),
        Entry(
            lao="อบต.ภูแลนคา",
            category=HISTORY,
            identity="ถ้ำพระภูแลนคา",
            activity="ปรับปรุงภูมิทัศน์แหล่งท่องเที่ยวถ้ำพระภูแลนคา และจัดทำบันไดทางขึ้น",
            post_url=fb("phulaenkha.sao", "2468024680246802"),
            reporter="นางสาวจิราพร ภูมิโคกรักษ์",
            phone="086-250-7731",
            month=JAN,
        ),
        Entry(
            lao="อบต.ตลาดแร้ง",
            category=PRODUCT,
            identity="",  # WRONG: identity left empty
            activity="สนับสนุนกลุ่มทอผ้าไหมในการออกร้านจำหน่ายสินค้าในงานของดีอำเภอบ้านเขว้า",
            post_url=fb("taladraeng.sao", "1122334455667788"),
            reporter="นายวีระพงษ์ สุขประเสริฐ",
            phone="044-891-220",
            month=JAN,
        ),
    ),
    "คอนสวรรค์": (
        Entry(
            lao="ทต.คอนสวรรค์",
            category=CULTURE,
            identity="ประเพณีลอยกระทงหนองหลวง",
            activity="จัดงานประเพณีลอยกระทง ณ หนองหลวง ส่งเสริมการท่องเที่ยวยามค่ำคืน",
            post_url=fb("khonsawan.municipality", "122101234567890123"),
            reporter="นางนภาพร แสงสว่าง",
            phone="044-851-099",
            month="พ.ย. 67",  # OK: short month and two-digit B.E. year
        ),
        Entry(
            lao="อบต.ยางหวาย",
            category=PRODUCT,
            identity="ผ้าไหมมัดหมี่บ้านยางหวาย",
            activity="จัดทำเส้นทางท่องเที่ยวชุมชนเชื่อมโยงกลุ่มทอผ้าไหมบ้านยางหวาย",
            post_url=fb("yangwai.sao", "3141592653589793"),
            reporter="นายณัฐวุฒิ โคตรชัยภูมิ",
            phone="062-845-1190",
        ),
        Entry(
            lao="อบต.ช่องสามหมอ",
            category=FOOD,
            identity="ขนมจีนน้ำยาป่าบ้านช่องสามหมอ",
            activity="จัดตลาดนัดชุมชนวิถีถิ่น จำหน่ายอาหารพื้นบ้านและผลิตภัณฑ์ชุมชน",
            post_url=tiktok("chongsammor", "7452468013579246801"),
            reporter="นางสาวศิริพร นาคสุข",
            phone="098-120-4567",
            month=JAN,
        ),
        Entry(
            lao="#REF!",  # WRONG: a formula error (#REF!) instead of the organisation
            category=PRODUCT,
            identity="เสื่อกกบ้านห้วยไร่",
            activity="สนับสนุนกลุ่มจักสานเสื่อกกในการพัฒนาลวดลายและช่องทางจำหน่ายออนไลน์",
            post_url=fb("huairai.sao", "2718281828459045"),
            reporter="นายประเสริฐ ชัยศรี",
            phone="044-851-330",
        ),
    ),
    "เกษตรสมบูรณ์": (
        Entry(
            lao="ทต.เกษตรสมบูรณ์",
            category="อาหาร",  # OK: a short form of อาหารท้องถิ่น
            identity="ข้าวหลามบ้านเกษตร",
            activity="จัดกิจกรรมสาธิตการเผาข้าวหลามและจำหน่ายในงานเทศกาลของดีอำเภอ",
            post_url=fb("kasetsombun.municipality", "122145678901234567"),
            reporter="นางสาวพัชรินทร์ คำภูเขียว",
            phone="044-869-100",
        ),
        Entry(
            lao="อบต.บ้านยาง",
            category=PRODUCT,
            identity="ผ้าไหมทอมือบ้านยาง",
            activity="จัดอบรมการย้อมสีธรรมชาติและการออกแบบลวดลายผ้าไหมให้กลุ่มทอผ้า",
            post_url=fb("banyang.sao", "1618033988749894"),
            reporter="นายสุริยา ศรีชัยภูมิ",
            phone="087-963-2514",
            month="12/2567",  # OK: month/B.E. year
        ),
        Entry(
            lao="อบต.กุดเลาะ",
            category=HISTORY,
            identity="ใบเสมาหินทรายบ้านกุดเลาะ",
            activity="ทำความสะอาดและจัดทำป้ายสื่อความหมายแหล่งโบราณคดีใบเสมาหินทราย",
            post_url=youtu("Kd7LeR0sTq4"),
            reporter="นางอรุณี สายทอง",
            phone="044-869-245",
            role=SUPPORT,
            budget="จังหวัด",
            month=JAN,
        ),
        Entry(
            lao="อบต.สระโพนทอง",
            category=CULTURE,
            identity="ประเพณีบุญข้าวจี่",
            activity="จัดงานประเพณีบุญข้าวจี่ สืบสานวัฒนธรรมอีสานร่วมกับวัดและโรงเรียนในพื้นที่",
            # WRONG: a search page, not a link to the post
            post_url="www.google.com/search?q=บุญข้าวจี่+สระโพนทอง",
            reporter="นายบุญเลิศ พิมพ์ทอง",
            phone="081-760-3342",
            month=JAN,
        ),
        Entry(
            lao="อบต.หนองข่า",
            category=FOOD,
            identity="ปลาส้มบ้านหนองข่า",
            activity="ส่งเสริมกลุ่มแม่บ้านผลิตปลาส้มให้ได้มาตรฐาน อย. และจัดทำฉลากสินค้า",
            post_url=fb("nongkha.sao", "1414213562373095"),
            reporter="นางสาวมณีรัตน์ ทองมา",
            phone="095-402-8817",
        ),
    ),
    "หนองบัวแดง": (
        Entry(
            lao="ทต.หนองบัวแดง",
            category=CULTURE,
            identity="ประเพณีบุญกุ้มข้าวใหญ่",
            activity="จัดงานประเพณีบุญกุ้มข้าวใหญ่ และการแสดงศิลปวัฒนธรรมพื้นบ้าน",
            post_url=fb("nongbuadaeng.municipality", "122156789012345678"),
            reporter="นายเกียรติศักดิ์ วงศ์ใหญ่",
            phone="044-872-111",
            month=JAN,
        ),
        Entry(
            lao="อบต.ถ้ำวัวแดง",
            category=HISTORY,
            identity="ถ้ำวัวแดง",
            activity="ปรับปรุงภูมิทัศน์แหล่งท่องเที่ยวถ้ำวัวแดง ติดตั้งราวจับและป้ายความปลอดภัย",
            post_url=fb("thamwuadaeng.sao", "1732050807568877"),
            reporter="นางสาวสุดารัตน์ บุญเรือง",
            phone="084-331-9026",
        ),
        Entry(
            lao="อบต.นางแดด",
            category=PRODUCT,
            identity="ผ้าฝ้ายย้อมครามบ้านนางแดด",
            activity="จัดกิจกรรมเวิร์กช็อปย้อมครามสำหรับนักท่องเที่ยว ร่วมกับกลุ่มทอผ้าบ้านนางแดด",
            post_url=tiktok("nangdaet.sao", "7451357924680135792"),
            reporter="นางสาววิภาวดี แก้วมณี",
            phone="092-556-1408",
            # WRONG: #จังหวัดชัยภูมิ is missing
            hashtags="#เที่ยวท้องถิ่น #ของดีบ้านเรา #อำเภอหนองบัวแดง",
        ),
        Entry(
            lao="อบต.วังชมภู",
            category=FOOD,
            identity="น้ำพริกปลาร้าวังชมภู",
            activity="ส่งเสริมการแปรรูปน้ำพริกปลาร้าและประชาสัมพันธ์ผ่านสื่อออนไลน์",
            post_url=fb("wangchomphu.sao", "2236067977499789"),
            reporter="นายสมชาย ดวงดี",
            phone="044-872-340",
            month="12/2567",  # OK: month/B.E. year
        ),
    ),
    "จัตุรัส": (
        Entry(
            lao="ทต.จัตุรัส",
            category=FOOD,
            identity="ขนมจีนเส้นสดจัตุรัส",
            activity="จัดกิจกรรม “ถนนสายขนมจีน” ส่งเสริมอาหารท้องถิ่นและการท่องเที่ยวชุมชน",
            post_url=fb("chatturat.municipality", "122167890123456789"),
            reporter="นางพรทิพย์ ศรีวงศ์",
            phone="044-851-560",
        ),
        Entry(
            lao="อบต.ละหาน",
            category=2,  # OK: the category's number, typed as a number
            identity="บึงละหาน",
            activity="ปรับปรุงภูมิทัศน์แหล่งท่องเที่ยวบึงละหาน สร้างศาลาชมวิวและจุดดูนก",
            post_url=fb("lahan.sao", "2645751311064590"),
            reporter="นายชัยวัฒน์ ทองประเสริฐ",
            phone="089-204-6631",
        ),
        Entry(
            lao="อบต.ละหาน",
            category=FOOD,
            identity="ปลาส้มบึงละหาน",
            activity="จัดอบรมการแปรรูปปลาน้ำจืดจากบึงละหาน และออกร้านในงานของดีอำเภอ",
            post_url=youtu("Lh4nPl4S0m8"),
            reporter="นายชัยวัฒน์ ทองประเสริฐ",
            phone="089-204-6631",
            month=JAN,
        ),
        Entry(
            lao="ทต.บ้านกอก",
            category=CULTURE,
            identity="ประเพณีแข่งเรือยาวบึงละหาน",
            activity="จัดงานประเพณีแข่งเรือยาวประจำปี ส่งเสริมการท่องเที่ยวเชิงวัฒนธรรม",
            post_url=fb("bankok.municipality", "122178901234567890"),
            reporter="นางสาวอัญชลี มีสุข",
            phone="044-851-770",
            budget="ภาคเอกชน",
            month="ต.ค. 2567",  # WRONG: October 2567 is before the programme (Nov 2567)
        ),
        Entry(
            lao="อบต.กุดน้ำใส",
            category=PRODUCT,
            identity="เครื่องจักสานไม้ไผ่บ้านกุดน้ำใส",
            activity="สนับสนุนกลุ่มจักสานไม้ไผ่พัฒนาผลิตภัณฑ์ของที่ระลึกสำหรับนักท่องเที่ยว",
            post_url=tiktok("kudnamsai", "7458642097531864209"),
            reporter="นายไพโรจน์ คงสวัสดิ์",
            phone="061-733-0982",
            month=JAN,
        ),
    ),
    "บำเหน็จณรงค์": (
        Entry(
            lao="ทต.บ้านชวน",
            category=PRODUCT,
            identity="ผ้าขาวม้าทอมือบ้านชวน",
            activity="จัดกิจกรรมส่งเสริมการท่องเที่ยวเชิงวัฒนธรรม “วันผ้าขาวม้าบ้านชวน” และเดินแบบผ้าท้องถิ่น",
            post_url=fb("banchuan.municipality", "122189012345678901"),
            reporter="นางสาวรัตนา ชื่นใจ",
            phone="044-897-123",
        ),
        Entry(
            lao="อบต.บ้านเพชร",
            category=HISTORY,
            identity="กู่บ้านเพชร",
            activity="ทำความสะอาดและพัฒนาพื้นที่โดยรอบโบราณสถานกู่บ้านเพชร ร่วมกับจิตอาสา",
            post_url=fb("banphet.sao", "3316624790355399"),
            reporter="นายสมบัติ ใจกล้า",
            phone="087-441-2096",
            month=JAN,
        ),
        Entry(
            lao="อบต.หัวทะเล",
            category=FOOD,
            identity="ปลาเผาหนองหัวทะเล",
            activity="จัดตลาดนัดชุมชนริมหนองหัวทะเล จำหน่ายอาหารพื้นบ้านและสินค้าเกษตร",
            post_url=fb("huathale.sao", "1259921049894873"),
            reporter="นางบุษบา ทองคำ",
            phone="044-897-455",
        ),
        Entry(
            lao="อบต.หนองบัวใหญ่",
            category=PRODUCT,
            identity="ผ้าไหมบ้านหนองบัวใหญ่",
            activity="สนับสนุนกลุ่มทอผ้าไหมในการออกร้านจำหน่ายสินค้าในงานกาชาดจังหวัดชัยภูมิ",
            post_url=fb("nongbuayai.sao", "1442249570307408"),
            reporter="นายวิชัย โพธิ์ศรี",
            phone="090-318-5574",
            month=JAN,
            # WRONG: a row of อำเภอจัตุรัส, typed into this tab (it belongs in อำเภอจัตุรัส)
            district="จัตุรัส",
            hashtags=tags("จัตุรัส"),
        ),
    ),
    "หนองบัวระเหว": (
        Entry(
            lao="ทต.หนองบัวระเหว",
            category=CULTURE,
            identity="ประเพณีบุญบั้งไฟหนองบัวระเหว",
            activity="จัดประชุมคณะกรรมการเตรียมการจัดงานประเพณีบุญบั้งไฟ และประชาสัมพันธ์การท่องเที่ยว",
            post_url=fb("nongbuarawe.municipality", "122190123456789012"),
            reporter="นางสาวปวีณา ศรีนวล",
            phone="044-897-801",
        ),
        Entry(
            lao="อบต.วังตะเฆ่",
            category=HISTORY,
            identity="พระพุทธรูปหินทรายโบราณ วัดบ้านวังตะเฆ่",
            activity="ปรับปรุงภูมิทัศน์ลานวัดและจัดทำป้ายประวัติพระพุทธรูปหินทรายโบราณ",
            post_url=youtu("Wt9kH3sRb2e"),
            reporter="นายทองใบ ศรีสะอาด",
            phone="085-672-3318",
            role=SUPPORT,
            month=JAN,
        ),
        Entry(
            lao="อบต.ห้วยแย้",
            category="กีฬา",  # WRONG: not one of the four kinds of identity
            identity="การแข่งขันวิ่งเทรลห้วยแย้",
            activity="จัดการแข่งขันวิ่งเทรลเส้นทางธรรมชาติ เพื่อส่งเสริมการท่องเที่ยวเชิงสุขภาพ",
            post_url=fb("huayyae.sao", "1817120592832139"),
            reporter="นายอดิศร แสนคำ",
            phone="063-905-1127",
            budget="ภาคเอกชน",
        ),
        Entry(
            lao="อบต.โสกปลาดุก",
            category=FOOD,
            identity="ปลาดุกร้าบ้านโสกปลาดุก",
            activity="ส่งเสริมกลุ่มอาชีพแปรรูปปลาดุกร้า และจัดทำบรรจุภัณฑ์ใหม่",
            post_url=tiktok("sokpladuk", "7453692581470369258"),
            reporter="นางสาวเบญจวรรณ ชัยมงคล",
            phone="096-284-7730",
            month=JAN,
        ),
    ),
    "เทพสถิต": (
        Entry(
            lao="อบต.นายางกลัก",
            category=HISTORY,
            identity="ทุ่งดอกกระเจียว อุทยานแห่งชาติป่าหินงาม",
            activity="ปรับปรุงภูมิทัศน์ทางเข้าแหล่งท่องเที่ยวทุ่งดอกกระเจียว ร่วมกับอุทยานแห่งชาติป่าหินงาม",
            post_url=fb("nayangklak.sao", "2449489742783178"),
            reporter="นางสาวสุภาพร ใจดี",
            phone="044-057-218",
            budget="จังหวัด",
        ),
        Entry(
            lao="อบต.นายางกลัก",
            category="ด้านที่ 3",  # OK: the category's number as "ด้านที่ 3"
            identity="พิธีบายศรีสู่ขวัญต้อนรับนักท่องเที่ยว ผาสุดแผ่นดิน",
            activity="จัดพิธีบายศรีสู่ขวัญต้อนรับนักท่องเที่ยวช่วงปีใหม่ ณ จุดชมวิวผาสุดแผ่นดิน",
            post_url=tiktok("nayangklak.sao", "7454826093715482609"),
            reporter="นางสาวสุภาพร ใจดี",
            phone="044-057-218",
            month=JAN,
        ),
        Entry(
            lao="อบต.ห้วยยายจิ๋ว",
            category=PRODUCT,
            identity="มะขามหวานเทพสถิต",
            activity="สนับสนุนเกษตรกรในการแปรรูปมะขามหวานและจำหน่ายในงานเทศกาลมะขามหวาน",
            post_url=fb("huayyaichio.sao", "2828427124746190"),
            reporter="นายสุรชัย บุญประเสริฐ",
            phone="081-967-4402",
            month="ธันวาคม ๒๕๖๗",  # OK: the month in words with Thai digits
        ),
        Entry(
            lao="อบต.วะตะแบก",
            category=FOOD,
            identity="ข้าวหลามบ้านวะตะแบก",
            activity="จัดกิจกรรมสาธิตการทำข้าวหลามและจำหน่ายให้นักท่องเที่ยวที่แวะพัก",
            post_url="ดูในเพจ อบต.",  # WRONG: not a link to the post
            reporter="นางจันทร์เพ็ญ ศรีทอง",
            phone="044-057-301",
        ),
        Entry(
            lao="อบต.บ้านไร่",
            category=FOOD,
            identity="แจ่วบองบ้านไร่",
            activity="ส่งเสริมกลุ่มแม่บ้านผลิตแจ่วบองจำหน่ายเป็นของฝากประจำอำเภอ",
            post_url=fb("banrai.thepsathit", "3605551275463989"),
            reporter="นายวัชระ พลศรี",
            phone="094-713-2268",
            role=SUPPORT,
            month=JAN,
        ),
    ),
    "ภูเขียว": (
        Entry(
            lao="อบต.บ้านแก้ง",
            category=HISTORY,
            identity="พระธาตุหนองสามหมื่น",
            activity="ปรับปรุงภูมิทัศน์แหล่งท่องเที่ยวพระธาตุหนองสามหมื่น และจัดทำป้ายสื่อความหมาย 3 ภาษา",
            post_url=fb("bankaeng.sao", "1224744871391589"),
            reporter="นายสมพงษ์ ภูมิภักดี",
            phone="044-861-234",
            budget="จังหวัด",
            district="อ.ภูเขียว",  # OK: the "อ." prefix is fine
        ),
        Entry(
            lao="ทต.ผักปัง",
            category=FOOD,
            identity="ขนมจีนแป้งหมักภูเขียว",
            activity="จัดกิจกรรมสาธิตการทำขนมจีนแป้งหมักแบบดั้งเดิม ส่งเสริมอาหารท้องถิ่น",
            post_url=fb("phakpang.municipality", "122101928374655647"),
            reporter="นางสาวอรทัย สีหาวงษ์",
            phone="044-861-500",
            month=JAN,
        ),
        # OK: extra spaces and zero-width characters in several cells; otherwise correct
        Entry(
            lao=f"  อบต.{ZW}กวางโจน ",
            category=f"{PRODUCT}{ZW}",
            identity=f"ผ้าไหม{ZW}มัดหมี่  บ้านกวางโจน",
            activity=f"  สนับสนุนกลุ่มทอผ้าไหม{ZW}มัดหมี่บ้านกวางโจน  "
            "ในการจัดแสดงและจำหน่ายผ้าไหมในงานประจำปีอำเภอ ",
            post_url=f" {fb('kwangchon.sao', '1923538406167134')}{ZW} ",
            reporter=f"นาง{ZW}ลำดวน  คำภูเขียว",
            phone=" 089-624-1175 ",
            hashtags=f"#เที่ยวท้องถิ่น  #ของดีบ้านเรา{ZW} #จังหวัดชัยภูมิ  #อำเภอภูเขียว ",
        ),
        Entry(
            lao="อบต.หนองคอนไทย",
            category=CULTURE,
            identity="ประเพณีบุญคูณลานบ้านหนองคอนไทย",
            activity="จัดงานประเพณีบุญคูณลาน สืบสานวัฒนธรรมข้าวและการลงแขกเกี่ยวข้าว",
            post_url=fb("nongkhonthai.sao", "2154434690031884"),
            reporter="นายเอกชัย ปัญญาวงศ์",
            phone="086-903-5561",
            month=JAN,
            district="ภูเขียวว",  # WRONG: a typo in the district name
        ),
        Entry(
            lao="อบต.ธาตุทอง",
            category=CULTURE,
            identity="ฟ้อนกลองยาวบ้านธาตุทอง",
            activity="จัดประกวดการแสดงพื้นบ้านฟ้อนกลองยาว ส่งเสริมเยาวชนสืบสานศิลปวัฒนธรรม",
            post_url=youtu("Tt5gKl0yW7a"),
            reporter="นางสาวนิตยา ศรีภูมิ",
            phone="044-861-722",
        ),
        Entry(
            lao="อบต.โคกสะอาด",
            category=FOOD,
            identity="ข้าวเม่าบ้านโคกสะอาด",
            activity="จัดกิจกรรมตำข้าวเม่าแบบดั้งเดิม ส่งเสริมอาหารท้องถิ่นและการท่องเที่ยวชุมชน",
            post_url=tiktok("koksaat.sao", "7457531594862057531"),
            reporter="นายธีรพงษ์ คำมูล",
            phone="097-552-1043",
            role=SUPPORT,
            month=JAN,
        ),
    ),
    "บ้านแท่น": (
        Entry(
            lao="ทต.บ้านแท่น",
            category=CULTURE,
            identity="ประเพณีแห่ต้นดอกเผิ่ง",
            activity="จัดประชุมเตรียมการและประชาสัมพันธ์งานประเพณีแห่ต้นดอกเผิ่ง ประจำปี 2568",
            post_url=fb("banthaen.municipality", "122112233445566778"),
            reporter="นางสาวกัลยา วงศ์สวัสดิ์",
            phone="044-889-110",
        ),
        Entry(
            lao="อบต.สามสวน",
            category=PRODUCT,
            identity="เสื่อกกบ้านสามสวน",
            activity="สนับสนุนกลุ่มทอเสื่อกกพัฒนาผลิตภัณฑ์ใหม่ เช่น กระเป๋าและที่รองแก้ว",
            post_url=fb("samsuan.sao", "2645751311064591"),
            reporter="นายสุเมธ บุญช่วย",
            phone="12345",  # WRONG: not a Thai phone number
            month=JAN,
        ),
        Entry(
            lao="อบต.บ้านเต่า",
            category=FOOD,
            identity="ปลาร้าบ้านเต่า",
            activity="ส่งเสริมกลุ่มผลิตปลาร้าให้ได้มาตรฐานและจัดทำตราสินค้าของชุมชน",
            post_url=fb("bantao.sao", "1732050807568878"),
            reporter="นางทองม้วน ใจซื่อ",
            phone="091-840-2217",
        ),
        Entry(
            lao="อบต.สระพัง",
            category=HISTORY,
            identity="ใบเสมาหินทรายวัดบ้านสระพัง",
            activity="จัดทำป้ายสื่อความหมายและทำความสะอาดบริเวณแหล่งใบเสมาหินทราย",
            post_url=youtu("Sp8aNg2tQ5v"),
            reporter="นายอำนาจ ศรีสุข",
            phone="044-889-264",
            role=SUPPORT,
            month=JAN,
        ),
    ),
    "แก้งคร้อ": (
        Entry(
            lao="ทต.แก้งคร้อ",
            category=PRODUCT,
            identity="ผ้าไหมมัดหมี่แก้งคร้อ",
            activity="จัดแสดงและจำหน่ายผ้าไหมมัดหมี่ในงานของดีเมืองแก้งคร้อ",
            post_url=fb("kaengkhro.municipality", "122123344556677889"),
            reporter="นางสาวดวงใจ พิมพ์สวัสดิ์",
            phone="044-881-333",
        ),
        Entry(
            lao="อบต.ท่ามะไฟหวาน",
            category=HISTORY,
            identity="วัดป่าสุคะโต",
            activity="ปรับปรุงเส้นทางเข้าแหล่งท่องเที่ยววัดป่าสุคะโต และจัดทำป้ายบอกทาง",
            post_url=fb("thamafaiwan.sao", "3162277660168379"),
            reporter="นายภานุวัฒน์ ทองอินทร์",
            phone="088-215-6649",
            month=JAN,
        ),
        Entry(
            lao="อบต.ท่ามะไฟหวาน",
            category=PRODUCT,
            identity="กาแฟอาราบิก้าท่ามะไฟหวาน",
            activity="สนับสนุนกลุ่มผู้ปลูกกาแฟในการพัฒนาบรรจุภัณฑ์และจัดกิจกรรมชิมกาแฟ",
            post_url=tiktok("thamafaiwan.coffee", "7455544433322211100"),
            reporter="นายภานุวัฒน์ ทองอินทร์",
            phone="088-215-6649",
            month="เดือนที่แล้ว",  # WRONG: the month cannot be read
        ),
        Entry(
            lao="อบต.หนองขาม",
            category=CULTURE,
            identity="ประเพณีบุญเบิกฟ้า",
            activity="จัดงานประเพณีบุญเบิกฟ้า สืบสานภูมิปัญญาการทำนาของชุมชน",
            post_url=fb("nongkham.kaengkhro", "1414213562373096"),
            reporter="นางสาวสายสุนีย์ แก้วคำ",
            phone="044-881-470",
            month=JAN,
        ),
        Entry(
            lao="อบต.หลุบคา",
            category=FOOD,
            identity="แกงหน่อไม้บ้านหลุบคา",
            activity="จัดกิจกรรมประกวดแกงหน่อไม้ใส่ย่านาง ส่งเสริมอาหารท้องถิ่น",
            post_url=fb("lupkha.sao", "2236067977499790"),
            reporter="นายประยุทธ มาลัยทอง",
            phone="062-519-3308",
        ),
    ),
    "คอนสาร": (
        Entry(
            lao="ทต.คอนสาร",
            category=HISTORY,
            identity="เขื่อนจุฬาภรณ์",
            activity="ปรับปรุงภูมิทัศน์จุดชมวิวสันเขื่อนจุฬาภรณ์ และติดตั้งป้ายแนะนำแหล่งท่องเที่ยว",
            post_url=fb("khonsan.municipality", "122134455667788990"),
            reporter="นางสาวชลธิชา ภูมิสวัสดิ์",
            phone="044-876-100",
            budget="จังหวัด",
        ),
        Entry(
            lao="อบต.ทุ่งลุยลาย",
            category=FOOD,
            identity="ปลาส้มเขื่อนจุฬาภรณ์",
            activity="จัดอบรมการแปรรูปปลาน้ำจืดให้กลุ่มประมงพื้นบ้านรอบเขื่อนจุฬาภรณ์",
            post_url=tiktok("tungluilai", "7451928374650192837"),
            reporter="นายจักรพันธ์ สีดา",
            phone="093-600-2145",
            month=JAN,
            # WRONG: the district hashtag is another district's (#อำเภอภูเขียว)
            hashtags=tags("ภูเขียว"),
        ),
        Entry(
            lao="อบต.ทุ่งพระ",
            category=PRODUCT,
            identity="ผ้าทอไทคอนสาร",
            activity="จัดทำเส้นทางท่องเที่ยวชุมชนไทคอนสาร สาธิตการทอผ้าและจำหน่ายผลิตภัณฑ์",
            post_url=fb("tungphra.sao", "2449489742783179"),
            reporter="นางสุนันทา บุญยืน",
            phone="044-876-233",
        ),
        Entry(
            lao="อบต.ดงบัง",
            category=CULTURE,
            identity="ภาษาและวัฒนธรรมไทคอนสาร",
            activity="จัดกิจกรรมถ่ายทอดภาษาและการแต่งกายไทคอนสารให้เยาวชนในพื้นที่",
            post_url="",  # WRONG: the post link is empty
            reporter="นายศักดิ์ชัย ดงบัง",
            phone="080-447-9152",
            month=JAN,
            note="ยังไม่ได้เผยแพร่ จะส่งลิงก์เพิ่มเติมภายหลัง",
        ),
        Entry(
            lao="อบต.ห้วยยาง",
            category=FOOD,
            identity="หมกหน่อไม้บ้านห้วยยาง",
            activity="จัดตลาดนัดชุมชนวิถีถิ่น จำหน่ายอาหารพื้นบ้านและผักปลอดสารพิษ",
            post_url=fb("huayyang.khonsan", "3316624790355400"),
            reporter="นางสาวพิมพ์ชนก ทองแท้",
            phone="044-876-389",
        ),
    ),
    "ภักดีชุมพล": (
        Entry(
            lao="อบต.บ้านเจียง",
            category=HISTORY,
            identity="ถ้ำพระภูผาแดง",
            activity="ปรับปรุงเส้นทางเดินขึ้นถ้ำพระภูผาแดง และติดตั้งราวกันตก",
            post_url=fb("banchiang.sao", "1259921049894874"),
            reporter="นายสมหมาย เจียงพงษ์",
            phone="044-056-450",
        ),
        Entry(
            lao="อบต.เจาทอง",
            category=PRODUCT,
            identity="ผ้าไหมบ้านเจาทอง",
            activity="สนับสนุนกลุ่มทอผ้าไหมพัฒนาลวดลายอัตลักษณ์ของชุมชน",
            post_url=fb("chaothong.sao", "1442249570307409"),
            reporter="นางสาวอำไพ ทองสุข",
            phone="087-120-3356",
            month="พ.ย. 67",  # OK: short month and two-digit B.E. year
        ),
        Entry(
            lao="อบต.วังทอง",
            category=FOOD,
            identity="ปลาร้าบองวังทอง",
            activity="ส่งเสริมการผลิตปลาร้าบองเป็นของฝากและประชาสัมพันธ์ผ่านสื่อสังคมออนไลน์",
            post_url=youtu("Wg3tHn8bQ1x"),
            reporter="นายบุญมี ศรีวังทอง",
            phone="098-771-2043",
            month=JAN,
        ),
        Entry(
            lao="อบต.แหลมทอง",
            category=CULTURE,
            identity="ประเพณีบุญกุ้มข้าวใหญ่บ้านแหลมทอง",
            activity="ร่วมจัดงานประเพณีบุญกุ้มข้าวใหญ่ และการแสดงหมอลำพื้นบ้าน",
            post_url=fb("laemthong.sao", "1817120592832140"),
            reporter="นางสาวจันทร์จิรา แหลมทอง",
            phone="044-056-612",
            role=SUPPORT,
            budget="ภาคเอกชน",
            month=JAN,
        ),
    ),
    # Not reported yet: a header row and no data rows.
    "เนินสง่า": (),
    "ซับใหญ่": (),
}

# Tabs laid out differently from the form, as real tabs are.
LAYOUTS: dict[str, Layout] = {
    # A title row above the table: the header is on row 2.
    "เมืองชัยภูมิ": Layout(
        title="แบบรายงานผลการดำเนินงานโครงการ 1 อำเภอ 1 อัตลักษณ์ท้องถิ่น (Soft Power) "
        "อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ"
    ),
    # Columns moved around.
    "จัตุรัส": Layout(
        order=(
            "lao",
            "district",
            "province",
            "report_month",
            "identity",
            "category",
            "activity",
            "post_url",
            "hashtags",
            "role",
            "budget",
            "reporter",
            "phone",
            "note",
        )
    ),
    # An extra "ลำดับ" column on the left.
    "ภูเขียว": Layout(numbered=True),
    # Headers typed with a zero-width character and doubled spaces.
    "แก้งคร้อ": Layout(
        headers={
            "identity": f"ชื่ออัตลักษณ์{ZW}ท้องถิ่น",
            "activity": "กิจกรรมการบริหาร  และพัฒนาการท่องเที่ยว",
            "role": "บทบาท  อปท.",
            "post_url": f" ลิงก์{ZW}เผยแพร่ ",
        }
    ),
}

# Column widths (in characters) so Thai text is readable without resizing.
WIDTHS: dict[str, float] = {
    "report_month": 14,
    "province": 12,
    "district": 16,
    "lao": 24,
    "category": 30,
    "identity": 34,
    "activity": 60,
    "role": 18,
    "budget": 14,
    "post_url": 50,
    "hashtags": 56,
    "reporter": 26,
    "phone": 15,
    "note": 32,
}
NUMBER_WIDTH = 7

NATIONAL_NOTES: tuple[str, ...] = (
    "ไฟล์นี้เป็นรายงานผลการดำเนินงานระดับประเทศ โครงการ 1 อำเภอ 1 อัตลักษณ์ท้องถิ่น (Soft Power)",
    "แท็บ “{national}” “{summary}” “{issues}” และ “{register}” จัดทำขึ้นโดยอัตโนมัติด้วยโปรแกรม "
    "softpower-bot ในทุกรอบการตรวจสอบ",
    "ขอความกรุณางดแก้ไขข้อมูลในแท็บดังกล่าว เนื่องจากข้อมูลจะถูกเขียนทับในรอบการตรวจสอบถัดไป",
    "หากพบข้อมูลไม่ถูกต้อง กรุณาแก้ไขที่แท็บของอำเภอในไฟล์ของจังหวัด แล้วรอผลการตรวจสอบในรอบถัดไป",
    "ขอขอบคุณทุกท่านที่ให้ความร่วมมือ",
)

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", start_color="FFFCE4D6", end_color="FFFCE4D6")
_TITLE_FONT = Font(bold=True, size=14)
_WRAP = Alignment(wrap_text=True, vertical="top")


# --- writing ------------------------------------------------------------------------------


def make_examples(folder: Path) -> list[Path]:
    """Write chaiyaphum.xlsx and national.xlsx into `folder`; return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    province = folder / PROVINCE_FILE
    national = folder / NATIONAL_FILE
    _province_workbook().save(province)
    _national_workbook().save(national)
    return [province, national]


def _province_workbook() -> Any:
    found = geo.find_province(PROVINCE)
    if found is None:
        raise LookupError(f"{PROVINCE} is not in the province registry")
    districts = geo.districts(found.code)
    names = [d.name for d in districts]
    if sorted(names) != sorted(ROWS):
        raise LookupError(
            f"the example rows must cover exactly the districts of {PROVINCE}: "
            f"missing {sorted(set(names) - set(ROWS))}, unknown {sorted(set(ROWS) - set(names))}"
        )
    tabs = Tabs()
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for district in districts:
        ws = wb.create_sheet(tabs.district_tab(found, district))
        _fill_district_tab(ws, district.name, ROWS[district.name], LAYOUTS.get(district.name))
    return wb


def _fill_district_tab(
    ws: Any, district: str, entries: Sequence[Entry], layout: Layout | None
) -> None:
    layout = layout or Layout()
    headers = layout.header_texts()
    header_row = 1
    if layout.title is not None:
        ws.cell(1, 1, layout.title).font = _TITLE_FONT
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        header_row = 2
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(header_row, col, text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
    for number, entry in enumerate(entries, start=1):
        values = entry.values(district)
        cells: list[Cell] = [values[key] for key in layout.order]
        if layout.numbered:
            cells = [number, *cells]
        for col, value in enumerate(cells, start=1):
            if value is None or value == "":
                continue
            # Assigning "#REF!" makes openpyxl store an error cell, as Excel would.
            cell = ws.cell(header_row + number, col, value)
            cell.alignment = _WRAP
            if isinstance(value, datetime):
                cell.number_format = "d/m/yyyy"
    widths = [WIDTHS[key] for key in layout.order]
    if layout.numbered:
        widths = [NUMBER_WIDTH, *widths]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(header_row + 1, 1)


def _national_workbook() -> Any:
    tabs = Tabs()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = NOTES_TAB
    for row, line in enumerate(NATIONAL_NOTES, start=1):
        text = line.format(
            national=tabs.national,
            summary=tabs.summary,
            issues=tabs.issues,
            register=tabs.district_register,
        )
        ws.cell(row, 1, text).alignment = _WRAP
    ws.cell(1, 1).font = Font(bold=True)
    ws.column_dimensions["A"].width = 110
    return wb


def main(argv: list[str] | None = None) -> int:
    """Command line: write the example workbooks into FOLDER and name each file written."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.examples",
        description="Write the example workbooks (chaiyaphum.xlsx, national.xlsx) "
        "the README's demo runs on.",
    )
    parser.add_argument("folder", type=Path, help="folder to write into (created if needed)")
    args = parser.parse_args(argv)
    try:
        paths = make_examples(args.folder)
    except OSError as exc:
        print(f"cannot write the example workbooks: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
