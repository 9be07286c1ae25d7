"""The window's read-only SQL: the member list page, progress per village and group, and the dashboard.

Reads go straight to the ledger's tables (the schema in ``app.ledger.schema`` is the contract); every
write goes through the ledger's services. Filters are pushed into SQL so a 500,000-member ledger stays fast.
"""

from __future__ import annotations

import re
from ..ledger import sqlite_driver
from dataclasses import dataclass

from ..domain.vocabulary import PayState
from ..ledger import member_year as my
from ..ledger.member_year import NO_PROGRESS, Progress, roll_up  # noqa: F401 - the window's progress type
from ..ledger.search import name_phrase

# The member's year is defined once, in app.ledger.member_year; these are its SQL fragments for table alias m.
REQUIRED_SQL = my.required_sql("m")
PAID_SQL = my.paid_sql("m")
PAID_FEN_SQL = my.paid_fen_sql("m")
COUNTED_SQL = my.counted_sql("m")
CATS_SQL = ("(SELECT group_concat(c.category, '、') FROM member_categories c"
            " WHERE c.member_id = m.id AND c.ended_on IS NULL)")

PAY_FILTERS = {"all": "全部", "unpaid": PayState.UNPAID.label, "paid": PayState.PAID.label,
               "not_required": PayState.NOT_REQUIRED.label}


@dataclass(frozen=True, slots=True)
class MemberFilter:
    """What the list shows. Every field becomes a SQL condition."""

    year: int
    text: str = ""
    pay: str = "all"  # all / unpaid / paid / not_required
    village_id: int | None = None
    group_id: int | None = None
    category: str = ""
    # members found by the number typed, from the middle of an ID number or phone (``middle_search``: off
    # the GUI thread, capped): their ids, added to the prefix matches of ``text``
    middle_ids: tuple[int, ...] = ()


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


ID_PREFIX_MIN = 10  # a township shares its 6-digit area code: an ID prefix narrows only from the birth year on
PHONE_PREFIX_MIN = 3


def _search_terms(text: str, middle_ids: tuple[int, ...] = ()) -> tuple[list[str], dict]:
    """The search as conditions on one member row (each a GLOB prefix on an indexed column of ``members``)
    and their parameters; none for an empty text. The 户编号 match is left to the callers (it needs the
    households table). ``middle_ids``: members found from the middle of a number (a rowid look-up)."""
    t = re.sub(r"\s+", "", text or "")
    if not t:
        return [], {}
    params: dict = {}
    terms: list[str] = []
    if middle_ids:
        terms.append("id IN (" + ",".join(str(int(i)) for i in middle_ids) + ")")
    g = _glob_escape(t)
    if re.fullmatch(r"[0-9]+[xX]?", t):
        up = t.upper()
        params.update(q_rev=_glob_escape(up[::-1]) + "*", q_phone_rev=_glob_escape(t[::-1]) + "*", q_number=t)
        terms += ["id_rev GLOB :q_rev", "phone_rev GLOB :q_phone_rev"]
        if len(t) >= ID_PREFIX_MIN:
            params["q_id"] = _glob_escape(up) + "*"
            terms.append("id_number GLOB :q_id")
        if len(t) >= PHONE_PREFIX_MIN and t.isdigit():
            params["q_phone"] = g + "*"
            terms.append("phone GLOB :q_phone")
    elif re.fullmatch(r"[A-Za-z]+", t):
        params["q_ini"] = g.lower() + "*"
        terms.append("name_initials GLOB :q_ini")
    else:
        params["q_name"] = g + "*"
        terms.append("name GLOB :q_name")
        # anywhere in the name, one character too (a given name 䶮): the name-characters index
        params["q_chars"] = name_phrase(t)
        terms.append("id IN (SELECT rowid FROM member_names WHERE member_names MATCH :q_chars)")
    return terms, params


def _search_branches(text: str, middle_ids: tuple[int, ...] = ()) -> tuple[list[str], dict]:
    """One member-id index scan per search term."""
    terms, params = _search_terms(text, middle_ids)
    return [f"SELECT id FROM members WHERE {t}" for t in terms], params


