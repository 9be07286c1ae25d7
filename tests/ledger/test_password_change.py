"""Changing the ledger password (app.ledger.rekey): the ledger and its backups under the new password, the old
one refused, every row kept, role-checked and audited without the password; a full disk in the middle leaves the
ledger under the old password, untouched."""

from __future__ import annotations

import pytest

from app.domain.problems import ProblemsError
from app.ledger import encryption, open_ledger, rekey, sqlite_driver
from app.ledger.backup import backup_ledger, list_backups
from app.ledger.operators import GRID_WORKER, PermissionDenied
from operators_helper import log_in

OLD = "Hongqi-sheqv-2025"
NEW = "Xin-mima-Dongfeng-26"


@pytest.fixture(autouse=True)
def _no_keys():
    sqlite_driver.forget_all()
    yield
    sqlite_driver.forget_all()


@pytest.fixture()
def ledger(tmp_path):
    path = tmp_path / "l.canbao.db"
    with open_ledger(path, create=True, backup=False, key=encryption.new_key(OLD)) as lg:
        admin = log_in(lg, "王会计")
        log_in(lg, "小李", role=GRID_WORKER)
        lg.operators.resume(admin)
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        for _ in range(5):
            lg.households.add(village="东风村", group="一组")
    backup_ledger(path)
    backup_ledger(path)
    sqlite_driver.forget_all()
    return path


def _session(path, name="王会计"):
    encryption.unlock(path, OLD)
    with open_ledger(path, backup=False) as lg:
        return lg.operators.get(name)


def _households(path, password) -> int:
    sqlite_driver.forget_all()
    encryption.unlock(path, password)
    with open_ledger(path, backup=False) as lg:
        return lg.db.execute("SELECT count(*) FROM households").fetchone()[0]


