"""Joining village laptops that were used alone before stations (app.ledger.join): two islands that both
printed receipt 2022-000001 become stations 1 and 2, exchange with the township, and everything adds up."""

from __future__ import annotations

import pytest
from join_helper import TOWN, id_number, make_island, make_township, own_totals

from app.domain.problems import ProblemsError
from app.ledger import PayLine, duplicates, join, join_card, join_journal, open_ledger, stations
from app.ledger.audit import verify_chain
from app.ledger.journal import journal_path
from app.paper.from_ledger import receipt_for
from app.sync import packets
from operators_helper import log_in


def _join(town, island, village, folder):
    card = join_card.write_card(town, folder, village=village)
    return join.join_township(island, join_card.read_card(card.path, card.code_word))


def _exchange(town, villages, post):
    for v in villages:
        r = packets.apply_packet(town, packets.write_packet(v, 0, post).path)
        assert r.ok, r.problems
    for v in villages:
        r = packets.apply_packet(v, packets.write_packet(town, stations.current(v).number, post).path)
        assert r.ok, r.problems


def test_two_island_laptops_join_as_stations_and_the_township_holds_both(tmp_path):
    town = make_township(tmp_path / "town.db")
    # the township imported the district roster itself: it already holds 东风村's first head
    h = town.households.add(village="东风村", group="一组").id
    twin = town.members.add(h, name="东户主0", id_number=id_number("19600501", 100), relation="户主").id
    a = make_island(tmp_path / "a.db", "东风村", 100)
    b = make_island(tmp_path / "b.db", "西山村", 200)
    before = {lg.path.name: (own_totals(lg), sorted(no for (no,) in lg.db.execute("SELECT receipt_no FROM payments")))
              for lg in (a, b)}
    assert before["a.db"][1] == before["b.db"][1] == ["2022-000001", "2022-000002", "2022-000003"]  # the clash

    head = a.db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    out_a = _join(town, a, "东风村", tmp_path)
    joined = a.audit.recent(1)[0]
    assert joined.after["old_chain_head"] == head and joined.after["id_offset"] == 10 ** 12  # the old chain attested
    assert list(tmp_path.glob("a.db.receipts.*.before-join"))  # the old journal kept aside
    out_b = _join(town, b, "西山村", tmp_path)
    assert (out_a.station.code, out_b.station.code) == (f"{TOWN}-001", f"{TOWN}-002")
    assert out_a.receipts == 3 and out_a.villages_matched == 1 and out_a.backup.exists()
    for lg, n in ((a, 1), (b, 2)):
        assert stations.current(lg).number == n
        assert lg.check() == []  # ids moved, audit chained again, receipt journal begun again
        assert own_totals(lg) == before[lg.path.name][0]
        # every replicated id in the station's block (villages and groups the township has keep its ids, and so
        # do the person and household it already held: join_merge)
        assert {i // 10 ** 12 for (i,) in lg.db.execute("SELECT id FROM members WHERE id NOT IN (?, ?) UNION SELECT"
                                                        " id FROM payments UNION SELECT id FROM audit",
                                                        [twin, h])} == {n}
        assert lg.db.execute("SELECT id FROM villages").fetchall() == town.db.execute(
            "SELECT id FROM villages WHERE name = ?", [stations.current(lg).village]).fetchall()
        assert lg.audit.recent(1)[0].action == "join"
    # the printed number stays findable and is what a reprint says; new receipts use the station's format
    p = a.payments.by_receipt("2022-000003")
    assert p.receipt_no == f"{TOWN}-001:2022-000003"
    assert receipt_for(a, p, reprint=True).receipt_no == "2022-000003"
    hh = p.household_id
    new = a.members.add(hh, name="东新生", id_number=id_number("20210101", 300), relation="子女").id
    fresh = a.payments.record(hh, [PayLine(new)], method="现金", paid_on="2021-11-01")
    assert a.payments.get(fresh.id).receipt_no == f"{TOWN}-001-2022-000004"
    assert a.check() == []

    post = tmp_path / "post"
    post.mkdir()
    _exchange(town, [a, b], post)
    for lg in (town, a, b):
        assert lg.check() == [], lg.path.name
    # every payment of both laptops at the township, none lost, none clashing
    at_town = {no for (no,) in town.db.execute("SELECT receipt_no FROM payments")}
    assert at_town == {f"{TOWN}-001:2022-00000{k}" for k in (1, 2, 3)} | {f"{TOWN}-002:2022-00000{k}" for k in (1, 2, 3)} \
        | {f"{TOWN}-001-2022-000004"}
    totals = own_totals(town)
    assert totals == {**own_totals(a), **own_totals(b)}
    assert town.db.execute("SELECT count(*) FROM payments WHERE voided_at IS NOT NULL").fetchone()[0] == 2
    assert town.db.execute("SELECT count(*) FROM refunds").fetchone()[0] == 2
    assert town.db.execute("SELECT count(*) FROM member_categories").fetchone()[0] == 2  # one per laptop
    for lg in (a, b):  # every row of each laptop is at the township, as it is there
        for table in ("households", "members", "member_categories", "payments", "payment_items", "refunds", "audit"):
            mine = lg.db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            assert town.db.execute(f"SELECT * FROM {table} WHERE id IN ({','.join(str(r[0]) for r in mine)})"
                                   " ORDER BY id").fetchall() == mine, table
    # the block of each station's audit entries verifies at the township too
    assert verify_chain(town.db)[1] is None
    # a resident brings receipt 2022-000002: at the village one match, at the township one per station
    assert town.payments.by_receipt(f"{TOWN}-002:2022-000002").amount == b.payments.by_receipt("2022-000002").amount
    with pytest.raises(ProblemsError, match=f"{TOWN}-001:2022-000002、{TOWN}-002:2022-000002"):
        town.payments.by_receipt("2022-000002")
    # the person the township already held is the village's: one record (join_merge), not a 重复参保 pair
    assert town.db.execute("SELECT id FROM members WHERE id_number = ?", [id_number("19600501", 100)]).fetchall() \
        == [(twin,)]
    assert a.db.execute("SELECT household_id FROM members WHERE id = ?", [twin]).fetchone()[0] == h
    assert not [f for f in duplicates.find(town).findings if twin in (f.match.a, f.match.b)]
    for lg in (town, a, b):
        lg.close()


