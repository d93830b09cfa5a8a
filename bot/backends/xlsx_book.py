"""The workbook part of an .xlsx package: its tabs, defined names, relationships and content
types, read from the XML and edited in place.

The bot adds its own tabs at the end of the list (so the sheet indexes that sheet-scoped
names use never shift), marks them and its status columns with hidden sheet-scoped defined
names, and registers new parts in the relationships and `[Content_Types].xml`. Nothing
else in these parts changes.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from bot.backends.xlsx_xml import (
    CT_NS,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    STRICT_MAIN_NS,
    Node,
    XmlError,
    append_child,
    attr,
    column_number,
    esc,
    outline,
    prefix_of,
    splice,
)
from bot.backends.xlsx_zip import Package, PackageError
from bot.sheets import OWNER_MARK

# The hidden sheet-scoped name that marks the bot's status column: it refers to the
# column's header cell, and Excel and LibreOffice move it when people insert or delete
# columns, so the bot finds its column wherever it went and never mistakes a person's
# column of the same name for it.
STATUS_MARK = "_SoftpowerBotStatus"
OWNER_TEXT = '"softpower-bot"'

REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WORKSHEET_TYPE = REL_TYPE + "worksheet"
STYLES_TYPE = REL_TYPE + "styles"
HYPERLINK_TYPE = REL_TYPE + "hyperlink"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
WORKBOOK_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_CT = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"

_RID = re.compile(r"^rId(\d+)$")
# Elements that follow <definedNames> in a workbook part (CT_Workbook's sequence).
_AFTER_NAMES = ("calcPr", "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr",
                "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects",
                "extLst")  # fmt: skip


class BookError(Exception):
    """The package's structure is broken (a missing part, a relationship to nowhere)."""


@dataclass
class Tab:
    """One entry of the workbook's list of tabs."""

    name: str
    index: int  # position in <sheets>: what localSheetId counts
    sheet_id: int
    rel_id: str
    part: str | None  # the part's name in the package; None when its relationship is missing
    worksheet: bool  # False for chart sheets and dialog sheets


@dataclass
class Rels:
    """A relationships part: id -> (type, target part name or external target)."""

    part: str
    data: bytes
    root: Node | None
    items: dict[str, tuple[str, str, bool]] = field(default_factory=dict)

    def next_id(self, taken: set[str] = frozenset()) -> str:  # type: ignore[assignment]
        """A relationship id not used yet."""
        numbers = [int(m.group(1)) for i in [*self.items, *taken] if (m := _RID.match(i))]
        n = max(numbers, default=0) + 1
        while f"rId{n}" in self.items or f"rId{n}" in taken:
            n += 1
        return f"rId{n}"


def rels_part(part: str) -> str:
    """The relationships part of `part` ("xl/workbook.xml" -> "xl/_rels/workbook.xml.rels")."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """A relationship target as a part name, relative to the part that holds it."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def read_rels(pkg: Package, part: str) -> Rels:
    """The relationships of `part` (none when it has no relationships part)."""
    name = rels_part(part)
    stored = pkg.find(name)
    if stored is None:
        return Rels(name, b"", None)
    data = pkg.read(stored)
    root = outline(data, depth=2)
    rels = Rels(stored, data, root)
    for node in root.kids("Relationship"):
        rid, kind, target = (
            node.attrs.get("Id"),
            node.attrs.get("Type", ""),
            node.attrs.get("Target", ""),
        )
        if not rid:
            continue
        external = node.attrs.get("TargetMode") == "External"
        rels.items[rid] = (kind, target if external else resolve(part, target), external)
    return rels


