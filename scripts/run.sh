#!/usr/bin/env bash
# Install (first time) and open Canbao on the default ledger. Extra arguments go to `canbao`,
# e.g. bash scripts/run.sh quote --policy changchun-2025 --birth-date 1960-01-01 --paid-on 2024-10-08
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh || echo "（系统软件包未能安装，窗口可能无法显示中文）" >&2
bash scripts/setup.sh
exec .venv/bin/canbao "$@"
