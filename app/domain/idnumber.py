"""居民身份证号码: validation, birth date and sex, masking. Validation is python-stdnum's cn.ric."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str  # compact, upper-case X
    birth_date: dt.date
    sex: str  # "男" / "女"


# Demo people (``canbao demo``) carry a province's code followed by 9999: prefecture 99 is issued in no
# province (GB/T 2260 uses 01–90), so no real person has such a number; the province part and the check
# digit stay valid, so every check in the program still runs on demo data.
DEMO_AREA_SUFFIX = "9999"


def demo_area_code(province: str) -> str:
    """The demo area code in a province (``"22"`` -> ``"229999"``)."""
    return f"{province[:2]}{DEMO_AREA_SUFFIX}"


def is_demo_number(number: str) -> bool:
    """Does this ID number carry the demo area code (so it cannot be a real person's)?"""
    n = (number or "").strip()
    return len(n) == 18 and n[2:6] == DEMO_AREA_SUFFIX


class IdNumberError(ValueError):
    """The number is not a valid 居民身份证号码; the message says why, in Chinese."""


_PLAIN = re.compile(r"[0-9]{17}[0-9X]")


def parse_id_number(text: str, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-digit resident ID number and read its birth date and sex.

    Uses python-stdnum's cn.ric for the format, check digit, birth date and province. It does not apply
    stdnum's rule that the county code must have existed in the birth year: people keep the code of the
    place that issued their card (屯留区's 140405 exists only since 2018, yet older residents carry it).
    """
    raw = (text or "").strip().upper()
    if not raw:
        raise IdNumberError("身份证号码为空")
    # stdnum's compact() maps look-alike characters one by one (most of an ID's check time): a plain
    # 18-character number is already compact
    number = raw if _PLAIN.fullmatch(raw) else ric.compact(raw)
    if len(number) != 18:
        raise IdNumberError(f"身份证号码应为18位，实际 {len(number)} 位：{raw}")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(f"身份证号码格式错误（前17位须为数字，末位为数字或X）：{raw}")
    if number[17] != ric.calc_check_digit(number):
        raise IdNumberError(f"身份证号码校验位错误：{raw}（按前17位计算，末位应为 {ric.calc_check_digit(number)}）")
    try:  # as ric.get_birth_date, without compacting the number once more
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号码中的出生日期 {number[6:14]} 无效：{raw}") from None
    if birth > (today or dt.date.today()):
        raise IdNumberError(f"身份证号码中的出生日期 {birth} 晚于今天：{raw}")
    if not _known_area(number[:6]):
        raise IdNumberError(f"身份证号码前6位地区码 {number[:6]} 不存在：{raw}")
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdInfo(number=number, birth_date=birth, sex=sex)


@lru_cache(maxsize=8192)
def _known_area(code: str) -> bool:
    """Is the 6-digit area code in stdnum's place list? (The look-up is most of an ID's check time: cached.)"""
    return any("province" in props for _, props in numdb.get("cn/loc").info(code))


def is_valid_id_number(text: str) -> bool:
    try:
        parse_id_number(text)
    except IdNumberError:
        return False
    return True


def mask_id_number(number: str) -> str:
    """2201**********1231: first four and last four shown (short numbers: only the last two)."""
    n = (number or "").strip()
    if len(n) <= 8:
        return "*" * (len(n) - 2) + n[-2:] if len(n) > 2 else n
    return n[:4] + "*" * (len(n) - 8) + n[-4:]


def mask_phone(phone: str) -> str:
    """139****5678: a mobile number's first three and last four digits; other numbers keep their last four."""
    p = (phone or "").strip()
    if len(p) <= 4:
        return p
    if len(p) == 11 and p.isdigit():
        return p[:3] + "****" + p[-4:]
    return "*" * (len(p) - 4) + p[-4:]


# Fields holding a secret in records shown on screen, in the CLI and in the audit log, and their masks.
SECRET_FIELDS = {"id_number": mask_id_number, "phone": mask_phone}


def mask_fields(values: dict | None) -> dict | None:
    """A copy of ``values`` with ID numbers and phones masked (audit before/after, JSON outputs)."""
    if not values:
        return values
    return {k: (SECRET_FIELDS[k](v) if k in SECRET_FIELDS and isinstance(v, str) else v) for k, v in values.items()}


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def redact(text: str) -> str:
    """Any 18-character ID number or mobile number inside ``text`` masked (log lines, crash reports)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
