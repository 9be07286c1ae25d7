"""A joined station's first signing key, proven by its join card (no phone check needed).

The township's join card (``app.ledger.join_card``, an AES zip opened with the 12-digit 入站码 the township gave
out) carries a per-invitation secret: random, kept at the township for that station number
(``ledger_secret.join_secret:<number>``, never shown) and, at the village, in ``ledger_secret.join_secret``. Until
the township has applied anything from the station (so has its key on record), the station's packets carry
``join_proof`` = HMAC-SHA256(secret, township code + station number + the packet's public key) in the header the
station signs (``packets.write_packet``). ``signing.check_sender`` asks ``proven_first_key``: a valid proof records
the first key without the phone check (audited and listed as 由入站文件证明, ``key_changes.PROVEN``); a wrong
proof is refused with nothing written; a township without the secret (restored from before the card) falls back
to the phone check, as for any station whose key it has not seen. A second laptop joined with the same card: the
first key recorded wins, the other's packets are refused as signed by a key not on record.
"""

from __future__ import annotations

import hashlib
import hmac

from ..domain.problems import Problem

SECRET = "join_secret"


def secret_name(number: int) -> str:
    """At the township: the ``ledger_secret`` name of the card secret for station ``number``."""
    return f"{SECRET}:{int(number)}"


def _value(db, name: str) -> bytes | None:
    row = getattr(db, "db", db).execute("SELECT value FROM ledger_secret WHERE name = ?", [name]).fetchone()
    return bytes(row[0]) if row else None


def secret_for(db, number: int) -> bytes | None:
    """At the township: the secret of the join card it wrote for station ``number`` (None: no card)."""
    return _value(db, secret_name(number))


def own_secret(db) -> bytes | None:
    """At a station that joined with a card: the card's secret."""
    return _value(db, SECRET)


def proof(secret: bytes, township: str, number: int, public_key: str) -> str:
    body = f"canbao-join-proof-v1\n{township}\n{int(number)}\n{public_key}".encode("utf-8")
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def proven_first_key(db, where: str, who: str, sender: int, key: str, header: dict):
    """A packet bringing station ``sender``'s first key (none on record): ``signing.KeyCheck`` proven by the join
    card, or refusing a wrong proof; None when there is no proof to check (the phone check applies)."""
    from .signing import KeyCheck, fingerprint

    given = header.get("join_proof")
    secret = secret_for(db, sender) if given is not None else None
    if secret is None:
        return None
    if not isinstance(given, str) or not hmac.compare_digest(given, proof(secret, str(header.get("township", "")),
                                                                          sender, key)):
        return KeyCheck((Problem(where, f"交换包自称来自用入站文件加入的站点 {who}，但它的入站证明与本乡镇发给"
                                        "该站的入站文件不符（不是用本乡镇为该站生成的入站文件加入的台账，"
                                        "或交换包被改动过），未导入；请与该站核对"),))
    return KeyCheck(first_key=key, proven=True, notes=(
        f"新站点签名密钥（指纹 {fingerprint(key)}）由入站文件证明：站点 {who} 是用本乡镇发给它的入站文件"
        "加入的，导入时直接登记，不用电话核对；以后只接受用这把密钥签名的交换包",))
