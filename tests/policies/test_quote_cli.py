"""``canbao quote --json`` as other tools call it: a separate process, JSON on stdout, exit 2 on bad input.

Expected values are the hand-worked ones of the per-policy tests (clauses cited there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=60)


def quote_json(*args: str) -> dict:
    r = run("quote", *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_changchun_2025_low_income_in_a_county():
    # 长医保联〔2024〕5号: 400 − 150 (医疗救助, at the counter) + 长护险 10 = 260; 县财政 140 paid back later
    d = quote_json("--policy", "changchun-2025", "--birth-date", "1960-05-01", "--paid-on", "2025-01-15",
                   "--category", "低保对象", "--area-kind", "县")
    assert d["open"] is True and d["reason"] is None
    assert d["due"] == "260.00"
    assert d["personal_standard"] == "400.00"
    assert d["assistance"] == "150.00"
    assert d["assistance_source"] == "医疗救助"
    assert d["after_subsidy"] == "140.00"
    assert d["subsidies"] == [{"funder": "县财政", "amount": "140.00"}]
    # 2025-01-01 至 02-28 缴费：待遇从缴费到账次日起
    assert (d["benefit_start"], d["benefit_end"], d["waiting_days"]) == ("2025-01-16", "2025-12-31", 0)
    amounts = {(line["kind"], line["amount"]) for line in d["lines"]}
    assert {("standard", "400.00"), ("assistance", "-150.00"), ("addon", "10.00"), ("subsidy", "140.00")} <= amounts
    assert all(line["clause"].startswith("长医保联〔2024〕5号") for line in d["lines"] if line["kind"] != "note")


def test_tunliu_table_row_and_addons():
    # 返贫致贫人员 资助 360 / 个人 40; 意外伤害保险 30 + 晋康保尊享版 128
    d = quote_json("--policy", "tunliu-2025", "--birth-date", "1970-01-01", "--paid-on", "2024-12-25",
                   "--category", "返贫致贫人员", "--addon", "意外伤害保险", "--addon", "晋康保尊享版")
    assert (d["due"], d["assistance"], d["addons_total"]) == ("198.00", "360.00", "158.00")
    assert d["addons"] == ["意外伤害保险", "晋康保尊享版"]
    assert d["benefit_start"] == "2025-01-01"


def test_tunliu_26th_is_closed_with_a_reason():
    d = quote_json("--policy", "tunliu-2025", "--birth-date", "1970-01-01", "--paid-on", "2024-12-26")
    assert d["open"] is False
    assert "1–25" in d["reason"]
    assert d["due"] is None and d["benefit_start"] is None
    assert d["reason_clause"].startswith("屯留区政府办2024年9月26日通知")


def test_changchun_2025_after_the_window_is_closed():
    d = quote_json("--policy", "changchun-2025", "--birth-date", "1970-01-01", "--paid-on", "2025-03-01")
    assert d["open"] is False and "按照相关政策规定执行" in d["reason_clause"]


def test_shuangqing_late_payment():
    # 400 + 670 = 1070, 90 days' waiting from the day after payment
    d = quote_json("--policy", "shuangqing-2025", "--birth-date", "1970-01-01", "--paid-on", "2025-01-01")
    assert (d["due"], d["personal_standard"], d["waiting_days"], d["benefit_start"]) == (
        "1070.00", "1070.00", 90, "2025-04-02")


def test_changchun_2022_student_and_special_case():
    d = quote_json("--policy", "changchun-2022", "--birth-date", "2001-09-01", "--student", "--paid-on", "2021-11-01")
    assert (d["due"], d["personal_standard"], d["tier"]) == ("230.00", "220.00", "学生及18周岁以下")
    d = quote_json("--policy", "changchun-2022", "--birth-date", "1970-01-01", "--paid-on", "2022-03-15",
                   "--special", "职工医保断保:2022-02-01")
    assert (d["due"], d["waiting_days"], d["benefit_start"]) == ("370.00", 0, "2022-03-16")


def test_id_number_gives_the_birth_date():
    # README's example number: born 1980-01-01; shuangqing late payment
    d = quote_json("--policy", "shuangqing-2025", "--id-number", "430502198001011235", "--paid-on", "2025-03-01")
    assert d["birth_date"] == "1980-01-01"
    assert d["due"] == "1070.00"


@pytest.mark.parametrize("number, words", [
    ("430502198001011236", "校验位"),  # last digit should be 5
    ("4305021980010112", "18位"),
])
def test_bad_id_number_exits_2(number, words):
    r = run("quote", "--policy", "shuangqing-2025", "--id-number", number, "--paid-on", "2025-03-01", "--json")
    assert r.returncode == 2
    d = json.loads(r.stdout)
    assert d["error"] is True
    assert [p["field"] for p in d["problems"]] == ["--id-number"]
    assert words in d["problems"][0]["message"]


def test_unknown_names_exit_2_listing_all_problems_and_the_valid_names():
    r = run("quote", "--policy", "tunliu-2025", "--birth-date", "1960-05-01", "--paid-on", "2024-10-08",
            "--category", "低保", "--addon", "长护险", "--special", "老兵", "--json")
    assert r.returncode == 2
    problems = {p["field"]: p["message"] for p in json.loads(r.stdout)["problems"]}
    assert set(problems) == {"--category", "--addon", "--special"}
    assert "低保对象" in problems["--category"] and "特困人员" in problems["--category"]
    assert "意外伤害保险" in problems["--addon"] and "晋康保尊享版" in problems["--addon"]
    assert "退役军人" in problems["--special"] and "职工医保断保" in problems["--special"]
    assert "未知的人员类别「低保」" in r.stderr  # the same problems on stderr, in Chinese


def test_both_jinkangbao_versions_exit_2():
    r = run("quote", "--policy", "tunliu-2025", "--birth-date", "1960-05-01", "--paid-on", "2024-10-08",
            "--addon", "晋康保基础版", "--addon", "晋康保尊享版")
    assert r.returncode == 2 and "只能选一个" in r.stderr


def test_unknown_policy_and_bad_date_exit_2():
    r = run("quote", "--policy", "nowhere-2025", "--birth-date", "1960-05-01", "--paid-on", "2024-10-08")
    assert r.returncode == 2 and "changchun-2025" in r.stderr
    r = run("quote", "--policy", "tunliu-2025", "--birth-date", "1960-13-01", "--paid-on", "2024-10-08")
    assert r.returncode == 2 and "--birth-date" in r.stderr


def test_policy_show_names_the_document():
    r = run("policy", "show", "jilin-2024")
    assert r.returncode == 0, r.stderr
    assert "吉医保联〔2023〕27号" in r.stdout and "380" in r.stdout
