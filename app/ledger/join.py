"""Join an existing ledger to the township ("this laptop has been used alone all autumn; make it station N").

A village clerk's ledger made before stations numbers everything in block 0 — ids 1, 2, 3 …, households
``000001``, receipts ``2025-000001`` already printed and handed to residents — exactly as the township's own
ledger does, so it cannot simply start exchanging packets. ``join_township(ledger, card)`` turns it into
station N of township T, with the join card the township wrote for it (``app.ledger.join_card``: the station's
code, the township's list of stations, villages and groups, its packet key). In one transaction:

- **ids**: every row of a replicated table (``ids.REPLICATED``) in block 0 moves to station N's block,
  ``N × 10¹² + old id``; a village or group the township already has (same name) takes the township's id
  instead, so both ledgers speak of the same row. Every column that refers to a moved row is rewritten with
  it — the foreign keys found by ``PRAGMA foreign_key_list`` on every table (no hand list), plus the
  audit log's undeclared ``household_id`` / ``member_id`` / ``entity_id`` (by its ``entity``);
- **households** numbered by this program (``000017``) take the station's range (``003000017``: the old
  number is still its tail); numbers given by the district stay;
- **receipts keep the number printed on them**, made unique across the township by the station's code:
  ``2025-000017`` becomes ``220112-003:2025-000017`` (the colon says: printed before the station joined, the
  printed number follows it). Its ``seq`` moves into the station's range (``N × 10⁶ + 17``), the counters with
  it, so the station's next receipt is ``220112-003-2025-000018`` — no number ever repeats within the station.
  ``Payments.by_receipt("2025-000017")`` finds it (``stations.printed_matches``); a reprint says
  ``2025-000017`` (``stations.as_printed``). Dropped numbers and handed-over lists follow;
- **the audit log is chained again** in station N's block. The old chain is verified first (a broken one
  refuses the join: run ``canbao check``); ids and receipt numbers in it are rewritten as above and every
  hash recomputed; then one audited ``join`` entry records the old chain's last hash and length, the id and
  receipt offsets and the card — so a pre-join backup still proves what the chain said. (Keeping the old
  hashes with an id mapping would need every verifier — ``check`` here and at the township — to know the
  mapping; re-chaining keeps ``verify_chain`` as it is.)
- **exchange**: the township's packet key, station list and signing keys from the card; this station's own
  signing key made now; the card's per-invitation secret, with which its packets prove that key until the
  township has it on record (``app.sync.join_proof``: recorded there without a phone check, audited as
  由入站文件证明); every row of every replicated table marked as new, so **the first packet brings everything** —
  households, members, categories, payments, voids, refunds, claims, audit — of what the township lacks;
- **the people the township already holds** (its own import of the district's roster, as a rule): the card carries
  its rows of the village, and ``join_merge`` matches the village's people to them (ID number; without one,
  household + name + birth date; households by the district's 户编号 or their members). Matched rows take the
  township's ids, and their capture base is the township's version, so the first packet carries only the
  differences as UPDATEs (both sides changed a field: a 两处修改 conflict, never overwritten); the township's rows
  the village lacks are written here; payments never merge (paid on both sides: 重复缴费 at the township); the
  same ID with another name or birth date is not merged but listed in the preview and left as a 重复参保 pair.
  Why: without it a township that imported its roster got every person twice — ~12,500 pairs per village, and
  "keeping" one side made the other 异地参保, i.e. false non-enrolled people in the weekly report to the district.

The receipt journal (``<ledger>.receipts``) cannot be in that transaction: after the commit it is begun again
(``app.ledger.join_journal``: the old file kept aside, the new one holding every receipt under its new number);
a process killed before that is done has it done at the next open. A process killed before the commit leaves
the ledger as it was. A backup is made before anything is written.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ..domain.problems import Cancelled, Problem, ProblemsError
from . import join_merge, stations
from .ids import BLOCK, REPLICATED
from .join_journal import finish_journal
from .models import now_iso

if TYPE_CHECKING:
    from .db import Ledger
    from .join_card import JoinCard

MIGRATION_0200 = """
CREATE TABLE IF NOT EXISTS station_join (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    code TEXT NOT NULL,                  -- the station this ledger became
    id_offset INTEGER NOT NULL,          -- number × 10¹²: added to every id of block 0
    seq_offset INTEGER NOT NULL,         -- number × 10⁶: added to every receipt seq
    old_chain_head TEXT NOT NULL,        -- the audit chain's last hash before the join ('' = empty log)
    old_entries INTEGER NOT NULL,
    joined_at TEXT NOT NULL,
    journal_at TEXT                      -- when the receipt journal was begun again (NULL: still to do)
);
CREATE TRIGGER IF NOT EXISTS station_join_fixed BEFORE UPDATE ON station_join
WHEN NEW.code IS NOT OLD.code OR NEW.id_offset IS NOT OLD.id_offset OR NEW.seq_offset IS NOT OLD.seq_offset
  OR NEW.old_chain_head IS NOT OLD.old_chain_head OR NEW.old_entries IS NOT OLD.old_entries
  OR NEW.joined_at IS NOT OLD.joined_at OR (OLD.journal_at IS NOT NULL AND NEW.journal_at IS NOT OLD.journal_at)
