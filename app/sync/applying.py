"""Applying a packet's changesets (``apsw.Changeset.apply``) and deciding every clash.

Rules (the township decides; nothing is silently overwritten):

- a change the ledger already holds (sent twice, or both sides made the same edit): skipped;
- the same row changed on both sides, but in different columns (``updated_at`` aside): both changes kept;
- the same column changed to different values on both sides (两处修改): on the township the township's value
  stays; on a station the township's value is taken (the township decides) — on both, a ``sync_conflicts`` row
  holds both versions until a 专干 resolves it (``conflicts.resolve``); a station's conflict rows travel to the
  township, and the same clash found on both sides has the same key, so it is listed once;
- a row that breaks a constraint here (an ID number or 户编号 already used by another row: 记录冲突) is not
  written and is listed; a new row so refused is asked for again until it arrives (``resend``);
- on a station, a copy held for a member moved between villages (an 外村户's row, ``moves``) takes the township's
  version as it comes (a copy left stale while the township no longer sent it its changes is no clash), except
  the fields this station changed and the township has not acknowledged yet: one the township left as it was
  keeps the station's value (its change is on the way), one both changed is a listed 两处修改 (``_take_copy``);
  on the township, what a station sends that other stations hold too is passed on to them (``outbox.forward``);
- after the changes: a member whose standing payments for one year are now two or more (paid at two places:
  重复缴费) is listed; the later payment is the refund candidate.

Payments are never deleted (their triggers refuse it); a void arrives as an update of the void columns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import apsw

from ..ledger.ids import REPLICATED, block_of, next_id
from .apsw_open import create_like, scratch
from .capture import pk_json, table_columns
from . import moves
from .fields import field_names
from .db_errors import IntegrityError

BOOKKEEPING = {"updated_at"}  # set by every edit: a clash there alone is no conflict


@dataclass
class Clash:
    kind: str
    table: str
    pk: list
    columns: list[str]
    mine: dict | None
    theirs: dict | None
    base: dict | None
    message: str
    stations: tuple[int, int] | None = None  # whose versions (a, b); default: this ledger's, the sender's


@dataclass
class ApplyCounts:
    applied: dict[str, int] = field(default_factory=dict)  # "members 修改" -> n
    skipped: int = 0
    clashes: list[Clash] = field(default_factory=list)
    touched: dict[str, list[tuple[list, dict]]] = field(default_factory=dict)  # table -> [(pk, new values)]


_OPS = {"INSERT": "新增", "UPDATE": "修改", "DELETE": "删除"}


class Applier:
    """Applies changesets from station ``sender`` to the ledger of station ``me`` (``db``: the ledger's own
    connection, inside its transaction).

    Each changeset is applied by SQLite's own ``sqlite3changeset_apply`` (``apsw.Changeset.apply``) to an
    in-memory copy of exactly the rows it touches, as they are in the ledger now — so SQLite decides what is
    a conflict, and ``_conflict`` what to do about it. A session on that copy records what the apply really
    changed; that is written into the ledger row by row, in table order (parents first). A row the ledger
    refuses (a unique ID number or 户编号 taken, a payment's protecting trigger, a missing parent) is not
    written and is listed as a conflict with its values."""

    def __init__(self, db, me: int, sender: int):
        self.db, self.me, self.sender = db, me, sender
        self.counts = ApplyCounts()
        self._cols: dict[str, tuple[list[str], list[str]]] = {}
        self.keep: dict[tuple[str, str], set[str]] = {}  # rows whose clashing columns stay as they are here
        self.before: dict[tuple[str, str], dict | None] = {}  # rows as they were before a changeset (``moves``)
        self.inserted: set[tuple[str, str]] = set()  # (table, pk) of the rows inserted here (``resend.settle``)

    def cols(self, table: str) -> tuple[list[str], list[str]]:
        if table not in self._cols:
            self._cols[table] = table_columns(self.db, table)
        return self._cols[table]

    def _key(self, table: str, change) -> list:
        cols, pks = self.cols(table)
        values = change.old if change.op in ("UPDATE", "DELETE") else change.new
        return [values[cols.index(c)] for c in pks]

    def apply(self, changeset: bytes) -> None:
        self.keep = {}  # a clash's kept columns hold for that outbox entry only: a later entry may change them again
        wanted: dict[str, set] = {}
        self.before = {}
        moved: set[int] = set()  # households the township moved to another village (``moves.mark_away``)
        for change in apsw.Changeset.iter(changeset):
            if change.name in REPLICATED and self.cols(change.name)[0]:
                wanted.setdefault(change.name, set()).add(tuple(self._key(change.name, change)))
                if change.name == "households" and change.op == "UPDATE" and self.sender == 0:
                    at = self.cols("households")[0].index("village_id")
                    if change.new[at] is not apsw.no_change and change.new[at] != change.old[at]:
                        moved.add(change.old[self.cols("households")[0].index("id")])
        mem = scratch()
        try:
            for table, keys in wanted.items():
                cols, pks = self.cols(table)
                create_like(mem, "main", table, cols, pks)
                where = " AND ".join(f'"{c}" = ?' for c in pks)
                marks = ", ".join("?" * len(cols))
                for key in keys:
                    row = self.db.execute(f'SELECT * FROM "{table}" WHERE {where}', list(key)).fetchone()
                    if row is not None:
                        mem.execute(f'INSERT INTO "{table}" VALUES ({marks})', tuple(row))
                    self.before.setdefault((table, pk_json(key)), None if row is None else dict(zip(cols, row)))
            session = apsw.Session(mem, "main")
            for table in wanted:
                session.attach(table)
            apsw.Changeset.apply(changeset, mem, filter_change=self._seen, conflict=self._conflict)
            effective = session.changeset()
            session.close()
            self._write_back(effective)
        finally:
            mem.close()
        # a moved member's rows (``moves``): 外村户 marked on a station, passed on to the other holders by the township
        moves.mark_away(self.db, self.me, [k[0] for k in wanted.get("households", ())], moved)
        if self.me == 0 and self.sender != 0:
            self._pass_on()

    def _pass_on(self) -> None:
        """On the township: rows of this changeset that other stations hold too (a moved member's payment voided
        at the old village) go to them, after the township's own changes made before the packet."""
        from . import outbox
        from ..ledger.models import now_iso

        todo = outbox.held_elsewhere(self.db, self.sender, self.before)
        if not todo:
            return
        now = now_iso()
        merge_into_base(self.db, self.counts.touched)
        outbox.take_changes(self.db, 0, now)
        outbox.forward(self.db, self.sender, todo, now)

    def _write_back(self, changeset: bytes) -> None:
        """Write what the apply changed into the ledger: parents first (deletes last, children first), the
        inserts of one table in one ``executemany``; a batch the ledger refuses is written again row by row,
        so only the refused rows are left out (and listed)."""
        order = {t: i for i, t in enumerate(REPLICATED)}
        changes = [(c.name, c.op, _tuple(c.old), _tuple(c.new)) for c in apsw.Changeset.iter(changeset)]
        changes.sort(key=lambda c: (c[1] == "DELETE", order[c[0]] if c[1] != "DELETE" else -order[c[0]]))
        statements = [self._statement(*c) for c in changes]
        i = 0
        while i < len(statements):
            j = i
            while j < len(statements) and statements[j][0] == statements[i][0] and changes[j][1] == "INSERT":
                j += 1
            if j - i > 1 and self._batch(statements[i:j]):
                for change in changes[i:j]:
                    self._written(*change)
                i = j
                continue
            if self._one(changes[i], statements[i]):
                self._written(*changes[i])
            i += 1

    def _written(self, table: str, op: str, old, new) -> None:
        """Count a row really written here: a row the ledger refused is listed as a clash, not counted."""
        label = f"{table} {_OPS.get(op, op)}"
        if op == "INSERT":
            cols, pks = self.cols(table)
            self.inserted.add((table, pk_json([new[cols.index(c)] for c in pks])))
        self.counts.applied[label] = self.counts.applied.get(label, 0) + 1

    def _statement(self, table: str, op: str, old, new) -> tuple[str, list]:
        cols, pks = self.cols(table)
        key = [(old if op != "INSERT" else new)[cols.index(c)] for c in pks]
        where = " AND ".join(f'"{c}" = ?' for c in pks)
        if op == "INSERT":
            return f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})', list(new)
        if op == "DELETE":
            return f'DELETE FROM "{table}" WHERE {where}', key
        row_key = (table, pk_json(key))
        keep = self.keep.get(row_key, set())
        # the later edit time stands on both sides, whoever's fields were taken
        sets = [(c, v) for c, o, v in zip(cols, old, new) if v is not apsw.no_change and c not in pks
                and c not in keep
                and not (c in BOOKKEEPING and o is not apsw.no_change and o is not None
                         and v is not None and o > v)]
        if not sets:
            return "", []
        return f'UPDATE "{table}" SET {", ".join(f"{c} = ?" for c, _ in sets)} WHERE {where}', [v for _, v in sets] + key

    def _batch(self, statements) -> bool:
        db = self.db
        db.execute("SAVEPOINT sync_batch")
        try:
            db.conn.executemany(statements[0][0], [params for _, params in statements])
        except IntegrityError:
            db.execute("ROLLBACK TO sync_batch")
            db.execute("RELEASE sync_batch")
            return False
        db.execute("RELEASE sync_batch")
        return True

    def _one(self, change, statement) -> bool:
        """Write one row; False if there was nothing to write or the ledger refused it (then listed)."""
        table, op, old, new = change
        sql, params = statement
        if not sql:
            return False
        db = self.db
        db.execute("SAVEPOINT sync_row")
        try:
            db.execute(sql, params)
        except IntegrityError as exc:
            db.execute("ROLLBACK TO sync_row")
            db.execute("RELEASE sync_row")
            if table == "sync_conflicts" and "sync_conflicts.key" in str(exc):
                return False  # the same clash, found here too: listed once
            cols, pks = self.cols(table)
            key = [(old if op != "INSERT" else new)[cols.index(c)] for c in pks]
            row = _row(cols, new if op != "DELETE" else old)
            self.counts.clashes.append(Clash("记录冲突", table, key, [], None, row, None,
                                             _refused(table, exc, self.sender if op == "INSERT" else None)))
            self.counts.touched[table] = [t for t in self.counts.touched.get(table, []) if t[0] != key]
            return False
        db.execute("RELEASE sync_row")
        return True

    # -- callbacks (they copy what they need: a TableChange is only valid inside the callback)
    def _seen(self, change) -> bool:
        if change.name not in REPLICATED or not self.cols(change.name)[0]:
            return False  # a table this ledger does not have (or does not exchange)
        if change.op != "DELETE":  # what arrived (``merge_into_base``); counted once written (``_written``)
            cols, pks = self.cols(change.name)
            pk = [change.new[cols.index(c)] if change.op == "INSERT" else change.old[cols.index(c)] for c in pks]
            new = {c: v for c, v in zip(cols, change.new) if v is not apsw.no_change}
            self.counts.touched.setdefault(change.name, []).append((pk, new))
        return True

    def _conflict(self, reason: int, change) -> int:
        if reason == apsw.SQLITE_CHANGESET_FOREIGN_KEY:
            self.counts.clashes.append(Clash("缺少关联记录", "", [], [], None, None, None,
                                             f"交换包中有 {change.fk_conflicts} 处记录引用了本台账没有的记录"))
            return apsw.SQLITE_CHANGESET_OMIT
        table = change.name
        cols, pks = self.cols(table)
        old = list(change.old) if change.old is not None else None
        new = list(change.new) if change.new is not None else None
        here = list(change.conflict) if change.conflict is not None else None
        key_values = old if change.op in ("UPDATE", "DELETE") else new
        pk = [key_values[cols.index(c)] for c in pks]
        if reason == apsw.SQLITE_CHANGESET_NOTFOUND:
            self.counts.skipped += 1  # updating or deleting a row this ledger does not keep
            return apsw.SQLITE_CHANGESET_OMIT
        if reason == apsw.SQLITE_CHANGESET_CONSTRAINT:
            row = dict(zip(cols, new)) if new is not None else None
            self.counts.clashes.append(Clash("记录冲突", table, pk, [], None, row, None,
                                             "与本台账已有的记录冲突（如身份证号或户编号已被另一条记录使用），未写入"))
            return apsw.SQLITE_CHANGESET_OMIT
        if reason == apsw.SQLITE_CHANGESET_CONFLICT:  # an insert of a row that is already here
            if here is not None and new is not None and all(
                    n is apsw.no_change or n == h for n, h in zip(new, here)):
                self.counts.skipped += 1
                return apsw.SQLITE_CHANGESET_OMIT
            if moves.is_copy(self.db, self.me, table, cols, here):
                return self._take_copy(table, pk, here, new)  # a copy held for a moved member
            self.counts.clashes.append(Clash("记录冲突", table, pk, [], _row(cols, here), _row(cols, new), None,
                                             "同一编号的记录两边内容不同"))
            return apsw.SQLITE_CHANGESET_OMIT
        # SQLITE_CHANGESET_DATA: the row here is not what the sender started from
        if change.op == "DELETE":
            self.counts.clashes.append(Clash("两处修改", table, pk, [], _row(cols, here), None, _row(cols, old),
                                             "对方删除的记录在本台账已被修改，未删除"))
            return apsw.SQLITE_CHANGESET_OMIT
        changed = [i for i, n in enumerate(new) if n is not apsw.no_change and cols[i] not in pks]
        if all(new[i] == here[i] for i in changed):
            self.counts.skipped += 1  # already the same here
            return apsw.SQLITE_CHANGESET_OMIT
        clash = [i for i in changed if cols[i] not in BOOKKEEPING and here[i] != old[i] and here[i] != new[i]]
        if not clash or (self.sender == 0 and moves.is_copy(self.db, self.me, table, cols, here)
                         and not moves.pending_here(self.db, table, cols, pks, here)):
            return apsw.SQLITE_CHANGESET_REPLACE  # different columns changed on each side: take theirs too
        mine = _row(cols, here)
        theirs = {**mine, **{cols[i]: new[i] for i in changed}}
        base = {**mine, **{cols[i]: old[i] for i in changed}}
        names = [cols[i] for i in clash]
        township_decides = self.sender == 0 and self.me != 0
        self.counts.clashes.append(Clash(
            "两处修改", table, pk, names, mine, theirs, base,
            "两处都修改了：" + "、".join(field_names(names)) + ("；已按乡镇的版本更新，待专干确认" if township_decides
                                            else "；本台账的版本暂时保留，待专干处理")))
        # the other columns of the change are taken either way; the clashing ones are the township's: taken on a
        # station, kept on the township (the edit time: the later one, on both)
        if not township_decides:
            self.keep[(table, pk_json(pk))] = set(names)
        return apsw.SQLITE_CHANGESET_REPLACE

    def _take_copy(self, table: str, pk: list, here: list, new: list) -> int:
        """A row arriving whole (a member moving back) for a copy held here: the township's version stands — a
        copy left stale while the township no longer sent it changes is no clash — except what this station
        changed and has not yet had acknowledged: a field the township left as it was keeps the station's value
        (its change is on the way), a field both changed takes the township's and is listed (两处修改)."""
        cols, pks = self.cols(table)
        pending = moves.pending_here(self.db, table, cols, pks, here)
        keep = {c for c, was in pending.items() if new[cols.index(c)] == was and c not in BOOKKEEPING}
        both = [c for c, was in pending.items() if c not in keep and c not in BOOKKEEPING
                and new[cols.index(c)] != here[cols.index(c)]]
        if keep:
            self.keep[(table, pk_json(pk))] = keep
        if both:
            mine = _row(cols, here)
            self.counts.clashes.append(Clash(
                "两处修改", table, pk, both, mine, _row(cols, new), {**mine, **{c: pending[c] for c in both}},
                "两处都修改了：" + "、".join(field_names(both)) + "；已按乡镇的版本更新，待专干确认"))
        return apsw.SQLITE_CHANGESET_REPLACE


