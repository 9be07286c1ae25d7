"""Which station a changed row goes to.

A village or grid worker sends everything it changed to the township (station 0). The township sends each
station the rows it **holds**: first the rows of its own households (a village never receives another village's
people): a row is traced to its household (a payment item through its payment, a refund through its item, a
category through its member …), the household to its village (``households.village_id``), and the village to
the stations that keep it (``stations.village``, app.ledger.stations). A household created by a station lies in
that station's block of ids (``app.ledger.ids``) and goes to it even without a village match. Rows every
station needs (villages, groups, quote snapshots) go to all (-1); rows of households no station keeps stay at
the township.

A member moved between villages (``moves``) ties two stations' rows together, and both hold them:

- a member is held by the stations of their household **and** of every household that paid for them (the old
  village keeps the member — in the new village's household, held there as an 外村户 — because its payments
  name them);
- a payment, its items and refunds are held by the stations of the payer household **and** of the households
  its items' members live in now (the new village holds the moved member's payment, so it shows them 已缴;
  an item of a member it does not hold stays away: only the moved member's items go);
- a household is held by its own stations and by those holding a member living in it or a payment it made;
- a payment's audit entries go where the payment goes (``canbao check`` finds the payment's entry).
"""

from __future__ import annotations

from ..ledger.ids import block_of

EVERYONE = -1
SHARED = ("villages", "village_groups", "quote_snapshots")

_HOUSEHOLD_OF_MEMBER = "SELECT household_id FROM members WHERE id = ?"
_HOUSEHOLD_OF_PAYMENT = "SELECT household_id FROM payments WHERE id = ?"
_HOUSEHOLD_OF_ITEM = "SELECT p.household_id FROM payment_items i JOIN payments p ON p.id = i.payment_id WHERE i.id = ?"
_ITEM = "SELECT payment_id, member_id FROM payment_items WHERE id = ?"
_PAYERS_OF_MEMBER = ("SELECT DISTINCT p.household_id FROM payment_items i JOIN payments p ON p.id = i.payment_id"
                     " WHERE i.member_id = ?")
_HOMES_OF_PAYMENT = ("SELECT DISTINCT m.household_id FROM payment_items i JOIN members m ON m.id = i.member_id"
                     " WHERE i.payment_id = ?")
_PAYERS_OF_HOUSEHOLD_MEMBERS = (
    "SELECT DISTINCT p.household_id FROM members m JOIN payment_items i ON i.member_id = m.id"
    " JOIN payments p ON p.id = i.payment_id WHERE m.household_id = ?")
_HOMES_OF_HOUSEHOLD_PAYMENTS = (
    "SELECT DISTINCT m.household_id FROM payments p JOIN payment_items i ON i.payment_id = p.id"
    " JOIN members m ON m.id = i.member_id WHERE p.household_id = ?")


def _one(conn, sql: str, value):
    if value is None:
        return None
    row = conn.execute(sql, (value,)).fetchone()
    return row[0] if row else None


def _all(conn, sql: str, value) -> list:
    return [] if value is None else [r[0] for r in conn.execute(sql, (value,))]


def household_of(conn, table: str, row: dict) -> int | None:
    """The household a replicated row belongs to (None: a row of no household)."""
    if table == "households":
        return row.get("id")
    if table in ("members", "payments"):
        return row.get("household_id")
    if table in ("audit", "sync_conflicts"):
        return row.get("household_id") or _one(conn, _HOUSEHOLD_OF_MEMBER, row.get("member_id"))
    if table in ("member_categories", "member_years", "claims"):
        return _one(conn, _HOUSEHOLD_OF_MEMBER, row.get("member_id"))
    if table == "payment_items":
        return _one(conn, _HOUSEHOLD_OF_PAYMENT, row.get("payment_id"))
    if table == "refunds":
        return _one(conn, _HOUSEHOLD_OF_ITEM, row.get("payment_item_id"))
    return None


