"""A killed export leaves no file that looks finished, and its part is removed at the next start — wherever the
clerk chose to write it (a USB stick, the desktop), not only beside the ledger."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.ledger.files import sweep_pending

ROOT = Path(__file__).resolve().parents[2]

KILLED_WRITER = """
import os, sys
from pathlib import Path
from app.ledger.files import part_path, pending
target = Path(sys.argv[1])
with pending(part_path(target)) as part:
    part.write_bytes(b"PK half a workbook")
    os.kill(os.getpid(), 9)
"""


def test_a_killed_export_leaves_only_a_part_that_the_next_start_removes(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    usb = tmp_path / "U盘"
    usb.mkdir()
    target = usb / "周报.xlsx"
    proc = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(target)], cwd=ROOT,
                          env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")})
    assert proc.returncode == -9
    left = list(usb.iterdir())
    assert len(left) == 1 and left[0].name.endswith(".part") and not left[0].name.endswith(".xlsx")
    assert not target.exists()
    assert sweep_pending() == [left[0]]
    assert list(usb.iterdir()) == []
    assert sweep_pending() == []  # the note went with it


def test_a_finished_export_leaves_no_note(tmp_path, monkeypatch):
    from app.exchange.workbook import WorkbookWriter

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    target = tmp_path / "台账.xlsx"
    w = WorkbookWriter(target)
    w.save()
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["台账.xlsx"]
    assert not list((tmp_path / "data").rglob("*.txt"))


KILLED_SEALED = """
import os, sys
from pathlib import Path
from app.exchange.sealed import write_sealed

def build(plain):
    plain.write_bytes(b"full ID numbers in plain text")
    os.kill(os.getpid(), 9)

write_sealed(sys.argv[1], "台账.xlsx", "a-long-password", build)
"""


def test_a_killed_sealed_export_leaves_no_plaintext_behind_after_the_next_start(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    usb = tmp_path / "U盘"
    usb.mkdir()
    proc = subprocess.run([sys.executable, "-c", KILLED_SEALED, str(usb / "台账.zip")], cwd=ROOT,
                          env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")})
    assert proc.returncode == -9
    left = sorted(usb.iterdir())
    assert left and all(p.name.endswith(".part") for p in left)  # nothing that looks finished
    assert sorted(sweep_pending()) == left
    assert list(usb.iterdir()) == []
