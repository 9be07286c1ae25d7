"""The words district files use, to the ledger's words: relations (本人 = 户主), categories (低保 = 低保对象),
statuses, ethnicities, village and group names (东风村村民委员会 = 东风村, 1组 = 一组). Pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from ..domain.vocabulary import CATEGORIES, Status

ENROLLED = Status.ENROLLED

RELATIONS: dict[str, str] = {
    "户主": "户主", "本人": "户主", "户主本人": "户主", "本人(户主)": "户主", "户主(本人)": "户主", "家长": "户主",
    "配偶": "配偶", "妻": "配偶", "妻子": "配偶", "丈夫": "配偶", "夫": "配偶", "之妻": "配偶", "之夫": "配偶",
    "子": "子", "儿子": "子", "长子": "子", "次子": "子", "三子": "子", "四子": "子", "之子": "子", "独子": "子", "养子": "子",
    "继子": "子", "女": "女", "女儿": "女", "长女": "女", "次女": "女", "三女": "女", "四女": "女", "之女": "女", "独女": "女",
    "养女": "女", "继女": "女",
    "父母": "父母", "父亲": "父母", "母亲": "父母", "父": "父母", "母": "父母", "公公": "父母", "婆婆": "父母",
    "岳父": "父母", "岳母": "父母",
    "祖父母": "祖父母", "祖父": "祖父母", "祖母": "祖父母", "外祖父": "祖父母", "外祖母": "祖父母", "爷爷": "祖父母",
    "奶奶": "祖父母",
    "孙子女": "孙子女", "孙子": "孙子女", "孙女": "孙子女", "外孙": "孙子女", "外孙子": "孙子女", "外孙女": "孙子女",
    "兄弟姐妹": "兄弟姐妹", "兄": "兄弟姐妹", "弟": "兄弟姐妹", "姐": "兄弟姐妹", "妹": "兄弟姐妹", "哥哥": "兄弟姐妹",
    "弟弟": "兄弟姐妹", "姐姐": "兄弟姐妹", "妹妹": "兄弟姐妹",
    "儿媳": "儿媳", "媳": "儿媳", "儿媳妇": "儿媳", "女婿": "女婿", "婿": "女婿",
    "其他": "其他", "其他亲属": "其他", "非亲属": "其他",
}
HEAD = "户主"

# common short forms in 民政 / 农业农村 / 残联 lists that name exactly one category (the policy's own aliases
# come first). Nothing that could be one of two categories with different money is here: 脱贫户 / 脱贫人口 /
# 已脱贫 may be 稳定脱贫人口 or 脱贫不稳定人口 (the documents assist only the latter), 优抚对象 is wider than
# 重点优抚对象 — such a value is an unknown category unless the policy file names it as an alias or the user
# maps it (``--map-value`` / the preview's value table). Every mapping applied is listed in the preview.
CATEGORY_ALIASES: dict[str, str] = {
    "低保": "低保对象", "低保户": "低保对象", "城乡低保": "低保对象", "城市低保": "低保对象", "农村低保": "低保对象",
    "低保人员": "低保对象", "最低生活保障对象": "低保对象",
    "特困": "特困人员", "特困供养": "特困人员", "特困供养人员": "特困人员", "五保": "特困人员", "五保户": "特困人员",
    "分散供养特困人员": "特困人员", "集中供养特困人员": "特困人员",
    "低保边缘": "低保边缘家庭成员", "低边": "低保边缘家庭成员", "低保边缘户": "低保边缘家庭成员",
    "低保边缘家庭": "低保边缘家庭成员",
    "稳定脱贫户": "稳定脱贫人口",
    "脱贫不稳定户": "脱贫不稳定人口", "边缘易致贫户": "边缘易致贫人口", "突发严重困难户": "突发严重困难人口",
    "返贫致贫户": "返贫致贫人口", "监测对象": "防止返贫监测对象", "防返贫监测对象": "防止返贫监测对象",
    "重度残疾": "重度残疾人", "重残": "重度残疾人", "一级残疾": "重度残疾人", "二级残疾": "重度残疾人",
    "一二级残疾人": "重度残疾人", "重度残疾人员": "重度残疾人",
    "事实无人抚养": "事实无人抚养儿童", "劳模": "劳动模范",
}
# never taken from the short forms above, whatever is added there: they name more than one category
AMBIGUOUS_CATEGORIES = frozenset({"脱贫户", "脱贫人口", "已脱贫", "脱贫人员", "优抚对象", "孤儿(事实无人抚养儿童)"})
BY_POLICY = "按政策别名"
BY_SHORT_FORM = "按常用简称"
BY_USER = "按用户指定"
NO_CATEGORY = {"", "无", "否", "普通", "一般", "普通居民", "一般人员", "一般居民", "城乡居民", "普通人员", "/", "-", "—"}
SEVERE_GRADES = {"一级", "二级", "1级", "2级", "一", "二", "1", "2", "I级", "II级"}

STATUS_ALIASES: dict[str, Status] = {
    "已死亡": Status.DEAD, "去世": Status.DEAD, "身故": Status.DEAD,
    "职工医保": Status.EMPLOYEE, "职工": Status.EMPLOYEE, "城镇职工医保": Status.EMPLOYEE,
    "异地": Status.ELSEWHERE, "外地参保": Status.ELSEWHERE,
    "恢复本地参保": Status.ENROLLED, "尚未缴费": Status.ENROLLED, "未缴费": Status.ENROLLED,
}
for _status in Status:
    STATUS_ALIASES.setdefault(_status.value, _status)
# a roster's 参保状态 column: these all mean "enrolled here" (the ledger export writes 已缴费 / 未缴费)
ROSTER_STATUS = {**STATUS_ALIASES, "": ENROLLED, "正常": ENROLLED, "参保": ENROLLED, "已参保": ENROLLED,
                 "已缴费": ENROLLED, "在册": ENROLLED, "城乡居民医保": ENROLLED, "居民医保": ENROLLED}

ETHNICITY_SHORT = {"汉": "汉族", "回": "回族", "满": "满族", "蒙": "蒙古族", "蒙古": "蒙古族", "朝鲜": "朝鲜族",
                   "壮": "壮族", "藏": "藏族", "苗": "苗族", "彝": "彝族", "土家": "土家族", "维吾尔": "维吾尔族"}
SEX = {"男": "男", "女": "女", "男性": "男", "女性": "女", "1": "男", "2": "女"}


@lru_cache(maxsize=1024)
def relation_of(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).replace(" ", "")
    return RELATIONS.get(t, t)


@lru_cache(maxsize=1024)
def ethnicity_of(text: str) -> str:
    return ETHNICITY_SHORT.get(text, text)


def category_names(extra_aliases: Mapping[str, str] | None = None,
                   known: Iterable[str] | None = None) -> dict[str, str]:
    """Accepted name -> canonical category: the policy's categories (``known``, else the common ones), our short
    forms of them, then the policy's own aliases (which win)."""
    return category_table(extra_aliases, known)[0]


