"""scripts/system-packages.sh says what it could not install and fails (exit 1) instead of going on silently.

apt-get and dpkg-query are replaced by stubs on PATH, so nothing is installed and no root is needed.
"""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "system-packages.sh"


def _bin(tmp_path: Path, stubs: dict[str, str]) -> dict:
    """A PATH with only the few real tools the script uses plus the given stub commands."""
    b = tmp_path / "bin"
    b.mkdir()
    for tool in ("bash", "grep", "id", "sleep", "cat", "env"):
        os.symlink(shutil.which(tool), b / tool)
    for name, body in stubs.items():
        (b / name).write_text("#!/bin/bash\n" + body + "\n")
        (b / name).chmod(0o755)
    return {"PATH": str(b), "CANBAO_APT_RETRY_WAIT": "0", "HOME": str(tmp_path)}


def _run(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=120)


def test_without_apt_get_it_names_what_is_missing_and_fails(tmp_path):
    env = _bin(tmp_path, {"dpkg-query": "exit 1"})  # nothing installed, no apt-get on PATH
    out = _run(env)
    assert out.returncode == 1
    assert "没有 apt-get" in out.stderr
    assert "fonts-wqy-microhei —— 窗口中的中文字体" in out.stderr


def test_a_busy_package_manager_is_waited_for_and_retried_then_reported(tmp_path):
    log = tmp_path / "apt.log"
    env = _bin(tmp_path, {"dpkg-query": "exit 1",
                          "apt-get": f'echo "$*" >> {log}; echo "E: Could not get lock" >&2; exit 100'})
    out = _run(env)
    assert out.returncode == 1
    calls = log.read_text().splitlines()
    updates = [c for c in calls if " update" in c]
    assert len(updates) == 3  # apt-get update retried
    assert all("DPkg::Lock::Timeout=600" in c for c in calls)  # every call waits for the lock
    assert any(" install " in c for c in calls)
    assert "仍缺少" in out.stderr and "poppler-utils" in out.stderr


def test_when_all_is_installed_nothing_is_run(tmp_path):
    env = _bin(tmp_path, {"dpkg-query": 'shift 2; for p; do echo "$p install ok installed"; done',
                          "apt-get": "exit 99"})
    out = _run(env)
    assert out.returncode == 0, out.stderr
