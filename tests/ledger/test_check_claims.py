"""``canbao check`` covers claims (认定后补付): each corruption of a stored claim is reported in Chinese at
``claims#<id>``. 长春 000 二（三）: paid 410 on 2024-10-08, 低保 recognised 2025-03-01 → 150 + 70 + 70 = 290 back."""

import json

import pytest

from app.ledger import PayLine


@pytest.fixture
def claim(ledger, household, ids):
    mid = ledger.members.add(household, name="张三", id_number=ids("19600501"), relation="户主").id
    ledger.payments.record(household, [PayLine(mid)], method="现金", paid_on="2024-10-08")
    ledger.categories.add(mid, "低保对象", department="民政", recognized_on="2025-03-01")
    (c,) = ledger.claims.list()
    return c


def claim_problems(ledger):
    return [str(p) for p in ledger.check() if p.place.startswith("claims#")]


def test_a_sound_claim_agrees_with_recomputing_it(ledger, claim):
    assert claim.amount == 290 and ledger.check() == []
    ledger.claims.settle(claim.id, on="2025-04-10")
    assert ledger.check() == []


def test_an_amount_that_disagrees_with_the_recomputed_claim(ledger, claim):
    ledger.db.execute("UPDATE claims SET amount_fen = 30000, parts = ? WHERE id = ?", [json.dumps(
        [{"kind": "assistance", "funder": "医疗救助", "amount": "160"}, {"kind": "subsidy", "funder": "市财政", "amount": "70"},
         {"kind": "subsidy", "funder": "区财政", "amount": "70"}], ensure_ascii=False), claim.id])
    assert claim_problems(ledger) == [
        f"claims#{claim.id}: 认定后补付记 300.00 元，按缴费和认定重新测算应为 290.00 元（张三，票据 2025-000001，「低保对象」）"]


def test_parts_that_do_not_add_up_or_do_not_match(ledger, claim):
    ledger.db.execute("UPDATE claims SET amount_fen = 28000 WHERE id = ?", [claim.id])
    assert claim_problems(ledger) == [
        f"claims#{claim.id}: 认定后补付 280.00 元与其明细合计 290.00 元不符（张三，票据 2025-000001，「低保对象」）"]
    ledger.db.execute("UPDATE claims SET amount_fen = 29000, parts = ? WHERE id = ?", [json.dumps(
        [{"kind": "assistance", "funder": "医疗救助", "amount": "220"}, {"kind": "subsidy", "funder": "市财政", "amount": "70"}],
        ensure_ascii=False), claim.id])
    assert claim_problems(ledger) == [f"claims#{claim.id}: 认定后补付的明细与重新测算（医疗救助 150.00、区财政 70.00、"
                                      f"市财政 70.00）不符（张三，票据 2025-000001，「低保对象」）"]
    ledger.db.execute("UPDATE claims SET parts = '[{' WHERE id = ?", [claim.id])
    assert claim_problems(ledger) == [f"claims#{claim.id}: 认定后补付的明细无法读取（张三，票据 2025-000001，「低保对象」）"]


def test_a_claim_the_document_no_longer_gives(ledger, claim):
    # recognised after 2025-12-31 (000 二（三）: 2025年1月1日至12月31日期间认定): recomputing gives nothing back
    ledger.db.execute("UPDATE member_categories SET recognized_on = '2026-01-05'")
    ledger.db.execute("UPDATE claims SET recognized_on = '2026-01-05' WHERE id = ?", [claim.id])
    (p,) = claim_problems(ledger)
    assert p.startswith(f"claims#{claim.id}: 认定后补付记 290.00 元，按缴费和认定重新测算却无应补付金额（「低保对象」于 2026-01-05"
                        " 认定，晚于 2025-12-31，不在本年度资（补）助期间）")


def test_orphan_claims(ledger, claim):
    ledger.db.execute("PRAGMA foreign_keys = OFF")
    ledger.db.execute("UPDATE claims SET payment_item_id = 999 WHERE id = ?", [claim.id])
    assert f"claims#{claim.id}: 认定后补付记录所依据的缴费明细 #999 不存在（孤立记录）（张三，「低保对象」）" in claim_problems(ledger)
    ledger.db.execute("UPDATE claims SET payment_item_id = ?, category_id = 777, member_id = 555 WHERE id = ?",
                      [ledger.payments.of_member(claim.member_id)[0].items[0].id, claim.id])
    got = claim_problems(ledger)
    assert f"claims#{claim.id}: 认定后补付记录所属的人员 #555 不存在（孤立记录）（人员#555，票据 2025-000001，「低保对象」）" in got
    assert f"claims#{claim.id}: 认定后补付记录所依据的认定记录 #777 不存在（孤立记录）（人员#555，票据 2025-000001，「低保对象」）" in got
    assert any(f"认定后补付记录属于人员 #555，所依据的缴费明细却是人员 #{claim.member_id} 的" in p for p in got)


