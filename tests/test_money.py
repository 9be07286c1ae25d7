from decimal import Decimal

import pytest

from app.domain.money import MoneyError, capitals, fmt, from_fen, round_money, to_fen, to_money


@pytest.mark.parametrize("value, expected", [
    (410, "肆佰壹拾元整"), ("400", "肆佰元整"), ("80", "捌拾元整"), ("1070", "壹仟零柒拾元整"),
    ("0", "零元整"), ("0.05", "伍分"), ("0.50", "伍角整"), ("20.30", "贰拾元叁角整"),
    ("100.05", "壹佰元零伍分"), ("10010", "壹万零壹拾元整"), ("100000", "壹拾万元整"),
    ("1000000.07", "壹佰万元零柒分"), ("3020", "叁仟零贰拾元整"), ("20000", "贰万元整"),
    ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"), ("100001", "壹拾万零壹元整"),
])
def test_capitals(value, expected):
    assert capitals(to_money(value)) == expected


def test_floats_are_refused():
    with pytest.raises(MoneyError):
        to_money(0.1)
    with pytest.raises(MoneyError):
        to_money("1.005")


def test_fen_round_trip():
    for text in ("0.01", "410.00", "1070", "99999.99"):
        d = to_money(text)
        assert from_fen(to_fen(d)) == d
    assert to_fen(Decimal("410")) == 41000
    assert fmt(Decimal("410")) == "410.00"


def test_round_money_half_up():
    assert round_money(Decimal("0.005")) == Decimal("0.01")
    assert round_money(Decimal("200.004")) == Decimal("200.00")


def test_to_money_accepts_yuan_suffix_and_commas():
    assert to_money("1,070.00 元") == Decimal("1070.00")
    with pytest.raises(MoneyError):
        to_money("四百")
