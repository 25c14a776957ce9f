"""The shortcut sheet (F1): every action's keys, grouped by the menu that holds it.

Filled from ``window.actions_by_name`` and the menu bar each time it is shown, so features
installed later and shortcuts changed at run time are listed as they are (README, "Keyboard").
"""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

#: What the mouse does in the network view, for the cheat sheet (no QAction carries these).
MOUSE_ROWS: tuple[tuple[str, str], ...] = (
    ("Hover", "Exact values of a node, edge or bias"),
    ("Click an edge", "Edit that weight"),
    ("Click a bias square", "Edit that bias and its layer's bias mode"),
    ("Click a node", "Select it"),
)



def _plain(text: str) -> str:
    """Menu text without mnemonics: '&File' -> 'File' ('&&' stays a literal '&')."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shortcut_text(action: QAction) -> str:
    keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()]
    return ", ".join(k for k in keys if k)


def _menu_actions(menu: QMenu, path: str) -> Iterator[tuple[str, QAction]]:
    for action in menu.actions():
        sub = action.menu()
        if sub is not None:
            yield from _menu_actions(sub, f"{path} \u203a {_plain(sub.title())}")
        elif not action.isSeparator():
            yield path, action


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str, str, str]]:
    """(group, command, keys, description) for every action in ``window.actions_by_name``,
    grouped by the menu that holds it (menu order), the rest under "Other"."""
    where: dict[int, tuple[str, int]] = {}
    order = 0
    groups: list[str] = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if menu is None:
            continue
        for path, action in _menu_actions(menu, _plain(menu.title())):
            if id(action) not in where:
                where[id(action)] = (path, order)
                order += 1
                if path not in groups:
                    groups.append(path)
    rows: list[tuple[int, int, str, str, str, str]] = []
    for n, action in enumerate(window.actions_by_name.values()):
        path, pos = where.get(id(action), ("Other", order + n))
        text = _plain(action.text()).rstrip(".\u2026 ")
        tip = action.statusTip()
        desc = tip if tip and tip.rstrip(".\u2026 ") != text else ""
        gi = groups.index(path) if path in groups else len(groups)
        rows.append((gi, pos, path, text, shortcut_text(action), desc))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [(path, text, keys, desc) for _, _, path, text, keys, desc in rows]


class ShortcutsDialog(QDialog):
    """Non-modal cheat sheet, refilled every time it is shown."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.setModal(False)
        self._window = window
        self.tree = QTreeWidget()
        self.tree.setObjectName("shortcutsTree")
        self.tree.setAccessibleName("Keyboard shortcuts")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Keys", "Command", "What it does"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree)
        layout.addWidget(buttons)

    def refill(self) -> None:
        self.tree.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        current: QTreeWidgetItem | None = None
        last_group = None
        rows = shortcut_rows(self._window)
        rows += [("Mouse (network view)", what, "", desc) for what, desc in MOUSE_ROWS]
        for group, text, keys, desc in rows:
            if group != last_group:
                current = QTreeWidgetItem(self.tree, [group])
                current.setFirstColumnSpanned(True)
                current.setFont(0, bold)
                last_group = group
            item = QTreeWidgetItem(current, [keys or "\u2014", text, desc])
            if group.startswith("Mouse"):  # the gesture goes where the keys go
                item.setText(0, text)
                item.setText(1, "")
            item.setFont(0, bold)
        self.tree.expandAll()
        for col in range(3):
            self.tree.resizeColumnToContents(col)
        screen = self._window.screen().availableGeometry()
        width = sum(self.tree.columnWidth(c) for c in range(3)) + 60
        row_h = max(self.tree.sizeHintForRow(0), self.fontMetrics().height() + 6)
        lines = len(rows) + len({r[0] for r in rows}) + 1  # rows, group titles, header
        height = lines * row_h + 90
        self.resize(min(width, int(screen.width() * 0.9)), min(height, int(screen.height() * 0.9)))

    def rows_text(self) -> list[str]:
        """Every line of the sheet as "group | keys | command" (for tests and scripts)."""
        out = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for r in range(group.childCount()):
                item = group.child(r)
                out.append(f"{group.text(0)} | {item.text(0)} | {item.text(1)}")
        return out

