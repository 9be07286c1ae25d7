"""The ledger's own setting: township, villages and groups, campaign year, policy, area kind. Its operators
are the ``operators`` table's (app.ledger.operators), read into ``Settings.operators``: one list."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Mapping

from ..domain.problems import Problem, ProblemsError
from .ids import next_id
from .models import Change, Group, Settings, Village, text

if TYPE_CHECKING:
    from .db import Ledger

VILLAGE_KINDS = ("村", "社区")
_KEYS = ("township", "year", "policy_id", "area_kind", "rolled_over_from")
CAMPAIGN_KEYS = _KEYS  # written anew for each year's ledger; every other setting is the district's and carries over
GRID_COLLECTION = "notice_grid_collection"  # JSON true: notices say 网格员代收 (no document does; the district decides)


class SettingsService:
    def __init__(self, ledger: "Ledger"):
        self._l = ledger
        self._cache: Settings | None = None
        self._names_at = -1  # the connection's total_changes when the operators' names were read

    # -- reads
    def initialized(self) -> bool:
        row = self._l.db.execute("SELECT 1 FROM settings WHERE key = 'policy_id'").fetchone()
        return row is not None

    def get(self) -> Settings:
        if self._cache is None:
            values = {k: json.loads(v) for k, v in self._l.db.execute("SELECT key, value FROM settings")}
            if "policy_id" not in values:
                raise ProblemsError([Problem("台账", "台账尚未设置（乡镇、年度、政策），请先运行 canbao ledger init")])
            self._cache = Settings(
                township=values.get("township", ""), year=int(values["year"]), policy_id=values["policy_id"],
                operators=(), area_kind=values.get("area_kind", ""),
                villages=self.villages(), rolled_over_from=values.get("rolled_over_from", ""),
                notice_grid_collection=values.get(GRID_COLLECTION) is True)
            self._names_at = -1
        changes = self._l.db.conn.total_changes  # the operators table is the one list: re-read after any write
        if changes != self._names_at:
            names = self.operator_names()
            if names != self._cache.operators:
                self._cache = replace(self._cache, operators=names)
            self._names_at = changes
        return self._cache

    def operator_names(self) -> tuple[str, ...]:
        """The active operators (the ``operators`` table), in the order they were registered."""
        from . import sqlite_driver

        try:
            return tuple(r[0] for r in self._l.db.execute(
                "SELECT name FROM operators WHERE disabled_at IS NULL ORDER BY id"))
        except sqlite_driver.OperationalError:
            return ()  # a damaged ledger opened read-only before its operators table was made

    def reload(self) -> None:
        """Forget the cached settings: another connection (an import on a worker thread) changed them."""
        self._cache = None
        self._names_at = -1

    def villages(self) -> tuple[Village, ...]:
        groups: dict[int, list[Group]] = {}
        for gid, vid, name in self._l.db.execute("SELECT id, village_id, name FROM village_groups ORDER BY id"):
            groups.setdefault(vid, []).append(Group(gid, vid, name))
        return tuple(Village(vid, name, kind, tuple(groups.get(vid, ())))
                     for vid, name, kind in self._l.db.execute("SELECT id, name, kind FROM villages ORDER BY id"))

    def village_id(self, name: str) -> int | None:
        row = self._l.db.execute("SELECT id FROM villages WHERE name = ?", [text(name)]).fetchone()
        return row[0] if row else None

    def group_id(self, village_id: int, name: str) -> int | None:
        row = self._l.db.execute("SELECT id FROM village_groups WHERE village_id = ? AND name = ?",
                                 [village_id, text(name)]).fetchone()
        return row[0] if row else None

    # -- writes
    def initialize(self, *, township: str, year: int, policy_id: str, operators: Iterable[str],
                   villages: Mapping[str, Iterable[str]] | Iterable[str] = (), area_kind: str = "",
                   village_kinds: Mapping[str, str] | None = None, rolled_over_from: str = "") -> Change:
        """Set up a new ledger. ``villages`` maps a village name to its groups (or is a list of names).
        ``operators``: who sets it up (the first is written into the audit log); the ledger's operators are
        the ``operators`` table, registered with a PIN (``Operators.add``, the first login)."""
        if self.initialized():
            raise ProblemsError([Problem("台账", f"台账已设置（{self.get().township} {self.get().year}年度），不能重复初始化")])
        ops = [text(o) for o in (operators or ()) if text(o)]
        township, area_kind, policy_id = text(township), text(area_kind), text(policy_id)
        problems = self._check(township=township, year=year, policy_id=policy_id, operators=ops, area_kind=area_kind)
        vmap = {text(k): [text(g) for g in (v or ())] for k, v in villages.items()} \
            if isinstance(villages, Mapping) else {text(v): [] for v in (villages or ())}
        kinds = dict(village_kinds or {})
        for name, groups in vmap.items():
            if not name:
                problems.append(Problem("村", "村（社区）名称不能为空"))
            if kinds.get(name, "村") not in VILLAGE_KINDS:
                problems.append(Problem("村", f"「{name}」的类型应为 村 或 社区"))
            if len(set(groups)) != len(groups) or any(not g for g in groups):
                problems.append(Problem("组", f"「{name}」的组名有空白或重复"))
        if problems:
            raise ProblemsError(problems)
        values = {"township": township, "year": int(year), "policy_id": policy_id,
                  "area_kind": area_kind, "rolled_over_from": rolled_over_from}
        with self._l.transaction() as db:
            for k, v in values.items():
                db.execute("INSERT INTO settings (key, value) VALUES (?, ?)", [k, json.dumps(v, ensure_ascii=False)])
            for name, groups in vmap.items():
                self._insert_village(name, kinds.get(name, "村"), groups)
            self._l.log("settings", None, "create", None, {**values, "villages": vmap}, operator=ops[0] if ops else None)
        self._cache = None
        return Change(settings=True)

    def update(self, *, township: str | None = None, area_kind: str | None = None,
               policy_id: str | None = None) -> Change:
        """Change the township name, area kind, or (before any payment) the policy. (Operators: ``Operators``.)"""
        cur = self.get()
        new = {"township": cur.township if township is None else text(township),
               "area_kind": cur.area_kind if area_kind is None else text(area_kind),
               "policy_id": cur.policy_id if policy_id is None else text(policy_id)}
        problems = self._check(year=cur.year, operators=["-"], **new)
        if policy_id is not None and policy_id != cur.policy_id:
            n = self._l.db.execute("SELECT count(*) FROM payments WHERE year = ?", [cur.year]).fetchone()[0]
            if n:
                problems.append(Problem("政策", f"本年度已有 {n} 笔缴费，不能更换政策"))
        if problems:
            raise ProblemsError(problems)
        before = {"township": cur.township, "area_kind": cur.area_kind, "policy_id": cur.policy_id}
        if new == before:
            return Change()  # nothing to change (the settings dialog saves its other fields too)
        self._l.require("policies")
        with self._l.transaction() as db:
            for k, v in new.items():
                db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                           [k, json.dumps(v, ensure_ascii=False)])
            self._l.log("settings", None, "update", before, new)
        self._cache = None
        return Change(settings=True)

    def set_notice_grid_collection(self, on: bool, *, operator: str | None = None) -> Change:
        """Turn on (or off) the sentence “也可交给本村（社区）网格员代收” on payment notices. No policy document says
        it, so it is the district's decision: a 专干 or 管理员 sets it, and the audit log keeps who and when."""
        if not isinstance(on, bool):
            raise ProblemsError([Problem("网格员代收", f"应为 开 或 关：{on!r}")])
        self._l.require("policies")
        before = self.get().notice_grid_collection
        if before == on:
            return Change()
        with self._l.transaction() as db:
            db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [GRID_COLLECTION, json.dumps(on)])
            self._l.log("settings", None, "update", {GRID_COLLECTION: before}, {GRID_COLLECTION: on}, operator=operator)
        self._cache = None
        return Change(settings=True)

    def add_village(self, name: str, kind: str = "村", groups: Iterable[str] = ()) -> Change:
        self._l.require("policies")
        name = text(name)
        groups = [text(g) for g in (groups or ())]
        problems = []
        if not name:
            problems.append(Problem("村", "村（社区）名称不能为空"))
        elif self.village_id(name) is not None:
            problems.append(Problem("村", f"村（社区）「{name}」已存在"))
        if kind not in VILLAGE_KINDS:
            problems.append(Problem("村", f"类型应为 村 或 社区：{kind}"))
        if len(set(groups)) != len(groups) or any(not g for g in groups):
            problems.append(Problem("组", "组名有空白或重复"))
        if problems:
            raise ProblemsError(problems)
        with self._l.transaction():
            vid = self._insert_village(name, kind, groups)
            self._l.log("village", vid, "create", None, {"name": name, "kind": kind, "groups": groups})
        self._cache = None
        return Change(settings=True, id=vid)

    def add_group(self, village: str, name: str) -> Change:
        self._l.require("policies")
        vid = self.village_id(village)
        name = text(name)
        if vid is None:
            raise ProblemsError([Problem("村", f"没有村（社区）「{village}」")])
        if not name or self.group_id(vid, name) is not None:
            raise ProblemsError([Problem("组", f"「{village}」的组名「{name}」为空或已存在")])
        with self._l.transaction() as db:
            gid = db.execute("INSERT INTO village_groups (id, village_id, name) VALUES (?, ?, ?)",
                             [next_id(db, "village_groups"), vid, name]).lastrowid
            self._l.log("group", gid, "create", None, {"village": village, "name": name})
        self._cache = None
        return Change(settings=True, id=gid)

    # -- helpers
    def _insert_village(self, name: str, kind: str, groups: Iterable[str]) -> int:
        db = self._l.db
        vid = db.execute("INSERT INTO villages (id, name, kind) VALUES (?, ?, ?)",
                         [next_id(db, "villages"), name, kind]).lastrowid
        for g in groups:
            db.execute("INSERT INTO village_groups (id, village_id, name) VALUES (?, ?, ?)",
                       [next_id(db, "village_groups"), vid, g])
        return vid

    @staticmethod
    def _check(*, township: str, year: int, policy_id: str, operators: list[str], area_kind: str) -> list[Problem]:
        from ..policy_catalog import UnknownPolicy, get_policy

        problems = []
        try:
            year = int(year)
        except (TypeError, ValueError):
            problems.append(Problem("年度", f"年度应为整数，如 2025：{year!r}"))
            year = None
        if not (township or "").strip():
            problems.append(Problem("乡镇", "乡镇（街道）名称不能为空"))
        if not operators:
            problems.append(Problem("操作员", "至少需要一名操作员"))
        try:
            policy = get_policy(policy_id)
        except UnknownPolicy as exc:
            problems.append(Problem("政策", str(exc)))
            return problems
        if year is not None and year != policy.year:
            problems.append(Problem("年度", f"政策 {policy_id} 是 {policy.year} 年度的，台账年度为 {year}"))
        if area_kind and policy.area_kinds and area_kind not in policy.area_kinds:
            problems.append(Problem("地区类型", f"地区类型「{area_kind}」无效。可用：{'、'.join(policy.area_kinds)}"))
        if area_kind and not policy.area_kinds:
            problems.append(Problem("地区类型", f"政策 {policy_id} 不按区/县区分补助，无需设置地区类型"))
        return problems
