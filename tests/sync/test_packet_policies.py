"""Policy files carried in the township's packets: the station's preview lists them, applying checks and installs
a passing one where ``policy add`` would, never replaces a different file with the same id (listed as a
conflict), and the station's ledger follows the township's policy (audited)."""

from __future__ import annotations

import json

import pytest

from app import policy_catalog
from app.paths import policies_dir
from app.sync import packets

from sync_township import make_township


def _user_policy(folder, new_id: str, name: str) -> None:
    """A copy of the shipped 长春 2025 policy under a new id (what a township adds with ``policy add``)."""
    text = (policies_dir() / "changchun-2025.toml").read_text(encoding="utf-8")
    text = text.replace('id = "changchun-2025"', f'id = "{new_id}"', 1)
    text = text.replace('name = "长春市2025年度城乡居民基本医疗保险"', f'name = "{name}"', 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{new_id}.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def folders(tmp_path, monkeypatch):
    town_dir, station_dir = tmp_path / "town-policies", tmp_path / "station-policies"

    def use(folder):
        monkeypatch.setenv("CANBAO_USER_POLICIES", str(folder))
        monkeypatch.delenv("CANBAO_POLICY_DIRS", raising=False)
        policy_catalog.reload()

    yield town_dir, station_dir, use
    policy_catalog.reload()


def test_the_township_sends_its_policy_files_and_the_station_follows(tmp_path, folders):
    town_dir, station_dir, use = folders
    use(town_dir)
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post = tmp_path / "post"
    post.mkdir()
    try:
        _user_policy(town_dir, "changchun-2025-b", "长春市2025年度（乡镇修订）")
        _user_policy(town_dir, "changchun-2025-c", "长春市2025年度（乡镇另一份）")
        policy_catalog.reload()
        township.settings.update(policy_id="changchun-2025-b")
        down = packets.write_packet(township, 1, post)
        # the station's laptop: its own policy folder, holding another file under the id changchun-2025-c
        use(station_dir)
        _user_policy(station_dir, "changchun-2025-c", "村里自己的另一份")
        theirs = (station_dir / "changchun-2025-c.toml").read_bytes()
        policy_catalog.reload()
        pv = packets.preview_packet(v1, down.path)
        assert pv.ok, pv.problems
        lines = "\n".join(pv.policies)
        assert "政策 changchun-2025-b（长春市2025年度（乡镇修订））：检查无问题，将加入" in lines
        assert "政策 changchun-2025-c" in lines and "冲突" in lines and "未替换" in lines
        assert "本台账将由 changchun-2025 改为 changchun-2025-b" in lines
        assert "changchun-2025：" not in lines  # the shipped file the township no longer uses is not sent
        assert not (station_dir / "changchun-2025-b.toml").exists()  # a preview installs nothing
        assert v1.settings.get().policy_id == "changchun-2025"
        r = packets.apply_packet(v1, down.path)
        assert r.ok, r.problems
        assert (station_dir / "changchun-2025-b.toml").read_bytes() == (town_dir / "changchun-2025-b.toml").read_bytes()
        assert (station_dir / "changchun-2025-c.toml").read_bytes() == theirs  # never replaced
        assert policy_catalog.get_policy("changchun-2025-b").name == "长春市2025年度（乡镇修订）"
        assert v1.settings.get().policy_id == "changchun-2025-b"
        assert any("已随乡镇由 changchun-2025 改为 changchun-2025-b" in n for n in r.notes)
        after = [json.loads(a) for (a,) in v1.db.execute(
            "SELECT after FROM audit WHERE entity = 'settings' AND action = 'update' ORDER BY id")]
        assert after and after[-1]["policy_id"] == "changchun-2025-b"
        # the next packet brings the same files: nothing more to do
        again = packets.preview_packet(v1, packets.write_packet(township, 1, post).path)
        assert "本机已有，相同" in "\n".join(again.policies) and "改为" not in "\n".join(again.policies)
    finally:
        township.close()
        v1.close()


def test_a_shipped_file_is_never_overwritten_and_a_station_without_the_policy_stays(tmp_path, folders):
    town_dir, station_dir, use = folders
    use(town_dir)
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post = tmp_path / "post"
    post.mkdir()
    try:
        down = packets.write_packet(township, 1, post)
        use(station_dir)
        pv = packets.preview_packet(v1, down.path)
        assert pv.ok and pv.policies == ("政策 changchun-2025（长春市2025年度城乡居民基本医疗保险）：本机已有，相同",)
        # a township's packet whose shipped policy differs from this laptop's (another program version)
        from app.sync import packet_file

        secret = packets._secret(township.db)
        pf = packet_file.read(down.path, secret)
        changed = pf.policies[0][1].replace("长春市2025年度城乡居民基本医疗保险".encode(), "改过的".encode(), 1)
        header = {k: v for k, v in pf.header.items()
                  if k not in ("sig", "entries", "format", "version", "from_key", "ed25519", "policies")}
        from app.sync import signing

        odd = post / "odd.canbao-packet"
        broken = ({"id": "broken-2025", "title": "坏文件"}, '[policy]\nid = "broken-2025"\nyear = "明年"\n'.encode())
        data = packet_file.build(secret, {**header, "packet_no": 5}, pf.entries, signing.own_seed(township.db),
                                 [(pf.policies[0][0], changed), broken])
        packet_file.save(odd, data)
        pv = packets.preview_packet(v1, odd)
        bad = next(x for x in pv.policies if "broken-2025" in x)
        assert "未通过政策检查，不加入" in bad and f"{odd}:policies/broken-2025.toml" in bad
        r = packets.apply_packet(v1, odd)
        assert r.ok and "内置的同编号政策文件内容不同，未覆盖" in "\n".join(r.policies)
        assert "broken-2025" not in policy_catalog.catalog()[0]
        assert (policies_dir() / "changchun-2025.toml").read_bytes() == pf.policies[0][1]
        assert not station_dir.exists() or not list(station_dir.glob("*.toml"))  # nothing installed
    finally:
        township.close()
        v1.close()


def test_a_station_that_already_took_payments_keeps_its_policy_and_says_why(tmp_path, folders):
    from app.ledger import PayLine

    town_dir, station_dir, use = folders
    use(town_dir)
    township, (v1,) = make_township(tmp_path, ["东风村"])
    post = tmp_path / "post"
    post.mkdir()
    try:
        h = v1.households.add(village="东风村", group="一组").id
        m = v1.members.add(h, name="张三", id_type="无", birth_date="1960-05-01", sex="男", relation="户主").id
        v1.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08")
        _user_policy(town_dir, "changchun-2025-b", "长春市2025年度（乡镇修订）")
        policy_catalog.reload()
        township.settings.update(policy_id="changchun-2025-b")
        down = packets.write_packet(township, 1, post)
        pv = packets.preview_packet(v1, down.path)  # same laptop folder: the policy is already here
        assert pv.ok and any("本台账不能改用（本年度已有 1 笔缴费，不能更换政策）" in x for x in pv.policies)
        r = packets.apply_packet(v1, down.path)
        assert r.ok and any("未能随乡镇改用政策 changchun-2025-b" in n for n in r.notes)
        assert v1.settings.get().policy_id == "changchun-2025"
    finally:
        township.close()
        v1.close()
