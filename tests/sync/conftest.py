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
