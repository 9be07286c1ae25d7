"""The whole year's dues: what every member owes under the campaign's policy, and what they have paid.

One query reads every member with their categories, add-on choices and the year's standing payments;
quotes are cached by everything a quote depends on, so a district of 500,000 people costs a few thousand
quotes. ``progress(done, total)`` is called now and then; ``cancel()`` returning True stops early.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from ..domain.money import ZERO, from_fen
from .member_year import MemberStanding, PayState, QuoteCache, rate, standings

if TYPE_CHECKING:
    from .db import Ledger

DueRow = MemberStanding  # one member's year: app.ledger.member_year is the definition


@dataclass(frozen=True, slots=True)
class DuesReport:
    year: int
    policy_id: str
    paid_on: dt.date
    rows: tuple[MemberStanding, ...]
    members: int
    required: int  # members counted for progress (required here, or paid anyway)
    paid_members: int  # of those, members with a standing payment this year
    due_total: Decimal
    paid_total: Decimal
    distinct_quotes: int
    cancelled: bool = False

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

    rows = tuple(standings(ledger, day=day, cache=cache, progress=progress, cancel=stop if cancel else None))
    required = paid_members = 0
    due_fen = paid_fen = 0
    for r in rows:
        if r.state is not PayState.NOT_REQUIRED:
            required += 1
            if r.state is PayState.PAID:
                paid_members += 1
        if r.due is not None:
            due_fen += int(r.due * 100)
        paid_fen += int(r.paid * 100)
    return DuesReport(settings.year, policy.id, day, rows, len(rows), required, paid_members,
                      from_fen(due_fen), from_fen(paid_fen), len(cache), cancelled[0])
