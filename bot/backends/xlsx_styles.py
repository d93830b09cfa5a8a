"""The styles part of a workbook: which cells show dates, which carry the bot's highlight,
and the cell formats the bot adds (its two highlight fills, the looks of its own tabs).

A cell's look is an index into `<cellXfs>`. To colour a cell the bot points it at a format
equal to its own except for the fill, reusing one that exists or appending it; to take the
colour away it points the cell back at the same format without the fill. The bot's tabs
use formats built from the workbook's default font (`look`), number formats (`<numFmts>`)
and, for conditional colours, differential formats (`<dxfs>`). Every one of these lists is
only ever appended to, reusing an equal entry when there is one, so every index a person's
cell or rule uses keeps its meaning and a second sync adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

from bot.backends.xlsx_xml import (
    MAIN_NS,
    Node,
    attr,
    outline,
    prefix_of,
    set_attrs,
    splice,
)

# The bot's highlight colours (ARGB). Only cells with exactly these fills are ever
# un-coloured by the bot, so a colour a person chose is never removed.
BOT_COLOURS = {"error": "FFF8CBCB", "warning": "FFFFF0B3"}
HEADER_COLOUR = "FFDDEBF7"
LINK_COLOUR = "FF0563C1"

# Custom number formats get ids from 164 up (below are Excel's built-in ones).
FIRST_CUSTOM_FORMAT = 164
_BUILTIN_IDS: dict[str, int] = {
    code: i for i, code in sorted(BUILTIN_FORMATS.items(), reverse=True)
}

# CT_Stylesheet's order, to put a missing container where Excel expects it.
_ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles",
          "dxfs", "tableStyles", "colors", "extLst")  # fmt: skip

DEFAULT_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/>'
    '<scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
).encode()


class Look(NamedTuple):
    """How one cell of a bot tab looks: number format code, fill (ARGB), bold, wrapped,
    a link (blue, underlined), aligned to the top of its row."""

    number: str | None = None
    fill: str | None = None
    bold: bool = False
    wrap: bool = False
    link: bool = False
    top: bool = False


@dataclass(frozen=True)
class _Xf:
    """A cell format as the bot compares them: attributes (fill apart) and children."""

    attrs: tuple[tuple[str, str], ...]
    fill: str
    children: bytes


class Styles:
    """The styles part, read, and the formats the bot appends to it."""

    def __init__(self, data: bytes | None) -> None:
        """Read the styles part (None: the workbook has none, the default one is used)."""
        self.missing = data is None
        self.data = DEFAULT_STYLES if data is None else data
        self.root = outline(self.data, depth=5)
        self.prefix = prefix_of(self.root.name)
        formats: dict[int, str] = dict(BUILTIN_FORMATS)
        numfmts = self.root.kid("numFmts")
        self._custom: dict[str, int] = {}  # format code -> id, the workbook's own first
        for node in numfmts.kids("numFmt") if numfmts else []:
            try:
                number = int(node.attrs.get("numFmtId", "-1"))
            except ValueError:
                continue
            formats[number] = node.attrs.get("formatCode", "")
            self._custom.setdefault(formats[number], number)
        self._numfmt_count = len(numfmts.kids("numFmt")) if numfmts else 0
        self._next_format = max([FIRST_CUSTOM_FORMAT - 1, *formats]) + 1
        self.fills = self._list("fills", "fill")
        self.fonts = self._list("fonts", "font")
        self.xfs = self._list("cellXfs", "xf")
        self.dxfs = self._list("dxfs", "dxf")
        self.dates: set[int] = set()
        self.durations: set[int] = set()
        for index, xf in enumerate(self.xfs):
            code = formats.get(_int(xf.attrs.get("numFmtId")), "")
            if code and is_date_format(code):
                self.dates.add(index)
                if is_timedelta_format(code):
                    self.durations.add(index)
        self._colours = [_solid(fill) for fill in self.fills]
        self._keys = [self._key(xf) for xf in self.xfs]
        self._index: dict[_Xf, int] = {}
        for i, key in enumerate(self._keys):
            self._index.setdefault(key, i)
        self._severity: dict[int, str | None] = {}
        self._new_fills: list[bytes] = []
        self._new_fonts: list[bytes] = []
        self._new_xfs: list[bytes] = []
        self._new_numfmts: list[bytes] = []
        self._new_dxfs: list[bytes] = []
        self._looks: dict[Look, int] = {}

    def _list(self, container: str, item: str) -> list[Node]:
        node = self.root.kid(container)
        return node.kids(item) if node is not None else []

    def _key(self, xf: Node) -> _Xf:
        attrs = {k: v for k, v in xf.attrs.items() if k not in ("fillId", "applyFill")}
        children = b"" if xf.close is None else self.data[xf.inner : xf.close]
        return _Xf(tuple(sorted(attrs.items())), xf.attrs.get("fillId", "0"), children)

    # -- what a cell shows ---------------------------------------------------------------

    def colour(self, style: int) -> str | None:
        """The solid fill colour of a cell format (ARGB), "" for a pattern that is not a
        plain colour, None when the format has no fill."""
        key = self._xf_key(style)
        fill = _int(key.fill)
        if fill < len(self._colours):
            return self._colours[fill]
        added = fill - len(self._colours)
        return _solid_bytes(self._new_fills[added]) if added < len(self._new_fills) else None

    def bot_severity(self, style: int) -> str | None:
        """ "error" or "warning" when the format carries one of the bot's highlights."""
        colour = self.colour(style)
        return next((k for k, v in BOT_COLOURS.items() if v == colour), None)

    def _xf_key(self, style: int) -> _Xf:
        if 0 <= style < len(self._keys):
            return self._keys[style]
        if self._keys:
            return self._keys[0]
        return _Xf((), "0", b"")

    # -- formats the bot adds ---------------------------------------------------------------

    def with_fill(self, style: int, colour: str | None) -> int:
        """The format equal to `style` but filled with `colour` (None: no fill)."""
        key = self._xf_key(style)
        fill = "0" if colour is None else str(self._fill(colour))
        return self._xf(_Xf(key.attrs, fill, key.children))

    def bold(self) -> int:
        """The default format in bold (the status column's header)."""
        font = str(self._font(bold=True))
        attrs = (("applyFont", "1"), ("borderId", "0"), ("fontId", font), ("numFmtId", "0"),
                 ("xfId", "0"))  # fmt: skip
        return self._xf(_Xf(attrs, "0", b""))

    def header(self) -> int:
        """Bold on the header colour, wrapped: the header row of the bot's tabs."""
        return self.look(Look(fill=HEADER_COLOUR, bold=True, wrap=True, top=True))

    def link(self) -> int:
        """Blue and underlined: a cell that links to another cell."""
        return self.look(Look(link=True))

    def look(self, look: Look) -> int:
        """The cell format of a look (0, the default, for the plain one)."""
        found = self._looks.get(look)
        if found is not None:
            return found
        if look == Look():
            self._looks[look] = 0
            return 0
        attrs = {"borderId": "0", "xfId": "0"}
        font = 0
        if look.bold or look.link:
            link = LINK_COLOUR if look.link else None
            font = self._font(bold=look.bold, colour=link, underline=look.link)
            attrs["applyFont"] = "1"
        attrs["fontId"] = str(font)
        number = self.number_format(look.number) if look.number else 0
        attrs["numFmtId"] = str(number)
        if number:
            attrs["applyNumberFormat"] = "1"
        children = b""
        if look.wrap or look.top:
            align = (' wrapText="1"' if look.wrap else "") + (' vertical="top"' if look.top else "")
            children = self._tag("alignment", align)
            attrs["applyAlignment"] = "1"
        fill = str(self._fill(look.fill)) if look.fill else "0"
        index = self._xf(_Xf(tuple(sorted(attrs.items())), fill, children))
        self._looks[look] = index
        return index

    def number_format(self, code: str) -> int:
        """The id of a number format code: Excel's own, the workbook's, or one appended."""
        if code in _BUILTIN_IDS:
            return _BUILTIN_IDS[code]
        if code in self._custom:
            return self._custom[code]
        number = self._next_format
        self._next_format += 1
        self._custom[code] = number
        self._new_numfmts.append(
            f'<{self.prefix}numFmt numFmtId="{number}" formatCode="{attr(code)}"/>'.encode()
        )
        return number

    def dxf(self, fill: str) -> int:
        """The differential format (for a conditional rule) that fills a cell with `fill`."""
        p, rgb = self.prefix, attr(fill)
        new = (
            f'<{p}dxf><{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
            f'<{p}bgColor rgb="{rgb}"/></{p}patternFill></{p}fill></{p}dxf>'
        ).encode()
        for i, have in enumerate(self.dxfs):
            if self.data[have.start : have.end] == new:
                return i
        if new not in self._new_dxfs:
            self._new_dxfs.append(new)
        return len(self.dxfs) + self._new_dxfs.index(new)

    def _tag(self, name: str, attrs: str) -> bytes:
        return f"<{self.prefix}{name}{attrs}/>".encode()

    def _fill(self, colour: str) -> int:
        for i, have in enumerate(self._colours):
            if have == colour:
                return i
        p, rgb = self.prefix, attr(colour)
        new = (
            f'<{p}fill><{p}patternFill patternType="solid">'
            f'<{p}fgColor rgb="{rgb}"/><{p}bgColor rgb="{rgb}"/></{p}patternFill></{p}fill>'
        ).encode()
        if new in self._new_fills:
            return len(self.fills) + self._new_fills.index(new)
        self._new_fills.append(new)
        return len(self.fills) + len(self._new_fills) - 1

    def _font(
        self, *, bold: bool = False, colour: str | None = None, underline: bool = False
    ) -> int:
        # The workbook's own default font (a Thai office's TH Sarabun stays TH Sarabun),
        # with the one change asked for.
        p = self.prefix
        base = self.fonts[0] if self.fonts else None
        inner = b"" if base is None or base.close is None else self.data[base.inner : base.close]
        extra = b""
        if bold:
            extra += f"<{p}b/>".encode()
        if underline:
            extra += f"<{p}u/>".encode()
        if colour:
            inner = _without(inner, "color")
            extra += f'<{p}color rgb="{colour}"/>'.encode()
        new = f"<{p}font>".encode() + extra + inner + f"</{p}font>".encode()
        existing = [self.data[f.start : f.end] for f in self.fonts]
        if new in existing:
            return existing.index(new)
        if new not in self._new_fonts:
            self._new_fonts.append(new)
        return len(self.fonts) + self._new_fonts.index(new)

    def _xf(self, key: _Xf) -> int:
        if key in self._index:
            return self._index[key]
        attrs = dict(key.attrs)
        attrs["fillId"] = key.fill
        if key.fill != "0":
            attrs["applyFill"] = "1"
        tag = f"<{self.prefix}xf".encode()
        tag = set_attrs(tag + b">", attrs)  # type: ignore[arg-type]
        body = (
            tag + key.children + f"</{self.prefix}xf>".encode()
            if key.children
            else (tag[:-1] + b"/>")
        )
        index = len(self.xfs) + len(self._new_xfs)
        self._new_xfs.append(body)
        self._index[key] = index
        self._keys.append(key)
        return index

    def changes(self) -> bytes | None:
        """The edited styles part, or None when nothing was added."""
        added = (self._new_numfmts, self._new_fonts, self._new_fills, self._new_xfs,
                 self._new_dxfs)  # fmt: skip
        if not any(added) and not self.missing:
            return None
        edits: list[tuple[int, int, bytes]] = []
        for container, items, have in (
            ("numFmts", self._new_numfmts, self._numfmt_count),
            ("fonts", self._new_fonts, len(self.fonts)),
            ("fills", self._new_fills, len(self.fills)),
            ("cellXfs", self._new_xfs, len(self.xfs)),
            ("dxfs", self._new_dxfs, len(self.dxfs)),
        ):
            if not items:
                continue
            node = self.root.kid(container)
            body = b"".join(items)
            count = str(have + len(items))
            if node is None:
                later = _ORDER[_ORDER.index(container) + 1 :]
                after = next((c for c in self.root.children if c.local in later), None)
                pos = after.start if after else (self.root.close or self.root.end)
                p = self.prefix
                block = (
                    f'<{p}{container} count="{count}">'.encode()
                    + body
                    + f"</{p}{container}>".encode()
                )
                edits.append((pos, pos, block))
                continue
            tag = self.data[node.start : node.inner]
            if "count" in node.attrs:
                tag = set_attrs(tag, {"count": count})
            if node.close is None:  # an empty <fills/>: open it
                opened = tag[:-2].rstrip() + b">"
                edits.append((node.start, node.end, opened + body + f"</{node.name}>".encode()))
                continue
            if "count" in node.attrs:
                edits.append((node.start, node.inner, tag))
            edits.append((node.close, node.close, body))
        return splice(self.data, edits)


def _solid(fill: Node) -> str | None:
    pattern = fill.kid("patternFill")
    if pattern is None:
        return "" if fill.children else None  # a gradient counts as a person's colour
    kind = pattern.attrs.get("patternType")
    if kind in (None, "none"):
        return None
    colour = pattern.kid("fgColor")
    if kind == "solid" and colour is not None and "rgb" in colour.attrs:
        return colour.attrs["rgb"].upper()
    return ""


def _solid_bytes(fill: bytes) -> str | None:
    return _solid(outline(fill, depth=3))


def _without(inner: bytes, name: str) -> bytes:
    return re.sub(rb"<(?:\w+:)?" + name.encode() + rb"\b[^>]*/>", b"", inner)


def _int(text: str | None) -> int:
    try:
        return int(text or 0)
    except ValueError:
        return 0
