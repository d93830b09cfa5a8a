"""`softpower-bot report --quarter 2568Q2`: the quarterly report DLA sends to the Ministry.

The figures are those of the summary tab on the quarter's last day: the sheets are read as
they are now, the rows of months after the quarter are left out (a report for a past
quarter does not change as later months come in), and the rows of the quarter's own round
are checked under its rules. pandas turns them into the report's pivot tables: per
province and per kind of identity against the target, and the districts still without an
identity; the workbook is written with openpyxl. pandas is imported by this module only,
and this module only when the command runs (`pip install 'softpower-bot[report]'`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from bot import thai
from bot.checks import CheckContext, RowResult, check_tabs
from bot.config import Config
from bot.cycle import read_all
from bot.errors import BotError
from bot.form import ParsedTab, parse_tab
from bot.form_fields import CATEGORIES
from bot.quarters import Quarter, overlaps
from bot.read_cache import cache_for
from bot.register import DistrictEntry, register
from bot.rounds import config_on, row_month, split_rounds
from bot.sheets import Backend
from bot.summary import Summary, quarter_verdict, summarise

PROVINCE = "จังหวัด"
DISTRICT = "อำเภอ"
KIND = "ประเภทอัตลักษณ์"
TOTAL = "รวม"
DISTRICTS = "จำนวนอำเภอ"
COVERED = "อำเภอที่มีอัตลักษณ์แล้ว"
PERCENT = "ร้อยละของอำเภอที่มีอัตลักษณ์"
SHEETS = ("สรุปรายจังหวัด", "รายประเภท", "อำเภอที่ยังไม่มีอัตลักษณ์")


@dataclass
class QuarterReport:
    """The quarter's figures as pandas tables, and the lines above them."""

    quarter: Quarter
    as_of: date
    title: list[str]
    provinces: pd.DataFrame  # per province: districts, covered, percent, rows per kind
    kinds: pd.DataFrame  # per province and kind: districts with an identity of that kind
    uncovered: pd.DataFrame  # the districts still without an identity
    summary: Summary
    districts: int  # configured districts
    covered: int  # of them, with an identity by the quarter's end


def gather(config: Config, backend: Backend, quarter: Quarter, today: date) -> QuarterReport:
    """Read the sheets and compute the quarter's figures (as of its last day, or `today`
    while it runs). A BotError when the quarter is outside every round of the config."""
    if today < date(*quarter.first_month, 1):
        raise BotError(
            f"{quarter.thai()} ({quarter.key}) has not started yet: it begins on "
            f"{date(*quarter.first_month, 1).isoformat()}; give a quarter that has begun"
        )
    day = min(today, quarter.end)
    config = config_on(config, day)
    if not overlaps(config, quarter):
        prog = config.programme
        raise BotError(
            f"{quarter.thai()} ({quarter.key}) is outside the programme "
            f"({thai.month_label(*prog.start)} – {thai.month_label(*prog.end)}): "
            "give a quarter of a round in the config, e.g. --quarter "
            f"{thai.fiscal_year(thai.month_end(prog.end))}Q2"
        )
    sources, reads, stale = read_all(config, backend, cache=cache_for(config))
    tabs = [parse_tab(s, reads[s.spreadsheet].tabs[s.tab], config.form) for s in sources]
    tabs, _ = split_rounds(config, tabs)
    tabs = [_until(tab, quarter.last_month) for tab in tabs]
    results = check_tabs(tabs, CheckContext(config.form, config.programme, day))
    summary = summarise(config, tabs, results, day)
    problems = [p for t in tabs for p in t.problems] + [p for r in results for p in r.problems]
    entries = register(config, results, problems, lambda _province: quarter.last_month)
    report = _figures(
        config, quarter=quarter, day=day, results=results, entries=entries, summary=summary
    )
    for sheet, st in sorted(stale.items()):
        # A spreadsheet that could not be read now: its rows come from its last good read.
        when = thai.datetime_label(st.last_read) if st.last_read else "ไม่เคยอ่านได้"
        report.title.append(f"หมายเหตุ: อ่านสเปรดชีต {sheet} ไม่ได้ ({st.reason}) ใช้ข้อมูล ณ {when}")
    return report


def _until(tab: ParsedTab, last: tuple[int, int]) -> ParsedTab:
    """The tab without the rows of months after `last` (a row without a month stays)."""
    rows = [r for r in tab.rows if (m := row_month(r)) is None or m <= last]
    return tab if len(rows) == len(tab.rows) else replace(tab, rows=rows)


