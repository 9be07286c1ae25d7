"""The main window's 按户 mode: one row per household, the same search box and filters pushed into SQL."""

from __future__ import annotations

import pytest

from app.ui import queries
from app.ui.household_model import HOUSEHOLD_COLUMNS, HouseholdListModel
from app.ui.main_window import MainWindow
from app.ui.queries import MemberFilter

YEAR = 2025


@pytest.fixture()
def window(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    return w


def col(w, name: str) -> list[str]:
    m = w.model
    c = HOUSEHOLD_COLUMNS.index(name)
    return [m.index(r, c).data() for r in range(m.rowCount())]


def heads(w) -> list[str]:
    return col(w, "户主")


def all_rows(model) -> None:
    while model.canFetchMore():
        model.fetchMore()


# -- the model


def test_household_model_passes_qt_model_tester(qtmodeltester, ledger):
    model = HouseholdListModel(lambda: ledger.db.conn, YEAR)
    qtmodeltester.check(model)
    model.fetchMore()
    assert model.rowCount() == 2
    qtmodeltester.check(model)
    model.set_filter(MemberFilter(year=YEAR, text="zs"))
    qtmodeltester.check(model)
    model.set_filter(MemberFilter(year=YEAR, pay="unpaid", category="低保对象"))
    qtmodeltester.check(model)


def test_household_row_counts_and_state(window):
    w = window
    assert w.mode == "households" and w.model is w.household_model
    assert w.mode_buttons.checkedButton().text() == "按户"
    assert heads(w) == ["张三", "王五"]
    assert col(w, "村（社区）") == ["东风村", "胜利村"]
    assert col(w, "组") == ["一组", "一组"]
    assert col(w, "人数") == ["3", "2"]
    assert col(w, "应参保人数") == ["3", "1"]  # 赵六 (职工医保) is not required here
    assert col(w, "已缴人数") == ["0", "0"]
    assert col(w, "未缴人数") == ["3", "1"]
    assert col(w, "缴费状态") == ["未缴", "未缴"]
    assert col(w, "住址")[0] == "东风村一组1号" and col(w, "电话")[0] == "138****0001"  # masked on screen


def test_data_never_raises_on_a_bad_row(ledger):
    model = HouseholdListModel(lambda: ledger.db.conn, YEAR)
    model.fetchMore()
    model._rows[0] = ("bad",)
    assert model.index(0, 1).data() == "?"
    assert model.index(0, HOUSEHOLD_COLUMNS.index("缴费状态")).data() == "?"


def test_lazy_paging(ledger, monkeypatch):
    import app.ui.household_model as hm

    monkeypatch.setattr(hm, "PAGE", 1)
    model = HouseholdListModel(lambda: ledger.db.conn, YEAR)
    assert model.rowCount() == 0 and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 1 and model.canFetchMore()
    model.fetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 and not model.canFetchMore()


# -- the window


def test_switch_between_households_and_members(qtbot, window):
    w = window
    w.search.setText("张")
    assert heads(w) == ["张三"]  # two members match, one household
    w.mode_buttons.buttons()[1].click()  # 按人
    assert w.mode == "members" and w.table.model() is w.member_model
    assert [w.model.index(r, 1).data() for r in range(w.model.rowCount())] == ["张三", "张小明"]
    qtbot.waitUntil(lambda: "共 2 人" in w.count_label.text(), timeout=3000)
    w.mode_buttons.buttons()[0].click()  # 按户 again, same search
    assert w.mode == "households" and w.table.model() is w.household_model
    assert heads(w) == ["张三"]
    qtbot.waitUntil(lambda: "共 1 户" in w.count_label.text(), timeout=3000)
    w.set_mode("members")
    assert w.mode_buttons.checkedButton().text() == "按人" and w.table.model() is w.member_model


def test_search_by_name_initials_id_tail_phone_and_number(qtbot, window):
    w = window
    w.search.setText("赵")  # keyClicks types ASCII only
    assert heads(w) == ["王五"]  # a member who is not the head finds the household
    w.search.clear()
    qtbot.keyClicks(w.search, "zxm")
    assert heads(w) == ["张三"]
    w.search.clear()
    tail = w.ledger.members.of_household(2)[1].id_number[-5:]  # 赵六
    qtbot.keyClicks(w.search, tail)
    assert heads(w) == ["王五"]
    w.search.clear()
    qtbot.keyClicks(w.search, "1391234")  # 张三's own phone
    assert heads(w) == ["张三"]
    w.search.clear()
    qtbot.keyClicks(w.search, "1380000")  # the household's phone (no member has it)
    assert heads(w) == ["张三"]
    w.search.clear()
    number = w.ledger.households.get(2).number
    w.search.setText(number)
    assert "王五" in heads(w)
    w.search.setText("nothing")
    assert heads(w) == []


def test_each_filter(qtbot, window):
    w = window
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("not_required"))
    assert heads(w) == []  # every household has someone required here
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
    assert heads(w) == ["张三", "王五"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("paid"))
    assert heads(w) == []
    w.pay_filter.setCurrentIndex(0)
    w.category.setCurrentIndex(w.category.findData("低保对象"))
    assert heads(w) == ["张三"]  # 李四 is in 张三's household
    w.category.setCurrentIndex(0)
    w.tree.select_place(2, None)  # 胜利村
    assert heads(w) == ["王五"]
    qtbot.waitUntil(lambda: "共 1 户" in w.count_label.text(), timeout=3000)
    w.tree.select_place(1, None)
    assert heads(w) == ["张三"]


