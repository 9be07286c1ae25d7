"""户籍名单 (roster) export: every member with what a roster import reads back — 户编号, village, group, head,
relation, sex, ethnicity, phone, school, categories (with their departments and dates, in parallel lists),
status with its date and detail. Exporting a ledger and importing the file into an empty ledger gives the same
households, members, categories and statuses (tests/exchange/test_round_trip.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .from_ledger import HOUSEHOLD_MEMBERS, ExportFilter, _place_where

_SQL = """
SELECT h.number, v.name, coalesce(g.name, ''), coalesce(hm.name, ''), m.name, m.id_type, m.id_number, m.birth_date,
       m.sex, m.ethnicity,
       m.relation, m.phone, m.school,
       m.status, m.status_date, m.status_detail, m.notes,
       (SELECT group_concat(c.category || char(31) || coalesce(c.department, '') || char(31)
                            || coalesce(c.recognized_on, ''), char(30))
          FROM (SELECT * FROM member_categories WHERE member_id = m.id AND ended_on IS NULL ORDER BY id) c)
{households}
WHERE 1=1 {where}
ORDER BY h.village_id, h.group_id, h.id, m.relation <> '户主', m.id
"""
EMPTY = "-"  # a category without a department or date, so the parallel lists stay aligned


def roster_rows(ledger, flt: ExportFilter = ExportFilter()) -> Iterator[dict]:
    params: list = []
    sql = _SQL.format(where=_place_where(flt, params), households=HOUSEHOLD_MEMBERS)
    for (number, village, group, head, name, id_type, id_number, birth, sex, ethnicity, relation, phone, school, status,
         status_date, status_detail, notes, cats) in ledger.db.execute(sql, params):
        parts = [c.split("\x1f") for c in cats.split("\x1e")] if cats else []
        yield {"household_no": number, "village": village, "group": group, "household_head": head, "name": name,
               "id_type": id_type, "id_number": id_number, "birth_date": dt.date.fromisoformat(birth) if birth else None,
               "sex": sex, "ethnicity": ethnicity, "relation": relation, "phone": phone,
               "school": school, "categories": "、".join(p[0] for p in parts),
               "departments": "、".join(p[1] or EMPTY for p in parts) if parts else "",
               "recognized_on": "、".join(p[2] or EMPTY for p in parts) if parts else "",
               "status": status, "status_date": dt.date.fromisoformat(status_date) if status_date else None,
               "status_detail": status_detail, "note": notes}
