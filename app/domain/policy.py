"""The policy model: one region's rules for one campaign year, as read from ``policies/*.toml``.

Every rule carries ``clause``: the words of the source document it comes from, so a quote can cite it.
The loader (policy_loader.py) builds these objects and reports every problem in a file at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Mapping

from .vocabulary import CategoryKind


@dataclass(frozen=True, slots=True)
class Source:
    doc_number: str  # 文号
    title: str
    issuers: tuple[str, ...]
    issued_on: dt.date | None  # None where the document prints no date
    registry_number: str = ""  # 索引号 etc., where the document has one


@dataclass(frozen=True, slots=True)
class Tier:
    """A personal standard that replaces the base amount for some members (students, the young)."""

    name: str
    amount: Decimal
    clause: str
    students: bool = False
    born_on_or_after: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Standard:
    amount: Decimal
    clause: str
    tiers: tuple[Tier, ...] = ()
    base_name: str = "普通居民"
    fiscal_amount: Decimal | None = None  # 财政补助标准, used where a late payment costs personal + fiscal
    fiscal_clause: str = ""


@dataclass(frozen=True, slots=True)
class Addon:
    name: str
    label: str
    amount: Decimal
    clause: str
    mandatory: bool = False  # collected together with the premium (同步征收)
    default: bool = False  # chosen unless the member declines (only for optional add-ons)
    assisted: bool = False  # does full assistance also cover it?
    group: str = ""  # add-ons in one group exclude each other (晋康保 基础版 / 尊享版)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LateRule:
    """Assistance that replaces the normal one when paying outside the window (Shuangqing 儿童福利机构)."""

    kind: CategoryKind  # only FULL so far
    source: str
    clause: str
    benefit_from_recognition: bool = False


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    kind: CategoryKind
    source: str
    clause: str
    amount: Decimal | None = None  # fixed / table value; for percent, the document's stated result
    percent: Decimal | None = None
    pays: Decimal | None = None  # table: the personal amount the document prints (cross-checked)
    condition: str = ""  # eligibility wording shown on the quote
    not_with_sources: tuple[str, ...] = ()  # applies only if no other category is assisted from these
    aliases: tuple[str, ...] = ()
    late: LateRule | None = None


@dataclass(frozen=True, slots=True)
class SubsidyPart:
    funder: str
    amount: Decimal
    area_kind: str = ""  # "" = any; else only in that kind of area (区 / 县)
    addon: str = ""  # "" = on the premium; else reimburses that add-on, only if it was charged


@dataclass(frozen=True, slots=True)
class Subsidy:
    """先缴后补: paid back after payment, never deducted at the counter."""

    categories: tuple[str, ...]
    parts: tuple[SubsidyPart, ...]
    clause: str
    tier: str | None = None  # None = any tier; else the tier name (base name for adults)
    condition: str = ""


@dataclass(frozen=True, slots=True)
class Window:
    start: dt.date
    end: dt.date
    clause: str
    day_from: int | None = None  # allowed days of the month, inclusive
    day_to: int | None = None
    days_clause: str = ""


@dataclass(frozen=True, slots=True)
class Grace:
    """A period inside the campaign with its own benefit rule (e.g. “1月1日至2月28日缴费的，自缴费次日起享受待遇”):
    the personal standard, no late surcharge; distinct from ``[late]``."""

    start: dt.date
    end: dt.date
    clause: str
    benefit_from: str = "next_day"  # payment | next_day | period_start
    waiting_days: int = 0
    label: str = "缴费期内次日生效"


@dataclass(frozen=True, slots=True)
class GroupWindow:
    """A window for some members only (students, or members of given categories), e.g. opening earlier."""

    name: str
    start: dt.date
    end: dt.date
    clause: str
    students: bool = False
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Dynamic:
    """动态新增: members newly recognised after the window may enrol at the assisted rate, keyed by the
    recognition date."""

    categories: tuple[str, ...]
    clause: str
    recognized_after: dt.date | None = None  # default: the window's end
    within_days: int | None = None  # must pay within N days of recognition
    benefit_from: str = "next_day"  # payment | next_day | recognition


@dataclass(frozen=True, slots=True)
class Benefit:
    start: dt.date
    end: dt.date
    clause: str
    next_day_from: dt.date | None = None  # payments on/after this date: benefit from the next day
    next_day_clause: str = ""


@dataclass(frozen=True, slots=True)
class Late:
    """Payment after the collection window. ``allowed=False`` means the document is silent or refers
    elsewhere: Canbao then refuses to quote, citing ``clause``."""

    allowed: bool
    clause: str
    until: dt.date | None = None
    until_clause: str = ""
    surcharge_fiscal: bool = False
    waiting_days: int = 0
    waiting_clause: str = ""
    exempt_sources: tuple[str, ...] = ()
    exempt_categories: tuple[str, ...] = ()
    exempt_clause: str = ""
    waiting_months: int = 0  # “固定待遇等待期3个月”: calendar months from the day after payment (not 90 days)

    @property
    def waiting_words(self) -> str:
        """The waiting period as the document says it: “3个月” or “90天” (empty: none)."""
        if self.waiting_months:
            return f"{self.waiting_months}个月"
        return f"{self.waiting_days}天" if self.waiting_days else ""


@dataclass(frozen=True, slots=True)
class Newborn:
    clause: str
    within_days: int | None = None  # 出生后 N 天内参保
    same_year_only: bool = False  # only children born in the policy year (缴纳出生年度居民医保费)
    no_waiting: bool = False
    pays_standard: bool = False  # pays the personal standard even after the window
    benefit_from_birth: bool = False
    birth_year_free: bool = False  # born in the policy year: no premium for that year
    extension_birth_year: int | None = None  # born in this year and missed the window ...
    extension_until: dt.date | None = None  # ... may still pay until this date
    extension_clause: str = ""


@dataclass(frozen=True, slots=True)
class Special:
    name: str
    clause: str
    benefit_from: str  # "event" | "payment" | "next_day" | "fixed"
    needs_date: bool = False
    within_days: int | None = None
    within_months: int | None = None
    condition: str = ""
    in_window_only: bool = False  # only changes the benefit period of in-window payments
    benefit_start: dt.date | None = None  # for "fixed"
    benefit_end: dt.date | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Recognition:
    clause: str
    cutoff: dt.date | None = None  # recognised after this: counts from the next year
    # 已全额缴费后才认定的：可申请支付应享有的资助和补助 (recognised up to claim_until, after paying in full)
    claim_until: dt.date | None = None
    claim_clause: str = ""


@dataclass(frozen=True, slots=True)
class Refund:
    clause: str
    before_benefit: bool = False
    in_waiting: bool = False
    reasons: tuple[str, ...] = ()
    other_reasons: bool = False  # the list ends with “等原因”: other reasons allowed, with a written note


@dataclass(frozen=True, slots=True)
class Service:
    channels: tuple[str, ...] = ()
    hotline: str = ""
    clause: str = ""


@dataclass(frozen=True, slots=True)
class Policy:
    id: str
    name: str
    region: str
    year: int
    source: Source
    standard: Standard
    window: Window
    benefit: Benefit
    late: Late
    addons: tuple[Addon, ...] = ()
    categories: tuple[Category, ...] = ()
    subsidies: tuple[Subsidy, ...] = ()
    newborn: Newborn | None = None
    specials: tuple[Special, ...] = ()
    recognition: Recognition | None = None
    refund: Refund | None = None
    service: Service = Service()
    grace: tuple[Grace, ...] = ()
    group_windows: tuple[GroupWindow, ...] = ()
    dynamic: Dynamic | None = None
    area_kinds: tuple[str, ...] = ()
    assisted_warning: str = ""  # shown when an assisted member pays (Tunliu: 一旦正常缴费…)
    path: str = ""
    # Look-ups, built once at construction from the tuples above and read-only (a Policy never changes).
    addon_by_name: Mapping[str, Addon] = field(init=False, compare=False, repr=False)
    category_by_name: Mapping[str, Category] = field(init=False, compare=False, repr=False)
    special_by_name: Mapping[str, Special] = field(init=False, compare=False, repr=False)
    aliases: Mapping[str, str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        aliases: dict[str, str] = {}
        for rule in (*self.addons, *self.categories, *self.specials):
            for alias in rule.aliases:
                aliases[alias] = rule.name
        for name, value in (("addon_by_name", {a.name: a for a in self.addons}),
                            ("category_by_name", {c.name: c for c in self.categories}),
                            ("special_by_name", {s.name: s for s in self.specials}),
                            ("aliases", aliases)):
            object.__setattr__(self, name, MappingProxyType(value))

    def cite(self, clause: str) -> str:
        """A clause with the document it comes from: 长医保联〔2024〕5号 一、筹资标准：…"""
        return f"{self.source.doc_number} {clause}" if clause else self.source.doc_number

    def assists(self, category: str) -> bool:
        """Does the document assist this category at the counter (a ``[[category]]`` whose kind is not none)?"""
        c = self.category_by_name.get(self.canonical(category))
        return c is not None and c.kind != CategoryKind.NONE

    def canonical(self, name: str) -> str:
        """The canonical name for a policy alias (城乡特困人员 -> 特困人员); unknown names pass through."""
        return self.aliases.get(name, name)

    def category_names(self) -> tuple[str, ...]:
        """The categories a member may be recorded with under this policy: the file's own, then the common
        words of ``vocabulary`` (a category the file does not assist still quotes, with a note)."""
        from .vocabulary import CATEGORIES

        return tuple(dict.fromkeys([c.name for c in self.categories] + list(CATEGORIES)))

    def special_names(self) -> tuple[str, ...]:
        """The special cases this policy's file defines (each with its conditions and benefit rule)."""
        return tuple(s.name for s in self.specials)
