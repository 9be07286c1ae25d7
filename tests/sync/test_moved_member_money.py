"""Issue 15, members moved between villages: the new village sees the member's payment (the same rows, through
``standing_items``), refuses a second charge, hears of a void or refund made at the old village or the
township; the old village learns the member left; a move back works; neither village lists, counts or charges
the other's household or people (app.sync.moves)."""

from __future__ import annotations

import pytest

from app.domain.problems import ProblemsError
from app.domain.vocabulary import PayState
from app.ledger import PayLine, member_year
from app.sync import conflicts, packets
from app.ui import queries

from sync_township import send as _send
from township_views import YEAR, listed as _listed, listed_households as _households, state as _state


def _places(lg) -> dict[str, tuple[int, int]]:
    return {p.village: (p.all.paid, p.all.required) for p in member_year.progress_by_place(lg.db, YEAR)}


def _setup(town):
    """东风村 (station 1): 张三 and 张小红 paid together on one receipt; 红旗村 (station 2): 李四, unpaid."""
    township, v1, v2, post = town
    h1 = v1.households.add(village="东风村", group="一组").id
    zs = v1.members.add(h1, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    m = v1.members.add(h1, name="张小红", id_type="无", birth_date="1990-03-02", sex="女", relation="女").id
    v1.categories.add(m, "低保对象", department="民政", recognized_on="2024-01-01")
    pid = v1.payments.record(h1, [PayLine(zs), PayLine(m)], method="现金", paid_on="2024-10-08").id
    h2 = v2.households.add(village="红旗村", group="一组").id
    ls = v2.members.add(h2, name="李四", id_type="无", birth_date="1958-01-01", sex="男", relation="户主").id
    _send(v1, 0, township, post)
    _send(v2, 0, township, post)
    return h1, zs, m, pid, h2, ls


def _move(township, v1, v2, post, m, to, relation):
    township.members.move(m, to, relation=relation, reason="婚迁")
    return _send(township, 2, v2, post), _send(township, 1, v1, post)


def test_the_new_village_sees_the_payment_refuses_a_second_charge_and_hears_of_the_void(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, m, h2, "儿媳")
    # station 2: the member with the payment made at 东风村, paid, with its receipt
    assert _state(v2, m) is PayState.PAID
    receipt = v1.payments.get(pid).receipt_no
    assert [v2.payments.get(i.payment_id).receipt_no for i in member_year.of_member(v2, m, YEAR).items] == [receipt]
    with pytest.raises(ProblemsError) as exc:
        v2.payments.record(h2, [PayLine(m)], method="现金", paid_on="2024-10-09")
    assert "重复缴费" in str(exc.value) and f"{receipt}，东风村 户 " in str(exc.value)  # which receipt, where
    # ... but 东风村's household and 张三 are not its own: not listed, counted, charged or totalled
    assert _listed(v2) == {ls, m} and _households(v2) == {h2}
    assert _places(v2) == {"红旗村": (1, 2)}
    assert sum(n for _d, n, _f in queries.payments_per_day(v2.db.conn, YEAR)) == 0
    assert v2.check() == []
    # station 1: 张小红 left (its own payment with her stays whole), 张三 still its own
    assert _listed(v1) == {zs} and _households(v1) == {h1}
    assert _places(v1) == {"东风村": (1, 1)}
    assert {i.member_id for i in v1.payments.get(pid).items} == {zs, m}
    assert v1.members.get(m).household_id == h2
    assert v1.check() == []
    # the township: the same figures, one truth
    assert _places(township) == {"东风村": (1, 1), "红旗村": (1, 2)}
    # a void at the old village reaches the new one through the township: 未缴 again there
    v1.payments.void(pid, "收错了")
    _send(v1, 0, township, post)
    assert _state(township, m) is PayState.UNPAID
    _send(township, 2, v2, post)
    assert _state(v2, m) is PayState.UNPAID and _places(v2) == {"红旗村": (0, 2)}
    # ... and then it can be charged there
    v2.payments.record(h2, [PayLine(m)], method="现金", paid_on="2024-10-09")
    _send(v2, 0, township, post)
    assert _state(township, m) is PayState.PAID
    for lg in (township, v1, v2):
        assert conflicts.list_conflicts(lg) == []
        assert lg.check() == [], lg.path.name


@pytest.mark.parametrize("town", ["shuangqing-2025"], indirect=True)  # a policy with a refund rule
def test_a_refund_at_the_township_reaches_the_new_village(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, m, h2, "儿媳")
    assert _state(v2, m) is PayState.PAID
    township.payments.refund(pid, m, "参加职工医保", refunded_on="2024-12-01")
    _send(township, 2, v2, post)
    _send(township, 1, v1, post)
    assert _state(v2, m) is PayState.UNPAID and _state(v1, zs) is PayState.PAID
    for lg in (township, v1, v2):
        assert conflicts.list_conflicts(lg) == []
        assert lg.check() == [], lg.path.name


def test_a_move_back_and_forth(town):
    """A→B→A→B: each time the village the member lives in lists and counts them, with their payment; the other
    does not; no 记录冲突 anywhere."""
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, m, h2, "儿媳")
    _move(township, v1, v2, post, m, h1, "女")
    assert _listed(v1) == {zs, m} and _listed(v2) == {ls}
    assert _state(v1, m) is PayState.PAID and _places(v1) == {"东风村": (2, 2)}
    assert _places(v2) == {"红旗村": (0, 1)} and _households(v2) == {h2}
    township.members.update(m, notes="回娘家")
    _send(township, 1, v1, post)
    assert v1.members.get(m).notes == "回娘家"
    _move(township, v1, v2, post, m, h2, "儿媳")
    assert _listed(v2) == {ls, m} and _state(v2, m) is PayState.PAID and v2.members.get(m).notes == "回娘家"
    assert _listed(v1) == {zs}
    for lg in (township, v1, v2):
        assert [c.kind for c in conflicts.list_conflicts(lg)] == []
        assert lg.check() == [], lg.path.name


