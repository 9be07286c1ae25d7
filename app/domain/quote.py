"""The quote: what one member owes under one policy on one payment date, and why, line by line.

``quote(policy, request)`` never raises for facts the documents cover; where a document is silent it
returns a closed quote (``open=False``) whose ``reason`` quotes the clause that leaves it open.
Names must already be canonical: ``check_request`` reports unknown ones, listing the valid names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .money import ZERO, round_money
from .policy import Category, Policy, Special
from .quote_model import Quote, QuoteLine, QuoteRequest

ONE_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class _Choice:
    category: Category | None = None
    kind: str = "none"
    assistance: Decimal = ZERO
    source: str | None = None
    clause: str = ""
    subsidies: list = field(default_factory=list)  # [(funder, amount, clause)]
    late_rule: bool = False


def quote(policy: Policy, req: QuoteRequest) -> Quote:
    p = policy
    lines: list[QuoteLine] = []
    paid = req.paid_on
    w = p.window
    if req.birth_date > paid:
        return _closed(p, req, f"出生日期 {req.birth_date} 晚于缴费日期 {paid}", "")
    if paid < w.start:
        return _closed(p, req, f"{p.year}年度集中缴费期自 {w.start} 开始，{paid} 尚不能缴费", w.clause)

    cats = _effective_categories(p, req, lines)
    in_window = paid <= w.end
    nb = p.newborn
    born_in_year = req.birth_date.year == p.year
    age_days = (paid - req.birth_date).days

    if nb and nb.birth_year_free and born_in_year:
        return _free_newborn(p, req, lines)

    if in_window and w.day_from is not None and not (w.day_from <= paid.day <= w.day_to):
        return _closed(p, req, f"集中缴费期内每月{w.day_from}–{w.day_to}日可办理缴费，{paid} 是{paid.day}日",
                       w.days_clause)

    special = p.special_by_name.get(req.special.name) if req.special else None
    if req.special and special is None:
        lines.append(QuoteLine("note", f"本政策文件未对「{req.special.name}」作特别规定，按一般规则计算", None,
                               p.cite("")))
    late_cat = next((c for c in cats if c.late is not None), None)
    nb_within = bool(nb and nb.within_days is not None and age_days <= nb.within_days
                     and (born_in_year or not nb.same_year_only))

    if special is not None and not in_window and not special.in_window_only:
        event = req.special.event_on
        problem = _special_problem(special, event, paid)
        if problem and (event is None or event > paid):
            return _closed(p, req, problem, special.clause)  # the facts are missing or impossible
        if problem:  # the special case's condition is not met: the general rules apply (“除规定的特殊情形外”)
            lines.append(QuoteLine("note", f"{problem}，不属于该特殊情形，按一般规定计算", None, p.cite(special.clause)))
            special = None

    timing = "window"
    if not in_window:
        if (nb and nb.extension_birth_year == req.birth_date.year and nb.extension_until
                and paid <= nb.extension_until):
            timing = "extension"
            lines.append(QuoteLine("note", f"{nb.extension_birth_year}年出生的新生儿可延至 {nb.extension_until} 缴费",
                                   None, p.cite(nb.extension_clause)))
        elif special is not None and not special.in_window_only:
            timing = "special"
        elif late_cat is not None:
            timing = "late_category"
        elif nb_within and nb.pays_standard:
            timing = "newborn"
        elif not p.late.allowed:
            return _closed(p, req, f"{paid} 已过集中缴费期（{w.start} 至 {w.end}），文件未规定期外缴费办法",
                           p.late.clause)
        elif p.late.until and paid > p.late.until:
            return _closed(p, req, f"{paid} 已晚于本年度最后可缴费日 {p.late.until}", p.late.until_clause)
        else:
            timing = "late"

    # -- personal standard, by tier
    tier_name, base, tier_clause = _tier(p, req)
    lines.append(QuoteLine("standard", f"个人缴费标准（{tier_name}）", base, p.cite(tier_clause)))
    personal_standard = base
    if timing == "late" and p.late.surcharge_fiscal:
        fiscal = p.standard.fiscal_amount
        personal_standard = base + fiscal
        lines.append(QuoteLine("surcharge", "集中缴费期外缴费，加收财政补助标准", fiscal, p.cite(p.late.clause)))
        lines.append(QuoteLine("note", f"财政补助标准 {fiscal} 元", None, p.cite(p.standard.fiscal_clause)))

    # -- assistance at the counter (never stacks: the most favourable single category applies)
    choice = _choose(p, cats, base, tier_name, req, timing == "late_category")
    for c in cats:
        if c.condition and c is choice.category:
            lines.append(QuoteLine("note", f"资助条件：{c.condition}", None, p.cite(c.clause)))
    if choice.assistance > 0:
        label = {"full": "全额资助", "fixed": "定额资助", "percent": "比例资助", "table": "资助"}.get(choice.kind, "资助")
        lines.append(QuoteLine("assistance", f"{choice.category.name}：{choice.source}{label}（缴费时直接扣减）",
                               -choice.assistance, p.cite(choice.clause), choice.source))
    barred = [c for c in cats if c is not choice.category and _barred(c, cats, base)]
    for c in barred:  # e.g. Tunliu: 对不属于医疗救助资助参保对象的二级及以上重度残疾人……资助
        lines.append(QuoteLine("note", f"「{c.name}」的资助只给不属于{'、'.join(c.not_with_sources)}资助参保对象的人员，"
                               f"本人不适用", None, p.cite(c.clause)))
    others = [c.name for c in cats if c is not choice.category and c.kind != "none" and c not in barred]
    if others and choice.category is not None:
        lines.append(QuoteLine("note", f"另有类别 {'、'.join(others)}：资助不叠加，按最有利的「{choice.category.name}」计",
                               None, ""))

    # -- add-ons
    addon_total = ZERO
    addon_assist = ZERO
    charged = []
    for a in p.addons:
        if a.mandatory or a.name in req.addons or (a.default and a.name not in req.declined_addons):
            charged.append(a.name)
            addon_total += a.amount
            kind = "必缴" if a.mandatory else "自愿"
            lines.append(QuoteLine("addon", f"{a.label}（{kind}）", a.amount, p.cite(a.clause)))
            if a.assisted and choice.kind == "full":
                addon_assist += a.amount
                lines.append(QuoteLine("assistance", f"{a.label} 随全额资助", -a.amount, p.cite(a.clause),
                                       choice.source))

    assistance = choice.assistance + addon_assist
    due = personal_standard - assistance + addon_total

    # -- subsidies paid back later (先缴后补), kept apart from the counter
    subsidies = []
    for funder, amount, clause, addon in choice.subsidies:
        if addon and addon not in charged:
            continue
        subsidies.append((funder, amount))
        what = f"{addon}个人缴费" if addon else "个人缴费"
        lines.append(QuoteLine("subsidy", f"先缴后补：{funder}补助{what}（缴费时不体现）", amount, p.cite(clause), funder))
    after_subsidy = sum((a for _, a in subsidies), ZERO)

    # -- benefit period and waiting
    start, end, waiting, b_clause = _benefit(p, req, timing, special, choice, cats, nb_within)
    if start > end:
        return _closed(p, req, f"按规定待遇应自 {start} 起，已晚于本年度待遇享受期结束日 {end}", b_clause)
    if waiting:
        lines.append(QuoteLine("waiting", f"待遇等待期 {waiting} 天（缴费次日起算），待遇自 {start} 起", None,
                               p.cite(p.late.waiting_clause)))
    lines.append(QuoteLine("benefit", f"待遇享受期 {start} 至 {end}", None, p.cite(b_clause)))

    warnings = []
    if p.assisted_warning and any(c.kind != "none" and (c.amount or c.kind in ("full", "percent")) for c in cats):
        warnings.append(p.assisted_warning)
        lines.append(QuoteLine("warning", p.assisted_warning, None, p.cite("")))

    return Quote(
        policy_id=p.id, open=True, reason=None, paid_on=paid, due=due, personal_standard=personal_standard,
        assistance=assistance, assistance_source=choice.source if assistance > 0 else None,
        assistance_category=choice.category.name if (choice.category and assistance > 0) else None,
        after_subsidy=after_subsidy, subsidies=tuple(subsidies), addons=tuple(charged), addons_total=addon_total,
        benefit_start=start, benefit_end=end, waiting_days=waiting, tier=tier_name, timing=timing,
        categories=tuple(c.name for c in cats), lines=tuple(lines), warnings=tuple(warnings),
    )


def _effective_categories(p: Policy, req: QuoteRequest, lines: list) -> list[Category]:
    """Categories that count on the payment date: known to the policy, recognised in time."""
    out = []
    cutoff = p.recognition.cutoff if p.recognition else None
    for fact in req.categories:
        own = p.category_by_name.get(fact.name)
        # a category with its own out-of-window rule (儿童福利机构: 随参随缴) is not a 动态新增 assistance case
        if cutoff and fact.recognized_on and fact.recognized_on > cutoff and not (own and own.late):
            lines.append(QuoteLine("note", f"「{fact.name}」于 {fact.recognized_on} 认定，晚于 {cutoff}，"
                                   f"纳入下一年度资助范围", None, p.cite(p.recognition.clause)))
            continue
        if fact.recognized_on and fact.recognized_on > req.paid_on and p.category_by_name.get(fact.name) \
                and p.category_by_name[fact.name].late is None:
            lines.append(QuoteLine("note", f"「{fact.name}」于 {fact.recognized_on} 认定，缴费时尚未认定，不在缴费时体现",
                                   None, p.cite(p.recognition.clause if p.recognition else "")))
            continue
        cat = p.category_by_name.get(fact.name)
        if cat is None:
            lines.append(QuoteLine("note", f"本政策文件对「{fact.name}」无资助规定", None, p.cite("")))
            continue
        out.append(cat)
    return out


def _tier(p: Policy, req: QuoteRequest) -> tuple[str, Decimal, str]:
    for t in p.standard.tiers:
        if (t.students and req.student) or (t.born_on_or_after and req.birth_date >= t.born_on_or_after):
            return t.name, t.amount, t.clause
    return p.standard.base_name, p.standard.amount, p.standard.clause


def _assist_amount(c: Category, base: Decimal) -> Decimal:
    if c.kind == "full":
        return base
    if c.kind in ("fixed", "table"):
        return min(c.amount, base)
    if c.kind == "percent":
        return round_money(base * c.percent / 100)
    return ZERO


def _subsidies_for(p: Policy, c: Category, tier_name: str, area_kind: str, paid_premium: Decimal) -> list:
    """(funder, amount, clause, addon) for a category. A subsidy pays back what was paid, never more: premium
    parts are capped together at the premium actually paid (parts in the document's order), add-on parts at
    the add-on's amount."""
    out = []
    left = {"": paid_premium}
    for s in p.subsidies:
        if c.name not in s.categories or (s.tier is not None and s.tier != tier_name):
            continue
        for part in s.parts:
            if part.area_kind and part.area_kind != area_kind:
                continue
            if part.addon not in left:
                addon = p.addon_by_name.get(part.addon)
                left[part.addon] = addon.amount if addon else ZERO
            amount = min(part.amount, left[part.addon])
            left[part.addon] -= amount
            if amount > 0:
                out.append((part.funder, amount, s.clause, part.addon))
    return out


def _barred(c: Category, cats: list[Category], base: Decimal) -> bool:
    """A category that applies only to members no other category assists from certain sources."""
    return any(o is not c and o.source in c.not_with_sources and _assist_amount(o, base) > 0 for o in cats)


def _choose(p: Policy, cats: list[Category], base: Decimal, tier_name: str, req: QuoteRequest,
            late_category: bool) -> _Choice:
    if late_category:
        c = next(c for c in cats if c.late is not None)
        return _Choice(c, c.late.kind, base, c.late.source, c.late.clause, [], True)
    area = req.area_kind or (p.area_kinds[0] if p.area_kinds else "")
    best, best_key = _Choice(), (ZERO, ZERO)
    for c in cats:
        # e.g. Tunliu's disability assistance: only for members no 医疗救助 category assists
        if _barred(c, cats, base):
            continue
        amount = _assist_amount(c, base)
        subs = _subsidies_for(p, c, tier_name, area, base - amount)
        key = (amount + sum(a for _, a, _, addon in subs if not addon), amount)
        if key > best_key:
            best, best_key = _Choice(c, c.kind, amount, c.source or None, c.clause, subs), key
    return best


def _special_problem(s: Special, event_on: dt.date | None, paid: dt.date) -> str | None:
    if not s.needs_date:
        return None
    if event_on is None:
        return f"「{s.name}」须提供事件日期（如 --special {s.name}:YYYY-MM-DD）"
    if event_on > paid:
        return f"「{s.name}」的日期 {event_on} 晚于缴费日期 {paid}"
    if s.within_days is not None and (paid - event_on).days > s.within_days:
        return f"「{s.name}」须在 {s.within_days} 天内缴费，{event_on} 至 {paid} 已 {(paid - event_on).days} 天"
    if s.within_months is not None and paid > _add_months(event_on, s.within_months):
        return f"「{s.name}」须在中断后 {s.within_months} 个月内（{_add_months(event_on, s.within_months)} 前）缴费"
    return None


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - ONE_DAY).day
    return dt.date(year, month, min(d.day, last))


