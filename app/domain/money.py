"""Money: Decimal in code, integer fen in storage. Never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class MoneyError(ValueError):
    """A value that is not a valid amount of money."""


def to_money(value: object) -> Decimal:
    """Parse an int, a Decimal or a string such as "400" or "400.50" into a Decimal with two places.

    Floats are refused: they cannot hold 0.10 exactly.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"金额不能是浮点数：{value!r}（请写成整数或字符串，如 \"400.50\"）")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        if text.endswith("元"):
            text = text[:-1].strip()
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"不是有效金额：{value!r}") from None
    else:
        raise MoneyError(f"不是有效金额：{value!r}")
    if not d.is_finite():
        raise MoneyError(f"不是有效金额：{value!r}")
    if d != d.quantize(CENT):
        raise MoneyError(f"金额最多两位小数：{value!r}")
    return d.quantize(CENT)


def round_money(d: Decimal) -> Decimal:
    """Round a computed amount (e.g. a percentage) to the fen, half up."""
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def to_fen(d: Decimal) -> int:
    """Decimal yuan -> integer fen for SQLite."""
    q = to_money(d)
    return int(q * 100)


def from_fen(fen: int) -> Decimal:
    """Integer fen from SQLite -> Decimal yuan."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise MoneyError(f"分必须是整数：{fen!r}")
    return (Decimal(fen) / 100).quantize(CENT)


def fmt(d: Decimal | None) -> str | None:
    """Two-decimal string, as used in JSON ("410.00")."""
    if d is None:
        return None
    return f"{d.quantize(CENT):.2f}"


def fmt_yuan(d: Decimal) -> str:
    """Human string with thousands separators: 1,070.00 元."""
    return f"{d.quantize(CENT):,.2f} 元"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ["", "拾", "佰", "仟"]
_SECTIONS = ["", "万", "亿", "万亿"]


def _four_digits(n: int) -> str:
    """0 < n < 10000 -> capitals, with inner zeros collapsed (e.g. 1010 -> 壹仟零壹拾)."""
    out = []
    zero_pending = False
    for pos in range(3, -1, -1):
        digit = n // (10**pos) % 10
        if digit == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(_DIGITS[digit] + _UNITS[pos])
    return "".join(out)


def capitals(amount: Decimal) -> str:
    """Chinese financial capitals (大写金额), e.g. 410 -> 肆佰壹拾元整, 80.50 -> 捌拾元伍角.

    Follows the usual bank rules: 整 when there are no fen, 零 for gaps, 负 for negatives.
    """
    d = to_money(amount)
    if d < 0:
        return "负" + capitals(-d)
    fen_total = int(d * 100)
    yuan, rest = divmod(fen_total, 100)
    jiao, fen = divmod(rest, 10)
    if yuan == 0 and rest == 0:
        return "零元整"
    parts = []
    if yuan:
        sections = []
        n = yuan
        while n:
            sections.append(n % 10000)
            n //= 10000
        text = ""
        need_zero = False
        for idx in range(len(sections) - 1, -1, -1):
            sec = sections[idx]
            if sec == 0:
                need_zero = bool(text)
                continue
            if text and (need_zero or sec < 1000):
                text += "零"
            text += _four_digits(sec) + _SECTIONS[idx]
            need_zero = False
        parts.append(text + "元")
    if jiao == 0 and fen == 0:
        parts.append("整")
    else:
        if jiao:
            parts.append(_DIGITS[jiao] + "角")
        elif yuan:
            parts.append("零")
        if fen:
            parts.append(_DIGITS[fen] + "分")
        else:
            parts.append("整")
    return "".join(parts)
