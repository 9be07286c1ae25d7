#!/usr/bin/env bash
# Install (first time) and open Canbao on the default ledger. Extra arguments go to `canbao`,
# e.g. bash scripts/run.sh quote --policy changchun-2025 --birth-date 1960-01-01 --paid-on 2024-10-08
# Relative paths in the arguments (--db demo.db, -o 周报.xlsx) are relative to where you run it from.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
packages_ok=1
bash "$ROOT/scripts/system-packages.sh" || packages_ok=0
bash "$ROOT/scripts/setup.sh"
if [ $# -eq 0 ] && ! fc-list :lang=zh family 2>/dev/null | grep -q .; then
  # Without a Chinese font the window shows boxes instead of characters: stop and say why.
  echo "！无法打开窗口：本机没有中文字体，窗口里的中文会显示成方框。" >&2
  [ $packages_ok -eq 0 ] && echo "  （上面列出了没能安装的系统软件包。）" >&2
  echo "  请安装中文字体后再运行：sudo apt-get install fonts-wqy-microhei（或 fonts-noto-cjk）" >&2
  echo "  命令行仍可使用，例如：bash scripts/run.sh policy list" >&2
  exit 1
fi
[ $packages_ok -eq 1 ] || echo "（继续：命令行不需要上面缺少的系统软件包）" >&2
exec "$ROOT/.venv/bin/canbao" "$@"
