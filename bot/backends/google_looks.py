"""How a bot tab looks on Google Sheets, from `BotTab.layout` and `BotTab.charts`
(`bot.presentation`) to Sheets API v4 requests. Pure: nothing here sends anything.

Two kinds of looks, kept right in two ways:

* **Cell looks** (number formats, background colours, bold, wrapping) belong to rows: a
  duplicate row's colour must follow the row when rows above it are inserted or deleted.
  They travel inside each written row (`CellLooks.formats`, sent with the row's values by
  `updateCells`), and each row's look is part of its fingerprint (`CellLooks.signature`),
  so the row-by-row difference rewrites exactly the rows whose values or looks changed.
* **Tab looks** (frozen rows and columns, the basic filter, column widths, the text
  rules, the charts) belong to the tab. Each is a part with a short hash; the hashes are
  kept in the tab's developer metadata (`LOOKS_KEY`) and only the parts whose hash
  changed are sent again (`tab_looks`). Filters and rules that reach the last row are
  open-ended, so rows added or removed do not change them. Charts get a chart id derived
  from their stable key and the tab's id: an existing chart is updated in place
  (`updateChartSpec`), never added twice (adding an id that exists is refused as a whole,
  which also makes a batch sent twice fail instead of doubling anything). The bot's own
  text rules are known by their condition (`TEXT_STARTS_WITH`) and a background from the
  bot's palette; they are deleted and added again together, so they never pile up.

Page setup (landscape, fit to width, A4) is not part of the Sheets API v4: Google Sheets
keeps print settings in the browser's print dialog only, so it is not rendered here.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.backends.google_grid import hex_of
from bot.backends.google_requests import create_metadata, metadata_id
from bot.presentation import (
    BOLD_STYLES,
    NUMBER_PATTERNS,
    STYLE_COLOURS,
    ChartSpec,
    Layout,
    Range,
    Style,
    Styled,
)

LOOKS_KEY = "softpower-bot.looks"
LOOKS_PREFIX = "looks1:"
PX_PER_CHARACTER = 7  # Sarabun / Arial at 10 pt in Google Sheets
PX_PADDING = 10
_CHART_TYPES = {"line": "LINE", "bar": "BAR", "column": "COLUMN"}


def colour(hex_rgb: str) -> dict[str, float]:
    """An RGB hex colour as a Sheets `Color`."""
    return {
        "red": int(hex_rgb[0:2], 16) / 255,
        "green": int(hex_rgb[2:4], 16) / 255,
        "blue": int(hex_rgb[4:6], 16) / 255,
    }


def format_key(fmt: dict[str, Any] | None) -> str:
    """What the bot sets of a cell's format, as a short string: number pattern, background,
    bold, wrap. The same for a format the bot renders and one Google returns."""
    if not fmt:
        return ""
    pattern = (fmt.get("numberFormat") or {}).get("pattern", "")
    bold = "b" if (fmt.get("textFormat") or {}).get("bold") else ""
    wrap = "w" if fmt.get("wrapStrategy") == "WRAP" else ""
    key = f"{pattern}|{hex_of(fmt.get('backgroundColor'))}|{bold}|{wrap}"
    return "" if key == "|||" else key


@dataclass(frozen=True)
class _Segment:
    formats: tuple[dict[str, Any] | None, ...]
    signature: str


class CellLooks:
    """Each row's cell formats from a layout, computed once per run of rows that look the
    same (a sweep over the layout's ranges), then looked up per row."""

    def __init__(self, layout: Layout, width: int, rows: int, header_rows: int) -> None:
        items: list[tuple[Range, str, str]] = []
        items += [(f.range, "number", NUMBER_PATTERNS[f.format]) for f in layout.formats]
        styled = list(layout.styled)
        if header_rows and not any(s.style == "header" for s in styled):
            styled.insert(0, Styled(Range(header_rows, 1, header_rows, max(width, 1)), "header"))
        items += [(s.range, "style", s.style) for s in styled]
        last = max(rows, 1)
        items += [(Range(1, c, last, c), "wrap", "") for c in layout.wrap if c <= width]
        starts: dict[int, list[int]] = {}
        ends: dict[int, list[int]] = {}
        for n, (where, _, _) in enumerate(items):
            starts.setdefault(where.top, []).append(n)
            ends.setdefault(where.bottom + 1, []).append(n)
        bounds = sorted({1, last + 1, *starts, *ends})
        self._tops: list[int] = []
        self._segments: list[_Segment] = []
        active: set[int] = set()
        for top in bounds:
            active.difference_update(ends.get(top, ()))
            active.update(starts.get(top, ()))
            self._tops.append(top)
            self._segments.append(self._segment([items[n] for n in sorted(active)], width))
        self._plain = _Segment((None,) * width, "")

    @staticmethod
    def _segment(items: list[tuple[Range, str, str]], width: int) -> _Segment:
        cells: list[dict[str, Any] | None] = [None] * width
        for where, kind, value in items:
            for col in range(where.left, min(where.right, width) + 1):
                fmt = cells[col - 1] or {}
                if kind == "number":
                    number_type = "TEXT" if value == "@" else "NUMBER"
                    fmt["numberFormat"] = {"type": number_type, "pattern": value}
                elif kind == "style":
                    style: Style = value  # type: ignore[assignment]
                    fmt["backgroundColor"] = colour(STYLE_COLOURS[style])
                    if style in BOLD_STYLES:
                        fmt["textFormat"] = {"bold": True}
                    else:
                        fmt.pop("textFormat", None)
                else:
                    fmt["wrapStrategy"] = "WRAP"
                cells[col - 1] = fmt
        keys = [format_key(c) for c in cells]
        while keys and not keys[-1]:
            keys.pop()
        return _Segment(tuple(cells), "\x1c".join(keys))

    def _at(self, row: int) -> _Segment:
        at = bisect.bisect_right(self._tops, row) - 1
        return self._segments[at] if at >= 0 else self._plain

    def formats(self, row: int) -> tuple[dict[str, Any] | None, ...]:
        """The `userEnteredFormat` of each cell of 1-based ``row`` (None: plain)."""
        return self._at(row).formats

    def signature(self, row: int) -> str:
        """1-based ``row``'s look as a string (part of its fingerprint)."""
        return self._at(row).signature


def signature_of_cells(cells: Sequence[dict[str, Any]], width: int) -> str:
    """`CellLooks.signature` of a row as Google returns it (`CellData.userEnteredFormat`)."""
    keys = [format_key(c.get("userEnteredFormat")) for c in cells[:width]]
    while keys and not keys[-1]:
        keys.pop()
    return "\x1c".join(keys)


# -- tab looks ---------------------------------------------------------------------------


def grid_range(sheet_id: int, where: Range, rows: int | None = None) -> dict[str, Any]:
    """A 1-based inclusive range as a GridRange; open-ended below when it reaches the
    tab's last row ``rows`` (rows added or removed then leave it right)."""
    out: dict[str, Any] = {
        "sheetId": sheet_id,
        "startRowIndex": where.top - 1,
        "startColumnIndex": where.left - 1,
        "endColumnIndex": where.right,
    }
    if rows is None or where.bottom < rows:
        out["endRowIndex"] = where.bottom
    return out


def chart_id(key: str, sheet_id: int) -> int:
    """The id of the bot's chart ``key`` on tab ``sheet_id`` (stable across cycles)."""
    return metadata_id(f"chart:{key}", sheet_id)


@dataclass
class TabLooks:
    """A bot tab's tab-level looks as named parts, each a list of requests, and the
    hashes kept in the tab's metadata."""

    parts: dict[str, list[dict[str, Any]]]
    rules: list[dict[str, Any]]  # addConditionalFormatRule requests (part "rules")
    charts: dict[int, tuple[dict[str, Any], dict[str, Any]]]  # id -> (spec, position)

    def hashes(self) -> dict[str, str]:
        """A short hash of each part."""
        return {name: _hash(requests) for name, requests in self.parts.items()}

    def value(self) -> str:
        """The metadata value recording the parts as sent."""
        return LOOKS_PREFIX + ",".join(f"{k}={v}" for k, v in sorted(self.hashes().items()))


def _hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def recorded(value: str | None) -> dict[str, str]:
    """The part hashes a tab's looks metadata records (none when absent or unknown)."""
    if not value or not value.startswith(LOOKS_PREFIX):
        return {}
    pairs = (p.split("=", 1) for p in value[len(LOOKS_PREFIX) :].split(",") if "=" in p)
    return dict(pairs)


def build(layout: Layout, charts: Sequence[ChartSpec], sheet_id: int, rows: int) -> TabLooks:
    """The tab-level looks of a bot tab of ``rows`` rows."""
    parts: dict[str, list[dict[str, Any]]] = {}
    grid = {"frozenRowCount": layout.frozen_rows, "frozenColumnCount": layout.frozen_columns}
    parts["frozen"] = [{"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": grid},
        "fields": "gridProperties(frozenRowCount,frozenColumnCount)"}}]  # fmt: skip
    if layout.filter is not None:
        where = grid_range(sheet_id, layout.filter, rows)
        parts["filter"] = [{"setBasicFilter": {"filter": {"range": where}}}]
    parts["widths"] = _widths(layout.widths, sheet_id)
    rules = []
    for index, rule in enumerate(layout.rules):
        condition = {"type": "TEXT_STARTS_WITH", "values": [{"userEnteredValue": rule.prefix}]}
        fmt = {"backgroundColor": colour(STYLE_COLOURS[rule.style])}
        body = {"ranges": [grid_range(sheet_id, rule.range, rows)],
                "booleanRule": {"condition": condition, "format": fmt}}  # fmt: skip
        rules.append({"addConditionalFormatRule": {"rule": body, "index": index}})
    parts["rules"] = rules
    out = TabLooks(parts, rules, {})
    for spec in charts:
        cid = chart_id(spec.key, sheet_id)
        body, position = chart_spec(spec, sheet_id), chart_position(spec, sheet_id)
        out.charts[cid] = (body, position)
        parts[f"chart{cid}"] = [{"chart": body, "position": position}]
    return out