def stations_of_household(conn, household_id: int | None) -> list[int]:
    """The stations (other than the township) that keep this household."""
    if household_id is None:
        return []
    got = [n for (n,) in conn.execute(
        "SELECT s.number FROM households h JOIN villages v ON v.id = h.village_id"
        " JOIN stations s ON s.village = v.name WHERE h.id = ? AND s.number <> 0", (household_id,))]
    block = block_of(household_id)
    if block and block not in got and conn.execute("SELECT 1 FROM stations WHERE number = ?", (block,)).fetchone():
        got.append(block)
    return sorted(got)


def _of(conn, households, memo: dict | None = None) -> set[int]:
    """The stations keeping any of these households (``memo``: household -> stations, for many rows at once)."""
    out: set[int] = set()
    for h in households:
        if memo is None:
            out.update(stations_of_household(conn, h))
            continue
        got = memo.get(h)
        if got is None:
            got = memo[h] = stations_of_household(conn, h)
        out.update(got)
    return out


def member_holders(conn, member_id: int | None, household_id: int | None, memo: dict | None = None) -> set[int]:
    """Stations holding a member: their household's, and those of the households that paid for them."""
    return _of(conn, [household_id, *_all(conn, _PAYERS_OF_MEMBER, member_id)], memo)


def payment_holders(conn, payment_id: int | None, household_id: int | None, memo: dict | None = None) -> set[int]:
    """Stations holding a payment: the payer household's, and those of its items' members' households now."""
    return _of(conn, [household_id, *_all(conn, _HOMES_OF_PAYMENT, payment_id)], memo)


def item_holders(conn, payment_id: int | None, member_id: int | None, memo: dict | None = None) -> set[int]:
    """Stations holding a payment item: those holding both its payment's payer and its member."""
    return _of(conn, [_one(conn, _HOUSEHOLD_OF_PAYMENT, payment_id), _one(conn, _HOUSEHOLD_OF_MEMBER, member_id)],
               memo)


def household_holders(conn, household_id: int | None, memo: dict | None = None) -> set[int]:
    return _of(conn, [household_id, *_all(conn, _PAYERS_OF_HOUSEHOLD_MEMBERS, household_id),
                      *_all(conn, _HOMES_OF_HOUSEHOLD_PAYMENTS, household_id)], memo)


def holders(conn, table: str, row: dict, memo: dict | None = None) -> set[int]:
    """The stations (township aside) that hold this row (the module docstring). ``memo``: a dict kept while
    routing many rows of one state of the ledger (each household's stations looked up once)."""
    if table == "households":
        return household_holders(conn, row.get("id"), memo)
    if table == "members":
        return member_holders(conn, row.get("id"), row.get("household_id"), memo)
    if table in ("member_categories", "member_years", "claims"):
        m = row.get("member_id")
        return member_holders(conn, m, _one(conn, _HOUSEHOLD_OF_MEMBER, m), memo)
    if table == "payments":
        return payment_holders(conn, row.get("id"), row.get("household_id"), memo)
    if table == "payment_items":
        return item_holders(conn, row.get("payment_id"), row.get("member_id"), memo)
    if table == "refunds":
        item = conn.execute(_ITEM, (row.get("payment_item_id"),)).fetchone()
        return item_holders(conn, *item, memo) if item else set()
    out = _of(conn, [household_of(conn, table, row)], memo)
    if table == "audit" and row.get("entity") == "payment" and row.get("entity_id") is not None:
        out |= payment_holders(conn, row["entity_id"], _one(conn, _HOUSEHOLD_OF_PAYMENT, row["entity_id"]), memo)
    return out


def destinations(conn, me: int, table: str, row: dict, memo: dict | None = None) -> list[int]:
    """Where a row changed on station ``me`` goes."""
    if me != 0:
        return [0]
    if table in SHARED:
        return [EVERYONE]
    return sorted(holders(conn, table, row, memo))


def keeps(conn, me: int, household_id: int | None) -> bool:
    """Does station ``me`` keep this household as its own (not only hold it for a moved member)?"""
    return me == 0 or me in stations_of_household(conn, household_id)
