"""Is the lock file up to date with pyproject.toml? Every dependency named there must be pinned in the lock.

    python scripts/lock_check.py requirements-dev.lock     # exit 1 with a Chinese message if not
Used by scripts/setup.sh before installing and by tests/scripts/test_lock.py. Standard library only.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;(]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def wanted(lock_name: str) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project.get("dependencies", []))
    extras = project.get("optional-dependencies", {})
    reqs += extras.get("build", [])
    if "dev" in lock_name:
        reqs += extras.get("dev", [])
    return {_name(r) for r in reqs}


def pinned(lock: Path) -> dict[str, str]:
    out = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if m:
            out[_name(m.group(1))] = m.group(2)
    return out


def missing(lock: Path) -> list[str]:
    return sorted(wanted(lock.name) - set(pinned(lock)))


def main(argv: list[str]) -> int:
    lock = ROOT / (argv[0] if argv else "requirements-dev.lock")
    if not lock.is_file():
        print(f"！没有锁文件 {lock.name}：请运行 bash scripts/lock.sh", file=sys.stderr)
        return 1
    gone = missing(lock)
    if gone:
        print(f"！锁文件 {lock.name} 已过期：pyproject.toml 里的 {'、'.join(gone)} 没有锁定版本。"
              "请运行 bash scripts/lock.sh 并提交两个 .lock 文件。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
