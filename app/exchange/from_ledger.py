"""Reading the ledger for exports: plain SQL over the ledger's tables, rows as dicts keyed by the column
sets' fields. Money comes out of integer fen as Decimal (exact), never through float.

"Paid", "required", the progress counts, rates and key groups are app.ledger.member_year's (THE
definition of a member's year): a payment item stands when the view ``standing_items`` holds it; progress
counts members required here or paid anyway; key groups (重点人群) are members with a recognition that has
not ended in a category the policy assists (``Policy.assists``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..domain.money import to_money
from ..domain.vocabulary import ClaimPartKind, Status, counts_for_rate
from ..ledger import member_year as my
from ..ledger.member_year import KEY_TARGET, TARGET, rate, shortfall  # noqa: F401 - exports' API

ENROLLED = Status.ENROLLED
STANDING = my.STANDING_VIEW


@dataclass(frozen=True, slots=True)
class ExportFilter:
    village: str | None = None
    group: str | None = None
    start: dt.date | None = None  # payments on or after
    end: dt.date | None = None  # payments on or before (also the "as of" day for progress)

    def describe(self) -> str:
        parts = []
        if self.village:
            parts.append(self.village + (self.group or ""))
        if self.start or self.end:
            parts.append(f"{self.start or '开始'} 至 {self.end or '今'}")
        return "，".join(parts) or "全部"


def yuan(fen: int | None) -> Decimal | None:
    """Integer fen -> Decimal yuan with two places, exactly."""
    return None if fen is None else Decimal(fen).scaleb(-2)


def _quote_money(text: object) -> Decimal | None:
    return None if text in (None, "") else to_money(str(text))


def campaign_year(ledger) -> int:
    return ledger.settings.get().year


def _paid_sql(year_param: str, flt: ExportFilter, params: list) -> str:
    """Per member: amount collected this year, last payment date, the quote JSON (non-voided, not refunded)."""
    cond = ""
    if flt.end:
        cond += " AND p.paid_on <= ?"
        params.append(flt.end.isoformat())
    return (f"SELECT p.member_id, sum(p.amount_fen) AS amount_fen, max(p.paid_on) AS paid_on, "
            f"max(qs.json) AS quote FROM {STANDING} p JOIN quote_snapshots qs ON qs.id = p.quote_id "
            f"WHERE p.year = {year_param}{cond} GROUP BY p.member_id")


def _place_where(flt: ExportFilter, params: list) -> str:
    from ..ledger.member_year import kept_sql

    where = [kept_sql("h.id")]  # never an 外村户's people (held for a member moved between villages)
    if flt.village:
        where.append("v.name = ?")
        params.append(flt.village)
    if flt.group:
        where.append("g.name = ?")
        params.append(flt.group)
    return " AND " + " AND ".join(where)


# every member with their household, village, group and household head (h, m, v, g, hm): the exports' rows
HOUSEHOLD_MEMBERS = """FROM households h
JOIN members m ON m.household_id = h.id
JOIN villages v ON v.id = h.village_id
LEFT JOIN village_groups g ON g.id = h.group_id
LEFT JOIN members hm ON hm.household_id = h.id AND hm.relation = '户主'"""

_BASE = "\n" + HOUSEHOLD_MEMBERS + """
LEFT JOIN ({paid}) pd ON pd.member_id = m.id
"""
_ORDER = " ORDER BY v.id, g.id, h.number, m.relation <> '户主', m.id"


_LEDGER_SQL = """
SELECT v.name, coalesce(g.name, ''), coalesce(hm.name, ''), m.name, m.id_number, m.sex, m.birth_date, m.relation,
       (SELECT group_concat(c.category, '、') FROM member_categories c WHERE c.member_id = m.id AND c.ended_on IS NULL),
       m.status,
       (SELECT sum(p.amount_fen) || ',' || max(p.paid_on) || ',' ||
               coalesce(max(json_extract(qs.json, '$.assistance')), '')
          FROM {standing} p JOIN quote_snapshots qs ON qs.id = p.quote_id
         WHERE p.member_id = m.id AND p.year = ? {paid_until}),
       coalesce(nullif(m.phone, ''), h.phone), m.notes
{households}
WHERE 1=1 {where}
ORDER BY h.village_id, h.group_id, h.id, m.id
"""


def ledger_rows(ledger, flt: ExportFilter = ExportFilter(), year: int | None = None) -> Iterator[dict]:
    """参保缴费台账: every member, one row each, households together (with a date range: only those who paid
    in it). Streams: no sort, every lookup by index. (A reader thread was tried: the GIL hand-offs made the
    whole export slower on two cores.)"""
    year = year or campaign_year(ledger)
    params: list = [year]
    paid_until = ""
    if flt.end:
        paid_until = "AND p.paid_on <= ?"
        params.append(flt.end.isoformat())
    where = _place_where(flt, params)
    sql = _LEDGER_SQL.format(paid_until=paid_until, where=where, standing=STANDING, households=HOUSEHOLD_MEMBERS)
    since = flt.start.isoformat() if flt.start else None
    fromiso = dt.date.fromisoformat
    station = station_labels(ledger)
    for (village, group, head, name, number, sex, birth, relation, cats, status, paid, phone,
         notes) in ledger.db.execute(sql, params):
        if paid:
            fen, paid_on, assist = paid.split(",")
            if since and paid_on < since:
                continue
            amount = Decimal(int(fen)).scaleb(-2)
            assistance = Decimal(assist) if assist and assist not in ("0.00", "0") else None
            status_text = "已缴费"
            paid_day = fromiso(paid_on)
        else:
            if since:
                continue
            amount = assistance = paid_day = None
            status_text = "未缴费" if status == ENROLLED else status
        yield {"station": station(village), "village": village, "group": group, "household_head": head,
               "name": name, "id_number": number, "sex": sex, "birth_date": fromiso(birth) if birth else None, "relation": relation,
               "categories": cats or "", "status": status_text, "personal_amount": amount,
               "assistance_amount": assistance, "paid_on": paid_day, "phone": phone, "note": notes}


def station_labels(ledger):
    """village -> the 站点 cell of its rows (``stations.by_village``; '' on a ledger without stations)."""
    from ..ledger.stations import by_village

    keep, own = by_village(ledger)
    labels = {v: s.label for v, s in keep.items()}
    other = own.label if own is not None else ""
    return lambda village: labels.get(village, other)


def count_members(ledger, flt: ExportFilter = ExportFilter()) -> int:
    params: list = []
    sql = ("SELECT count(*) FROM members m JOIN households h ON h.id = m.household_id"
           " JOIN villages v ON v.id = h.village_id LEFT JOIN village_groups g ON g.id = h.group_id WHERE 1=1"
           + _place_where(flt, params))
    return ledger.db.execute(sql, params).fetchone()[0]


def unpaid_rows(ledger, flt: ExportFilter = ExportFilter(), year: int | None = None) -> Iterator[dict]:
    """未参保人员明细: everyone without a payment this year (as of ``flt.end``), with the reason."""
    year = year or campaign_year(ledger)
    params: list = [year]
    paid = _paid_sql("?", flt, params)
    sql = ("SELECT v.name, coalesce(g.name, ''), coalesce(hm.name, ''), m.name, m.id_number,"
           " coalesce(nullif(m.phone, ''), h.phone), m.status, m.status_detail, m.status_date, m.notes"
           + _BASE.format(paid=paid) + " WHERE pd.member_id IS NULL" + _place_where(flt, params) + _ORDER)
    station = station_labels(ledger)
    for village, group, head, name, number, phone, status, detail, when, notes in ledger.db.execute(sql, params):
        counts = counts_for_rate(status)
        yield {"station": station(village), "village": village, "group": group, "household_head": head, "name": name, "id_number": number,
               "phone": phone, "status": "未缴费" if status == ENROLLED else "未在本地参保",
               "reason": "尚未缴费" if status == ENROLLED else status, "reason_detail": detail,
               "reason_date": dt.date.fromisoformat(when) if when else None,
               "counts": "是" if counts else "否", "note": notes}


def progress_rows(ledger, flt: ExportFilter = ExportFilter(), year: int | None = None) -> list[dict]:
    """参保进度汇总 per village and group, then one 合计 row per village and a 总计 row
    (``member_year.progress_by_place``: the tree's and the dashboard's counts)."""
    year = year or campaign_year(ledger)
    places = my.progress_by_place(ledger.db.conn, year, until=flt.end, key_cats=my.key_categories(ledger.policy()),
                                  village=flt.village, group=flt.group)
    out: list[dict] = []
    total_all = total_key = my.NO_PROGRESS
    by_village: dict[str, list[my.PlaceProgress]] = {}
    for p in places:
        by_village.setdefault(p.village, []).append(p)
    for village, groups in by_village.items():
        v_all = v_key = my.NO_PROGRESS
        for p in groups:
            out.append(_progress_row(village, p.group or "（未分组）", p.all, p.key))
            v_all, v_key = v_all + p.all, v_key + p.key
        out.append(_progress_row(village, "合计", v_all, v_key))
        total_all, total_key = total_all + v_all, total_key + v_key
    out.append(_progress_row("总计", "", total_all, total_key))
    return out


def _progress_row(village: str, group: str, all_: my.Progress, key: my.Progress) -> dict:
    return {"village": village, "group": group, "required": all_.required, "paid": all_.paid, "rate": all_.rate,
            "target": TARGET, "short": all_.short(TARGET), "key_required": key.required, "key_paid": key.paid,
            "key_rate": key.rate, "key_target": KEY_TARGET, "key_short": key.short(KEY_TARGET)}


def _paid_items(ledger, flt: ExportFilter, year: int | None, json_filter: str) -> Iterator[tuple]:
    year = year or campaign_year(ledger)
    params: list = [year]
    where = " WHERE pi.year = ? AND " + json_filter
    if flt.start:
        where += " AND p.paid_on >= ?"
        params.append(flt.start.isoformat())
    if flt.end:
        where += " AND p.paid_on <= ?"
        params.append(flt.end.isoformat())
    where += _place_where(flt, params)
    sql = ("SELECT v.name, coalesce(g.name, ''), m.name, m.id_number, pi.amount_fen, qs.json, p.paid_on"
           f" FROM {STANDING} pi JOIN payments p ON p.id = pi.payment_id JOIN members m ON m.id = pi.member_id"
           " JOIN quote_snapshots qs ON qs.id = pi.quote_id"
           " JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id"
           " LEFT JOIN village_groups g ON g.id = h.group_id" + where +
           " ORDER BY v.id, g.id, h.number, m.relation <> '户主', m.id")
    return ledger.db.execute(sql, params)


def assistance_rows(ledger, flt: ExportFilter = ExportFilter(), year: int | None = None) -> Iterator[dict]:
    """困难群体资助名单: paid items that received assistance, by category and funding source."""
    rows = _paid_items(ledger, flt, year, "CAST(coalesce(json_extract(qs.json, '$.assistance'), '0') AS TEXT)"
                                          " NOT IN ('0', '0.00', '0.0')")
    for village, group, name, number, fen, quote_text, paid_on in rows:
        q = json.loads(quote_text)
        yield {"village": village, "group": group, "name": name, "id_number": number,
               "category": q.get("assistance_category") or "、".join(q.get("categories") or ()),
               "funding_source": q.get("assistance_source") or "",
               "standard_amount": _quote_money(q.get("personal_standard")),
               "assistance_amount": _quote_money(q.get("assistance")),
               "personal_amount": yuan(fen), "paid_on": dt.date.fromisoformat(paid_on)}
    yield from _claim_rows(ledger, flt, year, "assistance")


def subsidy_rows(ledger, flt: ExportFilter = ExportFilter(), year: int | None = None) -> Iterator[dict]:
    """先缴后补补助名单: one row per funder of each paid item's subsidies."""
    rows = _paid_items(ledger, flt, year, "json_array_length(qs.json, '$.subsidies') > 0")
    for village, group, name, number, fen, quote_text, paid_on in rows:
        q = json.loads(quote_text)
        for part in q.get("subsidies") or ():
            yield {"village": village, "group": group, "name": name, "id_number": number,
                   "category": "、".join(q.get("categories") or ()), "funder": part.get("funder", ""),
                   "subsidy_amount": _quote_money(part.get("amount")), "personal_amount": yuan(fen),
                   "paid_on": dt.date.fromisoformat(paid_on), "state": "待补助"}
    yield from _claim_rows(ledger, flt, year, "subsidy")


