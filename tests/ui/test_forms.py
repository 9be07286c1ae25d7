"""First run, household and member forms, settings, and the worker task: driven through their widgets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.ui.first_run import FirstRunScreen, parse_villages
from app.ui.member_form import HouseholdForm, MemberForm
from app.ui.settings import Preferences, SettingsDialog
from app.ui.tasks import Cancelled, error_text, run_task

from .conftest import make_id


def test_parse_villages_lists_every_problem():
    villages, problems = parse_villages("东风村：一组 二组\n胜利社区:一组、二组\n新村\n")
    assert villages == {"东风村": ["一组", "二组"], "胜利社区": ["一组", "二组"], "新村": []}
    assert problems == []
    _, problems = parse_villages("东风村：一组 一组\n东风村\n：三组")
    assert [p.place for p in problems] == ["村和组 第1行", "村和组 第2行", "村和组 第3行"]


def test_first_run_creates_a_ledger(qtbot, tmp_path):
    screen = FirstRunScreen(operator="李会计")
    qtbot.addWidget(screen)
    screen.show()
    screen.new_button.click()
    form = screen.create_form
    assert screen.stack.currentWidget() is form
    # the policy summary is readable Chinese from explain_policy
    assert "个人缴费标准" in form.summary.toPlainText()
    form.policy.setCurrentIndex(form.policy.findData("tunliu-2025"))
    assert form.year.value() == 2025 and "屯留" in form.summary.toPlainText()
    # every problem at once, nothing created
    form.path.setText(str(tmp_path / "new.canbao.db"))
    form.create()
    assert "乡镇" in form.problems.text() and "村和组" in form.problems.text()
    assert not (tmp_path / "new.canbao.db").exists()
    form.township.setText("路村乡")
    form.villages.setPlainText("东风村：一组 二组\n胜利村")
    with qtbot.waitSignal(screen.ledger_created, timeout=5000) as blocker:
        form.create()
    lg = blocker.args[0]
    try:
        s = lg.settings.get()
        assert (s.township, s.year, s.policy_id, lg.operator) == ("路村乡", 2025, "tunliu-2025", "李会计")
        assert [(v.name, [g.name for g in v.groups]) for v in s.villages] == [("东风村", ["一组", "二组"]),
                                                                             ("胜利村", [])]
    finally:
        lg.close()


def test_first_run_refuses_an_existing_file(qtbot, tmp_path):
    existing = tmp_path / "old.db"
    existing.write_bytes(b"x")
    screen = FirstRunScreen()
    qtbot.addWidget(screen)
    form = screen.create_form
    form.path.setText(str(existing))
    form.township.setText("镇")
    form.villages.setPlainText("村")
    form.operator.setText("王")
    form.create()
    assert "文件已存在" in form.problems.text()
    assert existing.read_bytes() == b"x"


def test_add_household_and_member_checking_as_you_type(qtbot, ledger):
    hf = HouseholdForm(ledger, village_id=2)
    qtbot.addWidget(hf)
    assert hf.village.currentText() == "胜利村" and hf.group.currentText() == "一组"
    hf.phone.setText("123")
    assert "电话号码格式不对" in hf.problem.text()
    hf.phone.setText("13700000009")
    hf.address.setText("胜利村一组9号")
    hf.save()
    assert hf.result() == hf.DialogCode.Accepted
    hid = hf.change.id
    assert ledger.households.get(hid).village == "胜利村"

    mf = MemberForm(ledger, hid)
    qtbot.addWidget(mf)
    mf.name.setText("孙七")
    qtbot.keyClicks(mf.id_number, make_id("19880808", 77)[:10])
    assert "10/18" in mf.id_hint.text() and not mf.save_button.isEnabled()
    mf.id_number.setText(make_id("19880808", 77)[:17] + ("0" if make_id("19880808", 77)[17] != "0" else "1"))
    assert "校验位" in mf.id_hint.text()
    # a duplicate ID says where it already is
    mf.id_number.setText(make_id("19700101", 11))
    assert "已登记" in mf.id_hint.text() and "张三" in mf.id_hint.text()
    assert "东风村" in mf.problem.text() and "张三" in mf.problem.text()  # the full place, in the problem list
    mf.id_number.setText(make_id("19880808", 77))
    assert mf.birth.text() == "1988-08-08" and mf.sex.currentText() == "男"
    mf.relation.setCurrentText("户主")
    assert mf.save_button.isEnabled(), mf.problem.text()
    mf.cat_name.setCurrentText("重度残疾人")
    mf.cat_dept.setCurrentText("残联")
    mf.cat_date.setText("2024-03-01")
    mf.add_category()
    mf.save()
    assert mf.result() == mf.DialogCode.Accepted, mf.problem.text()
    m = ledger.members.get(mf.member_id)
    assert (m.name, m.birth_date.isoformat(), m.sex, m.relation) == ("孙七", "1988-08-08", "男", "户主")
    cats = ledger.categories.of_member(m.id)
    assert [(c.category, c.department, str(c.recognized_on)) for c in cats] == [("重度残疾人", "残联", "2024-03-01")]


def test_second_head_and_status_rules(qtbot, ledger):
    mf = MemberForm(ledger, 1)
    qtbot.addWidget(mf)
    mf.name.setText("张二")
    mf.id_number.setText(make_id("19990909", 91))
    mf.relation.setCurrentText("户主")
    assert "已有户主 张三" in mf.problem.text()
    mf.relation.setCurrentText("子")
    mf.status.setCurrentText("死亡")
    assert "死亡日期" in mf.problem.text()
    mf.status_date.setText("2024-10-01")
    assert mf.save_button.isEnabled(), mf.problem.text()


def test_edit_member_status_and_history(qtbot, ledger):
    m = ledger.members.get(4)  # 王五
    mf = MemberForm(ledger, m.household_id, m)
    qtbot.addWidget(mf)
    assert mf.history.count() >= 1 and "新增" in mf.history.item(0).text()
    mf.status.setCurrentText("异地参保")
    assert "参保地" in mf.problem.text()
    mf.status_detail.setText("北京市")
    mf.status_date.setText("2024-09-15")
    mf.save()
    assert mf.result() == mf.DialogCode.Accepted, mf.problem.text()
    m = ledger.members.get(4)
    assert (m.status, m.status_detail, str(m.status_date)) == ("异地参保", "北京市", "2024-09-15")
    again = MemberForm(ledger, m.household_id, m)
    qtbot.addWidget(again)
    assert any("参保状态" in again.history.item(i).text() for i in range(again.history.count()))


def test_settings_dialog_saves_preferences_and_ledger_operators(qtbot, ledger, tmp_path):
    prefs = Preferences(tmp_path / "p.ini")
    d = SettingsDialog(prefs, ledger)
    qtbot.addWidget(d)
    d.operator.setText("赵会计")
    d.large_font.setChecked(True)
    d.copies.setValue(2)
    assert d.save()
    again = Preferences(tmp_path / "p.ini")
    assert (again.operator, again.large_font, again.copies) == ("赵会计", True, 2)
    assert ledger.settings.get().operators == ("王会计",)  # operators: the 操作员 dialog, not a text field
    from PySide6.QtWidgets import QApplication

    from app.ui.style import LARGE_PT, apply_style

    assert QApplication.font().pointSize() == LARGE_PT
    apply_style(QApplication.instance(), False)


def test_task_runs_off_thread_reports_progress_and_returns(qtbot):
    import threading

    seen = {}

    def work(progress, cancelled):
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        for i in range(5):
            progress(i, 5)
        return 42

    results = []
    task = run_task(None, "测试", work, results.append)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert results == [42] and seen["thread"]


def test_task_cancel_and_error_become_messages(qtbot, monkeypatch):
    import time

    def slow(progress, cancelled):
        for i in range(1000):
            progress(i, 1000)
            time.sleep(0.005)
        return "finished"

    errors = []
    task = run_task(None, "慢任务", slow, lambda r: errors.append(r), on_error=errors.append)
    task.cancel()
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)

    shown = []
    monkeypatch.setattr("app.ui.tasks.QMessageBox.open", lambda self: shown.append(self.text()))

    def broken(progress, cancelled):
        raise FileNotFoundError(2, "No such file", "/no/such.xlsx")

    task = run_task(None, "导入", broken)
    with qtbot.waitSignal(task.done, timeout=5000):
        pass
    assert shown == ["找不到文件：/no/such.xlsx"]
    assert "Traceback" not in error_text(ValueError("坏"))


def test_end_a_category_on_a_date(qtbot, ledger):
    m = ledger.members.get(2)  # 李四, 低保对象 since 2024-01-01
    mf = MemberForm(ledger, m.household_id, m)
    qtbot.addWidget(mf)
    mf.cat_table.setCurrentCell(0, 0)
    mf.cat_date.setText("2024-12-31")
    mf.end_selected_category()
    assert mf.cat_table.item(0, 3).text().startswith("2024-12-31")
    mf.save()
    assert mf.result() == mf.DialogCode.Accepted, mf.problem.text()
    [rec] = ledger.categories.of_member(2)
    assert str(rec.ended_on) == "2024-12-31"
    # the quote follows: from 2025-01-01 李四 is no longer assisted
    assert ledger.payments.quote(2, "2025-01-10").assistance == 0


def test_a_services_own_cancel_is_not_an_error_box(qtbot, monkeypatch):
    """The demo builder, exports and batch printing raise their own cancel classes; none may show an error."""
    from app.exchange.workbook import ExportCancelled
    from app.ledger.demo_people import DemoCancelled
    from app.paper.layout import Cancelled as PrintCancelled

    shown = []
    monkeypatch.setattr("app.ui.tasks.QMessageBox.open", lambda self: shown.append(self.text()))
    for exc in (DemoCancelled("已取消生成演示台账"), ExportCancelled("已取消导出"), PrintCancelled()):
        def stop(progress, cancelled, exc=exc):
            raise exc

        task = run_task(None, "任务", stop)
        with qtbot.waitSignal(task.done, timeout=5000):
            pass
        assert isinstance(task.error, Cancelled)
    assert shown == []
