"""Issue 13: a number from the middle of an ID number or phone is found in the window's list again — from 4
digits, once typing pauses, off the GUI thread, the newest text winning, capped with 更多…; a short number
typed digit by digit does not flood the list."""

from __future__ import annotations

from app.ui import middle_search
from app.ui.main_window import MainWindow

from .conftest import make_id


def names(w):
    return sorted(w.member_model.index(r, 1).data() for r in range(w.member_model.rowCount()))


def window(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.set_mode("members")
    return w


def test_middle_of_a_phone_and_of_an_id_number(qtbot, ledger):
    w = window(qtbot, ledger)
    w.search.setText("1234567")  # the middle of 张三's phone 13912345678: no prefix matches it
    assert names(w) == []  # at once: the prefix search only
    with qtbot.waitSignal(w.middle_search.found, timeout=10000):
        pass
    qtbot.waitUntil(lambda: names(w) == ["张三"], timeout=5000)
    assert w.view.household.id == ledger.members.get(1).household_id  # the pane follows
    birth = ledger.members.get(2).id_number[6:14]  # 李四's birth date inside the ID number
    w.search.setText(birth)
    qtbot.waitUntil(lambda: "李四" in names(w), timeout=10000)
    w.set_mode("households")  # the same in 按户
    qtbot.waitUntil(lambda: w.model.rowCount() == 1 and w.model.household_id(0) == ledger.members.get(2).household_id,
                    timeout=10000)


def test_three_digits_and_the_area_code_are_not_searched_in_the_middle(qtbot, ledger):
    w = window(qtbot, ledger)
    assert not middle_search.wants_middle("123") and middle_search.wants_middle("1234")
    seen = []
    w.middle_search.found.connect(lambda *a: seen.append(a))
    w.search.setText("220102")  # the shared area code at the start of every ID number
    qtbot.wait(middle_search.DEBOUNCE_MS + 600)
    assert names(w) == [] and all(ids == [] for _t, ids, _m in seen)


def test_the_newest_text_wins(qtbot, ledger):
    w = window(qtbot, ledger)
    found = []
    w.middle_search.found.connect(lambda text, ids, more: found.append(text))
    for i in range(4, 8):  # typed digit by digit, faster than the pause
        w.search.setText("1234567"[:i])
    qtbot.waitUntil(lambda: bool(found), timeout=10000)
    qtbot.wait(300)
    assert found == ["1234567"] and names(w) == ["张三"]


def test_many_matches_are_capped_with_more(qtbot, ledger, monkeypatch):
    monkeypatch.setattr(middle_search, "CAP", 2)
    hid = ledger.households.add(village="胜利村", group="一组").id
    for i in range(5):
        ledger.members.add(hid, name=f"钱{'一二三四五'[i]}", id_number=make_id("19900101", 60 + i),
                           relation="户主" if i == 0 else "子", phone=f"1370099{i:04d}")
    w = window(qtbot, ledger)
    w.search.setText("700990")  # the middle of all five phones
    qtbot.waitUntil(lambda: len(names(w)) == 2, timeout=10000)
    assert w.more_button.isVisible()
    qtbot.waitUntil(lambda: "更多" in w.count_label.text(), timeout=5000)
    w.more_button.click()
    qtbot.waitUntil(lambda: len(names(w)) == 4, timeout=10000)
    w.more_button.click()
    qtbot.waitUntil(lambda: len(names(w)) == 5, timeout=10000)
    assert not w.more_button.isVisible()
    w.search.setText("钱")  # another text: the middle matches and the button go
    assert not w.more_button.isVisible() and len(names(w)) == 5


def test_middle_number_ids_skips_the_id_start_and_says_when_there_are_more(ledger):
    from app.ledger.search import middle_number_ids

    conn = ledger.db.conn
    assert middle_number_ids(conn, "220102") == ([], False)  # the area code, only ever at the start: a prefix
    assert middle_number_ids(conn, "19700101") == ([1], False)  # 张三's birth date inside the ID number
    assert middle_number_ids(conn, "0102", limit=2) == ([1, 2], True)  # in all five ID numbers: capped
    assert middle_number_ids(conn, "0102", after=2, limit=10) == ([3, 4, 5], False)  # the next ones
    assert middle_number_ids(conn, "12") == ([], False)  # too short to be a fragment
