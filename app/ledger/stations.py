"""Stations (站点): which laptop a ledger is, within its township.

A township runs one ledger per station: the township itself (乡镇, number 0) and one per village (村) or grid
worker (网格). Each station has a **code** ``<乡镇代码>-<NNN>`` (``220112-003``) whose last three digits are its
**number**, a small integer unique within the township (0 = the township). The code never changes once set:
receipt numbers carry it (``220112-003-2025-000001``, see ``receipt_number``) and each station numbers its
receipts in its own range of ``seq`` (``seq_base``), so two stations never issue the same number and the
township's ledger can hold every station's payments.

Public API (small on purpose; the exchange packets and the window read it)::

    from app.ledger import stations
    stations.current(db) -> Station | None        # this ledger's own station (None: a ledger made before stations)
    stations.known(db) -> [Station]               # every station this ledger knows (the township's list), by number
    stations.get(db, code) -> Station | None
    stations.set_up(ledger, code=, name=, kind=, parent="", village="") -> Station   # this ledger's station
    stations.record(ledger, code=, name=, kind=, parent="", village="") -> Station   # another station (township)
    stations.next_number(db) -> int               # the next free station number in the township
    stations.make_code(township_code, number) -> "220112-003"
    stations.receipt_number(station, year, seq) -> "220112-003-2025-000001" ("2025-000001" without a station)
    stations.seq_base(db) -> int                  # number * SEQ_SPAN: where this ledger's receipt seqs begin
    stations.station_of_seq(db, seq) -> Station | None

``db`` is a ``Ledger`` or its sqlite-utils ``Database``. Tables (migration ``0080_stations``): ``stations`` (the
list, one row per known station; code and number fixed by a trigger, never deleted) and ``station_self``
(one row: which of them this file is). ``station_self`` is local to the file — a packet never carries it.
Writes are role-checked (``ledger.require("policies")``) and audited (entity ``station``).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.problems import Problem, ProblemsError
from .models import named_rows, now_iso, text

if TYPE_CHECKING:
    from .db import Ledger

TOWNSHIP, VILLAGE, GRID = "乡镇", "村", "网格"
KINDS = (TOWNSHIP, VILLAGE, GRID)
MAX_NUMBER = 999
SEQ_SPAN = 1_000_000  # each station's receipt seqs: number * SEQ_SPAN + 1 …, shown as six digits
_CODE = CODE_RE = re.compile(r"^([0-9A-Za-z]{1,12})-(\d{3})$")

MIGRATION_0080 = """
CREATE TABLE IF NOT EXISTS stations (
    code TEXT PRIMARY KEY,               -- 220112-003: <乡镇代码>-<number as three digits>
    name TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- 乡镇 / 村 / 网格
    number INTEGER NOT NULL UNIQUE,      -- 0 = the township; unique within the township
    parent TEXT NOT NULL DEFAULT '',     -- the parent station's code ('' for the township)
    village TEXT NOT NULL DEFAULT '',    -- the village (villages.name) this station keeps ('' = the whole township)
    created_at TEXT NOT NULL,
    CHECK (kind IN ('乡镇', '村', '网格')),
    CHECK (number BETWEEN 0 AND 999)
);
CREATE TABLE IF NOT EXISTS station_self (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    code TEXT NOT NULL REFERENCES stations(code)
);
CREATE TRIGGER IF NOT EXISTS stations_code_fixed BEFORE UPDATE OF code, number ON stations
WHEN NEW.code IS NOT OLD.code OR NEW.number IS NOT OLD.number
BEGIN SELECT RAISE(ABORT, '站点代码和编号不能修改（票据号带有站点代码）'); END;
CREATE TRIGGER IF NOT EXISTS stations_never_deleted BEFORE DELETE ON stations
BEGIN SELECT RAISE(ABORT, '站点不能删除'); END;
CREATE TRIGGER IF NOT EXISTS station_self_fixed BEFORE UPDATE ON station_self
WHEN NEW.code IS NOT OLD.code
BEGIN SELECT RAISE(ABORT, '本台账的站点设定后不能更换（票据号带有站点代码）'); END;
CREATE TRIGGER IF NOT EXISTS station_self_never_deleted BEFORE DELETE ON station_self
BEGIN SELECT RAISE(ABORT, '本台账的站点不能删除'); END;
"""


@dataclass(frozen=True, slots=True)
class Station:
    """One station of a township. ``parent`` is the parent station's code ('' for the township);
    ``village`` the village this station keeps ('' for the township, or a grid worker over several)."""

    code: str
    name: str
    kind: str
    number: int
    parent: str = ""
    village: str = ""

    @property
    def township_code(self) -> str:
        return self.code.rsplit("-", 1)[0]

    @property
    def seq_base(self) -> int:
        """Receipt seqs of this station are ``seq_base + 1 …`` (``receipt_number`` shows ``seq - seq_base``)."""
        return self.number * SEQ_SPAN

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def _db(db):
    return getattr(db, "db", db)


def _station(r) -> Station:
    return Station(code=r["code"], name=r["name"], kind=r["kind"], number=r["number"], parent=r["parent"],
                   village=r["village"])


_SELECT = "SELECT code, name, kind, number, parent, village FROM stations"


def _has_tables(db) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'station_self'").fetchone()
    return row is not None


# ---------------------------------------------------------------------------- reads
def current(db) -> Station | None:
    """This ledger's own station; None for a ledger without one (made before stations, or not set up)."""
    db = _db(db)
    if not _has_tables(db):
        return None
    rows = named_rows(db, _SELECT + " WHERE code = (SELECT code FROM station_self WHERE id = 1)")
    return _station(rows[0]) if rows else None


