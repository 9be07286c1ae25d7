"""The township simulation (issue 15's "Done means"), shared by the CI test and bench/sync_sim.py.

A township and its stations make random edits, payments, voids and refunds; every round each station writes
a packet to the township and the township one to each station, and the post delivers them late, twice, out
of order, or never. Some clashes are made on purpose: the same member's phone changed at the township and at
the village in the same round (两处修改), and a member paid for at the township and at the village before
either heard of the other (重复缴费), and a person another village already has enrolled again with an ID
number (重复参保), or with the very same ID number (``_enrol_same_id_elsewhere``). At the end the post runs clean until nothing moves, then ``check`` says
what disagrees: every ledger must agree with the township on every record, no payment lost or doubled, every
made clash listed at the township, every person enrolled twice on its 重复参保 list."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from app.domain.problems import ProblemsError
from app.ledger import PayLine
from app.sync import conflicts, packets

from sync_township import make_township

COMPARED = ("villages", "village_groups", "households", "members", "member_categories", "member_years",
            "quote_snapshots", "payments", "payment_items", "refunds", "claims", "audit")


@dataclass
class World:
    folder: Path
    rng: random.Random
    township: object
    stations: list
    villages: list[str]
    mail: list = field(default_factory=list)          # (deliver at round, receiver ledger, packet path)
    payments: list = field(default_factory=list)      # (creating ledger number, payment id, amount fen)
    phone_clashes: list = field(default_factory=list)  # member ids edited on both sides in one round
    double_paid: list = field(default_factory=list)   # member ids paid at the township and the village
    duplicates: list = field(default_factory=list)    # (member id, member id): one person enrolled in two villages
    same_id: list = field(default_factory=list)       # (member id, member id): the same ID number at two villages
    same_id_waiting: list = field(default_factory=list)  # (station, member id, name, number) not yet enrolled twice
    people: dict = field(default_factory=dict)        # station number -> [(household id, member id)]
    moved: list = field(default_factory=list)         # (member id, from station, to station): moves at the township
    arriving: list = field(default_factory=list)      # (station, household id, member id) not yet there
    counter: int = 0
    round: int = 0
    stats: dict = field(default_factory=lambda: {"lost": 0, "twice": 0, "late": 0, "packets": 0})

    def ledger(self, number: int):
        return self.township if number == 0 else self.stations[number - 1]


def build(folder: Path, seed: int, n_stations: int = 8) -> World:
    villages = [f"村{i}" for i in range(1, n_stations + 1)]
    township, stations = make_township(folder, villages)
    return World(folder, random.Random(seed), township, stations, villages)


# ---------------------------------------------------------------------------------------------- work
def _new_household(w: World, number: int) -> None:
    lg = w.ledger(number)
    village = w.villages[number - 1]
    with lg.transaction():
        h = lg.households.add(village=village, group="一组", address=f"{village}{w.counter}号").id
        for k in range(w.rng.randint(1, 3)):
            w.counter += 1
            m = lg.members.add(h, name=f"人{w.counter}", id_type="无", birth_date=f"19{50 + k * 10}-0{k + 1}-15",
                               sex="男" if k != 1 else "女", relation=("户主", "配偶", "子")[k]).id
            w.people.setdefault(number, []).append((h, m))


def _enrol_someone_from_elsewhere(w: World, number: int) -> None:
    """重复参保: this village enrols, with an ID number, a person another station already has without one (same
    name, birth date and sex) in a new household of its own."""
    from stdnum.cn import ric

    others = [n for n in w.people if n != number and w.people[n]]
    if not others:
        return
    there = w.ledger(w.rng.choice(others))
    _h, m = w.rng.choice(w.people[[n for n in others if w.ledger(n) is there][0]])
    person = there.members.get(m)
    lg = w.ledger(number)
    village = w.villages[number - 1]
    with lg.transaction():
        h = lg.households.add(village=village, group="一组", address=f"{village}外来{w.counter}号").id
        body = f"229999{str(person.birth_date).replace('-', '')}{(w.counter * 2 + (person.sex == '男')) % 1000:03d}"
        w.counter += 1
        copy = lg.members.add(h, name=person.name, id_number=body + ric.calc_check_digit(body + "0"),
                              relation="户主").id
    w.people.setdefault(number, []).append((h, copy))
    w.duplicates.append((min(m, copy), max(m, copy)))


def _enrol_same_id_elsewhere(w: World, number: int) -> None:
    """重复参保 with the same ID number: this village enrols, with its ID number, a person another village has
    already enrolled (the village of 户籍 and the village they live in) — or enrols someone new with an ID number
    whom another village will enrol again later. Each pays at once more often than not (both charged: 重复缴费)."""
    from stdnum.cn import ric

    lg = w.ledger(number)
    village = w.villages[number - 1]
    waiting = [x for x in w.same_id_waiting if x[0] != number]
    w.counter += 1
    if waiting:
        first = w.rng.choice(waiting)
        w.same_id_waiting.remove(first)
        _, there, name, id_number = first
    else:
        there, name = None, f"同号{w.counter}"
        body = f"229998{19700101 + (w.counter % 28)}{w.counter % 1000:03d}"
        id_number = body + ric.calc_check_digit(body + "0")
    with lg.transaction():
        h = lg.households.add(village=village, group="一组", address=f"{village}同号{w.counter}号").id
        m = lg.members.add(h, name=name, id_number=id_number, relation="户主").id
    w.people.setdefault(number, []).append((h, m))
    if there is None:
        w.same_id_waiting.append((number, m, name, id_number))
    else:
        w.same_id.append((min(m, there), max(m, there)))
    if w.rng.random() < 0.6:
        _pay(w, lg, number, h, m)


def check_same_id(w: World) -> list[str]:
    """Every person enrolled with one ID number at two villages is at the township twice (no 记录冲突 lost one),
    on its 重复参保 list as 同一证件号码, and — both charged — a 重复缴费 with the later payment to refund."""
    from app.domain.duplicate_match import Kind
    from app.ledger import duplicates

    wrong = []
    t = w.township
    kinds = {(m.a, m.b): m.kind for m in duplicates.matches(t)}
    listed = conflicts.list_conflicts(t, open_only=False)
    refused = {c.row_pk[0] for c in listed if c.kind == "记录冲突" and c.table == "members"}
    doubles = [{(c.a_values or {}).get("member_id"), (c.b_values or {}).get("member_id")}
               for c in listed if c.kind == "重复缴费"]
    for a, b in w.same_id:
        held = {r[0] for r in t.db.execute("SELECT id FROM members WHERE id IN (?, ?)", [a, b])}
        if held != {a, b}:
            wrong.append(f"同一身份证号的 {a} 与 {b}：乡镇只有 {sorted(held)}")
        if {a, b} & refused:
            wrong.append(f"同一身份证号的 {a} 与 {b} 被列为记录冲突")
        if kinds.get((a, b)) != Kind.SAME_ID:
            wrong.append(f"同一身份证号的 {a} 与 {b} 不在乡镇重复参保清单（同一证件号码）中：{kinds.get((a, b))}")
        paid = {r[0] for r in t.db.execute("SELECT DISTINCT member_id FROM standing_items WHERE member_id IN (?, ?)",
                                           [a, b])}
        if paid == {a, b}:
            w.stats["same_id_both_paid"] = w.stats.get("same_id_both_paid", 0) + 1
            if {a, b} not in doubles:
                wrong.append(f"同一身份证号的 {a} 与 {b} 两处都缴费，乡镇冲突清单中没有重复缴费")
    return wrong


def resolve_same_id(w: World) -> int:
    """The township's 专干 keeps, of each same-ID pair, the member with the lower id; the other becomes 异地参保 (an
    ordinary status change, audited), and the post runs clean until it has reached the stations. Returns how many
    were decided."""
    from app.ledger import duplicates

    done = 0
    for a, b in w.same_id:
        duplicates.keep(w.township, a, b, "户籍在先登记的村，已电话核实")
        done += 1
    for _ in range(2):
        w.round += 1
        post_round(w, unreliable=False)
    return done


def _pay(w: World, lg, number: int, household: int, member: int) -> int | None:
    try:
        pid = lg.payments.record(household, [PayLine(member)], method="现金", paid_on="2024-10-08").id
    except ProblemsError:
        return None  # already paid here, or not payable: the ledger said why
    w.payments.append((number, pid, lg.payments.get(pid).amount))
    return pid


def _unpaid(lg, people):
    paid = {r[0] for r in lg.db.execute("SELECT member_id FROM standing_items").fetchall()}
    return [(h, m) for h, m in people if m not in paid]


def station_work(w: World, number: int) -> None:
    lg = w.ledger(number)
    people = w.people.get(number, [])
    roll = w.rng.random()
    if roll < 0.35 or not people:
        _new_household(w, number)
    elif roll < 0.38:
        _enrol_someone_from_elsewhere(w, number)
    elif roll < 0.44:
        _enrol_same_id_elsewhere(w, number)
    elif roll < 0.65:
        todo = _unpaid(lg, people)
        if todo:
            _pay(w, lg, number, *w.rng.choice(todo))
    elif roll < 0.8:
        h, m = w.rng.choice(people)
        lg.members.update(m, notes=f"站{number}第{w.round}轮")
    elif roll < 0.9:
        # (a payment made twice on purpose stays: voiding it would take the clash back before anyone saw it)
        mine = [r[0] for r in lg.db.execute("SELECT id FROM payments WHERE voided_at IS NULL AND id >= ? AND id < ?"
                                             " AND id NOT IN (SELECT payment_id FROM payment_items WHERE member_id"
                                             f" IN ({','.join(map(str, w.double_paid)) or 0}))",
                                             [number * 10 ** 12, (number + 1) * 10 ** 12]).fetchall()]
        if mine:
            lg.payments.void(w.rng.choice(mine), "收错了")
    else:
        rows = [r for r in lg.db.execute("SELECT payment_id, member_id FROM standing_items WHERE payment_id >= ?"
                                         " AND payment_id < ?", [number * 10 ** 12, (number + 1) * 10 ** 12]).fetchall()
                if r[1] not in w.double_paid]
        if rows:
            pid, m = w.rng.choice(rows)
            try:
                lg.payments.refund(pid, m, "死亡", refunded_on="2024-10-20")
            except ProblemsError:
                pass  # the policy's refund rule said no


def township_work(w: World) -> None:
    """The township corrects a village's member, sometimes at the same time as the village (两处修改), and
    sometimes takes a payment the village also takes (重复缴费)."""
    t = w.township
    known = [n for n in w.people if t.db.execute("SELECT 1 FROM members WHERE id = ?",
                                                  [w.people[n][0][1]]).fetchone()]
    if not known:
        return
    number = w.rng.choice(known)
    station = w.ledger(number)
    present = [(h, m) for h, m in w.people[number] if t.db.execute("SELECT 1 FROM members WHERE id = ?", [m]).fetchone()]
    h, m = w.rng.choice(present)
    roll = w.rng.random()
    if roll < 0.5:
        t.members.update(m, phone=f"139{w.round:04d}{m % 10000:04d}")
        if w.rng.random() < 0.5 and m not in w.phone_clashes:
            station.members.update(m, phone=f"138{w.round:04d}{m % 10000:04d}")
            w.phone_clashes.append(m)
    else:
        todo = [(hh, mm) for hh, mm in _unpaid(t, present) if (hh, mm) in _unpaid(station, present)]
        if todo:
            hh, mm = w.rng.choice(todo)
            if _pay(w, t, 0, hh, mm) and _pay(w, station, number, hh, mm):
                w.double_paid.append(mm)


# ---------------------------------------------------------------------------------------------- post
def post_round(w: World, unreliable: bool = True) -> None:
    """Every station writes to the township and the township to every station; then what is due arrives."""
    out = [(s, 0) for s in range(1, len(w.stations) + 1)] + [(0, s) for s in range(1, len(w.stations) + 1)]
    for sender, receiver in out:
        summary = packets.write_packet(w.ledger(sender), receiver, w.folder / "post")
        w.stats["packets"] += 1
        if not unreliable:
            w.mail.append((w.round, receiver, summary.path))
            continue
        r = w.rng.random()
        if r < 0.15:
            w.stats["lost"] += 1
            continue
        delay = w.rng.choice((0, 0, 1, 2, 3)) if r < 0.85 else 0
        w.stats["late"] += delay > 0
        w.mail.append((w.round + delay, receiver, summary.path))
        if r >= 0.85:
            w.stats["twice"] += 1
            w.mail.append((w.round + w.rng.randint(0, 3), receiver, summary.path))
    due = [m for m in w.mail if m[0] <= w.round]
    w.mail = [m for m in w.mail if m[0] > w.round]
    w.rng.shuffle(due)
    for _, receiver, path in due:
        result = packets.apply_packet(w.ledger(receiver), path)
        if not result.ok:
            assert all("缺少站点" in p.message for p in result.problems), result.problems


def run(folder: Path, seed: int, rounds: int = 6, n_stations: int = 8, work_per_round: int = 3) -> World:
    (folder / "post").mkdir(parents=True, exist_ok=True)
    w = build(folder, seed, n_stations)
    for w.round in range(rounds):
        for number in range(1, n_stations + 1):
            for _ in range(w.rng.randint(1, work_per_round)):
                station_work(w, number)
        for _ in range(w.rng.randint(1, 3)):
            township_work(w)
        township_moves(w)
        post_round(w)
    w.mail.clear()  # what is still in the post is lost too
    for _ in range(3):  # then the post works, until nothing moves
        w.round += 1
        post_round(w, unreliable=False)
    _settle_moves(w)
    return w


# ---------------------------------------------------------------------------------------------- check
def _rows(lg, table: str, where: str = "", params=()) -> dict:
    cur = lg.db.execute(f"SELECT * FROM {table} {where}", list(params))
    cols = [d[0] for d in cur.description]
    out = {}
    for r in cur.fetchall():
        row = dict(zip(cols, r))
        key = json.dumps([row[c] for c in ("member_id", "year")]) if table == "member_years" else row["id"]
        out[key] = row
    return out


def check(w: World) -> list[str]:
    """Everything that disagrees (empty: all ledgers agree with the township, as the issue asks)."""
    wrong = []
    t = w.township
    for number, lg in enumerate(w.stations, start=1):
        village = w.villages[number - 1]
        for table in COMPARED:
            # the audit entries a station wrote while being set up (before it was split off) stay local
            mine = _rows(lg, table, "WHERE entity <> 'station'" if table == "audit" else "")
            theirs = _rows(t, table)
            for key, row in mine.items():
                if not _held(w, number, table, row):
                    continue  # a stale copy a village keeps of a member who moved away (``_held``)
                if key not in theirs:
                    wrong.append(f"站{number} {table} {key}: 乡镇没有")
                elif theirs[key] != row:
                    diff = {c: (row[c], theirs[key][c]) for c in row if row[c] != theirs[key][c]}
                    wrong.append(f"站{number} {table} {key}: 不同 {diff}")
        hs = {r[0] for r in t.db.execute("SELECT h.id FROM households h JOIN villages v ON v.id = h.village_id"
                                          " WHERE v.name = ?", [village]).fetchall()}
        station_households = _rows(lg, "households")
        for h in hs:
            if h not in station_households:
                wrong.append(f"站{number} 缺少本村的户 {h}")
    # no payment lost or doubled
    held = {r[0]: r[1] for r in t.db.execute("SELECT id, amount_fen FROM payments").fetchall()}
    made = {pid for _, pid, _ in w.payments}
    if len(made) != len(w.payments):
        wrong.append("同一缴费编号出现两次")
    for number, pid, amount in w.payments:
        if pid not in held:
            wrong.append(f"缴费 {pid}（站{number}）在乡镇丢失")
        elif held[pid] != int(amount * 100):
            wrong.append(f"缴费 {pid} 金额不同")
    if set(held) != made:
        wrong.append(f"乡镇的缴费多出：{sorted(set(held) - made)[:5]}")
    # every made clash listed at the township
    listed = conflicts.list_conflicts(t, open_only=False)
    phone = {c.member_id for c in listed if c.kind == "两处修改" and "phone" in c.columns}
    for m in w.phone_clashes:
        if m not in phone:
            wrong.append(f"人员 {m} 两处修改电话，乡镇冲突清单中没有")
    doubles = {c.member_id for c in listed if c.kind == "重复缴费"}
    for m in w.double_paid:
        if m not in doubles:
            wrong.append(f"人员 {m} 重复缴费，乡镇冲突清单中没有")
    wrong += check_moves(w)
    # every person enrolled in two villages is on the township's 重复参保 list
    from app.ledger import duplicates

    pairs = {(f.a, f.b) for f in duplicates.matches(t)}
    for a, b in w.duplicates:
        if (a, b) not in pairs:
            wrong.append(f"人员 {a} 与 {b} 是同一人在两个村参保，乡镇重复参保清单中没有")
    wrong += check_same_id(w)
    return wrong


# ---------------------------------------------------------------------------------------------- moves
def township_moves(w: World) -> None:
    """The township moves a member to a household of another village (婚迁), often one who has paid, and
    sometimes one it moved before back to the village they came from — also while a payment the village took
    for them is still in the post (it crosses the move, and reaches the new village through the township)."""
    _settle_moves(w)
    if not hasattr(w, "move_rng"):  # its own random numbers: the other injections stay as their seeds made them
        w.move_rng = random.Random(hash(w.rng.getstate()))
    for _ in range(w.move_rng.randint(1, 3)):
        _move_one(w, w.move_rng)


def _move_one(w: World, rng: random.Random) -> None:
    t = w.township
    back = [(m, a, b) for m, a, b in w.moved if any(mm == m for _h, mm in w.people.get(b, []))]
    if back and rng.random() < 0.4:
        m, to, frm = rng.choice(back)
    else:
        # someone the township has, from a household that keeps another member; mostly one who paid
        mates = dict(t.db.execute("SELECT household_id, count(*) FROM members GROUP BY household_id").fetchall())
        paid = {r[0] for r in t.db.execute("SELECT member_id FROM standing_items").fetchall()}
        movable = [(n, mm) for n in sorted(w.people) if len(w.people[n]) > 1 for h, mm in w.people[n]
                   if mates.get(h, 0) > 1 and t.db.execute("SELECT 1 FROM members WHERE id = ? AND household_id = ?",
                                                           [mm, h]).fetchone()]
        if not movable:
            return
        choices = [(n, mm) for n, mm in movable if mm in paid]
        frm, m = rng.choice(choices if choices and rng.random() < 0.8 else movable)
        to = rng.choice([n for n in w.people if n != frm] or [frm])
    if to == frm or not w.people.get(to):
        return
    here = t.db.execute("SELECT household_id FROM members WHERE id = ?", [m]).fetchone()
    station = w.ledger(frm)
    items = lambda lg: {r[0] for r in lg.db.execute("SELECT id FROM payment_items WHERE member_id = ?", [m])}  # noqa: E731
    if here is None:
        return
    crossing = not items(station) <= items(t)  # a payment the village took is still in the post
    mates = t.db.execute("SELECT count(*) FROM members WHERE household_id = ?", [here[0]]).fetchone()[0]
    targets = [h for h, _m in w.people[to] if t.db.execute("SELECT 1 FROM households WHERE id = ?", [h]).fetchone()]
    if mates < 2 or len(w.people[frm]) < 2 or not targets:
        return
    to_h = rng.choice(targets)
    t.members.move(m, to_h, relation="其他", reason=f"第{w.round}轮迁往村{to}")
    w.stats["moved_paid"] = w.stats.get("moved_paid", 0) + bool(t.db.execute(
        "SELECT 1 FROM standing_items WHERE member_id = ?", [m]).fetchone())
    w.stats["moved_back"] = w.stats.get("moved_back", 0) + any(mm == m and a == to for mm, a, _b in w.moved)
    w.stats["moved_crossing"] = w.stats.get("moved_crossing", 0) + crossing
    w.people[frm] = [(h, mm) for h, mm in w.people[frm] if mm != m]
    w.arriving.append((to, to_h, m))
    w.moved.append((m, frm, to))


def _settle_moves(w: World) -> None:
    """A moved member becomes part of the new village's work once the village has heard of the move."""
    still = []
    for to, h, m in w.arriving:
        got = w.ledger(to).db.execute("SELECT household_id FROM members WHERE id = ?", [m]).fetchone()
        if got is not None and got[0] == h:
            w.people.setdefault(to, []).append((h, m))
        else:
            still.append((to, h, m))
    w.arriving = still


