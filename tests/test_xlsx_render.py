"""The fast bot-tab renderer writes exactly the bytes the plain one wrote (a frozen copy in
`tests/xlsx_render_reference.py`): every cell, style, link, row height and wrapped or
cut-off text, on tabs of every shape - linked cells, texts XML cannot hold or must escape,
texts longer than a cell holds, notes alone on their line, filled empty cells."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.backends.xlsx_styles import Styles
from bot.backends.xlsx_tabs import Out, render
from bot.backends.xlsx_xml import MAX_CELL_TEXT
from bot.model import BotTab, Link, LinkedText, OutCell
from bot.presentation import Format, Layout, PageSetup, Range, Styled, TextRule
from tests.xlsx_render_reference import render as reference

_WORDS = ["อำเภอเมือง", "ผ่าน", "ไม่ผ่าน", "a & b", "<x>", "ok", "x\x01y", "\ufffe", "line\nnext",
          "long " * 30, "ตำบล" * 25, "", " "]  # fmt: skip


def _link(value: LinkedText) -> Out:
    link = value.link
    location = f"'{link.tab}'!A{link.row}"
    target = None if link.spreadsheet == "here" else f"file:///{link.spreadsheet}.xlsx"
    return value.text, target, location


def _cell(value: OutCell) -> Out:
    return _link(value) if isinstance(value, LinkedText) else (value, None, None)


texts = st.one_of(st.sampled_from(_WORDS), st.text(max_size=40))
links = st.builds(
    LinkedText,
    texts,
    st.builds(
        Link,
        st.sampled_from(["here", "other"]),
        st.just("แท็บ"),
        st.integers(1, 9),
        st.integers(1, 5),
    ),
)
values: st.SearchStrategy[OutCell] = st.one_of(
    st.none(),
    texts,
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    links,
)
ranges = st.builds(
    lambda top, left, h, w: Range(top, left, top + h, left + w),
    st.integers(1, 8), st.integers(1, 6), st.integers(0, 8), st.integers(0, 4),
)  # fmt: skip
styles = st.sampled_from(["header", "title", "ok", "error", "warning", "total", "section"])
layouts = st.builds(
    Layout,
    frozen_rows=st.integers(0, 2),
    frozen_columns=st.integers(0, 1),
    filter=st.none() | ranges,
    widths=st.lists(st.sampled_from([3.0, 8.0, 12.5, 22.0, 60.0]), max_size=7).map(tuple),
    wrap=st.lists(st.integers(1, 7), max_size=3).map(tuple),
    formats=st.lists(
        st.builds(Format, ranges, st.sampled_from(["integer", "percent", "text"])), max_size=2
    ),
    styled=st.lists(st.builds(Styled, ranges, styles), max_size=4),
    rules=st.lists(st.builds(TextRule, ranges, st.sampled_from(["ผ่าน", "ไม่"]), styles), max_size=2),
    page=st.builds(PageSetup, st.booleans(), st.booleans(), st.just("A4"), st.integers(0, 2)),
)
tabs = st.builds(
    BotTab,
    st.just("สรุป"),
    st.lists(st.lists(values, max_size=7), max_size=12),
    wide_columns=st.lists(st.integers(0, 6), max_size=2).map(tuple),
    layout=layouts,
)


def _xml(tab: BotTab, fast: bool) -> tuple[bytes, list[str], bytes | None]:
    found = Styles(None)
    part, targets = render(tab, _link, found) if fast else reference(tab, _cell, found)
    return zlib.decompress(part.packed, -15), targets, found.changes()


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tab=tabs)
@example(tab=BotTab("ยาว", [["x" * (MAX_CELL_TEXT + 5), "&" + "y" * MAX_CELL_TEXT, 1]]))
@example(tab=BotTab("หมายเหตุ", [["หมายเหตุ " * 20], [None, "z"]], layout=Layout(wrap=(1,))))
def test_the_fast_renderer_writes_the_bytes_the_plain_one_did(tab: BotTab) -> None:
    fast, plain = _xml(tab, fast=True), _xml(tab, fast=False)
    assert fast[0] == plain[0]
    assert fast[1:] == plain[1:]
