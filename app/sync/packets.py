"""Exchange packets: the API the window and ``canbao packet`` use.

    write_packet(ledger, to_station, path, progress=None) -> PacketSummary
    preview_packet(ledger, path) -> PacketPreview          # reads, applies in a transaction rolled back
    apply_packet(ledger, path, progress=None) -> ApplyResult
    peers(ledger) -> [PeerState]                           # each other station: what was sent, acknowledged, received

A packet carries everything this station changed that the other side has not acknowledged yet — the new
changes (taken from ``sync_base`` into a new outbox entry) and every earlier outbox entry still
unacknowledged — plus this station's acknowledgement of what it applied from the other side. So a packet
may be sent twice, arrive out of order, or be lost: the receiver applies each outbox entry once, in order
(those it already has are skipped), and the next packet carries again whatever was lost.

``to_station`` is the other side's station number (0 = the township) or its code. A village sends to the
township; the township sends to each station the rows of that station's households, plus villages, groups
and quote snapshots (``routes``). Every apply is one transaction: a damaged, foreign, unsigned or misaddressed
packet gives a Chinese message (``ApplyResult.problems``, with the file as place) and writes nothing. (One
exception, also with a message: a packet that starts after what this ledger has — it was restored from a
backup, or an earlier packet is missing — applies no data, but its acknowledgement is kept, so the other side's
next packet starts where this ledger really is.) ``progress(done, total)`` is called between outbox entries.

    start_station(ledger)      # a ledger just split from / copied off the township: nothing in it is new"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import apsw

from ..domain.problems import Problem, ProblemsError
from ..ledger.models import now_iso
from . import applying, join_proof, key_changes, outbox, packet_file, policy_files, resend, signing, turns
from .capture import ensure_capture
from .db_errors import DatabaseError

if TYPE_CHECKING:
    from ..ledger.db import Ledger

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PacketSummary:
    """What ``write_packet`` wrote."""

    path: Path
    sender: int
    receiver: int
    packet_no: int
    through_seq: int           # the sender's outbox reaches this far
    entries: int               # outbox entries in the packet
    changes: int               # row changes in the packet
    new_changes: int           # of which made since the previous packet
    size: int                  # bytes


@dataclass(frozen=True)
class PacketPreview:
    """What applying a packet would do (nothing written)."""

    path: Path
    sender: int
    sender_code: str
    receiver: int
    packet_no: int
    counts: dict[str, int] = field(default_factory=dict)   # "members 修改" -> n, of the entries not yet applied
    already_applied: int = 0    # entries this ledger has already applied (sent twice / out of order)
    conflicts: tuple[str, ...] = ()   # messages of the conflicts it would list
    problems: tuple[Problem, ...] = ()  # why it cannot be applied (Chinese, with place)
    notes: tuple[str, ...] = ()       # the sender's signing key recorded for the first time, and the like
    policies: tuple[str, ...] = ()    # the policy files it brings, each with what applying does with it
    key_to_confirm: str = ""          # the sender's first key: its fingerprint, to compare before importing
    refused_key: str = ""             # the sender's key, not the one on record (a 专干 may replace it by hand)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ApplyResult:
    """What ``apply_packet`` did; with ``problems`` nothing was written."""

    path: Path
    sender: int = -1
    applied_entries: int = 0
    skipped_entries: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    new_conflicts: int = 0
    conflicts: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class PeerState:
    station: int
    acked_seq: int
    applied_seq: int
    unacked_entries: int
    packets_out: int
    packets_in: int            # the highest packet number received from it
    last_out_at: str | None
    last_in_at: str | None


# ------------------------------------------------------------------------------------------- who
def _me(ledger: "Ledger"):
    from ..ledger import stations

    st = stations.current(ledger)
    if st is None:
        raise ProblemsError([Problem("站点", "本台账还没有设置站点，不能交换数据（先在「站点设置」中设定本站）")])
    return st


def _station_number(ledger: "Ledger", to_station) -> int:
    from ..ledger import stations

    if isinstance(to_station, int):
        return to_station
    s = str(to_station).strip()
    if s.isdigit():
        return int(s)
    st = stations.get(ledger, s)
    if st is None:
        raise ProblemsError([Problem("站点", f"没有站点「{s}」")])
    return st.number


def _known(ledger: "Ledger") -> set[int]:
    from ..ledger import stations

    return {s.number for s in stations.known(ledger)}


def _secret(db) -> bytes:
    row = db.execute("SELECT value FROM ledger_secret WHERE name = 'sync_key'").fetchone()
    if row is None:
        raise ProblemsError([Problem("台账", "台账没有交换密钥（sync_key），请升级后重新打开台账")])
    return bytes(row[0])


def _peer(db, station: int) -> tuple[int, int, int, int]:
    row = db.execute("SELECT acked_seq, applied_seq, packets_out, packets_in FROM sync_peers WHERE station = ?",
                     (station,)).fetchone()
    if row is None:
        db.execute("INSERT INTO sync_peers (station) VALUES (?)", (station,))
        return 0, 0, 0, 0
    return tuple(row)


# ------------------------------------------------------------------------------------------- write
def write_packet(ledger: "Ledger", to_station, path, progress: Progress | None = None) -> PacketSummary:
    """Write the packet for ``to_station`` into ``path`` (a folder: the file is named there,
    ``<本站代码>-<年度>-to-<站号>-<包号>.canbao-packet``). Raises ``ProblemsError`` (Chinese) when it cannot. The
    file is written before the transaction commits: if the commit fails the file is there but the ledger
    does not count it as sent — harmless, the next packet carries the same entries again."""
    me = _me(ledger)
    dest = _station_number(ledger, to_station)
    if dest == me.number:
        raise ProblemsError([Problem("站点", "不能给本站自己写交换包")])
    if me.number != 0 and dest != 0:
        raise ProblemsError([Problem("站点", "村（网格）站只与乡镇交换数据：请写给乡镇（站点 0）")])
    if me.number == 0 and dest not in _known(ledger):
        raise ProblemsError([Problem("站点", f"本乡镇的站点名单中没有站点 {dest}（先在「站点设置」中登记）")])
    with ledger.transaction() as db:
        ensure_capture(db)
        now = now_iso()
        new_seq, _found = outbox.take_changes(db, me.number, now)
        if progress:
            progress(1, 3)
        acked, applied, packets_out, _ = _peer(db, dest)
        entries = outbox.entries_for(db, dest, acked)
        # of what this packet carries, the changes made since the previous packet (the township's new changes
        # for other stations are not in it)
        new_changes = sum(n for seq, _d, n, _ in entries if new_seq is not None and seq == new_seq)
        through = db.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0]
        packet_no = packets_out + 1
        header = {"township": me.township_code, "from": me.number, "from_code": me.code, "to": dest,
                  "packet_no": packet_no, "from_seq": acked, "through_seq": through, "applied": applied,
                  "created_at": now, **turns.header(db, me.number, dest, ledger.settings.get().year)}
        files = [({"name": f"{seq:012d}.{d}.changeset", "seq": seq, "dest": d, "changes": n}, bytes(blob))
                 for seq, d, n, blob in entries]
        target = Path(path)
        if target.is_dir() or str(path).endswith(("/", "\\")):
            # the year in the name: a new year's packet numbers start again at 1 beside last year's
            target = target / f"{me.code}-{header['year']}-to-{dest:03d}-{packet_no:05d}{packet_file.SUFFIX}"
        if progress:
            progress(2, 3)
        seed = signing.ensure_own_key(db, me.number, now)
        carried = policy_files.outgoing(ledger) if me.number == 0 else []
        if me.number == 0:
            header["policy_id"] = ledger.settings.get().policy_id
        if acked == 0 and (joined := join_proof.own_secret(db)) is not None and seed is not None:
            # joined with a card, the township has applied nothing from here yet: prove the first key with it
            header["join_proof"] = join_proof.proof(joined, me.township_code, me.number, signing.public_of(seed))
        changes = key_changes.outgoing(db, me.number)  # this station's key changes, signed by the old keys
        if changes:
            header["key_changes"] = changes
        asked = resend.wanted(db, me.number, dest)  # rows refused from it, not here yet: "please send again"
        if asked:
            header["resend"] = asked
        data = packet_file.build(_secret(db), header, files, seed, carried)
        db.execute("UPDATE sync_peers SET packets_out = ?, last_out_at = ? WHERE station = ?", (packet_no, now, dest))
        db.execute("INSERT INTO sync_packets (direction, station, packet_no, through_seq, changes, sha256, at,"
                   " operator) VALUES ('发出', ?, ?, ?, ?, ?, ?, ?)",
                   (dest, packet_no, through, sum(n for _, _, n, _ in entries), hashlib.sha256(data).hexdigest(),
                    now, ledger.operator))
    # the file is written after the ledger counts it as sent: if writing fails, nothing is lost (its entries
    # stay unacknowledged and go in the next packet); a file is never out there for a send the ledger forgot
    target.parent.mkdir(parents=True, exist_ok=True)
    packet_file.save(target, data)
    if progress:
        progress(3, 3)
    return PacketSummary(path=target, sender=me.number, receiver=dest, packet_no=packet_no, through_seq=through,
                         entries=len(entries), changes=sum(n for _, _, n, _ in entries), new_changes=new_changes,
                         size=len(data))


# ------------------------------------------------------------------------------------------- read
def preview_packet(ledger: "Ledger", path) -> PacketPreview:
    """What ``apply_packet`` would do: counts per table and kind of change, the conflicts it would list, and
    every problem — found by applying it inside a transaction that is then rolled back."""
    res = _apply(ledger, path, None, dry_run=True)
    header = res.get("header", {})
    return PacketPreview(path=Path(path), sender=header.get("from", -1), sender_code=header.get("from_code", ""),
                         receiver=header.get("to", -1), packet_no=header.get("packet_no", 0),
                         counts=res.get("counts", {}), already_applied=res.get("skipped", 0),
                         conflicts=tuple(res.get("conflicts", ())), problems=tuple(res.get("problems", ())),
                         notes=tuple(res.get("notes", ())), policies=tuple(res.get("policies", ())),
                         key_to_confirm=res.get("key_to_confirm", ""), refused_key=res.get("refused_key", ""))


def apply_packet(ledger: "Ledger", path, progress: Progress | None = None, *,
                 confirm_key: str | None = None) -> ApplyResult:
    """Apply a packet in one transaction (role-checked: 专干 or 管理员). Problems come back in
    ``ApplyResult.problems`` and then nothing was written. A packet bringing its sender's first signing key
    is applied only with ``confirm_key``: that key's fingerprint as compared with the station (``signing``)."""
    ledger.require("sync")
    res = _apply(ledger, path, progress, dry_run=False, confirm_key=confirm_key)
    header = res.get("header", {})
    return ApplyResult(path=Path(path), sender=header.get("from", -1), applied_entries=res.get("applied", 0),
                       skipped_entries=res.get("skipped", 0), counts=res.get("counts", {}),
                       new_conflicts=res.get("new_conflicts", 0), conflicts=tuple(res.get("conflicts", ())),
                       problems=tuple(res.get("problems", ())), notes=tuple(res.get("notes", ())),
                       policies=tuple(res.get("policies", ())))


