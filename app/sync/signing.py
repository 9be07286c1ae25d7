"""Each station signs its own packets (Ed25519), so one station cannot send a packet as another.

Every station's ledger holds its own private key (``ledger_secret.station_sign_key``, the 32-byte Ed25519
seed; never leaves the file, never in a packet). The public keys are recorded in ``station_keys`` (migration
``0150_station_keys``), one current key per station number; a key is replaced only with its history kept
(``station_keys_replaced``, migration ``0190_station_key_history``: the old key, when and how it had been
recorded, when, how and why it was replaced, by whom; a trigger refuses any other change, never deleted, and a
replaced key can never be put back on record):

- a station **set up** (``stations.set_up``) or **split off** (``split``) gets its key pair then; a split
  records the new station's public key at the township and gives the new ledger the township's list of keys;
- every packet's header carries the sender's public key (``from_key``) and an Ed25519 signature over the
  header (which lists each changeset's and policy file's SHA-256), besides the township-wide HMAC;
- a packet is accepted only if ``from_key`` is the key on record for its sender. A key that is another
  station's, a key the sender had before (a stolen laptop, a packet from before the change), or another key
  than the one on record, is refused with a Chinese message and nothing is written (``check_sender``);
- **planned change** (``key_changes.change_own_key``): a station makes a new key pair; the change, signed by
  the old key, travels in every packet it sends (``key_changes``), so the receiver takes the new key (audited)
  and from then refuses the old one. The township's own change reaches its stations the same way;
- **lost key** (laptop reinstalled from an old backup, or stolen): a 专干 replaces the key on record for that
  station by hand (``key_changes.replace_key``: role-checked, reason required, audited, and only with the
  fingerprint read out by the station over the phone); packets signed with the old key are refused afterwards;
- a station with no key on record yet (ledgers and packets from before; a station registered by hand) is
  recorded from its first signed packet only once a 专干 has compared its fingerprint with the station's (the
  preview says "新站点签名密钥（指纹 …）首次记录"; ``apply_packet(confirm_key=…)``) — or beforehand with
  ``record_key``. An unsigned (older) packet is accepted only from a sender with no key on record. A station
  that joined with the township's join card proves its first key with the card's secret instead
  (``app.sync.join_proof``): recorded without the phone check, audited as 由入站文件证明; a wrong proof is refused;

``record_key(ledger, number, public_key)`` records a key by hand (the township, before the first packet of a
station set up on a copy); ``own_public_key(db)`` is what to give it; ``fingerprint`` is what people compare.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from Cryptodome.PublicKey import ECC
from Cryptodome.Signature import eddsa

from ..domain.problems import Problem, ProblemsError

if TYPE_CHECKING:
    from ..ledger.db import Ledger

SECRET = "station_sign_key"

MIGRATION_0150 = """
CREATE TABLE IF NOT EXISTS station_keys (
    number INTEGER PRIMARY KEY,          -- the station number (0 = the township)
    public_key TEXT NOT NULL,            -- Ed25519 public key, 64 hex digits
    recorded_at TEXT NOT NULL,
    how TEXT NOT NULL                    -- 本站生成 / 拆分时生成 / 交换包首次带来 / 登记
);
CREATE TRIGGER IF NOT EXISTS station_keys_fixed BEFORE UPDATE ON station_keys
WHEN NEW.public_key IS NOT OLD.public_key OR NEW.number IS NOT OLD.number
BEGIN SELECT RAISE(ABORT, '站点的签名公钥登记后不能修改'); END;
CREATE TRIGGER IF NOT EXISTS station_keys_never_deleted BEFORE DELETE ON station_keys
BEGIN SELECT RAISE(ABORT, '站点的签名公钥不能删除'); END;
"""


def migrate_0150(db) -> None:
    from ..ledger.schema import _statements

    for statement in _statements(MIGRATION_0150):
        db.execute(statement)


MIGRATION_0190 = """
CREATE TABLE IF NOT EXISTS station_keys_replaced (
    id INTEGER PRIMARY KEY,
    number INTEGER NOT NULL,             -- the station number (0 = the township)
    public_key TEXT NOT NULL,            -- the key replaced (64 hex digits)
    recorded_at TEXT NOT NULL,           -- when it had been recorded, and how (station_keys.how)
    how TEXT NOT NULL,
    replaced_at TEXT NOT NULL,           -- when it was replaced in this ledger
    replaced_by TEXT NOT NULL,           -- the key on record after it
    way TEXT NOT NULL,                   -- 本站更换 / 该站更换（旧密钥签名） / 专干更换
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    operator TEXT NOT NULL DEFAULT '',
    signed_at TEXT,                      -- the change as the station signed it with the old key (NULL: by hand)
    signature TEXT
);
CREATE INDEX IF NOT EXISTS station_keys_replaced_key ON station_keys_replaced(public_key);
CREATE INDEX IF NOT EXISTS station_keys_replaced_number ON station_keys_replaced(number, replaced_at);
CREATE TRIGGER IF NOT EXISTS station_keys_replaced_fixed BEFORE UPDATE ON station_keys_replaced
BEGIN SELECT RAISE(ABORT, '更换掉的签名公钥记录不能修改'); END;
CREATE TRIGGER IF NOT EXISTS station_keys_replaced_kept BEFORE DELETE ON station_keys_replaced
BEGIN SELECT RAISE(ABORT, '更换掉的签名公钥记录不能删除'); END;
DROP TRIGGER IF EXISTS station_keys_fixed;
CREATE TRIGGER IF NOT EXISTS station_keys_changed_with_history BEFORE UPDATE ON station_keys
WHEN NEW.number IS NOT OLD.number OR (NEW.public_key IS NOT OLD.public_key AND NOT EXISTS (
    SELECT 1 FROM station_keys_replaced r
    WHERE r.number = OLD.number AND r.public_key = OLD.public_key AND r.replaced_by = NEW.public_key))
