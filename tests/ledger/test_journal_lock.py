"""Two writers appending to one receipt journal at the same moment: the second waits for the first (the
journal file's own lock) and chains onto its line. Without the lock both chained onto the same last line,
and the journal read back as “签名不符” — a forked chain that looks like tampering."""

from __future__ import annotations

import threading
import time

from app.ledger import journal
from app.ledger.journal import ReceiptJournal

KEY = b"k" * 32


def test_a_writer_paused_after_reading_the_last_line_is_not_overtaken(tmp_path, monkeypatch):
    ledger_path = tmp_path / "l.db"
    first, second = ReceiptJournal(ledger_path, KEY), ReceiptJournal(ledger_path, KEY)
    first.append([{"k": "h", "y": 2025, "s": 1}])
    second_started = threading.Event()
    real_mac = journal._mac
    paused = []

    def slow_mac(key, prev, body):
        if threading.current_thread().name == "first" and not paused:
            paused.append(True)
            second_started.wait(timeout=5)
            time.sleep(0.5)  # give the second writer time to overtake, if it can
        return real_mac(key, prev, body)

    monkeypatch.setattr(journal, "_mac", slow_mac)

    def write_second():
        while not paused:
            pass
        second_started.set()
        second.append([{"k": "h", "y": 2025, "s": 3}])

    a = threading.Thread(target=lambda: first.append([{"k": "h", "y": 2025, "s": 2}]), name="first")
    b = threading.Thread(target=write_second, name="second")
    a.start()
    b.start()
    a.join(10)
    b.join(10)
    monkeypatch.setattr(journal, "_mac", real_mac)
    fresh = ReceiptJournal(ledger_path, KEY)
    assert fresh.read().problems == []
    assert fresh.path.read_text(encoding="utf-8").count("\n") == 3
