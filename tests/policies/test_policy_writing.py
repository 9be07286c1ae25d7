"""Writing and checking a policy as a clerk would (issue 11 “Writing and checking a policy”).

``policy new`` moves the years on and marks every date and amount; ``policy check`` refuses a file whose
year and dates disagree, whose subsidies exceed what the member pays, whose amounts are absurd, and
reports TOML syntax errors in Chinese with the line; Notepad's UTF-8 with BOM and CRLF is read; user
policies sit beside the shipped ones, never hiding them.
"""

import datetime as dt
from pathlib import Path

import pytest

from app import policy_catalog
from app.cli.main import main
from app.domain.policy_loader import load_policy, load_policy_text
from app.domain.quote import quote
from app.domain.quote_model import QuoteRequest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    folder = tmp_path / "user-policies"
    monkeypatch.setenv("CANBAO_USER_POLICIES", str(folder))
    monkeypatch.delenv("CANBAO_POLICY_DIRS", raising=False)
    policy_catalog.reload()
    yield folder
    policy_catalog.reload()


def text_of(pid):
    return (ROOT / "policies" / f"{pid}.toml").read_text(encoding="utf-8")


def problems_after(pid, *edits):
    text = text_of(pid)
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    policy, problems = load_policy_text(text, f"{pid}.toml")
    return policy, [str(p) for p in problems]


def test_a_2026_file_with_2025_benefit_dates_is_refused():
    # the disagreement the issue names: copied, year changed, dates not
    policy, problems = problems_after("changchun-2025", ('id = "changchun-2025"', 'id = "changchun-2026"'),
                                      ("year = 2025 ", "year = 2026 "))
    assert policy is None
    text = "\n".join(problems)
    assert "待遇享受期结束日 2025-12-31 与参保年度 2026 不符" in text
    assert "名称「长春市2025年度城乡居民基本医疗保险」写的是 2025 年" in text


def test_an_id_whose_year_disagrees_is_refused():
    _, problems = problems_after("jilin-2024", ('id = "jilin-2024"', 'id = "jilin-2025"'))
    assert any("jilin-2025" in p and "不一致" in p for p in problems)


def test_subsidies_exceeding_what_the_member_pays_are_refused():
    # 二（二）市、区财政各补助 70 元 — mistyped 700: 150 + 700 + 70 > 400
    _, problems = problems_after("changchun-2025", ("funder = \"市财政\"\namount = 70", "funder = \"市财政\"\namount = 700"))
    assert any("低保对象" in p and "超过个人缴纳的 400" in p for p in problems), problems


@pytest.mark.parametrize("old, new, words", [
    ("amount = 400\nclause = \"一、筹资标准", "amount = 40000\nclause = \"一、筹资标准", "个人缴费标准 40000"),
    ("amount = 10\nmandatory", "amount = 10000\nmandatory", "附加险「长期护理保险」10000"),
    ("waiting_days = 90", "waiting_days = 900", "天数 900"),
])
def test_absurd_amounts_are_refused_with_their_line(old, new, words):
    text = text_of("changchun-2022" if "waiting" in old else "changchun-2025").replace(old, new, 1)
    policy, problems = load_policy_text(text, "p.toml")
    assert policy is None
    line = next(i for i, x in enumerate(text.splitlines(), 1) if new.split("\n")[0] in x)
    assert any(p.place == f"p.toml:{line}" and words in p.message for p in problems), problems


@pytest.mark.parametrize("text, line, words", [
    ('[policy]\nid = "x"\nname = "未闭合\n', 3, "缺少结尾的引号"),
    ('[policy]\nid：“x”\n', 2, "缺少等号"),
    ('[window]\nstart = 2025-02-30\n', 2, "日期无效"),
    ('[policy]\nname = 长春\n', 2, "文字要加英文引号"),
])
def test_toml_syntax_errors_are_in_chinese_with_the_line(text, line, words):
    policy, problems = load_policy_text(text, "bad.toml")
    assert policy is None and len(problems) == 1
    assert problems[0].place == f"bad.toml:{line}" and words in problems[0].message


