"""Households, members, identity documents, statuses and moves, through the public API on real files."""

import datetime as dt

import pytest
from stdnum.cn import ric

from app.domain.problems import ProblemsError
from app.ledger import open_ledger



def test_settings_are_stored_and_reopened(tmp_path, ledger):
    s = ledger.settings.get()
    assert (s.township, s.year, s.policy_id, s.operators, s.area_kind) == ("测试镇", 2025, "changchun-2025",
                                                                           ("王会计",), "区")  # the operators table: 李干事 has no PIN
    assert [(v.name, v.kind, [g.name for g in v.groups]) for v in s.villages] == [
        ("东风村", "村", ["一组", "二组"]), ("红旗社区", "社区", [])]
    ledger.close()
    with open_ledger(ledger.path, backup=False) as again:
        assert again.settings.get().policy_id == "changchun-2025"


def test_initialize_reports_every_problem_and_writes_nothing(tmp_path):
    with open_ledger(tmp_path / "x.db", create=True, backup=False) as lg:
        with pytest.raises(ProblemsError) as err:
            lg.settings.initialize(township=" ", year=2024, policy_id="changchun-2025", operators=[], area_kind="市")
        places = [p.place for p in err.value.problems]
        assert places == ["乡镇", "操作员", "年度", "地区类型"]
        assert not lg.settings.initialized()
        assert lg.audit.count() == 0


def test_open_missing_ledger_without_create_is_refused(tmp_path):
    with pytest.raises(ProblemsError, match="台账文件不存在"):
        open_ledger(tmp_path / "none.db")


def test_member_from_resident_id_reads_birth_and_sex_and_keeps_rare_characters(ledger, household, ids):
    num = ids("19600501", male=False)
    mid = ledger.members.add(household, name="𠮷䶮龑", id_number=num.lower(), relation="户主").id
    m = ledger.members.get(mid)
    assert (m.name, m.id_number, m.birth_date, m.sex) == ("𠮷䶮龑", num.upper(), dt.date(1960, 5, 1), "女")
    assert ledger.households.get(household).head_name == "𠮷䶮龑"
    assert [h.member_id for h in ledger.search("𠮷")] == [mid]


def test_bad_resident_id_is_refused_with_reason(ledger, household, make_id):
    good = make_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ProblemsError, match="校验位"):
        ledger.members.add(household, name="张三", id_number=bad)
    assert ledger.members.count() == 0


def test_other_documents_and_no_document(ledger, household, make_id):
    body = "810000" + "19900101" + "123"
    hk = body + ric.calc_check_digit(body + "0")
    m1 = ledger.members.add(household, name="陈大文", id_type="港澳台居民居住证", id_number=hk).id
    assert ledger.members.get(m1).birth_date == dt.date(1990, 1, 1)
    m2 = ledger.members.add(household, name="John", id_type="外国人永久居留身份证", id_number="USA310085012301",
                            birth_date="1985-01-23", sex="男").id
    assert ledger.members.get(m2).id_number == "USA310085012301"
    m3 = ledger.members.add(household, name="无证小孩", id_type="无", birth_date="2024-03-01").id
    assert ledger.members.get(m3).id_number is None
    with pytest.raises(ProblemsError) as err:
        ledger.members.add(household, name="", id_type="无")
    assert {p.place for p in err.value.problems} == {"姓名", "出生日期"}
    with pytest.raises(ProblemsError, match="81/82/83"):
        ledger.members.add(household, name="错号", id_type="港澳台居民居住证", id_number=make_id())


def test_birth_date_disagreeing_with_id_is_refused(ledger, household, ids):
    with pytest.raises(ProblemsError, match="不一致"):
        ledger.members.add(household, name="张三", id_number=ids("19600501"), birth_date="1961-05-01")


def test_same_id_twice_in_any_household_is_refused_saying_where(ledger, household, ids):
    num = ids()
    ledger.members.add(household, name="张三", id_number=num, relation="户主")
    other = ledger.households.add(village="红旗社区").id
    with pytest.raises(ProblemsError) as err:
        ledger.members.add(other, name="张三三", id_number=num)
    msg = str(err.value)
    assert "户 000001" in msg and "东风村 一组" in msg and "张三" in msg
    assert ledger.members.count() == 1


def test_one_head_per_household(ledger, household, ids):
    ledger.members.add(household, name="张三", id_number=ids(), relation="户主")
    with pytest.raises(ProblemsError, match="已有户主 张三"):
        ledger.members.add(household, name="李四", id_number=ids(), relation="户主")


def test_status_reasons_dates_and_rate_membership(ledger, household, ids):
    mid = ledger.members.add(household, name="张三", id_number=ids()).id
    with pytest.raises(ProblemsError, match="死亡日期"):
        ledger.members.set_status(mid, "死亡")
    with pytest.raises(ProblemsError, match="参保地"):
        ledger.members.set_status(mid, "异地参保")
    with pytest.raises(ProblemsError, match="无效"):
        ledger.members.set_status(mid, "出国")
    ledger.members.set_status(mid, "异地参保", detail="北京市朝阳区", on="2024-06-01")
    m = ledger.members.get(mid)
    assert (m.status, m.status_detail, m.status_date, m.enrolled_here) == ("异地参保", "北京市朝阳区",
                                                                          dt.date(2024, 6, 1), False)
    entries = [e for e in ledger.audit.for_member(mid) if e.action == "status"]
    assert entries[-1].before["status"] == "本地参保" and entries[-1].after["status"] == "异地参保"


def test_household_requires_known_village_and_group(ledger):
    with pytest.raises(ProblemsError) as err:
        ledger.households.add(village="不存在村", phone="123")
    assert {p.place for p in err.value.problems} == {"村", "电话"}
    with pytest.raises(ProblemsError, match="没有「九组」"):
        ledger.households.add(village="东风村", group="九组")
    a = ledger.households.add(village="东风村").id
    b = ledger.households.add(village="东风村", number="A-7").id
    c = ledger.households.add(village="东风村").id
    assert [ledger.households.get(x).number for x in (a, b, c)] == ["000001", "A-7", "000002"]


def test_same_id_written_by_another_window_between_check_and_write_is_a_problem(ledger, household, ids, monkeypatch):
    num = ids()
    other = open_ledger(ledger.path, backup=False, operator=ledger.session)
    original = ledger.members._validate

    def validate_then_race(*args, **kwargs):
        rec = original(*args, **kwargs)
        if not other.members.by_id_number(num):
            other.members.add(household, name="另一窗口", id_number=num)  # lands after our check
        return rec

    monkeypatch.setattr(ledger.members, "_validate", validate_then_race)
    with pytest.raises(ProblemsError, match="刚刚已被登记"):
        ledger.members.add(household, name="张三", id_number=num)
    other.close()
    assert [m.name for m in ledger.members.of_household(household)] == ["另一窗口"]
