"""重复参保排查 in one ledger holding several villages (a township's): who is probably enrolled twice, both places
of each pair, and the pairs a 专干 has judged 非重复.

The matching rules are ``app.domain.duplicate_match`` (pure); this module reads the members, attaches each
side's place (station, village, group, 户编号, status, paid this year — the pay state is
``member_year.state_sql``'s) and keeps the decisions (table ``duplicate_dismissals``, migration
``0090_duplicate_dismissals``). A member's station is the one keeping their village (``app.ledger.stations``:
the village's own, else the township's); in a ledger that knows no stations, their village.

    report = duplicates.find(lg)                  -> Report (findings most certain first, dismissed count)
    duplicates.count(lg.path)                     -> int (the dashboard's 重复参保 figure; cached per change)
    duplicates.dismiss(lg, member_a, member_b, note)   -> Change   (专干 / 管理员; audited)
    duplicates.keep(lg, kept, other, note)        -> Kept     (a real duplicate: this enrolment stands, the other
                                                                gets 异地参保 naming the kept place; audited)
    duplicates.standing_holder(db, member_ids)    -> the holder of one ID number a 专干 kept, or None
    duplicates.reveal(lg)                         before showing the list with full ID numbers (audited)

The same ID number at two stations (the person enrolled by the village of 户籍 and the village they live in) is
held twice in a township's ledger: ``members_id_number`` is unique per station block of ids (migration
``0170_members_id_per_station``), so a packet's second enrolment arrives instead of being refused; every look-up
by ID number that wants one person (``Members.by_id_number``, imports) refuses to pick one of two undecided
holders (``duplicate_match.TWO_HOLDERS``), and the counter refuses to charge one whose other holder has paid
(``payment_plan``). Decisions (``kept_member``: NULL = 非重复, else the enrolment that stands; migration
``0171_duplicate_kept``) stay in this ledger; ``keep``'s status change and audit entries travel in packets.

ID numbers in a ``Place`` are full; whoever shows them masks them (``Place.shown_id``) unless revealed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.duplicate_match import Kind, Match, Person, scan
from ..domain.idnumber import mask_id_number
from ..domain.problems import Problem, ProblemsError
from ..domain.vocabulary import PayState, Status
from .ids import BLOCK
from .member_year import state_sql, year_params
from .models import Change, named_rows, now_iso

if TYPE_CHECKING:
    from .db import Ledger

__all__ = ["Place", "Finding", "Report", "Kept", "find", "count", "dismiss", "keep", "dismissals", "reveal",
           "standing_holder", "MIGRATION_0090", "MIGRATION_0170", "MIGRATION_0171", "PERMISSION"]

PERMISSION = "duplicates"  # app.ledger.operators: 专干 and 管理员 judge a pair 非重复

MIGRATION_0090 = """
CREATE TABLE IF NOT EXISTS duplicate_dismissals (
    id INTEGER PRIMARY KEY,
    member_a INTEGER NOT NULL REFERENCES members(id),
    member_b INTEGER NOT NULL REFERENCES members(id),
    note TEXT NOT NULL,                  -- why they are two people (双胞胎、同名同生日 …)
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    CHECK (member_a < member_b),
    CHECK (trim(note) <> ''),
    UNIQUE (member_a, member_b)
);
CREATE TRIGGER IF NOT EXISTS duplicate_dismissals_fixed BEFORE UPDATE ON duplicate_dismissals
BEGIN SELECT RAISE(ABORT, '非重复判定不能修改'); END;
"""

# one ID number once per station block of ids (app.ledger.ids.BLOCK = 10¹²): rows from two stations may share it
MIGRATION_0170 = f"""
DROP INDEX IF EXISTS members_id_number;
CREATE UNIQUE INDEX members_id_number ON members(id_number, id / {BLOCK}) WHERE id_number IS NOT NULL;
"""

# a decision on a pair: NULL = 非重复 (two people); else the member whose enrolment stands (重复参保, resolved)
MIGRATION_0171 = """
ALTER TABLE duplicate_dismissals ADD COLUMN kept_member INTEGER REFERENCES members(id)
    CHECK (kept_member IS NULL OR kept_member IN (member_a, member_b));
