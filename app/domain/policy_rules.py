"""Section readers for policy files: each turns one TOML table into model objects and checks it
against the document's own arithmetic (a table's 资助 + 个人缴纳 must equal the standard, …)."""

from __future__ import annotations

import re
from decimal import Decimal

from .money import round_money
from .policy import (Addon, Benefit, Category, Dynamic, Grace, GroupWindow, Late, LateRule, Newborn, Policy,
                     Recognition, Refund, Service, Source, Special, Standard, Subsidy, SubsidyPart, Tier, Window)
from .vocabulary import CategoryKind as Kind

ASSISTANCE_KINDS = tuple(k.value for k in Kind)
BENEFIT_FROM = ("event", "payment", "next_day", "fixed")
GRACE_BENEFIT_FROM = ("payment", "next_day", "period_start")
DYNAMIC_BENEFIT_FROM = ("payment", "next_day", "recognition")
_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def build_policy(root, ctx, filename: str) -> Policy | None:
    head = root.table("policy", required=True)
    if head is None:
        return None
    pid = head.str("id", required=True)
    if pid and not _ID.match(pid):
        ctx.problem(("policy", "id"), f"政策编号「{pid}」只能用小写字母、数字和连字符，如 changchun-2025")
    year = head.int("year", required=True, default=0)
    source = Source(
        doc_number=head.str("doc_number", required=True),
        title=head.str("title", required=True),
        issuers=head.strs("issuers", required=True),
        issued_on=head.date("issued_on"),
        registry_number=head.str("registry_number"),
    )
    name = head.str("name", required=True)
    region = head.str("region", required=True)
    area_kinds = head.strs("area_kinds")
    assisted_warning = head.str("assisted_warning")
    head.done()

    standard = _standard(root.table("standard", required=True))
    addons = tuple(_addon(r) for r in root.array("addons"))
    categories = tuple(_category(r) for r in root.array("categories"))
    subsidies = tuple(_subsidy(r) for r in root.array("subsidies"))
    window = _window(root.table("window", required=True))
    benefit = _benefit(root.table("benefit", required=True))
    late = _late(root.table("late", required=True))
    nb = root.table("newborn")
    newborn = _newborn(nb) if nb else None
    specials = tuple(_special(r) for r in root.array("specials"))
    rc = root.table("recognition")
    recognition = None
    if rc:
        recognition = Recognition(clause=rc.clause(), cutoff=rc.date("cutoff"), claim_until=rc.date("claim_until"),
                                  claim_clause=rc.str("claim_clause"))
        if recognition.claim_until and not recognition.claim_clause:
            rc.ctx.problem(rc.path + ("claim_until",), "写了 claim_until 就要写 claim_clause（出处条款）")
        rc.done()
    rf = root.table("refund")
    refund = None
    if rf:
        refund = Refund(clause=rf.clause(), before_benefit=rf.bool("before_benefit"),
                        in_waiting=rf.bool("in_waiting"), reasons=rf.strs("reasons", required=True),
                        other_reasons=rf.bool("other_reasons"))
        rf.done()
    sv = root.table("service")
    service = Service()
    if sv:
        service = Service(channels=sv.strs("channels"), hotline=sv.str("hotline"), clause=sv.str("clause"))
        if re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", service.hotline):
            sv.ctx.problem(sv.path + ("hotline",), "咨询电话是手机号码：通知单只印文件面向群众公布的咨询电话，"
                           "不印文件中部门联系人的个人手机")
        if (service.channels or service.hotline) and not service.clause:
            sv.ctx.problem(sv.path, "写了缴费渠道或咨询电话就要写 clause（文件原文出处）")
        sv.done()

    grace = tuple(_grace(r) for r in root.array("grace"))
    group_windows = tuple(_group_window(r) for r in root.array("group_windows"))
    dy = root.table("dynamic")
    dynamic = _dynamic(dy) if dy else None

    _cross_checks(ctx, standard, categories, addons, subsidies, specials, area_kinds, late, window)
    _new_section_checks(ctx, categories, grace, group_windows, dynamic, recognition, window, benefit)
    if any(x is None for x in (standard, window, benefit, late)) or ctx.problems:
        return None
    policy = Policy(
        id=pid, name=name, region=region, year=year, source=source, standard=standard, window=window,
        benefit=benefit, late=late, addons=addons, categories=categories, subsidies=subsidies,
        newborn=newborn, specials=specials, recognition=recognition, refund=refund, service=service,
        area_kinds=area_kinds, assisted_warning=assisted_warning, path=filename, grace=grace,
        group_windows=group_windows, dynamic=dynamic,
    )
    from .policy_sanity import check_policy

    check_policy(policy, ctx)
    return None if ctx.problems else policy