BEGIN SELECT RAISE(ABORT, '入站记录不能修改'); END;
CREATE TRIGGER IF NOT EXISTS station_join_never_deleted BEFORE DELETE ON station_join
BEGIN SELECT RAISE(ABORT, '入站记录不能删除'); END;
"""

# the audit log's entity -> the table its entity_id is a row of (entities not listed: not a replicated row)
AUDIT_ENTITIES = {"household": "households", "member": "members", "member_year": "members",
                  "category": "member_categories", "claim": "claims", "payment": "payments", "refund": "refunds",
                  "village": "villages", "group": "village_groups", "conflict": "sync_conflicts"}
_PRINTED = re.compile(r"^\d{4}-\d{6}$")  # a receipt number of a ledger without a station
_OWN_HOUSEHOLD = re.compile(r"^\d{1,6}$")  # a 户编号 this program gave (000017), not the district's


@dataclass(frozen=True)
class JoinOutcome:
    station: stations.Station
    counts: dict[str, int] = field(default_factory=dict)  # rows moved per table
    receipts: int = 0            # payments whose printed number now carries the station's code
    villages_matched: int = 0    # villages the township already had (their ids taken)
    backup: Path | None = None
    merged: dict[str, int] = field(default_factory=dict)  # join_merge.MergePlan.counts


@dataclass(frozen=True)
class JoinPreview:
    """What ``join_township`` would do with this card (nothing written): shown before the clerk confirms."""

    station: stations.Station
    township_name: str
    households: int
    members: int
    receipts: int                              # payments whose printed number gets the station's code
    first_receipt: str                         # e.g. 220112-003:2025-000001 (what 2025-000001 becomes)
    next_receipt: str                          # the station's next new receipt number
    villages_matched: tuple[str, ...]          # villages the township has: their ids taken
    villages_new: tuple[str, ...]              # villages the township does not list: they arrive as new
    problems: tuple[Problem, ...] = ()
    merge: tuple[str, ...] = ()                # people / households matched with the township's (join_merge)
    merged: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        s = self.station
        out = [f"乡镇「{self.township_name}」的站点 {s.code} {s.name}（{s.kind}）",
               f"{self.households} 户，{self.members} 人，{self.receipts} 张已开票据"]
        if self.receipts:
            out.append(f"已开票据号不变，前加站点代码：{self.first_receipt.split(':', 1)[1]} → {self.first_receipt}")
        out.append(f"以后的新票据从 {self.next_receipt} 起")
        if self.villages_matched:
            out.append("与乡镇台账对上的村：" + "、".join(self.villages_matched))
        if self.villages_new:
            out.append("乡镇台账没有的村（作为新村发给乡镇）：" + "、".join(self.villages_new))
        return out + list(self.merge)


def preview(ledger: "Ledger", card: "JoinCard") -> JoinPreview:
    db = ledger.db
    st = card.station
    town = {name for _id, name, _kind in card.villages}
    mine = [n for (n,) in db.execute("SELECT name FROM villages ORDER BY id")]
    first = db.execute("SELECT year, seq FROM payments ORDER BY year, seq LIMIT 1").fetchone()
    year = ledger.settings.get().year if ledger.settings.initialized() else 0
    last = db.execute("SELECT last_seq FROM receipt_counters WHERE year = ?", [year]).fetchone()
    merge = join_merge.plan(db, card)
    return JoinPreview(
        station=st, township_name=card.township_name,
        households=db.execute("SELECT count(*) FROM households").fetchone()[0],
        members=db.execute("SELECT count(*) FROM members").fetchone()[0],
        receipts=db.execute("SELECT count(*) FROM payments").fetchone()[0],
        first_receipt=stations.joined_receipt_number(st, first[0], st.seq_base + first[1]) if first else "",
        next_receipt=stations.receipt_number(st, year, st.seq_base + (last[0] if last else 0) + 1),
        villages_matched=tuple(n for n in mine if n in town), villages_new=tuple(n for n in mine if n not in town),
        problems=tuple(check_join(ledger, card)), merge=tuple(merge.lines()), merged=merge.counts)


# ------------------------------------------------------------------------------------------ checks
def check_join(ledger: "Ledger", card: "JoinCard") -> list[Problem]:
    """Every reason this ledger cannot join with ``card`` (Chinese, all at once)."""
    from .audit import verify_chain

    db = ledger.db
    problems: list[Problem] = []
    mine = stations.current(ledger)
    st = card.station
    if mine is not None:
        problems.append(Problem("站点", f"本台账已是站点 {mine.label}，不能再加入乡镇"
                                       "（加入只用于设定站点以前就在用的台账）"))
    if not ledger.settings.initialized():
        problems.append(Problem("台账", "台账还没有建好（先完成初次设置），不能加入乡镇"))
    if st.number < 1:
        problems.append(Problem("站点代码", f"入站文件的站点编号 {st.number:03d} 是乡镇本级，村和网格的编号为 001–999"))
    listed = [s for s in card.stations if s.number == st.number]
    if any(s.code != st.code for s in listed):
        problems.append(Problem("站点代码", f"编号 {st.number:03d} 已被站点 "
                                           f"{next(s.label for s in listed if s.code != st.code)} 使用"))
    given = stations.issued(ledger)
    if st.number in given and given[st.number][0] != st.code:
        problems.append(Problem("站点代码", f"编号 {st.number:03d} 已被站点 {given[st.number][0]} 使用"))
    if any(b > 0 for (b,) in db.execute(
            " UNION ".join(f"SELECT max(id) / {BLOCK} FROM {t} WHERE id < {1 << 61}" for t in _id_tables(db)))
           if b is not None):
        problems.append(Problem("台账", "台账中已有其他站点编号段的记录（曾经交换过数据？），不能加入"))
    if db.execute("SELECT 1 FROM sync_peers LIMIT 1").fetchone() or \
            db.execute("SELECT 1 FROM sync_outbox LIMIT 1").fetchone():
        problems.append(Problem("台账", "台账已与其他站点交换过数据，不能再加入乡镇"))
    _n, bad, why = verify_chain(db)
    if bad is not None:
        problems.append(Problem(f"audit#{bad}", f"操作日志哈希链断开：{why}；请先运行「检查台账」（canbao check）"))
    if ledger.journal is not None and (broken := ledger.journal.read().problems):
        problems += [Problem(p.place, f"{p.message}；票据日志加入时要重新开始，请先运行「检查台账」") for p in broken[:5]]
    for table, rowid, parent, _ in db.execute("PRAGMA foreign_key_check").fetchall()[:10]:
        problems.append(Problem(f"{table}#{rowid}", f"引用了不存在的 {parent} 记录（孤立记录）；请先运行「检查台账」"))
    top = db.execute("SELECT max(last_seq) FROM receipt_counters").fetchone()[0] or 0
    if top >= stations.SEQ_SPAN:
        problems.append(Problem("票据号", f"票据序号已到 {top}，超出一个站点的号段"))
    return problems


def _id_tables(db) -> list[str]:
    """Replicated tables with a single integer ``id`` primary key (the ones whose ids move)."""
    out = []
    for t in REPLICATED:
        info = list(db.execute(f"PRAGMA table_info({t})"))
        pks = [r[1] for r in info if r[5]]
        if pks == ["id"]:
            out.append(t)
    return out


# ------------------------------------------------------------------------------------------ the join
def join_township(ledger: "Ledger", card: "JoinCard", *, progress: Callable[[int, int], None] | None = None,
                  cancel: Callable[[], bool] | None = None, backup: bool = True) -> JoinOutcome:
    """Make this ledger station ``card.station`` (see the module). ``progress(done, total)`` per step;
    ``cancel()`` returning True stops with ``Cancelled`` before the commit and leaves the ledger as it was."""
    from .backup import backup_ledger

    ledger.require("policies")
    if problems := check_join(ledger, card):
        raise ProblemsError(problems)
    steps, done = 8, 0

    def step() -> None:
        nonlocal done
        done += 1
        if cancel is not None and cancel():
            raise Cancelled("已取消加入乡镇")
        if progress is not None:
            progress(done, steps)

    saved = None
    if backup:
        ledger.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
        saved = backup_ledger(Path(ledger.path))
    step()
    st = card.station
    off, soff = st.number * BLOCK, st.seq_base
    journal, ledger.journal = ledger.journal, None  # the journal is begun again after the commit
    try:
        with ledger.transaction() as db:
            conn = db.conn
            conn.execute("PRAGMA defer_foreign_keys = ON")  # parents and children move in one go
            from .audit import verify_chain

            old_entries, _bad, _why = verify_chain(db)
            head = db.execute("SELECT coalesce((SELECT hash FROM audit ORDER BY id DESC LIMIT 1), '')").fetchone()[0]
            triggers = [(n, sql) for n, sql in db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND sql IS NOT NULL ORDER BY rowid")]
            for name, _sql in triggers:  # every guard and hook stands aside; made again as they were below
                conn.execute(f'DROP TRIGGER "{name}"')
            step()
            merge = join_merge.plan(db, card)  # who is whom, with the ids as they are still
            matched = _maps(conn, db, card, off)
            counts = _move_ids(conn, db, "jm", _id_tables(db))
            _audit_columns(conn, "jm", AUDIT_ENTITIES)
            _move_ids(conn, db, "jm2", ("villages", "village_groups"))  # those the township has: its ids
            _audit_columns(conn, "jm2", {"village": "villages", "group": "village_groups"})
            join_merge.take_ids(conn, db, merge, off, _move_ids, _audit_columns)  # those the township has
            step()
            households = _household_numbers(conn, st.number)
            receipts = _receipts(conn, st.code, soff)
            join_merge.finish(conn, merge, card)
            step()
            _rechain(conn, off, st.code)
            step()
            for _name, sql in triggers:
                conn.execute(sql)
            _derived(ledger, conn)
            step()
            _stations_and_keys(ledger, conn, card)
            _everything_new(conn)
            join_merge.set_base(conn, merge)
            conn.execute("INSERT INTO station_join (id, code, id_offset, seq_offset, old_chain_head, old_entries,"
                         " joined_at) VALUES (1, ?, ?, ?, ?, ?, ?)", [st.code, off, soff, head, old_entries, now_iso()])
            ledger.log("station", st.number, "join", None, {
                "code": st.code, "name": st.name, "village": st.village, "township": card.township_name,
                "old_chain_head": head, "old_entries": old_entries, "id_offset": off, "seq_offset": soff,
                "receipts": receipts, "households_renumbered": households, "villages_matched": matched,
                "card": card.card_id, **{k: v for k, v in counts.items() if v},
                **({"merged": merge.counts} if merge.town.get("members") or merge.town.get("households") else {})})
            bad = conn.execute("PRAGMA foreign_key_check").fetchall()
            if bad:
                raise ProblemsError([Problem(f"{t}#{r}", f"加入后引用了不存在的 {p} 记录，未加入") for t, r, p, _ in bad[:20]])
            step()
            if cancel is not None and cancel():
                raise Cancelled("已取消加入乡镇")
    finally:
        ledger.journal = journal
    finish_journal(ledger)
    _compact(ledger)
    step()
    counts["households_renumbered"] = households
    return JoinOutcome(st, counts, receipts, matched, saved, merge.counts)


def _compact(ledger: "Ledger") -> None:
    """Moving every row's key leaves the tables' pages half full (a 12,500-person ledger doubles): ``VACUUM``
    packs them again when nobody else reads the file; otherwise the next backup copy is merely larger."""
    from . import sqlite_driver

    try:
        ledger.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        ledger.db.execute("VACUUM")
    except sqlite_driver.DatabaseError:
        pass


def _maps(conn, db, card: "JoinCard", off: int) -> int:
    """temp.jm_<table>(old, new): every id of block 0 moves by ``off`` (no new id can meet an old one); then
    temp.jm2_villages / jm2_village_groups: the villages and groups the township already has (same name) take
    its ids (none of them can meet a moved id) and its village row. Returns the villages matched."""
    for t in _id_tables(db):  # quote snapshots are content-addressed (far above every block): they stay
        conn.execute(f"CREATE TEMP TABLE jm_{t} (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
        conn.execute(f"INSERT INTO temp.jm_{t} SELECT id, id + ? FROM {t} WHERE id > 0 AND id < ?", [off, BLOCK])
    for t in ("villages", "village_groups"):
        conn.execute(f"CREATE TEMP TABLE jm2_{t} (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    town_villages = {name: (vid, kind) for vid, name, kind in card.villages}
    town_groups = {(v, name): gid for gid, v, name in card.groups}
    matched = {}
    for vid, name in db.execute("SELECT id, name FROM villages WHERE id > 0 AND id < ?", [BLOCK]).fetchall():
        if (town := town_villages.get(name)) is not None:
            matched[vid] = town[0]
            conn.execute("INSERT INTO temp.jm2_villages VALUES (?, ?)", [vid + off, town[0]])
            conn.execute("UPDATE villages SET kind = ? WHERE id = ?", [town[1], vid])
    for gid, vid, name in db.execute("SELECT id, village_id, name FROM village_groups WHERE id > 0 AND id < ?",
                                     [BLOCK]).fetchall():
        if vid in matched and (town := town_groups.get((matched[vid], name))) is not None:
            conn.execute("INSERT INTO temp.jm2_village_groups VALUES (?, ?)", [gid + off, town])
    return len(matched)


def _user_tables(db) -> list[str]:
    return [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                                     " AND sql NOT LIKE 'CREATE VIRTUAL%'")]


def _move_ids(conn, db, maps: str, tables) -> dict[str, int]:
    """Rewrite every declared foreign key into ``tables`` through ``temp.<maps>_<table>``, all of a row's in one
    statement (a check over two of them, a dismissal's ``member_a < member_b``, holds at every row), then the
    rows' own ids."""
    moved = set(tables)
    for table in _user_tables(db):
        cols = [(fk[3], fk[2]) for fk in conn.execute(f'PRAGMA foreign_key_list("{table}")').fetchall()
                if fk[2] in moved and fk[4] in (None, "id")]
        if cols:
            sets = ", ".join(f'"{c}" = coalesce((SELECT new FROM temp.{maps}_{p} WHERE old = "{c}"), "{c}")'
                             for c, p in cols)
            where = " OR ".join(f'"{c}" IN (SELECT old FROM temp.{maps}_{p})' for c, p in cols)
            conn.execute(f'UPDATE "{table}" SET {sets} WHERE {where}')
    return {t: conn.execute(f"UPDATE {t} SET id = (SELECT new FROM temp.{maps}_{t} WHERE old = {t}.id)"
                            f" WHERE id IN (SELECT old FROM temp.{maps}_{t})").rowcount for t in tables}


def _audit_columns(conn, maps: str, entities: dict[str, str]) -> None:
    """The audit log's references are not declared foreign keys (an entry outlives nothing, refers to many
    tables): household_id, member_id, and entity_id by the entry's entity; likewise the conflict list's."""
    if maps != "jm2":
        for table in ("audit", "sync_conflicts"):
            for col, parent in (("household_id", "households"), ("member_id", "members")):
                conn.execute(f"UPDATE {table} SET {col} = (SELECT new FROM temp.{maps}_{parent} WHERE old = {col})"
                             f" WHERE {col} IN (SELECT old FROM temp.{maps}_{parent})")
    for entity, parent in entities.items():
        conn.execute(f"UPDATE audit SET entity_id = (SELECT new FROM temp.{maps}_{parent} WHERE old = entity_id)"
                     f" WHERE entity = ? AND entity_id IN (SELECT old FROM temp.{maps}_{parent})", [entity])


def _household_numbers(conn, number: int) -> int:
    """This program's 户编号 (000017) into the station's range (003000017); the district's stay."""
    rows = [(f"{number * 1_000_000 + int(n):09d}", hid) for hid, n in conn.execute("SELECT id, number FROM households")
            if _OWN_HOUSEHOLD.match(n or "")]
    conn.executemany("UPDATE households SET number = ? WHERE id = ?", rows)
    conn.execute("UPDATE receipts_dropped SET household = printf('%09d', ? + CAST(household AS INTEGER))"
                 " WHERE household GLOB '[0-9]*' AND length(household) <= 6 AND household NOT GLOB '*[^0-9]*'",
                 [number * 1_000_000])
    return len(rows)


def _receipts(conn, code: str, soff: int) -> int:
    """Printed receipt numbers keep their text behind the station's code; seqs and counters move into the
    station's range (dropped numbers and handed-over lists with them)."""
    n = conn.execute("UPDATE payments SET seq = seq + ?, receipt_no = ? || ':' || receipt_no WHERE seq <= ?",
                     [soff, code, stations.SEQ_SPAN]).rowcount
    conn.execute("UPDATE receipts_dropped SET seq = seq + ?, receipt_no = ? || ':' || receipt_no WHERE seq <= ?",
                 [soff, code, stations.SEQ_SPAN])
    conn.execute("UPDATE receipt_counters SET last_seq = last_seq + ?", [soff])
    for hid, state in conn.execute("SELECT id, state FROM handovers").fetchall():
        _handover(conn, hid, state, code)
    return n


def _handover(conn, hid: int, state: str, code: str) -> None:
    import hashlib

    try:
        data = json.loads(state)
    except ValueError:
        return
    if not isinstance(data, dict) or not isinstance(data.get("receipts"), dict):
        return
    data["receipts"] = {(f"{code}:{no}" if _PRINTED.match(no) else no): v for no, v in data["receipts"].items()}
    if isinstance(data.get("refunds"), dict):  # keyed "<receipt>/<member name>"
        data["refunds"] = {(f"{code}:{k}" if _PRINTED.match(k.split("/", 1)[0]) else k): v
                           for k, v in data["refunds"].items()}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    conn.execute("UPDATE handovers SET state = ?, digest = ? WHERE id = ?",
                 [json.dumps(data, ensure_ascii=False), digest, hid])


def _printed_text(value, code: str):
    """Receipt numbers inside an audit entry's JSON (``receipt_no``, ``receipts``) with the station's code."""
    if isinstance(value, dict):
        return {k: (f"{code}:{v}" if k == "receipt_no" and isinstance(v, str) and _PRINTED.match(v)
                    else [f"{code}:{x}" if isinstance(x, str) and _PRINTED.match(x) else x for x in v]
                    if k == "receipts" and isinstance(v, list) else _printed_text(v, code))
                for k, v in value.items()}
    return value


def _rechain(conn, off: int, code: str) -> None:
    """The audit log's receipt numbers follow the payments; then every hash again, in the station's block."""
    from .audit import CHAIN_COLUMNS, chain_hash

    prev = ""
    updates = []
    for row in conn.execute(f"SELECT {CHAIN_COLUMNS} FROM audit WHERE id >= ? AND id < ? ORDER BY id",
                            [off, off + BLOCK]).fetchall():
        row = list(row)
        for i in (8, 9):  # before, after
            if row[i] and "receipt" in row[i]:
                was = json.loads(row[i])
                if (now := _printed_text(was, code)) != was:
                    row[i] = _json(now)
        prev = chain_hash(prev, row)
        updates.append((row[8], row[9], prev, row[0]))
    conn.executemany("UPDATE audit SET before = ?, after = ?, hash = ? WHERE id = ?", updates)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)  # as Ledger.log writes it