def test_payment_moves_households_between_filters(qtbot, window):
    w = window
    w.table.selectRow(1)
    assert w.view.household.id == 2
    wang = next(r.member.id for r in w.view.rows if r.member.name == "王五")
    d = w.open_payment(2, [wang])
    assert d.save() is not None, d.problem.text()
    d.close()
    assert col(w, "缴费状态") == ["未缴", "已缴清"] and col(w, "已缴人数") == ["0", "1"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("paid"))
    assert heads(w) == ["王五"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
    assert heads(w) == ["张三"]
    # one of three paid in 张三's household: 部分已缴, still unpaid
    w.pay_filter.setCurrentIndex(0)
    w.table.selectRow(0)
    zhang = w.view.rows[0].member.id
    d = w.open_payment(1, [zhang])
    assert d.save() is not None, d.problem.text()
    d.close()
    assert col(w, "缴费状态") == ["部分已缴", "已缴清"] and col(w, "未缴人数") == ["2", "0"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
    assert heads(w) == ["张三"]


def test_an_empty_household_needs_nothing(qtbot, window):
    w = window
    w.ledger.households.add(village="东风村", group="二组", address="东风村二组9号")
    w.after_change()
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("not_required"))
    assert col(w, "住址") == ["东风村二组9号"] and col(w, "缴费状态") == ["无需缴费"]
    assert col(w, "户主") == [""] and col(w, "人数") == ["0"]


def test_clicking_a_household_row_opens_it(qtbot, window):
    from PySide6.QtCore import Qt

    w = window
    w.table.selectRow(0)
    assert w.view.household.id == 1
    rect = w.table.visualRect(w.model.index(1, 1))
    qtbot.mouseClick(w.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert w.view.household.id == 2
    assert [r.member.name for r in w.view.rows] == ["王五", "赵六"]
    assert w.selected_household_numbers() == [w.ledger.households.get(2).number]


# -- on a demo ledger: counts match SQL


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from app.ledger import open_ledger
    from app.ledger.demo import build_demo_ledger

    path = tmp_path_factory.mktemp("demo") / "demo.canbao.db"
    build_demo_ledger(path, people=600)
    lg = open_ledger(path, backup=False)
    yield lg
    lg.close()


def direct_count(conn, f: MemberFilter) -> int:
    """The same question asked the slow, obvious way: per household, over its members."""
    per_hh: dict[int, list[tuple]] = {h: [] for (h,) in conn.execute("SELECT id FROM households")}
    sql = (f"SELECT m.household_id, m.name, m.name_initials, coalesce(m.id_number, ''), m.phone,"
           f" {queries.REQUIRED_SQL}, {queries.PAID_SQL},"
           " (SELECT group_concat(c.category, '|') FROM member_categories c WHERE c.member_id = m.id"
           " AND c.ended_on IS NULL) FROM members m")
    for row in conn.execute(sql, {"year": f.year}):
        per_hh[row[0]].append(row[1:])
    hh = {h: (n, v, g, p) for h, n, v, g, p in
          conn.execute("SELECT id, number, village_id, group_id, phone FROM households")}
    t = f.text
    n = 0
    for h, members in per_hh.items():
        number, vid, gid, phone = hh[h]
        if f.village_id is not None and vid != f.village_id:
            continue
        if f.group_id is not None and gid != f.group_id:
            continue
        if f.category and not any(f.category in (m[6] or "").split("|") for m in members):
            continue
        required = [m for m in members if m[4]]
        if f.pay == "unpaid" and not any(not m[5] for m in required):
            continue
        if f.pay == "paid" and not (required and all(m[5] for m in required)):
            continue
        if f.pay == "not_required" and required:
            continue
        if t:
            if t.isdigit():
                hit = (number == t or (len(t) >= 3 and phone.startswith(t))
                       or any(m[2].endswith(t) or m[3].endswith(t) or (len(t) >= 10 and m[2].startswith(t))
                              or (len(t) >= 3 and m[3].startswith(t)) for m in members))
            elif t.isascii():
                hit = any(m[1].startswith(t.lower()) for m in members)
            else:
                hit = any(m[0].startswith(t) for m in members)
            if not hit:
                continue
        n += 1
    return n


def test_counts_match_sql_on_a_demo_ledger(demo, monkeypatch):
    conn = demo.db.conn
    year = demo.settings.get().year
    name = conn.execute("SELECT name FROM members ORDER BY id LIMIT 1 OFFSET 100").fetchone()[0]
    tail = conn.execute("SELECT substr(id_number, -4) FROM members WHERE id_number IS NOT NULL LIMIT 1"
                        " OFFSET 50").fetchone()[0]
    cat = conn.execute("SELECT category FROM member_categories WHERE ended_on IS NULL LIMIT 1").fetchone()[0]
    vid, gid = conn.execute("SELECT village_id, group_id FROM households WHERE group_id IS NOT NULL LIMIT 1"
                            ).fetchone()
    filters = [MemberFilter(year=year, text=text, pay=pay) for text in ("", name[0], name, "z", "zh", tail, "13")
               for pay in ("all", "unpaid", "paid", "not_required")]
    filters += [MemberFilter(year=year, category=cat), MemberFilter(year=year, village_id=vid),
                MemberFilter(year=year, village_id=vid, group_id=gid, pay="unpaid"),
                MemberFilter(year=year, text=name[0], category=cat)]
    seen_nonzero = {"unpaid": 0, "paid": 0, "not_required": 0}
    for dense in (queries.DENSE_MATCHES, 1):  # both search plans (index collect / walk households)
        monkeypatch.setattr(queries, "DENSE_MATCHES", dense)
        for f in filters:
            expected = direct_count(conn, f)
            model = HouseholdListModel(lambda: conn, year)
            model.set_filter(f)
            all_rows(model)
            assert model.rowCount() == expected == queries.household_count(conn, f), f
            ids = [model.household_id(r) for r in range(model.rowCount())]
            assert ids == sorted(set(ids))  # each household once, in order
            if f.pay in seen_nonzero and expected:
                seen_nonzero[f.pay] += 1
    assert all(seen_nonzero.values()), seen_nonzero  # the demo has households in every payment state


def test_demo_window_in_household_mode(qtbot, demo):
    w = MainWindow(demo)
    qtbot.addWidget(w)
    w.show()
    conn = demo.db.conn
    total = conn.execute("SELECT count(*) FROM households").fetchone()[0]
    qtbot.waitUntil(lambda: f"共 {total} 户" in w.count_label.text(), timeout=5000)
    assert w.view.household is not None and w.view.household.id == w.model.household_id(0)
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
    state = HOUSEHOLD_COLUMNS.index("缴费状态")
    all_rows(w.model)
    states = {w.model.index(r, state).data() for r in range(w.model.rowCount())}
    assert states <= {"未缴", "部分已缴"} and states
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("paid"))
    all_rows(w.model)
    assert {w.model.index(r, state).data() for r in range(w.model.rowCount())} == {"已缴清"}
    w.table.selectRow(w.model.rowCount() - 1)
    assert w.view.household.id == w.model.household_id(w.model.rowCount() - 1)
