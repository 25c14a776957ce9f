"""The main window: network view in the centre, docks around it, actions with shortcuts.

Every command is a QAction with an objectName (actionPlay, actionStepEpoch, actionReset, ...), so
tests and scripts drive the window the way the keyboard does.
"""

from __future__ import annotations

import importlib
import time

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QWidget,
)

from nnviz.core import datasets
from nnviz.gui.controller import Controller, Settings
from nnviz.gui.controls import ControlsPanel
from nnviz.gui.features import Feature, FeatureModule
from nnviz.gui.network import NetworkView
from nnviz.gui.view_state import ViewState
from nnviz.gui.worker import Snapshot

STATUS_INTERVAL = 0.1  # s between status-line updates while training runs

SETTINGS_ORG, SETTINGS_APP = "nnviz", "nnviz"
LAYOUT_VERSION = 2  # bump when the set of docks changes: old saved layouts are then ignored

#: Modules that add their docks, actions and menus to the window through `install(window)`
#: (the Feature contract, nnviz.gui.features), in this order (sessions' close prompt must see
#: the other features installed; accessibility names the widgets all the others made).
FEATURES: tuple[str, ...] = ("nnviz.gui.step.step_panel", "convergence", "sessions",
                             "classroom", "export",
                             "landscape_view", "weight_matrix_view", "pinned_runs",
                             "point_editor", "fit_view", "stage", "accessibility")


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, *, restore_layout: bool = True,
                 defer_features: bool = False) -> None:
        """defer_features: leave the feature docks for `install_features()`, so the caller can
        show the core window first (it appears in well under a second)."""
        super().__init__()
        self.setObjectName("nnvizMainWindow")
        self.setWindowTitle("nnviz")
        self.controller = Controller(settings)
        c = self.controller
        self.actions_by_name: dict[str, QAction] = {}
        #: The one owner of the view options: widgets and views bind to it (README, "Sessions").
        self.view_state = ViewState(self)

        self.network_view = NetworkView()
        self.network_view.setObjectName("networkView")
        self.network_view.setAccessibleName("Network view")
        self.network_view.setAccessibleDescription(
            "The network's nodes and weights; hover or the Step dock for exact values")
        self.setCentralWidget(self.network_view)
        c.views["network"] = self.network_view
        self.loss_plot = self.boundary_view = None  # pyqtgraph docks: see install_features

        self.controls = ControlsPanel(c, self.view_state)
        self.controls.setObjectName("controlsPanel")
        # Scrollable, so the left column never forces a minimum height on the window's docks.
        scroll = QScrollArea()
        scroll.setObjectName("controlsScroll")
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields; they scroll in
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(self.controls.sizeHint().width() + 16)
        self.docks: dict[str, QDockWidget] = {}
        self.add_dock("controls", "Controls", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)

        self.status_label = QLabel()
        self.status_label.setObjectName("statusEpoch")
        # the name stays the text, so screen readers read the numbers; this says what they are
        self.status_label.setAccessibleDescription(
            "Training status: epoch, train and test loss, accuracy and epochs per second")
        # opaque, so a new text repaints the label alone, not the status bar and window beneath
        self.status_label.setAutoFillBackground(True)
        self._status_at = 0.0
        self.statusBar().addPermanentWidget(self.status_label, 1)

        self._make_actions()
        self._make_menus()
        for name in ("actionPlay", "actionStepEpoch", "actionReset"):
            self.controls.add_action_button(self.actions_by_name[name])

        self._bind_view_state()
        self.network_view.weightEdited.connect(c.edit_weight)
        self.network_view.biasEdited.connect(c.edit_bias)
        self.network_view.biasModeChanged.connect(c.set_bias_mode)
        c.statusChanged.connect(self.show_message)
        c.metricsChanged.connect(self.update_status)
        c.positionChanged.connect(self.update_status)
        c.playingChanged.connect(self._on_playing)
        c.errorOccurred.connect(self._on_error)
        c.networkRebuilt.connect(self._on_rebuilt)
        self.controls.openCsvRequested.connect(self.open_csv)

        self.features: dict[str, Feature] = {}
        self._restore_layout = restore_layout
        self.geometry_restored = False
        c.rebuild()  # now that the views exist, fill them
        self._on_rebuilt()
        self.resize(self._initial_size())
        if not defer_features:
            self.install_features()

    def _add_plot_docks(self) -> None:
        # pyqtgraph takes ~0.4 s to import: these come after the first paint of the window.
        from nnviz.gui.boundary_view import BoundaryView
        from nnviz.gui.loss_plot import LossPlot

        self.loss_plot = LossPlot(auto_log_x=True)
        self.loss_plot.setObjectName("lossPlot")
        self.boundary_view = BoundaryView()
        self.boundary_view.setObjectName("boundaryView")
        self.controller.views.update(loss=self.loss_plot, boundary=self.boundary_view)
        self._bind_plot_options()
        self.add_dock("loss", "Loss", self.loss_plot, Qt.DockWidgetArea.RightDockWidgetArea)
        self.add_dock("boundary", "Decision boundary", self.boundary_view,
                      Qt.DockWidgetArea.RightDockWidgetArea)
        view_menu = self.menus["view"]
        before = self.actions_by_name["actionRestoreLayout"]
        for key in ("loss", "boundary"):
            view_menu.insertAction(before, self.docks[key].toggleViewAction())
        self.resizeDocks([self.docks["loss"], self.docks["boundary"]], [430, 430],
                         Qt.Orientation.Horizontal)

    def _bind_view_state(self) -> None:
        """The network view and the View menu's toggles follow the ViewState; the toggles
        change it (the Controls panel binds its own fields)."""
        vs, a = self.view_state, self.actions_by_name
        vs.edgeModeChanged.connect(self.network_view.set_edge_mode)
        vs.minMagnitudeChanged.connect(self.network_view.set_min_magnitude)
        gradient = a["actionGradientEdges"]
        vs.edgeModeChanged.connect(lambda mode: gradient.setChecked(mode == "gradient"))
        vs.logYChanged.connect(a["actionLogLoss"].setChecked)

    def _bind_plot_options(self) -> None:
        """The plots' own check boxes change the ViewState; the plots follow it."""
        vs, loss, boundary = self.view_state, self.loss_plot, self.boundary_view
        loss.set_log_y(vs.log_y)
        boundary.set_discretize(vs.discretize)
        for view in (loss, boundary):
            view.set_show_test(vs.show_test)
            vs.showTestChanged.connect(view.set_show_test)
        vs.logYChanged.connect(loss.set_log_y)
        loss.log_checkbox.toggled.connect(vs.set_log_y)
        vs.discretizeChanged.connect(boundary.set_discretize)
        boundary.discretize_checkbox.toggled.connect(vs.set_discretize)

    def install_features(self) -> None:
        """Add the plot docks and the features' docks, actions and menus, then restore the
        remembered layout."""
        if self.features:
            return
        self._add_plot_docks()
        for name in FEATURES:
            module: FeatureModule = importlib.import_module(
                name if "." in name else f"nnviz.gui.{name}")
            self.features[name.rsplit(".", 1)[-1]] = module.install(self)
        self.controller.rebuild()  # the features follow networkRebuilt from the start
        self.fit_to_screen()
        if self._restore_layout:
            self.restore_layout()
            self._on_rebuilt()  # a layout saved with other data must not hide this data's views

    # ---- construction -----------------------------------------------------------------------
    def fit_to_screen(self) -> None:
        """Back to the default size unless a remembered geometry was restored (new docks and
        a new font can stretch the window beyond the screen)."""
        if not self.geometry_restored and not self.isFullScreen():
            self.resize(self._initial_size())
            side = [self.docks[k] for k in ("loss", "boundary") if k in self.docks]
            if side:
                width = max(300, min(430, self.width() // 4))
                self.resizeDocks(side, [width] * len(side), Qt.Orientation.Horizontal)

    def fit_inside_screen(self) -> None:
        """A remembered geometry larger than this screen (saved on a bigger one) shrinks to
        the screen's available area and moves onto it."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        avail = screen.availableGeometry()
        if self.isMaximized():
            return
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        w = min(self.width(), avail.width() - extra_w)
        h = min(self.height(), avail.height() - extra_h)
        if (w, h) != (self.width(), self.height()):
            self.resize(max(w, 200), max(h, 150))
        frame = self.frameGeometry()
        # onto the screen; a window that cannot shrink enough keeps its top left corner on it
        x = max(min(frame.x(), avail.right() - frame.width() + 1), avail.left())
        y = max(min(frame.y(), avail.bottom() - frame.height() + 1), avail.top())
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def _initial_size(self) -> QSize:
        """1480x900, or 92 % of a smaller screen."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return QSize(1480, 900)
        avail = screen.availableGeometry()
        return QSize(min(1480, int(avail.width() * 0.92)), min(900, int(avail.height() * 0.92)))

    def add_dock(self, key: str, title: str, widget: QWidget,
                 area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if self.isVisible():
            dock.show()  # docks added to a window already on screen start hidden otherwise
        self.docks[key] = dock
        return dock

    def add_action(self, name: str, text: str, shortcuts: list[str] | str | None, slot,
                   *, checkable: bool = False, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcuts:
            keys = [shortcuts] if isinstance(shortcuts, str) else shortcuts
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.setCheckable(checkable)
        shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip or text} ({shown})" if shown else tip or text)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        self.actions_by_name[name] = action
        return action

    def _make_actions(self) -> None:
        self.add_action("actionPlay", "Play", "Space", self.toggle_play,
                        tip="Train live / pause")
        self.add_action("actionStepEpoch", "Step epoch", "E", self.step_epoch,
                        tip="Train exactly one epoch")
        self.add_action("actionReset", "Reset", "R", self.reset,
                        tip="Back to the seeded initial weights")
        self.add_action("actionOpenCsv", "Open CSV...", "Ctrl+Shift+O", self.open_csv,
                        tip="Train on your own data")
        self.add_action("actionQuit", "Quit", "Ctrl+Q", self.close)
        self.add_action("actionGradientEdges", "Edges show gradient", "G",
                        self.toggle_gradient_edges, checkable=True,
                        tip="Colour edges by the last gradient dE/dw instead of the weight")
        self.add_action("actionLogLoss", "Log loss axis", "L", self.toggle_log_loss,
                        checkable=True, tip="Logarithmic loss axis")
        self.add_action("actionRestoreLayout", "Restore layout", None, self.default_layout)

    def _make_menus(self) -> None:
        a = self.actions_by_name
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(a["actionOpenCsv"])
        file_menu.addSeparator()
        file_menu.addAction(a["actionQuit"])
        train = self.menuBar().addMenu("&Train")
        for name in ("actionPlay", "actionStepEpoch", "actionReset"):
            train.addAction(a[name])
        view = self.menuBar().addMenu("&View")
        view.addAction(a["actionGradientEdges"])
        view.addAction(a["actionLogLoss"])
        view.addSeparator()
        for dock in self.docks.values():
            view.addAction(dock.toggleViewAction())
        view.addAction(a["actionRestoreLayout"])
        self.menus = {"file": file_menu, "train": train, "view": view}
        toolbar = self.addToolBar("Training")
        toolbar.setObjectName("toolbarTraining")
        for name in ("actionPlay", "actionStepEpoch", "actionReset"):
            toolbar.addAction(a[name])

    # ---- commands ---------------------------------------------------------------------------
    @Slot()
    def toggle_play(self) -> None:
        self.controller.toggle_play()

    @Slot()
    def step_epoch(self) -> None:
        self.controller.step_epoch(1)

    @Slot()
    def reset(self) -> None:
        self.controller.reset()

    @Slot()
    def toggle_gradient_edges(self) -> None:
        on = self.actions_by_name["actionGradientEdges"].isChecked()
        self.view_state.set_edge_mode("gradient" if on else "weight")

    @Slot()
    def toggle_log_loss(self) -> None:
        self.view_state.set_log_y(self.actions_by_name["actionLogLoss"].isChecked())

    @Slot()
    def open_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open CSV data", "",
                                              "Data files (*.csv *.txt *.data);;All files (*)")
        if path:
            self.load_csv(path)

    def load_csv(self, path: str, **options) -> str | None:
        try:
            data = datasets.load_csv(path, **options)
        except datasets.DatasetError as exc:
            self._on_error(str(exc))
            return str(exc)
        error = self.controller.load_csv_dataset(data)
        if error:
            self._on_error(error)
        return error

    # ---- reactions --------------------------------------------------------------------------
    @Slot(str)
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    @Slot(object)
    def update_status(self, snap: Snapshot | None = None) -> None:
        # Text changing 30 times a second cannot be read and costs the trainer GIL time:
        # while training runs the line follows at STATUS_INTERVAL; a final snapshot always shows.
        now = time.perf_counter()
        if snap is not None and snap.running and now - self._status_at < STATUS_INTERVAL:
            return
        self._status_at = now
        self.status_label.setText(self.controller.status_text())

    @Slot(bool)
    def _on_playing(self, playing: bool) -> None:
        self.actions_by_name["actionPlay"].setText("Pause" if playing else "Play")

    @Slot()
    def _on_rebuilt(self) -> None:
        c = self.controller
        name = c.dataset.name if c.settings.dataset != "csv" else "CSV data"
        sizes = "-".join(map(str, c.net.sizes))
        self.setWindowTitle(f"nnviz — {name}, {sizes} {c.net.activation}")
        if "boundary" in self.docks:
            self.docks["boundary"].setVisible(c.dataset.is_2d)
        self.update_status()

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.show_message(message)
        # The epoch label fills the status bar and hides its temporary messages: the error goes
        # into the label too, and stays there until the next status update (Play, a step).
        self.status_label.setText(f"{self.controller.status_text()}  |  {message}")
        box = QMessageBox(QMessageBox.Icon.Warning, "nnviz", message, parent=self)
        box.setObjectName("errorDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal, never blocks the event loop (or a test)

    # ---- layout persistence -----------------------------------------------------------------
    def _qsettings(self) -> QSettings:
        return QSettings(SETTINGS_ORG, SETTINGS_APP)

    def restore_layout(self) -> None:
        s = self._qsettings()
        geometry, state = s.value("window/geometry"), s.value("window/state")
        if isinstance(geometry, QByteArray):
            self.geometry_restored = self.restoreGeometry(geometry)
            if self.geometry_restored and not self.isFullScreen():
                self.fit_inside_screen()
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)

    def save_layout(self) -> None:
        s = self._qsettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState(LAYOUT_VERSION))

    @Slot()
    def default_layout(self) -> None:
        for key, dock in self.docks.items():
            dock.setFloating(False)
            dock.show()
            area = Qt.DockWidgetArea.LeftDockWidgetArea if key == "controls" else \
                Qt.DockWidgetArea.RightDockWidgetArea
            self.addDockWidget(area, dock)
        if not self.controller.dataset.is_2d:
            self.docks["boundary"].hide()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.save_layout()
        self.controller.close()
        super().closeEvent(event)
