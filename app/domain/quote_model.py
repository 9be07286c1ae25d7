"""What goes into a quote and what comes out. The JSON form is a stable interface other tools call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import vocabulary
from .money import fmt
from .policy import Policy
from .problems import Problem


@dataclass(frozen=True, slots=True)
class CategoryFact:
    name: str
    recognized_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class SpecialFact:
    name: str
    event_on: dt.date | None = None  # 断保日期 etc.


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    birth_date: dt.date
    paid_on: dt.date
    categories: tuple[CategoryFact, ...] = ()
    addons: tuple[str, ...] = ()
    declined_addons: tuple[str, ...] = ()
    student: bool = False
    special: SpecialFact | None = None
    area_kind: str = ""  # 区 / 县, where subsidies are split by it; "" = the policy's first


@dataclass(frozen=True, slots=True)
class QuoteLine:
    kind: str  # standard surcharge assistance addon subsidy benefit waiting note warning closed
    text: str
    amount: Decimal | None
    clause: str
    source: str | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text, "amount": fmt(self.amount), "clause": self.clause,
                "source": self.source}


@dataclass(frozen=True, slots=True)
class Quote:
    policy_id: str
    open: bool
    reason: str | None
    paid_on: dt.date
    due: Decimal | None  # collected at the counter, add-ons included
    personal_standard: Decimal | None
    assistance: Decimal | None  # deducted at payment
    assistance_source: str | None
    assistance_category: str | None
    after_subsidy: Decimal | None  # paid back later (先缴后补)
    subsidies: tuple[tuple[str, Decimal], ...]
    addons: tuple[str, ...]
    addons_total: Decimal | None
    benefit_start: dt.date | None
    benefit_end: dt.date | None
    waiting_days: int | None
    tier: str | None
    timing: str
    categories: tuple[str, ...]
    lines: tuple[QuoteLine, ...]
    warnings: tuple[str, ...]
    reason_clause: str | None = None
    special: str | None = None  # the special case recorded for this payment (退役军人, 职工医保断保 …)
    special_on: dt.date | None = None  # its event date (断保日期 …), where the document needs one

    def to_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "policy": self.policy_id, "open": self.open, "reason": self.reason, "reason_clause": self.reason_clause,
            "paid_on": iso(self.paid_on), "due": fmt(self.due), "personal_standard": fmt(self.personal_standard),
            "assistance": fmt(self.assistance), "assistance_source": self.assistance_source,
            "assistance_category": self.assistance_category, "after_subsidy": fmt(self.after_subsidy),
            "subsidies": [{"funder": f, "amount": fmt(a)} for f, a in self.subsidies],
            "addons": list(self.addons), "addons_total": fmt(self.addons_total),
            "benefit_start": iso(self.benefit_start), "benefit_end": iso(self.benefit_end),
            "waiting_days": self.waiting_days, "tier": self.tier, "timing": self.timing,
            "categories": list(self.categories), "warnings": list(self.warnings),
            "lines": [line.to_dict() for line in self.lines],
            "special": self.special, "special_on": iso(self.special_on),
        }


def normalize_request(policy: Policy, req: QuoteRequest) -> tuple[QuoteRequest, list[Problem]]:
    """Map aliases to canonical names and report every unknown name, listing the valid ones."""
    problems: list[Problem] = []
    cats = []
    for c in req.categories:
        name = policy.canonical(c.name)
        if name not in policy.category_names():
            problems.append(Problem("--category", f"未知的人员类别「{c.name}」。可用：{'、'.join(policy.category_names())}"))
        cats.append(CategoryFact(name, c.recognized_on))
    offered = [a.name for a in policy.addons]
    addons = []
    groups: dict[str, str] = {}
    for a in req.addons:
        name = policy.canonical(a)
        if name not in policy.addon_by_name:
            valid = "、".join(offered) if offered else "（本政策没有附加险）"
            problems.append(Problem("--addon", f"政策 {policy.id} 没有附加险「{a}」。可选：{valid}"))
            continue
        group = policy.addon_by_name[name].group
        if group and group in groups and groups[group] != name:
            problems.append(Problem("--addon", f"「{groups[group]}」与「{name}」只能选一个（同属{group}）"))
        if group:
            groups[group] = name
        addons.append(name)
    special = req.special
    if special is not None:
        special = SpecialFact(policy.canonical(special.name), special.event_on)
        if special.name not in policy.special_by_name and special.name not in vocabulary.SPECIALS:
            known = "、".join(dict.fromkeys(policy.special_names() + vocabulary.SPECIALS))
            problems.append(Problem("--special", f"未知的特殊情形「{req.special.name}」。可用：{known}"))
    if policy.area_kinds and req.area_kind and req.area_kind not in policy.area_kinds:
        problems.append(Problem("--area-kind", f"地区类型「{req.area_kind}」无效。可用：{'、'.join(policy.area_kinds)}"))
    fixed = QuoteRequest(req.birth_date, req.paid_on, tuple(cats), tuple(dict.fromkeys(addons)),
                         req.declined_addons, req.student, special, req.area_kind)
    return fixed, problems