def test_a_member_who_never_paid_moves_and_back(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, ls, h1, "其他")
    assert _listed(v1) == {zs, m, ls} and _listed(v2) == set()
    assert _state(v1, ls) is PayState.UNPAID and _households(v2) == {h2}
    _move(township, v1, v2, post, ls, h2, "户主")
    assert _listed(v1) == {zs, m} and _listed(v2) == {ls}
    for lg in (township, v1, v2):
        assert conflicts.list_conflicts(lg) == []
        assert lg.check() == [], lg.path.name


def test_unsent_edits_at_the_old_village_are_kept_or_listed_never_overwritten(town):
    """The old village edited the member before it heard of the move: an edit of other fields is not lost (it
    reaches the township and the new village); an edit of the same field as the move (relation) is listed as
    两处修改 at the township, whose version stands."""
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    v1.members.update(m, phone="13800000001", relation="子")
    township.members.move(m, h2, relation="儿媳", reason="婚迁")
    _send(township, 2, v2, post)
    _send(township, 1, v1, post)
    listed = conflicts.list_conflicts(v1)
    assert [(c.kind, tuple(c.columns)) for c in listed] == [("两处修改", ("relation",))]
    _send(v1, 0, township, post)
    _send(township, 2, v2, post)
    for lg in (township, v1, v2):
        got = lg.members.get(m)
        assert (got.phone, got.relation, got.household_id) == ("13800000001", "儿媳", h2), lg.path.name
    assert [(c.kind, tuple(c.columns)) for c in conflicts.list_conflicts(township)] == [("两处修改", ("relation",))]


