"""Split a village out of the township's ledger ("give village X its own laptop").

``split_village(ledger, village, out)`` writes a new ledger file holding that village: its villages row and
groups, its households and members (ids kept, so the exchange packets of both ledgers speak of the same rows),
their categories, add-on choices and statuses, every payment that pays for one of its members or was made by one
of its households (with all items, quote snapshots, voids and refunds), the claims of those payments, the audit
entries about them (as they are: links of the township's chain), every village and group (exchange packets share
them with every station), the policy and every setting, the operators (so the same people can log in), and the
township's list of stations — with the new file's station set to the village and a new station number. The
township's ledger records the new station, and both sides start exchanging packets from where the township's
outbox is (``_join_exchange``; the new ledger gets the township's packet key).

A payment's items must all be in the file (the receipt's amount is their sum): where a payment of the village
also paid for somebody now elsewhere (moved out after paying, or one receipt for two households), that person and
their household come along as they are; ``SplitOutcome.carried_along`` counts them.

All or nothing: the new file is built as ``<out>.<pid>.part`` (noted with ``files.pending`` wherever it is
written) and renamed only when complete, inside the township's transaction that records the station — so a split
killed or failing partway leaves no file and no recorded station, and a finished one leaves both.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..domain.problems import Cancelled, Problem, ProblemsError
from . import sqlite_driver, stations

if TYPE_CHECKING:
    from .db import Ledger

# (table, the rows carried: a WHERE on the attached township ledger ``old``); temp tables sp_hh, sp_mem, sp_pay
# hold the carried household, member and payment ids
_ROWS: tuple[tuple[str, str], ...] = (
    ("villages", "1"),  # every village and group: exchange packets share them with every station
    ("village_groups", "1"),
    ("households", "id IN (SELECT id FROM sp_hh)"),
    ("members", "id IN (SELECT id FROM sp_mem)"),
    ("member_categories", "member_id IN (SELECT id FROM sp_mem)"),
    ("member_years", "member_id IN (SELECT id FROM sp_mem)"),
    ("quote_snapshots", "id IN (SELECT quote_id FROM old.payment_items WHERE payment_id IN (SELECT id FROM sp_pay))"),
    ("payments", "id IN (SELECT id FROM sp_pay)"),
    ("payment_items", "payment_id IN (SELECT id FROM sp_pay)"),
    ("refunds", "payment_item_id IN (SELECT id FROM main.payment_items)"),
    ("claims", "payment_item_id IN (SELECT id FROM main.payment_items) AND member_id IN (SELECT id FROM sp_mem)"),
    ("settings", "1"),
    ("operators", "1"),
    ("stations", "1"),
)


@dataclass(frozen=True)
class SplitOutcome:
    path: Path
    station: stations.Station
    counts: dict[str, int] = field(default_factory=dict)  # rows written per table (and "audit")
    carried_along: int = 0  # people from elsewhere that payments of the village also paid for


def split_village(ledger: "Ledger", village: str, out: str | os.PathLike, *, kind: str = stations.VILLAGE,
                  name: str | None = None, progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> SplitOutcome:
    """Write ``out``: a ledger for ``village`` as a new station (see the module). ``progress(done, total)``
    counts steps; ``cancel()`` returning True stops with ``Cancelled`` and leaves nothing behind."""
    from .db import open_ledger
    from .files import commit_part, part_path, pending

    ledger.require("policies")
    out = Path(out)
    village = (village or "").strip()
    vid = ledger.settings.village_id(village)
    mine = stations.current(ledger)
    problems = []
    if vid is None:
        problems.append(Problem("村", f"台账中没有村（社区）「{village}」"))
    if mine is None:
        problems.append(Problem("站点", "本台账还没有设定站点（设置 → 站点，或 canbao station setup），"
                                        "拆分前须先有乡镇的站点代码"))
    if kind not in (stations.VILLAGE, stations.GRID):
        problems.append(Problem("类型", f"拆分出的站点类型应为 村 或 网格：{kind}"))
    if out.exists():
        problems.append(Problem("文件", f"文件已存在：{out}（请另选文件名）"))
    elif out.resolve() == Path(ledger.path).resolve():
        problems.append(Problem("文件", "新台账不能与本台账是同一个文件"))
    taken = [s for s in stations.known(ledger) if s.village == village and s.kind == stations.VILLAGE]
    if vid is not None and kind == stations.VILLAGE and taken:
        problems.append(Problem("村", f"「{village}」已拆分为站点 {taken[0].label}"))
    if problems:
        raise ProblemsError(problems)
    ledger.db.execute("PRAGMA wal_checkpoint(FULL)")  # what the other connection reads is in the main file
    part = part_path(out)
    for suffix in ("", "-wal", "-shm", "-journal", ".receipts"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    number = stations.next_number(ledger)
    station = stations.Station(stations.make_code(mine.township_code, number), (name or village).strip(), kind,
                               number, mine.code, village)
    if problems := stations.check(ledger, code=station.code, name=station.name, kind=kind, parent=mine.code,
                                  village=village):
        raise ProblemsError(problems)
    with pending(part):
        new = open_ledger(part, create=True, backup=False, operator=ledger.session or ledger.operator,
                          key=sqlite_driver.key_of(ledger.db.conn))  # an encrypted township's village: same key
        try:
            counts, along = _build(new, ledger, vid, station, progress, cancel)
            new.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            new.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to rename; WAL again on open
            new.close()
            new = None
            with ledger.transaction() as db:  # the station is recorded, and the file appears, together
                if stations.next_number(ledger) != number:
                    raise ProblemsError([Problem("站点", "拆分期间另一窗口新增了站点，请重新拆分")])
                since = _township_outbox(db, mine.number)
                stations.record(ledger, code=station.code, name=station.name, kind=kind, parent=mine.code,
                                village=village)
                _join_exchange(db, part, number, mine.number, since)
                ledger.log("station", number, "split", None,
                           {"village": village, "code": station.code, "path": str(out), **counts})
                if out.exists():
                    raise ProblemsError([Problem("文件", f"文件已存在：{out}（请另选文件名）")])
                commit_part(part, out)
        except BaseException:
            if new is not None:
                new.close()
            for suffix in ("", "-wal", "-shm", "-journal", ".receipts", ".lock"):
                Path(str(part) + suffix).unlink(missing_ok=True)
            raise
    Path(str(part) + ".lock").unlink(missing_ok=True)
    return SplitOutcome(out, station, counts, along)


def _columns(db, schema: str, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA {schema}.table_info({table})")]


def _build(new: "Ledger", ledger: "Ledger", vid: int, station: stations.Station, progress, cancel
           ) -> tuple[dict[str, int], int]:
    db = new.db
    steps = len(_ROWS) + 3
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if cancel is not None and cancel():
            raise Cancelled("已取消拆分")
        if progress is not None:
            progress(done, steps)

    db.execute("ATTACH DATABASE ? AS old", [str(Path(ledger.path).resolve())])
    counts: dict[str, int] = {}
    try:
        with new.transaction():
            db.execute("CREATE TEMP TABLE sp_hh (id INTEGER PRIMARY KEY)")
            db.execute("CREATE TEMP TABLE sp_mem (id INTEGER PRIMARY KEY)")
            db.execute("CREATE TEMP TABLE sp_pay (id INTEGER PRIMARY KEY)")
            db.execute("INSERT INTO sp_hh SELECT id FROM old.households WHERE village_id = ?", [vid])
            db.execute("INSERT INTO sp_mem SELECT id FROM old.members WHERE household_id IN (SELECT id FROM sp_hh)")
            core = db.execute("SELECT count(*) FROM sp_mem").fetchone()[0]
            db.execute("INSERT INTO sp_pay SELECT id FROM old.payments WHERE household_id IN (SELECT id FROM sp_hh)"
                       " UNION SELECT payment_id FROM old.payment_items WHERE member_id IN (SELECT id FROM sp_mem)")
            # everybody a carried payment paid for, and the households they and the payments belong to
            db.execute("INSERT OR IGNORE INTO sp_mem SELECT member_id FROM old.payment_items"
                       " WHERE payment_id IN (SELECT id FROM sp_pay)")
            db.execute("INSERT OR IGNORE INTO sp_hh SELECT household_id FROM old.members"
                       " WHERE id IN (SELECT id FROM sp_mem)"
                       " UNION SELECT household_id FROM old.payments WHERE id IN (SELECT id FROM sp_pay)")
            along = db.execute("SELECT count(*) FROM sp_mem").fetchone()[0] - core
            step()
            for table, where in _ROWS:
                cols = [c for c in _columns(db, "main", table) if c in set(_columns(db, "old", table))]
                names = ", ".join(cols)
                counts[table] = db.execute(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM old.{table}"
                                           f" WHERE {where} ORDER BY 1", {"vid": vid}).rowcount
                step()
            counts["audit"] = _carry_audit(db)
            # the households carried along from other villages are 外村户 here: held for the payments, never
            # listed, counted or charged as the village's own (app.sync.moves)
            db.execute("INSERT INTO main.away_households (household_id) SELECT id FROM sp_hh"
                       " WHERE id NOT IN (SELECT id FROM old.households WHERE village_id = ?)", [vid])
            step()
            db.execute("INSERT INTO stations (code, name, kind, number, parent, village, created_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?)", [station.code, station.name, station.kind, station.number,
                                                         station.parent, station.village, _now()])
            db.execute("INSERT INTO station_self (id, code) VALUES (1, ?)", [station.code])
            if _has_table(db, "sync_base"):
                # exchange packets (app.sync): the township's packet key; nothing copied here is new to the
                # township, so what the copy recorded as changed is forgotten (as sync's start_station does)
                db.execute("UPDATE ledger_secret SET value = (SELECT value FROM old.ledger_secret"
                           " WHERE name = 'sync_key') WHERE name = 'sync_key'"
                           " AND EXISTS (SELECT 1 FROM old.ledger_secret WHERE name = 'sync_key')")
                for table in ("sync_base", "sync_outbox", "sync_peers"):
                    db.execute(f"DELETE FROM {table}")
            new.log("station", station.number, "split", None,
                    {"from": str(ledger.path), "code": station.code, "village": station.village,
                     "carried_along": along, **counts})
            for t in ("sp_hh", "sp_mem", "sp_pay"):
                db.execute(f"DROP TABLE temp.{t}")
            step()
    finally:
        db.execute("DETACH DATABASE old")
    return {k: v for k, v in counts.items() if k not in ("settings", "stations")}, along


def _carry_audit(db) -> int:
    """The township's audit entries about the carried households, members and payments, as they are (ids and
    hashes: they stay links of the township's chain, in its block of ids — ``audit.verify_chain`` checks
    another station's block across the gaps of what was routed here)."""
    cols = ", ".join(_columns(db, "main", "audit"))
    return db.execute(
        f"INSERT INTO main.audit ({cols}) SELECT {cols} FROM old.audit WHERE household_id IN (SELECT id FROM sp_hh)"
        " OR member_id IN (SELECT id FROM sp_mem)"
        " OR (entity = 'payment' AND entity_id IN (SELECT id FROM sp_pay))"
        " OR entity = 'demo' ORDER BY id").rowcount  # demo: the mark of a generated demo ledger (demo_flag)


