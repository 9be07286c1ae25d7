"""Issue 13: after an import the list count is right at once (not 共 0 户 until a tree click), new villages
appear in the tree; after adding members the count follows."""

from __future__ import annotations

from types import SimpleNamespace

from app.ui.main_window import MainWindow

from .conftest import make_id


def test_count_and_tree_follow_an_import(qtbot, tmp_path):
    from app.ledger import open_ledger

    lg = open_ledger(tmp_path / "empty.canbao.db", create=True, operator="王")
    lg.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王"],
                           villages={"东风村": ["一组"]})
    try:
        w = MainWindow(lg)
        qtbot.addWidget(w)
        w.show()
        qtbot.waitUntil(lambda: w.count_label.text() == "共 0 户", timeout=5000)
        assert w.view.household is None
        # what an import writes: households in a new village, then the dialog's ``imported`` signal
        lg.settings.add_village("红旗村", "村", ["三组"])
        for k in range(3):
            h = lg.households.add(village="红旗村", group="三组").id
            lg.members.add(h, name=f"人{k}", id_number=make_id("19800101", 11 + 2 * k), relation="户主")
        w.after_change(SimpleNamespace(created=3))
        qtbot.waitUntil(lambda: w.count_label.text() == "共 3 户", timeout=5000)
        assert w.model.rowCount() == 3 and w.view.household is not None  # the pane shows a listed household
        assert any(item.text(0) == "红旗村" for item in w.tree.items.values())
    finally:
        lg.close()


def test_count_follows_added_members_in_the_people_list(qtbot, ledger):
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.set_mode("members")
    qtbot.waitUntil(lambda: w.count_label.text() == "共 5 人", timeout=5000)
    form = w.open_member_form(1)
    ledger.members.add(1, name="张小红", id_number=make_id("20120606", 62), relation="女")
    form.saved.emit(SimpleNamespace(id=None))  # what the form sends after saving
    form.reject()
    qtbot.waitUntil(lambda: w.count_label.text() == "共 6 人", timeout=5000)
    assert w.model.rowCount() == 6  # the new member is listed too
