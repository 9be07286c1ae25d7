"""Stored progress totals per place (village, group): the dashboard, the village tree and the header read
them instead of counting 500,000 members each time (migration ``0110_place_totals``).

What is stored is exactly ``member_year``'s progress — paid / counted members (required here, or paid
anyway) — per place, for everyone (``cat = ''``), for the key groups together (``'*'``) and for each key
category; for one campaign year and one set of key categories (the policy's), written in ``place_totals_for``.
The counting SQL is ``member_year``'s own fragments (``paid_sql``, ``required_sql``): one definition.

Kept true in the same transaction as every write:

- triggers on every table a count depends on (members: added, removed, status or household changed;
  households moved; categories; payment items; voids; refunds) mark the places touched in
  ``place_totals_dirty`` — SQL, so no writer can forget them;
- before each ``Ledger.transaction`` commits, ``refresh`` counts the marked places again and clears the
  marks (one payment: one group, ~1 ms); when there is no complete set yet (a new or upgraded ledger, another
  year) it counts every place once;
- a reader takes the stored rows of unmarked places and counts marked places itself, in one read
  transaction, so a write that bypassed ``Ledger.transaction`` (a bulk loader) still reads true;
- ``canbao check`` compares every stored figure with a fresh count (``verify``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..domain.problems import Problem

if TYPE_CHECKING:
    from .db import Ledger

ALL, ANY_KEY = "", "*"  # cat of the rows for every counted member, and for the key groups together


def _mark(household: str) -> str:
    return ("INSERT OR IGNORE INTO place_totals_dirty (village_id, group_id) SELECT village_id, coalesce(group_id, 0)"
            f" FROM households WHERE id = {household};")


def _member_household(member: str) -> str:
    return f"(SELECT household_id FROM members WHERE id = {member})"


SCHEMA = [
    """CREATE TABLE place_totals (
        village_id INTEGER NOT NULL,
        group_id INTEGER NOT NULL,       -- 0 = households without a group
        cat TEXT NOT NULL,               -- '' everyone counted, '*' the key groups together, else one key category
        paid INTEGER NOT NULL,
        counted INTEGER NOT NULL,
        PRIMARY KEY (village_id, group_id, cat)
    ) WITHOUT ROWID""",
    """CREATE TABLE place_totals_for (
        year INTEGER NOT NULL,           -- the campaign year counted
        keys TEXT NOT NULL               -- JSON list of the key categories counted
    )""",
    """CREATE TABLE place_totals_dirty (
        village_id INTEGER NOT NULL,
        group_id INTEGER NOT NULL,
        PRIMARY KEY (village_id, group_id)
    ) WITHOUT ROWID""",
    f"CREATE TRIGGER members_totals_insert AFTER INSERT ON members BEGIN {_mark('new.household_id')} END",
    f"CREATE TRIGGER members_totals_delete AFTER DELETE ON members BEGIN {_mark('old.household_id')} END",
    f"""CREATE TRIGGER members_totals_update AFTER UPDATE OF status, household_id ON members BEGIN
        {_mark('old.household_id')} {_mark('new.household_id')} END""",
    """CREATE TRIGGER households_totals_move AFTER UPDATE OF village_id, group_id ON households BEGIN
        INSERT OR IGNORE INTO place_totals_dirty (village_id, group_id)
        VALUES (old.village_id, coalesce(old.group_id, 0)), (new.village_id, coalesce(new.group_id, 0)); END""",
    f"""CREATE TRIGGER member_categories_totals_insert AFTER INSERT ON member_categories BEGIN
        {_mark(_member_household('new.member_id'))} END""",
    f"""CREATE TRIGGER member_categories_totals_update AFTER UPDATE ON member_categories BEGIN
        {_mark(_member_household('old.member_id'))} {_mark(_member_household('new.member_id'))} END""",
    f"""CREATE TRIGGER member_categories_totals_delete AFTER DELETE ON member_categories BEGIN
        {_mark(_member_household('old.member_id'))} END""",
    f"""CREATE TRIGGER payment_items_totals AFTER INSERT ON payment_items BEGIN
        {_mark(_member_household('new.member_id'))} END""",
    """CREATE TRIGGER payments_totals_void AFTER UPDATE OF voided_at ON payments BEGIN
        INSERT OR IGNORE INTO place_totals_dirty (village_id, group_id)
        SELECT h.village_id, coalesce(h.group_id, 0) FROM payment_items i JOIN members m ON m.id = i.member_id
        JOIN households h ON h.id = m.household_id WHERE i.payment_id = new.id; END""",
    f"""CREATE TRIGGER refunds_totals AFTER INSERT ON refunds BEGIN
        {_mark(_member_household('(SELECT member_id FROM payment_items WHERE id = new.payment_item_id)'))} END""",
]


def delta_schema() -> list[str]:
    """Migration 0111: a new member (no payment, no category yet: every import and roster entry) and a new
    category record change their place's stored figures directly, instead of marking the place for a recount
    (an import of 10,000 people touched 3,289 of 3,758 groups: a whole recount, 1.2 s, in its COMMIT).
    Anything else still marks. Written with ``member_year``'s fragments, the year being the stored one."""
    from .member_year import paid_sql, required_sql

    stored = "EXISTS (SELECT 1 FROM place_totals_for)"
    year = "(SELECT year FROM place_totals_for)"
    paid = paid_sql("m").replace(":year", year)
    fresh = ("NOT EXISTS (SELECT 1 FROM member_categories c WHERE c.member_id = new.id)"
             " AND NOT EXISTS (SELECT 1 FROM payment_items i WHERE i.member_id = new.id)")
    upsert = "ON CONFLICT (village_id, group_id, cat) DO UPDATE SET paid = paid + excluded.paid, counted = counted + 1"
    key = ("new.ended_on IS NULL AND new.category IN"
           " (SELECT value FROM json_each((SELECT keys FROM place_totals_for)))")
    counted = f"EXISTS (SELECT 1 FROM members m WHERE m.id = new.member_id AND ({required_sql('m')} OR {paid}))"
    place = "FROM members m JOIN households h ON h.id = m.household_id WHERE m.id = new.member_id"
    return [
        "DROP TRIGGER members_totals_insert",
        "DROP TRIGGER member_categories_totals_insert",
        f"""CREATE TRIGGER members_totals_insert AFTER INSERT ON members
        WHEN NOT ({stored} AND {fresh}) BEGIN {_mark('new.household_id')} END""",
        f"""CREATE TRIGGER members_totals_insert_counted AFTER INSERT ON members
        WHEN {stored} AND {fresh} AND {required_sql('new')} BEGIN
        INSERT INTO place_totals (village_id, group_id, cat, paid, counted)
        SELECT village_id, coalesce(group_id, 0), '{ALL}', 0, 1 FROM households WHERE id = new.household_id
        {upsert}; END""",
        f"""CREATE TRIGGER member_categories_totals_insert AFTER INSERT ON member_categories
        WHEN NOT {stored} BEGIN {_mark(_member_household('new.member_id'))} END""",
        f"""CREATE TRIGGER member_categories_totals_insert_counted AFTER INSERT ON member_categories
        WHEN {stored} AND {key} AND {counted} BEGIN
        INSERT INTO place_totals (village_id, group_id, cat, paid, counted)
        SELECT h.village_id, coalesce(h.group_id, 0), new.category, {paid}, 1 {place}
        AND NOT EXISTS (SELECT 1 FROM member_categories c WHERE c.member_id = new.member_id AND c.id != new.id
                        AND c.ended_on IS NULL AND c.category = new.category)
        {upsert};
        INSERT INTO place_totals (village_id, group_id, cat, paid, counted)
        SELECT h.village_id, coalesce(h.group_id, 0), '{ANY_KEY}', {paid}, 1 {place}
        AND NOT EXISTS (SELECT 1 FROM member_categories c WHERE c.member_id = new.member_id AND c.id != new.id
                        AND c.ended_on IS NULL
                        AND c.category IN (SELECT value FROM json_each((SELECT keys FROM place_totals_for))))
        {upsert}; END""",
    ]