def _standard(r) -> Standard | None:
    if r is None:
        return None
    amount = r.money("amount", required=True)
    clause = r.clause()
    tiers = []
    for t in r.array("tiers"):
        tier = Tier(name=t.str("name", required=True), amount=t.money("amount", required=True),
                    clause=t.clause(), students=t.bool("students"), born_on_or_after=t.date("born_on_or_after"))
        if not tier.students and tier.born_on_or_after is None:
            t.ctx.problem(t.path, "档次须至少写明 students = true 或 born_on_or_after 之一，否则无人适用")
        t.done()
        tiers.append(tier)
    s = Standard(amount=amount, clause=clause, tiers=tuple(tiers), base_name=r.str("base_name", default="普通居民"),
                 fiscal_amount=r.money("fiscal_amount"), fiscal_clause=r.str("fiscal_clause"))
    if s.fiscal_amount is not None and not s.fiscal_clause:
        r.ctx.problem(r.path + ("fiscal_amount",), "写了 fiscal_amount 就要写 fiscal_clause（出处条款）")
    r.done()
    return None if amount is None else s


def _addon(r) -> Addon:
    name = r.str("name", required=True)
    a = Addon(name=name, label=r.str("label") or name, amount=r.money("amount", required=True), clause=r.clause(),
              mandatory=r.bool("mandatory"), default=r.bool("default"), assisted=r.bool("assisted"),
              group=r.str("group"), aliases=r.strs("aliases"))
    if a.mandatory and a.default:
        r.ctx.problem(r.path + ("default",), "必缴附加险不需要 default（default 只用于可选附加险）")
    r.done()
    return a


def _category(r) -> Category:
    name = r.str("name", required=True)
    written = r.str("assistance", required=True)
    kind = Kind(written) if written in ASSISTANCE_KINDS else Kind.NONE
    if written and written not in ASSISTANCE_KINDS:
        r.ctx.problem(r.path + ("assistance",), f"资助方式「{written}」无效，可用：{'、'.join(ASSISTANCE_KINDS)}"
                      "（none 不资助、full 全额、fixed 定额、percent 比例、table 按表）")
    amount, pays = r.money("amount"), r.money("pays")
    pct = r.int("percent")
    percent = None
    if pct is not None:
        if 0 < pct <= 100:
            percent = Decimal(pct)
        else:
            r._bad("percent", "1 到 100 之间的整数", pct)
    if kind in (Kind.FIXED, Kind.TABLE) and amount is None:
        r.ctx.problem(r.path, f"资助方式为 {kind} 时必须写 amount（资助金额）")
    if kind == Kind.PERCENT and percent is None:
        r.ctx.problem(r.path, "资助方式为 percent 时必须写 percent（资助比例，如 50）")
    source = r.str("source", required=bool(written) and kind != Kind.NONE)
    late = None
    lt = r.table("late")
    if lt:
        late_kind = lt.str("assistance", required=True)
        late = LateRule(kind=Kind.FULL, source=lt.str("source", required=True),
                        clause=lt.clause(), benefit_from_recognition=lt.bool("benefit_from_recognition"))
        if late_kind and late_kind != Kind.FULL:
            lt.ctx.problem(lt.path + ("assistance",), "缴费期外资助目前只支持 full（全额）")
        lt.done()
    c = Category(name=name, kind=kind, source=source, clause=r.clause(), amount=amount, percent=percent, pays=pays,
                 condition=r.str("condition"), not_with_sources=r.strs("not_with_sources"),
                 aliases=r.strs("aliases"), late=late)
    r.done()
    return c


def _subsidy(r) -> Subsidy:
    parts = []
    for p in r.array("parts"):
        parts.append(SubsidyPart(funder=p.str("funder", required=True), amount=p.money("amount", required=True),
                                 area_kind=p.str("area_kind"), addon=p.str("addon")))
        p.done()
    if not parts:
        r.ctx.problem(r.path, "补助须至少有一项 [[subsidies.parts]]（出资方和金额）")
    tier = r.str("tier") or None
    s = Subsidy(categories=r.strs("categories", required=True), parts=tuple(parts), clause=r.clause(), tier=tier,
                condition=r.str("condition"))
    r.done()
    return s


