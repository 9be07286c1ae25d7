#!/usr/bin/env bash
# Build the one-folder bundle on Linux (dist/Canbao/) and check it: `canbao selftest` with the network
# unavailable, and the window opened offscreen. The Windows build is installer/build.ps1.
#   bash installer/build_bundle.sh            # build + check
#   bash installer/build_bundle.sh --no-check # build only
set -euo pipefail
cd "$(dirname "$0")/.."
# .venv at the pinned versions of requirements.lock (PyInstaller included): the bundle is reproducible
bash scripts/setup.sh
PY=.venv/bin/python
# PyInstaller's own cache stays inside build/ (git-ignored), not in ~/.cache
export PYINSTALLER_CONFIG_DIR="$PWD/build/pyinstaller-config"
start=$(date +%s)
"$PY" -m PyInstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller installer/canbao.spec
echo "== built dist/Canbao in $(( $(date +%s) - start )) s, $(du -sh dist/Canbao | cut -f1)"
[ "${1:-}" = "--no-check" ] && exit 0

offline=()
if unshare -rn true 2>/dev/null; then offline=(unshare -rn); else echo "== unshare -rn unavailable: checking with the network up"; fi
export QT_QPA_PLATFORM=offscreen
echo "== canbao selftest (no network)"
"${offline[@]}" dist/Canbao/canbao selftest
echo "== canbaow with CANBAO_SMOKE_EXIT=1 (window offscreen)"
CANBAO_SMOKE_EXIT=1 "${offline[@]}" dist/Canbao/canbaow
echo "== bundle OK"
