"""A plausible synthetic population for ``canbao demo``: townships, villages and groups, households of 1–8
with relations and ages that fit, real-looking ID numbers, categories and non-enrolment reasons in realistic
shares, and who paid what on which day (the due from the policy's own quote).

Pure: no SQLite here (``demo.py`` writes the population into a ledger). Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from stdnum.cn import ric

from ..domain.policy import Policy
from ..domain.quote import quote
from ..domain.quote_model import CategoryFact, QuoteRequest
from ..domain.problems import Cancelled
from ..domain.vocabulary import CategoryKind, Status
from .demo_names import (FEMALE_CHARS, HOUSEHOLD_SIZE_WEIGHTS, MALE_CHARS, MOBILE_PREFIXES, RARE_CHARS,  # noqa: F401
                         RARE_SHARE, REGIONS, RELATIONS, SURNAME_WEIGHTS, SURNAMES, _NUMERALS, _RELATION_SEX,
                         DemoRegion, region_for)

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class DemoCancelled(Cancelled):
    """The caller's cancel check asked to stop; nothing was written."""


# ---------------------------------------------------------------- shares
@dataclass(frozen=True, slots=True)
class CategoryShare:
    name: str
    share: float  # of all people
    department: str
    household: bool  # recognised for the whole household (低保, 脱贫/监测) or for one person
    min_age: int = 0
    max_age: int = 200


CATEGORY_SHARES: tuple[CategoryShare, ...] = (
    CategoryShare("低保对象", 0.040, "民政", True),
    CategoryShare("低保边缘家庭成员", 0.010, "民政", True),
    CategoryShare("特困人员", 0.005, "民政", False, min_age=60),
    CategoryShare("孤儿", 0.0005, "民政", False, max_age=17),
    CategoryShare("事实无人抚养儿童", 0.0005, "民政", False, max_age=17),
    CategoryShare("稳定脱贫人口", 0.030, "农业农村", True),
    CategoryShare("防止返贫监测对象", 0.015, "农业农村", True),
    CategoryShare("脱贫不稳定人口", 0.010, "农业农村", True),
    CategoryShare("边缘易致贫人口", 0.008, "农业农村", True),
    CategoryShare("突发严重困难人口", 0.002, "农业农村", True),
    CategoryShare("返贫致贫人口", 0.002, "农业农村", True),
    CategoryShare("重度残疾人", 0.010, "残联", False),
    CategoryShare("重点优抚对象", 0.003, "退役军人事务", False, min_age=40),
    CategoryShare("劳动模范", 0.0002, "总工会", False, min_age=45),
)


@dataclass(frozen=True, slots=True)
class StatusShare:
    reason: str  # a key of vocabulary.NON_ENROLMENT_REASONS
    share: float
    min_age: int = 0
    max_age: int = 200
    sex: str = ""


STATUS_SHARES: tuple[StatusShare, ...] = (
    StatusShare(Status.EMPLOYEE, 0.10, 18, 65),
    StatusShare(Status.ELSEWHERE, 0.03, 16, 60),
    StatusShare(Status.MOVED_OUT, 0.010),
    StatusShare(Status.REFUSED, 0.010, 18),
    StatusShare(Status.DEAD, 0.008, 60),
    StatusShare(Status.UNREACHABLE, 0.005, 18),
    StatusShare(Status.MILITARY, 0.002, 18, 24, "男"),
    StatusShare(Status.OTHER, 0.002),
    StatusShare(Status.PRISON, 0.001, 18, 60),
    StatusShare(Status.MISSING, 0.0005, 18),
)

PAID_SHARE = 0.85  # of enrolled members without full assistance
PAYMENT_METHODS = {"微信": 38, "支付宝": 17, "现金": 24, "税务APP": 15, "银行卡": 6}  # the ledger's METHODS
ASSISTED_METHOD = "代缴"  # fully assisted households: often paid on their behalf
ELSEWHERE = ("长春市朝阳区", "长春市南关区", "吉林市船营区", "大连市甘井子区", "北京市朝阳区", "天津市滨海新区",
             "沈阳市铁西区", "哈尔滨市道里区", "苏州市工业园区", "深圳市宝安区")
NEWBORN_WITHOUT_ID = 0.5  # of members under one year old


# ---------------------------------------------------------------- the population
@dataclass(frozen=True, slots=True)
class DemoCategory:
    name: str
    department: str
    recognized_on: dt.date


