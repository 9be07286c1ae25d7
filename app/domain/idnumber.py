"""居民身份证号码: validation, birth date and sex, masking. Validation is python-stdnum's cn.ric."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import exceptions as stdnum_exc
from stdnum import numdb
from stdnum.cn import ric


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str  # compact, upper-case X
    birth_date: dt.date
    sex: str  # "男" / "女"


class IdNumberError(ValueError):
    """The number is not a valid 居民身份证号码; the message says why, in Chinese."""


_PLAIN = re.compile(r"^\d{17}[\dX]$")


def _birth(number: str) -> dt.date:
    """stdnum's get_birth_date without its compact(), for a number already plain."""
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


@lru_cache(maxsize=8192)
def _province_known(area: str) -> bool:
    """Does stdnum's cn/loc database know this area's province? Cached: an import checks 100,000 numbers
    from a few dozen areas, and each lookup walks the database."""
    return any("province" in props for _, props in numdb.get("cn/loc").info(area))


def parse_id_number(text: str, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-digit resident ID number and read its birth date and sex.

    Uses python-stdnum's cn.ric for the format, check digit, birth date and province. It does not apply
    stdnum's rule that the county code must have existed in the birth year: people keep the code of the
    place that issued their card (屯留区's 140405 exists only since 2018, yet older residents carry it).
    """
    raw = (text or "").strip().upper()
    if not raw:
        raise IdNumberError("身份证号码为空")
    number = raw if _PLAIN.match(raw) else ric.compact(raw)  # compact() is costly; most numbers are plain
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位，实际 {len(number)} 位：{raw}")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(f"身份证号码格式错误（前17位须为数字，末位为数字或X）：{raw}")
    if number[17] != ric.calc_check_digit(number):
        raise IdNumberError(f"身份证号码校验位错误：{raw}（按前17位计算，末位应为 {ric.calc_check_digit(number)}）")
    try:
        birth = ric.get_birth_date(number) if not _PLAIN.match(number) else _birth(number)
    except (stdnum_exc.ValidationError, ValueError):
        raise IdNumberError(f"身份证号码中的出生日期 {number[6:14]} 无效：{raw}") from None
    if birth > (today or dt.date.today()):
        raise IdNumberError(f"身份证号码中的出生日期 {birth} 晚于今天：{raw}")
    if not _province_known(number[:6]):
        raise IdNumberError(f"身份证号码前6位地区码 {number[:6]} 不存在：{raw}")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, sex=sex)


def is_valid_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except IdNumberError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """2201**********1231: first four and last four shown."""
    n = (number or "").strip()
    if len(n) <= 8:
        return n
    return n[:4] + "*" * (len(n) - 8) + n[-4:]
