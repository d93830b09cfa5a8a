"""Text for people: aligned tables that stay aligned with Thai combining marks."""

from __future__ import annotations

from collections.abc import Sequence

from bot.thai import display_width


def pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns."""
    return text + " " * max(0, width - display_width(text))


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "  ") -> str:
    """A plain-text table; the last column is left ragged so long messages don't pad."""
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [pad(v, widths[i]) for i, v in enumerate(row[:-1])] + [row[-1]]
        lines.append(indent + "  ".join(parts).rstrip())
        if n == 0:
            lines.append(indent + "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def pairs(items: Sequence[tuple[str, object]], indent: str = "  ") -> str:
    """Label / value lines with the values aligned."""
    width = max((display_width(k) for k, _ in items), default=0)
    return "\n".join(f"{indent}{pad(k, width)}  {v}" for k, v in items)
