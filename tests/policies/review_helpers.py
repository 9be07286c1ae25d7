"""Helpers for the reviewer's document-first tests (tests/policies/test_review_*.py).

Every expected number in those files was written from the seed documents in /work/shared/seeds/ before the
code was read; these helpers only shorten the calls to the public interfaces: ``canbao quote --json`` (run
in-process), ``app.domain.quote.quote``, ``app.domain.claim.claim_after_recognition``,
``app.domain.refund.refund_decision`` and a small ledger.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from decimal import Decimal

from app.domain.claim import claim_after_recognition
from app.domain.quote_model import QuoteRequest
from app.domain.refund import refund_decision
from app.policy_catalog import get_policy
from policy_quotes import ask

D = dt.date
M = Decimal


def cli_quote(*args: str) -> dict:
    """``canbao quote … --json`` through the CLI's own entry point; returns the parsed JSON."""
    from app.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(["quote", *args, "--json"])
    assert rc == 0, out.getvalue()
    return json.loads(out.getvalue())


def claim(pid: str, birth: dt.date, paid_on: dt.date, category: str, recognized_on: dt.date, *,
          student: bool = False, area: str = "", addons=()):
    """Pay in full (no category) on ``paid_on``; ``category`` recognised on ``recognized_on``."""
    paid = ask(pid, birth, paid_on, (), addons=addons, student=student, area=area)
    req = QuoteRequest(birth_date=birth, paid_on=paid_on, addons=tuple(addons), student=student, area_kind=area)
    return paid, claim_after_recognition(get_policy(pid), req, paid, category, recognized_on)


def refund(pid: str, reason: str, refund_on: dt.date, benefit_start: dt.date | None, waiting_days: int | None,
           note: str = ""):
    return refund_decision(get_policy(pid), reason=reason, refund_on=refund_on,
                           member_benefit_start=benefit_start, waiting_days=waiting_days, note=note)


def new_ledger(path, policy_id: str, year: int, area_kind: str = ""):
    from tests.ledger.conftest import _init

    return _init(path, policy_id, year, area_kind)


def ledger_member(lg, birth: str, id_number: str):
    h = lg.households.add(village="东风村", group="一组").id
    return h, lg.members.add(h, name="张三", id_number=id_number, relation="户主").id


def make_id(birth: str, seq: int = 123) -> str:
    from stdnum.cn import ric

    body = "220102" + birth + f"{seq:03d}"
    return body + ric.calc_check_digit(body + "0")
