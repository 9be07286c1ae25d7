"""A station's packet holding a clashing edit and, in a later outbox entry, the station's next edit of the same
field made after it took the township's version: the later edit is a plain change on top of the township's value
and is taken there — the township's choice in the clash holds for that clash only, not for the rest of the
packet. (Found by the year's-turn simulation: a new ledger resends several entries in one packet.)"""

from __future__ import annotations

from app.sync import conflicts, packets

from sync_township import make_township


def test_an_edit_made_after_the_clash_is_taken_in_the_same_packet(tmp_path):
    post = tmp_path / "post"
    post.mkdir()
    t, (v,) = make_township(tmp_path, ["东风村"])
    h = v.households.add(village="东风村", group="一组").id
    m = v.members.add(h, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
    assert packets.apply_packet(t, packets.write_packet(v, 0, post).path).ok
    assert packets.apply_packet(v, packets.write_packet(t, 1, post).path).ok
    v.members.update(m, notes="村里记A")
    packets.write_packet(v, 0, post)  # lost
    t.members.update(m, notes="乡镇记")
    assert packets.apply_packet(v, packets.write_packet(t, 1, post).path).ok  # the township decides: 乡镇记
    assert v.members.get(m).notes == "乡镇记"
    v.members.update(m, notes="村里记B")  # made on top of the township's version
    r = packets.apply_packet(t, packets.write_packet(v, 0, post).path)  # both entries: A (clash), then B
    assert r.ok and r.applied_entries == 2
    assert t.members.get(m).notes == v.members.get(m).notes == "村里记B"
    assert [c.kind for c in conflicts.list_conflicts(t)] == ["两处修改"]  # the clash over A is still listed
