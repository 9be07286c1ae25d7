"""Round trip: a demo ledger exported as 户籍名单 and imported into an empty ledger (villages and groups created
from the file) compares equal: households, members, categories and statuses."""

from __future__ import annotations

from app.exchange.exports import export_one
from app.exchange.imports import commit, preview
from app.ledger import open_ledger
from app.ledger.demo import build_demo_ledger


def _households(lg):
    return sorted(lg.db.execute(
        "SELECT h.number, v.name, coalesce(g.name, ''), count(m.id),"
        " coalesce((SELECT id_number FROM members WHERE household_id = h.id AND relation = '户主'), '')"
        " FROM households h JOIN villages v ON v.id = h.village_id LEFT JOIN village_groups g ON g.id = h.group_id"
        " LEFT JOIN members m ON m.household_id = h.id GROUP BY h.id"))


def _members(lg):
    return sorted(lg.db.execute(
        "SELECT coalesce(m.id_number, m.name), m.name, m.sex, m.birth_date, m.ethnicity, m.relation, m.phone, m.school, h.number"
        " FROM members m JOIN households h ON h.id = m.household_id"))


def _statuses(lg):
    return sorted(lg.db.execute(
        "SELECT coalesce(id_number, name), status, coalesce(status_date, ''), status_detail FROM members"))


def _categories(lg):
    return sorted(lg.db.execute(
        "SELECT coalesce(m.id_number, m.name), c.category, c.department, coalesce(c.recognized_on, '')"
        " FROM member_categories c JOIN members m ON m.id = c.member_id WHERE c.ended_on IS NULL"))


def test_export_then_import_into_an_empty_ledger_compares_equal(tmp_path):
    src = tmp_path / "demo.db"
    build_demo_ledger(src, people=400, seed=7)
    out = tmp_path / "户籍名单.xlsx"
    with open_ledger(src, backup=False) as lg:
        s = lg.settings.get()
        export_one(lg, "roster", out)
        want = (_households(lg), _members(lg), _statuses(lg), _categories(lg))
    assert len(want[3]) > 20 and any(st[1] != "本地参保" for st in want[2])  # the demo has both

    fresh = open_ledger(tmp_path / "fresh.db", create=True, backup=False, operator="测试员")
    fresh.settings.initialize(township=s.township, year=s.year, policy_id=s.policy_id, operators=["测试员"],
                              villages={})
    pv = preview(fresh, out, "roster")
    assert pv.problems == [] and pv.notices == []
    assert set(pv.new_places) == {v.name for v in s.villages}
    commit(fresh, pv, create_places=True)
    got = (_households(fresh), _members(fresh), _statuses(fresh), _categories(fresh))
    again = preview(fresh, out, "roster")  # the same file once more: everyone found, nobody added twice
    no_id = sum(1 for m in want[1] if not m[0].isdigit() and not m[0][:17].isdigit())
    assert again.problems == [] and again.to_write == [] and len(again.check.same) == again.row_count
    assert no_id > 0  # the demo has people without an ID number: found by household, name and birth date
    fresh.close()
    for name, g, w in zip(("households", "members", "statuses", "categories"), got, want):
        assert g == w, name
