"""Issue 15, a whole household changing village (户迁移): moved at the township from 东风村 (station 1) to
红旗村 (station 2), it reaches station 2 whole — the household, its people with their categories and year
choices, its payments with items, refunds and audit — and station 1 learns it left (an 外村户 there: out of its
lists and totals, its payment history whole, and it still hears of a void of the receipt it took). A move back
works; a payment still in the post when the township moved it reaches the new village; a village's station
refuses to move a household to a village it does not keep (app.sync.moves)."""

from __future__ import annotations

import pytest

from app.domain.problems import ProblemsError
from app.domain.vocabulary import PayState
from app.ledger import PayLine, member_year, stations
from app.sync import conflicts

from sync_township import make_township, send as _send
from township_views import YEAR, listed as _listed, listed_households as _households, state as _state


def _places(lg) -> dict[str, tuple[int, int]]:
    return {p.village: (p.all.paid, p.all.required) for p in member_year.progress_by_place(lg.db, YEAR)
            if p.all.required or p.all.paid}


def _clean(*ledgers) -> None:
    for lg in ledgers:
        assert [c for c in conflicts.list_conflicts(lg) if c.kind != "重复缴费"] == [], lg.path.name
        assert lg.check() == [], lg.path.name


def _setup(town):
    """东风村 (station 1): 张三 and 张小红 (低保对象), paid together on one receipt; 红旗村 (station 2): 李四."""
    township, v1, v2, post = town
    h1 = v1.households.add(village="东风村", group="一组", address="东风村1号").id
    zs = v1.members.add(h1, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    m = v1.members.add(h1, name="张小红", id_type="无", birth_date="1990-03-02", sex="女", relation="女").id
    v1.categories.add(m, "低保对象", department="民政", recognized_on="2024-01-01")
    pid = v1.payments.record(h1, [PayLine(zs), PayLine(m)], method="现金", paid_on="2024-10-08").id
    h2 = v2.households.add(village="红旗村", group="一组").id
    ls = v2.members.add(h2, name="李四", id_type="无", birth_date="1958-01-01", sex="男", relation="户主").id
    _send(v1, 0, township, post)
    _send(v2, 0, township, post)
    _send(township, 1, v1, post)
    _send(township, 2, v2, post)
    return h1, zs, m, pid, h2, ls


def _move(township, v1, v2, post, h, village):
    township.households.update(h, village=village, group="一组")
    return _send(township, 2, v2, post), _send(township, 1, v1, post)


def test_a_household_moved_to_another_stations_village_arrives_whole_and_leaves_the_old_one(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    assert v2.db.execute("SELECT count(*) FROM households WHERE id = ?", [h1]).fetchone()[0] == 0
    r2, _r1 = _move(township, v1, v2, post, h1, "红旗村")
    assert r2.counts.get("households 新增") == 1 and r2.counts.get("members 新增") == 2
    assert r2.counts.get("member_categories 新增") == 1 and r2.counts.get("payments 新增") == 1
    # station 2: the household is its own now, its people listed, paid, with the receipt station 1 took
    assert _households(v2) == {h1, h2} and _listed(v2) == {ls, zs, m}
    assert v2.households.get(h1).village == "红旗村"
    assert [c.category for c in v2.categories.of_member(m)] == ["低保对象"]
    assert _state(v2, zs) is PayState.PAID and _state(v2, m) is PayState.PAID
    assert v2.payments.get(pid).receipt_no == v1.payments.get(pid).receipt_no
    with pytest.raises(ProblemsError) as exc:
        v2.payments.record(h1, [PayLine(m)], method="现金", paid_on="2024-10-09")
    assert "重复缴费" in str(exc.value)
    assert _places(v2) == {"红旗村": (2, 3)}
    assert v2.db.execute("SELECT count(*) FROM audit WHERE household_id = ?", [h1]).fetchone()[0] > 0
    # station 1: left its lists and totals (an 外村户), its payment history whole
    assert _households(v1) == set() and _listed(v1) == set() and _places(v1) == {}
    assert {i.member_id for i in v1.payments.get(pid).items} == {zs, m}
    assert v1.db.execute("SELECT 1 FROM away_households WHERE household_id = ?", [h1]).fetchone()
    with pytest.raises(ProblemsError):
        v1.members.update(m, notes="还在本村？")
    with pytest.raises(ProblemsError) as exc:  # nor take it back itself
        v1.households.update(h1, village="东风村", group="一组")
    assert "外村户" in str(exc.value)
    # the township: one truth
    assert _places(township) == {"红旗村": (2, 3)}
    # station 2 now edits its household's people; the township hears of it
    v2.members.update(zs, phone="13800000001")
    v2.households.update(h1, address="红旗村8号")
    _send(v2, 0, township, post)
    assert township.members.get(zs).phone == "13800000001"
    assert township.households.get(h1).address == "红旗村8号"
    # a void at the new village reaches the township and the station that took the receipt
    v2.payments.void(pid, "收错了")
    _send(v2, 0, township, post)
    _send(township, 1, v1, post)
    _send(township, 2, v2, post)
    for lg in (township, v1, v2):
        assert lg.payments.get(pid).voided_at is not None, lg.path.name
    assert _state(v2, m) is PayState.UNPAID and _places(v2) == {"红旗村": (0, 3)}
    _clean(township, v1, v2)


@pytest.mark.parametrize("town", ["shuangqing-2025"], indirect=True)  # a policy with a refund rule
def test_a_refund_at_the_new_village_reaches_the_township_and_the_old_one(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, h1, "红旗村")
    v2.payments.refund(pid, m, "参加职工医保", refunded_on="2024-12-01")
    _send(v2, 0, township, post)
    _send(township, 1, v1, post)
    refunded = "SELECT count(*) FROM refunds f JOIN payment_items i ON i.id = f.payment_item_id WHERE i.payment_id = ?"
    for lg in (township, v1, v2):
        assert lg.db.execute(refunded, [pid]).fetchone()[0] == 1, lg.path.name
    assert _state(township, m) is PayState.UNPAID and _state(v2, m) is PayState.UNPAID
    assert _state(v2, zs) is PayState.PAID and _listed(v1) == set()
    _clean(township, v1, v2)


def test_a_household_moved_back_is_the_old_villages_again(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, h1, "红旗村")
    township.members.update(m, notes="在红旗村时改的")  # only station 2 hears of it now
    _send(township, 2, v2, post)
    assert v1.members.get(m).notes != "在红旗村时改的"
    _move(township, v1, v2, post, h1, "东风村")
    assert _households(v1) == {h1} and _listed(v1) == {zs, m}
    assert v1.members.get(m).notes == "在红旗村时改的"  # the township's rows replaced the stale copy
    assert _state(v1, m) is PayState.PAID and _places(v1) == {"东风村": (2, 2)}
    assert not v1.db.execute("SELECT 1 FROM away_households WHERE household_id = ?", [h1]).fetchone()
    assert _households(v2) == {h2} and _listed(v2) == {ls} and _places(v2) == {"红旗村": (0, 1)}
    # and away again: station 2 takes it whole once more
    _move(township, v1, v2, post, h1, "红旗村")
    assert _households(v2) == {h1, h2} and _listed(v2) == {ls, zs, m} and _listed(v1) == set()
    v2.members.update(m, notes="又迁来了")
    _send(v2, 0, township, post)
    assert township.members.get(m).notes == "又迁来了"
    _clean(township, v1, v2)


def test_a_household_back_replaces_the_copy_of_someone_who_left_it_meanwhile(town):
    """Away at 红旗村, 张小明 moved out of the household into 李四's: 东风村 did not hear of it (it no longer kept
    the household). When the household comes back, 东风村 must not list him as still in it."""
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    x = v1.members.add(h1, name="张小明", id_type="无", birth_date="2015-06-01", sex="男", relation="孙子").id
    _send(v1, 0, township, post)  # 张小明: not paid for (no payment of the household names him)
    _move(township, v1, v2, post, h1, "红旗村")
    township.members.move(x, h2, relation="孙子", reason="随迁")
    _send(township, 2, v2, post)
    _move(township, v1, v2, post, h1, "东风村")
    assert v1.members.get(x).household_id == h2 and _listed(v1) == {zs, m} and _households(v1) == {h1}
    assert _places(v1) == {"东风村": (2, 2)}
    assert _listed(v2) == {ls, x} and _households(v2) == {h2}
    _clean(township, v1, v2)


def test_a_payment_in_the_post_when_the_household_moved_reaches_the_new_village(town):
    township, v1, v2, post = town
    h1 = v1.households.add(village="东风村", group="一组").id
    zs = v1.members.add(h1, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    _send(v1, 0, township, post)
    pid = v1.payments.record(h1, [PayLine(zs)], method="现金", paid_on="2024-10-08").id  # not sent yet
    _move(township, v1, v2, post, h1, "红旗村")
    assert _state(v2, zs) is PayState.UNPAID and _listed(v1) == set()
    _send(v1, 0, township, post)  # the payment arrives at the township after the move
    assert _state(township, zs) is PayState.PAID
    _send(township, 2, v2, post)
    assert _state(v2, zs) is PayState.PAID and _places(v2) == {"红旗村": (1, 1)}
    # a void at the township afterwards reaches both
    township.payments.void(pid, "收错了")
    _send(township, 2, v2, post)
    _send(township, 1, v1, post)
    assert v2.payments.get(pid).voided_at is not None and v1.payments.get(pid).voided_at is not None
    assert _state(v2, zs) is PayState.UNPAID
    _clean(township, v1, v2)


def test_a_village_refuses_to_move_a_household_to_a_village_it_does_not_keep(town):
    township, v1, v2, post = town
    h1 = v1.households.add(village="东风村", group="一组").id
    with pytest.raises(ProblemsError) as exc:
        v1.households.update(h1, village="红旗村", group="一组")
    text = str(exc.value)
    assert "东风村" in text and "「红旗村」" in text and "乡镇" in text
    assert v1.households.get(h1).village == "东风村"
    # other edits still work; the township moves households wherever
    v1.households.update(h1, address="东风村2号")
    _send(v1, 0, township, post)
    township.households.update(h1, village="红旗村", group="一组")
    assert township.households.get(h1).village == "红旗村"


def test_a_station_keeping_several_villages_moves_between_its_own(tmp_path):
    """A grid worker's station keeps no village of its own: its households are its own wherever they are, so it
    moves them between its villages; a village another station keeps alone stays refused."""
    township, (v1, v2, v3) = make_township(tmp_path, ["东风村", "红旗村", "西山村"])
    try:
        with v1.transaction() as db:  # as a grid worker's station is set up (no village of its own)
            db.execute("UPDATE stations SET kind = ?, village = '' WHERE number = 1", [stations.GRID])
        a = v1.households.add(village="东风村", group="一组").id
        v1.households.add(village="东风村", group="一组")
        v1.households.add(village="红旗村", group="一组")
        v1.households.update(a, village="红旗村", group="一组")
        assert v1.households.get(a).village == "红旗村"
        v1.households.update(a, village="东风村", group="一组")
        with pytest.raises(ProblemsError) as exc:
            v1.households.update(a, village="西山村", group="一组")
        assert "东风村、红旗村" in str(exc.value)
    finally:
        for lg in (township, v1, v2, v3):
            lg.close()


@pytest.mark.parametrize("town", ["shuangqing-2025"], indirect=True)  # a policy with a refund rule
def test_each_laptops_cash_handover_keeps_what_it_took_and_paid_out_wherever_the_household_lives_now(town):
    """The old village's 交接 (day's cash) lost the receipt it took once the household moved away — it was
    filtered as an 外村户 — and the new village's would have counted another laptop's receipt as its cash."""
    from app.ledger import handover

    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    receipt = v1.payments.get(pid).receipt_no
    _move(township, v1, v2, post, h1, "红旗村")
    v2.payments.refund(pid, m, "参加职工医保", refunded_on="2024-12-01")
    _send(v2, 0, township, post)
    _send(township, 1, v1, post)
    took = handover.compute(v1, "王会计", "2024-10-08")
    assert [r.receipt_no for r in took.receipts] == [receipt] and took.collected > 0
    assert handover.compute(v1, "王会计", "2024-12-01").refunds == ()  # paid out at the new village
    # the new village hands over the refund it paid out, not the old village's receipt
    assert handover.compute(v2, "王会计", "2024-10-08").receipts == ()
    paid_out = handover.compute(v2, "王会计", "2024-12-01")
    assert [r.receipt_no for r in paid_out.refunds] == [receipt] and paid_out.refunded > 0
    # the township, holding both stations' rows, hands over neither (the same operator name is on every laptop)
    assert handover.compute(township, "王会计", "2024-10-08").receipts == ()
    assert handover.compute(township, "王会计", "2024-12-01").refunds == ()
    assert "王会计" in handover.operators(v1)
