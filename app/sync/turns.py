"""The year's turn with many laptops: every laptop rolls its own ledger over, each on its own day, and nothing
made before its turn is lost to the new year.

Each year's exchange stays within its year: a packet says its year (header ``year``), and a ledger applies only
its own year's packets — another year's is refused with the ledger to open, nothing written
(``year_problems``). Last year's ledgers go on exchanging late payments between themselves.

A rollover first records its turn in the old ledger (``record_turn``): what is not yet in a packet becomes an
outbox entry, so everything made before the turn is numbered up to ``own_seq``; with how far it had applied
each other station's entries. The old ledger's later packets say so (header ``turned``), and the other side
keeps it (``sync_turns``).

The new ledger (``carry_forward``) goes on from where the old one's exchange stood, for the carried tables
(villages, groups, households, members, categories) only:

- every outbox entry the other side's new ledger may lack is carried under its own number, its payments and
  other year-bound rows left out: those not acknowledged, and — if the other side turned first — those its
  old ledger acknowledged only after its turn (beyond what it had applied at its turn);
- what it holds of each other station's entries (``applied_seq``) is what the old ledger held — but not
  beyond the other side's turn: what the other side's old ledger made after its turn is not in the other
  side's new ledger, which numbers its own entries after that turn;
- the rows another station changed in its OLD ledger after its turn, applied here before this ledger's turn
  (``note_arrivals`` kept them in ``sync_carry``, with the values before), become pending, so this new
  ledger sends them to the other side's new ledger (which lacks them);
- the conflicts not yet resolved about carried records are listed in the new ledger too.

So the other side's new ledger skips the entries it holds and applies the rest in order, each with the values
it was made from — no 记录冲突 or 两处修改 from sending again; a column both sides changed is a conflict listed
as usual. Migration ``0210_sync_turns``."""

from __future__ import annotations

import json

import apsw

from ..domain.problems import Problem
from .capture import pk_json, table_columns

MIGRATION_0210 = """
CREATE TABLE IF NOT EXISTS sync_turns (
    station INTEGER NOT NULL,            -- the station whose ledger rolled over: this one, or the other side
    peer INTEGER NOT NULL,               -- the other side of that exchange (-1: any station not yet exchanged with)
    year INTEGER NOT NULL,               -- the year it rolled over into
    own_seq INTEGER NOT NULL,            -- its own outbox reached this seq: later entries were made after the turn
    applied_seq INTEGER NOT NULL,        -- the peer's outbox seqs it had applied: what its new ledger holds
    at TEXT NOT NULL,
    path TEXT,                           -- this ledger's own turn: the new ledger's file
    PRIMARY KEY (station, peer, year)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_carry (
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,                    -- JSON array of the primary key
    row TEXT,                            -- JSON: the columns as the other side's new ledger holds them; NULL = not at all
    PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
"""


def migrate_0210(db) -> None:
    from ..ledger.schema import _statements

    for statement in _statements(MIGRATION_0210):
        db.execute(statement)


def _carried() -> tuple[str, ...]:
    from ..ledger.rollover import CARRIED

    return CARRIED


def _has(db, table: str, schema: str = "main") -> bool:
    return db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?",
                      [table]).fetchone() is not None


# ------------------------------------------------------------------------------------------- the header
def header(db, me: int, dest: int, year: int) -> dict:
    """What a packet says about its year, and, written by a ledger already rolled over, about that turn."""
    out: dict = {"year": int(year)}
    if _has(db, "sync_turns"):
        row = db.execute("SELECT year, own_seq, applied_seq FROM sync_turns WHERE station = ? AND peer IN (?, -1)"
                         " ORDER BY peer = ? DESC, year DESC LIMIT 1", (me, dest, dest)).fetchone()
        if row is not None:
            out["turned"] = {"year": row[0], "own_seq": row[1], "applied_seq": row[2]}
    return out


def year_problems(ledger, where: str, h: dict) -> list[Problem]:
    """A packet of another year than this ledger's: which ledger to open instead (nothing is written)."""
    if h.get("year") is None:
        return []  # written before packets said their year
    theirs, s = int(h["year"]), ledger.settings.get()
    if theirs == s.year:
        return []
    if theirs < s.year:
        old = s.rolled_over_from
        there = f"{theirs} 年度的台账" + (f"（{old}）" if old else "")
        return [Problem(where, f"这是 {theirs} 年度的交换包，本台账是 {s.year} 年度：请打开 {there} 导入。"
                               f"{theirs} 年度的缴费只记在 {theirs} 年度的台账里；本台账未作任何改动")]
    row = None
    if _has(ledger.db, "sync_turns"):
        row = ledger.db.execute("SELECT path FROM sync_turns WHERE path IS NOT NULL AND year = ? ORDER BY at DESC"
                                " LIMIT 1", [theirs]).fetchone()
    there = f"{theirs} 年度的台账" + (f"（{row[0]}）" if row else "（先把本台账结转到新年度）")
    return [Problem(where, f"这是 {theirs} 年度的交换包，本台账是 {s.year} 年度：请打开 {there} 导入；"
                           "本台账未作任何改动")]


