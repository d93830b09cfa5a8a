"""How ranges move when rows or columns are inserted or deleted (protected ranges, filters,
conditional formats), and DimensionRanges printed the way Google prints them."""

from __future__ import annotations

from typing import Any


def shift_range(rng: dict[str, Any], keys: tuple[str, str], start: int, delta: int) -> bool:
    """Move a GridRange for rows/columns inserted (delta > 0) or deleted at ``start``;
    False when every row/column it covered was deleted."""
    low, high = keys
    if low not in rng and high not in rng:
        return True  # unbounded along this dimension
    first = int(rng.get(low, 0))
    last = int(rng[high]) if high in rng else None
    if delta > 0:
        if start <= first:
            first += delta
            last = last + delta if last is not None else None
        elif last is not None and start < last:
            last += delta  # inserted inside: the range grows
    else:
        end, count = start - delta, -delta
        if last is not None and start <= first and last <= end:
            return False
        first = first if first < start else (start if first < end else first - count)
        if last is not None:
            last = last if last <= start else (start if last <= end else last - count)
    rng.pop(low, None)
    if first:
        rng[low] = first
    if last is not None:
        rng[high] = last
    return True


def set_span(where: dict[str, Any], start: int, end: int) -> None:
    """Set a DimensionRange's indices the way Google prints them (zero left out)."""
    where.pop("startIndex", None)
    if start:
        where["startIndex"] = start
    where["endIndex"] = end
