"""Year rollover: open next year's campaign as a new ledger file, under another policy.

Villages, groups, households, members (with their statuses) and categories (with their history) carry over,
keeping their ids; payments, receipts and add-on choices do not. The old ledger's records are not changed
(it gains the rollover's audit entry and, when it is a station, the record of its turn).

All or nothing: the new ledger is built as ``<new>.<pid>.part`` and renamed to its name only when complete,
so a rollover killed partway leaves no file that looks like a finished ledger (the part is removed on the
next open, and a retry is not refused).

Fast path (``_transfer_tables``): when a carried table has the very same columns on both sides (always, for
two ledgers at the same migration), it is copied by one ``INSERT INTO main.t SELECT * FROM old.t`` into the
empty table, which SQLite's transfer optimisation turns into a copy of the table's and its indexes' b-trees
(~10× less work than inserting row by row). That optimisation needs no WHERE, no column list, no triggers on
the target and foreign keys off, so inside the one transaction the target's triggers are dropped and created
again (same text) before COMMIT, foreign keys are turned off around the transaction (a pragma that cannot
change inside one) and ``PRAGMA foreign_key_check`` stands in for them before COMMIT. The two full-text search
indexes, kept in step with ``members`` by triggers in the old ledger, are carried the same way (their shadow
tables) when both ledgers declare them alike; otherwise they are refilled from ``members``. Any table that
differs goes the row-by-row way (``_copy_tables``); both give the same ledger (tests/ledger). The new
year's stored progress per place (``place_totals``) is counted once in the same transaction.

Exchange packets (app.sync): every laptop rolls its own ledger over, on its own day. The new ledger goes on
with what the other side's new ledger may lack — changes not yet sent, sent but not acknowledged, or
acknowledged by the other side's old ledger only after its turn — and its first packet sends them again
(``app.sync.turns``); the old ledger records its turn, and its later packets tell the other side.
``pending_exchange`` lists what has not been acknowledged, for the window and the terminal.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..domain.problems import Cancelled, Problem, ProblemsError
from . import sqlite_driver
from .db import open_ledger
from .operators import copy_operators

if TYPE_CHECKING:
    from .db import Ledger

_COPY = {
    "villages": "id, name, kind",
    "village_groups": "id, village_id, name",
    "households": "id, number, village_id, group_id, address, phone, notes, created_at, updated_at",
    "members": ("id, household_id, name, name_initials, id_type, id_number, id_rev, sex, birth_date, ethnicity,"
                " relation, phone, phone_rev, student, school, status, status_detail, status_date, notes,"
                " created_at, updated_at"),
    "member_categories": "id, member_id, category, department, recognized_on, ended_on, end_reason, notes, created_at",
}


CARRIED = tuple(_COPY)  # the tables a rollover carries: what a new year's exchange may have to send again


def pending_exchange(ledger: "Ledger") -> list[str]:
    """What this station has not yet had acknowledged by the other side, and what is not yet in a packet
    (Chinese lines; none for a ledger that is no station)."""
    from ..sync.turns import unacknowledged
    from .stations import current

    return unacknowledged(ledger.db) if current(ledger) is not None else []


_CHUNK = 20_000  # rows per statement between progress reports and cancel checks (row-by-row way)
FAST = True  # the transfer way when the tables allow it (tests turn it off to compare the two)
_TICKS = 200_000  # SQLite VM steps between cancel checks while one statement copies (fast way)
_FTS_SHADOWS = ("data", "idx", "content", "docsize", "config")


def rollover(ledger: "Ledger", new_path: str | os.PathLike, policy_id: str, *, operator: str | None = None,
             progress: Callable[[int, int], None] | None = None, cancel: Callable[[], bool] | None = None) -> Path:
    """Create ``new_path`` for the policy's year from this ledger; returns the new file's path.

    ``progress(done, total)`` counts rows copied; ``cancel()`` returning True stops it with ``Cancelled``
    and leaves no new file behind."""
    from ..policy_catalog import UnknownPolicy, get_policy

    ledger.require("rollover")
    new_path = Path(new_path)
    cur = ledger.settings.get()
    problems = []
    try:
        policy = get_policy(policy_id)
    except UnknownPolicy as exc:
        raise ProblemsError([Problem("政策", str(exc))]) from None
    if policy.year <= cur.year:
        problems.append(Problem("政策", f"新政策 {policy.id} 是 {policy.year} 年度的，应晚于本台账的 {cur.year} 年度"))
    if new_path.exists():
        problems.append(Problem("文件", f"文件已存在：{new_path}（请另选文件名）"))
    if new_path.resolve() == Path(ledger.path).resolve():
        problems.append(Problem("文件", "新年度台账不能与本台账是同一个文件"))
    area = cur.area_kind if cur.area_kind in policy.area_kinds else ""
    if problems:
        raise ProblemsError(problems)
    operator = ledger.actor(operator)
    from ..sync import turns
    from .models import now_iso
    from .stations import current

    station = current(ledger)
    if station is not None:  # before the new ledger is built: its later packets tell the other side
        turns.record_turn(ledger, station.number, policy.year, new_path, now_iso())
    # make sure the old ledger's WAL is in the main file before reading it from another connection
    ledger.db.execute("PRAGMA wal_checkpoint(FULL)")
    from .files import commit_part, part_path

    part = part_path(new_path)
    for suffix in ("", "-wal", "-shm", ".receipts"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    new = open_ledger(part, create=True, backup=False, operator=ledger.session or operator,
                      key=sqlite_driver.key_of(ledger.db.conn))  # an encrypted ledger's next year: same key
    # the part is worthless until renamed, and commit_part fsyncs it before the rename: no fsync per commit
    new.db.execute("PRAGMA synchronous=OFF")
    try:
        new.settings.initialize(township=cur.township, year=policy.year, policy_id=policy.id,
                                operators=cur.operators or [operator], area_kind=area,
                                rolled_over_from=str(Path(ledger.path).resolve()))
        copy_operators(ledger, new)
        new.db.execute("ATTACH DATABASE ? AS old", [str(Path(ledger.path).resolve())])
        fast = _transferable(new.db) if FAST else []
        if fast:
            new.db.execute("PRAGMA foreign_keys=OFF")  # only outside a transaction; checked before COMMIT instead
        try:
            with new.transaction() as db:
                db.execute("DELETE FROM village_groups")
                db.execute("DELETE FROM villages")
                # the district's own settings (the 网格员代收 notice choice, the demo mark that stamps 演示数据 …)
                # carry into the next year; the campaign's (year, policy …) were just written by initialize
                from .settings import CAMPAIGN_KEYS

                db.execute(f"INSERT OR IGNORE INTO main.settings (key, value) SELECT key, value FROM old.settings"
                           f" WHERE key NOT IN ({','.join('?' * len(CAMPAIGN_KEYS))})", list(CAMPAIGN_KEYS))
                if fast:
                    counts = _transfer_tables(db, fast, progress, cancel)
                else:
                    counts = _copy_tables(db, progress, cancel)
                from .stations import carry_over  # the same station, its list and numbers (app.ledger.stations)

                counts["stations"] = carry_over(db, ledger.path, new_path)
                # 外村户 (app.sync.moves: households a station holds for a member who moved, not its own) stay so,
                # before the new year's progress is counted
                db.execute("INSERT OR IGNORE INTO main.away_households SELECT household_id FROM old.away_households")
                from .member_year import key_categories
                from .place_totals import rebuild

                rebuild(db.conn, policy.year, key_categories(policy))  # the new year's progress, counted once
                from ..sync.capture import start_fresh

                start_fresh(db)  # exchange packets: every station rolls its own ledger over (module docstring)
                if station is not None:
                    counts.update(turns.carry_forward(db, station.number, policy.year))
                new.log("settings", None, "rollover", {"year": cur.year, "policy_id": cur.policy_id,
                                                       "path": str(ledger.path)},
                        {"year": policy.year, "policy_id": policy.id, **counts}, operator=operator)
        finally:
            new.db.conn.set_progress_handler(None, 0)
            new.db.execute("PRAGMA foreign_keys=ON")
            new.db.execute("DETACH DATABASE old")
        new.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        new.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to rename; WAL again on open
        new.close()
        if new_path.exists():
            raise ProblemsError([Problem("文件", f"文件已存在：{new_path}（请另选文件名）")])
        commit_part(part, new_path)
    except BaseException:
        new.close()
        if station is not None:
            with contextlib.suppress(Exception):  # the rollover's own error is the one to report
                turns.forget_turn(ledger, station.number, policy.year)
        for suffix in ("", "-wal", "-shm", "-journal", ".receipts", ".lock"):
            Path(str(part) + suffix).unlink(missing_ok=True)
        raise
    Path(str(part) + ".lock").unlink(missing_ok=True)
    with ledger.transaction():
        ledger.log("settings", None, "rollover", None, {"to_year": policy.year, "policy_id": policy.id,
                                                      "path": str(new_path)}, operator=operator)
    return new_path


def _copy_tables(db, progress, cancel) -> dict[str, int]:
    """Copy the carried-over tables from ``old`` in id chunks, reporting rows copied."""
    sizes = {t: db.execute(f"SELECT count(*), coalesce(max(id), 0) FROM old.{t}").fetchone() for t in _COPY}
    total = sum(n for n, _ in sizes.values())
    done = 0
    counts = {}
    for table, cols in _COPY.items():
        counts[table] = 0
        last = 0
        max_id = sizes[table][1]
        while last < max_id:
            if cancel is not None and cancel():
                raise Cancelled("已取消结转")
            ids = db.execute(f"SELECT id FROM old.{table} WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
                             [last, _CHUNK - 1]).fetchone()
            upto = ids[0] if ids else max_id
            n = db.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM old.{table}"
                           " WHERE id > ? AND id <= ? ORDER BY id", [last, upto]).rowcount
            counts[table] += n
            done += n
            last = upto
            if progress is not None:
                progress(done, total)
    return counts


def _columns(db, schema: str, table: str) -> list[tuple]:
    return [tuple(r[1:]) for r in db.execute(f"PRAGMA {schema}.table_info({table})")]


def _transferable(db) -> list[str]:
    """The carried tables if every one has the same columns (name, type, NOT NULL, default, key) on both sides
    and exactly the columns ``_COPY`` names — then ``SELECT *`` copies what the column lists would; else []."""
    for table, cols in _COPY.items():
        mine = _columns(db, "main", table)
        if mine != _columns(db, "old", table) or [c[0] for c in mine] != [c.strip() for c in cols.split(",")]:
            return []
    return list(_COPY)


def _search_indexes(db) -> tuple[list[str], list[str]]:
    """(full-text tables whose shadow tables can be copied as they are, those to refill from ``members``)."""
    def fts(schema):
        return {name: sql for name, sql in db.execute(
            f"SELECT name, sql FROM {schema}.sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")}

    mine, theirs = fts("main"), fts("old")
    same = [n for n, sql in mine.items() if theirs.get(n) == sql
            and all(_columns(db, "main", f"{n}_{s}") == _columns(db, "old", f"{n}_{s}") for s in _FTS_SHADOWS)]
    return same, [n for n in mine if n not in same]


def _transfer_tables(db, tables: list[str], progress, cancel) -> dict[str, int]:
    """The fast path (module docstring): inside the caller's transaction, foreign keys already off."""
    from .search import refill_statements

    conn = db.conn
    sizes = {t: db.execute(f"SELECT count(*) FROM old.{t}").fetchone()[0] for t in tables}
    total = sum(sizes.values())
    triggers = db.execute("SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name IN ("
                          + ", ".join("?" * len(tables)) + ")", tables).fetchall()
    for name, _ in triggers:
        db.execute(f'DROP TRIGGER main."{name}"')
    copy_fts, refill_fts = _search_indexes(db)
    done = 0
    counts = {}
    if cancel is not None:  # asked while a long statement runs too: an interrupted statement undoes itself
        conn.set_progress_handler(lambda: 1 if cancel() else 0, _TICKS)
    try:
        for table in tables:
            if cancel is not None and cancel():
                raise Cancelled("已取消结转")
            db.execute(f"DELETE FROM main.{table}")
            counts[table] = db.execute(f"INSERT INTO main.{table} SELECT * FROM old.{table}").rowcount
            done += counts[table]
            if progress is not None:
                progress(done, total)
        for name in copy_fts:
            for shadow in _FTS_SHADOWS:
                db.execute(f"DELETE FROM main.{name}_{shadow}")
                db.execute(f"INSERT INTO main.{name}_{shadow} SELECT * FROM old.{name}_{shadow}")
        if refill_fts:  # declared differently in the old ledger: both indexes filled again from members
            for statement in refill_statements():
                db.execute(statement)
    except sqlite_driver.OperationalError as exc:
        if cancel is not None and "interrupt" in str(exc):
            raise Cancelled("已取消结转") from None
        raise
    finally:
        conn.set_progress_handler(None, 0)
    for _, sql in triggers:
        db.execute(sql)
    _carry_statistics(db, [*tables, *(f"{n}_idx" for n in copy_fts)])
    bad = db.execute("PRAGMA main.foreign_key_check").fetchmany(5)
    if bad:
        raise ProblemsError([Problem(f"{table}:{rowid}", f"引用了不存在的 {parent} 记录，台账需先检查（canbao check）")
                             for table, rowid, parent, _ in bad])
    docs = {n: db.execute(f"SELECT count(*) FROM main.{n}_docsize").fetchone()[0]
            for n in copy_fts if not refill_fts}
    if any(n != counts.get("members") for n in docs.values()):
        raise ProblemsError([Problem("搜索索引", f"旧台账的搜索索引与人员数不符（{docs}），请先运行 canbao check")])
    return counts


def _carry_statistics(db, tables: list[str]) -> None:
    """The old ledger's planner statistics (``sqlite_stat1``, written by ``PRAGMA optimize``) of the tables
    copied as they are: the same rows in the same indexes, so the same figures; no ANALYZE over them."""
    if not db.execute("SELECT 1 FROM old.sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        return
    db.execute("ANALYZE main.settings")  # creates main.sqlite_stat1 (a few rows' work)
    marks = ", ".join("?" * len(tables))
    db.execute(f"DELETE FROM main.sqlite_stat1 WHERE tbl IN ({marks})", tables)
    db.execute(f"INSERT INTO main.sqlite_stat1 SELECT * FROM old.sqlite_stat1 WHERE tbl IN ({marks})", tables)