def _derived(ledger: "Ledger", conn) -> None:
    """What the triggers keep in step, made again from the moved rows: the search indexes, the place totals."""
    from . import place_totals
    from .search import refill_statements

    for statement in refill_statements():
        conn.execute(statement)
    conn.execute("DELETE FROM place_totals_dirty")
    if (want := place_totals.ledger_keys(ledger)) is not None:
        place_totals.rebuild(conn, *want)


def _stations_and_keys(ledger: "Ledger", conn, card: "JoinCard") -> None:
    """The township's list of stations, this ledger's own, the township's packet key and signing keys, and
    this station's own key pair; the exchange with the township starts where the card says."""
    from ..sync import join_proof, signing

    for s in card.stations:
        conn.execute("INSERT OR IGNORE INTO stations (code, name, kind, number, parent, village, created_at)"
                     " VALUES (?, ?, ?, ?, ?, ?, ?)", [s.code, s.name, s.kind, s.number, s.parent, s.village,
                                                       card.created_at])
    conn.execute("INSERT INTO station_self (id, code) VALUES (1, ?)", [card.station.code])
    conn.execute("INSERT OR REPLACE INTO ledger_secret (name, value) VALUES ('sync_key', ?)", [card.sync_key])
    if card.join_secret:  # proves this station's first key to the township (app.sync.join_proof)
        conn.execute("INSERT OR REPLACE INTO ledger_secret (name, value) VALUES (?, ?)",
                     [join_proof.SECRET, card.join_secret])
    for number, key, at, how in card.keys:
        if number != card.station.number:
            conn.execute("INSERT OR IGNORE INTO station_keys (number, public_key, recorded_at, how)"
                         " VALUES (?, ?, ?, ?)", [number, key, at, how])
    signing.ensure_own_key(conn, card.station.number, now_iso(), "加入乡镇时生成")
    from ..sync.capture import start_fresh

    start_fresh(conn)
    conn.execute("INSERT INTO sync_peers (station, applied_seq) VALUES (0, ?)", [card.since])


def _everything_new(conn) -> None:
    """Every row of every replicated table is new to the township: the first packet carries them all."""
    from ..sync.capture import table_columns

    for t in REPLICATED:
        cols, pks = table_columns(conn, t)
        if not pks:
            continue
        conn.execute(f"INSERT OR REPLACE INTO sync_base (tbl, pk, row) SELECT '{t}',"
                     f" json_array({', '.join(pks)}), NULL FROM {t}")
