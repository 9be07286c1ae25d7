"""Write a generated population (``demo_people``) into a new ledger file, fast.

The ledger is built in a temporary file next to the target and renamed into place only when complete, so
an interrupted or cancelled build leaves nothing behind and never touches an existing ledger. Tables come
from the ledger's own migrations; rows go in with raw ``executemany`` in one transaction, with the
derived search columns filled exactly as ``identity.search_keys`` fills them (``NameInitials`` takes a
shortcut only where pypinyin would read the name character by character anyway). The loaded tables'
secondary indexes are dropped for the load and recreated from their own definitions (``sqlite_master``)
afterwards, so the migrations stay the only place that defines them (about a fifth faster at 100,000
people than maintaining them row by row).

Past ``_BLOCK`` people (a prefecture: 2,000,000) the population is generated and written a block of whole
villages at a time from one generator, so memory stays bounded; payments are staged in temporary tables and
numbered by date over all blocks at the end, as one generation would number them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..domain.money import to_fen
from ..policy_catalog import get_policy
from .snapshots import SnapshotIds, quote_text
from .db import LedgerError, is_ledger_file, now_iso, open_ledger, read_only_uri
from .demo_flag import DEMO_ENTITY, mark_demo  # DEMO_ENTITY: the audit entry that marks a generated demo
from .demo_people import (CancelCheck, DemoCancelled, DemoMember, DemoPopulation, Progress, QuoteCache,
                          _Generator, generate_population)
from .identity import NO_ID, RESIDENT_ID, name_initials
from .models import ENROLLED
from .payments import receipt_number

MIN_PEOPLE = 100
MAX_PEOPLE = 2_000_000
DEFAULT_OPERATOR = "演示操作员"
DEMO_NAME = "demo.canbao.db"

# The ledger's relation words (members.RELATIONS) for the generator's finer ones.
LEDGER_RELATION = {"本人": "户主", "父亲": "父母", "母亲": "父母", "孙子": "孙子女", "孙女": "孙子女"}
# The tables the loader fills; their secondary indexes are rebuilt after the load.
_LOADED = ("households", "members", "member_categories", "member_years", "payments", "payment_items")
_CHUNK = 10_000
_BLOCK = 50_000  # people generated and written at a time (bounded memory at any size)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    path: Path
    policy_id: str
    seed: int
    township: str
    villages: int
    households: int
    members: int
    categories: int
    payments: int
    paid_members: int
    generate_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.generate_seconds + self.write_seconds


def default_demo_path() -> Path:
    """Where a demo goes unless told otherwise: beside, never instead of, the real ledger.
    ``CANBAO_DEMO_DB`` overrides it, as it does for the window's 打开演示台账."""
    if os.environ.get("CANBAO_DEMO_DB"):
        return Path(os.environ["CANBAO_DEMO_DB"])
    from ..paths import data_dir

    return data_dir() / DEMO_NAME


def is_demo_ledger(path: Path) -> bool:
    """Was this file written by ``canbao demo``? (Only such a file may be replaced by a new demo.)"""
    if not is_ledger_file(path):
        return False
    from . import sqlite_driver

    try:
        conn = sqlite_driver.connect(read_only_uri(path), uri=True)
        try:
            row = conn.execute("SELECT 1 FROM audit WHERE entity = ? LIMIT 1", [DEMO_ENTITY]).fetchone()
        finally:
            conn.close()
    except sqlite_driver.Error:
        return False
    return row is not None


