#!/usr/bin/env bash
# The one test command (README, .ci/run): system packages, .venv, then the whole suite.
# Extra arguments go to pytest, e.g. bash scripts/test.sh -k quote
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