def _benefit(p: Policy, req: QuoteRequest, timing: str, special: Special | None, choice: _Choice,
             cats: list[Category], nb_within: bool) -> tuple[dt.date, dt.date, int, str]:
    b, paid = p.benefit, req.paid_on
    if timing in ("window", "extension"):
        if special is not None and special.in_window_only and special.benefit_from == "fixed":
            return special.benefit_start, special.benefit_end or b.end, 0, special.clause
        if b.next_day_from and paid >= b.next_day_from:
            return max(paid + ONE_DAY, b.start), b.end, 0, b.next_day_clause
        return b.start, b.end, 0, b.clause
    if timing == "special":
        event = req.special.event_on if req.special else None
        start = {"event": event, "payment": paid, "next_day": paid + ONE_DAY,
                 "fixed": special.benefit_start}[special.benefit_from]
        return max(start, b.start), special.benefit_end or b.end, 0, special.clause
    if timing == "late_category":
        fact = next((f for f in req.categories if f.name == choice.category.name), None)
        start = fact.recognized_on if (fact and fact.recognized_on) else paid
        return max(start, b.start), b.end, 0, choice.clause
    if timing == "newborn":
        return max(req.birth_date, b.start), b.end, 0, p.newborn.clause
    # late
    exempt = (nb_within and p.newborn.no_waiting) or any(
        c.name in p.late.exempt_categories or (c.source in p.late.exempt_sources and c.kind != "none")
        for c in cats)
    if exempt:
        return max(paid + ONE_DAY, b.start), b.end, 0, p.late.exempt_clause or p.newborn.clause
    waiting = p.late.waiting_days
    return max(paid + dt.timedelta(days=waiting + 1), b.start), b.end, waiting, p.late.clause


