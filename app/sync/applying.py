"""Applying a packet's changesets (``apsw.Changeset.apply``) and deciding every clash.

Rules (the township decides; nothing is silently overwritten):

- a change the ledger already holds (sent twice, or both sides made the same edit): skipped;
- the same row changed on both sides, but in different columns (``updated_at`` aside): both changes kept;
- the same column changed to different values on both sides (两处修改): on the township the township's value
  stays; on a station the township's value is taken (the township decides) — on both, a ``sync_conflicts`` row
  holds both versions until a 专干 resolves it (``conflicts.resolve``); a station's conflict rows travel to the
  township, and the same clash found on both sides has the same key, so it is listed once;
- a row that breaks a constraint here (an ID number or 户编号 already used by another row: 记录冲突) is not
  written and is listed;
- after the changes: a member whose standing payments for one year are now two or more (paid at two places:
  重复缴费) is listed; the later payment is the refund candidate.

Payments are never deleted (their triggers refuse it); a void arrives as an update of the void columns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import apsw

from ..ledger.ids import next_id
from .capture import pk_json, table_columns

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


@dataclass
class ApplyCounts:
    applied: dict[str, int] = field(default_factory=dict)  # "members 修改" -> n
    skipped: int = 0
    clashes: list[Clash] = field(default_factory=list)
    touched: dict[str, list[tuple[list, dict]]] = field(default_factory=dict)  # table -> [(pk, new values)]


_OPS = {"INSERT": "新增", "UPDATE": "修改", "DELETE": "删除"}


class Applier:
    """Applies changesets from station ``sender`` on the ledger of station ``me`` (inside a transaction)."""

    def __init__(self, conn: apsw.Connection, me: int, sender: int):
        self.conn, self.me, self.sender = conn, me, sender
        self.counts = ApplyCounts()
        self._cols: dict[str, tuple[list[str], list[str]]] = {}

    def cols(self, table: str) -> tuple[list[str], list[str]]:
        if table not in self._cols:
            self._cols[table] = table_columns(self.conn, table)
        return self._cols[table]

    def apply(self, changeset: bytes) -> None:
        apsw.Changeset.apply(changeset, self.conn, filter_change=self._seen, conflict=self._conflict)

    # -- callbacks (they copy what they need: a TableChange is only valid inside the callback)
    def _seen(self, change) -> bool:
        cols, pks = self.cols(change.name)
        key_values = change.old if change.op in ("UPDATE", "DELETE") else change.new
        pk = [key_values[cols.index(c)] for c in pks]
        label = f"{change.name} {_OPS.get(change.op, change.op)}"
        self.counts.applied[label] = self.counts.applied.get(label, 0) + 1
        if change.op != "DELETE":
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
        if not clash:
            return apsw.SQLITE_CHANGESET_REPLACE  # different columns changed on each side: take theirs too
        mine = _row(cols, here)
        theirs = {**mine, **{cols[i]: new[i] for i in changed}}
        base = {**mine, **{cols[i]: old[i] for i in changed}}
        names = [cols[i] for i in clash]
        township_decides = self.sender == 0 and self.me != 0
        self.counts.clashes.append(Clash(
            "两处修改", table, pk, names, mine, theirs, base,
            "两处都修改了：" + "、".join(names) + ("；已按乡镇的版本更新，待专干确认" if township_decides
                                            else "；本台账的版本暂时保留，待专干处理")))
        return apsw.SQLITE_CHANGESET_REPLACE if township_decides else apsw.SQLITE_CHANGESET_OMIT


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
             json.dumps(c.columns, ensure_ascii=False), me, _json(c.mine), sender, _json(c.theirs), _json(c.base),
             c.message, me, now))
        new += 1
    return new


def double_payments(conn, me: int, touched_items: list[dict], now: str) -> list[Clash]:
    """Members paid for one year at two places (two standing payment items) among the items just received."""
    pairs = {(r.get("member_id"), r.get("year")) for r in touched_items if r.get("member_id") is not None}
    found = []
    for member, year in sorted(pairs, key=lambda p: (p[0] or 0, p[1] or 0)):
        rows = list(conn.execute(
            "SELECT id, payment_id, amount_fen, receipt_no, paid_on, payer_household_id FROM standing_items"
            " WHERE member_id = ? AND year = ? ORDER BY paid_on, id", (member, year)))
        if len(rows) < 2:
            continue
        keep, *later = rows
        for extra in later:
            a = {"payment_item_id": keep[0], "receipt_no": keep[3], "amount_fen": keep[2], "paid_on": keep[4],
                 "member_id": member, "household_id": keep[5]}
            b = {"payment_item_id": extra[0], "receipt_no": extra[3], "amount_fen": extra[2], "paid_on": extra[4],
                 "member_id": member, "household_id": extra[5]}
            found.append(Clash("重复缴费", "payment_items", sorted([keep[0], extra[0]]), [], a, b, None,
                               f"{year} 年度同一人缴费两次（票据 {keep[3]} 和 {extra[3]}）：后一笔 {extra[3]} 为退费候选"))
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
