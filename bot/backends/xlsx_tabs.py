"""The bot's own tabs (provincial, national, summary, issues, register, dashboards) as
worksheet parts, written from scratch with the look their `Layout` asks for, and their
charts.

Text goes in as inline strings, so the workbook's shared strings (a person's part) are never
touched, and copied text is always text: a cell typed as `=IMPORTXML(...)` is copied as those
characters and never becomes a formula. The same rows always give the same bytes, so an
unchanged tab is recognised by comparing bytes and not written.

What a tab's layout becomes: number formats, fills, bold and wrapping as cell formats
(`xlsx_looks`); frozen rows and columns as a pane; the filter as `<autoFilter>` (and the
hidden name `_xlnm._FilterDatabase` Excel keeps beside it); status colours as conditional
rules (`beginsWith`, first listed first); widths as `<cols>`; page setup as `<pageSetup>`
fitted to the page width, with the header rows repeated through the name
`_xlnm.Print_Titles`; charts as a drawing (`xlsx_drawing`).
"""

from __future__ import annotations

import functools
import math
import posixpath
from collections.abc import Callable, Sequence

from bot.backends.xlsx_book import (
    HYPERLINK_TYPE,
    OWNER_TEXT,
    RELS_CT,
    Book,
    BookError,
    Tab,
    read_rels,
    relationships,
    rels_part,
)
from bot.backends.xlsx_drawing import DRAWING_TYPE, drawing_parts
from bot.backends.xlsx_looks import Painter
from bot.backends.xlsx_styles import Styles
from bot.backends.xlsx_xml import MAIN_NS, MAX_CELL_TEXT, REL_NS, SPECIAL, attr, clean, esc
from bot.backends.xlsx_zip import Package, Packed, Packer
from bot.model import BotTab, LinkedText, OutCell
from bot.presentation import STYLE_COLOURS, Layout, PageSetup, Range
from bot.sheets import OWNER_MARK, column_letter, quote_tab
from bot.thai import display_width

# One cell to write: its value, and an external file and an in-workbook location to link to.
Out = tuple[str | int | float | None, str | None, str | None]

WIDE, NARROW = 60, 22
# The height of one line of text in points (Excel's default row), and the most lines a row
# grows to (Excel's limit is 409 points).
LINE_PT = 15
MAX_LINES = 20
PRINT_TITLES = "_xlnm.Print_Titles"
FILTER_NAME = "_xlnm._FilterDatabase"
PAPER_SIZES = {"A4": 9}
# The footer of every printed page: the tab's name, and page n of m.
FOOTER = "&amp;L&amp;A&amp;Rหน้า &amp;P / &amp;N"


