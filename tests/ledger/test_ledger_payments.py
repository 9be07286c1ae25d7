"""Payments, receipts, overrides, the assisted-member guard, voids, refunds, moves and audit."""

import datetime as dt
from decimal import Decimal
import sqlite3

import pytest
from operators_helper import log_in

from app.ledger.operators import CLERK

from app.domain.money import to_money
from app.domain.problems import ProblemsError
from app.ledger import PayLine

D = dt.date


@pytest.fixture
def family(ledger, household, ids):
    head = ledger.members.add(household, name="张三", id_number=ids("19600501"), relation="户主").id
    wife = ledger.members.add(household, name="李梅", id_number=ids("19620302", male=False), relation="配偶").id
    return head, wife


def test_payment_for_two_members_uses_the_quote_and_stores_its_snapshot(ledger, household, family):
    head, wife = family
    ch = ledger.payments.record(household, [PayLine(head), PayLine(wife)], method="现金", paid_on="2024-10-08")
    assert ch.households == {household} and ch.members == {head, wife} and ch.payments == {ch.id}
    p = ledger.payments.get(ch.id)
    assert p.receipt_no == "2025-000001" and p.amount == to_money("820.00") and p.method == "现金"
    assert [(i.member_name, i.due, i.amount) for i in p.items] == [("张三", to_money(410), to_money(410)),
                                                                    ("李梅", to_money(410), to_money(410))]
    assert p.items[0].quote.policy_id == "changchun-2025" and p.items[0].quote.due == Decimal("410.00")
    assert p.items[0].quote.lines[0].kind == "standard"
    # stored as integer fen
    assert ledger.db.execute("SELECT amount_fen, typeof(amount_fen) FROM payments").fetchone() == (82000, "integer")


def test_receipt_numbers_are_sequential_and_never_reused(ledger, household, family, ids):
    head, wife = family
    receipts = []
    for mid in (head, wife):
        receipts.append(ledger.payments.get(ledger.payments.record(
            household, [PayLine(mid)], method="微信", paid_on="2024-10-08").id).receipt_no)
    ledger.payments.void(ledger.payments.by_receipt("2025-000002").id, "收错人")
    third = ledger.members.add(household, name="张小", id_number=ids("19900101")).id
    receipts.append(ledger.payments.get(ledger.payments.record(
        household, [PayLine(third)], method="微信", paid_on="2024-10-09").id).receipt_no)
    assert receipts == ["2025-000001", "2025-000002", "2025-000003"]
    # a refused payment takes no number
    with pytest.raises(ProblemsError):
        ledger.payments.record(household, [PayLine(third)], method="现金", paid_on="2024-10-09")
    fourth = ledger.members.add(household, name="张四", id_number=ids("19910101")).id
    ch = ledger.payments.record(household, [PayLine(fourth)], method="现金", paid_on="2024-10-09")
    assert ledger.payments.get(ch.id).receipt_no == "2025-000004"


def test_amount_differing_from_the_quote_needs_an_override_reason(ledger, household, family):
    head, _ = family
    n_audit = ledger.audit.count()
    with pytest.raises(ProblemsError, match="实收 350.00 元与政策应缴 410.00 元不符"):
        ledger.payments.record(household, [PayLine(head, amount="350")], method="现金", paid_on="2024-10-08")
    assert ledger.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 0
    assert ledger.audit.count() == n_audit
    ch = ledger.payments.record(household, [PayLine(head, amount="350", override_reason="村集体垫付50元")],
                                method="现金", paid_on="2024-10-08")
    item = ledger.payments.get(ch.id).items[0]
    assert item.amount == to_money(350) and item.due == to_money(410)
    assert item.override_reason.startswith("村集体垫付50元")