"""


@dataclass(frozen=True, slots=True)
class Place:
    """One side of a pair: who, and where they are enrolled."""

    member_id: int
    household_id: int
    name: str
    id_type: str
    id_number: str | None  # full: mask it to show it (``shown_id``)
    sex: str
    birth_date: str
    station: str
    village: str
    group: str
    household_no: str
    relation: str
    status: str
    pay_state: str  # 已缴 / 未缴 / 无需缴费 this campaign year (member_year.state_sql)

    @property
    def paid(self) -> bool:
        return self.pay_state == PayState.PAID

    def shown_id(self, full: bool = False) -> str:
        if not self.id_number:
            return "（无证件）"
        return self.id_number if full else mask_id_number(self.id_number)

    def where(self) -> str:
        """东风村一组 000012户 (station first when it is not the village)."""
        head = "" if self.station == self.village else f"{self.station}·"
        return f"{head}{self.village}{self.group} {self.household_no}户"


@dataclass(frozen=True, slots=True)
class Dismissal:
    id: int
    member_a: int
    member_b: int
    note: str
    decided_by: str
    decided_at: str  # ISO UTC
    kept: int | None = None  # a real duplicate: the member whose enrolment stands; None = judged 非重复

    @property
    def text(self) -> str:
        """已判定非重复：双胞胎（李专干 2025-10-08） / 已处理重复参保，保留 #12：户籍在东风村（李专干 2025-10-08）"""
        import datetime as dt

        try:
            day = dt.datetime.fromisoformat(self.decided_at).astimezone().date().isoformat()
        except ValueError:
            day = self.decided_at[:10]
        if self.kept is not None:
            return f"已处理重复参保，保留 #{self.kept}：{self.note}（{self.decided_by} {day}）"
        return f"已判定非重复：{self.note}（{self.decided_by} {day}）"


@dataclass(frozen=True, slots=True)
class Finding:
    match: Match
    a: Place
    b: Place
    dismissal: Dismissal | None = None  # listed although judged 非重复 (``find(include_dismissed=True)``)

    @property
    def kind(self) -> Kind:
        return self.match.kind

    @property
    def certainty(self) -> int:
        return self.match.certainty

    @property
    def why(self) -> str:
        return self.match.why

    @property
    def where(self) -> str:
        """同一户 / 同村两户 / 两个村 / 两个站点 (how far apart the two places are)."""
        a, b = self.a, self.b
        if a.household_id == b.household_id:
            return "同一户"
        if a.station != b.station and (a.station != a.village or b.station != b.village):
            return "两个站点"
        return "同村两户" if a.village == b.village else "两个村"


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]
    dismissed: int  # pairs found but judged 非重复
    people: int  # members scanned
    resolved: int = 0  # pairs found, real duplicates, one enrolment kept (``keep``)

    def __len__(self) -> int:
        return len(self.findings)


# ---------------------------------------------------------------------------- the scan, cached per change
_cache: dict[str, tuple[tuple, list[Match]]] = {}
_cache_lock = threading.Lock()


def _signature(db) -> tuple:
    """What the matches depend on: the members (their count, last change, highest id, names' length) only."""
    row = db.execute("SELECT count(*), max(updated_at), max(id), total(length(name)) FROM members").fetchone()
    return tuple(row)


def _people(db) -> list[Person]:
    # 500,000 rows: plain tuples from SQLite, unpacked by the names of the SELECT's columns
    return [Person(key=mid, name=name, id_number=number, sex=sex, birth_date=birth, household=hid)
            for mid, name, number, sex, birth, hid in db.execute(
                "SELECT id, name, id_number, sex, birth_date, household_id FROM members")]


