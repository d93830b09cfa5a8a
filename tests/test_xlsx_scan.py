"""Where a worksheet's cells are: by their references, and where a reference leaves the
row or the column out, by the row they are in and the cell before them; the same
reference read in another row or another tab is placed there, not where it was last."""

from __future__ import annotations

from bot.backends.xlsx_sheet import COL, ROW, scan
from bot.backends.xlsx_xml import MAIN_NS


def _sheet(rows: str) -> bytes:
    return f'<worksheet xmlns="{MAIN_NS}"><sheetData>{rows}</sheetData></worksheet>'.encode()


def _places(data: bytes) -> list[tuple[int, int]]:
    return [(c[ROW], c[COL]) for c in scan(data).cells]


def test_cells_are_placed_by_reference_row_and_order() -> None:
    data = _sheet('<row r="3"><c r="B3"/><c/><c r="E"/></row><row><c/><c r="C9"/></row>'
                  '<row r="7"><c r="E"/><c r="AB7"/></row>')  # fmt: skip
    assert _places(data) == [(3, 2), (3, 3), (3, 5), (4, 1), (9, 3), (7, 5), (7, 28)]


def test_the_same_references_in_another_tab_are_placed_by_that_tab() -> None:
    first = _sheet('<row r="2"><c r="E"/><c r="B2"/></row>')
    second = _sheet('<row r="5"><c r="E"/><c r="B2"/></row>')
    assert _places(first) == [(2, 5), (2, 2)]
    assert _places(second) == [(5, 5), (2, 2)]
