"""设置 → 站点… for a ledger used before stations, driven through its widgets: the township writes a join card
(接入已在用的村台账…, the 入站码 shown once), the village joins with it (加入乡镇…, on a worker thread) and the
window goes on with the moved ids; a wrong 入站码 says so and changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

from operators_helper import log_in

from app.ledger import PayLine, open_ledger, stations
from app.ui.main_window import MainWindow
from app.ui.station_dialog import StationDialog

SHOTS = Path(os.environ.get("CANBAO_SHOTS", "")) if os.environ.get("CANBAO_SHOTS") else None


def _shot(widget, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / f"{name}.png"))


def test_the_township_invites_and_the_village_joins(qtbot, ledger, tmp_path):
    town = open_ledger(tmp_path / "town.db", create=True, backup=False)
    log_in(town, "王会计")
    town.settings.initialize(township="西营镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                             villages={"东风村": ["一组"], "胜利村": ["一组"], "南沟村": []}, area_kind="区")
    stations.set_up(town, code="220112-000", name="西营镇", kind="乡镇")
    td = StationDialog(town)
    qtbot.addWidget(td)
    assert td.invite_button.isEnabled() and not td.join_button.isVisible()
    invite = td.open_invite()
    invite.village.setCurrentIndex(invite.village.findData("东风村"))
    invite.folder.setText(str(tmp_path / "U盘"))
    invite.go.click()
    assert invite.written is not None and invite.written.path.exists()
    assert invite.written.path.parent == tmp_path / "U盘" and invite.written.path.name == "220112-001-东风村.canbao-join"
    word = invite.written.code_word
    assert word in invite.code_word.text() and "只显示这一次" in invite.message.text()
    _shot(invite, "station-invite")
    assert stations.get(town, "220112-001").village == "东风村" and td.table.rowCount() == 2

    # the village: the conftest ledger, used alone (no station), with a receipt printed
    h = ledger.households.by_number("000001")
    head = ledger.db.execute("SELECT id FROM members WHERE household_id = ? AND relation = '户主'", [h.id]).fetchone()[0]
    ledger.payments.record(h.id, [PayLine(head)], method="现金", paid_on="2024-10-08")
    w = MainWindow(ledger)
    qtbot.addWidget(w)
    w.show()
    w.open_stations()
    d = next(x for x in w._dialogs if isinstance(x, StationDialog))
    assert d.join_button.isVisible() and d.join_button.isEnabled() and not d.invite_button.isEnabled()
    _shot(d, "station-join-page")
    join = d.open_join()
    join.card.setText(str(invite.written.path))
    join.word.setText("1111-2222-3333")
    join.go.click()
    assert "入站码不对" in join.message.text() and stations.current(ledger) is None
    join.word.setText(word)
    join.go.click()  # first the preview: nothing written yet
    assert "2025-000001 → 220112-001:2025-000001" in join.message.text() and join.go.text() == "确认加入"
    assert stations.current(ledger) is None
    _shot(join, "station-join")
    join.go.click()
    qtbot.waitUntil(lambda: join.outcome is not None, timeout=30000)
    assert "220112-001" in join.message.text() and "1 张已开票据" in join.message.text()
    _shot(join, "station-join-done")
    assert stations.current(ledger).code == "220112-001"
    assert ledger.payments.by_receipt("2025-000001").receipt_no == "220112-001:2025-000001"
    assert "220112-001" in d.own_text.text() and not d.join_button.isVisible()
    assert ledger.check() == []
    # the window goes on with the moved ids: the whole list again, a household opens, a payment is taken
    assert w.model.rowCount() == 2
    w.view.show_household(ledger.households.by_number("001000001").id)
    assert "001000001" in w.view.title.text()
    town.close()
