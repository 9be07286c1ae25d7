"""Shared helpers for the exchange tests: valid ID numbers, LibreOffice conversion."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from stdnum.cn import ric


def make_id(birth: str = "19800101", seq: int = 1, area: str = "220102") -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def write_xlsx(path: Path, rows, title: str = "Sheet1") -> Path:
    """A one-sheet workbook with these rows, as a department would send it."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def bad_checksum(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def soffice_csv(xlsx: Path, outdir: Path, sheet: int | None = None) -> list[list[str]]:
    """Convert with LibreOffice headless (a real, independent reader) and return the CSV rows."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = outdir / "lo_profile"
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1"
    if sheet is not None:
        filt += f",,0,false,true,false,false,false,{sheet}"
    env = dict(os.environ, HOME=str(outdir))
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", filt,
                    "--outdir", str(outdir), str(xlsx)], check=True, capture_output=True, timeout=180, env=env)
    candidates = sorted(outdir.glob(xlsx.stem + "*.csv"))
    assert candidates, f"LibreOffice produced no CSV for {xlsx}"
    with open(candidates[0], encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def build_ledger(path: Path):
    """A small real ledger (changchun-2025): two villages, three households, payments in October 2024."""
    import datetime as dt

    from app.ledger import PayLine, open_ledger

    lg = open_ledger(path, create=True, backup=False, operator="测试员")
    lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["测试员"],
                           villages={"东风村": ["一组", "二组"], "红旗村": ["一组"]})
    people = {}
    h1 = lg.households.add(village="东风村", group="一组", phone="13800000001").id
    people["head1"] = lg.members.add(h1, name="张大山", id_number=make_id("19600501", 11), relation="户主").id
    people["wife1"] = lg.members.add(h1, name="李秀英", id_number=make_id("19620302", 22), relation="配偶").id
    people["son1"] = lg.members.add(h1, name="张小山", id_number=make_id("19900101", 31), relation="子").id
    h2 = lg.households.add(village="东风村", group="二组").id
    people["head2"] = lg.members.add(h2, name="王低保", id_number=make_id("19550101", 41), relation="户主").id
    lg.categories.add(people["head2"], "低保对象", department="民政", recognized_on="2024-01-01")
    people["away2"] = lg.members.add(h2, name="王外出", id_number=make_id("19850101", 51), relation="子",
                                     status="参加职工医保").id
    h3 = lg.households.add(village="红旗村", group="一组").id
    people["head3"] = lg.members.add(h3, name="赵一", id_number=make_id("19700101", 61), relation="户主").id
    lg.payments.record(h1, [PayLine(people["head1"]), PayLine(people["wife1"])], method="现金",
                       paid_on=dt.date(2024, 10, 8))
    lg.payments.record(h2, [PayLine(people["head2"])], method="现金", paid_on=dt.date(2024, 10, 9))
    return lg, people
