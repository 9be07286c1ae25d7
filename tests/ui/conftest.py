"""Fixtures for the window's tests: a small real ledger (changchun-2025) in a temp folder, and preferences
kept out of the user's folder."""

from __future__ import annotations

import datetime as dt
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


DAY = dt.date(2021, 11, 1)  # changchun-2022: window 2021-10-08 … 2021-12-31, refunds before 2022-01-01


@pytest.fixture()
def book(tmp_path):
    """A changchun-2022 ledger (refunds allowed) with payments by two operators on 2021-11-01 and -02:
    ``book.ids`` a (cash), b (WeChat, one member refunded), c (cash, voided), d (李会计), e (next day)."""
    from app.ledger import PayLine, open_ledger

    lg = open_ledger(tmp_path / "h.canbao.db", create=True, operator="王会计")
    lg.settings.initialize(township="西营镇", year=2022, policy_id="changchun-2022", operators=["王会计", "李会计"],
                           villages={"东风村": ["一组"]}, area_kind="区")
    heads = []
    for k in range(5):
        h = lg.households.add(village="东风村", group="一组").id
        m1 = lg.members.add(h, name=f"户主{k}", id_number=make_id("19700101", 11 + 2 * k), relation="户主").id
        m2 = lg.members.add(h, name=f"配偶{k}", id_number=make_id("19720202", 12 + 2 * k), relation="配偶").id
        heads.append((h, m1, m2))

    def pay(i, method, day, operator="王会计", both=True):
        h, m1, m2 = heads[i]
        lines = [PayLine(m1)] + ([PayLine(m2)] if both else [])
        return lg.payments.record(h, lines, method=method, paid_on=day, operator=operator).id

    ids = {"a": pay(0, "现金", DAY), "b": pay(1, "微信", DAY), "c": pay(2, "现金", DAY, both=False),
           "d": pay(3, "现金", DAY, operator="李会计"), "e": pay(4, "现金", DAY + dt.timedelta(days=1))}
    lg.payments.void(ids["c"], "收错人了", operator="王会计")
    lg.payments.refund(ids["b"], heads[1][2], "重复缴费", refunded_on=DAY, operator="王会计")
    lg.ids = ids
    yield lg
    lg.close()
