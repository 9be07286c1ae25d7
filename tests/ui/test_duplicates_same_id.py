"""The 重复参保 list in the window with the same ID number at two stations (a village's packet brought the second
enrolment to the township): both places side by side with their stations, both payments noted, and a 专干 keeps
one enrolment — the other becomes 异地参保 naming the kept place. Screenshots (offscreen) under
CANBAO_SCREENSHOTS if set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.ledger import PayLine, stations
from duplicates_helper import build, enrolled_at_another_station, make_id
from operators_helper import log_in


@pytest.fixture()
def town(tmp_path):
    lg, ids = build(tmp_path / "town.canbao.db")
    stations.set_up(lg, code="220112-000", name="西营镇", kind="乡镇")
    stations.record(lg, code="220112-001", name="东风村站", kind="村", parent="220112-000", village="东风村")
    stations.record(lg, code="220112-005", name="胜利村站", kind="村", parent="220112-000", village="胜利村")
    copy = enrolled_at_another_station(lg, ids["王伟"], village="胜利村", station=5)
    ids["王伟@胜利村"] = copy
    # both villages charged him
    lg.payments.record(lg.members.get(ids["王伟"]).household_id, [PayLine(ids["王伟"])], method="现金",
                       paid_on="2024-10-08")
    lg.payments.record(lg.members.get(copy).household_id, [PayLine(copy)], method="微信", paid_on="2024-10-12",
                       override_reason="胜利村站收取（交换包带来）")  # the counter refuses a second one without
    yield lg, ids
    lg.close()


def _shot(widget, name: str) -> None:
    folder = os.environ.get("CANBAO_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(folder) / f"{name}.png"))


def test_a_same_id_pair_shows_both_places_and_one_enrolment_is_kept(qtbot, town):
    from app.ui.duplicates_dialog import DuplicatesDialog

    lg, ids = town
    d = DuplicatesDialog(lg)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=20000):
        pass
    d.show()
    assert d.summary.text() == "排查 24 人，疑似重复参保 8 对"
    t = d.table
    assert [t.item(0, j).text() for j in range(8)] == [
        "100", "同一证件号码", "王伟", "东风村站·东风村一组 000001户", "已缴", "王伟", "胜利村站·胜利村一组 005000001户", "已缴"]
    a, b = d.pane_a.fields, d.pane_b.fields
    number = make_id("19800101", "019")
    assert a["id"].text() == b["id"].text() == f"居民身份证 2201**********{number[-4:]}"
    assert (a["station"].text(), b["station"].text()) == ("东风村站", "胜利村站")
    assert (a["place"].text(), b["place"].text()) == ("东风村 / 一组", "胜利村 / 一组")
    assert (a["household"].text(), b["household"].text()) == ("000001 / 兄弟", "005000001 / 户主")
    assert "证件号码相同；姓名相同" in d.why.text() and "两处本年度都已缴费" in d.why.text()
    assert d.keep_a_button.isEnabled() and d.keep_b_button.isEnabled()
    _shot(d, "duplicates-same-id")
    # no note: refused with the reason; with one: 甲 stands, 乙 becomes 异地参保 and its payment a refund candidate
    d.keep_a_button.click()
    assert "请写明保留这一处参保登记的依据" in d.message.text()
    d.note.setText("户籍在东风村，已电话核实")
    with qtbot.waitSignal(d.loaded, timeout=20000):
        d.keep_a_button.click()
    assert d.message.text().startswith("已保留 王伟（东风村站·东风村一组 000001户）的参保登记；"
                                       "王伟（胜利村站·胜利村一组 005000001户）改为「异地参保」。")
    assert "退费" in d.message.text()
    other = lg.members.get(ids["王伟@胜利村"])
    assert (other.status, other.status_detail) == ("异地参保", "东风村站·东风村一组 000001户（重复参保，保留该处登记）")
    assert d.summary.text() == "排查 24 人，疑似重复参保 7 对（另有 1 对重复参保已处理）"
    with qtbot.waitSignal(d.loaded, timeout=20000):
        d.dismissed_box.setChecked(True)
    row = next(i for i in range(t.rowCount()) if t.item(i, 1).text() == "同一证件号码")
    assert t.item(row, 8).text().startswith(f"【已处理重复参保，保留 #{ids['王伟']}：户籍在东风村，已电话核实（王会计 ")
    t.selectRow(row)
    assert not d.keep_a_button.isEnabled() and not d.dismiss_button.isEnabled()
    assert b["status"].text() == "异地参保"
    _shot(d, "duplicates-same-id-kept")


def test_a_grid_worker_cannot_keep_one(qtbot, town):
    from app.ui.duplicates_dialog import DuplicatesDialog

    lg, ids = town
    log_in(lg, "小网格", role="网格员")
    d = DuplicatesDialog(lg)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.loaded, timeout=20000):
        pass
    d.note.setText("户籍在东风村")
    d.keep_b_button.click()
    assert "无权判定重复参保" in d.message.text()
    assert lg.members.get(ids["王伟"]).status == "本地参保"
