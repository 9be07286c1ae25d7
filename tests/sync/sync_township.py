"""Helpers for the sync tests: a township ledger and its stations. Every ledger starts as a copy of one file
(as a split makes a station's ledger: the township's villages with their ids, the same packet key), then
takes its own station code."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.ledger import open_ledger, stations
from app.sync import signing
from app.sync.packets import start_station
from operators_helper import log_in

TOWNSHIP_CODE = "220112"


def make_township(folder: Path, villages: list[str], policy_id: str = "changchun-2025", *, year: int | None = None):
    """(township ledger, [station ledgers]): station n keeps ``villages[n - 1]``; all logged in as 王会计."""
    seed = folder / "seed.db"
    lg = open_ledger(seed, create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=year or int(policy_id[-4:]), policy_id=policy_id,
                           operators=["王会计"], villages={v: ["一组"] for v in villages},
                           area_kind="区" if policy_id.startswith("changchun") else "")
    lg.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lg.close()
    ledgers = []
    for n in range(len(villages) + 1):
        path = folder / f"station{n:03d}.db"
        shutil.copyfile(seed, path)
        one = open_ledger(path, backup=False)
        log_in(one, "王会计")
        code = f"{TOWNSHIP_CODE}-{n:03d}"
        if n == 0:
            stations.set_up(one, code=code, name="测试镇", kind="乡镇")
        else:  # a split copies the township's list: the station knows the township (and whose receipts are whose)
            stations.record(one, code=f"{TOWNSHIP_CODE}-000", name="测试镇", kind="乡镇")
            stations.set_up(one, code=code, name=villages[n - 1], kind="村", parent=f"{TOWNSHIP_CODE}-000",
                            village=villages[n - 1])
        start_station(one)
        ledgers.append(one)
    township = ledgers[0]
    for n, v in enumerate(villages, start=1):
        stations.record(township, code=f"{TOWNSHIP_CODE}-{n:03d}", name=v, kind="村",
                        parent=f"{TOWNSHIP_CODE}-000", village=v)
        # as a split does: the township records the station's signing key, the station the township's
        signing.record_key(township, n, signing.own_public_key(ledgers[n].db))
        signing.record_key(ledgers[n], 0, signing.own_public_key(township.db))
    return township, ledgers[1:]


def send(frm, to_number: int, to, post: Path):
    """Write ``frm``'s packet for station ``to_number`` into ``post`` and apply it to ``to``; it must apply."""
    from app.sync import packets

    r = packets.apply_packet(to, packets.write_packet(frm, to_number, post).path)
    assert r.ok, r.problems
    return r
