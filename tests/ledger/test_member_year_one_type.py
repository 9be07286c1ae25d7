"""One type for a member's year (issue 9): ``payments.member_year`` is the read model's ``MemberStanding`` with
its details filled in, and agrees with the standing every list reads."""

from decimal import Decimal

from app.domain.vocabulary import PayState
from app.ledger import MemberStanding, PayLine, models
from app.ledger import member_year as my


def test_a_members_year_is_its_standing_with_details(ledger, household, ids):
    mid = ledger.members.add(household, name="张三", id_number=ids("19600501"), relation="户主").id
    before = ledger.payments.member_year(mid)
    assert isinstance(before, MemberStanding) and not hasattr(models, "MemberYear")
    assert (before.state, before.has_paid, before.items, before.year) == (PayState.UNPAID, False, (), 2025)
    ledger.payments.record(household, [PayLine(mid)], method="现金", paid_on="2024-10-08")
    ledger.categories.add(mid, "低保对象", recognized_on="2025-03-01")  # recognised after paying: a claim
    year = ledger.payments.member_year(mid)
    listed = my.of_household(ledger, household)[mid]
    assert year[:9] == listed[:9]  # the same standing the lists, the tree and the dues read
    assert (year.state, year.paid, year.has_paid, year.addons) == (PayState.PAID, Decimal(410), True, ())
    assert [(i.amount, i.addons) for i in year.items] == [(Decimal(410), ("长期护理保险",))]  # mandatory 长护险
    assert [(c.category, c.amount) for c in year.claims] == [("低保对象", Decimal(290))]
    assert listed.items == () and listed.claims == ()  # the lists leave the details out (500,000 rows)
