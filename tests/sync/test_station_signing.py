"""Packets signed by the station (Ed25519): a packet is accepted only with the key on record for its sender;
a station signing as another is refused and nothing is written; keys come with a set-up or a split."""

from __future__ import annotations

from app.ledger import open_ledger, stations
from app.ledger.split import split_village
from app.sync import packet_file, packets, signing

from sync_township import make_township


def _family(lg, village, name="张三"):
    h = lg.households.add(village=village, group="一组").id
    lg.members.add(h, name=name, id_type="无", birth_date="1960-05-01", sex="男", relation="户主")
    return h


def _count(lg, table="households") -> int:
    return lg.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_each_station_has_its_own_key_and_the_packet_carries_it(town):
    township, v1, v2, post = town
    keys = {signing.own_public_key(lg.db) for lg in (township, v1, v2)}
    assert len(keys) == 3 and None not in keys  # made at set-up, one per station
    assert signing.key_of(township, 1) == signing.own_public_key(v1.db)
    _family(v1, "东风村")
    up = packets.write_packet(v1, 0, post)
    header = packet_file.read(up.path, packets._secret(v1.db)).header
    assert header["from_key"] == signing.own_public_key(v1.db) and header["version"] == 2
    assert packets.apply_packet(township, up.path).ok


def test_a_station_signing_as_another_is_refused_and_nothing_is_written(town):
    township, v1, v2, post = town
    _family(v2, "红旗村")
    # station 2's laptop holds station 1's private key (or station 1 writes a packet claiming to be station 2)
    v2.db.execute("UPDATE ledger_secret SET value = ? WHERE name = ?", [signing.own_seed(v1.db), signing.SECRET])
    forged = packets.write_packet(v2, 0, post)
    before = _count(township), _count(township, "audit")
    for outcome in (packets.preview_packet(township, forged.path), packets.apply_packet(township, forged.path)):
        assert not outcome.ok
        assert "用站点 001 的密钥签名" in outcome.problems[0].message and "未导入" in outcome.problems[0].message
        assert outcome.problems[0].place == str(forged.path)
    assert (_count(township), _count(township, "audit")) == before
    # a key nobody has on record, for a station whose key is on record: refused too
    v2.db.execute("UPDATE ledger_secret SET value = ? WHERE name = ?", [signing.new_seed(), signing.SECRET])
    other = packets.write_packet(v2, 0, post)
    r = packets.apply_packet(township, other.path)
    assert not r.ok and "不是站点 220112-002 登记的密钥" in r.problems[0].message
    assert (_count(township), _count(township, "audit")) == before


def test_a_key_not_on_record_is_taken_from_the_first_packet_and_then_holds(tmp_path):
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post = tmp_path / "post"
    post.mkdir()
    try:
        # a ledger from before: the township has no key for station 1 (the trigger forbids changing one,
        # so make the township anew without it)
        township.db.execute("DROP TRIGGER station_keys_never_deleted")
        township.db.execute("DELETE FROM station_keys WHERE number = 1")
        _family(v1, "东风村")
        first = packets.write_packet(v1, 0, post)
        mine = signing.fingerprint(signing.own_public_key(v1.db))
        pv = packets.preview_packet(township, first.path)
        assert pv.ok and any(f"新站点签名密钥（指纹 {mine}）首次记录" in n for n in pv.notes)
        assert pv.key_to_confirm == mine
        assert signing.key_of(township, 1) is None  # the preview wrote nothing
        # imported only once the 专干 has compared the fingerprint with the station's
        before = _count(township), _count(township, "audit")
        for confirm, said in ((None, "须先与该站电话核对指纹"), ("0000 1111 2222 3333", "不一致")):
            r = packets.apply_packet(township, first.path, confirm_key=confirm)
            assert not r.ok and said in r.problems[0].message and r.problems[0].place == str(first.path)
            assert (_count(township), _count(township, "audit")) == before and signing.key_of(township, 1) is None
        assert packets.apply_packet(township, first.path, confirm_key=mine.lower().replace(" ", "-")).ok
        assert signing.key_of(township, 1) == signing.own_public_key(v1.db)
        assert township.db.execute("SELECT count(*) FROM audit WHERE entity = 'station' AND action = 'key'"
                                   ).fetchone()[0] >= 1
        # an old unsigned packet (version 1, HMAC only) is no longer accepted from that station
        pf = packet_file.read(first.path, packets._secret(v1.db))
        header = {k: v for k, v in pf.header.items()
                  if k not in ("sig", "entries", "format", "version", "from_key", "ed25519", "policies")}
        old = post / "old.canbao-packet"
        packet_file.write(old, packets._secret(v1.db), {**header, "packet_no": 9}, pf.entries)
        r = packets.apply_packet(township, old)
        assert not r.ok and "没有站点签名" in r.problems[0].message
    finally:
        township.close()
        v1.close()


def test_a_split_gives_the_new_station_its_key_and_the_township_records_it(tmp_path):
    township, _ = make_township(tmp_path, ["东风村"])
    township.close()
    town = open_ledger(tmp_path / "station000.db", backup=False)
    from operators_helper import log_in

    log_in(town, "王会计")
    try:
        town.settings.add_village("西山村", groups=["一组"])
        _family(town, "西山村", "李四")
        out = split_village(town, "西山村", tmp_path / "西山村.db")
        assert signing.key_of(town, out.station.number)
        with open_ledger(out.path, backup=False) as v:
            log_in(v, "王会计")
            (tmp_path / "post").mkdir()
            assert signing.own_public_key(v.db) == signing.key_of(town, out.station.number)
            assert signing.key_of(v, 0) == signing.own_public_key(town.db)  # the station knows the township's key
            v.members.update(v.db.execute("SELECT id FROM members").fetchone()[0], notes="村里改的")
            up = packets.write_packet(v, 0, tmp_path / "post")
            assert packets.apply_packet(town, up.path).ok
            down = packets.write_packet(town, out.station.number, tmp_path / "post")
            assert packets.apply_packet(v, down.path).ok
    finally:
        town.close()
