"""Issue 15, a whole household changing village, in a village station's 修改户 window: choosing another
station's village is refused there with the API's words (the township moves households between villages), the
household stays; choosing another group of its own village is saved."""

from __future__ import annotations

import os

from app.ui.member_form import HouseholdForm

from sync_township import make_township

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def test_the_household_form_at_a_village_refuses_another_stations_village(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_UI_INI", str(tmp_path / "ui.ini"))
    township, (v1, v2) = make_township(tmp_path, ["东风村", "红旗村"])
    try:
        h = v1.households.add(village="东风村", group="一组", address="东风村3号").id
        form = HouseholdForm(v1, v1.households.get(h))
        qtbot.addWidget(form)
        form.village.setCurrentIndex(form.village.findText("红旗村"))
        form.save()
        assert "本站点管理的村（社区）为东风村" in form.problem.text()
        assert "跨村迁户由乡镇在乡镇台账中办理" in form.problem.text()
        assert form.result() != form.DialogCode.Accepted
        if os.environ.get("CANBAO_SCREENSHOTS"):
            form.show()
            form.grab().save(os.environ["CANBAO_SCREENSHOTS"])
        assert v1.households.get(h).village == "东风村"
        form.village.setCurrentIndex(form.village.findText("东风村"))
        form.address.setText("东风村4号")
        form.save()
        assert form.result() == form.DialogCode.Accepted and v1.households.get(h).address == "东风村4号"
    finally:
        for lg in (township, v1, v2):
            lg.close()
