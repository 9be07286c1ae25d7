"""Across all five policies: every open quote's lines cite the document number, every closed quote says why.

A grid of members (ages, categories, add-ons) and payment dates (every 7th day from a month before each
window to the end of the benefit year) is quoted; no quote may raise.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.policy_catalog import get_policy
from policy_quotes import D, ask, assert_open

POLICIES = ["changchun-2025", "tunliu-2025", "changchun-2022", "jilin-2024", "shuangqing-2025"]
BIRTHS = [D(1950, 2, 1), D(2008, 7, 1)]


def _dates(policy):
    d = policy.window.start - dt.timedelta(days=30)
    while d <= policy.benefit.end + dt.timedelta(days=10):
        yield d
        d += dt.timedelta(days=7)


@pytest.mark.parametrize("policy_id", POLICIES)
def test_every_open_quote_cites_the_document_and_every_closed_quote_says_why(policy_id):
    policy = get_policy(policy_id)
    doc = policy.source.doc_number
    cats = [c.name for c in policy.categories]
    groups = [(), *[(c,) for c in cats], tuple(cats[:3])]
    addons = tuple(a.name for a in policy.addons if not a.group)
    opened = closed = 0
    for paid in _dates(policy):
        for birth in BIRTHS:
            for group in groups:
                q = ask(policy_id, birth, paid, group, addons=addons)
                if q.open:
                    opened += 1
                    assert_open(q)
                    assert any(line.kind == "standard" for line in q.lines)
                    assert [line.kind for line in q.lines].count("benefit") == 1
                    assert q.benefit_start <= q.benefit_end
                    assert q.due >= Decimal(0)
                else:
                    closed += 1
                    assert q.reason and q.lines[0].kind == "closed"
                    assert q.reason_clause is None or q.reason_clause.startswith(doc)
    # both outcomes occur for every policy (a month before the window is always closed)
    assert opened > 50 and closed > 0
