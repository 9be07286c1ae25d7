"""Encryption at rest (issue 14): an encrypted ledger and its backups cannot be read without the password —
not by plain sqlite3, not by grepping the bytes — and open, back up, restore and check as before with it."""

import os
import sqlite3

import pytest

from app.ledger import open_ledger, sqlite_driver
from app.ledger import encryption
from app.ledger.backup import backup_ledger, list_backups
from app.ledger.restore import preview, restore
from operators_helper import log_in

PASSWORD = "Dongfeng-2025!cun"
NAMES = ("张三丰", "李秀梅")


@pytest.fixture(autouse=True)
def _no_keys():
    sqlite_driver.forget_all()
    yield
    sqlite_driver.forget_all()


def _fill(lg, ids, year=2025, policy="changchun-2025"):
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=year, policy_id=policy, operators=["王会计"],
                           villages={"东风村": ["一组"]}, area_kind="区")
    h = lg.households.add(village="东风村", group="一组", phone="13912345678").id
    numbers = [ids("19600501"), ids("19620302", male=False)]
    for name, number in zip(NAMES, numbers):
        lg.members.add(h, name=name, id_number=number, relation="户主" if name == NAMES[0] else "配偶")
    return numbers


def _make(path, ids):
    lg = open_ledger(path, create=True, backup=False, key=encryption.new_key(PASSWORD))
    try:
        return _fill(lg, ids)
    finally:
        lg.close()


def _assert_unreadable(path, secrets):
    data = path.read_bytes()
    for s in secrets:
        assert s.encode("utf-8") not in data, s
    assert b"SQLite format 3" not in data[:16]
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master").fetchall()


def test_new_encrypted_ledger_is_unreadable_without_the_password(tmp_path, ids):
    p = tmp_path / "ledger.db"
    numbers = _make(p, ids)
    sqlite_driver.forget_all()
    _assert_unreadable(p, [*NAMES, *numbers, "13912345678", "东风村"])
    with pytest.raises(encryption.PasswordRequired):
        open_ledger(p, backup=False)
    encryption.unlock(p, PASSWORD)
    with open_ledger(p, backup=False) as lg:
        assert sorted(m.name for m in lg.search("张")) or lg.members.count() == 2
        assert lg.members.count() == 2


def test_the_key_is_sqlciphers_own_derivation_and_the_recovery_key_opens_it(tmp_path, ids):
    """Any SQLCipher 4 tool opens the ledger with the password; the printed recovery key opens it too."""
    import sqlcipher3

    from app.ledger import password as pw

    p = tmp_path / "ledger.db"
    _make(p, ids)
    spec = sqlite_driver.known_key(p)
    sqlite_driver.forget_all()
    conn = sqlcipher3.connect(str(p))
    conn.execute(f"PRAGMA key = '{PASSWORD}'")
    assert conn.execute("SELECT count(*) FROM members").fetchone()[0] == 2
    conn.close()
    encryption.unlock(p, pw.recovery_text(spec).lower().replace(" ", "-"))
    assert sqlite_driver.known_key(p) == spec


def test_wrong_password_says_so_writes_nothing_and_backs_off(tmp_path, ids, monkeypatch):
    p = tmp_path / "ledger.db"
    _make(p, ids)
    sqlite_driver.forget_all()
    before = p.read_bytes()
    for i in range(encryption.BACKOFF_AFTER - 1):
        with pytest.raises(encryption.WrongPassword) as e:
            encryption.unlock(p, "wrong-password-%d" % i)
        assert "密码不正确" in e.value.problems[0].message and e.value.wait_seconds == 0
    with pytest.raises(encryption.WrongPassword) as e:
        encryption.unlock(p, "still-wrong")
    assert e.value.wait_seconds == encryption.BACKOFF_SECONDS
    with pytest.raises(encryption.WrongPassword) as e:  # even the right one waits now
        encryption.unlock(p, PASSWORD)
    assert "次数过多" in e.value.problems[0].message
    assert p.read_bytes() == before
    assert (tmp_path / "ledger.db.pwfail").exists()  # the counter lives outside the encrypted file
    if os.name == "posix":
        assert (tmp_path / "ledger.db.pwfail").stat().st_mode & 0o077 == 0
    import time as time_mod

    real = time_mod.time
    monkeypatch.setattr(encryption.time, "time", lambda: real() + encryption.BACKOFF_SECONDS + 1)
    encryption.unlock(p, PASSWORD)
    assert not (tmp_path / "ledger.db.pwfail").exists()