def write_tab(
    pkg: Package,
    book: Book,
    styles: Styles,
    bot_tab: BotTab,
    link: Callable[[LinkedText], Out],
    *,
    tab: Tab | None,
    owned: bool,
) -> dict[str, bytes | Packed | None]:
    """The parts to write (None: to drop) for one bot tab, its charts included; empty when
    the tab the bot owns already holds exactly this. `link` turns each linked cell into
    what is written (see `render`). Names the tab's print titles and
    filter in the workbook (`book`), and marks a new tab as the bot's."""
    if tab is None:
        part = book.add_tab(bot_tab.name)
        index = book.new_index(bot_tab.name)
    else:
        if tab.part is None:
            raise BookError(f"the tab {bot_tab.name!r} points at a part that is missing")
        part, index = tab.part, tab.index
    old = read_rels(pkg, part) if tab is not None and owned else None
    charts = drawing_parts(pkg, book, old, bot_tab.charts, bot_tab.name)
    sheet, targets = render(bot_tab, link, styles, drawing=charts.drawing is not None)
    items = [
        f'<Relationship Id="rId{i}" Type="{HYPERLINK_TYPE}" Target="{attr(t)}" '
        'TargetMode="External"/>'
        for i, t in enumerate(targets, start=1)
    ]
    if charts.drawing is not None:
        target = posixpath.relpath(charts.drawing, posixpath.dirname(part))
        items.append(
            f'<Relationship Id="rId{len(targets) + 1}" Type="{DRAWING_TYPE}" '
            f'Target="{attr(target)}"/>'
        )
    parts: dict[str, bytes | Packed] = {part: sheet, **charts.parts}
    dropped = list(charts.dropped)
    if items:
        parts[rels_part(part)] = relationships("".join(items).encode("utf-8"))
    elif tab is not None and pkg.find(rels_part(part)):
        dropped.append(rels_part(part))
    _names(book, bot_tab, index)
    present = [d for d in dropped if pkg.find(d)]
    if owned and not present and all(pkg.same(name, data) for name, data in parts.items()):
        return {}
    for name in present:
        book.drop_part(name)
    if rels_part(part) in parts:
        book.register(rels_part(part), RELS_CT)
    for name, content_type in charts.types.items():
        book.register(name, content_type)
    for name in charts.parts:
        if name.endswith(".rels"):
            book.register(name, RELS_CT)
    if not owned:
        book.set_name(OWNER_MARK, index, OWNER_TEXT)
    return {**parts, **dict.fromkeys(present)}


def _names(book: Book, bot_tab: BotTab, index: int) -> None:
    """The tab's print titles and its filter's range, as Excel keeps them: defined names."""
    layout, quoted = bot_tab.layout, quote_tab(bot_tab.name)
    repeat = layout.page.repeat_rows
    if repeat:
        book.set_name(PRINT_TITLES, index, f"{quoted}!$1:${repeat}", hidden=False)
    else:
        book.drop_name(PRINT_TITLES, index)
    if layout.filter is not None:
        book.set_name(FILTER_NAME, index, f"{quoted}!{_absolute(layout.filter)}")
    else:
        book.drop_name(FILTER_NAME, index)


