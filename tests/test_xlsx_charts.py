"""Native charts in the .xlsx outputs: the summary's three and each dashboard's two, read
back with openpyxl (which parses the chart parts) against the charts' tables in the tab;
rewritten in place every cycle, never duplicated, and gone with the charts of a tab."""

from __future__ import annotations

import dataclasses
import re
import warnings
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, LineChart

from bot.backends import open_backend
from bot.backends.xlsx import XlsxBackend
from bot.config import Config
from bot.cycle import CycleReport, check_cycle, sync_cycle
from bot.model import BotTab, SheetPlan
from bot.presentation import ChartSpec
from tests.factories import row
from tests.workbooks import default_tabs, make_project, write_workbook
from tests.xlsx_parts import check_structure, members, rewrite_members, tab_family

TODAY = date(2025, 1, 17)
SUMMARY = "สรุปตัวชี้วัด"
DASHBOARD = "ภาพรวมจังหวัดชัยภูมิ"
EMU_PER_PX = 9525


def sync(config: Config, today: date = TODAY) -> CycleReport:
    with open_backend(config) as backend:
        report = sync_cycle(config, backend, today)
    assert not report.skipped
    return report


def _load(path: Path) -> openpyxl.Workbook:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Unable to read chart" would be a warning
        return openpyxl.load_workbook(path)


def _specs(report: CycleReport, tab: str) -> list[ChartSpec]:
    return next(t.charts for p in report.plans for t in p.tabs if t.name == tab)


def _values(ws: object, ref: str) -> list[object]:
    """The cells a chart reference such as 'สรุปตัวชี้วัด'!$B$54:$B$56 points at."""
    _, _, cells = ref.rpartition("!")
    found = ws[cells.replace("$", "")]  # type: ignore[index]
    if ":" not in cells:
        return [found.value]
    return [c.value for r in found for c in r]


def test_the_summary_and_the_dashboard_carry_native_charts_openpyxl_reads(
    tmp_path: Path,
) -> None:
    config = make_project(tmp_path)
    report = sync(config)
    for book, tab, kinds in (
        ("national.xlsx", SUMMARY, [(LineChart, None), (BarChart, "bar"), (BarChart, "col")]),
        ("chaiyaphum.xlsx", DASHBOARD, [(LineChart, None), (BarChart, "col")]),
    ):
        ws = _load(tmp_path / book)[tab]
        specs = _specs(report, tab)
        charts = ws._charts
        assert [(type(c), getattr(c, "barDir", None)) for c in charts] == kinds
        for chart, spec in zip(charts, specs, strict=True):
            assert chart.title.tx.rich.p[0].r[0].t == spec.title
            # Placed where the spec says, at its size.
            assert (chart.anchor._from.row + 1, chart.anchor._from.col + 1) == spec.anchor
            assert chart.anchor.ext.width == spec.width_px * EMU_PER_PX
            assert chart.anchor.ext.height == spec.height_px * EMU_PER_PX
            # Each series reads its column of the chart's table in the tab itself, and
            # carries the same figures for a reader that does not calculate.
            for series, data in zip(chart.series, spec.series, strict=True):
                name = series.tx.strRef
                assert _values(ws, name.f) == [data.name]
                assert _values(ws, series.val.numRef.f) == list(data.values)
                assert [p.v for p in series.val.numRef.numCache.pt] == list(data.values)
                assert _values(ws, series.cat.strRef.f) == list(spec.categories)
                dash = series.spPr.ln.prstDash if series.spPr and series.spPr.ln else None
                assert (dash == "dash") == data.dashed, series
    summary = _load(tmp_path / "national.xlsx")[SUMMARY]
    coverage, provinces, kinds_chart = summary._charts
    # The target lines are dashed; the provinces' bars run from the top, highest first.
    assert [s.spPr.ln.prstDash for s in coverage.series] == ["solid", "dash", "dash"]
    assert provinces.x_axis.scaling.orientation == "maxMin"
    assert kinds_chart.x_axis.scaling.orientation == "minMax"
    assert provinces.y_axis.number_format.formatCode == '0"%"'
    assert provinces.y_axis.scaling.max == 100