def known(db) -> list[Station]:
    """Every station this ledger knows (on the township's ledger: all its stations), by number."""
    db = _db(db)
    if not _has_tables(db):
        return []
    return [_station(r) for r in named_rows(db, _SELECT + " ORDER BY number")]


def get(db, code: str) -> Station | None:
    rows = named_rows(_db(db), _SELECT + " WHERE code = ?", [text(code)])
    return _station(rows[0]) if rows else None


def issued_path(ledger_path) -> Path:
    """``<ledger>.stations``: every station number this ledger ever gave out, one line each, beside the ledger
    like the receipt journal — so a township ledger restored from a backup made before a split never gives the
    same number (and so the same receipt codes) to a second village."""
    p = Path(ledger_path)
    return p.with_name(p.name + ".stations")


def issued(db) -> dict[int, tuple[str, str]]:
    """number -> (code, village) of every station number given out from this ledger file's place
    (``issued_path``); empty when ``db`` is not a ``Ledger`` or nothing was given out."""
    path = getattr(db, "path", None)
    if path is None:
        return {}
    try:
        lines = issued_path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    out = {}
    for line in lines:
        number, _, rest = line.partition("\t")
        if number.isdigit():
            parts = rest.split("\t")
            out[int(number)] = (parts[0], parts[1] if len(parts) > 1 else "")
    return out


def _remember(ledger: "Ledger", station: Station) -> None:
    """Note a station number given out (flushed and fsynced before the ledger commits it)."""
    line = f"{station.number}\t{station.code}\t{station.village}\t{now_iso()}\n"
    fd = os.open(issued_path(ledger.path), os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0),
                 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def next_number(db) -> int:
    """The next free station number (1 … 999): not in this ledger's township list, and never given out before
    from this ledger's place (``issued``)."""
    used = {s.number for s in known(db)} | set(issued(db))
    for n in range(1, MAX_NUMBER + 1):
        if n not in used:
            return n
    raise ProblemsError([Problem("站点", f"站点编号已用完（最多 {MAX_NUMBER} 个站点）")])


def make_code(township_code: str, number: int) -> str:
    return f"{text(township_code)}-{int(number):03d}"


def seq_base(db) -> int:
    """Where this ledger's receipt seqs begin (0 without a station, and for the township)."""
    s = current(db)
    return s.seq_base if s is not None else 0


def station_of_seq(db, seq: int) -> Station | None:
    """The station that issued a receipt seq (by its range); None for seqs of a ledger without stations."""
    number = int(seq) // SEQ_SPAN
    for s in known(db):
        if s.number == number:
            return s
    return None