def test_backups_are_encrypted_and_restore_with_preview(tmp_path, ids):
    p = tmp_path / "ledger.db"
    numbers = _make(p, ids)
    bak = backup_ledger(p)
    assert sqlite_driver.is_encrypted(bak)
    with open_ledger(p, backup=False) as lg:
        log_in(lg, "王会计")
        h = lg.households.add(village="东风村", group="一组").id
        lg.members.add(h, name="赵后来", id_number=ids("19700101"), relation="户主")
    sqlite_driver.forget_all()
    _assert_unreadable(bak, [*NAMES, *numbers])
    with pytest.raises(sqlite_driver.KeyRequired):
        preview(bak, p)
    encryption.unlock(p, PASSWORD)  # the ledger's key opens its backups (same salt)
    pv = preview(bak, p)
    assert pv.backup_problems == [] and pv.current_readable
    assert any("赵后来" in m for m in pv.members)
    restore(bak, p, expect=pv)
    assert sqlite_driver.is_encrypted(p)
    with open_ledger(p, backup=False) as lg:
        assert lg.members.count() == 2
    for b in list_backups(p):
        assert sqlite_driver.is_encrypted(b), b


def test_opening_makes_encrypted_rotating_backups(tmp_path, ids):
    p = tmp_path / "ledger.db"
    _make(p, ids)
    with open_ledger(p, backup_interval=0):
        pass
    backups = list_backups(p)
    assert backups and all(sqlite_driver.is_encrypted(b) for b in backups)


def test_plaintext_ledger_converts_in_place_and_keeps_the_plaintext_until_confirmed(tmp_path, ids):
    p = tmp_path / "ledger.db"
    with open_ledger(p, create=True, backup=False) as lg:
        numbers = _fill(lg, ids)
    old_backup = backup_ledger(p)
    assert not sqlite_driver.is_encrypted(old_backup)
    conv = encryption.encrypt_in_place(p, PASSWORD)
    assert conv.plaintext_kept.exists() and not sqlite_driver.is_encrypted(conv.plaintext_kept)
    assert encryption.pending_conversion(p) == conv.plaintext_kept
    sqlite_driver.forget_all()
    _assert_unreadable(p, [*NAMES, *numbers])
    encryption.unlock(p, PASSWORD)
    with open_ledger(p, backup=False) as lg:
        assert lg.members.count() == 2
        assert lg.check() is not None
    encrypted = encryption.finish_conversion(p)
    assert encrypted == [old_backup]
    assert encryption.pending_conversion(p) is None
    _assert_unreadable(old_backup, [*NAMES, *numbers])
    assert [f.name for f in tmp_path.rglob("*") if f.name.endswith((".shred", ".enc", ".part"))] == []


def test_conversion_refuses_a_ledger_in_use(tmp_path, ids):
    p = tmp_path / "ledger.db"
    with open_ledger(p, create=True, backup=False) as lg:
        _fill(lg, ids)
        with pytest.raises(encryption.ProblemsError, match="正被其他"):
            encryption.encrypt_in_place(p, PASSWORD)
    assert not sqlite_driver.is_encrypted(p)


def test_weak_passwords_are_refused_with_advice():
    from app.ledger.password import strength

    assert not strength("1234").acceptable
    assert not strength("12345678").acceptable
    assert not strength("19900307").acceptable
    assert strength("zhangsan2025").level >= 1
    assert strength("Dongfeng-2025!cun").level == 3
    with pytest.raises(encryption.ProblemsError):
        encryption.new_key("88888888")


