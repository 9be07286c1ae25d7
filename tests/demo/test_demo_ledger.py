"""A demo ledger written by ``build_demo_ledger``: opens with the ledger API, passes its integrity check,
is searchable by name, last ID digits and pinyin initials, and its payments equal the ledger's own quotes."""

from __future__ import annotations

import argparse
import sqlite3

import pytest

from app.cli import demo_cmd
from app.domain.vocabulary import NON_ENROLMENT_REASONS
from app.ledger import ENROLLED, open_ledger
from app.ledger.demo import build_demo_ledger, is_demo_ledger
from app.ledger.demo_people import DemoCancelled
from app.ledger.identity import name_initials


@pytest.fixture(scope="module")
def demo300(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo300.canbao.db"
    summary = build_demo_ledger(path, people=300, seed=42)
    return path, summary


def test_demo_ledger_opens_and_passes_the_integrity_check(demo300):
    path, summary = demo300
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == []
        s = lg.settings.get()
        assert (s.policy_id, s.year, s.area_kind) == ("changchun-2025", 2025, "县")
        assert lg.members.count() == 300 == summary.members
        assert lg.households.count() == summary.households
        assert len(s.villages) == summary.villages >= 2 and all(v.groups for v in s.villages)
        statuses = {r[0] for r in lg.db.execute("SELECT DISTINCT status FROM members")}
        assert ENROLLED in statuses and statuses - {ENROLLED} <= set(NON_ENROLMENT_REASONS)
        heads = lg.db.execute("SELECT count(*) FROM members WHERE relation = '户主'").fetchone()[0]
        assert heads == summary.households
    assert is_demo_ledger(path)


def test_search_finds_a_member_by_name_last_id_digits_and_pinyin_initials(demo300):
    path, _ = demo300
    with open_ledger(path, backup=False) as lg:
        rows = lg.db.execute("SELECT id, name, id_number FROM members WHERE id_number IS NOT NULL"
                             " AND length(name) = 3 ORDER BY id LIMIT 5").fetchall()
        assert rows
        for mid, name, number in rows:
            assert mid in {h.member_id for h in lg.search(name)}
            assert mid in {h.member_id for h in lg.search(number[-4:], limit=500)}
            initials = name_initials(name)
            assert len(initials) == 3
            assert mid in {h.member_id for h in lg.search(initials, limit=500)}


def test_every_payment_equals_the_ledgers_own_quote_for_that_member_and_day(demo300):
    path, summary = demo300
    with open_ledger(path, backup=False) as lg:
        items = lg.db.execute("SELECT i.member_id, i.amount_fen, i.due_fen, p.paid_on, p.receipt_no FROM payment_items i"
                              " JOIN payments p ON p.id = i.payment_id ORDER BY i.id").fetchall()
        assert len(items) == summary.paid_members > 150
        for mid, amount_fen, due_fen, paid_on, receipt in items:
            q = lg.payments.quote(mid, paid_on)
            assert q.open and int(q.due * 100) == amount_fen == due_fen, (mid, paid_on, receipt)
        first = lg.payments.by_receipt("2025-000001")
        assert first.amount == sum(i.amount for i in first.items) and first.items
        report = lg.dues()
        assert report.paid_total * 100 == sum(a for _, a, _, _, _ in items)
        assert 0.6 < float(report.rate) < 0.95


def test_unpaid_enrolled_members_exist_and_non_enrolled_have_no_payment(demo300):
    path, _ = demo300
    with open_ledger(path, backup=False) as lg:
        unpaid = lg.db.execute("SELECT count(*) FROM members m WHERE status = '本地参保' AND NOT EXISTS"
                               " (SELECT 1 FROM payment_items i WHERE i.member_id = m.id)").fetchone()[0]
        wrong = lg.db.execute("SELECT count(*) FROM members m WHERE status != '本地参保' AND EXISTS"
                              " (SELECT 1 FROM payment_items i WHERE i.member_id = m.id)").fetchone()[0]
        assert unpaid > 0 and wrong == 0


@pytest.mark.parametrize("policy_id", ["tunliu-2025", "shuangqing-2025", "jilin-2024", "changchun-2022"])
def test_demo_ledgers_for_every_policy_pass_the_check(tmp_path, policy_id):
    path = tmp_path / "d.db"
    build_demo_ledger(path, people=200, seed=1, policy_id=policy_id)
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == []
        assert lg.settings.get().policy_id == policy_id
        for mid, fen, paid_on in lg.db.execute("SELECT i.member_id, i.amount_fen, p.paid_on FROM payment_items i"
                                               " JOIN payments p ON p.id = i.payment_id").fetchall()[::5]:
            assert int(lg.payments.quote(mid, paid_on).due * 100) == fen


def test_an_existing_ledger_is_never_overwritten(tmp_path):
    real = tmp_path / "real.db"
    conn = sqlite3.connect(real)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    before = real.read_bytes()
    for replace in (False, True):
        with pytest.raises(Exception) as exc:
            build_demo_ledger(real, people=100, replace=replace)
        assert "不" in str(exc.value)
    assert real.read_bytes() == before
    demo = tmp_path / "demo.db"
    build_demo_ledger(demo, people=100, seed=1)
    with pytest.raises(Exception):
        build_demo_ledger(demo, people=100, seed=2)
    build_demo_ledger(demo, people=120, seed=2, replace=True)  # a demo may replace a demo
    with open_ledger(demo, backup=False) as lg:
        assert lg.members.count() == 120


def test_cancel_while_writing_leaves_no_file(tmp_path):
    path = tmp_path / "c.db"
    people = 30000
    seen = []

    def progress(done, total):
        seen.append(done)

    def cancel():  # once the rows are being written (progress past the generation's two thirds)
        return bool(seen) and 2 * people < seen[-1] < 3 * people

    with pytest.raises(DemoCancelled):
        build_demo_ledger(path, people=people, progress=progress, cancel=cancel)
    assert any(2 * people < d < 3 * people for d in seen)
    assert list(tmp_path.iterdir()) == []


def test_cli_demo_writes_a_ledger_and_reports_bad_arguments(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    demo_cmd.register(parser.add_subparsers())
    path = tmp_path / "cli.db"
    args = parser.parse_args(["demo", "--people", "150", "--db", str(path), "--seed", "3", "--quiet"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "150 人" in out and str(path) in out
    for argv in (["demo", "--people", "50", "--db", str(tmp_path / "x.db")],
                 ["demo", "--db", str(tmp_path / "y.db"), "--policy", "nowhere-2025"],
                 ["demo", "--people", "150", "--db", str(path)]):
        args = parser.parse_args(argv + ["--quiet"])
        assert args.func(args) == 2
    err = capsys.readouterr().err
    assert "100 到 2,000,000" in err and "nowhere-2025" in err and "已存在" in err
    assert not (tmp_path / "x.db").exists() and not (tmp_path / "y.db").exists()


def test_bulk_rows_are_what_the_ledger_api_itself_accepts(tmp_path):
    """Every member re-validates through ``members.update`` (identity, phone, status), and the derived
    search keys the loader wrote are the ones the API computes."""
    from app.ledger.members import RELATIONS

    path = tmp_path / "v.db"
    build_demo_ledger(path, people=300, seed=9)
    with open_ledger(path, backup=False) as lg:
        before = dict(lg.db.execute("SELECT id, name_initials || '|' || coalesce(id_rev, '') || '|' || phone_rev"
                                    " FROM members"))
        relations = {r for (r,) in lg.db.execute("SELECT DISTINCT relation FROM members")}
        assert relations <= set(RELATIONS) and {"户主", "配偶", "子", "女"} <= relations
        for mid in before:
            lg.members.update(mid, notes="核对")  # raises ProblemsError if any field is invalid
        after = dict(lg.db.execute("SELECT id, name_initials || '|' || coalesce(id_rev, '') || '|' || phone_rev"
                                   " FROM members"))
        assert after == before
        assert lg.check() == []


def test_cli_default_is_the_demo_file_not_the_real_ledger(tmp_path, monkeypatch, capsys):
    import app.paths

    real = tmp_path / "real.canbao.db"
    monkeypatch.setenv("CANBAO_DB", str(real))
    monkeypatch.delenv("CANBAO_DEMO_DB", raising=False)
    monkeypatch.setattr(app.paths, "data_dir", lambda: tmp_path / "data")
    parser = argparse.ArgumentParser()
    demo_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["demo", "--people", "100", "--quiet"])
    assert args.func(args) == 0
    assert not real.exists()
    assert is_demo_ledger(tmp_path / "data" / "demo.canbao.db")
    assert "demo.canbao.db" in capsys.readouterr().out


def test_fast_initials_equal_the_ledgers_for_every_generated_name():
    from app.ledger.demo import NameInitials
    from app.ledger.demo_people import generate_population
    from app.policy_catalog import get_policy

    names = {m.name for m in generate_population(get_policy("changchun-2025"), 20000, seed=8).members()}
    names |= {"曾长生", "单于飞", "欧阳𠈌", "朝阳", "长春", "王䶮喆", "乐乐", "重庆", "覃"}  # phrases, rare, polyphonic
    fast = NameInitials()
    assert {n: fast(n) for n in names} == {n: name_initials(n) for n in names}


def test_an_exception_from_progress_while_writing_leaves_no_file(tmp_path):
    """The window's progress callback raises its own Cancelled; nothing may be left half-written."""

    class WindowCancelled(Exception):
        pass

    people = 30000

    def progress(done, total):
        if 2 * people < done < 3 * people:
            raise WindowCancelled()

    with pytest.raises(WindowCancelled):
        build_demo_ledger(tmp_path / "p.db", people=people, progress=progress)
    assert list(tmp_path.iterdir()) == []


def test_cli_default_follows_canbao_demo_db_like_the_window(tmp_path, monkeypatch):
    target = tmp_path / "elsewhere" / "练习.canbao.db"
    monkeypatch.setenv("CANBAO_DEMO_DB", str(target))
    parser = argparse.ArgumentParser()
    demo_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["demo", "--people", "100", "--quiet"])
    assert args.func(args) == 0
    assert is_demo_ledger(target)


def test_a_real_file_appearing_during_the_build_is_kept(tmp_path):
    target = tmp_path / "t.db"

    def progress(done, total):
        if not target.exists():
            target.write_bytes(b"SQLite format 3\x00 someone's real ledger")

    with pytest.raises(Exception) as exc:
        build_demo_ledger(target, people=100, progress=progress)
    assert "不会覆盖" in str(exc.value)
    assert target.read_bytes().endswith(b"someone's real ledger")
    assert [p.name for p in tmp_path.iterdir()] == ["t.db"]


def test_a_demo_in_a_folder_with_hash_question_mark_and_spaces_can_be_replaced(tmp_path):
    folder = tmp_path / "村#1 ?备份"
    folder.mkdir()
    demo = folder / "演示 台账.db"
    build_demo_ledger(demo, people=100, seed=1)
    assert is_demo_ledger(demo)
    build_demo_ledger(demo, people=110, seed=2, replace=True)
    with open_ledger(demo, backup=False) as lg:
        assert lg.members.count() == 110


def test_a_demo_built_in_blocks_is_one_ledger_with_receipts_in_date_order(tmp_path, monkeypatch):
    """Past ``_BLOCK`` people (a prefecture) the demo is generated and written a block of villages at a
    time: still unique ID numbers and household numbers, receipts numbered by day over all blocks."""
    import app.ledger.demo as demo

    monkeypatch.setattr(demo, "_BLOCK", 1500)
    path = tmp_path / "blocks.canbao.db"
    summary = build_demo_ledger(path, people=6000, seed=5)
    assert summary.members == 6000 and summary.villages >= 4
    with open_ledger(path, backup=False) as lg:
        assert lg.check() == []
        db = lg.db
        ids, distinct = db.execute("SELECT count(id_number), count(DISTINCT id_number) FROM members").fetchone()
        assert ids == distinct > 5900
        assert db.execute("SELECT count(*), count(DISTINCT number) FROM households").fetchone() == \
            (summary.households, summary.households)
        seqs = [s for s, in db.execute("SELECT seq FROM payments ORDER BY paid_on, household_id")]
        assert seqs == list(range(1, summary.payments + 1))
        assert db.execute("SELECT count(DISTINCT h.village_id) FROM households h").fetchone()[0] == summary.villages
        assert db.execute("SELECT last_seq FROM receipt_counters").fetchone()[0] == summary.payments
