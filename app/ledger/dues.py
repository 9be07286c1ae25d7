"""The whole year's dues: what every member owes under the campaign's policy, and what they have paid.

One query reads every member with their categories, add-on choices and the year's standing payments;
quotes are cached by everything a quote depends on, so a district of 500,000 people costs a few thousand
quotes. ``progress(done, total)`` is called now and then; ``cancel()`` returning True stops early.

The report keeps totals, not rows: the read model's rows (``member_year.standings``) are summed as they
stream, so memory stays flat at 2,000,000 people; ``DuesReport.rows`` reads them again when asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from ..domain.money import ZERO
from .member_year import MemberStanding, PayState, QuoteCache, rate, standings

if TYPE_CHECKING:
    from .db import Ledger

DueRow = MemberStanding  # one member's year: app.ledger.member_year is the definition


@dataclass(frozen=True, slots=True)
class DuesReport:
    year: int
    policy_id: str
    paid_on: dt.date
    members: int
    required: int  # members counted for progress (required here, or paid anyway)
    paid_members: int  # of those, members with a standing payment this year
    due_total: Decimal
    paid_total: Decimal
    distinct_quotes: int
    cancelled: bool = False
    _ledger: "Ledger | None" = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> tuple[MemberStanding, ...]:
        """Every member's standing on ``paid_on``, read again from the ledger (a district: use
        ``member_year.standings`` and stream); () for a cancelled report."""
        if self.cancelled or self._ledger is None:
            return ()
        return tuple(standings(self._ledger, day=self.paid_on, year=self.year))

    @property
    def rate(self) -> Decimal:
        """Enrolment rate (paid / counted), 0–1, as ``member_year.rate`` rounds it."""
        return rate(self.paid_members, self.required) or ZERO


def default_paid_on(policy, today: dt.date | None = None) -> dt.date:
    """Today if a payment could be made in the window today, else the window's first day."""
    w = policy.window
    today = today or dt.date.today()
    if w.start <= today <= w.end and (w.day_from is None or w.day_from <= today.day <= w.day_to):
        return today
    return w.start


def year_dues(ledger: "Ledger", *, paid_on: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> DuesReport:
    settings = ledger.settings.get()
    policy = ledger.policy()
    day = paid_on or default_paid_on(policy)
    cache = QuoteCache(policy, settings.area_kind, day)
    cancelled = [False]

    def stop() -> bool:
        cancelled[0] = cancel is not None and bool(cancel())
        return cancelled[0]

    members = paid_members = unpaid = 0
    due_total = paid_total = ZERO  # exact: Decimal with two places
    PAID, UNPAID = PayState.PAID, PayState.UNPAID
    for r in standings(ledger, day=day, cache=cache, progress=progress, cancel=stop if cancel else None):
        members += 1
        if r.state is PAID:
            paid_members += 1
        elif r.state is UNPAID:
            unpaid += 1
        if r.due is not None:
            due_total += r.due
        paid_total += r.paid
    return DuesReport(settings.year, policy.id, day, members, paid_members + unpaid, paid_members,
                      due_total, paid_total, len(cache), cancelled[0], ledger)
