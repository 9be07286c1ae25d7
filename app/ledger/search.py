"""Search members by ID fragment or last digits, name, pinyin initials, phone, or household number.

Every branch is an index range scan (``col >= q AND col < q'``): ID prefix on ``id_number``, last digits on
``id_rev``, name prefix on ``name``, initials prefix on ``name_initials``, phone prefix/suffix on
``phone``/``phone_rev``, birth date (``19600501``, ``196005``) on ``birth_date``. Only when those find nothing does a substring scan run, over the narrow covering
index of that column rather than the table (about 25 ms for 500,000 members), bounded by ``limit``.
Several words narrow the result: ``张 1234`` = name 张… and an ID or phone containing 1234.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .db import Ledger

_DIGITS = re.compile(r"^[0-9]+[0-9Xx]?$")
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
    if not found and len(token) >= 2:
        # A fragment from the middle: scan the narrow covering index (id_number / phone / name plus rowid),
        # not the table; the range condition lets the planner pick that index.
        if _DIGITS.match(token):
            scans = [("证件号包含", "id_number", token.upper())] + ([] if "X" in token.upper() else
                                                                [("电话包含", "phone", token)])
        else:
            scans = [("姓名包含", "name", token)]
        for label, col, key in scans:
            if len(found) >= limit:
                break
            for (mid,) in db.execute(f"SELECT id FROM members WHERE {col} > '' AND instr({col}, ?) > 0 LIMIT ?",
                                     [key, limit - len(found)]):
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