def _count_sql(keys: tuple[str, ...], one_place: bool) -> str:
    """(village id, group id, cat, paid, counted) of every place, or of one (``:v``, ``:g``; g 0 = no group)."""
    from .member_year import _in, kept_sql, paid_sql, required_sql

    # 外村户 (a household held for a member moved between villages, app.sync.moves) are not counted here
    where = (" WHERE h.village_id = :v AND h.group_id IS nullif(:g, 0)" if one_place else " WHERE 1") \
        + f" AND {kept_sql('h.id')}"
    # one place: its households by index, then their members; everything: members in file order, each
    # household by its key (~10% less work than going through the household index)
    source = ("households h CROSS JOIN members m ON m.household_id = h.id" if one_place
              else "members m CROSS JOIN households h ON h.id = m.household_id")
    key_in = _in(keys) if keys else "(NULL)"
    if one_place:  # a few members: one indexed look-up per member and category (a join built a Bloom filter
        # over every category record first)
        by_category = "\nUNION ALL\n".join(
            f"SELECT v, g, {_in([k])[1:-1]}, sum(paid), count(*) FROM x WHERE EXISTS (SELECT 1 FROM member_categories"
            f" c WHERE c.member_id = x.id AND c.ended_on IS NULL AND c.category = {_in([k])[1:-1]}) GROUP BY v, g"
            for k in keys) or "SELECT 0, 0, '', 0, 0 WHERE 0"
    else:
        by_category = f"""SELECT v, g, category, sum(paid), count(*) FROM (SELECT DISTINCT x.v, x.g, x.id, x.paid,
    c.category FROM x JOIN member_categories c ON c.member_id = x.id AND c.ended_on IS NULL AND c.category IN {key_in})
GROUP BY v, g, category"""
    return f"""
WITH x AS MATERIALIZED (
    SELECT v, g, id, paid FROM (
        SELECT h.village_id AS v, coalesce(h.group_id, 0) AS g, m.id AS id, {paid_sql('m')} AS paid,
               {required_sql('m')} AS req
        FROM {source}{where})
    WHERE req OR paid
)
SELECT v, g, '{ALL}', sum(paid), count(*) FROM x GROUP BY v, g
UNION ALL
SELECT v, g, '{ANY_KEY}', sum(paid), count(*) FROM x WHERE EXISTS (SELECT 1 FROM member_categories c
    WHERE c.member_id = x.id AND c.ended_on IS NULL AND c.category IN {key_in}) GROUP BY v, g
UNION ALL
{by_category}
"""


