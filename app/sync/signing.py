"""Each station signs its own packets (Ed25519), so one station cannot send a packet as another.

Every station's ledger holds its own private key (``ledger_secret.station_sign_key``, the 32-byte Ed25519
seed; never leaves the file, never in a packet). The public keys are recorded in ``station_keys`` (migration
``0150_station_keys``), one per station number, and never change once recorded (a trigger refuses it):

- a station **set up** (``stations.set_up``) or **split off** (``split``) gets its key pair then; a split
  records the new station's public key at the township and gives the new ledger the township's list of keys;
- every packet's header carries the sender's public key (``from_key``) and an Ed25519 signature over the
  header (which lists each changeset's and policy file's SHA-256), besides the township-wide HMAC;
- a packet is accepted only if ``from_key`` is the key on record for its sender. A key that is another
  station's, or another key than the one on record, is refused with a Chinese message and nothing is written;
- a station with no key on record yet (ledgers and packets from before; a station registered by hand) is
  recorded from its first signed packet (audited, shown in the preview) — the HMAC still proves the packet
  comes from the township's ledgers; the township's own key reaches its stations the same way. An unsigned
  (older) packet is accepted only from a sender with no key on record.

``record_key(ledger, number, public_key)`` records a key by hand (the township, before the first packet of a
station set up on a copy); ``own_public_key(db)`` is what to give it.
"""

from __future__ import annotations

import hashlib
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
                                             "不能更换")])
    _conn(db).execute("INSERT INTO station_keys (number, public_key, recorded_at, how) VALUES (?, ?, ?, ?)",
                      [int(number), public_key, now, how])
    return True


def ensure_own_key(db, number: int, now: str, how: str = "本站生成") -> bytes | None:
    """This ledger's private key, made (and its public key recorded for ``number``) if it has none yet; None
    for a ledger from before migration 0150 (inside the caller's transaction)."""
    if not _has_table(db):
        return None
    seed = own_seed(db)
    if seed is None:
        seed = new_seed()
        _conn(db).execute("INSERT INTO ledger_secret (name, value) VALUES (?, ?)", [SECRET, seed])
    if key_of(db, number) is None:
        put_key(db, number, public_of(seed), how, now)
    return seed


def record_key(ledger: "Ledger", number: int, public_key: str) -> bool:
    """Record station ``number``'s public key by hand (``policies`` permission, audited); True if new."""
    from ..ledger.models import now_iso

    ledger.require("policies")
    key = (public_key or "").strip().lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ProblemsError([Problem("签名公钥", "签名公钥应为 64 位十六进制数字（在该站 canbao packet key 显示）")])
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


def check_sender(db, where: str, sender: int, sender_code: str, header: dict) -> tuple[list[Problem], str | None]:
    """(problems, a key to record from this packet) for a packet from station ``sender`` whose signature has
    already been found consistent with its ``from_key`` (``packet_file.read``)."""
    on_record = key_of(db, sender)
    key = header.get("from_key")
    who = sender_code or f"{sender:03d}"
    if not key:
        if on_record:
            return [Problem(where, f"这个交换包没有站点签名（旧版程序发出的），而站点 {who} 已登记签名公钥"
                                   f"（{fingerprint(on_record)}），未导入：请对方升级后重新生成")], None
        return [], None
    if on_record == key:
        return [], None
    other = station_with_key(db, key)
    if other is not None and other != sender:
        return [Problem(where, f"交换包自称来自站点 {who}，却是用站点 {other:03d} 的密钥签名的："
                               "一个站点不能替另一个站点发交换包，未导入")], None
    if on_record:
        return [Problem(where, f"交换包的签名密钥（{fingerprint(key)}）不是站点 {who} 登记的密钥"
                               f"（{fingerprint(on_record)}）：可能是别的电脑冒用该站点发出的，未导入")], None
    return [], key


def carry_over(db) -> None:
    """A rollover (the old ledger attached as ``old``, inside the new one's transaction): the new year's ledger
    is the same station — the township's packet key, this station's signing key and the keys on record."""
    def has(schema: str, table: str) -> bool:
        return db.execute(f"SELECT 1 FROM {schema}.sqlite_master WHERE type = 'table' AND name = ?",
                          [table]).fetchone() is not None

    if has("old", "ledger_secret"):
        db.execute("INSERT OR REPLACE INTO main.ledger_secret (name, value) SELECT name, value FROM old.ledger_secret"
                   " WHERE name IN ('sync_key', ?)", [SECRET])
    if has("old", "station_keys") and has("main", "station_keys"):
        db.execute("INSERT OR IGNORE INTO main.station_keys (number, public_key, recorded_at, how)"
                   " SELECT number, public_key, recorded_at, how FROM old.station_keys")
