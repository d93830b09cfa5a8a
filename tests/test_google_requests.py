"""Requests made only when sent: what they encode to, and their size known beforehand
(the size limit of a request is checked on it, so it must be exact)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.backends.google_http import encode_json
from bot.backends.google_requests import body_size, lazy_rows, write_rows

_cells = st.lists(
    st.one_of(
        st.just({}),
        st.text(max_size=12).map(lambda t: {"userEnteredValue": {"stringValue": t}}),
        st.integers(-(10**6), 10**6).map(lambda n: {"userEnteredValue": {"numberValue": n}}),
    ),
    max_size=5,
)


@given(rows=st.lists(_cells, max_size=8), cut=st.integers(0, 8), sheet=st.integers(0, 2**31))
def test_a_lazy_write_encodes_as_the_eager_one_and_knows_its_size(
    rows: list[list[dict[str, Any]]], cut: int, sheet: int
) -> None:
    start = min(cut, len(rows))
    sizes = [len(encode_json({"values": r})) + 1 for r in rows]
    made: list[int] = []

    def row(n: int) -> list[dict[str, Any]]:
        made.append(n)
        return rows[n]

    lazy = lazy_rows(sheet, start, row, sizes[start:])
    batch = [{"addSheet": {"properties": {"sheetId": sheet}}}, lazy]
    assert "updateCells" in lazy and "addSheet" not in lazy
    assert made == []  # asking what it is, or its size, makes nothing
    assert body_size(batch) == len(encode_json({"requests": batch}))
    made.clear()
    eager = [batch[0], write_rows(sheet, start, rows[start:])]
    assert encode_json({"requests": batch}) == encode_json({"requests": eager})
    assert made == list(range(start, len(rows)))  # each row made once, when encoded
