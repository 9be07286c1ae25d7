"""Receipt numbers carry the station's code: stations never collide, a restored ledger never reissues."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from app.domain.problems import ProblemsError
from app.ledger import stations
from app.ledger.backup import backup_ledger
from app.ledger.receipts import list_dropped
from app.ledger.restore import restore

from backup_helpers import checkpoint, new_ledger, pay, reopen

TOWN = "220112"


def _station(lg, number: int, kind: str = "村"):
    parent = "" if number == 0 else f"{TOWN}-000"
    return stations.set_up(lg, code=f"{TOWN}-{number:03d}", name=f"站{number}", kind="乡镇" if number == 0 else kind,
                           parent=parent)


def test_two_stations_issue_numbers_that_never_collide(tmp_path):
    issued: dict[str, list[str]] = {}
    seqs: set[tuple[int, int]] = set()
    for number in (0, 1, 2):
        with new_ledger(tmp_path / f"s{number}.db") as lg:
            _station(lg, number)
            issued[number] = [no for no, _ in pay(lg, 4)]
            seqs |= set(lg.db.execute("SELECT year, seq FROM payments").fetchall())
            assert lg.check() == []
    assert issued[1] == [f"{TOWN}-001-2025-00000{i}" for i in range(1, 5)]
    assert issued[0][0] == f"{TOWN}-000-2025-000001"
    every = [no for nos in issued.values() for no in nos]
    assert len(set(every)) == len(every) == 12
    assert len(seqs) == 12  # (year, seq) too: the township's ledger can hold every station's payments


def test_an_old_ledger_keeps_its_numbers_and_continues_above_them_once_a_station(tmp_path):
    """A ledger used before stations becomes the township (000) as it is; a village laptop joins instead
    (``station join``: its ids and numbers move into its own range), it is not set up as a village in place."""
    with new_ledger(tmp_path / "old.db", 3) as lg:
        assert [p for (p,) in lg.db.execute("SELECT receipt_no FROM payments")] == \
            ["2025-000001", "2025-000002", "2025-000003"]
        with pytest.raises(ProblemsError, match="加入乡镇"):
            _station(lg, 5)
        _station(lg, 0)
        assert pay(lg, 1)[0][0] == f"{TOWN}-000-2025-000004"  # above the numbers it had printed
        assert lg.payments.by_receipt("2025-000002").receipt_no == "2025-000002"  # the old ones stand
        assert lg.check() == []


def test_a_station_ledger_replaced_by_an_older_copy_never_reissues(tmp_path):
    path = tmp_path / "v.db"
    with new_ledger(path) as lg:
        _station(lg, 3)
        pay(lg, 2)
    checkpoint(path)
    shutil.copyfile(path, tmp_path / "copy.db")  # a hand copy, as a clerk makes on a USB stick
    with reopen(path) as lg:
        later = pay(lg, 2)
    checkpoint(path)
    shutil.copyfile(tmp_path / "copy.db", path)  # the older copy put back
    with reopen(path) as lg:
        assert [d.receipt_no for d in list_dropped(lg)] == [no for no, _ in later]
        assert pay(lg, 1)[0][0] == f"{TOWN}-003-2025-000005"
        assert lg.check() == []


def test_a_restore_on_the_township_drops_only_its_own_numbers(tmp_path):
    """The township holds other stations' payments (from packets): a restore drops none of theirs, and never
    millions of numbers between the ranges."""
    path = tmp_path / "t.db"
    with new_ledger(path) as lg:
        _station(lg, 0)
        stations.record(lg, code=f"{TOWN}-007", name="站7", kind="村", parent=f"{TOWN}-000")
        pay(lg, 1)
        backup = backup_ledger(path)
        own = pay(lg, 1)[0][0]
        with lg.transaction() as db:  # a payment of station 7 arriving in a packet (copied row by row)
            p = db.execute("SELECT * FROM payments ORDER BY id DESC LIMIT 1").fetchone()
            cols = [r[1] for r in db.execute("PRAGMA table_info(payments)")]
            row = dict(zip(cols, p))
            row.update(id=None, seq=7_000_001, receipt_no=f"{TOWN}-007-2025-000001", voided_at=None)
            db.execute(f"INSERT INTO payments ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                       [row[c] for c in cols])
        assert pay(lg, 1)[0][0] == f"{TOWN}-000-2025-000003"  # the packet's payment takes no township number
        assert {s for _y, s in lg.journal.read().receipts} == {1, 2, 3}  # the journal holds only its own
    restore(backup, path)
    with reopen(path) as lg:
        dropped = [d.receipt_no for d in list_dropped(lg)]
        assert dropped == [own, f"{TOWN}-000-2025-000003"]
        assert lg.db.execute("SELECT last_seq FROM receipt_counters").fetchone()[0] == 3
        assert pay(lg, 1)[0][0] == f"{TOWN}-000-2025-000004"


def test_check_names_a_receipt_number_that_does_not_match_its_station(tmp_path):
    path = tmp_path / "v.db"
    with new_ledger(path) as lg:
        _station(lg, 2)
        pay(lg, 1)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER payments_fixed")
    conn.execute("UPDATE payments SET receipt_no = '220112-009-2025-000001'")
    conn.commit()
    conn.close()
    with reopen(path) as lg:
        assert any("与年度和序号不符" in p.message for p in lg.check())


@pytest.mark.parametrize("paper", ["a4", "241x93"])
def test_the_printed_receipt_shows_the_whole_station_coded_number_clear_of_the_title(tmp_path, paper):
    """Read back with poppler: the number is printed whole, and its box does not overlap the title's."""
    import re
    import subprocess

    from app.paper.from_ledger import receipts
    from app.paper.receipt import render_receipts

    path = tmp_path / "v.db"
    with new_ledger(path) as lg:
        _station(lg, 3)
        no = pay(lg, 1)[0][0]
        render_receipts(receipts(lg, numbers=[no]), tmp_path / "r.pdf", paper)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(tmp_path / "r.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    words = [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)]
    number = next(w for w in words if w[4] == no)
    label = max((w for w in words if w[4] == "No." and w[2] <= number[0] and abs(w[1] - number[1]) < 2),
                key=lambda w: w[2])
    title = next(w for w in words if "收款回执" in w[4])
    same_line = number[1] < title[3] and title[1] < number[3]
    assert not (same_line and label[0] < title[2] + 2), (label, title)  # "No." starts clear of the title


def test_check_accepts_a_number_of_a_station_this_ledger_does_not_list(tmp_path):
    path = tmp_path / "v.db"
    with new_ledger(path) as lg:
        _station(lg, 2)
        pay(lg, 1)
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER payments_fixed")
    conn.execute("UPDATE payments SET seq = 9000001, receipt_no = '220112-009-2025-000001'")  # as if from a packet
    conn.commit()
    conn.close()
    with reopen(path) as lg:
        assert not any("与年度和序号不符" in p.message for p in lg.check())
