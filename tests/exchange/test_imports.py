"""Every problem type of the importer, preview writes nothing, commit writes all in one transaction."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest

from app.exchange.exports import export_one
from app.exchange.imports import commit, preview, write_leftovers
from app.domain.problems import ProblemsError

from exchange_helpers import bad_checksum, build_ledger, make_id, soffice_csv, write_xlsx


@pytest.fixture()
def ledger(tmp_path):
    lg, people = build_ledger(tmp_path / "t.db")
    lg.people = people
    yield lg
    lg.close()


def _xlsx(path, rows, title="Sheet1"):
    return write_xlsx(path, rows, title)


def _counts(lg):
    return {t: lg.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("households", "members", "member_categories", "payments", "audit")}


SON = make_id("19900101", 31)  # 张小山, unpaid, due 410.00 (长期护理保险 included)
HEAD3 = make_id("19700101", 61)  # 赵一, unpaid
HEAD1 = make_id("19600501", 11)  # 张大山, paid 410.00


def test_payment_preview_lists_every_problem_by_place_and_writes_nothing(ledger, tmp_path):
    stranger = make_id("19880808", 77)
    path = _xlsx(tmp_path / "税务.xlsx", [
        ["证件号码", "姓名", "缴费金额", "缴费日期"],
        [SON, "张小山", "400", "2024-10-10"],          # 2: amount mismatch against the quote (410)
        [bad_checksum(HEAD3), "赵一", 410, "2024-10-10"],  # 3: bad checksum
        [make_id("19620302", 22), "李秀英", 410, "2024-13-40"],  # 4: bad date
        [HEAD1, "张大山", 410, "2024-10-08"],           # 5: already recorded with the same amount
        [stranger, "路人甲", 410, "2024-10-10"],         # 6: matches nobody
        [make_id("19550101", 41), "王低保", "四百", "2024-10-10"],  # 7: bad amount
        [HEAD3, "赵一", 410, "2024-10-11"],            # 8: fine
        [HEAD3, "赵一", 410, "2024-10-11"],            # 9: duplicate of row 8
    ])
    before = _counts(ledger)
    pv = preview(ledger, path, "payment")
    places = {p.place.split(":")[1] + ":" + p.message[:6] for p in pv.problems}
    text = "\n".join(str(p) for p in pv.problems)
    # the plan the counter uses says so (payments.plan_many), in its words
    assert ("税务.xlsx Sheet1:第2行:缴费金额（C列）: 张小山：实收 400.00 元与政策应缴 410.00 元不符：导入的缴费不带变更原因，不能登记（如确需办理，请在缴费窗口逐人办理并填写原因）") in text
    assert "税务.xlsx Sheet1:第3行:证件号码（A列）: 身份证号码校验位错误" in text
    assert "第4行:缴费日期（D列）: 缴费日期「2024-13-40」不是有效日期" in text
    assert "第6行:证件号码（A列）: 台账中查无此人" in text
    assert "第7行:缴费金额（C列）: 缴费金额「四百」不是有效金额" in text
    assert "第9行:证件号码（A列）: 与Sheet1第8行重复" in text
    assert len(pv.problems) == 6, places
    assert [r.source.row for r in pv.to_write] == [8]
    assert [r.row for r in pv.check.same] == [5]
    assert [p.place.split(":")[1] for p in pv.problems] == ["第2行", "第3行", "第4行", "第6行", "第7行", "第9行"]
    assert _counts(ledger) == before  # preview writes nothing

    out = write_leftovers(pv, tmp_path / "未导入.xlsx")
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("问题", "位置", "证件号码")
    assert rows[1][0] == "查无此人" and rows[1][2] == stranger
    assert len(rows) == 1 + 6

    with pytest.raises(ProblemsError) as exc:  # all or nothing unless the user chose "only the good rows"
        commit(ledger, pv)
    assert "有 6 行有问题或查无此人" in str(exc.value)
    assert _counts(ledger) == before
    res = commit(ledger, pv, only_good=True)
    assert res.written == 1 and res.left_out == 6
    after = _counts(ledger)
    assert after["payments"] == before["payments"] + 1
    log = ledger.db.execute("SELECT after FROM audit WHERE entity = 'import'").fetchone()[0]
    assert '"written": 1' in log and "税务.xlsx" in log
    item = ledger.payments.paid_this_year(ledger.members.by_id_number(HEAD3).id)
    assert [i.amount for i in item] == [Decimal("410.00")]
    assert ledger.payments.get(item[0].payment_id).method == "税务APP"


def test_roster_offers_new_villages_and_groups_and_keys_households_by_head_id(ledger, tmp_path):
    a, b, c = make_id("19910101", 81), make_id("19920101", 82), make_id("19930101", 83)
    d, e = make_id("19940101", 84), make_id("19950101", 85)
    path = _xlsx(tmp_path / "户籍.xlsx", [
        ["户籍花名册"],
        ["村(居)", "组别", "户主", "姓名", "身份证号码", "与户主关系", "民族", "人员类别"],
        ["东风村", "1组", "孙甲", "孙甲", a, "本人", "汉", "低保"],
        ["东风村", "1组", "孙甲", "孙乙", b, "子", "汉族", ""],
        ["西山村", "一组", "钱丙", "钱丙", c, "户主本人", "回", ""],
        ["红旗村", "九组", "钱丁", "钱丁", d, "户主", "", "稳定脱贫户"],
        ["红旗村", "九组", "钱丁", "钱丁", e, "户主", "", ""],  # a second 钱丁 heading his own household
        ["东风村", "一组", "张大山", "张大山", HEAD1, "户主", "", ""],
    ])
    pv = preview(ledger, path, "roster")
    assert pv.problems == []
    assert pv.new_places == {"西山村": {"一组"}, "红旗村": {"九组"}} and pv.check.new_villages == {"西山村"}
    assert pv.places_text() == "红旗村（已有村，组：九组）；西山村（新村（社区），组：一组）"
    before = _counts(ledger)
    with pytest.raises(ProblemsError) as exc:
        commit(ledger, pv)  # new villages must be confirmed
    assert "须确认新建后才能导入" in str(exc.value) and _counts(ledger) == before
    out = commit(ledger, pv, create_places=True)
    assert out.written == 5 and out.places_created == 3
    after = _counts(ledger)
    assert after["households"] == before["households"] + 4  # 孙甲, 钱丙, 钱丁, the other 钱丁
    assert after["members"] == before["members"] + 5
    m, head = ledger.members.by_id_number(b), ledger.members.by_id_number(a)
    assert head.household_id == m.household_id and (head.relation, m.relation) == ("户主", "子")
    assert (head.ethnicity, head.sex) == ("汉族", "男")
    assert ledger.households.get(head.household_id).group == "一组"  # 1组 is the ledger's 一组
    assert ledger.members.by_id_number(c).relation == "户主"
    assert ledger.members.by_id_number(d).household_id != ledger.members.by_id_number(e).household_id
    cats = {n: [(r.category, r.recognized_on, r.notes) for r in ledger.categories.of_member(ledger.members.by_id_number(n).id)]
            for n in (a, d)}
    assert cats == {a: [("低保对象", dt.date.today(), "导入自 户籍.xlsx")],
                    d: [("稳定脱贫人口", dt.date.today(), "导入自 户籍.xlsx")]}


def test_category_list_unknown_category_department_and_gbk_csv(ledger, tmp_path):
    path = tmp_path / "民政.csv"
    path.write_bytes((
        "公民身份号码,姓名,人员类别,认定日期,认定部门\n"
        f"{SON},张小山,低保对象,2024-03-01,县民政局\n"
        f"{HEAD3},赵一,富裕人口,2024-03-01,民政\n"
        f"{HEAD1},张大山,特困人员,2024/3/1,气象局\n"
    ).encode("gbk"))
    pv = preview(ledger, path, "category")
    text = "\n".join(str(p) for p in pv.problems)
    assert "民政.csv:第3行:人员类别（C列）: 未知的人员类别「富裕人口」" in text
    assert "第4行:认定部门（E列）: 未知的认定部门「气象局」" in text
    assert len(pv.problems) == 2
    commit(ledger, pv, only_good=True)
    cats = ledger.categories.of_member(ledger.members.by_id_number(SON).id)
    assert [(c.category, c.department, c.recognized_on) for c in cats] == [("低保对象", "民政", dt.date(2024, 3, 1))]


def test_status_list_and_missing_required_column(ledger, tmp_path):
    path = _xlsx(tmp_path / "状态.xlsx", [
        ["身份证号", "姓名", "变动类型", "变动日期", "参保地"],
        [SON, "张小山", "职工医保", "2024-05-01", ""],
        [HEAD3, "赵一", "死亡", "", ""],
        [HEAD3, "赵二", "异地参保", "", "北京"],
    ])
    pv = preview(ledger, path, "status")
    text = "\n".join(str(p) for p in pv.problems)
    assert "第3行:变动类型（C列）: 状态为死亡时必须有死亡日期" in text
    assert "第4行:姓名（B列）: 姓名「赵二」与台账中该身份证号的姓名「赵一」不一致" in text
    commit(ledger, pv, only_good=True)
    assert ledger.members.by_id_number(SON).status == "参加职工医保"

    bad = _xlsx(tmp_path / "缺列.xlsx", [["身份证号", "姓名", "金额"], [SON, "张小山", 410]])
    pv = preview(ledger, bad, "payment")
    assert [str(p) for p in pv.problems] == [
        "缺列.xlsx Sheet1:第1行: 缺少必需的列：缴费日期（缴费确认名单须有：身份证号、缴费金额、缴费日期；"
        "可在预览里指定哪一列是它）"]
    assert [t.headings for t in pv.unmapped] == [["身份证号", "姓名", "金额"]]
    assert pv.to_write == []


def test_id_stored_as_number_is_reported(ledger, tmp_path):
    path = _xlsx(tmp_path / "n.xlsx", [["身份证号", "缴费金额", "缴费日期"], [int(SON[:17] + "0") * 1.0, 410, "2024-10-10"]])
    pv = preview(ledger, path, "payment")
    assert "身份证号被存成了数字" in pv.problems[0].message


def test_commit_is_all_or_nothing(ledger, tmp_path, monkeypatch):
    path = _xlsx(tmp_path / "p.xlsx", [["身份证号", "缴费金额", "缴费日期"], [SON, 410, "2024-10-10"],
                                        [HEAD3, 410, "2024-10-10"]])
    pv = preview(ledger, path, "payment")
    assert len(pv.to_write) == 2
    before = _counts(ledger)
    real = ledger.payments.record
    calls = []

    def failing(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise ProblemsError([__import__("app.domain.problems", fromlist=["Problem"]).Problem("户", "模拟失败")])
        return real(*a, **k)

    monkeypatch.setattr(ledger.payments, "record", failing)
    with pytest.raises(ProblemsError) as exc:
        commit(ledger, pv)
    assert "p.xlsx Sheet1:第3行" in str(exc.value) and "模拟失败" in str(exc.value)
    assert _counts(ledger) == before


def test_export_then_import_round_trip(ledger, tmp_path):
    """The exported ledger re-imports as a payment confirmation: every paid row is already recorded."""
    out = tmp_path / "台账.xlsx"
    export_one(ledger, "ledger", out)
    pv = preview(ledger, out, "payment")
    # unpaid rows have no amount/date: they come back as problems, the paid ones are "same"
    same = sorted(r.id_number for r in pv.check.same)
    assert same == sorted([HEAD1, make_id("19620302", 22), make_id("19550101", 41)])
    assert pv.to_write == []
    # and as a roster into a fresh ledger: the same villages, people and relations
    from app.ledger import open_ledger

    fresh = open_ledger(tmp_path / "fresh.db", create=True, backup=False, operator="测试员")
    fresh.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["测试员"],
                              villages={"东风村": ["一组", "二组"], "红旗村": ["一组"]})
    pv = preview(fresh, out, "roster")
    assert pv.problems == []
    commit(fresh, pv)
    got = sorted((r[0], r[1]) for r in fresh.db.execute("SELECT name, relation FROM members"))
    want = sorted((r[0], r[1]) for r in ledger.db.execute("SELECT name, relation FROM members"))
    assert got == want
    fresh.close()


def test_libreoffice_reads_the_leftovers(ledger, tmp_path):
    stranger = make_id("19880808", 77)
    path = _xlsx(tmp_path / "x.xlsx", [["身份证号", "缴费金额", "缴费日期"], [stranger, 410, "2024-10-10"]])
    pv = preview(ledger, path, "payment")
    out = write_leftovers(pv, tmp_path / "left.xlsx")
    rows = soffice_csv(out, tmp_path)
    assert rows[1][0] == "查无此人" and rows[1][2] == stranger


def test_payment_for_someone_not_enrolled_here_is_a_problem(ledger, tmp_path):
    away = make_id("19850101", 51)  # 王外出: 参加职工医保
    path = _xlsx(tmp_path / "p.xlsx", [["身份证号", "缴费金额", "缴费日期"], [away, 410, "2024-10-10"]])
    pv = preview(ledger, path, "payment")
    assert [str(p) for p in pv.problems] == [
        "p.xlsx Sheet1:第2行:身份证号（A列）: 王外出：参保状态为「参加职工医保」，不在本地参保：导入的缴费不带变更原因，不能登记（如确需办理，请在缴费窗口逐人办理并填写原因）"]
    assert pv.to_write == []


def test_unknown_status_and_future_date(ledger, tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", [["身份证号", "状态", "变动日期"], [SON, "出国", "2024-01-01"],
                                        [HEAD3, "死亡", (dt.date.today() + dt.timedelta(days=3)).isoformat()]])
    pv = preview(ledger, path, "status")
    text = "\n".join(str(p) for p in pv.problems)
    assert "第2行:状态（B列）: 未知的人员状态「出国」" in text
    assert "第3行:变动日期（C列）: 变动日期" in text and "晚于今天" in text
    assert len(pv.problems) == 2


def test_unpaid_list_filled_in_by_the_village_comes_back_as_status_list(ledger, tmp_path):
    out = tmp_path / "未参保.xlsx"
    export_one(ledger, "unpaid", out)
    pv = preview(ledger, out, "status")
    assert pv.problems == [] and pv.to_write == []  # unchanged list: nothing to do
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    for row in ws.iter_rows(min_row=2):
        if row[3].value == "赵一":
            row[7].value, row[9].value = "死亡", dt.date(2024, 9, 30)
        if row[3].value == "张小山":
            row[7].value, row[8].value = "异地参保", "北京市朝阳区"
    wb.save(out)
    pv = preview(ledger, out, "status")
    assert pv.problems == []
    assert sorted(r.values["status"] for r in pv.to_write) == ["异地参保", "死亡"]
    commit(ledger, pv)
    dead = ledger.members.by_id_number(HEAD3)
    assert (dead.status, dead.status_date) == ("死亡", dt.date(2024, 9, 30))
    away = ledger.members.by_id_number(SON)
    assert (away.status, away.status_detail) == ("异地参保", "北京市朝阳区")


def test_roster_members_join_a_ledger_household_by_the_heads_id_number(ledger, tmp_path):
    baby, other = make_id("20200101", 91), make_id("20210101", 92)
    path = _xlsx(tmp_path / "新增.xlsx", [
        ["村", "组", "户主身份证号", "姓名", "身份证号码", "与户主关系"],
        ["东风村", "一组", HEAD1, "张小宝", baby, "孙子"],
        ["东风村", "一组", HEAD1, "张冒充", other, "户主"],  # the household has its head already
    ])
    pv = preview(ledger, path, "roster")
    assert [str(p) for p in pv.problems] == [
        "新增.xlsx Sheet1:第3行:与户主关系（F列）: 这一户在台账中已有户主 张大山：一户只能有一名户主"]
    commit(ledger, pv, only_good=True)
    assert ledger.members.by_id_number(baby).household_id == ledger.members.by_id_number(HEAD1).household_id
    assert ledger.members.by_id_number(baby).relation == "孙子女"


def test_members_without_an_id_number_are_not_added_twice(ledger, tmp_path):
    """证件类型 无: keyed by household, name and birth date. The same file twice adds them once; the same name
    and birth date in another household is another person; twice in one household of one file is a problem."""
    h1, h2 = make_id("19700315", 71), make_id("19720416", 81)
    rows = [["户编号", "村（社区）", "组", "姓名", "与户主关系", "证件类型", "身份证号", "出生日期"],
            ["N701", "东风村", "一组", "孙七", "户主", "居民身份证", h1, ""],
            ["N701", "东风村", "一组", "孙小宝", "子", "无", "", "2019-06-01"],
            ["N702", "东风村", "一组", "周八", "户主", "居民身份证", h2, ""],
            ["N702", "东风村", "一组", "孙小宝", "子", "无", "", "2019-06-01"]]  # another household's 孙小宝
    path = _xlsx(tmp_path / "无证件.xlsx", rows)
    pv = preview(ledger, path, "roster")
    assert pv.problems == [] and len(pv.to_write) == 4
    before = _counts(ledger)["members"]
    commit(ledger, pv)
    assert _counts(ledger)["members"] == before + 4
    babies = ledger.db.execute("SELECT h.number FROM members m JOIN households h ON h.id = m.household_id"
                               " WHERE m.name = '孙小宝' AND m.id_number IS NULL ORDER BY h.number").fetchall()
    assert [b[0] for b in babies] == ["N701", "N702"]

    again = preview(ledger, path, "roster")  # next week, the same file
    assert again.problems == [] and again.to_write == [] and [r.row for r in again.check.same] == [2, 3, 4, 5]
    assert again.summary() == "共 4 行：可导入 0 行，台账中已有相同记录 4 行，有问题 0 行，查无此人 0 行"

    other = _xlsx(tmp_path / "再来.xlsx", rows[:3] + [["N701", "东风村", "一组", "孙小宝", "子", "无", "", "2020-01-02"],
                                                     ["N701", "东风村", "一组", "孙小宝", "子", "无", "", "2020-01-02"]])
    pv = preview(ledger, other, "roster")  # a second 孙小宝 born 2020 in N701: new; listed twice: a problem
    assert [str(p) for p in pv.problems] == [
        "再来.xlsx Sheet1:第5行:姓名（D列）: 与Sheet1第4行重复：同一人在文件里出现了两次"]
    assert [r.source.row for r in pv.to_write] == [4] and [r.row for r in pv.check.same] == [2, 3]


def test_plan_many_plans_each_payment_as_planning_it_alone(ledger):
    """The import's batch of plans (look-ups shared) is the counter's plan, payment by payment: paid twice,
    not enrolled here, an amount that differs, an assisted member, a date outside the window, nobody."""
    from app.ledger import PayLine
    from app.ledger.payment_plan import PlanRequest

    p = ledger.people
    hh = {mid: ledger.members.get(mid).household_id for mid in p.values()}
    cases = [(p["head1"], None, "2024-10-10"), (p["son1"], "400", "2024-10-10"), (p["son1"], None, "2024-10-10"),
             (p["away2"], "410", "2024-10-10"), (p["head2"], None, "2025-03-01"), (p["head3"], "410", "2024-10-11"),
             (p["head3"], "410", "2024-13-01")]
    requests = [PlanRequest(hh[mid], (PayLine(mid, amount=amount),), "税务APP", day, "测试员")
                for mid, amount, day in cases]
    requests.append(PlanRequest(hh[p["head3"]], (PayLine(999999),), "税务APP", "2024-10-11", "测试员"))
    many = ledger.payments.plan_many(requests)
    alone = [ledger.payments.plan(r.household_id, r.lines, method=r.method, paid_on=r.paid_on, operator=r.operator)
             for r in requests]
    assert [m.same_as(a) and m.warnings == a.warnings and m.needs_override == a.needs_override
            for m, a in zip(many, alone)] == [True] * len(requests)
    assert [bool(m.problems) for m in many] == [True, True, False, True, True, False, True, True]
    assert "重复缴费" in many[0].problems[0].message and "不在本地参保" in many[3].problems[0].message


def test_rows_refused_after_their_check_still_go_to_the_leftovers_whole(ledger, tmp_path):
    """The preview lets go of a clean row's cells once nothing can refuse it any more; a member refused later
    (their head's row had a problem; a payment the plan refuses) still goes back to the user with every cell."""
    head, son = make_id("19710101", 91), make_id("19990909", 93)
    path = _xlsx(tmp_path / "户.xlsx", [
        ["户主身份证号", "村（社区）", "组", "姓名", "与户主关系", "身份证号", "联系电话"],
        [head, "东风村", "一组", "钱大", "户主", head, "12345"],  # a bad phone: the head's row is refused
        [head, "东风村", "一组", "钱二", "子", son, ""],  # clean, kept while read; refused with its head at the end
    ])
    pv = preview(ledger, path, "roster")
    assert [p.place.split(":")[1] for p in pv.problems] == ["第2行", "第3行"]
    out = write_leftovers(pv, tmp_path / "未导入.xlsx")
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert sorted(r[rows[0].index("姓名")] for r in rows[1:]) == ["钱二", "钱大"]
    assert all(r[rows[0].index("村（社区）")] == "东风村" for r in rows[1:])

    pay = _xlsx(tmp_path / "缴费.xlsx", [["证件号码", "缴费金额", "缴费日期"], [SON, "400", "2024-10-10"]])
    pv = preview(ledger, pay, "payment")  # refused by the plan after every row was read
    rows = list(openpyxl.load_workbook(write_leftovers(pv, tmp_path / "未缴.xlsx")).active.iter_rows(values_only=True))
    assert rows[1][2:] == (SON, "400", "2024-10-10")
