"""Readable Chinese text for quotes and policies (used by the CLI; the window renders its own)."""

from __future__ import annotations

from .money import ZERO, capitals, fmt
from .policy import Policy
from .quote_model import Quote
from .vocabulary import CategoryKind as Kind
from .vocabulary import LineKind, line_label



def _amount(a) -> str:
    return f"{fmt(a):>10}" if a is not None else " " * 10


def explain_quote(q: Quote, policy: Policy) -> str:
    out = [f"政策：{policy.name}（{policy.source.doc_number}）", f"缴费日期：{q.paid_on}"]
    if not q.open:
        out.append(f"结论：该日期不能按本政策缴费。原因：{q.reason}")
        if q.reason_clause:
            out.append(f"  依据：{q.reason_clause}")
        return "\n".join(out) + "\n"
    out.append("结论：可以缴费")
    out.append("")
    for line in q.lines:
        out.append(f"  [{line_label(line.kind)}] {_amount(line.amount)}  {line.text}")
        if line.clause:
            out.append(f"        依据：{line.clause}")
    out.append("")
    out.append(f"应缴（柜台收取）：{fmt(q.due)} 元（{capitals(q.due)}）")
    surcharge = sum((line.amount for line in q.lines if line.kind == LineKind.SURCHARGE), ZERO)
    standard = f"个人缴费标准 {fmt(q.personal_standard - surcharge)}" + (
        f" + 期外加收 {fmt(surcharge)}" if surcharge else "")
    out.append(f"  = {standard} − 缴费时资助 {fmt(q.assistance)} + 附加险 {fmt(q.addons_total)}")
    if q.assistance and q.assistance > ZERO:
        out.append(f"资助：{q.assistance_category}，{fmt(q.assistance)} 元，资金来源 {q.assistance_source}")
    if q.after_subsidy and q.after_subsidy > ZERO:
        parts = "，".join(f"{f} {fmt(a)}" for f, a in q.subsidies)
        out.append(f"先缴后补（缴费后返还，不在柜台扣减）：{fmt(q.after_subsidy)} 元（{parts}）")
    out.append(f"待遇享受期：{q.benefit_start} 至 {q.benefit_end}" +
               (f"（等待期 {q.waiting_days} 天）" if q.waiting_days else ""))
    for w in q.warnings:
        out.append(f"⚠ {w}")
    return "\n".join(out) + "\n"


def _subsidy_parts(parts) -> str:
    """市财政70.00元、区财政70.00元（区）；县财政140.00元（县）"""
    groups: dict[str, list[str]] = {}
    for x in parts:
        what = f"{x.funder}{fmt(x.amount)}元" + (f"（{x.addon}）" if x.addon else "")
        groups.setdefault(x.area_kind, []).append(what)
    return "；".join("、".join(items) + (f"（{area}）" if area else "") for area, items in groups.items())


