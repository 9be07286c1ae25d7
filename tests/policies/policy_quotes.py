"""Helpers for the hand-worked policy tests.

Every expected number in ``tests/policies/test_*.py`` was worked out from the words of the official
document in ``/work/shared/seeds/`` (the comment next to each case cites the clause), not from the
engine's output. These helpers only shorten the calls.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from app.domain.policy_loader import load_policy_text
from app.domain.quote import quote
from app.domain.quote_model import CategoryFact, Quote, QuoteRequest, SpecialFact, normalize_request
from app.policy_catalog import get_policy

D = dt.date
ROOT = Path(__file__).resolve().parents[2]


def money(text: str | int) -> Decimal:
    return Decimal(str(text))


def cat(spec: str) -> CategoryFact:
    """'低保对象' or '低保对象:2024-10-01' (recognised on)."""
    name, _, when = spec.partition(":")
    return CategoryFact(name, dt.date.fromisoformat(when) if when else None)


def ask(policy_id: str, birth: dt.date, paid: dt.date, categories=(), addons=(), declined=(),
        student: bool = False, special: str | None = None, area: str = "") -> Quote:
    """Quote through the same path the CLI takes (aliases mapped, unknown names refused)."""
    policy = get_policy(policy_id)
    sp = None
    if special:
        name, _, when = special.partition(":")
        sp = SpecialFact(name, dt.date.fromisoformat(when) if when else None)
    req = QuoteRequest(birth_date=birth, paid_on=paid, categories=tuple(cat(c) for c in categories),
                       addons=tuple(addons), declined_addons=tuple(declined), student=student, special=sp,
                       area_kind=area)
    req, problems = normalize_request(policy, req)
    assert problems == [], problems
    return quote(policy, req)


def problems_of(policy_id: str, birth: dt.date, paid: dt.date, categories=(), addons=(), special=None,
                area: str = "") -> list[str]:
    policy = get_policy(policy_id)
    sp = SpecialFact(special) if special else None
    req = QuoteRequest(birth_date=birth, paid_on=paid, categories=tuple(cat(c) for c in categories),
                       addons=tuple(addons), special=sp, area_kind=area)
    _, problems = normalize_request(policy, req)
    return [p.message for p in problems]


def assert_open(q: Quote) -> None:
    """An open quote: every line that carries an amount or a rule cites the document number."""
    assert q.open, q.reason
    doc = get_policy(q.policy_id).source.doc_number
    for line in q.lines:
        if line.kind == "note" and not line.clause:
            continue  # the "assistance never stacks" note is the engine's own explanation
        assert line.clause.startswith(doc), (line.kind, line.text, line.clause)
    # the counter arithmetic holds on every open quote
    assert q.due == q.personal_standard - q.assistance + q.addons_total
    assert q.after_subsidy == sum((a for _, a in q.subsidies), Decimal(0))


def assert_closed(q: Quote, *words: str) -> None:
    """A closed quote whose reason cites the clause (with the document number)."""
    assert not q.open
    assert q.due is None and q.benefit_start is None
    assert q.reason
    doc = get_policy(q.policy_id).source.doc_number
    assert q.reason_clause and q.reason_clause.startswith(doc), q.reason_clause
    for w in words:
        assert w in (q.reason + q.reason_clause), (w, q.reason, q.reason_clause)


def line_kinds(q: Quote) -> list[str]:
    return [line.kind for line in q.lines]


def lines_of(q: Quote, kind: str):
    return [line for line in q.lines if line.kind == kind]


def edited(pid: str, *edits: tuple[str, str], extra: str = ""):
    """A shipped policy file edited as a clerk would copy it for another notice (each ``old`` must be there),
    loaded; it must load without problems."""
    text = (ROOT / "policies" / f"{pid}.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    policy, problems = load_policy_text(text + extra, f"{pid}.toml")
    assert problems == [], problems
    return policy


def ask_policy(policy, paid: dt.date, cats=(), birth: dt.date = D(1960, 5, 1), student: bool = False,
               special: SpecialFact | None = None) -> Quote:
    """Quote a loaded (edited) policy; ``cats`` are names or (name, recognised_on)."""
    req = QuoteRequest(birth_date=birth, paid_on=paid, categories=tuple(CategoryFact(*c) if isinstance(c, tuple)
                       else CategoryFact(c) for c in cats), student=student, special=special)
    req, problems = normalize_request(policy, req)
    assert problems == [], problems
    return quote(policy, req)
