"""The fake as a program of its own: ``python -m fake_sheets`` serves it on 127.0.0.1 and
takes test controls over HTTP under ``/_fake/`` (never a Google path), so that a client
under measurement (the benchmark's bot) runs in another process and its memory and CPU are
its own.

Controls (JSON in, JSON out):

* ``POST /_fake/spreadsheets`` ``{"title", "tabs": {name: rows}, "value_input"}`` -> ``{"id"}``
* ``POST /_fake/edit`` ``{"spreadsheet", "tab", "start": "B2", "rows"}``: a person types
* ``GET /_fake/log?since=N`` -> ``{"records": [[method, path, kind, status], ...], "total"}``
* ``POST /_fake/reset``: forget the request counts and log
* ``GET /_fake/values?spreadsheet=&tab=`` -> the tab's values (unformatted)
* ``GET /_fake/tabs?spreadsheet=`` -> its tabs' properties and what lives on them
* ``GET /_fake/health`` -> ``{"ok": true, "peak_rss_mb"}``

``--clock-file PATH`` makes the quota windows run on a simulated clock kept in an 8-byte
file that the client maps too (`FileClock`): a client that waits out a quota minute moves
it forward, and both processes see the same time at once.
"""

from __future__ import annotations

import argparse
import json
import mmap
import os
import resource
import signal
import struct
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import FakeSheets

_DOUBLE = struct.Struct("d")


class FileClock:
    """A simulated clock in a file mapped into memory: every process that opens the same
    file sees and moves the same time (seconds, a float)."""

    def __init__(self, path: str | os.PathLike[str], start: float | None = None) -> None:
        self.path = Path(path)
        if start is not None or not self.path.exists():
            self.path.write_bytes(_DOUBLE.pack(start or 0.0))
        with self.path.open("r+b") as handle:
            self._map = mmap.mmap(handle.fileno(), _DOUBLE.size)

    def __call__(self) -> float:
        """The current simulated time."""
        value: float = _DOUBLE.unpack_from(self._map, 0)[0]
        return value

    def advance(self, seconds: float) -> None:
        """Move the time forward (the pacing of a client "sleeps" this way)."""
        _DOUBLE.pack_into(self._map, 0, self() + max(0.0, seconds))


def control(fake: FakeSheets, method: str, path: str, query: dict[str, list[str]],
            body: Any) -> tuple[int, Any]:  # fmt: skip
    """Answer one ``/_fake/...`` control request: (HTTP status, JSON)."""
    name = path.removeprefix("/_fake/")
    one = {k: v[-1] for k, v in query.items()}
    if (method, name) == ("GET", "health"):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return 200, {"ok": True, "peak_rss_mb": round(peak, 1)}
    if (method, name) == ("POST", "spreadsheets"):
        title = str(body.get("title", "Untitled spreadsheet"))
        typed = str(body.get("value_input", "USER_ENTERED"))
        key = fake.add_spreadsheet(title, body.get("tabs"), value_input=typed)
        return 200, {"id": key}
    if (method, name) == ("POST", "edit"):
        fake.set_values(str(body["spreadsheet"]), str(body["tab"]), str(body["start"]),
                        body["rows"], str(body.get("value_input", "USER_ENTERED")))  # fmt: skip
        return 200, {}
    if (method, name) == ("GET", "log"):
        records = fake.requests
        since = int(one.get("since", 0))
        rows = [[r.method, r.path, r.kind, r.status] for r in records[since:]]
        return 200, {"records": rows, "total": len(records)}
    if (method, name) == ("POST", "reset"):
        fake.reset_counts()
        return 200, {}
    if (method, name) == ("GET", "values"):
        return 200, fake.tab_values(one["spreadsheet"], one["tab"], "UNFORMATTED_VALUE")
    if (method, name) == ("GET", "tabs"):
        ss = fake.spreadsheet(one["spreadsheet"])
        tabs = [{"properties": s.properties_json(), "charts": s.charts,
                 "filterViews": s.filter_views, "protectedRanges": s.protected,
                 "basicFilter": s.basic_filter} for s in ss.sheets]  # fmt: skip
        return 200, {"tabs": tabs, "version": ss.version}
    return 404, {"error": {"code": 404, "message": f"no control {method} {path}"}}


def main(argv: list[str] | None = None) -> int:
    """Serve the fake until SIGTERM, SIGINT or the end of standard input; the first line
    printed is ``{"url": ...}``."""
    from .server import FakeSheets  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m fake_sheets", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--read-per-minute", type=int, default=60)
    parser.add_argument("--write-per-minute", type=int, default=60)
    parser.add_argument("--project-per-minute", type=int, default=300)
    parser.add_argument("--clock-file", type=Path, help="a simulated clock shared with a client")
    args = parser.parse_args(argv)
    clock = FileClock(args.clock_file) if args.clock_file else None
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    with FakeSheets(port=args.port, clock=clock, read_per_minute=args.read_per_minute,
                    write_per_minute=args.write_per_minute,
                    project_per_minute=args.project_per_minute) as fake:  # fmt: skip
        print(json.dumps({"url": fake.url}), flush=True)

        def until_stdin_ends() -> None:
            sys.stdin.read()
            done.set()

        threading.Thread(target=until_stdin_ends, daemon=True).start()
        done.wait()
        if fake.errors:
            print("\n".join(fake.errors), file=sys.stderr)
            return 1
    return 0
