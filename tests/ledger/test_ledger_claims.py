"""Claims in the ledger: a category recorded after a full payment stores the money owed back, listed and
tracked to paid. 长春 000 二（三）：2025 年 1 月 1 日至 12 月 31 日期间，经民政或农业农村部门认定的符合条件的困难人员
均可享受参保资（补）助；二（一）定额资助 150 元；二（二）市、区财政各补助 70 元。"""

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from app.domain.problems import ProblemsError
from app.ledger import PayLine

D = dt.date


@pytest.fixture
def paid_member(ledger, household, ids):
    mid = ledger.members.add(household, name="张三", id_number=ids("19600501"), relation="户主").id
    ledger.payments.record(household, [PayLine(mid)], method="现金", paid_on="2024-10-08")
    return mid


def test_recording_dibao_after_a_full_payment_stores_a_claim(ledger, paid_member):
    # paid 410 (400 + 长护险 10) on 2024-10-08; recognised 低保 2025-03-01 → 150 + 70 + 70 = 290 back
    ledger.categories.add(paid_member, "低保对象", department="民政", recognized_on="2025-03-01")
    (c,) = ledger.claims.list()
    assert (c.member_name, c.category, c.amount, c.state) == ("张三", "低保对象", Decimal(290), "待补付")
    assert [(p.kind, p.funder, p.amount) for p in c.parts] == [
        ("assistance", "医疗救助", Decimal(150)), ("subsidy", "市财政", Decimal(70)), ("subsidy", "区财政", Decimal(70))]
    assert c.clause.startswith("长医保联〔2024〕5号") and c.receipt_no == "2025-000001"
    assert ledger.db.execute("SELECT amount_fen, typeof(amount_fen) FROM claims").fetchone() == (29000, "integer")


def test_a_claim_is_tracked_to_paid_and_never_deleted(ledger, paid_member):
    ledger.categories.add(paid_member, "低保对象", recognized_on="2025-03-01")
    (c,) = ledger.claims.list()
    with pytest.raises(ProblemsError):
        ledger.claims.settle(c.id, on="2025-02-01")  # before the recognition
    done = ledger.claims.settle(c.id, on="2025-04-10", note="医保局转账")
    assert (done.state, done.settled_on, done.note) == ("已补付", D(2025, 4, 10), "医保局转账")
    with pytest.raises(ProblemsError):
        ledger.claims.settle(c.id, on="2025-04-11")  # once only
    with pytest.raises(sqlite3.DatabaseError):
        ledger.db.execute("DELETE FROM claims")
    assert [e.action for e in ledger.audit.for_member(paid_member) if e.entity == "claim"] == ["create", "settle"]


def test_no_claim_without_a_payment_or_for_a_recognition_the_quote_counted(ledger, household, ids):
    mid = ledger.members.add(household, name="李四", id_number=ids("19700101")).id
    ledger.categories.add(mid, "低保对象", recognized_on="2024-09-01")  # before paying: 150 at the counter
    ledger.payments.record(household, [PayLine(mid)], method="现金", paid_on="2024-10-08")
    assert ledger.claims.list() == [] and ledger.claims.refresh() == []


def test_refresh_finds_a_payment_that_predates_a_recognition_on_file(ledger, household, ids):
    mid = ledger.members.add(household, name="王五", id_number=ids("19700101")).id
    ledger.categories.add(mid, "返贫致贫人口", recognized_on="2025-01-15")
    ledger.payments.record(household, [PayLine(mid)], method="现金", paid_on="2024-11-01")  # paid full, recorded later
    assert ledger.claims.list() == []
    assert len(ledger.claims.refresh()) == 1 and ledger.claims.refresh() == []
    assert ledger.claims.list()[0].amount == Decimal(290)


def test_a_voided_payment_shows_its_claim_as_not_owed(ledger, paid_member):
    ledger.categories.add(paid_member, "低保对象", recognized_on="2025-03-01")
    pid = ledger.payments.of_member(paid_member)[0].id
    ledger.payments.void(pid, "收错人")
    assert ledger.claims.list()[0].state == "缴费已作废"


def test_tunliu_gives_no_claims(tunliu, ids):
    h = tunliu.households.add(village="东风村", group="一组").id
    mid = tunliu.members.add(h, name="赵六", id_number=ids("19600501")).id
    tunliu.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-10-08")
    tunliu.categories.add(mid, "低保对象", recognized_on="2025-03-01")
    assert tunliu.claims.list() == []


def test_claims_appear_in_the_assistance_and_subsidy_lists(ledger, paid_member):
    from app.exchange.from_ledger import assistance_rows, subsidy_rows

    ledger.categories.add(paid_member, "低保对象", recognized_on="2025-03-01")
    a = [r for r in assistance_rows(ledger) if "缴费后补付" in r["category"]]
    assert [(r["name"], r["funding_source"], r["assistance_amount"]) for r in a] == [("张三", "医疗救助", Decimal(150))]
    s = [r for r in subsidy_rows(ledger) if "缴费后补付" in r["category"]]
    assert [(r["funder"], r["subsidy_amount"], r["state"]) for r in s] == [
        ("市财政", Decimal(70), "认定后待补付"), ("区财政", Decimal(70), "认定后待补付")]


def test_cli_lists_and_settles_claims(ledger, paid_member, capsys):
    from app.cli.main import main

    ledger.categories.add(paid_member, "低保对象", recognized_on="2025-03-01")
    path = str(ledger.path)
    assert main(["ledger", "claims", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "290.00 元" in out and "待补付" in out and "合计待补付 290.00 元" in out
    cid = ledger.claims.list()[0].id
    assert main(["ledger", "claims", "settle", str(cid), "--db", path, "--date", "2025-04-10", "--note", "转账"]) == 0
    assert main(["ledger", "claims", "--db", path, "--json"]) == 0
    import json
    data = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert data[0]["state"] == "已补付" and data[0]["amount"] == "290.00"
