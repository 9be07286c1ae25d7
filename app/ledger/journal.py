"""The receipt journal: a small signed file beside the ledger (``<ledger>.receipts``) that remembers every
receipt number ever issued, so that no number is issued twice — not after a restore from an older backup, not
after the ledger file is replaced by hand, not after a re-install.

Each line is ``<json>\\t<mac>``: the record and an HMAC-SHA256 over the previous line's mac and this record,
keyed by the ledger's own secret (``ledger_secret``, created by a migration, carried in every backup). A line
that was edited, removed or reordered breaks the chain from there on; ``check`` names it.

Records: ``{"k": "r", "y": 2025, "s": 12, "no": "2025-000012", "fen": 8000, "hh": 3, "on": "2025-10-08"}``
for one receipt, ``{"k": "h", "y": 2025, "s": 500}`` for "numbers up to 500 were used" (bulk writes).
They are written *before* the payment's transaction commits (``Ledger.transaction``), so the journal is never
behind the ledger; a process killed between the two leaves one entry for a number that was never issued
(the next payment takes that number again, and the journal's later entry wins).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.problems import Problem

DETAIL_LIMIT = 200  # more new receipts than this in one transaction (a bulk load): one high-water line


def journal_path(ledger_path: str | os.PathLike) -> Path:
    p = Path(ledger_path)
    return p.with_name(p.name + ".receipts")


@dataclass
class JournalState:
    """What the journal says: the latest entry per receipt, the highest number per year, broken lines."""

    receipts: dict[tuple[int, int], dict] = field(default_factory=dict)
    high: dict[int, int] = field(default_factory=dict)
    committed: dict[int, int] = field(default_factory=dict)  # per year: the highest number known committed
    problems: list[Problem] = field(default_factory=list)
    verified: bool = True  # False when read without the key
    last_mac: str = ""
    offset: int = 0

    def add(self, rec: dict) -> None:
        year, seq = int(rec["y"]), int(rec["s"])
        if rec.get("k") == "r":
            self.receipts[(year, seq)] = rec
        if rec.get("k") == "c":
            self.committed[year] = max(self.committed.get(year, 0), seq)
        if seq > self.high.get(year, 0):
            self.high[year] = seq


def _mac(key: bytes | None, prev: str, body: str) -> str:
    if key is None:
        return ""
    return hmac.new(key, (prev + "\n" + body).encode("utf-8"), hashlib.sha256).hexdigest()[:32]


class ReceiptJournal:
    def __init__(self, ledger_path: str | os.PathLike, key: bytes | None):
        self.path = journal_path(ledger_path)
        self.key = key
        self.state = JournalState(verified=key is not None)
        self._file = None  # the file read (device, inode, first line): another one in its place is read anew

    def read(self) -> JournalState:
        """Read what was appended since the last read (by this or another process). A journal begun again by
        another connection (a join: ``app.ledger.join_journal``) is read anew from its first line."""
        try:
            with open(self.path, "rb") as fh:
                info = os.fstat(fh.fileno())
                which = (info.st_dev, info.st_ino, fh.readline(512))  # the inode alone is not enough on FAT
                if self._file is not None and which != self._file:
                    self.state = JournalState(verified=self.key is not None)
                self._file = which
                st = self.state
                fh.seek(st.offset)
                data = fh.read()
        except FileNotFoundError:
            return self.state
        end = data.rfind(b"\n") + 1  # a torn last line (killed mid-write) is read once it is completed
        for raw in data[:end].splitlines():
            line = raw.decode("utf-8", "replace")
            body, _, mac = line.rpartition("\t")
            if not body:
                continue
            try:
                rec = json.loads(body)
            except ValueError:
                st.problems.append(Problem(str(self.path), "票据日志有一行无法读取（被改动或损坏）"))
                continue
            if self.key is not None:
                want = _mac(self.key, st.last_mac, body)
                if not hmac.compare_digest(want, mac):
                    st.problems.append(Problem(str(self.path), f"票据日志 {rec.get('no') or rec.get('s')} 一行的签名不符"
                                                               "（日志被改动、删行或来自另一本台账）"))
            st.last_mac = mac
            try:
                st.add(rec)
            except (KeyError, TypeError, ValueError):
                st.problems.append(Problem(str(self.path), "票据日志有一行缺少年度或序号"))
        st.offset += end
        return st

    def append(self, records: list[dict]) -> None:
        """Append records durably (flushed and fsynced) before the ledger commits them.

        Reading the last line and appending after it happen under an exclusive OS lock on the journal file, so
        two connections writing at once (two windows, a CLI command beside the window, the commit marks after
        COMMIT, which no database lock covers) each chain onto the other's line instead of forking the chain."""
        if not records:
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o600)
        try:
            _lock_exclusive(fd)
            self.read()  # chain onto the last line, whoever wrote it
            ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            lines = []
            prev = self.state.last_mac
            for rec in records:
                body = json.dumps({**rec, "t": ts}, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                prev = _mac(self.key, prev, body)
                lines.append(f"{body}\t{prev}\n")
            size = os.fstat(fd).st_size
            if size > self.state.offset:  # a torn line from a killed writer: end it so ours stay whole
                os.write(fd, b"\n")
            os.write(fd, "".join(lines).encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)  # closing the descriptor releases its lock
        self.read()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import errno
    import msvcrt

    def _lock_exclusive(fd: int) -> None:
        os.lseek(fd, 1 << 40, os.SEEK_SET)  # a byte far past the end: Windows locks are mandatory, readers read on
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError as exc:
                if exc.errno not in (errno.EDEADLOCK, errno.EACCES):
                    raise  # not another writer holding it: the caller reports the OS error
                # another writer still holds it (it lets go when its append ends): keep waiting
else:
    import fcntl

    def _lock_exclusive(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def receipt_record(year: int, seq: int, receipt_no: str, amount_fen: int, household_id: int, paid_on: str) -> dict:
    return {"k": "r", "y": year, "s": seq, "no": receipt_no, "fen": amount_fen, "hh": household_id, "on": paid_on}


def commit_records(records: list[dict]) -> list[dict]:
    """After the ledger committed ``records``: one "committed up to" mark per year, so a number written ahead
    and then committed is never mistaken later for one whose transaction was killed (and so reused)."""
    tops: dict[int, int] = {}
    for rec in records:
        tops[int(rec["y"])] = max(tops.get(int(rec["y"]), 0), int(rec["s"]))
    return [{"k": "c", "y": year, "s": seq} for year, seq in sorted(tops.items())]


def new_records(db, high: dict[int, int]) -> list[dict]:
    """Records for receipts the ledger issued (in the open transaction) above what the journal knows: only this
    ledger's own numbers (its station's range, up to its counter), never other stations' payments it holds."""
    from .stations import seq_base

    out: list[dict] = []
    base = None
    for year, last in db.execute("SELECT year, last_seq FROM receipt_counters").fetchall():
        if last <= high.get(year, 0):
            continue
        base = seq_base(db) if base is None else base
        known = max(high.get(year, 0), base if last > base else 0)
        if last <= known:
            continue
        if last - known <= DETAIL_LIMIT:
            for y, s, no, fen, hh, on in db.execute(
                    "SELECT year, seq, receipt_no, amount_fen, household_id, paid_on FROM payments"
                    " WHERE year = ? AND seq > ? AND seq <= ? ORDER BY seq", [year, known, last]).fetchall():
                out.append(receipt_record(y, s, no, fen, hh, on))
        if not out or out[-1]["y"] != year or out[-1]["s"] < last:
            out.append({"k": "h", "y": year, "s": last})
    return out
