"""Run by test_ledger_crash.py: records payments forever, printing each receipt only after its commit."""

import datetime as dt
import os
import sys

from app.ledger import PayLine, open_ledger


def main(path: str, start: int) -> None:
    from stdnum.cn import ric

    with open_ledger(path, backup=False, operator="压力测试") as lg:
        if lg.operators.any():  # a ledger with operators: log in as a clerk would (tests' environment)
            lg.operators.login(os.environ["CANBAO_OPERATOR"], os.environ["CANBAO_PIN"])
        n = start
        while True:
            n += 1
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=n // 1000)  # a distinct ID for every n
            body = f"220102{birth:%Y%m%d}{n % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if lg.members.by_id_number(number):
                continue
            with lg.transaction():  # household, member and payment commit together or not at all
                h = lg.households.add(village="东风村", notes=f"w{n}").id
                m = lg.members.add(h, name=f"压测{n}", id_number=number, relation="户主").id
                pid = lg.payments.record(h, [PayLine(m)], method="现金", paid_on="2024-10-08").id
            p = lg.payments.get(pid)
            print(f"{p.receipt_no} {m} {p.amount}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
