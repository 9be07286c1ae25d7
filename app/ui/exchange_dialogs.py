"""Excel exchange in the window: export the weekly workbook or any single list; import a list with a preview
that shows every problem before anything is written. Both run on a worker thread with their own connection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDateEdit, QDialog, QFileDialog,
                               QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton,
                               QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from .tasks import error_text, run_task
from .widgets import path_row

IMPORT_KINDS = {"payment": "缴费名单（税务系统导出）", "roster": "花名册（户和人员）", "category": "人员类别名单",
                "status": "参保状态名单"}


def _open(path, session=None):
    from ..ledger import open_ledger

    return open_ledger(path, backup=False, operator=session)  # the worker carries the logged-in operator


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class ExportDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        from ..exchange.exports import EXPORTS

        self.setObjectName("exportDialog")
        self.setWindowTitle("导出 Excel")
        self.ledger = ledger
        form = QFormLayout()
        self.what = QComboBox()
        self.what.addItem("周报（多张表）", "weekly")
        for key, (_src, label) in EXPORTS.items():
            self.what.addItem(label, key)
        self.village = QComboBox()
        self.village.addItem("全乡镇", None)
        for v in ledger.settings.get().villages:
            self.village.addItem(v.name, v.name)
        today = dt.date.today()
        monday = today - dt.timedelta(days=today.weekday())
        from .widgets import DateEdit  # a year or a whole date typed over, ↑/↓ as in every date field

        self.start = DateEdit(monday)
        self.end = DateEdit(monday + dt.timedelta(days=6))
        self.start.setObjectName("exportStart")
        self.end.setObjectName("exportEnd")
        self.path = QLineEdit()
        path_field = path_row(self.path, self._browse)
        form.addRow("导出内容：", self.what)
        form.addRow("范围：", self.village)
        form.addRow("周报开始：", self.start)
        form.addRow("周报结束：", self.end)
        form.addRow("保存到：", path_field)
        self.password = QLineEdit()  # app.exchange.sealed: an AES-256 zip, for a USB stick or a chat app
        self.password.setObjectName("exportPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("可选：填写密码（至少 8 位）则存为加密压缩包 .zip，密码请另行告知收件人")
        form.addRow("加密密码：", self.password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.go = QPushButton("导出")
        self.go.setObjectName("primary")
        self.go.clicked.connect(self.export)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(close)
        row.addWidget(self.go)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("汉") * 44)
        self.what.currentIndexChanged.connect(self._suggest)
        self._suggest()
        self.task = None
        self.result = None

    def _suggest(self) -> None:
        weekly = self.what.currentData() == "weekly"
        self.start.setEnabled(weekly)
        self.end.setEnabled(weekly)
        from ..paths import data_dir

        folder = Path(self.path.text()).parent if self.path.text() else Path.home()
        if not folder.exists():
            folder = data_dir()
        name = "周报" if weekly else self.what.currentText()
        self.path.setText(str(folder / f"{name}-{dt.date.today():%Y%m%d}.xlsx"))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出到", self.path.text(), "Excel 工作簿 (*.xlsx)")
        if path:
            self.path.setText(path)

    def export(self) -> None:
        from ..exchange.exports import export_one, export_weekly
        from ..exchange.from_ledger import ExportFilter

        what, village = self.what.currentData(), self.village.currentData()
        path, start, end = Path(self.path.text().strip()), _pydate(self.start.date()), _pydate(self.end.date())
        db, session, password = self.ledger.path, self.ledger.session, self.password.text()

        def work(progress, cancelled):
            with _open(db, session) as lg:
                def build(out):
                    if what == "weekly":
                        return export_weekly(lg, out, start, end, village=village, progress=progress,
                                             cancelled=cancelled)
                    return export_one(lg, what, out, ExportFilter(village=village), progress=progress,
                                      cancelled=cancelled)

                if not password:
                    return build(path)
                import dataclasses

                from ..exchange.sealed import write_sealed

                built = []
                sealed = write_sealed(path, path.name, password, lambda plain: built.append(build(plain)))
                return dataclasses.replace(built[0], path=sealed)

        def done(result):
            self.result = result
            rows = "，".join(f"{k} {v} 行" for k, v in result.sheets.items())
            self.message.setText(f"已导出：{result.path}（{rows}）")
            self.go.setEnabled(True)
            self.exported.emit(result)

        def failed(exc):
            self.go.setEnabled(True)
            self.message.setText(f"导出失败：{error_text(exc)}")

        self.go.setEnabled(False)
        self.message.setText("正在导出……")
        self.task = run_task(self, "正在导出", work, done, failed)


class ImportDialog(QDialog):
    """Choose a file and its kind → preview (every problem by sheet:row:column, columns not read, new villages)
    → map columns the preview did not recognise → 导入. All or nothing unless the user confirms leaving the
    problem rows out; new villages and groups only when the box listing them is ticked."""

    imported = Signal(object)
    previewed = Signal(object)

    def __init__(self, ledger, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("导入 Excel 名单")
        self.ledger = ledger
        self.pv = None
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setPlaceholderText("选择 .xlsx / .xls / .csv 文件")
        row = path_row(self.path, self._browse)
        self.kind = QComboBox()
        for key, label in IMPORT_KINDS.items():
            self.kind.addItem(label, key)
        self.columns = QLabel()
        self.columns.setWordWrap(True)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        form.addRow("文件：", row)
        form.addRow("名单类型：", self.kind)
        form.addRow("", self.columns)
        self.summary = QLabel("请选择文件后点「预览」。预览不会改动台账。")
        self.summary.setWordWrap(True)
        self.summary.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # column mapping: the file's headings, each with the field it is read as
        self.mapping_box = QGroupBox("列对应（没认出的列，请指定它是什么）")
        self.mapping_table = QTableWidget(0, 2)
        self.mapping_table.setObjectName("importMapping")
        self.mapping_table.setHorizontalHeaderLabels(["文件里的列", "导入为"])
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.setMaximumHeight(self.fontMetrics().height() * 11)
        self.remember = QCheckBox("记住这种格式的列对应（下次自动使用）")
        self.remember.setChecked(True)
        self.b_remap = QPushButton("按此对应重新预览")
        self.b_remap.clicked.connect(self.preview_with_mapping)
        mrow = QHBoxLayout()
        mrow.addWidget(self.remember, 1)
        mrow.addWidget(self.b_remap)
        mlay = QVBoxLayout(self.mapping_box)
        mlay.addWidget(self.mapping_table)
        mlay.addLayout(mrow)
        self.mapping_box.setVisible(False)
        from .import_values import CategoryValueBox

        self.values_box = CategoryValueBox()  # 人员类别 the policy does not name: the user says which it is
        self.values_box.remap.connect(self.preview_with_values)
        self.create_places = QCheckBox()
        self.create_places.setObjectName("createPlaces")
        self.create_places.setVisible(False)
        self.problems = QTableWidget(0, 2)
        self.problems.setObjectName("importProblems")
        self.problems.setHorizontalHeaderLabels(["位置", "问题"])
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().setVisible(False)
        self.problems.setWordWrap(True)
        self.b_preview = QPushButton("预览")
        self.b_import = QPushButton("导入")
        self.b_import.setObjectName("primary")
        self.b_import.setEnabled(False)
        self.b_leftovers = QPushButton("保存未导入的行…")
        self.b_leftovers.setEnabled(False)
        close = QPushButton("关闭")
        self.b_preview.clicked.connect(self.preview)
        self.b_import.clicked.connect(self.commit)
        self.b_leftovers.clicked.connect(self.save_leftovers)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.b_preview)
        buttons.addWidget(self.b_leftovers)
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.b_import)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.mapping_box)
        layout.addWidget(self.values_box)
        layout.addWidget(self.create_places)
        layout.addWidget(self.problems, 1)
        layout.addLayout(buttons)
        self.resize(960, 720)
        self._kind_changed()
        self.task = None
        # asked before leaving rows out; a test replaces it
        self.confirm = lambda title, text: QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _kind_changed(self) -> None:
        from ..exchange.imports import field_labels

        try:
            self.columns.setText(field_labels(self.kind.currentData()))
        except Exception:  # noqa: BLE001 - column hints are a help, not a requirement
            self.columns.setText("")
        self.pv = None
        self.b_import.setEnabled(False)
        self.mapping_box.setVisible(False)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择名单", self.path.text(),
                                              "Excel 或 CSV (*.xlsx *.xls *.ods *.csv *.txt);;所有文件 (*)")
        if path:
            self.path.setText(path)

    def preview(self, mapping: dict | None = None, value_map: dict | None = None) -> None:
        from ..exchange.imports import preview

        path, kind, db = Path(self.path.text().strip()), self.kind.currentData(), self.ledger.path
        if not self.path.text().strip():
            self.summary.setText("请先选择文件。")
            return
        mapping = mapping or None

        def work(progress, cancelled):
            with _open(db) as lg:
                return preview(lg, path, kind, cancelled, mapping=mapping, value_map=value_map)

        def done(pv):
            self.show_preview(pv)
            self.previewed.emit(pv)

        def failed(exc):
            self.summary.setText(f"无法读取：{error_text(exc)}")

        self.b_import.setEnabled(False)
        self.summary.setText("正在检查……")
        self.task = run_task(self, "正在检查名单", work, done, failed)

    # -- mapping
    def _fill_mapping(self, pv) -> None:
        from ..exchange.imports import field_choices

        tables = pv.unmapped or [t for t in pv.tables if t.unknown]
        self.mapping_box.setVisible(bool(tables))
        if not tables:
            return
        t = tables[0]
        self._mapping_table = t
        choices = field_choices(pv.kind)
        shown = [(i, h) for i, h in enumerate(t.headings) if h]
        self.mapping_table.setRowCount(len(shown))
        for r, (i, h) in enumerate(shown):
            item = QTableWidgetItem(t.column_name(i))
            item.setData(Qt.ItemDataRole.UserRole, h)
            self.mapping_table.setItem(r, 0, item)
            box = QComboBox()
            box.addItem("（不导入）", "")
            for fld, label in choices:
                box.addItem(label + ("（必需）" if fld in t.missing else ""), fld)
            current = next((f for f, idx in t.columns.items() if idx == i), "")
            box.setCurrentIndex(max(0, box.findData(current)))
            self.mapping_table.setCellWidget(r, 1, box)
        self.mapping_table.resizeColumnToContents(0)

    def set_mapping(self, heading: str, fld: str) -> None:
        """Choose what one of the file's columns is (as the user does with the combo box)."""
        for r in range(self.mapping_table.rowCount()):
            if self.mapping_table.item(r, 0).data(Qt.ItemDataRole.UserRole) == heading:
                box = self.mapping_table.cellWidget(r, 1)
                box.setCurrentIndex(box.findData(fld))
                return
        raise KeyError(heading)

    def chosen_mapping(self) -> dict[str, str]:
        out = {}
        for r in range(self.mapping_table.rowCount()):
            fld = self.mapping_table.cellWidget(r, 1).currentData()
            if fld:
                out[self.mapping_table.item(r, 0).data(Qt.ItemDataRole.UserRole)] = fld
        return out

    def preview_with_mapping(self) -> None:
        from ..exchange.import_reader import normalize_heading
        from ..exchange.mappings import save_mapping

        mapping = {normalize_heading(h): f for h, f in self.chosen_mapping().items()}
        t = getattr(self, "_mapping_table", None)
        if self.remember.isChecked() and t is not None and self.pv is not None:
            try:
                save_mapping(self.pv.kind, t.layout, t.headings, mapping)
            except OSError as exc:
                self.summary.setText(f"列对应未能保存（{exc}），本次仍按此对应预览。")
        self.preview(mapping, value_map=self.pv.value_map if self.pv is not None else None)

    def preview_with_values(self, value_map: dict) -> None:
        self.preview(self.pv.mapping if self.pv is not None else None, value_map=value_map)

    # -- showing a preview
    def show_preview(self, pv) -> None:
        self.pv = pv
        rows = [(p.place, p.message) for p in pv.problems]
        rows += [(n.place, "说明：" + n.message) for n in pv.notices]
        self.problems.setRowCount(len(rows))
        for i, (place, message) in enumerate(rows):
            self.problems.setItem(i, 0, QTableWidgetItem(place))
            item = QTableWidgetItem(message)
            item.setToolTip(message)
            self.problems.setItem(i, 1, item)
        self.problems.resizeColumnToContents(0)
        self.problems.resizeRowsToContents()
        self._fill_mapping(pv)
        self.values_box.show_preview(pv)
        self.create_places.setVisible(bool(pv.new_places))
        self.create_places.setChecked(False)
        if pv.new_places:
            self.create_places.setText(f"新建台账中还没有的村（社区）和组：{pv.places_text()}")
        n = len(pv.to_write)
        text = pv.summary() + "。"
        if pv.unmapped:
            text += "有必需的列没认出来：请在“列对应”里指定，再点“按此对应重新预览”。"
        elif pv.check.unknown_categories:
            text += "有政策文件里没有的人员类别写法（不会自动猜测）：请在“人员类别对应”里指定是哪一类，再点“按此类别重新预览”。"
        elif pv.left_out:
            text += f"默认全部导入或全不导入：请改正后重新预览；也可以只导入没有问题的 {n} 行（{pv.left_out} 行不导入）。"
        self.summary.setText(text)
        self.b_import.setEnabled(n > 0 and not pv.unmapped)
        self.b_import.setText(f"导入 {n} 行" if not pv.left_out else f"只导入没有问题的 {n} 行…")
        self.b_import.setMinimumWidth(self.b_import.fontMetrics().horizontalAdvance(self.b_import.text()) + 40)
        self.b_leftovers.setEnabled(bool(pv.check.rejected or pv.check.unmatched))

    def commit(self) -> None:
        from ..exchange.imports import commit, preview

        pv = self.pv
        if pv is None:
            return
        if pv.new_places and not self.create_places.isChecked():
            self.summary.setText("文件里有台账中还没有的村（社区）或组：请先勾选“新建……”确认，再导入。")
            return
        only_good = False
        if pv.left_out:
            if not self.confirm("只导入没有问题的行", f"有 {pv.left_out} 行有问题或查无此人，这 {pv.left_out} 行不会导入。\n"
                                                     f"只导入没有问题的 {len(pv.to_write)} 行吗？"):
                return
            only_good = True
        create = self.create_places.isChecked()
        pv_path, kind, db, mapping, value_map = pv.path, pv.kind, self.ledger.path, pv.mapping, pv.value_map
        operator, session = self.ledger.operator, self.ledger.session
        expected = (len(pv.to_write), pv.left_out, frozenset(pv.new_places))

        def work(progress, cancelled):
            with _open(db, session) as lg:
                fresh = preview(lg, pv_path, kind, cancelled, mapping=mapping,  # re-checked against the ledger now
                                value_map=value_map)
                if (len(fresh.to_write), fresh.left_out, frozenset(fresh.new_places)) != expected:
                    from ..domain.problems import Problem, ProblemsError

                    raise ProblemsError([Problem(pv_path.name, "文件或台账在预览之后有了变化：请重新预览")])
                return commit(lg, fresh, operator=operator, only_good=only_good, create_places=create,
                              progress=progress)

        def done(outcome):
            made = f"，新建村组 {outcome.places_created} 个" if outcome.places_created else ""
            left = f"，{outcome.left_out} 行未导入" if outcome.left_out else ""
            self.summary.setText(f"已导入 {outcome.written} 行{made}{left}。")
            self.b_import.setEnabled(False)
            if outcome.places_created:
                self.ledger.settings.reload()
            self.imported.emit(outcome)

        def failed(exc):
            self.summary.setText(f"导入失败，台账没有改动：{error_text(exc)}")

        self.b_import.setEnabled(False)
        self.task = run_task(self, "正在导入", work, done, failed)

    def save_leftovers(self) -> None:
        """Where the user chooses (a save dialog opening in the home folder, not next to the source)."""
        from ..paths import data_dir

        if self.pv is None:
            return
        default = str(Path.home() / (self.pv.path.stem + "-未导入.xlsx")) if Path.home().is_dir() else \
            str(data_dir() / (self.pv.path.stem + "-未导入.xlsx"))
        path, _ = QFileDialog.getSaveFileName(self, "保存未导入的行", default, "Excel 工作簿 (*.xlsx)")
        if path:
            self.write_leftovers_to(path)

    def write_leftovers_to(self, path: str) -> None:
        from ..exchange.imports import write_leftovers

        try:
            write_leftovers(self.pv, path)
            self.summary.setText(f"未导入的行已保存到：{path}")
        except Exception as exc:  # noqa: BLE001
            self.summary.setText(f"保存失败：{error_text(exc)}")
