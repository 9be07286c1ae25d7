"""The shell: first run when there is no ledger, opening a ledger off the GUI thread, the demo ledger, the
backup made after the window is up, and search paging on a larger ledger."""

from __future__ import annotations

from app.ui.app import Shell
from app.ui.household_model import COLUMNS, MemberListModel
from app.ui.queries import MemberFilter
from app.ui.settings import Preferences


def test_first_run_when_no_ledger_then_open_one(qtbot, shell, ledger, tmp_path):
    path = ledger.path
    ledger.close()
    shell.start()
    assert shell.first_run is not None and shell.first_run.isVisible() and shell.window is None
    shell.open_path(str(path))
    # the window opens on the household list (按户): the fixture's two households
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.model.rowCount() == 2, timeout=10000)
    assert shell.prefs.last_ledger == str(path)
    assert not shell.first_run.isVisible()
    # the rotating backup is made after the window is up
    qtbot.waitUntil(lambda: any((path.parent / "备份").glob("*.bak.db")), timeout=10000)
    # next start opens the last ledger directly
    shell.close_ledger()
    again = Shell(Preferences())
    again.start()
    qtbot.waitUntil(lambda: again.window is not None, timeout=10000)
    assert again.window.ledger.path == path
    again.close_ledger()


def test_extra_backup_folder_from_settings(qtbot, shell, ledger, tmp_path):
    path = ledger.path
    ledger.close()
    extra = tmp_path / "U盘"
    shell.prefs.backup_dir = str(extra)
    shell.open_path(str(path))
    qtbot.waitUntil(lambda: extra.exists() and any(extra.glob("*.bak.db")), timeout=10000)


def test_opening_a_file_that_is_not_a_ledger_is_a_message(qtbot, shell, tmp_path):
    bad = tmp_path / "照片.db"
    bad.write_bytes(b"\x89PNG not a ledger")
    shell.start()
    shell.open_path(str(bad))
    qtbot.waitUntil(lambda: "无法打开台账" in shell.first_run.message.text(), timeout=10000)
    assert "不是台账文件" in shell.first_run.message.text() and shell.window is None


def test_demo_ledger_is_built_off_thread_and_opened(qtbot, shell, tmp_path, monkeypatch):
    monkeypatch.setenv("CANBAO_DEMO_DB", str(tmp_path / "demo.canbao.db"))
    monkeypatch.setattr("app.ui.app.DEMO_PEOPLE", 300)
    shell.start()
    shell.first_run.demo_button.click()
    qtbot.waitUntil(lambda: shell.window is not None, timeout=60000)
    assert shell.window.ledger.members.count() == 300


def test_search_pages_stay_exact_when_bounded(qtbot, ledger, monkeypatch):
    """Each search branch keeps one page per fetch: paging through must still find every match, in order."""
    import app.ui.household_model as hm

    hid = ledger.households.add(village="东风村", group="二组").id
    from .conftest import make_id

    for i in range(7):
        ledger.members.add(hid, name=f"张{'一二三四五六七'[i]}", id_number=make_id("19900101", 100 + i),
                           relation="户主" if i == 0 else "子")
    monkeypatch.setattr(hm, "PAGE", 3)
    model = MemberListModel(lambda: ledger.db.conn, 2025)
    model.set_filter(MemberFilter(year=2025, text="z"))
    while model.canFetchMore():
        model.fetchMore()
    got = [model.index(r, COLUMNS.index("姓名")).data() for r in range(model.rowCount())]
    assert got == ["张三", "张小明", "赵六"] + [f"张{c}" for c in "一二三四五六七"]  # 赵六 = zl
    # a full ID prefix (10+ digits) finds by ID; 6 digits (the shared area code) does not flood the list
    model.set_filter(MemberFilter(year=2025, text=make_id("19900101", 103)[:17]))
    model.fetchMore()
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["张四"]
    model.set_filter(MemberFilter(year=2025, text="220102"))
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 0


def test_reader_connection_opens_a_path_with_chinese_spaces_hash_and_percent(tmp_path, ledger):
    import shutil

    from app.ui import queries

    ledger.db.execute("PRAGMA wal_checkpoint(FULL)")
    folder = tmp_path / "参保 台账#2025%20"
    folder.mkdir()
    copy = folder / "西营镇 台账.db"
    shutil.copyfile(ledger.path, copy)
    conn = queries.open_reader(copy)
    try:
        assert queries.member_count(conn, MemberFilter(year=2025)) == 5
    finally:
        conn.close()
