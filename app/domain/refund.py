"""May a payment be refunded? The rule is the policy's ``[refund]`` section; a refusal quotes it.

Pure: takes the policy, the quote snapshot's facts and the dates, returns a decision.
``before_benefit``: allowed before the year's benefit period starts. ``in_waiting``: allowed while the
member's waiting period runs (late payers, benefit not yet started for them). ``reasons``: the only
reasons the document names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .policy import Policy


@dataclass(frozen=True, slots=True)
class RefundDecision:
    allowed: bool
    message: str  # Chinese: why allowed, or why refused
    clause: str  # the document's words, with its number


def refund_decision(policy: Policy, *, reason: str, refund_on: dt.date, member_benefit_start: dt.date | None,
                    waiting_days: int | None) -> RefundDecision:
    rule = policy.refund
    if rule is None:
        return RefundDecision(False, f"政策 {policy.id} 的文件未规定个人缴费退费办法，不能在台账中登记退费",
                              policy.cite(""))
    clause = policy.cite(rule.clause)
    reason = (reason or "").strip()
    if rule.reasons and reason not in rule.reasons:
        return RefundDecision(False, f"退费原因「{reason}」不在文件规定的范围内（{'、'.join(rule.reasons)}）", clause)
    year_start = policy.benefit.start
    if rule.before_benefit and refund_on < year_start:
        return RefundDecision(True, f"{refund_on} 在待遇享受期（{year_start} 起）开始前，可以退费", clause)
    if (rule.in_waiting and waiting_days and member_benefit_start is not None and refund_on < member_benefit_start):
        return RefundDecision(True, f"{refund_on} 在待遇等待期内（待遇自 {member_benefit_start} 起），可以退费", clause)
    allowed = []
    if rule.before_benefit:
        allowed.append(f"待遇享受期开始（{year_start}）前")
    if rule.in_waiting:
        allowed.append("待遇等待期内")
    when = "或".join(allowed) or "（文件未规定可退费的时段）"
    return RefundDecision(False, f"{refund_on} 不能退费：只有在{when}才能退费", clause)
