"""Run by test_fault_injection.py: imports everything, prints ``ready``, waits for a line on stdin, then does
one operation (so the parent can SIGKILL it at a chosen moment of the operation itself, not of start-up)."""

import sys
from pathlib import Path


def main(op: str, *args: str) -> None:
    from app.ledger import open_ledger
    from app.ledger.backup import backup_ledger
    from app.ledger.restore import restore

    if op in ("import", "export"):
        from app.exchange.exports import export_one
        from app.exchange.imports import commit, preview
    import os

    def opened(path):  # logged in as a clerk would be (the tests' environment)
        lg = open_ledger(path, backup=False)
        if lg.operators.any():
            lg.operators.login(os.environ["CANBAO_OPERATOR"], os.environ["CANBAO_PIN"])
        return lg

    print("ready", flush=True)
    sys.stdin.readline()
    if op == "backup":
        backup_ledger(Path(args[0]))
    elif op == "restore":
        restore(Path(args[0]), Path(args[1]))
    elif op == "rollover":
        with opened(args[0]) as lg:
            lg.rollover(args[1], args[2])
    elif op == "import":
        with opened(args[0]) as lg:
            commit(lg, preview(lg, args[1], "roster"))
    elif op == "export":
        with opened(args[0]) as lg:
            export_one(lg, "ledger", args[1])
    print("done", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
