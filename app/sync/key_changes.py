"""A station's signing key changes: planned, lost, stolen — the key's life (``signing`` says how keys are used).

    change_own_key(ledger, reason) -> KeyChange        # this station: a new key pair; the old key signs the change
    replace_key(ledger, station, public_key, reason, heard_fingerprint) -> KeyChange
                                                       # a 专干, by hand: the key on record for another station
    keys_on_record(ledger) -> [KeyOnRecord]            # every station's current key and the keys it had before
    outgoing(db, number) -> [dict]                     # the signed changes a packet carries (``key_changes``)
    take(ledger, db, sender, check, where, now)        # importing a packet: its first key or its signed changes

A planned change (the laptop is fine, the key is old, or the clerk fears a copy of the ledger is about): the new
key is on record here at once; every packet this station writes from then on carries the change signed by the
old key (``station_keys_replaced.signature``), so the other side takes the new key when it imports it (audited,
shown in the preview) and refuses the old one from then on. A lost or stolen key: the station makes a new key
(``change_own_key``: a laptop reinstalled from a backup holds the old key or none), reads its fingerprint over the
phone, and a 专干 at the other side replaces the key on record by hand (``replace_key``: role ``sync``, reason
required, the fingerprint as heard must match, audited). A packet signed with a replaced key is refused from then
on — the stolen laptop's as well as an old packet sent again. Old keys stay on record with when, how and why
they were replaced (never deleted, never on record again: triggers of migration 0190)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.problems import Problem, ProblemsError
from . import signing

if TYPE_CHECKING:
    from ..ledger.db import Ledger

OWN = "本站更换"
SIGNED = "该站更换（旧密钥签名）"
BY_HAND = "专干更换"
PROVEN = "由入站文件证明"  # a joined station's first key, proven by its join card (app.sync.join_proof)


@dataclass(frozen=True)
class KeyChange:
    """A key change made: the station, the key before (None: there was none) and after, with fingerprints."""

    station: int
    old_key: str | None
    new_key: str
    way: str
    reason: str

    @property
    def old_fingerprint(self) -> str:
        return signing.fingerprint(self.old_key) if self.old_key else "—"

    @property
    def new_fingerprint(self) -> str:
        return signing.fingerprint(self.new_key)


@dataclass(frozen=True)
class KeyOnRecord:
    """One key this ledger has had on record for a station: the current one (``replaced_at`` None) or one
    replaced."""

    station: int
    public_key: str
    recorded_at: str
    how: str
    replaced_at: str | None = None
    way: str = ""
    reason: str = ""
    operator: str = ""

    @property
    def fingerprint(self) -> str:
        return signing.fingerprint(self.public_key)

    @property
    def current(self) -> bool:
        return self.replaced_at is None


def _reason(reason: str | None) -> str:
    text = " ".join((reason or "").split())
    if len(text) < 2:
        raise ProblemsError([Problem("原因", "更换签名密钥须写明原因（如：电脑被盗、重装系统后从备份恢复、定期更换）")])
    return text


def _retire(db, number: int, old_key: str, new_key: str, way: str, reason: str, operator: str, now: str,
            signed_at: str | None = None, signature: str | None = None) -> None:
    """Put ``old_key`` into the history and ``new_key`` on record for ``number`` (inside the caller's
    transaction; the trigger lets the key change only with that history row)."""
    conn = signing._conn(db)
    recorded_at, how = conn.execute("SELECT recorded_at, how FROM station_keys WHERE number = ?", [number]).fetchone()
    conn.execute("INSERT INTO station_keys_replaced (number, public_key, recorded_at, how, replaced_at, replaced_by,"
                 " way, reason, operator, signed_at, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 [number, old_key, recorded_at, how, now, new_key, way, reason, operator, signed_at, signature])
    conn.execute("UPDATE station_keys SET public_key = ?, recorded_at = ?, how = ? WHERE number = ?",
                 [new_key, now, way, number])


def _log(ledger: "Ledger", change: KeyChange, **extra) -> None:
    before = {"public_key": change.old_key, "fingerprint": change.old_fingerprint} if change.old_key else None
    ledger.log("station", change.station, "key_change", before,
               {"public_key": change.new_key, "fingerprint": change.new_fingerprint, "way": change.way,
                "reason": change.reason, **extra})


def change_own_key(ledger: "Ledger", reason: str) -> KeyChange:
    """This station makes a new key pair (role ``sync``); the old private key is gone from the ledger, and the
    change signed with it goes in every packet from now on. A ledger with no key yet (restored from a backup
    made before it had one) just gets one: the other side's 专干 then replaces the key by hand."""
    from ..ledger import stations
    from ..ledger.models import now_iso

    ledger.require("sync")
    why = _reason(reason)
    me = stations.current(ledger)
    if me is None:
        raise ProblemsError([Problem("站点", "本台账还没有设定站点，没有签名密钥（先在「站点设置」中设定本站）")])
    with ledger.transaction() as db:
        now = now_iso()
        old_seed = signing.own_seed(db)
        on_record = signing.key_of(db, me.number)
        seed = signing.new_seed()
        new_key = signing.public_of(seed)
        conn = signing._conn(db)
        conn.execute("INSERT OR REPLACE INTO ledger_secret (name, value) VALUES (?, ?)", [signing.SECRET, seed])
        old_key = signing.public_of(old_seed) if old_seed else None
        if on_record is None:
            signing.put_key(db, me.number, new_key, OWN, now)
        elif old_seed is not None and on_record == old_key:
            signature = signing.sign(old_seed, signing.change_body(me.township_code, me.number, old_key, new_key, now,
                                                                   why))
            _retire(db, me.number, old_key, new_key, OWN, why, ledger.actor(None), now, now, signature)
        else:  # the key on record is not this ledger's (restored from a backup): no signed change can be made
            _retire(db, me.number, on_record, new_key, OWN, why, ledger.actor(None), now)
            old_key = on_record
        change = KeyChange(me.number, old_key, new_key, OWN, why)
        _log(ledger, change)
    return change


