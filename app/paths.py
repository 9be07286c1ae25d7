"""Where Canbao's files are. One module resolves resources the same way from source and from a
PyInstaller bundle (sys._MEIPASS), and the user's data folder via platformdirs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "Canbao"


def install_root() -> Path:
    """The folder holding ``policies/`` and ``resources/``: the bundle dir when frozen, else the repo."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def policies_dir() -> Path:
    override = os.environ.get("CANBAO_POLICIES")
    return Path(override) if override else install_root() / "policies"


def resources_dir() -> Path:
    return install_root() / "resources"


def data_dir() -> Path:
    """The user's data folder (ledgers, backups): never the program folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))
