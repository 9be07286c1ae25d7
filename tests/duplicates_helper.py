"""A township ledger with injected 重复参保 of every kind and ordinary families that must not be flagged
(tests/ledger/test_duplicates*.py, tests/ui/test_duplicates*.py)."""

from __future__ import annotations

from stdnum.cn import ric

from app.ledger import PayLine, open_ledger
from operators_helper import log_in


def make_id(birth: str, seq: str, area: str = "220102") -> str:
    body = f"{area}{birth}{seq}"
    return body + ric.calc_check_digit(body + "0")


def build(path):
    """The ledger (logged in as 管理员 王会计) and a dict name -> member id of the people it holds."""
    lg = open_ledger(path, create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                           villages={"东风村": ["一组", "二组"], "胜利村": ["一组"], "红旗社区": []}, area_kind="区",
                           village_kinds={"红旗社区": "社区"})
    ids: dict[str, int] = {}

    def house(village, group=""):
        return lg.households.add(village=village, group=group).id

    def add(hid, key, name, birth=None, number=None, sex="", relation="", id_type="居民身份证"):
        if number is None:
            id_type = "无"
        ids[key] = lg.members.add(hid, name=name, id_type=id_type, id_number=number, birth_date=birth, sex=sex,
                                  relation=relation).id
        return ids[key]

    d1, d2, s1, h1 = house("东风村", "一组"), house("东风村", "二组"), house("胜利村", "一组"), house("红旗社区")
    d3 = house("东风村", "一组")
    # 1. variant characters, one side without an ID number: 刘德华 / 劉德華
    add(d1, "刘德华", "刘德华", number=make_id("19610927", "011"), relation="户主")
    add(s1, "劉德華", "劉德華", birth="1961-09-27", sex="男", relation="户主")
    # 2. variant characters and a transposed ID digit: 张伟 / 張偉
    add(d2, "张伟", "张伟", number=make_id("19750315", "123"), relation="户主")
    add(h1, "張偉", "張偉", number=make_id("19750315", "213"), relation="户主")
    # 3. a homophone typo: 王小明 / 王晓明 (one registered without ID number)
    add(d1, "王小明", "王小明", number=make_id("20080808", "031"), relation="子")
    add(h1, "王晓明", "王晓明", birth="2008-08-08", sex="男", relation="子")
    # 4. one character a letter of reading away: 李敏 / 李明
    add(s1, "李敏", "李敏", number=make_id("19900101", "052"), relation="配偶")
    add(d3, "李明", "李明", birth="1990-01-01", sex="女", relation="户主")
    # 5. the same name, birth date and sex with different ID numbers: 赵军 (two villages)
    add(d3, "赵军", "赵军", number=make_id("19820606", "071"), relation="配偶", sex="")
    add(h1, "赵军2", "赵军", number=make_id("19820606", "555", area="220103"), relation="配偶")
    # 6. an ID digit mistyped in the birth date: 孙丽 1980-03-12 / 1980-03-13, two households of one village
    add(d2, "孙丽", "孙丽", number=make_id("19800312", "082"), relation="配偶")
    add(d3, "孙丽2", "孙丽", number=make_id("19800313", "082"), relation="女")
    # 7. the same name, birth date and sex, one without an ID number: 陈红
    add(s1, "陈红", "陈红", number=make_id("19700707", "044"), relation="母亲")
    add(d1, "陈红2", "陈红", birth="1970-07-07", sex="女", relation="母亲")
    # --- ordinary families: never flagged
    t = house("胜利村", "一组")
    add(t, "张大伟", "张大伟", number=make_id("20120505", "015"), relation="户主")  # twins, one household
    add(t, "张小伟", "张小伟", number=make_id("20120505", "017"), relation="兄弟")
    add(t, "周婷", "周婷", number=make_id("20150202", "024"), relation="女")  # twins whose names read close
    add(t, "周玲", "周玲", number=make_id("20150202", "026"), relation="女")
    add(d2, "李亮", "李亮", number=make_id("19880808", "013"), relation="子")  # grown twins, two villages
    add(h1, "李强", "李强", number=make_id("19880808", "015"), relation="子")
    add(d1, "王伟", "王伟", number=make_id("19800101", "019"), relation="兄弟")  # one name, other birth dates
    add(s1, "王伟2", "王伟", number=make_id("19850303", "019"), relation="子")
    add(h1, "王伟3", "王伟", number=make_id("19800102", "037"), relation="兄弟")
    # payments: 张伟 paid in 东风村 this year, 張偉 not
    lg.payments.record(d2, [PayLine(ids["张伟"])], method="现金", paid_on="2024-10-10")
    return lg, ids


def enrolled_at_another_station(lg, member_id: int, village: str = "胜利村", station: int = 5,
                                group: str = "一组") -> int:
    """The same person (same ID number) enrolled again by station ``station`` in a household of ``village``, as
    that station's exchange packet brings them to the township: rows in the station's block of ids
    (app.ledger.ids). Returns the new member's id."""
    from app.ledger.ids import BLOCK

    hid, mid = station * BLOCK + 1, station * BLOCK + 2
    with lg.transaction() as db:
        db.execute("INSERT INTO households (id, number, village_id, group_id, created_at, updated_at)"
                   " SELECT ?, ?, v.id, (SELECT g.id FROM village_groups g WHERE g.village_id = v.id AND g.name = ?),"
                   " '2024-10-01T00:00:00+00:00', '2024-10-01T00:00:00+00:00' FROM villages v WHERE v.name = ?",
                   [hid, f"{station:03d}000001", group, village])
        db.execute("INSERT INTO members (id, household_id, name, name_initials, id_type, id_number, id_rev, sex,"
                   " birth_date, relation, created_at, updated_at) SELECT ?, ?, name, name_initials, id_type,"
                   " id_number, id_rev, sex, birth_date, '户主', created_at, updated_at FROM members WHERE id = ?",
                   [mid, hid, member_id])
    return mid
