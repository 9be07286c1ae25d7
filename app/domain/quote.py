"""The quote: what one member owes under one policy on one payment date, and why, line by line.

``quote(policy, request)`` never raises for facts the documents cover; where a document is silent it
returns a closed quote (``open=False``) whose ``reason`` quotes the clause that leaves it open.
Names must already be canonical: ``check_request`` reports unknown ones, listing the valid names.

The quote is a pipeline of small steps, each a pure function testable on its own:

    timing_of → counter_of (standard and assistance at the counter) → addons_of → subsidies_of → benefit_of

A step that finds the payment impossible raises ``Closed`` (reason + clause); ``quote`` turns that into a
closed quote. Each step returns its own lines; ``quote`` joins them in this order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .money import ZERO, round_money
from .policy import Category, Policy, Special
from .quote_model import Quote, QuoteLine, QuoteRequest
from .vocabulary import CategoryKind as Kind
from .vocabulary import LineKind as Line
from .vocabulary import Timing as When

ONE_DAY = dt.timedelta(days=1)


class Closed(Exception):
    """The document does not allow this payment (or the facts are impossible): reason and clause."""

    def __init__(self, reason: str, clause: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.clause = clause


# ----------------------------------------------------------------------------------------------- results
@dataclass(slots=True)  # not frozen: built once per quote, frozen init costs
class PaymentTiming:
    """Which rule of the document the payment date falls under.

    ``kind``: window | grace | group_window | extension | special | late_category | dynamic | newborn |
    newborn_free | late."""

    kind: When
    categories: tuple[Category, ...]  # categories that count on the payment date
    special: Special | None  # the special case that applies (None: none, or its condition is not met)
    newborn_within: bool  # born within the document's newborn days before payment
    lines: tuple[QuoteLine, ...] = ()
    window_rule: object | None = None  # the grace period or group window that applies, if any


@dataclass(slots=True)  # not frozen: built once per quote, frozen init costs
class Assistance:
    """The one assistance deducted at the counter (never stacks: the most favourable category)."""

    category: Category | None = None
    kind: Kind = Kind.NONE
    amount: Decimal = ZERO
    source: str | None = None
    clause: str = ""
    subsidies: tuple = ()  # ((funder, amount, clause, addon), …) paid back later for this category


@dataclass(slots=True)  # not frozen: built once per quote, frozen init costs
class Counter:
    tier: str
    base: Decimal  # the personal standard of the tier
    personal_standard: Decimal  # base, plus the fiscal surcharge for late payment where the document says so
    assistance: Assistance
    lines: tuple[QuoteLine, ...]


@dataclass(slots=True)  # not frozen: built once per quote, frozen init costs
class Addons:
    charged: tuple[str, ...]
    total: Decimal
    assisted: Decimal  # add-on amounts covered by full assistance
    lines: tuple[QuoteLine, ...]


@dataclass(slots=True)  # not frozen: built once per quote, frozen init costs
class Subsidies:
    items: tuple[tuple[str, Decimal], ...]
    total: Decimal
    lines: tuple[QuoteLine, ...]


@dataclass(slots=True)  # not frozen: built once per quote, frozen init costs
class Period:
    start: dt.date
    end: dt.date
    waiting: int
    clause: str
    lines: tuple[QuoteLine, ...]


# ----------------------------------------------------------------------------------------------- pipeline
def quote(policy: Policy, req: QuoteRequest) -> Quote:
    p = policy
    try:
        timing = timing_of(p, req)
        counter = counter_of(p, req, timing)
        addons = addons_of(p, req, timing, counter)
        subsidies = subsidies_of(p, counter, addons)
        period = benefit_of(p, req, timing, counter)
    except Closed as closed:
        return _closed(p, req, closed.reason, closed.clause)
    warnings = warnings_of(p, timing)
    lines = timing.lines + counter.lines + addons.lines + subsidies.lines + period.lines
    if warnings:
        lines += tuple(QuoteLine(Line.WARNING, w, None, p.cite("")) for w in warnings)
    a = counter.assistance
    assistance = a.amount + addons.assisted
    due = counter.personal_standard - assistance + addons.total
    free = timing.kind == When.NEWBORN_FREE
    return Quote(
        policy_id=p.id, open=True, reason=None, paid_on=req.paid_on, due=due,
        personal_standard=counter.personal_standard, assistance=assistance,
        assistance_source=a.source if assistance > 0 else None,
        assistance_category=a.category.name if (a.category and assistance > 0) else None,
        after_subsidy=subsidies.total, subsidies=subsidies.items, addons=addons.charged, addons_total=addons.total,
        benefit_start=period.start, benefit_end=period.end, waiting_days=period.waiting, tier=counter.tier,
        timing=timing.kind,
        categories=tuple(c.name for c in req.categories) if free else tuple(c.name for c in timing.categories),
        lines=lines, warnings=warnings, special=req.special.name if req.special else None,
        special_on=req.special.event_on if req.special else None,
    )


# ----------------------------------------------------------------------------------------------- 1. timing
def timing_of(p: Policy, req: QuoteRequest) -> PaymentTiming:
    """Which rule the payment date falls under: the window, a grace period, a group's own window, a newborn
    extension, a special case, a category's own rule, a 动态新增 recognition, a newborn, or late payment."""
    paid, w = req.paid_on, p.window
    if req.birth_date > paid:
        raise Closed(f"出生日期 {req.birth_date} 晚于缴费日期 {paid}")
    lines: list[QuoteLine] = []
    cats = effective_categories(p, req, lines)
    group = _group_window(p, req, cats) if p.group_windows else None
    if paid < w.start and group is None:
        raise Closed(f"{p.year}年度集中缴费期自 {w.start} 开始，{paid} 尚不能缴费", w.clause)
    in_window = w.start <= paid <= w.end
    nb = p.newborn
    born_in_year = req.birth_date.year == p.year
    age_days = (paid - req.birth_date).days

    if nb and nb.birth_year_free and born_in_year:
        return PaymentTiming(When.NEWBORN_FREE, tuple(cats), None, True, tuple(lines))

    extension = bool(nb and nb.extension_birth_year == req.birth_date.year and nb.extension_until
                     and paid <= nb.extension_until)
    grace = next((g for g in p.grace if g.start <= paid <= g.end), None) if p.grace else None
    # 屯留 一、2024年出生的新生儿……可于2025年3月底前办理参保缴费手续: every day up to then, not only days 1–25
    if in_window and w.day_from is not None and not extension and not (w.day_from <= paid.day <= w.day_to):
        raise Closed(f"集中缴费期内每月{w.day_from}–{w.day_to}日可办理缴费，{paid} 是{paid.day}日", w.days_clause)

    special = p.special_by_name.get(req.special.name) if req.special else None
    if req.special and special is None:
        lines.append(QuoteLine(Line.NOTE, f"本政策文件未对「{req.special.name}」作特别规定，按一般规则计算", None,
                               p.cite("")))
    late_cat = next((c for c in cats if c.late is not None), None)
    nb_within = bool(nb and nb.within_days is not None and age_days <= nb.within_days
                     and (born_in_year or not nb.same_year_only))

    if special is not None and not in_window and not special.in_window_only:
        event = req.special.event_on
        problem = special_problem(special, event, paid)
        if problem and (event is None or event > paid):
            raise Closed(problem, special.clause)  # the facts are missing or impossible
        if problem:  # the special case's condition is not met: the general rules apply (“除规定的特殊情形外”)
            lines.append(QuoteLine(Line.NOTE, f"{problem}，不属于该特殊情形，按一般规定计算", None, p.cite(special.clause)))
            special = None

    rule = None
    if grace is not None and not (special is not None and not special.in_window_only and not in_window):
        kind, rule = When.GRACE, grace
        lines.append(QuoteLine(Line.NOTE, f"{grace.start} 至 {grace.end} 缴费：{_grace_words(grace)}", None,
                               p.cite(grace.clause)))
    elif in_window:
        kind = When.WINDOW
    elif group is not None:
        kind, rule = When.GROUP_WINDOW, group
        lines.append(QuoteLine(Line.NOTE, f"{group.name}的缴费期为 {group.start} 至 {group.end}", None, p.cite(group.clause)))
    elif extension:
        kind = When.EXTENSION
        lines.append(QuoteLine(Line.NOTE, f"{nb.extension_birth_year}年出生的新生儿可延至 {nb.extension_until} 缴费",
                               None, p.cite(nb.extension_clause)))
    elif special is not None and not special.in_window_only:
        kind = When.SPECIAL
    elif late_cat is not None:
        kind = When.LATE_CATEGORY
    elif (fact := _dynamic_fact(p, req, cats)) is not None:
        kind, rule = When.DYNAMIC, fact
        lines.append(QuoteLine(Line.NOTE, f"「{fact.name}」于 {fact.recognized_on} 认定（动态新增），按资助标准参保",
                               None, p.cite(p.dynamic.clause)))
    elif nb_within and nb.pays_standard:
        kind = When.NEWBORN
    elif not p.late.allowed:
        raise Closed(f"{paid} 已过集中缴费期（{w.start} 至 {w.end}），文件未规定期外缴费办法", p.late.clause)
    elif p.late.until and paid > p.late.until:
        raise Closed(f"{paid} 已晚于本年度最后可缴费日 {p.late.until}", p.late.until_clause)
    else:
        kind = When.LATE
    return PaymentTiming(kind, tuple(cats), special, nb_within, tuple(lines), rule)