def _widths(widths: Sequence[float], sheet_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pixels = [round(w * PX_PER_CHARACTER) + PX_PADDING for w in widths]
    start = 0
    for end in range(1, len(pixels) + 1):
        if end == len(pixels) or pixels[end] != pixels[start]:
            where = {"sheetId": sheet_id, "dimension": "COLUMNS",
                     "startIndex": start, "endIndex": end}  # fmt: skip
            out.append({"updateDimensionProperties": {
                "range": where, "properties": {"pixelSize": pixels[start]},
                "fields": "pixelSize"}})  # fmt: skip
            start = end
    return out


def chart_spec(spec: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """A ChartSpec as a Sheets `basicChart`: the categories from the table's first column,
    one series per further column, the header row naming them."""
    data = spec.data

    def column(col: int) -> dict[str, Any]:
        where = Range(data.top, col, data.bottom, col)
        return {"sourceRange": {"sources": [grid_range(sheet_id, where)]}}

    bar = spec.kind == "bar"
    value_axis = "BOTTOM_AXIS" if bar else "LEFT_AXIS"
    series = []
    for n, one in enumerate(spec.series):
        entry: dict[str, Any] = {"series": column(data.left + 1 + n), "targetAxis": value_axis}
        if one.dashed:
            entry["lineStyle"] = {"type": "MEDIUM_DASHED", "width": 2}
        series.append(entry)
    axes = [
        {"position": "LEFT_AXIS" if bar else "BOTTOM_AXIS", "title": spec.x_title},
        {"position": value_axis, "title": spec.y_title},
    ]
    basic = {
        "chartType": _CHART_TYPES[spec.kind],
        "legendPosition": "BOTTOM_LEGEND",
        "headerCount": 1,
        "axis": axes,
        "domains": [{"domain": column(data.left)}],
        "series": series,
    }
    return {"title": spec.title, "basicChart": basic}


def chart_position(spec: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """Where the chart sits: over the tab, its corner on the spec's anchor cell."""
    row, col = spec.anchor
    anchor = {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": col - 1}
    return {"overlayPosition": {"anchorCell": anchor, "widthPixels": spec.width_px,
                                "heightPixels": spec.height_px}}  # fmt: skip


def tab_looks(  # noqa: PLR0917 - what the tab holds and what it should
    looks: TabLooks,
    sheet_id: int,
    before: dict[str, str],
    charts_there: Sequence[int],
    own_rules: Sequence[int],
    metadata: tuple[int, str] | None,
    *,
    moved: bool = False,
) -> list[dict[str, Any]]:
    """The requests that bring a tab's looks from what its metadata records (``before``:
    part hashes; ``charts_there``: chart ids on the tab; ``own_rules``: indexes of the
    bot's text rules there) to ``looks``: only the parts that differ. ``moved``: rows were
    inserted or deleted, which moves the ranges charts read; they are sent again."""
    now = looks.hashes()
    out: list[dict[str, Any]] = []
    for name in ("frozen", "filter", "widths"):
        if name in looks.parts and before.get(name) != now[name]:
            out += looks.parts[name]
    if before.get("rules") != now["rules"]:
        out += [{"deleteConditionalFormatRule": {"sheetId": sheet_id, "index": i}}
                for i in sorted(own_rules, reverse=True)]  # fmt: skip
        out += looks.rules
    for cid, (spec, position) in looks.charts.items():
        name = f"chart{cid}"
        if cid not in charts_there:
            chart = {"chartId": cid, "spec": spec, "position": position}
            out.append({"addChart": {"chart": chart}})
        elif moved or before.get(name) != now[name]:
            out.append({"updateChartSpec": {"chartId": cid, "spec": spec}})
            # The mask names fields of the overlay position (its root is implied).
            fields = "anchorCell,widthPixels,heightPixels"
            moving = {"objectId": cid, "newPosition": position, "fields": fields}
            out.append({"updateEmbeddedObjectPosition": moving})
    if not out and metadata is not None and metadata[1] == looks.value():
        return []
    value = looks.value()
    if metadata is None:
        mid = metadata_id(LOOKS_KEY, sheet_id)
        out.append(create_metadata(LOOKS_KEY, value, {"sheetId": sheet_id}, mid))
    elif metadata[1] != value:
        out.append({"updateDeveloperMetadata": {
            "dataFilters": [{"developerMetadataLookup": {"metadataId": metadata[0]}}],
            "developerMetadata": {"metadataValue": value}, "fields": "metadataValue"}})  # fmt: skip
    return out
