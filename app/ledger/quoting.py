"""Quoting a member from the ledger: birth date, categories on the payment date, student flag, add-ons."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Iterable

from ..domain.problems import Problem, ProblemsError
from ..domain.quote import quote
from ..domain.quote_model import CategoryFact, Quote, QuoteRequest, SpecialFact, normalize_request

if TYPE_CHECKING:
    from .db import Ledger
    from .models import CategoryRecord, Member


def category_facts(records: Iterable["CategoryRecord"], paid_on: dt.date) -> tuple[CategoryFact, ...]:
    """Categories not ended by the payment date; the engine itself judges recognition dates."""
    return tuple(CategoryFact(c.category, c.recognized_on) for c in records
                 if c.ended_on is None or paid_on < c.ended_on)


def quote_member(ledger: "Ledger", member: "Member", paid_on: dt.date, *, addons: Iterable[str] | None = None,
                 declined: Iterable[str] | None = None, special: SpecialFact | None = None,
                 records: Iterable["CategoryRecord"] | None = None) -> Quote:
    """The quote for one member on a payment date; add-ons default to the member's recorded choice, category
    records to the member's (``records``: already read, as a batch of plans reads them)."""
    policy = ledger.policy()
    settings = ledger.settings.get()
    if addons is None or declined is None:
        chosen, refused = ledger.members.addon_choice(member.id, settings.year)
        addons = chosen if addons is None else addons
        declined = refused if declined is None else declined
    req = QuoteRequest(birth_date=member.birth_date, paid_on=paid_on,
                       categories=category_facts(ledger.categories.of_member(member.id) if records is None else records,
                                                 paid_on),
                       addons=tuple(addons), declined_addons=tuple(declined), student=member.student,
                       special=special, area_kind=settings.area_kind)
    req, problems = normalize_request(policy, req)
    if problems:
        raise ProblemsError([Problem(f"{member.name}：{p.place.lstrip('-')}", p.message) for p in problems])
    return quote(policy, req)
