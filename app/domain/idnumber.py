"""居民身份证号码: validation, birth date and sex, masking. Validation is python-stdnum's cn.ric."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum import exceptions as stdnum_exc
from stdnum.cn import ric


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str  # compact, upper-case X
    birth_date: dt.date
    sex: str  # "男" / "女"


class IdNumberError(ValueError):
    """The number is not a valid 居民身份证号码; the message says why, in Chinese."""


def parse_id_number(text: str) -> IdInfo:
    """Validate an 18-digit resident ID number and read its birth date and sex."""
    raw = (text or "").strip()
    if not raw:
        raise IdNumberError("身份证号码为空")
    try:
        number = ric.validate(raw)
    except stdnum_exc.InvalidLength:
        raise IdNumberError(f"身份证号码应为18位，实际 {len(ric.compact(raw))} 位：{raw}") from None
    except stdnum_exc.InvalidFormat:
        raise IdNumberError(f"身份证号码格式错误（前17位须为数字，末位为数字或X）：{raw}") from None
    except stdnum_exc.InvalidChecksum:
        raise IdNumberError(f"身份证号码校验位错误：{raw}") from None
    except stdnum_exc.InvalidComponent:
        raise IdNumberError(f"身份证号码中的出生日期或地区码无效：{raw}") from None
    except stdnum_exc.ValidationError as exc:  # any other stdnum complaint
        raise IdNumberError(f"身份证号码无效：{raw}（{exc}）") from None
    if len(number) != 18:
        raise IdNumberError(f"只接受18位身份证号码：{raw}")
    birth = ric.get_birth_date(number)
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number.upper(), birth_date=birth, sex=sex)


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
