"""交换包 and 冲突 in the window, driven with pytest-qt on real ledgers: a village split from the township
writes a packet, the township previews it (counts, conflicts) before importing, then a 专干 resolves the
conflicts with both versions side by side; a grid worker may write packets but neither import nor resolve."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from operators_helper import GRID_WORKER, log_in

from app.ledger import PayLine, open_ledger, stations
from app.ledger.split import split_village

pytest.importorskip("app.sync.packets")

from app.ui.conflict_dialog import ConflictDialog  # noqa: E402
from app.ui.exchange_packet_dialog import ExchangePacketDialog  # noqa: E402
from app.ui.main_window import MainWindow  # noqa: E402

SHOTS = Path(os.environ["CANBAO_SHOTS"]) if os.environ.get("CANBAO_SHOTS") else None


def _shot(widget, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture()
def pair(ledger, tmp_path):
    """(township, village): 东风村 split from the township, then both change 张三's phone and both take his
    payment for 2025 — one 两处修改 and one 重复缴费 waiting in the village's next packet."""
    stations.set_up(ledger, code="220112-000", name="西营镇", kind="乡镇")
    out = split_village(ledger, "东风村", tmp_path / "东风村.canbao.db")
    village = open_ledger(out.path, backup=False)
    log_in(village, "王会计")
    head = next(m for m in ledger.members.of_household(1) if m.name == "张三")
    village.members.update(head.id, phone="13900000001")
    village.payments.record(1, [PayLine(head.id)], method="现金", paid_on="2024-10-08")
    ledger.members.update(head.id, phone="13900000002")
    ledger.payments.record(1, [PayLine(head.id)], method="微信", paid_on="2024-10-09")
    yield ledger, village, head.id
    village.close()


def test_packet_previewed_then_imported_then_conflicts_resolved(qtbot, pair, tmp_path):
    town, village, head = pair
    d = ExchangePacketDialog(village)
    qtbot.addWidget(d)
    d.show()
    assert d.target.count() == 1 and d.target.currentData() == 0  # a village sends to its township only
    d.folder.setText(str(tmp_path))
    d.write_button.click()
    qtbot.waitUntil(lambda: d.written is not None, timeout=20000)
    assert "已生成交换包" in d.message.text() and d.written.path.exists()
    assert d.peers.rowCount() == 1 and d.peers.item(0, 0).text() == "220112-000 西营镇"
    _shot(d, "exchange-packet-written")

    w = MainWindow(town)
    qtbot.addWidget(w)
    w.a_packets.trigger()
    t = next(x for x in w._dialogs if isinstance(x, ExchangePacketDialog))
    t.packet.setText(str(d.written.path))
    assert not t.apply_button.isEnabled()  # never imported without a preview
    t.preview_button.click()
    qtbot.waitUntil(lambda: t.preview is not None, timeout=20000)
    assert "来自 220112-001" in t.preview_text.text() and "2 个冲突" in t.preview_text.text()
    kinds = {(t.counts.item(r, 0).text(), t.counts.item(r, 1).text()) for r in range(t.counts.rowCount())}
    # 张三's phone, changed on both sides, is one of the conflicts: nothing of him is written, so no 人员 修改
    assert ("人员", "修改") not in kinds and ("缴费", "新增") in kinds
    assert t.conflict_list.count() == 2 and t.apply_button.isEnabled()
    assert town.members.get(head).phone == "13900000002"  # the preview wrote nothing
    _shot(t, "exchange-packet-preview")
    t.apply_button.click()
    qtbot.waitUntil(lambda: t.result is not None, timeout=20000)
    assert "新冲突 2 个" in t.message.text() and t.conflicts_button.text() == "处理冲突（2）…"

    t.conflicts_button.click()
    c = next(x for x in w._dialogs if isinstance(x, ConflictDialog))
    assert c.list.rowCount() == 2
    kinds = [c.list.item(r, 1).text() for r in range(2)]
    c.list.selectRow(kinds.index("两处修改"))
    fields = [c.sides.item(r, 0).text() for r in range(c.sides.rowCount())]
    assert fields == ["电话"]  # the reversed phone (a search key) is not shown
    assert c.sides.item(0, 1).text() == "139****0002" and c.sides.item(0, 2).text() == "139****0001"
    assert "220112-001" in c.pick_b.text()
    _shot(c, "conflict-two-edits")
    c.pick_b.setChecked(True)
    c.resolve_button.click()
    assert town.members.get(head).phone == "13900000001" and c.list.rowCount() == 1
    assert c.list.item(0, 1).text() == "重复缴费" and "退费候选" in c.pick_a.text()
    c.pick_a.setChecked(True)
    c.resolve_button.click()
    assert "说明" in c.message.text() and c.list.rowCount() == 1  # a double payment needs a note
    c.note.setText("后一笔办理退费")
    c.resolve_button.click()
    assert "退费候选" in c.message.text()
    assert c.list.rowCount() == 0 and "没有待处理的冲突" in c.title.text()
    c.show_resolved.setChecked(True)
    c.list.selectRow(next(r for r in range(2) if c.list.item(r, 1).text() == "重复缴费"))
    amounts = [c.sides.item(r, 1).text() for r in range(c.sides.rowCount()) if c.sides.item(r, 0).text() == "金额"]
    assert amounts and amounts[0].endswith(" 元")  # in yuan, as the clerk took it (stored in fen)
    _shot(c, "conflict-double-payment")
    c.payments_button.click()  # the refund itself: the household's payments, the usual dialog
    from app.ui.void_refund import PaymentsDialog

    pays = next(x for x in w._dialogs if isinstance(x, PaymentsDialog))
    assert pays.household.id == 1
    c.show_resolved.setChecked(False)
    c.show_resolved.setChecked(True)
    assert c.list.rowCount() == 2 and "王会计" in c.list.item(0, 5).text()


def test_a_grid_worker_writes_packets_but_neither_imports_nor_resolves(qtbot, pair, tmp_path):
    from app.sync.packets import apply_packet, write_packet

    town, village, _ = pair
    packet = write_packet(village, 0, tmp_path)
    apply_packet(town, packet.path)
    log_in(town, "小李", GRID_WORKER)
    t = ExchangePacketDialog(town)
    qtbot.addWidget(t)
    assert t.write_button.isEnabled() and "须专干或管理员" in t.message.text()
    t.packet.setText(str(packet.path))
    t.preview_button.click()
    qtbot.waitUntil(lambda: t.preview is not None, timeout=20000)
    assert not t.apply_button.isEnabled()
    c = ConflictDialog(town)
    qtbot.addWidget(c)
    assert c.list.rowCount() == 2 and not c.resolve_button.isEnabled() and "只能查看" in c.message.text()


def test_a_packet_for_another_station_is_refused_in_the_preview(qtbot, pair, tmp_path):
    from app.sync.packets import write_packet

    town, village, _ = pair
    packet = write_packet(village, 0, tmp_path)
    d = ExchangePacketDialog(village)  # the village itself tries to import its own packet
    qtbot.addWidget(d)
    d.packet.setText(str(packet.path))
    d.preview_button.click()
    qtbot.waitUntil(lambda: d.preview is not None, timeout=20000)
    assert "不能导入" in d.preview_text.text() and not d.apply_button.isEnabled()