def test_a_village_cannot_move_a_member_to_another_village(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    _move(township, v1, v2, post, m, h2, "儿媳")
    # station 1 holds 红旗村's household only for the member who left: it cannot move anyone there or back,
    # edit her, or charge her
    for attempt in (lambda: v1.members.move(zs, h2, relation="其他"),
                    lambda: v1.members.move(m, h1, relation="女"),
                    lambda: v1.members.update(m, phone="13800000002"),
                    lambda: v1.payments.record(h2, [PayLine(m)], method="现金", paid_on="2024-10-09")):
        with pytest.raises(ProblemsError) as exc:
            attempt()
        assert "其他村" in str(exc.value)
    # station 2 holds 东风村's receipt for her: voided or refunded where it was taken, or at the township
    with pytest.raises(ProblemsError) as exc:
        v2.payments.void(pid, "收错了")
    assert "其他村收取" in str(exc.value)


def test_a_payment_still_in_the_post_crosses_the_move_and_reaches_the_new_village(town):
    """The old village charged the member before it heard the township had moved them: the payment reaches the
    township, then the new village (with its payer household as an 外村户), where the member shows 已缴."""
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    kid = v1.members.add(h1, name="张小宝", id_type="无", birth_date="2015-06-01", sex="男", relation="孙子女").id
    _send(v1, 0, township, post)
    pid2 = v1.payments.record(h1, [PayLine(kid)], method="现金", paid_on="2024-10-09").id  # not sent yet
    township.members.move(kid, h2, relation="其他", reason="随母迁入")
    _send(township, 2, v2, post)
    assert _state(v2, kid) is PayState.UNPAID  # the township has not heard of the payment yet
    _send(township, 1, v1, post)
    _send(v1, 0, township, post)
    _send(township, 2, v2, post)
    assert _state(township, kid) is PayState.PAID and _state(v2, kid) is PayState.PAID
    assert kid in _listed(v2) and kid not in _listed(v1)
    assert v1.payments.get(pid2).household_id == h1 and _places(v1) == {"东风村": (2, 2)}
    for lg in (township, v1, v2):
        assert conflicts.list_conflicts(lg) == []
        assert lg.check() == [], lg.path.name


def test_a_crossing_payment_charged_again_at_the_new_village_is_a_listed_double_payment(town):
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    kid = v1.members.add(h1, name="张小宝", id_type="无", birth_date="2015-06-01", sex="男", relation="孙子女").id
    _send(v1, 0, township, post)
    v1.payments.record(h1, [PayLine(kid)], method="现金", paid_on="2024-10-09")  # not sent yet
    township.members.move(kid, h2, relation="其他", reason="随母迁入")
    _send(township, 2, v2, post)
    v2.payments.record(h2, [PayLine(kid)], method="现金", paid_on="2024-10-10")  # 未缴 here: charged again
    _send(v2, 0, township, post)
    _send(township, 1, v1, post)
    _send(v1, 0, township, post)
    _send(township, 2, v2, post)
    for lg in (township, v2):
        assert [c.kind for c in conflicts.list_conflicts(lg)] == ["重复缴费"], lg.path.name
        assert _state(lg, kid) is PayState.PAID
    assert conflicts.list_conflicts(v1) == []


def test_an_unsent_edit_at_the_old_village_is_listed_even_after_the_member_left(town):
    """The old village keeps a paid member who left (in an 外村户) and takes the township's later changes of
    her as they come — but not over an edit of its own it has not sent yet: that is a listed 两处修改."""
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    v1.members.update(m, notes="村里记的")
    township.members.move(m, h2, relation="儿媳", reason="婚迁")
    _send(township, 1, v1, post)
    assert conflicts.list_conflicts(v1) == []  # the move itself touches other fields
    township.members.update(m, notes="乡镇记的")
    _send(township, 1, v1, post)
    assert [(c.kind, tuple(c.columns)) for c in conflicts.list_conflicts(v1)] == [("两处修改", ("notes",))]
    assert v1.members.get(m).notes == "乡镇记的"  # the township decides; the village's version is in the list
    _send(v1, 0, township, post)
    assert [(c.kind, tuple(c.columns)) for c in conflicts.list_conflicts(township)] == [("两处修改", ("notes",))]


def test_a_member_moving_back_keeps_an_edit_the_village_sent_before_the_township_had_it(town):
    """红旗村 edits 李四 and sends it, but the packet is late; meanwhile the township moves him to 东风村 and
    back. When he arrives back whole, the village's edit on its way stays; once it reaches the township, both
    agree (no field lost, nothing listed)."""
    township, v1, v2, post = town
    h1, zs, m, pid, h2, ls = _setup(town)
    v2.members.update(ls, notes="村里记的")
    late = packets.write_packet(v2, 0, post).path  # in the post for a while
    township.members.move(ls, h1, relation="其他", reason="投亲")
    _send(township, 2, v2, post)
    _send(township, 1, v1, post)
    township.members.move(ls, h2, relation="户主", reason="回村")
    _send(township, 1, v1, post)
    _send(township, 2, v2, post)
    assert v2.members.get(ls).notes == "村里记的" and v2.members.get(ls).household_id == h2
    assert packets.apply_packet(township, late).ok
    _send(v2, 0, township, post)
    for lg in (township, v2):
        got = lg.members.get(ls)
        assert (got.notes, got.household_id, got.relation) == ("村里记的", h2, "户主"), lg.path.name
        assert conflicts.list_conflicts(lg) == [], lg.path.name
    assert ls in _listed(v2) and ls not in _listed(v1)


@pytest.mark.parametrize("town", ["changchun-2022"], indirect=True)  # rolled over into changchun-2025
def test_next_year_the_old_village_does_not_chase_the_member_who_left(town, tmp_path):
    """The rollover carries households and members (not payments): the old village's next-year ledger still
    holds the member who left in an 外村户, and neither lists, counts nor asks her to pay."""
    from app.ledger import open_ledger
    from operators_helper import log_in

    township, v1, v2, post = town
    h1 = v1.households.add(village="东风村", group="一组").id
    zs = v1.members.add(h1, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    m = v1.members.add(h1, name="张小红", id_type="无", birth_date="1990-03-02", sex="女", relation="女").id
    v1.payments.record(h1, [PayLine(zs), PayLine(m)], method="现金", paid_on="2021-11-01")
    h2 = v2.households.add(village="红旗村", group="一组").id
    v2.members.add(h2, name="李四", id_type="无", birth_date="1958-01-01", sex="男", relation="户主")
    _send(v1, 0, township, post)
    _send(v2, 0, township, post)
    _move(township, v1, v2, post, m, h2, "儿媳")
    path = v1.rollover(tmp_path / "east-2025.db", "changchun-2025")
    with open_ledger(path, backup=False) as nxt:
        log_in(nxt, "王会计")
        assert nxt.members.get(m).household_id == h2
        assert {s.member_id for s in member_year.standings(nxt, year=2025)} == {zs}
        assert {p.village: p.all.required for p in member_year.progress_by_place(nxt.db, 2025)} == {"东风村": 1}
        assert nxt.check() == []
