"""A payment, planned before it is written: what each member would be charged and why, what the documents
warn about, which rules need an override reason, and every problem — all at once.

``Payments.plan(...)`` builds it (reads only); the window shows it, the CLI prints it, imports check with it;
``Payments.record(plan)`` plans again inside the write transaction and refuses if anything changed. The rules
live here and nowhere else: the member form and the payment dialog hold none of their own.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Iterable

from ..domain.money import ZERO, MoneyError, fmt, to_money
from ..domain.problems import Problem, ProblemsError
from ..domain.quote_model import Quote, SpecialFact
from ..domain.vocabulary import Status, Timing
from .models import METHODS, text
from .member_year import STANDING_VIEW
from .quoting import quote_member

if TYPE_CHECKING:
    from .db import Ledger


@dataclass(frozen=True, slots=True)
class PayLine:
    """One member in a payment. ``amount`` None = what the quote says; ``addons`` None = the member's choice."""

    member_id: int
    amount: Decimal | str | int | None = None
    addons: tuple[str, ...] | None = None
    declined_addons: tuple[str, ...] | None = None
    special: SpecialFact | None = None
    override_reason: str | None = None


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One member of a planned payment."""

    member_id: int
    name: str
    quote: Quote | None  # None when the member cannot be quoted (see the plan's problems)
    amount: Decimal | None  # what would be collected
    needs: tuple[str, ...] = ()  # rules an override reason lifts (amount differs, twice in a year, ...)
    warnings: tuple[str, ...] = ()  # what the documents want said before money is taken
    override_reason: str | None = None  # as it would be stored: reason｜the rules it lifted

    @property
    def due(self) -> Decimal | None:
        return self.quote.due if self.quote is not None and self.quote.open else None

    @property
    def needs_override(self) -> bool:
        return bool(self.needs)


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    household_id: int
    lines: tuple[PayLine, ...]
    method: str
    paid_on: dt.date | None
    operator: str
    notes: str
    override_reason: str | None
    items: tuple[PlanItem, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.items if i.amount is not None), ZERO)

    @property
    def needs_override(self) -> bool:
        """Some rule needs an override reason that no line and no payment gives."""
        return any(i.needs and not i.override_reason for i in self.items)

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(f"{i.name}：{w}" for i in self.items for w in i.warnings)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_problems(self) -> None:
        if self.problems:
            raise ProblemsError(list(self.problems))

    def same_as(self, other: "PaymentPlan") -> bool:
        """Would write the same rows (members, amounts, quotes, reasons)."""
        key = lambda p: [(i.member_id, i.amount, i.quote.to_dict() if i.quote else None, i.override_reason)  # noqa: E731
                         for i in p.items]
        return key(self) == key(other) and self.problems == other.problems


def member_warnings(policy, quote: Quote, categories: Iterable[str]) -> list[str]:
    """The warnings the documents require before money is taken (from the policy, never a fixed list)."""
    if not quote.open:
        return []
    out: list[str] = []
    assisted = [c for c in categories if policy.assists(c)]
    if assisted and not (quote.assistance and quote.assistance > ZERO):
        out.append(f"该人员属于{'、'.join(assisted)}，但本次按普通标准收费（无资助）。请核实认定日期与资助资格。")
    in_window = policy.window.start <= quote.paid_on <= policy.window.end
    if quote.timing not in (Timing.WINDOW, Timing.GROUP_WINDOW) and not in_window:
        w = policy.window
        out.append(f"缴费日期 {quote.paid_on} 不在集中缴费期（{w.start} 至 {w.end}）内，按期外规则计算"
                   + ("，有等待期" if quote.waiting_days else "") + "。")
    out.extend(quote.warnings)
    return out


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """One payment to plan in a batch (``plan_many``): the arguments ``plan_payment`` takes."""

    household_id: int
    lines: tuple[PayLine, ...]
    method: str
    paid_on: dt.date | str | None
    operator: str | None = None
    notes: str = ""
    override_reason: str | None = None


class _Lookups:
    """What planning a line reads about its member, straight from the ledger (one payment at a time)."""

    def __init__(self, ledger: "Ledger", year: int):
        self.ledger, self.year = ledger, year

    def household_exists(self, household_id: int) -> bool:
        return self.ledger.db.execute("SELECT 1 FROM households WHERE id = ?", [household_id]).fetchone() is not None

    def member(self, member_id: int):
        return self.ledger.members.get(member_id)

    def away(self, household_id: int) -> bool:
        """An 外村户 (app.sync.moves): another village's household, held here for a member moved there."""
        from .member_year import AWAY_TABLE

        return self.ledger.db.execute(f"SELECT 1 FROM {AWAY_TABLE} WHERE household_id = ?",
                                      [household_id]).fetchone() is not None

    def categories(self, member_id: int) -> list:
        return self.ledger.categories.of_member(member_id)

    def addon_choice(self, member_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.ledger.members.addon_choice(member_id, self.year)

    def prior(self, member_id: int) -> list[tuple[dt.date | str, str]]:
        """(paid on, receipt number and, when another household paid it, where) of the member's payments that
        stand this year."""
        return [(paid_on, receipt) for _m, paid_on, receipt in standing_receipts(self.ledger.db, self.year, [member_id])]

    def elsewhere(self, member_id: int) -> list[tuple[str, str, str]]:
        """(paid on, receipt number, 户编号) of this year's standing payments of the other members holding the
        member's ID number (the same person enrolled at two stations, 重复参保; not a pair judged 非重复)."""
        return [r[1:] for r in self.ledger.db.execute(_ELSEWHERE.format(ids="?"), [self.year, member_id])]


_ELSEWHERE = (f"SELECT m.id, s.paid_on, s.receipt_no, h.number FROM members m"
              f" JOIN members o ON o.id_number = m.id_number AND o.id <> m.id"
              f" JOIN {STANDING_VIEW} s ON s.member_id = o.id AND s.year = ?"
              f" JOIN households h ON h.id = o.household_id"
              " WHERE m.id IN ({ids}) AND m.id_number IS NOT NULL AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals d"
              " WHERE d.kept_member IS NULL AND d.member_a = min(m.id, o.id) AND d.member_b = max(m.id, o.id))"
              " ORDER BY s.id")


class _SharedLookups(_Lookups):
    """The same reads for many payments at once: one ``IN (…)`` query per 500 members and kind of fact."""

    def __init__(self, ledger: "Ledger", year: int, member_ids: Iterable[int], household_ids: Iterable[int]):
        super().__init__(ledger, year)
        from .categories import _SELECT as CATEGORY_SELECT, _row as category_row
        from .members import SELECT as MEMBER_SELECT, row_to_member
        from .models import named_rows

        db = ledger.db
        self.members: dict[int, object] = {}
        self.cats: dict[int, list] = {}
        self.addons: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self.priors: dict[int, list[tuple[str, str]]] = {}
        self.others: dict[int, list[tuple[str, str, str]]] = {}  # ``elsewhere``
        self.households: set[int] = set()
        ids = sorted(set(member_ids))
        for chunk in _chunks(ids):
            marks = ", ".join("?" * len(chunk))
            for r in named_rows(db, MEMBER_SELECT + f" WHERE id IN ({marks})", chunk):
                self.members[r["id"]] = row_to_member(r)
            for r in named_rows(db, CATEGORY_SELECT + f" WHERE member_id IN ({marks}) ORDER BY id", chunk):
                self.cats.setdefault(r["member_id"], []).append(category_row(r))
            for mid, addons, declined in db.execute(
                    f"SELECT member_id, addons, declined_addons FROM member_years WHERE year = ? AND member_id IN"
                    f" ({marks})", [year, *chunk]):
                self.addons[mid] = (tuple(json.loads(addons)), tuple(json.loads(declined)))
            for mid, paid_on, receipt_no in standing_receipts(db, year, chunk):
                self.priors.setdefault(mid, []).append((paid_on, receipt_no))
            for mid, paid_on, receipt_no, household_no in db.execute(_ELSEWHERE.format(ids=marks), [year, *chunk]):
                self.others.setdefault(mid, []).append((paid_on, receipt_no, household_no))
        for chunk in _chunks(sorted(set(household_ids))):
            self.households.update(r[0] for r in db.execute(
                f"SELECT id FROM households WHERE id IN ({', '.join('?' * len(chunk))})", chunk))

    def household_exists(self, household_id: int) -> bool:
        return household_id in self.households

    def member(self, member_id: int):
        m = self.members.get(member_id)
        if m is None:
            raise ProblemsError([Problem("人员", f"没有编号为 {member_id} 的人员")])
        return m

    def categories(self, member_id: int) -> list:
        return self.cats.get(member_id, [])

    def addon_choice(self, member_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return self.addons.get(member_id, ((), ()))

    def prior(self, member_id: int) -> list[tuple[dt.date | str, str]]:
        return self.priors.get(member_id, [])

    def elsewhere(self, member_id: int) -> list[tuple[str, str, str]]:
        return self.others.get(member_id, [])


def standing_receipts(db, year: int, member_ids: list[int]) -> list[tuple[int, str, str]]:
    """(member id, paid on, receipt number) of the members' standing payments of ``year``; a payment another
    household made (a member who moved, app.sync.moves) says where: ``220112-001-2025-000001，东风村 户 001000001``.
    What the plan says of a member already paid, and the household pane's tooltip."""
    marks = ", ".join("?" * len(member_ids))
    return [(mid, paid_on, receipt if payer == home else f"{receipt}，{village} 户 {number}")
            for mid, paid_on, receipt, payer, home, village, number in db.execute(
                f"SELECT s.member_id, s.paid_on, s.receipt_no, s.payer_household_id, m.household_id, v.name, h.number"
                f" FROM {STANDING_VIEW} s JOIN members m ON m.id = s.member_id"
                " JOIN households h ON h.id = s.payer_household_id JOIN villages v ON v.id = h.village_id"
                f" WHERE s.year = ? AND s.member_id IN ({marks}) ORDER BY s.id", [year, *member_ids])]


def _chunks(values: list, size: int = 500):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def plan_payment(ledger: "Ledger", household_id: int, lines: Iterable[PayLine], *, method: str,
                 paid_on: dt.date | str | None, operator: str | None = None, notes: str = "",
                 override_reason: str | None = None) -> PaymentPlan:
    """Plan a payment (reads only). Every problem is in ``plan.problems``; nothing raises for bad input."""
    year = ledger.settings.get().year
    return _plan(ledger, _Lookups(ledger, year), year,
                 PlanRequest(household_id, tuple(lines), method, paid_on, operator, notes, override_reason))


def plan_many(ledger: "Ledger", requests: Iterable[PlanRequest]) -> list[PaymentPlan]:
    """Many payments planned at once (an imported list of payments): the same rules as ``plan_payment``, each
    plan the same as planning it alone, with the members' facts read once for all of them."""
    requests = [PlanRequest(r.household_id, tuple(r.lines), r.method, r.paid_on, r.operator, r.notes,
                            r.override_reason) for r in requests]
    year = ledger.settings.get().year
    look = _SharedLookups(ledger, year, (line.member_id for r in requests for line in r.lines),
                          (r.household_id for r in requests))
    return [_plan(ledger, look, year, r) for r in requests]


def _plan(ledger: "Ledger", look: _Lookups, year: int, req: PlanRequest) -> PaymentPlan:
    from .members import _date

    lines, method, paid_on, household_id = req.lines, req.method, req.paid_on, req.household_id
    operator = ledger.actor(req.operator)
    notes = str(req.notes or "")
    problems: list[Problem] = []
    day = _date(paid_on, "缴费日期", problems)
    if not text(paid_on):
        problems.append(Problem("缴费日期", "必须填写缴费日期"))
    if method not in METHODS:
        problems.append(Problem("缴费方式", f"缴费方式「{method}」无效。可用：{'、'.join(METHODS)}"))
    if not operator:
        problems.append(Problem("操作员", "必须填写操作员"))
    if not lines:
        problems.append(Problem("人员", "至少选择一名缴费人员"))
    if not look.household_exists(household_id):
        problems.append(Problem("户", f"没有编号为 {household_id} 的户"))
    if day and day > dt.date.today():
        problems.append(Problem("缴费日期", f"缴费日期 {day} 晚于今天"))
    seen: set[int] = set()
    items: list[PlanItem] = []
    for line in lines:
        if line.member_id in seen:
            problems.append(Problem("人员", f"人员 {line.member_id} 在本次缴费中出现两次"))
            continue
        seen.add(line.member_id)
        if day is not None:
            item = _plan_line(ledger, look, line, household_id, day, req.override_reason, problems)
            if item is not None:
                items.append(item)
    return PaymentPlan(household_id, lines, method, day, operator, notes, req.override_reason, tuple(items),
                       tuple(problems))


def _plan_line(ledger: "Ledger", look: _Lookups, line: PayLine, household_id: int, day: dt.date,
               override: str | None, problems: list[Problem]) -> PlanItem | None:
    try:
        m = look.member(line.member_id)
    except ProblemsError as exc:
        problems.extend(exc.problems)
        return None
    policy = ledger.policy()
    reason = (line.override_reason or override or "").strip() or None
    need: list[str] = []  # rules that an override reason can lift
    if m.household_id != household_id:
        problems.append(Problem(m.name, f"不在该户（在户 {m.household_number}）"))
        return None
    if look.away(household_id):  # another village's household, held for a member moved there (app.sync.moves)
        problems.append(Problem(m.name, f"已迁往其他村（户 {m.household_number}），由该村收费"))
        return None
    if m.status != Status.ENROLLED:
        need.append(f"参保状态为「{m.status}」，不在本地参保")
    records = look.categories(m.id)
    addons, declined = line.addons, line.declined_addons
    if addons is None or declined is None:
        chosen, refused = look.addon_choice(m.id)
        addons = chosen if addons is None else addons
        declined = refused if declined is None else declined
    try:
        q = quote_member(ledger, m, day, addons=addons, declined=declined, special=line.special, records=records)
    except ProblemsError as exc:
        problems.extend(exc.problems)
        return PlanItem(m.id, m.name, None, None)
    amount = None
    if line.amount is not None:
        try:
            amount = to_money(line.amount)
        except MoneyError as exc:
            problems.append(Problem(f"{m.name}：金额", str(exc)))
            return PlanItem(m.id, m.name, q, None)
        if amount < 0:
            problems.append(Problem(f"{m.name}：金额", f"金额不能为负：{amount}"))
            return PlanItem(m.id, m.name, q, None)
    if not q.open:
        closed = f"按政策不能缴费——{q.reason}" + (f"（依据：{q.reason_clause}）" if q.reason_clause else "")
        if amount is None:
            problems.append(Problem(m.name, closed + "；如确需办理，请填写实收金额和变更原因"))
            return PlanItem(m.id, m.name, q, None, warnings=(f"不能缴费：{closed}",))
        need.append(closed)
    else:
        if amount is None:
            amount = q.due
        if amount != q.due:
            normal = q.due + (q.assistance or 0)
            if q.assistance and amount >= normal:
                warn = policy.assisted_warning
                need.append(f"是资助对象（{q.assistance_category}，资助 {fmt(q.assistance)} 元，"
                            f"应缴 {fmt(q.due)} 元），按普通标准收取 {fmt(amount)} 元"
                            + (f"。文件提示：{warn}" if warn else ""))
            else:
                need.append(f"实收 {fmt(amount)} 元与政策应缴 {fmt(q.due)} 元不符")
    for paid_on, receipt_no in look.prior(m.id):
        warn = policy.assisted_warning if (q.open and q.assistance) else ""
        need.append(f"本年度已于 {paid_on} 缴费（票据号 {receipt_no}），重复缴费"
                    + (f"。文件提示：{warn}" if warn else ""))
    for paid_on, receipt_no, household_no in look.elsewhere(m.id):  # 重复参保 with this ID number
        need.append(f"同一身份证号在户 {household_no} 本年度已于 {paid_on} 缴费（票据号 {receipt_no}），"
                    "重复参保、重复缴费（请先在重复参保清单中处理）")
    if need and not reason:
        for n in need:
            problems.append(Problem(m.name, n + "；如确需办理，请填写变更原因"))
    categories = [c.category for c in records if c.ended_on is None or day < c.ended_on]
    return PlanItem(m.id, m.name, q, amount, tuple(need), tuple(member_warnings(policy, q, categories)),
                    (reason + "｜" + "；".join(need)) if (need and reason) else None)