def test_join_is_refused_with_a_chinese_message(tmp_path):
    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100, households=1)
    card = join_card.write_card(town, tmp_path, village="东风村")
    with pytest.raises(ProblemsError, match="入站码不对"):
        join_card.read_card(card.path, "0000-0000-0000")
    # the station number is taken (at the township, where numbers are given)
    with pytest.raises(ProblemsError, match="编号 001 已被站点 220112-001 东风村 使用"):
        join_card.write_card(town, tmp_path / "again", village="西山村", number=1)
    with pytest.raises(ProblemsError, match="「东风村」已是站点"):
        join_card.write_card(town, tmp_path / "again", village="东风村")
    with pytest.raises(ProblemsError, match="只有乡镇本级的台账"):
        join_card.write_card(a, tmp_path / "again", village="东风村")
    # a ledger that already has a station
    b = make_island(tmp_path / "b.db", "西山村", 200, households=1)
    # (a used ledger cannot simply be set up as a village station: its rows lie in the township's block of ids)
    with pytest.raises(ProblemsError, match="已在用的村台账请用“加入乡镇”"):
        stations.set_up(b, code=f"{TOWN}-007", name="西山村", kind="村", parent=f"{TOWN}-000")
    b = make_island(tmp_path / "b2.db", "西山村", 200, households=0)
    stations.set_up(b, code=f"{TOWN}-007", name="西山村", kind="村", parent=f"{TOWN}-000")
    with pytest.raises(ProblemsError, match="本台账已是站点 220112-007 西山村，不能再加入乡镇"):
        join.join_township(b, join_card.read_card(card.path, card.code_word))
    # a card whose station number another station of its list holds
    good = join_card.read_card(card.path, card.code_word)
    import dataclasses

    clash = dataclasses.replace(good, stations=good.stations + (stations.Station(f"{TOWN}-009", "别村", "村", 1,
                                                                                  f"{TOWN}-000"),))
    with pytest.raises(ProblemsError, match="编号 001 已被站点 220112-009 别村 使用"):
        join.join_township(a, clash)
    assert stations.current(a) is None and a.payments.by_receipt("2022-000001").receipt_no == "2022-000001"
    # joined once: never again
    join.join_township(a, good)
    with pytest.raises(ProblemsError, match="本台账已是站点 220112-001"):
        join.join_township(a, good)
    for lg in (town, a, b):
        lg.close()