@dataclass(slots=True)
class DemoMember:
    name: str
    sex: str
    birth_date: dt.date
    id_number: str  # "" = no ID yet (newborn)
    relation: str
    age: int
    student: bool = False
    categories: tuple[DemoCategory, ...] = ()
    status: str | None = None  # non-enrolment reason, None = to enrol here
    status_on: dt.date | None = None
    status_detail: str = ""
    phone: str = ""
    addons: tuple[str, ...] = ()  # optional add-ons chosen
    declined_addons: tuple[str, ...] = ()
    paid: Decimal | None = None  # what was collected for this member, if paid


@dataclass(frozen=True, slots=True)
class DemoPayment:
    """One payment at the counter for some members of a household; ``seq`` orders receipts by date."""

    seq: int
    household: int  # DemoHousehold.number
    paid_on: dt.date
    method: str
    members: tuple[DemoMember, ...]
    amounts: tuple[Decimal, ...]  # each member's quote due on that day

    @property
    def amount(self) -> Decimal:
        return sum(self.amounts, Decimal("0.00"))


@dataclass(slots=True)
class DemoHousehold:
    number: int  # 1-based, in generation order
    township: str
    village: str
    group: str
    address: str
    phone: str
    members: list[DemoMember] = field(default_factory=list)
    payments: list[DemoPayment] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DemoVillage:
    township: str
    name: str
    groups: tuple[str, ...]
    ledger_name: str  # unique in the ledger: the township is prefixed when there are several
    kind: str  # 村 / 社区


@dataclass(slots=True)
class DemoPopulation:
    policy_id: str
    seed: int
    region: DemoRegion
    township: str  # the ledger's 乡镇; the county when the population spans several townships
    villages: list[DemoVillage]
    households: list[DemoHousehold]

    def payments(self) -> list[DemoPayment]:
        return sorted((p for h in self.households for p in h.payments), key=lambda p: p.seq)

    def members(self):
        for h in self.households:
            yield from h.members

    @property
    def people(self) -> int:
        return sum(len(h.members) for h in self.households)


def generate_population(policy: Policy, people: int, seed: int = 1, progress: Progress | None = None,
                        cancel: CancelCheck | None = None, today: dt.date | None = None) -> DemoPopulation:
    """``people`` members in households, with categories, statuses and payments. Same seed, same population.

    Nothing is dated after ``today`` (default: the real today): for a campaign still running, payments stop
    there. For campaigns already over (all shipped policies), ``today`` changes nothing.
    """
    if people < 1:
        raise ValueError("人数至少为 1")
    gen = _Generator(policy, seed, progress, cancel, today or dt.date.today())
    return gen.run(people)


