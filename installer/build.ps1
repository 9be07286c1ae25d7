# Build the Windows installer of 参保台账 Canbao: dist\Canbao (PyInstaller) -> selftest -> dist\installer\Canbao-<version>-setup.exe
#
# On a Windows 10/11 x64 build machine with:
#   * Python 3.12 x64 from python.org (the "py" launcher), internet access for pip the first time
#   * Inno Setup 6.3 or later (https://jrsoftware.org/isinfo.php), in its default folder or on PATH
# From the repository root:
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1
#   powershell -ExecutionPolicy Bypass -File installer\build.ps1 -SkipInstaller    # bundle only
# UNTESTED ON WINDOWS at the time of writing (written on Linux); see installer\README.md.
[CmdletBinding()]
param(
    [switch]$SkipInstaller,
    [string]$PythonVersion = "3.12"
)
$ErrorActionPreference = "Stop"
$root = Split-Path -Parent $PSScriptRoot
Set-Location $root

function Step($text) { Write-Host "== $text" -ForegroundColor Cyan }
function Check($what) { if ($LASTEXITCODE -ne 0) { throw "$what failed (exit code $LASTEXITCODE)" } }

# 1. A virtualenv with Canbao and PyInstaller at the exact versions (and hashes) of requirements.lock,
#    the same pins as scripts/run.sh and the Linux bundle: the installer is reproducible from the lock.
$venvPy = Join-Path $root ".venv\Scripts\python.exe"
if (-not (Test-Path $venvPy)) {
    Step "creating .venv with Python $PythonVersion"
    & py "-$PythonVersion" -m venv .venv; Check "py -$PythonVersion -m venv"
}
Step "installing Canbao and PyInstaller into .venv (requirements.lock)"
& $venvPy -m pip install --require-hashes -r requirements.lock; Check "pip install -r requirements.lock"
& $venvPy -m pip install --no-deps --no-build-isolation -e .; Check "pip install -e ."

# 2. The version, from its one source (app.__version__)
$version = (& $venvPy installer\versioninfo.py).Trim(); Check "versioninfo"
$numeric = (& $venvPy installer\versioninfo.py --numeric).Trim(); Check "versioninfo --numeric"
Step "version $version ($numeric)"

# 3. The one-folder bundle: dist\Canbao\canbaow.exe (window) + canbao.exe (command line)
$env:PYINSTALLER_CONFIG_DIR = Join-Path $root "build\pyinstaller-config"
$sw = [Diagnostics.Stopwatch]::StartNew()
Step "PyInstaller"
& $venvPy -m PyInstaller --noconfirm --distpath dist --workpath build\pyinstaller installer\canbao.spec
Check "PyInstaller"
$size = (Get-ChildItem -Recurse -File dist\Canbao | Measure-Object -Sum Length).Sum / 1MB
Step ("bundle built in {0:N0} s, {1:N0} MB" -f $sw.Elapsed.TotalSeconds, $size)

# 4. The bundle checks itself (temporary ledger, every policy, quotes, a PDF and a workbook; no network)
Step "canbao.exe selftest"
& dist\Canbao\canbao.exe selftest; Check "canbao.exe selftest"
Step "canbaow.exe opens its window and closes it (CANBAO_SMOKE_EXIT=1)"
$env:CANBAO_SMOKE_EXIT = "1"
$p = Start-Process -FilePath dist\Canbao\canbaow.exe -PassThru -Wait
Remove-Item Env:\CANBAO_SMOKE_EXIT
if ($p.ExitCode -ne 0) { throw "canbaow.exe smoke test failed (exit code $($p.ExitCode))" }

if ($SkipInstaller) { Step "done (installer skipped)"; exit 0 }

# 5. The installer
$iscc = @(
    (Get-Command ISCC.exe -ErrorAction SilentlyContinue | Select-Object -ExpandProperty Source),
    "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe",
    "$env:ProgramFiles\Inno Setup 6\ISCC.exe",
    "$env:LOCALAPPDATA\Programs\Inno Setup 6\ISCC.exe"
) | Where-Object { $_ -and (Test-Path $_) } | Select-Object -First 1
if (-not $iscc) { throw "Inno Setup 6 (ISCC.exe) not found: install it from https://jrsoftware.org/isinfo.php" }
$isccDir = Split-Path -Parent $iscc
if ((Test-Path installer\ChineseSimplified.isl) -or (Test-Path "$isccDir\Languages\ChineseSimplified.isl")) {
    Step "Chinese wizard pages: ChineseSimplified.isl found"
} else {
    Write-Warning "ChineseSimplified.isl not found: the setup wizard will be in English (Canbao itself is Chinese). See installer\README.md."
}
Step "Inno Setup: $iscc"
& $iscc "/DAppVersion=$version" "/DAppNumericVersion=$numeric" installer\canbao.iss; Check "ISCC"
$setup = Join-Path $root "dist\installer\Canbao-$version-setup.exe"
Step ("installer: {0} ({1:N0} MB)" -f $setup, ((Get-Item $setup).Length / 1MB))
