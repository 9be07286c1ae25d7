"""A member moved at the township to a household of another station's village reaches that station with the
move itself — the member with its categories — and not the station that never kept it."""

from __future__ import annotations

from app.ledger import PayLine

from sync_township import send as _send


def test_a_member_moved_to_another_stations_village_arrives_there_with_the_move(town):
    township, v1, v2, post = town
    h1 = v1.households.add(village="东风村", group="一组").id
    v1.members.add(h1, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主")
    m = v1.members.add(h1, name="张小红", id_type="无", birth_date="1990-03-02", sex="女", relation="子女").id
    v1.categories.add(m, "低保对象", department="民政", recognized_on="2024-01-01")
    v1.payments.record(h1, [PayLine(m)], method="现金", paid_on="2024-10-08")
    h2 = v2.households.add(village="红旗村", group="一组").id
    v2.members.add(h2, name="李四", id_type="无", birth_date="1958-01-01", sex="男", relation="户主")
    _send(v1, 0, township, post)
    _send(v2, 0, township, post)
    _send(township, 2, v2, post)  # nothing of 东风村 reaches 红旗村
    assert v2.db.execute("SELECT count(*) FROM members WHERE id = ?", [m]).fetchone()[0] == 0
    township.members.move(m, h2, relation="儿媳", reason="嫁入红旗村")
    r = _send(township, 2, v2, post)
    assert r.counts.get("members 新增") == 1 and r.counts.get("member_categories 新增") == 1
    got = v2.members.get(m)
    assert (got.household_id, got.relation, got.name) == (h2, "儿媳", "张小红")
    assert [c.category for c in v2.categories.of_member(m)] == ["低保对象"]
    assert {x.id for x in v2.members.of_household(h2)} == {x.id for x in township.members.of_household(h2)}
    # later edits at the township reach the new station as ordinary updates
    township.members.update(m, notes="已迁入")
    _send(township, 2, v2, post)
    assert v2.members.get(m).notes == "已迁入"
    # and the station's own edits go back as usual
    v2.members.update(m, phone="13800000009")
    _send(v2, 0, township, post)
    assert township.members.get(m).phone == "13800000009"
