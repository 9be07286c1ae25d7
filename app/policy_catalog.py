"""Every policy Canbao knows, looked up by id: the shipped ones in ``policies/`` and, beside them, the user's
own (written with ``canbao policy new`` or added from the window) in the user's policy folder and in any
folder listed in that folder's ``folders.txt`` (one path a line) or in ``CANBAO_POLICY_DIRS``.

Shipped files are never hidden: a user file that reuses a shipped id is refused with a problem.
``CANBAO_USER_POLICIES`` moves the user's policy folder (tests, portable installs).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .domain.policy import Policy
from .domain.policy_loader import load_policy
from .domain.problems import Problem
from .paths import policies_dir


@dataclass(frozen=True, slots=True)
class Origin:
    policy_id: str
    path: Path
    shipped: bool  # in the program's policies/ folder (read-only)


def user_policies_dir() -> Path:
    override = os.environ.get("CANBAO_USER_POLICIES")
    if override:
        return Path(override)
    from .paths import data_dir

    return data_dir() / "policies"


def extra_folders() -> list[Path]:
    """Folders named in ``folders.txt`` of the user's policy folder and in ``CANBAO_POLICY_DIRS``."""
    out: list[Path] = []
    listing = user_policies_dir() / "folders.txt"
    try:
        lines = listing.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        lines = []
    lines += [x for x in os.environ.get("CANBAO_POLICY_DIRS", "").split(os.pathsep)]
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            out.append(Path(text).expanduser())
    return out


def folders() -> list[tuple[Path, bool]]:
    """(folder, shipped) in the order they are read: shipped first."""
    seen, out = set(), []
    for folder, shipped in [(policies_dir(), True), (user_policies_dir(), False)] + [(f, False) for f in extra_folders()]:
        key = str(Path(folder).resolve()) if Path(folder).exists() else str(folder)
        if key not in seen:
            seen.add(key)
            out.append((Path(folder), shipped))
    return out


def load_directory(directory: Path, *, known: dict[str, Policy] | None = None) -> tuple[dict[str, Policy], list[Problem]]:
    """Every ``*.toml`` in a folder; a file with problems is left out and its problems returned.
    ``known``: policies already loaded from earlier folders (their ids may not be reused)."""
    policies: dict[str, Policy] = {}
    problems: list[Problem] = []
    known = known or {}
    if not Path(directory).is_dir():
        return policies, problems
    for path in sorted(Path(directory).glob("*.toml")):
        policy, errs = load_policy(path)
        problems.extend(errs)
        if policy is None:
            continue
        if path.stem != policy.id:
            problems.append(Problem(str(path), f"文件名应与政策编号一致：{policy.id}.toml"))
        other = policies.get(policy.id) or known.get(policy.id)
        if other is not None:
            problems.append(Problem(str(path), f"政策编号 {policy.id} 重复（另见 {other.path}），未载入；请改用新编号"))
            continue
        policies[policy.id] = policy
    return policies, problems


@lru_cache(maxsize=1)
def _catalog() -> tuple[dict[str, Policy], tuple[Problem, ...], dict[str, Origin]]:
    policies: dict[str, Policy] = {}
    problems: list[Problem] = []
    origins: dict[str, Origin] = {}
    for folder, shipped in folders():
        found, errs = load_directory(folder, known=policies)
        problems += errs
        for pid, p in found.items():
            policies[pid] = p
            origins[pid] = Origin(pid, Path(p.path), shipped)
    return policies, tuple(problems), origins


def catalog() -> tuple[dict[str, Policy], tuple[Problem, ...]]:
    policies, problems, _ = _catalog()
    return policies, problems


def origin(policy_id: str) -> Origin:
    return _catalog()[2][policy_id]


def reload() -> None:
    """Forget the loaded policies (after a file was added or changed)."""
    _catalog.cache_clear()


class UnknownPolicy(KeyError):
    def __init__(self, policy_id: str, known: list[str]):
        self.policy_id = policy_id
        self.known = known
        super().__init__(policy_id)

    def __str__(self) -> str:
        return f"未知的政策编号「{self.policy_id}」。可用：{'、'.join(self.known) or '（policies/ 中没有可用政策）'}"


def get_policy(policy_id: str) -> Policy:
    policies, _ = catalog()
    if policy_id not in policies:
        raise UnknownPolicy(policy_id, sorted(policies))
    return policies[policy_id]


def add_user_policy(path: str | os.PathLike) -> tuple[Policy | None, list[Problem]]:
    """Check a file and, if it has no problem and its id is new, copy it into the user's policy folder as
    ``<id>.toml``. Returns the policy (None if refused) and the problems."""
    policy, problems = load_policy(path)
    if policy is None:
        return None, problems
    if policy.id in catalog()[0]:
        where = catalog()[0][policy.id].path
        return None, [Problem(str(path), f"政策编号 {policy.id} 已存在（{where}），请改用新编号")]
    target = user_policies_dir() / f"{policy.id}.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".toml.part")
    shutil.copyfile(path, tmp)
    os.replace(tmp, target)
    reload()
    return get_policy(policy.id), []
