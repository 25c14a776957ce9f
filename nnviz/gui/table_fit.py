"""Tables that show every column without sideways scrolling.

A value cut off at the right edge ("0.0" of "0.0034") is worse than no value. The fitter sizes
the columns to their contents and, when they are wider than the table, shrinks the widest
text columns (their text elided in the middle, whole in the tooltip) while the columns it is
told to keep (the numbers) stay whole; a kept column whose header is wider than its numbers
gives up the header's width first (the header elided). Only when the numbers alone are wider
than the table does it scroll sideways (README "Single-step backpropagation").
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QHeaderView, QTableView


class ColumnFitter(QObject):
    """Keeps ``table``'s columns inside its width; ``keep`` columns are never shrunk."""

    def __init__(self, table: QTableView, keep: Iterable[int] = (),
                 follow_model: bool = False) -> None:
        """follow_model: measure again whenever the model's rows or cells change (for tables
        whose owner does not call ``fit`` itself)."""
        # owned by the viewport it watches: it never outlives it
        super().__init__(table.viewport())
        self.table = table
        self._viewport = table.viewport()
        self.keep = set(keep)
        self._natural: list[int] = []
        self._cells: list[int] = []
        self._fit_due = False
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.horizontalHeader().setStretchLastSection(False)
        self._viewport.installEventFilter(self)
        if follow_model and table.model() is not None:
            model = table.model()
            for signal in (model.dataChanged, model.modelReset, model.rowsInserted,
                           model.layoutChanged):
                signal.connect(self._schedule_fit)

    def _schedule_fit(self, *_args: object) -> None:
        # one measurement after a burst of changes (a job fills many cells at once)
        if not self._fit_due:
            self._fit_due = True
            QTimer.singleShot(0, self, self._scheduled_fit)

    def _scheduled_fit(self) -> None:
        self._fit_due = False
        if shiboken6.isValid(self.table):
            self.fit()

    def detach(self) -> None:
        """Stop fitting (the table's columns stay as they are) and go away."""
        self._viewport.removeEventFilter(self)
        model = self.table.model()
        if model is not None:
            for signal in (model.dataChanged, model.modelReset, model.rowsInserted,
                           model.layoutChanged):
                try:
                    signal.disconnect(self._schedule_fit)
                except (RuntimeError, TypeError):
                    pass  # never connected (follow_model was off)
        self.deleteLater()

    def fit(self) -> None:
        """Measure the contents again and fit the columns to the width."""
        t = self.table
        t.resizeColumnsToContents()
        count = t.horizontalHeader().count()
        self._natural = [t.columnWidth(c) for c in range(count)]
        # a kept column's numbers without its header: what it may shrink to when the header
        # alone makes it too wide (the header is then elided, its text in the tooltip)
        self._cells = [max(t.sizeHintForColumn(c), self._min_width(c)) for c in range(count)]
        self._apply()

    def _min_width(self, col: int) -> int:
        fm = QFontMetricsF(self.table.font())
        return int(fm.horizontalAdvance("0" * 6) + 10)

    def _apply(self) -> None:
        t = self.table
        widths = list(self._natural)
        if not widths or len(widths) != t.horizontalHeader().count():
            return
        avail = t.viewport().width()
        excess = sum(widths) - avail
        shrinkable = [c for c in range(len(widths)) if c not in self.keep]
        while excess > 0 and shrinkable:
            # shave the widest shrinkable column down towards the next widest
            shrinkable.sort(key=lambda c: -widths[c])
            c = shrinkable[0]
            floor = self._min_width(c)
            if widths[c] <= floor:
                shrinkable.pop(0)
                continue
            second = widths[shrinkable[1]] if len(shrinkable) > 1 else floor
            cut = min(excess, max(1, widths[c] - max(second, floor)), widths[c] - floor)
            widths[c] -= cut
            excess -= cut
        kept = [c for c in self.keep if c < len(widths)]
        slack = {c: max(0, widths[c] - self._cells[c]) for c in kept}
        total = sum(slack.values())
        if excess > 0 and total:
            # every kept header gives up the same share of its spare width
            share = min(1.0, excess / total)
            for c in kept:
                cut = min(slack[c], math.ceil(slack[c] * share))
                widths[c] -= cut
                excess -= cut
        # Numbers are never elided: when even they do not fit, the table scrolls sideways.
        t.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded if excess > 0
                                       else Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        if excess < 0:
            widths[-1] -= excess  # the rest of the width goes to the last column
        t.horizontalHeader().blockSignals(True)
        for c, w in enumerate(widths):
            t.setColumnWidth(c, max(1, int(w)))
        t.horizontalHeader().blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self._apply()
        return False


def squeeze_columns(table: QTableView, on: bool) -> None:
    """While ``on``, ``table``'s columns fit its width with no sideways scrolling: the columns
    its owner lists in the ``nnvizNumberColumns`` property stay whole, the text columns shrink
    (elided in the middle, whole in the tooltip); off puts back the header's own resize modes."""
    header = table.horizontalHeader()
    saved = table.property("nnviz_column_modes")
    if on:
        if saved is None:
            modes = [header.sectionResizeMode(c).value for c in range(header.count())]
            table.setProperty("nnviz_column_modes", ",".join(map(str, modes)))
            table.setProperty("nnviz_hbar", table.horizontalScrollBarPolicy().value)
            table.setProperty("nnviz_min_section", header.minimumSectionSize())
            table.setProperty("nnviz_stretch_last", header.stretchLastSection())
            # narrow enough that the text columns always fit (their text is elided instead)
            header.setMinimumSectionSize(int(QFontMetricsF(table.font()).horizontalAdvance("000")))
            header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            keep = [int(c) for c in (table.property("nnvizNumberColumns") or [])]
            fitter = ColumnFitter(table, keep, follow_model=True)
            fitter.setObjectName("nnvizSqueezeFitter")
        fitter = table.viewport().findChild(ColumnFitter, "nnvizSqueezeFitter")
        if fitter is not None:
            fitter.fit()
    elif saved is not None:
        fitter = table.viewport().findChild(ColumnFitter, "nnvizSqueezeFitter")
        if fitter is not None:
            fitter.setObjectName("")
            fitter.detach()
        modes = [int(m) for m in str(saved).split(",") if m]
        for c, mode in enumerate(modes[: header.count()]):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode(mode))
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy(int(table.property("nnviz_hbar"))))
        header.setMinimumSectionSize(int(table.property("nnviz_min_section")))
        header.setStretchLastSection(bool(table.property("nnviz_stretch_last")))
        table.setProperty("nnviz_column_modes", None)
