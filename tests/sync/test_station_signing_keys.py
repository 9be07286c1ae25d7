"""A station's signing key changes (app.sync.key_changes): a planned change signed by the old key is taken
from the next packet and the old key refused from then on (a packet sent again from before the change too); a
lost or stolen key is replaced by hand by a 专干 — only with the fingerprint read out by the station, a reason,
audited — after which the stolen laptop's packets are refused with a Chinese message and write nothing; the
old keys stay on record with when, how and why, and can never be put back."""

from __future__ import annotations

import shutil

import pytest
from operators_helper import GRID_WORKER, log_in

from app.domain.problems import ProblemsError
from app.ledger import open_ledger
from app.sync import key_changes, packets, signing

from sync_township import make_township


@pytest.fixture
def town(tmp_path):
    township, (v1,) = make_township(tmp_path, ["东风村"])
    (tmp_path / "post").mkdir()
    opened = [township, v1]
    yield township, v1, tmp_path / "post", opened
    for lg in opened:
        lg.close()


def _family(lg, name="张三"):
    h = lg.households.add(village="东风村", group="一组").id
    lg.members.add(h, name=name, id_type="无", birth_date="1960-05-01", sex="男", relation="户主")
    return h


def _state(lg) -> tuple:
    """Everything a refused packet must leave as it was."""
    q = lambda sql: lg.db.execute(sql).fetchall()  # noqa: E731
    return (q("SELECT count(*) FROM households"), q("SELECT count(*) FROM members"), q("SELECT count(*) FROM audit"),
            q("SELECT * FROM station_keys ORDER BY number"), q("SELECT * FROM station_keys_replaced ORDER BY id"),
            q("SELECT * FROM sync_peers ORDER BY station"), q("SELECT count(*) FROM sync_packets"))


def _copy(lg, path):
    """A copy of a ledger's file as it is now (a backup, or the thief's laptop), opened and logged in."""
    lg.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(lg.path, path)
    other = open_ledger(path, backup=False)
    log_in(other, "王会计")
    return other


def test_a_planned_change_is_taken_from_the_next_packet_and_the_old_key_is_refused_after(town):
    township, v1, post, _ = town
    old = signing.own_public_key(v1.db)
    _family(v1)
    before_change = packets.write_packet(v1, 0, post)  # written with the old key, delivered late
    change = key_changes.change_own_key(v1, "定期更换")
    new = signing.own_public_key(v1.db)
    assert new != old and change.old_key == old and change.new_key == new
    assert signing.key_of(v1, 1) == new  # the station's own record follows
    _family(v1, "李四")
    after = packets.write_packet(v1, 0, post)

    pv = packets.preview_packet(township, after.path)
    assert pv.ok, pv.problems
    assert any(f"更换了签名密钥：{signing.fingerprint(old)} → {signing.fingerprint(new)}" in n and "定期更换" in n
               for n in pv.notes)
    assert signing.key_of(township, 1) == old  # the preview wrote nothing
    r = packets.apply_packet(township, after.path)
    assert r.ok and township.db.execute("SELECT count(*) FROM members").fetchone()[0] == 2
    assert signing.key_of(township, 1) == new
    history = township.db.execute("SELECT public_key, replaced_by, way, reason, signature IS NOT NULL"
                                  " FROM station_keys_replaced WHERE number = 1").fetchall()
    assert history == [(old, new, key_changes.SIGNED, "定期更换", 1)]
    audit = [a for (a,) in township.db.execute("SELECT after FROM audit WHERE entity = 'station'"
                                               " AND action = 'key_change'") if key_changes.SIGNED in a]
    assert len(audit) == 1 and new in audit[0] and "定期更换" in audit[0]

    # the packet written before the change arrives late (or is sent again): refused, nothing written — its
    # changes came in the newer packet
    state = _state(township)
    late = packets.apply_packet(township, before_change.path)
    assert not late.ok and late.problems[0].place == str(before_change.path)
    assert "更换前的旧密钥" in late.problems[0].message and "定期更换" in late.problems[0].message
    assert "未导入" in late.problems[0].message
    assert _state(township) == state
    # and the next packets, still carrying the change, go on being accepted
    _family(v1, "王五")
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok


