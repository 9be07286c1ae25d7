"""Issue 13: void and refund ask first, naming the person, the receipt and the amount; the refund date is a
calendar limited to [the payment's date, today] (2024-12-01 was accepted as free text on 2026-11-29)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QMessageBox

from app.domain.money import fmt
from app.ui.void_refund import PaymentsDialog


@pytest.fixture()
def asked(monkeypatch):
    """Answer every confirmation with ``asked.answer``; ``asked.texts`` holds the questions."""

    class Asked:
        answer = QMessageBox.StandardButton.No
        texts: list[str] = []

    a = Asked()
    a.texts = []

    def exec_(box):
        a.texts.append(box.text())
        return a.answer

    monkeypatch.setattr(QMessageBox, "exec", exec_)
    return a


def dialog(qtbot, book, key):
    p = book.payments.get(book.ids[key])
    d = PaymentsDialog(book, p.household_id, operator="王会计")
    qtbot.addWidget(d)
    return d, p


def test_void_asks_naming_person_receipt_and_amount(qtbot, book, asked):
    d, p = dialog(qtbot, book, "a")
    d.reason.setText("收错人了")
    assert not d.void()  # declined
    (q,) = asked.texts
    assert p.receipt_no in q and fmt(p.amount) in q and "户主0" in q and "配偶0" in q
    assert not book.payments.get(p.id).voided
    asked.answer = QMessageBox.StandardButton.Yes
    assert d.void()
    assert book.payments.get(p.id).voided


def test_void_without_a_reason_does_not_ask(qtbot, book, asked):
    d, p = dialog(qtbot, book, "a")
    assert not d.void() and asked.texts == [] and "原因" in d.message.text()


def test_refund_asks_and_its_date_is_a_bounded_calendar(qtbot, book, asked):
    d, p = dialog(qtbot, book, "a")
    assert d.refund_date.calendarPopup()
    assert d.refund_date.minimumDate() == QDate(2021, 11, 1)  # the payment's date
    assert d.refund_date.maximumDate() == QDate.currentDate()
    d.refund_date.setDate(QDate(2021, 10, 1))  # before the payment: held at the payment's date
    assert d.refund_date.day() == p.paid_on
    d.refund_date.setDate(QDate.currentDate().addDays(3))  # after today: held at today
    assert d.refund_date.day() == dt.date.today()
    d.refund_date.setDate(QDate(2021, 12, 1))
    d.refund_reason.setCurrentText("重复缴费")
    member = d.refund_member.itemText(0).split("（")[0]
    assert not d.refund()
    (q,) = asked.texts
    assert member in q and p.receipt_no in q and "370.00" in q and "2021-12-01" in q
    assert book.payments.refunds_of(p.id) == []
    asked.answer = QMessageBox.StandardButton.Yes
    assert d.refund()
    (r,) = book.payments.refunds_of(p.id)
    assert r.refunded_on == dt.date(2021, 12, 1)


def test_ledger_refuses_a_refund_dated_after_today(book):
    from app.domain.problems import ProblemsError

    p = book.payments.get(book.ids["a"])
    with pytest.raises(ProblemsError, match="晚于今天"):
        book.payments.refund(p.id, p.items[0].member_id, "重复缴费",
                             refunded_on=dt.date.today() + dt.timedelta(days=1))
