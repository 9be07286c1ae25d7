"""The year's turn with many laptops: the township and its villages roll their ledgers over on different days,
with changes not yet sent or not yet acknowledged, and go on using last year's ledger for late payments. Nothing
made before a ledger's turn is lost to the new year, an old year's packet is never applied to a new year's
ledger (nor the other way round), and once both sides have turned, their new ledgers agree."""

from __future__ import annotations

import pytest

from operators_helper import log_in

from app.ledger import PayLine, open_ledger
from app.sync import conflicts, packets

from sync_township import make_township

CARRIED = ("households", "members", "member_categories")


def township(tmp_path, n: int = 1):
    (tmp_path / "post").mkdir()
    return make_township(tmp_path, [f"村{i}" for i in range(1, n + 1)], year=2022, policy_id="changchun-2022")


def roll(lg, name: str):
    """Roll ``lg`` over into 2025 and open the new ledger (logged in)."""
    new = open_ledger(lg.rollover(lg.path.with_name(name), "changchun-2025"), backup=False)
    log_in(new, "王会计")
    return new


def send(sender, to: int, receiver, post):
    result = packets.apply_packet(receiver, packets.write_packet(sender, to, post).path)
    assert result.ok, result.problems
    return result


def household(lg, village: str = "村1", n: int = 2) -> tuple[int, int]:
    with lg.transaction():
        h = lg.households.add(village=village, group="一组", address=f"{village}{lg.households.count() + 1}号").id
        first = None
        for k in range(n):
            m = lg.members.add(h, name=f"人{h % 1000}{k}", id_type="无", birth_date=f"19{60 + k}-05-01",
                               sex="男" if k == 0 else "女", relation="户主" if k == 0 else "配偶").id
            first = first or m
    return h, first


def rows(lg, village: str) -> dict:
    """One village's households, members and categories as this ledger holds them."""
    vid = lg.db.execute("SELECT id FROM villages WHERE name = ?", [village]).fetchone()[0]
    where = {"households": "WHERE village_id = ?",
             "members": "WHERE household_id IN (SELECT id FROM households WHERE village_id = ?)",
             "member_categories": "WHERE member_id IN (SELECT m.id FROM members m JOIN households h"
                                  " ON h.id = m.household_id WHERE h.village_id = ?)"}
    out = {}
    for table in CARRIED:
        cur = lg.db.execute(f"SELECT * FROM {table} {where[table]} ORDER BY id", [vid])
        cols = [d[0] for d in cur.description]
        out[table] = {r[0]: dict(zip(cols, r)) for r in cur.fetchall()}
    return out


def differences(a, b, village: str = "村1") -> list[str]:
    mine, theirs = rows(a, village), rows(b, village)
    out = []
    for table in CARRIED:
        for key in sorted(set(mine[table]) | set(theirs[table])):
            if mine[table].get(key) != theirs[table].get(key):
                out.append(f"{table} {key}: {mine[table].get(key)} / {theirs[table].get(key)}")
    return out


def both_ways(town, village_ledger, number, post):
    send(village_ledger, 0, town, post)
    send(town, number, village_ledger, post)


@pytest.mark.parametrize("order", ["township first", "village first"])
def test_changes_not_yet_sent_are_sent_from_the_new_year(tmp_path, order):
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    _h, m = household(v)
    both_ways(t, v, 1, post)
    # yesterday's work, not yet in any packet when the laptop turns the year
    _h2, m2 = household(v)
    v.members.update(m, phone="13800000001")
    cat = v.categories.add(m, "低保对象", department="民政", recognized_on="2021-09-01").id
    if order == "township first":
        t_new, v_new = roll(t, "t-2025.db"), roll(v, "v-2025.db")
    else:
        v_new, t_new = roll(v, "v-2025.db"), roll(t, "t-2025.db")
    both_ways(t_new, v_new, 1, post)
    assert t_new.members.get(m2) is not None
    assert t_new.members.get(m).phone == "13800000001"
    assert t_new.db.execute("SELECT category FROM member_categories WHERE id = ?", [cat]).fetchone() == ("低保对象",)
    assert differences(t_new, v_new) == [] and conflicts.list_conflicts(t_new) == []


@pytest.mark.parametrize("reply", ["lost", "acknowledged by last year's township"])
def test_sent_but_the_township_turned_before_reading_it(tmp_path, reply):
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    _h, m = household(v)
    both_ways(t, v, 1, post)
    _h2, m2 = household(v)
    v.members.update(m, phone="13800000002")
    sent = packets.write_packet(v, 0, post)
    t_new = roll(t, "t-2025.db")
    assert packets.apply_packet(t, sent.path).ok  # last year's ledger reads last year's packet
    if reply != "lost":
        send(t, 1, v, post)  # its reply acknowledges it: but the township's new year never saw it
    v_new = roll(v, "v-2025.db")
    both_ways(t_new, v_new, 1, post)
    assert t_new.members.get(m2) is not None and t_new.members.get(m).phone == "13800000002"
    assert differences(t_new, v_new) == [] and conflicts.list_conflicts(t_new) == []