def replace_key(ledger: "Ledger", station: int, public_key: str, reason: str, heard: str) -> KeyChange:
    """A 专干 replaces the key on record for ``station`` by hand (role ``sync``): ``public_key`` is the station's
    new key (from its refused packet, or as it shows it), ``heard`` the fingerprint the station read out over the
    phone — it must be this key's. Packets signed with the old key are refused from then on."""
    from ..ledger.models import now_iso

    ledger.require("sync")
    key = signing.parse_key(public_key)
    why = _reason(reason)
    problems = []
    if not signing.same_fingerprint(key, heard):
        problems.append(Problem("指纹", f"电话核对的指纹（{(heard or '').strip() or '未填写'}）与这把公钥的指纹"
                                       f"（{signing.fingerprint(key)}）不一致：请再与该站核对，未更换"))
    other = signing.station_with_key(ledger.db, key)
    if other is not None and other != station:
        problems.append(Problem("签名公钥", f"这把公钥是站点 {other:03d} 登记的密钥，不能给站点 {station:03d}"))
    gone = signing.retired(ledger.db, key)
    if gone is not None:
        problems.append(Problem("签名公钥", f"这把公钥（{signing.fingerprint(key)}）是站点 {gone.number:03d} 已于 "
                                           f"{signing.short_time(gone.replaced_at)} 更换掉的（{gone.reason}），不能再登记"))
    if problems:
        raise ProblemsError(problems)
    with ledger.transaction() as db:
        now = now_iso()
        old = signing.key_of(db, station)
        if old == key:
            raise ProblemsError([Problem("签名公钥", f"这把公钥已是站点 {station:03d} 登记的密钥，不用更换")])
        if old is None:
            signing.put_key(db, station, key, BY_HAND, now)
        else:
            _retire(db, station, old, key, BY_HAND, why, ledger.actor(None), now)
        change = KeyChange(station, old, key, BY_HAND, why)
        _log(ledger, change)
    return change


def outgoing(db, number: int) -> list[dict]:
    """The key changes of station ``number`` signed by the old key, oldest first, for a packet's header."""
    from ..ledger.models import named_rows

    if not signing.has_history(db):
        return []
    sql = ("SELECT public_key AS old_key, replaced_by AS new_key, signed_at AS at, reason, signature AS sig"
           " FROM station_keys_replaced WHERE number = ? AND signature IS NOT NULL ORDER BY id")
    return [dict(r) for r in named_rows(signing._conn(db), sql, [int(number)])]


def take(ledger: "Ledger", db, sender: int, check: "signing.KeyCheck", where: str, now: str) -> None:
    """Importing a packet (inside its transaction): record its sender's first key, or the changes it carries
    signed by the old key (each audited)."""
    how = PROVEN if check.proven else "交换包首次带来（已核对指纹）"
    if check.first_key and signing.put_key(db, sender, check.first_key, how, now):
        ledger.log("station", sender, "key", None, {"public_key": check.first_key,
                                                     "fingerprint": signing.fingerprint(check.first_key),
                                                     "packet": where, **({"how": PROVEN} if check.proven else {})})
    for step in check.changes:
        _retire(db, sender, step["old_key"], step["new_key"], SIGNED, step.get("reason") or "—", ledger.actor(None),
                now, step.get("at"), step.get("sig"))
        _log(ledger, KeyChange(sender, step["old_key"], step["new_key"], SIGNED, step.get("reason") or "—"),
             packet=where)


def keys_on_record(ledger: "Ledger") -> list[KeyOnRecord]:
    """Every key on record, by station: the current one first, then the ones it replaced, newest first."""
    from ..ledger.models import named_rows

    if not signing._has_table(ledger.db):
        return []
    out = [KeyOnRecord(r["number"], r["public_key"], r["recorded_at"], r["how"])
           for r in named_rows(ledger.db, "SELECT number, public_key, recorded_at, how FROM station_keys")]
    if signing.has_history(ledger.db):
        out += [KeyOnRecord(r["number"], r["public_key"], r["recorded_at"], r["how"], r["replaced_at"], r["way"],
                            r["reason"], r["operator"])
                for r in named_rows(ledger.db, "SELECT number, public_key, recorded_at, how, replaced_at, way, reason,"
                                               " operator FROM station_keys_replaced")]
    return _ordered(out)


def _ordered(keys: list[KeyOnRecord]) -> list[KeyOnRecord]:
    current = sorted((k for k in keys if k.current), key=lambda k: k.station)
    old = sorted((k for k in keys if not k.current), key=lambda k: k.replaced_at or "", reverse=True)
    return [x for k in current for x in (k, *[o for o in old if o.station == k.station])] + \
        [o for o in old if o.station not in {k.station for k in current}]
