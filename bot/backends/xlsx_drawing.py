"""The parts behind a bot tab's charts: its drawing, one chart part per chart, and their
relationships, kept under the same names from one cycle to the next.

The charts belong to the tab: the tab's relationships point at its drawing, the drawing's
at its charts, so a person who deletes the tab deletes its charts with it, and the bot,
rewriting the tab, rewrites them in place. A tab that had charts the bot no longer draws
loses them (parts, relationships and content types), so a cycle never leaves a chart
behind and never adds a second copy. Only a tab the bot already owns is looked into: the
drawing of a person's tab the bot claims is left where it is.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.backends.xlsx_book import REL_TYPE, Book, Rels, read_rels, relationships, rels_part
from bot.backends.xlsx_charts import CHART_CT, DRAWING_CT, chart_xml, drawing_xml
from bot.backends.xlsx_xml import attr
from bot.backends.xlsx_zip import Package
from bot.presentation import ChartSpec

DRAWING_TYPE = REL_TYPE + "drawing"
CHART_TYPE = REL_TYPE + "chart"
_NUMBER = re.compile(r"(\d+)$")


@dataclass
class DrawingParts:
    """What a tab's charts need written (part -> bytes) and dropped, and the drawing's
    part (None: no charts) for the tab's own relationship to it."""

    drawing: str | None = None
    parts: dict[str, bytes] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)


def drawing_parts(
    pkg: Package, book: Book, old: Rels | None, specs: Sequence[ChartSpec], tab: str
) -> DrawingParts:
    """The drawing and chart parts of the charts `specs` of tab `tab`, reusing the names
    of the charts the tab had (`old`: its relationships, None for a tab not the bot's)."""
    out = DrawingParts()
    old_drawing, old_charts = _old(pkg, old)
    if not specs:
        if old_drawing is not None:
            out.dropped += [old_drawing, rels_part(old_drawing)]
        for chart in old_charts:
            out.dropped += _chart_and_its_own(pkg, chart)
        return out
    drawing = old_drawing or book.new_part("drawings", "drawing")
    charts = old_charts[: len(specs)]
    charts += [book.new_part("charts", "chart") for _ in range(len(specs) - len(charts))]
    for chart in old_charts[len(specs) :]:
        out.dropped += _chart_and_its_own(pkg, chart)
    for chart in charts[: len(old_charts)]:
        # A chart Excel saved may have its own style parts; the bot's chart has none.
        out.dropped += _chart_and_its_own(pkg, chart)[1:]
    rel_ids = [f"rId{i}" for i in range(1, len(specs) + 1)]
    base = posixpath.dirname(drawing)
    items = "".join(
        f'<Relationship Id="{rid}" Type="{CHART_TYPE}" '
        f'Target="{attr(posixpath.relpath(chart, base))}"/>'
        for rid, chart in zip(rel_ids, charts, strict=True)
    )
    out.drawing = drawing
    out.parts[drawing] = drawing_xml(specs, rel_ids)
    out.parts[rels_part(drawing)] = relationships(items.encode())
    out.types[drawing] = DRAWING_CT
    for chart, spec in zip(charts, specs, strict=True):
        out.parts[chart] = chart_xml(spec, tab)
        out.types[chart] = CHART_CT
    return out


def _old(pkg: Package, old: Rels | None) -> tuple[str | None, list[str]]:
    """The drawing a bot tab had and its charts, in the order of their relationship ids."""
    if old is None:
        return None, []
    drawing = next(
        (t for k, t, ext in old.items.values() if k == DRAWING_TYPE and not ext and pkg.find(t)),
        None,
    )
    if drawing is None:
        return None, []
    rels = read_rels(pkg, drawing)
    charts = [
        target
        for rid, (kind, target, external) in sorted(rels.items.items(), key=_by_number)
        if kind == CHART_TYPE and not external and pkg.find(target)
    ]
    return pkg.find(drawing), [pkg.find(c) or c for c in charts]


def _by_number(item: tuple[str, tuple[str, str, bool]]) -> tuple[int, str]:
    found = _NUMBER.search(item[0])
    return (int(found.group(1)) if found else 0, item[0])


def _chart_and_its_own(pkg: Package, chart: str) -> list[str]:
    """A chart part, its relationships part and the parts only a chart has (the style and
    colour parts Excel adds when it saves a chart)."""
    out = [chart]
    rels = read_rels(pkg, chart)
    if rels.root is not None:
        out.append(rels.part)
        for kind, target, external in rels.items.values():
            if not external and kind.rpartition("/")[2] in ("chartStyle", "chartColorStyle"):
                out.append(target)
    return out