def _reused_seqs(db, sender: int, entries) -> list[int]:
    """Seqs of this packet already applied from ``sender`` with other content."""
    out = []
    for meta, _ in entries:
        row = db.execute("SELECT sha256 FROM sync_applied WHERE station = ? AND seq = ? AND dest = ?",
                         (sender, meta["seq"], meta["dest"])).fetchone()
        if row is not None and row[0] != meta["sha256"]:
            out.append(meta["seq"])
    return out


def _take_ack(db, sender: int, h: dict, packets_in: int) -> bool:
    """The acknowledgement of the newest packet from ``sender`` counts — newest by the sender's clock, so a
    ledger restored from a backup (its packet numbers start again lower) can say it has less than before."""
    turns.note_turn(db, sender, int(h.get("to", -1)), h)  # the other side's old ledger says it rolled over
    created = str(h.get("created_at", ""))
    newest = db.execute("SELECT newest_packet_at FROM sync_peers WHERE station = ?", (sender,)).fetchone()[0]
    if newest is not None and created <= newest:
        return False
    db.execute("UPDATE sync_peers SET acked_seq = ?, packets_in = max(packets_in, ?), newest_packet_at = ?"
               " WHERE station = ?", (int(h.get("applied", 0)), int(h.get("packet_no", 0)), created, sender))
    return True