def _group_window(p: Policy, req: QuoteRequest, cats: list[Category]):
    """The group window that admits this member on the payment date (students, or a listed category)."""
    names = {c.name for c in cats}
    for g in p.group_windows:
        if g.start <= req.paid_on <= g.end and ((g.students and req.student) or names & set(g.categories)):
            return g
    return None


def _dynamic_fact(p: Policy, req: QuoteRequest, cats: list[Category]):
    """动态新增: a listed category recognised after the window (or the file's date), paid in time after it."""
    d = p.dynamic
    if d is None:
        return None
    after = d.recognized_after or p.window.end
    counted = {c.name for c in cats}
    for f in req.categories:
        if f.name in d.categories and f.name in counted and f.recognized_on and after < f.recognized_on <= req.paid_on:
            if d.within_days is None or (req.paid_on - f.recognized_on).days <= d.within_days:
                return f
    return None


def _grace_words(g) -> str:
    start = {"payment": "自缴费之日起享受待遇", "next_day": "自缴费次日起享受待遇",
             "period_start": "自待遇享受期开始之日起享受待遇"}[g.benefit_from]
    return start + (f"（等待期 {g.waiting_days} 天）" if g.waiting_days else "") + "，按个人缴费标准缴费"


def effective_categories(p: Policy, req: QuoteRequest, lines: list) -> list[Category]:
    """Categories that count on the payment date: known to the policy, recognised in time."""
    out = []
    cutoff = p.recognition.cutoff if p.recognition else None
    for fact in req.categories:
        own = p.category_by_name.get(fact.name)
        # a category with its own out-of-window rule (儿童福利机构: 随参随缴) is not a 动态新增 assistance case
        if cutoff and fact.recognized_on and fact.recognized_on > cutoff and not (own and own.late):
            lines.append(QuoteLine(Line.NOTE, f"「{fact.name}」于 {fact.recognized_on} 认定，晚于 {cutoff}，"
                                   f"纳入下一年度资助范围", None, p.cite(p.recognition.clause)))
            continue
        if fact.recognized_on and fact.recognized_on > req.paid_on and own and own.late is None:
            lines.append(QuoteLine(Line.NOTE, f"「{fact.name}」于 {fact.recognized_on} 认定，缴费时尚未认定，不在缴费时体现",
                                   None, p.cite(p.recognition.clause if p.recognition else "")))
            continue
        if own is None:
            lines.append(QuoteLine(Line.NOTE, f"本政策文件对「{fact.name}」无资助规定", None, p.cite("")))
            continue
        out.append(own)
    return out


