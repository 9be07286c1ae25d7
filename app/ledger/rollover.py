"""Year rollover: open next year's campaign as a new ledger file, under another policy.

Villages, groups, households, members (with their statuses) and categories (with their history) carry over,
keeping their ids; payments, receipts and add-on choices do not. The old ledger is not changed.

All or nothing: the new ledger is built as ``<new>.<pid>.part`` and renamed to its name only when complete,
so a rollover killed partway leaves no file that looks like a finished ledger (the part is removed on the
next open, and a retry is not refused).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..domain.problems import Cancelled, Problem, ProblemsError
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


_CHUNK = 20_000  # rows per statement between progress reports and cancel checks


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
    # make sure the old ledger's WAL is in the main file before reading it from another connection
    ledger.db.execute("PRAGMA wal_checkpoint(FULL)")
    from .files import commit_part, part_path

    part = part_path(new_path)
    for suffix in ("", "-wal", "-shm", ".receipts"):
        Path(str(part) + suffix).unlink(missing_ok=True)
    new = open_ledger(part, create=True, backup=False, operator=ledger.session or operator)
    try:
        new.settings.initialize(township=cur.township, year=policy.year, policy_id=policy.id,
                                operators=cur.operators or [operator], area_kind=area,
                                rolled_over_from=str(Path(ledger.path).resolve()))
        copy_operators(ledger, new)
        new.db.execute("ATTACH DATABASE ? AS old", [str(Path(ledger.path).resolve())])
        try:
            with new.transaction() as db:
                db.execute("DELETE FROM village_groups")
                db.execute("DELETE FROM villages")
                counts = _copy_tables(db, progress, cancel)
                from .stations import carry_over  # the same station, its list and numbers (app.ledger.stations)

                counts["stations"] = carry_over(db, ledger.path, new_path)
                new.log("settings", None, "rollover", {"year": cur.year, "policy_id": cur.policy_id,
                                                       "path": str(ledger.path)},
                        {"year": policy.year, "policy_id": policy.id, **counts}, operator=operator)
        finally:
            new.db.execute("DETACH DATABASE old")
        new.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        new.db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to rename; WAL again on open
        new.close()
        if new_path.exists():
            raise ProblemsError([Problem("文件", f"文件已存在：{new_path}（请另选文件名）")])
        commit_part(part, new_path)
    except BaseException:
        new.close()
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