def test_a_notepad_file_utf8_bom_and_crlf_is_read(tmp_path):
    path = tmp_path / "jilin-2024.toml"
    path.write_bytes(b"\xef\xbb\xbf" + text_of("jilin-2024").replace("\n", "\r\n").encode("utf-8"))
    policy, problems = load_policy(path)
    assert problems == [] and policy.standard.amount == 380


def test_a_gbk_file_gets_a_chinese_hint(tmp_path):
    path = tmp_path / "jilin-2024.toml"
    path.write_bytes(text_of("jilin-2024").encode("gb18030"))
    _, problems = load_policy(path)
    assert len(problems) == 1 and "UTF-8" in problems[0].message and "另存为" in problems[0].message


def test_policy_new_moves_the_years_and_marks_every_date_and_amount(user_dir, capsys):
    assert main(["policy", "new", "--from", "changchun-2025", "--year", "2026"]) == 0
    path = user_dir / "changchun-2026.toml"
    text = path.read_text(encoding="utf-8")
    assert 'id = "changchun-2026"' in text and "year = 2026" in text
    assert "start = 2025-09-01  # 待核对" in text and "end = 2026-02-28  # 待核对" in text
    assert "amount = 400  # 待核对" in text and "amount = 150  # 待核对" in text
    # unreviewed: refused, every mark listed with its line
    assert main(["policy", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("此行尚未核对") == text.count("# 待核对") > 30
    # reviewed (marks removed): it loads and quotes 2026 the way 2025 was
    path.write_text(text.replace("  # 待核对", ""), encoding="utf-8")
    policy_catalog.reload()
    p = policy_catalog.get_policy("changchun-2026")
    q = quote(p, QuoteRequest(birth_date=dt.date(1960, 5, 1), paid_on=dt.date(2025, 10, 8)))
    assert (q.due, q.benefit_start, q.benefit_end) == (410, dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_user_policies_sit_beside_shipped_ones_and_never_hide_them(user_dir, tmp_path, capsys):
    user_dir.mkdir(parents=True)
    (user_dir / "tunliu-2025.toml").write_text(text_of("tunliu-2025").replace("集中征缴期为2024年9月1日", "（改过）集中征缴期为2024年9月1日", 1),
                                               encoding="utf-8")
    policy_catalog.reload()
    policies, problems = policy_catalog.catalog()
    assert "（改过）" not in policies["tunliu-2025"].window.clause  # the shipped file wins
    assert any("重复" in p.message for p in problems)
    assert policy_catalog.origin("tunliu-2025").shipped


def test_policy_add_checks_then_copies_into_the_user_folder(user_dir, tmp_path, capsys):
    src = tmp_path / "mine.toml"
    src.write_text(text_of("jilin-2024").replace('amount = 380', 'amount = 38000'), encoding="utf-8")
    assert main(["policy", "add", str(src)]) == 1  # problems: not added
    assert not user_dir.exists() or not list(user_dir.glob("*.toml"))
    src.write_text(text_of("jilin-2024").replace('id = "jilin-2024"', 'id = "jilin-test-2024"'), encoding="utf-8")
    assert main(["policy", "add", str(src)]) == 0
    assert (user_dir / "jilin-test-2024.toml").exists()
    assert "jilin-test-2024" in policy_catalog.catalog()[0] and not policy_catalog.origin("jilin-test-2024").shipped
    assert main(["policy", "add", str(src)]) == 1  # the id now exists


def test_folders_named_in_folders_txt_are_read(user_dir, tmp_path):
    extra = tmp_path / "县医保局下发"
    extra.mkdir()
    (extra / "jilin-copy-2024.toml").write_text(text_of("jilin-2024").replace('id = "jilin-2024"', 'id = "jilin-copy-2024"'),
                                                encoding="utf-8")
    user_dir.mkdir(parents=True)
    (user_dir / "folders.txt").write_text(f"# 其他政策文件夹\n{extra}\n", encoding="utf-8")
    policy_catalog.reload()
    assert "jilin-copy-2024" in policy_catalog.catalog()[0]