def special_problem(s: Special, event_on: dt.date | None, paid: dt.date) -> str | None:
    """Why a special case's dated condition is not met (None: it is met, or it has none)."""
    if not s.needs_date:
        return None
    if event_on is None:
        return f"「{s.name}」须提供事件日期（如 --special {s.name}:YYYY-MM-DD）"
    if event_on > paid:
        return f"「{s.name}」的日期 {event_on} 晚于缴费日期 {paid}"
    if s.within_days is not None and (paid - event_on).days > s.within_days:
        return f"「{s.name}」须在 {s.within_days} 天内缴费，{event_on} 至 {paid} 已 {(paid - event_on).days} 天"
    if s.within_months is not None and paid > add_months(event_on, s.within_months):
        return f"「{s.name}」须在中断后 {s.within_months} 个月内（{add_months(event_on, s.within_months)} 前）缴费"
    return None


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - ONE_DAY).day
    return dt.date(year, month, min(d.day, last))


# ----------------------------------------------------------------------------------------------- 2. counter
def counter_of(p: Policy, req: QuoteRequest, timing: PaymentTiming) -> Counter:
    """The personal standard (by tier, with any late surcharge) and the one assistance deducted at the counter."""
    if timing.kind == When.NEWBORN_FREE:
        line = QuoteLine(Line.STANDARD, f"{p.year}年出生的新生儿当年免缴基本医疗保险费", ZERO, p.cite(p.newborn.clause))
        return Counter("新生儿", ZERO, ZERO, Assistance(), (line,))
    lines: list[QuoteLine] = []
    cats = list(timing.categories)
    tier_name, base, tier_clause = tier_of(p, req)
    lines.append(QuoteLine(Line.STANDARD, f"个人缴费标准（{tier_name}）", base, p.cite(tier_clause)))
    personal_standard = base
    if timing.kind == When.LATE and p.late.surcharge_fiscal:
        fiscal = p.standard.fiscal_amount
        personal_standard = base + fiscal
        lines.append(QuoteLine(Line.SURCHARGE, "集中缴费期外缴费，加收财政补助标准", fiscal, p.cite(p.late.clause)))
        lines.append(QuoteLine(Line.NOTE, f"财政补助标准 {fiscal} 元", None, p.cite(p.standard.fiscal_clause)))

    choice = choose_assistance(p, cats, base, tier_name, req.area_kind, timing.kind == When.LATE_CATEGORY)
    if choice.kind == Kind.FULL and personal_standard > choice.amount:
        # 全额资助 of the 个人缴费部分: after the window that part includes the fiscal surcharge (双清 三（四）3. +
        # 三（五）1.(1); the document is ambiguous — reading chosen: a 全额-assisted member pays nothing)
        choice.amount = personal_standard
    for c in cats:
        if c.condition and c is choice.category:
            lines.append(QuoteLine(Line.NOTE, f"资助条件：{c.condition}", None, p.cite(c.clause)))
    if choice.amount > 0:
        label = {Kind.FULL: "全额资助", Kind.FIXED: "定额资助", Kind.PERCENT: "比例资助", Kind.TABLE: "资助"}.get(choice.kind, "资助")
        lines.append(QuoteLine(Line.ASSISTANCE, f"{choice.category.name}：{choice.source}{label}（缴费时直接扣减）",
                               -choice.amount, p.cite(choice.clause), choice.source))
    barred = [c for c in cats if c is not choice.category and _barred(c, cats, base)]
    for c in barred:  # e.g. Tunliu: 对不属于医疗救助资助参保对象的二级及以上重度残疾人……资助
        lines.append(QuoteLine(Line.NOTE, f"「{c.name}」的资助只给不属于{'、'.join(c.not_with_sources)}资助参保对象的人员，"
                               f"本人不适用", None, p.cite(c.clause)))
    others = [c.name for c in cats if c is not choice.category and c.kind != Kind.NONE and c not in barred]
    if others and choice.category is not None:
        lines.append(QuoteLine(Line.NOTE, f"另有类别 {'、'.join(others)}：资助不叠加，按最有利的「{choice.category.name}」计",
                               None, ""))
    return Counter(tier_name, base, personal_standard, choice, tuple(lines))


