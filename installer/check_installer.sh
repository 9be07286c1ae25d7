#!/usr/bin/env bash
# The Windows installer, checked on Linux under Wine: compile installer/canbao.iss with the real Inno Setup
# compiler into a real setup.exe, install it silently into a throw-away Wine prefix, check the installed
# files, shortcuts, uninstall entry and the post-install self-test, upgrade over it, refuse the data folder,
# uninstall, and check that the user's data folder survived all of it. See installer/README.md.
#
#   bash installer/check_installer.sh                  # stand-in bundle (see below); about 1 minute
#   bash installer/check_installer.sh --bundle DIR     # package DIR instead (e.g. dist/Canbao, for sizes)
#   bash installer/check_installer.sh --install-tools  # first apt-get/npm the tools, then check
#
# Tools: wine with 32-bit support (ISCC.exe is a 32-bit program: Debian packages wine, wine32:i386, wine64),
# the MinGW-w64 C compiler (gcc-mingw-w64-x86-64-win32), xvfb-run, npm (Inno Setup 6.3.1 comes from the npm
# package innosetup-compiler, pinned by version and SHA-1 below) and python3.
#
# What cannot be checked here: the real Windows programs. PyInstaller builds canbao.exe/canbaow.exe only on
# Windows, so the setup packages a stand-in: two tiny Windows programs compiled from installer/check/stub.c
# (they log how they were started and exit 0) plus the bundle's data files; with --bundle DIR, DIR's files
# (a Linux bundle has no .exe: the stand-ins are added). Exit code 0 = every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ISCC_VERSION=6.3.1
ISCC_SHA1=bf155ddaeffd56a32621c3232d3dac14325f7cd3   # npm view innosetup-compiler@6.3.1 dist.shasum
WORK=${CANBAO_INSTALLER_CHECK_DIR:-$ROOT/build/installer-check}
BUNDLE_FROM=""
INSTALL_TOOLS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bundle) BUNDLE_FROM=$(cd "$2" && pwd); shift 2 ;;
    --install-tools) INSTALL_TOOLS=1; shift ;;
    *) echo "用法：bash installer/check_installer.sh [--bundle 文件夹] [--install-tools]" >&2; exit 2 ;;
  esac
