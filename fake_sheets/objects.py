"""What people build on a tab besides cells: filter views and charts, and formulas in
other tabs that point at it. Each lives as long as its tab does, which is what makes
deleting and re-creating a tab under the same name visible to them:

* filter views and charts placed on a tab are deleted with it; their ranges move with
  rows and columns inserted or deleted on the tab they read from;
* a chart elsewhere whose data came from a deleted tab keeps no data range (Sheets shows
  it empty, "#REF!");
* a formula referring to a deleted tab refers to ``#REF!`` from then on, even if a tab
  of the same name appears later (Sheets rewrites ``='Tab'!A1`` to ``=#REF!``).

Modelled requests: addFilterView, deleteFilterView, addChart (an overlay on a tab; a
chart on a new sheet of its own is not modelled; a chartId that exists is refused, as
Google does), updateChartSpec, updateEmbeddedObjectPosition (to another overlay),
deleteEmbeddedObject.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from .context import Context, grid_box, sheet_of
from .model import Sheet, Spreadsheet
from .ranges import shift_range


def add_filter_view(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """addFilterView: stored on the tab its range names."""
    view = copy.deepcopy(req.get("filter") or {})
    sheet, _ = grid_box(ss, view.get("range") or {}, ctx)
    if "filterViewId" not in view:
        view["filterViewId"] = ctx.ids.fresh_number(lambda i: _view(ss, i) is not None)
    sheet.filter_views.append(view)
    return {"addFilterView": {"filter": copy.deepcopy(view)}}


def delete_filter_view(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteFilterView."""
    wanted = int(req.get("filterId", -1))
    found = _view(ss, wanted)
    if found is None:
        raise ctx.fail(f"No filter view with id: {wanted}")
    found[0].filter_views.remove(found[1])
    return {}


def _view(ss: Spreadsheet, view_id: int) -> tuple[Sheet, dict[str, Any]] | None:
    for sheet in ss.sheets:
        for view in sheet.filter_views:
            if int(view.get("filterViewId", 0)) == view_id:
                return sheet, view
    return None


