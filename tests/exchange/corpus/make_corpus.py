"""Writes the import test corpus: district files as they arrive (title rows, two-row merged headers, shuffled
columns, GBK/GB18030/UTF-8 CSV, .xls), one or more per department. All people are fictional; the ID numbers
are made with valid check digits. The people already in the ledger are those of ``exchange_helpers.build_ledger``.

    .venv/bin/python tests/exchange/corpus/make_corpus.py      # needs xlwt for the .xls files (pip install xlwt)

The files are committed; ``test_corpus.py`` holds the literal expectation for each.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from exchange_helpers import make_id  # noqa: E402

# already in the ledger (build_ledger)
HEAD1, WIFE1, SON1 = make_id("19600501", 11), make_id("19620302", 22), make_id("19900101", 31)
HEAD2, AWAY2, HEAD3 = make_id("19550101", 41), make_id("19850101", 51), make_id("19700101", 61)
# new people: P[i] is a man (odd sequence digit), F[i] a woman (even)
P = {i: make_id(f"19{50 + i % 45:02d}0{1 + i % 9}1{i % 9}", 201 + 2 * i, "220102") for i in range(1, 80)}
F = {i: make_id(f"19{50 + i % 45:02d}0{1 + i % 9}1{i % 9}", 200 + 2 * i, "220102") for i in range(1, 80)}


def xlsx(path: Path, rows, merges=(), title="Sheet1", sheets=None):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(list(r))
    for m in merges:
        ws.merge_cells(m)
    for name, more in (sheets or {}).items():
        extra = wb.create_sheet(name)
        for r in more:
            extra.append(list(r))
    wb.save(path)


def xls(path: Path, rows, merges=()):
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    skip = set()
    for r0, r1, c0, c1, text in merges:
        ws.write_merge(r0, r1, c0, c1, text)
        skip |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if (i, j) in skip or v is None:
                continue
            if isinstance(v, dt.date):
                ws.write(i, j, v, date_style)
            else:
                ws.write(i, j, v)
    wb.save(str(path))


def csv_file(path: Path, rows, encoding: str):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def main(out: Path = HERE) -> None:
    # 01 district roster: title + subtitle rows, 村(居), 组别, 本人, two 张伟 heads in one group (no 户编号),
    #    a new group (东风村 三组) and a new village (西山村), 低保/脱贫 categories, 性别, 民族, 电话
    xlsx(out / "01_区县户籍花名册.xlsx", [
        ["测试镇2025年度城乡居民户籍花名册"],
        ["填报单位：测试镇人民政府", None, None, None, None, None, None, "填报日期：2024年9月1日"],
        ["序号", "村(居)", "组别", "户主姓名", "姓名", "与户主关系", "公民身份号码", "性别", "民族", "人员类别",
         "联系电话", "备注", "出生日期"],
        [1, "东风村", "三组", "张伟", "张伟", "本人", P[1], "男", "汉", "低保", "13800001111", "", "1951-02-11"],
        [2, "东风村", "三组", "张伟", "王芳", "妻", F[2], "女", "汉族", "低保", "", "", ""],
        [3, "东风村", "三组", "张伟", "张伟", "户主", P[3], "男", "汉族", "脱贫户", "", "同名另一户", ""],
        [4, "东风村", "三组", "张伟", "张小伟", "长子", P[4], "男", "汉族", "脱贫户", "", "", ""],
        [5, "西山村", "一组", "李强", "李强", "户主本人", P[5], "男", "回族", "", "13900002222", "", ""],
        [6, "西山村", "一组", "李强", "李娜", "次女", F[6], "女", "回族", "普通居民", "", "", ""],
        [7, "东风村", "一组", "张大山", "张大山", "户主", HEAD1, "男", "汉族", "", "", "已在台账", ""],
    ], merges=["A1:M1"])

    # 02 roster, two-row merged header (户主信息 / 家庭成员信息 over 姓名, 身份证号), village merged over two rows;
    #    problems: a zero-width space in a name, a tab in a name, a sex that disagrees with the ID number
    xlsx(out / "02_花名册_两行表头.xlsx", [
        ["红旗村家庭成员花名册"],
        ["村居委会", "组", "户主信息", None, "家庭成员信息", None, None, None],
        [None, None, "姓名", "身份证号", "姓名", "身份证号码", "与户主关系", "性别"],
        ["红旗村", "一组", "刘一", P[10], "刘一", P[10], "户主", "男"],
        ["红旗村", "一组", "刘一", P[10], "刘二", P[11], "子", "男"],
        ["红旗村", "一组", "刘一", P[10], "刘\u200b三", F[12], "女", "女"],
        ["红旗村", "一组", "陈四", P[13], "陈四", P[13], "户主", "男"],
        ["红旗村", "一组", "陈四", P[13], "陈\t五", F[14], "配偶", "女"],
        ["红旗村", "一组", "陈四", P[13], "陈六", P[15], "子", "女"],  # P[15] is a man
    ], merges=["A1:H1", "A2:A3", "B2:B3", "C2:D2", "E2:H2"])

    # 03 roster, GBK CSV, shuffled columns, 户编号, 东风村村民委员会, 1组, 家庭关系, 参保状态 with 死亡 + date
    csv_file(out / "03_户籍名单_GBK.csv", [
        ["家庭关系", "姓名", "户编号", "证件号码", "村居委会", "村民小组", "参保状态", "变动日期"],
        ["户主", "周一", "H2001", P[20], "东风村村民委员会", "1组", "", ""],
        ["配偶", "吴二", "H2001", F[21], "东风村村民委员会", "1组", "死亡", "2024-08-01"],
        ["子", "周三", "H2001", P[22], "东风村村民委员会", "1组", "职工医保", ""],
        ["户主", "郑四", "H2002", P[23], "东风村村民委员会", "2组", "", ""],
        ["女", "郑五", "H2002", F[24], "东风村村民委员会", "2组", "", ""],
    ], "gbk")

    # 04 roster, GB18030 CSV with a name beyond GBK (䶮), 所属村, 村民小组, 救助类别 with 认定部门/认定日期
    csv_file(out / "04_户籍名单_GB18030.csv", [
        ["所属村", "村民小组", "姓名", "身份证号码", "与户主关系", "救助类别", "认定部门", "认定日期", "手机号码"],
        ["红旗村", "一组", "王䶮", P[30], "户主", "特困供养", "县民政局", "2024-03-01", "13700003333"],
        ["红旗村", "一组", "王小䶮", F[31], "孙子", "孤儿", "县民政局", "2024-03-01", ""],
        ["红旗村", "一组", "马七", P[32], "户主", "重度残疾", "区残联", "2023/6/1", "137000"],  # bad phone
    ], "gb18030")

    # 05 民政 category list, xlsx, title rows, 救助类别, 认定日期 with junk after the date, someone unknown
    xlsx(out / "05_民政低保名单.xlsx", [
        ["测试县民政局城乡低保对象名单"],
        ["截至2024年10月"],
        ["序号", "姓名", "证件号码", "救助类别", "认定日期", "认定部门", "保障金额"],
        [1, "张小山", SON1, "城乡低保", dt.datetime(2024, 3, 1), "县民政局", 420],
        [2, "赵一", HEAD3, "低保边缘", "2024-11-02 垃圾", "县民政局", 0],
        [3, "路人甲", make_id("19880808", 77), "低保", "2024-03-01", "县民政局", 420],
        [4, "王低保", HEAD2, "低保", "2024-01-01", "县民政局", 420],  # already recorded: same
    ], merges=["A1:G1", "A2:G2"])

    # 06 民政 特困 list, .xls, title row
    xls(out / "06_民政特困名单.xls", [
        ["特困人员名单", None, None, None],
        ["姓名", "公民身份号码", "人员类别", "认定时间"],
        ["赵一", HEAD3, "特困人员", dt.date(2024, 5, 1)],
        ["李秀英", WIFE1, "分散供养特困人员", dt.date(2024, 5, 2)],
    ], merges=[(0, 0, 0, 3, "特困人员名单")])

    # 07 农业农村/乡村振兴 脱贫人口 list: 脱贫人口类型, 户主姓名, 成员姓名, shuffled, one unknown type
    xlsx(out / "07_乡村振兴脱贫人口.xlsx", [
        ["所属村", "户主姓名", "成员姓名", "脱贫人口类型", "证件号码", "识别日期", "数据来源"],
        ["东风村", "张大山", "张大山", "脱贫不稳定户", HEAD1, "2023-12-01", "县乡村振兴局"],
        ["东风村", "张大山", "张小山", "监测对象", SON1, "2023-12-01", "县农业农村局"],
        ["红旗村", "赵一", "赵一", "致富带头人", HEAD3, "2023-12-01", "县乡村振兴局"],
    ])

    # 08 残联 list, UTF-8 CSV with BOM: 残疾等级 stands in for 人员类别 (一级/二级 = 重度残疾人)
    csv_file(out / "08_残联名单_UTF8.csv", [
        ["残疾人姓名", "身份证号", "残疾类别", "残疾等级", "残疾证号", "发证日期"],
        ["张小山", SON1, "肢体", "二级", SON1 + "42", "2022-05-06"],
        ["赵一", HEAD3, "视力", "三级", HEAD3 + "13", "2021-01-01"],
        ["李秀英", WIFE1, "听力", "", WIFE1 + "21", "2021-01-01"],
    ], "utf-8-sig")

    # 09 税务 payment confirmation, xlsx: title rows, Excel float amounts, datetime 入库日期, a duplicate,
    #    an amount that differs from the quote
    xlsx(out / "09_税务缴费确认.xlsx", [
        ["城乡居民基本医疗保险缴费明细"],
        ["税务机关：测试县税务局", None, None, None, None, None, "打印日期：2024-10-15"],
        ["序号", "缴费人证件号码", "缴费人名称", "险种", "征收品目", "实缴金额(元)", "入库日期"],
        [1, SON1, "张小山", "城乡居民基本医疗保险", "城乡居民医疗保险费", 409.99999999999994, dt.datetime(2024, 10, 10, 9, 31)],
        [2, HEAD3, "赵一", "城乡居民基本医疗保险", "城乡居民医疗保险费", 400.0, dt.datetime(2024, 10, 10, 9, 32)],
        [3, SON1, "张小山", "城乡居民基本医疗保险", "城乡居民医疗保险费", 410.0, dt.datetime(2024, 10, 10, 9, 33)],
        [4, HEAD1, "张大山", "城乡居民基本医疗保险", "城乡居民医疗保险费", 410.0, dt.datetime(2024, 10, 8, 8, 0)],
    ], merges=["A1:G1"])

    # 10 税务 payment, UTF-8 CSV (no BOM), dates with times, an amount with a real fraction of a fen
    csv_file(out / "10_税务缴费_UTF8.csv", [
        ["纳税人识别号", "纳税人名称", "缴费金额", "缴费日期"],
        [HEAD3, "赵一", "410.00", "2024/10/12 10:01:02"],
        [SON1, "张小山", "409.996", "2024/10/12 10:02:00"],
    ], "utf-8")

    # 11 status list (death, staff insurance, moved elsewhere without the place)
    xlsx(out / "11_人员变动名单.xlsx", [
        ["人员变动情况表"],
        ["姓名", "身份证号码", "变动类型", "变动日期", "参保地"],
        ["赵一", HEAD3, "死亡", dt.date(2024, 9, 30), ""],
        ["张小山", SON1, "职工医保", "2024-05-01", ""],
        ["李秀英", WIFE1, "异地参保", "", ""],
    ])

    # 12 税务 payment as .xls
    xls(out / "12_税务缴费.xls", [
        ["证件号码", "姓名", "缴费金额", "入库日期"],
        [HEAD3, "赵一", 410, dt.date(2024, 10, 11)],
    ])

    # 13 roster whose headings the aliases do not know: the user maps them (所在村民委员会 -> 村, 住户成员 -> 姓名)
    xlsx(out / "13_需要指定列.xlsx", [
        ["所在村民委员会", "住户成员", "身份证号码", "与户主关系", "籍贯"],
        ["红旗村", "高一", P[40], "户主", "吉林"],
        ["红旗村", "高二", P[41], "子", "吉林"],
    ])

    # 14 roster with what the ledger would refuse: a line break, a right-to-left override, an over-long name
    xlsx(out / "14_花名册_控制字符.xlsx", [
        ["村", "姓名", "身份证号", "与户主关系", "备注"],
        ["红旗村", "钱\n八", P[50], "户主", ""],
        ["红旗村", "钱九", P[51], "户主", "\u202e备注"],
        ["红旗村", "钱" * 51, P[52], "户主", ""],
        ["红旗村", "钱十", P[53], "户主", ""],
    ])


if __name__ == "__main__":
    main()
    print("written to", HERE)
