"""The Chinese names of the replicated tables and columns, for packet counts, conflict messages, the conflict
window and the terminal; the derived search keys are not named (a reversed phone number is the phone number)."""

from __future__ import annotations

FIELDS = {"name": "姓名", "id_number": "证件号码", "id_type": "证件类型", "sex": "性别", "birth_date": "出生日期",
          "relation": "与户主关系", "phone": "电话", "status": "参保状态", "status_detail": "状态说明",
          "status_date": "状态日期", "household_id": "所在户", "address": "地址", "notes": "备注", "number": "户编号",
          "village_id": "村", "group_id": "组", "student": "在校学生", "school": "学校", "ethnicity": "民族",
          "category": "类别", "ended_on": "终止日期", "end_reason": "终止原因", "amount_fen": "金额",
          "receipt_no": "票据号", "paid_on": "缴费日期", "method": "缴费方式", "voided_at": "作废时间",
          "void_reason": "作废原因", "member_id": "人员", "payment_id": "缴费", "year": "年度",
          "created_at": "录入时间", "updated_at": "修改时间"}
TABLE_NAMES = {"households": "户", "members": "人员", "member_categories": "类别认定", "member_years": "年度选择",
               "payments": "缴费", "payment_items": "缴费明细", "refunds": "退费", "claims": "认定后补付",
               "villages": "村", "village_groups": "组", "audit": "操作日志", "quote_snapshots": "测算快照",
               "sync_conflicts": "冲突"}
OWN_IDS = frozenset({"id", "payment_item_id"})  # the record's own number: the clerk knows it by its receipt number
HIDDEN = frozenset({"id_rev", "phone_rev", "name_initials"})  # derived search keys (a reversed phone is a phone)


ABSENT = "（本台账没有这条记录）"


def absent(stored: dict | None) -> bool:
    """A conflict's stored version (``Conflict.a_values`` / ``b_values``) is no record at all: a row one side
    refused or never had — not a record whose differing fields are empty."""
    return not stored


def value_text(key: str, value, ledger=None) -> str:
    """One field's value as the clerk reads it: amounts in yuan (stored in fen), an empty value said, a
    household by its 户编号 when ``ledger`` holds it (the clerk does not know a household's row number)."""
    if value in (None, ""):
        return "（空）"
    if key == "amount_fen":
        from ..domain.money import fmt, from_fen

        return f"{fmt(from_fen(value))} 元"
    if key == "household_id" and ledger is not None:
        from ..domain.problems import ProblemsError

        try:
            return ledger.households.get(value).number
        except ProblemsError:
            return f"#{value}（本台账没有这一户）"
    if key in ("village_id", "group_id") and ledger is not None:
        table = "villages" if key == "village_id" else "village_groups"
        row = ledger.db.execute(f"SELECT name FROM {table} WHERE id = ?", [value]).fetchone()
        return row[0] if row else f"#{value}"
    if key in TIMESTAMPS:
        return local_time(value)
    if key == "student":
        return "是" if value else "否"
    return str(value)


TIMESTAMPS = frozenset({"created_at", "updated_at", "voided_at"})


def local_time(ts: str | None) -> str:
    """A stored UTC timestamp in the computer's local time, to the minute."""
    import datetime as dt

    if not ts:
        return ""
    try:
        return dt.datetime.fromisoformat(ts).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return ts[:16].replace("T", " ")


def shown_keys(a: dict | None, b: dict | None) -> list[str]:
    """The fields to show of a clash's two versions, in their order: not the derived search keys, and a row id
    (``…_id``) only where the two versions differ (a member moved to another household); where they agree,
    the heading already names the person and household."""
    a, b = a or {}, b or {}
    return [k for k in dict.fromkeys([*a, *b]) if k not in HIDDEN and k not in OWN_IDS
            and not (k.endswith("_id") and a.get(k) == b.get(k))]


def field_names(columns) -> list[str]:
    """The columns a clash names, in Chinese, without the derived search keys."""
    return [FIELDS.get(c, c) for c in columns if c not in HIDDEN]


KINDS = {"insert": "新增", "update": "修改", "delete": "删除", "新增": "新增", "修改": "修改", "删除": "删除"}


def count_rows(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(记录, 变动, 条数) for a packet's counts (keys like ``"members 修改"``), in the tables' order."""
    order = list(TABLE_NAMES)
    rows = []
    for key, n in counts.items():
        table, _, kind = key.partition(" ")
        rows.append((order.index(table) if table in order else len(order), TABLE_NAMES.get(table, table),
                     KINDS.get(kind, kind), n))
    return [(name, kind, n) for _, name, kind, n in sorted(rows)]