def _free_newborn(p: Policy, req: QuoteRequest, lines: list) -> Quote:
    nb = p.newborn
    lines.append(QuoteLine("standard", f"{p.year}年出生的新生儿当年免缴基本医疗保险费", ZERO, p.cite(nb.clause)))
    addon_total, charged = ZERO, []
    for a in p.addons:
        if a.mandatory or a.name in req.addons:
            charged.append(a.name)
            addon_total += a.amount
            lines.append(QuoteLine("addon", f"{a.label}（{'必缴' if a.mandatory else '自愿'}）", a.amount, p.cite(a.clause)))
    start = max(req.birth_date, p.benefit.start)
    lines.append(QuoteLine("benefit", f"待遇享受期 {start} 至 {p.benefit.end}", None, p.cite(nb.clause)))
    return Quote(policy_id=p.id, open=True, reason=None, paid_on=req.paid_on, due=addon_total,
                 personal_standard=ZERO, assistance=ZERO, assistance_source=None, assistance_category=None,
                 after_subsidy=ZERO, subsidies=(), addons=tuple(charged), addons_total=addon_total,
                 benefit_start=start, benefit_end=p.benefit.end, waiting_days=0, tier="新生儿", timing="newborn_free",
                 categories=tuple(c.name for c in req.categories), lines=tuple(lines), warnings=())


def _closed(p: Policy, req: QuoteRequest, reason: str, clause: str) -> Quote:
    line = QuoteLine("closed", reason, None, p.cite(clause) if clause else "")
    return Quote(policy_id=p.id, open=False, reason=reason, paid_on=req.paid_on, due=None, personal_standard=None,
                 assistance=None, assistance_source=None, assistance_category=None, after_subsidy=None,
                 subsidies=(), addons=(), addons_total=None, benefit_start=None, benefit_end=None,
                 waiting_days=None, tier=None, timing="closed", categories=tuple(c.name for c in req.categories),
                 lines=(line,), warnings=(), reason_clause=p.cite(clause) if clause else None)
