"""Refund rules from the documents' words (app.domain.refund).

双清 004 三（七）：居民参保对象在我区参保缴费后，在相应待遇享受期未开始前因重复缴费、参加职工医保或参加其他统筹地区
医保等原因，可在终止与我区居民医保参保关系的同时，申请办理居民参保缴费退费；待遇享受期开始后……个人缴费不再退回。
长春 002 五、在待遇享受期未开始前或待遇等待期内,因重复缴费、死亡退保以及参加职工医保或其他统筹区居民医保的,可……退费。
"""

import pytest

from app.domain.refund import refund_decision
from app.policy_catalog import get_policy
from policy_quotes import D, ask

SQ = "shuangqing-2025"


def decide(pid, reason, on, start, waiting=0, note=""):
    return refund_decision(get_policy(pid), reason=reason, refund_on=on, member_benefit_start=start,
                           waiting_days=waiting, note=note)


def test_a_late_payer_may_be_refunded_before_their_own_benefit_period_begins():
    # “在相应待遇享受期未开始前”: the member's own period. A late payer on 2025-03-01 waits 90 days (三（六）).
    q = ask(SQ, D(1960, 5, 1), D(2025, 3, 1))
    assert (q.waiting_days, q.benefit_start) == (90, D(2025, 5, 31))
    d = decide(SQ, "重复缴费", D(2025, 5, 30), q.benefit_start, q.waiting_days)
    assert d.allowed, d.message
    assert "本人待遇享受期" in d.message and "相应待遇享受期未开始前" in d.clause
    # “待遇享受期开始后……个人缴费不再退回”
    assert not decide(SQ, "重复缴费", D(2025, 5, 31), q.benefit_start, q.waiting_days).allowed


def test_other_reasons_need_a_note_because_the_list_ends_with_deng_yuanyin():
    # “因重复缴费、参加职工医保或参加其他统筹地区医保等原因”
    refused = decide(SQ, "参军", D(2024, 12, 1), D(2025, 1, 1))
    assert not refused.allowed and "说明" in refused.message
    allowed = decide(SQ, "参军", D(2024, 12, 1), D(2025, 1, 1), note="2024年12月入伍，参加军人保险")
    assert allowed.allowed and "等原因" in allowed.message


def test_changchun_2022_keeps_its_closed_list_of_reasons():
    # 五、因重复缴费、死亡退保以及参加职工医保或其他统筹区居民医保的 — no “等”: other reasons are refused
    assert not decide("changchun-2022", "搬家", D(2021, 11, 1), D(2022, 1, 1), note="说明也不行").allowed
    assert decide("changchun-2022", "死亡", D(2022, 4, 1), D(2022, 5, 31), 90).allowed


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_refund_needs_a_reason(reason):
    assert not decide(SQ, reason, D(2024, 12, 1), D(2025, 1, 1)).allowed