# ------------------------------------------------------------------------------------------- receiving
def note_turn(db, sender: int, me: int, h: dict) -> None:
    """The other side says its ledger has rolled over (its packets written after the turn): kept. Told twice
    (a rollover retried), the earlier points count — more is sent again, never less."""
    turned = h.get("turned")
    if not turned or not _has(db, "sync_turns"):
        return
    from ..ledger.models import now_iso

    db.execute("INSERT INTO sync_turns (station, peer, year, own_seq, applied_seq, at) VALUES (?, ?, ?, ?, ?, ?)"
               " ON CONFLICT (station, peer, year) DO UPDATE SET own_seq = min(own_seq, excluded.own_seq),"
               " applied_seq = min(applied_seq, excluded.applied_seq)",
               (sender, me, int(turned["year"]), int(turned["own_seq"]), int(turned["applied_seq"]), now_iso()))


def note_arrivals(db, me: int, sender: int, h: dict, entries) -> list[str]:
    """Of the entries just applied from ``sender``: those its old ledger made after its turn (its new ledger
    lacks them). Before this ledger's own turn their carried rows are kept in ``sync_carry``, with the values
    before, so this ledger's new year sends them to the other side's new year. After it they reach no new
    ledger: returned as a note (Chinese) for the clerk."""
    if not _has(db, "sync_turns"):
        return []
    note_turn(db, sender, me, h)
    row = db.execute("SELECT min(own_seq), max(year) FROM sync_turns WHERE station = ? AND peer IN (?, -1)",
                     (sender, me)).fetchone()
    if row[0] is None:
        return []
    turned = db.execute("SELECT 1 FROM sync_turns WHERE station = ?", (me,)).fetchone() is not None
    carried = _carried()
    late: dict[str, int] = {}
    for meta, blob in entries:
        if meta["seq"] <= row[0]:
            continue
        for change in apsw.Changeset.iter(blob):
            if change.name not in carried:
                continue
            if turned:
                late[change.name] = late.get(change.name, 0) + 1
                continue
            cols, pks = table_columns(db, change.name)
            values = change.new if change.op == "INSERT" else change.old
            if len(values) != len(cols):
                continue  # another shape than this ledger's table: nothing to keep
            key = pk_json(values[cols.index(c)] for c in pks)
            before = None if change.op == "INSERT" else {
                c: v for c, v in zip(cols, change.old) if v is not apsw.no_change}
            _keep_earliest(db, "sync_carry", change.name, key, before)
    if not late:
        return []
    from .fields import TABLE_NAMES

    what = "、".join(f"{TABLE_NAMES.get(t, t)} {n}" for t, n in late.items())
    return [f"站点 {h.get('from_code') or sender} 已结转到 {row[1]} 年度，这个包里有它结转后仍在上一年度台账中做的修改"
            f"（{what}）。本台账也已结转：这些修改只记在上一年度的台账里，不会进入 {row[1]} 年度的台账；"
            "如仍需要，请在新年度台账中同样修改"]


def _keep_earliest(db, table: str, tbl: str, key: str, before: dict | None) -> None:
    got = db.execute(f"SELECT row FROM {table} WHERE tbl = ? AND pk = ?", (tbl, key)).fetchone()
    if got is None:
        db.execute(f"INSERT INTO {table} (tbl, pk, row) VALUES (?, ?, ?)",
                   (tbl, key, None if before is None else json.dumps(before, ensure_ascii=False)))
    elif got[0] is not None and before is not None:
        merged = {**before, **json.loads(got[0])}  # what was kept first is the earlier value
        db.execute(f"UPDATE {table} SET row = ? WHERE tbl = ? AND pk = ?",
                   (json.dumps(merged, ensure_ascii=False), tbl, key))