def test_charts_are_rewritten_in_place_each_cycle_and_never_duplicated(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    sync(config)
    national = tmp_path / "national.xlsx"
    first = tab_family(national, SUMMARY)
    assert len(first["drawing"]) == 1 and len(first["chart"]) == 3
    charts_before = {n for n in members(national) if n.startswith("xl/charts/")}
    # Khon San reports a complete row: the next cycle's charts show it.
    tabs = default_tabs()
    tabs["อำเภอคอนสาร"].append(
        row(
            district="คอนสาร",
            lao="ทต.คอนสาร",
            identity="ผ้าไหมคอนสาร",
            hashtags="#เที่ยวท้องถิ่น #ของดีบ้านเรา #จังหวัดชัยภูมิ #อำเภอคอนสาร",
            post_url="https://www.tiktok.com/@konsan/video/1",
        )
    )
    write_workbook(tmp_path / "chaiyaphum.xlsx", tabs)
    report = sync(config, date(2025, 1, 20))
    assert all(a.written for a in report.applied)
    again = tab_family(national, SUMMARY)
    assert again == first  # the same drawing and chart parts, rewritten
    assert {n for n in members(national) if n.startswith("xl/charts/")} == charts_before
    coverage = _load(national)[SUMMARY]._charts[0]
    covered = [p.v for p in coverage.series[0].val.numRef.numCache.pt]
    assert covered[-1] == 3  # three districts with an identity now, two before
    for book in (national, tmp_path / "chaiyaphum.xlsx"):
        check_structure(book)
        types = members(book)["[Content_Types].xml"].decode()
        # One content type per chart part, none left over.
        charts = [n for n in members(book) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        assert sorted(re.findall(r'PartName="/(xl/charts/chart\d+\.xml)"', types)) == sorted(charts)
    # Nothing changed: nothing is written.
    report = sync(config, date(2025, 1, 20))
    assert not any(a.written for a in report.applied)


def test_a_tab_that_draws_fewer_charts_loses_the_others_and_their_parts(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    with open_backend(config) as backend:
        plans = check_cycle(config, backend, TODAY).plans
    national = next(p for p in plans if any(t.name == SUMMARY for t in p.tabs))
    summary = next(t for t in national.tabs if t.name == SUMMARY)

    def apply(tab: BotTab) -> None:
        backend = XlsxBackend(config)
        with backend:
            result = backend.apply(SheetPlan(national.spreadsheet, tabs=[tab]), None)
        assert result.written and not result.conflicts

    book = tmp_path / "national.xlsx"
    apply(summary)
    family = tab_family(book, SUMMARY)
    # Excel, saving the workbook, gives a chart style and colour parts of its own.
    chart = family["chart"][2]
    folder, name = chart.rsplit("/", 1)
    extra = {
        f"{folder}/_rels/{name}.rels": (
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http:'
            b'//schemas.microsoft.com/office/2011/relationships/chartStyle" Target="style9.xml"/>'
            b"</Relationships>"
        ),
        f"{folder}/style9.xml": b'<?xml version="1.0"?><cs:chartStyle xmlns:cs="http://schemas.'
        b'microsoft.com/office/drawing/2012/chartStyle" id="201"/>',
    }
    types = members(book)["[Content_Types].xml"].replace(
        b"</Types>",
        f'<Override PartName="/{folder}/style9.xml" ContentType="application/vnd.ms-office.'
        f'chartstyle+xml"/></Types>'.encode(),
    )
    rewrite_members(book, {**extra, "[Content_Types].xml": types})

    apply(dataclasses.replace(summary, charts=summary.charts[:1]))
    fewer = tab_family(book, SUMMARY)
    assert fewer["drawing"] == family["drawing"] and fewer["chart"] == family["chart"][:1]
    parts = members(book)
    assert not set(family["chart"][1:]) & set(parts)
    assert not set(extra) & set(parts)  # the chart's own style parts went with it
    assert len(_load(book)[SUMMARY]._charts) == 1
    check_structure(book)

    apply(dataclasses.replace(summary, charts=[]))
    parts = members(book)
    assert not any(n.startswith(("xl/charts/", "xl/drawings/")) for n in parts)
    assert tab_family(book, SUMMARY)["drawing"] == []
    assert b"drawing" not in parts["[Content_Types].xml"]
    check_structure(book)
