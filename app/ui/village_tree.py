"""The village/group tree: 全部 → 村（社区）→ 组, each with its progress (paid / required members).

The tree appears at once from the ledger's settings; progress is counted on a worker thread with its own
read-only connection and filled in when it arrives.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from ..ledger.member_year import TARGET
from . import queries
from .tasks import run_task

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # (village_id | None, group_id | None)


class VillageTree(QTreeWidget):
    place_selected = Signal(object, object)  # village_id, group_id (None = all)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("villageTree")
        self.ledger = ledger
        self.setColumnCount(2)
        self.setHeaderLabels(["村（社区）/ 组", "进度"])
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 14)
        self.items: dict[tuple, QTreeWidgetItem] = {}
        self.progress: dict[tuple, queries.Progress] = {}
        self.task = None
        self._again = False
        self.currentItemChanged.connect(self._changed)
        self.rebuild()

    def rebuild(self) -> None:
        self.blockSignals(True)
        self.clear()
        self.items.clear()
        s = self.ledger.settings.get()
        root = QTreeWidgetItem([f"{s.township}（全部）", "…"])
        root.setData(0, ID_ROLE, (None, None))
        self.addTopLevelItem(root)
        self.items[(None, None)] = root
        for v in s.villages:
            vi = QTreeWidgetItem([v.name, "…"])
            vi.setData(0, ID_ROLE, (v.id, None))
            root.addChild(vi)
            self.items[(v.id, None)] = vi
            for g in v.groups:
                gi = QTreeWidgetItem([g.name, "…"])
                gi.setData(0, ID_ROLE, (v.id, g.id))
                vi.addChild(gi)
                self.items[(v.id, g.id)] = gi
        root.setExpanded(True)
        self.setCurrentItem(root)
        self.resizeColumnToContents(0)
        self.blockSignals(False)
        self.refresh_progress()

    def refresh_progress(self) -> None:
        """Count paid / required per group on a worker thread (a separate read-only connection)."""
        if self.task is not None and self.task.is_running():
            self._again = True  # one count at a time; the latest change is counted when this one ends
            return
        self._again = False
        path, year = self.ledger.path, self.ledger.settings.get().year

        def work(progress, cancelled):
            conn = queries.open_reader(path)
            try:
                return queries.progress_by_group(conn, year)
            finally:
                conn.close()

        self.task = run_task(self, "正在统计进度", work, self._counted, on_error=lambda exc: None,
                             show_progress=False)

    def _counted(self, by_group: dict) -> None:
        self.show_progress(by_group)
        if self._again:
            self.task = None
            self.refresh_progress()

    def show_progress(self, by_group: dict) -> None:
        per_village, total = queries.roll_up(by_group)
        self.progress = {(None, None): total}
        self.progress.update({(v, None): p for v, p in per_village.items()})
        self.progress.update({(v, g): p for (v, g), p in by_group.items() if g is not None})
        for key, item in self.items.items():
            p = self.progress.get(key, queries.NO_PROGRESS)
            item.setText(1, p.percent)
            item.setToolTip(1, f"已缴 {p.paid} 人 / 应缴 {p.required} 人")
            if p.rate is not None and key[1] is None and key[0] is not None:
                item.setForeground(1, Qt.GlobalColor.darkGreen if p.rate >= TARGET else Qt.GlobalColor.darkRed)
        self.resizeColumnToContents(1)

    def select_place(self, village_id, group_id) -> None:
        item = self.items.get((village_id, group_id))
        if item is not None:
            self.setCurrentItem(item)

    def _changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        if current is None:
            return
        vid, gid = current.data(0, ID_ROLE)
        self.place_selected.emit(vid, gid)