def _window(r) -> Window | None:
    if r is None:
        return None
    w = Window(start=r.date("start", required=True), end=r.date("end", required=True), clause=r.clause(),
               day_from=r.int("day_from"), day_to=r.int("day_to"), days_clause=r.str("days_clause"))
    if w.start and w.end and w.start > w.end:
        r.ctx.problem(r.path + ("end",), f"缴费期结束日 {w.end} 早于开始日 {w.start}")
    if (w.day_from is None) != (w.day_to is None):
        r.ctx.problem(r.path, "day_from 与 day_to 须同时写明（每月可缴费的起止日）")
    elif w.day_from is not None and not (1 <= w.day_from <= w.day_to <= 31):
        r.ctx.problem(r.path + ("day_from",), f"每月可缴费日 {w.day_from}–{w.day_to} 无效")
    if w.day_from is not None and not w.days_clause:
        r.ctx.problem(r.path, "写了每月可缴费日就要写 days_clause（出处条款）")
    r.done()
    return None if (w.start is None or w.end is None) else w


def _benefit(r) -> Benefit | None:
    if r is None:
        return None
    b = Benefit(start=r.date("start", required=True), end=r.date("end", required=True), clause=r.clause(),
                next_day_from=r.date("next_day_from"), next_day_clause=r.str("next_day_clause"))
    if b.start and b.end and b.start > b.end:
        r.ctx.problem(r.path + ("end",), f"待遇享受期结束日 {b.end} 早于开始日 {b.start}")
    if b.next_day_from and not b.next_day_clause:
        r.ctx.problem(r.path, "写了 next_day_from 就要写 next_day_clause（出处条款）")
    r.done()
    return None if (b.start is None or b.end is None) else b


def _late(r) -> Late | None:
    if r is None:
        return None
    if "allowed" not in r.data:
        r.ctx.problem(r.path, "[late] 须写 allowed = true 或 false（文件是否允许集中缴费期外缴费）")
    lt = Late(allowed=r.bool("allowed"), clause=r.clause(), until=r.date("until"), until_clause=r.str("until_clause"),
              surcharge_fiscal=r.bool("surcharge_fiscal"), waiting_days=r.int("waiting_days", default=0) or 0,
              waiting_clause=r.str("waiting_clause"), exempt_sources=r.strs("exempt_sources"),
              exempt_categories=r.strs("exempt_categories"), exempt_clause=r.str("exempt_clause"),
              waiting_months=r.int("waiting_months", default=0) or 0)
    if lt.waiting_days and lt.waiting_months:
        r.ctx.problem(r.path + ("waiting_months",), "waiting_days 与 waiting_months 只能写一个（文件按天还是按月写等待期）")
    if lt.waiting_months and not lt.waiting_clause:
        r.ctx.problem(r.path, "写了 waiting_months 就要写 waiting_clause（出处条款）")
    if lt.allowed and lt.until is None:
        r.ctx.problem(r.path, "允许缴费期外缴费时须写 until（最后可缴费日）")
    if lt.waiting_days and not lt.waiting_clause:
        r.ctx.problem(r.path, "写了 waiting_days 就要写 waiting_clause（出处条款）")
    if (lt.exempt_sources or lt.exempt_categories) and not lt.exempt_clause:
        r.ctx.problem(r.path, "写了免等待期的人员就要写 exempt_clause（出处条款）")
    r.done()
    return lt


def _newborn(r) -> Newborn:
    n = Newborn(clause=r.clause(), within_days=r.int("within_days"), same_year_only=r.bool("same_year_only"), no_waiting=r.bool("no_waiting"),
                pays_standard=r.bool("pays_standard"), benefit_from_birth=r.bool("benefit_from_birth"),
                birth_year_free=r.bool("birth_year_free"), extension_birth_year=r.int("extension_birth_year"),
                extension_until=r.date("extension_until"), extension_clause=r.str("extension_clause"))
    if (n.extension_birth_year is None) != (n.extension_until is None):
        r.ctx.problem(r.path, "extension_birth_year 与 extension_until 须同时写明")
    r.done()
    return n


