"""The generated population: deterministic, valid unique ID numbers, plausible households, realistic shares."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from stdnum import numdb
from stdnum.cn import ric

from app.domain.idnumber import is_demo_number, parse_id_number
from app.domain.quote import quote
from app.domain.vocabulary import CATEGORIES, DEPARTMENTS, NON_ENROLMENT_REASONS
from app.ledger.demo_people import (CATEGORY_SHARES, RARE_CHARS, STATUS_SHARES, DemoCancelled, generate_population,
                                    request_for)
from app.policy_catalog import get_policy

POLICY = get_policy("changchun-2025")


@pytest.fixture(scope="module")
def pop5000():
    return generate_population(POLICY, 5000, seed=11)


def _fingerprint(pop):
    return [(h.number, h.village, h.group, h.address, h.phone,
             [(m.name, m.sex, m.birth_date, m.id_number, m.relation, m.student, m.categories, m.status, m.paid)
              for m in h.members],
             [(p.seq, p.paid_on, p.method, p.amounts) for p in h.payments]) for h in pop.households]


def test_same_seed_same_population_and_another_seed_differs():
    a = generate_population(POLICY, 800, seed=5)
    b = generate_population(POLICY, 800, seed=5)
    c = generate_population(POLICY, 800, seed=6)
    assert _fingerprint(a) == _fingerprint(b)
    assert _fingerprint(a) != _fingerprint(c)
    assert a.people == 800


def test_every_id_number_is_valid_unique_and_matches_birth_date_and_sex(pop5000):
    members = list(pop5000.members())
    numbers = [m.id_number for m in members if m.id_number]
    assert len(numbers) == len(set(numbers))
    for m in members:
        if not m.id_number:
            continue
        info = parse_id_number(m.id_number)  # the ledger's validator: stdnum's check digit, date, province
        assert (info.birth_date, info.sex) == (m.birth_date, m.sex)
        assert m.id_number[:6] == "229999" and is_demo_number(m.id_number)
        assert ric.calc_check_digit(m.id_number) == m.id_number[-1]


def test_a_few_newborns_have_no_id_but_a_birth_date(pop5000):
    no_id = [m for m in pop5000.members() if not m.id_number]
    assert 1 <= len(no_id) <= 50
    assert all(m.age == 0 and m.birth_date <= POLICY.window.start for m in no_id)


def test_households_have_one_head_1_to_8_members_and_plausible_ages(pop5000):
    sizes = collections.Counter(len(h.members) for h in pop5000.households)
    assert set(sizes) <= set(range(1, 9)) and len(sizes) == 8
    same_surname = []
    for h in pop5000.households:
        head = h.members[0]
        assert [m.relation for m in h.members].count("本人") == 1 and head.relation == "本人"
        for m in h.members[1:]:
            if m.relation in ("子", "女"):
                assert head.age - 45 <= m.age <= head.age - 18
            if m.relation in ("父亲", "母亲"):
                assert m.age >= head.age + 20
            if m.relation in ("孙子", "孙女"):
                assert m.age <= head.age - 36
            if m.relation == "配偶":
                assert m.sex != head.sex
        # spouses, mothers and in-laws keep their own surnames; children take the father's
        spouse = next((m for m in h.members if m.relation == "配偶"), None)
        father = head if head.sex == "男" or spouse is None else spouse
        same_surname += [m.name[0] == father.name[0] for m in h.members if m.relation in ("子", "女", "孙子", "孙女")]
    assert sum(same_surname) / len(same_surname) > 0.9
    assert 2.5 < 5000 / len(pop5000.households) < 3.5


def test_rare_characters_appear_in_some_names(pop5000):
    rare = [m.name for m in pop5000.members() if any(c in m.name for c in RARE_CHARS)]
    assert 10 <= len(rare) <= 100


@pytest.mark.parametrize("share", [s for s in CATEGORY_SHARES if s.share >= 0.002], ids=lambda s: s.name)
def test_category_shares_roughly_as_configured(pop5000, share):
    n = sum(any(c.name == share.name for c in m.categories) for m in pop5000.members())
    assert share.share * 5000 * 0.8 <= n <= share.share * 5000 * 1.2 + 8
    assert share.name in CATEGORIES and share.department in DEPARTMENTS


def test_categories_carry_department_and_a_date_before_the_campaign(pop5000):
    cats = [(m, c) for m in pop5000.members() for c in m.categories]
    assert cats
    assert all(m.birth_date <= c.recognized_on < POLICY.window.start for m, c in cats)
    low = [m for m, c in cats if c.name == "特困人员"]
    assert all(m.age >= 60 for m in low)


@pytest.mark.parametrize("share", [s for s in STATUS_SHARES if s.share >= 0.005], ids=lambda s: s.reason)
def test_status_shares_roughly_as_configured(pop5000, share):
    n = sum(m.status == share.reason for m in pop5000.members())
    assert abs(n - share.share * 5000) <= max(0.1 * share.share * 5000, 2)
    assert share.reason in NON_ENROLMENT_REASONS


def test_students_and_paid_share(pop5000):
    members = list(pop5000.members())
    kids = [m for m in members if 7 <= m.age <= 17]
    assert sum(m.student for m in kids) / len(kids) > 0.85
    enrolled = [m for m in members if m.status is None]
    paid = [m for m in enrolled if m.paid is not None]
    assert 0.7 < len(paid) / len(enrolled) < 0.95
    assert all(m.paid is None for m in members if m.status is not None)


def test_payments_are_the_quote_due_on_their_day_with_sequential_receipts(pop5000):
    payments = pop5000.payments()
    assert [p.seq for p in payments] == list(range(1, len(payments) + 1))
    assert [p.paid_on for p in payments] == sorted(p.paid_on for p in payments)
    w = POLICY.window
    methods = collections.Counter(p.method for p in payments)
    assert len(methods) >= 5
    for p in payments[::7]:
        assert w.start <= p.paid_on <= w.end
        for m, amount in zip(p.members, p.amounts):
            q = quote(POLICY, request_for(POLICY, m, p.paid_on))
            assert q.open and q.due == amount == m.paid
    assert {a for p in payments for a in p.amounts} >= {POLICY.standard.amount + 10}


@pytest.mark.parametrize("policy_id", ["tunliu-2025", "shuangqing-2025", "jilin-2024", "changchun-2022"])
def test_other_policies_payments_match_their_quotes(policy_id):
    policy = get_policy(policy_id)
    pop = generate_population(policy, 1500, seed=3)
    w = policy.window
    checked = 0
    for p in pop.payments():
        assert w.start <= p.paid_on <= w.end
        if w.day_from is not None:
            assert w.day_from <= p.paid_on.day <= w.day_to
        for m, amount in zip(p.members, p.amounts):
            q = quote(policy, request_for(policy, m, p.paid_on))
            assert q.open and q.due == amount
            checked += 1
    assert checked > 900


@pytest.mark.parametrize("policy_id", ["tunliu-2025", "shuangqing-2025", "jilin-2024"])
def test_demo_ids_can_match_no_real_person_in_any_region(policy_id):
    """The area code is the province's, then 9999: no prefecture 99 exists anywhere (stdnum's table of
    every county ever issued has none), so a demo number can never be a real resident's."""
    pop = generate_population(get_policy(policy_id), 300, seed=2)
    numbers = [m.id_number for m in pop.members() if m.id_number]
    assert numbers and all(is_demo_number(n) for n in numbers)
    table = numdb.get("cn/loc")
    for n in numbers:
        parse_id_number(n)  # still valid for the program: province, date, check digit
        province, county = table.info(n[:6])
        assert "province" in province[1] and county[1] == {}  # province known, no county ever had this code


def test_cancel_stops_generation():
    with pytest.raises(DemoCancelled):
        generate_population(POLICY, 20000, seed=1, cancel=lambda: True)


def test_progress_reaches_the_total():
    seen = []
    generate_population(POLICY, 5000, seed=1, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_large_population_spans_several_townships_with_unique_village_names():
    pop = generate_population(POLICY, 40000, seed=1)
    assert pop.township == "农安县"
    names = [v.ledger_name for v in pop.villages]
    assert len(names) == len(set(names)) and len({v.township for v in pop.villages}) >= 2
    assert all(h.address.startswith("农安县") and h.phone[0] == "1" and len(h.phone) == 11
               for h in pop.households)


def test_a_campaign_still_running_has_nothing_dated_after_today():
    today = POLICY.window.start + dt.timedelta(days=40)
    pop = generate_population(POLICY, 3000, seed=4, today=today)
    payments = pop.payments()
    assert payments and max(p.paid_on for p in payments) <= today
    members = list(pop.members())
    assert all(m.status_on is None or m.status_on <= today for m in members)
    assert all(c.recognized_on <= today for m in members for c in m.categories)
    assert len(payments) < len(generate_population(POLICY, 3000, seed=4).payments()) / 2
