"""Joining a village the township already holds (``app.ledger.join``): the village's people are matched to the
township's rows of that village, so each person stays one record in the township, not a 重复参保 pair.

The township has usually imported the district's roster (户籍 / 参保名单) for all its villages itself, while the
village clerk has used Canbao alone with the same people. The join card (``join_card.write_card``) carries the
township's current rows of the invited village — ``households``, ``members``, ``member_categories``,
``member_years`` (``township_rows``; never payments) — and the join (``plan`` before anything is written, then
``take_ids`` / ``finish`` / ``set_base`` inside the join's transaction) does this:

- **people** are matched by ID number when name and birth date agree too; the same ID with another name or birth
  date is *doubtful*: not merged, listed in the preview, and both stay — a 重复参保 pair for the 专干. People
  without an ID (on either side) are matched inside matched households by name + birth date;
- **households** by the district's 户编号 (never by this program's own ``000017``: both ledgers counted from 1),
  otherwise by the township household most of their matched members are in; categories by member + category,
  year choices by member + year;
- a matched row **takes the township's id** (every reference follows, as for the station's block; which old id
  became which is kept in ``station_join_merged``, migration ``0230_station_join_merged``), its 户编号 (unless
  the village has the district's and the township only this program's own) and creation time; a value the village left empty is filled from the township's (a merge never erases); the
  village's capture base (``sync_base``, ``app.sync.capture``) for it is the township's version from the card, so
  the first packet carries only the real differences, as UPDATEs with the township's values as "before": the
  township takes the village's value where it has not changed that field since the card, and lists a
  两处修改 conflict where it has (``app.sync.applying``) — never silently overwritten;
- village rows not matched get the station's block ids and travel as new, as before;
- township rows the village lacks (its people the clerk never entered, groups it does not have) are written into
  the village's ledger at the join with their township ids and counted as already exchanged: nothing travels for
  them, and from then on the township's edits of them reach the station (``app.sync.routes``: a household of a
  village a station keeps goes to that station);
- **payments never merge**: every payment of both sides stays, pointing at the one merged person; a person paid on
  both sides is listed at the township as 重复缴费 with the later payment as refund candidate
  (``applying.double_payments``) when the station's first packet arrives.

Limits: the township's payments from before the card stay at the township (as for a split). A township 户主 the
village lacks, of a household whose village version has another 户主 (usually the township side of a doubtful
pair), is not written into the village's ledger — one household cannot have two heads — and stays at the township
only (listed in the preview); should the township's rows still not fit (another unique rule), the join stops with a
Chinese message and writes nothing. A household whose 户主 changed on one side (the son now head, both people
matched) is merged; the township may then refuse one of the two relation changes (one head per household) and
list it as 记录冲突 for the 专干.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.problems import Problem, ProblemsError
from .ids import BLOCK

if TYPE_CHECKING:
    from .join_card import JoinCard

TABLES = ("households", "members", "member_categories", "member_years")

MIGRATION_0230 = """
CREATE TABLE IF NOT EXISTS station_join_merged (
    tbl TEXT NOT NULL,                   -- households / members / member_categories
    village_id INTEGER NOT NULL,         -- the row's id in this ledger before the join (block 0)
    township_id INTEGER NOT NULL,        -- the township's id it took (the same record there)
    PRIMARY KEY (tbl, village_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS station_join_merged_fixed BEFORE UPDATE ON station_join_merged
BEGIN SELECT RAISE(ABORT, '入站合并记录不能修改'); END;
CREATE TRIGGER IF NOT EXISTS station_join_merged_kept BEFORE DELETE ON station_join_merged
BEGIN SELECT RAISE(ABORT, '入站合并记录不能删除'); END;
"""
_OWN_HOUSEHOLD = re.compile(r"^\d{1,6}$")  # a 户编号 this program gave (000017), not the district's
_KEEP_TOWN = {"created_at", "number"}  # matched rows keep the township's creation time and 户编号


# ------------------------------------------------------------------------------------------ at the township
def township_rows(db, village: str) -> dict:
    """The township's rows of ``village`` for the card: {table: {"columns": [...], "rows": [[...], ...]}}."""
    if not village:
        return {}
    where = {
        "households": "village_id IN (SELECT id FROM villages WHERE name = ?)",
        "members": "household_id IN (SELECT h.id FROM households h JOIN villages v ON v.id = h.village_id"
                   " WHERE v.name = ?)",
    }
    where["member_categories"] = where["member_years"] = \
        f"member_id IN (SELECT id FROM members WHERE {where['members']})"
    out = {}
    for t in TABLES:
        cur = db.execute(f"SELECT * FROM {t} WHERE {where[t]}", [village])
        cols = [d[0] for d in cur.description]
        out[t] = {"columns": cols, "rows": [list(r) for r in cur.fetchall()]}
    return out


def rows_of(card: "JoinCard", table: str) -> list[dict]:
    got = (card.rows or {}).get(table) or {}
    cols = got.get("columns") or []
    return [dict(zip(cols, r)) for r in got.get("rows") or []]


# ------------------------------------------------------------------------------------------ the plan
@dataclass
class MergePlan:
    """Who is whom (village id -> township id, village ids still in block 0), and what the preview says."""

    households: dict[int, int] = field(default_factory=dict)
    members: dict[int, int] = field(default_factory=dict)
    categories: dict[int, int] = field(default_factory=dict)
    years: set = field(default_factory=set)                 # (township member id, year) both sides have
    town: dict[str, list[dict]] = field(default_factory=dict)  # the card's rows
    town_only: dict[str, list[dict]] = field(default_factory=dict)
    doubtful: list[str] = field(default_factory=list)
    held_back: list[str] = field(default_factory=list)      # township 户主 not written here (see ``plan``)
    renumbered: dict[int, str] = field(default_factory=dict)  # village household -> 户编号 told apart
    numbers: dict[int, str] = field(default_factory=dict)     # village household -> its 户编号 before the join
    village_people: int = 0
    village_households: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {"people_matched": len(self.members), "households_matched": len(self.households),
                "people_new_here": self.village_people - len(self.members),
                "households_new_here": self.village_households - len(self.households),
                "people_township_only": len(self.town_only.get("members", [])),
                "households_township_only": len(self.town_only.get("households", [])),
                "doubtful": len(self.doubtful), "held_back": len(self.held_back)}

    def lines(self) -> list[str]:
        if not self.town.get("members") and not self.town.get("households"):
            return []
        c = self.counts
        out = [f"与乡镇台账对上 {c['people_matched']} 人、{c['households_matched']} 户（合并为同一条记录，"
               "第一个交换包只带两边不同的地方）",
               f"本村有、乡镇没有：{c['people_new_here']} 人、{c['households_new_here']} 户（作为新记录发给乡镇）",
               f"乡镇有、本村没有：{c['people_township_only']} 人、{c['households_township_only']} 户（加入时写入本台账）"]
        if self.doubtful:
            out.append(f"身份证号相同但姓名或出生日期不同，未合并（在乡镇列入重复参保，由专干核实）{len(self.doubtful)} 人：")
            out += [f"  {d}" for d in self.doubtful[:50]]
            if len(self.doubtful) > 50:
                out.append(f"  … 另 {len(self.doubtful) - 50} 人")
        if self.renumbered:
            out.append(f"两边户主不是同一人的同号户未合并，本村的户编号后加站号以示区别：{len(self.renumbered)} 户（"
                       + "、".join(list(self.renumbered.values())[:20]) + "）")
        if self.held_back:
            out.append("乡镇的户主与本村该户的户主不是同一人，这些乡镇记录只留在乡镇（由专干核实）："
                       + "、".join(self.held_back[:50]) + (" …" if len(self.held_back) > 50 else ""))
        return out


def _named(db, sql: str, params=()) -> list[dict]:
    cur = db.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def plan(db, card: "JoinCard") -> MergePlan:
    """Match this (not yet joined) ledger's rows of the station's village to the township's (nothing written)."""
    from ..domain.idnumber import mask_id_number

    p = MergePlan(town={t: rows_of(card, t) for t in TABLES})
    village = card.station.village
    mine_h = _named(db, "SELECT h.id, h.number FROM households h JOIN villages v ON v.id = h.village_id"
                        " WHERE v.name = ? ORDER BY h.id", [village]) if village else []
    hids = {h["id"] for h in mine_h}
    p.numbers = {h["id"]: h["number"] for h in mine_h}
    mine_m = [m for m in _named(db, "SELECT id, household_id, name, id_number, birth_date, relation FROM members"
                                    " ORDER BY id") if m["household_id"] in hids]
    p.village_people, p.village_households = len(mine_m), len(mine_h)
    town_m = p.town["members"]
    town_h = {h["id"]: h for h in p.town["households"]}
    by_id = {}
    for t in town_m:
        if t.get("id_number"):
            by_id.setdefault(t["id_number"], t)
    taken: set[int] = set()
    for m in mine_m:  # 1. by ID number
        t = by_id.get(m["id_number"]) if m["id_number"] else None
        if t is None or t["id"] in taken:
            continue
        if t["name"] == m["name"] and t["birth_date"] == m["birth_date"]:
            p.members[m["id"]] = t["id"]
            taken.add(t["id"])
        else:
            p.doubtful.append(f"{mask_id_number(m['id_number'])}：本村「{m['name']}，{m['birth_date']}」，"
                              f"乡镇「{t['name']}，{t['birth_date']}」")
            taken.add(t["id"])  # never matched to another village person by name either
    # 2. households: the district's 户编号, else the township household most of their matched members are in
    town_by_number = {h["number"]: h["id"] for h in town_h.values() if not _OWN_HOUSEHOLD.match(h["number"] or "")}
    used: set[int] = set()
    for h in mine_h:
        t = town_by_number.get(h["number"])
        if t is not None and t not in used:
            p.households[h["id"]] = t
            used.add(t)
    town_of = {t["id"]: t["household_id"] for t in town_m}
    tallies: dict[int, dict[int, int]] = {}
    for m in mine_m:
        if m["household_id"] not in p.households and m["id"] in p.members:
            tally = tallies.setdefault(m["household_id"], {})
            th = town_of[p.members[m["id"]]]
            tally[th] = tally.get(th, 0) + 1
    votes = [(-n, hid, th) for hid, tally in tallies.items() for th, n in tally.items()]
    for _n, hid, th in sorted(votes):
        if hid not in p.households and th not in used:
            p.households[hid] = th
            used.add(th)
    # 3. people left (without an ID on one side) inside matched households: name + birth date
    town_in: dict[int, list[dict]] = {}
    for t in town_m:
        town_in.setdefault(t["household_id"], []).append(t)
    for m in mine_m:
        th = p.households.get(m["household_id"])
        if m["id"] in p.members or th is None:
            continue
        for t in town_in.get(th, ()):
            if t["id"] not in taken and t["name"] == m["name"] \
                    and t["birth_date"] == m["birth_date"] \
                    and (not t.get("id_number") or not m["id_number"] or t["id_number"] == m["id_number"]):
                p.members[m["id"]] = t["id"]
                taken.add(t["id"])
                break
    # a household whose 户主 is, on both sides, someone the other side does not have (a doubtful pair, as a rule)
    # is not merged: one household cannot have two heads. The village's goes as new; if it holds the township's
    # 户编号 it is told apart by the station's number (listed; the 专干 merges them once the pair is judged)
    town_head = {t["household_id"]: t["id"] for t in town_m if t.get("relation") == "户主"}
    matched_town = set(p.members.values())
    for m in mine_m:
        th = p.households.get(m["household_id"])
        if m["relation"] == "户主" and th is not None and m["id"] not in p.members \
                and town_head.get(th) is not None and town_head[th] not in matched_town:
            del p.households[m["household_id"]]
            number = next(h["number"] for h in mine_h if h["id"] == m["household_id"])
            if number == town_h[th]["number"]:
                p.renumbered[m["household_id"]] = f"{number}-{card.station.number:03d}"
    # 4. categories (member + category) and year choices (member + year) of matched people
    town_c: dict[tuple[int, str], list[int]] = {}
    for c in p.town["member_categories"]:
        town_c.setdefault((c["member_id"], c["category"]), []).append(c["id"])
    for c in _named(db, "SELECT id, member_id, category FROM member_categories ORDER BY id"):
        t = p.members.get(c["member_id"])
        if t is not None and town_c.get((t, c["category"])):
            p.categories[c["id"]] = town_c[(t, c["category"])].pop(0)
    town_years = {(y["member_id"], y["year"]) for y in p.town["member_years"]}
    for mid, year in db.execute("SELECT member_id, year FROM member_years").fetchall():
        t = p.members.get(mid)
        if t is not None and (t, year) in town_years:
            p.years.add((t, year))
    matched_m = set(p.members.values())
    matched_h = set(p.households.values())
    matched_c = set(p.categories.values())
    # a township 户主 the village lacks, of a household whose village version has its own 户主 (the doubtful
    # pair's township side, as a rule): one household cannot have two — it stays at the township only
    headed = {p.households[m["household_id"]] for m in mine_m if m["relation"] == "户主"
              and m["household_id"] in p.households}
    held = {m["id"] for m in town_m if m["id"] not in matched_m and m.get("relation") == "户主"
            and m["household_id"] in headed}
    p.held_back = [f"{m['name']}（{mask_id_number(m['id_number']) if m.get('id_number') else '无证件'}）"
                   for m in town_m if m["id"] in held]
    p.town_only = {
        "households": [h for h in p.town["households"] if h["id"] not in matched_h],
        "members": [m for m in town_m if m["id"] not in matched_m and m["id"] not in held],
        "member_categories": [c for c in p.town["member_categories"] if c["id"] not in matched_c
                              and c["member_id"] not in held],
        "member_years": [y for y in p.town["member_years"] if (y["member_id"], y["year"]) not in p.years
                         and y["member_id"] not in held],
    }
    return p


# ------------------------------------------------------------------------------------------ the join
def take_ids(conn, db, p: MergePlan, off: int, move_ids, audit_columns) -> None:
    """Matched rows (already moved to ``old + off``) take the township's ids; every reference follows."""
    maps = {"households": p.households, "members": p.members, "member_categories": p.categories}
    for t, m in maps.items():
        conn.execute(f"CREATE TEMP TABLE jm3_{t} (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
        conn.executemany(f"INSERT INTO temp.jm3_{t} VALUES (?, ?)", [(a + off, b) for a, b in m.items()])
        # kept: which row of a pre-join backup is which record now (ids of rows not merged: old + offset)
        conn.executemany("INSERT INTO station_join_merged (tbl, village_id, township_id) VALUES (?, ?, ?)",
                         [(t, a, b) for a, b in m.items()])
    move_ids(conn, db, "jm3", tuple(maps))
    audit_columns(conn, "jm3", {"household": "households", "member": "members", "member_year": "members",
                                "category": "member_categories"})


def _columns(conn, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _empty(v) -> bool:
    return v is None or v == "" or v == "[]"


def finish(conn, p: MergePlan, card: "JoinCard") -> None:
    """Inside the join's transaction, after the ids and 户编号 moved: matched rows take the township's 户编号 and
    creation time, the township's value where theirs is empty, and the later edit time (the township's when
    nothing else differs, so nothing is sent for it); the township's rows the
    village lacks are written with their ids (groups first)."""
    matched = {"households": set(p.households.values()), "members": set(p.members.values()),
               "member_categories": set(p.categories.values())}
    # the district's 户编号 the village has stays where the township has only one of this program's own
    districts = {th for vh, th in p.households.items() if not _OWN_HOUSEHOLD.match(p.numbers.get(vh) or "")}
    for t in ("households", "members", "member_categories"):
        names = _columns(conn, t)
        cols = set(names)
        for row in p.town[t]:
            if row["id"] not in matched[t]:
                continue
            mine = dict(zip(names, conn.execute(f"SELECT * FROM {t} WHERE id = ?", [row["id"]]).fetchone()))
            sets = {}
            for c, v in row.items():
                if c not in cols or c == "id":
                    continue
                if c == "number" and t == "households" and row["id"] in districts \
                        and _OWN_HOUSEHOLD.match(v or ""):
                    continue
                if c in _KEEP_TOWN or (c == "updated_at" and (v or "") > (mine.get(c) or "")) \
                        or (_empty(mine.get(c)) and not _empty(v) and c not in ("id_type", "id_number", "id_rev")):
                    sets[c] = v
            if t == "members" and mine.get("id_number") is None and row.get("id_number"):
                sets.update(id_type=row["id_type"], id_number=row["id_number"], id_rev=row.get("id_rev"))
            after = {**mine, **sets}
            if all(after.get(c) == v for c, v in row.items() if c in cols and c != "updated_at"):
                sets["updated_at"] = row.get("updated_at", mine.get("updated_at"))  # the same: nothing to send
            sets = {c: v for c, v in sets.items() if mine.get(c) != v}
            if sets:
                conn.execute(f"UPDATE {t} SET {', '.join(f'{c} = ?' for c in sets)} WHERE id = ?",
                             [*sets.values(), row["id"]])
    off = card.station.number * BLOCK
    conn.executemany("UPDATE households SET number = ? WHERE id = ?",
                     [(number, hid + off) for hid, number in p.renumbered.items()])
    have_groups = {g for (g,) in conn.execute("SELECT id FROM village_groups")}
    village_ids = {v for (v,) in conn.execute("SELECT id FROM villages")}
    groups = [(g, v, n) for g, v, n in card.groups if g not in have_groups and v in village_ids
              and any(h.get("group_id") == g for h in p.town_only["households"])]
    for g, v, n in groups:
        conn.execute("INSERT INTO village_groups (id, village_id, name) VALUES (?, ?, ?)", [g, v, n])
    p.town_only["village_groups"] = [{"id": g} for g, _v, _n in groups]
    for t in TABLES:
        rows = p.town_only[t]
        if not rows:
            continue
        cols = [c for c in _columns(conn, t) if c in rows[0]]
        try:
            conn.executemany(f"INSERT INTO {t} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [[r[c] for c in cols] for r in rows])
        except Exception as exc:  # noqa: BLE001 - sqlite3 or apsw: the driver's IntegrityError, said in Chinese
            if "IntegrityError" not in type(exc).__name__ and "Constraint" not in type(exc).__name__:
                raise
            raise ProblemsError([Problem(f"乡镇台账·{t}", f"乡镇有、本村没有的记录写不进本台账（{exc}）：多半是同一户"
                                                         "两边的户主不同。请先与乡镇核对该户，再加入；未加入")]) from None


def set_base(conn, p: MergePlan) -> None:
    """After ``join._everything_new``: a matched row's base is the township's version (the first packet carries
    the differences as UPDATEs), a row written from the card has none (nothing to send)."""
    from ..sync.capture import pk_json

    base = []
    for t in ("households", "members", "member_categories"):
        ids = set({"households": p.households, "members": p.members,
                   "member_categories": p.categories}[t].values())
        base += [(t, pk_json([r["id"]]), json.dumps(r, ensure_ascii=False)) for r in p.town[t] if r["id"] in ids]
    base += [("member_years", pk_json([r["member_id"], r["year"]]), json.dumps(r, ensure_ascii=False))
             for r in p.town["member_years"] if (r["member_id"], r["year"]) in p.years]
    conn.executemany("INSERT OR REPLACE INTO sync_base (tbl, pk, row) VALUES (?, ?, ?)", base)
    gone = [(t, pk_json([r["id"]])) for t in ("households", "members", "member_categories", "village_groups")
            for r in p.town_only.get(t, [])]
    gone += [("member_years", pk_json([r["member_id"], r["year"]])) for r in p.town_only["member_years"]]
    conn.executemany("DELETE FROM sync_base WHERE tbl = ? AND pk = ?", gone)