done
started=$(date +%s)
step() { echo "== $*"; }
fail() { echo "✗ $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
if [ $INSTALL_TOOLS -eq 1 ]; then
  step "installing wine (with 32-bit support), MinGW-w64, Xvfb"
  SUDO=(); [ "$(id -u)" -ne 0 ] && SUDO=(sudo)
  dpkg --print-foreign-architectures | grep -qx i386 || "${SUDO[@]}" dpkg --add-architecture i386
  "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq || true
  # -t bookworm: amd64 and i386 halves of a library must have the same version; the security archive can be
  # ahead for amd64 only, so take both from the release
  release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -q \
    ${release:+-t "$release"} --no-install-recommends wine wine32:i386 wine64 gcc-mingw-w64-x86-64-win32 \
    xvfb xauth >/dev/null
fi
missing=()
command -v wine >/dev/null || missing+=("wine（Debian：wine wine64）")
dpkg-query -W -f='${Status}' wine32:i386 2>/dev/null | grep -q "install ok installed" \
  || missing+=("wine32:i386（32 位 Wine：ISCC.exe 是 32 位程序；先 dpkg --add-architecture i386）")
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=("gcc-mingw-w64-x86-64-win32（编译替身程序）")
command -v xvfb-run >/dev/null || missing+=("xvfb（xvfb-run）")
command -v npm >/dev/null || missing+=("npm（下载 Inno Setup 编译器）")
if [ ${#missing[@]} -gt 0 ]; then
  echo "！无法检查安装程序，缺少：" >&2
  printf '    %s\n' "${missing[@]}" >&2
  echo "  运行 bash installer/check_installer.sh --install-tools 会先安装它们（需要 root 或 sudo）。" >&2
  exit 3
fi

rm -rf "$WORK"
mkdir -p "$WORK" "$ROOT/build/innosetup"
ISCC_DIR=$ROOT/build/innosetup/$ISCC_VERSION
if [ ! -f "$ISCC_DIR/bin/ISCC.exe" ]; then
  step "Inno Setup $ISCC_VERSION from npm (innosetup-compiler@$ISCC_VERSION)"
  (cd "$ROOT/build/innosetup" && npm pack --silent "innosetup-compiler@$ISCC_VERSION" >/dev/null)
  tgz=$ROOT/build/innosetup/innosetup-compiler-$ISCC_VERSION.tgz
  [ "$(sha1sum "$tgz" | cut -d' ' -f1)" = "$ISCC_SHA1" ] || fail "innosetup-compiler-$ISCC_VERSION.tgz: SHA-1 不符"
  mkdir -p "$ISCC_DIR" && tar xzf "$tgz" -C "$ISCC_DIR" --strip-components=1 && rm "$tgz"
fi

step "installer/ChineseSimplified.isl has every message of Inno Setup $ISCC_VERSION's Default.isl"
python3 - "$ISCC_DIR/bin/Default.isl" installer/ChineseSimplified.isl <<'PY' || fail "ChineseSimplified.isl is incomplete"
import re, sys
keys = lambda p: {m.group(1) for m in re.finditer(r"(?m)^([A-Za-z0-9]+)=", open(p, encoding="utf-8-sig").read())}
gone = sorted(keys(sys.argv[1]) - keys(sys.argv[2]))
print("✓ all messages translated" if not gone else f"✗ missing: {gone}")
sys.exit(1 if gone else 0)
PY

# ---------------------------------------------------------------- Wine prefix, stand-in bundle
# no Mono/Gecko download prompts, no Linux menu entries for the shortcuts (winemenubuilder)
export WINEPREFIX=$WORK/prefix HOME=$WORK/home WINEDEBUG=-all TMPDIR=$WORK \
       WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d"
mkdir -p "$HOME"
step "Wine prefix (Windows 10) in $WINEPREFIX"
wineboot -i >/dev/null 2>&1
winecfg -v win10 >/dev/null 2>&1
wineserver -w
winpath() { winepath -w "$1" 2>/dev/null; }

BUNDLE=$WORK/bundle
mkdir -p "$BUNDLE"
if [ -n "$BUNDLE_FROM" ]; then
  cp -a "$BUNDLE_FROM/." "$BUNDLE/"
else
  # the data files of the bundle (policies, column sets, icons); the 20 MB of fonts only slow compression down
  mkdir -p "$BUNDLE/_internal/resources" && cp -a "$ROOT/policies" "$BUNDLE/_internal/"
  (cd "$ROOT/resources" && find . -type f -size -1000k -exec cp --parents {} "$BUNDLE/_internal/resources/" \;)
fi
if [ ! -f "$BUNDLE/canbao.exe" ]; then
  x86_64-w64-mingw32-gcc -O2 -s -o "$BUNDLE/canbao.exe" installer/check/stub.c
  x86_64-w64-mingw32-gcc -O2 -s -mwindows -o "$BUNDLE/canbaow.exe" installer/check/stub.c
  rm -f "$BUNDLE/canbao" "$BUNDLE/canbaow"   # the Linux executables, if DIR was a Linux bundle
  echo "   stand-in canbao.exe / canbaow.exe (installer/check/stub.c): the real ones need a Windows build"
fi
bundle_size=$(python3 installer/check/verify.py tree "$BUNDLE")
echo "   bundle: $bundle_size"

# ---------------------------------------------------------------- compile
VERSION=$(python3 installer/versioninfo.py)
NUMERIC=$(python3 installer/versioninfo.py --numeric)
compile() {  # $1 = version, $2 = numeric version
  wine "$ISCC_DIR/bin/ISCC.exe" /Q "/DAppVersion=$1" "/DAppNumericVersion=$2" "/DBundle=$(winpath "$BUNDLE")" \
    "/O$(winpath "$WORK/out")" "$(winpath "$ROOT/installer/canbao.iss")" > "$WORK/iscc-$1.log" 2>&1 \
    || { cat "$WORK/iscc-$1.log" >&2; fail "ISCC.exe could not compile installer/canbao.iss"; }
}
step "ISCC.exe installer/canbao.iss (version $VERSION)"
t0=$(date +%s)
compile "$VERSION" "$NUMERIC"
compile_seconds=$(( $(date +%s) - t0 ))
SETUP=$WORK/out/Canbao-$VERSION-setup.exe
[ -f "$SETUP" ] || fail "no $SETUP"
file "$SETUP" | grep -q "PE32 executable" || fail "$SETUP is not a Windows program: $(file -b "$SETUP")"
setup_size=$(stat -c %s "$SETUP")
echo "✓ $(basename "$SETUP"): $(( setup_size / 1024 )) KiB, compiled in ${compile_seconds} s"
grep -qi "warning" "$WORK/iscc-$VERSION.log" && { echo "   ISCC warnings:"; grep -i warning "$WORK/iscc-$VERSION.log"; }

# ---------------------------------------------------------------- install, upgrade, refuse, uninstall
USERDIR=$(python3 -c "import sys; sys.path.insert(0, 'installer/check'); import verify, pathlib; print(verify.user_dir(pathlib.Path('$WINEPREFIX')))")
DATA=$USERDIR/AppData/Local/Canbao
APP=$USERDIR/AppData/Local/Programs/Canbao
mkdir -p "$DATA" && printf 'ledger bytes' > "$DATA/台账.canbao.db"   # a user's ledger, to be left alone
export CANBAO_STUB_LOG; CANBAO_STUB_LOG=$(winpath "$WORK/stub-calls.log")
failed=0
run_setup() {  # $1 = setup.exe, $2 = log name, more = extra arguments; returns the setup's exit code
  local exe=$1 log=$2; shift 2
  local rc attempt
  for attempt in 1 2 3; do
    rc=0
    xvfb-run -a wine "$exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART "/LOG=$(winpath "$WORK/$log")" "$@" \
      >/dev/null 2>&1 || rc=$?
    wineserver -w
    # Wine 8 now and then fails Setup's first step ("System Error. Code: 120. Call not implemented", before
    # anything is installed); the same setup.exe then runs fine: a Wine flake, retried (at most twice)
    if [ $rc -ne 0 ] && tr -d '\r' < "$WORK/$log" | grep -q "Code: 120"; then
      echo "   (Wine: \"Call not implemented\" before installing anything; retrying, attempt $((attempt + 1)))"
      continue
    fi
    break
  done
  return $rc
}

step "install silently (/VERYSILENT) as a user without administrator rights"
rc=0; run_setup "$SETUP" setup-install.log || rc=$?
[ $rc -eq 0 ] && echo "✓ setup.exe exit code 0" || { echo "✗ setup.exe exit code $rc (log: $WORK/setup-install.log)"; failed=1; }
python3 installer/check/verify.py installed "$WINEPREFIX" "$BUNDLE" "$VERSION" || failed=1
if grep -q 'canbao.exe" selftest' "$WORK/stub-calls.log" 2>/dev/null; then
  echo "✓ the installer ran canbao.exe selftest after installing"
else
  echo "✗ the installer did not run canbao.exe selftest"; failed=1
fi

step "upgrade: a newer setup over the installed one (same folder, old _internal removed, data kept)"
NEXT="${VERSION%.*}.$(( ${VERSION##*.} + 1 ))"
compile "$NEXT" "${NEXT}.0"
touch "$APP/_internal/left-from-the-old-version.txt"
rc=0; run_setup "$WORK/out/Canbao-$NEXT-setup.exe" setup-upgrade.log || rc=$?
[ $rc -eq 0 ] && echo "✓ upgrade exit code 0" || { echo "✗ upgrade exit code $rc"; failed=1; }
[ ! -e "$APP/_internal/left-from-the-old-version.txt" ] && echo "✓ old files in _internal removed" \
  || { echo "✗ a file of the old version survived the upgrade"; failed=1; }
python3 installer/check/verify.py installed "$WINEPREFIX" "$BUNDLE" "$NEXT" || failed=1

step "refuse to install into the data folder (silent install with /DIR inside %LOCALAPPDATA%\\Canbao)"
rc=0; run_setup "$SETUP" setup-refused.log "/DIR=$(winpath "$DATA")\\程序" || rc=$?
if [ $rc -ne 0 ] && [ ! -e "$DATA/程序/canbao.exe" ]; then
  echo "✓ refused (exit code $rc), nothing installed there"
else
  echo "✗ installed into the data folder (exit code $rc)"; failed=1
fi
python3 installer/check/verify.py data "$WINEPREFIX" || failed=1

step "uninstall silently"
xvfb-run -a wine "$APP/unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART >/dev/null 2>&1 || true
wineserver -w   # the uninstaller re-runs itself from a temporary copy: wait for every Wine process
python3 installer/check/verify.py removed "$WINEPREFIX" || failed=1

seconds=$(( $(date +%s) - started ))
{
  echo "Inno Setup $ISCC_VERSION under $(wine --version 2>/dev/null), $(date -u +%F)"
  echo "bundle packaged: $bundle_size$([ -z "$BUNDLE_FROM" ] && echo ' (stand-in)')"
  echo "setup.exe: $setup_size bytes, compiled in ${compile_seconds} s; whole check ${seconds} s"
  echo "result: $([ $failed -eq 0 ] && echo 'all checks passed' || echo 'FAILED')"
} | tee "$WORK/summary.txt"
[ $failed -eq 0 ] || { echo "✗ installer check failed (logs in $WORK)" >&2; exit 1; }
echo "== installer check passed"
