"""Which station a changed row goes to.

A village or grid worker sends everything it changed to the township (station 0). The township sends each
station only the rows of its own households (a village never receives another village's people): a row is
traced to its household (a payment item through its payment, a refund through its item, a category through
its member …), the household to its village (``households.village_id``), and the village to the stations that
keep it (``stations.village``, app.ledger.stations). A household created by a station lies in that station's
block of ids (``app.ledger.ids``) and goes to it even without a village match. Rows every station needs
(villages, groups, quote snapshots) go to all (-1); rows of households no station keeps stay at the township.
"""

from __future__ import annotations

from ..ledger.ids import block_of

EVERYONE = -1
SHARED = ("villages", "village_groups", "quote_snapshots")

_HOUSEHOLD_OF_MEMBER = "SELECT household_id FROM members WHERE id = ?"
_HOUSEHOLD_OF_PAYMENT = "SELECT household_id FROM payments WHERE id = ?"
_HOUSEHOLD_OF_ITEM = "SELECT p.household_id FROM payment_items i JOIN payments p ON p.id = i.payment_id WHERE i.id = ?"


def _one(conn, sql: str, value):
    if value is None:
        return None
    row = conn.execute(sql, (value,)).fetchone()
    return row[0] if row else None


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


def destinations(conn, me: int, table: str, row: dict) -> list[int]:
    """Where a row changed on station ``me`` goes."""
    if me != 0:
        return [0]
    if table in SHARED:
        return [EVERYONE]
    return stations_of_household(conn, household_of(conn, table, row))
