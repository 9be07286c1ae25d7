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