def search_condition(text: str, bounded: bool = False, middle_ids: tuple[int, ...] = ()) -> tuple[str, dict]:
    """Find as you type: name prefix, ID number (from 10 digits) or its last digits, pinyin initials, phone
    prefix or last digits, 户编号.

    Each branch is an index range scan (GLOB prefix on an indexed column), unioned into an id set. With
    ``bounded`` (no other filter), each branch keeps only its first ``:after``/``:limit`` ids, so a prefix
    that matches half the ledger still costs one page.
    """
    branches, params = _search_branches(text, middle_ids)
    if not branches:
        return "", {}
    if bounded:
        # ``+id`` keeps SQLite on the GLOB's index (a rowid scan in id order is slow when matches are rare)
        branches = [f"SELECT * FROM ({b.replace(' WHERE ', ' WHERE +id > :after AND ', 1)} ORDER BY 1 LIMIT :limit)"
                    for b in branches]
    if "q_number" in params:
        branches.append("SELECT mm.id FROM members mm JOIN households hh ON hh.id = mm.household_id"
                        " WHERE hh.number = :q_number")
    return "m.id IN (" + " UNION ".join(branches) + ")", params


def _place(f: MemberFilter, conds: list[str], params: dict) -> None:
    """The village / group chosen in the tree (both list modes)."""
    if f.village_id is not None:
        conds.append("h.village_id = :village_id")
        params["village_id"] = f.village_id
    if f.group_id is not None:
        conds.append("h.group_id = :group_id")
        params["group_id"] = f.group_id


def where_clause(f: MemberFilter, paging: bool = False) -> tuple[str, dict]:
    conds: list[str] = []
    params: dict = {"year": f.year}
    alone = f.pay == "all" and f.village_id is None and f.group_id is None and not f.category
    cond, p = search_condition(f.text, bounded=paging and alone, middle_ids=f.middle_ids)
    if cond:
        conds.append(cond)
        params.update(p)
    _place(f, conds, params)
    conds.append(my.kept_sql("m.household_id"))  # not an 外村户's member (app.sync.moves)
    if f.category:
        # the categories table is small (a few % of members): one scan beats a probe per member
        conds.append("m.id IN (SELECT c.member_id FROM member_categories c"
                     " WHERE c.category = :category AND c.ended_on IS NULL)")
        params["category"] = f.category
    if f.pay == "unpaid":
        conds.append(f"{REQUIRED_SQL} AND NOT {PAID_SQL}")
    elif f.pay == "paid":
        conds.append(PAID_SQL)
    elif f.pay == "not_required":
        conds.append(f"NOT {REQUIRED_SQL} AND NOT {PAID_SQL}")
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


LIST_COLUMNS = ("m.id AS id, m.household_id AS household_id, h.number AS number, m.name AS name,"
                " m.relation AS relation, m.id_number AS id_number, m.sex AS sex, m.birth_date AS birth_date,"
                " v.name AS village, coalesce(g.name, '') AS grp, m.status AS status, " + CATS_SQL + " AS categories, "
                + PAID_FEN_SQL + " AS paid_fen, m.phone AS phone")
LIST_FROM = (" FROM members m JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id"
             " LEFT JOIN village_groups g ON g.id = h.group_id")


def rows(conn: sqlite_driver.Connection, sql: str, params) -> list[sqlite_driver.Row]:
    """Rows addressed by column name (``row["paid_fen"]``), never by position."""
    cur = conn.cursor()
    cur.row_factory = sqlite_driver.row_factory(cur)
    return cur.execute(sql, params).fetchall()


def member_page(conn: sqlite_driver.Connection, f: MemberFilter, after_id: int, limit: int) -> list[sqlite_driver.Row]:
    """The next ``limit`` rows after member id ``after_id`` (keyset paging: no OFFSET scans)."""
    where, params = where_clause(f, paging=True)
    where = (where + " AND" if where else " WHERE") + " m.id > :after"
    params.update(after=after_id, limit=limit)
    sql = f"SELECT {LIST_COLUMNS}{LIST_FROM}{where} ORDER BY m.id LIMIT :limit"
    return rows(conn, sql, params)


def member_count(conn: sqlite_driver.Connection, f: MemberFilter) -> int:
    where, params = where_clause(f)
    joins = LIST_FROM if ("h." in where) else " FROM members m"
    return conn.execute(f"SELECT count(*){joins}{where}", params).fetchone()[0]


# -- one row per household (按户): the same filter, read per household
def _any_member(cond: str) -> str:
    return f"EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND {cond})"


DENSE_MATCHES = 2000  # from this many matching members on, walking households in order finds a page sooner


def _dense(conn: sqlite_driver.Connection, terms: list[str], params: dict) -> bool:
    """Do at least ``DENSE_MATCHES`` members match? (index-only probes, well under a millisecond each)"""
    n = 0
    for t in terms:
        n += conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM members WHERE {t} LIMIT {DENSE_MATCHES})",
                          params).fetchone()[0]
        if n >= DENSE_MATCHES:
            return True
    return False


