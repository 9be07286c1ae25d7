"""What an import's checks need from the ledger, read as the file streams by: the villages and the policy's
category names once, the people of each chunk of rows just before the rows are checked (``PeopleLoader``), and
a payment list's rows planned by the ledger's own payment plan (``plan_payment_rows``). The rules themselves
(``import_rules``, ``roster_rules``) are pure and read only ``LedgerFacts``."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from ..domain.problems import Problem, ProblemsError
from .from_ledger import yuan
from .import_reader import ImportTable
from .import_rules import NO_CATEGORIES, LedgerFacts, PersonFacts, parse_id
from .import_vocab import category_table

PAYMENT_METHOD = "税务APP"


# -- facts from the ledger ------------------------------------------------------------------------------
CHUNK = 2000  # rows read, looked up and checked together: memory stays flat however long the list is


def ledger_facts(ledger, kind: str = "roster", operator: str | None = None,
                 value_map: Mapping[str, str] | None = None) -> LedgerFacts:
    """What the rules need that is not about one person; the people come chunk by chunk (``PeopleLoader``).
    ``value_map``: the user's own category names for this import (as written -> the policy's category);
    a target the policy does not know is refused (ProblemsError)."""
    villages = {v.name: frozenset(g.name for g in v.groups) for v in ledger.settings.villages()}
    try:
        policy = ledger.policy()
        aliases = dict(getattr(policy, "aliases", {}) or {})
        known = policy.category_names() if hasattr(policy, "category_names") else None
    except ProblemsError:
        aliases, known = {}, None
    names, sources = category_table(aliases, known, value_map)
    bad = [f"{k}={v}" for k, v in (value_map or {}).items() if v not in names.values() or names.get(v) != v]
    if bad:
        known_text = "、".join(dict.fromkeys(names.values()))
        raise ProblemsError([Problem(f"人员类别 {b}", f"「{b.split('=', 1)[1]}」不是本年度政策的人员类别（可用：{known_text}）")
                             for b in bad])
    planner = (lambda rows: plan_payment_rows(ledger, rows, operator)) if kind == "payment" else None
    return LedgerFacts(villages=villages, categories=names, people={}, plan_payments=planner,
                       alias_sources=sources)


def plan_payment_rows(ledger, rows, operator: str | None = None) -> list[tuple[list[tuple[str, str]], list[str]]]:
    """Each row's payment planned by ``payments.plan_many`` — the rules the window and the CLI use — as the
    commit will record it (method 税务APP, the file's date and amount). Per row: the plan's problems by the
    column they concern, and its warnings."""
    from ..ledger import PayLine
    from ..ledger.payment_plan import PlanRequest

    who = ledger.actor(operator) or "导入"  # the preview is not the commit: who imports is asked then
    requests = [PlanRequest(person.household_id, (PayLine(person.member_id, amount=amount),), PAYMENT_METHOD, day,
                            who) for person, amount, day in rows]
    out = []
    for plan in ledger.payments.plan_many(requests):
        problems = [(_plan_field(p), _plan_message(p)) for p in plan.problems]
        out.append((problems, [w for i in plan.items for w in i.warnings]))
    return out


OVERRIDE_ASKED = "；如确需办理，请填写变更原因"


def _plan_message(problem: Problem) -> str:
    """The plan's words; where the counter would ask for an override reason, an import cannot give one."""
    text = problem.message
    if text.endswith(OVERRIDE_ASKED):
        text = text[:-len(OVERRIDE_ASKED)] + "：导入的缴费不带变更原因，不能登记（如确需办理，请在缴费窗口逐人办理并填写原因）"
    return f"{problem.place}：{text}" if problem.place and problem.place not in ("缴费日期", "缴费方式") else text


def _plan_field(problem: Problem) -> str:
    if "缴费日期" in problem.place or "缴费日期" in problem.message:
        return "paid_on"
    if "参保状态" in problem.message or "重复缴费" in problem.message:
        return "id_number"
    return "amount"


class PeopleLoader:
    """Looks up the people of each chunk of rows just before they are checked: every ID cell is parsed once
    (the rules read the result from ``facts.parsed``), and only what the kind of list needs is fetched — one
    ``IN (…)`` query per 500 numbers, categories only for the rows that name one."""

    def __init__(self, ledger, kind: str, facts: LedgerFacts):
        self.ledger, self.kind, self.facts = ledger, kind, facts
        self.year = ledger.settings.get().year if kind == "payment" else None
        self._unnumbered: dict[tuple, dict] = {}
        if kind == "roster":
            facts.find_person = self.find_person

    def find_person(self, key: tuple | None, number: str | None, name: str, birth) -> PersonFacts | None:
        """Someone the chunk look-up does not cover: by another document's number, or — without a number — among
        the household's members that have none, by name and birth date (``key``: ("no", 户编号) or ("head",
        head's ID number)). Asked for the rare rows that need it; each household is read once."""
        db = self.ledger.db
        if number:
            if number not in self.facts.people:
                rows = db.execute("SELECT id_number, id, household_id, name, status, relation FROM members"
                                  " WHERE id_number = ?", [number]).fetchall()
                for _, mid, hid, nm, status, rel, twice in one_each(db, rows):
                    self.facts.people[number] = PersonFacts(mid, hid, nm, status, None, NO_CATEGORIES, rel, twice)
            return self.facts.people.get(number)
        if key is None:
            return None
        members = self._unnumbered.get(key)
        if members is None:
            where = ("h.number = ?" if key[0] == "no"
                     else "h.id = (SELECT household_id FROM members WHERE id_number = ?)")
            rows = db.execute("SELECT m.id, m.household_id, m.name, m.birth_date, m.status, m.relation FROM members m"
                              f" JOIN households h ON h.id = m.household_id WHERE {where} AND m.id_number IS NULL",
                              [key[1]]).fetchall()
            cats: dict[int, list[str]] = {}
            if rows:
                ids = [r[0] for r in rows]
                for mid, cat in db.execute("SELECT member_id, category FROM member_categories WHERE ended_on IS NULL"
                                           f" AND member_id IN ({', '.join('?' * len(ids))})", ids):
                    cats.setdefault(mid, []).append(cat)
            members = self._unnumbered[key] = {
                (nm, born): PersonFacts(mid, hid, nm, status, None, frozenset(cats.get(mid, ())), rel)
                for mid, hid, nm, born, status, rel in rows}
        return members.get((name, birth.isoformat() if birth else None))

    def rows(self, table: ImportTable):
        id_cols = [table.columns[f] for f in ("id_number", "household_head_id") if f in table.columns]
        no_col = table.columns.get("household_no") if self.kind == "roster" else None
        cat_col = table.columns.get("category") if self.kind == "roster" else None
        for chunk in _batched(table.iter_rows(), CHUNK):
            self._load(chunk, id_cols, no_col, cat_col)
            yield from chunk

    def _load(self, chunk, id_cols, no_col, cat_col) -> None:
        facts = self.facts
        parsed: dict[str, tuple[str | None, str]] = {}
        wanted: set[str] = set()
        with_categories: set[str] = set()
        numbers: set[str] = set()
        people, heads = facts.people, facts.heads
        for r in chunk:
            cells = r.cells
            width = len(cells)
            for idx in id_cols:
                cell = cells[idx] if idx < width else None
                if type(cell) is str and cell:
                    hit = parsed.get(cell)
                    if hit is None:
                        hit = parsed[cell] = parse_id(cell)
                    number = hit[0]
                    if number and number not in people:
                        wanted.add(number)
                        if cat_col is not None and cat_col < width and cells[cat_col] not in (None, "") \
                                and idx == id_cols[0]:
                            with_categories.add(number)
            if no_col is not None and no_col < width and (no := cells[no_col]) not in (None, ""):
                no = str(int(no)) if isinstance(no, float) and no.is_integer() else str(no).strip()
                if no not in heads:
                    numbers.add(no)
        facts.parsed = parsed  # the previous chunk's are dropped
        if wanted:
            self._people(sorted(wanted), with_categories)
        if numbers:
            self._heads(sorted(numbers))

    def _people(self, ids: list[str], with_categories: set[str]) -> None:
        db, people = self.ledger.db, self.facts.people
        kind = self.kind
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            if kind == "payment":
                sql = ("SELECT m.id_number, m.id, m.household_id, m.name, m.status, m.relation,"
                       " (SELECT sum(s.amount_fen) FROM standing_items s WHERE s.member_id = m.id AND s.year = ?)"
                       " FROM members m WHERE m.id_number IN (" + marks + ")")
                for number, mid, hid, name, status, rel, paid_fen, twice in one_each(
                        db, db.execute(sql, [self.year, *chunk]).fetchall()):
                    people[number] = PersonFacts(mid, hid, name, status, yuan(paid_fen), relation=rel, twice=twice)
                continue
            sql = ("SELECT m.id_number, m.id, m.household_id, m.name, m.status, m.relation FROM members m"
                   " WHERE m.id_number IN (" + marks + ")")
            found = one_each(db, db.execute(sql, chunk).fetchall())
            cats: dict[int, list[str]] = {}
            need = [mid for number, mid, *_ in found if kind == "category" or number in with_categories]
            if need:
                sql = ("SELECT member_id, category FROM member_categories WHERE ended_on IS NULL AND member_id IN ("
                       + ", ".join("?" * len(need)) + ")")
                for mid, cat in db.execute(sql, need):
                    cats.setdefault(mid, []).append(cat)
            for number, mid, hid, name, status, rel, twice in found:
                c = cats.get(mid)
                people[number] = PersonFacts(mid, hid, name, status, None,
                                             frozenset(c) if c else NO_CATEGORIES, rel, twice)

    def _heads(self, numbers: list[str]) -> None:
        heads = self.facts.heads
        for start in range(0, len(numbers), 500):
            chunk = numbers[start:start + 500]
            sql = ("SELECT h.number, EXISTS (SELECT 1 FROM members m WHERE m.household_id = h.id AND m.relation = '户主')"
                   " FROM households h WHERE h.number IN (" + ", ".join("?" * len(chunk)) + ")")
            heads.update({n: bool(has) for n, has in self.ledger.db.execute(sql, chunk)})


def one_each(db, rows: list[tuple]) -> list[tuple]:
    """Rows of members found by ID number (the number first, the member id second) -> one row per number, with
    ``twice`` appended: a number two members hold (the same person enrolled at two stations, 重复参保) gives the
    one a 专干 kept (``duplicates.keep``), else its first row marked ``twice`` — the rules refuse that row
    (``duplicate_match.TWO_HOLDERS``) rather than let an import pick one of them."""
    by_number: dict[str, list[tuple]] = {}
    for r in rows:
        by_number.setdefault(r[0], []).append(r)
    if all(len(v) == 1 for v in by_number.values()):
        return [(*r, False) for r in rows]
    from ..ledger.duplicates import standing_holder

    out = []
    for group in by_number.values():
        if len(group) == 1:
            out.append((*group[0], False))
            continue
        kept = standing_holder(db, [r[1] for r in group])
        out.append((*next(r for r in group if r[1] == kept), False) if kept is not None else (*group[0], True))
    return out


def _batched(rows, n: int):
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, n)):
        yield chunk