BEGIN SELECT RAISE(ABORT, '站点的签名公钥只能经「更换签名密钥」更换（旧公钥连同更换时间和原因留存）'); END;
CREATE TRIGGER IF NOT EXISTS station_keys_retired_stay_out BEFORE UPDATE OF public_key ON station_keys
WHEN EXISTS (SELECT 1 FROM station_keys_replaced r WHERE r.public_key = NEW.public_key)
BEGIN SELECT RAISE(ABORT, '已更换掉的签名公钥不能再登记'); END;
CREATE TRIGGER IF NOT EXISTS station_keys_retired_not_again BEFORE INSERT ON station_keys
WHEN EXISTS (SELECT 1 FROM station_keys_replaced r WHERE r.public_key = NEW.public_key)
BEGIN SELECT RAISE(ABORT, '已更换掉的签名公钥不能再登记'); END;
"""


def migrate_0190(db) -> None:
    from ..ledger.schema import _statements

    for statement in _statements(MIGRATION_0190):
        db.execute(statement)


def _conn(db):
    return getattr(db, "db", db)


def _has_table(db) -> bool:
    return _conn(db).execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'station_keys'"
                             ).fetchone() is not None


def new_seed() -> bytes:
    return bytes(ECC.generate(curve="Ed25519").seed)


def public_of(seed: bytes) -> str:
    return eddsa.import_private_key(seed).public_key().export_key(format="raw").hex()


def fingerprint(public_key: str) -> str:
    """A short form to read out over the phone: the first 16 hex digits of its SHA-256, in fours."""
    d = hashlib.sha256(bytes.fromhex(public_key)).hexdigest()[:16].upper()
    return " ".join(d[i:i + 4] for i in range(0, 16, 4))


def sign(seed: bytes, body: bytes) -> str:
    return eddsa.new(eddsa.import_private_key(seed), "rfc8032").sign(body).hex()


def verify(public_key: str, body: bytes, signature: str) -> bool:
    try:
        eddsa.new(eddsa.import_public_key(bytes.fromhex(public_key)), "rfc8032").verify(body, bytes.fromhex(signature))
    except (ValueError, TypeError):
        return False
    return True


def own_seed(db) -> bytes | None:
    row = _conn(db).execute("SELECT value FROM ledger_secret WHERE name = ?", [SECRET]).fetchone()
    return bytes(row[0]) if row else None


def own_public_key(db) -> str | None:
    seed = own_seed(db)
    return public_of(seed) if seed else None


def key_of(db, number: int) -> str | None:
    """The public key on record for station ``number``."""
    if not _has_table(db):
        return None
    row = _conn(db).execute("SELECT public_key FROM station_keys WHERE number = ?", [int(number)]).fetchone()
    return row[0] if row else None


def has_history(db) -> bool:
    return _conn(db).execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'station_keys_replaced'"
                             ).fetchone() is not None


@dataclass(frozen=True)
class Retired:
    """A key that was on record for station ``number`` and was replaced."""

    number: int
    public_key: str
    replaced_at: str
    replaced_by: str
    way: str
    reason: str
    operator: str


def retired(db, public_key: str) -> Retired | None:
    """The record of ``public_key`` having been replaced, if it was (in any station)."""
    if not has_history(db):
        return None
    names = [f.name for f in fields(Retired)]
    row = _conn(db).execute(f"SELECT {', '.join(names)} FROM station_keys_replaced WHERE public_key = ?"
                            " ORDER BY id LIMIT 1", [public_key]).fetchone()
    return Retired(**dict(zip(names, row))) if row else None


def short_time(ts: str) -> str:
    """An ISO UTC timestamp as the clerk reads it (local time, to the minute)."""
    import datetime as dt

    try:
        t = dt.datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return str(ts or "")
    if t.tzinfo is not None:
        t = t.astimezone()
    return t.strftime("%Y-%m-%d %H:%M")


def station_with_key(db, public_key: str) -> int | None:
    if not _has_table(db):
        return None
    row = _conn(db).execute("SELECT number FROM station_keys WHERE public_key = ?", [public_key]).fetchone()
    return row[0] if row else None


def put_key(db, number: int, public_key: str, how: str, now: str) -> bool:
    """Record a station's public key if none is on record (inside the caller's transaction); True if new.
    A different key on record raises ``ProblemsError``."""
    had = key_of(db, number)
    if had == public_key:
        return False
    if had is not None:
        raise ProblemsError([Problem("签名公钥", f"站点 {int(number):03d} 已登记另一把签名公钥（{fingerprint(had)}），"
                                             "登记不能更换它：要更换，请电话核对新密钥的指纹后用「更换签名密钥」"
                                             "（canbao packet key --replace，须写明原因）")])
    gone = retired(db, public_key)
    if gone is not None:
        raise ProblemsError([Problem("签名公钥", f"这把公钥（{fingerprint(public_key)}）是站点 {gone.number:03d} "
                                             f"已于 {short_time(gone.replaced_at)} 更换掉的（{gone.reason}），不能再登记")])
    _conn(db).execute("INSERT INTO station_keys (number, public_key, recorded_at, how) VALUES (?, ?, ?, ?)",
                      [int(number), public_key, now, how])
    return True


def ensure_own_key(db, number: int, now: str, how: str = "本站生成") -> bytes | None:
    """This ledger's private key, made (and its public key recorded for ``number``) if it has none yet; None
    for a ledger from before migration 0150 (inside the caller's transaction)."""
    if not _has_table(db):
        return None
    seed = own_seed(db)
    made = seed is None
    if made:
        seed = new_seed()
        _conn(db).execute("INSERT INTO ledger_secret (name, value) VALUES (?, ?)", [SECRET, seed])
    on_record = key_of(db, number)
    if on_record is None:
        put_key(db, number, public_of(seed), how, now)
    elif made and has_history(db):  # restored from a backup without the private key: this ledger's own list
        from .key_changes import OWN, _retire  # shows the key it now signs with (the other side must replace)

        _retire(db, number, on_record, public_of(seed), OWN, "台账中没有本站私钥（从更早的备份恢复？），已生成新密钥",
                "", now)
    return seed


def parse_key(text: str, place: str = "签名公钥") -> str:
    """A public key as typed (64 hex digits, spaces and case ignored); a ``ProblemsError`` if it is not one."""
    key = "".join((text or "").split()).lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ProblemsError([Problem(place, "签名公钥应为 64 位十六进制数字（在该站 canbao packet key 或"
                                            "「站点… → 签名密钥」中显示）")])
    return key


def same_fingerprint(public_key: str, heard: str | None) -> bool:
    """Whether ``heard`` (as read out over the phone: spaces, dashes and case ignored) is ``public_key``'s
    fingerprint, or the whole key."""
    said = "".join(c for c in (heard or "").lower() if c in "0123456789abcdef")
    return bool(said) and said in (fingerprint(public_key).replace(" ", "").lower(), public_key.lower())


def record_key(ledger: "Ledger", number: int, public_key: str) -> bool:
    """Record station ``number``'s public key by hand (``policies`` permission, audited); True if new."""
    from ..ledger.models import now_iso

    ledger.require("policies")
    key = parse_key(public_key)
    with ledger.transaction():
        new = put_key(ledger, number, key, "登记", now_iso())
        if new:
            ledger.log("station", int(number), "key", None, {"public_key": key, "fingerprint": fingerprint(key)})
    return new


def give_split_key(township_db, new_conn, number: int, township: int, now: str) -> None:
    """A split: the new station's key pair (private key into the new ledger), its public key recorded at the
    township, and the township's list of keys (with the township's own, made if missing) in the new ledger."""
    if not _has_table(township_db) or not _has_table(new_conn):
        return
    ensure_own_key(township_db, township, now)
    seed = new_seed()
    put_key(township_db, number, public_of(seed), "拆分时生成", now)
    new_conn.execute("INSERT OR REPLACE INTO ledger_secret (name, value) VALUES (?, ?)", [SECRET, seed])
    for n, key, at, how in _conn(township_db).execute(
            "SELECT number, public_key, recorded_at, how FROM station_keys ORDER BY number"):
        new_conn.execute("INSERT OR IGNORE INTO station_keys (number, public_key, recorded_at, how)"
                         " VALUES (?, ?, ?, ?)", [n, key, at, how])
    if has_history(township_db) and has_history(new_conn):  # and the keys replaced: never accepted there either
        columns = "number, public_key, recorded_at, how, replaced_at, replaced_by, way, reason, operator, signed_at, signature"
        have = {tuple(r) for r in new_conn.execute("SELECT number, public_key, replaced_at FROM station_keys_replaced")}
        rows = [r for r in _conn(township_db).execute(f"SELECT {columns} FROM station_keys_replaced ORDER BY id")
                if (r[0], r[1], r[4]) not in have]
        new_conn.executemany(f"INSERT INTO station_keys_replaced ({columns}) VALUES ({', '.join('?' * 11)})", rows)


def change_body(township: str, number: int, old_key: str, new_key: str, at: str, reason: str) -> bytes:
    """What the old key signs when a station changes its key (bound to the township and the station)."""
    statement = {"township": township, "number": int(number), "old_key": old_key, "new_key": new_key, "at": at,
                 "reason": reason}
    return b"canbao-station-key-change-v1\n" + json.dumps(statement, ensure_ascii=False, sort_keys=True,
                                                           separators=(",", ":")).encode("utf-8")


def _chain(header: dict, sender: int, start: str, end: str) -> list[dict] | None:
    """The key changes in the packet's header leading from ``start`` (on record) to ``end`` (its signer), each
    signed by the key before it; None if there is no such chain."""
    by_old = {}
    for c in header.get("key_changes") or ():
        if isinstance(c, dict) and isinstance(c.get("old_key"), str):
            by_old.setdefault(c["old_key"], []).append(c)
    steps, key, seen = [], start, {start}
    while key != end:
        nxt = None
        for c in by_old.get(key, ()):
            body = change_body(str(header.get("township", "")), sender, key, str(c.get("new_key", "")),
                               str(c.get("at", "")), str(c.get("reason", "")))
            if verify(key, body, str(c.get("sig", ""))):
                nxt = c
                break
        if nxt is None or nxt["new_key"] in seen:
            return None
        steps.append(nxt)
        key = nxt["new_key"]
        seen.add(key)
    return steps


@dataclass(frozen=True)
class KeyCheck:
    """What the sender's key in a packet means here: problems (then nothing is written), or what importing
    records — a first key (once its fingerprint is confirmed) or key changes signed by the old key."""

    problems: tuple[Problem, ...] = ()
    first_key: str | None = None       # no key on record: the packet's key, recorded when confirmed
    changes: tuple[dict, ...] = ()     # {"old_key", "new_key", "at", "reason", "sig"}, in order
    refused_key: str | None = None     # the packet's key, not the one on record: a 专干 may replace it by hand
    notes: tuple[str, ...] = ()
    proven: bool = False               # the first key is proven by the station's join card (no phone check)


def check_sender(db, where: str, sender: int, sender_code: str, header: dict) -> KeyCheck:
    """Whether station ``sender``'s packet (its signature already found consistent with its ``from_key`` by
    ``packet_file.read``) may be taken, and what it records (``KeyCheck``)."""
    on_record = key_of(db, sender)
    key = header.get("from_key")
    who = sender_code or f"{sender:03d}"
    if not key:
        if on_record:
            return KeyCheck((Problem(where, f"这个交换包没有站点签名（旧版程序发出的），而站点 {who} 已登记签名公钥"
                                            f"（{fingerprint(on_record)}），未导入：请对方升级后重新生成"),))
        return KeyCheck()
    if on_record == key:
        return KeyCheck()
    gone = retired(db, key)
    if gone is not None and gone.number == sender:
        return KeyCheck((Problem(where, f"站点 {who} 的签名密钥已于 {short_time(gone.replaced_at)} 更换（{gone.way}，"
                                        f"原因：{gone.reason}），这个交换包是用更换前的旧密钥（{fingerprint(key)}）签名的："
                                        "可能是丢失或被盗的旧电脑发出的，或是更换前的旧包，未导入。"
                                        "该站的数据请用新密钥重新生成交换包；该站台账如从更换前的备份恢复，请该站"
                                        "「更换本站密钥」，电话核对新指纹后由专干更换该站的签名公钥"),))
    other = station_with_key(db, key)
    if other is None and gone is not None:
        other = gone.number
    if other is not None and other != sender:
        return KeyCheck((Problem(where, f"交换包自称来自站点 {who}，却是用站点 {other:03d} 的密钥签名的："
                                        "一个站点不能替另一个站点发交换包，未导入"),))
    if on_record:
        steps = _chain(header, sender, on_record, key)
        if steps is None or any(retired(db, s["new_key"]) or station_with_key(db, s["new_key"]) for s in steps):
            return KeyCheck((Problem(where, f"交换包的签名密钥（{fingerprint(key)}）不是站点 {who} 登记的密钥"
                                            f"（{fingerprint(on_record)}），也没有旧密钥签名的更换证明："
                                            "可能是别的电脑冒用该站点发出的，未导入。如果该站电脑重装、从备份恢复"
                                            "或丢失了密钥，请电话与该站核对新指纹后，由专干在「站点… → 签名密钥」中"
                                            "更换该站的签名公钥（canbao packet key --replace）"),), refused_key=key)
        notes = tuple(f"站点 {who} 更换了签名密钥：{fingerprint(s['old_key'])} → {fingerprint(s['new_key'])}"
                      f"（该站用旧密钥签名确认，原因：{s.get('reason') or '—'}）；导入后只接受新密钥" for s in steps)
        return KeyCheck(changes=tuple(steps), notes=notes)
    from .join_proof import proven_first_key  # joined with the township's card: proven by it (join_proof)

    if (proven := proven_first_key(db, where, who, sender, key, header)) is not None:
        return proven
    return KeyCheck(first_key=key, notes=(
        f"新站点签名密钥（指纹 {fingerprint(key)}）首次记录：请电话与站点 {who} 核对指纹（该站在"
        "「设置 → 站点… → 签名密钥」或 canbao packet key 中显示），一致后确认导入；以后只接受用这把密钥签名的交换包",))


def first_key_problem(where: str, who: str, key: str, confirm: str | None) -> Problem | None:
    """A packet bringing a station's first key is imported only with its fingerprint confirmed."""
    if same_fingerprint(key, confirm):
        return None
    if confirm:
        return Problem(where, f"核对的指纹（{confirm.strip()}）与交换包的签名密钥指纹（{fingerprint(key)}）不一致："
                              f"请再与站点 {who} 核对；未导入")
    return Problem(where, f"站点 {who} 的签名密钥（指纹 {fingerprint(key)}）首次记录，须先与该站电话核对指纹："
                          "一致后在预览中确认（canbao packet apply … --confirm-key 指纹）再导入；未导入")


def carry_over(db) -> None:
    """A rollover (the old ledger attached as ``old``, inside the new one's transaction): the new year's ledger
    is the same station — the township's packet key, this station's signing key, the keys on record and the
    keys replaced."""
    def has(schema: str, table: str) -> bool:
        return db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?",
                          [table]).fetchone() is not None

    if has("old", "ledger_secret"):
        db.execute("INSERT OR REPLACE INTO main.ledger_secret (name, value) SELECT name, value FROM old.ledger_secret"
                   " WHERE name IN ('sync_key', ?)", [SECRET])
    if has("old", "station_keys_replaced") and has("main", "station_keys_replaced"):
        db.execute("INSERT INTO main.station_keys_replaced (number, public_key, recorded_at, how, replaced_at,"
                   " replaced_by, way, reason, operator, signed_at, signature) SELECT number, public_key, recorded_at,"
                   " how, replaced_at, replaced_by, way, reason, operator, signed_at, signature"
                   " FROM old.station_keys_replaced ORDER BY id")
    if has("old", "station_keys") and has("main", "station_keys"):
        db.execute("INSERT OR IGNORE INTO main.station_keys (number, public_key, recorded_at, how)"
                   " SELECT number, public_key, recorded_at, how FROM old.station_keys")
