"""The canbao entry point: help, and a reader closing the pipe early ends quietly (no traceback)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for cmd in ("policy", "quote", "ledger", "backup", "restore", "check", "demo", "print", "export", "import",
                "selftest"):
        assert cmd in out.stdout, cmd


def test_closed_pipe_is_not_an_error():
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "policy", "show", "shuangqing-2025"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, bufsize=0)
    proc.stdout.close()  # the reader is gone before Canbao writes a byte (start-up takes ~0.3 s): EPIPE
    err = proc.stderr.read().decode("utf-8", "replace")
    assert proc.wait(timeout=30) == 0
    assert "Traceback" not in err and "Broken pipe" not in err
