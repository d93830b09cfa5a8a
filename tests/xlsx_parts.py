"""Looking inside .xlsx packages in tests: members, raw zip records, cells as bytes, and
adding what openpyxl cannot make (cached formula values, a picture, a VBA project).

Deliberately independent of the bot's own XML code: cells are cut out with a regular
expression, zip records with `zipfile`'s offsets, so a test never checks the bot's patching
with the bot's own parser.
"""

from __future__ import annotations

import base64
import posixpath
import re
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

CELL = re.compile(rb'<c\b(?=[^>]*?\sr="([A-Z]+)(\d+)")[^>]*?(?:/>|>.*?</c>)', re.S)
STYLE_ATTR = re.compile(rb'\ss="\d+"')

# A 1x1 transparent PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
# Not a real VBA project: the bot must carry any bytes in it unchanged.
VBA = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8


def members(path: Path) -> dict[str, bytes]:
    """Every member of the package, uncompressed."""
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def raw_records(path: Path) -> dict[str, bytes]:
    """Every member's local zip record (header, compressed data) exactly as stored."""
    data = path.read_bytes()
    out = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            start = info.header_offset
            name_len, extra_len = struct.unpack_from("<HH", data, start + 26)
            end = start + 30 + name_len + extra_len + info.compress_size
            out[info.filename] = data[start:end]
    return out


def cells(xml: bytes) -> dict[tuple[int, str], bytes]:
    """Every <c> element of a worksheet part by (row, column letters), as bytes."""
    return {(int(m.group(2)), m.group(1).decode()): m.group(0) for m in CELL.finditer(xml)}


ROW = re.compile(rb'<row\b(?=[^>]*?\sr="(\d+)")[^>]*?(?:/>|>(.*?)</row>)', re.S)


def check_order(xml: bytes) -> None:
    """Assert what Excel insists on: rows in rising order, each cell in its own row, and
    the cells of a row in rising column order."""
    last_row = 0
    for match in ROW.finditer(xml):
        number = int(match.group(1))
        assert number > last_row, f"row {number} after row {last_row}"
        last_row = number
        last_col = 0
        for cell in CELL.finditer(match.group(2) or b""):
            assert int(cell.group(2)) == number, (
                f"cell {cell.group(1)}{cell.group(2)} in row {number}"
            )
            col = 0
            for ch in cell.group(1).decode():
                col = col * 26 + ord(ch) - 64
            assert col > last_col, f"cell {cell.group(1)}{number} after column {last_col}"
            last_col = col


def check_structure(path: Path) -> None:
    """Assert that the package hangs together as Excel requires: every relationship of the
    workbook points at a part, one styles part, every overridden part exists, and every
    part has a content type."""
    parts = members(path)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = re.findall(r'Type="[^"]*/(\w+)"[^>]*?Target="([^"]+)"', rels)
    targets += [(k, t) for t, k in re.findall(r'Target="([^"]+)"[^>]*?Type="[^"]*/(\w+)"', rels)]
    assert [k for k, _ in targets].count("styles") == 1, rels
    ids = re.findall(r'Id="([^"]+)"', rels)
    assert len(ids) == len(set(ids)), rels
    for kind, target in targets:
        name = target.lstrip("/") if target.startswith("/") else "xl/" + target
        assert name in parts, (kind, target)
    types = parts["[Content_Types].xml"].decode()
    overrides = re.findall(r'PartName="/([^"]+)"', types)
    defaults = re.findall(r'Extension="([^"]+)"', types)
    for name in overrides:
        assert name in parts, name
    for name in parts:
        if name != "[Content_Types].xml":
            assert name in overrides or name.rsplit(".", 1)[-1] in defaults, name
    book = parts["xl/workbook.xml"].decode()
    names = re.findall(r'<sheet [^>]*?name="([^"]+)"', book)
    assert len({n.casefold() for n in names}) == len(names), names


def without_style(cell: bytes) -> bytes:
    """A cell element without its style attribute."""
    return STYLE_ATTR.sub(b"", cell, count=1)


def sheet_parts(path: Path) -> dict[str, str]:
    """Tab name -> worksheet part name, from the workbook and its relationships."""
    parts = members(path)
    book = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*?Id="(rId\d+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="(rId\d+)"', book):
        target = targets[rid].lstrip("/")
        out[name] = target if target.startswith("xl/") else "xl/" + target
    return out


def _targets(parts: dict[str, bytes], part: str) -> list[tuple[str, str]]:
    """(type, part name) of each internal relationship of `part`, in the order stored."""
    folder, name = part.rsplit("/", 1)
    rels = parts.get(f"{folder}/_rels/{name}.rels")
    if rels is None:
        return []
    out = []
    for item in re.findall(rb"<Relationship\b[^>]*>", rels):
        if b'TargetMode="External"' in item:
            continue
        kind = re.search(rb'Type="[^"]*/(\w+)"', item)
        target = re.search(rb'Target="([^"]+)"', item)
        assert kind and target, item
        path = target.group(1).decode()
        full = path.lstrip("/") if path.startswith("/") else posixpath.normpath(f"{folder}/{path}")
        out.append((kind.group(1).decode(), full))
    return out


