"""The ledger password: how strong it is (advice shown while it is typed), how it becomes the key, and the
recovery key printed on the recovery sheet.

The key is SQLCipher 4's own derivation done once in Python: PBKDF2-HMAC-SHA512, 256,000 iterations, over the
file's 16-byte salt. So ``PRAGMA key = '<password>'`` in any SQLCipher 4 tool opens the ledger too, and the
*recovery key* (raw key + salt, 96 hex digits) opens it without the password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

ITERATIONS = 256_000  # SQLCipher 4 default (kdf_iter)
KEY_BYTES = 32
SALT_BYTES = 16
MIN_LENGTH = 8
ENV = "CANBAO_LEDGER_PASSWORD"

_COMMON = {"12345678", "123456789", "1234567890", "87654321", "11111111", "88888888", "00000000", "66666666",
           "password", "password1", "qwertyui", "qwerty123", "abc12345", "a1234567", "abcd1234", "iloveyou",
           "woaini1314", "woaini520", "1qaz2wsx", "zxcvbnm1", "admin123", "canbao123", "yibao123"}


@dataclass(frozen=True)
class Strength:
    """``level`` 0 = refused, 1 = weak (allowed, warned), 2 = fair, 3 = strong; ``advice`` in Chinese."""

    level: int
    label: str
    advice: tuple[str, ...]

    @property
    def acceptable(self) -> bool:
        return self.level > 0


def strength(password: str) -> Strength:
    """How hard the password is to guess, and what would make it better."""
    pw = password or ""
    advice: list[str] = []
    if len(pw) < MIN_LENGTH:
        return Strength(0, "太短", (f"密码至少 {MIN_LENGTH} 位",))
    if pw.lower() in _COMMON or len(set(pw)) <= 2:
        return Strength(0, "太常见", ("这是常见密码或重复字符，很容易被猜出，请换一个",))
    if re.fullmatch(r"(19|20)\d{6}", pw) or re.fullmatch(r"1\d{10}", pw):
        return Strength(0, "像日期或手机号", ("不要用生日、日期或手机号作密码",))
    classes = sum(bool(re.search(p, pw)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    score = (len(pw) >= 10) + (len(pw) >= 14) + (classes >= 2) + (classes >= 3)
    if len(pw) < 10:
        advice.append("再长一些更安全（10 位以上）")
    if classes < 2:
        advice.append("混用字母、数字和符号")
    if pw.isdigit():
        advice.append("纯数字容易被猜出")
    advice.append("不要用身份证号、生日、手机号或村名；密码只告诉需要使用本台账的人")
    level = 1 if score <= 1 else 2 if score <= 2 else 3
    return Strength(level, {1: "弱", 2: "中", 3: "强"}[level], tuple(advice))


def derive(password: str, salt: bytes) -> bytes:
    """The 32-byte key (slow on purpose: about 0.1–0.3 s)."""
    return hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, ITERATIONS, KEY_BYTES)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def keyspec(key: bytes, salt: bytes) -> str:
    """What ``sqlite_driver.connect(key=…)`` takes: raw key and salt as 96 hex digits."""
    return (key + salt).hex()


def recovery_text(spec: str) -> str:
    """The keyspec written for people: 24 groups of 4 upper-case hex digits."""
    s = spec.upper()
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def parse_recovery(text: str) -> str | None:
    """A recovery key typed back (spaces, dashes, any case) as a keyspec; None if it is not one."""
    s = re.sub(r"[\s\-]", "", text or "").lower()
    return s if re.fullmatch(r"[0-9a-f]{96}", s) else None
