"""An import row whose ID number two members hold (the same person enrolled at two stations, 重复参保, both in the
township's ledger) is refused with its sheet:row — never matched to one of them for money — until a 专干
decides which enrolment stands; then it matches the kept one."""

from __future__ import annotations

import pytest

from app.domain.duplicate_match import TWO_HOLDERS
from app.domain.problems import ProblemsError
from app.exchange.imports import preview
from app.ledger import duplicates
from app.ledger.ids import BLOCK

from exchange_helpers import build_ledger, make_id, write_xlsx

HEAD3 = make_id("19700101", 61)  # 赵一 (红旗村), unpaid


@pytest.fixture()
def ledger(tmp_path):
    lg, people = build_ledger(tmp_path / "t.db")
    lg.people = people
    yield lg
    lg.close()


def _from_another_station(lg, member_id: int, station: int = 5) -> int:
    """The same person as a packet from station ``station`` brings them: a household and member in its block."""
    hid, mid = station * BLOCK + 1, station * BLOCK + 2
    with lg.transaction() as db:
        db.execute("INSERT INTO households (id, number, village_id, created_at, updated_at)"
                   " SELECT ?, '005000001', id, 'x', 'x' FROM villages WHERE name = '东风村'", [hid])
        db.execute("INSERT INTO members (id, household_id, name, name_initials, id_type, id_number, id_rev, sex,"
                   " birth_date, relation, created_at, updated_at) SELECT ?, ?, name, name_initials, id_type,"
                   " id_number, id_rev, sex, birth_date, '户主', 'x', 'x' FROM members WHERE id = ?",
                   [mid, hid, member_id])
    return mid


def test_a_payment_row_for_two_holders_is_a_problem_with_its_place(ledger, tmp_path):
    copy = _from_another_station(ledger, ledger.people["head3"])
    path = write_xlsx(tmp_path / "税务.xlsx", [["证件号码", "姓名", "缴费金额", "缴费日期"],
                                               [HEAD3, "赵一", 410, "2024-10-11"]])
    pv = preview(ledger, path, "payment")
    assert [str(p) for p in pv.problems] == [f"税务.xlsx Sheet1:第2行:证件号码（A列）: {TWO_HOLDERS}"]
    assert pv.to_write == []
    # the writers' own look-up refuses too, naming both places
    with pytest.raises(ProblemsError, match="005000001"):
        ledger.members.by_id_number(HEAD3)
    # a 专干 keeps one enrolment: the row now matches that one
    duplicates.keep(ledger, ledger.people["head3"], copy, "户籍在红旗村")
    pv = preview(ledger, path, "payment")
    assert pv.problems == [] and [r.person.member_id for r in pv.to_write] == [ledger.people["head3"]]


def test_roster_rows_of_two_holders_and_of_their_household_are_refused(ledger, tmp_path):
    _from_another_station(ledger, ledger.people["head3"])
    path = write_xlsx(tmp_path / "花名册.xlsx", [
        ["村", "组", "户主身份证号", "姓名", "身份证号码", "与户主关系"],
        ["红旗村", "一组", HEAD3, "赵一", HEAD3, "户主"],
        ["红旗村", "一组", HEAD3, "赵小一", make_id("20200101", 93), "子"],
    ])
    pv = preview(ledger, path, "roster")
    assert [str(p) for p in pv.problems] == [
        f"花名册.xlsx Sheet1:第2行:身份证号码（E列）: {TWO_HOLDERS}",
        "花名册.xlsx Sheet1:第3行:户主身份证号（C列）: 户主身份证号在台账中有两人（重复参保，请先在重复参保清单中处理）"]
    assert pv.to_write == []
