"""Small tools for editing the XML parts of a workbook in place, byte by byte.

The bot never re-serialises a part a person wrote: it finds the elements it needs with
their byte positions (expat reports them) and splices its changes in, so everything else
in the part stays exactly as Excel or LibreOffice wrote it. Namespace prefixes are kept as
the file uses them (`<x:c>` works as well as `<c>`).
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterable
from dataclasses import dataclass, field

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"

# Excel's limits: 1,048,576 rows, 16,384 columns (XFD), 32,767 characters in a cell.
MAX_ROW = 1_048_576
MAX_COLUMN = 16_384
MAX_CELL_TEXT = 32_767

# Characters XML 1.0 cannot hold at all (Excel writes them as _x0001_ escapes).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What `clean` removes or `esc` escapes: a text without any is written as it is.
SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff&<>]")
_TAG_END = re.compile(rb"""(?:[^"'>]|"[^"]*"|'[^']*')*>""")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


class XmlError(Exception):
    """A part is not well-formed XML, or uses what workbooks never use (a DOCTYPE)."""


def parser() -> xml.parsers.expat.XMLParserType:
    """An expat parser that refuses DOCTYPEs and entity declarations (entity bombs)."""
    p = xml.parsers.expat.ParserCreate()
    p.buffer_text = True

    def refuse(*_: object) -> None:
        raise XmlError("the part declares a DOCTYPE or entities, which workbooks never do")

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    return p


def run(p: xml.parsers.expat.XMLParserType, data: bytes) -> None:
    """Parse `data` completely; malformed XML becomes an XmlError with its line."""
    try:
        p.Parse(data, True)
    except xml.parsers.expat.ExpatError as exc:
        raise XmlError(f"not well-formed XML ({exc})") from None
    finally:
        # The handlers are closures that refer to the parser (and to what they built):
        # dropping them ends that cycle now, so a sheet's scan is freed as soon as it is
        # no longer used instead of at the garbage collector's next full pass.
        p.StartElementHandler = p.EndElementHandler = p.CharacterDataHandler = None


def local(name: str) -> str:
    """An element or attribute name without its namespace prefix."""
    return name.rpartition(":")[2]


def prefix_of(name: str) -> str:
    """The prefix of a qualified name, with its colon ("x:"), or ""."""
    head, sep, _ = name.rpartition(":")
    return head + sep


@dataclass
class Node:
    """An element with its byte span: `start` at "<", `inner` after the start tag, `close`
    at its end tag (None when self-closing), `end` after the element."""

    name: str
    attrs: dict[str, str]
    start: int
    inner: int = 0
    close: int | None = None
    end: int = 0
    children: list[Node] = field(default_factory=list)
    text: str = ""

    @property
    def local(self) -> str:
        """The element's name without prefix."""
        return local(self.name)

    def kids(self, name: str) -> list[Node]:
        """Children with this local name."""
        return [c for c in self.children if c.local == name]

    def kid(self, name: str) -> Node | None:
        """The first child with this local name."""
        return next((c for c in self.children if c.local == name), None)


def outline(data: bytes, *, depth: int = 3, text: Iterable[str] = ()) -> Node:
    """The element tree of a small part down to `depth` levels, with byte spans; the text
    of elements named in `text` is collected."""
    p = parser()
    keep_text = set(text)
    stack: list[Node | None] = []
    root: list[Node] = []
    chunks: list[list[str] | None] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= depth:
            stack.append(None)  # deeper than asked: only kept to balance the stack
            chunks.append(None)
            return
        pos = p.CurrentByteIndex
        node = Node(name, attrs, pos, inner=tag_end(data, pos))
        parent = stack[-1] if stack else None
        (parent.children if parent is not None else root).append(node)
        stack.append(node)
        chunks.append([] if local(name) in keep_text else None)

    def end(name: str) -> None:
        node = stack.pop()
        texts = chunks.pop()
        if node is None:
            return
        pos = p.CurrentByteIndex
        if is_end_tag(data, pos, name):
            node.close = pos
            node.end = data.index(b">", pos) + 1
        else:
            node.end = node.inner
        if texts is not None:
            node.text = "".join(texts)

    def chars(value: str) -> None:
        if chunks and chunks[-1] is not None:
            chunks[-1].append(value)

    p.StartElementHandler = start
    p.EndElementHandler = end
    p.CharacterDataHandler = chars
    run(p, data)
    if not root:
        raise XmlError("the part is empty")
    return root[0]


def tag_end(data: bytes, start: int) -> int:
    """The position just after the start tag that begins at `start` ("<" included)."""
    match = _TAG_END.match(data, start + 1)
    if match is None:
        raise XmlError(f"an unterminated tag at byte {start}")
    return match.end()


def is_end_tag(data: bytes, pos: int, name: str) -> bool:
    """Whether an end tag `</name>` starts at `pos` (expat puts the end event of an empty
    element `<x/>` just after it, and that of `<x>...</x>` at its end tag)."""
    tag = b"</" + name.encode("utf-8")
    return data.startswith(tag, pos) and data[pos + len(tag) : pos + len(tag) + 1] in (
        b">", b" ", b"\t", b"\r", b"\n",
    )  # fmt: skip


_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")


def utf8(data: bytes) -> bool:
    """Whether an XML part is UTF-8 (what every office program writes, and what the bot
    splices into)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        return False
    declared = _DECLARED.match(data.removeprefix(b"\xef\xbb\xbf"))
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def splice(data: bytes, edits: Iterable[tuple[int, int, bytes]]) -> bytes:
    """`data` with each (start, end, replacement) applied; spans must not overlap."""
    if not utf8(data):
        raise XmlError("a part is not stored as UTF-8 (e.g. UTF-16), which the bot does not edit")
    out: list[bytes] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            raise ValueError(f"overlapping edits at byte {start}")
        out.append(data[pos:start])
        out.append(new)
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def append_child(data: bytes, node: Node, child: bytes) -> tuple[int, int, bytes]:
    """The edit that adds `child` as the last child of `node` (opening an empty element)."""
    if node.close is not None:
        return (node.close, node.close, child)
    opening = data[node.start : node.end]
    opened = opening[:-2].rstrip() + b">"
    return (node.start, node.end, opened + child + b"</" + node.name.encode() + b">")


def set_attrs(tag: bytes, values: dict[str, str | None]) -> bytes:
    """A start tag with attributes set (added at the end when absent) or removed (None)."""
    out = tag
    for name, value in values.items():
        pattern = re.compile(rb"(\s)" + re.escape(name.encode()) + rb"""\s*=\s*("[^"]*"|'[^']*')""")
        if value is None:
            out = pattern.sub(b"", out, count=1)
            continue
        new = name.encode() + b'="' + attr(value).encode("utf-8") + b'"'
        found = pattern.search(out)
        if found:
            out = out[: found.start()] + found.group(1) + new + out[found.end() :]
        else:
            # Right after the element's name, so every other byte of the tag stays put.
            name_end = re.match(rb"<[^\s/>]+", out)
            at = name_end.end() if name_end else len(out) - 1
            out = out[:at] + b" " + new + out[at:]
    return out


def clean(text: str) -> str:
    """Text XML can hold, cut to what one Excel cell holds."""
    text = _ILLEGAL.sub("", text)
    if len(text) > MAX_CELL_TEXT:
        text = text[: MAX_CELL_TEXT - 1] + "…"
    return text


def esc(text: str) -> str:
    """Text escaped for element content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(text: str) -> str:
    """Text escaped for an attribute value in double quotes."""
    return (
        esc(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def column_number(letters: str) -> int:
    """1-based column number of column letters (A -> 1, XFD -> 16384)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def split_ref(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference such as "AB12" or "$AB$12"; None if it is none."""
    match = _REF.match(ref.strip())
    if match is None:
        return None
    return int(match.group(2)), column_number(match.group(1))


def range_bounds(ref: str) -> tuple[int, int, int, int] | None:
    """(first row, first column, last row, last column) of "A1:C3" or "B2"."""
    first, _, last = ref.partition(":")
    a = split_ref(first)
    b = split_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])
