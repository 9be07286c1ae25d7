"""Quote snapshots: the quote each payment item was charged by, stored once per distinct quote.

A campaign's payments share a few hundred distinct quotes (same policy, tier, category, date rule), so storing
the ~1 KB JSON per item made a 500,000-person ledger ~900 MB, most of it repeats (and every backup copies the
file). ``payment_items.quote_id`` points at ``quote_snapshots``; the JSON is byte-for-byte what was quoted.
"""

from __future__ import annotations

import hashlib
import json

from .ids import snapshot_id as content_id


def quote_text(quote_dict: dict) -> str:
    """The canonical stored form of ``Quote.to_dict()``: compact JSON, Chinese kept as is."""
    return json.dumps(quote_dict, ensure_ascii=False, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_id(conn, text: str) -> int:
    """The id of this snapshot, inserting it if new (inside the caller's transaction)."""
    sha = digest(text)
    conn.execute("INSERT OR IGNORE INTO quote_snapshots (id, sha, json) VALUES (?, ?, ?)",
                 [content_id(sha), sha, text])  # the same id on every laptop (app.ledger.ids)
    return conn.execute("SELECT id FROM quote_snapshots WHERE sha = ?", [sha]).fetchone()[0]


class SnapshotIds:
    """For bulk loaders: assigns ids to distinct texts in memory; ``rows()`` are the snapshot rows to insert."""

    def __init__(self, start: int = 1):
        self._ids: dict[str, int] = {}
        self._next = start

    def id_for(self, text: str) -> int:
        hit = self._ids.get(text)
        if hit is None:
            hit = self._ids[text] = self._next
            self._next += 1
        return hit

    def rows(self):
        return [(i, digest(t), t) for t, i in self._ids.items()]


def load_quote(stored: str | dict) -> "Quote":
    """A stored snapshot (``Quote.to_dict()`` as JSON) back into the ``Quote`` type, field by name.

    Keys a later Canbao added are ignored; keys an older one lacked take the type's defaults."""
    import datetime as dt
    from dataclasses import MISSING, fields
    from decimal import Decimal

    from ..domain.quote_model import Quote, QuoteLine

    d = json.loads(stored) if isinstance(stored, str) else stored
    money = lambda v: None if v in (None, "") else Decimal(str(v))  # noqa: E731 - stored as "410.00"
    day = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
    renamed = {"policy_id": "policy"}
    converters = {"due": money, "personal_standard": money, "assistance": money, "after_subsidy": money,
                  "addons_total": money, "paid_on": day, "benefit_start": day, "benefit_end": day, "special_on": day,
                  "subsidies": lambda v: tuple((s["funder"], money(s["amount"])) for s in v or ()),
                  "addons": lambda v: tuple(v or ()), "categories": lambda v: tuple(v or ()),
                  "warnings": lambda v: tuple(v or ()),
                  "lines": lambda v: tuple(QuoteLine(x["kind"], x["text"], money(x.get("amount")), x.get("clause", ""),
                                                     x.get("source")) for x in v or ())}
    kwargs = {}
    for f in fields(Quote):
        key = renamed.get(f.name, f.name)
        if key in d:
            conv = converters.get(f.name)
            kwargs[f.name] = conv(d[key]) if conv else d[key]
        elif f.default is MISSING:
            kwargs[f.name] = () if f.name in converters and f.name not in ("due",) and "tuple" in str(f.type) else None
    return Quote(**kwargs)
