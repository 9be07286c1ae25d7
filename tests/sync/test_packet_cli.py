"""``canbao packet`` and ``canbao conflicts`` from a terminal."""

from __future__ import annotations

from app.cli.main import main

from sync_township import make_township


def test_write_preview_apply_and_resolve_from_the_terminal(tmp_path, capsys):
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post = tmp_path / "post"
    post.mkdir()
    h = v1.households.add(village="东风村", group="一组").id
    m = v1.members.add(h, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    assert main(["packet", "write", "--db", str(v1.path), "--to", "0", "-o", str(post)]) == 0
    (packet,) = post.iterdir()
    assert main(["packet", "preview", "--db", str(township.path), str(packet)]) == 0
    out = capsys.readouterr().out
    assert "人员 新增：1" in out and "户 新增：1" in out and "members" not in out and "台账未作改动" in out
    assert main(["packet", "apply", "--db", str(township.path), str(packet)]) == 0
    assert "已导入来自站点 1" in capsys.readouterr().out
    assert township.members.get(m).name == "张三"
    # a clash, listed with both versions (phones masked) and resolved
    v1.members.update(m, phone="13800000001")
    township.members.update(m, phone="13900000002")
    assert main(["packet", "write", "--db", str(v1.path), "--to", "220112-000", "-o", str(post / "up.canbao-packet")]) == 0
    assert main(["packet", "apply", "--db", str(township.path), str(post / "up.canbao-packet")]) == 0
    assert "新发现冲突 1 处" in capsys.readouterr().out
    assert main(["conflicts", "list", "--db", str(township.path)]) == 0
    out = capsys.readouterr().out
    assert "两处修改" in out and "13800000001" not in out and "a. 站点 220112-000" in out and "b. 站点 220112-001" in out
    assert "电话 138****0001" in out and "phone" not in out  # fields in Chinese, masked, no search keys
    cid = out.split()[0].lstrip("#")
    assert main(["conflicts", "resolve", cid, "--choose", "b", "--note", "村里的新号码", "--db", str(township.path)]) == 0
    assert township.members.get(m).phone == "13800000001"
    assert main(["conflicts", "list", "--db", str(township.path)]) == 0
    assert "没有待处理的冲突" in capsys.readouterr().out
    # a damaged packet: a Chinese message with the file, exit code not 0
    bad = post / "bad.canbao-packet"
    bad.write_bytes(b"PK\x03\x04 not a packet")
    assert main(["packet", "apply", "--db", str(township.path), str(bad)]) != 0
    assert "交换包已损坏" in capsys.readouterr().err
    township.close()
    v1.close()


def test_packet_key_shows_this_stations_key_and_records_another(tmp_path, capsys):
    from app.sync import signing

    township, (v1,) = make_township(tmp_path, ["东风村"])
    mine = signing.own_public_key(v1.db)
    assert main(["packet", "key", "--db", str(v1.path)]) == 0
    out = capsys.readouterr().out
    assert f"本站签名公钥：{mine}" in out and signing.fingerprint(mine) in out
    # a station the township has no key for yet: recorded by hand, and then it holds
    township.db.execute("DROP TRIGGER station_keys_never_deleted")
    township.db.execute("DELETE FROM station_keys WHERE number = 1")
    assert main(["packet", "key", "--db", str(township.path), "--record", "220112-001", "--key", mine.upper()]) == 0
    assert "已登记：站点 001" in capsys.readouterr().out
    assert signing.key_of(township, 1) == mine
    assert main(["packet", "key", "--db", str(township.path), "--record", "1", "--key", signing.public_of(
        signing.new_seed())]) != 0
    assert "不能更换" in capsys.readouterr().err
    township.close()
    v1.close()
