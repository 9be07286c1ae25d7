"""The year's turn among many laptops, simulated (tests/sync/test_rollover_simulation.py; more seeds with
``python bench/rollover_sim.py``).

A township and its stations work in last year's ledgers (2022); each laptop rolls over to 2025 at its own
random point — before its day's work, with its packets still in the post, or after the post came — and then
works in the new ledger, while going on using last year's for late payments (and now and then a correction
made there by mistake). Every round each side writes a packet to the other in every year both have; the post
loses, delays, doubles and sometimes hands a packet to the other year's ledger of the right laptop (which
must refuse it and write nothing). Edits are split by column so that no two sides edit the same field:
stations edit their members' notes (before the turn in last year's ledger, after it in the new one), the
township its households' addresses (and now and then a note too: a clash, listed, after which the ledgers still
agree); mistaken old-ledger corrections after a turn touch phones (stations) and
household notes (township) — those reach the new year only if the other side read them before its own turn.

At the end the post runs clean in both years until nothing moves, and ``check`` says what is wrong: in each
year every ledger agrees with the township; no payment is lost or doubled and last year's payments stay in
last year's ledgers; every household, category and member note made in last year's ledger before that
laptop's turn or in a new ledger is in every new ledger that should hold it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from operators_helper import log_in

from app.domain.problems import ProblemsError
from app.ledger import PayLine, open_ledger
from app.sync import conflicts, packets

import sync_simulation
from sync_township import make_township

OLD_DAY, NEW_DAY = "2021-10-20", "2024-10-08"


@dataclass
class Turning:
    folder: Path
    rng: random.Random
    villages: list[str]
    old: list                                          # last year's ledgers, 0 = the township
    new: list                                          # next year's, None until that laptop turns
    turn_at: dict[int, tuple[int, int]] = field(default_factory=dict)  # ledger -> (round, phase)
    mail: list = field(default_factory=list)           # (due round, year index, receiver, path)
    people: dict = field(default_factory=dict)         # station -> [(household, member)] it made
    households: set = field(default_factory=set)       # households every new ledger of theirs must hold
    categories: dict = field(default_factory=dict)     # category record -> the station that made it
    notes: dict = field(default_factory=dict)          # member -> the note it must end with in the new year
    addresses: dict = field(default_factory=dict)      # household -> the township's address it must end with
    clashed: set = field(default_factory=set)          # members whose note the township changed too (两处修改)
    payments: tuple = field(default_factory=lambda: ([], []))  # per year: (station, payment id, amount)
    counter: int = 0
    round: int = 0
    stats: dict = field(default_factory=lambda: {"lost": 0, "twice": 0, "late": 0, "packets": 0, "wrong_year": 0,
                                                 "in_flight_at_turn": 0, "old_edits_after_turn": 0})

    def ledgers(self, year: int) -> list:
        return self.old if year == 0 else self.new


def build(folder: Path, seed: int, n_stations: int, rounds: int) -> Turning:
    villages = [f"村{i}" for i in range(1, n_stations + 1)]
    (folder / "post").mkdir(parents=True, exist_ok=True)
    township, stations = make_township(folder, villages, year=2022, policy_id="changchun-2022")
    rng = random.Random(seed)
    w = Turning(folder, rng, villages, [township, *stations], [None] * (n_stations + 1))
    for k in range(n_stations + 1):
        w.turn_at[k] = (rng.randint(1, rounds - 2), rng.randint(0, 2))
    return w


def turn(w: Turning, k: int) -> None:
    if w.new[k] is not None:
        return
    w.stats["in_flight_at_turn"] += sum(1 for m in w.mail if m[1] == 0)
    path = w.old[k].rollover(w.folder / f"new{k:03d}.db", "changchun-2025")
    lg = open_ledger(path, backup=False)
    log_in(lg, "王会计")
    w.new[k] = lg


# ---------------------------------------------------------------------------------------------- work
def _household(w: Turning, lg, n: int) -> None:
    village = w.villages[n - 1]
    with lg.transaction():
        h = lg.households.add(village=village, group="一组", address=f"{village}{w.counter}号").id
        for k in range(w.rng.randint(1, 2)):
            w.counter += 1
            m = lg.members.add(h, name=f"人{w.counter}", id_type="无", birth_date=f"19{50 + k * 10}-0{k + 1}-15",
                               sex="男" if k == 0 else "女", relation=("户主", "配偶")[k]).id
            w.people.setdefault(n, []).append((h, m))
    w.households.add(h)


def _mine(w: Turning, lg, n: int) -> list[tuple[int, int]]:
    return [(h, m) for h, m in w.people.get(n, []) if lg.db.execute("SELECT 1 FROM members WHERE id = ?",
                                                                      [m]).fetchone()]


def _pay(w: Turning, lg, year: int, n: int, people) -> None:
    if not people:
        return
    h, m = w.rng.choice(people)
    try:
        pid = lg.payments.record(h, [PayLine(m)], method="现金", paid_on=(OLD_DAY, NEW_DAY)[year]).id
    except ProblemsError:
        return  # already paid this year here: the ledger said so
    w.payments[year].append((n, pid, lg.payments.get(pid).amount))


def station_work(w: Turning, n: int) -> None:
    year = 0 if w.new[n] is None else 1
    lg = w.ledgers(year)[n]
    people = _mine(w, lg, n)
    roll = w.rng.random()
    if roll < 0.35 or not people:
        _household(w, lg, n)
    elif roll < 0.6:
        _h, m = w.rng.choice(people)
        w.counter += 1
        lg.members.update(m, notes=f"站{n}记{w.counter}")
        w.notes[m] = f"站{n}记{w.counter}"
    elif roll < 0.7:
        _h, m = w.rng.choice(people)
        if not lg.categories.of_member(m):
            w.categories[lg.categories.add(m, "低保对象", department="民政", recognized_on="2021-09-01").id] = n
    else:
        _pay(w, lg, year, n, people)
    if year == 1 and w.rng.random() < 0.5:  # last year's ledger, still in use for late payments
        old = w.old[n]
        if w.rng.random() < 0.7:
            _pay(w, old, 0, n, _mine(w, old, n))
        elif _mine(w, old, n):
            _h, m = w.rng.choice(_mine(w, old, n))
            w.counter += 1
            old.members.update(m, phone=f"137{w.counter:08d}")  # by mistake in last year's ledger
            w.stats["old_edits_after_turn"] += 1


def township_work(w: Turning) -> None:
    year = 0 if w.new[0] is None else 1
    lg = w.ledgers(year)[0]
    known = [h for (h,) in lg.db.execute("SELECT id FROM households").fetchall() if h in w.households]
    if not known:
        return
    h = w.rng.choice(known)
    w.counter += 1
    lg.households.update(h, address=f"乡镇核定{w.counter}号")
    w.addresses[h] = f"乡镇核定{w.counter}号"
    members = [m for (m,) in lg.db.execute("SELECT id FROM members WHERE household_id = ?", [h]).fetchall()]
    if members and w.rng.random() < 0.4:  # the township corrects a note the village may be changing too
        m = w.rng.choice(members)
        lg.members.update(m, notes=f"乡镇记{w.counter}")
        w.clashed.add(m)
    if year == 1 and w.rng.random() < 0.3:
        old_known = [x for (x,) in w.old[0].db.execute("SELECT id FROM households").fetchall()]
        if old_known:
            w.old[0].households.update(w.rng.choice(old_known), notes=f"旧台账{w.counter}")
            w.stats["old_edits_after_turn"] += 1


# ---------------------------------------------------------------------------------------------- post
def _state(lg) -> list[int]:
    return [lg.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sync_packets", "sync_applied", "payments", "members", "audit")]


def post(w: Turning, unreliable: bool = True) -> None:
    n = len(w.old) - 1
    for year in (0, 1):
        ledgers = w.ledgers(year)
        if ledgers[0] is None:
            continue
        for sender, receiver in [(s, 0) for s in range(1, n + 1)] + [(0, s) for s in range(1, n + 1)]:
            if ledgers[sender] is None or ledgers[receiver] is None:
                continue
            summary = packets.write_packet(ledgers[sender], receiver, w.folder / "post")
            w.stats["packets"] += 1
            r = w.rng.random() if unreliable else 0.5
            if r < 0.15:
                w.stats["lost"] += 1
                continue
            delay = w.rng.choice((0, 0, 1, 2)) if unreliable and r < 0.85 else 0
            w.stats["late"] += delay > 0
            w.mail.append((w.round + delay, year, receiver, summary.path))
            if r >= 0.85:
                w.stats["twice"] += 1
                w.mail.append((w.round + w.rng.randint(0, 2), year, receiver, summary.path))
            if unreliable and w.rng.random() < 0.08:  # handed to the other year's ledger of that laptop
                w.mail.append((w.round, 1 - year, receiver, summary.path))


def deliver(w: Turning) -> None:
    due = [m for m in w.mail if m[0] <= w.round]
    w.mail = [m for m in w.mail if m[0] > w.round]
    w.rng.shuffle(due)
    for _, year, receiver, path in due:
        lg = w.ledgers(year)[receiver]
        if lg is None:
            continue
        before = _state(lg)
        result = packets.apply_packet(lg, path)
        if result.ok:
            continue
        messages = [p.message for p in result.problems]
        if any("年度的交换包" in m for m in messages):
            w.stats["wrong_year"] += 1
            assert _state(lg) == before, messages  # another year's packet: nothing written
        else:
            assert all("缺少站点" in m for m in messages), messages


def run(folder: Path, seed: int, rounds: int = 7, n_stations: int = 4) -> Turning:
    w = build(folder, seed, n_stations, rounds)
    for w.round in range(rounds):
        for k, (at, phase) in w.turn_at.items():
            if (at, phase) == (w.round, 0):
                turn(w, k)
        for n in range(1, n_stations + 1):
            for _ in range(w.rng.randint(1, 2)):
                station_work(w, n)
        for _ in range(w.rng.randint(0, 2)):
            township_work(w)
        post(w)
        for k, (at, phase) in w.turn_at.items():
            if (at, phase) == (w.round, 1):
                turn(w, k)  # its packets are in the post
        deliver(w)
        for k, (at, phase) in w.turn_at.items():
            if (at, phase) == (w.round, 2):
                turn(w, k)
    for k in range(n_stations + 1):
        turn(w, k)
    w.mail.clear()  # what is still in the post is lost too
    for _ in range(3):  # then the post works, in both years, until nothing moves
        w.round += 1
        post(w, unreliable=False)
        deliver(w)
    return w


# ---------------------------------------------------------------------------------------------- check
def _year_world(w: Turning, year: int) -> sync_simulation.World:
    ledgers = w.ledgers(year)
    return sync_simulation.World(w.folder, w.rng, ledgers[0], ledgers[1:], w.villages,
                                 payments=list(w.payments[year]))


def check(w: Turning) -> list[str]:
    wrong = []
    for year, label in ((0, "2022"), (1, "2025")):
        wrong += [f"{label}: {x}" for x in sync_simulation.check(_year_world(w, year))]
    # each new ledger's own first audit entry (its file made, before it knew its station) stays local
    local = {f"2025: 站{k} audit {i}:" for k, lg in enumerate(w.new) if k
             for (i,) in lg.db.execute("SELECT id FROM audit WHERE entity = 'settings' AND action = 'create'")}
    wrong = [x for x in wrong if not any(x.startswith(p) for p in local)]
    for k, lg in enumerate(w.new):
        name = "乡镇" if k == 0 else f"站{k}"
        households = {h for (h,) in lg.db.execute("SELECT id FROM households")}
        mine = w.households if k == 0 else {h for h, _ in w.people.get(k, [])}
        for h in sorted(mine & w.households - households):
            wrong.append(f"新年度{name} 缺少户 {h}")
        members = {m: note for m, note in lg.db.execute("SELECT id, notes FROM members")}
        for m, note in w.notes.items():
            if m in w.clashed:
                continue  # whichever note stands, the ledgers agree (above) and a clash is listed
            if (k == 0 or any(m == x for _, x in w.people.get(k, []))) and members.get(m) != note:
                wrong.append(f"新年度{name} 人员 {m} 的备注是 {members.get(m)!r}，应为 {note!r}")
        addresses = {h: a for h, a in lg.db.execute("SELECT id, address FROM households")}
        for h, a in w.addresses.items():
            if h in mine and addresses.get(h) != a:
                wrong.append(f"新年度{name} 户 {h} 的地址是 {addresses.get(h)!r}，应为 {a!r}")
        held = {c for (c,) in lg.db.execute("SELECT id FROM member_categories")}
        for c in sorted(c for c, n in w.categories.items() if k in (0, n) and c not in held):
            wrong.append(f"新年度{name} 缺少类别认定 {c}")
        if lg.db.execute("SELECT count(*) FROM payments WHERE paid_on < '2024-01-01'").fetchone()[0]:
            wrong.append(f"新年度{name} 有上一年度的缴费")
    for c in conflicts.list_conflicts(w.new[0], open_only=False):
        if not (c.kind == "两处修改" and c.member_id in w.clashed and list(c.columns) == ["notes"]):
            wrong.append(f"新年度乡镇 多出冲突：{c.kind} {c.message}")
    return wrong


def close(w: Turning) -> None:
    for lg in [*w.old, *w.new]:
        if lg is not None:
            lg.close()
