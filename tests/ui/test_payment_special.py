"""The payment dialog records a special case the policy lists (双清: 退役军人 → 400 from payment, not 1,070
with a 90-day wait)."""

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QDate

from tests.ui.conftest import make_id


def test_payment_dialog_records_a_veteran(tmp_path, qtbot):
    from app.ledger import open_ledger
    from app.ui.payment_dialog import PaymentDialog

    lg = open_ledger(tmp_path / "sq.canbao.db", create=True, operator="王会计")
    lg.settings.initialize(township="火车站乡", year=2025, policy_id="shuangqing-2025", operators=["王会计"],
                           villages={"东风村": ["一组"]})
    h = lg.households.add(village="东风村", group="一组").id
    mid = lg.members.add(h, name="刘兵", id_number=make_id("19980501", 11), relation="户主").id
    try:
        dlg = PaymentDialog(lg, h, [mid], paid_on=dt.date(2025, 3, 1))
        qtbot.addWidget(dlg)
        panel = dlg.panels[0]
        assert panel.due() == Decimal(1070)  # late: 400 + 670, 90 days
        panel.special_box.setCurrentIndex(panel.special_box.findData("职工医保断保"))
        assert panel.special_date.isEnabled()
        panel.special_date.setDate(QDate(2025, 2, 1))
        assert panel.due() == Decimal(400) and panel.quote.benefit_start == dt.date(2025, 2, 1)
        panel.special_box.setCurrentIndex(panel.special_box.findData("退役军人"))
        assert not panel.special_date.isEnabled() and panel.due() == Decimal(400)
        pid = dlg.save()
        item = lg.payments.get(pid).items[0]
        assert (item.amount, item.quote.special, item.quote.benefit_start) == (Decimal(400), "退役军人", dt.date(2025, 3, 1))
    finally:
        lg.close()
