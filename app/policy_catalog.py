"""The policies shipped in ``policies/``, loaded once and looked up by id."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .domain.policy import Policy
from .domain.policy_loader import load_policy
from .domain.problems import Problem
from .paths import policies_dir


def load_directory(directory: Path) -> tuple[dict[str, Policy], list[Problem]]:
    """Every ``*.toml`` in a folder; a file with problems is left out and its problems returned."""
    policies: dict[str, Policy] = {}
    problems: list[Problem] = []
    for path in sorted(Path(directory).glob("*.toml")):
        policy, errs = load_policy(path)
        problems.extend(errs)
        if policy is None:
            continue
        if path.stem != policy.id:
            problems.append(Problem(str(path), f"文件名应与政策编号一致：{policy.id}.toml"))
        if policy.id in policies:
            problems.append(Problem(str(path), f"政策编号 {policy.id} 重复（另见 {policies[policy.id].path}）"))
            continue
        policies[policy.id] = policy
    return policies, problems


@lru_cache(maxsize=1)
def catalog() -> tuple[dict[str, Policy], tuple[Problem, ...]]:
    policies, problems = load_directory(policies_dir())
    return policies, tuple(problems)


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
