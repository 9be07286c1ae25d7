"""签名密钥 in the window, driven with pytest-qt on real ledgers (a village split from the township): the village
changes its key from 设置 → 站点… → 签名密钥… and the township takes it from the next packet; a packet signed
with a key the township does not have (a laptop reinstalled from a backup) is refused in the preview, and the
专干 replaces the key from there — only with the fingerprint the village reads out and a reason; a station's
first key is imported only once its fingerprint is ticked as compared. Screenshots under CANBAO_SHOTS if set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from operators_helper import GRID_WORKER, log_in

from app.ledger import open_ledger, stations
from app.ledger.split import split_village

pytest.importorskip("app.sync.packets")

from app.sync import signing  # noqa: E402
from app.ui.exchange_packet_dialog import ExchangePacketDialog  # noqa: E402
from app.ui.station_dialog import StationDialog  # noqa: E402
from app.ui.station_key_dialog import StationKeyDialog  # noqa: E402

SHOTS = Path(os.environ["CANBAO_SHOTS"]) if os.environ.get("CANBAO_SHOTS") else None


def _shot(widget, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.layout().activate()  # what the window shows once the event loop has laid out new texts
        widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture()
def pair(ledger, tmp_path):
    stations.set_up(ledger, code="220112-000", name="西营镇", kind="乡镇")
    out = split_village(ledger, "东风村", tmp_path / "东风村.canbao.db")
    village = open_ledger(out.path, backup=False)
    log_in(village, "王会计")
    head = next(m for m in village.members.of_household(1) if m.name == "张三")
    village.members.update(head.id, notes="村里改的")
    (tmp_path / "post").mkdir()
    yield ledger, village, tmp_path / "post"
    village.close()


def _preview(qtbot, d: ExchangePacketDialog, path) -> None:
    d.packet.setText(str(path))
    d.preview_button.click()
    qtbot.waitUntil(lambda: d.preview is not None, timeout=20000)


def _apply(qtbot, d: ExchangePacketDialog) -> None:
    d.result = None
    d.apply_button.click()
    qtbot.waitUntil(lambda: d.result is not None, timeout=20000)


def test_the_village_changes_its_key_and_the_township_takes_it_from_the_next_packet(qtbot, pair):
    from app.sync.packets import write_packet

    town, village, post = pair
    old = signing.own_public_key(village.db)
    s = StationDialog(village)
    qtbot.addWidget(s)
    s.show()
    assert s.keys_button.isEnabled()
    k = s.open_keys()
    qtbot.addWidget(k)
    assert k.own_fingerprint.text() == signing.fingerprint(old)
    k.change_button.click()  # no reason: refused, nothing changed
    assert "须写明原因" in k.message.text() and signing.own_public_key(village.db) == old
    k.change_reason.setText("定期更换")
    k.change_button.click()
    new = signing.own_public_key(village.db)
    assert new != old and k.own_fingerprint.text() == signing.fingerprint(new)
    assert f"新指纹 {signing.fingerprint(new)}" in k.message.text()
    rows = [[k.table.item(r, c).text() for c in range(k.table.columnCount())] for r in range(k.table.rowCount())]
    mine = next(i for i, r in enumerate(rows) if r[0].endswith("（本站）"))
    assert rows[mine][1:3] == [signing.fingerprint(new), "当前"]
    assert rows[mine + 1][:4] == ["", signing.fingerprint(old), "已更换", "本站更换"]  # under it
    assert "定期更换" in rows[mine + 1][5]
    _shot(k, "station-keys-changed")

    up = write_packet(village, 0, post)
    t = ExchangePacketDialog(town)
    qtbot.addWidget(t)
    t.show()
    _preview(qtbot, t, up.path)
    assert t.preview.ok and "更换了签名密钥" in t.preview_text.text() and not t.replace_key_button.isVisible()
    _apply(qtbot, t)
    assert t.result.ok and signing.key_of(town, 1) == new


def test_a_refused_packet_leads_to_replacing_the_key_with_the_fingerprint_read_out(qtbot, pair):
    from app.sync.packets import write_packet

    town, village, post = pair
    # the village's laptop was reinstalled from a backup made before it had a key: it makes a new one
    village.db.execute("DELETE FROM ledger_secret WHERE name = ?", [signing.SECRET])
    up = write_packet(village, 0, post)
    new = signing.own_public_key(village.db)
    before = town.db.execute("SELECT count(*) FROM audit").fetchone()[0]

    t = ExchangePacketDialog(town)
    qtbot.addWidget(t)
    t.show()
    _preview(qtbot, t, up.path)
    assert not t.preview.ok and "不能导入" in t.preview_text.text() and "不是站点 220112-001 登记的密钥" in \
        t.preview_text.text()
    assert t.replace_key_button.isVisible() and not t.apply_button.isEnabled()
    _shot(t, "exchange-packet-key-refused")
    t.replace_key_button.click()
    k = t.key_dialog
    qtbot.addWidget(k)
    assert k.station.currentData() == 1 and k.new_key.text() == new
    assert k.key_fingerprint.text() == signing.fingerprint(new)
    k.heard.setText("1234 5678 9ABC DEF0")  # misheard: refused
    k.reason.setText("重装系统，备份里没有密钥")
    k.replace_button.click()
    assert "不一致" in k.message.text() and signing.key_of(town, 1) != new
    assert town.db.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    k.heard.clear()
    qtbot.keyClicks(k.heard, signing.fingerprint(new).lower())
    _shot(k, "station-keys-replace-filled")
    k.replace_button.click()
    assert signing.key_of(town, 1) == new and "已更换站点 220112-001" in k.message.text()
    rows = [[k.table.item(r, c).text() for c in range(k.table.columnCount())] for r in range(k.table.rowCount())]
    assert any(r[2] == "已更换" and "重装系统" in r[5] and "王会计" in r[5] for r in rows)
    _shot(k, "station-keys-replaced")
    assert "请再点「预览」" in t.message.text() and not t.replace_key_button.isVisible()
    _preview(qtbot, t, up.path)
    assert t.preview.ok
    _apply(qtbot, t)
    assert t.result.ok


def test_a_first_key_is_imported_only_when_its_fingerprint_is_ticked_as_compared(qtbot, pair):
    from app.sync.packets import write_packet

    town, village, post = pair
    town.db.execute("DROP TRIGGER station_keys_never_deleted")  # a station set up by hand: no key on record
    town.db.execute("DELETE FROM station_keys WHERE number = 1")
    up = write_packet(village, 0, post)
    fp = signing.fingerprint(signing.own_public_key(village.db))
    t = ExchangePacketDialog(town)
    qtbot.addWidget(t)
    t.show()
    _preview(qtbot, t, up.path)
    assert t.preview.ok and f"新站点签名密钥（指纹 {fp}）首次记录" in t.preview_text.text()
    assert t.confirm_key.isVisible() and fp in t.confirm_key.text() and not t.apply_button.isEnabled()
    _shot(t, "exchange-packet-first-key")
    t.confirm_key.setChecked(True)
    assert t.apply_button.isEnabled()
    _apply(qtbot, t)
    assert t.result.ok and signing.key_of(town, 1) == signing.own_public_key(village.db)


def test_a_grid_worker_sees_the_fingerprint_but_changes_nothing(qtbot, pair):
    town, village, _ = pair
    log_in(village, "小李", role=GRID_WORKER)
    k = StationKeyDialog(village)
    qtbot.addWidget(k)
    k.show()
    assert k.own_fingerprint.text() == signing.fingerprint(signing.own_public_key(village.db))
    assert not k.change_button.isEnabled() and not k.replace_button.isEnabled()
    assert "只能查看签名密钥" in k.message.text()


@pytest.mark.parametrize("large", [False, True])
def test_the_key_window_fits_1366_by_768(qtbot, pair, large):
    from PySide6.QtWidgets import QApplication

    from app.ui import style

    app = QApplication.instance()
    old, was_large = app.font(), app.property("canbaoLargeFont")
    style.load_fonts(app, background=False)
    style.apply_style(app, large)
    try:
        town, _, _ = pair
        k = StationKeyDialog(town)
        qtbot.addWidget(k)
        k.show()
        hint = k.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 740, hint
        assert k.width() <= 1366 and k.height() <= 740
        _shot(k, f"station-keys-{'large' if large else 'normal'}-font")
    finally:
        app.setFont(old)
        app.setProperty("canbaoLargeFont", was_large)
        app.setStyleSheet("")
