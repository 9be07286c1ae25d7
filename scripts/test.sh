#!/usr/bin/env bash
# The one test command (README, .ci/run): system packages, .venv, then the whole suite.
# Extra arguments go to pytest, e.g. bash scripts/test.sh -k quote
set -euo pipefail
cd "$(dirname "$0")/.."
if ! bash scripts/system-packages.sh; then
  echo "！测试没有运行：系统软件包没有装齐（见上）。装齐后重新运行 bash scripts/test.sh" >&2
  exit 1
fi
bash scripts/setup.sh --dev
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
