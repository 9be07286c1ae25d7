"""How every ``canbao`` command turns expected errors into Chinese messages and exit code 2 (never a traceback)."""

from __future__ import annotations

from ..ledger import sqlite_driver
import sys
from functools import wraps

from ..domain.problems import Problem, ProblemsError
from ..policy_catalog import UnknownPolicy


def fail(problems: list[Problem]) -> int:
    """Print every problem to stderr; exit code 2."""
    for p in problems:
        print(f"错误：{p}", file=sys.stderr)
    return 2


def reported(func):
    """Decorate a command: ProblemsError, unknown policies, database and file errors become messages."""
    @wraps(func)
    def run(args) -> int:
        try:
            return func(args) or 0
        except ProblemsError as exc:
            return fail(exc.problems)
        except UnknownPolicy as exc:
            return fail([Problem("政策", str(exc))])
        except sqlite_driver.Error as exc:
            return fail([Problem("台账", f"数据库错误：{exc}")])
        except BrokenPipeError:
            raise  # the reader went away (e.g. `| head`): main() ends quietly
        except OSError as exc:
            return fail([Problem("文件", f"{exc.filename or ''} {exc.strerror or exc}".strip())])
    return run