def tab_family(path: Path, tab: str) -> dict[str, list[str]]:
    """The parts of one tab: its sheet, relationships, drawing and the drawing's charts, by
    kind ("sheet", "rels", "drawing", "chart"), charts in the order the drawing lists them."""
    parts = members(path)
    sheet = sheet_parts(path)[tab]
    folder, name = sheet.rsplit("/", 1)
    out: dict[str, list[str]] = {"sheet": [sheet], "rels": [], "drawing": [], "chart": []}
    if f"{folder}/_rels/{name}.rels" in parts:
        out["rels"].append(f"{folder}/_rels/{name}.rels")
    for kind, drawing in _targets(parts, sheet):
        if kind != "drawing":
            continue
        out["drawing"].append(drawing)
        d_folder, d_name = drawing.rsplit("/", 1)
        out["rels"].append(f"{d_folder}/_rels/{d_name}.rels")
        out["chart"] += [t for k, t in _targets(parts, drawing) if k == "chart"]
    return out


def rewrite_members(path: Path, changes: dict[str, bytes | None]) -> None:
    """Replace, add (bytes) or drop (None) members, keeping the others as they are."""
    old = members(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in old.items():
            if name in changes:
                continue
            z.writestr(name, content)
        for name, content in changes.items():
            if content is not None:
                z.writestr(name, content)


def set_cached_values(path: Path, tab: str, values: dict[str, object]) -> None:
    """Give formula cells of `tab` the value Excel would have calculated (openpyxl writes
    formulas without one)."""
    part = sheet_parts(path)[tab]
    xml = members(path)[part]
    for ref, value in values.items():
        pattern = re.compile(rb'<c r="' + ref.encode() + rb'"([^>]*)>(<f>.*?</f>)<v\s*/></c>', re.S)

        def cached(m: re.Match[bytes], value: object = value, ref: str = ref) -> bytes:
            kind = b' t="str"' if isinstance(value, str) else b""
            text = str(value).replace("&", "&amp;").replace("<", "&lt;").encode()
            head = b'<c r="' + ref.encode() + b'"' + m.group(1) + kind + b">"
            return head + m.group(2) + b"<v>" + text + b"</v></c>"

        xml, count = pattern.subn(cached, xml)
        assert count == 1, (tab, ref)
    rewrite_members(path, {part: xml})


def add_picture(path: Path, tab: str) -> None:
    """Put a small picture on `tab` (a drawing part, its relationship and the image)."""
    part = sheet_parts(path)[tab]
    parts = members(path)
    folder, name = part.rsplit("/", 1)
    rels_name = f"{folder}/_rels/{name}.rels"
    rels = parts.get(rels_name, b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                     b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                     b"</Relationships>")  # fmt: skip
    rels = rels.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdPic1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/drawing" Target="../drawings/drawing9.xml"/></Relationships>',
    )
    drawing = (
        b'<?xml version="1.0" encoding="UTF-8"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats'
        b'.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/'
        b'drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships"><xdr:oneCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0'
        b"</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>"
        b'<xdr:ext cx="95250" cy="95250"/><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="2" name="Pic"/>'
        b'<xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId1"/><a:stretch>'
        b'<a:fillRect/></a:stretch></xdr:blipFill><xdr:spPr><a:prstGeom prst="rect"><a:avLst/>'
        b"</a:prstGeom></xdr:spPr></xdr:pic><xdr:clientData/></xdr:oneCellAnchor></xdr:wsDr>"
    )
    drawing_rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        b'schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="../media/image9.png"/></Relationships>'
    )
    sheet = parts[part]
    anchor = re.search(rb"<(legacyDrawing|tableParts|extLst)\b|</worksheet>", sheet)
    assert anchor is not None
    sheet = sheet[: anchor.start()] + b'<drawing r:id="rIdPic1"/>' + sheet[anchor.start() :]
    if b"xmlns:r=" not in sheet[:500]:
        sheet = sheet.replace(
            b"<worksheet ",
            b'<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships" ',
            1,
        )
    types = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="png" ContentType="image/png"/><Override PartName="/xl/drawings/'
        b'drawing9.xml" ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"'
        b"/></Types>",
    )
    rewrite_members(path, {
        part: sheet, rels_name: rels, "xl/drawings/drawing9.xml": drawing,
        "xl/drawings/_rels/drawing9.xml.rels": drawing_rels, "xl/media/image9.png": PNG,
        "[Content_Types].xml": types,
    })  # fmt: skip


def make_macro_workbook(path: Path) -> None:
    """Turn the workbook at `path` into a macro-enabled one carrying a VBA project."""
    parts = members(path)
    types = (
        parts["[Content_Types].xml"]
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        .replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            b"</Types>",
        )
    )
    rels = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/'
        b'vbaProject" Target="vbaProject.bin"/></Relationships>',
    )
    rewrite_members(path, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                           "xl/vbaProject.bin": VBA})  # fmt: skip


def libreoffice() -> str | None:
    """The LibreOffice command, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_save(paths: list[Path], folder: Path) -> list[Path]:
    """Open each workbook in LibreOffice and save it again as .xlsx into `folder` (one run
    for all of them): what a person's LibreOffice writes, formulas calculated."""
    command = libreoffice()
    assert command is not None
    folder.mkdir(parents=True, exist_ok=True)
    profile = folder / ".lo-profile"
    subprocess.run(
        [command, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder),
         *map(str, paths)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return [folder / p.name for p in paths]
