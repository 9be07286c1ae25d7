"""Read policy files. Like beancount's loader it returns ``(policy, problems)``: every problem in the
file at once, each as ``file:line: message`` in Chinese, never an exception for bad input."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path

from .money import MoneyError, to_money
from .policy import Policy
from .policy_rules import build_policy
from .problems import Problem
from .toml_lines import line_of, locate_keys

_MISSING = object()


class _Reader:
    """Reads typed values from one table, recording a located problem for each bad or unknown key."""

    def __init__(self, ctx: "_Context", data: object, path: tuple):
        self.ctx = ctx
        self.path = path
        self.data = data if isinstance(data, dict) else {}
        self.used: set[str] = set()
        if not isinstance(data, dict):
            ctx.problem(path, f"「{_dotted(path)}」应为一个表（[…]）")

    def _get(self, key: str, required: bool):
        self.used.add(key)
        value = self.data.get(key, _MISSING)
        if value is _MISSING and required:
            self.ctx.problem(self.path, f"缺少必填项「{_dotted(self.path + (key,))}」")
        return value

    def _bad(self, key: str, what: str, value: object) -> None:
        self.ctx.problem(self.path + (key,), f"「{_dotted(self.path + (key,))}」应为{what}，实际是 {value!r}")

    def str(self, key: str, required: bool = False, default: str = "") -> str:
        v = self._get(key, required)
        if v is _MISSING:
            return default
        if not isinstance(v, str):
            self._bad(key, "文字（加引号）", v)
            return default
        return v.strip()

    def clause(self, key: str = "clause") -> str:
        text = self.str(key, required=True)
        if key in self.data and not text:
            self.ctx.problem(self.path + (key,), f"「{_dotted(self.path + (key,))}」不能为空：每条规则都要注明出处条款")
        return text

    def money(self, key: str, required: bool = False) -> Decimal | None:
        v = self._get(key, required)
        if v is _MISSING:
            return None
        try:
            d = to_money(v)
        except MoneyError as exc:
            self.ctx.problem(self.path + (key,), f"「{_dotted(self.path + (key,))}」{exc}")
            return None
        if d < 0:
            self.ctx.problem(self.path + (key,), f"「{_dotted(self.path + (key,))}」金额不能为负数：{v}")
            return None
        return d

    def date(self, key: str, required: bool = False) -> dt.date | None:
        v = self._get(key, required)
        if v is _MISSING:
            return None
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            self._bad(key, "日期（如 2024-09-01，不加引号）", v)
            return None
        return v

    def int(self, key: str, required: bool = False, default: int | None = None) -> int | None:
        v = self._get(key, required)
        if v is _MISSING:
            return default
        if isinstance(v, bool) or not isinstance(v, int):
            self._bad(key, "整数", v)
            return default
        return v

    def bool(self, key: str, default: bool = False) -> bool:
        v = self._get(key, False)
        if v is _MISSING:
            return default
        if not isinstance(v, bool):
            self._bad(key, " true 或 false", v)
            return default
        return v

    def strs(self, key: str, required: bool = False) -> tuple[str, ...]:
        v = self._get(key, required)
        if v is _MISSING:
            return ()
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            self._bad(key, "文字列表（如 [\"甲\", \"乙\"]）", v)
            return ()
        return tuple(x.strip() for x in v)

    def table(self, key: str, required: bool = False) -> "_Reader | None":
        v = self._get(key, required)
        if v is _MISSING:
            return None
        return _Reader(self.ctx, v, self.path + (key,))

    def array(self, key: str) -> list["_Reader"]:
        v = self._get(key, False)
        if v is _MISSING:
            return []
        if not isinstance(v, list):
            self._bad(key, "表数组（[[…]]）", v)
            return []
        return [_Reader(self.ctx, item, self.path + (key, i)) for i, item in enumerate(v)]

    def done(self) -> None:
        """Unknown keys are usually typos: report each one."""
        for key in self.data:
            if key not in self.used:
                self.ctx.problem(self.path + (key,), f"未知的项「{_dotted(self.path + (key,))}」（拼写错误？）")


class _Context:
    def __init__(self, filename: str, text: str):
        self.filename = filename
        self.lines = locate_keys(text)
        self.problems: list[Problem] = []

    def problem(self, path: tuple, message: str) -> None:
        line = line_of(self.lines, path)
        place = f"{self.filename}:{line}" if line else self.filename
        self.problems.append(Problem(place, message))


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (("." if out else "") + part)
    return out


REVIEW_MARK = "待核对"  # ``canbao policy new`` puts ``# 待核对`` after every date and amount to review


def load_policy_text(text: str, filename: str = "<policy>") -> tuple[Policy | None, list[Problem]]:
    """Parse and check a policy. Returns the policy (None if anything is wrong) and every problem.
    A byte-order mark and Windows line ends (Notepad) are accepted."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        place = f"{filename}:{m.group(1)}" if m else filename
        col = f"第 {m.group(2)} 列" if m else ""
        return None, [Problem(place, f"TOML 语法错误{col}：{_toml_reason(str(exc))}")]
    ctx = _Context(filename, text)
    for number, line in enumerate(text.splitlines(), start=1):
        if re.search(r"#\s*" + REVIEW_MARK, line):
            ctx.problems.append(Problem(f"{filename}:{number}", f"此行尚未核对：与新文件原文核对后，删除行尾的“# {REVIEW_MARK}”"))
    root = _Reader(ctx, data, ())
    policy = build_policy(root, ctx, filename)
    root.done()
    if ctx.problems:
        return None, sorted(ctx.problems, key=_problem_order)
    return policy, []


