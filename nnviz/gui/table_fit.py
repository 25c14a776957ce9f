"""Tables that show every column without sideways scrolling.

A value cut off at the right edge ("0.0" of "0.0034") is worse than no value. The fitter sizes
the columns to their contents and, when they are wider than the table, shrinks the widest
text columns (their text elided in the middle, whole in the tooltip) while the columns it is
told to keep (the numbers) stay whole (README "Single-step backpropagation").
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QHeaderView, QTableView, QTableWidget


class ColumnFitter(QObject):
    """Keeps ``table``'s columns inside its width; ``keep`` columns are never shrunk."""

    def __init__(self, table: QTableWidget, keep: Iterable[int] = ()) -> None:
        # owned by the viewport it watches: it never outlives it
        super().__init__(table.viewport())
        self.table = table
        self._viewport = table.viewport()
        self.keep = set(keep)
        self._natural: list[int] = []
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        table.horizontalHeader().setStretchLastSection(False)
        self._viewport.installEventFilter(self)

    def fit(self) -> None:
        """Measure the contents again and fit the columns to the width."""
        t = self.table
        t.resizeColumnsToContents()
        self._natural = [t.columnWidth(c) for c in range(t.columnCount())]
        self._apply()

    def _min_width(self, col: int) -> int:
        fm = QFontMetricsF(self.table.font())
        return int(fm.horizontalAdvance("0" * 6) + 10)

    def _apply(self) -> None:
        t = self.table
        widths = list(self._natural)
        if not widths or len(widths) != t.columnCount():
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
    """While ``on``, every column of ``table`` shares its width (text elided in the middle, no
    sideways scrolling); off puts back the header's own resize modes."""
    header = table.horizontalHeader()
    saved = table.property("nnviz_column_modes")
    if on:
        if saved is None:
            modes = [header.sectionResizeMode(c).value for c in range(header.count())]
            table.setProperty("nnviz_column_modes", ",".join(map(str, modes)))
            table.setProperty("nnviz_hbar", table.horizontalScrollBarPolicy().value)
            table.setProperty("nnviz_min_section", header.minimumSectionSize())
            table.setProperty("nnviz_stretch_last", header.stretchLastSection())
        header.setStretchLastSection(False)
        # narrow enough that the columns always fit (their text is elided instead)
        header.setMinimumSectionSize(int(QFontMetricsF(table.font()).horizontalAdvance("000")))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    elif saved is not None:
        modes = [int(m) for m in str(saved).split(",") if m]
        for c, mode in enumerate(modes[: header.count()]):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode(mode))
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy(int(table.property("nnviz_hbar"))))
        header.setMinimumSectionSize(int(table.property("nnviz_min_section")))
        header.setStretchLastSection(bool(table.property("nnviz_stretch_last")))
        table.setProperty("nnviz_column_modes", None)
