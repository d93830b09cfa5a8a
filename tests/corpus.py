"""An adversarial corpus: workbooks and configs as a careless or unlucky world leaves them,
each with the exit code and the message the bot must answer with.

Every case is a small project: Chaiyaphum's workbook (three district tabs, the one a case
breaks), a healthy Khon Kaen workbook and the national workbook, and a config. A case
breaks one thing and runs one command. `tests/test_corpus.py` runs them all in CI;
`python -m tests.corpus DIR` writes them out for a person to try by hand.
"""

from __future__ import annotations

import io
import re
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import PatternFill

from bot.form_fields import STATUS_HEADER
from tests.factories import HEADERS, row
from tests.workbooks import default_tabs, write_workbook
from tests.xlsx_parts import members, rewrite_members, sheet_parts

CONFIG = """\
programme: {start: 2567-11, end: 2568-09}
national: {file: national.xlsx}
provinces:
  - {province: ชัยภูมิ, file: chaiyaphum.xlsx, districts: [ภูเขียว, บ้านเขว้า, คอนสาร]}
  - {province: ขอนแก่น, file: khonkaen.xlsx, districts: [ชุมแพ]}
"""
KHON_KAEN = row(
    province="ขอนแก่น",
    district="ชุมแพ",
    lao="ทม.ชุมแพ",
    hashtags="#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดขอนแก่น #อำเภอชุมแพ",
)
BOOK = "chaiyaphum.xlsx"
PHU = "อำเภอภูเขียว"
STATUS_COL = len(HEADERS) + 1
DAY = "2025-01-17"


@dataclass
class Case:
    """One hostile thing, the command run on it, and what the bot must answer."""

    name: str
    breaks: Callable[[Path], None]  # breaks the project in the folder
    command: tuple[str, ...] = ("sync",)
    exit_code: int = 1
    message: str = ""  # a regular expression the output (stdout and stderr) must match
    # "broken": the Chaiyaphum workbook must come out byte for byte, the other workbooks
    # written; "healthy": it may be written, but no cell a person typed changes.
    workbook: str = "broken"
    config: str = ""  # appended to the config
    presync: bool = False  # run one good sync before breaking (a status column exists)
    needs: str = ""  # "non-root" or "namespaces": skipped with the reason when absent
    tags: set[str] = field(default_factory=set)


def make_project(folder: Path, extra_config: str = "") -> None:
    """The healthy project of every case."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(CONFIG + extra_config, encoding="utf-8")
    write_workbook(folder / BOOK, default_tabs())
    write_workbook(folder / "khonkaen.xlsx", {"อำเภอชุมแพ": [HEADERS, KHON_KAEN]})


# -- ways to break a workbook -------------------------------------------------------------


def _edit(folder: Path, tab: str, change: Callable[[bytes], bytes]) -> None:
    book = folder / BOOK
    part = sheet_parts(book)[tab]
    rewrite_members(book, {part: change(members(book)[part])})


def _openpyxl(folder: Path, change: Callable[[openpyxl.Workbook], None]) -> None:
    wb = openpyxl.load_workbook(folder / BOOK)
    change(wb)
    wb.save(folder / BOOK)


def bad_crc(folder: Path) -> None:
    """Flip a byte of a sheet's compressed data: its CRC no longer matches."""
    book = folder / BOOK
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo(sheet_parts(book)[PHU])
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0x55
    book.write_bytes(bytes(data))


def stored_crc_mismatch(folder: Path) -> None:
    """A stored (uncompressed) sheet whose bytes were changed after the CRC was taken."""
    book = folder / BOOK
    part = sheet_parts(book)[PHU]
    parts = members(book)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content, zipfile.ZIP_STORED)
    data = bytearray(out.getvalue())
    at = data.find(parts[part][:40]) + 45
    data[at] = ord("Z") if data[at] != ord("Z") else ord("Y")
    book.write_bytes(bytes(data))


def declared_huge(folder: Path) -> None:
    """A sheet whose zip entry claims it expands to 3 GB (a zip bomb's tell)."""
    book = folder / BOOK
    data = bytearray(book.read_bytes())
    part = sheet_parts(book)[PHU].encode()
    at = data.rfind(b"PK\x01\x02", 0, data.rfind(part))
    struct.pack_into("<L", data, at + 24, 3_000_000_000)
    book.write_bytes(bytes(data))


