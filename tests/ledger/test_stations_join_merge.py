"""Joining a village the township already holds (app.ledger.join_merge): the township imported 东风村's roster
itself, the village clerk used Canbao alone with the same people. After the join and an exchange both ways the
township has each person once (except a same-ID-different-name pair, left for the 专干), nobody falsely 异地参保 or
未参保, the person paid on both sides listed as 重复缴费, and both ledgers agree on every record they share."""

from __future__ import annotations

from join_helper import id_number, make_township, new_ledger

from app.exchange.from_ledger import unpaid_rows
from app.ledger import PayLine, join, join_card, stations
from app.sync import conflicts, packets

ID = {k: id_number(birth, seq) for k, (birth, seq) in {
    "张建国": ("19600501", 11), "李秀英": ("19620302", 12), "王福": ("19550101", 13), "王二": ("19800101", 15),
    "赵六": ("19700707", 17), "钱七": ("19660606", 19), "钱八": ("19900909", 21), "孙九": ("19750505", 23),
    "张新": ("19990101", 25), "周十": ("19880808", 27)}.items()}
BIRTH = {k: f"{v[6:10]}-{v[10:12]}-{v[12:14]}" for k, v in ID.items()}
NUMBER = {1: "2201120010001", 2: "2201120010002", 3: "2201120010003", 4: "2201120010004"}
SHARED = ("households", "members", "member_categories", "member_years")


def _person(lg, h, name, relation, phone="", id_name=None, **kw):
    return lg.members.add(h, name=name, id_number=ID[id_name or name], birth_date=BIRTH[id_name or name],
                          relation=relation, phone=phone, **kw).id


def _township_roster(town):
    """What the township imported from the district's roster for 东风村, and one payment it took itself."""
    ids = {}
    h1 = town.households.add(village="东风村", group="一组", number=NUMBER[1]).id
    ids["张建国"] = _person(town, h1, "张建国", "户主", "13800000001")
    ids["李秀英"] = _person(town, h1, "李秀英", "配偶")
    ids["张小宝"] = town.members.add(h1, name="张小宝", id_type="无", birth_date="2015-06-01", relation="子").id
    town.categories.add(ids["李秀英"], "低保对象", department="民政", recognized_on="2021-01-01")
    h2 = town.households.add(village="东风村", group="一组", number=NUMBER[2]).id
    ids["王福"] = _person(town, h2, "王福", "户主")
    ids["王二"] = _person(town, h2, "王二", "子")          # the village never entered him
    h3 = town.households.add(village="东风村", group="二组", number=NUMBER[3]).id
    ids["赵六"] = _person(town, h3, "赵六", "户主")        # the village has the same ID as 赵陆: doubtful
    h4 = town.households.add(village="东风村", group="二组", number=NUMBER[4]).id
    ids["钱七"] = _person(town, h4, "钱七", "户主")        # a whole household the village lacks
    ids["钱八"] = _person(town, h4, "钱八", "子")
    h5 = town.households.add(village="东风村", group="一组").id  # the township's own 户编号: matched by its member
    ids["孙九"] = _person(town, h5, "孙九", "户主", "13700000009")
    town.payments.record(h1, [PayLine(ids["张建国"])], method="现金", paid_on="2021-10-09")
    return ids, (h1, h2, h3, h4, h5)


