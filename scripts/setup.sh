#!/usr/bin/env bash
# Shared set-up for scripts/run.sh and scripts/test.sh: a virtualenv in .venv with Canbao installed from a
# lock file of exact versions with hashes (see scripts/lock.sh), so every machine gets the same packages.
#   bash scripts/setup.sh          requirements.lock      (the program; run.sh, the bundle build)
#   bash scripts/setup.sh --dev    requirements-dev.lock  (plus pytest & co.; test.sh, CI)
# Picks Python 3.12 where it exists (PySide6 6.12 aborts on 3.11; the lock pins 6.11 there).
set -euo pipefail
cd "$(dirname "$0")/.."
LOCK=requirements.lock
[ "${1:-}" = "--dev" ] && LOCK=requirements-dev.lock

find_python() {
  for cand in python3.12 "$HOME/.pyenv/versions/3.12.1/bin/python3.12" /root/.pyenv/versions/3.12*/bin/python3.12 python3.13 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 || [ -x "$cand" ]; then
      if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        echo "$cand"; return 0
      fi
    fi
  done
  echo "！需要 Python 3.11 或更高版本（建议 3.12）/ Python >= 3.11 is required" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python)
  echo "== creating .venv with $("$PY" --version)"
  "$PY" -m venv .venv
fi
# A stamp per lock file: the checksum of the lock and pyproject.toml it was installed from. The dev lock
# holds every pin of the runtime lock, so a current dev install also satisfies run.sh.
digest() { cat "$1" pyproject.toml | sha256sum | cut -d' ' -f1; }
current() { [ -f ".venv/.canbao-$1" ] && [ "$(cat ".venv/.canbao-$1")" = "$(digest "$1")" ]; }
if current "$LOCK" || { [ "$LOCK" = requirements.lock ] && current requirements-dev.lock; }; then
  exit 0
fi
.venv/bin/python scripts/lock_check.py "$LOCK"
echo "== installing Canbao and its pinned dependencies ($LOCK) into .venv"
if ! .venv/bin/python -m pip install -q --require-hashes -r "$LOCK"; then
  echo "！按 $LOCK 安装依赖失败（网络不通，或锁文件与 pyproject.toml 不一致：运行 bash scripts/lock.sh）" >&2
  exit 1
fi
.venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
rm -f .venv/.canbao-installed .venv/.canbao-requirements*.lock
digest "$LOCK" > ".venv/.canbao-$LOCK"
