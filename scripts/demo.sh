#!/usr/bin/env bash
# Set up, make the example workbooks in ./example and run one sync cycle on them as of
# 17 Jan 2025 (mid-programme). Needs no Google account.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$ROOT"
"$VENV/bin/python" -m bot.examples example
"$VENV/bin/softpower-bot" --config config.example.yaml --today 2025-01-17 sync "$@"