def _special(r) -> Special:
    name = r.str("name", required=True)
    s = Special(name=name, clause=r.clause(), benefit_from=r.str("benefit_from", required=True),
                needs_date=r.bool("needs_date"), within_days=r.int("within_days"), within_months=r.int("within_months"),
                condition=r.str("condition"), in_window_only=r.bool("in_window_only"),
                benefit_start=r.date("benefit_start"), benefit_end=r.date("benefit_end"), aliases=r.strs("aliases"))
    if s.benefit_from and s.benefit_from not in BENEFIT_FROM:
        r.ctx.problem(r.path + ("benefit_from",), f"benefit_from「{s.benefit_from}」无效，可用：{'、'.join(BENEFIT_FROM)}"
                      "（event 自事件日、payment 自缴费日、next_day 自缴费次日、fixed 固定日期）")
    if s.benefit_from == "fixed" and s.benefit_start is None:
        r.ctx.problem(r.path, "benefit_from = \"fixed\" 时须写 benefit_start")
    if s.benefit_from == "event" and not s.needs_date:
        r.ctx.problem(r.path, "benefit_from = \"event\" 时须 needs_date = true（需要事件日期）")
    r.done()
    return s


def _duplicates(ctx, key, names, what) -> None:
    seen = set()
    for i, n in enumerate(names):
        if n in seen:
            ctx.problem((key, i, "name"), f"{what}「{n}」重复定义")
        if re.search(r"\s", n):
            ctx.problem((key, i, "name"), f"{what}「{n}」的名称中有空格（名称由本文件定义，须与台账中登记的一致）")
        seen.add(n)


def _aliases(ctx, categories, addons, specials) -> None:
    """Names and aliases are the file's own vocabulary: each must mean one thing."""
    owner: dict[str, str] = {}
    for key, items in (("categories", categories), ("addons", addons), ("specials", specials)):
        for i, item in enumerate(items):
            for j, word in enumerate((item.name,) + tuple(getattr(item, "aliases", ()))):
                if word in owner and owner[word] != item.name:
                    ctx.problem((key, i, "aliases" if j else "name"),
                                f"「{word}」既指「{owner[word]}」又指「{item.name}」，名称和别名不能重复")
                owner.setdefault(word, item.name)


def _cross_checks(ctx, standard, categories, addons, subsidies, specials, area_kinds, late, window) -> None:
    """The document's own arithmetic and references: a file that disagrees with itself is refused.
    Runs on whatever parts could be read, so every problem is reported in one go."""
    _duplicates(ctx, "categories", [c.name for c in categories], "人员类别")
    _duplicates(ctx, "addons", [a.name for a in addons], "附加险")
    _duplicates(ctx, "specials", [s.name for s in specials], "特殊情形")
    _aliases(ctx, categories, addons, specials)
    std = standard.amount if standard else None
    for i, c in enumerate(categories):
        if std is not None and c.amount is not None and c.kind in (Kind.FIXED, Kind.TABLE) and c.amount > std:
            ctx.problem(("categories", i, "amount"), f"「{c.name}」资助 {c.amount} 元超过个人缴费标准 {std} 元")
        if std is not None and c.kind == Kind.TABLE and c.pays is not None and c.amount is not None \
                and c.amount + c.pays != std:
            ctx.problem(("categories", i, "pays"),
                        f"「{c.name}」资助 {c.amount} + 个人缴纳 {c.pays} ≠ 个人缴费标准 {std}，与文件表格不符")
        if std is not None and c.kind == Kind.PERCENT and c.percent is not None and c.amount is not None:
            computed = round_money(std * c.percent / 100)
            if computed != c.amount:
                ctx.problem(("categories", i, "amount"),
                            f"「{c.name}」按 {c.percent}% 计算为 {computed} 元，与所写 {c.amount} 元不符")
        for src in c.not_with_sources:
            if not any(o.source == src for o in categories):
                ctx.problem(("categories", i, "not_with_sources"), f"没有任何类别的资助来源是「{src}」")
    category_names = {c.name for c in categories}
    tier_names = ({t.name for t in standard.tiers} | {standard.base_name}) if standard else set()
    for i, s in enumerate(subsidies):
        for n in s.categories:
            if n not in category_names:
                ctx.problem(("subsidies", i, "categories"), f"补助所列类别「{n}」未在 [[categories]] 中定义")
        if standard and s.tier is not None and s.tier not in tier_names:
            ctx.problem(("subsidies", i, "tier"), f"档次「{s.tier}」未在 [standard] 中定义，可用：{'、'.join(sorted(tier_names))}")
        for j, part in enumerate(s.parts):
            if part.area_kind and part.area_kind not in area_kinds:
                ctx.problem(("subsidies", i, "parts", j, "area_kind"),
                            f"地区类型「{part.area_kind}」未在 policy.area_kinds 中列出")
            if part.addon and part.addon not in {a.name for a in addons}:
                ctx.problem(("subsidies", i, "parts", j, "addon"), f"附加险「{part.addon}」未在 [[addons]] 中定义")
    if late is None:
        return
    if late.surcharge_fiscal and standard and standard.fiscal_amount is None:
        ctx.problem(("late", "surcharge_fiscal"), "缴费期外按“个人缴费+财政补助标准”缴费，须在 [standard] 写 fiscal_amount")
    if window and late.until and late.until < window.end:
        ctx.problem(("late", "until"), f"缴费期外最后可缴费日 {late.until} 早于缴费期结束日 {window.end}")
    for n in late.exempt_categories:
        if n not in category_names:
            ctx.problem(("late", "exempt_categories"), f"免等待期类别「{n}」未在 [[categories]] 中定义")


