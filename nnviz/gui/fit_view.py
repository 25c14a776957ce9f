"""The Fit dock: predictions against targets, for data with numbers to predict (regression).

With one input the network's curve over x is drawn through the data points; otherwise every
prediction is plotted against its target, next to the diagonal where they would be equal.
README "Several targets and regression".
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from nnviz.core import metrics
from nnviz.core.datasets import Dataset
from nnviz.core.network import Network
from nnviz.gui import theme
from nnviz.gui.dock_placement import follow_restore_layout, show_tabbed
from nnviz.gui.features import NoViewState
from nnviz.gui.palette import palette, qcolor

if TYPE_CHECKING:
    from nnviz.gui.main_window import MainWindow

#: Points of the 1-D curve, and the seconds between redraws while training runs.
CURVE_POINTS = 300
REFRESH_SECONDS = 0.2


class FitView(QWidget):
    """Prediction vs target for the current network; ``mode`` is "curve" or "scatter"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fitView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setAccessibleName("Prediction versus target plot")
        # Nothing to do with the keys here (no zoom or pan by keyboard): off the Tab chain.
        self.plot_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.plot_widget)
        self.plot_item = self.plot_widget.getPlotItem()
        self.plot_item.showGrid(x=True, y=True, alpha=0.25)
        self.legend = self.plot_item.addLegend(offset=(8, 8))
        # the light theme's hues in every theme (the background follows the application's)
        pal = palette(theme.LIGHT)
        self.train_points = self.plot_item.plot(
            [], [], pen=None, symbol="o", symbolSize=6, symbolBrush=qcolor(pal.positive),
            symbolPen=None, name="train")
        self.test_points = self.plot_item.plot(
            [], [], pen=None, symbol="t", symbolSize=7, symbolBrush=qcolor(pal.negative),
            symbolPen=None, name="test")
        self.curve = self.plot_item.plot([], [], pen=pg.mkPen(qcolor(pal.highlight), width=2.5),
                                         name="network")
        self.diagonal = self.plot_item.plot([], [], pen=pg.mkPen(qcolor(pal.muted), width=1,
                                                                 style=Qt.PenStyle.DashLine))
        self.mode = "scatter"
        self._scale = 1.0
        self._data: Dataset | None = None
        self._grid: np.ndarray | None = None
        self.apply_palette()

    def apply_palette(self) -> None:
        """Background, axes and text from the application palette and font (theme, zoom and
        presentation mode set both)."""
        pal = QApplication.palette()
        self.plot_widget.setBackground(pal.color(QPalette.ColorRole.Base))
        fg = pal.color(QPalette.ColorRole.Text)
        font = QFont(QApplication.font())
        s = self._scale
        for name in ("bottom", "left"):
            axis = self.plot_item.getAxis(name)
            axis.setPen(pg.mkPen(fg, width=max(1.0, s)))
            axis.setTextPen(pg.mkPen(fg))
            axis.setStyle(tickFont=font, tickTextOffset=int(4 * s))
            axis.label.setFont(font)
        self._plain_axes()
        self.legend.setLabelTextColor(fg)
        self.legend.setLabelTextSize(f"{font.pointSizeF():.1f}pt")
        self.curve.setPen(pg.mkPen(qcolor(palette(theme.LIGHT).highlight), width=2.5 * s))
        for item, size in ((self.train_points, 6), (self.test_points, 7)):
            item.setSymbolSize(size * s)

    def set_style(self, _theme: theme.Theme, scale: float) -> None:
        """The scale of lines and markers; the colours follow the application palette
        (``nnviz.gui.palette.Styled``)."""
        self.set_scale(scale)

    def set_scale(self, factor: float) -> None:
        """Presentation mode and zoom: lines and markers grow with the text."""
        self._scale = theme.check_scale(factor)
        self.apply_palette()

    def set_palette_mode(self, _dark: bool) -> None:
        self.apply_palette()

    def set_data(self, data: Dataset) -> None:
        self._data = data
        if data.n_inputs == 1:
            self.mode = "curve"
            x = np.concatenate([data.X_train[:, 0], data.X_test[:, 0]])
            lo, hi = float(x.min()), float(x.max())
            pad = 0.05 * (hi - lo or 1.0)
            self._grid = np.linspace(lo - pad, hi + pad, CURVE_POINTS)[:, None]
            self.plot_item.setLabel("bottom", data.feature_names[0] if data.feature_names
                                    else "x")
            self.plot_item.setLabel("left", "target, prediction")
            self.train_points.setData(data.X_train[:, 0], data.Y_train[:, 0])
            if len(data.X_test):
                self.test_points.setData(data.X_test[:, 0], data.Y_test[:, 0])
            else:
                self.test_points.setData([], [])
            self.diagonal.setData([], [])
        else:
            self.mode = "scatter"
            self._grid = None
            self.plot_item.setLabel("bottom", "target")
            self.plot_item.setLabel("left", "prediction")
            self.curve.setData([], [])
            y = np.concatenate([data.Y_train.ravel(), data.Y_test.ravel()])
            lo, hi = float(y.min()), float(y.max())
            self.diagonal.setData([lo, hi], [lo, hi])
        self._plain_axes()

    def _plain_axes(self) -> None:
        # Labels set after enableAutoSIPrefix(False) bring the prefix back (0.6 shown as 600).
        for name in ("bottom", "left"):
            axis = self.plot_item.getAxis(name)
            axis.setSIPrefixEnableRanges(())  # pyqtgraph 0.14 scales [0, 1] by 1000 otherwise
            axis.enableAutoSIPrefix(False)

    def show_network(self, net: Network) -> None:
        d = self._data
        if d is None:
            return
        if self.mode == "curve":
            self.curve.setData(self._grid[:, 0], net.predict(self._grid)[:, 0])
            return
        self.train_points.setData(d.Y_train.ravel(), net.predict(d.X_train).ravel())
        if len(d.X_test):
            self.test_points.setData(d.Y_test.ravel(), net.predict(d.X_test).ravel())
        else:
            self.test_points.setData([], [])


class FitFeature(NoViewState):
    """Keeps the Fit dock in step with the controller; shown for regression data only."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.view = FitView()
        self.dock = window.add_dock("fit", "Fit: prediction vs target", self.view,
                                    Qt.DockWidgetArea.RightDockWidgetArea)
        self.dock.hide()  # shown for regression data, as a tab beside the decision boundary
        window.menus["view"].addAction(self.dock.toggleViewAction())
        follow_restore_layout(window, "fit")
        self._shown_at = 0.0
        c = window.controller
        c.networkRebuilt.connect(self.on_rebuilt)
        c.paramsChanged.connect(self.on_params)
        self.on_rebuilt()

    @Slot()
    def on_rebuilt(self) -> None:
        c = self.window.controller
        regression = metrics.is_regression(c.dataset)
        if regression and not self.dock.isVisible():
            show_tabbed(self.window, "fit")  # a tab beside the boundary: the column stays roomy
        elif not regression:
            self.dock.hide()
        if regression:
            self.view.set_data(c.dataset)
            self.view.show_network(c.display_net)

    @Slot()
    def on_params(self) -> None:
        c = self.window.controller
        if not self.dock.isVisible() or not metrics.is_regression(c.dataset):
            return
        now = time.perf_counter()
        if c.playing and now - self._shown_at < REFRESH_SECONDS:
            return  # a readable rate, and GIL time left for the trainer
        self._shown_at = now
        self.view.show_network(c.display_net)


def install(window: MainWindow) -> FitFeature:
    return FitFeature(window)
