"""Recognised after payment → money back (先缴后认定，申请支付应享有的资助和补助).

长春 000 二（三）/ 002 四（三）, 吉林 003 二: a member recognised as 低保对象 etc. during the benefit year after paying
the full rate may apply for the assistance and subsidies they are owed. The claim is the difference between
the quote they would have had if recognised at payment and what their payment actually received.

Pure: ``claim_after_recognition(policy, request, received, category, recognized_on)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from .money import ZERO
from .policy import Policy
from .quote import quote
from .quote_model import CategoryFact, Quote, QuoteRequest
from .vocabulary import ClaimPartKind as Part


@dataclass(frozen=True, slots=True)
class ClaimPart:
    kind: Part  # ASSISTANCE (医疗救助参保资助 etc.) | SUBSIDY (财政参保补助) | WITHDRAWN (a subsidy no longer due)
    funder: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Claim:
    owed: bool
    category: str
    recognized_on: dt.date
    total: Decimal
    parts: tuple[ClaimPart, ...]
    message: str  # Chinese: what is owed and why, or why nothing is
    clause: str  # the document's words, with its number

    def to_dict(self) -> dict:
        return {"owed": self.owed, "category": self.category, "recognized_on": self.recognized_on.isoformat(),
                "total": str(self.total), "message": self.message, "clause": self.clause,
                "parts": [{"kind": p.kind, "funder": p.funder, "amount": str(p.amount)} for p in self.parts]}


@dataclass(frozen=True, slots=True)
class Received:
    """What the payment received: assistance at the counter and the subsidies it already carries."""

    due: Decimal  # collected at the counter
    assistance: Decimal
    subsidies: tuple[tuple[str, Decimal], ...]

    @staticmethod
    def of(q: Quote | dict) -> "Received":
        if isinstance(q, Quote):
            return Received(q.due or ZERO, q.assistance or ZERO, tuple(q.subsidies))
        subs = tuple((s["funder"], Decimal(str(s["amount"]))) for s in q.get("subsidies") or ())
        return Received(Decimal(str(q.get("due") or "0")), Decimal(str(q.get("assistance") or "0")), subs)


def claim_after_recognition(policy: Policy, req: QuoteRequest, received: Quote | dict | Received, category: str,
                            recognized_on: dt.date, earlier: tuple[ClaimPart, ...] = ()) -> Claim:
    """The claim for a payment made under ``req`` (its date and facts) when ``category`` is recognised on
    ``recognized_on``. ``owed`` is False (with the reason) where the document gives nothing back.

    ``earlier``: the parts of claims already made on the same payment (their categories must be in ``req`` as
    counting at payment): what they give back counts as received, so help is never paid twice."""
    p = policy
    got = received if isinstance(received, Received) else Received.of(received)
    if earlier:
        back = sum((x.amount for x in earlier if x.kind == Part.ASSISTANCE), ZERO)
        subs: dict[str, Decimal] = {}
        for funder, amount in got.subsidies:
            subs[funder] = subs.get(funder, ZERO) + amount
        for x in earlier:
            if x.kind != Part.ASSISTANCE:
                subs[x.funder] = subs.get(x.funder, ZERO) + x.amount
        # the member paid ``due`` and has been given ``back``: as if the counter had deducted it
        got = Received(got.due - back, got.assistance + back, tuple((f, a) for f, a in subs.items() if a))
    name = p.canonical(category)
    rule = p.recognition
    none = lambda why, clause="": Claim(False, name, recognized_on, ZERO, (), why, p.cite(clause))  # noqa: E731
    if rule is None or rule.claim_until is None:
        return none(f"政策 {p.id} 的文件未规定缴费后认定的困难人员可申请支付资助", rule.clause if rule else "")
    if recognized_on > rule.claim_until:
        return none(f"「{name}」于 {recognized_on} 认定，晚于 {rule.claim_until}，不在本年度资（补）助期间",
                    rule.claim_clause)
    if name not in p.category_by_name:
        return none(f"本政策文件对「{name}」无资助规定", "")
    # as if recognised when paying: the category counts on the payment date
    facts = tuple(f for f in req.categories if f.name != name) + (CategoryFact(name, None),)
    would = quote(p, replace(req, categories=facts))
    if not would.open:
        return none(f"按认定后的身份，该缴费日期不能测算：{would.reason}", rule.claim_clause)
    # owed = what the member bears now − what they would bear recognised (counter minus later subsidies)
    parts: list[ClaimPart] = []
    extra = (would.assistance or ZERO) - got.assistance
    if extra > 0:
        parts.append(ClaimPart(Part.ASSISTANCE, would.assistance_source or "", extra))
    funders = list(dict.fromkeys([f for f, _ in got.subsidies] + [f for f, _ in would.subsidies]))
    for funder in funders:
        more = (sum((a for f, a in would.subsidies if f == funder), ZERO)
                - sum((a for f, a in got.subsidies if f == funder), ZERO))
        if more:  # a subsidy of the old category that the new one replaces is withdrawn (negative)
            parts.append(ClaimPart(Part.SUBSIDY if more > 0 else Part.WITHDRAWN, funder, more))
    # what the member bears is what counts: counter minus the subsidies due, before and after. Where the new
    # category's counter assistance is smaller than what was received (e.g. 低保 130 at the counter, then 劳动模范
    # whose subsidies are larger), the surplus already received reduces the new subsidies (latest first).
    net_before = got.due - sum((a for _, a in got.subsidies), ZERO)
    net_after = (would.due or ZERO) - (would.after_subsidy or ZERO)
    surplus = sum((x.amount for x in parts), ZERO) - (net_before - net_after)
    for i in range(len(parts) - 1, -1, -1):
        if surplus <= 0:
            break
        if parts[i].amount > 0:
            cut = min(parts[i].amount, surplus)
            parts[i] = ClaimPart(parts[i].kind, parts[i].funder, parts[i].amount - cut)
            surplus -= cut
    parts = [x for x in parts if x.amount != 0]
    total = sum((x.amount for x in parts), ZERO)
    if total <= 0:
        return none(f"认定「{name}」后应享有的资助和补助已在缴费时享受，无需补付", rule.claim_clause)
    what = "、".join(f"{x.funder}{x.kind.label} {abs(x.amount)} 元" for x in parts)
    return Claim(True, name, recognized_on, total, tuple(parts),
                 f"缴费后于 {recognized_on} 认定为「{name}」，可申请支付 {total} 元（{what}）", p.cite(rule.claim_clause))