def _figures(
    config: Config,
    *,
    quarter: Quarter,
    day: date,
    results: list[RowResult],
    entries: list[DistrictEntry],
    summary: Summary,
) -> QuarterReport:
    order = [p.province for p in config.provinces]
    districts = pd.DataFrame(
        [
            {
                PROVINCE: e.source.province.name,
                DISTRICT: e.source.district.name,
                "รหัสอำเภอ": e.source.district.code,
                COVERED: int(e.covered),
            }
            for e in entries
        ],
        columns=[PROVINCE, DISTRICT, "รหัสอำเภอ", COVERED],
    )
    rows = pd.DataFrame(
        [
            {
                PROVINCE: r.row.source.province.name,
                "รหัสอำเภอ": r.row.source.district.code,
                KIND: CATEGORIES[r.category - 1],
            }
            for r in results
            if r.complete and r.category
        ],
        columns=[PROVINCE, "รหัสอำเภอ", KIND],
    )
    per_province = districts.pivot_table(
        index=PROVINCE, values=COVERED, aggfunc=["count", "sum"]
    ).reindex(order, fill_value=0)
    per_province.columns = pd.Index([DISTRICTS, COVERED])
    rows_by_kind = (
        rows.pivot_table(index=PROVINCE, columns=KIND, values="รหัสอำเภอ", aggfunc="count")
        .reindex(index=order, columns=list(CATEGORIES))
        .fillna(0)
        .astype(int)
    )
    rows_by_kind.columns = pd.Index([f"{c} (แถว)" for c in CATEGORIES])
    table = per_province.join(rows_by_kind)
    table.loc[TOTAL] = table.sum()
    table.insert(2, PERCENT, (100 * table[COVERED] / table[DISTRICTS].where(table[DISTRICTS] > 0))
                 .fillna(0).round(1))  # fmt: skip
    table.index.name = PROVINCE

    kinds = (
        # Distinct districts: in a province's "total" column, those with any identity.
        rows.pivot_table(
            index=PROVINCE,
            columns=KIND,
            values="รหัสอำเภอ",
            aggfunc="nunique",
            margins=True,
            margins_name=TOTAL,
        )
        .reindex(index=[*order, TOTAL], columns=[*CATEGORIES, TOTAL])
        .fillna(0)
        .astype(int)
    )
    kinds.columns = pd.Index([*(f"{c} (อำเภอ)" for c in CATEGORIES), "อำเภอที่มีอัตลักษณ์ (รวม)"])
    kinds.index.name = PROVINCE

    uncovered = districts[districts[COVERED] == 0][[PROVINCE, DISTRICT, "รหัสอำเภอ"]]
    uncovered = uncovered.reset_index(drop=True)
    uncovered.index += 1

    target = config.programme.target_on(quarter.end)
    covered = sum(e.covered for e in entries)
    verdict = quarter_verdict(covered, target.districts, target.by, quarter.end, day)
    pct = round(100 * covered / target.districts, 1)
    title = [
        f"รายงานผลการดำเนินงาน {config.programme.name} {quarter.thai()} "
        f"({thai.month_label(*quarter.first_month)} – {thai.month_label(*quarter.last_month)})",
        f"ข้อมูล ณ วันที่ {thai.date_label(day, full_month=True)}",
        f"เป้าหมาย: ไม่น้อยกว่า {target.districts:,} อำเภอ ภายในวันที่ "
        f"{thai.date_label(target.by)} ผลการดำเนินงานสะสม {covered:,} อำเภอ "
        f"(ร้อยละ {pct} ของเป้าหมาย) ผลการประเมิน: {verdict}",
    ]
    return QuarterReport(
        quarter, day, title, table, kinds, uncovered, summary, len(entries), covered
    )


def write_xlsx(report: QuarterReport, path: Path) -> Path:
    """Write the report as an xlsx workbook at `path` (replaced whole, never half-written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            frames = (
                (report.provinces, True),
                (report.kinds, True),
                (report.uncovered.rename_axis("ลำดับ"), True),
            )
            for name, (frame, index) in zip(SHEETS, frames, strict=True):
                frame.to_excel(writer, sheet_name=name, startrow=len(report.title) + 1, index=index)
                sheet = writer.sheets[name]
                for i, line in enumerate(report.title, start=1):
                    sheet.cell(row=i, column=1, value=line)
                for col, width in zip(
                    "ABCDEFGHIJ", (24, 14, 14, 18, 18, 18, 18, 18, 18, 18), strict=True
                ):
                    sheet.column_dimensions[col].width = width
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
