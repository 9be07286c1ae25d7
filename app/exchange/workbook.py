"""The workbook writer: openpyxl write-only, one row per record, header frozen.

Cells follow the column kind: ``id`` as text cells (number_format '@', so Excel never shows 2.2E+17),
``money`` as numbers from Decimal with '0.00' (never through float), ``date`` as dates, ``percent`` as
numbers with '0.00%'. The file is written next to the target and renamed into place, so an interrupted or
cancelled export never leaves a half-written workbook under the user's file name.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .columns import ColumnSet
from ..domain.problems import Cancelled as UserCancelled

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

FORMATS = {"id": "@", "money": "0.00", "date": "yyyy-mm-dd", "percent": "0.0%", "int": "0", "text": "@"}
_CHUNK = 2000  # rows between progress reports / cancel checks


class ExportCancelled(UserCancelled):
    """The user cancelled; nothing was written under the target name."""


class CellValueError(TypeError):
    """A row builder handed the writer a value of the wrong kind (a float amount, say): a programming error."""


def _check_money(value):
    if type(value) is Decimal:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise CellValueError(f"金额必须是 Decimal，收到 {type(value).__name__}: {value!r}")


def _direct_cells(ws) -> None:
    """Let styled cells we built go straight to the sheet writer.

    openpyxl's write-only ``append`` first tries ``cell.value = value`` on every item and only treats a
    Cell as a cell after that raises (formatting the cell's repr for the message): for four styled columns
    on 500,000 rows that is two million exceptions. This replaces the sheet's row converter with one that
    passes Cells through and converts plain values exactly as openpyxl does. Only used when the installed
    openpyxl has the converter this was written against; the output is identical (tests compare).
    """
    if not callable(getattr(ws, "_values_to_row", None)):
        return

    def values_to_row(values, row_idx):
        cell = WriteOnlyCell(ws)
        for col_idx, value in enumerate(values, 1):
            if value is None:
                continue
            if isinstance(value, Cell):
                value.column = col_idx
                value.row = row_idx
                yield value
                continue
            cell.value = value
            cell.column = col_idx
            cell.row = row_idx
            yield cell
            if cell._style is not None and cell.has_style:
                cell = WriteOnlyCell(ws)

    ws._values_to_row = values_to_row


class WorkbookWriter:
    """Write sheets one after another, then ``save()``; or use as a context manager."""

    def __init__(self, path: str | Path, progress: Progress | None = None, cancelled: Cancelled | None = None,
                 fast: bool = True, stamp: str = ""):
        self.path = Path(path)
        self.stamp = stamp  # 演示数据 (a demo ledger): in every sheet's name and printed header
        self.fast = fast
        self.progress = progress
        self.cancelled = cancelled
        self.book = Workbook(write_only=True)
        self._header_font = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="DDEBF7")
        self._header_align = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.rows_written = 0
        self._saved = False

    def __enter__(self) -> "WorkbookWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None and not self._saved:
            self.save()
        elif exc_type is not None:
            self.discard()

    def discard(self) -> None:
        """Give up: close the sheets' temporary files and remove them. Nothing is written to ``path``."""
        for ws in self.book.worksheets:
            writer = getattr(ws, "_writer", None)
            try:
                ws.close()
            except Exception:  # noqa: BLE001 - already closed or never started
                pass
            if writer is not None:
                try:
                    writer.cleanup()
                except OSError:
                    pass
        self._saved = True

    # -- sheets -------------------------------------------------------------------------------------
    def _create_sheet(self, title: str):
        if not self.stamp:
            return self.book.create_sheet(title=title[:31])
        ws = self.book.create_sheet(title=f"{self.stamp}-{title}"[:31])
        ws.oddHeader.center.text = ws.evenHeader.center.text = f"{self.stamp}（虚构人员，不是真实数据）"
        self.book.properties.title = self.stamp
        return ws

    def _new_sheet(self, title: str, column_set: ColumnSet):
        ws = self._create_sheet(title)
        for idx, col in enumerate(column_set.columns, 1):
            if col.width:
                ws.column_dimensions[get_column_letter(idx)].width = col.width
        ws.freeze_panes = "A2"
        if self.fast:
            _direct_cells(ws)
        header = []
        for col in column_set.columns:
            cell = WriteOnlyCell(ws, value=col.heading)
            cell.data_type = "s"
            cell.font = self._header_font
            cell.fill = self._header_fill
            cell.alignment = self._header_align
            header.append(cell)
        ws.append(header)
        return ws

    def add_sheet(self, column_set: ColumnSet, rows: Iterable[Mapping], total: int = 0,
                  title: str | None = None) -> int:
        """Write one sheet: a header row, then one row per mapping (keys are the column fields).

        Returns the number of data rows. ``total`` is only used for progress reports.
        """
        ws = self._new_sheet(title or column_set.title, column_set)
        plan = []
        for col in column_set.columns:
            how = {"text": 0, "int": 1, "money": 2, "id": 3}.get(col.kind, 4)
            template = None
            if how >= 2:
                template = WriteOnlyCell(ws)
                template.number_format = FORMATS[col.kind]
            plan.append((col.field, how, template))
        try:
            return self._write_rows(ws, plan, rows, total)
        except BaseException:
            self.discard()
            raise

    def _write_rows(self, ws, plan, rows: Iterable[Mapping], total: int) -> int:
        append = ws.append
        progress, cancelled = self.progress, self.cancelled
        count = 0
        for row in rows:
            out = []
            get = row.get
            for field, how, template in plan:
                value = get(field)
                if value is None or value == "":
                    out.append(None)
                elif how == 0:  # text: a leading '=' must stay text, not become a formula
                    if type(value) is str and value[0] == "=":
                        guard = WriteOnlyCell(ws, value=value)
                        guard.data_type = "s"
                        out.append(guard)
                    else:
                        out.append(value)
                elif how == 1:
                    out.append(value)
                else:
                    if how == 2:
                        template.value = _check_money(value)
                    elif how == 3:
                        template.value = value if type(value) is str else str(value)
                        template.data_type = "s"
                    else:
                        template.value = value
                    out.append(template)
            append(out)
            count += 1
            if count % _CHUNK == 0:
                if cancelled is not None and cancelled():
                    raise ExportCancelled("已取消导出")
                if progress is not None:
                    progress(self.rows_written + count, total)
        self.rows_written += count
        if progress is not None:
            progress(self.rows_written, total)
        return count

    def add_notes(self, title: str, lines: Iterable[tuple[str, object]]) -> None:
        """A small key/value sheet (说明: 统计区间, 生成时间 …)."""
        ws = self._create_sheet(title)
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 40
        for key, value in lines:
            if isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat(sep=" ", timespec="minutes") if isinstance(value, dt.datetime) \
                    else value.isoformat()
            cell = WriteOnlyCell(ws, value=str(key))
            cell.font = self._header_font
            ws.append([cell, value])

    # -- saving -------------------------------------------------------------------------------------
    def save(self) -> Path:
        """Write to a temporary file beside the target, then rename it into place."""
        if not self.book.worksheets:
            self.book.create_sheet("空")
        tmp = None
        failure = None
        try:
            from ..ledger.files import part_path, pending

            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = part_path(self.path)  # 周报.xlsx.<pid>.part: never looks like a finished workbook
            with pending(tmp):  # a killed export's part is removed at the next start, wherever it was written
                self.book.save(tmp)
                os.replace(tmp, self.path)
        except BaseException as exc:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            if not isinstance(exc, OSError):
                raise
            # A full disk or a read-only folder: a sentence, not a traceback. openpyxl's half-written zip
            # retries its write when collected: let it fail quietly, here, not at exit.
            from ..ledger.files import os_error_text

            failure, hook = os_error_text(exc), sys.unraisablehook
            sys.unraisablehook = lambda unraisable: None
        if failure is not None:
            import gc

            try:
                gc.collect()
            finally:
                sys.unraisablehook = hook
            from ..domain.problems import Problem, ProblemsError

            self.discard()
            raise ProblemsError([Problem(str(self.path), failure)])
        self._saved = True
        return self.path
