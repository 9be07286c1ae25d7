"""The household form renumbers a household (a hand-given 户编号 the township refused: ``app.sync.resend``)."""

from __future__ import annotations

from app.ui.member_form import HouseholdForm


def test_the_household_form_changes_the_number(qtbot, ledger):
    taken = ledger.households.add(village="胜利村", group="一组", number="0002").id
    hid = ledger.households.add(village="胜利村", group="一组", number="0001").id
    hf = HouseholdForm(ledger, ledger.households.get(hid))
    qtbot.addWidget(hf)
    assert hf.number.text() == "0001"
    hf.number.setText("0002")
    hf.save()
    assert "户编号「0002」已存在" in hf.problem.text() and ledger.households.get(hid).number == "0001"
    hf.number.setText("0001-2")
    hf.save()
    assert hf.result() == hf.DialogCode.Accepted
    assert ledger.households.get(hid).number == "0001-2" and ledger.households.get(taken).number == "0002"
