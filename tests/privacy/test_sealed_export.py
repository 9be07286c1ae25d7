"""Exports for the district keep full ID numbers, so they can be written as AES-256 zips; the plaintext
workbook is never left behind, in the output folder or the temp folder."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile

import openpyxl
import pytest
import pyzipper
from operators_helper import log_in

from app.cli.main import main
from app.ledger import open_ledger


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "s.canbao.db"
    with open_ledger(path, create=True, backup=False) as lg:
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        log_in(lg)
        h = lg.households.add(village="东风村", group="一组").id
        lg.members.add(h, name="张三", id_number="229999196005011233", relation="户主")
    return path


def test_an_encrypted_export_opens_only_with_its_password_and_leaves_no_plaintext(db, tmp_path, monkeypatch,
                                                                                   capsys):
    out_dir = tmp_path / "U盘"
    out_dir.mkdir()
    temp_before = set(os.listdir(tempfile.gettempdir()))
    monkeypatch.setenv("CANBAO_EXPORT_PASSWORD", "short")
    assert main(["export", "ledger", "--db", str(db), "-o", str(out_dir / "台账.xlsx"), "--encrypt"]) == 2
    assert "至少 8 位" in capsys.readouterr().err and list(out_dir.iterdir()) == []
    monkeypatch.setenv("CANBAO_EXPORT_PASSWORD", "村里的密码2025")
    assert main(["export", "ledger", "--db", str(db), "-o", str(out_dir / "台账.xlsx"), "--encrypt"]) == 0
    assert "台账.xlsx.zip" in capsys.readouterr().out
    assert [p.name for p in out_dir.iterdir()] == ["台账.xlsx.zip"]  # no plaintext, no half-written part
    archive = out_dir / "台账.xlsx.zip"
    with zipfile.ZipFile(archive) as plain_zip, pytest.raises((NotImplementedError, RuntimeError)):
        plain_zip.read("台账.xlsx")  # an ordinary unzip cannot read it
    with pyzipper.AESZipFile(archive) as zf:
        with pytest.raises(RuntimeError):
            zf.read("台账.xlsx", pwd="猜的密码12345".encode())
        data = zf.read("台账.xlsx", pwd="村里的密码2025".encode())
    rows = list(openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert any("229999196005011233" in [str(v) for v in r] for r in rows)  # the district needs full numbers
    new_temp = set(os.listdir(tempfile.gettempdir())) - temp_before
    assert not [n for n in new_temp if n.startswith(".~canbao") or n.endswith(".xlsx")]


def test_the_window_exports_an_encrypted_zip_when_a_password_is_given(qtbot, db, tmp_path):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.ui.exchange_dialogs import ExportDialog

    with open_ledger(db, backup=False) as lg:
        log_in(lg)
        d = ExportDialog(lg)
        qtbot.addWidget(d)
        d.what.setCurrentIndex(d.what.findData("ledger"))
        d.path.setText(str(tmp_path / "导出" / "台账.xlsx"))
        d.password.setText("村里的密码2025")
        with qtbot.waitSignal(d.exported, timeout=20000) as blocker:
            d.export()
    assert blocker.args[0].path.name == "台账.xlsx.zip"
    assert [p.name for p in (tmp_path / "导出").iterdir()] == ["台账.xlsx.zip"]
    with pyzipper.AESZipFile(blocker.args[0].path) as zf:
        assert zf.read("台账.xlsx", pwd="村里的密码2025".encode())[:2] == b"PK"