def add_chart(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """addChart, as an overlay anchored on a tab; its data ranges must name real tabs."""
    chart = copy.deepcopy(req.get("chart") or {})
    anchor = ((chart.get("position") or {}).get("overlayPosition") or {}).get("anchorCell")
    if not isinstance(anchor, dict):
        raise ctx.fail("fake_sheets models charts placed over a tab (overlayPosition) only")
    sheet = sheet_of(ss, anchor.get("sheetId"), ctx)
    for source in _sources(chart.get("spec") or {}):
        grid_box(ss, source, ctx)
    if "chartId" not in chart:
        chart["chartId"] = ctx.ids.fresh_number(lambda i: _chart(ss, i) is not None)
    elif _chart(ss, int(chart["chartId"])) is not None:
        raise ctx.fail(f"An object with id {chart['chartId']} already exists.")
    sheet.charts.append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def update_chart_spec(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """updateChartSpec: the chart's spec replaced; its data ranges must name real tabs."""
    wanted = int(req.get("chartId", -1))
    found = _chart(ss, wanted)
    if found is None:
        raise ctx.fail(f"No chart with id: {wanted}")
    spec = copy.deepcopy(req.get("spec") or {})
    for source in _sources(spec):
        grid_box(ss, source, ctx)
    found[1]["spec"] = spec
    return {}


def update_embedded_object_position(
    ss: Spreadsheet, req: dict[str, Any], ctx: Context
) -> dict[str, Any]:
    """updateEmbeddedObjectPosition of a chart to another overlay position on its tab."""
    wanted = int(req.get("objectId", -1))
    found = _chart(ss, wanted)
    if found is None:
        raise ctx.fail(f"No object with id: {wanted}")
    position = copy.deepcopy(req.get("newPosition") or {})
    anchor = (position.get("overlayPosition") or {}).get("anchorCell")
    if not isinstance(anchor, dict) or int(anchor.get("sheetId", -1)) != found[0].sheet_id:
        raise ctx.fail("fake_sheets models moving a chart over its own tab only")
    found[1]["position"] = position
    return {"updateEmbeddedObjectPosition": {"position": copy.deepcopy(position)}}


def delete_embedded_object(ss: Spreadsheet, req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    """deleteEmbeddedObject (a chart)."""
    wanted = int(req.get("objectId", -1))
    found = _chart(ss, wanted)
    if found is None:
        raise ctx.fail(f"No object with id: {wanted}")
    found[0].charts.remove(found[1])
    return {}


def _chart(ss: Spreadsheet, chart_id: int) -> tuple[Sheet, dict[str, Any]] | None:
    for sheet in ss.sheets:
        for chart in sheet.charts:
            if int(chart.get("chartId", 0)) == chart_id:
                return sheet, chart
    return None


def _sources(spec: Any) -> Iterator[dict[str, Any]]:
    """Every GridRange a chart spec reads its data from (``...sourceRange.sources``)."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "sources" and isinstance(value, list):
                yield from (s for s in value if isinstance(s, dict))
            else:
                yield from _sources(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from _sources(item)


def _drop_sources(spec: Any, sheet_id: int) -> None:
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "sources" and isinstance(value, list):
                value[:] = [s for s in value if int(s.get("sheetId", 0)) != sheet_id]
            else:
                _drop_sources(value, sheet_id)
    elif isinstance(spec, list):
        for item in spec:
            _drop_sources(item, sheet_id)


def shifted(ss: Spreadsheet, sheet: Sheet, dimension: str, start: int, delta: int) -> None:
    """Rows or columns were inserted (delta > 0) or deleted on ``sheet``: move the charts'
    data ranges that read from it (the tab's own filter views move in `Sheet.shift`)."""
    keys = ("startRowIndex", "endRowIndex") if dimension == "ROWS" else (
        "startColumnIndex", "endColumnIndex")  # fmt: skip
    for other in ss.sheets:
        for chart in other.charts:
            for source in _sources(chart.get("spec") or {}):
                if int(source.get("sheetId", 0)) == sheet.sheet_id:
                    shift_range(source, keys, start, delta)


def _reference(title: str) -> re.Pattern[str]:
    quoted = "'" + re.escape(title.replace("'", "''")) + "'"
    plain = re.escape(title) if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) else None
    name = f"(?:{quoted}|{plain})" if plain else quoted
    cell = r"\$?[A-Za-z]{1,3}\$?\d+"
    return re.compile(f"{name}!{cell}(?::{cell})?", re.IGNORECASE)


def deleted(ss: Spreadsheet, sheet: Sheet) -> None:
    """``sheet`` was deleted: charts lose the data it gave them; formulas naming it now
    refer to ``#REF!`` (its filter views and charts went with it)."""
    pattern = _reference(sheet.title)
    for other in ss.sheets:
        for chart in other.charts:
            _drop_sources(chart.get("spec") or {}, sheet.sheet_id)
        for cell in other.cells.values():
            if cell.formula is not None and "!" in cell.formula:
                cell.formula = pattern.sub("#REF!", cell.formula)


def renumber(ss: Spreadsheet, clone: Sheet, old_id: int, new_id: int, ctx: Context) -> None:
    """A duplicated tab's filter views and charts are new objects (new ids) reading the
    copy's cells where the originals read the original's."""
    for view in clone.filter_views:
        view["filterViewId"] = ctx.ids.fresh_number(lambda i: _view(ss, i) is not None)
        view.setdefault("range", {})["sheetId"] = new_id
    for chart in clone.charts:
        chart["chartId"] = ctx.ids.fresh_number(lambda i: _chart(ss, i) is not None)
        anchor = chart["position"]["overlayPosition"]["anchorCell"]
        anchor["sheetId"] = new_id
        for source in _sources(chart.get("spec") or {}):
            if int(source.get("sheetId", 0)) == old_id:
                source["sheetId"] = new_id
