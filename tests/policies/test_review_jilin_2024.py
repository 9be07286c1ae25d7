"""Reviewer's cases for 吉医保联〔2023〕27号 (吉林省 2024, seed 003), written from the document before the code.

Each case quotes the sentence it comes from. Members are adults born 1970-07-01 unless said otherwise.
"""

import pytest

from policy_quotes import ask
from review_helpers import D, M, claim, cli_quote, ledger_member, make_id, new_ledger

P = "jilin-2024"
ADULT = D(1970, 7, 1)
IN = D(2023, 11, 1)


def test_ordinary_member_pays_380():
    """一、2024年度全省居民医保个人缴费标准为每人每年380元。 (长护险 only in pilot areas: not by default.)"""
    q = ask(P, ADULT, IN)
    assert q.open and (q.personal_standard, q.due) == (M(380), M(380))
    assert (q.benefit_start, q.benefit_end) == (D(2024, 1, 1), D(2024, 12, 31))


def test_pilot_area_adds_ltc_10():
    """一、长期护理保险试点统筹区居民2024年度个人缴费标准维持不变，仍为每人每年10元。"""
    q = ask(P, ADULT, IN, addons=["长期护理保险"])
    assert q.due == M(390)


@pytest.mark.parametrize("paid", [D(2023, 10, 1), D(2023, 12, 31)])
def test_window_edges(paid):
    """三、2024年度居民医保费集中预缴期为2023年10月1日至12月31日。"""
    q = ask(P, ADULT, paid)
    assert q.open and q.due == M(380) and not q.waiting_days and q.benefit_start == D(2024, 1, 1)


def test_other_residents_paying_late_wait_90_days():
    """三、其他居民在集中预缴期外参保缴费的，设置90日待遇等待期。 Paid 2024-01-10. Ambiguity: the document does not say
    from which day the 90 days count; reading chosen: from the day after payment (as 长春's notice says), so
    01-11 … 04-09 (2024 is a leap year) and benefit from 2024-04-10."""
    q = ask(P, ADULT, D(2024, 1, 10))
    assert q.open and q.due == M(380) and q.waiting_days == 90
    assert q.benefit_start == D(2024, 4, 10)


def test_tekun_fully_assisted():
    """二、对城乡特困人员给予全额资助。"""
    q = ask(P, ADULT, IN, ["特困人员"])
    assert q.due == M(0) and q.assistance == M(380)


@pytest.mark.parametrize("category", ["低保对象", "返贫致贫人口", "脱贫不稳定人口", "边缘易致贫人口", "突发严重困难人口"])
def test_fixed_150_leaves_230(category):
    """二、对城乡低保对象、返贫致贫人口以及脱贫不稳定……给予定额资助，对因病纳入监测范围的边缘易致贫户和突发严重困难户
    可通过医疗救助给予定额资助，定额资助标准为每人每年150元，定额资助后个人实际缴纳居民医保费为每人每年230元。
    Ambiguity: “按居民个人缴费标准缴费后……给予参保资助” (以缴定补) could mean 380 at the counter and 150 back; the
    same paragraph's “个人实际缴纳……230元” is read as the member paying 230 net. Checked: what the member bears."""
    q = ask(P, ADULT, IN, [category])
    assert q.due - q.after_subsidy == M(230)


def test_stable_poverty_exit_is_not_assisted_by_the_fund():
    """二、对稳定脱贫人口……地方可探索通过慈善帮扶、公益捐赠……予以综合资助 — not 医疗救助: full 380."""
    q = ask(P, ADULT, IN, ["稳定脱贫人口"])
    assert (q.due, q.assistance, q.after_subsidy) == (M(380), M(0), M(0))


@pytest.mark.parametrize("category", ["特困人员", "低保对象", "边缘易致贫人口", "突发严重困难人口"])
def test_assisted_groups_paying_late_have_no_wait(category):
    """三、90日内出生新生儿、边缘易致贫户、突发严重困难户和其他享受医疗救助资助参保政策的困难群体在集中预缴期外参保缴费的，
    不设待遇等待期。"""
    q = ask(P, ADULT, D(2024, 3, 1), [category])
    assert q.open and not q.waiting_days


def test_late_dibao_still_gets_the_150():
    """二、2024年1月1日至12月31日期间……确认的……困难人员均可享受参保资助 + 三、不设待遇等待期。"""
    q = ask(P, ADULT, D(2024, 3, 1), ["低保对象"])
    assert q.due - q.after_subsidy == M(230)