def test_sent_and_read_before_the_turn_is_not_a_conflict_when_sent_again(tmp_path):
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    _h, m = household(v)
    both_ways(t, v, 1, post)
    _h2, m2 = household(v)
    v.members.update(m, phone="13800000003")
    send(v, 0, t, post)  # the township has it; its reply is lost
    t_new, v_new = roll(t, "t-2025.db"), roll(v, "v-2025.db")
    result = send(v_new, 0, t_new, post)  # sent again from the new year: already there, nothing to decide
    send(t_new, 1, v_new, post)
    assert result.new_conflicts == 0 and conflicts.list_conflicts(t_new) == []
    assert differences(t_new, v_new) == []


def test_the_townships_unacknowledged_corrections_reach_the_villages_new_year(tmp_path):
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    h, m = household(v)
    both_ways(t, v, 1, post)
    t.members.update(m, phone="13900000009")
    t.households.update(h, address="村1新址")
    packets.write_packet(t, 1, post)  # lost on the way
    v_new, t_new = roll(v, "v-2025.db"), roll(t, "t-2025.db")
    both_ways(t_new, v_new, 1, post)
    assert v_new.members.get(m).phone == "13900000009" and v_new.households.get(h).address == "村1新址"
    assert differences(t_new, v_new) == []


def test_an_old_years_packet_is_not_applied_to_the_new_year_nor_the_other_way(tmp_path):
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    h, m = household(v)
    both_ways(t, v, 1, post)
    t_new = roll(t, "t-2025.db")
    pid = v.payments.record(h, [PayLine(m)], method="现金", paid_on="2021-10-20").id  # last year's late payment
    late = packets.write_packet(v, 0, post)

    def state(lg):
        return [lg.db.execute(f"SELECT count(*) FROM {x}").fetchone()[0]
                for x in ("payments", "sync_packets", "sync_peers", "audit", "sync_applied")]

    before = state(t_new)
    for attempt in (packets.preview_packet(t_new, late.path), packets.apply_packet(t_new, late.path)):
        assert not attempt.ok
        text = " ".join(p.message for p in attempt.problems)
        assert "2022 年度" in text and "2025 年度" in text and str(t.path.name) in text, text
    assert state(t_new) == before
    assert packets.apply_packet(t, late.path).ok and t.payments.get(pid).amount == v.payments.get(pid).amount
    # the new year's packet read by last year's ledger: refused, and that ledger keeps its own year's policy
    v_new = roll(v, "v-2025.db")
    early = packets.write_packet(t_new, 1, post)
    before = state(v)
    result = packets.apply_packet(v, early.path)
    assert not result.ok and "2025 年度" in " ".join(p.message for p in result.problems)
    assert state(v) == before and v.settings.get().policy_id == "changchun-2022"
    assert packets.apply_packet(v_new, early.path).ok


def test_the_new_years_packets_do_not_overwrite_last_years_in_the_same_folder(tmp_path):
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    household(v)
    old = packets.write_packet(v, 0, post)  # on the USB stick, not yet read
    data = old.path.read_bytes()
    v_new = roll(v, "v-2025.db")
    household(v_new)
    new = packets.write_packet(v_new, 0, post)
    assert new.path != old.path and old.path.read_bytes() == data and "2025" in new.path.name
    assert packets.apply_packet(t, old.path).ok


@pytest.mark.parametrize("who", ["village", "township"])
def test_last_years_ledger_used_after_the_turn(tmp_path, who):
    """A late payment of last year, and a phone corrected at the same time in last year's ledger: the payment
    stays in last year's exchange; the correction, once the other side's old ledger has it before its own turn,
    reaches the new year too."""
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    h, m = household(v)
    both_ways(t, v, 1, post)
    if who == "village":
        v_new = roll(v, "v-2025.db")
        v.members.update(m, phone="13700000007")
        pid = v.payments.record(h, [PayLine(m)], method="现金", paid_on="2021-10-20").id
        send(v, 0, t, post)
        t_new = roll(t, "t-2025.db")
        assert t.payments.get(pid) is not None
    else:
        t_new = roll(t, "t-2025.db")
        t.members.update(m, phone="13700000007")
        send(t, 1, v, post)
        v_new = roll(v, "v-2025.db")
    both_ways(t_new, v_new, 1, post)
    assert v_new.members.get(m).phone == t_new.members.get(m).phone == "13700000007"
    assert t_new.db.execute("SELECT count(*) FROM payments").fetchone()[0] == 0
    assert differences(t_new, v_new) == [] and conflicts.list_conflicts(t_new) == []


def test_the_rollover_lists_what_the_township_has_not_acknowledged(tmp_path, capsys):
    from app.cli.main import main
    from app.ledger.rollover import pending_exchange

    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    assert pending_exchange(v) == []
    _h, m = household(v)
    packets.write_packet(v, 0, post)  # sent, no reply yet
    v.members.update(m, phone="13800000004")  # not yet in a packet
    lines = pending_exchange(v)
    text = "\n".join(lines)
    assert "尚未确认" in text and "户 新增 1" in text and "人员 新增 2" in text, text
    assert "还没有生成交换包" in text and "人员 1" in text, text
    assert main(["ledger", "rollover", "--db", str(v.path), "--to", str(tmp_path / "v-2025.db"),
                 "--policy", "changchun-2025"]) == 0
    out = capsys.readouterr().out
    assert "尚未确认" in out and "新年度台账" in out, out