def household_search_condition(text: str, conn: sqlite_driver.Connection | None = None,
                               middle_ids: tuple[int, ...] = ()) -> tuple[str, dict]:
    """A household matches when any member matches the search (``_search_terms``), or its own 户编号
    (exact) or phone (prefix, from 3 digits) does.

    Two plans for one page: a rare text collects the matching members' households through the search
    indexes (cost ∝ matches); a common one (``_dense``, probed when ``conn`` is given) walks households in id
    order and checks their few members (cost ∝ one page), as a 1-character name matches 40,000 people in
    a 500,000-person ledger.
    """
    terms, params = _search_terms(text, middle_ids)
    if not terms:
        return "", {}
    if conn is not None and _dense(conn, terms, params):
        hh_cond = _any_member("(" + " OR ".join(terms) + ")")
        own = []
        if "q_number" in params:
            own.append("h.number = :q_number")
        if "q_phone" in params:
            own.append("h.phone GLOB :q_phone")
        return "(" + " OR ".join([hh_cond] + own) + ")", params
    hh = [f"SELECT household_id FROM members WHERE {t}" for t in terms]
    if "q_number" in params:
        hh.append("SELECT id FROM households WHERE number = :q_number")
    if "q_phone" in params:
        hh.append("SELECT id FROM households WHERE phone GLOB :q_phone")
    return "h.id IN (" + " UNION ".join(hh) + ")", params


def household_where(f: MemberFilter, conn: sqlite_driver.Connection | None = None) -> tuple[str, dict]:
    """unpaid = a member required here has not paid; paid = a member paid and none is unpaid;
    not_required = no member counts (none required, none paid); category = a member has it (active)."""
    conds: list[str] = []
    params: dict = {"year": f.year}
    cond, p = household_search_condition(f.text, conn, f.middle_ids)
    if cond:
        conds.append(cond)
        params.update(p)
    _place(f, conds, params)
    conds.append(my.kept_sql("h.id"))  # not an 外村户 (app.sync.moves)
    if f.category:
        # the categories table is small (a few % of members): collect its households once
        conds.append("h.id IN (SELECT m.household_id FROM member_categories c JOIN members m ON m.id = c.member_id"
                     " WHERE c.category = :category AND c.ended_on IS NULL)")
        params["category"] = f.category
    unpaid = _any_member(f"{REQUIRED_SQL} AND NOT {PAID_SQL}")
    if f.pay == "unpaid":
        conds.append(unpaid)
    elif f.pay == "paid":
        conds.append(f"{_any_member(PAID_SQL)} AND NOT {unpaid}")
    elif f.pay == "not_required":
        conds.append(f"NOT {_any_member(COUNTED_SQL)}")
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


# 应参保人数 counts members whose state is not 无需缴费 (member_year's progress rule), 已缴人数 the paid ones
HOUSEHOLD_COLUMNS = (
    "h.id AS id, h.number AS number,"
    " coalesce((SELECT m.name FROM members m WHERE m.household_id = h.id AND m.relation = '户主'), '') AS head,"
    " v.name AS village, coalesce(g.name, '') AS grp,"
    " (SELECT count(*) FROM members m WHERE m.household_id = h.id) AS people,"
    f" (SELECT count(*) FROM members m WHERE m.household_id = h.id AND {COUNTED_SQL}) AS required,"
    f" (SELECT count(*) FROM members m WHERE m.household_id = h.id AND {PAID_SQL}) AS paid,"
    " h.address AS address, h.phone AS phone")
HOUSEHOLD_FROM = (" FROM households h JOIN villages v ON v.id = h.village_id"
                  " LEFT JOIN village_groups g ON g.id = h.group_id")


def household_page(conn: sqlite_driver.Connection, f: MemberFilter, after_id: int, limit: int) -> list[sqlite_driver.Row]:
    """The next ``limit`` households after household id ``after_id`` (keyset paging)."""
    where, params = household_where(f, conn)
    where = (where + " AND" if where else " WHERE") + " h.id > :after"
    params.update(after=after_id, limit=limit)
    sql = f"SELECT {HOUSEHOLD_COLUMNS}{HOUSEHOLD_FROM}{where} ORDER BY h.id LIMIT :limit"
    return rows(conn, sql, params)


