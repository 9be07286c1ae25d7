"""A small real ledger (SQLite, through the ledger API) for the printing adapter and the CLI."""

from __future__ import annotations

import datetime as dt

from app.ledger import PayLine, open_ledger

from .samples import RARE_NAME, RARE_NAME_A, id_number

TODAY = dt.date(2024, 11, 20)  # inside changchun-2025's collection window


def make_ledger(path):
    lg = open_ledger(path, create=True, backup=False, operator="刘网格")
    lg.settings.initialize(township="永兴乡", year=2025, policy_id="changchun-2025", operators=["刘网格", "王会计"],
                           villages={"红旗村": ["一组", "二组"], "东风村": []}, area_kind="区")
    h1 = lg.households.add(village="红旗村", group="一组", number="HQ-0001", address="红旗村一组 3 号",
                           phone="13812345678").id
    lg.members.add(h1, name="张三", id_number=id_number("220102", dt.date(1980, 3, 4), 123),
                   birth_date=dt.date(1980, 3, 4), relation="户主")
    wife = lg.members.add(h1, name=RARE_NAME, id_number=id_number("220102", dt.date(1982, 5, 6), 224),
                          birth_date=dt.date(1982, 5, 6), relation="配偶").id
    lg.categories.add(wife, "低保对象", department="民政", recognized_on=dt.date(2024, 1, 10))
    lg.members.add(h1, name=RARE_NAME_A, id_number=id_number("220102", dt.date(2010, 7, 8), 345),
                   birth_date=dt.date(2010, 7, 8), relation="子")

    h2 = lg.households.add(village="红旗村", group="一组", number="HQ-0002").id
    m = lg.members.add(h2, name="赵六", id_number=id_number("220102", dt.date(1975, 1, 2), 111),
                       birth_date=dt.date(1975, 1, 2), relation="户主").id
    pay = lg.payments.record(h2, [PayLine(m)], method="现金", paid_on=dt.date(2024, 11, 15), operator="刘网格").id

    h3 = lg.households.add(village="红旗村", group="二组", number="HQ-0003").id
    lg.members.add(h3, name="钱七", id_number=id_number("220102", dt.date(1990, 2, 3), 131),
                   birth_date=dt.date(1990, 2, 3), relation="户主")
    lg.members.add(h3, name="孙八", id_number=id_number("220102", dt.date(1991, 4, 5), 142),
                   birth_date=dt.date(1991, 4, 5), relation="配偶", status="参加职工医保")

    h4 = lg.households.add(village="东风村", number="DF-0001").id
    lg.members.add(h4, name="周九", id_number=id_number("220102", dt.date(1970, 8, 9), 151),
                   birth_date=dt.date(1970, 8, 9), relation="户主")
    receipt_no = lg.payments.get(pay).receipt_no
    return lg, receipt_no