def render(
    tab: BotTab, link: Callable[[LinkedText], Out], styles: Styles, *, drawing: bool = False
) -> tuple[Packed, list[str]]:
    """The worksheet part of a bot tab, and the external targets of its links (relationship
    ids rId1, rId2... in this order; a drawing, if any, takes the next id). `link` turns
    each linked cell into what is written, and the part is written row by row as UTF-8 and
    deflated as it goes (`Packer`): the national roll-up is tens of MB of XML (half a
    million cells), and only its compressed bytes are held.

    Half a million cells make this the bot's busiest loop, so the work that is the same for
    every cell of a column (its width, whether its band wraps it) is done once, and a text
    with nothing to clean or escape (nearly all) is written as it is after one search."""
    layout = tab.layout
    raw = tab.rows
    width = max((len(r) for r in raw), default=0)
    letters = [column_letter(c) for c in range(1, max(width, len(layout.widths)) + 2)]
    painter = Painter(layout, width, len(raw), styles)
    links: list[str] = []
    targets: list[str] = []
    widths = _widths(tab, width)
    rooms = [widths[c] if c < len(widths) else NARROW for c in range(len(letters))]
    # A wrapped text of up to this many characters, without a line break, takes one line.
    one_line = [max(room - 1, 1.0) for room in rooms]
    # The last row written (the sheet's dimension comes before its rows): one with a value,
    # or with cells coloured though empty.
    last_row = next((r for r in range(len(raw), 0, -1) if painter.band(r).filled
                     or not all(map(_blank, raw[r - 1]))), 0)  # fmt: skip
    page = layout.page
    out = Packer()
    write = out.write
    write("".join([
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if page.fit_width else "",
        f'<dimension ref="A1:{letters[max(width, 1) - 1]}{max(last_row, 1)}"/>',
        _view(layout),
        '<sheetFormatPr defaultRowHeight="15"/>',
        _cols(tab, width),
        "<sheetData>" if last_row else "<sheetData/>",
    ]).encode("utf-8"))  # fmt: skip
    special = SPECIAL.search
    for r in range(1, last_row + 1):
        row = raw[r - 1]
        size = len(row)
        band = painter.band(r)
        formats = band.formats
        filled = band.filled
        wraps = band.wraps
        lines = 1
        # A note alone on its line runs on to the right instead of wrapping in column A.
        alone = bool(wraps) and wraps[0] and sum(1 for v in row if not _blank(v)) == 1
        cells: list[str] = []
        columns = range(max(size, filled[-1] + 1)) if filled else range(size)
        for c in columns:
            value = row[c] if c < size else None
            if type(value) is str and value:  # most cells: a text without a link
                text: str | None = value
                target = location = None
                linked = False
                style = formats[c] if c < len(formats) else 0
            else:
                text = target = location = None
                if isinstance(value, LinkedText):
                    value, target, location = link(value)
                if value is None or value == "":
                    if c in filled:
                        cells.append(f'<c r="{letters[c]}{r}" s="{formats[c]}"/>')
                    continue
                linked = bool(target or location)
                style = band.link(c) if linked else (formats[c] if c < len(formats) else 0)
                s = f' s="{style}"' if style else ""
                if isinstance(value, bool):
                    cells.append(f'<c r="{letters[c]}{r}"{s} t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
                    cells.append(f'<c r="{letters[c]}{r}"{s}><v>{value!r}</v></c>')
                else:
                    text = str(value)
            if text is not None:
                if special(text) is None and len(text) <= MAX_CELL_TEXT:
                    escaped = text  # nothing XML cannot hold, nothing to escape
                else:
                    text = clean(text)
                    escaped = esc(text)
                room = rooms[c]
                wrap = c < len(wraps) and wraps[c]
                if wrap and alone and c == 0:
                    wrap = False
                    style = band.variant(c, link=linked, wrap=False)
                elif (
                    not wrap
                    and len(text) + 2 > room
                    and c + 1 < size
                    and not _blank(row[c + 1])
                    and _display_width(text) + 2 > room
                ):
                    # Wider than its column with something on its right: it would be cut
                    # off (beyond the rows widths were measured on, say), so it wraps.
                    wrap = True
                    style = band.variant(c, link=linked, wrap=True)
                if wrap and (len(text) > one_line[c] or "\n" in text):
                    lines = max(lines, _lines(text, room))
                s = f' s="{style}"' if style else ""
                cells.append(
                    f'<c r="{letters[c]}{r}"{s} t="inlineStr"><is><t xml:space="preserve">'
                    f"{escaped}</t></is></c>"
                )
            if linked:
                where = f' location="{attr(location)}"' if location else ""
                if target:
                    targets.append(target)
                    where = f' r:id="rId{len(targets)}"' + where
                links.append(f'<hyperlink ref="{letters[c]}{r}"{where}/>')
        if cells:
            # Wrapped text needs a taller row, and not every program grows one on opening
            # (LibreOffice keeps the default height): the height is written with the row.
            height = (
                f' ht="{min(lines, MAX_LINES) * LINE_PT}" customHeight="1"' if lines > 1 else ""
            )
            write(f'<row r="{r}"{height}>{"".join(cells)}</row>'.encode())
    parts = ["</sheetData>" if last_row else ""]
    if layout.filter is not None:
        parts.append(f'<autoFilter ref="{_plain(layout.filter)}"/>')
    parts.append(_rules(layout, styles))
    if links:
        parts.append("<hyperlinks>" + "".join(links) + "</hyperlinks>")
    parts.append(_page(page))
    if drawing:
        parts.append(f'<drawing r:id="rId{len(targets) + 1}"/>')
    parts.append("</worksheet>")
    write("".join(parts).encode("utf-8"))
    return out.done(), targets


def _blank(value: OutCell) -> bool:
    """Whether a cell shows nothing (a link's text included)."""
    if isinstance(value, LinkedText):
        value = value.text
    return value is None or value == ""


def _view(layout: Layout) -> str:
    """The sheet view: frozen header rows and columns, the cursor below them."""
    rows, columns = layout.frozen_rows, layout.frozen_columns
    if not rows and not columns:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    corner = f"{column_letter(columns + 1)}{rows + 1}"
    pane = "bottomRight" if rows and columns else ("bottomLeft" if rows else "topRight")
    split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
    return (
        '<sheetViews><sheetView workbookViewId="0">'
        f'<pane{split} topLeftCell="{corner}" activePane="{pane}" state="frozen"/>'
        f'<selection pane="{pane}" activeCell="{corner}" sqref="{corner}"/>'
        "</sheetView></sheetViews>"
    )


def _widths(tab: BotTab, width: int) -> Sequence[float]:
    """Column widths in characters: the layout's, or generous ones for long text."""
    if tab.layout.widths:
        return tab.layout.widths
    return [WIDE if c in tab.wide_columns else NARROW for c in range(width)]


@functools.lru_cache(maxsize=1 << 12)
def _lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a column `width` characters wide. A Thai
    letter is a little narrower than the digit a width counts in, which about makes up
    for the room lost where lines break between words: a line holds `width - 1`. Kept for
    the texts seen last: a roll-up wraps the same few notes and statuses on many rows."""
    room = max(width - 1, 1.0)
    if len(text) <= room and "\n" not in text:
        return 1
    return sum(max(math.ceil(_display_width(part) / room), 1) for part in text.split("\n"))


@functools.lru_cache(maxsize=1 << 12)
def _display_width(text: str) -> int:
    return display_width(text)


def _cols(tab: BotTab, width: int) -> str:
    """Column widths in characters."""
    widths = _widths(tab, width)
    if not widths:
        return ""
    cols = "".join(
        f'<col min="{c}" max="{c}" width="{w:.4g}" customWidth="1"/>'
        for c, w in enumerate(widths, start=1)
    )
    return f"<cols>{cols}</cols>"


def _rules(layout: Layout, styles: Styles) -> str:
    """Conditional colours: a cell whose text begins with a rule's prefix takes its fill;
    rules are listed most specific first, so the first that matches wins (priority)."""
    out: list[str] = []
    for priority, rule in enumerate(layout.rules, start=1):
        sqref = _plain(rule.range)
        corner = f"{column_letter(rule.range.left)}{rule.range.top}"
        colour = STYLE_COLOURS[rule.style]
        dxf = styles.dxf("FF" + colour)
        text = '"' + rule.prefix.replace('"', '""') + '"'
        formula = f"LEFT({corner},LEN({text}))={text}"
        out.append(
            f'<conditionalFormatting sqref="{sqref}"><cfRule type="beginsWith" dxfId="{dxf}" '
            f'priority="{priority}" stopIfTrue="1" operator="beginsWith" '
            f'text="{attr(rule.prefix)}"><formula>{esc(formula)}</formula></cfRule>'
            "</conditionalFormatting>"
        )
    return "".join(out)


def _page(page: PageSetup) -> str:
    """Margins, paper, orientation and fit to the page width (any number of pages down)."""
    fit = ' fitToWidth="1" fitToHeight="0"' if page.fit_width else ""
    orientation = "landscape" if page.landscape else "portrait"
    return (
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="{PAPER_SIZES[page.paper]}" orientation="{orientation}"{fit}/>'
        f"<headerFooter><oddFooter>{FOOTER}</oddFooter></headerFooter>"
    )


def _plain(r: Range) -> str:
    first, last = f"{column_letter(r.left)}{r.top}", f"{column_letter(r.right)}{r.bottom}"
    return first if first == last else f"{first}:{last}"


def _absolute(r: Range) -> str:
    return f"${column_letter(r.left)}${r.top}:${column_letter(r.right)}${r.bottom}"
