"""The key's life from a terminal: ``canbao packet key --change`` at the station, ``--replace`` at the township
(from the refused packet, with the fingerprint as heard and a reason), ``packet apply --confirm-key`` for a
station's first key; a stolen laptop's packet is refused with a Chinese message and an exit code."""

from __future__ import annotations

import shutil

from app.cli.main import main
from app.sync import signing

from sync_township import make_township


def _family(lg, name="张三"):
    h = lg.households.add(village="东风村", group="一组").id
    lg.members.add(h, name=name, id_type="无", birth_date="1960-05-01", sex="男", relation="户主")


def test_change_and_replace_a_key_from_the_terminal(tmp_path, capsys):
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post, loot = tmp_path / "post", tmp_path / "loot"
    post.mkdir()
    loot.mkdir()
    try:
        v1.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(v1.path, tmp_path / "stolen.db")  # the laptop that goes missing
        old = signing.own_public_key(v1.db)
        assert main(["packet", "key", "--change", "--db", str(v1.path)]) != 0
        assert "须写明原因" in capsys.readouterr().err
        assert main(["packet", "key", "--change", "--reason", "电脑被盗，从备份恢复", "--db", str(v1.path)]) == 0
        new = signing.own_public_key(v1.db)
        out = capsys.readouterr().out
        assert f"新指纹 {signing.fingerprint(new)}" in out and f"旧指纹 {signing.fingerprint(old)}" in out
        # the stolen laptop changes "its" key first; the township takes that change (signed by the old key)
        assert main(["packet", "key", "--change", "--reason", "x1", "--db", str(tmp_path / "stolen.db")]) == 0
        _family(v1)
        assert main(["packet", "write", "--to", "0", "-o", str(loot), "--db", str(tmp_path / "stolen.db")]) == 0
        (stolen_packet,) = loot.iterdir()
        assert main(["packet", "apply", str(stolen_packet), "--db", str(township.path)]) == 0
        capsys.readouterr()
        # the village's packet is refused; the 专干 replaces the key from it, with the fingerprint read out
        assert main(["packet", "write", "--to", "0", "-o", str(post), "--db", str(v1.path)]) == 0
        (up,) = post.iterdir()
        assert main(["packet", "preview", str(up), "--db", str(township.path)]) != 0
        cap = capsys.readouterr()
        assert f"这个交换包的签名公钥：{new}" in cap.out and "canbao packet key --replace" in cap.err
        base = ["packet", "key", "--replace", "220112-001", "--from-packet", str(up), "--db", str(township.path)]
        assert main([*base, "--fingerprint", "1111 2222 3333 4444", "--reason", "电脑被盗"]) != 0
        assert "不一致" in capsys.readouterr().err
        assert main([*base, "--fingerprint", signing.fingerprint(new), "--reason", "电脑被盗"]) == 0
        assert "已更换站点 001 的签名公钥" in capsys.readouterr().out and signing.key_of(township, 1) == new
        assert main(["packet", "apply", str(up), "--db", str(township.path)]) == 0
        capsys.readouterr()
        # the stolen laptop's next packet: refused, in Chinese, nothing written
        members = township.db.execute("SELECT count(*) FROM members").fetchone()[0]
        shutil.rmtree(loot)
        assert main(["packet", "write", "--to", "0", "-o", str(loot) + "/", "--db", str(tmp_path / "stolen.db")]) == 0
        (again,) = loot.iterdir()
        assert main(["packet", "apply", str(again), "--db", str(township.path)]) == 2
        err = capsys.readouterr().err
        assert "错误：" in err and "更换前的旧密钥" in err and "未导入" in err
        assert township.db.execute("SELECT count(*) FROM members").fetchone()[0] == members
        # the township's list shows the key on record and the ones replaced, with why
        assert main(["packet", "key", "--db", str(township.path)]) == 0
        out = capsys.readouterr().out
        assert f"站点 001：{signing.fingerprint(new)}（专干更换" in out and "原因：电脑被盗" in out
        assert "原因：x1" in out and "该站更换（旧密钥签名）" in out
    finally:
        township.close()
        v1.close()


def test_a_first_key_is_imported_only_with_its_fingerprint_confirmed(tmp_path, capsys):
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post = tmp_path / "post"
    post.mkdir()
    try:
        township.db.execute("DROP TRIGGER station_keys_never_deleted")  # a station set up by hand, key unknown
        township.db.execute("DELETE FROM station_keys WHERE number = 1")
        _family(v1)
        assert main(["packet", "write", "--to", "0", "-o", str(post), "--db", str(v1.path)]) == 0
        (up,) = post.iterdir()
        fp = signing.fingerprint(signing.own_public_key(v1.db))
        assert main(["packet", "preview", str(up), "--db", str(township.path)]) == 0
        out = capsys.readouterr().out
        assert f"新站点签名密钥（指纹 {fp}）首次记录" in out and f'--confirm-key "{fp}"' in out
        assert main(["packet", "apply", str(up), "--db", str(township.path)]) == 2
        assert "须先与该站电话核对指纹" in capsys.readouterr().err and signing.key_of(township, 1) is None
        assert main(["packet", "apply", str(up), "--confirm-key", fp, "--db", str(township.path)]) == 0
        assert signing.key_of(township, 1) == signing.own_public_key(v1.db)
    finally:
        township.close()
        v1.close()
