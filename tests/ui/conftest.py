"""Fixtures for the window's tests: a small real ledger (changchun-2025) in a temp folder, and preferences
kept out of the user's folder."""

from __future__ import annotations

import os

import pytest
from stdnum.cn import ric

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def make_id(birth: str, seq: int, area: str = "220102") -> str:
    """A valid 居民身份证号码 for a birth date ``YYYYMMDD`` (odd seq = 男)."""
    body = f"{area}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture(autouse=True)
def _prefs(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "default.canbao.db"))


@pytest.fixture()
def ledger(tmp_path):
    from app.ledger import open_ledger
    from operators_helper import log_in

    lg = open_ledger(tmp_path / "t.canbao.db", create=True)
    log_in(lg, "王会计")
    lg.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                           villages={"东风村": ["一组", "二组"], "胜利村": ["一组"]}, area_kind="区")
    h1 = lg.households.add(village="东风村", group="一组", address="东风村一组1号", phone="13800000001").id
    lg.members.add(h1, name="张三", id_number=make_id("19700101", 11), relation="户主", phone="13912345678")
    m2 = lg.members.add(h1, name="李四", id_number=make_id("19720202", 22), relation="配偶").id
    lg.categories.add(m2, "低保对象", department="民政", recognized_on="2024-01-01")
    lg.members.add(h1, name="张小明", id_number=make_id("20100303", 31), relation="子", student=True)
    h2 = lg.households.add(village="胜利村", group="一组").id
    lg.members.add(h2, name="王五", id_number=make_id("19600404", 41), relation="户主")
    lg.members.add(h2, name="赵六", id_number=make_id("19650505", 52), relation="配偶", status="参加职工医保")
    yield lg
    lg.close()
