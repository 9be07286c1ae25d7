"""The window's read-only SQL: the member list page, progress per village and group, and the dashboard.

Reads go straight to the ledger's tables (the schema in ``app.ledger.schema`` is the contract); every
write goes through the ledger's services. Filters are pushed into SQL so a 500,000-member ledger stays fast.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from ..domain import vocabulary

ENROLLED = "本地参保"
# Statuses that are required to pay here (the enrolment rate's denominator).
REQUIRED_STATUSES: tuple[str, ...] = (ENROLLED,) + tuple(k for k, v in vocabulary.NON_ENROLMENT_REASONS.items() if v)
NOT_REQUIRED_STATUSES: tuple[str, ...] = tuple(k for k, v in vocabulary.NON_ENROLMENT_REASONS.items() if not v)

ASSISTED_CATEGORIES = set(vocabulary.CATEGORIES) - {"劳动模范", "稳定脱贫人口"}


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


REQUIRED_SQL = f"m.status IN {_in(REQUIRED_STATUSES)}"
# A member has paid for the year when a live (not voided, not refunded) payment item exists.
PAID_SQL = ("EXISTS (SELECT 1 FROM payment_items pi JOIN payments p ON p.id = pi.payment_id"
            " WHERE pi.member_id = m.id AND pi.year = :year AND p.voided_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_item_id = pi.id))")
PAID_FEN_SQL = ("(SELECT sum(pi.amount_fen) FROM payment_items pi JOIN payments p ON p.id = pi.payment_id"
                " WHERE pi.member_id = m.id AND pi.year = :year AND p.voided_at IS NULL"
                " AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_item_id = pi.id))")
CATS_SQL = ("(SELECT group_concat(c.category, '、') FROM member_categories c"
            " WHERE c.member_id = m.id AND c.ended_on IS NULL)")

PAY_FILTERS = {"all": "全部", "unpaid": "未缴", "paid": "已缴", "not_required": "无需缴费"}


@dataclass(frozen=True, slots=True)
class MemberFilter:
    """What the list shows. Every field becomes a SQL condition."""

    year: int
    text: str = ""
    pay: str = "all"  # all / unpaid / paid / not_required
    village_id: int | None = None
    group_id: int | None = None
    category: str = ""


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


ID_PREFIX_MIN = 10  # a township shares its 6-digit area code: an ID prefix narrows only from the birth year on
PHONE_PREFIX_MIN = 3


def search_condition(text: str, bounded: bool = False) -> tuple[str, dict]:
    """Find as you type: name prefix, ID number (from 10 digits) or its last digits, pinyin initials, phone
    prefix or last digits, 户编号.

    Each branch is an index range scan (GLOB prefix on an indexed column), unioned into an id set. With
    ``bounded`` (no other filter), each branch keeps only its first ``:after``/``:limit`` ids, so a prefix
    that matches half the ledger still costs one page.
    """
    t = re.sub(r"\s+", "", text or "")
    if not t:
        return "", {}
    params: dict = {}
    branches: list[str] = []
    g = _glob_escape(t)
    if re.fullmatch(r"[0-9]+[xX]?", t):
        up = t.upper()
        params.update(q_rev=_glob_escape(up[::-1]) + "*", q_phone_rev=_glob_escape(t[::-1]) + "*", q_number=t)
        branches += ["SELECT id FROM members WHERE id_rev GLOB :q_rev",
                     "SELECT id FROM members WHERE phone_rev GLOB :q_phone_rev"]
        if len(t) >= ID_PREFIX_MIN:
            params["q_id"] = _glob_escape(up) + "*"
            branches.append("SELECT id FROM members WHERE id_number GLOB :q_id")
        if len(t) >= PHONE_PREFIX_MIN and t.isdigit():
            params["q_phone"] = g + "*"
            branches.append("SELECT id FROM members WHERE phone GLOB :q_phone")
        branches.append("SELECT mm.id FROM members mm JOIN households hh ON hh.id = mm.household_id"
                        " WHERE hh.number = :q_number")
    elif re.fullmatch(r"[A-Za-z]+", t):
        params["q_ini"] = g.lower() + "*"
        branches.append("SELECT id FROM members WHERE name_initials GLOB :q_ini")
    else:
        params["q_name"] = g + "*"
        branches.append("SELECT id FROM members WHERE name GLOB :q_name")
    if bounded:
        # ``+id`` keeps SQLite on the GLOB's index (a rowid scan in id order is slow when matches are rare)
        branches = [f"SELECT * FROM ({b.replace(' WHERE ', ' WHERE +id > :after AND ', 1)} ORDER BY 1 LIMIT :limit)"
                    if "mm.id" not in b else b for b in branches]
    return "m.id IN (" + " UNION ".join(branches) + ")", params


def where_clause(f: MemberFilter, paging: bool = False) -> tuple[str, dict]:
    conds: list[str] = []
    params: dict = {"year": f.year}
    alone = f.pay == "all" and f.village_id is None and f.group_id is None and not f.category
    cond, p = search_condition(f.text, bounded=paging and alone)
    if cond:
        conds.append(cond)
        params.update(p)
    if f.village_id is not None:
        conds.append("h.village_id = :village_id")
        params["village_id"] = f.village_id
    if f.group_id is not None:
        conds.append("h.group_id = :group_id")
        params["group_id"] = f.group_id
    if f.category:
        conds.append("EXISTS (SELECT 1 FROM member_categories c WHERE c.member_id = m.id"
                     " AND c.category = :category AND c.ended_on IS NULL)")
        params["category"] = f.category
    if f.pay == "unpaid":
        conds.append(f"{REQUIRED_SQL} AND NOT {PAID_SQL}")
    elif f.pay == "paid":
        conds.append(PAID_SQL)
    elif f.pay == "not_required":
        conds.append(f"NOT {REQUIRED_SQL} AND NOT {PAID_SQL}")
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


LIST_COLUMNS = ("m.id, m.household_id, h.number, m.name, m.relation, m.id_number, m.sex, m.birth_date,"
                " v.name, coalesce(g.name, ''), m.status, " + CATS_SQL + ", " + PAID_FEN_SQL + ", m.phone")
LIST_FROM = (" FROM members m JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id"
             " LEFT JOIN village_groups g ON g.id = h.group_id")


def member_page(conn: sqlite3.Connection, f: MemberFilter, after_id: int, limit: int) -> list[tuple]:
    """The next ``limit`` rows after member id ``after_id`` (keyset paging: no OFFSET scans)."""
    where, params = where_clause(f, paging=True)
    where = (where + " AND" if where else " WHERE") + " m.id > :after"
    params.update(after=after_id, limit=limit)
    sql = f"SELECT {LIST_COLUMNS}{LIST_FROM}{where} ORDER BY m.id LIMIT :limit"
    return conn.execute(sql, params).fetchall()


def member_count(conn: sqlite3.Connection, f: MemberFilter) -> int:
    where, params = where_clause(f)
    joins = LIST_FROM if ("h." in where) else " FROM members m"
    return conn.execute(f"SELECT count(*){joins}{where}", params).fetchone()[0]


@dataclass(frozen=True, slots=True)
class Progress:
    paid: int
    required: int

    @property
    def rate(self) -> float | None:
        return self.paid / self.required if self.required else None

    def text(self) -> str:
        if not self.required:
            return "—"
        return f"{self.paid}/{self.required}（{self.paid * 100 // self.required}%）"


def progress_by_group(conn: sqlite3.Connection, year: int) -> dict[tuple[int, int | None], Progress]:
    """(village_id, group_id) -> paid / required members, in one pass."""
    sql = (f"SELECT h.village_id, h.group_id, count(*), sum({PAID_SQL})"
           f" FROM members m JOIN households h ON h.id = m.household_id WHERE {REQUIRED_SQL}"
           " GROUP BY h.village_id, h.group_id")
    return {(v, g): Progress(int(paid or 0), int(n)) for v, g, n, paid in conn.execute(sql, {"year": year})}


def roll_up(by_group: dict[tuple[int, int | None], Progress]) -> tuple[dict[int, Progress], Progress]:
    villages: dict[int, list[int]] = {}
    for (v, _g), p in by_group.items():
        acc = villages.setdefault(v, [0, 0])
        acc[0] += p.paid
        acc[1] += p.required
    per_village = {v: Progress(a, b) for v, (a, b) in villages.items()}
    total = Progress(sum(p.paid for p in per_village.values()), sum(p.required for p in per_village.values()))
    return per_village, total


def open_reader(path) -> sqlite3.Connection:
    """A read-only connection for a worker thread (WAL lets it read while the window writes)."""
    from pathlib import Path

    uri = Path(path).resolve().as_uri() + "?mode=ro"  # percent-encoded: Chinese, spaces, # and ? are safe
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA query_only=ON")
    return conn
