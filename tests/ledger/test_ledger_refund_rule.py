"""The pure refund rule (app.domain.refund) on the shipped policies, and all-or-nothing transactions."""

import datetime as dt

import pytest

from app.domain.problems import ProblemsError
from app.domain.refund import refund_decision
from app.policy_catalog import get_policy

D = dt.date


@pytest.mark.parametrize("policy_id, reason, on, start, waiting, allowed", [
    ("changchun-2022", "重复缴费", D(2021, 12, 31), D(2022, 1, 1), 0, True),     # before the benefit period
    ("changchun-2022", "重复缴费", D(2022, 1, 1), D(2022, 1, 1), 0, False),      # first day of benefits
    ("changchun-2022", "死亡", D(2022, 4, 1), D(2022, 5, 31), 90, True),         # in the waiting period
    ("changchun-2022", "死亡", D(2022, 5, 31), D(2022, 5, 31), 90, False),       # waiting period over
    ("changchun-2022", "搬家", D(2021, 11, 1), D(2022, 1, 1), 0, False),         # reason not in the document
    ("shuangqing-2025", "参加职工医保", D(2024, 12, 1), D(2025, 1, 1), 0, True),
    ("shuangqing-2025", "死亡", D(2024, 12, 1), D(2025, 1, 1), 0, False),        # not listed, and no note (等原因)
    ("shuangqing-2025", "重复缴费", D(2025, 3, 1), D(2025, 4, 1), 30, True),     # before the member's own period
    ("shuangqing-2025", "重复缴费", D(2025, 4, 1), D(2025, 4, 1), 30, False),    # the member's period has begun
    ("tunliu-2025", "重复缴费", D(2024, 10, 1), D(2025, 1, 1), 0, False),        # no refund rule at all
])
def test_refund_rule(policy_id, reason, on, start, waiting, allowed):
    policy = get_policy(policy_id)
    d = refund_decision(policy, reason=reason, refund_on=on, member_benefit_start=start, waiting_days=waiting)
    assert d.allowed is allowed, d.message
    assert d.message and d.clause.startswith(policy.source.doc_number)


def test_an_outer_transaction_rolls_back_every_write_inside_it(ledger, household, ids):
    n_audit = ledger.audit.count()
    with pytest.raises(ProblemsError):
        with ledger.transaction():
            ledger.members.add(household, name="甲", id_number=ids())
            ledger.members.add(household, name="乙", id_number="123")  # invalid: the whole block is undone
    assert ledger.members.count() == 0 and ledger.audit.count() == n_audit
    with ledger.transaction():
        ledger.members.add(household, name="甲", id_number=ids())
        with pytest.raises(ProblemsError):
            ledger.members.add(household, name="乙", id_number="123")  # caught: only it is undone
    assert ledger.members.count() == 1
