"""The whole year's dues: what every member owes under the campaign's policy, and what they have paid.

One query reads every member with their categories, add-on choices and the year's standing payments;
quotes are cached by everything a quote depends on, so a district of 500,000 people costs a few thousand
quotes. ``progress(done, total)`` is called now and then; ``cancel()`` returning True stops early.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Callable

from ..domain.money import ZERO, from_fen
from ..domain.quote import quote
from ..domain.quote_model import CategoryFact, QuoteRequest, normalize_request
from .members import counts_for_rate
from .models import ENROLLED

if TYPE_CHECKING:
    from .db import Ledger

_QUERY = """
WITH cats AS (
    SELECT member_id, group_concat(category || '|' || coalesce(recognized_on, '') || '|' || coalesce(ended_on, ''),
                                   ';') AS c
    FROM member_categories GROUP BY member_id
), paid AS (
    SELECT i.member_id, sum(i.amount_fen) AS fen, count(*) AS n
    FROM payment_items i JOIN payments p ON p.id = i.payment_id
    WHERE i.year = :year AND p.voided_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_item_id = i.id)
    GROUP BY i.member_id
)
SELECT m.id, m.household_id, m.birth_date, m.student, m.status, cats.c, y.addons, y.declined_addons,
       coalesce(paid.fen, 0), coalesce(paid.n, 0)
FROM members m
LEFT JOIN cats ON cats.member_id = m.id
LEFT JOIN member_years y ON y.member_id = m.id AND y.year = :year
LEFT JOIN paid ON paid.member_id = m.id
ORDER BY m.household_id, m.id
"""


@dataclass(frozen=True, slots=True)
class DueRow:
    member_id: int
    household_id: int
    status: str
    counts: bool  # required to enrol here (in the rate's denominator)
    due: Decimal | None  # None: not enrolled here, or the policy gives no quote (see reason)
    paid: Decimal
    reason: str = ""

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, ZERO) if self.due is not None else ZERO


@dataclass(frozen=True, slots=True)
class DuesReport:
    year: int
    policy_id: str
    paid_on: dt.date
    rows: tuple[DueRow, ...]
    members: int
    required: int  # members required to enrol here
    paid_members: int  # of those, members with a standing payment this year
    due_total: Decimal
    paid_total: Decimal
    distinct_quotes: int
    cancelled: bool = False

    @property
    def rate(self) -> Decimal:
        """Enrolment rate among members required to enrol here (paid / required), 0–1."""
        if not self.required:
            return ZERO
        return (Decimal(self.paid_members) / Decimal(self.required)).quantize(Decimal("0.0001"))


def default_paid_on(policy, today: dt.date | None = None) -> dt.date:
    """Today if a payment could be made in the window today, else the window's first day."""
    w = policy.window
    today = today or dt.date.today()
    if w.start <= today <= w.end and (w.day_from is None or w.day_from <= today.day <= w.day_to):
        return today
    return w.start


def _facts(text: str | None, paid_on: dt.date) -> tuple[CategoryFact, ...]:
    if not text:
        return ()
    out = []
    for part in text.split(";"):
        name, rec, ended = part.split("|")
        if ended and ended <= paid_on.isoformat():
            continue
        out.append(CategoryFact(name, dt.date.fromisoformat(rec) if rec else None))
    return tuple(sorted(out, key=lambda f: (f.name, f.recognized_on or dt.date.min)))


def year_dues(ledger: "Ledger", *, paid_on: dt.date | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> DuesReport:
    settings = ledger.settings.get()
    policy = ledger.policy()
    day = paid_on or default_paid_on(policy)
    total = ledger.db.execute("SELECT count(*) FROM members").fetchone()[0]
    cache: dict[tuple, tuple[int | None, str]] = {}
    rows: list[DueRow] = []
    required = paid_members = 0
    due_fen = paid_fen = 0
    cancelled = False
    area = settings.area_kind
    fen = lambda d: int(d * 100)  # noqa: E731 - Decimal with two places -> fen
    yuan: dict[int, Decimal] = {}

    def money(f: int) -> Decimal:
        d = yuan.get(f)
        if d is None:
            d = yuan[f] = from_fen(f)
        return d
    for n, (mid, hid, birth, student, status, cats, addons, declined, paid, npaid) in enumerate(
            ledger.db.execute(_QUERY, {"year": settings.year})):
        if n % 5000 == 0:
            if cancel is not None and cancel():
                cancelled = True
                break
            if progress is not None:
                progress(n, total)
        counts = counts_for_rate(status)
        if counts:
            required += 1
            if npaid:
                paid_members += 1
        paid_fen += paid
        if status != ENROLLED:
            rows.append(DueRow(mid, hid, status, counts, None, money(paid), f"不在本地参保（{status}）"))
            continue
        key = (birth, student, cats and _facts(cats, day), addons, declined)
        hit = cache.get(key)
        if hit is None:
            req = QuoteRequest(birth_date=dt.date.fromisoformat(birth), paid_on=day, categories=key[2] or (),
                               addons=tuple(json.loads(addons)) if addons else (),
                               declined_addons=tuple(json.loads(declined)) if declined else (),
                               student=bool(student), area_kind=area)
            req, problems = normalize_request(policy, req)
            if problems:
                hit = (None, "；".join(p.message for p in problems))
            else:
                q = quote(policy, req)
                hit = (fen(q.due), "") if q.open else (None, q.reason or "")
            cache[key] = hit
        if hit[0] is not None:
            due_fen += hit[0]
        rows.append(DueRow(mid, hid, status, counts, money(hit[0]) if hit[0] is not None else None,
                           money(paid), hit[1]))
    if progress is not None and not cancelled:
        progress(total, total)
    return DuesReport(settings.year, policy.id, day, tuple(rows), len(rows), required, paid_members,
                      from_fen(due_fen), from_fen(paid_fen), len(cache), cancelled)