Totals = dict  # (village id, group id) -> {cat: (paid, counted)}


def _collect(rows) -> Totals:
    out: Totals = {}
    for v, g, cat, paid, counted in rows:
        out.setdefault((v, g), {})[cat] = (int(paid), int(counted))
    return out


MANY_PLACES = 1000  # more marked places than this: one pass over everything is cheaper than one query each


def count(conn, year: int, keys: tuple[str, ...], places=None) -> Totals:
    """A fresh count of every place, or of ``places`` ((village id, group id) pairs), each by its own indexed
    query (a join from the marked places let SQLite scan every member to build a Bloom filter)."""
    keys = tuple(keys)
    if places is None or len(places) > MANY_PLACES:
        out = _collect(conn.execute(_count_sql(keys, False), {"year": year}))
        return out if places is None else {p: out[p] for p in places if p in out}
    sql = _count_sql(keys, True)
    out: Totals = {}
    for v, g in places:
        out.update(_collect(conn.execute(sql, {"year": year, "v": v, "g": g})))
    return out


def _marked(conn) -> list[tuple[int, int]]:
    return [tuple(r) for r in conn.execute("SELECT village_id, group_id FROM place_totals_dirty")]


def _stored_for(conn) -> tuple[int, tuple[str, ...]] | None:
    row = conn.execute("SELECT year, keys FROM place_totals_for").fetchone()
    return (int(row[0]), tuple(json.loads(row[1]))) if row else None


def read(conn, year: int, keys: tuple[str, ...] | None = None) -> tuple[tuple[str, ...], Totals] | None:
    """(key categories, totals of every place with counted members): stored figures where unmarked, marked
    places counted now. None when nothing is stored for this year (or for other key categories than ``keys``;
    ``keys=None``: whichever are stored) — the caller then counts the old way.

    No transaction of its own (the connection may be the ledger's, shared with a writer): the stored rows and
    the marks come from one statement, so one snapshot; a place a write changes after it is counted afresh
    by the next read."""
    stored = _stored_for(conn)
    if stored is None or stored[0] != year or (keys is not None and tuple(keys) != stored[1]):
        return None
    out: Totals = {}
    marked = []
    for v, g, cat, paid, counted in conn.execute(
            "SELECT village_id, group_id, cat, paid, counted FROM place_totals t WHERE NOT EXISTS"
            " (SELECT 1 FROM place_totals_dirty d WHERE d.village_id = t.village_id AND d.group_id = t.group_id)"
            " UNION ALL SELECT village_id, group_id, NULL, NULL, NULL FROM place_totals_dirty"):
        if cat is None:
            marked.append((v, g))
        else:
            out.setdefault((v, g), {})[cat] = (paid, counted)
    if marked:
        out.update(count(conn, year, stored[1], marked))
    return stored[1], out


