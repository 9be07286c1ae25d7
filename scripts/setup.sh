#!/usr/bin/env bash
# Shared set-up for scripts/run.sh and scripts/test.sh: a virtualenv in .venv with Canbao installed.
# Picks Python 3.12 where it exists (PySide6 6.12 aborts on 3.11; on 3.11 pyproject pins 6.11).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for cand in python3.12 "$HOME/.pyenv/versions/3.12.1/bin/python3.12" /root/.pyenv/versions/3.12*/bin/python3.12 python3.13 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 || [ -x "$cand" ]; then
      if "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        echo "$cand"; return 0
      fi
    fi
  done
  echo "需要 Python 3.11 或更高版本 / Python >= 3.11 is required" >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  PY=$(find_python)
  echo "== creating .venv with $("$PY" --version)"
  "$PY" -m venv .venv
fi
stamp=.venv/.canbao-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== installing Canbao and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip 2>/dev/null || true
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi
