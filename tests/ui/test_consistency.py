"""One truth per concept: on a demo ledger of every policy — with payments, voids, refunds and every status —
the lists (按人, 按户), the household pane, the village tree, the dashboard, the exports, the notices and the
dues agree with the read model (app.ledger.member_year) member by member and in every total."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict

import pytest

from app.domain.vocabulary import PayState, Status
from app.exchange.from_ledger import ledger_rows, progress_rows, unpaid_rows
from app.ledger import member_year as my
from app.ledger import open_ledger
from app.ledger.demo import build_demo_ledger
from app.ledger.dues import default_paid_on
from app.ledger.models import now_iso
from app.paper.from_ledger import Selection, notices
from app.ui import queries
from app.ui.dashboard import key_categories, load_dashboard
from app.ui.household_model import HouseholdListModel, MemberListModel
from app.ui.household_view import member_rows, summary_text
from app.ui.village_tree import VillageTree

POLICIES = ("changchun-2022", "changchun-2025", "jilin-2024", "shuangqing-2025", "tunliu-2025")


def _stir(lg, seed: int) -> None:
    """Voids, refunds and every status on top of the demo's payments."""
    rng = random.Random(seed)
    db = lg.db
    pids = [r[0] for r in db.execute("SELECT id FROM payments ORDER BY id")]
    for pid in rng.sample(pids, min(8, len(pids))):
        lg.payments.void(pid, "收错人")
    items = [(i, p) for i, p in db.execute(
        f"SELECT id, payment_id FROM {my.STANDING_VIEW} ORDER BY id")]
    with lg.transaction():  # refunds as a bulk writer would store them: the read model must not care how
        for item_id, _pid in rng.sample(items, min(8, len(items))):
            fen = db.execute("SELECT amount_fen FROM payment_items WHERE id = ?", [item_id]).fetchone()[0]
            db.execute("INSERT INTO refunds (payment_item_id, amount_fen, reason, refunded_on, operator, clause,"
                       " created_at) VALUES (?, ?, '重复缴费', '2024-10-10', '测试', '测试', ?)",
                       [item_id, fen, now_iso()])
    members = [r[0] for r in db.execute("SELECT id FROM members ORDER BY id")]
    chosen = rng.sample(members, 3 * len(Status))
    for n, status in enumerate(list(Status) * 3):
        mid = chosen[n]
        m = lg.members.get(mid)
        on = max(m.birth_date, dt.date(2024, 9, 1)) if status == Status.DEAD else None
        lg.members.set_status(mid, status, detail="吉林市" if status == Status.ELSEWHERE else "", on=on)


@pytest.fixture(scope="module", params=POLICIES)
def demo(request, tmp_path_factory):
    path = tmp_path_factory.mktemp(request.param) / "demo.canbao.db"
    build_demo_ledger(path, people=300, seed=3, policy_id=request.param)
    lg = open_ledger(path, backup=False, operator="测试")
    _stir(lg, seed=len(request.param))
    yield lg
    lg.close()


def _all_rows(model) -> list:
    while model.canFetchMore():
        model.fetchMore()
    return model._rows