def _tuple(values):
    return None if values is None else tuple(values)


def _refused(table: str, exc: Exception, sender: int | None) -> str:
    """Why a row was refused, and for a new row (``sender`` given) what the clerk does now: it comes again by
    itself once fixed (``resend``); a refused change of a row held here stays for a clerk."""
    text = str(exc)
    why = _refused_change(table, text)
    if sender is None:
        return why
    there = f"站点 {sender} " if sender else "乡镇"
    if "members.id_number" in text or "members_id_number" in text:
        return why + f"：请在{there}的电脑上改正这个身份证号，下一个交换包会重新带来这个人"
    if "households.number" in text:
        return why + f"：请在{there}的电脑上修改这一户的户编号，下一个交换包会重新带来这一户及其人员、缴费"
    if "FOREIGN KEY" in text:
        return why + "：所引用的记录改正后重新发来时，这条记录随之重新发来"
    return why + "：改正后下一个交换包会重新带来"


def _refused_change(table: str, text: str) -> str:
    if "members.id_number" in text or "members_id_number" in text:
        return "身份证号已被同一站点的另一人使用，该人员未写入"
    if "households.number" in text:
        return "户编号已被本台账另一户使用，该户未写入"
    if "FOREIGN KEY" in text:
        return f"引用了本台账没有的记录，未写入（{table}）"
    return f"本台账拒绝写入（{text}）"


