"""Files Canbao writes are private to the user (POSIX 0600/0700): a shared laptop's other accounts, and
anyone a folder is shared with, cannot read the ledger, its WAL, backups, exports or printouts."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.paths import make_ledger_private

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")

ROOT = Path(__file__).resolve().parents[2]


def _readable_by_others(root: Path) -> list[str]:
    bad = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            mode = p.lstat().st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                bad.append(f"{p.relative_to(root)} {stat.filemode(mode)}")
    return bad


def test_a_whole_workflow_leaves_no_file_readable_by_others(tmp_path):
    """A process started with the usual umask 022 runs the CLI: demo ledger, backup, export, print."""
    work = tmp_path / "work"
    work.mkdir()
    script = textwrap.dedent(f"""
        import os, sys
        os.umask(0o022)
        from app.cli.main import main
        db = {str(work / "台账" / "l.canbao.db")!r}
        steps = [
            ["demo", "--people", "100", "--db", db, "--quiet"],
            ["backup", "--db", db],
            ["ledger", "info", "--db", db],
            ["export", "ledger", "--db", db, "-o", {str(work / "导出" / "台账.xlsx")!r}],
            ["print", "notices", "--db", db, "-o", {str(work / "打印" / "通知单.pdf")!r}, "--quiet"],
        ]
        for argv in steps:
            code = main(argv)
            if code:
                sys.exit(f"{{argv}} -> {{code}}")
    """)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], cwd=work, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    written = sorted(p.name for p in work.rglob("*") if p.is_file())
    assert any(n.endswith(".bak.db") for n in written) and "台账.xlsx" in written and "通知单.pdf" in written
    assert _readable_by_others(work) == []


def test_a_ledger_written_world_readable_is_made_private_when_opened(tmp_path):
    from app.ledger import open_ledger

    path = tmp_path / "old.canbao.db"
    old = os.umask(0o022)
    try:
        with open_ledger(path, create=True, backup=False) as lg:
            lg.db.execute("CREATE TABLE IF NOT EXISTS t (x)")
        os.chmod(path, 0o644)
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        with open_ledger(path, backup=False):
            for f in tmp_path.iterdir():
                if f.name.startswith("old.canbao.db"):
                    assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    finally:
        os.umask(old)


def test_make_ledger_private_tightens_the_companions_too(tmp_path):
    base = tmp_path / "x.db"
    for suffix in ("", "-wal", "-shm"):
        p = tmp_path / f"x.db{suffix}"
        p.write_bytes(b"")
        p.chmod(0o664)
    make_ledger_private(base)
    assert {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()} == {0o600}


def test_logs_never_hold_a_full_id_number_or_phone(caplog):
    import logging

    from app.logs import redact_logs

    redact_logs()
    number = "220102196005011231"
    try:
        raise ValueError(f"身份证号码校验位错误：{number}")
    except ValueError:
        logging.getLogger("canbao.test").exception("导入失败 %s 电话 %s", number, "13912345678")
    text = caplog.text
    assert "导入失败 2201**********1231 电话 139****5678" in text
    assert number not in text and "13912345678" not in text and "校验位错误：2201" in text


def test_print_previews_do_not_pile_up_in_the_temp_folder(tmp_path, monkeypatch):
    import tempfile
    import time

    from app.paths import _empty, scratch_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    d = scratch_dir("canbao-print-test")
    old, new = d / "old.pdf", d / "new.pdf"
    old.write_bytes(b"%PDF")
    new.write_bytes(b"%PDF")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    assert scratch_dir("canbao-print-test") == d
    assert sorted(p.name for p in d.iterdir()) == ["new.pdf"]
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    # a second copy of Canbao (another process) has its own folder: its ending leaves this one's previews
    other = d.parent / "99999999"
    other.mkdir()
    (other / "theirs.pdf").write_bytes(b"%PDF")
    _empty(other)
    assert not other.exists() and (d / "new.pdf").exists()
    # a folder left by a killed copy, with an old preview in it, is cleared by the next program
    killed = d.parent / "99999998"
    killed.mkdir()
    (killed / "left.pdf").write_bytes(b"%PDF")
    os.utime(killed / "left.pdf", (hours_ago, hours_ago))
    scratch_dir("canbao-print-test")
    assert not (killed / "left.pdf").exists()
    _empty(d)  # what happens when the program ends
    assert not d.exists()
