"""The 政策 page: list shipped and user policies, summary and clauses, check and add a file, ledgers per policy."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    from app import policy_catalog

    monkeypatch.setenv("CANBAO_USER_POLICIES", str(tmp_path / "user-policies"))
    policy_catalog.reload()
    yield tmp_path / "user-policies"
    policy_catalog.reload()


def test_policy_page_lists_checks_and_adds(qtbot, ledger, user_dir, tmp_path):
    from app.ui.main_window import MainWindow

    w = MainWindow(ledger)
    qtbot.addWidget(w)
    page = w.open_policies()
    ids = [page.list.item(i).data(256) for i in range(page.list.count())]
    assert {"changchun-2025", "tunliu-2025", "jilinshi-2024"} <= set(ids)
    # the open ledger (changchun-2025) is listed under its policy, and the summary quotes the clauses
    row = ids.index("changchun-2025")
    page.list.setCurrentRow(row)
    assert "1 个台账" in page.list.item(row).text()
    text = page.summary.toPlainText()
    assert "长医保联〔2024〕5号 一、筹资标准" in text and str(ledger.path) in text and "内置，只读" in text
    # a bad file: every problem with its line
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "policies" / "jilin-2024.toml").read_text(encoding="utf-8").replace("amount = 380", "amount = 38000"),
                   encoding="utf-8")
    assert not page.check_file(str(bad)) and "个人缴费标准 38000" in page.result.text()
    # a good new file is added beside the shipped ones and selected
    good = tmp_path / "mine.toml"
    good.write_text((ROOT / "policies" / "jilin-2024.toml").read_text(encoding="utf-8").replace(
        'id = "jilin-2024"', 'id = "jilin-village-2024"'), encoding="utf-8")
    assert page.check_file(str(good))
    assert page.add_file(str(good)) and (user_dir / "jilin-village-2024.toml").exists()
    assert page.current_id() == "jilin-village-2024" and "（用户）" in page.list.currentItem().text()
    assert "changchun-2025" in [page.list.item(i).data(256) for i in range(page.list.count())]
