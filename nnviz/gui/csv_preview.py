"""The CSV dialog's preview: the file's first rows, row labels its line numbers, each column
tinted by its role (target, feature, not used) and the line an error names marked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from nnviz.gui import theme

__all__ = ["ERROR_TINT", "PREVIEW_COLUMNS", "PREVIEW_ROWS", "TARGET_TINT", "CsvPreview"]

PREVIEW_ROWS = 50
PREVIEW_COLUMNS = 200  # a wide file's preview shows these; the feature list has every column
TARGET_TINT = QColor(*theme.CSV_TARGET_TINT)  # the colour-blind safe blue, faint
ERROR_TINT = QColor(*theme.CSV_ERROR_TINT)
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class CsvPreview(QTableWidget):
    """At most PREVIEW_ROWS rows and PREVIEW_COLUMNS columns of a table's cells.

    It remembers how it styled its cells, so a new choice restyles only the columns whose role
    changed (a 200-column preview holds 10,000 cells; restyling them all made every tick of a
    box slow)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("csvPreview")
        self.setAccessibleName("Preview of the file")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().setToolTip("Line numbers of the file")
        # (error line, role of each column) as the cells were last styled
        self._styled: tuple[int | None, list[str]] = (None, [])

    def show_rows(self, rows: list[tuple[int, list[str]]], names: list[str]) -> tuple[int, int]:
        """Show the first rows (line number, cells) under these column names; returns (rows
        shown, columns the shown rows have) so the caller can say what is left out."""
        self._styled = (None, [])  # new cells: style them all
        shown = rows[:PREVIEW_ROWS]
        full = max([len(names), *(len(cells) for _, cells in shown)])
        width = min(full, PREVIEW_COLUMNS)
        names = names[:width] + [f"column {j + 1}" for j in range(len(names), width)]
        self.clear()
        self.setColumnCount(width)
        self.setRowCount(len(shown))
        self.setHorizontalHeaderLabels(names)
        self.setVerticalHeaderLabels([str(line) for line, _ in shown])
        for r, (_line, cells) in enumerate(shown):
            for j, cell in enumerate(cells[:width]):
                item = QTableWidgetItem(cell)
                if _is_number(cell):
                    item.setTextAlignment(RIGHT)
                self.setItem(r, j, item)
        self.resizeColumnsToContents()
        return len(shown), full

    def restyle(self, target: int, features: set[int], bad_line: int | None) -> None:
        """Tint the target column, grey out unused columns, mark the line an error names."""
        grey = self.palette().color(self.palette().ColorRole.PlaceholderText)
        roles = ["target" if c == target else "feature" if c in features else "not used"
                 for c in range(self.columnCount())]
        before = self._styled[1] if self._styled[0] == bad_line else []
        changed = [c for c, role in enumerate(roles) if c >= len(before) or before[c] != role]
        self._styled = (bad_line, roles)
        for c in changed:
            head = self.horizontalHeaderItem(c)
            if head is not None:
                font = QFont(head.font())
                font.setBold(c == target)
                head.setFont(font)
                head.setToolTip(roles[c])
        for r in range(self.rowCount()):
            label = self.verticalHeaderItem(r)
            line = int(label.text()) if label is not None else -1
            for c in changed:
                item = self.item(r, c)
                if item is None:
                    continue
                if line == bad_line:
                    item.setBackground(QBrush(ERROR_TINT))
                elif c == target:
                    item.setBackground(QBrush(TARGET_TINT))
                else:
                    item.setBackground(QBrush())
                item.setForeground(QBrush() if c == target or c in features else QBrush(grey))
        if bad_line is not None:
            for r in range(self.rowCount()):
                label = self.verticalHeaderItem(r)
                item = self.item(r, 0)
                if label is not None and label.text() == str(bad_line) and item is not None:
                    self.scrollToItem(item)
                    break


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", "."))
    except ValueError:
        return False
    return True
