"""The join card (入站文件): what the township gives a village laptop that has been used alone, so that it can
join as a station (``app.ledger.join``).

At the township (``write_card``, ``canbao station invite``, 设置 → 站点… → 接入已在用的村台账…): a new station
number is taken and recorded (as a split records one: in the township's list and in ``<ledger>.stations``), the
township's pending changes go out under the old routing, and the card is written — the station, the township's
list of stations and signing keys, its villages and groups with their ids (the village's rows for the same
villages take those ids), the township's own rows of that village (households, members, categories, year
choices — not payments: ``join_merge``, so the village's people merge with them instead of arriving twice),
where the exchange starts, and the township's packet key. The card is an AES-256
zip (pyzipper) whose password is a 12-digit 入站码 shown once on the township's screen: the clerk carries the
file on a USB stick and is told the code by phone or in person, so a lost stick gives nobody the township's key.

At the village (``read_card``): the file and the code give a ``JoinCard``; a wrong code or a damaged file says
so in Chinese. The village makes its own signing key when it joins; the township records it from the station's
first packet — so a second laptop joining with the same card is refused at the township ("签名密钥不是站点
00N 登记的密钥"), never taken for the first. The card carries a per-invitation secret (random, kept at the
township as ``ledger_secret.join_secret:<number>``, never shown; at the village ``ledger_secret.join_secret``):
the station's packets prove its first key with it (``app.sync.join_proof``), so the township records that key
without the phone check a stranger's key needs — the card and its 入站码 were the check.
"""

from __future__ import annotations

import io
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.problems import Problem, ProblemsError
from . import stations
from .models import named_rows, now_iso

if TYPE_CHECKING:
    from .db import Ledger

SUFFIX = ".canbao-join"
INNER = "join.json"
VERSION = 1


@dataclass(frozen=True)
class JoinCard:
    station: stations.Station
    township_name: str
    stations: tuple[stations.Station, ...]
    villages: tuple[tuple[int, str, str], ...]       # (id, name, kind) at the township
    groups: tuple[tuple[int, int, str], ...]         # (id, village_id, name) at the township
    keys: tuple[tuple[int, str, str, str], ...]      # station_keys rows: (number, public_key, recorded_at, how)
    sync_key: bytes = field(repr=False)
    since: int = 0                                   # the township's outbox seq the station starts after
    created_at: str = ""
    card_id: str = ""
    join_secret: bytes = field(default=b"", repr=False)  # this invitation's secret: proves the station's first key
    rows: dict = field(default_factory=dict, repr=False)  # the township's rows of the village (join_merge)

    @property
    def township_code(self) -> str:
        return self.station.township_code


@dataclass(frozen=True)
class WrittenCard:
    path: Path
    code_word: str          # the 入站码 (the zip's password): tell it to the clerk, never send it with the file
    station: stations.Station


def new_code_word() -> str:
    digits = f"{secrets.randbelow(10 ** 12):012d}"
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"


def _normal(code_word: str) -> str:
    return "".join(c for c in str(code_word or "") if c.isdigit())


def write_card(ledger: "Ledger", out: str | os.PathLike, *, village: str = "", name: str | None = None,
               kind: str = stations.VILLAGE, number: int | None = None) -> WrittenCard:
    """At the township: record a new station for a village laptop already in use and write its join card to
    ``out`` (a ``.canbao-join`` file, or a folder — made if missing — where it is named ``<code>-<name>.canbao-join``). Refused with every problem at once (not the township, number taken …)."""
    from ..sync import join_proof, signing
    from .files import atomic_path
    from .join_merge import township_rows
    from .split import _has_table, _township_outbox

    ledger.require("policies")
    mine = stations.current(ledger)
    village = (village or "").strip()
    problems = []
    if mine is None or mine.number != 0:
        problems.append(Problem("站点", "只有乡镇本级的台账（站点 000）能发入站文件"
                                        + ("" if mine is None else f"；本台账是站点 {mine.label}")))
        raise ProblemsError(problems)
    if kind not in (stations.VILLAGE, stations.GRID):
        problems.append(Problem("类型", f"加入的站点类型应为 村 或 网格：{kind}"))
    taken = [s for s in stations.known(ledger) if village and s.village == village and s.kind == stations.VILLAGE]
    if taken and kind == stations.VILLAGE:
        problems.append(Problem("村", f"「{village}」已是站点 {taken[0].label}"))
    n = stations.next_number(ledger) if number is None else int(number)
    code = stations.make_code(mine.township_code, n)
    station = stations.Station(code, (name or village).strip(), kind, n, mine.code, village)
    if (held := stations.get(ledger, code)) is not None:
        problems.append(Problem("站点代码", f"编号 {n:03d} 已被站点 {held.label} 使用"))
    else:
        problems += stations.check(ledger, code=code, name=station.name, kind=kind, parent=mine.code,
                                   village=village)
    if problems:
        raise ProblemsError(problems)
    target = Path(out)
    if target.is_dir() or str(out).endswith(("/", "\\")) or target.suffix != SUFFIX:  # a folder: named there
        target = target / f"{code}-{station.name}{SUFFIX}"
    if target.exists():
        raise ProblemsError([Problem("文件", f"文件已存在：{target}（请另选文件名）")])
    word = new_code_word()
    with ledger.transaction() as db:
        since = _township_outbox(db, mine.number)
        stations.record(ledger, code=code, name=station.name, kind=kind, parent=mine.code, village=village)
        if _has_table(db, "sync_peers"):
            db.execute("INSERT INTO sync_peers (station, acked_seq) VALUES (?, ?) ON CONFLICT(station)"
                       " DO UPDATE SET acked_seq = max(acked_seq, excluded.acked_seq)", [n, since])
        signing.ensure_own_key(db, mine.number, now_iso())
        card_id = secrets.token_hex(8)
        join_secret = secrets.token_bytes(32)  # kept here for station n, never shown (app.sync.join_proof)
        db.execute("INSERT OR REPLACE INTO ledger_secret (name, value) VALUES (?, ?)",
                   [join_proof.secret_name(n), join_secret])
        body = {
            "kind": "canbao-join", "version": VERSION, "card_id": card_id, "created_at": now_iso(),
            "township_name": ledger.settings.get().township,
            "station": _station_dict(station),
            "stations": [_station_dict(s) for s in stations.known(ledger)],
            "villages": _dicts(db, "SELECT id, name, kind FROM villages ORDER BY id"),
            "groups": _dicts(db, "SELECT id, village_id, name FROM village_groups ORDER BY id"),
            "keys": _dicts(db, "SELECT number, public_key, recorded_at, how FROM station_keys ORDER BY number")
            if _has_table(db, "station_keys") else [],
            "sync_key": bytes(db.execute("SELECT value FROM ledger_secret WHERE name = 'sync_key'").fetchone()[0]).hex(),
            "since": since,
            "join_secret": join_secret.hex(),
            "village_rows": township_rows(db, village),  # so the village's people merge with them
        }
        ledger.log("station", n, "invite", None, {"code": code, "name": station.name, "village": village,
                                                  "kind": kind, "card": card_id, "path": str(target)})
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as part:
            part.write_bytes(_seal(json.dumps(body, ensure_ascii=False).encode("utf-8"), word))
    return WrittenCard(target, word, station)


