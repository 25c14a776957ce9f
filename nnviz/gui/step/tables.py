"""The Step dock's tables: this phase's values, the sample's ledger, the sample picker and the
gradient check (README, "Single-step backpropagation"). Each table owns its column fitter and
what it caches; the panel hands it plain rows and settings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from nnviz.core.datasets import Dataset
from nnviz.core.explain import MAX_TABLE_ROWS, PhaseRow, Selection, fmt
from nnviz.core.ledger import LedgerRow
from nnviz.gui.table_fit import ColumnFitter
from nnviz.gui.theme import Theme

#: Data rows listed in the sample picker.
MAX_SAMPLE_ROWS = 2000
MAX_FEATURE_COLUMNS = 4

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class StepTable(QTableWidget):
    """A read-only table of rows whose columns fit its width (``keep``: never shrunk)."""

    def __init__(self, name: str, headers: list[str], keep: Sequence[int]) -> None:
        super().__init__(0, len(headers))
        self.setObjectName(name)
        self.setHorizontalHeaderLabels(headers)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.horizontalHeader().setStretchLastSection(True)
        # Interactive, sized once per fill: ResizeToContents re-measures every row on every
        # cell change, seconds for a few hundred rows.
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setResizeContentsPrecision(200)
        self.fitter = ColumnFitter(self, keep)

    def set_mono(self, font: QFont, row_height: int) -> None:
        self.setFont(font)
        self.verticalHeader().setDefaultSectionSize(row_height)


class ValuesTable(StepTable):
    """This phase's quantities (where, quantity, value); a row click selects its node or edge."""

    def __init__(self) -> None:
        super().__init__("stepValuesTable", ["where", "quantity", "value"], (2,))
        self._selections: list[Selection | None] = []

    def selection_at(self, row: int) -> Selection | None:
        return self._selections[row] if 0 <= row < len(self._selections) else None

    def show_rows(self, rows: list[PhaseRow], hidden: bool, digits: int, theme: Theme,
                  selection: Selection | None) -> None:
        """Fill with a phase's rows; ``hidden``: its new values read "?"."""
        self._selections = [r.sel for r in rows]
        self.setUpdatesEnabled(False)
        self.setRowCount(0)
        self.setRowCount(len(rows))
        pos, neg, muted = QColor(theme.positive), QColor(theme.negative), QColor(theme.muted)
        select_row = -1
        for r, row in enumerate(rows):
            hide = hidden and row.new
            if row.value is not None:
                text = "?" if hide else fmt(row.value, digits)
                if row.old is not None:
                    text = f"{fmt(row.old, digits)} → {text}"
                colour = muted if hide else (pos if row.value > 0 else neg if row.value < 0
                                             else None)
            else:
                text, colour = row.text or "", muted
            for col, cell in enumerate((row.where, row.what, text)):
                item = QTableWidgetItem(cell)
                if col == 2:
                    item.setTextAlignment(_RIGHT)
                    if colour is not None:
                        item.setForeground(QBrush(colour))
                self.setItem(r, col, item)
            if row.sel is not None and row.sel == selection and select_row < 0:
                select_row = r
        if select_row >= 0:
            self.selectRow(select_row)
            self.scrollToItem(self.item(select_row, 0),
                              QAbstractItemView.ScrollHint.EnsureVisible)
        self.fitter.fit()
        self.setUpdatesEnabled(True)


class LedgerTable(StepTable):
    """Every number of the sample's revealed phases (the ledger's rows)."""

    def __init__(self) -> None:
        super().__init__("stepLedgerTable",
                         ["phase", "kind", "layer", "quantity", "index", "value"], (5,))
        self.setAccessibleName("Ledger of this sample")

    def show_rows(self, rows: list[LedgerRow], digits: int) -> None:
        self.setUpdatesEnabled(False)
        self.setRowCount(0)
        self.setRowCount(min(len(rows), MAX_TABLE_ROWS))
        for r, row in enumerate(rows[:MAX_TABLE_ROWS]):
            cells = (str(row.phase + 1), row.kind, "" if row.layer is None else str(row.layer),
                     row.quantity, row.index, fmt(row.value, digits))
            for col, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                if col == 5:
                    item.setTextAlignment(_RIGHT)
                self.setItem(r, col, item)
        self.fitter.fit()
        self.setUpdatesEnabled(True)


