"""Quote snapshots: the quote each payment item was charged by, stored once per distinct quote.

A campaign's payments share a few hundred distinct quotes (same policy, tier, category, date rule), so storing
the ~1 KB JSON per item made a 500,000-person ledger ~900 MB, most of it repeats (and every backup copies the
file). ``payment_items.quote_id`` points at ``quote_snapshots``; the JSON is byte-for-byte what was quoted.
"""

from __future__ import annotations

import hashlib
import json


def quote_text(quote_dict: dict) -> str:
    """The canonical stored form of ``Quote.to_dict()``: compact JSON, Chinese kept as is."""
    return json.dumps(quote_dict, ensure_ascii=False, separators=(",", ":"))


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def snapshot_id(conn, text: str) -> int:
    """The id of this snapshot, inserting it if new (inside the caller's transaction)."""
    sha = digest(text)
    conn.execute("INSERT OR IGNORE INTO quote_snapshots (sha, json) VALUES (?, ?)", [sha, text])
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