def _dicts(db, sql: str) -> list[dict]:
    return [{k: r[k] for k in r.keys()} for r in named_rows(db, sql)]


def _seal(data: bytes, word: str) -> bytes:
    import pyzipper

    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as z:
        z.setpassword(_normal(word).encode("ascii"))
        z.writestr(INNER, data)
    return buf.getvalue()


def _station_dict(s: stations.Station) -> dict:
    return {"code": s.code, "name": s.name, "kind": s.kind, "number": s.number, "parent": s.parent,
            "village": s.village}


def _station(d: dict) -> stations.Station:
    return stations.Station(str(d["code"]), str(d["name"]), str(d["kind"]), int(d["number"]),
                            str(d.get("parent", "")), str(d.get("village", "")))


def read_card(path: str | os.PathLike, code_word: str) -> JoinCard:
    """The card in ``path`` opened with its 入站码; ``ProblemsError`` (Chinese, naming the file) otherwise."""
    import zipfile

    import pyzipper

    where = str(path)
    try:
        with pyzipper.AESZipFile(path) as z:
            z.setpassword(_normal(code_word).encode("ascii"))
            data = z.read(INNER)
    except FileNotFoundError:
        raise ProblemsError([Problem(where, "入站文件不存在")]) from None
    except RuntimeError:
        raise ProblemsError([Problem(where, "入站码不对（请向乡镇核对 12 位入站码）")]) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ProblemsError([Problem(where, "不是入站文件，或文件已损坏（请乡镇重新生成）")]) from None
    try:
        body = json.loads(data.decode("utf-8"))
        if body.get("kind") != "canbao-join":
            raise ValueError
        if int(body.get("version", 0)) > VERSION:
            raise ProblemsError([Problem(where, "入站文件来自较新版本的程序，请先升级本程序")])
        st = _station(body["station"])
        card = JoinCard(
            station=st, township_name=str(body.get("township_name", "")),
            stations=tuple(_station(d) for d in body["stations"]),
            villages=tuple((int(v["id"]), str(v["name"]), str(v["kind"])) for v in body["villages"]),
            groups=tuple((int(g["id"]), int(g["village_id"]), str(g["name"])) for g in body["groups"]),
            keys=tuple((int(k["number"]), str(k["public_key"]), str(k["recorded_at"]), str(k["how"]))
                       for k in body["keys"]),
            sync_key=bytes.fromhex(body["sync_key"]), since=int(body.get("since", 0)),
            created_at=str(body.get("created_at", "")), card_id=str(body.get("card_id", "")),
            join_secret=bytes.fromhex(body.get("join_secret", "")), rows=dict(body.get("village_rows") or {}))
    except ProblemsError:
        raise
    except (ValueError, KeyError, TypeError, IndexError):
        raise ProblemsError([Problem(where, "入站文件内容不完整或已损坏（请乡镇重新生成）")]) from None
    if not stations.CODE_RE.match(st.code) or all(s.number != 0 for s in card.stations):
        raise ProblemsError([Problem(where, "入站文件内容不完整或已损坏（请乡镇重新生成）")])
    return card