def test_every_view_agrees_with_the_read_model(qtbot, demo):
    lg = demo
    year = lg.settings.get().year
    policy = lg.policy()
    day = default_paid_on(policy)
    truth = {s.member_id: s for s in my.standings(lg, day=day)}
    assert {s.state for s in truth.values()} == set(PayState)
    by_household: dict[int, list[my.MemberStanding]] = defaultdict(list)
    for s in truth.values():
        by_household[s.household_id].append(s)
    total = my.household_progress(list(truth.values()))

    # 按人 list: the pay column of every member, and the pay filter's counts
    conn = lg.db.conn
    model = MemberListModel(lambda: conn, year)
    rows = _all_rows(model)
    assert len(rows) == len(truth)
    pay_col = model.columns.index("缴费")
    for r, row in enumerate(rows):
        s = truth[row["id"]]
        text = model.data(model.index(r, pay_col))
        assert text.split(" ")[0] == s.state.label, (row["name"], text, s)
        if s.state is PayState.PAID:
            assert text == f"已缴 {s.paid}"
    for key, state in (("paid", PayState.PAID), ("unpaid", PayState.UNPAID), ("not_required", PayState.NOT_REQUIRED)):
        f = queries.MemberFilter(year=year, pay=key)
        assert queries.member_count(conn, f) == sum(1 for s in truth.values() if s.state is state), key

    # 按户 list: counts and state of every household
    hmodel = HouseholdListModel(lambda: conn, year)
    hrows = _all_rows(hmodel)
    state_col = hmodel.columns.index("缴费状态")
    for r, row in enumerate(hrows):
        p = my.household_progress(by_household[row["id"]])
        assert (row["required"], row["paid"]) == (p.required, p.paid), row["number"]
        assert hmodel.data(hmodel.index(r, state_col)) == my.household_state(p.required, p.paid).label

    # household pane: member by member, and its summary says what the list says
    for hid in sorted(by_household)[:60]:
        pane = member_rows(lg, hid, day)
        for mr in pane:
            s = truth[mr.member.id]
            assert (mr.state, mr.due, mr.paid) == (s.state, s.due, s.paid), mr.member.name
        unpaid = sum(1 for mr in pane if mr.state is PayState.UNPAID)
        assert (unpaid == 0) == ("没有待缴人员" in summary_text(pane, day))

    # village tree and dashboard
    tree = VillageTree(lg)
    qtbot.addWidget(tree)
    by_group = queries.progress_by_group(conn, year)
    tree.show_progress(by_group)
    assert tree.items[(None, None)].text(1) == total.percent
    assert tree.progress[(None, None)] == total
    villages = lg.settings.get().villages
    village_of = {h: v for h, v in conn.execute("SELECT id, village_id FROM households")}
    per_village: dict[int, my.Progress] = defaultdict(lambda: my.NO_PROGRESS)
    for hid, rows_ in by_household.items():
        per_village[village_of[hid]] += my.household_progress(rows_)
    for v in villages:
        assert tree.progress.get((v.id, None), my.NO_PROGRESS) == per_village[v.id], v.name
    data = load_dashboard(lg.path, year, key_categories(policy))
    assert data.total == total and data.total.text() == total.text()
    assert dict(data.villages) == {v.name: per_village[v.id] for v in villages}
    paid_fen = sum(fen for _, _, fen in data.per_day)
    assert paid_fen == sum(int(s.paid * 100) for s in truth.values())

    # exports: the ledger sheet member by member, the unpaid list, the progress totals
    order = [r[0] for r in conn.execute("SELECT m.id FROM households h JOIN members m ON m.household_id = h.id"
                                        " ORDER BY h.village_id, h.group_id, h.id, m.id")]
    exported = list(ledger_rows(lg))
    assert len(exported) == len(order)
    for mid, row in zip(order, exported):
        s = truth[mid]
        assert (row["status"] == "已缴费") == (s.state is PayState.PAID), row["name"]
        assert (row["personal_amount"] or 0) == s.paid
    names = {mid: (r[0], r[1]) for mid, *r in conn.execute("SELECT id, name, id_number FROM members")}
    assert Counter((r["name"], r["id_number"]) for r in unpaid_rows(lg)) == Counter(
        names[mid] for mid, s in truth.items() if s.state is not PayState.PAID)
    progress = {(r["village"], r["group"]): r for r in progress_rows(lg)}
    assert (progress[("总计", "")]["paid"], progress[("总计", "")]["required"]) == (total.paid, total.required)
    assert progress[("总计", "")]["rate"] == total.rate
    for v in villages:
        if (v.name, "合计") in progress:
            row = progress[(v.name, "合计")]
            assert (row["paid"], row["required"]) == (per_village[v.id].paid, per_village[v.id].required)

    # notices: every household with a member who owes, those members with the read model's amounts
    printed = notices(lg, Selection(), today=day)
    owing = {lg.households.get(hid).number for hid, rows_ in by_household.items() if any(s.owes for s in rows_)}
    assert {n.household_number for n in printed} >= owing
    for n in printed:
        hid = lg.households.find(n.household_number).id
        members = lg.members.of_household(hid)
        assert len(n.members) == len(members)
        for m, line in zip(members, n.members):
            s = truth[m.id]
            if line.counted:
                assert s.owes and line.due == s.due, (m.name, line, s)
            else:
                assert not s.owes or s.due is None

    # dues: the same totals
    dues = lg.dues(paid_on=day)
    assert (dues.required, dues.paid_members) == (total.required, total.paid)
    assert dues.paid_total == sum((s.paid for s in truth.values()), dues.paid_total * 0)
    assert dues.due_total == sum((s.due for s in truth.values() if s.due is not None), dues.paid_total * 0)
