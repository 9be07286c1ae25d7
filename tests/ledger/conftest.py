import datetime as dt

import pytest
from stdnum.cn import ric

from app.ledger import open_ledger
from operators_helper import log_in


def _make_id(area: str = "220102", birth: str = "19600501", seq: str = "123") -> str:
    """A valid 18-digit resident ID number."""
    body = area + birth + seq
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def make_id():
    return _make_id


@pytest.fixture
def ids():
    counter = iter(range(100, 999))

    def new(birth: str = "19600501", male: bool = True) -> str:
        while True:
            n = next(counter)
            if (n % 2 == 1) == male:
                return _make_id(birth=birth, seq=f"{n:03d}")
    return new


def _init(path, policy_id="changchun-2025", year=2025, area_kind="区"):
    lg = open_ledger(path, create=True, backup=False)
    log_in(lg, "王会计")
    lg.settings.initialize(township="测试镇", year=year, policy_id=policy_id, operators=["王会计", "李干事"],
                           villages={"东风村": ["一组", "二组"], "红旗社区": []}, area_kind=area_kind,
                           village_kinds={"红旗社区": "社区"})
    return lg


@pytest.fixture
def ledger(tmp_path):
    lg = _init(tmp_path / "ledger.db")
    yield lg
    lg.close()


@pytest.fixture
def tunliu(tmp_path):
    lg = _init(tmp_path / "tunliu.db", "tunliu-2025", 2025, "")
    yield lg
    lg.close()


@pytest.fixture
def household(ledger):
    return ledger.households.add(village="东风村", group="一组", address="东风村1号", phone="13800138000").id


D = dt.date
