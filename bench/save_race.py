"""How many of a person's saves a rewrite of the workbook loses: the atomic swap the bot uses
against check-then-rename, side by side in one run.

    python bench/save_race.py [--saves 3000] [--pause 0.5] [--repeat 3]

A person (a thread, switched in as often as Python allows, so that it can fall between any
two steps of the bot) reads a small workbook file and saves it with one more mark, `--saves`
times, alternately by rename (as Excel does) and in place (as a script does), `--pause`
milliseconds apart; meanwhile the bot reads the file and rewrites it as fast as it can
through `bot.backends.xlsx_file`. A save is lost when its mark is neither in the final file
nor in a save the bot kept aside (`*.softpower-bot-kept-*`, when two saves fell within its
swap); `kept` counts those files. Each method runs `--repeat` times in turn,
in a fresh folder. Prints one line per run, then one JSON object with lost saves (min,
median, max), bot writes and seconds per method, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.backends import xlsx_file


def race(folder: Path, saves: int, pause: float) -> dict[str, float]:
    """One run: the person's `saves` saves against the bot's rewrites; what was lost."""
    book = folder / "book.xlsx"
    book.write_bytes(b"start")
    finished = threading.Event()

    def person() -> None:
        for k in range(saves):
            data = book.read_bytes() + b" p%d" % k
            if k % 2:
                (folder / "~saving").write_bytes(data)
                os.replace(folder / "~saving", book)
            else:
                with open(book, "wb") as handle:
                    handle.write(data)
            time.sleep(pause)
        finished.set()

    start = time.perf_counter()
    saver = threading.Thread(target=person)
    saver.start()
    written = skipped = 0
    while not finished.is_set():
        try:
            data, version = xlsx_file.snapshot(book)
        except xlsx_file.Changed:
            continue
        if not data:  # a save half done; a real workbook would not parse
            continue
        reason = xlsx_file.replace(book, data + b" bot", version, lambda: None)
        written += reason is None
        skipped += reason is not None
    saver.join()
    marks = set(book.read_bytes().split())
    kept = list(folder.glob(f"*.{xlsx_file.TEMP_TAG}-kept-*"))
    for path in kept:
        marks |= set(path.read_bytes().split())
    lost = sum(b"p%d" % k not in marks for k in range(saves))
    seconds = time.perf_counter() - start
    return {"lost": lost, "kept": len(kept), "written": written, "skipped": skipped,
            "seconds": seconds}  # fmt: skip


def main() -> None:
    """Run both methods in turn and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=3000)
    parser.add_argument("--pause", type=float, default=0.5, help="ms between saves")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.setswitchinterval(1e-6)
    swap = xlsx_file._RENAMEAT2
    if swap is None:
        sys.exit("this system cannot swap names atomically; nothing to compare")
    runs: dict[str, list[dict[str, float]]] = {"swap": [], "check_then_rename": []}
    for _ in range(args.repeat):
        for method, results in runs.items():
            # The fallback is what the bot does where renameat2 is missing.
            xlsx_file._RENAMEAT2 = swap if method == "swap" else None
            with tempfile.TemporaryDirectory() as folder:
                result = race(Path(folder), args.saves, args.pause / 1000)
            results.append(result)
            print(method, {k: round(v, 2) for k, v in result.items()}, flush=True)
    figures: dict[str, object] = {"saves": args.saves, "pause_ms": args.pause,
                                  "load": os.getloadavg()[0]}  # fmt: skip
    for method, results in runs.items():
        lost = [r["lost"] for r in results]
        figures[method] = {
            "lost_min": min(lost),
            "lost_median": statistics.median(lost),
            "lost_max": max(lost),
            "kept_max": max(r["kept"] for r in results),
            "bot_writes_median": statistics.median(r["written"] for r in results),
            "seconds_median": round(statistics.median(r["seconds"] for r in results), 2),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