def test_the_rollover_window_lists_it_too(tmp_path, qtbot):
    from app.ui.rollover_dialog import RolloverDialog

    t, (v,) = township(tmp_path)
    quiet = RolloverDialog(v)
    qtbot.addWidget(quiet)
    assert quiet.pending.isHidden()
    household(v)
    packets.write_packet(v, 0, tmp_path / "post")
    d = RolloverDialog(v)
    qtbot.addWidget(d)
    d.show()
    assert d.pending.isVisible() and "尚未确认" in d.pending.text() and "户 新增 1" in d.pending.text()
    assert "2022 年度的记录请继续用本台账" in d.pending.text()


def test_a_member_moved_at_the_township_just_before_its_turn_reaches_the_new_village(tmp_path):
    t, (v1, v2) = township(tmp_path, 2)
    post = tmp_path / "post"
    h1, _ = household(v1, "村1")
    m = v1.members.add(h1, name="张小红", id_type="无", birth_date="1990-03-02", sex="女", relation="子女").id
    v1.categories.add(m, "低保对象", department="民政", recognized_on="2021-09-01")
    h2, _ = household(v2, "村2")
    both_ways(t, v1, 1, post)
    both_ways(t, v2, 2, post)
    t.members.move(m, h2, relation="儿媳", reason="嫁入村2")
    packets.write_packet(t, 1, post)  # both lost
    packets.write_packet(t, 2, post)
    t_new, v1_new, v2_new = roll(t, "t-2025.db"), roll(v1, "v1-2025.db"), roll(v2, "v2-2025.db")
    both_ways(t_new, v1_new, 1, post)
    both_ways(t_new, v2_new, 2, post)
    got = v2_new.members.get(m)
    assert (got.household_id, got.relation) == (h2, "儿媳")
    assert [c.category for c in v2_new.categories.of_member(m)] == ["低保对象"]
    assert differences(t_new, v2_new, "村2") == [] and conflicts.list_conflicts(t_new) == []


def test_a_cancelled_rollover_tells_no_one_of_a_turn(tmp_path):
    from app.domain.problems import Cancelled

    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    household(v)
    with pytest.raises(Cancelled):
        v.rollover(tmp_path / "v-2025.db", "changchun-2025", cancel=lambda: True)
    assert not (tmp_path / "v-2025.db").exists()
    assert v.db.execute("SELECT count(*) FROM sync_turns").fetchone()[0] == 0
    send(v, 0, t, post)
    assert t.db.execute("SELECT count(*) FROM sync_turns").fetchone()[0] == 0  # no turn told


def test_the_terminal_says_which_ledger_to_open(tmp_path, capsys):
    from app.cli.main import main

    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    household(v)
    t_new = roll(t, "t-2025.db")
    late = packets.write_packet(v, 0, post)
    assert main(["packet", "apply", "--db", str(t_new.path), str(late.path)]) != 0
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "这是 2022 年度的交换包" in text and t.path.name in text and "未作任何改动" in text, text


def test_a_conflict_not_yet_resolved_is_resolved_in_the_new_year(tmp_path):
    from app.ledger.rollover import pending_exchange

    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    _h, m = household(v)
    both_ways(t, v, 1, post)
    v.members.update(m, phone="13800000001")
    t.members.update(m, phone="13900000002")
    both_ways(t, v, 1, post)
    (clash,) = conflicts.list_conflicts(t)
    assert any("1 处冲突尚未处理" in line for line in pending_exchange(t))
    t_new, v_new = roll(t, "t-2025.db"), roll(v, "v-2025.db")
    (carried,) = conflicts.list_conflicts(t_new)
    assert carried.id == clash.id and carried.member_id == m
    conflicts.resolve(t_new, carried.id, "b", note="村里核实的新号码")
    both_ways(t_new, v_new, 1, post)
    assert t_new.members.get(m).phone == v_new.members.get(m).phone == "13800000001"
    assert differences(t_new, v_new) == [] and conflicts.list_conflicts(t_new) == []
    assert conflicts.list_conflicts(t) == [clash]  # last year's list as it was


def test_a_correction_in_last_years_ledger_after_both_turned_is_named(tmp_path):
    """Both sides have turned: a phone corrected in last year's ledger reaches only last year's ledgers — the
    township's clerk is told so when applying it, in last year's ledger."""
    t, (v,) = township(tmp_path)
    post = tmp_path / "post"
    _h, m = household(v)
    both_ways(t, v, 1, post)
    v_new, t_new = roll(v, "v-2025.db"), roll(t, "t-2025.db")
    v.members.update(m, phone="13700000007")
    result = send(v, 0, t, post)
    assert any("不会进入 2025 年度的台账" in n and "人员 1" in n for n in result.notes), result.notes
    assert t.members.get(m).phone == "13700000007"
    both_ways(t_new, v_new, 1, post)
    assert t_new.members.get(m).phone == v_new.members.get(m).phone == ""