def test_the_journal_is_begun_again_at_the_next_open_when_the_join_was_killed_after_its_commit(tmp_path,
                                                                                                 monkeypatch):
    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100)
    card = join_card.write_card(town, tmp_path, village="东风村")
    journal = journal_path(a.path).read_bytes()

    def killed(_ledger):
        raise KeyboardInterrupt  # the process dies right after the commit

    monkeypatch.setattr(join, "finish_journal", killed)
    with pytest.raises(KeyboardInterrupt):
        join.join_township(a, join_card.read_card(card.path, card.code_word))
    a.close()
    assert journal_path(a.path).read_bytes() == journal  # not yet begun again
    monkeypatch.undo()
    with open_ledger(a.path, backup=False) as again:
        assert stations.current(again).number == 1
        assert again.check() == []
        assert list(tmp_path.glob("a.db.receipts.*.before-join"))
    town.close()


def test_invite_and_join_from_the_terminal(tmp_path, monkeypatch, capsys):
    from app.cli.main import main

    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100, households=1)
    town.close()
    a.close()
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")

    def cli(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = cli("station", "invite", "--village", "东风村", "--out", str(tmp_path / "U盘"),
                         "--db", str(tmp_path / "town.db"))
    assert code == 0, err
    word = out.split("入站码：")[1][:14]
    card = tmp_path / "U盘" / "220112-001-东风村.canbao-join"
    assert "已登记站点：220112-001 东风村（村）" in out and card.exists()
    code, _, err = cli("station", "invite", "--village", "西山村", "--number", "1", "--out", str(tmp_path),
                       "--db", str(tmp_path / "town.db"))
    assert code == 2 and "编号 001 已被站点 220112-001 东风村 使用" in err
    code, _, err = cli("station", "join", str(card), "--code-word", "1", "--db", str(tmp_path / "a.db"))
    assert code == 2 and "入站码不对" in err
    code, out, err = cli("station", "join", str(card), "--code-word", word, "--preview", "--db", str(tmp_path / "a.db"))
    assert code == 0, err
    assert "1 户，2 人，1 张已开票据" in out and "2022-000001 → 220112-001:2022-000001" in out
    assert "以后的新票据从 220112-001-2022-000002 起" in out and "与乡镇台账对上的村：东风村" in out
    with open_ledger(tmp_path / "a.db", backup=False) as still:
        assert stations.current(still) is None  # a preview writes nothing
    code, out, err = cli("station", "join", str(card), "--code-word", word, "--db", str(tmp_path / "a.db"))
    assert code == 0, err
    assert "站点：220112-001 东风村（村）" in out and "已开出的 1 张票据号不变" in out
    code, _, err = cli("station", "join", str(card), "--code-word", word, "--db", str(tmp_path / "a.db"))
    assert code == 2 and "本台账已是站点 220112-001 东风村，不能再加入乡镇" in err


def test_a_demo_ledger_joins_whole(tmp_path):
    """Every kind of row a real ledger has (categories, year choices, claims, voids, refunds, many villages),
    through the join and the first packet: the township ends with the same rows and both check clean."""
    from app.ledger.demo import build_demo_ledger

    build_demo_ledger(tmp_path / "v.db", people=400, seed=5)
    v = open_ledger(tmp_path / "v.db", backup=False)
    s = v.settings.get()
    town = open_ledger(tmp_path / "t.db", create=True, backup=False, operator="王会计")
    names = [n for (n,) in v.db.execute("SELECT name FROM villages ORDER BY id DESC")]  # other ids than the village's
    town.settings.initialize(township=s.township, year=s.year, policy_id=s.policy_id, operators=["王会计"],
                             villages={n: [] for n in names[1:]}, area_kind="县")
    stations.set_up(town, code=f"{TOWN}-000", name=s.township, kind="乡镇")
    tables = ("households", "members", "member_categories", "member_years", "payments", "payment_items", "refunds",
              "claims")
    before = {t: v.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    assert before["payments"] and before["member_categories"]
    out = _join(town, v, names[1], tmp_path)
    assert out.villages_matched == len(names) - 1 and v.check() == []
    post = tmp_path / "post"
    post.mkdir()
    r = packets.apply_packet(town, packets.write_packet(v, 0, post).path)
    assert r.ok and not r.conflicts, r.conflicts
    assert {t: town.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables} == before
    assert own_totals(town) == own_totals(v) and town.check() == []
    town.close()
    v.close()


def test_a_handover_marked_before_the_join_still_matches(tmp_path):
    """交款 marked before the join: its stored receipts (and refunds) follow the new numbers, so the same period
    shows no change after it."""
    from app.ledger import handover

    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100)
    h = handover.compute(a, "王会计", "2021-10-01", "2021-12-31")
    assert h.receipts and h.refunds
    handover.mark_handed_over(a, h, receiver="乡镇")
    _join(town, a, "东风村", tmp_path)
    again = handover.compute(a, "王会计", "2021-10-01", "2021-12-31")
    assert [m.changes for m in again.marks] == [()]
    assert {r.receipt_no for r in again.receipts} == {f"{TOWN}-001:2022-00000{k}" for k in (1, 2, 3)}
    assert a.check() == []
    town.close()
    a.close()


def test_a_pair_judged_not_duplicate_before_the_join_stays_judged(tmp_path):
    """A dismissal names two members (member_a < member_b, checked): both move in one statement."""
    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100, households=2)
    first, second = [m for (m,) in a.db.execute("SELECT id FROM members WHERE relation = '户主' ORDER BY id")]
    duplicates.dismiss(a, first, second, "两个人：已核实")
    _join(town, a, "东风村", tmp_path)
    (d,) = duplicates.dismissals(a)
    assert (d.member_a, d.member_b) == (10 ** 12 + first, 10 ** 12 + second) and a.check() == []
    town.close()
    a.close()