def receipt_number(station: Station | None, year: int, seq: int) -> str:
    """``<code>-<year>-<NNNNNN>`` for a station (NNNNNN counted within the station's range), else the old
    ``<year>-<NNNNNN>`` (ledgers without a station keep their numbers)."""
    if station is None:
        return f"{year}-{seq:06d}"
    return f"{station.code}-{year}-{seq - station.seq_base:06d}"


def joined_receipt_number(station: Station, year: int, seq: int) -> str:
    """A receipt printed before its ledger joined the township as ``station`` (``app.ledger.join``):
    ``<code>:<year>-<NNNNNN>`` — the printed number after the colon, unique across the township by the code."""
    return f"{station.code}:{year}-{seq - station.seq_base:06d}"


def as_printed(receipt_no: str) -> str:
    """The number as printed on the paper receipt: ``220112-003:2025-000017`` -> ``2025-000017`` (a receipt
    printed before its station joined); every other number is printed as it is."""
    code, sep, printed = str(receipt_no).partition(":")
    return printed if sep and CODE_RE.match(code) else str(receipt_no)


def printed_matches(db, printed: str) -> list[str]:
    """The receipt numbers recorded for a number printed before a station joined (a resident brings
    ``2025-000017``): one per station that printed it — at a station itself at most one."""
    printed = text(printed)
    codes = [s.code for s in known(db)]
    if not printed or not codes:
        return []
    marks = ", ".join("?" * len(codes))
    return [no for (no,) in _db(db).execute(f"SELECT receipt_no FROM payments WHERE receipt_no IN ({marks})"
                                            " ORDER BY receipt_no", [f"{c}:{printed}" for c in codes])]


# ---------------------------------------------------------------------------- writes
def set_up(ledger: "Ledger", *, code: str, name: str, kind: str, parent: str = "", village: str = "") -> Station:
    """Make ``code`` this ledger's own station (recording it in the list if new). Once set, the code stays:
    calling again with the same code updates name, kind, parent and village; another code is refused."""
    ledger.require("policies")
    mine = current(ledger)
    code = text(code)
    if mine is not None and mine.code != code:
        raise ProblemsError([Problem("站点代码", f"本台账已是站点 {mine.label}，不能改为 {code}"
                                               "（票据号带有站点代码）；新的站点请拆分出新台账")])
    found = _CODE.match(code)
    if mine is None and found and int(found.group(2)) != 0:
        used = ledger.db.execute("SELECT (SELECT count(*) FROM households) + (SELECT count(*) FROM payments)"
                                 ).fetchone()[0]
        if used:  # its rows lie in the township's block of ids and its receipts are numbered without a station
            raise ProblemsError([Problem("站点代码", "本台账已有户和缴费记录：已在用的村台账请用“加入乡镇”"
                                                   "（乡镇写入站文件：canbao station invite；本台账：canbao station join），"
                                                   "不能直接设定为村站点")])
    with ledger.transaction() as db:
        station = _write(ledger, code=code, name=name, kind=kind, parent=parent, village=village)
        if mine is None:
            db.execute("INSERT INTO station_self (id, code) VALUES (1, ?)", [station.code])
            ledger.log("station", station.number, "self", None, {"code": station.code, "name": station.name})
            from ..sync.signing import ensure_own_key  # the station's own key pair: it signs its packets

            ensure_own_key(db, station.number, now_iso())
    return station


def record(ledger: "Ledger", *, code: str, name: str, kind: str, parent: str = "", village: str = "") -> Station:
    """Record another station of the township (the township's list; a split records the new village's station).
    An existing code is updated (name, kind, parent, village)."""
    ledger.require("policies")
    with ledger.transaction():
        return _write(ledger, code=code, name=name, kind=kind, parent=parent, village=village)


