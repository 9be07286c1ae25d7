"""scripts/run.sh never opens a window that would show boxes: no Chinese font (system or shipped) → a Chinese
message and exit 1; commands still run. The real run.sh runs in a copy of the repository whose other scripts,
.venv and fc-list are stubs."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _stub(path: Path, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/bash\n" + body + "\n")
    path.chmod(0o755)


@pytest.fixture
def repo(tmp_path):
    r = tmp_path / "repo"
    (r / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "run.sh", r / "scripts" / "run.sh")
    _stub(r / "scripts" / "system-packages.sh", "exit 0")
    _stub(r / "scripts" / "setup.sh", "exit 0")
    _stub(r / ".venv" / "bin" / "canbao", 'echo "canbao $*"')
    _stub(r / ".venv" / "bin" / "python", "exit 1")  # the window cannot load Canbao's own fonts
    _stub(tmp_path / "bin" / "fc-list", "exit 0")   # no Chinese font on the system
    return r


def _run(repo, *args):
    env = {**os.environ, "PATH": f"{repo.parent / 'bin'}:{os.environ['PATH']}"}
    return subprocess.run(["bash", str(repo / "scripts" / "run.sh"), *args], capture_output=True, text=True,
                          env=env, cwd=repo.parent, timeout=60)


def test_no_chinese_font_no_window(repo):
    out = _run(repo)
    assert out.returncode == 1
    assert "没有中文字体" in out.stderr and "fonts-wqy-microhei" in out.stderr
    assert "canbao" not in out.stdout


def test_commands_run_without_a_chinese_font(repo):
    out = _run(repo, "policy", "list")
    assert out.returncode == 0 and out.stdout.strip() == "canbao policy list"


def test_the_window_opens_with_the_font_canbao_ships(repo):
    (repo / "resources" / "fonts").mkdir(parents=True)
    (repo / "resources" / "fonts" / "wqy-microhei.ttc").write_bytes(b"font")
    _stub(repo / ".venv" / "bin" / "python", "exit 0")  # app.ui.style.load_fonts exists
    out = _run(repo)
    assert out.returncode == 0 and out.stdout.strip() == "canbao"
    assert "程序自带" in out.stderr
