"""Search members by ID fragment or last digits, name, pinyin initials, phone, or household number.

Every branch is an index range scan (``col >= q AND col < q'``): ID prefix on ``id_number``, last digits on
``id_rev``, name prefix on ``name``, initials prefix on ``name_initials``, phone prefix/suffix on
``phone``/``phone_rev``, birth date (``19600501``, ``196005``) on ``birth_date``. When those find nothing,
a fragment from the middle is looked up in two full-text indexes kept in step with ``members`` by
triggers (migration ``0041_member_search_fts``):

- ``member_names``: each name as its characters separated by spaces (``unicode61``): any fragment of a
  name, one character too (``䶮``, ``明``), is a phrase query on it (the first 12 characters of a name);
- ``member_numbers``: ID number and phone (``trigram`` tokenizer): any fragment of 3 or more digits.

Several words narrow the result: ``张 1234`` = name 张… and an ID or phone containing 1234.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Ledger

_DIGITS = re.compile(r"^[0-9]+[0-9Xx]?$")
NAME_CHARS_INDEXED = 12  # characters of a name put in member_names (longer names: the first 12)


def spaced_name_sql(column: str) -> str:
    """SQL for a name's characters separated by spaces (pure SQL: a trigger cannot call Python)."""
    return "trim(" + " || ' ' || ".join(f"substr({column}, {i}, 1)" for i in range(1, NAME_CHARS_INDEXED + 1)) + ")"


_FILL = [
    "DELETE FROM member_names",
    "DELETE FROM member_numbers",
    f"INSERT INTO member_names (rowid, chars) SELECT id, {spaced_name_sql('name')} FROM members",
    "INSERT INTO member_numbers (rowid, id_number, phone) SELECT id, coalesce(id_number, ''), phone FROM members",
]


def refill_statements() -> list[str]:
    """The statements that empty both full-text indexes and fill them again from ``members``."""
    return list(_FILL)


_ACTIVE = "WHEN NOT EXISTS (SELECT 1 FROM member_search_paused)"


def fts_schema() -> list[str]:
    """The two full-text tables, filled from ``members``, and the triggers that keep them in step (unless a
    bulk load paused them: ``paused_index``)."""
    new = spaced_name_sql("new.name")
    return [
        "CREATE VIRTUAL TABLE member_names USING fts5(chars, tokenize = 'unicode61 remove_diacritics 0')",
        "CREATE VIRTUAL TABLE member_numbers USING fts5(id_number, phone, tokenize = 'trigram')",
        "CREATE TABLE member_search_paused (since TEXT)",
        *_FILL[2:],
        f"""CREATE TRIGGER members_search_insert AFTER INSERT ON members {_ACTIVE} BEGIN
            INSERT INTO member_names (rowid, chars) VALUES (new.id, {new});
            INSERT INTO member_numbers (rowid, id_number, phone) VALUES (new.id, coalesce(new.id_number, ''), new.phone);
        END""",
        f"""CREATE TRIGGER members_search_update AFTER UPDATE OF name, id_number, phone ON members {_ACTIVE}
        BEGIN
            DELETE FROM member_names WHERE rowid = old.id;
            DELETE FROM member_numbers WHERE rowid = old.id;
            INSERT INTO member_names (rowid, chars) VALUES (new.id, {new});
            INSERT INTO member_numbers (rowid, id_number, phone) VALUES (new.id, coalesce(new.id_number, ''), new.phone);
        END""",
        f"""CREATE TRIGGER members_search_delete AFTER DELETE ON members {_ACTIVE} BEGIN
            DELETE FROM member_names WHERE rowid = old.id;
            DELETE FROM member_numbers WHERE rowid = old.id;
        END""",
    ]


@contextmanager
def paused_index(conn):
    """For a bulk load of members (``canbao demo``, a large import): the per-row triggers stand still and
    the two indexes are refilled in one pass at the end (500,000 members: seconds instead of minutes).
    Use inside the load's transaction; if the load fails, nothing is refilled (the transaction rolls back)."""
    conn.execute("INSERT INTO member_search_paused (since) VALUES (datetime('now'))")
    try:
        yield
    except BaseException:
        conn.execute("DELETE FROM member_search_paused")
        raise
    conn.execute("DELETE FROM member_search_paused")
    for statement in _FILL:
        conn.execute(statement)


def name_phrase(fragment: str) -> str:
    """The FTS5 phrase for a name fragment: its characters, quoted (``"小 明"``)."""
    chars = [c for c in fragment if not c.isspace()]
    return '"' + " ".join(chars).replace('"', '""') + '"'


def number_phrase(fragment: str) -> str:
    return '"' + fragment.upper().replace('"', '""') + '"'


def fragment_ids(conn, fragment: str, after: int = 0, limit: int = 200) -> list[int]:
    """Member ids (ascending, after ``after``) whose name contains ``fragment`` (any length), or whose ID
    number or phone contains it (3 characters or more): one full-text index lookup, never a table scan."""
    t = re.sub(r"\s+", "", fragment or "")
    if not t:
        return []
    if _DIGITS.match(t):
        if len(t) < 3:
            return []
        table, phrase = "member_numbers", number_phrase(t)
    else:
        table, phrase = "member_names", name_phrase(t)
    rows = conn.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?",
                        [phrase, after, limit])
    return [r[0] for r in rows]
