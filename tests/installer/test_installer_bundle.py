"""Build the one-folder bundle with PyInstaller from ``installer/canbao.spec`` and run it, so a broken spec
fails the suite: ``canbao selftest`` with the network unavailable, and the window opened offscreen.

Builds into a fresh folder under ``build/`` (git-ignored, PyInstaller's cache included), removed afterwards
unless ``CANBAO_KEEP_BUNDLE=1``. Size and build time are written to ``build/installer-bundle-report.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = ".exe" if sys.platform == "win32" else ""

pytestmark = pytest.mark.slow
# The trimmed Linux bundle measured 225 MB (2026-11); an untrimmed Qt (QtQuick/QML, WebEngine …) is far above.
MAX_BUNDLE_MB = 300


def _offline_prefix() -> tuple[list[str], str]:
    """``unshare -rn`` (new user + network namespace: no interface up) when the kernel allows it."""
    unshare = shutil.which("unshare")
    if not unshare:
        return [], "unshare not installed"
    r = subprocess.run([unshare, "-rn", "true"], capture_output=True, text=True)
    if r.returncode != 0:
        return [], f"unshare -rn not permitted here: {r.stderr.strip()}"
    return [unshare, "-rn"], ""


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def bundle():
    pytest.importorskip("PyInstaller", reason="PyInstaller missing: pip install -e '.[dev]' (it is in the dev extra)")
    build = ROOT / "build"
    build.mkdir(exist_ok=True)
    place = Path(tempfile.mkdtemp(prefix="bundle-test-", dir=build))
    # PyInstaller's cache in the same throw-away folder: nothing outside build/, no race between parallel runs
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(place / "config")}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                        "--distpath", str(place / "dist"), "--workpath", str(place / "work"),
                        str(ROOT / "installer" / "canbao.spec")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - t0
    assert r.returncode == 0, f"PyInstaller failed:\n{r.stderr[-6000:]}"
    folder = place / "dist" / "Canbao"
    report = {"build_seconds": round(seconds, 1), "bundle_bytes": _size(folder),
              "bundle_mb": round(_size(folder) / 2**20, 1),
              "files": sum(1 for p in folder.rglob("*") if p.is_file() and not p.is_symlink()),
              "links": sum(1 for p in folder.rglob("*") if p.is_symlink())}
    (build / "installer-bundle-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    yield folder
    if not os.environ.get("CANBAO_KEEP_BUNDLE"):
        shutil.rmtree(place, ignore_errors=True)


def _run(cmd: list[str], tmp_path: Path, extra_env: dict | None = None, timeout: float = 180):
    prefix, _ = _offline_prefix()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8",
           **(extra_env or {})}
    # run from an unrelated folder with a bare environment: the bundle must not lean on the source tree
    return subprocess.run(prefix + cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)


def test_bundle_stays_small(bundle):
    mb = _size(bundle) / 2**20
    assert mb < MAX_BUNDLE_MB, f"bundle is {mb:.0f} MB: has the Qt trim in installer/bundle_trim.py stopped working?"


def test_bundle_has_both_programs_data_and_trimmed_qt(bundle):
    assert (bundle / f"canbao{EXE}").is_file() and (bundle / f"canbaow{EXE}").is_file()
    internal = bundle / "_internal"
    assert sorted(p.name for p in (internal / "policies").glob("*.toml")) == \
        sorted(p.name for p in (ROOT / "policies").glob("*.toml"))
    assert (internal / "resources" / "templates").is_dir()
    names = [p.relative_to(internal).as_posix().lower() for p in internal.rglob("*")]
    dangling = [p.name for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling, f"links to files the trim left out: {dangling}"
    for needed in ("qtpdf", "qtprintsupport", "qtwidgets", "qtsvg", "platforms/"):
        assert any(needed in n for n in names), f"{needed} missing from the bundle"
    for unused in ("qtquick", "qtqml", "webengine", "qt3d", "qtmultimedia", "pyside6/qtnetwork.", "/qml/",
                   "qtdesigner", "pytest", "hypothesis", "tkinter"):
        assert not any(unused in n for n in names), f"{unused} should be trimmed: " + \
            ", ".join(n for n in names if unused in n)[:500]


def test_selftest_of_the_bundle_passes_without_network(bundle, tmp_path):
    prefix, why = _offline_prefix()
    r = _run([str(bundle / f"canbao{EXE}"), "selftest", "--json"], tmp_path)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    report = json.loads(r.stdout)
    assert report["ok"] and report["network_attempts"] == []
    install = next(s for s in report["steps"] if s["name"] == "安装")
    assert "安装版" in install["detail"] and str(bundle / "_internal") in install["detail"]
    # the print process starts from the frozen program (multiprocessing.freeze_support in the entry script)
    child = next(s for s in report["steps"] if s["name"] == "打印进程")
    assert child["ok"] and "打印子进程启动" in child["detail"], child
    if not prefix:
        pytest.skip(f"selftest passed, but with the network up: {why}")


def test_network_really_is_unavailable_inside_unshare(tmp_path):
    prefix, why = _offline_prefix()
    if not prefix:
        pytest.skip(why)
    r = _run([sys.executable, "-c", "import socket; socket.create_connection(('1.1.1.1', 53), timeout=3)"], tmp_path)
    assert r.returncode != 0 and ("unreachable" in r.stderr or "OSError" in r.stderr), r.stderr


def test_window_opens_offscreen_from_the_bundle(bundle, tmp_path):
    r = _run([str(bundle / f"canbaow{EXE}")], tmp_path, {"CANBAO_SMOKE_EXIT": "1"}, timeout=120)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "窗口已打开" in r.stderr


def test_cli_of_the_bundle_answers_a_quote(bundle, tmp_path):
    r = _run([str(bundle / f"canbao{EXE}"), "quote", "--policy", "changchun-2025", "--birth-date", "1980-05-01",
              "--paid-on", "2024-10-08", "--json"], tmp_path)
    assert r.returncode == 0, r.stderr[-4000:]
    assert json.loads(r.stdout)["due"] == "410.00"
