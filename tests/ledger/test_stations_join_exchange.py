"""Life after the join: three laptops that were used alone join as stations, then keep working — new households,
payments, voids — while their packets are lost, sent twice and delivered late. At the end the township holds
every payment of every laptop exactly once, as it stands there, and every ledger checks clean."""

from __future__ import annotations

import random

import pytest
from join_helper import id_number, make_island, make_township, own_totals

from app.ledger import PayLine, join, join_card, stations
from app.sync import packets

VILLAGES = ("东风村", "西山村", "南沟村")


def _work(lg, rnd: random.Random, serial: list[int], village: str) -> None:
    for _ in range(rnd.randint(1, 3)):
        h = lg.households.add(village=village, group="一组").id
        serial[0] += 2
        head = lg.members.add(h, name=f"{village[0]}新{serial[0]}", id_number=id_number("19700101", serial[0] % 1000),
                              relation="户主").id
        lg.payments.record(h, [PayLine(head)], method="现金", paid_on="2021-11-01")
    standing = [p for (p,) in lg.db.execute("SELECT id FROM payments p WHERE voided_at IS NULL AND NOT EXISTS"
                                            " (SELECT 1 FROM payment_items i JOIN refunds r ON r.payment_item_id = i.id"
                                            " WHERE i.payment_id = p.id)")]
    if standing and rnd.random() < 0.5:
        lg.payments.void(rnd.choice(standing), "收错")


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_joined_stations_keep_working_through_a_lossy_post(tmp_path, seed):
    rnd = random.Random(seed)
    town = make_township(tmp_path / "town.db")
    laptops = []
    for n, village in enumerate(VILLAGES):
        lg = make_island(tmp_path / f"v{n}.db", village, 100 + 100 * n)
        card = join_card.write_card(town, tmp_path, village=village)
        join.join_township(lg, join_card.read_card(card.path, card.code_word))
        laptops.append(lg)
    post = tmp_path / "post"
    post.mkdir()
    serials = [[500 + 100 * n] for n in range(len(laptops))]
    held: list = []  # packets late in the post
    fates = {"lost": 0, "late": 0, "twice": 0}
    for rnd_no in range(6):
        last = rnd_no >= 4  # the last two rounds: the post works
        for lg, serial, village in zip(laptops, serials, VILLAGES):
            if not last:
                _work(lg, rnd, serial, village)
            up = packets.write_packet(lg, 0, post).path
            down = packets.write_packet(town, stations.current(lg).number, post).path
            for path, to in ((up, town), (down, lg)):
                fate = rnd.random() if not last else 1.0
                if fate < 0.2:
                    fates["lost"] += 1
                    continue
                if fate < 0.35:
                    fates["late"] += 1
                    held.append((path, to))
                    continue
                assert packets.apply_packet(to, path).ok
                if fate < 0.5:
                    fates["twice"] += 1
                    assert packets.apply_packet(to, path).ok
        if held and (last or rnd.random() < 0.5):
            for path, to in rnd.sample(held, len(held)):
                packets.apply_packet(to, path)
            held.clear()
    assert all(fates.values()), fates  # the post did lose, delay and double packets
    at_town = {no: (fen, voided) for no, fen, voided in town.db.execute(
        "SELECT receipt_no, amount_fen, voided_at IS NOT NULL FROM payments")}
    mine = {}
    for lg in laptops:
        mine.update({no: (fen, voided) for no, fen, voided in lg.db.execute(
            "SELECT receipt_no, amount_fen, voided_at IS NOT NULL FROM payments")})
    assert at_town == mine
    assert own_totals(town) == {k: v for lg in laptops for k, v in own_totals(lg).items()}
    assert any(":" in no for no in at_town) and any(no.endswith("-2022-000004") for no in at_town)
    for lg in (town, *laptops):
        assert lg.check() == [], lg.path.name
        lg.close()
