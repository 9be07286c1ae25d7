"""Printing speed: 1,000 household payment notices in one PDF (target ≤ 20 s). Not a timed test.

    .venv/bin/python bench/paper_bench.py [--households 1000] [--ledger-people 3000] [--keep DIR]

1. ``render``  — the notice renderer alone: 1,000 households of 1–5 members (names include rare
   characters from CJK Extension A and B, so the fallback fonts are in play), amounts from the real policy
   engine (changchun-2025), one PDF. Reports seconds, pages, file size.
2. ``ledger``  — ``canbao print notices`` end to end on a generated demo ledger (``canbao demo``) of
   ``--ledger-people`` people: reading households and quoting every unpaid member, then rendering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stdnum.cn import ric  # noqa: E402

from app.domain.quote import quote  # noqa: E402
from app.domain.quote_model import CategoryFact, QuoteRequest  # noqa: E402
from app.paper.model import Notice, benefit_text, household_total, member_from_quote, notice_title  # noqa: E402
from app.paper.notice import render_notices  # noqa: E402
from app.policy_catalog import get_policy  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
RARE = ["\U0002020C", "\u4dae", "\u9fcf", "\U00020BB7"]  # 𠈌 䶮 鿏 𠮷
CATEGORIES = ["", "", "", "", "", "低保对象", "特困人员", "返贫致贫人口"]
RELATIONS = ["户主", "配偶", "子", "女", "父母"]


def _id(birth: dt.date, seq: int) -> str:
    body = f"220102{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_notices(count: int, seed: int = 7) -> list[Notice]:
    policy = get_policy("changchun-2025")
    rnd = random.Random(seed)
    paid_on = dt.date(2024, 11, 15)
    quotes: dict = {}
    out = []
    for h in range(count):
        members = []
        for k in range(rnd.randint(1, 5)):
            birth = dt.date(rnd.randint(1940, 2023), rnd.randint(1, 12), rnd.randint(1, 28))
            cat = rnd.choice(CATEGORIES)
            key = (birth, cat)
            if key not in quotes:
                req = QuoteRequest(birth_date=birth, paid_on=paid_on,
                                   categories=(CategoryFact(cat),) if cat else ())
                quotes[key] = quote(policy, req)
            name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(RARE) if rnd.random() < 0.05 else "")
            members.append(member_from_quote(name, _id(birth, h * 5 + k), quotes[key], policy,
                                             relation=RELATIONS[min(k, 4)]))
        members = tuple(members)
        out.append(Notice(
            title=notice_title(policy), township="永兴乡", village="红旗村", group=f"{h % 8 + 1}组",
            household_number=f"HQ-{h + 1:05d}", head_name=members[0].name, address=f"红旗村{h % 8 + 1}组{h + 1}号",
            phone="138" + f"{h:08d}", members=members, total=household_total(members),
            window_start=policy.window.start, window_end=policy.window.end, deadline=policy.window.end,
            benefit=benefit_text(policy), channels=policy.service.channels, hotline=policy.service.hotline,
            policy_doc=policy.source.doc_number, issued_on=dt.date(2024, 11, 1)))
    return out


def bench_render(count: int, folder: Path) -> None:
    t0 = time.perf_counter()
    notices = make_notices(count)
    t1 = time.perf_counter()
    path = render_notices(notices, folder / f"notices-{count}.pdf")
    t2 = time.perf_counter()
    members = sum(len(n.members) for n in notices)
    print(f"render: {count} households, {members} members: build data {t1 - t0:.2f} s, "
          f"render {t2 - t1:.2f} s ({(t2 - t1) / count * 1000:.1f} ms/household), "
          f"{path.stat().st_size / 1e6:.1f} MB -> {path}")


def bench_ledger(people: int, folder: Path) -> None:
    from app.cli.main import main
    from app.ledger.demo import build_demo_ledger

    db = folder / f"demo-{people}.db"
    if not db.exists():
        t = time.perf_counter()
        build_demo_ledger(db, people=people)
        print(f"ledger: demo ledger of {people} people built in {time.perf_counter() - t:.1f} s")
    out = folder / "ledger-notices.pdf"
    t = time.perf_counter()
    code = main(["print", "notices", "--db", str(db), "--quiet", "-o", str(out)])
    print(f"ledger: canbao print notices (all villages) exit {code} in {time.perf_counter() - t:.2f} s -> {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=1000)
    ap.add_argument("--ledger-people", type=int, default=3000, help="0 = skip the end-to-end run")
    ap.add_argument("--keep", metavar="DIR", help="write the PDFs here (default: a temporary folder)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        bench_render(args.households, folder)
        if args.ledger_people:
            bench_ledger(args.ledger_people, folder)


if __name__ == "__main__":
    main()