def _held(w: World, number: int, table: str, row: dict) -> bool:
    """Does the township route this row to station ``number`` now (``routes.holders``)? A village keeps the
    rows of a member who moved away and paid there (in an 外村户); once they move on, the township no longer
    sends it their changes: those copies are not compared (no list or total reads them, ``check_moves``)."""
    from app.sync import routes

    if table in routes.SHARED or table in ("audit", "sync_conflicts"):
        return True
    theirs = _rows(w.township, table, "WHERE id = ?" if table != "member_years" else "WHERE member_id = ? AND year = ?",
                   [row["id"]] if table != "member_years" else [row["member_id"], row["year"]])
    now = next(iter(theirs.values()), row)
    return number in routes.holders(w.township.db, table, now)


def check_moves(w: World) -> list[str]:
    """Every member a village lists is one it keeps, in the same pay state as at the township (a moved member
    who paid is 已缴 wherever they are listed), every member the township has in a village's households is
    listed there, and no ledger lists a 记录冲突."""
    from app.ledger import member_year
    from app.sync import routes

    wrong = []
    t = w.township
    year = t.settings.get().year
    truth = {s.member_id: (s.state, s.household_id) for s in member_year.standings(t, year=year)}
    for number, lg in enumerate(w.stations, start=1):
        listed = {s.member_id: (s.state, s.household_id) for s in member_year.standings(lg, year=year)}
        for m, (state, h) in listed.items():
            if m not in truth:
                wrong.append(f"站{number} 列出人员 {m}，乡镇没有")
            elif truth[m] != (state, h):
                wrong.append(f"站{number} 人员 {m}：{state.value} 户 {h}，乡镇为 {truth[m][0].value} 户 {truth[m][1]}")
        for m, (_state, h) in truth.items():
            if number in routes.stations_of_household(t.db, h) and m not in listed:
                wrong.append(f"站{number} 没有列出本村人员 {m}（户 {h}）")
    for number, lg in enumerate([t, *w.stations]):
        for c in conflicts.list_conflicts(lg, open_only=False):
            if c.kind == "记录冲突" or c.kind == "缺少关联记录":
                wrong.append(f"站{number} 意外的{c.kind}：{c.message}")
    return wrong


def close(w: World) -> None:
    for lg in [w.township, *w.stations]:
        lg.close()
