#!/usr/bin/env bash
# Set up, then run the whole test suite plus the linters (ruff, mypy). Extra arguments go
# to pytest, e.g. `bash scripts/test.sh -k checks`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
"$VENV/bin/ruff" check bot tests bench fake_sheets fake_line
"$VENV/bin/ruff" format --check bot tests bench fake_sheets fake_line
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest "$@"
