"""Bundle entry point of ``canbao.exe`` (console): the ``canbao`` command line, e.g. ``canbao selftest``."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # a print process (app.ui.print_process) runs its job here and exits
    from app.cli.main import main

    sys.exit(main())
