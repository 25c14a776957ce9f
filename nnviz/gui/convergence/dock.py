"""The Convergence dock in the main window: installing it, showing it, its default place."""

from __future__ import annotations

import functools

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QDockWidget

from nnviz.gui.convergence.panel import ConvergencePanel
from nnviz.gui.convergence.worker import stop_on_destroyed


def install(window) -> ConvergencePanel:  # noqa: ANN001 (MainWindow; imported lazily by it)
    """Add the Convergence dock (hidden, bottom area), its action (Ctrl+K) and menu entries."""
    panel = ConvergencePanel(window)
    dock = window.add_dock("convergence", "Convergence explorer", panel,
                           Qt.DockWidgetArea.BottomDockWidgetArea)
    dock.hide()
    window.installEventFilter(panel)
    # The window's destruction stops the thread too, through a plain function (no lambda, no
    # reference to the panel, which is destroyed with the window).
    window.destroyed.connect(functools.partial(stop_on_destroyed, panel.thread, panel.worker))
    action = window.add_action("actionConvergence", "Convergence explorer...", "Ctrl+K",
                               functools.partial(show_dock, window),
                               tip="How often and how fast do random starts converge?")
    view = window.menus.get("view")
    if view is not None:
        view.addSeparator()
        view.addAction(action)
    restore = window.actions_by_name.get("actionRestoreLayout")
    if restore is not None:
        # the window's default layout shows every dock on the right: put this one back
        restore.triggered.connect(functools.partial(_default_place, window))
    return panel


def show_dock(window, *_args: object) -> QDockWidget:  # noqa: ANN001
    """Show and raise the Convergence dock.

    The first time in a session it opens floating, as a wide window over the lower part of the
    main window: docked at the bottom it would get only what the full-height side docks leave
    (about 200 px at 900 px), too little for its plots. The user may dock it (double-click its
    title); from then on it is only shown and raised.
    """
    dock: QDockWidget = window.docks["convergence"]
    if not dock.property("nnvizPlaced") and not dock.isVisible():
        dock.setProperty("nnvizPlaced", True)
        dock.setFloating(True)
        dock.setGeometry(_floating_geometry(window))
    dock.show()
    dock.raise_()
    dock.activateWindow()
    return dock


def _floating_geometry(window) -> QRect:  # noqa: ANN001
    frame = window.frameGeometry()
    screen = window.screen().availableGeometry() if window.screen() else frame
    w = min(max(frame.width(), 900), 1500, screen.width())
    h = min(max(460, int(frame.height() * 0.6)), 640, screen.height())
    x = frame.x() + (frame.width() - w) // 2
    y = frame.bottom() - h - 30
    x = max(screen.left(), min(x, screen.right() - w))
    y = max(screen.top(), min(y, screen.bottom() - h))
    return QRect(x, y, w, h)


def _default_place(window, *_args: object) -> None:  # noqa: ANN001
    """After the window's "Restore layout": docked at the bottom, hidden, floating next time."""
    dock = window.docks["convergence"]
    dock.setFloating(False)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    dock.setProperty("nnvizPlaced", False)
