"""Invariants of every quote, over random members, dates and policies (hypothesis)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import vocabulary
from app.domain.money import ZERO
from app.domain.quote import quote
from app.domain.quote_model import CategoryFact, QuoteRequest, SpecialFact
from app.policy_catalog import catalog

POLICIES = catalog()[0]
AMOUNT_KINDS = ("standard", "surcharge", "assistance", "addon")


@st.composite
def requests(draw):
    policy = POLICIES[draw(st.sampled_from(sorted(POLICIES)))]
    first = policy.window.start - dt.timedelta(days=20)
    last = max(policy.benefit.end, policy.late.until or policy.window.end) + dt.timedelta(days=20)
    paid = draw(st.dates(min_value=first, max_value=last))
    birth = draw(st.dates(min_value=dt.date(1920, 1, 1), max_value=paid))
    names = draw(st.lists(st.sampled_from(vocabulary.CATEGORIES), max_size=3, unique=True))
    cats = tuple(CategoryFact(n, draw(st.none() | st.dates(min_value=first - dt.timedelta(days=400), max_value=last)))
                 for n in names)
    addons = []
    groups = set()
    for a in draw(st.lists(st.sampled_from([a.name for a in policy.addons] or ["-"]), max_size=3, unique=True)):
        if a == "-":
            continue
        g = policy.addon_by_name[a].group
        if g and g in groups:
            continue
        groups.add(g)
        addons.append(a)
    special = None
    if draw(st.booleans()):
        special = SpecialFact(draw(st.sampled_from(vocabulary.SPECIALS)),
                              draw(st.none() | st.dates(min_value=first, max_value=paid)))
    req = QuoteRequest(birth_date=birth, paid_on=paid, categories=cats, addons=tuple(addons),
                       student=draw(st.booleans()), special=special,
                       area_kind=draw(st.sampled_from(("",) + policy.area_kinds)))
    return policy, req


@settings(max_examples=1500, deadline=None)
@given(requests())
def test_quote_invariants(pr):
    policy, req = pr
    q = quote(policy, req)
    assert q == quote(policy, req)  # deterministic
    if not q.open:
        assert q.reason and q.due is None
        return
    for value in (q.due, q.personal_standard, q.assistance, q.after_subsidy, q.addons_total):
        assert value >= ZERO
    assert q.due == q.personal_standard - q.assistance + q.addons_total
    assert q.assistance <= q.personal_standard
    assert sum((line.amount for line in q.lines if line.kind in AMOUNT_KINDS), ZERO) == q.due
    assert q.after_subsidy == sum((a for _, a in q.subsidies), ZERO)
    assert q.after_subsidy <= q.due
    # assistance never stacks: at most the largest single category's assistance
    singles = [quote(policy, QuoteRequest(req.birth_date, req.paid_on, (c,), req.addons, (), req.student,
                                          req.special, req.area_kind)).assistance or ZERO for c in req.categories]
    assert q.assistance <= max(singles, default=ZERO)
    assert q.benefit_start <= q.benefit_end
    months = policy.late.waiting_months  # 潍坊: 3 calendar months, 89–92 days
    assert q.waiting_days in (0, policy.late.waiting_days) or 28 * months <= q.waiting_days <= 31 * months
    if q.waiting_days:
        assert q.benefit_start == req.paid_on + dt.timedelta(days=q.waiting_days + 1)
    assert all(line.clause.startswith(policy.source.doc_number) for line in q.lines if line.amount is not None)


@settings(max_examples=300, deadline=None)
@given(requests())
def test_json_amounts_are_two_decimal_strings(pr):
    policy, req = pr
    d = quote(policy, req).to_dict()
    for key in ("due", "personal_standard", "assistance", "after_subsidy"):
        assert d[key] is None or (isinstance(d[key], str) and d[key].count(".") == 1 and len(d[key].split(".")[1]) == 2)
    for key in ("benefit_start", "benefit_end"):
        assert d[key] is None or dt.date.fromisoformat(d[key])


@settings(max_examples=400, deadline=None)
@given(requests(), st.data())
def test_a_claim_after_recognition_never_pays_back_more_than_was_borne(pr, data):
    """Recognised after paying (长春 四（三）/二（三）, 吉林 二): what is paid back, with the subsidies already due,
    never exceeds what the member paid at the counter; it is never negative."""
    from app.domain.claim import claim_after_recognition

    policy, req = pr
    q = quote(policy, req)
    if not q.open or not policy.categories:
        return
    category = data.draw(st.sampled_from([c.name for c in policy.categories]))
    recognized = data.draw(st.dates(min_value=req.paid_on, max_value=req.paid_on + dt.timedelta(days=400)))
    c = claim_after_recognition(policy, req, q, category, recognized)
    assert c.total >= ZERO and (c.total > ZERO) == c.owed
    assert c.total == sum((p.amount for p in c.parts), ZERO)
    assert q.after_subsidy + c.total <= q.due  # the member never gets back more than they paid
    if c.owed:
        assert c.clause.startswith(policy.source.doc_number)
