"""The stage layout of presentation mode: the network view large, one focused panel beside it.

Squeezing every dock around the network view at projector sizes leaves each too small to read
(README "Classroom"). On the stage the network view keeps most of the window and exactly one
panel sits on its right, the one that follows the work:

- ``"step"``: the Step panel, while single-stepping;
- ``"training"``: the loss plot above the decision boundary, while training;
- ``"explorer"``: the convergence explorer, while it is open.

The focus switches by itself (stepping, Play, opening the explorer) and by F6
(``actionStageNext``). Outside presentation mode the stage does nothing: the docks keep the
user's layout, which the classroom restores when presentation ends.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QTableView

from nnviz.gui.features import NoViewState
from nnviz.gui.table_fit import squeeze_columns

FOCI: tuple[str, ...] = ("step", "training", "explorer")
#: Docks (MainWindow.docks keys) shown for each focus, top to bottom.
FOCUS_DOCKS: dict[str, tuple[str, ...]] = {
    "step": ("step",),
    "training": ("loss", "boundary"),
    "explorer": ("convergence",),
}
#: Optional docks that join the training panel as tabs beside the decision boundary while
#: they are open (their own actions open them; another focus closes them).
TRAINING_TABS: tuple[str, ...] = ("landscape", "weights", "fit")
#: Share of the window width the focused panel takes; the network view keeps the rest.
FOCUS_WIDTH: dict[str, float] = {"step": 0.5, "training": 0.48, "explorer": 0.6}
#: Least size of a plot's drawing area (pixels) in every mode: in the normal dock layout at
#: 1280x720 the plots keep at least this much instead of being squeezed flat.
MIN_PLOT_SIZE = (220, 160)
#: Heights of the explorer's form, plots and runs table, stacked beside the network view.
EXPLORER_SHARES = (0.16, 0.6, 0.24)
FOCUS_TITLES = {"step": "Step panel", "training": "Loss and decision boundary",
                "explorer": "Convergence explorer"}


class Stage(QObject, NoViewState):
    """Which panel is beside the network view in presentation mode; the window's
    ``features["stage"]``."""

    focusChanged = Signal(str)

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self.focus = "training"
        self._arranging = False
        self._queued = False
        self._action = window.add_action(
            "actionStageNext", "Next panel beside the network", "F6", self.next_focus,
            tip="Presentation mode: show the next panel beside the network view "
                "(step, training, explorer)")
        window.menus["view"].addAction(self._action)
        c = window.controller
        c.playingChanged.connect(self._on_playing)
        c.networkRebuilt.connect(self._queue_arrange)
        panel = window.features.get("step_panel")
        if panel is not None:
            panel.activeChanged.connect(self._on_stepping)
        explorer = window.docks.get("convergence")
        if explorer is not None:
            explorer.visibilityChanged.connect(self._on_explorer_visible)
        for key in TRAINING_TABS:
            dock = window.docks.get(key)
            if dock is not None:
                dock.visibilityChanged.connect(self._on_tab_visible)
        for view in (window.loss_plot, window.boundary_view):
            view.plot_widget.setMinimumSize(*MIN_PLOT_SIZE)

    # ---- state ------------------------------------------------------------------------------
    def available(self) -> list[str]:
        """The foci whose docks this window has, in F6 order."""
        return [f for f in FOCI if any(k in self.window.docks for k in FOCUS_DOCKS[f])]

    def shown_docks(self) -> list[QDockWidget]:
        """The docks the current focus shows (those the lesson or the data do not rule out)."""
        w = self.window
        hidden = set()
        classroom = w.features.get("classroom")
        if classroom is not None:
            hidden = {k.partition(":")[2] for k in classroom.hidden_items()
                      if k.startswith("dock:")}
        out = []
        for key in FOCUS_DOCKS[self.focus]:
            dock = w.docks.get(key)
            if dock is None or key in hidden:
                continue
            if key == "boundary" and not w.controller.dataset.is_2d:
                continue
            out.append(dock)
        return out

    def set_focus(self, name: str) -> None:
        """Show ``name`` ("step", "training" or "explorer") beside the network view."""
        if name not in FOCI:
            raise ValueError(f"unknown stage panel {name!r}; choose one of {', '.join(FOCI)}")
        changed = name != self.focus
        self.focus = name
        if self.active:
            self.arrange()
        if changed:
            self.focusChanged.emit(name)

    @Slot()
    def next_focus(self) -> None:
        if not self.active:
            self.window.show_message("F6 switches the panel beside the network view in "
                                     "presentation mode (F5)")
            return
        foci = self.available()
        k = foci.index(self.focus) if self.focus in foci else -1
        self.set_focus(foci[(k + 1) % len(foci)])
        self.window.show_message(f"Beside the network: {FOCUS_TITLES[self.focus]} (F6: next)")

    def follow(self, name: str) -> None:
        """Automatic switching: the work moved to ``name``."""
        if name != self.focus:
            self.set_focus(name)

    def _working_focus(self) -> str:
        panel = self.window.features.get("step_panel")
        if panel is not None and panel.active:
            return "step"
        return "training"

    # ---- presentation -----------------------------------------------------------------------
    def enter(self) -> None:
        self.active = True
        explorer = self.window.docks.get("convergence")
        if explorer is not None and explorer.isVisible():
            self.focus = "explorer"
        else:
            self.focus = self._working_focus()
        self.arrange()

    def leave(self) -> None:
        self.active = False
        self._set_stacked(False)

    def arrange(self) -> None:
        """Hide every dock but the focused ones and give those their share of the width."""
        if not self.active:
            return
        w = self.window
        self._arranging = True
        try:
            # stacked before it shows: side by side the panel would widen the window
            self._set_stacked(True)
            shown = self.shown_docks()
            tabs = self._open_tabs() if self.focus == "training" else []
            for key, dock in w.docks.items():
                if key != "controls" and dock not in shown and dock not in tabs:
                    dock.hide()
            right = Qt.DockWidgetArea.RightDockWidgetArea
            previous: QDockWidget | None = None
            for dock in shown:
                dock.setFloating(False)
                if previous is None:
                    w.addDockWidget(right, dock)
                else:
                    w.splitDockWidget(previous, dock, Qt.Orientation.Vertical)
                dock.show()
                previous = dock
            beside = shown[-1] if shown else None
            for dock in tabs:
                dock.setFloating(False)
                if beside is not None:
                    w.tabifyDockWidget(beside, dock)
                else:
                    w.addDockWidget(right, dock)
                dock.show()
            if tabs and beside is not None:
                beside.raise_()  # the decision boundary in front; its tabs beside it
            if shown:
                width = int(w.width() * FOCUS_WIDTH[self.focus])
                w.resizeDocks(shown, [width] * len(shown), Qt.Orientation.Horizontal)
                if len(shown) > 1:
                    each = w.height() // len(shown)
                    w.resizeDocks(shown, [each] * len(shown), Qt.Orientation.Vertical)
        finally:
            self._arranging = False

    def _open_tabs(self) -> list[QDockWidget]:
        """The optional training docks the user has open (shown, or a tab behind another)."""
        docks = (self.window.docks.get(k) for k in TRAINING_TABS)
        return [d for d in docks if d is not None and d.toggleViewAction().isChecked()]

    def _set_stacked(self, on: bool) -> None:
        """Panels beside the network view are tall and narrow: their parts go one above the
        other (Step: formula over tables; explorer: form, plots and runs)."""
        panel = self.window.features.get("step_panel")
        if panel is not None:
            panel.set_stacked(on and self.focus == "step")
        explorer = self.window.docks.get("convergence")
        split = explorer.findChild(QSplitter, "convergenceSplitter") if explorer else None
        if split is not None:
            stacked = on and self.focus == "explorer"
            split.setOrientation(Qt.Orientation.Vertical if stacked
                                 else Qt.Orientation.Horizontal)
            for table in explorer.findChildren(QTableView):
                squeeze_columns(table, stacked)
            if stacked and split.count() == len(EXPLORER_SHARES):
                # the plots get the most; the form scrolls, the runs table keeps a few rows
                total = max(split.height(), self.window.height() - 120)
                split.setSizes([int(total * f) for f in EXPLORER_SHARES])

    # ---- following the work -----------------------------------------------------------------
    @Slot()
    def _queue_arrange(self) -> None:
        # after the window's own reaction to the same signal (it re-shows the boundary dock)
        if self.active and not self._queued:
            self._queued = True
            QTimer.singleShot(0, self._arrange_queued)

    @Slot()
    def _arrange_queued(self) -> None:
        self._queued = False
        self.arrange()

    @Slot(bool)
    def _on_playing(self, playing: bool) -> None:
        if playing and self.active:
            self.follow("training")

    @Slot(bool)
    def _on_stepping(self, on: bool) -> None:
        if on and self.active:
            self.follow("step")

    @Slot(bool)
    def _on_tab_visible(self, visible: bool) -> None:
        if visible and self.active and not self._arranging and self.focus != "training" \
                and shiboken6.isValid(self.window):
            self.follow("training")

    @Slot(bool)
    def _on_explorer_visible(self, visible: bool) -> None:
        # the dock reports itself hidden while the window is being destroyed
        if self._arranging or not self.active or not shiboken6.isValid(self.window) \
                or not self.window.isVisible():
            return
        if visible:
            self.follow("explorer")
            self._queue_arrange()  # again once the dock is laid out: the splitter's shares
        elif self.focus == "explorer":
            self.follow(self._working_focus())


def install(window: QMainWindow) -> Stage:
    """Add the stage (F6) to ``window``; the classroom enters and leaves it with presentation
    mode."""
    return Stage(window)
