"""THE definition of a member's year: whether the member is required to enrol here (and why not), what
they owe (the policy's quote), what stands paid, and so their pay state — and of the progress counts and
percentages built from it.

Everything that shows or totals a member's year reads it from here: the lists and the village tree
(``app.ui.queries``), the household pane, the dashboard, the exports (``app.exchange.from_ledger``), the
notices and ledger sheets (``app.paper.from_ledger``), the dues (``app.ledger.dues``) and ``check``. Do not
write these rules anywhere else; add what you need here.

The rules, once:

- a payment item **stands** when its payment is not voided and the item was not refunded: the SQL view
  ``standing_items`` (migration ``0010_standing_items``) is that definition; nothing else spells it;
- a member is **required** here when their status counts (``vocabulary.Status.counts``: 本地参保, 失踪,
  拒参, 无法联系, 其他);
- the **pay state** (``pay_state``): 已缴 if a standing item of the year exists (whatever the status), else
  未缴 if required, else 无需缴费. Progress counts members whose state is not 无需缴费 (paid ones always
  count), and of those the paid ones;
- a member **owes** the quote on the quoting day when enrolled here and unpaid; a paid member's due is
  what their standing items recorded; required members who are not enrolled here (无法联系…) are unpaid
  but have no amount (payment first needs their status settled);
- a **percentage** is ``rate(paid, required)``: a fraction rounded half-up to 0.1 %, shown by
  ``percent_text`` as ``84.9%``; nothing else rounds a rate.

The whole ledger's progress per place is also stored (``place_totals``: counted with these fragments, kept
in step with every write, checked by ``canbao check``); ``progress_by_place`` and ``category_progress`` read it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, NamedTuple

from ..domain.money import ZERO, from_fen
from ..domain.quote import quote
from ..domain.quote_model import CategoryFact, QuoteRequest, normalize_request
from ..domain.vocabulary import _COUNTS, REQUIRED_STATUSES, HouseholdState, PayState, Status, counts_for_rate

if TYPE_CHECKING:
    from .db import Ledger

__all__ = ["PayState", "HouseholdState", "MemberStanding", "Progress", "pay_state", "household_state", "rate",
           "percent_text", "shortfall", "standings", "paid_sql", "paid_fen_sql", "required_sql", "counted_sql",
           "STANDING_VIEW", "year_params", "kept_sql"]

# -- SQL: the one definition of "a payment still stands", and the fragments built on it ------------------
STANDING_VIEW = "standing_items"
STANDING_VIEW_SQL = f"""
CREATE VIEW IF NOT EXISTS {STANDING_VIEW} AS
SELECT i.*, p.paid_on, p.receipt_no, p.method, p.household_id AS payer_household_id
FROM payment_items i JOIN payments p ON p.id = i.payment_id
WHERE p.voided_at IS NULL AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_item_id = i.id)
"""


def _in(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


def year_params(year: int, until: dt.date | None = None) -> dict:
    """The named parameters every fragment below uses: ``:year`` and ``:until`` (payments on or before)."""
    return {"year": year, "until": until.isoformat() if until else None}


def _standing(member: str, until: bool) -> str:
    cond = f"s.member_id = {member}.id AND s.year = :year"
    return cond + (" AND (:until IS NULL OR s.paid_on <= :until)" if until else "")


def paid_sql(member: str = "m", until: bool = False) -> str:
    """True when the member (table alias ``member``) has a standing item in ``:year``."""
    return f"EXISTS (SELECT 1 FROM {STANDING_VIEW} s WHERE {_standing(member, until)})"


def paid_fen_sql(member: str = "m", until: bool = False) -> str:
    """The member's standing amount in fen for ``:year``; NULL when nothing stands."""
    return f"(SELECT sum(s.amount_fen) FROM {STANDING_VIEW} s WHERE {_standing(member, until)})"


def required_sql(member: str = "m") -> str:
    """True when the member's status requires them to enrol here."""
    return f"{member}.status IN {_in(REQUIRED_STATUSES)}"


AWAY_TABLE = "away_households"  # 外村户 (app.sync.moves): held on a station for a moved member, not its own


def kept_sql(household: str = "m.household_id") -> str:
    """True when the household (an expression: ``m.household_id``, ``h.id``) is this ledger's own, not an 外村户
    held for a member moved between villages: every list, count and total of members or payments reads it."""
    return f"{household} NOT IN (SELECT household_id FROM {AWAY_TABLE})"