@pytest.mark.parametrize("birth, paid", [(D(2024, 2, 1), D(2024, 3, 15)), (D(2024, 1, 5), D(2024, 4, 3))])
def test_newborn_within_90_days_has_no_wait(birth, paid):
    """三、90日内出生新生儿……在集中预缴期外参保缴费的，不设待遇等待期。 (born 01-05, paid 04-03: day 89.)"""
    q = ask(P, birth, paid)
    assert q.open and q.due == M(380) and not q.waiting_days


def test_child_born_in_the_window_paying_after_90_days_waits():
    """三、90日内出生新生儿 only — born 2023-11-01, paid 2024-03-15 (135 days): 其他居民……设置90日待遇等待期。"""
    q = ask(P, D(2023, 11, 1), D(2024, 3, 15))
    assert q.waiting_days == 90


def test_paid_380_then_dibao_recognised_gets_150_back():
    """二、按照“身份认证、以缴定补”原则……2024年1月1日至12月31日期间，经民政或乡村振兴部门确认的符合条件的困难人员均可
    享受参保资助。"""
    paid, c = claim(P, ADULT, IN, "低保对象", D(2024, 5, 10))
    assert paid.due == M(380) and c.owed and c.total == M(150)


def test_paid_380_then_tekun_recognised_gets_380_back():
    """二、对城乡特困人员给予全额资助 + 均可享受参保资助."""
    _, c = claim(P, ADULT, IN, "特困人员", D(2024, 8, 1))
    assert c.owed and c.total == M(380)


def test_paid_390_in_a_pilot_area_then_dibao_gets_150_not_the_ltc():
    """二、资助 is of 居民医保; 长期护理保险 is funded by 社会力量 (二、第三段), not the fund: 150 back."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2024, 5, 10), addons=["长期护理保险"])
    assert c.total == M(150)


def test_recognised_in_2025_gets_nothing():
    """二、2024年1月1日至12月31日期间."""
    _, c = claim(P, ADULT, IN, "低保对象", D(2025, 1, 2))
    assert not c.owed


def test_stable_poverty_exit_recognised_later_gets_nothing():
    """二、稳定脱贫人口 → 慈善帮扶 etc., not 医疗救助."""
    _, c = claim(P, ADULT, IN, "稳定脱贫人口", D(2024, 5, 10))
    assert not c.owed


def test_cli_quote_late_newborn():
    """三、90日内出生新生儿……不设待遇等待期。"""
    d = cli_quote("--policy", P, "--birth-date", "2024-02-01", "--paid-on", "2024-03-15")
    assert d["open"] is True and d["due"] == "380.00" and not d["waiting_days"]


def test_cli_quote_late_adult_waits():
    """三、其他居民在集中预缴期外参保缴费的，设置90日待遇等待期。"""
    d = cli_quote("--policy", P, "--birth-date", "1970-07-01", "--paid-on", "2024-01-10")
    assert d["waiting_days"] == 90 and d["due"] == "380.00"


def test_ledger_claim_150(tmp_path):
    """二: recorded 低保 after a full payment in the ledger → 150 owed."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2024, "")
    try:
        h, mid = ledger_member(lg, "19700701", make_id("19700701"))
        lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2023-11-01")
        lg.categories.add(mid, "低保对象", recognized_on="2024-05-10")
        (c,) = lg.claims.list()
        assert c.amount == M(150)
    finally:
        lg.close()


def test_late_tekun_pays_nothing_and_does_not_wait():
    """二、对城乡特困人员给予全额资助; 三、其他享受医疗救助资助参保政策的困难群体在集中预缴期外参保缴费的，不设待遇等待期。"""
    q = ask(P, ADULT, D(2024, 6, 1), ["特困人员"])
    assert q.open and q.due == M(0) and not q.waiting_days


def test_late_stable_poverty_exit_waits():
    """三、其他居民在集中预缴期外参保缴费的，设置90日待遇等待期 — 稳定脱贫人口 is not assisted by 医疗救助 (二、第二段)."""
    assert ask(P, ADULT, D(2024, 6, 1), ["稳定脱贫人口"]).waiting_days == 90


def test_no_student_rate_in_2024():
    """一、2024年度全省居民医保个人缴费标准为每人每年380元 — one rate."""
    assert ask(P, D(2008, 1, 1), IN, student=True).due == M(380)