class _Generator:
    def __init__(self, policy: Policy, seed: int, progress: Progress | None, cancel: CancelCheck | None,
                 today: dt.date):
        self.policy = policy
        self.seed = seed
        self.rng = random.Random(seed)
        self.region = region_for(policy)
        self.today = today
        self.as_of = min(policy.window.start, today)  # ages are counted at the start of the campaign
        self.progress = progress or (lambda done, total: None)
        self.cancel = cancel or (lambda: False)
        self.ids: set[str] = set()
        self._surname_cum = list(itertools.accumulate(SURNAME_WEIGHTS))
        self.quotes = QuoteCache(policy, self.region.area_kind)

    def run(self, people: int) -> DemoPopulation:
        total = people * 2
        villages = self._villages(people)
        households = self._households(people, villages, total)
        self._categories(households)
        self._statuses(households)
        self._addons(households)
        self._payments(households, people, total)
        townships = {v.township for v in villages}
        township = villages[0].township if len(townships) == 1 else self.region.county
        return DemoPopulation(self.policy.id, self.seed, self.region, township, villages, households)

    def _check_cancel(self) -> None:
        if self.cancel():
            raise DemoCancelled("已取消生成演示台账")

    # -- places
    def _villages(self, people: int) -> list[DemoVillage]:
        rng, region = self.rng, self.region
        n = max(2, round(people / 1200))  # a village of some 1,200 people
        per_township = max(15, -(-n // len(region.townships)))  # 15 villages a township; more past the list
        townships = region.townships[: -(-n // per_township)]
        prefixes = region.village_prefixes
        out, used = [], set()
        for i in range(n):
            town = townships[i // per_township]
            if i % per_township == 0:
                name = town.removesuffix("街道").rstrip("镇乡") + "社区"  # the township seat
            else:
                for attempt in range(200):
                    name = rng.choice(prefixes) + rng.choice(region.village_suffixes)
                    name = ("" if attempt < 20 else rng.choice("东西南北前后新")) + name
                    name = name if name.endswith("村") else name + "村"
                    if name not in used:
                        break
                else:
                    name = f"{town}第{i}村"
            used.add(name)
            groups = tuple(_numeral(g) + "组" for g in range(1, rng.randint(6, 12) + 1))
            ledger_name = town + name if len(townships) > 1 else name
            out.append(DemoVillage(town, name, groups, ledger_name, "社区" if name.endswith("社区") else "村"))
        return out

    # -- households and members
    def _households(self, people: int, villages: list[DemoVillage], total: int) -> list[DemoHousehold]:
        rng = self.rng
        sizes, weights = list(HOUSEHOLD_SIZE_WEIGHTS), list(HOUSEHOLD_SIZE_WEIGHTS.values())
        households: list[DemoHousehold] = []
        house_numbers = [0] * len(villages)
        done = 0
        while done < people:
            size = min(rng.choices(sizes, weights)[0], people - done)
            vi = min(len(villages) - 1, done * len(villages) // people)  # fill villages in turn
            village = villages[vi]
            house_numbers[vi] += 1
            group = rng.choice(village.groups)
            address = f"{self.region.county}{village.township}{village.name}{group}{house_numbers[vi]}号"
            phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            h = DemoHousehold(len(households) + 1, village.township, village.ledger_name, group, address, phone)
            h.members = self._members(size)
            h.members[0].phone = phone
            for m in h.members[1:]:
                if 18 <= m.age <= 70 and rng.random() < 0.3:
                    m.phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            households.append(h)
            done += size
            if len(households) % 2000 == 0:
                self._check_cancel()
                self.progress(done, total)
        return households

    def _members(self, size: int) -> list[DemoMember]:
        rng = self.rng
        head_age = int(rng.triangular(22, 90, 58)) if size > 1 else int(rng.triangular(20, 95, 72))
        head_sex = "男" if rng.random() < (0.78 if size > 1 else 0.5) else "女"  # many who live alone are widows
        surname = self._surname()
        out = [self._member(surname, head_sex, head_age, "本人")]
        family = surname
        if size >= 2 and (size >= 3 or rng.random() < 0.9):
            spouse_sex = "女" if head_sex == "男" else "男"
            spouse_age = max(20, head_age + int(rng.gauss(-2 if head_sex == "男" else 2, 3)))
            spouse_surname = self._surname(avoid=surname)
            out.append(self._member(spouse_surname, spouse_sex, spouse_age, "配偶"))
            if head_sex == "女":
                family = spouse_surname  # children take the father's surname
        if len(out) < size and head_age <= 55 and rng.random() < 0.35:
            both = size - len(out) >= 2 and rng.random() < 0.6
            widowed = ("母亲",) if rng.random() < 0.65 else ("父亲",)  # mothers outlive fathers
            for relation in ("父亲", "母亲") if both else widowed:
                parent_age = min(98, head_age + rng.randint(22, 34))
                out.append(self._member(surname if relation == "父亲" else self._surname(avoid=surname),
                                        _RELATION_SEX[relation], parent_age, relation))
        children: list[DemoMember] = []
        in_law = False
        while len(out) < size:
            adult = [c for c in children if c.age >= 22]
            if adult and not in_law and rng.random() < 0.5:
                child = adult[0]
                relation = "儿媳" if child.relation == "子" else "女婿"
                out.append(self._member(self._surname(avoid=family), _RELATION_SEX[relation],
                                        max(20, child.age + rng.randint(-3, 3)), relation))
                in_law = True
            elif adult and (len(children) >= 2 or rng.random() < 0.6):
                parent = adult[0]
                relation = "孙子" if rng.random() < 0.52 else "孙女"
                age = rng.randint(0, min(18, parent.age - 20))
                out.append(self._member(family if rng.random() < 0.9 else self._surname(), _RELATION_SEX[relation],
                                        age, relation))
            else:
                relation = "子" if rng.random() < 0.52 else "女"
                age = rng.randint(max(0, head_age - 42), max(0, head_age - 20))
                child = self._member(family if rng.random() < 0.97 else self._surname(), _RELATION_SEX[relation],
                                     age, relation)
                children.append(child)
                out.append(child)
        return out

    def _member(self, surname: str, sex: str, age: int, relation: str) -> DemoMember:
        rng = self.rng
        birth = self._birth_date(age)
        no_id = age == 0 and rng.random() < NEWBORN_WITHOUT_ID
        student = (6 <= age <= 18 and rng.random() < 0.95) or (19 <= age <= 22 and rng.random() < 0.45)
        return DemoMember(surname + self._given_name(sex, age), sex, birth, "" if no_id else self._id_number(birth, sex),
                          relation, age, student)

    def _surname(self, avoid: str = "") -> str:
        rng = self.rng
        while True:
            s = rng.choices(SURNAMES, cum_weights=self._surname_cum)[0]
            if s != avoid:
                return s

    def _given_name(self, sex: str, age: int) -> str:
        rng = self.rng
        chars = MALE_CHARS if sex == "男" else FEMALE_CHARS
        length = 1 if rng.random() < (0.35 if age >= 50 else 0.2) else 2
        name = "".join(rng.choice(chars) for _ in range(length))
        if rng.random() < RARE_SHARE:
            name = name[:-1] + rng.choice(RARE_CHARS)
        return name

    def _birth_date(self, age: int) -> dt.date:
        """A birth date that makes the member ``age`` years old on the campaign's first day."""
        as_of = self.as_of
        latest = _years_before(as_of, age)  # the birthday that turns them ``age`` on as_of
        earliest = _years_before(as_of, age + 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def _id_number(self, birth: dt.date, sex: str) -> str:
        rng = self.rng
        area = self.region.area_code
        stem = f"{area}{birth:%Y%m%d}"
        while True:
            seq = rng.randrange(0, 500) * 2 + 1 if sex == "男" else rng.randrange(1, 500) * 2
            body = f"{stem}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.ids:
                self.ids.add(number)
                return number

    # -- categories, statuses, add-ons
    def _categories(self, households: list[DemoHousehold]) -> None:
        rng = self.rng
        people = sum(len(h.members) for h in households)
        start = self.as_of
        for cs in CATEGORY_SHARES:
            self._check_cancel()
            target = round(cs.share * people)
            if target == 0:
                continue
            if cs.household:
                order = list(range(len(households)))
                rng.shuffle(order)
                got = 0
                for i in order:
                    if got >= target:
                        break
                    h = households[i]
                    if len(h.members) > target - got + 2:
                        continue
                    on = min(self._recognition_date(start), self.today)
                    for m in h.members:
                        m.categories += (DemoCategory(cs.name, cs.department, max(on, m.birth_date)),)
                    got += len(h.members)
            else:
                pool = [m for h in households for m in h.members
                        if cs.min_age <= m.age <= cs.max_age and all(c.name != cs.name for c in m.categories)]
                for m in rng.sample(pool, min(target, len(pool))):
                    on = min(max(self._recognition_date(start), m.birth_date), self.today)
                    m.categories += (DemoCategory(cs.name, cs.department, on),)

    def _recognition_date(self, before: dt.date) -> dt.date:
        """Recognised some time in the eight years before the campaign opened."""
        return before - dt.timedelta(days=self.rng.randint(30, 8 * 365))

    def _statuses(self, households: list[DemoHousehold]) -> None:
        rng = self.rng
        members = [m for h in households for m in h.members]
        w = self.policy.window
        for ss in STATUS_SHARES:
            self._check_cancel()
            target = round(ss.share * len(members))
            if target == 0:
                continue
            assisted_ok = ss.reason in (Status.DEAD, Status.MOVED_OUT, Status.OTHER)
            pool = [m for m in members if m.status is None and ss.min_age <= m.age <= ss.max_age
                    and (not ss.sex or m.sex == ss.sex) and (assisted_ok or not m.categories)]
            for m in rng.sample(pool, min(target, len(pool))):
                m.status = ss.reason
                if ss.reason == Status.ELSEWHERE:
                    m.status_detail = rng.choice(ELSEWHERE)
                elif ss.reason == Status.OTHER:
                    m.status_detail = rng.choice(("长期外出务工，户籍在本村", "重复登记待核实", "在外地读书已随校参保"))
                span = (w.end - w.start).days
                m.status_on = w.start - dt.timedelta(days=rng.randint(0, 3 * 365)) if rng.random() < 0.7 \
                    else w.start + dt.timedelta(days=rng.randint(0, span))
                m.status_on = min(max(m.status_on, m.birth_date), self.today)

    def _addons(self, households: list[DemoHousehold]) -> None:
        """Optional add-ons: a default one declined by some, others chosen by some (one per group)."""
        rng = self.rng
        optional = [a for a in self.policy.addons if not a.mandatory]
        if not optional:
            return
        for h in households:
            chosen: list[str] = []
            declined: list[str] = []
            groups: set[str] = set()
            for a in optional:
                if a.default:
                    if rng.random() < 0.1:
                        declined.append(a.name)
                elif rng.random() < (0.3 if a.group else 0.2) and (not a.group or a.group not in groups):
                    chosen.append(a.name)
                    groups.add(a.group)
            for m in h.members:  # the household decides together
                m.addons, m.declined_addons = tuple(chosen), tuple(declined)

    # -- payments
    def _payments(self, households: list[DemoHousehold], people: int, total: int) -> None:
        """A share of enrolled members paid, usually the whole household at one visit; each amount is the
        quote's due on that day. Receipts are numbered in the order of payment dates."""
        rng, p = self.rng, self.policy
        w = p.window
        span = (w.end - w.start).days
        methods, method_weights = list(PAYMENT_METHODS), list(PAYMENT_METHODS.values())
        cache = self.quotes
        visits: list[tuple[dt.date, int, DemoHousehold, str, list[DemoMember]]] = []
        done = people
        for h in households:
            full = any(_is_full(p, c.name) for m in h.members for c in m.categories)
            household_pays = rng.random() < (0.98 if full else PAID_SHARE + 0.05)
            day = _allowed_day(w.start + dt.timedelta(days=int(span * rng.betavariate(2.2, 1.5))), w)
            method = ASSISTED_METHOD if full and rng.random() < 0.5 else rng.choices(methods, method_weights)[0]
            payers = [m for m in h.members if m.status is None and household_pays and rng.random() >= 0.05]
            if payers:
                # now and then a household pays in two visits (a member away at first)
                split = len(payers) > 2 and rng.random() < 0.08
                parts = [payers[:-1], payers[-1:]] if split else [payers]
                for k, part in enumerate(parts):
                    on = day if k == 0 else _allowed_day(min(w.end, day + dt.timedelta(days=rng.randint(1, 30))), w)
                    if on <= self.today:
                        visits.append((on, h.number, h, method, part))
            done += len(h.members)
            if h.number % 2000 == 0:
                self._check_cancel()
                self.progress(done, total)
        visits.sort(key=lambda v: (v[0], v[1]))
        seq = 0
        for on, _, h, method, part in visits:
            members, amounts = [], []
            for m in part:
                due = cache.due(m, on)
                if due is None:  # the policy cannot quote it: left unpaid, as at a real counter
                    continue
                m.paid = due
                members.append(m)
                amounts.append(due)
            if members:
                seq += 1
                h.payments.append(DemoPayment(seq, h.number, on, method, tuple(members), tuple(amounts)))
        self.progress(total, total)


class QuoteCache:
    """Quotes for generated members, computed once per shape: everything an in-window quote depends on
    (tier, categories, add-on choices, born in the policy year) plus, for the full quote, the payment day."""

    def __init__(self, policy: Policy, area_kind: str):
        self.policy = policy
        self.area_kind = area_kind
        self._dues: dict[tuple, Decimal | None] = {}
        self._quotes: dict[tuple, object] = {}

    def shape(self, m: DemoMember, on: dt.date) -> tuple:
        p = self.policy
        tier = next((i for i, t in enumerate(p.standard.tiers)
                     if (t.students and m.student) or (t.born_on_or_after and m.birth_date >= t.born_on_or_after)), -1)
        return (tier, tuple(c.name for c in m.categories), m.addons, m.declined_addons,
                m.birth_date.year == p.year, on > p.window.end)

    def due(self, m: DemoMember, on: dt.date) -> Decimal | None:
        key = self.shape(m, on)
        if key not in self._dues:
            q = self.quote(m, on)
            self._dues[key] = q.due if q.open else None
        return self._dues[key]

    def quote(self, m: DemoMember, on: dt.date):
        key = (self.shape(m, on), on)
        q = self._quotes.get(key)
        if q is None:
            q = self._quotes[key] = quote(self.policy, request_for(self.policy, m, on, self.area_kind))
        return q


def request_for(policy: Policy, m: DemoMember, paid_on: dt.date, area_kind: str = "") -> QuoteRequest:
    """The quote request for a generated member paying on ``paid_on``."""
    return QuoteRequest(birth_date=m.birth_date, paid_on=paid_on,
                        categories=tuple(CategoryFact(c.name, c.recognized_on) for c in m.categories),
                        addons=m.addons, declined_addons=m.declined_addons, student=m.student,
                        area_kind=area_kind or region_for(policy).area_kind)


def _is_full(policy: Policy, name: str) -> bool:
    c = policy.category_by_name.get(name)
    return c is not None and c.kind == CategoryKind.FULL


def _allowed_day(day: dt.date, w) -> dt.date:
    """Move a payment day into the window's allowed days of the month, if the policy has them."""
    if w.day_from is None or w.day_from <= day.day <= w.day_to:
        return min(day, w.end)
    if day.day < w.day_from:
        day = day.replace(day=w.day_from)
    else:
        day = day.replace(day=w.day_to)
    return max(w.start, min(day, w.end))


def _years_before(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def _numeral(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n - 1]
    return "十" + _NUMERALS[n - 11] if n < 20 else f"{n}"

