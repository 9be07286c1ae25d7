"""Logs never hold a full ID number or mobile number: every log record's text is redacted
(``app.domain.idnumber.redact``) as it is made, whichever logger or handler writes it."""

from __future__ import annotations

import logging

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