def tier_of(p: Policy, req: QuoteRequest) -> tuple[str, Decimal, str]:
    for t in p.standard.tiers:
        if (t.students and req.student) or (t.born_on_or_after and req.birth_date >= t.born_on_or_after):
            return t.name, t.amount, t.clause
    return p.standard.base_name, p.standard.amount, p.standard.clause


def assist_amount(c: Category, base: Decimal) -> Decimal:
    if c.kind == Kind.FULL:
        return base
    if c.kind in (Kind.FIXED, Kind.TABLE):
        return min(c.amount, base)
    if c.kind == Kind.PERCENT:
        return round_money(base * c.percent / 100)
    return ZERO


def subsidies_for(p: Policy, c: Category, tier_name: str, area_kind: str, paid_premium: Decimal) -> list:
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
    return any(o is not c and o.source in c.not_with_sources and assist_amount(o, base) > 0 for o in cats)


def choose_assistance(p: Policy, cats: list[Category], base: Decimal, tier_name: str, area_kind: str = "",
                      late_category: bool = False) -> Assistance:
    """The most favourable single category (counter assistance plus premium subsidies); never stacked."""
    if late_category:
        c = next(c for c in cats if c.late is not None)
        return Assistance(c, c.late.kind, base, c.late.source, c.late.clause, ())
    area = area_kind or (p.area_kinds[0] if p.area_kinds else "")
    best, best_key = Assistance(), (ZERO, ZERO)
    for c in cats:
        # e.g. Tunliu's disability assistance: only for members no 医疗救助 category assists
        if _barred(c, cats, base):
            continue
        amount = assist_amount(c, base)
        subs = subsidies_for(p, c, tier_name, area, base - amount)
        key = (amount + sum(a for _, a, _, addon in subs if not addon), amount)
        if key > best_key:
            best, best_key = Assistance(c, c.kind, amount, c.source or None, c.clause, tuple(subs)), key
    return best