def test_all_problems_are_reported_at_once(ledger, household, family):
    head, wife = family
    with pytest.raises(ProblemsError) as err:
        ledger.payments.record(household, [PayLine(head, amount="1"), PayLine(wife, amount="-5")],
                               method="刷脸", paid_on="2024-10-08")
    text = str(err.value)
    assert "缴费方式" in text and "张三" in text and "金额不能为负" in text
    with pytest.raises(ProblemsError, match="必须填写缴费日期"):
        ledger.payments.record(household, [PayLine(head)], method="现金", paid_on=None)
    with pytest.raises(ProblemsError, match="「10月8日」不是有效日期"):
        ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="10月8日")
    pid = ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="2024-10-08").id
    with pytest.raises(ProblemsError, match="必须填写退费日期"):
        ledger.payments.refund(pid, head, "重复缴费", refunded_on="")


def test_assisted_member_charged_the_normal_rate_is_refused_quoting_the_document(tunliu, ids):
    h = tunliu.households.add(village="东风村").id
    m = tunliu.members.add(h, name="王低保", id_number=ids("19500101"), relation="户主").id
    tunliu.categories.add(m, "低保对象", department="民政", recognized_on="2024-08-01")
    assert tunliu.payments.quote(m, "2024-10-08").due == to_money(80)
    with pytest.raises(ProblemsError) as err:
        tunliu.payments.record(h, [PayLine(m, amount="400")], method="现金", paid_on="2024-10-08")
    assert "被资助人一旦办理正常缴费，将无法办理特殊缴费" in str(err.value)
    assert "资助对象" in str(err.value)
    ch = tunliu.payments.record(h, [PayLine(m, amount="400", override_reason="本人坚持按普通标准缴费")],
                                method="现金", paid_on="2024-10-08")
    assert tunliu.payments.get(ch.id).items[0].amount == to_money(400)
    # having paid the normal rate, the assisted payment is refused too, with the same warning
    with pytest.raises(ProblemsError) as err:
        tunliu.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-09")
    assert "重复缴费" in str(err.value) and "将无法办理特殊缴费" in str(err.value)


def test_paying_twice_in_a_year_and_paying_for_a_member_not_enrolled_here_need_overrides(ledger, household, family):
    head, wife = family
    ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="2024-10-08")
    with pytest.raises(ProblemsError, match="重复缴费"):
        ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="2024-10-09")
    ledger.members.set_status(wife, "参加职工医保", on="2024-07-01")
    with pytest.raises(ProblemsError, match="参加职工医保"):
        ledger.payments.record(household, [PayLine(wife)], method="现金", paid_on="2024-10-09")


def test_closed_quote_refuses_payment_with_the_clause(ledger, household, family):
    head, _ = family
    with pytest.raises(ProblemsError, match="集中缴费期"):
        ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="2025-03-05")


def test_void_keeps_the_record_and_payments_are_never_deleted(ledger, household, family):
    head, _ = family
    pid = ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="2024-10-08").id
    with pytest.raises(ProblemsError, match="原因"):
        ledger.payments.void(pid, " ")
    log_in(ledger, "李干事", CLERK)
    ledger.payments.void(pid, "录入错误", operator="张冒充")  # a name passed in is not who is logged in
    p = ledger.payments.get(pid)
    assert p.voided and p.void_reason == "录入错误" and p.voided_by == "李干事" and p.receipt_no == "2025-000001"
    assert ledger.payments.paid_this_year(head) == []
    with pytest.raises(ProblemsError, match="已于"):
        ledger.payments.void(pid, "再作废")
    with pytest.raises(sqlite3.IntegrityError, match="不能删除"):
        ledger.db.execute("DELETE FROM payments WHERE id = ?", [pid])
    with pytest.raises(sqlite3.IntegrityError, match="不能修改"):
        ledger.db.execute("UPDATE payments SET amount_fen = 1 WHERE id = ?", [pid])
    # after the void the member can pay again without an override
    ledger.payments.record(household, [PayLine(head)], method="现金", paid_on="2024-10-09")


