"""The corpus of district files (tests/exchange/corpus/, written by make_corpus.py): for each file, the rows
imported, the categories set and every problem with its place, literally. Each file is previewed against the
small ledger of ``build_ledger``, then committed (only the good rows, new villages confirmed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from app.exchange.imports import commit, preview

from exchange_helpers import build_ledger, make_id

CORPUS = Path(__file__).parent / "corpus"
HEAD1, WIFE1, SON1 = make_id("19600501", 11), make_id("19620302", 22), make_id("19900101", 31)
HEAD2, HEAD3 = make_id("19550101", 41), make_id("19700101", 61)
TODAY = dt.date.today()

# file -> (kind, summary, problems (str, literally), notices (str, literally))
EXPECT = {
    # 脱贫户 may be 稳定脱贫人口 or 脱贫不稳定人口 (different money): not guessed (see the value_map test below)
    "01_区县户籍花名册.xlsx": ("roster", "共 7 行：可导入 4 行，台账中已有相同记录 1 行，有问题 2 行，查无此人 0 行", [
        "01_区县户籍花名册.xlsx Sheet1:第6行:人员类别（J列）: 未知的人员类别「脱贫户」：政策文件没有这个名称，不猜测它是哪一类（可用：特困人员、孤儿、低保对象、"
        "返贫致贫人口、脱贫不稳定人口、防止返贫监测对象、边缘易致贫人口、突发严重困难人口、劳动模范、事实无人抚养儿童、儿童福利机构儿童、"
        "低保边缘家庭成员、稳定脱贫人口、重度残疾人、重点优抚对象；如确是其中一类，请在预览里指定，命令行用 --map-value 脱贫户=类别）",
        "01_区县户籍花名册.xlsx Sheet1:第7行:人员类别（J列）: 未知的人员类别「脱贫户」：政策文件没有这个名称，不猜测它是哪一类（可用：特困人员、孤儿、低保对象、"
        "返贫致贫人口、脱贫不稳定人口、防止返贫监测对象、边缘易致贫人口、突发严重困难人口、劳动模范、事实无人抚养儿童、儿童福利机构儿童、"
        "低保边缘家庭成员、稳定脱贫人口、重度残疾人、重点优抚对象；如确是其中一类，请在预览里指定，命令行用 --map-value 脱贫户=类别）"],
                         ["01_区县户籍花名册.xlsx: 人员类别 低保 → 低保对象（按常用简称）：2 人",
                          "01_区县户籍花名册.xlsx Sheet1:第3行: 不需导入的列：序号（A列）"]),
    "02_花名册_两行表头.xlsx": ("roster", "共 6 行：可导入 3 行，台账中已有相同记录 0 行，有问题 3 行，查无此人 0 行", [
        "02_花名册_两行表头.xlsx Sheet1:第6行:家庭成员信息/姓名（E列）: 家庭成员信息/姓名里有看不见的零宽空格（U+200B）：请删去后重新输入",
        "02_花名册_两行表头.xlsx Sheet1:第8行:家庭成员信息/姓名（E列）: 家庭成员信息/姓名里有制表符（Tab）：请删去",
        "02_花名册_两行表头.xlsx Sheet1:第9行:家庭成员信息/性别（H列）: 性别「女」与身份证号（男）不一致"], []),
    "03_户籍名单_GBK.csv": ("roster", "共 5 行：可导入 5 行，台账中已有相同记录 0 行，有问题 0 行，查无此人 0 行", [], []),
    "04_户籍名单_GB18030.csv": ("roster", "共 3 行：可导入 2 行，台账中已有相同记录 0 行，有问题 1 行，查无此人 0 行", [
        "04_户籍名单_GB18030.csv:第4行:手机号码（I列）: 电话号码格式不对：137000（手机11位，座机如 0431-12345678）"],
        ["04_户籍名单_GB18030.csv: 人员类别 特困供养 → 特困人员（按常用简称）：1 人",
         "04_户籍名单_GB18030.csv: 人员类别 重度残疾 → 重度残疾人（按常用简称）：1 人"]),
    "05_民政低保名单.xlsx": ("category", "共 4 行：可导入 1 行，台账中已有相同记录 1 行，有问题 1 行，查无此人 1 行", [
        "05_民政低保名单.xlsx Sheet1:第5行:认定日期（E列）: 认定日期「2024-11-02 垃圾」不是有效日期（应为 2025-10-08 这样的日期）",
        "05_民政低保名单.xlsx Sheet1:第6行:证件号码（C列）: 台账中查无此人（身份证号不在台账里）"],
        ["05_民政低保名单.xlsx: 人员类别 低保 → 低保对象（按常用简称）：2 人",
         "05_民政低保名单.xlsx: 人员类别 低保边缘 → 低保边缘家庭成员（按常用简称）：1 人",
         "05_民政低保名单.xlsx: 人员类别 城乡低保 → 低保对象（按常用简称）：1 人",
         "05_民政低保名单.xlsx Sheet1:第3行: 不需导入的列：序号（A列）、保障金额（G列）"]),
    "06_民政特困名单.xls": ("category", "共 2 行：可导入 2 行，台账中已有相同记录 0 行，有问题 0 行，查无此人 0 行", [],
                        ["06_民政特困名单.xls: 人员类别 分散供养特困人员 → 特困人员（按常用简称）：1 人"]),
    "07_乡村振兴脱贫人口.xlsx": ("category", "共 3 行：可导入 2 行，台账中已有相同记录 0 行，有问题 1 行，查无此人 0 行", [
        "07_乡村振兴脱贫人口.xlsx Sheet1:第4行:脱贫人口类型（D列）: 未知的人员类别「致富带头人」：政策文件没有这个名称，不猜测它是哪一类（可用：特困人员、孤儿、低保对象、"
        "返贫致贫人口、脱贫不稳定人口、防止返贫监测对象、边缘易致贫人口、突发严重困难人口、劳动模范、事实无人抚养儿童、儿童福利机构儿童、"
        "低保边缘家庭成员、稳定脱贫人口、重度残疾人、重点优抚对象；如确是其中一类，请在预览里指定，命令行用 --map-value 致富带头人=类别）"],  # the policy's own categories first
        ["07_乡村振兴脱贫人口.xlsx: 人员类别 监测对象 → 防止返贫监测对象（按常用简称）：1 人",
         "07_乡村振兴脱贫人口.xlsx: 人员类别 脱贫不稳定户 → 脱贫不稳定人口（按常用简称）：1 人",
         "07_乡村振兴脱贫人口.xlsx Sheet1:第1行: 未识别的列（不导入）：户主姓名（B列）"]),
    "08_残联名单_UTF8.csv": ("category", "共 3 行：可导入 1 行，台账中已有相同记录 0 行，有问题 1 行，查无此人 0 行，无需导入 1 行", [
        "08_残联名单_UTF8.csv:第4行:残疾等级（D列）: 残疾等级为空"],
        ["08_残联名单_UTF8.csv:第1行: 不需导入的列：残疾类别（C列）、残疾证号（E列）",
         "08_残联名单_UTF8.csv:第3行: 残疾等级「三级」不是重度残疾（一级、二级），不计为人员类别"]),
    "09_税务缴费确认.xlsx": ("payment", "共 4 行：可导入 1 行，台账中已有相同记录 1 行，有问题 2 行，查无此人 0 行", [
        "09_税务缴费确认.xlsx Sheet1:第5行:实缴金额(元)（F列）: 赵一：实收 400.00 元与政策应缴 410.00 元不符："
        "导入的缴费不带变更原因，不能登记（如确需办理，请在缴费窗口逐人办理并填写原因）",
        "09_税务缴费确认.xlsx Sheet1:第6行:缴费人证件号码（B列）: 与Sheet1第4行重复：同一人在文件里出现了两次"],
        ["09_税务缴费确认.xlsx Sheet1:第3行: 不需导入的列：序号（A列）、险种（D列）、征收品目（E列）"]),
    "10_税务缴费_UTF8.csv": ("payment", "共 2 行：可导入 1 行，台账中已有相同记录 0 行，有问题 1 行，查无此人 0 行", [
        "10_税务缴费_UTF8.csv:第3行:缴费金额（C列）: 缴费金额「409.996」有不足一分的零头：请核对金额（应精确到分）"], []),
    "11_人员变动名单.xlsx": ("status", "共 3 行：可导入 2 行，台账中已有相同记录 0 行，有问题 1 行，查无此人 0 行", [
        "11_人员变动名单.xlsx Sheet1:第5行:变动类型（C列）: 异地参保须写明参保地（说明/参保地列）"], []),
    "12_税务缴费.xls": ("payment", "共 1 行：可导入 1 行，台账中已有相同记录 0 行，有问题 0 行，查无此人 0 行", [], []),
    "13_需要指定列.xlsx": ("roster", "共 0 行：可导入 0 行，台账中已有相同记录 0 行，有问题 0 行，查无此人 0 行", [
        "13_需要指定列.xlsx Sheet1:第1行: 缺少必需的列：姓名、村（社区）（户籍名单须有：身份证号、姓名、村（社区）；可在预览里指定哪一列是它）"],
        ["13_需要指定列.xlsx Sheet1:第1行: 未识别的列（不导入）：所在村民委员会（A列）、住户成员（B列）、籍贯（E列）"]),
    "14_花名册_控制字符.xlsx": ("roster", "共 4 行：可导入 1 行，台账中已有相同记录 0 行，有问题 3 行，查无此人 0 行", [
        "14_花名册_控制字符.xlsx Sheet1:第2行:姓名（B列）: 姓名里有换行符：请删去换行，写在一行里",
        "14_花名册_控制字符.xlsx Sheet1:第3行:备注（E列）: 备注里有看不见的文字方向控制符“从右到左覆盖”（U+202E）：请删去后重新输入",
        "14_花名册_控制字符.xlsx Sheet1:第4行:姓名（B列）: 姓名过长：51 个字，最多 50 个字"], []),
}


@pytest.fixture()
def ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_IMPORT_MAPPINGS", str(tmp_path / "mappings.json"))
    lg, _ = build_ledger(tmp_path / "t.db")
    yield lg
    lg.close()


def test_the_corpus_is_complete():
    files = sorted(p.name for p in CORPUS.iterdir() if p.name[:2].isdigit())
    assert files == sorted(EXPECT)
    assert {p.suffix for p in CORPUS.iterdir() if p.name[:2].isdigit()} == {".xlsx", ".xls", ".csv"}


@pytest.mark.parametrize("name", sorted(EXPECT))
def test_each_file_previews_as_expected(ledger, name):
    import gc

    kind, summary, problems, notices = EXPECT[name]
    pv = preview(ledger, CORPUS / name, kind)
    assert gc.isenabled() and gc.get_freeze_count() == 0  # the collector is back, nothing left frozen
    assert pv.summary() == summary
    assert [str(p) for p in pv.problems] == problems
    assert [str(n) for n in pv.notices] == notices


def _cats(lg, number):
    m = lg.members.by_id_number(number)
    return sorted((c.category, c.department, c.recognized_on) for c in lg.categories.of_member(m.id) if c.ended_on is None)


def _commit(lg, name, value_map=None):
    pv = preview(lg, CORPUS / name, EXPECT[name][0], value_map=value_map)
    return commit(lg, pv, only_good=True, create_places=True)


def test_district_roster_commits_households_categories_and_places(ledger):
    from corpus.make_corpus import F, P

    before = ledger.households.count()
    pv = preview(ledger, CORPUS / "01_区县户籍花名册.xlsx", "roster", value_map={"脱贫户": "稳定脱贫人口"})
    assert [str(n) for n in pv.notices][:2] == [  # what the user said 脱贫户 is, and how many people it concerns
        "01_区县户籍花名册.xlsx: 人员类别 低保 → 低保对象（按常用简称）：2 人",
        "01_区县户籍花名册.xlsx: 人员类别 脱贫户 → 稳定脱贫人口（按用户指定）：2 人"]
    out = _commit(ledger, "01_区县户籍花名册.xlsx", value_map={"脱贫户": "稳定脱贫人口"})
    assert (out.written, out.places_created) == (6, 3)  # 东风村 三组; 西山村 and its 一组
    assert ledger.households.count() == before + 3  # two 张伟 households in one group, and 李强's
    zw1, zw2 = ledger.members.by_id_number(P[1]), ledger.members.by_id_number(P[3])
    assert zw1.name == zw2.name == "张伟" and zw1.household_id != zw2.household_id
    assert ledger.members.by_id_number(F[2]).household_id == zw1.household_id
    assert ledger.members.by_id_number(P[4]).household_id == zw2.household_id
    li = ledger.members.by_id_number(P[5])
    assert (li.relation, li.ethnicity, li.phone) == ("户主", "回族", "13900002222")
    assert ledger.members.by_id_number(F[6]).relation == "女"
    assert _cats(ledger, P[1]) == [("低保对象", "", TODAY)]
    assert _cats(ledger, P[4]) == [("稳定脱贫人口", "", TODAY)]
    assert _cats(ledger, F[6]) == []
    assert ledger.categories.of_member(zw1.id)[0].notes == "导入自 01_区县户籍花名册.xlsx"
    assert {v.name: [g.name for g in v.groups] for v in ledger.settings.villages()} == {
        "东风村": ["一组", "二组", "三组"], "红旗村": ["一组"], "西山村": ["一组"]}


def test_roster_files_commit(ledger):
    from corpus.make_corpus import F, P

    assert _commit(ledger, "02_花名册_两行表头.xlsx").written == 3
    assert ledger.members.by_id_number(P[11]).household_id == ledger.members.by_id_number(P[10]).household_id
    assert _commit(ledger, "03_户籍名单_GBK.csv").written == 5
    h = ledger.households.by_number("H2001")
    assert (h.village, h.group, h.member_count) == ("东风村", "一组", 3)
    dead = ledger.members.by_id_number(F[21])
    assert (dead.status, dead.status_date) == ("死亡", dt.date(2024, 8, 1))
    assert ledger.members.by_id_number(P[22]).status == "参加职工医保"
    assert _commit(ledger, "04_户籍名单_GB18030.csv").written == 2
    assert ledger.members.by_id_number(P[30]).name == "王䶮"
    assert _cats(ledger, P[30]) == [("特困人员", "民政", dt.date(2024, 3, 1))]
    assert ledger.members.by_id_number(F[31]).relation == "孙子女"
    assert _commit(ledger, "14_花名册_控制字符.xlsx").written == 1


def test_department_lists_set_categories(ledger):
    _commit(ledger, "05_民政低保名单.xlsx")
    assert _cats(ledger, SON1) == [("低保对象", "民政", dt.date(2024, 3, 1))]
    assert _cats(ledger, HEAD3) == []  # its row had a bad date
    _commit(ledger, "06_民政特困名单.xls")
    assert _cats(ledger, HEAD3) == [("特困人员", "", dt.date(2024, 5, 1))]
    assert _cats(ledger, WIFE1) == [("特困人员", "", dt.date(2024, 5, 2))]
    _commit(ledger, "07_乡村振兴脱贫人口.xlsx")
    assert _cats(ledger, HEAD1) == [("脱贫不稳定人口", "乡村振兴", dt.date(2023, 12, 1))]
    assert ("防止返贫监测对象", "农业农村", dt.date(2023, 12, 1)) in _cats(ledger, SON1)
    _commit(ledger, "08_残联名单_UTF8.csv")
    assert ("重度残疾人", "", dt.date(2022, 5, 6)) in _cats(ledger, SON1)
    assert [c[0] for c in _cats(ledger, HEAD3)] == ["特困人员"]  # 三级: not 重度残疾人


def test_tax_payments_and_status_list(ledger):
    assert _commit(ledger, "09_税务缴费确认.xlsx").written == 1
    son = ledger.members.by_id_number(SON1)
    assert [i.amount for i in ledger.payments.paid_this_year(son.id)] == [Decimal("410.00")]  # 409.99999999999994
    assert _commit(ledger, "12_税务缴费.xls").written == 1
    head3 = ledger.members.by_id_number(HEAD3)
    assert [(i.amount) for i in ledger.payments.paid_this_year(head3.id)] == [Decimal("410.00")]
    pv = preview(ledger, CORPUS / "10_税务缴费_UTF8.csv", "payment")  # 赵一 is now paid: same
    assert [r.row for r in pv.check.same] == [2] and pv.check.rows == []
    out = _commit(ledger, "11_人员变动名单.xlsx")
    assert out.written == 2 and ledger.members.by_id_number(SON1).status == "参加职工医保"


def test_unknown_headings_mapped_by_the_user_and_remembered(ledger):
    from app.exchange.mappings import check_mapping, save_mapping

    path = CORPUS / "13_需要指定列.xlsx"
    pv = preview(ledger, path, "roster")
    (t,) = pv.unmapped
    mapping = check_mapping("roster", {"所在村民委员会": "村（社区）", "住户成员": "name"})
    pv = preview(ledger, path, "roster", mapping=mapping)
    assert pv.problems == [] and len(pv.to_write) == 2
    assert [str(n) for n in pv.notices] == ["13_需要指定列.xlsx Sheet1:第1行: 未识别的列（不导入）：籍贯（E列）"]
    save_mapping("roster", t.layout, t.headings, mapping)
    again = preview(ledger, path, "roster")  # next week: the same layout, the saved mapping, no questions
    assert again.problems == [] and len(again.to_write) == 2
    assert len(preview(ledger, path, "roster", use_saved=False).unmapped) == 1


def test_a_category_name_the_policy_does_not_name_is_never_guessed(ledger):
    """脱贫户 could be 稳定脱贫人口 (no assistance under most documents) or 脱贫不稳定人口 (assisted): the
    preview refuses to guess; the user names it; a policy alias names it too, and says so."""
    from app.exchange.imports import ledger_facts
    from app.domain.problems import ProblemsError

    pv = preview(ledger, CORPUS / "01_区县户籍花名册.xlsx", "roster", value_map={"脱贫户": "脱贫不稳定人口"})
    assert pv.problems == [] and pv.value_mappings == ["人员类别 低保 → 低保对象（按常用简称）：2 人",
                                                       "人员类别 脱贫户 → 脱贫不稳定人口（按用户指定）：2 人"]
    with pytest.raises(ProblemsError) as exc:  # a target that is no category of the policy
        preview(ledger, CORPUS / "01_区县户籍花名册.xlsx", "roster", value_map={"脱贫户": "脱贫人员"})
    assert "「脱贫人员」不是本年度政策的人员类别" in exc.value.problems[0].message
    facts = ledger_facts(ledger)
    assert "脱贫户" not in facts.categories and "脱贫人口" not in facts.categories
    assert facts.categories["城乡低保对象"] == "低保对象" and facts.alias_sources["城乡低保对象"] == "按政策别名"


@pytest.mark.parametrize("name", ["01_区县户籍花名册.xlsx", "02_花名册_两行表头.xlsx", "03_户籍名单_GBK.csv",
                                  "05_民政低保名单.xlsx", "09_税务缴费确认.xlsx", "11_人员变动名单.xlsx"])
def test_the_same_preview_whatever_the_chunk_size(ledger, name, monkeypatch):
    """The preview reads, looks up and checks a chunk of rows at a time: with one row per chunk (households,
    heads and duplicates spanning chunks) it says exactly what it says with the whole file in one chunk."""
    import app.exchange.import_facts as facts_module

    kind = EXPECT[name][0]
    whole = preview(ledger, CORPUS / name, kind)
    monkeypatch.setattr(facts_module, "CHUNK", 1)
    one = preview(ledger, CORPUS / name, kind)
    assert (one.summary(), one.problems, one.notices) == (whole.summary(), whole.problems, whole.notices)
    assert [(r.source.row, r.action, r.values) for r in one.to_write] == \
        [(r.source.row, r.action, r.values) for r in whole.to_write]
