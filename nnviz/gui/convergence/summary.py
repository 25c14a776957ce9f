"""The convergence explorer's summary: one row per configuration of the job."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from nnviz.core.convergence import ConvergenceResult
from nnviz.gui.convergence.text import DIAGNOSIS_HELP, diagnosis_counts, fmt_epochs


class SummaryTable(QTableWidget):
    """Per configuration: fraction converged, median and 90th percentile epochs to converge, and
    why the other runs did not converge (the diagnoses' help in the tooltip). Rows keep their
    configuration's colour, set by ``set_colours``."""

    HEADERS = ("Configuration", "Converged", "Median", "90th pct", "Not converged because")

    def __init__(self) -> None:
        super().__init__(0, len(self.HEADERS))
        self.setObjectName("convergenceSummary")
        self.setAccessibleName("Summary per configuration")
        self.setHorizontalHeaderLabels(list(self.HEADERS))
        for c, text in enumerate(self.HEADERS):
            self.horizontalHeaderItem(c).setToolTip(text)  # whole where a narrow table elides it
        # squeezed into a narrow dock (presentation), these stay whole; the text columns shrink
        self.setProperty("nnvizNumberColumns", [1, 2, 3])
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        for c in range(4):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self._labels: list[str] = []
        self._tooltips: list[str] = []
        self._colours: list[QColor] = []

    def start(self, labels: list[str], tooltips: list[str]) -> None:
        """A new job: one waiting row per configuration, named ``labels[i]`` (``tooltips[i]``
        on hover)."""
        self._labels, self._tooltips = labels, tooltips
        self.setRowCount(len(labels))
        for i in range(len(labels)):
            self._set_row(i, "waiting", "", "", "")
        self.fit()

    def show_progress(self, row: int, fraction: float, epoch: int, epochs: int) -> None:
        self._set_row(row, f"{100 * fraction:.0f}% so far", "", "",
                      f"running: epoch {epoch:,} of {epochs:,}")

    def show_result(self, row: int, res: ConvergenceResult) -> None:
        k = int(np.count_nonzero(res.converged))
        counts = diagnosis_counts(res)
        why = ", ".join(f"{n} {name}" for name, n in counts.items())
        if res.cancelled:
            why = (why + "; " if why else "") + f"cancelled at epoch {res.epochs_run:,}"
        self._set_row(
            row, f"{100 * res.fraction_converged:.0f}% ({k}/{res.n_runs})",
            fmt_epochs(res.median_epochs), fmt_epochs(res.p90_epochs), why or "—",
            tips=[DIAGNOSIS_HELP.get(name, "") for name in counts])

    def set_colours(self, colours: list[QColor]) -> None:
        """The configurations' colours, in job order (the list repeats for more rows)."""
        self._colours = colours
        for row in range(self.rowCount()):
            self._colour_row(row)

    def fit(self) -> None:
        """As tall as its rows (plots get the rest), scrolling only when the panel is short."""
        self.resizeRowsToContents()
        h = (self.horizontalHeader().sizeHint().height() + self.verticalHeader().length()
             + 2 * self.frameWidth() + self.horizontalScrollBar().sizeHint().height() // 2)
        self.setMaximumHeight(h)
        self.setMinimumHeight(min(h, 70))

    def _set_row(self, row: int, conv: str, median: str, p90: str, why: str,
                 tips: list[str] | None = None) -> None:
        cells = (self._labels[row], conv, median, p90, why)
        for col, text in enumerate(cells):
            item = self.item(row, col)
            if item is None:
                item = QTableWidgetItem()
                self.setItem(row, col, item)
            item.setText(text)
            if 1 <= col <= 3:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.item(row, 0).setToolTip(self._tooltips[row])
        why_item = self.item(row, 4)
        why_item.setToolTip("\n".join(t for t in (tips or []) if t))
        self._colour_row(row)

    def _colour_row(self, row: int) -> None:
        item = self.item(row, 0)
        if item is not None and self._colours:
            item.setData(Qt.ItemDataRole.DecorationRole, self._colours[row % len(self._colours)])
