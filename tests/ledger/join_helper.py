"""Helpers for the join tests: island ledgers (made before stations, used alone) and a township."""

from __future__ import annotations

from pathlib import Path

from stdnum.cn import ric

from app.ledger import PayLine, open_ledger, stations
from operators_helper import log_in

TOWN = "220112"
POLICY, YEAR = "changchun-2022", 2022  # its document has a refund rule (重复缴费 before the benefit year)


def id_number(birth: str, seq: int) -> str:
    body = "220102" + birth + f"{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def new_ledger(path: Path, villages: dict[str, list[str]]):
    lg = open_ledger(path, create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=YEAR, policy_id=POLICY, operators=["王会计"],
                           villages=villages, area_kind="县")
    return lg


def make_township(path: Path):
    lg = new_ledger(path, {"东风村": ["一组", "二组"], "西山村": ["一组"], "南沟村": []})
    stations.set_up(lg, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    return lg


def make_island(path: Path, village: str, first_seq: int, households: int = 3):
    """A ledger used alone before stations: ``households`` households of two in ``village`` (一组), one
    payment each (receipts 2022-000001 …), the second payment voided and the third's wife refunded.
    Returns (ledger, {receipt_no: amount_fen standing}) ."""
    lg = new_ledger(path, {village: ["一组", "三组"]})
    seq = first_seq
    for k in range(households):
        h = lg.households.add(village=village, group="一组" if k % 2 == 0 else "三组",
                              address=f"{village}{k + 1}号").id
        head = lg.members.add(h, name=f"{village[0]}户主{k}", id_number=id_number("19600501", seq), relation="户主").id
        wife = lg.members.add(h, name=f"{village[0]}妻{k}", id_number=id_number("19620302", seq + 1),
                              relation="配偶").id
        seq += 2
        if k == 0:
            lg.categories.add(wife, "低保对象", department="民政", recognized_on="2021-01-01")
        p = lg.payments.record(h, [PayLine(head), PayLine(wife)], method="现金", paid_on="2021-10-08")
        if k == 1:
            lg.payments.void(p.id, "收错户")
        if k == 2:
            lg.payments.refund(p.id, wife, "重复缴费", refunded_on="2021-12-20")
    return lg


def own_totals(lg) -> dict[str, int]:
    """Per village: standing money (payments not voided, minus refunds), in fen."""
    rows = lg.db.execute(
        "SELECT v.name, sum(i.amount_fen) - coalesce(sum(r.amount_fen), 0) FROM payments p"
        " JOIN payment_items i ON i.payment_id = p.id LEFT JOIN refunds r ON r.payment_item_id = i.id"
        " JOIN households h ON h.id = p.household_id JOIN villages v ON v.id = h.village_id"
        " WHERE p.voided_at IS NULL GROUP BY v.name")
    return dict(rows.fetchall())