class Book:
    """The workbook's structure, and the edits the bot makes to it."""

    def __init__(self, pkg: Package) -> None:
        """Read the list of tabs, names and relationships; raises BookError or XmlError."""
        self.pkg = pkg
        root_rels = read_rels(pkg, "")
        main = [t for k, t, ext in root_rels.items.values() if k.endswith("/officeDocument")]
        self.part = main[0] if main else "xl/workbook.xml"
        stored = pkg.find(self.part)
        if stored is None:
            raise BookError(f"the workbook part {self.part} is missing")
        self.part = stored
        self.data = pkg.read(stored)
        self.root = outline(self.data, depth=3, text=("definedName",))
        if self.root.local != "workbook":
            raise BookError(f"{self.part} is not a workbook part")
        # Strict Open XML uses other namespaces; the bot reads it but does not write it.
        self.strict = STRICT_MAIN_NS in self.root.attrs.values()
        self.rels = read_rels(pkg, self.part)
        pr = self.root.kid("workbookPr")
        self.date1904 = pr is not None and pr.attrs.get("date1904", "0") in ("1", "true")
        self.tabs: list[Tab] = []
        sheets = self.root.kid("sheets")
        r_attr = self._rel_attr()
        for index, node in enumerate(sheets.kids("sheet") if sheets else []):
            rid = next((v for k, v in node.attrs.items() if k == r_attr or k.endswith(":id")), "")
            kind, target, _ = self.rels.items.get(rid, ("", "", False))
            self.tabs.append(
                Tab(
                    node.attrs.get("name", ""),
                    index,
                    _int(node.attrs.get("sheetId")),
                    rid,
                    pkg.find(target) if target else None,
                    kind.endswith("/worksheet"),
                )
            )
        names = self.root.kid("definedNames")
        self.names: list[Node] = names.kids("definedName") if names else []
        self.styles = self._related(STYLES_TYPE.rpartition("/")[2])
        self.shared_strings = self._related("sharedStrings")
        # Edits, collected until `changes()`.
        self._new_tabs: list[tuple[str, str, str, int]] = []  # name, part, rel id, sheet id
        self._new_rels: list[tuple[str, str, str]] = []  # rel id, type, part
        self._set_names: dict[tuple[str, int], tuple[str, bool] | None] = {}
        self._new_parts: dict[str, str] = {}  # part -> content type
        self._dropped: set[str] = set()  # parts of the bot's it no longer needs
        self._taken = {p.lower() for p in pkg.names()}

    def _rel_attr(self) -> str:
        for key, value in self.root.attrs.items():
            if value == REL_NS and key.startswith("xmlns:"):
                return key[6:] + ":id"
        return "r:id"

    def _related(self, kind: str) -> str | None:
        """The part related to the workbook part by a relationship of this kind (the name
        stored in the package, or the target's name if the part is missing)."""
        for k, target, external in self.rels.items.values():
            if k.rpartition("/")[2] == kind and not external:
                return self.pkg.find(target) or target
        return None

    def tab(self, name: str) -> Tab | None:
        """The tab of that name (Excel compares tab names case-insensitively)."""
        folded = name.casefold()
        return next((t for t in self.tabs if t.name.casefold() == folded), None)

    def _name(self, name: str, index: int) -> Node | None:
        for node in self.names:
            if node.attrs.get("name") == name and node.attrs.get("localSheetId") == str(index):
                return node
        return None

    def name_text(self, name: str, index: int) -> str | None:
        """The text of a sheet-scoped defined name, if the tab has it."""
        node = self._name(name, index)
        return None if node is None else node.text

    def owned(self, tab: Tab) -> bool:
        """Whether the tab carries the bot's owner mark."""
        return self._name(OWNER_MARK, tab.index) is not None

    def status_column(self, tab: Tab) -> int | None:
        """The column of the bot's status mark in this tab, if it still points at a cell."""
        node = self._name(STATUS_MARK, tab.index)
        if node is None:
            return None
        ref = node.text.rpartition("!")[2].replace("$", "")
        letters = re.match(r"^([A-Za-z]{1,3})\d+$", ref)
        return column_number(letters.group(1)) if letters else None

    # -- edits --------------------------------------------------------------------------

    def add_tab(self, name: str) -> str:
        """Add a worksheet tab at the end; returns the name of its (new, empty) part."""
        part = self.new_part("worksheets", "sheet", len(self.tabs) + len(self._new_tabs) + 1)
        rid = self.add_rel(WORKSHEET_TYPE, part, WORKSHEET_CT)
        sheet_id = max([t.sheet_id for t in self.tabs] + [t[3] for t in self._new_tabs] + [0]) + 1
        self._new_tabs.append((name, part, rid, sheet_id))
        return part

    def add_rel(self, kind: str, part: str, content_type: str) -> str:
        """Relate a new part to the workbook part; returns the relationship id."""
        rid = self.rels.next_id({r[0] for r in self._new_rels})
        self._new_rels.append((rid, kind, part))
        self._new_parts[part] = content_type
        return rid

    def new_part(self, folder: str, stem: str, start: int = 1) -> str:
        """A part name not in the package nor given out yet, such as xl/charts/chart3.xml
        (`folder` is beside the workbook part)."""
        where = posixpath.join(posixpath.dirname(self.part), folder)
        n = max(start, 1)
        while posixpath.join(where, f"{stem}{n}.xml").lower() in self._taken:
            n += 1
        part = posixpath.join(where, f"{stem}{n}.xml")
        self._taken.add(part.lower())
        return part

    def drop_part(self, part: str) -> None:
        """Remove a part of the bot's (a chart it no longer draws) and its content type."""
        stored = self.pkg.find(part)
        if stored is not None:
            self._dropped.add(stored)

    def new_index(self, name: str) -> int:
        """The sheet index a tab added with `add_tab` will have."""
        return len(self.tabs) + [t[0] for t in self._new_tabs].index(name)

    def set_name(self, name: str, index: int, text: str, *, hidden: bool = True) -> None:
        """Set a sheet-scoped defined name (replacing one of the same name); the bot's
        marks are hidden, a tab's print titles are not."""
        self._set_names[(name, index)] = (text, hidden)

    def drop_name(self, name: str, index: int) -> None:
        """Remove a sheet-scoped defined name of a bot tab, if it has one."""
        self._set_names[(name, index)] = None

    def register(self, part: str, content_type: str) -> None:
        """Declare the content type of a new part."""
        self._new_parts[part] = content_type

    def changes(self) -> dict[str, bytes | None]:
        """The edited workbook part, its relationships and content types (only those that
        change), and None for each part dropped."""
        out: dict[str, bytes | None] = dict.fromkeys(self._dropped)
        edits: list[tuple[int, int, bytes]] = []
        pre = prefix_of(self.root.name)
        r_attr = self._rel_attr()
        declare = "" if r_attr != "r:id" or "xmlns:r" in self.root.attrs else f' xmlns:r="{REL_NS}"'
        if self._new_tabs:
            sheets = self.root.kid("sheets")
            new = "".join(
                f'<{pre}sheet{declare} name="{attr(name)}" sheetId="{sid}" {r_attr}="{rid}"/>'
                for name, _, rid, sid in self._new_tabs
            ).encode()
            if sheets is None:
                raise BookError("the workbook has no list of tabs")
            edits.append(append_child(self.data, sheets, new))
        pending = dict(self._set_names)
        for node in self.names:
            key = (node.attrs.get("name", ""), _int(node.attrs.get("localSheetId"), -1))
            if key in pending:
                want = pending.pop(key)
                if want is None:
                    edits.append((node.start, node.end, b""))
                elif (node.text, node.attrs.get("hidden") in ("1", "true")) != want:
                    edits.append((node.start, node.end, _defined(pre, *key, *want)))
        adding = {key: want for key, want in pending.items() if want is not None}
        if adding:
            body = b"".join(_defined(pre, n, i, *want) for (n, i), want in adding.items())
            names = self.root.kid("definedNames")
            if names is not None:
                edits.append(append_child(self.data, names, body))
            else:
                after = next((c for c in self.root.children if c.local in _AFTER_NAMES), None)
                pos = after.start if after else (self.root.close or self.root.end)
                block = f"<{pre}definedNames>".encode() + body + f"</{pre}definedNames>".encode()
                edits.append((pos, pos, block))
        if edits:
            out[self.part] = splice(self.data, edits)
        if self._new_rels:
            out.update(self._rels_changes())
        out.update(self._content_types())
        return out

    def _rels_changes(self) -> dict[str, bytes]:
        base = posixpath.dirname(self.part)
        items = "".join(
            f'<Relationship Id="{rid}" Type="{kind}" '
            f'Target="{attr(posixpath.relpath(part, base))}"/>'
            for rid, kind, part in self._new_rels
        ).encode()
        if self.rels.root is None:
            return {self.rels.part: relationships(items)}
        return {self.rels.part: splice(self.rels.data, [append_child(
            self.rels.data, self.rels.root, _prefixed(items, self.rels.root)
        )])}  # fmt: skip

    def _content_types(self) -> dict[str, bytes]:
        if not self._new_parts and not self._dropped:
            return {}
        stored = self.pkg.find("[Content_Types].xml")
        if stored is None:
            raise BookError("[Content_Types].xml is missing")
        data = self.pkg.read(stored)
        root = outline(data, depth=2)
        overrides = root.kids("Override")
        known = {n.attrs.get("PartName", "").lower() for n in overrides}
        defaults = {n.attrs.get("Extension", "").lower() for n in root.kids("Default")}
        gone = {"/" + p.lower() for p in self._dropped}
        edits = [(n.start, n.end, b"") for n in overrides
                 if n.attrs.get("PartName", "").lower() in gone]  # fmt: skip
        new = []
        for part, kind in self._new_parts.items():
            if "/" + part.lower() in known - gone:
                continue
            if part.endswith(".rels") and "rels" in defaults:
                continue
            new.append(f'<Override PartName="/{attr(part)}" ContentType="{kind}"/>')
        if new:
            edits.append(append_child(data, root, _prefixed("".join(new).encode(), root)))
        if not edits:
            return {}
        return {stored: splice(data, edits)}


