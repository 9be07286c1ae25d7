"""政策: the policies Canbao knows — list, summary and clauses, check a file, add it, and which ledgers use
which policy. Shipped policies and the user's own are listed side by side (shipped ones are never hidden).

The page holds no rules: the summary is ``explain_policy``, checking is the loader, adding is
``policy_catalog.add_user_policy``.
"""

from __future__ import annotations

import html
from ..ledger import sqlite_driver
from pathlib import Path

from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from .. import policy_catalog
from ..domain.explain import explain_policy
from ..domain.policy import Policy
from ..domain.policy_loader import load_policy
from . import queries


def clauses_of(p: Policy) -> list[tuple[str, str]]:
    """(what, the document's words) for every rule of the policy, in the file's order."""
    out = [("个人缴费标准", p.standard.clause)] + [(f"档次 {t.name}", t.clause) for t in p.standard.tiers]
    out += [(f"附加险 {a.name}", a.clause) for a in p.addons]
    out += [(f"类别 {c.name}", c.clause) for c in p.categories]
    out += [(f"补助 {'、'.join(s.categories)}", s.clause) for s in p.subsidies]
    out += [("集中缴费期", p.window.clause), ("待遇享受期", p.benefit.clause), ("期外缴费", p.late.clause)]
    out += [(f"缴费期内 {g.start}–{g.end}", g.clause) for g in p.grace]
    out += [(f"分群体缴费期 {g.name}", g.clause) for g in p.group_windows]
    if p.dynamic:
        out.append(("动态新增", p.dynamic.clause))
    if p.newborn:
        out.append(("新生儿", p.newborn.clause))
    out += [(f"特殊情形 {s.name}", s.clause) for s in p.specials]
    if p.recognition:
        out.append(("资助对象认定", p.recognition.clause))
    if p.refund:
        out.append(("退费", p.refund.clause))
    return [(what, clause) for what, clause in out if clause]


def ledgers_by_policy(paths) -> dict[str, list[Path]]:
    """policy id → the ledger files (read only) that use it; unreadable files are skipped."""
    out: dict[str, list[Path]] = {}
    for path in paths:
        path = Path(path)
        try:
            pid = queries.ledger_policy_id(path)
        except sqlite_driver.Error:
            continue
        if pid:
            out.setdefault(pid, []).append(path)
    return out


def known_ledgers(current: Path | None = None) -> list[Path]:
    """Ledgers in the user's data folder, and the open one."""
    from ..paths import data_dir

    found = sorted(Path(data_dir()).glob("*.db")) if Path(data_dir()).is_dir() else []
    if current is not None and Path(current) not in found:
        found.insert(0, Path(current))
    return found


class PolicyPage(QDialog):
    """政策 page (a dialog from the main window's toolbar)."""

    def __init__(self, parent: QWidget | None = None, current_ledger: Path | None = None):
        super().__init__(parent)
        self.setObjectName("policyPage")
        self.setWindowTitle("政策")
        self.current_ledger = current_ledger
        self.list = QListWidget()
        self.list.setObjectName("policyList")
        self.list.currentItemChanged.connect(lambda *_: self.show_current())
        self.summary = QTextBrowser()
        self.summary.setObjectName("policySummary")
        self.check_button = QPushButton("检查文件…")
        self.check_button.clicked.connect(lambda: self.check_file(self._ask_file()))
        self.add_button = QPushButton("加入政策…")
        self.add_button.clicked.connect(lambda: self.add_file(self._ask_file()))
        self.result = QLabel()
        self.result.setObjectName("policyResult")
        self.result.setWordWrap(True)
        self.folder = QLabel(f"用户政策文件夹：{policy_catalog.user_policies_dir()}")
        self.folder.setWordWrap(True)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.add_button)
        lv.addLayout(buttons)
        lv.addWidget(self.folder)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.summary)
        split.setStretchFactor(1, 3)
        split.setSizes([400, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addWidget(self.result)
        self.resize(1120, 700)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        policy_catalog.reload()
        policies, problems = policy_catalog.catalog()
        self.usage = ledgers_by_policy(known_ledgers(self.current_ledger))
        self.list.clear()
        for pid, p in sorted(policies.items(), key=lambda kv: (-kv[1].year, kv[0])):
            origin = "内置" if policy_catalog.origin(pid).shipped else "用户"
            used = len(self.usage.get(pid, []))
            item = QListWidgetItem(f"{p.year}  {p.name}（{origin}）" + (f"  · {used} 个台账" if used else ""))
            item.setData(256, pid)
            self.list.addItem(item)
            if pid == select:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        if problems:
            self.result.setText("未载入的政策文件：\n" + "\n".join(str(x) for x in problems))

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(256) if item else None

    def show_current(self) -> None:
        pid = self.current_id()
        if pid is None:
            self.summary.setHtml("")
            return
        p = policy_catalog.get_policy(pid)
        origin = policy_catalog.origin(pid)
        parts = [f"<pre style='white-space:pre-wrap'>{html.escape(explain_policy(p))}</pre>",
                 f"<p>文件：{html.escape(str(origin.path))}（{'内置，只读' if origin.shipped else '用户政策'}）</p>"]
        used = self.usage.get(pid, [])
        parts.append("<h3>使用本政策的台账</h3>" + ("<ul>" + "".join(f"<li>{html.escape(str(x))}</li>" for x in used)
                                                  + "</ul>" if used else "<p>（无）</p>"))
        parts.append("<h3>条款原文</h3><table>" + "".join(
            f"<tr><td valign=top><b>{html.escape(what)}</b></td><td>{html.escape(p.cite(clause))}</td></tr>"
            for what, clause in clauses_of(p)) + "</table>")
        self.summary.setHtml("".join(parts))

    def _ask_file(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self, "选择政策文件", "", "政策文件 (*.toml)")
        return path

    def check_file(self, path: str) -> bool:
        """Check a file; the result names every problem with its line. True if it has none."""
        if not path:
            return False
        policy, problems = load_policy(path)
        if problems:
            self.result.setText(f"✗ {Path(path).name}：{len(problems)} 个问题\n" + "\n".join(str(x) for x in problems))
            return False
        self.result.setText(f"✓ {Path(path).name}：无问题（{policy.id}，{policy.name}）")
        return True

    def add_file(self, path: str) -> bool:
        if not path:
            return False
        policy, problems = policy_catalog.add_user_policy(path)
        if policy is None:
            self.result.setText(f"✗ 未加入 {Path(path).name}：\n" + "\n".join(str(x) for x in problems))
            return False
        self.result.setText(f"✓ 已加入 {policy.id}（{policy.name}）：{policy.path}")
        self.reload(select=policy.id)
        return True