def middle_number_ids(conn, fragment: str, after: int = 0, limit: int = 200,
                      budget_s: float | None = None) -> tuple[list[int], bool]:
    """Member ids (ascending, after ``after``) whose phone contains the digits ``fragment``, or whose ID
    number contains it after its first character (a fragment at the very start is the ID prefix, which the
    prefix search already finds from 10 digits on: the township's shared area code would match everyone).
    Returns (ids, more): ``more`` when there are further matches after the ``limit``, or the search ran past
    ``budget_s`` seconds and stopped (the window asks for more on demand). One trigram index lookup."""
    t = re.sub(r"\s+", "", fragment or "").upper()
    if not _DIGITS.match(t) or len(t) < 3:
        return [], False
    import time

    from . import sqlite_driver

    sql = ("SELECT rowid FROM member_numbers WHERE member_numbers MATCH ? AND rowid > ?"
           " AND (instr(substr(id_number, 2), ?) > 0 OR instr(phone, ?) > 0) ORDER BY rowid LIMIT ?")
    ids: list[int] = []
    stopped = False
    if budget_s is not None:
        deadline = time.monotonic() + budget_s
        conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20000)
    try:
        for (mid,) in conn.execute(sql, [number_phrase(t), after, t, t, limit + 1]):
            ids.append(mid)
    except sqlite_driver.OperationalError as exc:
        if "interrupt" not in str(exc):
            raise
        stopped = True  # past the budget, or interrupted by a newer search: what was found so far
    finally:
        if budget_s is not None:
            conn.set_progress_handler(None, 0)
    more = stopped or len(ids) > limit
    return ids[:limit], more


_LETTERS = re.compile(r"^[A-Za-z]+$")


@dataclass(frozen=True, slots=True)
class SearchHit:
    member_id: int
    household_id: int
    household_number: str
    name: str
    id_type: str
    id_number: str | None
    phone: str
    village: str
    group: str
    relation: str
    status: str
    matched: str  # 证件号 证件尾号 姓名 拼音 电话 户编号 …


def _upper(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


_BIRTH = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])?$")


def _kinds(token: str) -> list[tuple[str, str, str]]:
    """(label, column, key) prefix searches for one token."""
    if _DIGITS.match(token):
        t = token.upper()
        out = [("证件号", "id_number", t), ("证件尾号", "id_rev", t[::-1])]
        if "X" not in t:
            out += [("电话", "phone", t), ("电话尾号", "phone_rev", t[::-1])]
            if _BIRTH.match(t):  # 19600501 or 196005: the birth date in the middle of an ID number
                out.append(("出生日期", "birth_date", "-".join(filter(None, (t[:4], t[4:6], t[6:8])))))
        return out
    if _LETTERS.match(token):
        return [("拼音", "name_initials", token.lower())]
    return [("姓名", "name", token)]


def _ids_for(ledger: "Ledger", token: str, limit: int) -> dict[int, str]:
    db = ledger.db
    found: dict[int, str] = {}
    for label, col, key in _kinds(token):
        if len(found) >= limit:
            break
        rows = db.execute(f"SELECT id FROM members WHERE {col} >= ? AND {col} < ? ORDER BY {col} LIMIT ?",
                          [key, _upper(key), limit - len(found)])
        for (mid,) in rows:
            found.setdefault(mid, label)
    if _DIGITS.match(token) and len(found) < limit:
        for (mid,) in db.execute("SELECT m.id FROM members m JOIN households h ON h.id = m.household_id"
                                 " WHERE h.number = ? LIMIT ?", [token, limit - len(found)]):
            found.setdefault(mid, "户编号")
    if not found and not _LETTERS.match(token):
        # a fragment from the middle of a name (one character too), an ID number or a phone: the FTS indexes
        label = "号码包含" if _DIGITS.match(token) else "姓名包含"
        for mid in fragment_ids(db.conn, token, 0, limit):
            found.setdefault(mid, label)
    return found


def _matches(hit: SearchHit, initials: str, token: str) -> bool:
    if _DIGITS.match(token):
        t = token.upper()
        return t in (hit.id_number or "") or t in hit.phone or t == hit.household_number
    if _LETTERS.match(token):
        return initials.startswith(token.lower())
    return token in hit.name or token in hit.village or token in hit.group


def search(ledger: "Ledger", text: str, *, limit: int = 50) -> list[SearchHit]:
    tokens = [t for t in re.split(r"[\s,，、]+", "" if text is None else str(text).strip()) if t]
    if not tokens or limit <= 0:
        return []
    first, rest = tokens[0], tokens[1:]
    found = _ids_for(ledger, first, limit if not rest else max(limit * 20, 1000))
    if not found:
        return []
    ids = list(found)
    marks = ",".join("?" * len(ids))
    rows = ledger.db.execute(
        "SELECT m.id, m.household_id, h.number, m.name, m.id_type, m.id_number, m.phone, v.name,"
        " coalesce(g.name, ''), m.relation, m.status, m.name_initials FROM members m"
        " JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id"
        f" LEFT JOIN village_groups g ON g.id = h.group_id WHERE m.id IN ({marks})", ids).fetchall()
    by_id = {r[0]: r for r in rows}
    hits = []
    for mid in ids:
        r = by_id.get(mid)
        if r is None:
            continue
        hit = SearchHit(*r[:11], matched=found[mid])
        if all(_matches(hit, r[11], t) for t in rest):
            hits.append(hit)
        if len(hits) >= limit:
            break
    return hits