def category_table(extra_aliases: Mapping[str, str] | None = None, known: Iterable[str] | None = None,
                   user: Mapping[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(accepted name -> canonical category, accepted name -> where that mapping comes from) for every name
    that is not itself a category: the policy's aliases (按政策别名), our unambiguous short forms (按常用简称),
    the user's own mapping for this import (按用户指定, wins)."""
    known = tuple(known) if known is not None else CATEGORIES
    names = {c: c for c in known}
    sources: dict[str, str] = {}
    for k, v in CATEGORY_ALIASES.items():
        if v in names and k not in AMBIGUOUS_CATEGORIES:
            names[k], sources[k] = v, BY_SHORT_FORM
    for k, v in (extra_aliases or {}).items():  # not the add-ons' aliases
        if v in known and k != v:
            names[k], sources[k] = v, BY_POLICY
    for k, v in (user or {}).items():
        if v in known and k != v:
            names[k], sources[k] = v, BY_USER
    return names, sources


_SPLIT = re.compile(r"[、,，;；/]+")


def split_categories(text: str) -> list[str]:
    """低保对象、重度残疾人 -> both; 普通居民 / 无 -> none."""
    t = unicodedata.normalize("NFKC", text).strip()
    if t in NO_CATEGORY:
        return []
    return [p.strip() for p in _SPLIT.split(t) if p.strip() and p.strip() not in NO_CATEGORY]


# -- places ---------------------------------------------------------------------------------------------
_COMMITTEE = (("村民委员会", "村"), ("居民委员会", "社区"), ("村委会", "村"), ("居委会", "社区"))


def village_of(text: str, known: Iterable[str]) -> str:
    """The ledger's name for a file's village: 东风村村民委员会 / 东风村委会 / 东风 -> 东风村 where it exists."""
    known = set(known)
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if t in known:
        return t
    for long, short in _COMMITTEE:
        if t.endswith(long):
            s = t[: -len(long)]
            t = s if s.endswith(short) else s + short
            break
    if t in known:
        return t
    for suffix in ("村", "社区"):
        if t + suffix in known:
            return t + suffix
    return t


_NUMERALS = "零一二三四五六七八九十"
_GROUP = re.compile(r"^第?([0-9]+|[零一二三四五六七八九十百]+)(?:村民|居民)?(?:小组|组|社)?$")


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if all(ch in _NUMERALS + "百" for ch in text):
        total, cur = 0, 0
        for ch in text:
            if ch == "百":
                total += (cur or 1) * 100
                cur = 0
            elif ch == "十":
                total += (cur or 1) * 10
                cur = 0
            else:
                cur = _NUMERALS.index(ch)
        return total + cur
    return None


def group_number(text: str) -> int | None:
    m = _GROUP.match(text)
    return _number(m.group(1)) if m else None


def group_of(text: str, known: Iterable[str]) -> str:
    """The ledger's name for a file's group: 1组 / 第一组 / 01 -> 一组 where the village has it."""
    t = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    known = list(known)
    if not t or t in known:
        return t
    n = group_number(t)
    if n is not None:
        for g in known:
            if group_number(g) == n:
                return g
    return t