def _classes(errors) -> tuple:
    return errors if isinstance(errors, tuple) else (errors,)


class _DryRun(Exception):
    """Raised inside the transaction to roll a preview back."""


def _apply(ledger: "Ledger", path, progress: Progress | None, *, dry_run: bool, confirm_key: str | None = None
           ) -> dict:
    where = str(path)
    try:
        me = _me(ledger)
        packet = packet_file.read(path, _secret(ledger.db))
    except ProblemsError as exc:
        return {"problems": list(exc.problems)}
    h = packet.header
    out: dict = {"header": h}
    problems = turns.year_problems(ledger, where, h)  # another year's packet: which ledger to open
    if h.get("township") != me.township_code:
        problems.append(Problem(where, f"交换包属于乡镇 {h.get('township')}，本台账属于 {me.township_code}，未导入"))
    if h.get("to") != me.number:
        problems.append(Problem(where, f"这个交换包是发给站点 {h.get('to')} 的，本台账是站点 {me.number}（{me.code}），未导入"))
    if h.get("from") == me.number:
        problems.append(Problem(where, "这是本站自己发出的交换包，未导入"))
    elif me.number == 0 and h.get("from") not in _known(ledger):
        problems.append(Problem(where, f"发出站点 {h.get('from_code') or h.get('from')} 不在本乡镇的站点名单中，未导入"
                                       "（先在「站点设置」中登记该站点）"))
    key = signing.KeyCheck()
    if not problems:  # whose key signed it: the one on record, a first one, a signed change, or refused
        key = signing.check_sender(ledger.db, where, int(h["from"]), str(h.get("from_code", "")), h)
        problems += key.problems
        out["refused_key"] = key.refused_key or ""
        if key.first_key and not key.proven:  # proven by the join card: no phone check (app.sync.join_proof)
            out["key_to_confirm"] = signing.fingerprint(key.first_key)
            if not dry_run:
                unconfirmed = signing.first_key_problem(where, str(h.get("from_code") or h["from"]), key.first_key,
                                                        confirm_key)
                problems += [unconfirmed] if unconfirmed else []
    if problems:
        out["problems"] = problems
        return out
    sender = int(h["from"])
    notes = list(key.notes)
    out["notes"] = notes
    plan = policy_files.plan(ledger, where, packet) if sender == 0 else None
    if plan is not None:
        out["policies"] = plan.lines()
    try:
        with ledger.transaction() as db:
            ensure_capture(db)
            now = now_iso()
            _acked, applied, _, packets_in = _peer(db, sender)
            changed = _reused_seqs(db, sender, packet.entries)
            if changed:
                out["problems"] = [Problem(where, f"站点 {sender} 的第 {'、'.join(map(str, changed))} 批与以前导入的内容不同："
                                                  "对方台账可能从备份恢复过。请对方先导入本站最新的交换包，再重新生成；"
                                                  "这个包未导入")]
                raise _DryRun
            if int(h.get("from_seq", 0)) > applied:
                out["problems"] = [Problem(where, f"缺少站点 {sender} 更早的交换包（本台账已导入到第 {applied} 批，"
                                                  f"这个包从第 {int(h['from_seq']) + 1} 批开始），未导入；"
                                                  "请先导入更早的包；本台账从备份恢复过时，把本站的交换包发给对方，"
                                                  "对方的下一个包会补齐")]
                if not dry_run and _take_ack(db, sender, h, packets_in):
                    out["commit"] = True  # only the other side's acknowledgement is kept, no data
                    return out
                raise _DryRun
            todo = [(m, b) for m, b in packet.entries if m["seq"] > applied]
            out["skipped"] = len(packet.entries) - len(todo)
            if signing.check_sender(db, where, sender, str(h.get("from_code", "")), h) != key:
                out["problems"] = [Problem(where, "该站的签名公钥刚在另一个窗口或命令中登记或更换，这个包未导入："
                                                  "请重新预览")]
                raise _DryRun
            key_changes.take(ledger, db, sender, key, where, now)  # a first key (confirmed) or signed changes
            applier = applying.Applier(db, me.number, sender)
            db.execute("INSERT INTO sync_applying (since) VALUES (?)", (now,))
            for i, (_meta, blob) in enumerate(todo):
                applier.apply(blob)
                if progress:
                    progress(i + 1, len(todo))
            db.execute("DELETE FROM sync_applying")
            notes += turns.note_arrivals(db, me.number, sender, h, todo)  # made in its old ledger after its turn
            applying.merge_into_base(db, applier.counts.touched)
            clashes = list(applier.counts.clashes)
            items = [new for _, new in applier.counts.touched.get("payment_items", [])]
            clashes += applying.double_payments(db, me.number, items, now)
            new_conflicts = applying.record_clashes(db, me.number, sender, clashes, now)
            settled = resend.settle(ledger, db, me.number, sender, applier.inserted, now)  # refused rows come again
            if settled:
                notes.append(f"{settled} 条记录冲突已自动处理：对方已改正后重新发来")
            resend.mark_new(db, h.get("resend"))  # rows it refused from here: sent again, whole, in the next packet
            # the packet holds every entry for this station in (from_seq, through_seq]: all of them are here now
            through = max(applied, int(h.get("through_seq", 0)))
            packet_no = int(h.get("packet_no", 0))
            _take_ack(db, sender, h, packets_in)
            db.conn.executemany("INSERT OR IGNORE INTO sync_applied (station, seq, dest, sha256) VALUES (?, ?, ?, ?)",
                           [(sender, m["seq"], m["dest"], m["sha256"]) for m, _ in todo])
            db.execute("UPDATE sync_peers SET applied_seq = ?, last_in_at = ? WHERE station = ?", (through, now, sender))
            db.execute("INSERT INTO sync_packets (direction, station, packet_no, through_seq, changes, conflicts,"
                       " sha256, at, operator) VALUES ('导入', ?, ?, ?, ?, ?, ?, ?, ?)",
                       (sender, packet_no, through, sum(applier.counts.applied.values()), new_conflicts,
                        h.get("sig", ""), now, ledger.operator))
            out.update(applied=len(todo), counts=dict(applier.counts.applied), new_conflicts=new_conflicts,
                       conflicts=[c.message for c in clashes])
            if dry_run:
                if plan is not None:
                    plan.try_follow(ledger)  # the ledger's own rules, in this transaction rolled back
                    out["policies"] = plan.lines()
                raise _DryRun
    except _DryRun:
        pass
    except (apsw.Error, *_classes(DatabaseError)) as exc:
        return {"header": h, "problems": [Problem(where, f"交换包无法导入（{exc}），本台账未作任何改动")]}
    if plan is not None and not dry_run and not out.get("problems"):
        # after the data is in: the policy files installed where ``policy add`` puts them, then the ledger
        # follows the township's policy (its own transaction, audited)
        plan.install()
        out["policies"] = plan.lines()
        notes += plan.follow_policy(ledger)
    return out


def peers(ledger: "Ledger") -> list[PeerState]:
    """Each other station this ledger has exchanged packets with."""
    from ..ledger.models import named_rows

    rows = named_rows(ledger.db,
                      "SELECT station, acked_seq, applied_seq, packets_out, packets_in, last_out_at, last_in_at,"
                      " (SELECT count(DISTINCT seq) FROM sync_outbox o WHERE o.seq > p.acked_seq"
                      "  AND o.dest IN (p.station, -1)) AS unacked FROM sync_peers p ORDER BY station")
    return [PeerState(station=r["station"], acked_seq=r["acked_seq"], applied_seq=r["applied_seq"],
                      unacked_entries=r["unacked"], packets_out=r["packets_out"], packets_in=r["packets_in"],
                      last_out_at=r["last_out_at"], last_in_at=r["last_in_at"]) for r in rows]


def start_station(ledger: "Ledger") -> None:
    """A ledger that has just become a station as a copy of (or split from) the township's: nothing in it is
    new to the township, so what it has recorded as changed, sent or received is cleared. Call once, right
    after the split (``sync_key`` must be the township's: a copy of its file, or copied by the split)."""
    from .capture import start_fresh

    ledger.require("policies")
    with ledger.transaction() as db:
        start_fresh(db)