def test_change_re_encrypts_ledger_and_backups_and_audits_without_the_password(ledger):
    old_salt = sqlite_driver.salt_of(ledger)
    op = _session(ledger)
    out = rekey.change_password(ledger, OLD, NEW, operator=op)
    assert out.rows > 0 and len(out.backups) == 2 and out.backups_left == []
    assert sqlite_driver.salt_of(ledger) != old_salt  # a new salt: new key, and the process tells files apart
    assert _households(ledger, NEW) == 5
    sqlite_driver.forget_all()
    with pytest.raises(encryption.WrongPassword):
        encryption.unlock(ledger, OLD)
    encryption._fail_path(ledger).unlink(missing_ok=True)
    for b in list_backups(ledger):  # the backups beside the ledger: the new password, the old one refused
        assert sqlite_driver.salt_of(b) == sqlite_driver.salt_of(ledger)
        sqlite_driver.forget_all()
        with pytest.raises(encryption.WrongPassword):
            encryption.unlock(b, OLD)
        encryption.unlock(b, NEW)
    with open_ledger(ledger, backup=False) as lg:
        row = lg.db.execute("SELECT operator, entity, action, after FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert tuple(row[:3]) == ("王会计", "ledger", "password")
    text = ledger.read_bytes()
    assert OLD.encode() not in text and NEW.encode() not in text and NEW not in row[3] and OLD not in row[3]
    leftovers = sorted(f.name for f in ledger.parent.iterdir() if not f.name.endswith((".lock", ".receipts")))
    assert leftovers == sorted([ledger.name, "备份"]), leftovers  # no part, no old copy


def test_wrong_old_password_weak_or_same_new_password_change_nothing(ledger):
    before = ledger.read_bytes()
    op = _session(ledger)
    with pytest.raises(encryption.WrongPassword, match="当前密码不正确"):
        rekey.change_password(ledger, "not-the-password", NEW, operator=op)
    with pytest.raises(ProblemsError, match="至少"):
        rekey.change_password(ledger, OLD, "short", operator=op)
    with pytest.raises(ProblemsError, match="相同"):
        rekey.change_password(ledger, OLD, OLD, operator=op)
    assert ledger.read_bytes() == before


def test_a_grid_worker_may_not_change_it(ledger):
    op = _session(ledger, "小李")
    before = ledger.read_bytes()
    with pytest.raises(PermissionDenied, match="修改台账密码"):
        rekey.change_password(ledger, OLD, NEW, operator=op)
    assert ledger.read_bytes() == before
    assert [f.name for f in ledger.parent.iterdir() if f.name.endswith(".part")] == []


def test_refused_while_the_ledger_is_open(ledger):
    op = _session(ledger)
    with open_ledger(ledger, backup=False):
        with pytest.raises(ProblemsError, match="正被其他窗口"):
            rekey.change_password(ledger, OLD, NEW, operator=op)
    assert _households(ledger, OLD) == 5


def test_full_disk_while_writing_the_copy_leaves_the_old_password_ledger(ledger):
    """A full disk: the copy cannot grow past a few pages (``max_page_count``: SQLite's own SQLITE_FULL, the
    error a full disk gives). The change stops with the disk message; ledger, backups and password unchanged."""
    op = _session(ledger)
    before = ledger.read_bytes()

    def full(stage, conn=None):
        if stage == "attached":
            conn.execute("PRAGMA enc.max_page_count = 3")

    with pytest.raises(ProblemsError, match="磁盘空间已满"):
        rekey.change_password(ledger, OLD, NEW, operator=op, hook=full)
    assert ledger.read_bytes() == before
    assert [f.name for f in ledger.parent.iterdir() if ".part" in f.name] == []
    assert _households(ledger, OLD) == 5


def test_a_backup_made_before_the_change_elsewhere_opens_with_its_own_password(ledger, tmp_path):
    """A copy on a USB stick (not in the 备份 folder) keeps the old password; it still opens with it, and the
    process can hold both keys at once (told apart by salt)."""
    encryption.unlock(ledger, OLD)
    stick = backup_ledger(ledger, tmp_path / "U盘.bak.db")
    op = _session(ledger)
    rekey.change_password(ledger, OLD, NEW, operator=op)
    sqlite_driver.forget_all()
    with pytest.raises(encryption.WrongPassword):
        encryption.unlock(stick, NEW)
    encryption.unlock(stick, OLD)
    encryption.unlock(ledger, NEW)
    from app.ledger.restore import preview

    assert preview(stick, ledger).usable


def test_a_really_full_disk_leaves_the_old_password_ledger(tmp_path):
    """The ledger on a small tmpfs with room for about half a copy: the change stops with the disk message, and
    the ledger, whole and under the old password, is the only file left."""
    from backup_helpers import small_mount

    src = tmp_path / "src.canbao.db"
    with open_ledger(src, create=True, backup=False, key=encryption.new_key(OLD)) as lg:
        log_in(lg, "王会计")
        lg.settings.initialize(township="测试镇", year=2025, policy_id="changchun-2025", operators=["王会计"],
                               villages={"东风村": ["一组"]}, area_kind="区")
        with lg.transaction() as db:
            db.execute("CREATE TABLE filler (id INTEGER PRIMARY KEY, t TEXT)")
            db.conn.executemany("INSERT INTO filler (t) VALUES (?)", [("x" * 400,) for _ in range(4000)])
        op = lg.session
    encryption.unlock(src, OLD)
    sqlite_driver.checkpoint(src)
    size = src.stat().st_size
    with small_mount(tmp_path / "disk", f"{(size * 3 // 2) // 4096 * 4096}") as disk:
        if disk is None:
            pytest.skip("cannot mount a small tmpfs here (the max_page_count test covers it)")
        path = disk / "l.canbao.db"
        path.write_bytes(src.read_bytes())
        before = path.read_bytes()
        with pytest.raises(ProblemsError, match="磁盘空间已满"):
            rekey.change_password(path, OLD, NEW, operator=op)
        assert path.read_bytes() == before
        assert [f.name for f in disk.iterdir() if not f.name.endswith(".lock")] == [path.name]
        sqlite_driver.forget_all()
        encryption.unlock(path, OLD)
        with open_ledger(path, backup=False) as lg:
            assert lg.db.execute("SELECT count(*) FROM filler").fetchone()[0] == 4000


def test_cli_changes_the_password(ledger, monkeypatch, capsys, tmp_path):
    from app.cli.main import main

    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", OLD)
    monkeypatch.setenv("CANBAO_NEW_LEDGER_PASSWORD", NEW)
    monkeypatch.setenv("CANBAO_PIN", "2468")
    monkeypatch.setenv("CANBAO_OPERATOR", "小李")  # a grid worker: refused, nothing changed
    before = ledger.read_bytes()
    assert main(["ledger", "password", "--db", str(ledger)]) == 2
    assert "无权修改台账密码" in capsys.readouterr().err and ledger.read_bytes() == before
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    sheet = tmp_path / "恢复单.pdf"
    encryption.unlock(ledger, OLD)
    usb = backup_ledger(ledger, tmp_path / "U盘" / f"{ledger.name}.20251101-090000.bak.db")  # the second folder
    other = backup_ledger(ledger, tmp_path / "U盘" / "另一本台账.db.20251101-090000.bak.db")  # not this ledger's
    sqlite_driver.forget_all()
    assert main(["ledger", "password", "--db", str(ledger), "--recovery-sheet", str(sheet),
                 "--backup-folder", str(usb.parent)]) == 0
    out = capsys.readouterr()
    assert "已修改台账密码" in out.out and "3 份备份已改用新密码" in out.out and sheet.stat().st_size > 1000
    assert sqlite_driver.salt_of(usb) == sqlite_driver.salt_of(ledger) != sqlite_driver.salt_of(other)
    assert OLD not in out.out + out.err and NEW not in out.out + out.err
    assert _households(ledger, NEW) == 5
    sqlite_driver.forget_all()
    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", OLD)  # the old one no longer opens it
    with pytest.raises(SystemExit) as e:
        main(["ledger", "info", "--db", str(ledger)])
    assert e.value.code == 2 and "密码不正确" in capsys.readouterr().err
    encryption._fail_path(ledger).unlink(missing_ok=True)
    sqlite_driver.forget_all()
    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", "wrong-password-1")
    assert main(["ledger", "password", "--db", str(ledger)]) == 2
    assert "当前密码不正确" in capsys.readouterr().err


def test_progress_counts_the_ledger_and_its_backups_and_a_cancel_before_the_switch_changes_nothing(ledger):
    from app.domain.problems import Cancelled

    op = _session(ledger)
    before = ledger.read_bytes()
    asked = []

    def cancel_at_the_last_moment():
        asked.append(1)
        return len(asked) == 2  # the second look: after the copy was written, checked and audited

    with pytest.raises(Cancelled, match="台账没有改动"):
        rekey.change_password(ledger, OLD, NEW, operator=op, cancel=cancel_at_the_last_moment)
    assert ledger.read_bytes() == before and not [f for f in ledger.parent.iterdir() if ".part" in f.name]
    seen = []
    rekey.change_password(ledger, OLD, NEW, operator=op, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_a_cancel_between_backups_keeps_the_rest_under_the_old_password(ledger):
    from app.domain.problems import Cancelled

    op = _session(ledger)
    seen = []
    with pytest.raises(Cancelled, match="其余备份仍是原密码"):
        rekey.change_password(ledger, OLD, NEW, operator=op, progress=lambda d, t: seen.append(d),
                              cancel=lambda: 1 in seen)  # after the switch: at the first backup done
    assert _households(ledger, NEW) == 5
    salts = [sqlite_driver.salt_of(b) for b in list_backups(ledger)]
    assert sorted(s == sqlite_driver.salt_of(ledger) for s in salts) == [False, True]


def test_the_ledgers_own_secrets_are_carried_unchanged(ledger):
    """The exchange-packet key (sync_key), the receipt journal's key and the station's signing key live inside
    the ledger, not in the password: the change carries them byte for byte, so packets made before it — and
    the township's — stay readable."""
    op = _session(ledger)
    with open_ledger(ledger, backup=False) as lg:
        before = sorted(tuple(r) for r in lg.db.execute("SELECT name, value FROM ledger_secret"))
    assert any(name == "sync_key" for name, _ in before) and any(name == "journal_key" for name, _ in before)
    rekey.change_password(ledger, OLD, NEW, operator=op)
    with open_ledger(ledger, backup=False) as lg:
        after = sorted(tuple(r) for r in lg.db.execute("SELECT name, value FROM ledger_secret"))
    assert after == before


def test_a_forgotten_password_is_replaced_with_the_recovery_key(ledger):
    """The clerk forgot the password but has the recovery sheet: its key stands for the current password."""
    from app.ledger import password as pw

    encryption.unlock(ledger, OLD)
    sheet_key = pw.recovery_text(sqlite_driver.known_key(ledger))
    op = _session(ledger)
    sqlite_driver.forget_all()
    rekey.change_password(ledger, sheet_key, NEW, operator=op)
    assert _households(ledger, NEW) == 5


def test_restoring_a_backup_made_before_the_change_gives_a_ledger_under_that_password(ledger, tmp_path):
    """What the restore dialog and the README say: the restored ledger opens with the backup's password."""
    from app.ledger.restore import restore

    encryption.unlock(ledger, OLD)
    stick = backup_ledger(ledger, tmp_path / "U盘.bak.db")
    op = _session(ledger)
    rekey.change_password(ledger, OLD, NEW, operator=op)
    sqlite_driver.forget_all()
    encryption.unlock(ledger, NEW)
    encryption.unlock(stick, OLD)  # asked for by the restore (window and terminal) as 做这份备份时的密码
    restore(stick, ledger, operator=op)
    assert _households(ledger, OLD) == 5
