"""Policy files the township sends its stations in its packets, and what a station does with them.

The township's packet carries the file of the ledger's own policy and every user policy of the township's
laptop (those ``canbao policy add`` / the window put in the user's policy folder, and the folders it lists),
each with its SHA-256 in the signed header, and the ledger's policy id (``policy_id``).

On the station (``plan``), each file is checked exactly as ``canbao policy check`` does (``load_policy``) and:

- already here, the same bytes: nothing to do;
- an id this laptop has with other content — a shipped file, or a user file — is a **conflict**: listed, never
  replaced (a shipped file is never overwritten, and a user file is the 专干's to compare);
- a file with problems is listed with them (place: the packet and the file in it) and not installed;
- otherwise it is installed where ``policy add`` puts it (``add_user_policy``: the user's policy folder).

The data of the packet is applied either way. If the township's ledger uses another policy than this ledger,
the ledger follows it (``Settings.update``, audited) — unless the policy is not here or the ledger's own checks
refuse it (a year already paid under the old one), which is listed."""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.problems import ProblemsError

if TYPE_CHECKING:
    from ..ledger.db import Ledger


def outgoing(ledger: "Ledger") -> list[tuple[dict, bytes]]:
    """({"id", "title", "shipped"}, file bytes) of the ledger's policy and every user policy, by id."""
    from ..policy_catalog import catalog, origin

    policies, _ = catalog()
    mine = ledger.settings.get().policy_id
    out = []
    for pid in sorted(policies):
        o = origin(pid)
        if o.shipped and pid != mine:
            continue
        try:
            data = Path(o.path).read_bytes()
        except OSError:
            continue
        out.append(({"id": pid, "title": policies[pid].name, "shipped": o.shipped}, data))
    return out


@dataclass
class _File:
    policy_id: str
    title: str
    data: bytes
    state: str            # 相同 / 加入 / 冲突 / 有问题
    detail: str = ""


@dataclass
class PolicyPlan:
    """What a station does with the township's policy files (``lines`` for the preview)."""

    where: str
    files: list[_File] = field(default_factory=list)
    current: str = ""                 # this ledger's policy
    township: str = ""                # the township's ledger's policy ('' from an older township)
    installed: list[str] = field(default_factory=list)
    refused: str = ""                 # why this ledger cannot follow the township's policy (its own rules)

    def available(self, policy_id: str) -> bool:
        from ..policy_catalog import catalog

        return policy_id in catalog()[0] or any(f.policy_id == policy_id and f.state == "加入" for f in self.files)

    def lines(self) -> list[str]:
        out = []
        for f in self.files:
            head = f"政策 {f.policy_id}（{f.title}）"
            out.append({"相同": f"{head}：本机已有，相同",
                        "加入": f"{head}：检查无问题，将加入本机的用户政策文件夹",
                        "已加入": f"{head}：检查无问题，已加入本机的用户政策文件夹",
                        "冲突": f"{head}：冲突，{f.detail}",
                        "有问题": f"{head}：未通过政策检查，不加入：{f.detail}"}[f.state])
        if self.township and self.township != self.current:
            if self.refused:
                out.append(f"乡镇台账使用政策 {self.township}：本台账不能改用（{self.refused}），仍用 {self.current}")
            elif self.available(self.township):
                out.append(f"乡镇台账使用政策 {self.township}：本台账将由 {self.current} 改为 {self.township}")
            else:
                out.append(f"乡镇台账使用政策 {self.township}，本机没有可用的这项政策：本台账仍用 {self.current}")
        return out

    def install(self) -> None:
        """Install the files to add (``add_user_policy``: checked again, never over an existing id)."""
        from ..policy_catalog import add_user_policy

        with tempfile.TemporaryDirectory(prefix="canbao-policy-") as tmp:
            for f in self.files:
                if f.state != "加入":
                    continue
                path = Path(tmp) / f"{f.policy_id}.toml"
                path.write_bytes(f.data)
                policy, problems = add_user_policy(path)
                if policy is None:
                    f.state, f.detail = "有问题", "；".join(p.message for p in problems)
                else:
                    f.state = "已加入"
                    self.installed.append(f.policy_id)

    def try_follow(self, ledger: "Ledger") -> None:
        """For the preview, inside its transaction (rolled back): would the ledger's own rules let it follow a
        policy this laptop already has? (Sets ``refused``.)"""
        from ..policy_catalog import catalog

        if self.township and self.township != self.current and self.township in catalog()[0]:
            self.follow_policy(ledger)

    def follow_policy(self, ledger: "Ledger") -> list[str]:
        """After the data is in (or in the preview's transaction): switch this ledger to the township's policy (audited by
        ``Settings.update``); returns what it did, for the result's notes."""
        if not self.township or self.township == self.current:
            return []
        if not self.available(self.township):
            return [f"乡镇台账使用政策 {self.township}，本机没有可用的这项政策：本台账仍用 {self.current}"]
        try:
            ledger.settings.update(policy_id=self.township)
        except ProblemsError as exc:
            why = self.refused = "；".join(p.message for p in exc.problems)
            return [f"本台账未能随乡镇改用政策 {self.township}（{why}），仍用 {self.current}"]
        return [f"本台账的政策已随乡镇由 {self.current} 改为 {self.township}（已记入操作日志）"]


def plan(ledger: "Ledger", where: str, packet) -> PolicyPlan:
    """Check every policy file of a township's packet against this laptop (nothing written)."""
    from ..domain.policy_loader import load_policy
    from ..policy_catalog import catalog, origin

    known, _ = catalog()
    out = PolicyPlan(where, current=ledger.settings.get().policy_id, township=str(packet.header.get("policy_id") or ""))
    with tempfile.TemporaryDirectory(prefix="canbao-policy-") as tmp:
        for meta, data in packet.policies:
            pid = str(meta.get("id", ""))
            f = _File(pid, str(meta.get("title", "")), data, "加入")
            out.files.append(f)
            inside = f"{where}:{meta.get('name', pid)}"
            if pid in known:
                o = origin(pid)
                try:
                    same = hashlib.sha256(Path(o.path).read_bytes()).digest() == hashlib.sha256(data).digest()
                except OSError:
                    same = False
                if same:
                    f.state = "相同"
                else:
                    f.state = "冲突"
                    f.detail = (f"与本机内置的同编号政策文件内容不同，未覆盖（内置文件不会被替换）" if o.shipped else
                                f"与本机已有的同编号政策文件（{o.path}）内容不同，未替换：请专干核对两份文件后处理")
                continue
            path = Path(tmp) / f"{pid}.toml"
            path.write_bytes(data)
            policy, problems = load_policy(path)
            if problems or policy is None:
                f.state = "有问题"
                f.detail = "；".join(f"{p.place.replace(str(path), inside)}：{p.message}" for p in problems) or "无法读取"
            elif policy.id != pid:
                f.state, f.detail = "有问题", f"{inside}：文件中的政策编号是 {policy.id}"
            else:
                f.title = policy.name
    return out