def test_late_payment_whose_wait_ends_after_2024_gives_no_2024_benefit():
    """三、90日待遇等待期 — paid 2024-10-15, the wait ends in January 2025: no 2024 benefit to promise."""
    q = ask(P, ADULT, D(2024, 10, 15))
    assert (not q.open) or q.benefit_start is None or q.benefit_start > q.benefit_end


def test_ledger_recognition_dated_before_a_full_payment_is_owed(tmp_path):
    """二、2024年1月1日至12月31日期间……确认的……均可享受参保资助 — the payment (2024-02-01, late, full 380) was recorded
    first; 低保 recognised 2024-01-20 is recorded afterwards: the 150 is owed."""
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2024, "")
    try:
        h, mid = ledger_member(lg, "19700701", make_id("19700701"))
        lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2024-02-01")
        lg.categories.add(mid, "低保对象", recognized_on="2024-01-20")
        lg.claims.refresh()
        assert sum(c.amount for c in lg.claims.list()) == M(150)
    finally:
        lg.close()


def test_tekun_in_a_pilot_area_still_pays_the_ltc_10():
    """二、对城乡特困人员给予全额资助 (居民医保); 长期护理保险试点统筹区要利用社会组织、慈善基金……资助城乡特困……参加长期护理
    保险 — not the 医疗救助 fund: the counter collects 10."""
    assert ask(P, ADULT, IN, ["特困人员"], addons=["长期护理保险"]).due == M(10)


def test_late_payer_recognised_the_same_day_pays_230_without_wait():
    """二、……确认的……均可享受参保资助; 三、其他享受医疗救助资助参保政策的困难群体……不设待遇等待期。"""
    q = ask(P, ADULT, D(2024, 3, 1), ["低保对象:2024-03-01"])
    assert q.due - q.after_subsidy == M(230) and not q.waiting_days


def test_late_payer_recognised_the_next_day_paid_380_and_is_owed_150():
    """二、以缴定补……均可享受参保资助 — paid 380 on 2024-03-01 (not yet recognised: 90-day wait), recognised 03-02."""
    q = ask(P, ADULT, D(2024, 3, 1), ["低保对象:2024-03-02"])
    assert q.due == M(380) and q.waiting_days == 90
    _, c = claim(P, ADULT, D(2024, 3, 1), "低保对象", D(2024, 3, 2))
    assert c.total == M(150)


def test_late_newborn_with_dibao_pays_230_without_wait():
    """三、90日内出生新生儿……不设待遇等待期 + 二、定额资助后个人实际缴纳居民医保费为每人每年230元。"""
    q = ask(P, D(2024, 2, 1), D(2024, 3, 15), ["低保对象"])
    assert q.due - q.after_subsidy == M(230) and not q.waiting_days


@pytest.mark.parametrize("category", ["孤儿", "事实无人抚养儿童", "低保边缘家庭成员", "重度残疾人", "重点优抚对象"])
def test_groups_not_named_in_the_provincial_notice_pay_380(category):
    """二、对城乡特困人员给予全额资助；对城乡低保对象、返贫致贫人口以及脱贫不稳定……边缘易致贫户和突发严重困难户……150元 —
    these groups are not named."""
    q = ask(P, D(2012, 1, 1), IN, [category])
    assert (q.due, q.assistance) == (M(380), M(0))


def test_ledger_claims_cli_lists_the_150(tmp_path, capsys):
    """二、以缴定补……均可享受参保资助 — `canbao ledger claims --json` after 低保 is recorded for a full payer."""
    import json

    from app.cli.main import main
    from app.ledger import PayLine

    lg = new_ledger(tmp_path / "l.db", P, 2024, "")
    try:
        h, mid = ledger_member(lg, "19700701", make_id("19700701"))
        lg.payments.record(h, [PayLine(mid)], method="现金", paid_on="2023-11-01")
        lg.categories.add(mid, "低保对象", recognized_on="2024-05-10")
        path = str(lg.path)
    finally:
        lg.close()
    capsys.readouterr()
    assert main(["ledger", "claims", "--db", path, "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    rows = data if isinstance(data, list) else data.get("claims", [])
    assert [str(r["amount"]) for r in rows] in (["150.00"], ["150"])


@pytest.mark.parametrize("paid, waits", [(D(2024, 3, 31), False), (D(2024, 4, 1), True)])
def test_newborn_90_day_boundary(paid, waits):
    """三、90日内出生新生儿……不设待遇等待期 — born 2024-01-01; reading chosen: the 90th day after birth (03-31) is still
    “90日内”, the 91st (04-01) is not."""
    assert bool(ask(P, D(2024, 1, 1), paid).waiting_days) is waits
