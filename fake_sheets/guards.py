"""Protected ranges, enforced: a write into a range protected against the caller fails.

A protection lists its editors (`editors.users`); anyone else may not change the cells it
covers, unless it only warns (`warningOnly`, which the API does not stop). Google answers
such a write with 400 and the same sentence the Sheets UI shows; as every check runs
before the first cell changes, nothing of the request is applied.
"""

from __future__ import annotations

from typing import Any

from .errors import ApiError
from .model import Box, Sheet

PROTECTED_MESSAGE = (
    "You are trying to edit a protected cell or object. Please contact the spreadsheet "
    "owner to remove protection if you need to edit."
)


def can_edit(protection: dict[str, Any], caller: str) -> bool:
    """Whether ``caller`` may change what this protected range covers."""
    if protection.get("warningOnly"):
        return True
    editors = protection.get("editors") or {}
    return caller in (editors.get("users") or []) or bool(editors.get("domainUsersCanEdit"))


def _covers(rng: dict[str, Any], box: Box) -> bool:
    r0, r1, c0, c1 = box
    top = int(rng.get("startRowIndex", 0))
    bottom = int(rng["endRowIndex"]) if "endRowIndex" in rng else None
    left = int(rng.get("startColumnIndex", 0))
    right = int(rng["endColumnIndex"]) if "endColumnIndex" in rng else None
    rows = r0 < (bottom if bottom is not None else r1 + 1) and top < r1
    cols = c0 < (right if right is not None else c1 + 1) and left < c1
    return rows and cols


def check_cells(sheet: Sheet, box: Box, caller: str) -> None:
    """Raise Google's answer if ``box`` of ``sheet`` touches a range protected from ``caller``."""
    if box[0] >= box[1] or box[2] >= box[3]:
        return
    for protection in sheet.protected:
        if can_edit(protection, caller):
            continue
        if _covers(protection.get("range") or {}, box):
            raise ApiError(400, PROTECTED_MESSAGE)
