"""Bundle entry point of ``canbao.exe`` (console): the ``canbao`` command line, e.g. ``canbao selftest``."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
