"""The receipt journal after a join (``app.ledger.join``): it is begun again, outside the join's transaction.

The old file (``<ledger>.receipts``) is put aside as ``<ledger>.receipts.<time>.before-join``; the new one is
written complete as ``<ledger>.join.receipts`` and renamed into place. Its first line (``{"k": "j", …}``)
names the station, the old file and the old file's last signature (so the old journal still proves what it
held); then every receipt under its new number, the counters' high-water marks and commit marks. The ledger
notes it in ``station_join.journal_at``; until then every open does it (``receipts.attach_journal``) — a process
killed after the new file is in place but before the note only notes it."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from . import stations
from .models import now_iso

if TYPE_CHECKING:
    from .db import Ledger


def finish_journal(ledger: "Ledger") -> bool:
    """Begin the receipt journal again after a join (see the module); True if it was done now. Called right
    after the join commits, and at every open until it has been done."""
    from .journal import ReceiptJournal, journal_path, receipt_record
    from .receipts import journal_key

    db = ledger.db
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'station_join'").fetchone() is None:
        return False
    row = db.execute("SELECT code, seq_offset FROM station_join WHERE id = 1 AND journal_at IS NULL").fetchone()
    if row is None:
        return False
    code, soff = row
    key = journal_key(db)
    target = journal_path(ledger.path)
    if _begun_for(target, code):  # begun again already; only its mark in the ledger was not written
        _mark_begun(ledger, key)
        return True
    old = ReceiptJournal(ledger.path, key).read() if target.exists() else None
    fresh_for = Path(str(ledger.path) + ".join")  # its journal: <ledger>.join.receipts, renamed into place
    part = journal_path(fresh_for)
    part.unlink(missing_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = target.with_name(f"{target.name}.{stamp}.before-join")
    k = 1
    while aside.exists():  # never over an earlier one
        k += 1
        aside = target.with_name(f"{target.name}.{stamp}-{k}.before-join")
    counters = db.execute("SELECT year, last_seq FROM receipt_counters WHERE last_seq > ? ORDER BY year",
                          [soff]).fetchall()
    records: list[dict] = [{"k": "j", "y": counters[0][0] if counters else 0, "s": 0, "code": code,
                            "before": aside.name if old is not None else "",
                            "last_mac": old.last_mac if old is not None else ""}]
    for year, seq, no, fen, hh, on in db.execute(
            "SELECT year, seq, receipt_no, amount_fen, household_id, paid_on FROM payments WHERE seq > ? AND seq <= ?"
            " ORDER BY year, seq", [soff, soff + stations.SEQ_SPAN]):
        records.append(receipt_record(year, seq, no, fen, hh, on))
    records += [{"k": "h", "y": year, "s": last} for year, last in counters]
    records += [{"k": "c", "y": year, "s": last} for year, last in counters]
    fresh = ReceiptJournal(fresh_for, key)
    fresh.append(records)
    if target.exists():
        os.replace(target, aside)
    os.replace(part, target)
    from .files import fsync_dir

    fsync_dir(target.parent)
    _mark_begun(ledger, key)
    return True


def _begun_for(target: Path, code: str) -> bool:
    """Whether the journal at ``target`` is one a join began for station ``code`` (its first line says so)."""
    try:
        with open(target, "rb") as fh:
            first = fh.readline().decode("utf-8")
        rec = json.loads(first.rpartition("\t")[0] or "{}")
    except (OSError, ValueError):
        return False
    return isinstance(rec, dict) and rec.get("k") == "j" and rec.get("code") == code


def _mark_begun(ledger: "Ledger", key) -> None:
    from .journal import ReceiptJournal

    with ledger.transaction() as tx:
        tx.execute("UPDATE station_join SET journal_at = ? WHERE id = 1", [now_iso()])
    ledger.journal = ReceiptJournal(ledger.path, key)
    ledger.journal.read()
