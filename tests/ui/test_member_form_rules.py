"""Issue 13, member and household forms: a short phone number refused (11-digit mobile or landline with
its area code), relation 女 with sex 男 refused, the second member not defaulting to 户主, Escape on a
filled-in form asks before discarding, no English in the messages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.ui.member_form import HouseholdForm, MemberForm

from .conftest import make_id


@pytest.mark.parametrize("phone, ok", [("1390431", False), ("13904310000", True), ("0431-88886666", True),
                                       ("043188886666", True), ("88886666", False), ("12904310000", False)])
def test_phone_must_be_a_mobile_or_a_landline_with_area_code(qtbot, ledger, phone, ok):
    hf = HouseholdForm(ledger, village_id=2)
    qtbot.addWidget(hf)
    hf.phone.setText(phone)
    assert ("电话号码格式不对" not in hf.problem.text()) == ok


def test_relation_and_sex_must_agree(qtbot, ledger):
    mf = MemberForm(ledger, 1)
    qtbot.addWidget(mf)
    mf.name.setText("张某")
    mf.id_number.setText(make_id("20050505", 55))  # odd sequence: 男
    assert mf.sex.currentText() == "男"
    mf.relation.setCurrentText("女")
    assert "应为女性" in mf.problem.text() and not mf.save_button.isEnabled()
    mf.relation.setCurrentText("子")
    assert "应为" not in mf.problem.text() and mf.save_button.isEnabled(), mf.problem.text()


def test_second_member_does_not_default_to_head(qtbot, ledger):
    mf = MemberForm(ledger, 1)  # 张三 is the head
    qtbot.addWidget(mf)
    assert mf.relation.currentText() != "户主"
    assert "本户已有户主" not in mf.problem.text()
    hid = ledger.households.add(village="东风村", group="二组").id
    first = MemberForm(ledger, hid)
    qtbot.addWidget(first)
    assert first.relation.currentText() == "户主"  # an empty household's first member is its head


def test_escape_on_a_filled_form_asks_before_discarding(qtbot, ledger, monkeypatch):
    asked = []
    answer = [QMessageBox.StandardButton.Cancel]

    def exec_(box):
        asked.append(box.text())
        return answer[0]

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    mf = MemberForm(ledger, 1)
    qtbot.addWidget(mf)
    mf.show()
    qtbot.keyClick(mf, Qt.Key.Key_Escape)  # nothing typed yet: closes without asking
    assert asked == [] and not mf.isVisible()
    mf2 = MemberForm(ledger, 1)
    qtbot.addWidget(mf2)
    mf2.show()
    mf2.name.setText("孙八")
    qtbot.keyClick(mf2, Qt.Key.Key_Escape)
    assert len(asked) == 1 and "放弃" in asked[0] and mf2.isVisible() and mf2.name.text() == "孙八"
    answer[0] = QMessageBox.StandardButton.Discard
    qtbot.keyClick(mf2, Qt.Key.Key_Escape)
    assert not mf2.isVisible()


def test_override_message_is_chinese_only(ledger):
    from app.domain.problems import ProblemsError
    from app.ledger import PayLine

    with pytest.raises(ProblemsError) as exc:
        ledger.payments.record(2, [PayLine(5)], method="现金", paid_on="2025-01-10")  # 赵六: 职工医保
    text = " ".join(str(p) for p in exc.value.problems)
    assert "变更原因" in text and "override" not in text