_TOML_MESSAGES = [
    (r"Unterminated string", "引号没有配对（字符串缺少结尾的引号）"),
    (r"Expected '=' after a key in a key/value pair", "项名后面缺少等号“=”（中文冒号、空格或多余文字？）"),
    (r"Invalid value", "值无法识别：文字要加英文引号，日期写成 2025-09-01，金额写数字"),
    (r"Cannot overwrite a value", "同一项写了两次"),
    (r"Cannot declare \(?([^)]*?),?\)? twice", "表 \\1 写了两次"),
    (r"Cannot (?:mutate|redefine) .*", "表或项重复定义"),
    (r"Invalid initial character for a key part", "项名以无效字符开头（项名用英文字母，如 amount）"),
    (r"Unclosed array", "方括号“[”没有配对的“]”"),
    (r"Unclosed inline table", "花括号“{”没有配对的“}”"),
    (r"Invalid date or datetime", "日期无效（如 2025-02-30 不存在）"),
    (r"Illegal character '\\n'", "文字在行尾没有结束（缺少结尾的引号）"),
    (r"Illegal character (.*)", "不允许的字符 \\1"),
    (r"Found invalid character (.*)", "不允许的字符 \\1"),
    (r"Expected newline or end of document after a statement", "一行只能写一项；行尾有多余文字（中文标点？）"),
    (r"Expected '\]' at the end of a table declaration", "表名缺少结尾的“]”"),
    (r"Expected '\]\]' at the end of an array declaration", "表数组名缺少结尾的“]]”"),
    (r"Unescaped '\\' in a string", "文字中的反斜杠“\\”要写成“\\\\”"),
    (r"Invalid statement", "无法识别的一行"),
    (r"Duplicate inline table key (.*)", "花括号中的项 \\1 重复"),
    (r"Expected (.*)", "缺少 \\1"),
]


def _toml_reason(message: str) -> str:
    """The parser's English message, in Chinese (the English kept in brackets for searching)."""
    english = re.sub(r"\s*\(at (?:line \d+, column \d+|end of document)\)", "", message).strip()
    for pattern, chinese in _TOML_MESSAGES:
        m = re.match(pattern, english)
        if m:
            return f"{m.expand(chinese)}（{english}）"
    return f"格式错误，请检查引号、括号和等号（{english}）"


def _problem_order(p: Problem) -> tuple:
    m = re.search(r":(\d+)$", p.place)
    return (int(m.group(1)) if m else 0,)


def load_policy(path: str | Path) -> tuple[Policy | None, list[Problem]]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [Problem(str(path), "文件不是 UTF-8 编码（可能是 GBK/ANSI）：请在记事本中“另存为”，编码选 UTF-8")]
    except OSError as exc:
        return None, [Problem(str(path), f"无法读取文件：{exc.strerror or exc}")]
    return load_policy_text(text, str(path))
