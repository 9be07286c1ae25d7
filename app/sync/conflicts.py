"""Conflicts found while applying packets: listed with both versions, resolved by a 专干, never overwritten
silently.

    list_conflicts(ledger, open_only=True) -> [Conflict]
    resolve(ledger, conflict_id, choice, note) -> Conflict

Kinds: 两处修改 (the same field of one record changed on two laptops), 记录冲突 (a record that breaks a rule
here, e.g. an ID number another record already has), 重复缴费 (a member paid for one year at two places: the
later payment is a refund candidate — the refund itself is made with the usual refund, by its rules),
缺少关联记录. A new row refused here (记录冲突, its children with it) is asked for again in every packet back
to its sender, and resolved by itself when it arrives corrected (``resend``: note 对方已改正后重新发来).

``choice`` for 两处修改: the station number whose version stands (``Conflict.a_station`` = the ledger that
found it, ``b_station`` = the packet's sender), or ``"a"`` / ``"b"``. Taking a version that is not the one this
ledger holds writes it (an ordinary change, audited, carried by the next packet to the other side). For the
other kinds the choice is recorded with the note (for 重复缴费: ``"a"`` keeps the earlier payment and the
later one is to be refunded, ``"b"`` the other way round). Resolving is role-checked (``sync``: 专干 or
管理员) and audited."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..domain.problems import Problem, ProblemsError
from ..ledger.models import named_rows, now_iso
from .fields import TABLE_NAMES


@dataclass(frozen=True)
class Conflict:
    id: int
    kind: str
    table: str
    row_pk: list
    household_id: int | None
    member_id: int | None
    columns: tuple[str, ...]
    a_station: int
    a_values: dict | None       # the version of the ledger that found it
    b_station: int
    b_values: dict | None       # the packet sender's version
    base_values: dict | None
    message: str
    found_by: int
    found_at: str
    resolved_at: str | None
    resolved_by: str | None
    choice: str | None
    note: str | None

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    @property
    def what(self) -> str:
        """The record by what the clerk knows it by, from either version: a person's name, a household's 户编号,
        a receipt number; the row number only when none is there."""
        for values in (self.a_values, self.b_values):
            values = values or {}
            for key, shown in (("name", "{}"), ("number", "户 {}"), ("receipt_no", "票据 {}")):
                if values.get(key) and (key != "number" or self.table == "households"):
                    return shown.format(values[key])
        return f"{TABLE_NAMES.get(self.table, self.table)}#{','.join(str(k) for k in self.row_pk)}"

    def versions(self) -> list[tuple[int, dict]]:
        """(station, the fields that differ) for both sides, for display."""
        keys = list(self.columns) or sorted(set(self.a_values or {}) | set(self.b_values or {}))
        return [(self.a_station, {k: (self.a_values or {}).get(k) for k in keys}),
                (self.b_station, {k: (self.b_values or {}).get(k) for k in keys})]


def _conflict(r) -> Conflict:
    def js(v):
        return json.loads(v) if v else None

    return Conflict(id=r["id"], kind=r["kind"], table=r["tbl"], row_pk=json.loads(r["row_pk"]),
                    household_id=r["household_id"], member_id=r["member_id"], columns=tuple(json.loads(r["columns"])),
                    a_station=r["a_station"], a_values=js(r["a_values"]), b_station=r["b_station"],
                    b_values=js(r["b_values"]), base_values=js(r["base_values"]), message=r["message"],
                    found_by=r["found_by"], found_at=r["found_at"], resolved_at=r["resolved_at"],
                    resolved_by=r["resolved_by"], choice=r["choice"], note=r["note"])


def list_conflicts(ledger, open_only: bool = True) -> list[Conflict]:
    """Conflicts, oldest first (``open_only=False``: resolved ones too)."""
    where = " WHERE resolved_at IS NULL" if open_only else ""
    return [_conflict(r) for r in named_rows(ledger.db, f"SELECT * FROM sync_conflicts{where} ORDER BY id")]


def get(ledger, conflict_id: int) -> Conflict:
    rows = named_rows(ledger.db, "SELECT * FROM sync_conflicts WHERE id = ?", [int(conflict_id)])
    if not rows:
        raise ProblemsError([Problem("冲突", f"没有冲突 #{conflict_id}")])
    return _conflict(rows[0])


def resolve(ledger, conflict_id: int, choice: str | int, note: str = "") -> Conflict:
    """Resolve a conflict: ``choice`` picks the version that stands (see the module docstring)."""
    ledger.require("sync")
    c = get(ledger, conflict_id)
    problems = []
    if not c.open:
        problems.append(Problem("冲突", f"冲突 #{c.id} 已于 {c.resolved_at[:16]} 由 {c.resolved_by} 处理"))
    pick = str(choice).strip().lower()
    if pick in ("a", str(c.a_station)):
        side, winner = "a", c.a_values
    elif pick in ("b", str(c.b_station)):
        side, winner = "b", c.b_values
    else:
        side, winner = "", None
        problems.append(Problem("选择", f"请选择 a（站点 {c.a_station} 的版本）或 b（站点 {c.b_station} 的版本）"))
    note = str(note or "").strip()
    if c.kind == "重复缴费" and not note:
        problems.append(Problem("说明", "处理重复缴费须写明说明（如：已按规定为另一笔办理退费）"))
    if problems:
        raise ProblemsError(problems)
    station = c.a_station if side == "a" else c.b_station
    with ledger.transaction() as db:
        before = after = None
        if c.kind == "两处修改" and winner is not None and c.columns:
            before, after = _take_version(db, c, winner)
        db.execute("UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, choice = ?, note = ? WHERE id = ?",
                   [now_iso(), ledger.actor(), str(station), note, c.id])
        ledger.log("conflict", c.id, "resolve", before,
                   {"kind": c.kind, "record": c.what, "station": station, "note": note, **(after or {})},
                   household_id=c.household_id, member_id=c.member_id)
    return get(ledger, c.id)


def _take_version(db, c: Conflict, winner: dict) -> tuple[dict, dict]:
    from .capture import table_columns

    cols, pks = table_columns(db, c.table)
    keys = [k for k in c.columns if k in cols and k not in pks]
    where = " AND ".join(f'"{k}" = ?' for k in pks)
    current = db.execute(f"SELECT {', '.join(keys)} FROM {c.table} WHERE {where}", c.row_pk).fetchone()
    if current is None:
        raise ProblemsError([Problem("冲突", f"{c.what} 已不在本台账，无法采用该版本")])
    before = dict(zip(keys, current))
    after = {k: winner.get(k) for k in keys}
    if before != after:
        assign = ", ".join(f'"{k}" = ?' for k in keys)
        db.execute(f"UPDATE {c.table} SET {assign} WHERE {where}", [*after.values(), *c.row_pk])
    return before, after


def who(ledger, c: Conflict) -> str:
    """The person (and household) a conflict is about, as the clerk knows them; else the record."""
    try:
        if c.member_id is not None:
            m = ledger.members.get(c.member_id)
            return f"{m.name}（户 {ledger.households.get(m.household_id).number}）"
        if c.household_id is not None:
            return f"户 {ledger.households.get(c.household_id).number}"
    except ProblemsError:
        pass  # not (or no longer) in this ledger
    return c.what