def counted_sql(member: str = "m", until: bool = False) -> str:
    """In the progress denominator: required here, or paid anyway (state is not 无需缴费)."""
    return f"({required_sql(member)} OR {paid_sql(member, until)})"


def state_sql(member: str = "m", until: bool = False) -> str:
    """The pay state as text (已缴 / 未缴 / 无需缴费), the same rule as ``pay_state``."""
    return (f"CASE WHEN {paid_sql(member, until)} THEN '{PayState.PAID}' WHEN {required_sql(member)}"
            f" THEN '{PayState.UNPAID}' ELSE '{PayState.NOT_REQUIRED}' END")


# -- the rules in Python ------------------------------------------------------------------------------------
def pay_state(status: str, has_paid: bool) -> PayState:
    if has_paid:
        return PayState.PAID
    return PayState.UNPAID if counts_for_rate(status) else PayState.NOT_REQUIRED


def household_state(required: int, paid: int) -> HouseholdState:
    """Over the household's counted members (state not 无需缴费)."""
    if not required:
        return HouseholdState.NOT_REQUIRED
    if paid >= required:
        return HouseholdState.PAID
    return HouseholdState.PARTLY if paid else HouseholdState.UNPAID


_RATE_PLACES = Decimal("0.001")
TARGET = Decimal("0.95")  # a village's enrolment target
KEY_TARGET = Decimal("1")  # the key groups' target


def rate(paid: int, required: int) -> Decimal | None:
    """paid / required as a fraction rounded half-up to 0.1 % (0.849 = 84.9 %); None when nobody is required."""
    if not required:
        return None
    return (Decimal(paid) / Decimal(required)).quantize(_RATE_PLACES, rounding=ROUND_HALF_UP)


def percent_text(paid: int, required: int) -> str:
    r = rate(paid, required)
    return "—" if r is None else f"{(r * 100).quantize(Decimal('0.1'))}%"


def shortfall(paid: int, required: int, target: Decimal) -> int:
    """People still needed to reach the target (ceil(required × target) − paid, never negative)."""
    need = (Decimal(required) * target).to_integral_value(rounding=ROUND_CEILING)
    return max(int(need) - paid, 0)


@dataclass(frozen=True, slots=True)
class Progress:
    """Paid members of the counted ones (required here, or paid anyway)."""

    paid: int
    required: int

    @property
    def rate(self) -> Decimal | None:
        return rate(self.paid, self.required)

    @property
    def percent(self) -> str:
        return percent_text(self.paid, self.required)

    def text(self) -> str:
        return f"{self.paid}/{self.required}（{self.percent}）" if self.required else "—"

    def short(self, target: Decimal) -> int:
        return shortfall(self.paid, self.required, target)

    def __add__(self, other: "Progress") -> "Progress":
        return Progress(self.paid + other.paid, self.required + other.required)


NO_PROGRESS = Progress(0, 0)


class MemberStanding(NamedTuple):
    """One member's campaign year. ``due`` is None when nothing can be charged (see ``due_note``).

    Immutable; a ``NamedTuple`` rather than a frozen dataclass because a district reads 500,000 of them at once
    and a frozen dataclass costs ~10× more to build. Read it by field name."""

    member_id: int
    household_id: int
    status: str
    status_detail: str
    state: PayState
    due: Decimal | None
    due_note: str
    paid: Decimal
    paid_items: int
    # The details of one member's year, filled by ``of_member`` (the lists read 500,000 standings and leave
    # them empty): the claims (认定后补付), the add-ons chosen or declined, and the standing payment items,
    # each with its quote snapshot. One type for a member's year: there is no second one.
    claims: tuple = ()
    year: int = 0
    addons: tuple[str, ...] = ()
    declined_addons: tuple[str, ...] = ()
    items: tuple = ()  # not voided, not refunded

    @property
    def has_paid(self) -> bool:
        return self.paid_items > 0

    @property
    def required(self) -> bool:
        """Required to enrol here (by status)."""
        return counts_for_rate(self.status)

    counts = required  # the older name (dues)

    @property
    def reason(self) -> str:
        return self.due_note

    @property
    def counted(self) -> bool:
        """In the progress denominator."""
        return self.state is not PayState.NOT_REQUIRED

    @property
    def enrolled_here(self) -> bool:
        return self.status == Status.ENROLLED

    @property
    def owes(self) -> bool:
        """Unpaid with an amount to ask for (what notices and 应缴 totals list)."""
        return self.state is PayState.UNPAID and self.due is not None

    @property
    def outstanding(self) -> Decimal:
        return max(self.due - self.paid, ZERO) if self.due is not None else ZERO

    @property
    def why(self) -> str:
        """Why the member is not enrolled here, in words (empty when enrolled)."""
        if self.enrolled_here:
            return ""
        return self.status + (f"（{self.status_detail}）" if self.status_detail else "")


