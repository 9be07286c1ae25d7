"""The names Canbao speaks: the documents' own Chinese words for categories, add-ons and special cases.

A policy file may add aliases (e.g. 城乡特困人员 for 特困人员); the canonical names here are what the
ledger stores and what the CLI accepts.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "特困人员",
    "孤儿",
    "事实无人抚养儿童",
    "儿童福利机构儿童",
    "低保对象",
    "低保边缘家庭成员",
    "返贫致贫人口",
    "脱贫不稳定人口",
    "边缘易致贫人口",
    "突发严重困难人口",
    "稳定脱贫人口",
    "防止返贫监测对象",
    "重度残疾人",
    "重点优抚对象",
    "劳动模范",
)

ADDONS: tuple[str, ...] = ("长期护理保险", "意外伤害保险", "晋康保基础版", "晋康保尊享版")

SPECIALS: tuple[str, ...] = (
    "新入学大中专学生",
    "退役军人",
    "征兵退回人员",
    "刑满释放人员",
    "社区矫正对象",
    "职工医保断保",
)

# Funding sources named by the documents (who pays an assistance or a subsidy).
FUNDING_SOURCES: tuple[str, ...] = (
    "医疗救助",
    "财政",
    "残疾人就业保障金",
    "区退役军人事务局",
    "儿童福利机构",
    "市财政",
    "区财政",
    "县财政",
    "县（区）财政",
    "市总工会",
)

# Departments that recognise categories (used by the ledger's forms).
DEPARTMENTS: tuple[str, ...] = ("民政", "农业农村", "乡村振兴", "残联", "退役军人事务", "总工会", "教育", "卫生健康", "其他")

# Why a member is not enrolled here; ``counts`` = still required to enrol here (in the rate's denominator).
NON_ENROLMENT_REASONS: dict[str, bool] = {
    "参加职工医保": False,
    "异地参保": False,
    "参军/服役": False,
    "服刑": False,
    "死亡": False,
    "迁出": False,
    "失踪": True,
    "拒参": True,
    "无法联系": True,
    "其他": True,
}


# -- typed vocabulary: every status, pay state, category kind, quote timing and line kind, with its Chinese label.
# ``StrEnum`` members equal their stored text ("本地参保" == Status.ENROLLED), so SQL and JSON stay as they are.
from enum import StrEnum  # noqa: E402 - the names above are the older, plain form of the same vocabulary


class Word(StrEnum):
    """A word of the vocabulary: equal to its stored text, with a Chinese ``label`` (the text itself when it
    is Chinese already, else from ``LABELS``)."""

    @property
    def label(self) -> str:
        return LABELS.get(type(self).__name__, {}).get(self.value, self.value)


class Status(Word):
    """``members.status``: enrolled here, or why not. ``counts``: still required to enrol here."""

    ENROLLED = "本地参保"
    EMPLOYEE = "参加职工医保"
    ELSEWHERE = "异地参保"
    MILITARY = "参军/服役"
    PRISON = "服刑"
    DEAD = "死亡"
    MOVED_OUT = "迁出"
    MISSING = "失踪"
    REFUSED = "拒参"
    UNREACHABLE = "无法联系"
    OTHER = "其他"

    @property
    def counts(self) -> bool:
        """Required to enrol here (in the enrolment rate's denominator)."""
        return self is Status.ENROLLED or NON_ENROLMENT_REASONS[self.value]

    @classmethod
    def of(cls, text: str) -> "Status | None":
        try:
            return cls(text)
        except ValueError:
            return None


_COUNTS: dict[str, bool] = {s.value: s.counts for s in Status}


def counts_for_rate(status: str) -> bool:
    """Is a member with this stored status required to enrol here? Unknown text counts (never hides a member)."""
    return _COUNTS.get(status, True)


REQUIRED_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s.counts)
NOT_REQUIRED_STATUSES: tuple[Status, ...] = tuple(s for s in Status if not s.counts)


class PayState(Word):
    """A member's standing in the campaign year (see app.ledger.member_year: the one rule that picks it)."""

    PAID = "已缴"
    UNPAID = "未缴"
    NOT_REQUIRED = "无需缴费"


class HouseholdState(Word):
    """A household's standing over its members who are required here."""

    PAID = "已缴清"
    PARTLY = "部分已缴"
    UNPAID = "未缴"
    NOT_REQUIRED = "无需缴费"


