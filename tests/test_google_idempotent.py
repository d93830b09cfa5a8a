"""A write that Google carried out but answered only after the bot's timeout: the bot sends
it again, and the spreadsheet ends exactly as after one write (no second ownership mark,
digest, anchor or tab; no "already exists" failure leaving the national tabs unwritten)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_sheets import FakeSheets
from tests.workbooks import default_tabs
from tests.worlds import GoogleWorld


def everything(fake: FakeSheets, key: str) -> str:
    """A spreadsheet as the API would show it all: tabs, cells, metadata, rules."""
    ss = fake.spreadsheet(key)
    body: dict[str, Any] = ss.to_json({s.sheet_id: [(0, s.rows, 0, s.cols)] for s in ss.sheets})
    body["developerMetadata"] = fake.developer_metadata(key)
    return json.dumps(body, ensure_ascii=False, sort_keys=True)


def run(late: tuple[str, int] | None) -> tuple[dict[str, str], list[Any]]:
    """Two cycles on a fresh fake (the second after a fix), optionally with the ``n``-th
    request of a kind carried out at once but answered after the client's timeout."""
    with FakeSheets() as fake:
        world = GoogleWorld(fake, timeout_s=0.5, max_retries=3)
        world.make(default_tabs())
        if late is not None:
            kind, nth = late
            seen = [0]

            def hook(f: FakeSheets) -> None:
                seen[0] += 1
                if seen[0] == nth:
                    f.late_next(1.0, kind=kind)
                else:
                    f.before_next(hook, kind=kind)

            fake.before_next(hook, kind=kind)
        first = world.sync()
        world.set_value("province", "อำเภอภูเขียว", 3, 6, "ข้าวหลาม")
        second = world.sync()
        assert fake.errors == []
        skipped = [a.skipped_reason for r in (first, second) for a in r.skipped]
        return {w: everything(fake, key) for w, key in world.ids.items()}, skipped


@pytest.mark.parametrize(
    "late",
    [
        ("spreadsheets.batchUpdate", 1),  # the province's: adds its tab, anchors, marks
        ("spreadsheets.batchUpdate", 2),  # the national one: adds three tabs
        ("values.batchUpdateByDataFilter", 1),  # the statuses
        ("spreadsheets.batchUpdate", 3),  # the second cycle's: rewrites a tab and its digest
    ],
)
def test_a_write_answered_too_late_ends_as_one_write(late: tuple[str, int]) -> None:
    once, skipped_once = run(None)
    twice, skipped = run(late)
    assert skipped_once == skipped == []
    assert twice == once
    # The bot's marks exist once each.
    metadata = json.loads(twice["national"])["developerMetadata"]
    keys = [(m["metadataKey"], json.dumps(m["location"], sort_keys=True)) for m in metadata]
    assert len(keys) == len(set(keys))
