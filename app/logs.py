"""The program's log: a rotating file in the data folder (``logs/canbao.log``, 1 MB × 5), so "details in
the log" exist even in the windowed Windows build, where there is no stderr. Personal information never
reaches it: every record passes ``MaskSecrets``, which masks anything shaped like an ID number (first four
and last four digits kept) or a mobile number (first three and last four)."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
from pathlib import Path

LOG_NAME = "canbao.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# 15- or 18-character ID numbers (the last may be X) and 11-digit mobiles, not inside a longer run of digits
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{4})(\d{7}|\d{10})(\d{3}[\dXx]|\d{4})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_secrets(text: str) -> str:
    text = _ID.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


class MaskSecrets(logging.Filter):
    """Rewrites a record's message (and the traceback text) with ID numbers and mobiles masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string still gets logged, masked
            message = str(record.msg)
        record.msg = mask_secrets(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_secrets(record.exc_text)
        return True


def log_path(folder: Path | str | None = None) -> Path:
    if folder is None:
        from .paths import data_dir

        folder = data_dir()
    return Path(folder) / "logs" / LOG_NAME


def setup_logging(folder: Path | str | None = None, level: int = logging.INFO) -> Path:
    """Log to the rotating file (and to stderr when there is one); uncaught exceptions are logged too.
    Returns the log file's path. Safe to call twice (the handlers are replaced, not added again)."""
    path = log_path(folder)
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_canbao", False):
            root.removeHandler(h)
            h.close()
    handlers: list[logging.Handler] = []
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                             encoding="utf-8", delay=True))
    except OSError:
        pass  # a read-only data folder: stderr only
    if sys.stderr is not None:  # the windowed build has none
        handlers.append(logging.StreamHandler())
    for h in handlers:
        h._canbao = True  # type: ignore[attr-defined]
        h.setFormatter(logging.Formatter(FORMAT))
        h.addFilter(MaskSecrets())
        root.addHandler(h)
    root.setLevel(level)

    def excepthook(kind, value, tb):
        logging.getLogger("canbao").critical("未处理的错误", exc_info=(kind, value, tb))
        if sys.__excepthook__ is not None and sys.stderr is not None:
            sys.__excepthook__(kind, value, tb)

    sys.excepthook = excepthook
    return path
