#!/usr/bin/env bash
# Debian packages the tests and the window need: Qt's X/EGL libraries, a CJK TrueType font, Xvfb,
# poppler (pdftotext/pdffonts/pdftoppm) and LibreOffice (to open exported workbooks).
# Installs only what is missing; needs root (or sudo) and apt-get.
#
# Waits for the package manager instead of failing: on a fresh machine apt is often still busy with its
# boot-time update (unattended-upgrades), so every apt-get call waits up to 10 minutes for the dpkg lock
# and `apt-get update` is retried. Exit 0 = everything is installed; exit 1 = something is still missing,
# and the last lines say exactly what and what it is needed for.
set -uo pipefail
PKGS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
      libxcb-xinerama0 libxcb-randr0 libxcb-xfixes0 libnss3 libxrender1 libxi6
      fonts-wqy-microhei xvfb xauth poppler-utils libreoffice-calc-nogui)
LOCK_WAIT=${CANBAO_APT_LOCK_TIMEOUT:-600}   # seconds each apt-get call waits for the dpkg/apt lock
RETRY_WAIT=${CANBAO_APT_RETRY_WAIT:-15}     # seconds before the 2nd apt-get update (twice that before the 3rd)
APT=(apt-get -o "DPkg::Lock::Timeout=$LOCK_WAIT" -o "Acquire::Retries=3")

missing_packages() {  # one dpkg-query for all (run.sh calls this every time)
  local p installed
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${PKGS[@]}" 2>/dev/null | grep " install ok installed$" || true)
  for p in "${PKGS[@]}"; do
    grep -q "^$p install ok installed$" <<< "$installed" || echo "$p"
  done
}

# What each missing package costs the user, so the message says more than a package name.
purpose() {
  case "$1" in
    fonts-wqy-microhei) echo "窗口中的中文字体（缺少时窗口里的中文显示为方框）" ;;
    xvfb|xauth) echo "测试中的无显示器窗口（xvfb-run）" ;;
    poppler-utils) echo "测试中读取 PDF（pdftotext、pdffonts、pdftoppm）" ;;
    libreoffice-calc-nogui) echo "测试中用 LibreOffice 打开导出的 Excel" ;;
    *) echo "Qt 窗口所需的系统库" ;;
  esac
}

report_missing() {  # $@ = packages still missing; prints what cannot work and how to fix it
  local p
  echo "！系统软件包没有装齐，仍缺少 ${#@} 个：" >&2
  for p in "$@"; do
    echo "    $p —— $(purpose "$p")" >&2
  done
  echo "  请联网后以 root 身份（或用 sudo）重新运行：bash scripts/system-packages.sh" >&2
  echo "  或手动安装：sudo apt-get install --no-install-recommends $*" >&2
}

mapfile -t missing < <(missing_packages)
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-query >/dev/null 2>&1; then
  echo "！本机没有 apt-get（不是 Debian/Ubuntu），无法自动安装系统软件包。请用本机的包管理器安装对应的软件。" >&2
  report_missing "${missing[@]}"
  exit 1
fi
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "！安装系统软件包需要 root 权限，但本机没有 sudo。" >&2
    report_missing "${missing[@]}"
    exit 1
  fi
fi

echo "== 安装系统软件包 / installing system packages: ${missing[*]}"
echo "   （如果系统正在自动更新，最多等待 ${LOCK_WAIT} 秒）"
updated=0
for attempt in 1 2 3; do
  if "${SUDO[@]}" "${APT[@]}" update -qq; then
    updated=1; break
  fi
  [ $attempt -eq 3 ] && break
  echo "   apt-get update 第 ${attempt} 次失败（软件源不通或被占用），$((attempt * RETRY_WAIT)) 秒后重试…" >&2
  sleep $((attempt * RETRY_WAIT))
done
[ $updated -eq 1 ] || echo "！apt-get update 三次都失败，用本机已有的软件包列表继续安装。" >&2

install() { DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" "${APT[@]}" install -y -qq --no-install-recommends "$@" >/dev/null; }
if ! install "${missing[@]}"; then
  # One unavailable package makes apt-get refuse them all: try each on its own so the font still arrives.
  echo "   一次安装失败，改为逐个安装…" >&2
  mapfile -t missing < <(missing_packages)
  for p in "${missing[@]}"; do
    install "$p" || echo "   安装 $p 失败" >&2
  done
fi

mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -gt 0 ]; then
  report_missing "${missing[@]}"
  exit 1
fi
echo "== 系统软件包已装齐"
exit 0
