"""The convergence explorer's runs table: one row per run of every finished configuration."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from nnviz.core.convergence import DIAGNOSES, ConvergenceResult
from nnviz.gui.convergence.text import DIAGNOSIS_HELP, STILL_FALLING, diagnosis_name


class RunTableModel(QAbstractTableModel):
    """One row per run of every finished configuration; sorted with NumPy, read from the result
    arrays on demand (thousands of runs cost no Python objects per row)."""

    COLUMNS = ("Configuration", "Run", "Seed", "Converged at", "Diagnosis", "Final loss",
               "Accuracy")
    DIAGNOSIS_COLUMN = 4
    #: Whole even where the table is squeezed (presentation): the text columns shrink instead.
    NUMBER_COLUMNS = (1, 2, 3, 5, 6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.results: dict[int, ConvergenceResult] = {}
        self.labels: list[str] = []
        self.colours: list[QColor] = []
        self._cfg = np.zeros(0, np.intp)
        self._run = np.zeros(0, np.intp)
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)

    def clear(self) -> None:
        self.beginResetModel()
        self.results = {}
        self._cfg = np.zeros(0, np.intp)
        self._run = np.zeros(0, np.intp)
        self.endResetModel()

    def add_result(self, index: int, result: ConvergenceResult) -> None:
        self.layoutAboutToBeChanged.emit()
        self.results[index] = result
        n = result.n_runs
        self._cfg = np.concatenate([self._cfg, np.full(n, index, np.intp)])
        self._run = np.concatenate([self._run, np.arange(n, dtype=np.intp)])
        self._order(*self._sort)
        self.layoutChanged.emit()

    def set_colours(self, colours: list[QColor]) -> None:
        self.colours = colours
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, 0))

    def run_at(self, row: int) -> tuple[int, int]:
        """(configuration index, run) shown in ``row``."""
        return int(self._cfg[row]), int(self._run[row])

    def row_of(self, config_index: int, run: int) -> int:
        hits = np.nonzero((self._cfg == config_index) & (self._run == run))[0]
        if not len(hits):
            raise KeyError(f"no run {run} of configuration {config_index} in the table")
        return int(hits[0])

    # ---- Qt model interface
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._cfg)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role in (Qt.ItemDataRole.DisplayRole,
                                                                 Qt.ItemDataRole.ToolTipRole):
            return self.COLUMNS[section]  # the tooltip: whole where a narrow table elides it
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        ci, r = self.run_at(index.row())
        res = self.results[ci]
        col = index.column()
        conv = bool(res.converged[r])
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return self.labels[ci] if ci < len(self.labels) else res.config.label
            if col == 1:
                return str(r)
            if col == 2:
                return str(int(res.seeds[r]))
            if col == 3:
                return f"{int(res.epochs[r]):,}" if conv else "—"
            if col == 4:
                return "" if conv else diagnosis_name(res.diagnosis[r])
            if col == 5:
                x = float(res.final_loss[r])
                return f"{x:.4g}" if math.isfinite(x) else "—"
            a = float(res.final_accuracy[r])
            return f"{100 * a:.0f}%" if math.isfinite(a) else "—"
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and ci < len(self.colours):
            return self.colours[ci]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3, 5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 4 and not conv:
                return DIAGNOSIS_HELP.get(diagnosis_name(res.diagnosis[r]))
            if col == 0:
                return f"{res.config.label}\nDouble-click to open this run in the main window"
            return "Double-click to load this run's initial weights into the main window"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._order(column, order)
        self.layoutChanged.emit()

    def _key(self, column: int) -> np.ndarray:
        n = len(self._cfg)
        key = np.zeros(n)
        for ci, res in self.results.items():
            rows = np.nonzero(self._cfg == ci)[0]
            runs = self._run[rows]
            if column == 2:
                key[rows] = res.seeds[runs]
            elif column == 3:  # not converged after every converged run
                key[rows] = np.where(res.converged[runs], res.epochs[runs], np.inf)
            elif column == 5:
                key[rows] = np.nan_to_num(res.final_loss[runs], nan=np.inf)
            elif column == 6:
                key[rows] = np.nan_to_num(res.final_accuracy[runs], nan=-np.inf)
            elif column == 4:  # converged, then the diagnoses in the core's order
                names = ("", *DIAGNOSES, STILL_FALLING)
                key[rows] = [
                    0 if res.converged[r] else names.index(diagnosis_name(res.diagnosis[r]))
                    for r in runs
                ]
        return key

    def _order(self, column: int, order: Qt.SortOrder) -> None:
        if column < 0 or not len(self._cfg):
            perm = np.lexsort((self._run, self._cfg))
        elif column == 0:
            perm = np.lexsort((self._run, self._cfg))
        elif column == 1:
            perm = np.lexsort((self._cfg, self._run))
        else:
            perm = np.lexsort((self._run, self._cfg, self._key(column)))
        if column >= 0 and order == Qt.SortOrder.DescendingOrder:
            perm = perm[::-1]
        self._cfg, self._run = self._cfg[perm], self._run[perm]
