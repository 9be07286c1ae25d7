"""``canbao policy new --from ID --year YYYY``: a copy of a policy file for another year.

The years are moved on (dates, the id, the year in the name and title), and every line a clerk must check
against the new document — each date, amount, clause, 文号 and title — ends with ``# 待核对``. ``policy check``
refuses the file until every mark is removed, so an unreviewed copy never quotes money.
"""

from __future__ import annotations

import datetime as dt
import re

from .policy_loader import REVIEW_MARK

_DATE = re.compile(r"^(\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*)(\d{4})-(\d{2})-(\d{2})(.*)$")
_REVIEW_KEYS = ("amount", "pays", "percent", "fiscal_amount", "clause", "doc_number", "title", "issuers",
                "registry_number", "waiting_days", "waiting_months", "within_days", "within_months", "day_from", "day_to",
                "hotline", "channels", "assisted_warning", "fiscal_clause", "days_clause", "until_clause",
                "waiting_clause", "exempt_clause", "next_day_clause", "extension_clause", "claim_clause",
                "reasons")
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _mark(line: str) -> str:
    return f"{line.rstrip()}  # {REVIEW_MARK}"


def new_policy_text(text: str, source_id: str, from_year: int, to_year: int) -> tuple[str, str]:
    """The new file's text and its id."""
    years = to_year - from_year
    new_id = re.sub(r"\d{4}$", str(to_year), source_id) if re.search(r"\d{4}$", source_id) else f"{source_id}-{to_year}"
    out = [f"# 由 canbao policy new 从 {source_id} 生成：日期已顺延 {years} 年。",
           f"# 每个日期、金额、条款、文号的行尾都加了“{REVIEW_MARK}”标记：逐项与新文件原文核对、修改后删除标记；",
           "# 标记删完之前 canbao policy check 不会通过，本政策也不会用于报价。", ""]
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    in_policy = False
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("["):
            in_policy = stripped == "[policy]"
        m = _DATE.match(line)
        key = _KEY.match(line)
        name = key.group(1) if key else ""
        if m:
            day = _shift(dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4))), years)
            line = _mark(f"{m.group(1)}{day.isoformat()}{m.group(5)}")
        elif in_policy and name == "id":
            line = re.sub(r'"[^"]*"', f'"{new_id}"', line, count=1)
        elif in_policy and name == "year":
            line = re.sub(r"\d{4}", str(to_year), line, count=1)
        elif in_policy and name == "name":
            line = re.sub(rf"{from_year}(?=年)", str(to_year), line)
        elif in_policy and name == "title":
            line = _mark(re.sub(rf"{from_year}(?=年)", str(to_year), line))
        elif name == "extension_birth_year":
            line = _mark(re.sub(r"\d{4}", lambda x: str(int(x.group()) + years), line, count=1))
        elif name in _REVIEW_KEYS:
            line = _mark(line)
        out.append(line)
    return "\n".join(out).rstrip("\n") + "\n", new_id