def test_a_receipt_journal_that_does_not_verify_is_not_begun_again(tmp_path):
    """The join would put the old journal aside: one that does not verify must be looked at first."""
    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100, households=1)
    path = journal_path(a.path)
    path.write_text(path.read_text(encoding="utf-8").replace('"fen":61000', '"fen":6100'), encoding="utf-8")
    a.close()
    a = open_ledger(tmp_path / "a.db", backup=False)
    log_in(a, "王会计")
    assert '"fen":6100,' in path.read_text(encoding="utf-8")  # the edit is there
    card = join_card.write_card(town, tmp_path, village="东风村")
    with pytest.raises(ProblemsError, match="票据日志加入时要重新开始"):
        join.join_township(a, join_card.read_card(card.path, card.code_word))
    assert stations.current(a) is None
    town.close()
    a.close()


def test_a_journal_begun_again_but_not_yet_marked_is_not_begun_twice(tmp_path, monkeypatch):
    """Killed after the new journal is in place but before the ledger notes it: the next open only notes it
    (the old journal put aside stays the one it was)."""
    town = make_township(tmp_path / "town.db")
    a = make_island(tmp_path / "a.db", "东风村", 100)
    card = join_card.write_card(town, tmp_path, village="东风村")
    old = journal_path(a.path).read_bytes()

    def killed(_ledger, _key):
        raise KeyboardInterrupt

    monkeypatch.setattr(join_journal, "_mark_begun", killed)
    with pytest.raises(KeyboardInterrupt):
        join.join_township(a, join_card.read_card(card.path, card.code_word))
    a.close()
    begun = journal_path(a.path).read_bytes()
    monkeypatch.undo()
    with open_ledger(a.path, backup=False) as again:
        assert again.check() == []
        assert again.db.execute("SELECT journal_at IS NOT NULL FROM station_join").fetchone()[0] == 1
    assert journal_path(a.path).read_bytes() == begun
    (aside,) = tmp_path.glob("a.db.receipts.*.before-join")
    assert aside.read_bytes() == old
    town.close()