# ------------------------------------------------------------------------------------------- the turn
def record_turn(ledger, me: int, year: int, new_path, at: str) -> None:
    """In the old ledger, before its next year's ledger is built: how far its exchange had come (its later
    packets tell the other side)."""
    db = ledger.db
    if not _has(db, "sync_turns"):
        return
    from .capture import ensure_capture
    from .outbox import take_changes

    with ledger.transaction() as t:
        # what is not yet in a packet becomes an outbox entry first: everything made before the turn is numbered
        # up to ``own_seq``, so the other side tells it apart from what this ledger makes after the turn
        ensure_capture(t)
        take_changes(t, me, at)
        own = t.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0]
        peers = list(t.execute("SELECT station, applied_seq FROM sync_peers"))
        for peer, applied in [*peers, (-1, 0)]:
            t.execute("INSERT OR REPLACE INTO sync_turns (station, peer, year, own_seq, applied_seq, at, path)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)", (me, peer, year, own, applied, at, str(new_path)))


def forget_turn(ledger, me: int, year: int) -> None:
    """The rollover failed: no turn to tell."""
    if _has(ledger.db, "sync_turns"):
        with ledger.transaction() as t:
            t.execute("DELETE FROM sync_turns WHERE station = ? AND year = ?", (me, year))


def carry_forward(db, me: int, year: int) -> dict[str, int]:
    """Inside the new ledger's transaction (the old one attached as ``old``, the new one's exchange just
    started fresh): what the other side's new ledger may lack is carried into this one's exchange (module
    docstring); returns how many outbox entries and rows it sends again, and the open conflicts carried."""
    if not all(_has(db, t, "old") for t in ("sync_outbox", "sync_peers", "sync_base")):
        return {}
    carried = _carried()
    floors, applied = {}, {}
    for station, acked, got in db.execute("SELECT station, acked_seq, applied_seq FROM old.sync_peers"):
        floors[station], applied[station] = acked, got
    if _has(db, "sync_turns", "old"):
        for station, own, got in db.execute("SELECT station, min(own_seq), min(applied_seq) FROM old.sync_turns"
                                            " WHERE peer IN (?, -1) AND year = ? AND station <> ? GROUP BY station",
                                            (me, year, me)):
            floors[station] = min(floors.get(station, 0), got)  # its new ledger has ours only this far
            if station in applied:  # what its old ledger made after its turn is not in its new ledger
                applied[station] = min(applied[station], own)
    known = set(floors)
    if _has(db, "stations", "old"):
        known |= {n for (n,) in db.execute("SELECT number FROM old.stations WHERE number <> ?", (me,))}
    lowest = min((floors.get(s, 0) for s in known), default=0)
    n = 0
    # the outbox entries it may lack, under their own numbers (its new ledger skips those it holds, and applies
    # the rest in order, with the values they were made from), carried tables only
    keys = db.execute("SELECT seq, dest, created_at FROM old.sync_outbox WHERE seq > ? ORDER BY seq, dest",
                      (lowest,)).fetchall()
    for seq, dest, created in keys:
        if dest != -1 and seq <= floors.get(dest, 0):
            continue
        blob = db.execute("SELECT changeset FROM old.sync_outbox WHERE seq = ? AND dest = ?", (seq, dest)).fetchone()[0]
        builder, k = apsw.ChangesetBuilder(), 0
        for change in apsw.Changeset.iter(bytes(blob)):
            if change.name in carried:
                builder.add_change(change)
                k += 1
        if k:
            db.execute("INSERT INTO main.sync_outbox (seq, dest, changes, changeset, created_at) VALUES (?, ?, ?, ?, ?)",
                       (seq, dest, k, builder.output(), created))
            n += 1
        builder.close()
    for station in sorted(applied):
        db.execute("INSERT INTO main.sync_peers (station, acked_seq, applied_seq) VALUES (?, ?, ?)",
                   (station, floors.get(station, 0), applied[station]))
    return {"sent_again": n + _carry_rows(db, carried), "open_conflicts": _carry_open_conflicts(db, carried)}


def _carry_open_conflicts(db, carried) -> int:
    """The conflicts not yet resolved about carried records (a member's field changed on both sides, a record
    refused): listed in the new ledger too, where the 专干 goes on working — each side's own list, as it is
    (copied with the capture triggers standing still: nothing to send)."""
    if not _has(db, "sync_conflicts", "old"):
        return 0
    cols = ", ".join(f'"{c}"' for c in table_columns(db, "sync_conflicts")[0])
    db.execute("INSERT INTO main.sync_applying (since) VALUES ('rollover')")
    n = db.execute(f"INSERT OR IGNORE INTO main.sync_conflicts ({cols}) SELECT {cols} FROM old.sync_conflicts"
                   f" WHERE resolved_at IS NULL AND tbl IN ({', '.join('?' * len(carried))}) ORDER BY id",
                   list(carried)).rowcount
    db.execute("DELETE FROM main.sync_applying")
    return n


