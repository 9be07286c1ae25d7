"""The window's 导入交换包 preview lists what the township's packet brings besides rows: the policy files and
what applying does with each, and the sender's signing key recorded for the first time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import policy_catalog
from app.sync import packets

from sync_township import make_township

pytest.importorskip("PySide6")

from app.ui.exchange_packet_dialog import ExchangePacketDialog  # noqa: E402

SHOTS = Path(os.environ["CANBAO_SHOTS"]) if os.environ.get("CANBAO_SHOTS") else None


def test_the_preview_lists_the_townships_policy_files(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_USER_POLICIES", str(tmp_path / "policies"))
    policy_catalog.reload()
    township, (v1,) = make_township(tmp_path, ["东风村"])
    try:
        down = packets.write_packet(township, 1, tmp_path)
        d = ExchangePacketDialog(v1)
        qtbot.addWidget(d)
        d.show()
        d.tabs.setCurrentIndex(0)
        d.packet.setText(str(down.path))
        d.preview_button.click()
        qtbot.waitUntil(lambda: d.preview is not None, timeout=20000)
        assert "政策 changchun-2025（长春市2025年度城乡居民基本医疗保险）：本机已有，相同" in d.preview_text.text()
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            d.grab().save(str(SHOTS / "exchange-packet-policies.png"))
        d.apply_button.click()
        qtbot.waitUntil(lambda: d.result is not None, timeout=20000)
        assert d.result.ok and "本机已有，相同" in d.message.text()
    finally:
        township.close()
        v1.close()
        policy_catalog.reload()
