"""Writing checked rows through the ledger's own services (so its rules apply once more), inside the
transaction ``imports.commit`` opens. Each writer takes (ledger, row, state, operator); ``state`` carries the
households made so far, the import date and the file name."""

from __future__ import annotations

from ..domain.problems import Problem, ProblemsError
from ..domain.vocabulary import Status
from .import_vocab import HEAD


def create_places(ledger, new_places: dict[str, set[str]]) -> int:
    """The villages and groups the user confirmed; returns how many were created."""
    s = ledger.settings
    made = 0
    for village in sorted(new_places):
        if s.village_id(village) is None:
            kind = "社区" if village.endswith("社区") or village.endswith("居委会") else "村"
            s.add_village(village, kind, sorted(new_places[village]))
            made += 1 + len(new_places[village])
            continue
        for group in sorted(new_places[village]):
            if s.group_id(s.village_id(village), group) is None:
                s.add_group(village, group)
                made += 1
    return made


def _source(state: dict) -> str:
    return f"导入自 {state['file']}"


def _add_categories(ledger, member_id: int, cats, state: dict, operator: str | None) -> None:
    for name, dept, day in cats:  # no date in the file: the import date; "-" (the ledger had none): none
        day = None if day == "-" else (day or state["today"])
        ledger.categories.add(member_id, name, department=dept or "", recognized_on=day,
                              notes=_source(state), operator=operator)


def _household(ledger, row, state: dict, operator: str | None) -> int:
    v = row.values
    key = v["household_key"]
    households: dict = state.setdefault("households", {})
    hid = households.get(key)
    if hid is not None:
        return hid
    if key[0] == "no":
        existing = ledger.households.by_number(key[1])
        hid = existing.id if existing else None
    else:
        head = ledger.members.by_id_number(key[1])
        hid = head.household_id if head else None
    if hid is None:
        hid = ledger.households.add(village=v["village"], group=v.get("group") or "",
                                    number=key[1] if key[0] == "no" else _next_number(ledger, state),
                                    phone=v.get("phone") if v.get("relation") == HEAD else "",
                                    notes=_source(state), operator=operator).id
    households[key] = hid
    return hid


def _next_number(ledger, state: dict) -> str:
    """The next free 户编号 (six digits, as the ledger numbers households), counted here: asking the ledger for
    the maximum once per new household scans every household each time."""
    if "next_no" not in state:
        row = ledger.db.execute(
            "SELECT max(CAST(number AS INTEGER)) FROM households WHERE number GLOB '[0-9]*'").fetchone()
        state["next_no"] = (row[0] or 0) + 1
    while True:
        number = f"{state['next_no']:06d}"
        state["next_no"] += 1
        if ledger.households.by_number(number) is None:
            return number


def write_roster(ledger, row, state: dict, operator: str | None) -> None:
    v = row.values
    if row.action == "category":
        _add_categories(ledger, row.person.member_id, v["categories"], state, operator)
        return
    if v.get("household_key") is None:
        raise ProblemsError([Problem("户", "找不到这个人所在的户")])
    hid = _household(ledger, row, state, operator)
    mid = ledger.members.add(hid, name=v["name"], id_type=v.get("id_type") or "居民身份证", id_number=v["id_number"],
                             birth_date=v.get("birth_date"), sex=v.get("sex") or "",
                             ethnicity=v.get("ethnicity") or "", relation=v.get("relation") or "",
                             phone=v.get("phone") or "", student=bool(v.get("school")), school=v.get("school") or "",
                             status=v.get("status") or Status.ENROLLED, status_detail=v.get("status_detail") or "",
                             status_date=v.get("status_date"), notes=v.get("note") or "", operator=operator).id
    _add_categories(ledger, mid, v.get("categories") or (), state, operator)


def write_category(ledger, row, state: dict, operator: str | None) -> None:
    v = row.values
    cats = [(c, v.get("department") or "", v.get("recognized_on")) for c in v["categories"]]
    _add_categories(ledger, row.person.member_id, cats, state, operator)


def write_payment(ledger, row, state: dict, operator: str | None) -> None:
    from ..ledger import PayLine

    v = row.values
    ledger.payments.record(row.person.household_id, [PayLine(row.person.member_id, amount=v["amount"])],
                           method="税务APP", paid_on=v["paid_on"], operator=operator,
                           notes=f"税务缴费确认，{_source(state)}")


def write_status(ledger, row, state: dict, operator: str | None) -> None:
    v = row.values
    ledger.members.set_status(row.person.member_id, v["status"], detail=v.get("status_detail") or "",
                              on=v.get("status_date"), operator=operator)


WRITERS = {"roster": write_roster, "category": write_category, "payment": write_payment, "status": write_status}