class CategoryKind(Word):
    """How a policy assists a category at the counter (``[[category]] kind``)."""

    NONE = "none"
    FULL = "full"
    FIXED = "fixed"
    PERCENT = "percent"
    TABLE = "table"



class Timing(Word):
    """``Quote.timing``: which of the document's payment periods a quote falls in."""

    WINDOW = "window"
    GRACE = "grace"  # a period of the campaign with its own benefit rule ([[grace]])
    GROUP_WINDOW = "group_window"  # a window for some members only ([[group_windows]])
    DYNAMIC = "dynamic"  # 动态新增, keyed by the recognition date ([dynamic])
    EXTENSION = "extension"
    SPECIAL = "special"
    LATE_CATEGORY = "late_category"
    NEWBORN = "newborn"
    NEWBORN_FREE = "newborn_free"
    LATE = "late"
    CLOSED = "closed"

    @property
    def in_window(self) -> bool:
        return self is Timing.WINDOW


class LineKind(Word):
    """``QuoteLine.kind``."""

    STANDARD = "standard"
    SURCHARGE = "surcharge"
    ASSISTANCE = "assistance"
    ADDON = "addon"
    SUBSIDY = "subsidy"
    BENEFIT = "benefit"
    WAITING = "waiting"
    NOTE = "note"
    WARNING = "warning"
    CLOSED = "closed"


class ClaimPartKind(Word):
    """``ClaimPart.kind`` (认定后补付): counter assistance owed, a subsidy owed, or a subsidy withdrawn."""

    ASSISTANCE = "assistance"
    SUBSIDY = "subsidy"
    WITHDRAWN = "withdrawn"


LABELS: dict[str, dict[str, str]] = {
    "CategoryKind": {"none": "不资助", "full": "全额资助", "fixed": "定额资助", "percent": "按比例资助",
                     "table": "按表资助"},
    "Timing": {"window": "集中缴费期", "grace": "缴费期内次日生效", "group_window": "分群体缴费期", "dynamic": "动态新增",
               "extension": "延长缴费期", "special": "特殊情形", "late_category": "认定后补缴",
               "newborn": "新生儿", "newborn_free": "新生儿免缴", "late": "期外缴费", "closed": "不可缴费"},
    "LineKind": {"standard": "标准", "surcharge": "加收", "assistance": "资助", "addon": "附加险", "subsidy": "补助",
                 "benefit": "待遇", "waiting": "等待期", "note": "说明", "warning": "提醒", "closed": "不可缴费"},
    "ClaimPartKind": {"assistance": "资助", "subsidy": "补助", "withdrawn": "原先缴后补补助不再发放"},
}


def line_label(kind: str) -> str:
    try:
        return LineKind(kind).label
    except ValueError:
        return kind


# A refund for these reasons means the member's status has changed too (the refund dialog and the CLI propose it).
REFUND_IMPLIES_STATUS: dict[str, Status] = {
    Status.EMPLOYEE.value: Status.EMPLOYEE,
    Status.DEAD.value: Status.DEAD,
    Status.ELSEWHERE.value: Status.ELSEWHERE,
}
STATUS_NEEDS_DATE: frozenset[Status] = frozenset({Status.DEAD})  # 死亡日期
STATUS_NEEDS_DETAIL: frozenset[Status] = frozenset({Status.ELSEWHERE})  # 参保地


# 与户主关系 words that say the sex (a 女 or 儿媳 is 女, a 子 or 女婿 is 男); the others say nothing.
RELATION_SEX: dict[str, str] = {
    "子": "男", "儿子": "男", "长子": "男", "次子": "男", "女婿": "男", "丈夫": "男", "父亲": "男", "孙子": "男",
    "外孙": "男", "祖父": "男", "外祖父": "男", "兄": "男", "弟": "男", "哥哥": "男", "弟弟": "男",
    "女": "女", "女儿": "女", "长女": "女", "次女": "女", "儿媳": "女", "妻子": "女", "母亲": "女", "孙女": "女",
    "外孙女": "女", "祖母": "女", "外祖母": "女", "姐": "女", "妹": "女", "姐姐": "女", "妹妹": "女",
}


def relation_sex_conflict(relation: str, sex: str) -> str:
    """A message if the relation word says one sex and the member's sex is the other, else ""."""
    want = RELATION_SEX.get((relation or "").strip())
    if want and sex in ("男", "女") and sex != want:
        return f"与户主关系「{relation}」应为{want}性，性别却是{sex}"
    return ""