def matches(ledger: "Ledger", *, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> list[Match]:
    """Every probable pair (dismissed ones too), most certain first; computed again only after members
    changed (the result is kept per ledger file for this process)."""
    key = str(Path(ledger.path).resolve())
    sig = _signature(ledger.db)
    with _cache_lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == sig:
        return hit[1]
    found = scan(_people(ledger.db), progress=progress, cancel=cancel)
    with _cache_lock:
        _cache[key] = (sig, found)
    return found


def _dismissed(db) -> dict[tuple[int, int], Dismissal]:
    return {(r["member_a"], r["member_b"]): Dismissal(id=r["id"], member_a=r["member_a"], member_b=r["member_b"],
                                                      note=r["note"], decided_by=r["decided_by"],
                                                      decided_at=r["decided_at"], kept=r["kept_member"])
            for r in named_rows(db, "SELECT * FROM duplicate_dismissals ORDER BY id")}


_PLACE_SQL = """
SELECT m.id, m.household_id, m.name, m.id_type, m.id_number, m.sex, m.birth_date, v.name AS village,
       coalesce(g.name, '') AS grp, h.number AS household_no, m.relation, m.status, {state} AS state
FROM members m JOIN households h ON h.id = m.household_id JOIN villages v ON v.id = h.village_id
LEFT JOIN village_groups g ON g.id = h.group_id
WHERE m.id IN ({ids})
"""


def _places(ledger: "Ledger", ids: set[int]) -> dict[int, Place]:
    out: dict[int, Place] = {}
    station_of = _stations(ledger)
    params = year_params(ledger.settings.get().year)
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        sql = _PLACE_SQL.format(state=state_sql("m"), ids=", ".join(str(int(i)) for i in chunk))
        for r in named_rows(ledger.db, sql, params):
            out[r["id"]] = Place(member_id=r["id"], household_id=r["household_id"], name=r["name"],
                                 id_type=r["id_type"], id_number=r["id_number"], sex=r["sex"],
                                 birth_date=r["birth_date"], station=station_of(r["village"]), village=r["village"],
                                 group=r["grp"], household_no=r["household_no"], relation=r["relation"],
                                 status=r["status"], pay_state=r["state"])
    return out


def _stations(ledger: "Ledger") -> Callable[[str], str]:
    """village -> the station its households are kept at (app.ledger.stations): the village's own station, else
    the township's; the village itself in a ledger that knows no stations."""
    from . import stations

    known = stations.known(ledger)
    if not known:
        return lambda village: village
    by_village = {s.village: s.name for s in known if s.village}
    township = next((s.name for s in known if s.kind == stations.TOWNSHIP), None)
    here = stations.current(ledger)
    default = township or (here.name if here else None)
    return lambda village: by_village.get(village) or default or village


def find(ledger: "Ledger", *, include_dismissed: bool = False, progress: Callable[[int, int], None] | None = None,
         cancel: Callable[[], bool] | None = None) -> Report:
    """The 重复参保 list: every probable pair with both places, most certain first; pairs judged 非重复 left out
    (``include_dismissed=True`` keeps them)."""
    found = matches(ledger, progress=progress, cancel=cancel)
    dismissed = _dismissed(ledger.db)
    kept = [m for m in found if include_dismissed or (m.a, m.b) not in dismissed]
    places = _places(ledger, {k for m in kept for k in (m.a, m.b)})
    findings = tuple(Finding(m, places[m.a], places[m.b], dismissed.get((m.a, m.b))) for m in kept
                     if m.a in places and m.b in places)
    people = ledger.db.execute("SELECT count(*) FROM members").fetchone()[0]
    decided = [dismissed[(m.a, m.b)] for m in found if (m.a, m.b) in dismissed]
    kept = sum(1 for d in decided if d.kept is not None)
    return Report(findings, len(decided) - kept, people, kept)


def count(path, *, cancel: Callable[[], bool] | None = None) -> int:
    """How many pairs are listed (not judged 非重复): the dashboard's 重复参保 figure. Opens its own
    connection (call it from a worker thread)."""
    from .db import open_ledger

    with open_ledger(path, backup=False) as lg:
        dismissed = _dismissed(lg.db)
        return sum(1 for m in matches(lg, cancel=cancel) if (m.a, m.b) not in dismissed)


def dismiss(ledger: "Ledger", member_a: int, member_b: int, note: str) -> Change:
    """A 专干 judged the pair two different people (非重复): it leaves the list. Role-checked and audited."""
    ledger.require(PERMISSION)
    a, b = sorted((int(member_a), int(member_b)))
    note = (note or "").strip()
    problems = []
    if a == b:
        problems.append(Problem("人员", "须是两个不同的人员"))
    if not note:
        problems.append(Problem("说明", "请写明为什么不是重复参保（如：双胞胎、同名同生日的两个人）"))
    members = {mid: ledger.members.get(mid) for mid in (a, b)}
    for mid, m in members.items():
        if m is None:
            problems.append(Problem("人员", f"没有编号为 #{mid} 的人员"))
    decided = ledger.db.execute("SELECT kept_member FROM duplicate_dismissals WHERE member_a = ? AND member_b = ?",
                                [a, b]).fetchone() if not problems else None
    if decided is not None:
        problems.append(Problem("人员", f"#{a} 与 #{b} 已判定为非重复" if decided[0] is None
                                else f"#{a} 与 #{b} 已处理为重复参保（保留 #{decided[0]}）"))
    if problems:
        raise ProblemsError(problems)
    with ledger.transaction() as db:
        rid = db.execute("INSERT INTO duplicate_dismissals (member_a, member_b, note, decided_by, decided_at)"
                         " VALUES (?, ?, ?, ?, ?)", [a, b, note, ledger.actor(), now_iso()]).lastrowid
        for mid, other in ((a, b), (b, a)):
            m = members[mid]
            ledger.log("duplicate", rid, "dismiss", None,
                       {"判定": "非重复", "另一人": f"#{other} {members[other].name}", "说明": note},
                       household_id=m.household_id, member_id=mid)
    return Change(id=rid)


@dataclass(frozen=True, slots=True)
class Kept:
    """What ``keep`` did: the decision's id, the status the other member now has, and what it implies for money
    (this year's standing payments of the other: refund candidates, by the usual refund — sentences from
    ``payments.implied_refunds``)."""

    id: int
    kept: int
    other: int
    status: str
    detail: str
    refunds: tuple[str, ...]
    change: Change

    @property
    def text(self) -> str:
        return (f"已保留 #{self.kept} 的参保登记；#{self.other} 改为「{self.status}」（{self.detail}）"
                + ("。" + "；".join(self.refunds) if self.refunds else ""))


def keep(ledger: "Ledger", kept: int, other: int, note: str, *, status: str = Status.ELSEWHERE) -> Kept:
    """A 专干 found the pair is one person enrolled twice and decides which enrolment stands: ``other`` gets the
    non-enrolment status (default 异地参保, its 参保地 naming the kept place), an ordinary audited status change
    that the next exchange packet carries to the station keeping that household; the pair leaves the list
    (decided). A standing payment of ``other`` this year is then a refund candidate, refunded by the usual
    refund (``Kept.refunds`` says so). Role-checked (``duplicates`` and ``record``) and audited."""
    ledger.require(PERMISSION)
    ledger.require("record")
    kept, other = int(kept), int(other)
    a, b = sorted((kept, other))
    note = (note or "").strip()
    status = str(status or "").strip()
    problems = []
    if a == b:
        problems.append(Problem("人员", "须是两个不同的人员"))
    if not note:
        problems.append(Problem("说明", "请写明保留这一处参保登记的依据（如：户籍在东风村，已电话核实）"))
    if status == Status.ENROLLED or status not in {s.value for s in Status}:
        problems.append(Problem("参保状态", f"另一处须改为不在本地参保的状态（如 {Status.ELSEWHERE.value}），不能是「{status}」"))
    places = _places(ledger, {a, b})
    for mid in (a, b):
        if mid not in places:
            problems.append(Problem("人员", f"没有编号为 #{mid} 的人员"))
    if not problems and ledger.db.execute("SELECT 1 FROM duplicate_dismissals WHERE member_a = ? AND member_b = ?",
                                          [a, b]).fetchone():
        problems.append(Problem("人员", f"#{a} 与 #{b} 已判定过（非重复或已处理）"))
    if problems:
        raise ProblemsError(problems)
    stays, goes = places[kept], places[other]
    detail = f"{stays.where()}（重复参保，保留该处登记）" if status == Status.ELSEWHERE else \
        f"重复参保：已在{stays.where()}登记"
    with ledger.transaction() as db:
        rid = db.execute("INSERT INTO duplicate_dismissals (member_a, member_b, note, decided_by, decided_at,"
                         " kept_member) VALUES (?, ?, ?, ?, ?, ?)",
                         [a, b, note, ledger.actor(), now_iso(), kept]).lastrowid
        change = Change()
        if goes.status != status:
            change = ledger.members.set_status(other, status, detail=detail)
        for mid, side in ((kept, "保留"), (other, f"改为{status}")):
            p, q = places[mid], places[other if mid == kept else kept]
            ledger.log("duplicate", rid, "keep", None,
                       {"判定": "重复参保", "本人": side, "另一人": f"#{q.member_id} {q.name}（{q.where()}）",
                        "说明": note}, household_id=p.household_id, member_id=mid)
    refunds = ledger.payments.implied_refunds(other, status)
    return Kept(id=rid, kept=kept, other=other, status=status, detail=detail, refunds=refunds,
                change=Change(households=change.households | {stays.household_id, goes.household_id},
                              members=frozenset({kept, other}), id=rid))


def standing_holder(db, member_ids) -> int | None:
    """Among the members holding one ID number, the one a 专干 kept (``keep``) against every other; None when
    not decided (then nobody may pick one of them: the caller says so, ``duplicate_match.TWO_HOLDERS``)."""
    ids = sorted({int(i) for i in member_ids})
    if len(ids) < 2:
        return ids[0] if ids else None
    marks = ", ".join("?" * len(ids))
    rows = db.execute(f"SELECT member_a, member_b, kept_member FROM duplicate_dismissals WHERE kept_member IS NOT NULL"
                      f" AND member_a IN ({marks}) AND member_b IN ({marks})", ids + ids).fetchall()
    for candidate in ids:
        beaten = {(b if a == candidate else a) for a, b, k in rows if k == candidate}
        if beaten >= set(ids) - {candidate}:
            return candidate
    return None


def dismissals(ledger: "Ledger") -> list[Dismissal]:
    return list(_dismissed(ledger.db).values())


def reveal(ledger: "Ledger") -> None:
    """Before showing the list with full ID numbers: the role must allow it (``reveal``), and it is audited."""
    ledger.require("reveal")
    with ledger.transaction():
        ledger.log("ledger", None, "reveal", None, {"shown": "重复参保名单的完整证件号码"})