def household_count(conn: sqlite_driver.Connection, f: MemberFilter) -> int:
    where, params = household_where(f)
    return conn.execute(f"SELECT count(*) FROM households h{where}", params).fetchone()[0]


def progress_by_group(conn: sqlite_driver.Connection, year: int) -> dict[tuple[int, int | None], Progress]:
    """(village_id, group_id) -> paid / counted members, in one pass (``member_year.progress_by_place``)."""
    return {(p.village_id, p.group_id): p.all for p in my.progress_by_place(conn, year)}


def dashboard_counts(conn: sqlite_driver.Connection, year: int, key_cats: list[str], unpaid_limit: int = 1000):
    """(villages, total, key groups, key unpaid rows, payments per day) for the dashboard."""
    villages, total, key_groups = dashboard_progress(conn, year, key_cats)
    return villages, total, key_groups, key_unpaid(conn, year, key_cats, unpaid_limit), payments_per_day(conn, year)


def dashboard_progress(conn: sqlite_driver.Connection, year: int, key_cats: list[str]):
    """(villages, total, key groups): the stored totals per place (member_year / place_totals)."""
    by_group = progress_by_group(conn, year)
    per_village, total = roll_up(by_group)
    names = dict(conn.execute("SELECT id, name FROM villages ORDER BY id"))
    villages = [(names[v], per_village.get(v, NO_PROGRESS)) for v in names]
    key_groups = [(cat, p) for cat in key_cats if (p := my.category_progress(conn, year, cat)).required]
    return villages, total, key_groups


def key_unpaid(conn: sqlite_driver.Connection, year: int, key_cats: list[str], unpaid_limit: int = 1000) -> list[tuple]:
    """Unpaid members of the key groups: (household number, name, village, group, categories, phone, member
    id, household id), in village, group and household order."""
    if not key_cats:
        return []
    params = {f"k{i}": c for i, c in enumerate(key_cats)}
    marks = ", ".join(f":k{i}" for i in range(len(key_cats)))
    return [(r["number"], r["name"], r["village"], r["grp"], r["categories"], r["phone"], r["mid"], r["hid"])
            for r in rows(
        conn, f"SELECT h.number AS number, m.name AS name, v.name AS village, coalesce(g.name, '') AS grp,"
        f" {CATS_SQL} AS categories, coalesce(nullif(m.phone, ''), h.phone) AS phone, m.id AS mid, h.id AS hid"
        f" {LIST_FROM} WHERE {REQUIRED_SQL} AND NOT {PAID_SQL} AND {my.kept_sql('h.id')} AND EXISTS"
        f" (SELECT 1 FROM member_categories c WHERE c.member_id = m.id AND c.ended_on IS NULL"
        f" AND c.category IN ({marks})) ORDER BY v.id, g.id, h.number LIMIT :lim",
        {"year": year, **params, "lim": unpaid_limit})]


def payments_per_day(conn: sqlite_driver.Connection, year: int) -> list[tuple]:
    """(day, payments, fen) of what still stands: refunds taken off."""
    import datetime as dt

    return [(dt.date.fromisoformat(r["day"]), r["n"], r["fen"]) for r in rows(
        conn, f"SELECT paid_on AS day, count(DISTINCT payment_id) AS n, sum(amount_fen) AS fen FROM {my.STANDING_VIEW}"
        f" WHERE year = ? AND {my.kept_sql('payer_household_id')} GROUP BY paid_on ORDER BY paid_on", [year])]


def ledger_policy_id(path) -> str | None:
    """The policy id a ledger file uses (read only; raises sqlite_driver.Error for a file that is not a ledger)."""
    import json
    from pathlib import Path

    conn = sqlite_driver.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT value FROM settings WHERE key = 'policy_id'").fetchone()
    finally:
        conn.close()
    if not row:
        return None
    try:
        return str(json.loads(row[0]))
    except ValueError:
        return str(row[0])


def open_reader(path) -> sqlite_driver.Connection:
    """A read-only connection for a worker thread (WAL lets it read while the window writes)."""
    from pathlib import Path

    uri = Path(path).resolve().as_uri() + "?mode=ro"  # percent-encoded: Chinese, spaces, # and ? are safe
    conn = sqlite_driver.connect(uri, uri=True, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA query_only=ON")
    return conn


def household_head(ledger, household_id: int | None):
    """(id, name) of the household's 户主, or None."""
    if household_id is None:
        return None
    return ledger.db.execute("SELECT id, name FROM members WHERE household_id = ? AND relation = '户主'",
                             [household_id]).fetchone()