class CheckTable(StepTable):
    """The gradient check: backprop next to the finite difference, per parameter."""

    def __init__(self) -> None:
        super().__init__("stepGradCheckTable",
                         ["parameter", "backprop", "finite difference", "|difference|"],
                         (1, 2, 3))
        self.setAccessibleName("Gradient check per parameter")

    def show_rows(self, rows: list[tuple[str, float, float]], digits: int) -> None:
        self.setRowCount(0)
        self.setRowCount(min(len(rows), MAX_TABLE_ROWS))
        for r, (name, a, b) in enumerate(rows[:MAX_TABLE_ROWS]):
            cells = [name, fmt(a, digits), fmt(b, digits), f"{abs(a - b):.2e}"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(_RIGHT)
                self.setItem(r, col, item)
        self.fitter.fit()


class SamplesTable(StepTable):
    """The sample picker: the data rows with their targets and the shown weights' predictions,
    the current and the next sample marked. Click a row to step that sample next."""

    def __init__(self) -> None:
        super().__init__("stepSamplesTable", ["", "sample"], (0, 1))
        self.setToolTip("Click a row to step that sample next")
        self.dirty = True  # the predictions must be computed again (new weights, digits)
        self._predictions: list[str] = []
        self._marks: dict[int, str] = {}  # rows marked as current / next
        self._mono = QFont()
        self._filled_with: Dataset | None = None  # the data set whose rows are listed

    def set_mono(self, font: QFont, row_height: int) -> None:
        super().set_mono(font, row_height)
        self._mono = QFont(font)
        self.dirty = True

    def fill(self, d: Dataset) -> None:
        """One row per data row (up to MAX_SAMPLE_ROWS): number, features, target. The same
        data set again (a reset) keeps its rows: only the predictions are computed again."""
        if d is self._filled_with:
            self.dirty = True
            return
        self._filled_with = d
        n_in = d.X_train.shape[1]
        names = list(d.feature_names) or [f"x{i + 1}" for i in range(n_in)]
        shown = names[:MAX_FEATURE_COLUMNS] + (["…"] if n_in > MAX_FEATURE_COLUMNS else [])
        headers = ["", "sample", *shown, "target", "prediction"]
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        n = min(len(d.X_train), MAX_SAMPLE_ROWS)
        self.setRowCount(n)
        for r in range(n):
            x = d.X_train[r]
            cells = ["", str(r + 1), *(f"{v:.4g}" for v in x[:MAX_FEATURE_COLUMNS])]
            if n_in > MAX_FEATURE_COLUMNS:
                cells.append("…")
            cells.append(_target_text(d.Y_train[r], d.class_names))
            cells.append("")
            for col, cell in enumerate(cells):
                self.setItem(r, col, QTableWidgetItem(cell))
        self.fitter.fit()
        self._marks = {}
        self.dirty = True

    def data_row(self, row: int) -> int | None:
        """The data row (0-based) shown in table row ``row``."""
        item = self.item(row, 1)
        return None if item is None else int(item.text()) - 1  # the table numbers from 1

    def refresh(self, outputs, class_names: Sequence[str], digits: int, current: int | None,
                nxt: int | None, secret: bool, theme: Theme) -> None:
        """Predictions (``outputs()``: the shown weights' outputs for the listed rows, called
        only when they are dirty) and the current / next markers; ``secret``: the current row's
        prediction is not revealed yet."""
        n = self.rowCount()
        if n == 0:
            return
        cols = self.columnCount()
        touch = set(self._marks)
        if self.dirty or len(self._predictions) != n:
            out = outputs(n)
            p = min(digits, 4)
            self._predictions = [_prediction_text(out[r], class_names, p) for r in range(n)]
            self.dirty = False
            touch = set(range(n))
        marks = {r: tag for r, tag in ((nxt, "next"), (current, "●")) if r is not None and r < n}
        mark = QBrush(QColor(theme.highlight))
        plain = QBrush()
        bold = QFont(self._mono)
        bold.setBold(True)
        # Only the rows whose marks change: a long table costs nothing per step.
        for r in sorted(touch | set(marks)):
            hide = secret and r == current
            self.item(r, cols - 1).setText("?" if hide else self._predictions[r])
            tag = marks.get(r, "")
            self.item(r, 0).setText(tag)
            self.item(r, 0).setForeground(mark if tag else plain)
            for col in range(1, cols):
                self.item(r, col).setFont(bold if r == current else self._mono)
        self._marks = marks
        focus = current if current is not None else nxt
        if focus is not None and focus < n:
            self.scrollToItem(self.item(focus, 1), QAbstractItemView.ScrollHint.EnsureVisible)


def _target_text(y: np.ndarray, classes: Sequence[str]) -> str:
    y = np.ravel(y)
    if y.size == 1:
        return f"{float(y[0]):g}"
    if np.all((y == 0) | (y == 1)) and y.sum() == 1:
        k = int(np.argmax(y))
        return classes[k] if k < len(classes) else str(k)
    return ", ".join(f"{v:g}" for v in y)


def _prediction_text(out: np.ndarray, classes: Sequence[str], p: int) -> str:
    out = np.ravel(out)
    if out.size == 1:
        return fmt(out[0], p)
    k = int(np.argmax(out))
    name = classes[k] if k < len(classes) else str(k)
    return f"{name} ({fmt(out[k], p)})"
