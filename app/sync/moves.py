"""A member moved at the township to a household another station keeps: that station receives the member with
the move itself, not only with the household's next change.

The move is an UPDATE of ``members.household_id``; the station keeping the new household does not have the
member row, so an update would find nothing to change there. So the township's outbox sends that station the
member as it is now as an INSERT, with its categories (``member_categories``) and year choices
(``member_years``) — built like any other change, by ``apsw.Session.diff`` (from nothing to the rows), and
instead of the update and any change of those rows in the same batch for that station.

Payments stay with the household that paid (a payment's items and receipt belong together): the new station
does not receive the member's payments, and shows the member's year from what it holds (README: "Limits now").
The station of the old household is not told either (its copy keeps the member where it was)."""

from __future__ import annotations

import apsw

from .apsw_open import create_like, scratch
from .capture import pk_json, table_columns
from .routes import stations_of_household

COMES_ALONG = (("member_categories", "member_id"), ("member_years", "member_id"))


def arrivals(conn, changes: list[tuple[str, str, tuple | None, tuple | None]], shapes: dict) -> dict[int, set[int]]:
    """station -> member ids moved (in this batch) into a household it keeps from one it does not keep.
    ``changes``: (table, op, old, new) of the batch's changeset."""
    if "members" not in shapes:
        return {}
    cols, _ = shapes["members"]
    at, idx = cols.index("household_id"), cols.index("id")
    out: dict[int, set[int]] = {}
    for table, op, old, new in changes:
        if table != "members" or op != "UPDATE" or new[at] is apsw.no_change:
            continue
        was, now = old[at], new[at]
        for station in set(stations_of_household(conn, now)) - set(stations_of_household(conn, was)):
            out.setdefault(station, set()).add(old[idx])
    return out


def arrival_changeset(conn, members: set[int]) -> tuple[bytes, set[tuple[str, str]], int]:
    """(changeset of INSERTs, the (table, pk) it covers, how many rows) for the members as they are now."""
    mem = scratch()
    mem.execute("ATTACH DATABASE ':memory:' AS empty")
    covered: set[tuple[str, str]] = set()
    n = 0
    marks_of = {}
    tables = [("members", "id"), *COMES_ALONG]
    ids = sorted(members)
    holes = ", ".join("?" * len(ids))
    for table, col in tables:
        cols, pks = table_columns(conn, table)
        if not cols:
            continue
        create_like(mem, "main", table, cols, pks)
        create_like(mem, "empty", table, cols, pks)
        marks_of[table] = ", ".join("?" * len(cols))
        for row in conn.execute(f'SELECT * FROM "{table}" WHERE "{col}" IN ({holes})', ids):
            mem.execute(f'INSERT INTO main."{table}" VALUES ({marks_of[table]})', tuple(row))
            covered.add((table, pk_json(row[cols.index(c)] for c in pks)))
            n += 1
    session = apsw.Session(mem, "main")
    for table in marks_of:
        session.attach(table)
        session.diff("empty", table)
    blob = session.changeset()
    session.close()
    mem.close()
    return blob, covered, n