def household_progress(rows: list[MemberStanding]) -> Progress:
    return Progress(sum(1 for r in rows if r.state is PayState.PAID), sum(1 for r in rows if r.counted))


# -- the read: every member's standing, one query, quotes cached by what they depend on -----------------------
_QUERY = f"""
WITH cats AS (
    SELECT member_id, group_concat(category || '|' || coalesce(recognized_on, '') || '|' || coalesce(ended_on, ''),
                                   ';') AS c
    FROM member_categories {{cat_where}} GROUP BY member_id
), paid AS (
    SELECT s.member_id, sum(s.amount_fen) AS fen, count(*) AS n, sum(s.due_fen) AS due, count(s.due_fen) AS ndue
    FROM {STANDING_VIEW} s {{paid_join}} WHERE s.year = :year GROUP BY s.member_id
)
SELECT m.id AS id, m.household_id AS household_id, m.birth_date AS birth_date, m.student AS student,
       m.status AS status, m.status_detail AS status_detail, cats.c AS cats, y.addons AS addons,
       y.declined_addons AS declined, coalesce(paid.fen, 0) AS paid_fen, coalesce(paid.n, 0) AS paid_n,
       paid.due AS paid_due, coalesce(paid.ndue, 0) AS paid_ndue
FROM members m
LEFT JOIN cats ON cats.member_id = m.id
LEFT JOIN member_years y ON y.member_id = m.id AND y.year = :year
LEFT JOIN paid ON paid.member_id = m.id
{{where}}
ORDER BY m.household_id, m.id
"""

_COLUMNS = ("id", "household_id", "birth_date", "student", "status", "status_detail", "cats", "addons", "declined",
            "paid_fen", "paid_n", "paid_due", "paid_ndue")


def _facts(text: str | None, day: dt.date) -> tuple[CategoryFact, ...]:
    """Categories not ended by the quoting day (the engine judges recognition dates itself)."""
    if not text:
        return ()
    out = []
    iso = day.isoformat()
    for part in text.split(";"):
        name, rec, ended = part.split("|")
        if ended and ended <= iso:
            continue
        out.append(CategoryFact(name, dt.date.fromisoformat(rec) if rec else None))
    return tuple(sorted(out, key=lambda f: (f.name, f.recognized_on or dt.date.min)))


class QuoteCache:
    """Quotes by everything a quote depends on: (due fen | None, note). A district needs a few thousand."""

    def __init__(self, policy, area_kind: str, day: dt.date):
        self.policy, self.area, self.day = policy, area_kind, day
        self._cache: dict[tuple, tuple[int | None, str]] = {}

    def __len__(self) -> int:
        return len(self._cache)

    def due(self, birth: str, student, cats: str | None, addons: str | None, declined: str | None):
        facts = _facts(cats, self.day) if cats else ()
        key = (birth, student, facts, addons, declined)
        hit = self._cache.get(key)
        if hit is None:
            req = QuoteRequest(birth_date=dt.date.fromisoformat(birth), paid_on=self.day, categories=facts,
                               addons=tuple(json.loads(addons)) if addons else (),
                               declined_addons=tuple(json.loads(declined)) if declined else (),
                               student=bool(student), area_kind=self.area)
            req, problems = normalize_request(self.policy, req)
            if problems:
                hit = (None, "；".join(p.message for p in problems))
            else:
                q = quote(self.policy, req)
                hit = (int(q.due * 100), "") if q.open else (None, q.reason or "该日期不能缴费")
            self._cache[key] = hit
        return hit


