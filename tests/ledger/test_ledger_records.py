"""Updates, add-on choices, settings changes, schema migrations, and the whole-year dues against quotes."""

import datetime as dt
import random

import pytest
from stdnum.cn import ric

from app.domain.money import to_money
from app.domain.problems import ProblemsError
from app.ledger import PayLine, open_ledger
from app.ledger.operators import CLERK
from app.ledger.schema import schema_version
from operators_helper import log_in


def test_member_update_rereads_birth_date_from_a_corrected_id_and_is_audited(ledger, household, ids):
    wrong, right = ids("19600501"), ids("19650707")
    mid = ledger.members.add(household, name="张三", id_number=wrong).id
    log_in(ledger, "李干事", CLERK)
    ch = ledger.members.update(mid, id_number=right, phone="13912345678", operator="张冒充")
    assert ch.members == {mid}
    m = ledger.members.get(mid)
    assert (m.id_number, m.birth_date, m.phone) == (right, dt.date(1965, 7, 7), "13912345678")
    e = ledger.audit.for_member(mid)[-1]
    assert e.before["id_number"] == wrong and e.after["id_number"] == right and e.operator == "李干事"
    assert ledger.members.update(mid, phone="13912345678").members == frozenset()  # no change, no audit
    assert [h.member_id for h in ledger.search(right[-6:])] == [mid] and ledger.search(wrong[-6:]) == []
    with pytest.raises(ProblemsError, match="不能用 update 修改"):
        ledger.members.update(mid, status="死亡")


def test_foreign_permanent_resident_card_2023(ledger, household):
    body = "9" + "22" + "840" + "19880808" + "124"
    number = body + ric.calc_check_digit(body + "0")
    mid = ledger.members.add(household, name="Anna", id_type="外国人永久居留身份证", id_number=number).id
    m = ledger.members.get(mid)
    assert m.birth_date == dt.date(1988, 8, 8) and m.sex == "女"


def test_household_update_moves_it_to_another_group(ledger, household):
    ledger.households.update(household, group="二组", phone="0431-88886666")
    h = ledger.households.get(household)
    assert (h.village, h.group, h.phone) == ("东风村", "二组", "0431-88886666")
    assert ledger.audit.for_household(household)[-1].before["group"] == "一组"


def test_addon_choices_flow_into_quotes_and_payments(tunliu, ids):
    h = tunliu.households.add(village="东风村").id
    m = tunliu.members.add(h, name="赵六", id_number=ids("19700101")).id
    assert tunliu.payments.quote(m, "2024-10-08").due == to_money(400)
    with pytest.raises(ProblemsError, match="只能选一个"):
        tunliu.members.choose_addons(m, ["晋康保基础版", "晋康保尊享版"])
    with pytest.raises(ProblemsError, match="没有附加险"):
        tunliu.members.choose_addons(m, ["长期护理保险"])
    tunliu.members.choose_addons(m, ["意外伤害保险", "晋康保 基础版"])
    assert tunliu.members.addon_choice(m) == (("意外伤害保险", "晋康保基础版"), ())
    assert tunliu.payments.quote(m, "2024-10-08").due == to_money(518)
    pid = tunliu.payments.record(h, [PayLine(m)], method="支付宝", paid_on="2024-10-08").id
    item = tunliu.payments.get(pid).items[0]
    assert item.amount == to_money(518) and item.addons == ("意外伤害保险", "晋康保基础版")
    assert tunliu.dues(paid_on=dt.date(2024, 10, 8)).rows[0].due == to_money(518)
    year = tunliu.payments.member_year(m)
    assert (year.year, year.addons, year.paid, year.has_paid) == (2025, ("意外伤害保险", "晋康保基础版"), to_money(518), True)
    assert [line.kind for line in year.items[0].quote.lines].count("addon") == 2


def test_policy_can_change_only_before_any_payment(ledger, household, ids):
    ledger.settings.update(area_kind="县")
    assert ledger.settings.get().area_kind == "县" and ledger.settings.get().operators == ("王会计",)
    m = ledger.members.add(household, name="甲", id_number=ids()).id
    ledger.payments.record(household, [PayLine(m)], method="现金", paid_on="2024-10-08")
    with pytest.raises(ProblemsError, match="不能更换政策"):
        ledger.settings.update(policy_id="changchun-2022")


def test_migrations_are_recorded_and_not_rerun(tmp_path, ledger):
    names = schema_version(ledger.db)
    assert names[0] == "0001_initial" and len(names) >= 2
    ledger.close()
    with open_ledger(ledger.path, backup=False) as again:
        assert schema_version(again.db) == names
        assert again.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert again.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert again.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(ProblemsError, match="不是台账文件"):
        open_ledger(bad)


