"""``canbao export …`` and ``canbao import …``: Excel lists to and from the district office.

``canbao import`` without ``--commit`` only previews: it prints every problem and exits 1 if there is any.
With ``--commit`` it writes the clean rows in one transaction (with an import log) and puts the rows that
were not imported into an Excel file. Exit codes: 0 done, 1 problems found / nothing written, 2 bad input.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import sys
from pathlib import Path

from ..domain.dates import date_into
from ..domain.problems import Problem, ProblemsError
from .login import HELP_OPERATOR, open_as_operator

EXPORT_NAMES = {"ledger": "参保缴费台账", "unpaid": "未参保人员明细", "progress": "参保进度汇总",
                "assistance": "困难群体资助名单", "subsidy": "先缴后补补助名单", "weekly": "周报",
                "roster": "户籍名单"}
IMPORT_NAMES = {"roster": "户籍名单", "category": "人员类别名单", "payment": "缴费确认名单", "status": "人员状态名单"}
_CHINESE = {**{v: k for k, v in EXPORT_NAMES.items()}, **{v: k for k, v in IMPORT_NAMES.items()},
            "台账": "ledger", "未参保": "unpaid", "进度": "progress", "资助": "assistance", "补助": "subsidy",
            "户籍": "roster", "类别": "category", "缴费": "payment", "状态": "status"}


def register(sub) -> None:
    e = sub.add_parser("export", help="导出Excel：台账、未参保明细、进度汇总、资助名单、补助名单、周报",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao export weekly --week 2024-W41 -o 周报.xlsx\n"
                              "    canbao export ledger --village 东风村 -o 东风村台账.xlsx")
    e.add_argument("what", metavar="表", help="ledger 台账 | unpaid 未参保 | progress 进度 | assistance 资助 | "
                                             "subsidy 补助 | weekly 周报 | roster 户籍名单（可导回）")
    e.add_argument("-o", "--output", required=True, metavar="Excel文件", help="输出的 .xlsx 文件")
    _common(e)
    e.add_argument("--village", metavar="村", help="只导出这个村（社区）")
    e.add_argument("--group", metavar="组", help="只导出这个组（与 --village 一起用）")
    e.add_argument("--week", metavar="2024-W41|日期", help="某一周（ISO 周或该周内某日）")
    e.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", help="缴费日期从")
    e.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", help="缴费日期到（进度、未参保截至这天）")
    e.add_argument("--columns", metavar="文件夹", help="列设置文件夹（区县自定的列顺序和列名）")
    e.add_argument("--encrypt", action="store_true",
                   help="写成 AES-256 加密的 .zip（密码在终端输入，或用环境变量 CANBAO_EXPORT_PASSWORD；"
                        "密码请另行告知收件人）")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", help="导入名单：户籍、人员类别、缴费确认、人员状态（默认只预览）",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="例：canbao import payment 税务缴费.xlsx            （预览，列出全部问题）\n"
                              "    canbao import payment 税务缴费.xlsx --commit   （写入台账：须没有问题）\n"
                              "    canbao import payment 税务缴费.xlsx --commit --only-good \\\n"
                              "          --leftovers 未导入.xlsx\n"
                              "    canbao import roster 花名册.xlsx --map 所在村民委员会=村 \\\n"
                              "          --commit --create-places\n"
                              "默认全部或全不：有问题的行时不写入，除非加 --only-good（只导入没有问题的行）。\n"
                              "--map 指定的列对应按文件格式记在数据文件夹里，下次同样格式的文件自动使用。")
    i.add_argument("what", metavar="名单", help="roster 户籍 | category 类别 | payment 缴费 | status 状态")
    i.add_argument("file", metavar="文件", help=".xlsx / .xls / .csv 文件")
    _common(i)
    i.add_argument("--commit", action="store_true", help="写入台账（不加则只预览，不写入）")
    i.add_argument("--only-good", action="store_true",
                   help="有问题的行不导入，只导入没有问题的行（不加时，文件有任何问题都不写入）")
    i.add_argument("--create-places", action="store_true", help="新建文件里出现、台账中还没有的村（社区）和组")
    i.add_argument("--map", action="append", default=[], metavar="列名=字段",
                   help="指定某列是什么，如 --map 所在村民委员会=村（社区）；可多次使用；会按文件格式记住")
    i.add_argument("--map-value", action="append", default=[], metavar="写法=类别",
                   help="文件里某种人员类别写法是政策的哪一类，如 --map-value 脱贫户=稳定脱贫人口"
                        "（政策文件没写的写法不猜测，须这样指定）；可多次使用")
    i.add_argument("--no-saved-map", action="store_true", help="不使用以前记住的列对应")
    i.add_argument("--leftovers", metavar="Excel文件", help="未导入的行（查无此人、有问题）写到这个 .xlsx（不能是原文件）")
    i.add_argument("--operator", metavar="姓名", help=HELP_OPERATOR)
    i.set_defaults(func=cmd_import)


def _common(p) -> None:
    p.add_argument("--db", metavar="台账文件", help="台账文件（默认：环境变量 CANBAO_DB，否则数据文件夹中的台账）")


def _kind(text: str, names: dict[str, str], problems: list[Problem]) -> str | None:
    k = _CHINESE.get(text, text)
    if k not in names:
        problems.append(Problem("表", f"不认识「{text}」。可用：" + "、".join(f"{a}（{b}）" for a, b in names.items())))
        return None
    return k


_date = date_into  # the shared date parser (app/domain/dates.py)


def _print_problems(problems, stream=None) -> None:
    stream = stream or sys.stdout
    for p in problems:
        print(f"  {p}", file=stream)


def _progress(done: int, total: int) -> None:
    if sys.stderr.isatty() and total:
        print(f"\r  {done}/{total}", end="", file=sys.stderr, flush=True)


def _export_password() -> str:
    import getpass
    import os

    from ..exchange.sealed import password_problems

    pw = os.environ.get("CANBAO_EXPORT_PASSWORD")
    if pw is None:
        if not sys.stdin.isatty():
            raise ProblemsError([Problem("--encrypt", "请在终端中运行以输入密码，或设置环境变量 CANBAO_EXPORT_PASSWORD")])
        pw = getpass.getpass("加密压缩包的密码：")
        if getpass.getpass("再输入一次：") != pw:
            raise ProblemsError([Problem("--encrypt", "两次输入的密码不一致")])
    if problems := password_problems(pw):
        raise ProblemsError(problems)
    return pw


def cmd_export(args) -> int:
    from ..exchange.exports import export_one, export_weekly, week_range
    from ..exchange.from_ledger import ExportFilter

    problems: list[Problem] = []
    what = _kind(args.what, EXPORT_NAMES, problems)
    start, end = _date(args.date_from, "--from", problems), _date(args.date_to, "--to", problems)
    if args.week:
        try:
            start, end = week_range(args.week)
        except ProblemsError as exc:
            problems.extend(exc.problems)
    if args.group and not args.village:
        problems.append(Problem("--group", "按组筛选时须同时给出 --village"))
    if what == "weekly" and not (start and end):
        problems.append(Problem("--week", "周报须给出 --week，或 --from 与 --to"))
    if not args.output.lower().endswith(".xlsx"):
        problems.append(Problem("-o", f"输出文件应以 .xlsx 结尾：{args.output}"))
    if problems:
        print("无法导出：", file=sys.stderr)
        _print_problems(problems, sys.stderr)
        return 2
    column_dirs = None
    if args.columns:
        from ..exchange.columns import search_dirs

        column_dirs = [Path(args.columns)] + search_dirs()
    try:
        password = _export_password() if args.encrypt else None
        with open_as_operator(args.db, backup=False) as lg:
            def build(out):
                if what == "weekly":
                    return export_weekly(lg, out, start, end, village=args.village, group=args.group,
                                         column_dirs=column_dirs, progress=_progress)
                return export_one(lg, what, out, ExportFilter(args.village, args.group, start, end),
                                  column_dirs=column_dirs, progress=_progress)

            if password is None:
                res = build(args.output)
            else:  # the plaintext workbook never rests anywhere: built beside the archive, then removed
                from ..exchange.sealed import write_sealed

                built = []
                sealed = write_sealed(args.output, Path(args.output).name, password,
                                      lambda plain: built.append(build(plain)))
                res = dataclasses.replace(built[0], path=sealed)
    except ProblemsError as exc:
        print("无法导出：", file=sys.stderr)
        _print_problems(exc.problems, sys.stderr)
        return 2
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"已导出 {EXPORT_NAMES[what]}：{res.path}")
    for title, n in res.sheets.items():
        print(f"  {title}：{n} 行")
    return 0


def _parse_map(items: list[str], kind: str, problems: list[Problem]) -> dict[str, str] | None:
    from ..exchange.mappings import check_mapping

    if not items:
        return None
    raw = {}
    for item in items:
        heading, sep, target = item.partition("=")
        if not sep or not heading.strip() or not target.strip():
            problems.append(Problem("--map", f"应写成 列名=字段，如 所在村民委员会=村（社区）：{item!r}"))
            continue
        raw[heading.strip()] = target.strip()
    try:
        return check_mapping(kind, raw)
    except ProblemsError as exc:
        problems.extend(exc.problems)
        return None


def _print_unmapped(pv) -> None:
    from openpyxl.utils import get_column_letter

    from ..exchange.imports import field_choices

    for t in pv.unmapped:
        where = f"{t.sheet}:" if t.sheet else ""
        print(f"{where}第{t.header_row}行的列：")
        for i, h in enumerate(t.headings):
            if h:
                got = next((f for f, idx in t.columns.items() if idx == i), None)
                print(f"  {get_column_letter(i + 1)}列 {h}" + (f"  → {got}" if got else ""))
    print("可用 --map 列名=字段 指定，字段可写：" + "、".join(label for _f, label in field_choices(pv.kind)))


def cmd_import(args) -> int:
    from ..exchange.imports import commit, preview, write_leftovers
    from ..exchange.mappings import save_mapping

    problems: list[Problem] = []
    what = _kind(args.what, IMPORT_NAMES, problems)
    if not Path(args.file).is_file():
        problems.append(Problem(args.file, "文件不存在"))
    mapping = _parse_map(args.map, what, problems) if what else None
    value_map = {}
    for item in args.map_value:
        written, sep, category = item.partition("=")
        if not sep or not written.strip() or not category.strip():
            problems.append(Problem("--map-value", f"应写成 写法=类别，如 脱贫户=稳定脱贫人口：{item!r}"))
        else:
            value_map[written.strip()] = category.strip()
    if args.leftovers and Path(args.leftovers).resolve() == Path(args.file).resolve():
        problems.append(Problem("--leftovers", "未导入的行不能写到原文件上"))
    if problems:
        print("无法导入：", file=sys.stderr)
        _print_problems(problems, sys.stderr)
        return 2
    try:
        with open_as_operator(args.db, args.operator, backup=args.commit) as lg:
            pv = preview(lg, args.file, what, mapping=mapping, use_saved=not args.no_saved_map,
                         operator=args.operator, value_map=value_map)
            print(f"{IMPORT_NAMES[what]} {Path(args.file).name}：{pv.summary()}")
            if mapping and not pv.unmapped:
                for t in pv.tables:
                    save_mapping(what, t.layout, t.headings, mapping)
                print("已记住这种格式的列对应，下次自动使用。")
            for n in pv.notices:
                print(f"  说明：{n}")
            if pv.new_places:
                print(f"台账中还没有的村（社区）/组：{pv.places_text()}"
                      + ("" if args.create_places else "（导入时加 --create-places 新建）"))
            if pv.problems:
                print(f"问题 {len(pv.problems)} 处：")
                _print_problems(pv.problems)
            if pv.unmapped:
                _print_unmapped(pv)
            if args.leftovers:
                written = write_leftovers(pv, args.leftovers)
                if written:
                    print(f"未导入的行已写入：{written}")
            if not args.commit:
                print("（仅预览，未写入台账；确认无误后加 --commit 写入）")
                return 1 if pv.problems or pv.unmapped else 0
            if not pv.to_write:
                print("没有可写入的行，台账未改动。")
                return 1 if pv.problems else 0
            if pv.left_out and args.only_good:
                print(f"按 --only-good：{pv.left_out} 行不导入" + ("" if args.leftovers else
                                                             "（加 --leftovers FILE 可把它们存成 Excel）"))
            outcome = commit(lg, pv, operator=args.operator, only_good=args.only_good,
                             create_places=args.create_places)
    except ProblemsError as exc:
        print("导入失败，台账未改动：", file=sys.stderr)
        _print_problems(exc.problems, sys.stderr)
        return 1
    made = f"，新建村组 {outcome.places_created} 个" if outcome.places_created else ""
    print(f"已写入台账 {outcome.written} 行{made}（导入日志 #{outcome.log_id}）。")
    return 0
