"""The summary's and dashboards' charts as PNG pictures, for the digests (matplotlib).

The same `ChartSpec`s a backend renders as native charts are drawn here with matplotlib's
Agg canvas (no display, no pyplot global state) in Sarabun, a Thai font under the SIL Open
Font License shipped on PyPI as `fontpkg-sarabun`: the machine may have no Thai font at
all, and a chart in a font without Thai glyphs shows boxes. `missing_glyphs` says which
characters a font lacks, so the tests prove the labels render.

matplotlib is imported only when a chart is drawn, so `softpower-bot --help` stays fast;
without it (or without the font) `charts_available` says why and the digests go without
pictures.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from bot.presentation import ChartSpec

log = logging.getLogger(__name__)

DPI = 100
# Colours: the covered line and bars in the bot's blue, target lines in grey and red.
BLUE = "#2F5597"
TARGET_COLOURS = ("#C00000", "#7F7F7F", "#BF9000")


def font_path() -> Path | None:
    """Sarabun Regular from the `fontpkg-sarabun` package, or None if it is not installed."""
    try:
        import fontpkg_sarabun  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        return None
    path = Path(fontpkg_sarabun.ROOT) / "files" / "Sarabun-Regular.ttf"
    return path if path.is_file() else None


def charts_available() -> str | None:
    """Why charts cannot be drawn here (matplotlib or the Thai font missing), or None."""
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        return "matplotlib is not installed: pip install matplotlib"
    if font_path() is None:
        return "the Thai font is not installed: pip install fontpkg-sarabun"
    return None


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # noqa: PLC0415

    with TTFont(str(path), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(texts: Iterable[str], path: Path) -> set[str]:
    """The characters of `texts` (spaces aside) that the font at `path` has no glyph for."""
    cmap = _cmap(path)
    return {ch for text in texts for ch in text if not ch.isspace() and ord(ch) not in cmap}


def labels(chart: ChartSpec) -> list[str]:
    """Every text a chart shows: title, axis titles, categories, series names."""
    return [
        chart.title,
        chart.x_title,
        chart.y_title,
        *chart.categories,
        *(s.name for s in chart.series),
    ]


def render_png(chart: ChartSpec) -> bytes:
    """One chart as a PNG picture. Raises RuntimeError when charts cannot be drawn here."""
    why = charts_available()
    if why is not None:
        raise RuntimeError(why)
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    path = font_path()
    assert path is not None  # checked above
    font = FontProperties(fname=str(path), size=10)
    big = FontProperties(fname=str(path), size=13)
    figure = Figure(figsize=(chart.width_px / DPI * 1.6, chart.height_px / DPI * 1.6), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(chart.categories)))
    if chart.kind == "line":
        _lines(axes, chart, positions, font)
    else:
        _bars(axes, chart, positions, font)
    axes.set_title(chart.title, fontproperties=big)
    axes.set_xlabel(chart.x_title if chart.kind != "bar" else chart.y_title, fontproperties=font)
    axes.set_ylabel(chart.y_title if chart.kind != "bar" else chart.x_title, fontproperties=font)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontproperties(font)
    axes.grid(axis="x" if chart.kind == "bar" else "y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def _lines(axes: Any, chart: ChartSpec, positions: list[int], font: Any) -> None:
    covered, *targets = chart.series
    axes.plot(positions, covered.values, marker="o", color=BLUE, linewidth=2.2,
              label=covered.name)  # fmt: skip
    for value, (x, y) in zip(covered.values, enumerate(covered.values), strict=True):
        axes.annotate(f"{value:,.0f}", (x, y), textcoords="offset points", xytext=(0, 6),
                      ha="center", fontproperties=font)  # fmt: skip
    for colour, target in zip(TARGET_COLOURS, targets, strict=False):
        axes.plot(positions, target.values, linestyle="--", color=colour, linewidth=1.5,
                  label=target.name)  # fmt: skip
    axes.set_xticks(positions, chart.categories)
    top = max((v for s in chart.series for v in s.values), default=1.0)
    axes.set_ylim(0, max(top, 1.0) * 1.15)
    # Below the plot, so it never covers the lines.
    axes.legend(prop=font, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3,
                frameon=False)  # fmt: skip


def _bars(axes: Any, chart: ChartSpec, positions: list[int], font: Any) -> None:
    (series,) = chart.series[:1]
    suffix = "%" if chart.percent else ""
    if chart.kind == "bar":  # horizontal, highest at the top
        bars = axes.barh(positions, series.values, color=BLUE)
        axes.set_yticks(positions, chart.categories)
        axes.invert_yaxis()
        if chart.percent:
            axes.set_xlim(0, 100)
    else:
        bars = axes.bar(positions, series.values, color=BLUE)
        axes.set_xticks(positions, chart.categories)
    axes.bar_label(bars, labels=[f"{v:,.1f}{suffix}" if chart.percent else f"{v:,.0f}"
                                 for v in series.values], padding=3,
                   fontproperties=font)  # fmt: skip