def build_demo_ledger(path: str | os.PathLike, *, people: int = 1000, seed: int = 1,
                      policy_id: str = "changchun-2025", operator: str = DEFAULT_OPERATOR, replace: bool = False,
                      progress: Progress | None = None, cancel: CancelCheck | None = None) -> DemoSummary:
    """Generate ``people`` members and write them as a new ledger at ``path``.

    Refuses an existing file unless ``replace`` is set and the file is itself a demo ledger. Raises
    ``LedgerError`` (Chinese message) for bad arguments, ``DemoCancelled`` when ``cancel()`` returns True.
    """
    target = Path(path)
    if not (MIN_PEOPLE <= people <= MAX_PEOPLE):
        raise LedgerError(f"演示台账人数应在 {MIN_PEOPLE} 到 {MAX_PEOPLE:,} 之间，实际 {people:,}", "--people")
    _may_replace(target, replace)
    policy = get_policy(policy_id)
    report = progress or (lambda done, total: None)
    total = people * 3  # generation counts 2 per person, writing 1

    t0 = time.perf_counter()
    plan = _Plan(policy, people, seed, report, cancel)
    population = plan.head

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".building")
    _remove_database(tmp)
    try:
        counts = _write(tmp, plan, operator, lambda done: report(2 * people + done, total),
                        cancel or (lambda: False))
        _may_replace(target, replace)  # again: a real ledger may have appeared there meanwhile
        _remove_database(target)
        os.replace(tmp, target)
        _remove_database(tmp)  # the build file's journal and lock
    except BaseException:
        _remove_database(tmp)
        raise
    t2 = time.perf_counter()
    report(total, total)
    return DemoSummary(target, policy.id, seed, population.township, len(population.villages),
                       counts["households"], people, counts["categories"], counts["payments"],
                       counts["paid_members"], plan.seconds, t2 - t0 - plan.seconds)


