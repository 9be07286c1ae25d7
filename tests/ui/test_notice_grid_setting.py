"""“也可交给本村（社区）网格员代收” is printed on notices only where the district turns it on (no policy
document says it): set in the settings dialog or by ``canbao ledger settings``, by a 专干 or 管理员 only,
written to the audit log; the printed PDF (read with pdftotext) has the sentence only when it is on."""

import contextlib
import io

import pytest

from app.cli.main import main
from app.ledger.operators import PermissionDenied
from app.ui.settings import Preferences, SettingsDialog
from operators_helper import GRID_WORKER, TEST_PIN, log_in
from tests.paper import pdftools

SENTENCE = "也可交给本村（社区）网格员代收"


def printed(ledger, tmp_path) -> str:
    out = tmp_path / "notices.pdf"
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["print", "notices", "--db", str(ledger.path), "--village", "东风村", "--date", "2024-11-20",
                     "-o", str(out)])
    assert code == 0, err.getvalue()
    return pdftools.compact(out)


def grid_entries(ledger):
    return [(e.before, e.after) for e in ledger.audit.recent(50) if e.entity == "settings"
            and "notice_grid_collection" in (e.after or {})]


@pytest.fixture
def cli_env(monkeypatch):
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    monkeypatch.setenv("CANBAO_PIN", TEST_PIN)


def test_off_by_default_and_turned_on_in_the_dialog(qtbot, ledger, tmp_path, cli_env):
    assert ledger.settings.get().notice_grid_collection is False
    assert SENTENCE not in printed(ledger, tmp_path)
    d = SettingsDialog(Preferences(tmp_path / "p.ini"), ledger)
    qtbot.addWidget(d)
    assert d.grid_collection.isEnabled() and not d.grid_collection.isChecked()
    d.grid_collection.setChecked(True)
    assert d.save()
    assert ledger.settings.get().notice_grid_collection is True
    assert SENTENCE in printed(ledger, tmp_path)
    assert grid_entries(ledger) == [({"notice_grid_collection": False}, {"notice_grid_collection": True})]
    again = SettingsDialog(Preferences(tmp_path / "p.ini"), ledger)
    qtbot.addWidget(again)
    assert again.grid_collection.isChecked()
    again.grid_collection.setChecked(False)
    assert again.save()
    assert SENTENCE not in printed(ledger, tmp_path)
    assert len(grid_entries(ledger)) == 2


def test_a_grid_worker_cannot_turn_it_on(qtbot, ledger, tmp_path):
    log_in(ledger, "小刘", role=GRID_WORKER)
    d = SettingsDialog(Preferences(tmp_path / "p.ini"), ledger)
    qtbot.addWidget(d)
    assert not d.grid_collection.isEnabled()
    with pytest.raises(PermissionDenied, match="无权修改政策和台账设置"):
        ledger.settings.set_notice_grid_collection(True)
    assert ledger.settings.get().notice_grid_collection is False and grid_entries(ledger) == []


def test_the_cli_sets_and_shows_it(ledger, tmp_path, cli_env, capsys):
    path = str(ledger.path)
    ledger.close()
    assert main(["ledger", "settings", "--db", path]) == 0
    assert "缴费通知单印“网格员代收”：关" in capsys.readouterr().out
    assert main(["ledger", "settings", "--db", path, "--notice-grid-collection", "开"]) == 0
    assert "缴费通知单印“网格员代收”" in capsys.readouterr().out
    assert main(["ledger", "settings", "--db", path, "--notice-grid-collection", "也许"]) != 0
    assert "应为 开 或 关" in capsys.readouterr().err
    from app.ledger import open_ledger

    lg = open_ledger(path, backup=False)
    try:
        log_in(lg, "王会计")
        assert lg.settings.get().notice_grid_collection is True
        assert SENTENCE in printed(lg, tmp_path)
        assert grid_entries(lg)[-1][1] == {"notice_grid_collection": True}
    finally:
        lg.close()
