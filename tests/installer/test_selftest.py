"""``canbao selftest`` from source: every step passes, each step's check can fail, no network is used."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import selftest
from app.cli.main import build_parser
from app.domain.idnumber import parse_id_number
from app.policy_catalog import catalog

ROOT = Path(__file__).resolve().parents[2]
# The command alone, so that these tests do not depend on other subcommands (the bundle test runs the real CLI).
SELFTEST_ONLY = ("import argparse, sys; from app.cli import selftest_cmd; p = argparse.ArgumentParser(); "
                 "selftest_cmd.register(p.add_subparsers()); a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))")


def test_every_step_passes_and_leaves_its_files(tmp_path):
    steps = selftest.run_selftest(tmp_path)
    assert [s.name for s in steps] == [name for name, _ in selftest.STEPS]
    failed = {s.name: s.detail for s in steps if not s.ok}
    assert failed == {}
    assert (tmp_path / "自检.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "自检台账.xlsx").stat().st_size > 0


def test_a_failing_step_is_reported_and_the_others_still_run(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_POLICIES", str(tmp_path / "no-such-folder"))
    steps = {s.name: s for s in selftest.run_selftest(tmp_path / "work")}
    assert not steps["安装"].ok and "缺少文件夹" in steps["安装"].detail
    assert not steps["政策"].ok and "没有政策文件" in steps["政策"].detail
    assert not steps["测算"].ok
    assert steps["PDF"].ok and steps["Excel"].ok  # later steps still ran


def test_data_folder_inside_the_program_folder_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(selftest, "data_dir", lambda: selftest.install_root() / "data")
    steps = {s.name: s for s in selftest.run_selftest(tmp_path)}
    assert not steps["安装"].ok and "程序文件夹" in steps["安装"].detail


def test_id_number_for_test_records_is_valid():
    number = selftest.id_number_for(dt.date(1980, 5, 1))
    info = parse_id_number(number)
    assert info.birth_date == dt.date(1980, 5, 1)


@pytest.mark.parametrize("policy_id", sorted(catalog()[0]))
def test_payment_day_is_inside_the_window_on_an_allowed_day(policy_id):
    p = catalog()[0][policy_id]
    day = selftest.payment_day(p)
    assert p.window.start <= day <= p.window.end
    if p.window.day_from is not None:
        assert p.window.day_from <= day.day <= p.window.day_to


def test_network_guard_records_attempts_only_while_active():
    import socket

    guard = selftest.NetworkGuard()
    try:
        socket.getaddrinfo("localhost", 80)
    except OSError:
        pass
    assert guard.attempts == []
    guard.active = True
    try:
        socket.getaddrinfo("localhost", 80)
    except OSError:
        pass
    guard.active = False
    assert len(guard.attempts) == 1 and guard.attempts[0].startswith("socket.getaddrinfo")


def test_selftest_command_is_registered():
    args = build_parser().parse_args(["selftest", "--gui", "--keep", "x"])
    assert args.command == "selftest" and args.gui and args.keep == "x"


def test_selftest_command_json_exit_0(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, "-c", SELFTEST_ONLY, "selftest", "--json", "--keep", str(tmp_path / "k")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and report["failed"] == [] and report["network_attempts"] == []
    assert len(report["steps"]) == len(selftest.STEPS)


def test_selftest_command_exits_1_when_a_step_fails(tmp_path):
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin",
           "CANBAO_POLICIES": str(tmp_path / "none")}
    r = subprocess.run([sys.executable, "-c", SELFTEST_ONLY, "selftest"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "自检未通过" in r.stdout and "政策" in r.stdout


def test_ledger_inside_the_program_folder_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_DB", str(selftest.install_root() / "ledger.canbao.db"))
    steps = {s.name: s for s in selftest.run_selftest(tmp_path)}
    assert not steps["安装"].ok and "默认台账" in steps["安装"].detail


def test_icon_is_a_multi_size_windows_icon():
    """The spec and the installer use resources/icons/canbao.ico when it exists: it must hold the sizes Windows shows."""
    import struct

    from app.paths import resources_dir

    data = (resources_dir() / "icons" / "canbao.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count >= 4
    sizes = {data[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sizes