def test_a_claim_that_disagrees_with_its_recognition(ledger, claim):
    ledger.db.execute("UPDATE member_categories SET category = '特困人员'")
    (p,) = claim_problems(ledger)
    assert "认定后补付记录与其认定记录" in p and "「特困人员」，2025-03-01 认定）不符" in p


def test_a_claim_paid_on_a_voided_payment(ledger, claim):
    pid = ledger.payments.of_member(claim.member_id)[0].id
    ledger.payments.void(pid, "收错人")
    assert claim_problems(ledger) == []  # open, listed as 缴费已作废: no money went out
    assert ledger.claims.cancel(claim.id, reason="缴费已作废").state == "已撤销"  # and it can be withdrawn
    ledger.db.execute("UPDATE claims SET state = '已补付', settled_on = '2025-04-10' WHERE id = ?", [claim.id])
    assert claim_problems(ledger) == [f"claims#{claim.id}: 已补付 290.00 元，但其缴费（票据 2025-000001）已作废：补付失去依据"
                                      f"（张三，票据 2025-000001，「低保对象」）"]


def _refund(ledger, claim, fen):
    ledger.db.execute("INSERT INTO refunds (payment_item_id, amount_fen, reason, refunded_on, operator, clause, created_at)"
                      " VALUES (?, ?, '死亡', '2025-04-11', '王会计', '', '2025-04-11')", [claim.payment_item_id, fen])


def test_a_refund_after_a_settled_claim_returns_only_the_rest(ledger, claim):
    ledger.claims.settle(claim.id, on="2025-04-10")
    _refund(ledger, claim, 12000)  # as payments.refund writes it: 410 − 290 already given back
    assert claim_problems(ledger) == []


def test_a_refund_and_a_settled_claim_never_give_back_more_than_was_paid(ledger, claim):
    _refund(ledger, claim, 41000)  # refunded in full while the claim was open: fine, it is listed as 缴费已退费
    assert claim_problems(ledger) == [] and ledger.claims.get(claim.id).state == "缴费已退费"
    ledger.db.execute("UPDATE claims SET state = '已补付', settled_on = '2025-04-12' WHERE id = ?", [claim.id])
    assert claim_problems(ledger) == [f"claims#{claim.id}: 已补付 290.00 元加退费 410.00 元多于实收 410.00 元：多退了钱"
                                      f"（张三，票据 2025-000001，「低保对象」）"]


def test_claims_above_what_was_paid_and_a_claim_paid_twice(ledger, claim):
    row = ledger.db.execute("SELECT member_id, payment_item_id, category_id, year, policy_id, category, recognized_on,"
                            " amount_fen, parts, message, clause, created_at FROM claims").fetchone()
    second = ledger.db.execute("SELECT max(id) + 1 FROM member_categories").fetchone()[0]
    ledger.db.execute("PRAGMA foreign_keys = OFF")
    dup = ledger.db.execute("INSERT INTO claims (member_id, payment_item_id, category_id, year, policy_id, category,"
                            " recognized_on, amount_fen, parts, message, clause, created_at) VALUES"
                            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [*row[:2], second, *row[3:]]).lastrowid
    got = claim_problems(ledger)
    who = "（张三，票据 2025-000001，「低保对象」）"
    assert f"claims#{dup}: 与认定后补付记录 #{claim.id} 重复：同一笔缴费、同一类别补付两次{who}" in got
    assert f"claims#{dup}: 该笔缴费的认定后补付合计 580.00 元多于实收 410.00 元{who}" in got


def test_canbao_check_reports_a_claim_and_exits_1(ledger, claim, monkeypatch, capsys):
    from app.cli.main import main
    from operators_helper import TEST_PIN

    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    monkeypatch.setenv("CANBAO_PIN", TEST_PIN)
    ledger.db.execute("UPDATE claims SET amount_fen = 28000 WHERE id = ?", [claim.id])
    path = str(ledger.path)
    ledger.close()
    assert main(["check", "--db", path]) == 1
    out = capsys.readouterr()
    assert f"claims#{claim.id}" in out.out + out.err and "与其明细合计 290.00 元不符" in out.out + out.err