def test_whole_year_dues_equal_each_members_own_quote(tunliu, ids):
    rng = random.Random(7)
    day = dt.date(2024, 10, 8)
    cats = ["低保对象", "特困人员", "重度残疾人", "脱贫不稳定人口", "稳定脱贫人口"]
    members = []
    for n in range(60):
        h = tunliu.households.add(village="东风村").id
        year = rng.choice([1940, 1960, 1990, 2010, 2024])
        birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        student = year == 2010 and rng.random() < 0.5
        mid = tunliu.members.add(h, name=f"人{n}", id_number=ids(birth), student=student).id
        for c in rng.sample(cats, rng.choice([0, 0, 1, 2])):
            cid = tunliu.categories.add(mid, c, department="民政", recognized_on="2024-01-01").id
            if rng.random() < 0.3:
                tunliu.categories.end(cid, ended_on=rng.choice(["2024-06-01", "2024-12-01"]))
        if rng.random() < 0.4:
            tunliu.members.choose_addons(mid, rng.choice([["意外伤害保险"], ["晋康保尊享版"], []]))
        if rng.random() < 0.15:
            tunliu.members.set_status(mid, "参加职工医保", on="2024-03-01")
        members.append(mid)
    report = tunliu.dues(paid_on=day)
    by_id = {r.member_id: r for r in report.rows}
    assert len(by_id) == 60
    for mid in members:
        m = tunliu.members.get(mid)
        if not m.enrolled_here:
            assert by_id[mid].due is None
            continue
        q = tunliu.payments.quote(mid, day)
        assert by_id[mid].due == (q.due if q.open else None), tunliu.members.get(mid)
    assert report.due_total == sum((r.due for r in report.rows if r.due is not None), to_money(0))
    assert report.distinct_quotes < 60


def test_ledger_file_location_db_flag_then_env_then_data_folder(tmp_path, monkeypatch):
    from app.ledger import default_path, resolve_path
    from app.paths import data_dir

    monkeypatch.delenv("CANBAO_DB", raising=False)
    assert default_path() == data_dir() / "ledger.canbao.db"
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "env.db"))
    assert resolve_path(None) == tmp_path / "env.db"
    assert resolve_path(tmp_path / "flag.db") == tmp_path / "flag.db"


GARBAGE = [None, "", "  ", 12345, 3.5, "2024-13-45", "🙂" * 3, "x" * 300]


def test_garbage_input_is_a_problem_never_a_crash_and_never_a_half_write(ledger, household, ids):
    """Every write given nonsense raises ProblemsError (Chinese, with a place) and leaves nothing behind."""
    from app.ledger import PayLine

    mid = ledger.members.add(household, name="张三", id_number=ids(), relation="户主").id
    pid = ledger.payments.record(household, [PayLine(mid)], method="现金", paid_on="2024-10-08").id
    before = {t: ledger.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("households", "members", "member_categories", "payments", "refunds", "audit")}
    calls = []
    for g in GARBAGE:
        calls += [
            lambda g=g: ledger.households.add(village=g, group=g, phone=g),
            lambda g=g: ledger.members.add(household, name=g, id_type=g, id_number=g, birth_date=g),
            lambda g=g: ledger.members.add(household, name="李四", id_number=g, birth_date=g, phone=g),
            lambda g=g: ledger.members.set_status(mid, g, on=g),
            lambda g=g: ledger.categories.add(mid, g, department=g, recognized_on=g),
            lambda g=g: ledger.payments.record(household, [PayLine(mid, amount=g)], method=g, paid_on=g),
            lambda g=g: ledger.payments.refund(pid, mid, g, refunded_on=g),
            lambda g=g: ledger.payments.void(pid, g),  # the first real reason voids; later ones are refused
            lambda g=g: ledger.members.choose_addons(mid, [f"附加{g}"]),
        ]
    for call in calls:
        try:
            call()
        except ProblemsError as exc:
            assert exc.problems and all(p.message for p in exc.problems)
    after = {t: ledger.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in before}
    voided = ledger.payments.get(pid).voided
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    assert after["audit"] - before["audit"] == (2 if voided else 0)
    assert ledger.check() == []


def test_garbage_in_updates_settings_and_lookups_is_a_problem_never_a_crash(tmp_path, ids):
    lg = open_ledger(tmp_path / "g.db", create=True, backup=False)
    try:
        for g in GARBAGE:
            with pytest.raises(ProblemsError):
                lg.settings.initialize(township=g, year=g, policy_id=g, operators=None if g is None else [g],
                                       villages=[g] if g else g, area_kind=g)
        assert not lg.settings.initialized()
        lg.settings.initialize(township="镇", year="2025", policy_id="tunliu-2025", operators=["甲"], villages=["村"])
        h = lg.households.add(village="村").id
        m = lg.members.add(h, name="甲", id_number=ids()).id
        snapshot = lg.members.get(m)
        for g in GARBAGE:
            for call in (lambda: lg.members.update(m, name=g), lambda: lg.members.update(m, id_number=g),
                         lambda: lg.members.update(m, birth_date=g), lambda: lg.households.update(h, village=g),
                         lambda: lg.households.update(h, group=g), lambda: lg.members.move(m, g),
                         lambda: lg.categories.end(g, ended_on=g), lambda: lg.settings.add_village(g),
                         lambda: lg.settings.add_group(g, g), lambda: lg.households.find(g),
                         lambda: lg.payments.by_receipt(g)):
                try:
                    call()
                except ProblemsError as exc:
                    assert all(p.message for p in exc.problems)
            assert isinstance(lg.search(g), list)
        m_now = lg.members.get(m)
        assert (m_now.id_number, m_now.birth_date) == (snapshot.id_number, snapshot.birth_date)
        assert m_now.name in ("甲", "12345", "3.5", "2024-13-45", "🙂🙂🙂")  # text that is a valid name
        assert lg.check() == []
    finally:
        lg.close()
