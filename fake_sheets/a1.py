"""A1 notation as the Sheets API parses and prints it.

Parsing follows the rules the recorded traffic and Google's documentation show:

* ``'My tab'!A1:B2`` - a quoted sheet name, with ``''`` standing for one ``'``;
* ``My tab!A1:B2`` - an unquoted name may hold spaces (Google accepts
  ``🌵 test 1!A:A``), but a name that looks like a cell reference (``A1``, ``R1C1``)
  must be quoted, otherwise the range does not parse;
* ``Sheet1`` - a bare sheet name means the whole sheet; a bare string that parses as a
  cell range (``A1``, ``A:C``, ``2:5``) means that range on the first sheet, even when a
  tab is called ``A1`` (so ``'A1'!A1`` is needed to reach that tab);
* open ranges: ``A:C`` (whole columns), ``2:5`` (whole rows), ``A2:C`` (from row 2 down),
  ``A1:1`` (row 1 from column A rightwards).

Printing mirrors what Google returns: the sheet name is quoted only when needed (see
`quote_sheet_name`), ranges are closed against the grid, a 1x1 range prints as one cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Google's own ceiling: columns go up to ZZZ, a sheet holds at most 10 million cells.
MAX_COLUMNS = 18_278
MAX_ROWS = 10_000_000

_PART = re.compile(r"^(\$?(?P<col>[A-Za-z]{1,3}))?(\$?(?P<row>[0-9]+))?$")
_LOOKS_LIKE_CELL = re.compile(r"^(\$?[A-Za-z]{1,3}\$?[0-9]+|[Rr][0-9]+[Cc][0-9]+)$")
# ASCII identifiers print unquoted (Sheet1, finances); everything else is quoted. Google's
# exact rule for non-ASCII letters is not visible in the recordings, so Thai/emoji names
# are always quoted, which every A1 parser (including Google's) accepts.
_PLAIN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class A1Error(ValueError):
    """The text is not a range Google can parse."""


@dataclass(frozen=True)
class Window:
    """A rectangle of a sheet: zero-based, end-exclusive; ``None`` ends are open."""

    start_row: int = 0
    end_row: int | None = None
    start_col: int = 0
    end_col: int | None = None

    def close(self, row_count: int, col_count: int) -> tuple[int, int, int, int]:
        """The rectangle with open ends filled in from the grid size."""
        end_row = row_count if self.end_row is None else self.end_row
        end_col = col_count if self.end_col is None else self.end_col
        return self.start_row, end_row, self.start_col, end_col


@dataclass(frozen=True)
class ParsedRange:
    """A parsed A1 range: sheet name (``None`` = first sheet) and window (``None`` = all)."""

    text: str
    sheet: str | None
    window: Window | None


def column_letters(index: int) -> str:
    """Zero-based column index -> letters (0 -> A, 26 -> AA)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """Column letters -> zero-based index (A -> 0, AA -> 26)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def looks_like_cell(name: str) -> bool:
    """Whether an unquoted name would be read as a cell reference (so it needs quotes)."""
    return bool(_LOOKS_LIKE_CELL.match(name))


def quote_sheet_name(title: str) -> str:
    """The sheet name as Google prints it in a range: quoted only when needed."""
    if _PLAIN_NAME.match(title) and not looks_like_cell(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def always_quoted(title: str) -> str:
    """The sheet name quoted (Google's error messages always quote it)."""
    return "'" + title.replace("'", "''") + "'"


def cell_name(row: int, col: int) -> str:
    """Zero-based (row, col) -> ``A1``."""
    return f"{column_letters(col)}{row + 1}"


def format_range(title: str, r0: int, r1: int, c0: int, c1: int) -> str:
    """A closed rectangle (end-exclusive) as Google prints it: ``Sheet1!A1:D4``."""
    first = cell_name(r0, c0)
    if r1 - r0 == 1 and c1 - c0 == 1:
        return f"{quote_sheet_name(title)}!{first}"
    return f"{quote_sheet_name(title)}!{first}:{cell_name(r1 - 1, c1 - 1)}"


def _split_sheet(text: str) -> tuple[str | None, str | None, bool]:
    """Split ``sheet!cells`` into (sheet, cells, sheet_was_quoted)."""
    if text.startswith("'"):
        name = []
        i = 1
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name.append("'")
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return "".join(name), None, True
                if rest.startswith("!"):
                    return "".join(name), rest[1:], True
                raise A1Error(text)
            name.append(ch)
            i += 1
        raise A1Error(text)  # unterminated quote
    if "!" in text:
        sheet, _, cells = text.rpartition("!")
        return sheet, cells, False
    return None, text, False


def _part(text: str) -> tuple[int | None, int | None]:
    match = _PART.match(text)
    if not match or not text.replace("$", ""):
        raise A1Error(text)
    col = match.group("col")
    row = match.group("row")
    col_i = column_index(col) if col else None
    row_i = int(row) - 1 if row else None
    if row_i is not None and not 0 <= row_i < MAX_ROWS:
        raise A1Error(text)
    if col_i is not None and col_i >= MAX_COLUMNS:
        raise A1Error(text)
    return row_i, col_i


def parse_window(cells: str) -> Window:
    """Parse the cell part (``A1``, ``A1:B2``, ``A:C``, ``2:5``, ``A2:C``, ``A1:1``)."""
    if ":" not in cells:
        row, col = _part(cells)
        if row is None or col is None:
            raise A1Error(cells)
        return Window(row, row + 1, col, col + 1)
    left, _, right = cells.partition(":")
    r0, c0 = _part(left)
    r1, c1 = _part(right)
    full0 = r0 is not None and c0 is not None
    full1 = r1 is not None and c1 is not None
    # The shapes Google accepts: A1:B2, A:C, 2:5, A2:C, A1:1, A:C5. Mixed halves such as
    # "A:1" or "1:A" mean nothing.
    allowed = (
        (full0 and (full1 or r1 is None or c1 is None))
        or (r0 is None and c1 is not None)  # A:C or A:C5
        or (c0 is None and r1 is not None and c1 is None)  # 2:5
    )
    if not allowed:
        raise A1Error(cells)
    start_row = 0 if r0 is None else r0
    start_col = 0 if c0 is None else c0
    end_row = None if r1 is None else r1 + 1
    end_col = None if c1 is None else c1 + 1
    # Google accepts reversed corners (B2:A1) and means the same rectangle.
    if end_row is not None and end_row <= start_row:
        start_row, end_row = end_row - 1, start_row + 1
    if end_col is not None and end_col <= start_col:
        start_col, end_col = end_col - 1, start_col + 1
    return Window(start_row, end_row, start_col, end_col)


def parse_range(text: str) -> ParsedRange:
    """Parse an A1 range with an optional sheet name; raise `A1Error` if Google couldn't."""
    if not text or text.strip() != text:
        raise A1Error(text)
    sheet, cells, quoted = _split_sheet(text)
    if sheet is not None and not quoted and (not sheet or looks_like_cell(sheet)):
        raise A1Error(text)
    if sheet is not None and quoted and sheet == "":
        raise A1Error(text)
    if cells is None:
        return ParsedRange(text, sheet, None)
    if sheet is None:
        # No "!": a cell range on the first sheet if it parses as one, else a sheet name.
        try:
            return ParsedRange(text, None, parse_window(cells))
        except A1Error:
            return ParsedRange(text, cells, None)
    if cells == "":
        raise A1Error(text)
    return ParsedRange(text, sheet, parse_window(cells))
