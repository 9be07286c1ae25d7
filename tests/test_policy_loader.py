"""Policy files: all five load; a bad file gets every problem at once, each with file:line, in Chinese."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.domain.policy_loader import load_policy, load_policy_text
from app.policy_catalog import catalog

ROOT = Path(__file__).resolve().parent.parent
POLICY_IDS = ["changchun-2022", "changchun-2025", "jilin-2024", "jilinshi-2024", "shuangqing-2025", "tunliu-2025",
              "weifang-2025"]


def test_all_shipped_policies_load_without_problems():
    policies, problems = catalog()
    assert sorted(policies) == POLICY_IDS
    assert list(problems) == []


@pytest.mark.parametrize("pid, doc", [("changchun-2025", "长医保联〔2024〕5号"), ("changchun-2022", "长医保联（2021）10号"),
                                      ("jilin-2024", "吉医保联〔2023〕27号"), ("shuangqing-2025", "双政办发〔2024〕11号")])
def test_each_file_names_its_document(pid, doc):
    policy, _ = load_policy(ROOT / "policies" / f"{pid}.toml")
    assert policy.source.doc_number == doc
    assert policy.source.issuers


def test_every_rule_cites_a_clause():
    policies, _ = catalog()
    for p in policies.values():
        clauses = [p.standard.clause, p.window.clause, p.benefit.clause, p.late.clause]
        clauses += [c.clause for c in p.categories] + [a.clause for a in p.addons] + [s.clause for s in p.subsidies]
        clauses += [s.clause for s in p.specials] + [t.clause for t in p.standard.tiers]
        assert all(c.strip() for c in clauses), p.id


def _copy_with(tmp_path, pid, edits):
    text = (ROOT / "policies" / f"{pid}.toml").read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{pid}.toml"
    path.write_text(text, encoding="utf-8")
    return path, text


def _line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_many_problems_reported_at_once_with_lines(tmp_path):
    path, text = _copy_with(tmp_path, "tunliu-2025", [
        ("amount = 320\npays = 80", "amount = 320\npays = 90"),         # table arithmetic broken
        ("amount = 30\n", "amount = 30.5\n"),                           # float money
        ('name = "孤儿"', 'name = "孤 儿"'),                              # a space in a name: a typo
        ("end = 2025-02-25", "end = 2024-08-01"),                       # window ends before it starts
        ("day_to = 25", "day_to = 25\nday_too = 3"),                     # typo key
    ])
    policy, problems = load_policy(path)
    assert policy is None
    text_out = "\n".join(str(p) for p in problems)
    assert len(problems) >= 5, text_out
    expect = {
        "pays = 90": "≠ 个人缴费标准",
        "amount = 30.5": "浮点数",
        'name = "孤 儿"': "名称中有空格",
        "end = 2024-08-01": "早于开始日",
        "day_too = 3": "未知的项",
    }
    for needle, words in expect.items():
        line = _line_of(path.read_text(encoding="utf-8"), needle)
        assert any(p.place == f"{path}:{line}" and words in p.message for p in problems), (needle, text_out)


def test_missing_required_and_clause(tmp_path):
    path, text = _copy_with(tmp_path, "jilin-2024", [
        ('clause = "一、筹资标准：2024年度全省居民医保个人缴费标准为每人每年380元"\n', ""),
        ("start = 2023-10-01\n", ""),
    ])
    policy, problems = load_policy(path)
    assert policy is None
    messages = [p.message for p in problems]
    assert any("standard.clause" in m for m in messages)
    assert any("window.start" in m for m in messages)
    assert all(re.search(r":\d+$", p.place) for p in problems)


def test_toml_syntax_error_has_line():
    policy, problems = load_policy_text('[policy]\nid = "x"\nname = "未闭合\n', "bad.toml")
    assert policy is None
    assert len(problems) == 1
    assert problems[0].place == "bad.toml:3"
    assert "语法错误" in problems[0].message


def test_percent_cross_check(tmp_path):
    path, _ = _copy_with(tmp_path, "shuangqing-2025", [("percent = 50\namount = 200", "percent = 40\namount = 200")])
    _, problems = load_policy(path)
    assert any("按 40% 计算为 160.00 元" in p.message for p in problems)


def test_cli_check_exit_codes(tmp_path):
    good = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "check", str(ROOT / "policies" / "jilin-2024.toml")],
                          capture_output=True, text=True, cwd=ROOT)
    assert good.returncode == 0 and "无问题" in good.stdout
    path, _ = _copy_with(tmp_path, "changchun-2025", [("amount = 150", "amount = 1500")])
    bad = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "check", str(path)],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert f"{path}:" in bad.stdout and "超过个人缴费标准" in bad.stdout


def test_cli_list_and_show():
    out = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "list"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    for pid in POLICY_IDS:
        assert pid in out.stdout
    show = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "show", "tunliu-2025"],
                          capture_output=True, text=True, cwd=ROOT)
    assert show.returncode == 0
    for words in ("低保对象：资助 320.00 元，个人缴纳 80.00 元", "每月1–25日", "晋康保", "残疾人就业保障金"):
        assert words in show.stdout, words
    unknown = subprocess.run([sys.executable, "-m", "app.cli.main", "policy", "show", "nowhere-2030"],
                             capture_output=True, text=True, cwd=ROOT)
    assert unknown.returncode == 2 and "changchun-2025" in unknown.stderr


def test_no_number_in_a_policy_file_can_cause_a_traceback_later():
    """Every integer of every shipped file replaced by odd values: the loader reports problems (never raises),
    and a file it accepts quotes without raising (issue 11: “absurd amounts … no traceback later”)."""
    import datetime as dt

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from app.domain.quote import quote
    from app.domain.quote_model import QuoteRequest

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "policies").glob("*.toml"))]

    @settings(max_examples=120, deadline=None)
    @given(st.sampled_from(texts), st.data())
    def check(named, data):
        name, text = named
        numbers = [m for m in re.finditer(r"(?<=[= ])\d+(?=\s*(#|$))", text, re.M)]
        m = data.draw(st.sampled_from(numbers))
        value = data.draw(st.sampled_from(["0", "-1", "1", "31", "99999", "1000000000000", "2099", "1900"]))
        mutated = text[:m.start()] + value + text[m.end():]
        policy, problems = load_policy_text(mutated, name)
        if policy is None:
            assert problems
            return
        for paid in (policy.window.start, policy.window.end, policy.benefit.end):
            for birth in (dt.date(1960, 5, 1), paid - dt.timedelta(days=10)):
                quote(policy, QuoteRequest(birth_date=birth, paid_on=paid))

    check()