# ----------------------------------------------------------------------------------------------- 3. add-ons
def addons_of(p: Policy, req: QuoteRequest, timing: PaymentTiming, counter: Counter) -> Addons:
    """Mandatory add-ons, chosen ones, and default ones not declined; full assistance covers 'assisted' ones."""
    free = timing.kind == When.NEWBORN_FREE
    total = assisted = ZERO
    charged, lines = [], []
    full = counter.assistance.kind == Kind.FULL
    for a in p.addons:
        if a.mandatory or a.name in req.addons or (not free and a.default and a.name not in req.declined_addons):
            charged.append(a.name)
            total += a.amount
            kind = "必缴" if a.mandatory else "自愿"
            lines.append(QuoteLine(Line.ADDON, f"{a.label}（{kind}）", a.amount, p.cite(a.clause)))
            if a.assisted and full:
                assisted += a.amount
                lines.append(QuoteLine(Line.ASSISTANCE, f"{a.label} 随全额资助", -a.amount, p.cite(a.clause),
                                       counter.assistance.source))
    return Addons(tuple(charged), total, assisted, tuple(lines))


# ----------------------------------------------------------------------------------------------- 4. subsidies
def subsidies_of(p: Policy, counter: Counter, addons: Addons) -> Subsidies:
    """Subsidies paid back after payment (先缴后补), kept apart from the counter."""
    items, lines = [], []
    for funder, amount, clause, addon in counter.assistance.subsidies:
        if addon and addon not in addons.charged:
            continue
        items.append((funder, amount))
        what = f"{addon}个人缴费" if addon else "个人缴费"
        lines.append(QuoteLine(Line.SUBSIDY, f"先缴后补：{funder}补助{what}（缴费时不体现）", amount, p.cite(clause), funder))
    return Subsidies(tuple(items), sum((a for _, a in items), ZERO), tuple(lines))


# ----------------------------------------------------------------------------------------------- 5. benefit
def benefit_of(p: Policy, req: QuoteRequest, timing: PaymentTiming, counter: Counter) -> Period:
    """The member's benefit period and waiting days."""
    start, end, waiting, clause = _benefit_dates(p, req, timing, counter.assistance)
    if start > end:
        raise Closed(f"按规定待遇应自 {start} 起，已晚于本年度待遇享受期结束日 {end}", clause)
    lines = []
    if waiting:
        words = f"{p.late.waiting_months} 个月（{waiting} 天）" if timing.kind == When.LATE and p.late.waiting_months \
            else f"{waiting} 天"
        lines.append(QuoteLine(Line.WAITING, f"待遇等待期 {words}（缴费次日起算），待遇自 {start} 起", None,
                               p.cite(p.late.waiting_clause)))
    lines.append(QuoteLine(Line.BENEFIT, f"待遇享受期 {start} 至 {end}", None, p.cite(clause)))
    return Period(start, end, waiting, clause, tuple(lines))


