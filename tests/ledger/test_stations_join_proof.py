"""A joined station's first signing key is proven by its join card (``app.sync.join_proof``): the township gave
the card (encrypted with its 12-digit 入站码) and keeps the card's secret, so the station's first packet is
taken without the phone check a stranger's key needs; a wrong proof is refused with nothing written, a key
without proof still needs the check, and a second laptop joining with the same card is refused."""

from __future__ import annotations

from join_helper import make_island, make_township

from app.ledger import join, join_card
from app.sync import join_proof, packets, signing


def _joined(tmp_path, name="a.db", card=None, town=None):
    town = town or make_township(tmp_path / "town.db")
    card = card or join_card.write_card(town, tmp_path, village="东风村")
    lg = make_island(tmp_path / name, "东风村", 100, households=1)
    join.join_township(lg, join_card.read_card(card.path, card.code_word))
    return town, lg, card


def _post(tmp_path, name="post"):
    post = tmp_path / name
    post.mkdir(exist_ok=True)
    return post


def _members(town):
    return town.db.execute("SELECT count(*) FROM members").fetchone()[0]


def test_the_first_key_of_a_station_joined_with_the_township_card_is_taken_without_a_phone_check(tmp_path):
    town, a, _card = _joined(tmp_path)
    assert join_proof.secret_for(town.db, 1) == join_proof.own_secret(a.db)  # never shown, both sides hold it
    path = packets.write_packet(a, 0, _post(tmp_path)).path
    seen = packets.preview_packet(town, path)
    assert seen.ok and seen.key_to_confirm == ""
    assert any("由入站文件证明" in n for n in seen.notes), seen.notes
    r = packets.apply_packet(town, path)  # no confirm_key
    assert r.ok, r.problems
    assert town.db.execute("SELECT public_key, how FROM station_keys WHERE number = 1").fetchone() == \
        (signing.own_public_key(a.db), "由入站文件证明")
    entry = next(e for e in town.audit.recent(50) if e.entity == "station" and e.action == "key")
    assert entry.after["how"] == "由入站文件证明"
    # once the township has applied its packet, the station stops sending the proof
    packets.apply_packet(a, packets.write_packet(town, 1, _post(tmp_path)).path)
    later = packets.write_packet(a, 0, _post(tmp_path)).path
    from app.sync import packet_file
    from app.sync.packets import _secret

    assert "join_proof" not in packet_file.read(later, _secret(a.db)).header
    assert packets.apply_packet(town, later).ok
    town.close()
    a.close()


def test_a_wrong_proof_is_refused_and_nothing_is_written(tmp_path):
    town, a, _card = _joined(tmp_path)
    before = _members(town)
    a.db.execute("UPDATE ledger_secret SET value = randomblob(32) WHERE name = 'join_secret'")
    path = packets.write_packet(a, 0, _post(tmp_path)).path
    r = packets.apply_packet(town, path, confirm_key=signing.fingerprint(signing.own_public_key(a.db)))
    assert not r.ok and "入站证明与本乡镇发给该站的入站文件不符" in r.problems[0].message
    assert _members(town) == before
    assert town.db.execute("SELECT count(*) FROM station_keys WHERE number = 1").fetchone()[0] == 0
    assert not packets.preview_packet(town, path).ok
    town.close()
    a.close()


def test_a_first_key_without_proof_still_needs_the_phone_check(tmp_path):
    town, a, _card = _joined(tmp_path)
    a.db.execute("DELETE FROM ledger_secret WHERE name = 'join_secret'")  # e.g. a ledger joined before the proof
    path = packets.write_packet(a, 0, _post(tmp_path)).path
    assert packets.preview_packet(town, path).key_to_confirm
    r = packets.apply_packet(town, path)
    assert not r.ok and "须先与该站电话核对指纹" in r.problems[0].message
    r = packets.apply_packet(town, path, confirm_key=signing.fingerprint(signing.own_public_key(a.db)))
    assert r.ok, r.problems
    assert town.db.execute("SELECT how FROM station_keys WHERE number = 1").fetchone()[0] == "交换包首次带来（已核对指纹）"
    town.close()
    a.close()


def test_a_second_laptop_joining_with_the_same_card_is_refused_once_the_first_key_is_on_record(tmp_path):
    town, a, card = _joined(tmp_path)
    _town, b, _ = _joined(tmp_path, "b.db", card=card, town=town)
    first = packets.write_packet(a, 0, _post(tmp_path)).path
    second = packets.write_packet(b, 0, _post(tmp_path, "post-b")).path
    assert packets.apply_packet(town, first).ok
    before = _members(town)
    r = packets.apply_packet(town, second)
    assert not r.ok and "不是站点 220112-001 登记的密钥" in r.problems[0].message
    assert _members(town) == before
    town.close()
    a.close()
    b.close()


def test_a_township_without_the_card_secret_falls_back_to_the_phone_check(tmp_path):
    """The township's ledger restored from before the card was written: the proof cannot be checked there, so the
    station's first key needs the phone check, as a stranger's does (never refused for good)."""
    town, a, _card = _joined(tmp_path)
    town.db.execute("DELETE FROM ledger_secret WHERE name = ?", [join_proof.secret_name(1)])
    path = packets.write_packet(a, 0, _post(tmp_path)).path
    r = packets.apply_packet(town, path)
    assert not r.ok and "须先与该站电话核对指纹" in r.problems[0].message
    assert packets.apply_packet(town, path, confirm_key=signing.fingerprint(signing.own_public_key(a.db))).ok
    town.close()
    a.close()