def standings(ledger: "Ledger", *, day: dt.date | None = None, household_id: int | None = None,
              household_ids: Iterable[int] | None = None, year: int | None = None, cache: QuoteCache | None = None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> Iterator[MemberStanding]:
    """Every member's standing (or one household's, or those of ``household_ids``), households together,
    quoted for ``day`` (default: the dues day, ``dues.default_paid_on``). ``cancel()`` returning True stops early; ``progress(done, total)``
    is called every 5,000 members."""
    settings = ledger.settings.get()
    policy = ledger.policy()
    if day is None:
        from .dues import default_paid_on

        day = default_paid_on(policy)
    year = year or settings.year
    params: dict = {"year": year}
    if household_ids is not None:  # several households (a page of the window's list)
        marks = ",".join(str(int(h)) for h in household_ids) or "NULL"
        sql = _QUERY.format(
            cat_where=f"WHERE member_id IN (SELECT id FROM members WHERE household_id IN ({marks}))",
            paid_join=f"JOIN members pm ON pm.id = s.member_id AND pm.household_id IN ({marks})",
            where=f"WHERE m.household_id IN ({marks})")
        total = 0
    elif household_id is None:
        # the whole ledger's: its own people (an 外村户's, held for a moved member, is asked for by household)
        sql = _QUERY.format(cat_where="", paid_join="", where=f"WHERE {kept_sql()}")
        total = ledger.db.execute("SELECT count(*) FROM members").fetchone()[0] if progress else 0
    else:
        params["hid"] = household_id
        sql = _QUERY.format(
            cat_where="WHERE member_id IN (SELECT id FROM members WHERE household_id = :hid)",
            paid_join="JOIN members pm ON pm.id = s.member_id AND pm.household_id = :hid",
            where="WHERE m.household_id = :hid")
        total = 0
    if cache is None:
        cache = QuoteCache(policy, settings.area_kind, day)
    yuan: dict[int, Decimal] = {}

    def money(f: int) -> Decimal:
        d = yuan.get(f)
        if d is None:
            d = yuan[f] = from_fen(f)
        return d

    PAID, UNPAID, NOT_REQUIRED, ENROLLED = PayState.PAID, PayState.UNPAID, PayState.NOT_REQUIRED, Status.ENROLLED.value
    counts = _COUNTS.get
    for n, row in enumerate(ledger.db.execute(sql, params)):
        if n % 5000 == 0:
            if cancel is not None and cancel():
                return
            if progress is not None:
                progress(n, total)
        (mid, hid, birth, student, status, detail, cats, addons, declined, paid_fen, paid_n, paid_due,
         paid_ndue) = row
        state = PAID if paid_n else (UNPAID if counts(status, True) else NOT_REQUIRED)  # = pay_state()
        note = ""
        if paid_n and paid_ndue == paid_n:
            due: Decimal | None = money(paid_due)
        elif status == ENROLLED:
            fen, note = cache.due(birth, student, cats, addons, declined)
            due = money(fen) if fen is not None else None
        else:
            due, note = None, f"不在本地参保（{status}" + (f"：{detail}" if detail else "") + "）"
        yield MemberStanding(mid, hid, status, detail, state, due, note, money(paid_fen), paid_n)
    if progress is not None:
        progress(total, total)


def of_household(ledger: "Ledger", household_id: int, day: dt.date | None = None) -> dict[int, MemberStanding]:
    """One household's members' standings by member id."""
    return {s.member_id: s for s in standings(ledger, day=day, household_id=household_id)}


def of_member(ledger: "Ledger", member_id: int, year: int | None = None, day: dt.date | None = None) -> MemberStanding:
    """One member's year in full: the standing every view reads, with its details filled in (claims, add-ons
    chosen and declined, standing payment items with their quote snapshots)."""
    member = ledger.members.get(member_id)
    year = year or ledger.settings.get().year
    standing = next(s for s in standings(ledger, day=day, household_id=member.household_id, year=year)
                    if s.member_id == member_id)
    addons, declined = ledger.members.addon_choice(member_id, year)
    return standing._replace(claims=tuple(ledger.claims.list(year=year, member_id=member_id)), year=year,
                             addons=addons, declined_addons=declined,
                             items=tuple(ledger.payments.paid_this_year(member_id, year)))


# -- progress per place (tree, dashboard, exports) -------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PlaceProgress:
    village_id: int
    village: str
    group_id: int | None
    group: str
    all: Progress
    key: Progress  # members of the key groups (a category the policy assists, recognition not ended)


def key_categories(policy) -> tuple[str, ...]:
    """The key groups (重点人群): categories the policy assists at the counter (``Policy.assists``)."""
    return tuple(c.name for c in policy.categories if policy.assists(c.name))


def _key_sql(member: str, cats: tuple[str, ...]) -> str:
    if not cats:
        return "0"
    return (f"EXISTS (SELECT 1 FROM member_categories kc WHERE kc.member_id = {member}.id AND kc.ended_on IS NULL"
            f" AND kc.category IN {_in(cats)})")


def progress_by_place(conn, year: int, *, until: dt.date | None = None, key_cats: tuple[str, ...] = (),
                      village: str | None = None, group: str | None = None) -> list[PlaceProgress]:
    """Paid / counted members per (village, group) in one pass, with the key groups' counts; places in
    village then group order; only places with members. The whole ledger's (no ``until``, no place) comes
    from the stored totals (``place_totals``: the same counts, kept in step with every write)."""
    if until is None and not village and not group:
        stored = _stored_places(conn, year, tuple(key_cats))
        if stored is not None:
            return stored
    params = year_params(year, until)
    where = ""
    if village:
        where += " AND v.name = :village"
        params["village"] = village
    if group:
        where += " AND g.name = :group"
        params["group"] = group
    sql = (f"SELECT v.id, v.name, g.id, coalesce(g.name, ''), paid, key, count(*) FROM ("
           f"SELECT m.household_id AS hid, {paid_sql('m', True)} AS paid, {required_sql('m')} AS req,"
           f" {_key_sql('m', key_cats)} AS key FROM members m) x"
           " JOIN households h ON h.id = x.hid JOIN villages v ON v.id = h.village_id"
           " LEFT JOIN village_groups g ON g.id = h.group_id"
           f" WHERE (x.req OR x.paid) AND {kept_sql('h.id')}{where} GROUP BY v.id, g.id, paid, key ORDER BY v.id, g.id")
    names: dict[tuple, tuple[str, str]] = {}
    counts: dict[tuple, dict[str, int]] = {}
    for vid, vname, gid, gname, paid, key, n in conn.execute(sql, params):
        names[(vid, gid)] = (vname, gname)
        c = counts.setdefault((vid, gid), {"paid": 0, "all": 0, "key_paid": 0, "key": 0})
        c["all"] += n
        c["paid"] += n if paid else 0
        if key:
            c["key"] += n
            c["key_paid"] += n if paid else 0
    return [PlaceProgress(vid, names[(vid, gid)][0], gid, names[(vid, gid)][1], Progress(c["paid"], c["all"]),
                          Progress(c["key_paid"], c["key"])) for (vid, gid), c in counts.items()]


def _stored_places(conn, year: int, key_cats: tuple[str, ...]) -> list[PlaceProgress] | None:
    from .place_totals import ALL, ANY_KEY, read

    got = read(conn, year, key_cats or None)
    if got is None:
        return None
    _, totals = got
    villages = dict(conn.execute("SELECT id, name FROM villages"))
    groups = {gid: name for gid, name in conn.execute("SELECT id, name FROM village_groups")}
    out = []
    for (vid, gid) in sorted(totals):
        cats = totals[(vid, gid)]
        if ALL not in cats:
            continue
        key = Progress(*cats[ANY_KEY]) if key_cats and ANY_KEY in cats else NO_PROGRESS
        out.append(PlaceProgress(vid, villages.get(vid, ""), gid or None, groups.get(gid, "") if gid else "",
                                 Progress(*cats[ALL]), key))
    return out


def roll_up(by_group: dict[tuple[int, int | None], Progress]) -> tuple[dict[int, Progress], Progress]:
    """(village id, group id) -> progress, rolled up per village and in total."""
    villages: dict[int, Progress] = {}
    for (vid, _gid), p in by_group.items():
        villages[vid] = villages.get(vid, NO_PROGRESS) + p
    total = NO_PROGRESS
    for p in villages.values():
        total = total + p
    return villages, total


def category_progress(conn, year: int, category: str) -> Progress:
    """Paid / counted members with this category (recognition not ended); a key category's from the stored
    totals (``place_totals``)."""
    from .place_totals import read

    got = read(conn, year)
    if got is not None and category in got[0]:
        paid = counted = 0
        for cats in got[1].values():
            p, c = cats.get(category, (0, 0))
            paid, counted = paid + p, counted + c
        return Progress(paid, counted)
    params = {**year_params(year), "cat": category}
    row = conn.execute(
        f"SELECT count(*), coalesce(sum({paid_sql('m')}), 0) FROM members m WHERE {counted_sql('m')} AND {kept_sql()}"
        " AND m.id IN"
        " (SELECT c.member_id FROM member_categories c WHERE c.category = :cat AND c.ended_on IS NULL)",
        params).fetchone()
    return Progress(int(row[1]), int(row[0]))
