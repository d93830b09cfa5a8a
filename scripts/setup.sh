# Sourced by demo.sh and test.sh: make .venv and install the project (and, for the tests
# and the benchmark, the fake Sheets API in fake_sheets/ and the fake LINE API in
# fake_line/) into it, once per change of a pyproject.toml. Needs only python3 (3.11+)
# and access to PyPI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SOFTPOWER_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setting up $VENV (first run only) ..." >&2
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.softpower-installed"
WANT="$(cat "$ROOT/pyproject.toml" "$ROOT/fake_sheets/pyproject.toml" "$ROOT/fake_line/pyproject.toml" \
  | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "installing softpower-bot and its dependencies into $VENV (first run: 1-3 minutes) ..." >&2
  # pip's and the build backend's chatter goes to a log, shown only if the install fails.
  LOG="$VENV/install.log"
  if ! { "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip &&
         "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$ROOT[test]" \
           -e "$ROOT/fake_sheets" -e "$ROOT/fake_line"; } >"$LOG" 2>&1; then
    cat "$LOG" >&2
    echo "setup: installing failed (log above, also in $LOG)" >&2
    exit 1
  fi
  echo "$WANT" > "$STAMP"
fi
