"""The Windows installer: the Chinese wizard texts, and installer/check_installer.sh (Inno Setup under Wine).

The Wine check needs wine with 32-bit support, MinGW-w64, Xvfb and npm; where they are missing (a clean CI
machine) it is skipped with the reason, and `bash installer/check_installer.sh --install-tools` sets them up.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ISL = ROOT / "installer" / "ChineseSimplified.isl"


def _messages() -> dict[str, str]:
    text = ISL.read_text(encoding="utf-8-sig")
    return dict(m.groups() for m in re.finditer(r"(?m)^([A-Za-z0-9]+)=(.*?)\r?$", text))


def test_the_wizard_speaks_simplified_chinese():
    raw = ISL.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads a messages file as UTF-8 only with a BOM"
    msgs = _messages()
    assert msgs["LanguageID"] == "$0804" and msgs["LanguageCodePage"] == "936"
    assert len(msgs) > 270
    english = [k for k, v in msgs.items()
               if re.search(r"[A-Za-z]{4,}", re.sub(r"\[[a-z/]+\]|%\w|Windows|Service Pack|Power Users|INI|UNC|Canbao|"
                                                     r"DLL/OCX|RegSvr32|RestartReplace|README|APP|server|share|KB|MB|GB",
                                                     "", v))]
    assert not english, english
    # Inno Setup adds the final period itself to these: a translation must not add one
    for key in ("ErrorCreatingDir", "LdrCannotCreateTemp", "UninstallOpenError"):
        assert not msgs[key].endswith(("。", ".")), key


def test_the_script_uses_the_chinese_messages():
    iss = (ROOT / "installer" / "canbao.iss").read_text(encoding="utf-8-sig")
    assert 'MessagesFile: "ChineseSimplified.isl"' in iss


@pytest.mark.slow
def test_installer_compiles_installs_upgrades_and_uninstalls_under_wine():
    missing = [t for t in ("wine", "x86_64-w64-mingw32-gcc", "xvfb-run", "npm") if not shutil.which(t)]
    wine32 = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "wine32:i386"], capture_output=True, text=True)
    if "install ok installed" not in wine32.stdout:
        missing.append("wine32:i386")
    if missing:
        pytest.skip(f"installer check skipped: {', '.join(missing)} not installed "
                    "(bash installer/check_installer.sh --install-tools; ~3 min of apt-get)")
    out = subprocess.run(["bash", "installer/check_installer.sh"], cwd=ROOT, capture_output=True, text=True,
                         timeout=900)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "result: all checks passed" in out.stdout
