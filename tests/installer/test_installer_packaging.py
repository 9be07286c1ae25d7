"""Packaging facts checked without building: one version source, the Qt trim rules, and the Inno Setup script
(per-user install, data never in the program folder, names matching the spec). The .iss cannot be compiled
here (no Windows, no Inno Setup); these checks catch the mistakes that can be seen from Linux."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import app
from app import paths

ROOT = Path(__file__).resolve().parents[2]
INSTALLER = ROOT / "installer"
sys.path.insert(0, str(INSTALLER))
import bundle_trim  # noqa: E402
import versioninfo  # noqa: E402


def iss_text() -> str:
    raw = (INSTALLER / "canbao.iss").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads non-ASCII scripts correctly only as UTF-8 with BOM"
    return raw.decode("utf-8-sig")


def iss_section(name: str) -> list[str]:
    out, inside = [], False
    for line in iss_text().splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            inside = s[1:-1].lower() == name.lower()
            continue
        if inside and s and not s.startswith(";") and not s.startswith("#"):
            out.append(s)
    return out


def iss_setup() -> dict[str, str]:
    return {k.strip().lower(): v.strip() for k, _, v in (line.partition("=") for line in iss_section("Setup"))}


def iss_defines() -> dict[str, str]:
    return dict(re.findall(r'^#define (\w+) "([^"]*)"', iss_text(), re.MULTILINE))


# --- one version source ---------------------------------------------------------------------------
def test_version_comes_from_app_dunder_version_only():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    assert versioninfo.app_version() == app.__version__
    assert importlib.metadata.version("canbao") == app.__version__


@pytest.mark.parametrize("text, expected", [("0.1.0", (0, 1, 0, 0)), ("1.2", (1, 2, 0, 0)),
                                            ("2.10.3rc1", (2, 10, 3, 0)), ("3.0.0.dev4", (3, 0, 0, 0))])
def test_windows_version_has_four_numbers(text, expected):
    assert versioninfo.version_tuple(text) == expected


def test_version_resource_is_valid_pyinstaller_syntax_with_the_version():
    seen = {}

    def rec(kind):
        return lambda *a, **k: seen.setdefault(kind, []).append((a, k)) or (kind, a, k)

    names = {n: rec(n) for n in ("VSVersionInfo", "FixedFileInfo", "StringFileInfo", "StringTable",
                                 "StringStruct", "VarFileInfo", "VarStruct")}
    text = versioninfo.version_resource("1.4.2", "canbao", "参保台账 命令行")
    eval(compile(text, "version.txt", "eval"), names)  # noqa: S307 - our own generated text
    assert seen["FixedFileInfo"][0][1]["filevers"] == (1, 4, 2, 0)
    strings = dict(a for a, _ in seen["StringStruct"])
    assert strings["ProductVersion"] == "1.4.2" and strings["OriginalFilename"] == "canbao.exe"


def test_versioninfo_script_prints_the_version():
    r = subprocess.run([sys.executable, str(INSTALLER / "versioninfo.py"), "--numeric"], capture_output=True,
                       text=True, check=True)
    assert r.stdout.strip() == ".".join(map(str, versioninfo.version_tuple(app.__version__)))


# --- what the bundle leaves out -------------------------------------------------------------------
@pytest.mark.parametrize("dest", [
    "PySide6/Qt6Core.dll", "PySide6/Qt6Network.dll", "PySide6/Qt/lib/libQt6Network.so.6", "PySide6/Qt6Pdf.dll",
    "PySide6/Qt6PdfWidgets.dll", "PySide6/Qt6PrintSupport.dll", "PySide6/Qt6Svg.dll",
    "PySide6/plugins/platforms/qwindows.dll", "PySide6/Qt/plugins/platforms/libqoffscreen.so",
    "PySide6/plugins/imageformats/qsvg.dll", "PySide6/plugins/iconengines/qsvgicon.dll",
    "PySide6/plugins/styles/qmodernwindowsstyle.dll", "PySide6/translations/qtbase_zh_CN.qm",
    "PySide6/QtPdfWidgets.pyd", "policies/changchun-2025.toml", "resources/fonts/wqy-microhei.ttc",
    "resources/templates/generic/translations/qml/x.toml",
])
def test_trim_keeps_what_canbao_uses(dest):
    assert bundle_trim.keep((dest, "src", "BINARY"))


@pytest.mark.parametrize("dest", [
    "PySide6/Qt6Quick.dll", "PySide6/Qt6Qml.dll", "PySide6/Qt/lib/libQt6QmlModels.so.6",
    "PySide6/Qt6WebEngineCore.dll", "PySide6/Qt63DRender.dll", "PySide6/Qt6Multimedia.dll",
    "PySide6/qml/QtQuick/Controls/qmldir", "PySide6/plugins/sqldrivers/qsqlite.dll",
    "PySide6/plugins/tls/qopensslbackend.dll", "PySide6/translations/qtbase_de.qm",
    "PySide6/plugins/platforms/qdirect2d.dll", "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/opengl32sw.dll",
])
def test_trim_drops_what_canbao_does_not_use(dest):
    assert not bundle_trim.keep((dest, "src", "BINARY"))


def test_unused_python_modules_are_excluded_and_used_ones_are_not():
    for name in ("PySide6.QtNetwork", "PySide6.QtQuick", "PySide6.QtWebEngineCore", "tkinter", "pytest"):
        assert name in bundle_trim.EXCLUDES
    for name in ("PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtPrintSupport", "PySide6.QtSvg",
                 "PySide6.QtWidgets"):
        assert name not in bundle_trim.EXCLUDES


# --- the Inno Setup script ------------------------------------------------------------------------
def test_installs_per_user_without_admin():
    setup = iss_setup()
    assert setup["privilegesrequired"] == "lowest"
    # what {autopf} means per user (FOLDERID_UserProgramFiles), spelled out so Wine can check the installer
    assert setup["defaultdirname"] == "{localappdata}\\Programs\\{#AppNameEn}"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}", setup["appid"])  # fixed: upgrades
    assert setup["usepreviousappdir"] == "yes" and setup["closeapplications"] == "yes"


def test_start_menu_and_desktop_shortcuts_start_the_window():
    d = iss_defines()
    icons = iss_section("Icons")
    assert any(i.startswith('Name: "{autoprograms}\\{#AppName}"') and '{app}\\{#GuiExe}' in i for i in icons)
    desktop = [i for i in icons if i.startswith('Name: "{autodesktop}')]
    assert desktop and "{#GuiExe}" in desktop[0] and "Tasks: desktopicon" in desktop[0]
    assert any(t.startswith('Name: "desktopicon"') and "unchecked" not in t for t in iss_section("Tasks"))
    assert d["AppName"] == "参保台账"


def test_exe_and_folder_names_match_the_spec():
    spec = (INSTALLER / "canbao.spec").read_text(encoding="utf-8")
    d = iss_defines()
    assert d["GuiExe"] == "canbaow.exe" and 'name="canbaow"' in spec and "console=False" in spec
    assert d["CliExe"] == "canbao.exe" and 'name="canbao"' in spec and "console=True" in spec
    assert 'name="Canbao"' in spec and '"..\\dist\\Canbao"' in iss_text()


def test_installer_never_writes_or_deletes_in_the_data_folder():
    d = iss_defines()
    assert d["AppNameEn"] == paths.APP_NAME  # data folder = %LOCALAPPDATA%\<APP_NAME> (platformdirs)
    assert "appauthor=False" in (ROOT / "app" / "paths.py").read_text(encoding="utf-8")
    for section in ("Files", "InstallDelete", "Dirs"):
        for entry in iss_section(section):
            dest = re.search(r'(DestDir|Name): "([^"]*)"', entry).group(2)
            assert dest.startswith("{app}"), f"[{section}] touches {dest}, outside the program folder"
    assert iss_section("UninstallDelete") == [] and iss_section("UninstallRun") == []
    assert "{localappdata}\\{#AppNameEn}" in iss_text()  # only to refuse installing into it / tell where it is


def test_install_runs_the_selftest():
    code = "\n".join(iss_section("Code"))
    assert re.search(r"Exec\(ExpandConstant\('\{app\}\\\{#CliExe\}'\), 'selftest'", code)


def test_build_scripts_build_the_spec_and_check_the_bundle():
    ps1 = (INSTALLER / "build.ps1").read_text(encoding="utf-8-sig")
    for needed in ("installer\\canbao.spec", "canbao.exe selftest", "CANBAO_SMOKE_EXIT", "installer\\canbao.iss",
                   "/DAppVersion=", "versioninfo.py"):
        assert needed in ps1
    assert "build.ps1" in (INSTALLER / "build.bat").read_text()
    subprocess.run(["bash", "-n", str(INSTALLER / "build_bundle.sh")], check=True)


# --- resource paths: one module, same answer from source and bundle -------------------------------
def test_only_app_paths_locates_files_relative_to_the_code():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        if path == ROOT / "app" / "paths.py":
            continue
        text = path.read_text(encoding="utf-8")
        for word in ("__file__", "_MEIPASS", "importlib.resources", "pkgutil.get_data"):
            if word in text:
                offenders.append(f"{path.relative_to(ROOT)}: {word}")
    assert offenders == [], "resource paths must come from app/paths.py (works in the bundle too): " + \
        "; ".join(offenders)


def test_install_root_is_the_bundle_folder_when_frozen(monkeypatch, tmp_path):
    monkeypatch.delenv("CANBAO_POLICIES", raising=False)
    assert paths.install_root() == ROOT
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.install_root() == tmp_path
    assert paths.policies_dir() == tmp_path / "policies" and paths.resources_dir() == tmp_path / "resources"


def test_a_link_to_a_dropped_qt_library_is_dropped_too():
    """PyInstaller on Linux puts links beside the program to Qt libraries: none may point to a trimmed one."""
    assert not bundle_trim.keep(("libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6WaylandClient.so.6", "SYMLINK"))
    assert bundle_trim.keep(("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"))
