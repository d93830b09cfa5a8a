"""The charts of the summary tab and the province dashboards, as data (`ChartSpec`). Pure.

Three charts: districts covered so far, month by month, against the target lines (439 and
878 nationally, a province's share of them on its dashboard); the per cent of districts
covered by province as sorted bars; complete rows by kind of identity. Each chart's table
is written into its tab (so a native chart can read it) and its values travel in the spec
(so `bot.chart_png` can draw the same chart for the digests).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from bot import geo, thai
from bot.config import Config
from bot.form_fields import CATEGORIES
from bot.model import OutCell
from bot.normalise import programme_months
from bot.presentation import ChartKind, ChartSpec, Format, Layout, Range, Series, Styled

# A native chart's size, and how many rows and how much width it takes in its tab.
CHART_WIDTH_PX = 560
CHART_HEIGHT_PX = 320
ROW_PX = 21  # Google's default row height; Excel's is 20
CHAR_PX = 7.5  # one character of column width, roughly
BAND_PX = 1300  # charts side by side up to this width, then a new band below


@dataclass(frozen=True)
class ChartData:
    """A chart before it has a place in a tab."""

    key: str
    kind: ChartKind
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    x_title: str = ""
    y_title: str = ""
    percent: bool = False
    width_px: int = CHART_WIDTH_PX
    height_px: int = CHART_HEIGHT_PX


def coverage_chart(
    config: Config,
    covered_by_month: dict[tuple[int, int], set[str]],
    until: tuple[int, int],
    *,
    share: int | None = None,
    where: str = "ทั้งประเทศ",
) -> ChartData:
    """Districts with an identity, cumulative by report month, against the target lines.

    With `share` (a province's number of districts) the lines are the province's share of
    each national target (`target_share`).
    """
    months = [m for m in programme_months(config.programme) if m <= until] or [
        config.programme.start
    ]
    seen: set[str] = set()
    cumulative: list[float] = []
    for month in months:
        seen |= covered_by_month.get(month, set())
        cumulative.append(float(len(seen)))
    series = [Series("อำเภอที่มีอัตลักษณ์แล้ว (สะสม)", tuple(cumulative))]
    for target in config.programme.targets:
        value = target.districts if share is None else target_share(target.districts, share)
        name = f"เป้าหมาย {value:,} อำเภอ ภายใน {thai.date_label(target.by)}"
        series.append(Series(name, (float(value),) * len(months), dashed=True))
    return ChartData(
        key="coverage",
        kind="line",
        title=f"อำเภอที่มีอัตลักษณ์ท้องถิ่นแล้ว (สะสม) เทียบกับเป้าหมาย {where}",
        categories=tuple(thai.month_label(*m) for m in months),
        series=tuple(series),
        x_title="เดือนที่รายงาน",
        y_title="จำนวนอำเภอ",
    )


def provinces_chart(percent_by_province: Sequence[tuple[str, float]]) -> ChartData:
    """The per cent of each province's districts that have an identity, highest first."""
    ordered = sorted(percent_by_province, key=lambda p: (-p[1], p[0]))
    return ChartData(
        key="by_province",
        kind="bar",
        title="ร้อยละของอำเภอที่มีอัตลักษณ์ท้องถิ่นแล้ว รายจังหวัด",
        categories=tuple(name for name, _ in ordered),
        series=(Series("ร้อยละของอำเภอ", tuple(value for _, value in ordered)),),
        x_title="จังหวัด",
        y_title="ร้อยละ",
        percent=True,
        # One bar per province: a long list needs room.
        height_px=max(CHART_HEIGHT_PX, 18 * len(ordered) + 80),
    )


def kinds_chart(by_category: Sequence[int], where: str = "ทั้งประเทศ") -> ChartData:
    """Complete rows by kind of identity."""
    return ChartData(
        key="by_kind",
        kind="column",
        title=f"จำนวนรายการที่ครบถ้วน จำแนกตามด้านอัตลักษณ์ {where}",
        categories=CATEGORIES,
        series=(Series("จำนวนรายการ", tuple(float(n) for n in by_category)),),
        x_title="ด้านอัตลักษณ์",
        y_title="จำนวนรายการ",
    )


@cache
def national_districts() -> int:
    """How many districts the registry has outside Bangkok (878): what the targets count."""
    return sum(len(geo.districts(p.code)) for p in geo.provinces())


def target_share(national_target: int, districts: int) -> int:
    """A province's share of a national target: its districts' part, rounded up (16 of
    Chaiyaphum's districts: 8 of the 439, all 16 of the 878)."""
    total = national_districts()
    if national_target >= total:
        return districts
    return math.ceil(districts * national_target / total)


def _bands(charts: Sequence[ChartData]) -> tuple[list[tuple[int, float]], int]:
    """Each chart's (row offset, x in pixels) in its band, and the rows all bands take:
    side by side up to `BAND_PX`, then a new band below."""
    places: list[tuple[int, float]] = []
    top, x_px, band_rows = 0, 0.0, 0
    for chart in charts:
        if x_px and x_px + chart.width_px > BAND_PX:
            top, x_px, band_rows = top + band_rows, 0.0, 0
        places.append((top, x_px))
        x_px += chart.width_px + 2 * CHAR_PX
        band_rows = max(band_rows, math.ceil(chart.height_px / ROW_PX) + 1)
    return places, top + band_rows


def reserve(rows: list[list[OutCell]], charts: Sequence[ChartData]) -> int:
    """Leave blank rows below `rows` for the charts to sit on (covering no cell); returns
    the first of them. `finish` places the charts there once column widths are known."""
    rows.append([])
    top = len(rows) + 1
    rows += [[] for _ in range(_bands(charts)[1])]
    return top


def finish(
    rows: list[list[OutCell]], layout: Layout, charts: Sequence[ChartData], band_top: int
) -> list[ChartSpec]:
    """Anchor the charts in the rows `reserve` left (by `layout.widths`), and append a
    section with each chart's table to `rows`; returns the specs."""
    if not charts:
        return []
    widths = list(layout.widths) or [12.0]
    places, _ = _bands(charts)
    rows += [[], ["ข้อมูลสำหรับแผนภูมิ (ระบบเขียนใหม่ทุกรอบ)"]]
    layout.styled.append(Styled(Range(len(rows), 1, len(rows), 1), "section"))
    specs: list[ChartSpec] = []
    for chart, (offset, x_px) in zip(charts, places, strict=True):
        rows.append([])
        first = len(rows) + 1
        rows.append([chart.title, *(s.name for s in chart.series)])
        for i, category in enumerate(chart.categories):
            rows.append([category, *(_number(s.values[i]) for s in chart.series)])
        data = Range(first, 1, len(rows), 1 + len(chart.series))
        layout.styled.append(Styled(Range(first, 1, first, data.right), "header"))
        body = Range(first + 1, 2, data.bottom, data.right)
        layout.formats.append(Format(body, "percent" if chart.percent else "integer"))
        specs.append(
            ChartSpec(
                key=chart.key,
                kind=chart.kind,
                title=chart.title,
                categories=chart.categories,
                series=chart.series,
                data=data,
                anchor=(band_top + offset, _column_at(widths, x_px)),
                x_title=chart.x_title,
                y_title=chart.y_title,
                percent=chart.percent,
                width_px=chart.width_px,
                height_px=chart.height_px,
            )
        )
    return specs


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _column_at(widths: list[float], x_px: float) -> int:
    """The first column that starts at or right of `x_px`."""
    column, left = 1, 0.0
    while left < x_px:
        left += _width(widths, column) * CHAR_PX
        column += 1
    return column


def _width(widths: list[float], column: int) -> float:
    return widths[column - 1] if column <= len(widths) else 12.0
