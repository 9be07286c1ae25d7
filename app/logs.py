"""Logs never hold a full ID number or mobile number: every log record's text is redacted
(``app.domain.idnumber.redact``) as it is made, whichever logger or handler writes it.

The window logs to a rotating file in the data folder (``logs/canbao.log``, 1 MB × 5: ``setup_logging``),
so "details in the log" exist even in the windowed Windows build, where there is no stderr.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_NAME = "canbao.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_installed = False


def redact_logs() -> None:
    """Install once per process (the CLI and the window call it first)."""
    global _installed
    if _installed:
        return
    from .domain.idnumber import redact

    make = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's own business
            return record
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def log_path(folder: Path | str | None = None) -> Path:
    if folder is None:
        from .paths import data_dir

        folder = data_dir()
    return Path(folder) / "logs" / LOG_NAME


def setup_logging(folder: Path | str | None = None, level: int = logging.INFO) -> Path:
    """Redacted records to the rotating file (and to stderr when there is one); uncaught exceptions are
    logged too. Returns the log file's path. Safe to call twice (the handlers are replaced, not added)."""
    redact_logs()
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
        root.addHandler(h)
    root.setLevel(level)

    def excepthook(kind, value, tb):
        logging.getLogger("canbao").critical("未处理的错误", exc_info=(kind, value, tb))
        if sys.stderr is not None:
            sys.__excepthook__(kind, value, tb)

    sys.excepthook = excepthook
    return path