def test_several_changes_while_packets_were_lost_are_followed_in_order(town):
    township, v1, post, _ = town
    first = signing.own_public_key(v1.db)
    key_changes.change_own_key(v1, "第一次")
    packets.write_packet(v1, 0, post)  # lost
    key_changes.change_own_key(v1, "第二次")
    _family(v1)
    r = packets.apply_packet(township, packets.write_packet(v1, 0, post).path)
    assert r.ok and signing.key_of(township, 1) == signing.own_public_key(v1.db)
    assert [x[0] for x in township.db.execute("SELECT reason FROM station_keys_replaced ORDER BY id")] == \
        ["第一次", "第二次"]
    assert signing.retired(township, first).replaced_by != signing.own_public_key(v1.db)


def test_the_townships_own_change_reaches_its_stations_the_same_way(town):
    township, v1, post, _ = town
    old = signing.own_public_key(township.db)
    early = packets.write_packet(township, 1, post)
    key_changes.change_own_key(township, "专干换电脑前更换")
    r = packets.apply_packet(v1, packets.write_packet(township, 1, post).path)
    assert r.ok and signing.key_of(v1, 0) == signing.own_public_key(township.db) != old
    late = packets.apply_packet(v1, early.path)
    assert not late.ok and "更换前的旧密钥" in late.problems[0].message


def test_a_stolen_laptop_is_refused_once_the_key_is_replaced_by_hand(town, tmp_path):
    township, v1, post, opened = town
    _family(v1)
    assert packets.apply_packet(township, packets.write_packet(v1, 0, post).path).ok
    stolen_key = signing.own_public_key(v1.db)
    thief = _copy(v1, tmp_path / "stolen.db")  # the stolen laptop, with the station's private key
    opened.append(thief)
    loot = tmp_path / "thief"  # (its packets bear the same names as the village's)
    loot.mkdir()
    # the village's new laptop: the ledger restored from its backup, then a new key; its first packet is refused
    # until the 专干 compares the fingerprint over the phone and replaces the key on record
    key_changes.change_own_key(v1, "电脑被盗，从备份恢复")
    new = signing.own_public_key(v1.db)
    _family(v1, "李四")
    up = packets.write_packet(v1, 0, post)
    # the thief changes "its" key first: signed by the stolen key, so the township takes it — the 专干's
    # replacement by hand still wins
    key_changes.change_own_key(thief, "小偷换的")
    _family(thief, "假户主")
    thief_after_change = packets.write_packet(thief, 0, loot)
    assert packets.apply_packet(township, thief_after_change.path).ok
    thiefs_key = signing.own_public_key(thief.db)
    assert signing.key_of(township, 1) == thiefs_key

    pv = packets.preview_packet(township, up.path)
    assert not pv.ok and pv.refused_key == new and "canbao packet key --replace" in pv.problems[0].message
    heard = signing.fingerprint(new)  # read out by the village over the phone
    with pytest.raises(ProblemsError) as exc:
        key_changes.replace_key(township, 1, pv.refused_key, "电脑被盗", "AAAA BBBB CCCC DDDD")
    assert "不一致" in str(exc.value)
    with pytest.raises(ProblemsError) as exc:
        key_changes.replace_key(township, 1, pv.refused_key, " ", heard)
    assert "须写明原因" in str(exc.value)
    change = key_changes.replace_key(township, 1, pv.refused_key, "电脑被盗，村里电话核对指纹", heard)
    assert change.old_key == thiefs_key and signing.key_of(township, 1) == new
    assert packets.apply_packet(township, up.path).ok

    # the stolen laptop keeps sending: with its current key, with the stolen one, or with yet another change
    # signed by a key that was replaced — each refused in Chinese, nothing written
    state = _state(township)
    _family(thief, "又一个假户")
    refused = [packets.apply_packet(township, packets.write_packet(thief, 0, loot / "a").path),
               packets.apply_packet(township, thief_after_change.path)]
    key_changes.change_own_key(thief, "再换")
    refused.append(packets.apply_packet(township, packets.write_packet(thief, 0, loot / "b").path))
    for r in refused:
        assert not r.ok and "未导入" in r.problems[0].message, r.problems
    assert "更换前的旧密钥" in refused[0].problems[0].message and "电脑被盗" in refused[0].problems[0].message
    assert "也没有旧密钥签名的更换证明" in refused[2].problems[0].message
    assert _state(township) == state
    # a key once replaced never comes back on record
    for put_back in (lambda: key_changes.replace_key(township, 1, stolen_key, "找回了", signing.fingerprint(stolen_key)),
                     lambda: key_changes.replace_key(township, 1, thiefs_key, "找回了", signing.fingerprint(thiefs_key))):
        with pytest.raises(ProblemsError) as exc:
            put_back()
        assert "更换掉的" in str(exc.value)


