"""May a payment be refunded? The rule is the policy's ``[refund]`` section; a refusal quotes it.

Pure: takes the policy, the quote snapshot's facts and the dates, returns a decision.
``before_benefit``: allowed before the member's own benefit period starts (“在相应待遇享受期未开始前”: for a
late payer with a waiting period, that is the day the waiting period ends; without a known start, the year's).
``in_waiting``: allowed while the member's waiting period runs. ``reasons``: the reasons the document names;
``other_reasons`` (the list ends with “等原因”): other reasons are allowed too, each with a written note.
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
                    waiting_days: int | None, note: str = "") -> RefundDecision:
    rule = policy.refund
    if rule is None:
        return RefundDecision(False, f"政策 {policy.id} 的文件未规定个人缴费退费办法，不能在台账中登记退费",
                              policy.cite(""))
    clause = policy.cite(rule.clause)
    reason = (reason or "").strip()
    if not reason:
        return RefundDecision(False, "必须写明退费原因", clause)
    other = bool(rule.reasons) and reason not in rule.reasons
    if other and not rule.other_reasons:
        return RefundDecision(False, f"退费原因「{reason}」不在文件规定的范围内（{'、'.join(rule.reasons)}）", clause)
    if other and not (note or "").strip():
        return RefundDecision(False, f"退费原因「{reason}」不是文件列举的原因（{'、'.join(rule.reasons)}等），"
                              "须在说明中写明具体情况", clause)
    why = f"（文件列举的原因以“等原因”结尾，其他原因已写明说明）" if other else ""
    year_start = policy.benefit.start
    own_start = member_benefit_start or year_start
    if rule.before_benefit and refund_on < year_start:
        return RefundDecision(True, f"{refund_on} 在待遇享受期（{year_start} 起）开始前，可以退费{why}", clause)
    if rule.in_waiting and waiting_days and member_benefit_start is not None and refund_on < member_benefit_start:
        return RefundDecision(True, f"{refund_on} 在待遇等待期内（待遇自 {member_benefit_start} 起），可以退费{why}", clause)
    if rule.before_benefit and refund_on < own_start:
        return RefundDecision(True, f"{refund_on} 在本人待遇享受期（{own_start} 起）开始前，可以退费{why}", clause)
    allowed = []
    if rule.before_benefit:
        allowed.append(f"本人待遇享受期开始（{own_start}）前")
    if rule.in_waiting:
        allowed.append("待遇等待期内")
    when = "或".join(allowed) or "（文件未规定可退费的时段）"
    return RefundDecision(False, f"{refund_on} 不能退费：只有在{when}才能退费", clause)
