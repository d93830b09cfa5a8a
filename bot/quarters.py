"""Fiscal quarters: "2568Q2" and its months, the quarter that ends on a day, and the names
of the quarter-end snapshot of the summary and register tabs. Pure.

The Thai government's fiscal year starts on 1 October: quarter 1 of fiscal 2568 is
October - December 2567 (2024), quarter 2 January - March 2568, quarter 3 April - June,
quarter 4 July - September 2568. The Ministry evaluates the programme quarterly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot import thai
from bot.config import Config
from bot.config_types import tab_name_problem

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-/]?\s*[Qq]\s*([1-4])\s*$")
# A year below this is C.E. (2025Q2) and is read as its B.E. fiscal year (2568Q2).
_BE_FLOOR = 2400


@dataclass(frozen=True, order=True)
class Quarter:
    """One fiscal quarter: its B.E. fiscal year and number (1-4)."""

    fiscal_year: int
    number: int

    @property
    def key(self) -> str:
        """The quarter as the CLI and the state file write it: "2568Q2"."""
        return f"{self.fiscal_year}Q{self.number}"

    @property
    def first_month(self) -> tuple[int, int]:
        """Its first (C.E. year, month)."""
        ce = self.fiscal_year - thai.BE_OFFSET  # the C.E. year the fiscal year ends in
        month = (10 + 3 * (self.number - 1) - 1) % 12 + 1
        return (ce - 1 if month >= 10 else ce, month)

    @property
    def last_month(self) -> tuple[int, int]:
        """Its last (C.E. year, month)."""
        year, month = self.first_month
        return (year, month + 2)

    @property
    def end(self) -> date:
        """Its last day."""
        return thai.month_end(self.last_month)

    def thai(self) -> str:
        """The quarter in Thai, as the summary tab names it: "ไตรมาสที่ 2/2568"."""
        return f"ไตรมาสที่ {self.number}/{self.fiscal_year}"

    def in_tab_name(self) -> str:
        """The quarter in a tab name ("/" is not allowed there): "2-2568"."""
        return f"{self.number}-{self.fiscal_year}"


def parse_quarter(text: str) -> Quarter | None:
    """ "2568Q2" (B.E.), "2025Q2" (C.E., the same quarter) or "2568-Q2"; None otherwise."""
    m = _QUARTER.match(thai.to_arabic_digits(text))
    if m is None:
        return None
    year = int(m.group(1))
    year = year + thai.BE_OFFSET if year < _BE_FLOOR else year
    return Quarter(year, int(m.group(2)))


def quarter_of(day: date) -> Quarter:
    """The fiscal quarter a day falls in."""
    return Quarter(thai.fiscal_year(day), thai.fiscal_quarter(day))


def overlaps(config: Config, quarter: Quarter) -> bool:
    """Whether any month of the quarter lies in the programme period of `config`."""
    prog = config.programme
    return quarter.first_month <= prog.end and prog.start <= quarter.last_month


def snapshot_names(config: Config, quarter: Quarter) -> dict[str, str]:
    """{national bot tab: name of its quarter-end copy}: the summary and the register."""
    pattern = config.daemon.quarter_tab
    return {
        tab: pattern.format(tab=tab, quarter=quarter.in_tab_name())
        for tab in (config.tabs.summary, config.tabs.district_register)
    }


def snapshot_name_problem(config: Config) -> str | None:
    """Why the quarter snapshots' tab names would be refused, or None."""
    for name in snapshot_names(config, Quarter(2568, 1)).values():
        problem = tab_name_problem(name)
        if problem:
            return f"the quarter snapshot tab {name!r} {problem}"
    return None