def _prefixed(xml: bytes, parent: Node) -> bytes:
    pre = prefix_of(parent.name)
    if not pre:
        return xml
    return re.sub(rb"<(/?)(Relationship|Override)\b", lambda m: b"<" + m.group(1) + pre.encode()
                  + m.group(2), xml)  # fmt: skip


def _defined(pre: str, name: str, index: int, text: str, hidden: bool = True) -> bytes:
    flag = ' hidden="1"' if hidden else ""
    return (
        f'<{pre}definedName name="{name}" localSheetId="{index}"{flag}>'
        f"{esc(text)}</{pre}definedName>"
    ).encode()


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def relationships(items: bytes) -> bytes:
    """A relationships part holding `items`."""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="' + PKG_REL_NS.encode() + b'">' + items + b"</Relationships>"
    )


def new_workbook_parts(macro: bool) -> dict[str, bytes]:
    """The parts of a workbook with no tabs yet (the bot adds its own at once)."""
    workbook_ct = MACRO_WORKBOOK_CT if macro else WORKBOOK_CT
    return {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="{CT_NS}">'
            f'<Default Extension="rels" ContentType="{RELS_CT}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{workbook_ct}"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{STYLES_CT}"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": relationships(
            f'<Relationship Id="rId1" Type="{REL_TYPE}officeDocument" '
            'Target="xl/workbook.xml"/>'.encode()
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr/>'
            '<bookViews><workbookView activeTab="0"/></bookViews><sheets></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": relationships(
            f'<Relationship Id="rId1" Type="{STYLES_TYPE}" Target="styles.xml"/>'.encode()
        ),
    }


def check_package(pkg: Package) -> None:
    """Raise PackageError unless `pkg` looks like a spreadsheet package at all."""
    if pkg.find("[Content_Types].xml") is None:
        raise PackageError("no [Content_Types].xml: this is a zip file, but not a workbook")


__all__ = [
    "OWNER_TEXT",
    "STATUS_MARK",
    "Book",
    "BookError",
    "Rels",
    "Tab",
    "XmlError",
    "new_workbook_parts",
    "read_rels",
    "relationships",
    "resolve",
]