def _store(conn, totals: Totals) -> None:
    conn.executemany("INSERT OR REPLACE INTO place_totals (village_id, group_id, cat, paid, counted)"
                     " VALUES (?, ?, ?, ?, ?)",
                     [(v, g, cat, paid, counted) for (v, g), cats in totals.items()
                      for cat, (paid, counted) in cats.items()])


def rebuild(conn, year: int, keys: tuple[str, ...]) -> None:
    """Count every place and store it as the complete set for this year (inside the caller's transaction)."""
    totals = count(conn, year, keys)
    conn.execute("DELETE FROM place_totals")
    conn.execute("DELETE FROM place_totals_for")
    _store(conn, totals)
    conn.execute("INSERT INTO place_totals_for (year, keys) VALUES (?, ?)",
                 [year, json.dumps(list(keys), ensure_ascii=False)])
    conn.execute("DELETE FROM place_totals_dirty")


def ledger_keys(ledger: "Ledger") -> tuple[int, tuple[str, ...]] | None:
    """(year, key categories) of the ledger's campaign; None for a ledger not set up yet."""
    from .member_year import key_categories

    if not ledger.settings.initialized():
        return None
    return ledger.settings.get().year, key_categories(ledger.policy())


def refresh(ledger: "Ledger") -> None:
    """Before COMMIT: count the marked places again (or everything, when nothing complete is stored)."""
    conn = ledger.db.conn
    if not conn.execute("SELECT 1 FROM place_totals_dirty LIMIT 1").fetchone():
        return
    want = ledger_keys(ledger)
    if want is None:
        return
    if _stored_for(conn) != want:
        rebuild(conn, *want)
        return
    marked = _marked(conn)
    fresh = count(conn, *want, marked)
    conn.executemany("DELETE FROM place_totals WHERE village_id = ? AND group_id = ?", marked)
    _store(conn, fresh)
    conn.execute("DELETE FROM place_totals_dirty")


def verify(ledger: "Ledger") -> list[Problem]:
    """Every stored figure against a fresh count (``canbao check``)."""
    conn = ledger.db.conn
    stored_for = _stored_for(conn)
    if stored_for is None:
        return []
    year, keys = stored_for
    stored = read(conn, year, keys)[1]
    fresh = count(conn, year, keys)
    out = []
    names = {(v, g): f"{vn}{('·' + gn) if gn else ''}" for v, g, vn, gn in conn.execute(
        "SELECT v.id, coalesce(g.id, 0), v.name, coalesce(g.name, '') FROM villages v"
        " LEFT JOIN village_groups g ON g.village_id = v.id UNION SELECT id, 0, name, '' FROM villages")}
    for place in sorted(set(stored) | set(fresh)):
        a, b = stored.get(place, {}), fresh.get(place, {})
        for cat in sorted(set(a) | set(b)):
            if a.get(cat, (0, 0)) != b.get(cat, (0, 0)):
                what = {ALL: "全部", ANY_KEY: "重点人群"}.get(cat, cat)
                sp, sc = a.get(cat, (0, 0))
                fp, fc = b.get(cat, (0, 0))
                out.append(Problem(f"place_totals {names.get(place, place)}",
                                   f"存储的参保进度（{what}）{sp}/{sc} 与重新统计的 {fp}/{fc} 不符"
                                   "（下次记账时自动重算；如反复出现请报告）"))
    return out


def build_on_migrate(conn) -> None:
    """Migration 0110 on a ledger that has a campaign: count every place once (500,000 people: ~1 s)."""
    from ..policy_catalog import get_policy
    from .member_year import key_categories

    values = {k: v for k, v in conn.execute("SELECT key, value FROM settings WHERE key IN ('year', 'policy_id')")}
    if len(values) < 2:
        return
    try:
        year, policy = int(json.loads(values["year"])), get_policy(str(json.loads(values["policy_id"])))
    except Exception:  # noqa: BLE001 - a policy this build does not know: the first write counts instead
        return
    rebuild(conn, year, key_categories(policy))