def test_cli_init_encrypted_reads_the_password_from_the_environment(tmp_path, monkeypatch, capsys):
    from app.cli.main import main

    p = tmp_path / "cli.db"
    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", PASSWORD)
    monkeypatch.setenv("CANBAO_OPERATOR", "王会计")
    monkeypatch.setenv("CANBAO_PIN", "2468")
    assert main(["ledger", "init", "--db", str(p), "--township", "某镇", "--year", "2025", "--policy",
                 "changchun-2025", "--operator", "王会计", "--village", "东风村:一组",
                 "--recovery-sheet", str(tmp_path / "sheet.pdf")]) == 0
    assert "已加密" in capsys.readouterr().out
    assert sqlite_driver.is_encrypted(p) and (tmp_path / "sheet.pdf").stat().st_size > 1000
    sqlite_driver.forget_all()
    assert main(["ledger", "info", "--db", str(p)]) == 0
    assert "某镇" in capsys.readouterr().out
    sqlite_driver.forget_all()
    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", "not-the-password")
    with pytest.raises(SystemExit) as e:
        main(["ledger", "info", "--db", str(p)])
    assert e.value.code == 2 and "密码不正确" in capsys.readouterr().err
    monkeypatch.delenv("CANBAO_LEDGER_PASSWORD")
    with pytest.raises(SystemExit):
        main(["ledger", "info", "--db", str(p)])
    assert "CANBAO_LEDGER_PASSWORD" in capsys.readouterr().err


def test_cli_encrypt_converts_and_finishes(tmp_path, ids, monkeypatch, capsys):
    from app.cli.main import main

    p = tmp_path / "ledger.db"
    with open_ledger(p, create=True, backup=False) as lg:
        numbers = _fill(lg, ids)
    backup_ledger(p)
    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", PASSWORD)
    assert main(["ledger", "encrypt", "--db", str(p), "--keep-plaintext"]) == 0
    assert "明文副本保留" in capsys.readouterr().out
    assert encryption.pending_conversion(p) is not None
    sqlite_driver.forget_all()
    assert main(["ledger", "encrypt", "--db", str(p), "--finish"]) == 0
    assert encryption.pending_conversion(p) is None
    for f in [p, *list_backups(p)]:
        _assert_unreadable(f, [*NAMES, *numbers])


def test_rollover_of_an_encrypted_ledger_is_encrypted(tmp_path, ids):
    p = tmp_path / "ledger.db"
    with open_ledger(p, create=True, backup=False, key=encryption.new_key(PASSWORD)) as lg:
        _fill(lg, ids, 2022, "changchun-2022")
        new = lg.rollover(tmp_path / "2025.db", "changchun-2025")
    assert sqlite_driver.is_encrypted(new)
    sqlite_driver.forget_all()
    encryption.unlock(p, PASSWORD)  # the same password opens the next year's ledger
    with open_ledger(new, backup=False) as lg:
        assert lg.members.count() == 2


def test_cli_restores_an_encrypted_backup_on_a_new_computer(tmp_path, ids, monkeypatch, capsys):
    """The laptop is lost; the USB stick's backup is restored on another computer with the ledger password."""
    from app.cli.main import main

    old = tmp_path / "old" / "ledger.db"
    old.parent.mkdir()
    _make(old, ids)
    stick = backup_ledger(old, tmp_path / "U盘.bak.db")
    sqlite_driver.forget_all()
    new = tmp_path / "new" / "ledger.db"
    new.parent.mkdir()
    monkeypatch.setenv("CANBAO_LEDGER_PASSWORD", PASSWORD)
    assert main(["restore", str(stick), "--db", str(new), "--yes"]) == 0, capsys.readouterr().err
    assert sqlite_driver.is_encrypted(new)
    sqlite_driver.forget_all()
    encryption.unlock(new, PASSWORD)
    with open_ledger(new, backup=False) as lg:
        assert lg.members.count() == 2


def test_a_village_split_from_an_encrypted_township_is_encrypted_with_the_same_password(tmp_path, ids):
    from app.ledger import stations
    from app.ledger.split import split_village

    p = tmp_path / "township.db"
    out = tmp_path / "东风村.db"
    with open_ledger(p, create=True, backup=False, key=encryption.new_key(PASSWORD)) as lg:
        numbers = _fill(lg, ids)
        stations.set_up(lg, code="220112-000", name="测试镇", kind="乡镇")
        split_village(lg, "东风村", out)
    sqlite_driver.forget_all()
    _assert_unreadable(out, [*NAMES, *numbers, "13912345678"])
    with pytest.raises(encryption.PasswordRequired):
        open_ledger(out, backup=False)
    encryption.unlock(out, PASSWORD)
    with open_ledger(out, backup=False) as village:
        assert village.members.count() == 2 and stations.current(village).village == "东风村"
        assert village.check() == []
