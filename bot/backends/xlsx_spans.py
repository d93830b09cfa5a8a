"""What reading a district tab leaves for writing its marks later: its scan, kept small.

Patching a tab's status column (`xlsx_marks.patch`) needs the byte spans of its cells and
rows, which the read's scan (`xlsx_sheet.scan`) found already. Scanning the part again at
write time costs as much as the read did (a national sync: 878 tabs, a few seconds), and
keeping every scan from reading to writing costs ~100 MB (a Python tuple per cell). So the
read keeps each tab's scan as `Spans`: the cells' positions, styles and whether they hold
text or a formula as deflated arrays of numbers (~2 bytes a cell: under 1 MB for the
country), and their texts only in the columns named when kept (the bot's status column).
Writing rebuilds a `Scan` from it, valid for patching a status column whose texts were
kept or that holds none; anything else is scanned again.

A `Spans` describes the part's bytes exactly as they were read: the backend keeps it
keyed by the hash of the whole file, and uses it only when the file it writes holds those
very bytes.
"""

from __future__ import annotations

import zlib
from array import array
from dataclasses import dataclass
from itertools import accumulate
from operator import add, sub

from bot.backends.xlsx_sheet import (
    COL,
    FORMULA,
    KIND,
    TEXT,
    RowSpan,
    Scan,
    Scanned,
)

_TEXT, _FORMULA = 1, 2  # flag bits
# The text of a cell outside the kept columns: only ever asked whether there is one.
_UNKEPT = ""
_CELL_FIELDS, _ROW_FIELDS = 6, 6


@dataclass
class Spans:
    """One worksheet part's scan without the texts outside `columns` (see the module)."""

    scan: Scan  # prefix, parts, merges and cols as scanned; no cells, no rows
    columns: frozenset[int]
    kept: dict[int, tuple[str, str | None]]  # cell index -> kind, text (kept columns)
    cells: int
    rows: int
    # The numbers, field by field (a cell's start as the gap after the cell before, its
    # end as its length: small numbers), as 32-bit integers deflated: ~2 bytes a cell.
    packed: bytes

    def knows(self, column: int, found: Scan) -> bool:
        """Whether a status column can be patched with `found` (`rebuilt`): its texts were
        kept, or none of its cells holds text or a formula."""
        return column in self.columns or not any(
            c[COL] == column and (c[TEXT] is not None or c[FORMULA]) for c in found.cells
        )

    def rebuilt(self) -> Scan:
        """The scan again, for `xlsx_marks.patch` only: a cell outside the kept columns
        holding text has the text "" and the kind "n" (patch only asks if there is one)."""
        base = self.scan
        out = Scan(base.prefix, parts=base.parts, merges=base.merges, cols=base.cols)
        numbers = array("i")
        numbers.frombytes(zlib.decompress(self.packed))
        n = self.cells
        rows, cols, gaps, lengths, styles, flags = (
            numbers[k * n : (k + 1) * n] for k in range(_CELL_FIELDS)
        )
        # A cell ends where the one before it ended, plus its gap and its length.
        ends = list(accumulate(map(add, gaps, lengths)))
        kinds = ["n"] * n
        texts = [_UNKEPT if flag & _TEXT else None for flag in flags]
        for i, (kind, text) in self.kept.items():
            kinds[i], texts[i] = kind, text
        formulas = [bool(flag & _FORMULA) for flag in flags]
        cells: list[Scanned] = list(
            zip(rows, cols, map(sub, ends, lengths), ends, styles, kinds, texts, formulas,
                strict=True)
        )  # fmt: skip
        out.cells = cells
        at = _CELL_FIELDS * n
        m = self.rows
        spans = [numbers[at + k * m : at + (k + 1) * m] for k in range(_ROW_FIELDS)]
        out.rows = [
            RowSpan(number, start, end, None if close < 0 else close, first, last)
            for number, start, end, close, first, last in zip(*spans, strict=True)
        ]
        return out


def keep(found: Scan, columns: set[int]) -> Spans | None:
    """`found` kept small, with the texts of the cells in `columns`; None when a number in
    it does not fit the arrays (a file claiming a style number past two thousand
    million, say): that part is simply scanned again."""
    cells = found.cells
    transposed = zip(*cells, strict=True) if cells else [()] * 8  # field by field
    rows, cols, starts, ends, styles, _, texts, formulas = transposed
    flags = [(_TEXT if text is not None else 0) | (_FORMULA if formula else 0)
             for text, formula in zip(texts, formulas, strict=True)]  # fmt: skip
    spans = found.rows
    try:
        numbers = array("i", rows)
        numbers.extend(cols)
        numbers.extend(map(sub, starts, (0, *ends[:-1])))  # the gap after the cell before
        numbers.extend(map(sub, ends, starts))  # its length
        numbers.extend(styles)
        numbers.extend(flags)
        numbers.extend([r.number for r in spans])
        numbers.extend([r.start for r in spans])
        numbers.extend([r.end for r in spans])
        numbers.extend([-1 if r.close is None else r.close for r in spans])
        numbers.extend([r.first for r in spans])
        numbers.extend([r.last for r in spans])
    except OverflowError:
        return None
    kept = (
        {i: (c[KIND], c[TEXT]) for i, c in enumerate(cells) if c[COL] in columns} if columns else {}
    )
    bare = Scan(found.prefix, parts=found.parts, merges=found.merges, cols=found.cols)
    packed = zlib.compress(numbers.tobytes(), 1)
    return Spans(bare, frozenset(columns), kept, len(cells), len(spans), packed)
