"""Cell values as offices write them, each parser returning (value, message or ""). Pure: no SQLite, no Qt.

- text: what the ledger would refuse (line breaks, tabs, other control characters, zero-width and
  direction-control characters, over-long text) is named here, so the preview reports what the commit would
  refuse;
- dates: 2024-11-02, 2024/11/2, 2024年11月2日, 20241102, an Excel day number or a date cell; ``2024-11-02 垃圾``
  is an error, not 2024-11-02;
- money: an Excel float such as 409.99999999999994 is read through its repr as Decimal and rounded to the fen;
  a value with a real fraction of a fen (409.996) is a problem. Never float arithmetic.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..domain import dates
from ..domain.idnumber import IdNumberError, parse_id_number
from ..domain.problems import Problem

CENT = Decimal("0.01")
FLOAT_NOISE = Decimal("0.000001")  # a float's last-digit noise, far below a fen

MAX_LENGTH = {"name": 50, "household_head": 50, "village": 30, "group": 30, "relation": 20, "ethnicity": 20,
              "school": 100, "status_detail": 200, "note": 500, "department": 100, "household_no": 30}

_ZERO_WIDTH = {"\u200b": "零宽空格", "\u200c": "零宽非连接符", "\u200d": "零宽连接符", "\u2060": "零宽不折行空格",
               "\ufeff": "零宽不折行空格（BOM）", "\u00ad": "软连字符"}
_BIDI = {"\u200e": "从左到右标记", "\u200f": "从右到左标记", "\u061c": "阿拉伯字母标记",
         "\u202a": "从左到右嵌入", "\u202b": "从右到左嵌入", "\u202c": "方向格式结束", "\u202d": "从左到右覆盖",
         "\u202e": "从右到左覆盖", "\u2066": "从左到右隔离", "\u2067": "从右到左隔离", "\u2068": "首字符强隔离",
         "\u2069": "方向隔离结束"}


def text_of(value: object) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value).strip()


_SUSPECT = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")


def suspect(text: str) -> bool:
    """Has this text a character the ledger would refuse (control, zero-width, direction control)?"""
    return _SUSPECT.search(text) is not None


def text_problem(text: str, label: str, limit: int | None = None) -> str:
    """Why the ledger would refuse this text, naming the character, or ""."""
    if limit is not None and len(text) > limit and not _SUSPECT.search(text):
        return f"{label}过长：{len(text)} 个字，最多 {limit} 个字"
    if not _SUSPECT.search(text):
        return ""
    for ch in text:
        if ch == "\n" or ch == "\r":
            return f"{label}里有换行符：请删去换行，写在一行里"
        if ch == "\t":
            return f"{label}里有制表符（Tab）：请删去"
        if ch in _ZERO_WIDTH:
            return f"{label}里有看不见的{_ZERO_WIDTH[ch]}（U+{ord(ch):04X}）：请删去后重新输入"
        if ch in _BIDI:
            return f"{label}里有看不见的文字方向控制符“{_BIDI[ch]}”（U+{ord(ch):04X}）：请删去后重新输入"
        if ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F:
            return f"{label}里有控制字符（U+{ord(ch):04X}）：请删去"
    if limit is not None and len(text) > limit:
        return f"{label}过长：{len(text)} 个字，最多 {limit} 个字"
    return ""


# -- ID numbers ---------------------------------------------------------------------------------------------
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def parse_id(value: object) -> tuple[str | None, str]:
    """(the ID number as the ledger stores it, "") or (None, why not). Not cached here: a preview parses each
    cell once and keeps the result only while its rows are checked (``LedgerFacts.parse_id``)."""
    return _parse_id_value(value)


_PLAIN_ID = re.compile(r"[0-9]{17}[0-9Xx]")


def _parse_id_value(value: object) -> tuple[str | None, str]:
    if type(value) is str and len(value) == 18 and _PLAIN_ID.fullmatch(value):  # most cells: nothing to clean
        try:
            return parse_id_number(value.upper(), today=_today()).number, ""
        except IdNumberError as exc:
            return None, str(exc)
    if value is None or text_of(value) == "":
        return None, "身份证号为空"
    if isinstance(value, float) or (isinstance(value, int) and len(str(value)) >= 16):
        return None, (f"身份证号被存成了数字（{text_of(value)}），末几位已丢失：请把该列设为“文本”格式后重新录入")
    text = unicodedata.normalize("NFKC", text_of(value)).replace(" ", "").lstrip("'")
    if _SCIENTIFIC.match(text):
        return None, (f"身份证号显示成了科学计数法（{text}），号码已丢失：请在原表中把该列设为“文本”格式、"
                      "重新录入后再另存")
    try:
        return parse_id_number(text.upper(), today=_today()).number, ""
    except IdNumberError as exc:
        return None, str(exc)


_TODAY: list = [None, -1e9]


def _today() -> dt.date:
    """Today, asked of the clock once a minute rather than once per ID number (a 100,000-row list)."""
    now = time.monotonic()
    if now - _TODAY[1] > 60:
        _TODAY[0], _TODAY[1] = dt.date.today(), now
    return _TODAY[0]


def id_sex(number: str) -> str:
    return "男" if int(number[16]) % 2 == 1 else "女"


def id_birth(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


# -- dates ----------------------------------------------------------------------------------------------
def parse_date(value: object, label: str) -> tuple[dt.date | None, str]:
    """The shared parser (app/domain/dates.py), Excel day numbers included: (date, "") or (None, why)."""
    got = dates.parse_date(value, label, label=label, required=True, excel_serials=True)
    return (None, got.message) if isinstance(got, Problem) else (got, "")


# -- money ----------------------------------------------------------------------------------------------
def parse_amount(value: object, label: str) -> tuple[Decimal | None, str]:
    """Decimal yuan to the fen. A float is read through its repr (the shortest text that is that float)."""
    if value is None or text_of(value) == "":
        return None, f"{label}为空"
    if isinstance(value, bool):
        return None, f"{label}「{value}」不是有效金额"
    if isinstance(value, float):
        text = repr(value)
    elif isinstance(value, (int, Decimal)):
        text = str(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("¥", "")
        text = text.removesuffix("元").strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None, f"{label}「{text_of(value)}」不是有效金额"
    if not d.is_finite():
        return None, f"{label}「{text_of(value)}」不是有效金额"
    rounded = d.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(d - rounded) > FLOAT_NOISE:
        return None, f"{label}「{text}」有不足一分的零头：请核对金额（应精确到分）"
    return rounded, ""
