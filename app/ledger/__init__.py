"""The ledger (一人一档): households, members, categories, payments and audit in one SQLite file.

Public API (everything the window, exports, printing and the CLI use):

    from app.ledger import open_ledger, PayLine, Change
    with open_ledger(path, create=True) as lg:          # path None -> CANBAO_DB -> data folder
        lg.settings.initialize(township=, year=, policy_id=, operators=[...], villages={"东风村": ["一组"]},
                               area_kind="")              -> Change
        lg.settings.get() -> Settings; .update(...); .add_village(name, kind, groups); .add_group(village, name)
        lg.households.add(village=, group=, number=None, address=, phone=, notes=) -> Change (id = household id)
        lg.households.get(id) / .find(number or "#id") / .by_number(n) / .list(village=, group=, limit=, offset=)
        lg.households.update(id, village=, group=, address=, phone=, notes=)
        lg.members.add(household_id, name=, id_type="居民身份证", id_number=, birth_date=, sex=, ethnicity=,
                       relation=, phone=, student=, school=, status="本地参保", status_detail=, status_date=)
        lg.members.get(id) / .of_household(hid) / .by_id_number(n) / .holders(n) / .where_is(member)
        lg.members.update(id, **fields); .set_status(id, status, detail=, on=); .move(id, to_hid, relation=)
        lg.members.choose_addons(id, addons, declined); .addon_choice(id) -> (addons, declined)
        lg.categories.add(member_id, category, department=, recognized_on=) -> Change (id = record id)
        lg.categories.end(record_id, ended_on=, reason=); .of_member(mid); .active_on(mid, day)
        lg.payments.quote(member_id, paid_on) -> Quote
        lg.payments.plan(household_id, [PayLine(...)], method=, paid_on=, override_reason=None) -> PaymentPlan
                           (items with quote, amount, needs, warnings; problems; nothing written) -> record(plan)
        lg.members.check(fields, member_id=None, household_id=None) -> [Problem]   (what add/update would refuse)
        lg.payments.implied_status(member_id, refund_reason) -> StatusProposal | None;
        lg.payments.refund(..., status=, status_detail=, status_on=); lg.payments.implied_refunds(mid, status)
        member_year.standings(lg, day=, household_id=None) -> MemberStanding per member: THE member's year
                           (state 已缴/未缴/无需缴费, due, paid); member_year.percent_text(paid, required) -> "84.9%"
        lg.payments.record(household_id, [PayLine(member_id, amount=None, override_reason=None)], method=,
                           paid_on=, operator=None, notes=, override_reason=None) -> Change (id = payment id)
        lg.payments.get(id) / .by_receipt(no) / .of_household(hid) / .of_member(mid) / .paid_this_year(mid)
        lg.payments.member_year(mid) -> MemberStanding (state, due, paid, claims, add-ons chosen, standing items
                                        with quote snapshots: the one type for a member's year)
        lg.payments.void(payment_id, reason); .refund(payment_id, member_id, reason, refunded_on=)
        lg.audit.for_member(mid) / .for_household(hid) / .recent(n)      -> [AuditEntry]
        lg.search(text, limit=50) -> [SearchHit]      (ID fragment / last digits, name, pinyin initials, phone)
        lg.dues(paid_on=None, progress=None, cancel=None) -> DuesReport   (whole year, one query, cached quotes)
        lg.check() -> [Problem];  lg.rollover(new_path, policy_id) -> Path
    backup_ledger(path) / restore_ledger(backup, path) / list_backups(path)   (app.ledger.backup)

Several writes that must stand or fall together: ``with lg.transaction(): ...`` (nested writes become
savepoints). One ``Ledger`` per thread: a background task opens its own (``open_ledger(path, backup=False)``).
Writes return ``Change`` (ids touched); reads return frozen dataclasses (``app.ledger.models``); invalid
input raises ``app.domain.problems.ProblemsError`` with every problem, and nothing is written.
Bulk loaders writing rows directly must fill the derived columns: see ``app.ledger.schema`` and
``app.ledger.identity.search_keys``.
"""

from .db import Ledger, LedgerError, default_path, open_ledger, resolve_path
from .member_year import MemberStanding
from .models import (ENROLLED, METHODS, AuditEntry, CategoryRecord, Change, Household, Member, Payment,
                     PaymentItem, Refund, Settings)
from .payments import PayLine

__all__ = ["Ledger", "LedgerError", "open_ledger", "default_path", "resolve_path", "Change", "Household", "Member",
           "CategoryRecord", "MemberStanding", "Payment", "PaymentItem", "Refund", "Settings", "AuditEntry", "PayLine", "ENROLLED",
           "METHODS"]
