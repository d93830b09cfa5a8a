"""Machine instructions of the pure part (`evaluate`) on the national data set, counted by
valgrind's cachegrind: a figure a shared, noisy machine cannot skew, for comparing two
versions of the code side by side (their wall times swing by a third here).

    python bench/national.py --backend xlsx --keep DIR   # once: the national workbooks
    python -m bench.instructions DIR/config.yaml         # this version
    python -m bench.instructions DIR/config.yaml --code OTHER_CHECKOUT   # another one

The workbooks are read once, natively, and the reads saved to a temporary file; then the
evaluation runs under cachegrind twice, with no evaluation and with one after a warm-up
one (imports, caches), and the difference is one warm `evaluate`. Python's string hashes
are seeded the same in both (`PYTHONHASHSEED=0`), so dict probing does not vary.

The last line printed is one JSON object: `evaluate_instructions` (and in millions), the
code measured and valgrind's version. Needs valgrind (`apt install valgrind`); says so and
exits 2 without it.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from bot.backends import open_backend
from bot.config_load import load_config
from bot.cycle import read_all

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2025, 6, 26)

# Run in the child under valgrind: load the saved reads, evaluate once to warm up, then N
# more times.
CHILD = """
import pickle, sys
from datetime import date
from pathlib import Path
from bot.config_load import load_config
from bot.cycle import evaluate
config = load_config(Path(sys.argv[1]))
with open(sys.argv[2], "rb") as f:
    sources, reads = pickle.load(f)
today = date.fromisoformat(sys.argv[4])
evaluate(config, sources, reads, today)
for _ in range(int(sys.argv[3])):
    evaluate(config, sources, reads, today)
"""


def save_reads(config_path: Path, into: Path) -> None:
    """Read every workbook of the config once (no read cache) and pickle the reads."""
    config = load_config(config_path)
    with open_backend(config) as backend:
        sources, reads, _ = read_all(config, backend)
    with into.open("wb") as f:
        pickle.dump((sources, reads), f, protocol=pickle.HIGHEST_PROTOCOL)


def instructions(code: Path, config_path: Path, reads: Path, runs: int) -> int:
    """Instructions of the child evaluating `runs` times after its warm-up (valgrind)."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(code)}
    done = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", CHILD, str(config_path), str(reads), str(runs),
         TODAY.isoformat()],
        env=env, capture_output=True, text=True, check=True, cwd=code,
    )  # fmt: skip
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output: {done.stderr[-500:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", type=Path, help="config.yaml of `bench/national.py --keep`")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose bot/ to count")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: apt install valgrind", file=sys.stderr)
        return 2
    version = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        reads = Path(tmp) / "reads.pickle"
        save_reads(args.config.resolve(), reads)
        code = args.code.resolve()
        counts = [instructions(code, args.config.resolve(), reads, n) for n in (0, 1)]
    figures: dict[str, Any] = {
        "evaluate_instructions": counts[1] - counts[0],
        "evaluate_instructions_m": round((counts[1] - counts[0]) / 1e6),
        "code": str(code),
        "valgrind": version.stdout.strip(),
    }
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
