"""Identity documents and search keys for members.

居民身份证 is validated by python-stdnum (via ``app.domain.idnumber``); 港澳台居民居住证 and the 2023
外国人永久居留身份证 use the same 18-character GB 11643 check digit; the older 15-character 外国人永久居留
身份证 is checked for its shape. Members without a document give a birth date instead.
"""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric

from ..domain.idnumber import IdNumberError, parse_id_number
from ..domain.problems import Problem

RESIDENT_ID = "居民身份证"
HMT_PERMIT = "港澳台居民居住证"
FOREIGN_PR = "外国人永久居留身份证"
NO_ID = "无"
ID_TYPES = (RESIDENT_ID, HMT_PERMIT, FOREIGN_PR, NO_ID)

_OLD_FOREIGN = re.compile(r"^[A-Z]{3}\d{12}$")


def _check18(number: str) -> bool:
    return bool(re.fullmatch(r"\d{17}[\dX]", number)) and ric.calc_check_digit(number) == number[17]


def _birth_from(number: str, start: int) -> dt.date | None:
    try:
        return dt.datetime.strptime(number[start:start + 8], "%Y%m%d").date()
    except ValueError:
        return None


def validate_identity(id_type: str, id_number: str | None, birth_date: dt.date | None, sex: str | None,
                      problems: list[Problem]) -> tuple[str | None, dt.date | None, str]:
    """Check a member's document and return (compact number or None, birth date, sex).

    A resident ID gives birth date and sex; a given birth date or sex that disagrees is a problem.
    """
    number = (id_number or "").strip().upper().replace(" ", "")
    sex = (sex or "").strip()
    if sex and sex not in ("男", "女"):
        problems.append(Problem("性别", f"性别应为 男 或 女：{sex}"))
    if id_type not in ID_TYPES:
        problems.append(Problem("证件类型", f"证件类型「{id_type}」无效。可用：{'、'.join(ID_TYPES)}"))
        return None, birth_date, sex
    if id_type == NO_ID:
        if number:
            problems.append(Problem("证件号码", "证件类型为「无」时不能填写证件号码"))
        if birth_date is None:
            problems.append(Problem("出生日期", "没有证件的人员必须填写出生日期"))
        return None, birth_date, sex
    if not number:
        problems.append(Problem("证件号码", f"{id_type}号码不能为空（没有证件请选「无」并填出生日期）"))
        return None, birth_date, sex
    id_birth, id_sex = None, ""
    if id_type == RESIDENT_ID:
        try:
            info = parse_id_number(number)
        except IdNumberError as exc:
            problems.append(Problem("证件号码", str(exc)))
            return number, birth_date, sex
        number, id_birth, id_sex = info.number, info.birth_date, info.sex
    elif id_type == HMT_PERMIT:
        if not (number[:2] in ("81", "82", "83") and _check18(number)):
            problems.append(Problem("证件号码", f"港澳台居民居住证号码应为18位、以81/82/83开头且校验位正确：{number}"))
            return number, birth_date, sex
        id_birth = _birth_from(number, 6)
        id_sex = "男" if int(number[16]) % 2 else "女"
    else:  # FOREIGN_PR
        if len(number) == 18:
            if not (number.startswith("9") and _check18(number)):
                problems.append(Problem("证件号码", f"外国人永久居留身份证（2023版）号码应为18位、以9开头且校验位正确：{number}"))
                return number, birth_date, sex
            id_birth = _birth_from(number, 6)
            id_sex = "男" if int(number[16]) % 2 else "女"
        elif not _OLD_FOREIGN.match(number):
            problems.append(Problem("证件号码", f"外国人永久居留身份证号码应为18位数字，或旧版3个字母加12位数字：{number}"))
            return number, birth_date, sex
    if id_birth is None and birth_date is None:
        problems.append(Problem("出生日期", f"无法从{id_type}号码读出出生日期，请填写出生日期"))
    if id_birth and birth_date and birth_date != id_birth:
        problems.append(Problem("出生日期", f"出生日期 {birth_date} 与证件号码中的 {id_birth} 不一致"))
    if id_sex and sex and sex != id_sex:
        problems.append(Problem("性别", f"性别「{sex}」与证件号码（{id_sex}）不一致"))
    return number, birth_date or id_birth, sex or id_sex


# Surnames read differently from the character's everyday reading (单田芳 is Shàn, not Dān): the first
# letter as the surname is said, so a grid worker typing what they hear finds the person.
SURNAME_INITIALS: dict[str, str] = {
    "单于": "cy", "尉迟": "yc", "万俟": "mq", "长孙": "zs",
    "单": "s", "曾": "z", "解": "x", "仇": "q", "区": "o", "查": "z", "翟": "z", "覃": "q", "种": "c",
    "秘": "b", "召": "s", "折": "s", "尉": "y", "繁": "p", "句": "g", "隗": "w", "眭": "s", "冼": "x",
}


def name_initials(name: str) -> str:
    """Pinyin first letters in lower case: 张三丰 -> zsf, 单田芳 -> stf (surname reading); characters
    pypinyin does not know are skipped."""
    name = (name or "").strip()
    head = ""
    for size in (2, 1):
        if name[:size] in SURNAME_INITIALS:
            head, name = SURNAME_INITIALS[name[:size]], name[size:]
            break
    # pypinyin is imported on first use: its dictionaries take ~0.4 s to load, which the window's start-up
    # (search reads the stored initials) does not need
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if name else []
    return head + "".join(ch for ch in "".join(letters).lower() if "a" <= ch <= "z")


def search_keys(name: str, id_number: str | None, phone: str) -> dict:
    """The derived columns every writer must fill: name_initials, id_rev, phone_rev."""
    return {"name_initials": name_initials(name), "id_rev": id_number[::-1] if id_number else None,
            "phone_rev": (phone or "")[::-1]}