def _grace(r) -> Grace:
    g = Grace(start=r.date("start", required=True), end=r.date("end", required=True), clause=r.clause(),
              benefit_from=r.str("benefit_from", default="next_day"), waiting_days=r.int("waiting_days", default=0) or 0,
              label=r.str("label", default="缴费期内次日生效"))
    if g.benefit_from not in GRACE_BENEFIT_FROM:
        r.ctx.problem(r.path + ("benefit_from",), f"benefit_from「{g.benefit_from}」无效，可用：{'、'.join(GRACE_BENEFIT_FROM)}"
                      "（payment 自缴费之日、next_day 自缴费次日、period_start 自待遇享受期开始）")
    if g.start and g.end and g.start > g.end:
        r.ctx.problem(r.path + ("end",), f"结束日 {g.end} 早于开始日 {g.start}")
    r.done()
    return g


def _group_window(r) -> GroupWindow:
    g = GroupWindow(name=r.str("name", required=True), start=r.date("start", required=True),
                    end=r.date("end", required=True), clause=r.clause(), students=r.bool("students"),
                    categories=r.strs("categories"))
    if not g.students and not g.categories:
        r.ctx.problem(r.path, "分群体缴费期须写明 students = true 或 categories（适用的人员类别）")
    if g.start and g.end and g.start > g.end:
        r.ctx.problem(r.path + ("end",), f"结束日 {g.end} 早于开始日 {g.start}")
    r.done()
    return g


def _dynamic(r) -> Dynamic:
    d = Dynamic(categories=r.strs("categories", required=True), clause=r.clause(),
                recognized_after=r.date("recognized_after"), within_days=r.int("within_days"),
                benefit_from=r.str("benefit_from", default="next_day"))
    if d.benefit_from not in DYNAMIC_BENEFIT_FROM:
        r.ctx.problem(r.path + ("benefit_from",), f"benefit_from「{d.benefit_from}」无效，可用：{'、'.join(DYNAMIC_BENEFIT_FROM)}"
                      "（payment 自缴费之日、next_day 自缴费次日、recognition 自认定之日）")
    r.done()
    return d


def _new_section_checks(ctx, categories, grace, group_windows, dynamic, recognition, window, benefit) -> None:
    names = {c.name for c in categories}
    for i, g in enumerate(group_windows):
        for n in g.categories:
            if n not in names:
                ctx.problem(("group_windows", i, "categories"), f"类别「{n}」未在 [[categories]] 中定义")
    for i, g in enumerate(grace):
        if window and g.start and g.start < window.start:
            ctx.problem(("grace", i, "start"), f"宽限期开始日 {g.start} 早于集中缴费期开始日 {window.start}")
        if benefit and g.end and g.end > benefit.end:
            ctx.problem(("grace", i, "end"), f"宽限期结束日 {g.end} 晚于待遇享受期结束日 {benefit.end}")
    if dynamic:
        for n in dynamic.categories:
            if n not in names:
                ctx.problem(("dynamic", "categories"), f"动态新增类别「{n}」未在 [[categories]] 中定义")
        if recognition and recognition.cutoff:
            ctx.problem(("dynamic",), f"[dynamic]（期外动态新增可按资助标准参保）与 recognition.cutoff"
                        f"（{recognition.cutoff} 后认定的纳入下一年度）相互矛盾，只能写一个")
