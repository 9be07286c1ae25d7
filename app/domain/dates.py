"""Dates as people type them: the one parser the ledger, the CLI, the window and the imports share.

``parse_date(value, field)`` returns a ``date``, ``None`` for an empty value, or a ``Problem`` placed at
``field`` — never raises. It reads ``2025-10-08``, ``2025/10/8``, ``2025.10.08``, ``20251008``,
``2025年10月8日``, any of them with a time after it (``2025-10-08 09:30``) and in full-width digits; a
``date`` or ``datetime`` as itself; with ``excel_serials`` an Excel day number (45573 = 2024-10-08), which
only a spreadsheet cell can mean. ``date_into`` appends the problem to a list (the form and service
pattern: all problems at once); ``date_or_raise`` raises ``ProblemsError`` (a CLI argument).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .problems import Problem, ProblemsError

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?" + _TIME + "$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
EXAMPLE = "2025-10-08"


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: object, field: str, *, label: str = "", required: bool = False,
               excel_serials: bool = False) -> dt.date | Problem | None:
    """A date, ``None`` (empty, unless ``required``), or a ``Problem(field, "<label>「text」不是有效日期（应为
    2025-10-08 这样的日期）")``."""
    missing = Problem(field, f"请填写{label or field}（如 {EXAMPLE}）") if required else None
    if value is None:
        return missing
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if excel_serials and isinstance(value, (int, float)) and not isinstance(value, bool):
        whole = value if isinstance(value, int) else (int(value) if value.is_integer() else None)
        if whole is not None and 20000 <= whole <= 80000:  # an Excel serial day number
            return _EXCEL_EPOCH + dt.timedelta(days=whole)
    text = _text(value)
    if not text:
        return missing
    normal = unicodedata.normalize("NFKC", text)
    for pattern in _PATTERNS:
        m = pattern.match(normal)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    return Problem(field, f"{label}「{text}」不是有效日期（应为 {EXAMPLE} 这样的日期）")


def date_into(value: object, field: str, problems: list[Problem], *, label: str = "",
              required: bool = False) -> dt.date | None:
    """The date, or ``None`` with the problem (if any) appended to ``problems``."""
    got = parse_date(value, field, label=label, required=required)
    if isinstance(got, Problem):
        problems.append(got)
        return None
    return got


def date_or_raise(value: object, field: str, *, label: str = "") -> dt.date | None:
    """The date (``None`` when empty), or ``ProblemsError`` with its problem."""
    got = parse_date(value, field, label=label)
    if isinstance(got, Problem):
        raise ProblemsError([got])
    return got
