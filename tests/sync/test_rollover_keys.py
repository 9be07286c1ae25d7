"""After a rollover every laptop rolls its own ledger over: the new year's ledgers keep the township's packet
key and each station's signing key and the keys on record, so they still exchange packets."""

from __future__ import annotations

from operators_helper import log_in

from app.ledger import open_ledger, stations
from app.ledger.split import split_village
from app.sync import packets, signing

TOWN = "220112"


def test_rolled_over_ledgers_still_exchange_signed_packets(tmp_path):
    lg = open_ledger(tmp_path / "2022.db", create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=2022, policy_id="changchun-2022", operators=["王会计"],
                           villages={"东风村": ["一组"], "红旗社区": []}, area_kind="区")
    stations.set_up(lg, code=f"{TOWN}-000", name="测试镇", kind="乡镇")
    split_village(lg, "东风村", tmp_path / "east.db")
    town_key = signing.own_public_key(lg.db)
    town_next = lg.rollover(tmp_path / "town-2025.db", "changchun-2025")
    lg.close()
    with open_ledger(tmp_path / "east.db", backup=False) as east:
        log_in(east, "王会计")
        east_key = signing.own_public_key(east.db)
        east_next = east.rollover(tmp_path / "east-2025.db", "changchun-2025")
    post = tmp_path / "post"
    post.mkdir()
    with open_ledger(town_next, backup=False) as town, open_ledger(east_next, backup=False) as v:
        log_in(town, "王会计")
        log_in(v, "王会计")
        assert signing.own_public_key(town.db) == town_key and signing.own_public_key(v.db) == east_key
        assert signing.key_of(town, 1) == east_key and signing.key_of(v, 0) == town_key
        h = v.households.add(village="东风村", group="一组").id
        m = v.members.add(h, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
        r = packets.apply_packet(town, packets.write_packet(v, 0, post).path)
        assert r.ok, r.problems
        assert town.members.get(m).name == "张三" and not r.notes  # the key was already on record
        assert packets.apply_packet(v, packets.write_packet(town, 1, post).path).ok