def check(db, *, code: str, name: str, kind: str, parent: str = "", village: str = "") -> list[Problem]:
    """Every problem with a station's fields (what ``set_up`` / ``record`` would refuse), for the window."""
    given = issued(db)
    db = _db(db)
    code, name, kind, parent, village = (text(v) for v in (code, name, kind, parent, village))
    problems: list[Problem] = []
    m = _CODE.match(code)
    if not m:
        problems.append(Problem("站点代码", f"站点代码应为「乡镇代码-三位编号」，如 220112-003：{code or '（空）'}"))
    if not name:
        problems.append(Problem("站点名称", "站点名称不能为空"))
    if kind not in KINDS:
        problems.append(Problem("类型", f"站点类型应为 {'、'.join(KINDS)} 之一：{kind or '（空）'}"))
    if m:
        number = int(m.group(2))
        if (kind == TOWNSHIP) != (number == 0):
            problems.append(Problem("站点代码", "乡镇本级的编号为 000，村和网格的编号为 001–999"))
        others = [s for s in known(db) if s.code != code]
        if any(s.number == number for s in others):
            problems.append(Problem("站点代码", f"编号 {number:03d} 已被站点 "
                                               f"{next(s.label for s in others if s.number == number)} 使用"))
        if number in given and given[number] != (code, village):
            was = " ".join(x for x in given[number] if x)
            problems.append(Problem("站点代码", f"编号 {number:03d} 以前已给了站点 {was}"
                                               "（台账从备份恢复过？），请用下一个编号"))
        towns = {s.township_code for s in others}
        if towns and m.group(1) not in towns:
            problems.append(Problem("站点代码", f"乡镇代码 {m.group(1)} 与本台账已有站点的乡镇代码 "
                                               f"{'、'.join(sorted(towns))} 不同"))
    if kind != TOWNSHIP and not parent:
        problems.append(Problem("上级站点", "村和网格站点须填写上级站点代码"))
    if parent and parent == code:
        problems.append(Problem("上级站点", "上级站点不能是它自己"))
    if village and db.execute("SELECT 1 FROM villages WHERE name = ?", [village]).fetchone() is None:
        problems.append(Problem("村", f"台账中没有村（社区）「{village}」"))
    return problems


def _write(ledger: "Ledger", *, code: str, name: str, kind: str, parent: str, village: str) -> Station:
    code, name, kind, parent, village = (text(v) for v in (code, name, kind, parent, village))
    if problems := check(ledger, code=code, name=name, kind=kind, parent=parent, village=village):
        raise ProblemsError(problems)
    number = int(_CODE.match(code).group(2))
    new = Station(code, name, kind, number, parent, village)
    old = get(ledger, code)
    fields = {"name": name, "kind": kind, "parent": parent, "village": village}
    if old is None:
        if getattr(ledger, "path", None) is not None and number not in issued(ledger):
            _remember(ledger, new)
        ledger.db.execute("INSERT INTO stations (code, name, kind, number, parent, village, created_at)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?)", [code, name, kind, number, parent, village, now_iso()])
        ledger.log("station", number, "create", None, {"code": code, "number": number, **fields})
    elif old != new:
        ledger.db.execute("UPDATE stations SET name = ?, kind = ?, parent = ?, village = ? WHERE code = ?",
                          [name, kind, parent, village, code])
        ledger.log("station", number, "update", {"name": old.name, "kind": old.kind, "parent": old.parent,
                                                 "village": old.village}, fields)
    return new


def by_village(db) -> tuple[dict[str, Station], Station | None]:
    """Which station keeps each village (a 村 station before a 网格 one), and the station for every other row
    (this ledger's own): the 站点 column of the township's exports."""
    keep: dict[str, Station] = {}
    for s in sorted(known(db), key=lambda s: (s.kind != VILLAGE, s.number)):
        if s.village and s.village not in keep:
            keep[s.village] = s
    return keep, current(db)


def carry_over(db, old_path, new_path) -> int:
    """A rolled-over ledger (next year's, built with the old one attached as ``old``) stays the same station
    with the same list, and remembers the numbers given out (``issued_path``); returns the stations copied."""
    if db.execute("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = 'station_self'").fetchone() is None:
        return 0
    n = db.execute("INSERT INTO main.stations (code, name, kind, number, parent, village, created_at)"
                   " SELECT code, name, kind, number, parent, village, created_at FROM old.stations").rowcount
    db.execute("INSERT INTO main.station_self (id, code) SELECT id, code FROM old.station_self")
    from ..sync.signing import carry_over as carry_keys  # the same packet key and signing keys

    carry_keys(db)
    src = issued_path(old_path)
    if src.exists():
        issued_path(new_path).write_bytes(src.read_bytes())
    return n