def _benefit_dates(p: Policy, req: QuoteRequest, timing: PaymentTiming, choice: Assistance) -> tuple[dt.date, dt.date, int, str]:
    b, paid, special, kind = p.benefit, req.paid_on, timing.special, timing.kind
    if kind == When.NEWBORN_FREE:  # without benefit_from_birth the child is covered from registration (payment)
        start = req.birth_date if p.newborn.benefit_from_birth else paid
        return max(start, b.start), b.end, 0, p.newborn.clause
    if kind == When.GRACE:
        g = timing.window_rule
        start = {"payment": paid, "next_day": paid + ONE_DAY, "period_start": b.start}[g.benefit_from]
        if g.waiting_days:
            start = paid + dt.timedelta(days=g.waiting_days + 1)
        return max(start, b.start), b.end, g.waiting_days, g.clause
    if kind == When.DYNAMIC:
        fact = timing.window_rule
        start = {"payment": paid, "next_day": paid + ONE_DAY, "recognition": fact.recognized_on}[p.dynamic.benefit_from]
        return max(start, b.start), b.end, 0, p.dynamic.clause
    if kind in (When.WINDOW, When.EXTENSION, When.GROUP_WINDOW):
        if special is not None and special.in_window_only and special.benefit_from == "fixed":
            return special.benefit_start, special.benefit_end or b.end, 0, special.clause
        if b.next_day_from and paid >= b.next_day_from:
            return max(paid + ONE_DAY, b.start), b.end, 0, b.next_day_clause
        return b.start, b.end, 0, b.clause
    if kind == When.SPECIAL:
        event = req.special.event_on if req.special else None
        start = {"event": event, "payment": paid, "next_day": paid + ONE_DAY,
                 "fixed": special.benefit_start}[special.benefit_from]
        return max(start, b.start), special.benefit_end or b.end, 0, special.clause
    if kind == When.LATE_CATEGORY:
        fact = next((f for f in req.categories if f.name == choice.category.name), None)
        by_recognition = choice.category.late.benefit_from_recognition and fact and fact.recognized_on
        start = fact.recognized_on if by_recognition else paid
        return max(start, b.start), b.end, 0, choice.clause
    if kind == When.NEWBORN:
        start = req.birth_date if p.newborn.benefit_from_birth else paid + ONE_DAY
        return max(start, b.start), b.end, 0, p.newborn.clause
    # late
    exempt = (timing.newborn_within and p.newborn.no_waiting) or any(
        c.name in p.late.exempt_categories or (c.source in p.late.exempt_sources and c.kind != Kind.NONE)
        for c in timing.categories)
    if exempt:
        start = req.birth_date if (timing.newborn_within and p.newborn.benefit_from_birth) else paid + ONE_DAY
        return max(start, b.start), b.end, 0, p.late.exempt_clause or p.newborn.clause
    if p.late.waiting_months:  # N calendar months counted from the day after payment; benefits the day after
        start = add_months(paid, p.late.waiting_months) + ONE_DAY
        return max(start, b.start), b.end, (start - paid).days - 1, p.late.clause
    waiting = p.late.waiting_days
    return max(paid + dt.timedelta(days=waiting + 1), b.start), b.end, waiting, p.late.clause


# ----------------------------------------------------------------------------------------------- warnings
def warnings_of(p: Policy, timing: PaymentTiming) -> tuple[str, ...]:
    """The document's warning for assisted members (Tunliu: 一旦正常缴费，将无法办理特殊缴费)."""
    if timing.kind == When.NEWBORN_FREE or not p.assisted_warning:
        return ()
    if any(c.kind != Kind.NONE and (c.amount or c.kind in (Kind.FULL, Kind.PERCENT)) for c in timing.categories):
        return (p.assisted_warning,)
    return ()


def _closed(p: Policy, req: QuoteRequest, reason: str, clause: str) -> Quote:
    line = QuoteLine(Line.CLOSED, reason, None, p.cite(clause) if clause else "")
    return Quote(policy_id=p.id, open=False, reason=reason, paid_on=req.paid_on, due=None, personal_standard=None,
                 assistance=None, assistance_source=None, assistance_category=None, after_subsidy=None,
                 subsidies=(), addons=(), addons_total=None, benefit_start=None, benefit_end=None,
                 waiting_days=None, tier=None, timing="closed", categories=tuple(c.name for c in req.categories),
                 lines=(line,), warnings=(), reason_clause=p.cite(clause) if clause else None,
                 special=req.special.name if req.special else None,
                 special_on=req.special.event_on if req.special else None)
