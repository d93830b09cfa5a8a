"""The small pieces every Google write is made of: cell and format requests, deterministic
ids, and the developer metadata the bot keeps (upserted, never piled up).

Ids are derived from what they name (the tab's id and the key), so a write that is sent a
second time after its answer was lost either does the same again (an update) or is refused
as a whole (a create of an id that exists): it never leaves a second copy behind.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from bot.backends.google_grid import TabMeta
from bot.backends.google_http import encode_json
from bot.sheets import OWNER_MARK

DIGEST_KEY = "softpower-bot.digest"


def metadata_id(key: str, sheet_id: int) -> int:
    """The id of the bot's metadata ``key`` on tab ``sheet_id`` (positive 31-bit)."""
    return (zlib.crc32(f"{key}:{sheet_id}".encode()) & 0x7FFFFFFF) or 1


def new_sheet_id(title: str, taken: set[int]) -> int:
    """A tab id for a new bot tab: deterministic, so a rebuilt plan is identical."""
    candidate = zlib.crc32(title.encode()) & 0x7FFFFFFF
    while candidate in taken or candidate == 0:
        candidate = (candidate + 1) & 0x7FFFFFFF
    return candidate


def text_cell(text: str | None) -> dict[str, Any]:
    """A cell holding text as typed: "=IMPORTXML(...)" from staff is never executed."""
    return {"userEnteredValue": {"stringValue": text}} if text else {}


def cell_request(
    sheet_id: int, row: int, col: int, cell: dict[str, Any], fields: str
) -> dict[str, Any]:
    """updateCells of one 1-based cell."""
    return {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": col - 1},
        "rows": [{"values": [cell]}], "fields": fields,
    }}  # fmt: skip


def clear_colour(sheet_id: int, row: int, col: int) -> dict[str, Any]:
    """Remove a background colour."""
    # Google keeps a colour twice (backgroundColor and its backgroundColorStyle twin):
    # clearing one could leave the other showing, so clear both.
    return cell_request(
        sheet_id, row, col, {}, "userEnteredFormat(backgroundColor,backgroundColorStyle)"
    )


def resize(sheet_id: int, grid: dict[str, int]) -> dict[str, Any]:
    """Set a tab's grid size and frozen rows."""
    return {"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "gridProperties": grid},
        "fields": "gridProperties(rowCount,columnCount,frozenRowCount)",
    }}  # fmt: skip


def write_rows(sheet_id: int, start: int, rows: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """updateCells of whole rows from 0-based row ``start``."""
    return {"updateCells": {
        "start": {"sheetId": sheet_id, "rowIndex": start, "columnIndex": 0},
        "rows": [{"values": r} for r in rows],
        "fields": "userEnteredValue,textFormatRuns,userEnteredFormat",
    }}  # fmt: skip


class LazyRequest(Mapping[str, Any]):
    """A request whose body is made only when it is encoded to be sent (`encode_json`),
    then dropped: a national tab's 30,000 rows are rendered one part at a time instead
    of being held as CellData all at once (hundreds of MB). ``size`` is the length of its
    encoding, known beforehand, so batches are packed without making it."""

    __slots__ = ("_key", "_make", "size")

    def __init__(self, key: str, make: Callable[[], Any], size: int) -> None:
        self._key = key
        self._make = make
        self.size = size

    def __getitem__(self, key: str) -> Any:
        if key != self._key:
            raise KeyError(key)
        return self._make()

    def __contains__(self, key: object) -> bool:
        # Asking which kind of request this is must not render it.
        return key == self._key

    def __iter__(self) -> Iterator[str]:
        return iter((self._key,))

    def __len__(self) -> int:
        return 1


def lazy_rows(
    sheet_id: int,
    start: int,
    row: Callable[[int], list[dict[str, Any]]],
    sizes: Sequence[int],
) -> LazyRequest:
    """`write_rows` of rows ``start`` .. ``start + len(sizes)``, each made by ``row(n)``
    only when the request is sent; ``sizes``: each row's encoded ``{"values": [...]}``
    plus one (its comma)."""
    count = len(sizes)
    envelope = len(encode_json(write_rows(sheet_id, start, [])))
    return LazyRequest(
        "updateCells",
        lambda: write_rows(sheet_id, start, [row(n) for n in range(start, start + count)])[
            "updateCells"
        ],
        envelope + sum(sizes) - (1 if count else 0),
    )


def body_size(requests: Sequence[Mapping[str, Any]]) -> int:
    """``len(encode_json({"requests": requests}))``, without making the lazy requests."""
    parts = sum(r.size if isinstance(r, LazyRequest) else len(encode_json(r)) for r in requests)
    return len(b'{"requests":[]}') + parts + max(0, len(requests) - 1)


def by_id(metadata_id_: int) -> dict[str, Any]:
    """A DataFilter that selects one developer metadata entry."""
    return {"developerMetadataLookup": {"metadataId": metadata_id_}}


def create_metadata(key: str, value: str, location: dict[str, Any], mid: int) -> dict[str, Any]:
    """createDeveloperMetadata with a chosen id."""
    meta = {"metadataId": mid, "metadataKey": key, "metadataValue": value,
            "visibility": "DOCUMENT", "location": location}  # fmt: skip
    return {"createDeveloperMetadata": {"developerMetadata": meta}}


def delete_metadata(mid: int) -> dict[str, Any]:
    """deleteDeveloperMetadata of one entry."""
    return {"deleteDeveloperMetadata": {"dataFilter": by_id(mid)}}


def ownership(sheet_id: int, meta: TabMeta | None, digest: str) -> list[dict[str, Any]]:
    """Mark a tab as the bot's, with its content digest: kept, updated, or created under
    fixed ids; stray copies (from an older version's repeated writes) deleted."""
    out = [delete_metadata(mid) for mid in (meta.duplicates if meta else [])]
    existing = meta.metadata if meta is not None else {}
    location = {"sheetId": sheet_id}
    for key, value in ((OWNER_MARK, "softpower-bot"), (DIGEST_KEY, digest)):
        if key not in existing:
            out.append(create_metadata(key, value, location, metadata_id(key, sheet_id)))
        elif existing[key][1] != value:
            out.append({"updateDeveloperMetadata": {
                "dataFilters": [by_id(existing[key][0])],
                "developerMetadata": {"metadataValue": value}, "fields": "metadataValue",
            }})  # fmt: skip
    return out


def guarded_digest(sheet_id: int, meta: TabMeta, digest: str) -> list[dict[str, Any]]:
    """Set a tab's content digest so that the batch carrying it fails as a whole when it
    is sent a second time (after its answer was lost): the entry is made afresh under an
    id derived from the new digest, and making an id that exists is refused. A row
    difference (rows inserted and deleted) must never be made twice."""
    out = [delete_metadata(mid) for mid in meta.duplicates]
    old = meta.metadata.get(DIGEST_KEY)
    if old is not None:
        out.append(delete_metadata(old[0]))
    fresh = metadata_id(f"{DIGEST_KEY}={digest}", sheet_id)
    if old is not None and old[0] == fresh:
        fresh = metadata_id(f"{DIGEST_KEY}={digest}+", sheet_id)
    out.append(create_metadata(DIGEST_KEY, digest, {"sheetId": sheet_id}, fresh))
    if OWNER_MARK not in meta.metadata:
        location = {"sheetId": sheet_id}
        mark = metadata_id(OWNER_MARK, sheet_id)
        out.append(create_metadata(OWNER_MARK, "softpower-bot", location, mark))
    return out
