"""The convergence explorer's plots: fraction converged by epoch (live, then exact) and the
histogram of epochs to converge, one curve and one histogram per configuration."""

from __future__ import annotations

import math

import numpy as np

# isort: off
# pyqtgraph picks its Qt binding from what is already imported: PySide6 must come first.
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QWidget
import pyqtgraph as pg
# isort: on

from nnviz.core.convergence import ConvergenceResult
from nnviz.gui.convergence.colours import HIST_FILL_ALPHA, PLOT_COLOURS, config_colour
from nnviz.gui.plot_axes import ReadableAxis

#: Bins of the epochs-to-converge histogram (shared by all configurations).
HIST_BINS = 25
_BASE_PLOT_PT = 10.0
_BASE_PEN = 2.0


class TitledPlot(pg.PlotWidget):
    """A plot whose tick labels never collide and whose title stays whole: it may use the
    plot's whole width (pyqtgraph centres it over the data area only), its row fits the text
    (pyqtgraph fixes it at 30 px), and in a narrow plot its size steps down to the axis text's."""

    def __init__(self) -> None:
        super().__init__(axisItems={"bottom": ReadableAxis("bottom"), "left": ReadableAxis("left")})
        item = self.getPlotItem()
        item.layout.removeItem(item.titleLabel)
        item.layout.addItem(item.titleLabel, 0, 0, 1, 3)
        self._title: tuple[str, str, float, float] | None = None

    def set_title(self, text: str, colour: str, point_size: float, least: float) -> None:
        """Title ``text`` at ``point_size``, or smaller down to ``least`` where it would not fit."""
        self._title = (text, colour, point_size, least)
        self._fit_title()

    def title_fits(self) -> bool:
        """Whether the drawn title is within the plot's width and its title row."""
        label = self.getPlotItem().titleLabel
        text = label.item.boundingRect()
        return text.width() <= self.width() and text.height() <= label.boundingRect().height()

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802 (Qt override)
        super().resizeEvent(event)
        self._fit_title()

    def _fit_title(self) -> None:
        title = getattr(self, "_title", None)  # resized while pyqtgraph builds it: no title yet
        if title is None:
            return
        text, colour, size, least = title
        item = self.getPlotItem()
        label = item.titleLabel
        room = self.width() - 4
        while True:
            item.setTitle(text, color=colour, size=f"{size:.1f}pt")
            if size <= least or label.item.boundingRect().width() <= room:
                break
            size = max(least, size * 0.9)
        height = math.ceil(label.item.boundingRect().height())
        label.setMaximumHeight(height)
        item.layout.setRowFixedHeight(0, height)