def test_move_keeps_history_and_payments(ledger, household, family):
    head, wife = family
    pid = ledger.payments.record(household, [PayLine(wife)], method="现金", paid_on="2024-10-08").id
    ledger.categories.add(wife, "低保对象", department="民政", recognized_on="2024-11-01")
    new_h = ledger.households.add(village="红旗社区").id
    ch = ledger.members.move(wife, new_h, relation="户主", reason="分户")
    assert ch.households == {household, new_h}
    m = ledger.members.get(wife)
    assert m.household_id == new_h and m.relation == "户主"
    assert [p.id for p in ledger.payments.of_member(wife)] == [pid]
    assert [c.category for c in ledger.categories.of_member(wife)] == ["低保对象"]
    # the recognition after her full payment stores a claim (长医保联〔2024〕5号 二（三）): category, then claim created
    assert [(e.entity, e.action) for e in ledger.audit.for_member(wife)][2:4] == [("category", "create"),
                                                                                   ("claim", "create")]
    assert [e.action for e in ledger.audit.for_member(wife) if e.entity != "claim"] == [
        "create", "pay", "create", "move_out", "move_in"]
    assert "move_in" in [e.action for e in ledger.audit.for_household(new_h)]
    assert "move_out" in [e.action for e in ledger.audit.for_household(household)]
    # the payment stays recorded under the household that paid
    assert [p.id for p in ledger.payments.of_household(household)] == [pid]


def test_categories_keep_history_and_count_on_the_payment_date(ledger, household, family):
    head, _ = family
    c1 = ledger.categories.add(head, "低保对象", department="民政", recognized_on="2024-01-10").id
    with pytest.raises(ProblemsError, match="已有未终止"):
        ledger.categories.add(head, "低保对象", department="民政")
    with pytest.raises(ProblemsError, match="认定部门"):
        ledger.categories.add(head, "特困人员", department="公安")
    ledger.categories.end(c1, ended_on="2024-10-01", reason="收入超标")
    ledger.categories.add(head, "低保对象", department="民政", recognized_on="2024-12-01")
    hist = ledger.categories.of_member(head)
    assert [(c.category, c.recognized_on, c.ended_on) for c in hist] == [
        ("低保对象", D(2024, 1, 10), D(2024, 10, 1)), ("低保对象", D(2024, 12, 1), None)]
    assert [c.id for c in ledger.categories.active_on(head, D(2024, 9, 30))] == [c1]
    assert ledger.categories.active_on(head, D(2024, 11, 1)) == []
    # between the two recognitions the member pays the full rate
    assert ledger.payments.quote(head, "2024-11-05").assistance in (None, to_money(0))


def test_audit_records_who_when_before_after(ledger, household, family):
    head, _ = family
    log_in(ledger, "李干事", CLERK)
    ledger.members.update(head, phone="13912345678", operator="张冒充")
    e = ledger.audit.for_member(head)[-1]
    assert (e.operator, e.entity, e.action) == ("李干事", "member", "update")
    assert e.before["phone"] == "" and e.after["phone"] == "13912345678"
    assert e.ts.startswith(str(dt.datetime.now(dt.timezone.utc).year))
    with pytest.raises(sqlite3.IntegrityError):
        ledger.db.execute("DELETE FROM audit")


def test_three_connections_paying_at_once_get_distinct_sequential_receipts_and_one_journal_chain(ledger, ids):
    """Three windows (or a window and the CLI) on one file: BEGIN IMMEDIATE serialises the writes; the receipt
    journal's appends (the commit marks come after COMMIT, where no database lock orders them) chain onto each
    other under the journal file's own lock, so the chain never forks (a fork reads back as “签名不符”)."""
    import threading

    from app.ledger import open_ledger
    from app.ledger.journal import ReceiptJournal
    from app.ledger.receipts import journal_key

    people = []
    for n in range(45):
        h = ledger.households.add(village="东风村").id
        people.append((h, ledger.members.add(h, name=f"人{n}", id_number=ids()).id))
    errors = []

    def pay(chunk):
        lg = open_ledger(ledger.path, backup=False, operator=ledger.session)
        try:
            for h, m in chunk:
                lg.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            lg.close()

    threads = [threading.Thread(target=pay, args=(people[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    receipts = [r[0] for r in ledger.db.execute("SELECT receipt_no FROM payments ORDER BY seq")]
    assert receipts == [f"2025-{n:06d}" for n in range(1, 46)]
    fresh = ReceiptJournal(ledger.path, journal_key(ledger.db))
    assert fresh.read().problems == [] and fresh.state.high[2025] == 45
    assert ledger.check() == []