def test_a_laptop_restored_from_a_backup_made_before_it_had_a_key(town):
    township, v1, post, _ = town
    # the backup had no private key: the restored ledger makes a new one when it writes its next packet
    v1.db.execute("DELETE FROM ledger_secret WHERE name = ?", [signing.SECRET])
    _family(v1)
    up = packets.write_packet(v1, 0, post)
    pv = packets.preview_packet(township, up.path)
    assert not pv.ok and "不是站点 220112-001 登记的密钥" in pv.problems[0].message
    assert pv.refused_key == signing.own_public_key(v1.db) == signing.key_of(v1, 1)  # its own list follows
    key_changes.replace_key(township, 1, pv.refused_key, "重装系统，备份里没有密钥",
                            signing.fingerprint(signing.own_public_key(v1.db)))
    assert packets.apply_packet(township, up.path).ok


def test_replacing_is_for_a_clerk_and_the_history_is_kept_by_the_ledger(town):
    township, v1, post, _ = town
    new = signing.public_of(signing.new_seed())
    log_in(township, "小李", role=GRID_WORKER)
    with pytest.raises(ProblemsError) as exc:
        key_changes.replace_key(township, 1, new, "电脑被盗", signing.fingerprint(new))
    assert "小李" in str(exc.value) or "网格员" in str(exc.value)
    with pytest.raises(ProblemsError):
        key_changes.change_own_key(township, "定期更换")
    log_in(township, "王会计")
    # the ledger itself refuses a key changed without its history, and keeps the history
    with pytest.raises(Exception, match="只能经「更换签名密钥」更换"):
        township.db.execute("UPDATE station_keys SET public_key = ? WHERE number = 1", [new])
    old = signing.key_of(township, 1)
    key_changes.replace_key(township, 1, new, "电脑被盗", signing.fingerprint(new))
    with pytest.raises(Exception, match="不能删除"):
        township.db.execute("DELETE FROM station_keys_replaced")
    with pytest.raises(Exception, match="不能修改"):
        township.db.execute("UPDATE station_keys_replaced SET reason = '改过'")
    with pytest.raises(Exception, match="不能再登记"):
        township.db.execute("INSERT INTO station_keys (number, public_key, recorded_at, how) VALUES (7, ?, 'x', 'y')",
                            [old])
    (row,) = [k for k in key_changes.keys_on_record(township) if not k.current]
    assert (row.station, row.public_key, row.way, row.reason, row.operator) == (1, old, key_changes.BY_HAND,
                                                                               "电脑被盗", "王会计")


def test_the_keys_replaced_go_with_a_split_and_a_rollover(tmp_path):
    from app.ledger import stations
    from app.ledger.split import split_village

    lg = open_ledger(tmp_path / "2022.db", create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=2022, policy_id="changchun-2022", operators=["王会计"],
                           villages={"东风村": ["一组"], "红旗村": ["一组"]}, area_kind="区")
    stations.set_up(lg, code="220112-000", name="测试镇", kind="乡镇")
    old = signing.own_public_key(lg.db)
    key_changes.change_own_key(lg, "定期更换")
    out = split_village(lg, "东风村", tmp_path / "east.db")
    with open_ledger(out.path, backup=False) as east:
        assert signing.key_of(east, 0) == signing.own_public_key(lg.db)
        assert signing.retired(east, old).reason == "定期更换"  # a packet signed with it is refused there too
    nxt = lg.rollover(tmp_path / "2025.db", "changchun-2025")
    lg.close()
    with open_ledger(nxt, backup=False) as town:
        assert signing.retired(town, old).reason == "定期更换" and signing.key_of(town, 0) != old
        assert key_changes.outgoing(town, 0)[0]["old_key"] == old  # the signed change still travels


def test_a_key_replaced_between_the_check_and_the_import_stops_the_import(town, monkeypatch):
    township, v1, post, _ = town
    _family(v1)
    up = packets.write_packet(v1, 0, post)
    other = signing.public_of(signing.new_seed())
    real, calls = signing.check_sender, []

    def check_then_replaced(*args):
        found = real(*args)
        if not calls:  # another window replaces the key right after the packet was checked
            key_changes.replace_key(township, 1, other, "电脑被盗", signing.fingerprint(other))
        calls.append(found)
        return found

    monkeypatch.setattr(signing, "check_sender", check_then_replaced)
    state = _state(township)
    r = packets.apply_packet(township, up.path)
    assert not r.ok and "请重新预览" in r.problems[0].message
    after = _state(township)
    assert after[:2] + after[5:] == state[:2] + state[5:]  # no data, no packet counted (the audit entry and the
    assert signing.key_of(township, 1) == other            # key are the other window's replacement)
