"""Writing only what changed in a bot tab: row fingerprints, their digest, and the row
inserts, deletes and updates that turn what a tab holds into what the plan wants.

A bot tab is known by one 8-byte fingerprint per row, taken from the plan's own cells
(text, numbers, each link's address, and the row's look: number formats, colours, bold,
wrapping, see `google_looks.CellLooks`), never from rendered API JSON, so deciding that
a tab is unchanged costs a hash per row and renders nothing. The digest of the
fingerprints is the tab's content digest, kept in its developer metadata: when it equals
the digest of the fingerprints the bot last wrote there, those fingerprints are what the
tab holds, and the difference to the plan is computed from them (`diff`). Only the rows
that differ are rendered and sent, so the tab keeps its id and whatever people built on it
(filters, filter views, charts, protected ranges, formulas in other tabs pointing at it).
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from bot.backends.google_looks import CellLooks, signature_of_cells
from bot.model import BotTab, Link, LinkedText, OutCell

# Digests of this kind; any other (an older bot's, whose rows had no looks) means unknown.
DIGEST_PREFIX = "rows2:"

# Digests of this kind; any other (an older bot's, whose rows had no looks) means unknown.
_SEP, _LINK = "\x1f", "\x1d"


def cell_key(value: OutCell, link: Callable[[Link], str]) -> str:
    """What a person sees in a cell, as one string: text, a number, or a link's text and
    address (formats are the bot's own and not part of it)."""
    if isinstance(value, LinkedText):
        return f"{_LINK}{value.text}{_LINK}{link(value.link)}"
    if isinstance(value, bool):
        return f"\x1eb{int(value)}"
    if isinstance(value, int | float):
        return f"\x1en{float(value)!r}"
    return value or ""


def row_hash(keys: Sequence[str], width: int, look: str = "") -> bytes:
    """One row's fingerprint from its cells' keys, padded to the tab's width, and its look
    (`CellLooks.signature`)."""
    text = _SEP.join([*keys, *[""] * (width - len(keys)), look])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest()


@dataclass(frozen=True)
class Shape:
    """A bot tab as fingerprints: one per row, its width and header rows."""

    hashes: tuple[bytes, ...]
    width: int
    header_rows: int
    # The planned tab's cell looks (None for a tab read back or remembered).
    looks: CellLooks | None = field(default=None, compare=False, repr=False)

    @property
    def digest(self) -> str:
        """The content digest kept in the tab's developer metadata."""
        h = hashlib.blake2b(digest_size=16)
        h.update(f"{self.width}:{self.header_rows}:".encode())
        for one in self.hashes:
            h.update(one)
        return DIGEST_PREFIX + h.hexdigest()

    @property
    def grid_rows(self) -> int:
        """The row count the tab's grid gets (one blank row under a lone header)."""
        return max(len(self.hashes), self.header_rows + 1)


def shape_of(tab: BotTab, link: Callable[[Link], str]) -> Shape:
    """The fingerprints of a planned bot tab (nothing rendered)."""
    width = max((len(r) for r in tab.rows), default=1) or 1
    looks = CellLooks(tab.layout, width, len(tab.rows), tab.header_rows)
    hashes = tuple(
        row_hash([cell_key(c, link) for c in row], width, looks.signature(n))
        for n, row in enumerate(tab.rows, start=1)
    )
    return Shape(hashes, width, tab.header_rows, looks)


def key_of_cell_data(cell: dict[str, Any]) -> str:
    """`cell_key` of a cell as Google returns it (userEnteredValue, textFormatRuns)."""
    value = cell.get("userEnteredValue") or cell.get("effectiveValue") or {}
    if "stringValue" in value:
        text = str(value["stringValue"])
        for run in cell.get("textFormatRuns") or []:
            uri = ((run.get("format") or {}).get("link") or {}).get("uri")
            if uri:
                return f"{_LINK}{text}{_LINK}{uri}"
        return text
    if "boolValue" in value:
        return f"\x1eb{int(bool(value['boolValue']))}"
    if "numberValue" in value:
        return f"\x1en{float(value['numberValue'])!r}"
    if "formulaValue" in value:
        return str(value["formulaValue"])
    return ""


def hashes_of_rows(row_data: list[dict[str, Any]], width: int) -> list[bytes]:
    """Fingerprints of rows read back from Google (`GridData.rowData`), looks included."""
    out = []
    for row in row_data:
        cells = (row.get("values") or [])[:width]
        keys = [key_of_cell_data(c) for c in cells]
        out.append(row_hash(keys, width, signature_of_cells(cells, width)))
    return out


def content_hashes(hashes: Sequence[bytes], width: int) -> tuple[bytes, ...]:
    """Fingerprints of a tab read back, without the grid's blank rows below its content."""
    blank = hashes_of_rows([{}], width)[0]
    end = len(hashes)
    while end and hashes[end - 1] == blank:
        end -= 1
    return tuple(hashes[:end])


class TabRead(NamedTuple):
    """A bot tab's rows as a read found them: which tab (its id), its width, and the
    fingerprints of its content (`content_hashes`)."""

    sheet_id: int
    columns: int
    hashes: tuple[bytes, ...]


@dataclass(frozen=True)
class Edit:
    """One step from the old rows to the new: at old row ``at`` (0-based, counted after
    every later step was made), delete ``delete`` rows, then insert ``insert`` rows, then
    write new rows ``new`` over rows ``at`` .. ``at + len(new)``."""

    at: int
    delete: int
    insert: int
    new: range


def diff(old: Sequence[bytes], new: Sequence[bytes]) -> list[Edit]:
    """The edits that turn rows ``old`` into ``new``, last rows first (so each edit's row
    numbers hold when it is made); unchanged rows are never touched."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old, end_new = end_old - 1, end_new - 1
    matcher = difflib.SequenceMatcher(None, old[start:end_old], new[start:end_new], autojunk=False)
    edits = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = start + i1, start + j1
        common = min(i2 - i1, j2 - j1)
        edits.append(Edit(a, max(0, (i2 - i1) - common), max(0, (j2 - j1) - common),
                          range(b, b + (j2 - j1))))  # fmt: skip
    return edits[::-1]


def edit_requests(
    sheet_id: int,
    edits: list[Edit],
    row_cells: Callable[[int], list[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """The batchUpdate requests of ``edits`` on tab ``sheet_id``; ``row_cells(n)`` renders
    new row ``n`` (every cell, padded to the width, formats included)."""
    out: list[dict[str, Any]] = []
    for edit in edits:
        kept = len(edit.new) - edit.insert  # rows overwritten in place
        if edit.delete:
            out.append(_dimension("deleteDimension", sheet_id, edit.at + kept,
                                  edit.at + kept + edit.delete))  # fmt: skip
        if edit.insert:
            out.append(_dimension("insertDimension", sheet_id, edit.at + kept,
                                  edit.at + kept + edit.insert))  # fmt: skip
        if edit.new:
            rows = [{"values": row_cells(n)} for n in edit.new]
            out.append({"updateCells": {
                "start": {"sheetId": sheet_id, "rowIndex": edit.at, "columnIndex": 0},
                "rows": rows, "fields": "userEnteredValue,textFormatRuns,userEnteredFormat",
            }})  # fmt: skip
    return out


def _dimension(kind: str, sheet_id: int, start: int, end: int) -> dict[str, Any]:
    where = {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": start, "endIndex": end}
    if kind == "insertDimension":
        # Rows take the format of the row above (never a header's: every written cell's
        # format is set anyway); at the top there is none above.
        return {kind: {"range": where, "inheritFromBefore": start > 0}}
    return {kind: {"range": where}}


def grid_after(rows_before: int, edits: list[Edit]) -> int:
    """The tab's grid row count once ``edits`` are made."""
    return rows_before + sum(e.insert - e.delete for e in edits)
