"""What the ledger's reads return: plain frozen dataclasses, never rows. Money is Decimal yuan."""

from __future__ import annotations

import datetime as dt
from . import sqlite_driver
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..domain.vocabulary import Status

if TYPE_CHECKING:
    from ..domain.quote_model import Quote

ENROLLED = Status.ENROLLED
ID_TYPES: tuple[str, ...] = ("居民身份证", "港澳台居民居住证", "外国人永久居留身份证", "无")
METHODS: tuple[str, ...] = ("现金", "微信", "支付宝", "银行卡", "税务APP", "代缴")


def now_iso() -> str:
    """Now, as the ledger stores timestamps: ISO 8601 UTC with microseconds."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def named_rows(db, sql: str, params=()) -> list[sqlite_driver.Row]:
    """Rows addressed by column name (``row["amount_fen"]``): storage rows map to types by name, never
    by position. ``db`` is a sqlite-utils Database or a sqlite3 connection."""
    cur = getattr(db, "conn", db).cursor()
    cur.row_factory = sqlite_driver.row_factory(cur)
    return cur.execute(sql, params).fetchall()


def text(value: object) -> str:
    """Any input as stripped text: None -> ""; numbers typed into a form become their digits."""
    return "" if value is None else str(value).strip()


@dataclass(frozen=True, slots=True)
class Change:
    """What a write touched, so a window can refresh just that (Anki's OpChanges).

    ``id`` is the id of the row the write created, where it created one.
    """

    households: frozenset[int] = frozenset()
    members: frozenset[int] = frozenset()
    payments: frozenset[int] = frozenset()
    settings: bool = False
    id: int | None = None

    def __or__(self, other: "Change") -> "Change":
        return Change(self.households | other.households, self.members | other.members,
                      self.payments | other.payments, self.settings or other.settings, self.id or other.id)


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    village_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Village:
    id: int
    name: str
    kind: str
    groups: tuple[Group, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    township: str
    year: int
    policy_id: str
    operators: tuple[str, ...]
    area_kind: str = ""
    villages: tuple[Village, ...] = ()
    rolled_over_from: str = ""
    # print “也可交给本村（社区）网格员代收” on notices: no document says it, so only where the district turns it on
    notice_grid_collection: bool = False


@dataclass(frozen=True, slots=True)
class Household:
    id: int
    number: str
    village_id: int
    village: str
    group_id: int | None
    group: str
    address: str
    phone: str
    notes: str
    head_id: int | None
    head_name: str
    member_count: int
    created_at: str
    updated_at: str


@dataclass(frozen=True, slots=True)
class Member:
    id: int
    household_id: int
    household_number: str
    name: str
    id_type: str
    id_number: str | None
    sex: str
    birth_date: dt.date
    ethnicity: str
    relation: str
    phone: str
    student: bool
    school: str
    status: str  # 本地参保 or a reason from vocabulary.NON_ENROLMENT_REASONS
    status_detail: str
    status_date: dt.date | None
    notes: str
    name_initials: str = ""

    @property
    def enrolled_here(self) -> bool:
        return self.status == ENROLLED


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    id: int
    member_id: int
    category: str
    department: str
    recognized_on: dt.date | None
    ended_on: dt.date | None
    end_reason: str
    notes: str

    def active_on(self, day: dt.date) -> bool:
        """Recognised on that day: recognised by then (or date unknown) and not yet ended."""
        return (self.recognized_on is None or self.recognized_on <= day) and (
            self.ended_on is None or day < self.ended_on)


@dataclass(frozen=True, slots=True)
class PaymentItem:
    id: int
    payment_id: int
    member_id: int
    member_name: str
    year: int
    policy_id: str
    due: Decimal | None
    amount: Decimal
    addons: tuple[str, ...]
    quote: "Quote"  # the snapshot it was charged by (snapshots.load_quote)
    override_reason: str | None
    refund_id: int | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    id: int
    year: int
    receipt_no: str
    household_id: int
    amount: Decimal
    method: str
    paid_on: dt.date
    operator: str
    notes: str
    created_at: str
    voided_at: str | None
    voided_by: str | None
    void_reason: str | None
    items: tuple[PaymentItem, ...] = field(default=())

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True, slots=True)
class Refund:
    id: int
    payment_item_id: int
    payment_id: int
    member_id: int
    amount: Decimal
    reason: str
    refunded_on: dt.date
    operator: str
    clause: str
    notes: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    ts: str
    operator: str
    entity: str
    entity_id: int | None
    household_id: int | None
    member_id: int | None
    action: str
    before: dict | None
    after: dict | None
