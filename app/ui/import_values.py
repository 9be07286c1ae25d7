"""The import dialog's category table: a 人员类别 the file writes and the policy file does not name (脱贫户 may be
稳定脱贫人口 or 脱贫不稳定人口, which pay differently) is never guessed; the preview lists it here, with how
many people it concerns, and the user says which of the policy's categories it is — or leaves it, and those
rows stay problems. The choice holds for this import only (the CLI's ``--map-value``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

NOT_CHOSEN = "（不指定：这些行不导入）"


class CategoryValueBox(QGroupBox):
    """人员类别 written in the file -> the policy's category, chosen by the user."""

    remap = Signal(dict)  # as written -> category: preview again with it

    def __init__(self, parent: QWidget | None = None):
        super().__init__("人员类别对应（政策文件里没有这些写法：请指定是哪一类，不会自动猜测）", parent)
        self.setObjectName("importValues")
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("importValueTable")
        self.table.setHorizontalHeaderLabels(["文件里的写法", "是政策中的"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setMaximumHeight(self.fontMetrics().height() * 8)
        note = QLabel("类别决定资助和应缴金额：请按认定部门的名单核对后再指定。")
        note.setWordWrap(True)
        self.b_remap = QPushButton("按此类别重新预览")
        self.b_remap.clicked.connect(lambda: self.remap.emit(self.chosen()))
        row = QHBoxLayout()
        row.addWidget(note, 1)
        row.addWidget(self.b_remap)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        lay.addLayout(row)
        self.kept: dict[str, str] = {}  # what the user chose before (still applied, shown as chosen)
        self.setVisible(False)

    def show_preview(self, pv) -> None:
        """The names the preview could not read, and the ones the user already mapped for this import."""
        check = pv.check
        self.kept = dict(pv.value_map)
        rows = [(part, n) for part, n in check.unknown_categories]
        rows += [(part, n) for part, _cat, why, n in check.mapped_values if part in self.kept]
        self.setVisible(bool(rows))
        self.table.setRowCount(len(rows))
        for r, (part, n) in enumerate(rows):
            item = QTableWidgetItem(f"{part}（{n} 人）")
            item.setData(Qt.ItemDataRole.UserRole, part)
            self.table.setItem(r, 0, item)
            box = QComboBox()
            box.addItem(NOT_CHOSEN, "")
            for cat in check.category_choices:
                box.addItem(cat, cat)
            box.setCurrentIndex(max(0, box.findData(self.kept.get(part, ""))))
            self.table.setCellWidget(r, 1, box)
        self.table.resizeColumnToContents(0)

    def choose(self, written: str, category: str) -> None:
        """Say what one written name is (as the user does with the combo box)."""
        for r in range(self.table.rowCount()):
            if self.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == written:
                box = self.table.cellWidget(r, 1)
                box.setCurrentIndex(box.findData(category))
                return
        raise KeyError(written)

    def chosen(self) -> dict[str, str]:
        out = dict(self.kept)
        for r in range(self.table.rowCount()):
            part = self.table.item(r, 0).data(Qt.ItemDataRole.UserRole)
            cat = self.table.cellWidget(r, 1).currentData()
            if cat:
                out[part] = cat
            else:
                out.pop(part, None)
        return out
