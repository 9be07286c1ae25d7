"""What a ledger of the township shows for the 2025 campaign, read the way the window reads it, for the tests of
members and households moved between villages."""

from __future__ import annotations

from app.domain.vocabulary import PayState
from app.ledger import member_year
from app.ui import queries

YEAR = 2025


def state(lg, member_id: int) -> PayState:
    return member_year.of_member(lg, member_id, YEAR).state


def listed(lg) -> set[int]:
    """Members in the window's list (all of them), which must be the whole ledger's standings too."""
    f = queries.MemberFilter(year=YEAR)
    shown = {r["id"] for r in queries.member_page(lg.db.conn, f, 0, 1000)}
    assert queries.member_count(lg.db.conn, f) == len(shown)
    assert shown == {s.member_id for s in member_year.standings(lg, year=YEAR)}
    return shown


def listed_households(lg) -> set[int]:
    """Households in the window's list, which must be the ledger's own households (no 外村户)."""
    f = queries.MemberFilter(year=YEAR)
    shown = {r["id"] for r in queries.household_page(lg.db.conn, f, 0, 1000)}
    assert queries.household_count(lg.db.conn, f) == len(shown) == lg.households.count()
    return shown
