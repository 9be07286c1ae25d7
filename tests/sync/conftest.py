import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402
from stdnum.cn import ric  # noqa: E402


@pytest.fixture
def ids():
    """A new valid 18-digit resident ID number for each call (``ids("19600501")``)."""
    counter = iter(range(100, 999))

    def new(birth: str = "19600501") -> str:
        body = "220102" + birth + f"{next(counter):03d}"
        return body + ric.calc_check_digit(body + "0")
    return new


@pytest.fixture
def town(tmp_path, request):
    """(township, station 1 东风村, station 2 红旗村, the post folder), all logged in as 王会计, under changchun-2025
    unless a test asks for another policy (``@pytest.mark.parametrize("town", ["shuangqing-2025"],
    indirect=True)``)."""
    from sync_township import make_township

    township, stations = make_township(tmp_path, ["东风村", "红旗村"], getattr(request, "param", "changchun-2025"))
    (tmp_path / "post").mkdir()
    yield township, stations[0], stations[1], tmp_path / "post"
    for lg in (township, *stations):
        lg.close()
