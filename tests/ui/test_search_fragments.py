"""Issue 13, search: a single given-name character (䶮) is found in the window's list; fragments from the
middle of a name, an ID number or a phone are found through the FTS5 indexes (kept in step by triggers,
filled for an existing ledger by the migration)."""

from __future__ import annotations

from app.ui.main_window import MainWindow

from .conftest import make_id


def names(w):
    return sorted(w.member_model.index(r, 1).data() for r in range(w.member_model.rowCount()))


def test_a_given_name_character_is_found_in_the_list(qtbot, ledger):
    hid = ledger.households.add(village="东风村", group="二组").id
    ledger.members.add(hid, name="刘䶮", id_number=make_id("19800101", 81), relation="户主")
    ledger.members.add(hid, name="刘\U0002020C明", id_number=make_id("19820101", 82), relation="配偶")  # 𠈌
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.set_mode("members")
    w.search.setText("䶮")
    assert names(w) == ["刘䶮"]
    assert w.view.household.id == hid  # the pane follows
    w.search.setText("\U0002020C")
    assert names(w) == ["刘\U0002020C明"]
    w.search.setText("小明")  # the middle and end of 张小明
    assert names(w) == ["张小明"]
    w.set_mode("households")
    w.search.setText("䶮")
    assert [w.model.household_id(r) for r in range(w.model.rowCount())] == [hid]


def test_fragments_of_id_and_phone(qtbot, ledger):
    zhang = ledger.members.get(1)
    middle = zhang.id_number[6:14]  # the birth date inside the ID number
    assert [h.name for h in ledger.search(middle)] == ["张三"]
    assert [h.name for h in ledger.search("1234567")] == ["张三"]  # middle of 13912345678
    assert [h.name for h in ledger.search("小")] == ["张小明"]
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.set_mode("members")
    w.search.setText("220102")  # the shared area code does not flood the list (an ID typed digit by digit)
    assert names(w) == []


def test_the_index_follows_edits(ledger):
    from app.ledger.search import fragment_ids

    conn = ledger.db.conn
    assert fragment_ids(conn, "小明") == [3]
    ledger.members.update(3, name="张晓光", phone="13600001111")
    assert fragment_ids(conn, "小明") == [] and fragment_ids(conn, "晓光") == [3]
    assert fragment_ids(conn, "0001111") == [3]
    assert fragment_ids(conn, "12") == []  # fewer than 3 digits: not a fragment search


def test_migration_fills_the_index_of_an_existing_ledger(ledger, tmp_path):
    from app.ledger import open_ledger
    from app.ledger.search import fragment_ids

    path = ledger.path
    db = ledger.db
    for t in ("members_search_insert", "members_search_update", "members_search_delete"):
        db.execute(f"DROP TRIGGER {t}")
    db.execute("DROP TABLE member_names")
    db.execute("DROP TABLE member_numbers")
    db.execute("DROP TABLE member_search_paused")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = '0041_member_search_fts'")
    ledger.members.add(2, name="周䶮", id_number=make_id("19990101", 91), relation="子")  # before the index
    ledger.close()
    with open_ledger(path, backup=False) as again:
        assert [again.members.get(i).name for i in fragment_ids(again.db.conn, "䶮")] == ["周䶮"]


def test_a_bulk_load_pauses_the_triggers_and_refills_once(ledger):
    from app.ledger.search import fragment_ids, paused_index

    conn = ledger.db.conn
    with ledger.transaction():
        with paused_index(conn):
            ledger.members.add(2, name="吴䶮", id_number=make_id("19990101", 93), relation="子")
            assert fragment_ids(conn, "䶮") == []  # not yet: the triggers stand still
    assert [ledger.members.get(i).name for i in fragment_ids(conn, "䶮")] == ["吴䶮"]
    ledger.members.add(2, name="郑䶮", id_number=make_id("19990101", 95), relation="子")  # triggers again
    assert len(fragment_ids(conn, "䶮")) == 2