def step_curve(result: ConvergenceResult, until: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact cumulative fraction converged (in %) as a staircase from 0 to ``until``."""
    e = np.unique(result.converged_epochs)
    x = np.concatenate(([0.0], e.astype(float), [float(max(until, e[-1] if len(e) else 0))]))
    y = 100.0 * result.fraction_converged_by(x)
    y[0] = 0.0
    return x, y


class ConvergencePlots(QWidget):
    """The two plots side by side. Each configuration's curve and histogram keep their index in
    the job; ``set_style`` (light or dark, presentation scale) restyles everything, and items
    made later by ``reset`` take the style last set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dark = False
        self._scale = 1.0
        self.curves: list[pg.PlotDataItem] = []
        self.hists: list[pg.PlotDataItem] = []
        plots = QHBoxLayout(self)
        plots.setContentsMargins(0, 0, 0, 0)
        self.fraction_plot = TitledPlot()
        self.fraction_plot.setObjectName("convergenceFractionPlot")
        self.fraction_plot.setAccessibleName("Fraction converged by epoch")
        self.hist_plot = TitledPlot()
        self.hist_plot.setObjectName("convergenceHistogram")
        self.hist_plot.setAccessibleName("Histogram of epochs to converge")
        for w in (self.fraction_plot, self.hist_plot):
            w.setMinimumSize(150, 110)
            item = w.getPlotItem()
            item.setMenuEnabled(False)
            item.hideButtons()
            item.showGrid(x=True, y=True, alpha=0.25)
            w.setMouseEnabled(x=True, y=False)
            plots.addWidget(w, 1)
        self.fraction_plot.setYRange(0, 100, padding=0.02)
        self.fraction_plot.setXRange(0, 1, padding=0)
        self.hist_plot.setXRange(0, 1, padding=0)

    def reset(self, n_configs: int, epochs: int) -> None:
        """Empty curves and histograms for a new job of ``n_configs`` configurations of at most
        ``epochs`` epochs."""
        plot = self.fraction_plot.getPlotItem()
        for item in self.curves:
            plot.removeItem(item)
        for item in self.hists:
            self.hist_plot.removeItem(item)
        self.curves, self.hists = [], []
        for _ in range(n_configs):
            curve = pg.PlotDataItem()
            curve.setData([0.0], [0.0])
            plot.addItem(curve)
            self.curves.append(curve)
            hist = pg.PlotDataItem()
            self.hist_plot.addItem(hist)
            self.hists.append(hist)
        self.fraction_plot.setXRange(0, epochs, padding=0.01)
        self.hist_plot.setXRange(0, epochs, padding=0.01)
        self.hist_plot.setYRange(0, 10, padding=0.05)  # whole runs until counts arrive
        self._style_items()

    def show_progress(self, index: int, epochs: np.ndarray, fraction: np.ndarray) -> None:
        """Configuration ``index``'s live curve: the fraction (0..1) converged at ``epochs``."""
        self.curves[index].setData(epochs, 100.0 * fraction)

    def show_result(self, index: int, result: ConvergenceResult, until: int) -> None:
        """Configuration ``index``'s exact curve, drawn to epoch ``until``."""
        self.curves[index].setData(*step_curve(result, until))

    def show_histograms(self, results: dict[int, ConvergenceResult]) -> None:
        """The histograms of the finished configurations, on bins shared by all of them."""
        if not results:
            return
        top = max(max(r.epochs_run for r in results.values()), 1)
        bins = max(1, min(HIST_BINS, top))
        edges = np.linspace(0.5, top + 0.5, bins + 1)
        peak = 0
        for i, res in results.items():
            counts, _ = np.histogram(res.converged_epochs, bins=edges)
            peak = max(peak, int(counts.max()) if len(counts) else 0)
            self.hists[i].setData(edges, counts, stepMode="center", fillLevel=0)
        self.hist_plot.setXRange(0, top, padding=0.01)
        self.hist_plot.setYRange(0, max(peak, 1), padding=0.05)

    def set_style(self, dark: bool, scale: float) -> None:
        """Light or dark backgrounds; text and line widths times ``scale``."""
        self._dark, self._scale = dark, scale
        pal = PLOT_COLOURS[dark]
        s = scale
        font = QFont()
        font.setPointSizeF(_BASE_PLOT_PT * s)
        for widget, (xlabel, ylabel) in (
            (self.fraction_plot, ("epoch", "converged (%)")),
            (self.hist_plot, ("epochs to converge", "runs")),
        ):
            widget.setBackground(pal["bg"])
            item = widget.getPlotItem()
            for name, label in (("bottom", xlabel), ("left", ylabel)):
                axis = item.getAxis(name)
                axis.setPen(pg.mkPen(pal["fg"], width=max(1.0, s)))
                axis.setTextPen(pg.mkPen(pal["fg"]))
                axis.setStyle(tickFont=font, tickTextOffset=int(3 * s), maxTickLevel=1)
                axis.setLabel(label, color=pal["fg"], **{"font-size": f"{_BASE_PLOT_PT * s:.1f}pt"})
        title_pt, least_pt = (_BASE_PLOT_PT + 1) * s, _BASE_PLOT_PT * s
        self.fraction_plot.set_title("Converged by epoch", pal["fg"], title_pt, least_pt)
        self.hist_plot.set_title("Epochs to converge", pal["fg"], title_pt, least_pt)
        self._style_items()

    def _style_items(self) -> None:
        width = _BASE_PEN * self._scale
        for i, curve in enumerate(self.curves):
            curve.setPen(pg.mkPen(config_colour(i, self._dark), width=width))
        for i, hist in enumerate(self.hists):
            c = config_colour(i, self._dark)
            fill = QColor(c)
            fill.setAlpha(HIST_FILL_ALPHA)
            hist.setPen(pg.mkPen(c, width=max(1.0, width * 0.75)))
            hist.setBrush(pg.mkBrush(fill))
