"""Errors are values with a place: every problem says where it is and what is wrong, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a file, an import row or a form field.

    ``place`` is "policies/x.toml:12", "名单.xlsx 表1:第5行:身份证号", or a field name.
    """

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class Cancelled(Exception):
    """The user pressed 取消 during a long task; nothing was written. Every service's cancel is one of these,
    so the window can tell a cancel from a failure whichever service raised it."""


class ProblemsError(Exception):
    """Raised where a caller wants an exception; carries every problem, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