def _claim_rows(ledger, flt: ExportFilter, year: int | None, kind: str) -> Iterator[dict]:
    """认定后补付 (app.ledger.claims): recognised after paying in full; one row per part of the claim."""
    for c in ledger.claims.list(year=year or campaign_year(ledger)):
        if c.state in ("已撤销", "缴费已作废", "缴费已退费"):
            continue
        m = ledger.members.get(c.member_id)
        h = ledger.households.get(m.household_id)
        if (flt.village and h.village != flt.village) or (flt.group and (h.group or "") != flt.group):
            continue
        if (flt.start and c.paid_on < flt.start) or (flt.end and c.paid_on > flt.end):
            continue
        base = {"village": h.village, "group": h.group or "", "name": m.name, "id_number": m.id_number,
                "category": f"{c.category}（{c.recognized_on} 认定，缴费后补付）", "paid_on": c.paid_on}
        for part in c.parts:
            if kind == "assistance" and part.kind == ClaimPartKind.ASSISTANCE:
                yield {**base, "funding_source": part.funder, "standard_amount": None,
                       "assistance_amount": part.amount, "personal_amount": None}
            elif kind == "subsidy" and part.kind in (ClaimPartKind.SUBSIDY, ClaimPartKind.WITHDRAWN):
                yield {**base, "funder": part.funder, "subsidy_amount": part.amount, "personal_amount": None,
                       "state": f"认定后{c.state}" if part.kind == ClaimPartKind.SUBSIDY else "不再补助（认定后改按新类别）"}