def truncated_xml(folder: Path) -> None:
    _edit(folder, PHU, lambda xml: xml[: len(xml) // 2])


def entity_bomb(folder: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
        b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    _edit(folder, PHU, lambda xml: bomb + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))


def missing_shared_string(folder: Path) -> None:
    def change(xml: bytes) -> bytes:
        return re.sub(
            rb'<c r="A2"([^>]*)t="inlineStr"><is><t>[^<]*</t></is></c>',
            rb'<c r="A2"\1t="s"><v>999</v></c>',
            xml,
            count=1,
        )

    _edit(folder, PHU, change)


def chart_sheet_named_like_a_district(folder: Path) -> None:
    """The district's tab is a chart sheet (its relationship points at no worksheet)."""
    book = folder / BOOK
    rels = members(book)["xl/_rels/workbook.xml.rels"]
    part = sheet_parts(book)[PHU].removeprefix("xl/")
    rels = rels.replace(
        f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="/xl/{part}"'.encode(),
        f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" '
        f'Target="/xl/{part}"'.encode(),
    )
    rewrite_members(book, {"xl/_rels/workbook.xml.rels": rels})


def merged_over_status(wb: openpyxl.Workbook) -> None:
    ws = wb[PHU]
    ws.merge_cells(start_row=1, start_column=STATUS_COL - 1, end_row=1, end_column=STATUS_COL)
    ws.cell(2, 1).value = "ธ.ค. 2567 "  # so the statuses must be written again


def merged_header_right_of_data(wb: openpyxl.Workbook) -> None:
    wb[PHU].merge_cells(start_row=1, start_column=STATUS_COL, end_row=2, end_column=STATUS_COL + 2)


def write_bytes(content: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / BOOK).write_bytes(content)


def chmod(mode: int) -> Callable[[Path], None]:
    return lambda folder: (folder / BOOK).chmod(mode)


def symlink_loop(folder: Path) -> None:
    (folder / BOOK).unlink()
    (folder / BOOK).symlink_to(folder / BOOK)


def folder_as_workbook(folder: Path) -> None:
    (folder / BOOK).unlink()
    (folder / BOOK).mkdir()


def excel_has_it_open(folder: Path) -> None:
    (folder / f"~${BOOK}").write_text("somebody", encoding="utf-8")


def xfd_used(wb: openpyxl.Workbook) -> None:
    wb[PHU]["XFD1"] = "ใช้คอลัมน์สุดท้าย"


def stray_cell(wb: openpyxl.Workbook) -> None:
    wb[PHU]["C1048576"] = "x"


def formatted_far_away(wb: openpyxl.Workbook) -> None:
    wb[PHU]["AD300000"].fill = PatternFill("solid", start_color="FFFFFF00")


def persons_status_column(wb: openpyxl.Workbook) -> None:
    ws = wb[PHU]
    ws.cell(1, STATUS_COL).value = STATUS_HEADER
    ws.cell(2, STATUS_COL).value = "ส่งเอกสารแล้ว"


def uncalculated_formulas(wb: openpyxl.Workbook) -> None:
    wb[PHU].cell(2, STATUS_COL).value = "=1+1"
    wb[PHU].cell(3, HEADERS.index("หมายเหตุ") + 1).value = "=A2&B2"


def time_of_day(wb: openpyxl.Workbook) -> None:
    cell = wb[PHU].cell(2, HEADERS.index("หมายเหตุ") + 1)
    cell.value = 0.395833  # 9:30
    cell.number_format = "h:mm"


def nonsense_refs(folder: Path) -> None:
    _edit(folder, PHU, lambda xml: xml.replace(b'<c r="A2"', b'<c r="A99999999"', 1))


def no_content_types(folder: Path) -> None:
    rewrite_members(folder / BOOK, {"[Content_Types].xml": None})


def no_workbook_part(folder: Path) -> None:
    rewrite_members(folder / BOOK, {"xl/workbook.xml": None})


def missing_sheet_part(folder: Path) -> None:
    rewrite_members(folder / BOOK, {sheet_parts(folder / BOOK)[PHU]: None})


def utf16_sheet(folder: Path) -> None:
    def change(xml: bytes) -> bytes:
        text = re.sub(r"^<\?xml[^>]*\?>", "", xml.decode("utf-8"))
        return ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")

    _edit(folder, PHU, change)


def no_styles(folder: Path) -> None:
    """A workbook written by a minimal tool: no styles part, no relationship to one."""
    book = folder / BOOK
    parts = members(book)
    rels = re.sub(rb'<Relationship [^>]*?/styles"[^>]*/>', b"", parts["xl/_rels/workbook.xml.rels"])
    types = re.sub(
        rb'<Override PartName="/xl/styles.xml"[^>]*/>', b"", parts["[Content_Types].xml"]
    )
    rewrite_members(
        book,
        {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types},
    )


def styles_related_but_missing(folder: Path) -> None:
    rewrite_members(folder / BOOK, {"xl/styles.xml": None})


def read_only_folder(folder: Path) -> None:
    folder.chmod(0o555)


# -- ways to break a config ---------------------------------------------------------------


def with_file(name: str, content: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")

    return make


def nothing(folder: Path) -> None:
    """The config alone is the hostile part."""


BOMB = "".join(
    f"{a}: &{a} [{', '.join([f'*{b}'] * 10) if b else ', '.join(['x'] * 10)}]\n"
    for a, b in zip("abcdef", ["", "a", "b", "c", "d", "e"], strict=True)
)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
_DAMAGED = r"ไฟล์สเปรดชีตเสียหาย.*damaged or not an Excel file"
_NAMED = rf"chaiyaphum\.xlsx.*{PHU}"

CASES: list[Case] = [
    # Workbooks that cannot be read: skipped with file, tab and fix; the others written.
    Case("bad CRC in a sheet", bad_crc, message=rf"{_NAMED}.*{_DAMAGED}.*(CRC|invalid|damaged)"),
    Case("stored sheet with a wrong CRC", stored_crc_mismatch, message=r"Bad CRC-32"),
    Case("zip bomb: a sheet claims 3 GB", declared_huge, message=r"would expand to 3,000,000,000"),
    Case("truncated sheet XML", truncated_xml, message=rf"{_NAMED}.*not well-formed XML"),
    Case("entity bomb in a sheet", entity_bomb, message=r"declares a DOCTYPE or entities"),
    Case(
        "half a zip file",
        lambda f: (f / BOOK).write_bytes((f / BOOK).read_bytes()[:3000]),
        message=_DAMAGED + r".*not a zip package",
    ),
    Case("text saved as .xlsx", write_bytes("ชื่อ,อำเภอ\n".encode()), message=_DAMAGED),
    Case("empty file", write_bytes(b""), message=_DAMAGED),
    Case(
        "password-protected (OLE) workbook",
        write_bytes(_OLE),
        message=r"ตั้งรหัสผ่าน.*password-protected.*remove the password",
    ),
    Case("a zip but no workbook", write_bytes(b"PK\x05\x06" + bytes(18)), message=_DAMAGED),
    Case("no [Content_Types].xml", no_content_types, message=r"not a workbook"),
    Case("no workbook part", no_workbook_part, message=r"workbook part .* is missing"),
    Case("a sheet part missing", missing_sheet_part, message=rf"{_NAMED}.*not a worksheet"),
    Case(
        "the district tab is a chart sheet",
        chart_sheet_named_like_a_district,
        message=rf"{_NAMED}.*not a worksheet",
    ),
    Case(
        "shared text that does not exist", missing_shared_string, message=r"shared text number 999"
    ),
    Case("a sheet in UTF-16", utf16_sheet, exit_code=1, message=r"UTF-8|not well-formed|encoding"),
    Case(
        "merged cells over the status column",
        lambda f: _openpyxl(f, merged_over_status),
        presync=True,
        message=rf"{PHU}.*ผสาน.*N1:O1.*unmerge",
    ),
    Case("a symlink loop", symlink_loop, message=r"chaiyaphum\.xlsx.*(ไม่พบไฟล์|not found|อ่านหรือ)"),
    Case(
        "a folder named like the workbook",
        folder_as_workbook,
        message=r"(โฟลเดอร์|folder).*not a workbook|this is a folder",
    ),
    Case("unreadable file (mode 000)", chmod(0o000), message=r"may not read", needs="non-root"),
    # Workbooks that are read but must not (or need not) be written.
    Case("open in Excel", excel_has_it_open, message=r"open in Excel or LibreOffice"),
    Case("read-only file", chmod(0o444), message=r"อ่านอย่างเดียว.*read-only \(mode 0444\)"),
    Case(
        "read-only folder",
        read_only_folder,
        message=r"(ไม่มีสิทธิ์|permission|read-only)",
        needs="non-root",
        workbook="untouched-folder",
    ),
    Case(
        "read-only folder, check",
        read_only_folder,
        command=("check",),
        exit_code=1,
        message=r"MISSING",
        needs="non-root",
        workbook="untouched-folder",
    ),
    # Workbooks the bot copes with: written, a person's cells untouched.
    Case(
        "merged header right of the data",
        lambda f: _openpyxl(f, merged_header_right_of_data),
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case(
        "something in XFD1",
        lambda f: _openpyxl(f, xfd_used),
        exit_code=0,
        workbook="healthy",
        message=r"NO_ROOM_FOR_STATUS",
    ),
    Case(
        "a stray x in C1048576",
        lambda f: _openpyxl(f, stray_cell),
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case(
        "a formatted cell at AD300000",
        lambda f: _openpyxl(f, formatted_far_away),
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case(
        "a person's column named like the status column",
        lambda f: _openpyxl(f, persons_status_column),
        exit_code=0,
        workbook="healthy",
        message=r"STATUS_COLUMN_TAKEN",
    ),
    Case(
        "formulas never calculated",
        lambda f: _openpyxl(f, uncalculated_formulas),
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case(
        "a cell formatted as a time of day",
        lambda f: _openpyxl(f, time_of_day),
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case("no styles part at all", no_styles, exit_code=0, workbook="healthy", message=r"updated"),
    Case(
        "a styles relationship to a missing part",
        styles_related_but_missing,
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case(
        "a cell address past the last row",
        nonsense_refs,
        exit_code=0,
        workbook="healthy",
        message=r"updated",
    ),
    Case(
        "doctor on a truncated sheet",
        truncated_xml,
        command=("doctor",),
        exit_code=1,
        message=rf"✖ .*{PHU}.*not well-formed",
    ),
    Case(
        "doctor on merged cells over the status column",
        lambda f: _openpyxl(f, merged_over_status),
        command=("doctor",),
        exit_code=1,
        presync=True,
        message=r"✖ .*unmerge",
    ),
    Case(
        "doctor on a read-only workbook",
        chmod(0o444),
        command=("doctor",),
        exit_code=1,
        message=r"✖ .*read-only",
    ),
    # Configs that must be refused at load, with the line and the fix (exit 2).
    *(
        Case(
            f"config: {name}",
            nothing,
            command=("check",),
            exit_code=2,
            message=message,
            config=config,
            workbook="untouched",
        )
        for name, config, message in [
            (
                "a tab name with /",
                "tabs: {national: 'รวม/ประเทศ'}\n",
                r"config\.yaml:\d+: tabs: .*does not allow",
            ),
            ("a tab name with [", "tabs: {summary: 'สรุป[1]'}\n", r"tabs: .*\[ \]"),
            (
                "a 43-character tab name",
                "tabs: {issues: '" + "ก" * 43 + "'}\n",
                r"43 characters.*at most 31",
            ),
            (
                "a district tab pattern too long",
                "tabs: {district: 'แบบรายงานผลการดำเนินงานของอำเภอ{district}'}\n",
                r"at most 31",
            ),
            ("an unbalanced brace", "tabs: {district: 'อำเภอ{district'}\n", r"expected '\}'"),
            (
                "a format spec in a tab name",
                "tabs: {district: 'อำเภอ{district!r}'}\n",
                r"uses \{district!r\}",
            ),
            (
                "an empty status header",
                "form: {status_header: ''}\n",
                r"status_header: must not be empty",
            ),
            (
                "a status header equal to a form header",
                "form: {status_header: หมายเหตุ}\n",
                r"must differ from every form header",
            ),
            (
                "send_time as a number",
                "reminders: {send_time: 930}\n",
                r"send_time: .*hours:minutes",
            ),
            (
                "record_tab with an unknown field",
                "daemon: {record_tab: 'บันทึก {month} {x}'}\n",
                r"record_tab.*uses \{x\}",
            ),
            (
                "record_tab too long",
                "daemon: {record_tab: 'บันทึกการรายงานผลประจำเดือน {month}'}\n",
                r"at most 31",
            ),
            ("an anchor bomb", BOMB, r"expand to more than 100,000 values"),
            (
                "a recursive alias",
                "x: &x [1, *x]\n",
                r"refers to the list or mapping that contains it",
            ),
            (
                "nesting thousands deep",
                "x: " + "[" * 3000 + "]" * 3000 + "\n",
                r"nested thousands of levels deep",
            ),
            ("a list as a key", "? [a, b]\n: 1\n", r"must be a word, not a list"),
            (
                "a templates folder that is not there",
                "reminders: {templates: my-templates}\n",
                r"my-templates does not exist",
            ),
            ("an unknown backend", "backend: excel\n", r"unknown backend 'excel'"),
            (
                "a missing workbook folder",
                "xlsx: {folder: nowhere}\n",
                r"workbook folder does not exist",
            ),
        ]
    ),
    Case(
        "config: a broken template",
        with_file("tpl/admin.txt.j2", "{% if x %}ค้าง"),
        command=("check",),
        exit_code=2,
        config="reminders: {templates: tpl}\n",
        message=r"admin\.txt\.j2:1: the template has an error",
        workbook="untouched",
    ),
    Case(
        "config: the outbox is a file",
        with_file("outbox", "ไม่ใช่โฟลเดอร์"),
        command=("check",),
        exit_code=2,
        config="reminders: {outbox: outbox}\n",
        message=r"outbox.*is a file, not a folder",
        workbook="untouched",
    ),
    Case(
        "config: a template that fails when rendered",
        with_file("tpl/district.txt.j2", "{{ nobody }}"),
        command=("remind", "--dry-run"),
        exit_code=2,
        config="reminders: {templates: tpl}\n",
        message=r"district\.txt\.j2.*cannot be rendered.*nobody",
        workbook="untouched",
    ),
    Case(
        "config: send_time 9:30 is a time",
        nothing,
        command=("check",),
        exit_code=1,
        config="reminders: {send_time: 9:30}\n",
        message=r"MISSING",
        workbook="untouched",
    ),
    Case(
        "state file is a folder",
        lambda f: (f / "state.sqlite").mkdir(),
        command=("status",),
        exit_code=2,
        message=r"state file .*state\.sqlite",
        workbook="untouched",
        config="daemon: {state: state.sqlite}\n",
    ),
]


def write_corpus(folder: Path) -> list[Path]:
    """Write every case as a project folder under `folder` (for trying by hand)."""
    made = []
    for i, case in enumerate(CASES, start=1):
        where = folder / f"{i:02d}-{re.sub(r'[^a-z0-9]+', '-', case.name.lower()).strip('-')}"
        make_project(where, case.config)
        if case.presync:
            from bot.cli import main  # noqa: PLC0415

            main(["--config", str(where / "config.yaml"), "--today", DAY, "sync"])
        case.breaks(where)
        (where / "README.txt").write_text(
            f"{case.name}\nsoftpower-bot --config config.yaml --today {DAY} "
            f"{' '.join(case.command)}\nexpected exit {case.exit_code}, output matching: "
            f"{case.message}\n",
            encoding="utf-8",
        )
        made.append(where)
    return made


if __name__ == "__main__":
    out = write_corpus(Path(sys.argv[1] if len(sys.argv) > 1 else "corpus"))
    print(f"wrote {len(out)} cases under {out[0].parent if out else '.'}")
