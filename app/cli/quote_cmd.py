"""``canbao quote``: a stable interface other tools call. Input errors exit 2 with every problem listed."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from ..domain.dates import date_into
from ..domain.explain import explain_quote
from ..domain.idnumber import IdNumberError, parse_id_number
from ..domain.problems import Problem
from ..domain.quote import quote
from ..domain.quote_model import CategoryFact, QuoteRequest, SpecialFact, normalize_request
from ..policy_catalog import UnknownPolicy, get_policy


def register(sub) -> None:
    q = sub.add_parser("quote", help="计算某人在某日按某政策应缴多少，并列出依据",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao quote --policy changchun-2025 --birth-date 1960-05-01 \\\n"
                              "        --paid-on 2024-10-08 --category 低保对象")
    q.add_argument("--policy", required=True, metavar="政策编号", help="政策编号，见 canbao policy list")
    who = q.add_mutually_exclusive_group(required=True)
    who.add_argument("--birth-date", metavar="YYYY-MM-DD", help="出生日期（与 --id-number 二选一）")
    who.add_argument("--id-number", metavar="身份证号", help="居民身份证号码（校验后取出生日期、性别）")
    q.add_argument("--paid-on", required=True, metavar="YYYY-MM-DD", help="缴费日期")
    q.add_argument("--category", action="append", default=[], metavar="类别[:认定日期]",
                   help="人员类别（可多次），如 低保对象 或 低保对象:2024-10-01")
    q.add_argument("--addon", action="append", default=[], metavar="附加险", help="自愿附加险（可多次）")
    q.add_argument("--no-addon", action="append", default=[], metavar="附加险", help="不选默认选中的附加险（可多次）")
    q.add_argument("--student", action="store_true", help="在校学生")
    q.add_argument("--special", metavar="情形[:日期]", help="特殊情形，如 退役军人、职工医保断保:2025-03-01")
    q.add_argument("--area-kind", default="", metavar="区|县", help="补助按区或县分担时的所在地类型")
    q.add_argument("--json", action="store_true", help="输出 JSON（供其他程序读取，字段见 README）")
    q.set_defaults(func=cmd_quote)


def _name_and_date(text: str, field: str, problems: list[Problem]) -> tuple[str, dt.date | None]:
    for sep in (":", "：", "@"):
        if sep in text:
            name, _, when = text.partition(sep)
            return name.strip(), date_into(when, field, problems, required=True)
    return text.strip(), None


def build_request(args) -> tuple[object, QuoteRequest | None, list[Problem], dict]:
    problems: list[Problem] = []
    extra: dict = {}
    try:
        policy = get_policy(args.policy)
    except UnknownPolicy as exc:
        return None, None, [Problem("--policy", str(exc))], extra
    birth = None
    if args.id_number:
        try:
            info = parse_id_number(args.id_number)
            birth = info.birth_date
            extra = {"id_number": info.number, "sex": info.sex, "birth_date": info.birth_date.isoformat()}
        except IdNumberError as exc:
            problems.append(Problem("--id-number", str(exc)))
    else:
        birth = date_into(args.birth_date, "--birth-date", problems, required=True)
    paid = date_into(args.paid_on, "--paid-on", problems, required=True)
    cats = tuple(CategoryFact(*_name_and_date(c, "--category", problems)) for c in args.category)
    special = SpecialFact(*_name_and_date(args.special, "--special", problems)) if args.special else None
    if problems or birth is None or paid is None:
        return policy, None, problems, extra
    req = QuoteRequest(birth_date=birth, paid_on=paid, categories=cats, addons=tuple(args.addon),
                       declined_addons=tuple(policy.canonical(a) for a in args.no_addon), student=args.student,
                       special=special, area_kind=args.area_kind)
    req, name_problems = normalize_request(policy, req)
    return policy, req, problems + name_problems, extra


def cmd_quote(args) -> int:
    policy, req, problems, extra = build_request(args)
    if problems:
        if args.json:
            print(json.dumps({"error": True, "problems": [{"field": p.place, "message": p.message} for p in problems]},
                             ensure_ascii=False, indent=2))
        for p in problems:
            print(f"错误：{p}", file=sys.stderr)
        return 2
    q = quote(policy, req)
    if args.json:
        data = q.to_dict()
        data.update({"birth_date": req.birth_date.isoformat(), **extra})
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        if extra:
            print(f"身份证：{extra['id_number']}（{extra['sex']}，{extra['birth_date']} 出生）")
        print(explain_quote(q, policy), end="")
    return 0