def _village(path):
    """The clerk's laptop used alone: the same people, some phones changed, one new member, one household new."""
    lg = new_ledger(path, {"东风村": ["一组", "二组"]})
    h1 = lg.households.add(village="东风村", group="一组", number=NUMBER[1], address="东风村1号").id
    _person(lg, h1, "张建国", "户主", "13900000001")      # a new phone
    wife = _person(lg, h1, "李秀英", "配偶")
    lg.categories.add(wife, "低保对象", department="民政", recognized_on="2021-01-01")
    lg.members.add(h1, name="张小宝", id_type="无", birth_date="2015-06-01", relation="子")
    _person(lg, h1, "张新", "子")                         # born after the district's roster
    h2 = lg.households.add(village="东风村", group="一组", number=NUMBER[2]).id
    _person(lg, h2, "王福", "户主")
    h3 = lg.households.add(village="东风村", group="二组", number=NUMBER[3]).id
    lg.members.add(h3, name="赵陆", id_number=ID["赵六"], birth_date=BIRTH["赵六"], relation="户主")
    h5 = lg.households.add(village="东风村", group="一组", number="2201120010005").id  # the district's number
    _person(lg, h5, "孙九", "户主", "13700000009")
    h6 = lg.households.add(village="东风村", group="二组").id
    _person(lg, h6, "周十", "户主")
    for h in (h1, h2, h3, h5, h6):  # everyone paid here — 张建国 a second time (the township took his too)
        lg.payments.record(h, [PayLine(m.id) for m in lg.members.of_household(h)], method="现金",
                           paid_on="2021-11-0" + str(1 + h % 8))
    return lg


def _rows(lg, table, ids=None):
    order = "member_id, year" if table == "member_years" else "id"
    key = "member_id" if table == "member_years" else "id"
    return {(r[0], r[1] if table == "member_years" else None): tuple(r) for r in lg.db.execute(
        f"SELECT {key}, {'year' if table == 'member_years' else 'NULL'}, * FROM {table} ORDER BY {order}")}


