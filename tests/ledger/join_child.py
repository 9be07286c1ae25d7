"""Run by test_stations_join_kill.py: joins a ledger to its township and stops (sleeps) inside the join's
transaction at the step named on the command line, after printing ``mid`` — so the parent can SIGKILL it
there."""

import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]


def main(ledger_path: str, card_path: str, code_word: str, stop_at: str) -> None:
    from app.ledger import join, join_card, open_ledger
    from operators_helper import log_in

    def progress(done: int, total: int) -> None:
        if done == int(stop_at):
            print("mid", flush=True)
            time.sleep(600)

    with open_ledger(ledger_path, backup=False) as lg:
        log_in(lg, "王会计")
        join.join_township(lg, join_card.read_card(card_path, code_word), progress=progress)
    print("done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
