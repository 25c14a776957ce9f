"""Where the optional view docks (Landscape, Weights) appear when first shown.

Stacked into the right column they would squeeze the loss plot and the decision boundary to a
few rows each (in presentation mode to nothing), so the first time one is shown it becomes a tab
beside the decision boundary; from then on it stays where the user put it.
"""

from __future__ import annotations

import functools

from PySide6.QtWidgets import QDockWidget, QMainWindow

PLACED = "nnvizPlaced"


def show_tabbed(window: QMainWindow, key: str) -> QDockWidget:
    """Show and raise dock ``key``, as a tab beside the decision boundary the first time."""
    dock: QDockWidget = window.docks[key]
    if not dock.property(PLACED):
        dock.setProperty(PLACED, True)
        beside = window.docks.get("boundary")
        if beside is not None and beside is not dock and not beside.isFloating() \
                and not dock.isFloating():
            window.tabifyDockWidget(beside, dock)
    dock.show()
    dock.raise_()
    return dock


def follow_restore_layout(window: QMainWindow, key: str) -> None:
    """View > Restore layout shows every dock in the right column: this one goes back to hidden,
    to become a tab again when next shown."""
    restore = window.actions_by_name.get("actionRestoreLayout")
    if restore is not None:
        restore.triggered.connect(functools.partial(_hide, window, key))


def _hide(window: QMainWindow, key: str, *_args: object) -> None:
    dock = window.docks[key]
    dock.hide()
    dock.setProperty(PLACED, False)