def test_a_village_the_township_already_holds_merges_person_by_person(tmp_path):
    town = make_township(tmp_path / "town.db")
    ids, (h1, h2, h3, h4, h5) = _township_roster(town)
    v = _village(tmp_path / "v.db")
    card = join_card.write_card(town, tmp_path, village="东风村")
    # after the card: the township changes 孙九's phone (the village changed it too: 两处修改) and 王福's note
    town.members.update(ids["孙九"], phone="13600000009")
    town.members.update(ids["王福"], notes="乡镇核实过")
    v.members.update(v.db.execute("SELECT id FROM members WHERE name = '孙九'").fetchone()[0], phone="13500000009")

    read = join_card.read_card(card.path, card.code_word)
    seen = join.preview(v, read)
    assert seen.merged == {"people_matched": 5, "households_matched": 3, "people_new_here": 3,
                           "households_new_here": 2, "people_township_only": 4, "households_township_only": 2,
                           "doubtful": 1, "held_back": 0}
    text = "\n".join(seen.lines())
    assert "与乡镇台账对上 5 人、3 户" in text and "乡镇有、本村没有：4 人、2 户" in text
    assert "本村「赵陆，1970-07-07」，乡镇「赵六，1970-07-07」" in text and ID["赵六"] not in text  # masked
    out = join.join_township(v, read)
    assert out.merged["people_matched"] == 5 and v.check() == []
    # the matched take the township's ids; what the township has and the village lacked is here now
    assert v.db.execute("SELECT id FROM members WHERE id_number = ?", [ID["张建国"]]).fetchall() == [(ids["张建国"],)]
    assert {h for (h,) in v.db.execute("SELECT id FROM households")} >= {h1, h2, h3, h4, h5}
    assert v.db.execute("SELECT tbl, count(*) FROM station_join_merged GROUP BY tbl").fetchall() == [
        ("households", 3), ("member_categories", 1), ("members", 5)]  # which old id became which, kept
    assert v.households.get(h3 + 0).number == NUMBER[3]  # the township's household, written here
    assert v.db.execute("SELECT number FROM households WHERE id / 1000000000000 = 1 AND number LIKE ?",
                        [NUMBER[3] + "%"]).fetchall() == [(NUMBER[3] + "-001",)]  # 赵陆's, told apart
    assert v.db.execute("SELECT count(*) FROM members WHERE id IN (?, ?, ?)",
                        [ids["王二"], ids["钱七"], ids["钱八"]]).fetchone()[0] == 3

    post = tmp_path / "post"
    post.mkdir()
    up = packets.write_packet(v, 0, post).path
    pv = packets.preview_packet(town, up)
    assert pv.ok, pv.problems
    # only the differences: three new people, 张建国's and 孙九's phones, the address of H1, the district's 户编号 of
    # 孙九's household (the township had only its own), and two new households (赵陆's kept apart)
    assert pv.counts.get("members 新增") == 3 and pv.counts.get("members 修改") == 2, pv.counts
    assert pv.counts.get("households 新增") == 2 and pv.counts.get("households 修改") == 2, pv.counts
    assert not pv.counts.get("member_categories 新增"), pv.counts
    assert packets.apply_packet(town, up).ok
    down = packets.write_packet(town, stations.current(v).number, post).path
    r = packets.apply_packet(v, down)
    assert r.ok, r.problems
    assert packets.apply_packet(town, packets.write_packet(v, 0, post).path).ok  # the acknowledgement round

    # each person once at the township, but the doubtful pair; nobody 异地参保
    for name, number in ID.items():
        held = town.db.execute("SELECT count(*) FROM members WHERE id_number = ?", [number]).fetchone()[0]
        assert held == (2 if name == "赵六" else 1), name
    assert town.db.execute("SELECT count(*) FROM members WHERE status <> '本地参保'").fetchone()[0] == 0
    assert town.db.execute("SELECT count(*) FROM members WHERE name = '张小宝'").fetchone()[0] == 1
    # the village's value where the township did not change it, the township's where both did (listed)
    assert town.members.get(ids["张建国"]).phone == "13900000001"
    assert town.households.get(h5).number == "2201120010005"
    assert town.members.get(ids["王福"]).notes == "乡镇核实过" == v.members.get(ids["王福"]).notes
    listed = conflicts.list_conflicts(town)
    two = [c for c in listed if c.kind == "两处修改"]
    assert [(c.member_id, c.columns) for c in two] == [(ids["孙九"], ("phone", "phone_rev"))]
    assert town.members.get(ids["孙九"]).phone == "13600000009" == v.members.get(ids["孙九"]).phone
    # payments never merge: 张建国 paid twice, the later one the refund candidate
    double = [c for c in listed if c.kind == "重复缴费"]
    assert len(double) == 1 and "缴费两次" in double[0].message
    assert town.db.execute("SELECT count(*) FROM payment_items WHERE member_id = ?", [ids["张建国"]]).fetchone()[0] == 2
    # the township's 未参保明细 lists only who really has not paid
    unpaid = {row["name"] for row in unpaid_rows(town)}
    assert unpaid == {"王二", "钱七", "钱八", "赵六"}, unpaid
    # both ledgers agree on every record they share, and check clean
    for table in SHARED:
        mine, theirs = _rows(v, table), _rows(town, table)
        shared = set(mine) & set(theirs)
        assert (shared or table == "member_years") and {k: mine[k] for k in shared} == {k: theirs[k] for k in shared}, table
    village_rows = town.db.execute("SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id"
                                   " JOIN villages x ON x.id = h.village_id WHERE x.name = '东风村'").fetchone()[0]
    assert v.db.execute("SELECT count(*) FROM members").fetchone()[0] == village_rows == 12
    for lg in (town, v):
        assert lg.check() == [], lg.path.name
        lg.close()


def test_the_terminal_preview_says_who_matched(tmp_path, monkeypatch, capsys):
    from app.cli.main import main

    town = make_township(tmp_path / "town.db")
    _township_roster(town)
    v = _village(tmp_path / "v.db")
    card = join_card.write_card(town, tmp_path, village="东风村")
    town.close()
    v.close()
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    code = main(["station", "join", str(card.path), "--code-word", card.code_word, "--preview",
                 "--db", str(tmp_path / "v.db")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "与乡镇台账对上 5 人、3 户" in out and "本村有、乡镇没有：3 人、2 户" in out
    assert "本村「赵陆，1970-07-07」，乡镇「赵六，1970-07-07」" in out and ID["赵六"] not in out