def _row(cols, values) -> dict | None:
    if values is None:
        return None
    return {c: (None if v is apsw.no_change else v) for c, v in zip(cols, values)}


def conflict_key(kind: str, table: str, pk, versions: list) -> str:
    body = json.dumps([kind, table, pk, sorted(json.dumps(v, ensure_ascii=False, sort_keys=True) for v in versions)],
                      ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def household_member(conn, table: str, row: dict | None) -> tuple[int | None, int | None]:
    from .routes import household_of

    if not row:
        return None, None
    member = row.get("member_id") if table != "members" else row.get("id")
    return household_of(conn, table, row), member


def record_clashes(conn, me: int, sender: int, clashes: list[Clash], now: str) -> int:
    """Write the clashes into ``sync_conflicts`` (a clash already listed, found on the other side, is not
    listed twice); returns how many are new."""
    new = 0
    for c in clashes:
        if c.columns:
            versions = [{k: (c.mine or {}).get(k) for k in c.columns}, {k: (c.theirs or {}).get(k) for k in c.columns}]
        else:
            versions = [c.mine, c.theirs]
        key = conflict_key(c.kind, c.table, c.pk, versions)
        if conn.execute("SELECT 1 FROM sync_conflicts WHERE key = ?", (key,)).fetchone():
            continue
        household, member = household_member(conn, c.table, c.mine or c.theirs)
        conn.execute(
            "INSERT INTO sync_conflicts (id, key, kind, tbl, row_pk, household_id, member_id, columns, a_station,"
            " a_values, b_station, b_values, base_values, message, found_by, found_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (next_id(conn, "sync_conflicts", me), key, c.kind, c.table, pk_json(c.pk), household, member,
             json.dumps(c.columns, ensure_ascii=False), (c.stations or (me, sender))[0], _json(c.mine),
             (c.stations or (me, sender))[1], _json(c.theirs), _json(c.base),
             c.message, me, now))
        new += 1
    return new