def explain_policy(p: Policy) -> str:
    s = p.source
    out = [f"{p.name}  [{p.id}]", f"地区：{p.region}    参保年度：{p.year}",
           f"依据：{s.doc_number}《{s.title}》", f"发文：{'、'.join(s.issuers)}，"
           + (f"{s.issued_on}" if s.issued_on else "原文未载明发文日期") + (f"（{s.registry_number}）" if s.registry_number else ""),
           "", "【个人缴费标准】", f"  {p.standard.base_name}：{fmt(p.standard.amount)} 元"]
    for t in p.standard.tiers:
        who = "、".join(x for x in ("在校学生" if t.students else "", f"{t.born_on_or_after} 及以后出生" if t.born_on_or_after else "") if x)
        out.append(f"  {t.name}（{who}）：{fmt(t.amount)} 元")
    if p.standard.fiscal_amount is not None:
        out.append(f"  财政补助标准：{fmt(p.standard.fiscal_amount)} 元")
    if p.addons:
        out.append("【附加险】")
        for a in p.addons:
            kind = "必缴" if a.mandatory else ("可选，默认选中" if a.default else "可选")
            out.append(f"  {a.label}：{fmt(a.amount)} 元（{kind}{'，资助覆盖' if a.assisted else ''}）")
    out.append("【困难群体资助（缴费时扣减）】")
    for c in p.categories:
        if c.kind == Kind.NONE:
            desc = "缴费时不资助"
        elif c.kind == Kind.FULL:
            desc = "全额资助"
        elif c.kind == Kind.PERCENT:
            desc = f"资助 {c.percent}%（{fmt(c.amount)} 元）" if c.amount else f"资助 {c.percent}%"
        else:
            desc = f"资助 {fmt(c.amount)} 元" + (f"，个人缴纳 {fmt(c.pays)} 元" if c.pays is not None else "")
        src = f"，来源：{c.source}" if c.source else ""
        extra = f"（仅限不属于{'、'.join(c.not_with_sources)}资助对象者）" if c.not_with_sources else ""
        out.append(f"  {c.name}：{desc}{src}{extra}")
        if c.late:
            out.append(f"    集中缴费期外：{c.late.source}全额资助")
    if p.categories:
        out.append("  资助不叠加：多个类别时按最有利的一项计算。")
    else:
        out.append("  本政策文件未写资助类别和金额：困难群体按个人缴费标准测算。")
    if p.subsidies:
        out.append("【先缴后补（缴费后返还）】")
        for sb in p.subsidies:
            tier = f"［{sb.tier}］" if sb.tier else ""
            out.append(f"  {'、'.join(sb.categories)}{tier}：{_subsidy_parts(sb.parts)}"
                       + (f"（条件：{sb.condition}）" if sb.condition else ""))
    w, b = p.window, p.benefit
    out.append("【缴费期与待遇期】")
    days = f"，每月{w.day_from}–{w.day_to}日" if w.day_from else ""
    out.append(f"  集中缴费期：{w.start} 至 {w.end}{days}")
    out.append(f"  待遇享受期：{b.start} 至 {b.end}" +
               (f"；{b.next_day_from} 起缴费的自缴费次日起" if b.next_day_from else ""))
    for g in p.grace:
        start = {"payment": "自缴费之日", "next_day": "自缴费次日", "period_start": "自待遇享受期开始之日"}[g.benefit_from]
        out.append(f"  {g.label}：{g.start} 至 {g.end} 缴费的，按个人缴费标准，{start}起享受待遇"
                   + (f"（等待期 {g.waiting_days} 天）" if g.waiting_days else "") + "（不属于期外缴费）")
    for gw in p.group_windows:
        who = "、".join(x for x in ("在校学生" if gw.students else "", "、".join(gw.categories)) if x)
        out.append(f"  {gw.name}（{who}）：{gw.start} 至 {gw.end} 可缴费")
    if p.dynamic:
        d = p.dynamic
        after = d.recognized_after or p.window.end
        start = {"payment": "自缴费之日", "next_day": "自缴费次日", "recognition": "自认定之日"}[d.benefit_from]
        out.append(f"  动态新增：{after} 以后新认定的{'、'.join(d.categories)}"
                   + (f"，在认定后 {d.within_days} 天内" if d.within_days else "")
                   + f"按资助标准参保缴费，{start}起享受待遇，不设等待期")
    if p.late.allowed:
        cost = "个人缴费标准 + 财政补助标准" if p.late.surcharge_fiscal else "个人缴费标准"
        out.append(f"  期外缴费：至 {p.late.until}，按{cost}，等待期 {p.late.waiting_words or '无'}")
        if p.late.exempt_categories or p.late.exempt_sources:
            out.append(f"  免等待期：{'、'.join(p.late.exempt_categories + tuple(s + '资助对象' for s in p.late.exempt_sources))}")
    else:
        out.append("  期外缴费：文件未规定，Canbao 不予报价")
    if p.newborn:
        nb = p.newborn
        bits = []
        if nb.birth_year_free:
            bits.append("出生当年免缴")
        if nb.within_days:
            bits.append(f"出生 {nb.within_days} 天内参保" + ("按个人标准缴费" if nb.pays_standard else "")
                        + ("、免等待期" if nb.no_waiting else "") + ("、自出生之日起享受待遇" if nb.benefit_from_birth else ""))
        if nb.extension_until:
            bits.append(f"{nb.extension_birth_year}年出生的可延至 {nb.extension_until} 缴费")
        out.append(f"  新生儿：{'；'.join(bits)}")
    for sp in p.specials:
        start = {"event": "自该情形发生之日（如断保之日）", "payment": "自缴费之日", "next_day": "自缴费次日",
                 "fixed": f"自 {sp.benefit_start}"}[sp.benefit_from]
        limit = (f"须在该情形发生后 {sp.within_days} 天内缴费；" if sp.within_days else "") + (
            f"须在中断后 {sp.within_months} 个月以内缴费；" if sp.within_months else "")
        cond = f"条件：{sp.condition}；" if sp.condition else ""
        out.append(f"  特殊情形 {sp.name}：{cond}{limit}{start}起享受待遇" + (f"（至 {sp.benefit_end}）" if sp.benefit_end else "")
                   + ("（仅集中缴费期内缴费）" if sp.in_window_only else ""))
        out.append(f"    原文：{sp.clause}")
    if p.recognition and p.recognition.cutoff:
        out.append(f"  认定截止：{p.recognition.cutoff} 以后认定的困难对象纳入下一年度")
    if p.refund:
        when = "、".join(x for x in ("待遇享受期开始前" if p.refund.before_benefit else "",
                                     "待遇等待期内" if p.refund.in_waiting else "") if x)
        when = "本人待遇享受期开始前" + ("或待遇等待期内" if p.refund.in_waiting else "") if p.refund.before_benefit else when
        reasons = "、".join(p.refund.reasons)
        out.append(f"  退费：{when}可退，" + (f"原因为{reasons}等（其他原因须写明说明）" if p.refund.other_reasons
                                              else f"原因限 {reasons}"))
    if p.recognition and p.recognition.claim_until:
        out.append(f"  缴费后认定：{p.recognition.claim_until}（含）前认定的困难人员，已全额缴费的可申请支付应享有的资助和补助")
    if p.service.channels or p.service.hotline:
        out.append("【缴费渠道】")
        if p.service.channels:
            out.append(f"  {'、'.join(p.service.channels)}")
        if p.service.hotline:
            out.append(f"  咨询：{p.service.hotline}")
    return "\n".join(out) + "\n"
