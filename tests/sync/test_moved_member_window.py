"""Issue 15, a member moved between villages, in the window of each village's station: the new village lists
her 已缴 (her payment came with her) and counts her in its tree; the old village no longer lists or counts her;
neither lists the other's household (app.sync.moves)."""

from __future__ import annotations

import os

import pytest

from app.ledger import PayLine
from app.sync import packets

from sync_township import make_township

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def moved(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))
    monkeypatch.setenv("CANBAO_DB", str(tmp_path / "default.canbao.db"))
    township, (v1, v2) = make_township(tmp_path, ["东风村", "红旗村"])
    post = tmp_path / "post"
    post.mkdir()

    def send(frm, to_number, to):
        assert packets.apply_packet(to, packets.write_packet(frm, to_number, post).path).ok

    h1 = v1.households.add(village="东风村", group="一组").id
    zs = v1.members.add(h1, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    m = v1.members.add(h1, name="张小红", id_type="无", birth_date="1990-03-02", sex="女", relation="女").id
    v1.payments.record(h1, [PayLine(zs), PayLine(m)], method="现金", paid_on="2024-10-08")
    h2 = v2.households.add(village="红旗村", group="一组").id
    v2.members.add(h2, name="李四", id_type="无", birth_date="1958-01-01", sex="男", relation="户主")
    send(v1, 0, township)
    send(v2, 0, township)
    township.members.move(m, h2, relation="儿媳", reason="婚迁")
    send(township, 2, v2)
    send(township, 1, v1)
    yield v1, v2
    for lg in (township, v1, v2):
        lg.close()


def _window(qtbot, lg, mode: str):
    from app.ui.main_window import MainWindow

    w = MainWindow(lg)
    qtbot.addWidget(w)
    w.show()
    w.set_mode(mode)
    return w


def _names(w) -> list[str]:
    from app.ui.household_model import COLUMNS

    return sorted(w.model.index(r, COLUMNS.index("姓名")).data() for r in range(w.model.rowCount()))


def test_each_village_window_shows_its_own_people_and_the_moved_member_paid(qtbot, moved):
    v1, v2 = moved
    w = _window(qtbot, v2, "members")
    qtbot.waitUntil(lambda: w.count_label.text() == "共 2 人", timeout=5000)
    assert _names(w) == ["张小红", "李四"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("paid"))
    assert _names(w) == ["张小红"]
    w.pay_filter.setCurrentIndex(w.pay_filter.findData("unpaid"))
    assert _names(w) == ["李四"]
    root = w.tree.items[(None, None)]
    qtbot.waitUntil(lambda: root.toolTip(1) == "已缴 1 人 / 应缴 2 人", timeout=5000)
    w.set_mode("households")
    qtbot.waitUntil(lambda: w.count_label.text() == "共 1 户", timeout=5000)
    # her household's pane: 已缴, and the state's tooltip says which receipt and where it was taken
    w.table.selectRow(0)
    qtbot.waitUntil(lambda: w.view.household is not None and len(w.view.rows) == 2, timeout=5000)
    from app.ui.household_view import C_STATE

    row = next(i for i, r in enumerate(w.view.rows) if r.member.name == "张小红")
    assert w.view.table.item(row, C_STATE).text() == "已缴"
    tip = w.view.table.item(row, C_STATE).toolTip()
    assert tip.startswith("票据 220112-001-2025-") and "，东风村 户 " in tip and "2024-10-08" in tip
    w1 = _window(qtbot, v1, "members")
    qtbot.waitUntil(lambda: w1.count_label.text() == "共 1 人", timeout=5000)
    assert _names(w1) == ["张三"]
    root1 = w1.tree.items[(None, None)]
    qtbot.waitUntil(lambda: root1.toolTip(1) == "已缴 1 人 / 应缴 1 人", timeout=5000)
    w1.set_mode("households")
    qtbot.waitUntil(lambda: w1.count_label.text() == "共 1 户", timeout=5000)
