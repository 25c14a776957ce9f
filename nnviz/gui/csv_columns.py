"""The CSV dialog's list of columns: which are features, which is the target."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

__all__ = ["FeatureColumns"]


class FeatureColumns(QAbstractListModel):
    """Every column with a check box: the one owner of which columns are features. A model,
    not one widget item per column, so a file with 10,000 columns lists (and counts) its
    choices at array speed."""

    toggled = Signal()  # the user ticked or cleared a box

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.checked = np.zeros(0, bool)
        self.target = -1

    def set_columns(self, names: list[str], checked: np.ndarray, target: int) -> None:
        self.beginResetModel()
        self.names, self.checked, self.target = list(names), checked.astype(bool), target
        self.endResetModel()

    def set_target(self, target: int) -> None:
        old, self.target = self.target, target
        for j in (old, target):
            if 0 <= j < len(self.names):
                self.dataChanged.emit(self.index(j), self.index(j))

    def set_checked(self, checked: np.ndarray) -> None:
        self.checked = checked.astype(bool)
        if self.names:
            self.dataChanged.emit(self.index(0), self.index(len(self.names) - 1))

    def features(self) -> list[int]:
        return [int(j) for j in np.flatnonzero(self.checked) if j != self.target]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.names)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        j = index.row()
        if not index.isValid() or not 0 <= j < len(self.names):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.names[j]
        if role == Qt.ItemDataRole.CheckStateRole:
            on = bool(self.checked[j]) and j != self.target
            return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return "the target" if j == self.target else None
        if role == Qt.ItemDataRole.UserRole:
            return j
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable
        return base if index.row() == self.target else base | Qt.ItemFlag.ItemIsEnabled

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        self.checked[index.row()] = on
        self.dataChanged.emit(index, index, [role])
        self.toggled.emit()
        return True
