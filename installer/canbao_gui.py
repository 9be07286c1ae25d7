"""Bundle entry point of ``canbaow.exe`` (windowed, no console): opens the window.

``CANBAO_SMOKE_EXIT=1`` makes it quit with 0 once the main window is shown (1 if none appears in time),
which is how the bundle test checks that the window opens from the frozen program."""

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # first: a print process (app.ui.print_process) runs its job and exits
    if os.environ.get("CANBAO_SMOKE_EXIT"):
        from app.selftest import gui_smoke

        sys.exit(gui_smoke())
    from app.cli.main import main

    sys.exit(main([]))