def double_payments(conn, me: int, touched_items: list[dict], now: str) -> list[Clash]:
    """Members paid for one year at two places (two standing payment items) among the items just received —
    one member twice, or two members holding one ID number (the same person enrolled at two stations, 重复参保,
    each charged there; not a pair a 专干 judged 非重复)."""
    pairs = {(r.get("member_id"), r.get("year")) for r in touched_items if r.get("member_id") is not None}
    found = []
    for member, year in sorted(pairs, key=lambda p: (p[0] or 0, p[1] or 0)):
        rows = list(conn.execute(
            "SELECT id, payment_id, amount_fen, receipt_no, paid_on, payer_household_id, member_id FROM standing_items"
            " WHERE member_id IN (SELECT ? UNION SELECT o.id FROM members m JOIN members o ON o.id_number = m.id_number"
            " WHERE m.id = ? AND NOT EXISTS (SELECT 1 FROM duplicate_dismissals d WHERE d.kept_member IS NULL"
            " AND d.member_a = min(m.id, o.id) AND d.member_b = max(m.id, o.id))) AND year = ? ORDER BY paid_on, id",
            (member, member, year)))
        if len(rows) < 2:
            continue
        keep, *later = rows
        for extra in later:
            a = {"payment_item_id": keep[0], "receipt_no": keep[3], "amount_fen": keep[2], "paid_on": keep[4],
                 "member_id": keep[6], "household_id": keep[5]}
            b = {"payment_item_id": extra[0], "receipt_no": extra[3], "amount_fen": extra[2], "paid_on": extra[4],
                 "member_id": extra[6], "household_id": extra[5]}
            who = "同一人" if keep[6] == extra[6] else "同一身份证号的两处参保登记（重复参保）"
            # each version is labelled with the station that took that payment (its id's block), not with
            # "this ledger" and "the sender": the earlier payment may be the sender's
            found.append(Clash("重复缴费", "payment_items", sorted([keep[0], extra[0]]), [], a, b, None,
                               f"{year} 年度{who}缴费两次（票据 {keep[3]} 和 {extra[3]}）：后一笔 {extra[3]} 为退费候选",
                               stations=(block_of(keep[1]), block_of(extra[1]))))
    return found


def merge_into_base(conn, touched: dict[str, list[tuple[list, dict]]]) -> None:
    """Rows changed here and not yet sent: what arrived becomes part of what they started from, so the next
    packet carries only this ledger's own edits."""
    for table, rows in touched.items():
        for pk, new in rows:
            key = pk_json(pk)
            got = conn.execute("SELECT row FROM sync_base WHERE tbl = ? AND pk = ?", (table, key)).fetchone()
            if got is None or got[0] is None:
                continue
            base = json.loads(got[0])
            base.update(new)
            conn.execute("UPDATE sync_base SET row = ? WHERE tbl = ? AND pk = ?",
                         (json.dumps(base, ensure_ascii=False), table, key))


def _json(value) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