def _carry_rows(db, carried) -> int:
    """Rows changed and not yet in a packet (``sync_base``), and rows the other side changed in its old ledger
    after its turn (``sync_carry``: the values its new ledger holds, for the columns this ledger's own changes
    leave as they are), become pending in the new ledger."""
    mine = {(tbl, key): None if row is None else json.loads(row)
            for tbl, key, row in db.execute("SELECT tbl, pk, row FROM old.sync_base") if tbl in carried}
    theirs = {}
    if _has(db, "sync_carry", "old"):
        theirs = {(tbl, key): None if row is None else json.loads(row)
                  for tbl, key, row in db.execute("SELECT tbl, pk, row FROM old.sync_carry") if tbl in carried}
    n = 0
    for tbl, key in list(dict.fromkeys([*mine, *theirs])):
        cols, pks = table_columns(db, tbl)
        where = " AND ".join(f'"{c}" = ?' for c in pks)
        now = db.execute(f'SELECT * FROM main."{tbl}" WHERE {where}', json.loads(key)).fetchone()
        current = dict(zip(cols, now)) if now is not None else {}
        before, arrived = mine.get((tbl, key), {}), theirs.get((tbl, key), {})
        if before is None or arrived is None:
            if now is None:
                continue  # made and removed: the other side lacks nothing
            row = None  # the other side lacks the row: sent whole
        else:
            full = {**current, **{c: v for c, v in before.items() if c in cols}}
            for c, v in arrived.items():
                if c in cols and full.get(c) == current.get(c):
                    full[c] = v
            if now is not None and full == current:
                continue  # the other side holds it as it is
            row = json.dumps(full, ensure_ascii=False)
        db.execute("INSERT OR REPLACE INTO main.sync_base (tbl, pk, row) VALUES (?, ?, ?)", (tbl, key, row))
        n += 1
    return n


# ------------------------------------------------------------------------------------------- the warning
QUIET = ("audit",)  # the operation log travels along; the clerk is told of the records themselves


def unacknowledged(db) -> list[str]:
    """What this station has sent that the other side has not acknowledged, and what is not yet in a packet:
    one line per other station, in Chinese."""
    from .fields import TABLE_NAMES

    if not all(_has(db, t) for t in ("sync_outbox", "sync_peers", "sync_base")):
        return []
    ops = {"INSERT": "新增", "UPDATE": "修改", "DELETE": "删除"}
    acked = {s: a for s, a in db.execute("SELECT station, acked_seq FROM sync_peers")}
    names = {}
    if _has(db, "stations"):
        names = {n: f"{name}（站点 {n}）" for n, name in db.execute("SELECT number, name FROM stations")}
    dests = {d for (d,) in db.execute("SELECT DISTINCT dest FROM sync_outbox WHERE dest <> -1")} | set(acked)
    lines = []
    for dest in sorted(dests):
        rows = db.execute("SELECT seq, changeset FROM sync_outbox WHERE seq > ? AND dest IN (?, -1) ORDER BY seq",
                          (acked.get(dest, 0), dest)).fetchall()
        if not rows:
            continue
        counts: dict[str, int] = {}
        for _seq, blob in rows:
            for change in apsw.Changeset.iter(bytes(blob)):
                if change.name in QUIET:
                    continue
                label = f"{TABLE_NAMES.get(change.name, change.name)} {ops.get(change.op, change.op)}"
                counts[label] = counts.get(label, 0) + 1
        batches = len({seq for seq, _ in rows})
        if not counts:
            continue
        lines.append(f"{names.get(dest, f'站点 {dest}')}尚未确认收到本站发出的 {batches} 批修改："
                     + "、".join(f"{k} {v}" for k, v in counts.items()))
    if _has(db, "sync_conflicts"):
        open_ = db.execute("SELECT count(*) FROM sync_conflicts WHERE resolved_at IS NULL").fetchone()[0]
        if open_:
            lines.append(f"有 {open_} 处冲突尚未处理（户、人员、类别的冲突会带入新年度台账的冲突清单）")
    pending: dict[str, int] = {}
    for (tbl,) in db.execute(f"SELECT tbl FROM sync_base WHERE tbl NOT IN ({', '.join('?' * len(QUIET))})", QUIET):
        label = TABLE_NAMES.get(tbl, tbl)
        pending[label] = pending.get(label, 0) + 1
    if pending:
        lines.append(f"另有 {sum(pending.values())} 处修改还没有生成交换包："
                     + "、".join(f"{k} {v}" for k, v in pending.items()))
    return lines
