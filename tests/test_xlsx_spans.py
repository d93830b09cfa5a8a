"""A district tab's scan kept small from reading to writing (`xlsx_spans`) patches the tab
into exactly the bytes a fresh scan does: status cells replaced, cleared or inserted,
highlights added and taken off, new rows, merged cells in the way, formulas in the status
column. When the status column holds text the spans did not keep, they say so, and the
part is scanned again."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.backends.xlsx_marks import Marked, MarkError, patch, status_column
from bot.backends.xlsx_sheet import Decoder, scan
from bot.backends.xlsx_spans import keep
from bot.backends.xlsx_styles import BOT_COLOURS, Styles
from bot.backends.xlsx_xml import MAIN_NS
from bot.model import Highlight, TabMarks
from bot.sheets import column_letter

SHARED = ["ผ่าน", "ครบถ้วน", "หมายเหตุ"]


def _styles() -> tuple[Styles, list[int]]:
    """The same styles every time, with the bot's two highlight formats in them."""
    styles = Styles(None)
    return styles, [0, styles.with_fill(0, BOT_COLOURS["error"]),
                    styles.with_fill(0, BOT_COLOURS["warning"])]  # fmt: skip


_, STYLES = _styles()
kinds = st.sampled_from(["inline", "shared", "number", "formula", "empty", "rich"])
cell = st.tuples(kinds, st.sampled_from(STYLES), st.sampled_from(["ok", "ผ่าน", "a&b", ""]))
sheets = st.dictionaries(
    st.tuples(st.integers(1, 9), st.integers(1, 6)), cell, max_size=30
)  # (row, column) -> cell


def _xml(cells: dict[tuple[int, int], tuple[str, int, str]], merge: bool, pre: str) -> bytes:
    rows: dict[int, list[str]] = {}
    for (r, c), (kind, style, text) in sorted(cells.items()):
        ref, s = f"{column_letter(c)}{r}", f' s="{style}"' if style else ""
        body = {
            "inline": f' t="inlineStr"><{pre}is><{pre}t>{text.replace("&", "&amp;")}'
            f"</{pre}t></{pre}is></{pre}c>",
            "shared": f' t="s"><{pre}v>{len(text) % len(SHARED)}</{pre}v></{pre}c>',
            "number": f"><{pre}v>{len(text)}</{pre}v></{pre}c>",
            "formula": f' t="str"><{pre}f>A1</{pre}f><{pre}v>x</{pre}v></{pre}c>',
            "empty": "/>",
            "rich": f' t="inlineStr"><{pre}is><{pre}r><{pre}t>a</{pre}t></{pre}r>'
            f"</{pre}is></{pre}c>",
        }[kind]
        rows.setdefault(r, []).append(f'<{pre}c r="{ref}"{s}{body}')
    data = "".join(f'<{pre}row r="{r}">{"".join(cs)}</{pre}row>' for r, cs in rows.items())
    merged = f'<{pre}mergeCells count="1"><{pre}mergeCell ref="D2:E3"/></{pre}mergeCells>'
    xmlns = f'xmlns:{pre[:-1]}="{MAIN_NS}"' if pre else f'xmlns="{MAIN_NS}"'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{pre}worksheet {xmlns}>'
        f'<{pre}dimension ref="A1:F9"/><{pre}sheetData>{data}</{pre}sheetData>'
        f"{merged if merge else ''}</{pre}worksheet>"
    ).encode()


def _patched(data: bytes, marks: TabMarks, *, fresh: bool, kept: set[int]) -> object:
    """What patching gives (Marked and the styles' new part), or the MarkError's text;
    with `fresh`, from a new scan, else from the read's spans (None if they cannot)."""
    styles, _ = _styles()
    decoder = Decoder(SHARED, styles)
    found = scan(data)
    if not fresh:
        spans = keep(found, kept)
        assert spans is not None
        found = spans.rebuilt()
        try:
            column = status_column(found, marks)
        except MarkError as exc:
            return str(exc)
        if column is not None and not spans.knows(column, found):
            return None
    try:
        marked: Marked = patch(data, found, marks, decoder, styles)
    except MarkError as exc:
        return str(exc)
    return marked, styles.changes()


@settings(max_examples=300, deadline=None)
@given(
    cells=sheets,
    merge=st.booleans(),
    prefix=st.sampled_from(["", "x:"]),
    column=st.integers(1, 8),
    new_column=st.booleans(),
    kept_column=st.booleans(),
    status=st.dictionaries(st.integers(2, 11), st.sampled_from(["", "ผ่าน", "ไม่ผ่าน <1>"])),
    highlights=st.lists(
        st.builds(
            Highlight, st.integers(1, 10), st.integers(1, 7), st.sampled_from(["error", "warning"])
        ),
        max_size=6,
    ),
)
def test_the_kept_spans_patch_a_tab_exactly_as_a_new_scan_does(  # noqa: PLR0917 (given)
    cells: dict[tuple[int, int], tuple[str, int, str]],
    merge: bool,
    prefix: str,
    column: int,
    new_column: bool,
    kept_column: bool,
    status: dict[int, str],
    highlights: list[Highlight],
) -> None:
    data = _xml(cells, merge, prefix)
    marks = TabMarks("แท็บ", 1, column, "ผลการตรวจสอบ (ระบบ)", status, highlights,
                     new_column=new_column)  # fmt: skip
    kept = {column} if kept_column else set()
    from_spans = _patched(data, marks, fresh=False, kept=kept)
    fresh = _patched(data, marks, fresh=True, kept=kept)
    if kept_column:
        assert from_spans is not None  # the kept status column needs no second scan
    if from_spans is None:
        # Only when the status column holds text (or a formula) the spans did not keep.
        assert not kept_column
        assert any(c == column and cells[r, c][0] != "empty" for r, c in cells)
        return
    assert from_spans == fresh