class _Plan:
    """The population to write: ``head`` (villages, township, region) first, then ``blocks()``.

    Up to ``_BLOCK`` people it is one ``generate_population``; past that, blocks of whole villages from one
    generator (one seed: ID numbers unique over all blocks, household numbers continuing), each with its own
    categories, statuses and payments in the generator's shares. ``seconds`` is the time spent generating."""

    def __init__(self, policy, people: int, seed: int, report: Progress, cancel: CancelCheck | None):
        self.policy, self.people, self.seed, self.report, self.seconds = policy, people, seed, report, 0.0
        t = time.perf_counter()
        if people <= _BLOCK:
            self.head = generate_population(policy, people, seed, progress=lambda d, _: report(d, people * 3),
                                            cancel=cancel)
            self._gen = None
        else:
            self._gen = gen = _Generator(policy, seed, None, cancel, dt.date.today())
            gen.ids = _IdSet()
            villages = gen._villages(people)
            towns = {v.township for v in villages}
            self.head = DemoPopulation(policy.id, seed, gen.region,
                                       villages[0].township if len(towns) == 1 else gen.region.county, villages, [])
        self.seconds += time.perf_counter() - t

    def blocks(self) -> Iterator[DemoPopulation]:
        gen, people = self._gen, self.people
        if gen is None:
            yield self.head
            return
        villages = self.head.villages
        n = min(-(-people // _BLOCK), len(villages))
        done = numbered = 0
        for b in range(n):
            t = time.perf_counter()
            vs = villages[b * len(villages) // n:(b + 1) * len(villages) // n]
            size = (b + 1) * people // n - done
            households = gen._households(size, vs, size * 2)
            for h in households:
                h.number += numbered
            gen._categories(households)
            gen._statuses(households)
            gen._addons(households)
            gen._payments(households, size, size * 2)
            self.seconds += time.perf_counter() - t
            yield DemoPopulation(self.policy.id, self.seed, gen.region, self.head.township, vs, households)
            done += size
            numbered += len(households)
            self.report(3 * done, 3 * people)
        self._gen = gen = None  # its set of ID numbers is not needed while the indexes are built


class _IdSet:
    """The generator's set of ID numbers used, as integers (the check digit follows from the first 17):
    a third of the memory of the strings at 2,000,000 people."""

    __slots__ = ("_ints",)

    def __init__(self):
        self._ints: set[int] = set()

    def __contains__(self, number: str) -> bool:
        return int(number[:17]) in self._ints

    def add(self, number: str) -> None:
        self._ints.add(int(number[:17]))


def _may_replace(target: Path, replace: bool) -> None:
    if target.exists() and target.stat().st_size > 0:
        if not replace:
            raise LedgerError(f"文件已存在：{target}。演示台账不会覆盖已有文件，请换一个路径"
                              f"（覆盖旧的演示台账请加 --replace）", "--db")
        if not is_demo_ledger(target):
            raise LedgerError(f"{target} 不是演示台账，不能覆盖（其中可能有真实数据）", "--db")


def _remove_database(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal"), Path(f"{path}.receipts"),
              Path(f"{path}.lock")):  # .receipts/.lock: the receipt journal and lock file (app.ledger.journal, .lock)
        if p.exists():
            p.unlink()


def _write(path: Path, plan: _Plan, operator: str, progress: Callable[[int], None],
           cancel: CancelCheck) -> dict:
    pop = plan.head
    policy = get_policy(pop.policy_id)
    with open_ledger(path, create=True, backup=False, operator=operator) as lg:
        villages = {}
        for v in pop.villages:
            villages.setdefault(v.ledger_name, list(v.groups))
        lg.settings.initialize(township=pop.township, year=policy.year, policy_id=policy.id, operators=[operator],
                               villages=villages, area_kind=pop.region.area_kind,
                               village_kinds={v.ledger_name: v.kind for v in pop.villages})
        db = lg.db
        conn = db.conn
        conn.execute("PRAGMA synchronous=OFF")  # a temporary file: a crash discards it anyway
        conn.execute("PRAGMA cache_size=-100000")  # 100 MB: with a block of people, peak memory stays < 600 MB
        group_ids = {(vname, gname): gid for gid, vname, gname in db.execute(
            "SELECT g.id, v.name, g.name FROM village_groups g JOIN villages v ON v.id = g.village_id")}
        village_ids = {name: vid for vid, name in db.execute("SELECT id, name FROM villages")}
        now = now_iso()
        counts = {"categories": 0, "payments": 0, "paid_members": 0, "households": 0, "members": 0}
        with lg.transaction():
            conn.execute("INSERT INTO sync_applying (since) VALUES ('demo')")  # a bulk load: nothing to send (app.sync)
            mark_demo(lg)  # every printout and export says 演示数据
            indexes = _drop_indexes(conn)
            quotes = _QuoteRows(policy, pop.region.area_kind)
            _stage_payments(conn)
            from .search import paused_index

            with paused_index(conn):  # the search indexes are filled in one pass at the end, not row by row
                for block in plan.blocks():
                    member_ids = _insert_people(conn, block, village_ids, group_ids, now, counts, progress, cancel)
                    _insert_payments(conn, block, policy, member_ids, quotes, counts, cancel)
                    counts["households"] += len(block.households)
                    counts["members"] += block.people
            _number_receipts(conn, policy, quotes, operator, now, counts)
            for _, sql in indexes:
                conn.execute(sql)
            conn.execute("DELETE FROM sync_applying")
            lg.log(DEMO_ENTITY, None, "create", None,
                   {"policy": policy.id, "seed": pop.seed, "people": pop.people, "households": len(pop.households),
                    "households": counts["households"], "payments": counts["payments"],
                    "note": "canbao demo 生成的演示数据，不是真实人员"},
                   operator=operator)
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return counts


class NameInitials:
    """``identity.name_initials`` for many names, fast and identical.

    pypinyin reads a name phrase by phrase where a run of its characters is a known phrase, else character
    by character. A name with no phrase inside is therefore the concatenation of its characters' initials,
    cached per character (ten times faster for 500,000 names); any other name goes through pypinyin whole.
    """

    def __init__(self):
        from pypinyin.constants import PHRASES_DICT

        self._phrases = PHRASES_DICT
        self._chars: dict[str, str] = {}
        self._names: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        hit = self._names.get(name)
        if hit is None:
            hit = self._names[name] = self._compute(name)
        return hit

    def _compute(self, name: str) -> str:
        n = len(name)
        if any(name[i:j] in self._phrases for i in range(n - 1) for j in range(i + 2, n + 1)):
            return name_initials(name)
        out = []
        for ch in name:
            v = self._chars.get(ch)
            if v is None:
                v = self._chars[ch] = name_initials(ch)
            out.append(v)
        return "".join(out)


def _drop_indexes(conn) -> list[tuple[str, str]]:
    marks = ",".join("?" * len(_LOADED))
    rows = conn.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                        f" AND tbl_name IN ({marks})", list(_LOADED)).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return rows


def _chunks(rows: Iterable, cancel: CancelCheck, tick: Callable[[int], None] | None = None) -> Iterator:
    """Pass rows through, checking ``cancel`` every few thousand rows."""
    for n, row in enumerate(rows, start=1):
        if n % _CHUNK == 0:
            if cancel():
                raise DemoCancelled("已取消生成演示台账")
            if tick is not None:
                tick(n)
        yield row


def _insert_people(conn, pop: DemoPopulation, village_ids: dict, group_ids: dict, now: str, counts: dict,
                   progress: Callable[[int], None], cancel: CancelCheck) -> dict[int, int]:
    first = counts["members"]  # members already written by earlier blocks
    conn.executemany(
        "INSERT INTO households (id, number, village_id, group_id, address, phone, notes, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)",
        _chunks(((h.number, f"{h.number:06d}", village_ids[h.village], group_ids[(h.village, h.group)], h.address,
                  h.phone, now, now) for h in pop.households), cancel))
    member_ids: dict[int, int] = {}  # id(DemoMember) -> members.id
    initials = NameInitials()
    county = pop.region.county

    def member_rows():
        mid = first
        for h in pop.households:
            for m in h.members:
                mid += 1
                member_ids[id(m)] = mid
                yield (mid, h.number, m.name, initials(m.name), RESIDENT_ID if m.id_number else NO_ID, m.id_number or None,
                       m.id_number[::-1] if m.id_number else None, m.sex, m.birth_date.isoformat(),
                       _ethnicity(m, pop), LEDGER_RELATION.get(m.relation, m.relation), m.phone, m.phone[::-1],
                       int(m.student), _school(m, h.township, county), m.status or ENROLLED, m.status_detail,
                       m.status_on.isoformat() if m.status_on else None, now, now)

    conn.executemany(
        "INSERT INTO members (id, household_id, name, name_initials, id_type, id_number, id_rev, sex, birth_date,"
        " ethnicity, relation, phone, phone_rev, student, school, status, status_detail, status_date, notes,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?)",
        _chunks(member_rows(), cancel, lambda n: progress(first + n)))

    def category_rows():
        for h in pop.households:
            for m in h.members:
                for c in m.categories:
                    counts["categories"] += 1
                    yield (member_ids[id(m)], c.name, c.department, c.recognized_on.isoformat(), now)

    conn.executemany("INSERT INTO member_categories (member_id, category, department, recognized_on, created_at)"
                     " VALUES (?, ?, ?, ?, ?)", _chunks(category_rows(), cancel))
    year = get_policy(pop.policy_id).year
    conn.executemany(
        "INSERT INTO member_years (member_id, year, addons, declined_addons) VALUES (?, ?, ?, ?)",
        _chunks(((member_ids[id(m)], year, json.dumps(list(m.addons), ensure_ascii=False),
                  json.dumps(list(m.declined_addons), ensure_ascii=False))
                 for h in pop.households for m in h.members if m.addons or m.declined_addons), cancel))
    return member_ids


class _QuoteRows:
    """(quote snapshot id, add-ons JSON) once per distinct quote shape and day, over all blocks."""

    def __init__(self, policy, area_kind: str):
        self.quotes = QuoteCache(policy, area_kind)
        self.snapshots = SnapshotIds()
        self._cache: dict[tuple, tuple[int, str]] = {}

    def __call__(self, m: DemoMember, on: dt.date) -> tuple[int, str]:
        key = (self.quotes.shape(m, on), on)
        hit = self._cache.get(key)
        if hit is None:
            q = self.quotes.quote(m, on)
            hit = self._cache[key] = (self.snapshots.id_for(quote_text(q.to_dict())),
                                      json.dumps(list(q.addons), ensure_ascii=False))
        return hit


def _stage_payments(conn) -> None:
    """Payments wait in temporary tables until every block is written, then get receipt numbers by date."""
    conn.execute("CREATE TEMP TABLE demo_payments (k INTEGER PRIMARY KEY, household_id INTEGER, amount_fen INTEGER,"
                 " method TEXT, paid_on TEXT)")
    conn.execute("CREATE TEMP TABLE demo_items (k INTEGER, member_id INTEGER, fen INTEGER, addons TEXT,"
                 " quote_id INTEGER)")


def _insert_payments(conn, pop: DemoPopulation, policy, member_ids: dict[int, int], quote_json: _QuoteRows,
                     counts: dict, cancel: CancelCheck) -> None:
    first = counts["payments"]  # payments staged by earlier blocks
    payments = pop.payments()
    items: list[tuple] = []

    def payment_rows():
        for p in payments:
            k = first + p.seq
            for m, amount in zip(p.members, p.amounts):
                quote_id, addons_json = quote_json(m, p.paid_on)
                items.append((k, member_ids[id(m)], to_fen(amount), addons_json, quote_id))
            yield (k, p.household, sum(to_fen(a) for a in p.amounts), p.method, p.paid_on.isoformat())

    conn.executemany("INSERT INTO temp.demo_payments (k, household_id, amount_fen, method, paid_on)"
                     " VALUES (?, ?, ?, ?, ?)", _chunks(payment_rows(), cancel))
    conn.executemany("INSERT INTO temp.demo_items (k, member_id, fen, addons, quote_id) VALUES (?, ?, ?, ?, ?)",
                     _chunks(items, cancel))
    counts["payments"] += len(payments)
    counts["paid_members"] += len(items)


def _number_receipts(conn, policy, quote_json: _QuoteRows, operator: str, now: str, counts: dict) -> None:
    """The staged payments into the ledger, receipts numbered by payment day then household (as the
    generator numbers one block's), with their items, quote snapshots and the year's receipt counter."""
    year = policy.year
    conn.execute("CREATE TEMP TABLE demo_order AS SELECT k, row_number() OVER (ORDER BY paid_on, household_id, k)"
                 " AS seq FROM temp.demo_payments")
    conn.execute("CREATE UNIQUE INDEX temp.demo_order_k ON demo_order(k)")
    conn.create_function("demo_receipt_number", 2, receipt_number, deterministic=True)
    conn.execute(
        "INSERT INTO payments (id, year, seq, receipt_no, household_id, amount_fen, method, paid_on, operator,"
        " notes, created_at) SELECT o.seq, :year, o.seq, demo_receipt_number(:year, o.seq), p.household_id,"
        " p.amount_fen, p.method, p.paid_on, :operator, '', :now FROM temp.demo_payments p JOIN temp.demo_order o"
        " ON o.k = p.k ORDER BY o.seq", {"year": year, "operator": operator, "now": now})
    conn.executemany("INSERT INTO quote_snapshots (id, sha, json) VALUES (?, ?, ?)", quote_json.snapshots.rows())
    conn.execute(
        "INSERT INTO payment_items (payment_id, member_id, year, policy_id, due_fen, amount_fen, addons, quote_id)"
        " SELECT o.seq, i.member_id, :year, :policy, i.fen, i.fen, i.addons, i.quote_id FROM temp.demo_items i"
        " JOIN temp.demo_order o ON o.k = i.k ORDER BY o.seq, i.rowid", {"year": year, "policy": policy.id})
    if counts["payments"]:
        conn.execute("INSERT INTO receipt_counters (year, last_seq) VALUES (?, ?)", [year, counts["payments"]])
    for table in ("demo_order", "demo_items", "demo_payments"):
        conn.execute(f"DROP TABLE temp.{table}")


def _school(m: DemoMember, township: str, county: str) -> str:
    """A plausible school for a student, by age."""
    if not m.student:
        return ""
    if m.age <= 11:
        return f"{township}中心小学"
    if m.age <= 14:
        return f"{township}中学"
    if m.age <= 18:
        return f"{county}第一高级中学"
    return "长春职业技术学院" if county == "农安县" else "省内高校"


def _ethnicity(m: DemoMember, pop: DemoPopulation) -> str:
    """汉族 for most; a few 满族/朝鲜族/蒙古族 (Jilin), 苗族/瑶族 (Hunan), 回族 anywhere — from the ID's digits."""
    digits = m.id_number[14:17] if m.id_number else "000"
    n = int(digits) if digits.isdigit() else 0
    if n % 50:
        return "汉族"
    south = pop.region.county in ("双清区",)
    choices = ("苗族", "瑶族", "土家族", "回族") if south else ("满族", "朝鲜族", "蒙古族", "回族")
    return choices[(n // 50) % len(choices)]
