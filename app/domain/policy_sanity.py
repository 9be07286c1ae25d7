"""Checks that catch a copied file not yet brought up to date, and amounts no document would print.

Run by the loader on a policy that has no other problem. Each problem names the key (file:line).
- the year and the dates agree (a 2026 file with 2025 benefit dates is refused);
- amounts are plausible for a yearly personal premium (no 40000 for 400);
- what a category is given back (counter assistance plus subsidies on the premium) never exceeds what the
  member pays, per tier and area.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from .policy import Policy

STANDARD_RANGE = (Decimal(10), Decimal(2000))  # a yearly personal standard, yuan
ADDON_MAX = Decimal(2000)
FISCAL_RANGE = (Decimal(100), Decimal(3000))
DAYS_MAX = 366


def check_policy(p: Policy, ctx) -> None:
    _years(p, ctx)
    _amounts(p, ctx)
    _subsidies(p, ctx)


def _years(p: Policy, ctx) -> None:
    y = p.year
    if not 2000 <= y <= 2100:
        ctx.problem(("policy", "year"), f"参保年度 {y} 不合理")
        return
    m = re.search(r"-(\d{4})$", p.id)
    if m and int(m.group(1)) != y:
        ctx.problem(("policy", "id"), f"政策编号「{p.id}」中的年份 {m.group(1)} 与参保年度 year = {y} 不一致")
    for key, text in (("name", p.name),):
        years = {int(x) for x in re.findall(r"(20\d\d)年", text)}
        if years and y not in years:
            ctx.problem(("policy", key), f"名称「{text}」写的是 {'、'.join(map(str, sorted(years)))} 年，与参保年度 {y} 不一致")

    def within(path, day: dt.date | None, years: tuple[int, ...], what: str) -> None:
        if day is not None and day.year not in years:
            span = "或".join(f"{x}年" for x in years)
            ctx.problem(path, f"{what} {day} 与参保年度 {y} 不符（应在{span}）")

    this, prev = (y,), (y - 1, y)
    within(("benefit", "start"), p.benefit.start, prev, "待遇享受期开始日")  # 新入学学生 etc. may start earlier
    within(("benefit", "end"), p.benefit.end, this, "待遇享受期结束日")
    if p.benefit.start.year != y and p.benefit.start.month < 7:
        ctx.problem(("benefit", "start"), f"待遇享受期开始日 {p.benefit.start} 与参保年度 {y} 不符")
    within(("window", "start"), p.window.start, prev, "集中缴费期开始日")
    within(("window", "end"), p.window.end, prev, "集中缴费期结束日")
    within(("benefit", "next_day_from"), p.benefit.next_day_from, prev, "次日生效起始日")
    within(("late", "until"), p.late.until, this, "最后可缴费日")
    if p.window.start > p.benefit.end:
        ctx.problem(("window", "start"), f"集中缴费期 {p.window.start} 晚于待遇享受期结束日 {p.benefit.end}")
    if p.source.issued_on and p.source.issued_on.year not in (y - 2, y - 1, y):
        ctx.problem(("policy", "issued_on"), f"发文日期 {p.source.issued_on} 与参保年度 {y} 不符")
    if p.source.issued_on and p.source.issued_on > p.window.end:
        ctx.problem(("policy", "issued_on"), f"发文日期 {p.source.issued_on} 晚于集中缴费期结束日 {p.window.end}")
    if p.newborn:
        nb = p.newborn
        if nb.extension_birth_year is not None and nb.extension_birth_year not in prev:
            ctx.problem(("newborn", "extension_birth_year"), f"出生年份 {nb.extension_birth_year} 与参保年度 {y} 不符")
        within(("newborn", "extension_until"), nb.extension_until, this, "新生儿延期缴费截止日")
    for i, s in enumerate(p.specials):
        within(("specials", i, "benefit_start"), s.benefit_start, prev, "特殊情形待遇开始日")
        within(("specials", i, "benefit_end"), s.benefit_end, this, "特殊情形待遇结束日")
    for i, g in enumerate(p.grace):
        within(("grace", i, "start"), g.start, prev, "宽限期开始日")
        within(("grace", i, "end"), g.end, prev, "宽限期结束日")
    for i, g in enumerate(p.group_windows):
        within(("group_windows", i, "start"), g.start, prev, "分群体缴费期开始日")
        within(("group_windows", i, "end"), g.end, prev, "分群体缴费期结束日")
    if p.dynamic:
        within(("dynamic", "recognized_after"), p.dynamic.recognized_after, prev, "动态新增起算日")
    if p.recognition:
        within(("recognition", "cutoff"), p.recognition.cutoff, prev, "认定截止日")
        within(("recognition", "claim_until"), p.recognition.claim_until, prev, "缴费后认定截止日")
    for i, t in enumerate(p.standard.tiers):
        if t.born_on_or_after and not (y - 30 <= t.born_on_or_after.year <= y):
            ctx.problem(("standard", "tiers", i, "born_on_or_after"), f"出生日期界限 {t.born_on_or_after} 不合理")


def _amounts(p: Policy, ctx) -> None:
    lo, hi = STANDARD_RANGE
    if not lo <= p.standard.amount <= hi:
        ctx.problem(("standard", "amount"), f"个人缴费标准 {p.standard.amount} 元不合理（应在 {lo}–{hi} 元之间）")
    for i, t in enumerate(p.standard.tiers):
        if not lo <= t.amount <= hi:
            ctx.problem(("standard", "tiers", i, "amount"), f"「{t.name}」个人缴费标准 {t.amount} 元不合理")
    f = p.standard.fiscal_amount
    if f is not None and not FISCAL_RANGE[0] <= f <= FISCAL_RANGE[1]:
        ctx.problem(("standard", "fiscal_amount"), f"财政补助标准 {f} 元不合理（应在 {FISCAL_RANGE[0]}–{FISCAL_RANGE[1]} 元之间）")
    for i, a in enumerate(p.addons):
        if not Decimal(0) < a.amount <= ADDON_MAX:
            ctx.problem(("addons", i, "amount"), f"附加险「{a.name}」{a.amount} 元不合理（应在 0–{ADDON_MAX} 元之间）")
    for i, s in enumerate(p.subsidies):
        for j, part in enumerate(s.parts):
            if part.amount > hi:
                ctx.problem(("subsidies", i, "parts", j, "amount"), f"补助 {part.amount} 元不合理")
    days = [(("late", "waiting_days"), p.late.waiting_days)]
    if p.newborn:
        days.append((("newborn", "within_days"), p.newborn.within_days))
    days += [(("specials", i, "within_days"), s.within_days) for i, s in enumerate(p.specials)]
    days += [(("grace", i, "waiting_days"), g.waiting_days) for i, g in enumerate(p.grace)]
    if p.dynamic:
        days.append((("dynamic", "within_days"), p.dynamic.within_days))
    for path, n in days:
        if n is not None and not 0 <= n <= DAYS_MAX:
            ctx.problem(path, f"天数 {n} 不合理（应在 0–{DAYS_MAX} 天之间）")
    if not 0 <= p.late.waiting_months <= 12:
        ctx.problem(("late", "waiting_months"), f"等待期 {p.late.waiting_months} 个月不合理（应在 0–12 个月之间）")
    for i, s in enumerate(p.specials):
        if s.within_months is not None and not 0 < s.within_months <= 24:
            ctx.problem(("specials", i, "within_months"), f"月数 {s.within_months} 不合理")


def _subsidies(p: Policy, ctx) -> None:
    """Counter assistance + premium subsidies ≤ the tier's standard; add-on subsidies ≤ the add-on."""
    from .quote import assist_amount

    tiers = [(p.standard.base_name, p.standard.amount)] + [(t.name, t.amount) for t in p.standard.tiers]
    areas = p.area_kinds or ("",)
    for i, c in enumerate(p.categories):
        for tier, amount in tiers:
            for area in areas:
                back = assist_amount(c, amount)
                addon_back: dict[str, Decimal] = {}
                for s in p.subsidies:
                    if c.name not in s.categories or (s.tier is not None and s.tier != tier):
                        continue
                    if s.tier is None and tier != p.standard.base_name:
                        continue  # a subsidy for every tier is checked against the base standard
                    for part in s.parts:
                        if part.area_kind and part.area_kind != area:
                            continue
                        if part.addon:
                            addon_back[part.addon] = addon_back.get(part.addon, Decimal(0)) + part.amount
                        else:
                            back += part.amount
                where = f"（{area}）" if area else ""
                if back > amount:
                    ctx.problem(("categories", i, "name"),
                                f"「{c.name}」［{tier}］{where}资助加补助共 {back} 元，超过个人缴纳的 {amount} 元")
                for name, got in addon_back.items():
                    addon = p.addon_by_name.get(name)
                    if addon and got > addon.amount:
                        ctx.problem(("categories", i, "name"),
                                    f"「{c.name}」{where}的{name}补助 {got} 元，超过该附加险 {addon.amount} 元")