def _has_table(db, name: str, schema: str = "main") -> bool:
    return db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?",
                      [name]).fetchone() is not None


def _township_outbox(db, me: int) -> int:
    """Inside the township's transaction, before the new station is recorded: the township's pending changes
    become an outbox entry routed as before (the new station already holds them); returns the outbox seq the
    new station starts after (0 without exchange packets)."""
    if not _has_table(db, "sync_outbox"):
        return 0
    from ..sync.capture import ensure_capture
    from ..sync.outbox import take_changes

    ensure_capture(db)
    take_changes(db, me, _now())
    return db.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0]


def _join_exchange(db, part: Path, number: int, township: int, since: int) -> None:
    """Both sides agree the new station has everything up to the township's outbox seq ``since``: the township
    counts it acknowledged, the new ledger counts it applied (so the first packet between them follows on)."""
    if not _has_table(db, "sync_peers"):
        return
    db.execute("INSERT INTO sync_peers (station, acked_seq) VALUES (?, ?) ON CONFLICT(station)"
               " DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq)", [number, since])
    conn = sqlite_driver.connect(str(part))
    try:
        if _has_table(conn, "sync_peers"):
            conn.execute("INSERT INTO sync_peers (station, applied_seq) VALUES (?, ?) ON CONFLICT(station)"
                         " DO UPDATE SET applied_seq = excluded.applied_seq", [township, since])
        from ..sync.signing import give_split_key  # the new station's own signing key, known to the township

        give_split_key(db, conn, number, township, _now())
        conn.commit()
    finally:
        conn.close()


def _now() -> str:
    from .models import now_iso

    return now_iso()
