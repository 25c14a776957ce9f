"""Live loss curves: the pyqtgraph widget that draws a bounded loss history.

The widget is a pure view: a controller feeds it the losses that arrived since the last call
(``append``) and asks it to redraw at most ~30 times a second (``refresh``). It knows nothing
about threads or training. Memory stays flat over any number of epochs: the points are kept by
:class:`~nnviz.gui.loss_history.LossHistoryBuffer`.

Drawing cost stays flat too: pyqtgraph makes several passes over every array given to ``setData``
(finite checks, bounds, log10, peak downsampling), ~25 ms a frame at 2e6 points. While the plot
follows the whole run (x auto-range), the curves are therefore fed an incrementally maintained
min/max per epoch bin (at most ``DISPLAY_POINTS`` points, evenly spaced in epochs as pyqtgraph's
downsampling assumes) plus the raw newest points. Only when the user zooms in are the raw arrays
handed over (at most once a second while they keep growing); pyqtgraph's clip-to-view and peak
downsampling then take care of panning.
"""

from __future__ import annotations

import math
import time

import numpy as np

# isort: off
# pyqtgraph picks its Qt binding from what is already imported: PySide6 must come first.
from PySide6.QtCore import QEvent, QObject, QPointF, QSizeF, Qt, Slot
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget
import pyqtgraph as pg

from nnviz.gui.loss_history import (
    DEFAULT_MAX_POINTS,
    DISPLAY_POINTS,
    EpochBins,
    LossHistoryBuffer,
    format_epoch,
)
from nnviz.gui.palette import hex_name, palette, qcolor
from nnviz.gui.plot_axes import ReadableAxis
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale
# isort: on

__all__ = ["LossPlot", "range_ceiling", "range_floor", "spans_decades"]

# While zoomed in on a long history, re-feed the raw arrays at most this often (seconds).
_ZOOMED_PUSH_INTERVAL = 1.0


_ANCHOR_MARGIN = 0.02  # of the anchored span, beyond the curves on every side
#: Until the user picks, the epoch axis turns logarithmic once the run spans this many decades
#: (from epoch 1: at epoch 100), so a fast early descent is not squeezed against x = 0.
LOG_X_DECADES = 2.0


def spans_decades(first: float, last: float, decades: float = LOG_X_DECADES) -> bool:
    """Whether epochs first..last (first >= 1) cover at least ``decades`` powers of ten."""
    return first > 0 and last >= first * 10.0 ** decades
_STEPS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def range_ceiling(x: float) -> float:
    """The next of 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k at or above ``x`` (> 0): the plot's
    right end while it follows a run, so the curve fills at least 80 % of the width and the
    axis moves only now and then instead of with every refresh."""
    if not x > 0:
        return 1.0
    decade = 10.0 ** math.floor(math.log10(x))
    for step in _STEPS:
        if step * decade >= x:
            return step * decade
    return 10.0 * decade


def range_floor(lo: float, hi: float, log: bool) -> float:
    """A round value at or below ``lo`` for the bottom of the loss axis: halves of the span's
    decade (linear) or quarter decades (log), so it changes only when the loss moves a lot."""
    if log:
        lo = max(lo, 1e-300)
        return 10.0 ** (math.floor(math.log10(lo) * 4) / 4)
    span = hi - lo
    if not span > 0:
        return lo - 0.5 if lo == hi else lo
    q = 10.0 ** math.floor(math.log10(span)) / 2
    return math.floor(lo / q) * q


class _OpaqueGridAxis(ReadableAxis):
    """Grid lines pre-blended with the background: the same look, but opaque. Qt's raster engine
    draws semi-transparent lines on a slow per-pixel path, and the grid was about a third of the
    plot's cost per frame while training."""

    background = qcolor(palette(LIGHT).plot_background)  # the plot's, set by its style

    def generateDrawSpecs(self, p):  # noqa: ANN001, ANN201, N802 (pyqtgraph override)
        specs = super().generateDrawSpecs(p)
        if specs is None:
            return specs
        axis_spec, tick_specs, text_specs = specs
        bg = self.background
        blended = []
        for pen, p1, p2 in tick_specs:
            c = pen.color()
            alpha = c.alphaF()
            if alpha < 1.0:
                pen = QPen(pen)
                pen.setColor(QColor.fromRgbF(
                    c.redF() * alpha + bg.redF() * (1 - alpha),
                    c.greenF() * alpha + bg.greenF() * (1 - alpha),
                    c.blueF() * alpha + bg.blueF() * (1 - alpha)))
            blended.append((pen, p1, p2))
        return axis_spec, blended, text_specs


class _EpochAxis(_OpaqueGridAxis):
    """Epoch ticks people read at a glance: 20k, 1.5M instead of 20000, 1.5e+06."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        if self.logMode or spacing * scale < 1:
            return super().tickStrings(values, scale, spacing)
        out = []
        for v in values:
            v = v * scale
            if abs(v) >= 1e6:
                out.append(f"{v / 1e6:.6g}M")
            elif abs(v) >= 1e4:
                out.append(f"{v / 1e3:.6g}k")
            else:
                out.append(f"{v:,.0f}")
        return out


class _LossAxis(_OpaqueGridAxis):
    """Log-mode labels only at mantissas 1, 2 and 5 once there are many minor ticks
    (pyqtgraph labels 2..9 of every decade, which piles up into an unreadable column)."""

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        strings = super().logTickStrings(values, scale, spacing)
        if spacing is not None or len(values) <= 5:
            return strings
        mantissa = np.rint(10 ** (np.asarray(values, dtype=float) % 1.0)).astype(int)
        return [t if m in (1, 2, 5) else "" for t, m in zip(strings, mantissa, strict=True)]



def _plot_colours(theme: Theme) -> dict[str, str]:
    """Background, text, train and test curve colours of the theme's palette (Okabe-Ito:
    distinguishable with every common colour-vision deficiency)."""
    pal = palette(theme)
    return {"bg": hex_name(pal.plot_background), "fg": hex_name(pal.plot_text),
            "train": hex_name(pal.train_curve), "test": hex_name(pal.test_curve)}


_BASE_FONT_PT = 11.0
_BASE_PEN_WIDTH = 2.0


class LossPlot(QWidget):
    """Train and test loss against epoch, with log-y toggle and a hover readout.

    ``append`` only stores points; ``refresh`` pushes the buffers to the two persistent curves,
    so the cost of drawing does not depend on how often losses arrive.
    """

    def __init__(self, parent: QWidget | None = None, *, max_points: int = DEFAULT_MAX_POINTS,
                 auto_log_x: bool = False):
        """auto_log_x: the epoch axis turns logarithmic by itself once the run spans
        LOG_X_DECADES, until the user picks (the window's default)."""
        super().__init__(parent)
        self.buffer = LossHistoryBuffer(max_points)
        self._dirty = False
        self._log_y = False
        self._log_x = False
        self._log_x_choice: bool | None = None if auto_log_x else False  # None: by the span
        self._theme = LIGHT
        self._scale = 1.0
        self._test_shown = False
        self._test_hidden = False  # the user hid the test curve
        # Whether the curves currently hold views of the raw buffers (not reduced copies), and
        # whether they were fed for the follow (auto-range) mode.
        self._fed_raw = True
        self._fed_following = True
        self._last_raw_push = -math.inf
        self._reductions = (EpochBins(), EpochBins())

        self.log_checkbox = QCheckBox("log y")
        self.log_checkbox.setObjectName("logYCheckBox")
        self.log_checkbox.setToolTip(
            "Logarithmic loss axis (zero losses are drawn at the smallest positive loss)"
        )
        self.log_checkbox.toggled.connect(self.set_log_y)
        self.log_x_checkbox = QCheckBox("log epochs")
        self.log_x_checkbox.setObjectName("logXCheckBox")
        self.log_x_checkbox.setAccessibleName("Logarithmic epoch axis")
        self.log_x_checkbox.setToolTip(
            "Logarithmic epoch axis; until you choose, it turns on by itself once the run "
            "spans two decades of epochs"
        )
        self.log_x_checkbox.clicked.connect(self.set_log_x)
        self.readout = QLabel("")
        self.readout.setObjectName("lossReadout")

        top = QHBoxLayout()
        top.setContentsMargins(8, 4, 8, 0)
        top.addWidget(self.readout, 1)
        top.addWidget(self.log_x_checkbox)
        top.addWidget(self.log_checkbox)

        self.plot_widget = pg.PlotWidget(
            axisItems={"bottom": _EpochAxis("bottom"), "left": _LossAxis("left")}
        )
        self.plot_widget.setAccessibleName("Loss plot")
        self.plot_item = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.showGrid(x=True, y=True, alpha=0.2)
        # The key sits right of the curves, outside the plot area, so it never covers them
        # (and takes width, which a plot beside the network view has more of than height).
        self.legend = pg.LegendItem(offset=None, colCount=1)
        self.plot_item.legend = self.legend  # PlotItem.addItem lists named curves in it
        self.plot_item.layout.addItem(self.legend, 2, 3)
        self.plot_item.layout.setAlignment(self.legend, Qt.AlignmentFlag.AlignTop)
        # pyqtgraph 0.14 means to exempt the view's child group from reporting its own transform
        # changes but sets a misspelt attribute (``..._inform_view_on_change``): every range
        # change in prepareForPaint then queues another auto-range and a second full repaint.
        self.plot_item.getViewBox().childGroup._GraphicsObject__inform_view_on_changes = False

        # Measured with 1e6 points: ~1 drawn sample per pixel and segment drawing keep a frame
        # at 2-4 ms; a wide antialiased pen drawn as one path costs 100 ms to seconds in Qt.
        # Solid pens only: dashes restart per segment and vanish.
        self.train_curve = pg.PlotDataItem(name="train", antialias=True, autoDownsampleFactor=1.0)
        self.test_curve = pg.PlotDataItem(name="test", antialias=True, autoDownsampleFactor=1.0)
        self.plot_item.addItem(self.train_curve)
        self.plot_item.addItem(self.test_curve)
        # PlotItem.addItem imposes the plot's own (menu) downsampling settings on its items, so
        # set them on the plot too, then on the curves after adding them.
        self.plot_item.setDownsampling(auto=True, mode="peak")
        self.plot_item.setClipToView(True)
        for curve in (self.train_curve, self.test_curve):
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)
            curve.curve.setSegmentedLineMode("on")
        # An invisible item that auto-range includes: while the plot follows the run, the range
        # (and so both axes, whose regeneration was most of a refresh) changes only when the
        # run passes a round epoch or the loss a round value, not with every refresh. No pen
        # width and no antialiasing: no pixel padding, which would feed the range back on itself.
        self._anchor = pg.PlotDataItem(pen=pg.mkPen(QColor(Qt.GlobalColor.transparent), width=0),
                                       antialias=False)
        self.plot_item.addItem(self._anchor)
        self._anchor_at: tuple[float, float, float, float] | None = None
        self.legend.removeItem(self.test_curve)  # listed only once test losses exist
        self.test_curve.setVisible(False)
        # A PlotDataItem (not a ScatterPlotItem) so the plot's log mode maps it like the curves.
        self.hover_marker = pg.PlotDataItem(symbol="o", pen=None)
        self.hover_marker.setVisible(False)
        self.plot_item.addItem(self.hover_marker, ignoreBounds=True)

        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # The widget itself filters (a separate filter object holding a reference back to this
        # widget left stale Python wrappers behind after deletion, breaking later pyqtgraph items).
        self.plot_widget.viewport().installEventFilter(self)
        self.plot_item.getViewBox().sigStateChanged.connect(self._on_view_state_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        self._apply_style()
        self.refresh()

    # ---- data -----------------------------------------------------------------------------
    def append(
        self, epochs: np.ndarray, train_loss: np.ndarray, test_loss: np.ndarray | None = None
    ) -> None:
        """Store the points that arrived since the last call; drawn at the next ``refresh``."""
        decimated = self.buffer.append(epochs, train_loss, test_loss)
        self._dirty = True
        if decimated and self._fed_raw:
            # Decimation rewrites the buffers in place and the curves hold views of them: push
            # the consistent arrays now rather than risk a frame painted from shuffled data.
            self.refresh(force=True)

    def refresh(self, force: bool = False) -> None:
        """Push the buffers to the curves if anything changed since the last push.

        While zoomed in on a long history the raw arrays are re-fed at most once a second
        (``force`` overrides that); following the whole run, every call is cheap.
        """
        if not self._dirty:
            return
        buf = self.buffer
        n = len(buf)
        following = self._following()
        raw = n <= DISPLAY_POINTS or not following
        now = time.monotonic()
        if (
            raw and n > DISPLAY_POINTS and not force
            and now - self._last_raw_push < _ZOOMED_PUSH_INTERVAL
        ):
            return  # stays dirty; a later refresh pushes
        self._dirty = False
        self._fed_raw, self._fed_following = raw, following
        if raw:
            self._last_raw_push = now if n > DISPLAY_POINTS else -math.inf
            self.train_curve.setData(buf.epochs, self._for_display(buf.train))
            if buf.has_test:
                self.test_curve.setData(buf.epochs, self._for_display(buf.test))
        else:
            x, y = self._reductions[0].update(buf.epochs, buf.train)
            self.train_curve.setData(x, self._for_display(y))
            if buf.has_test:
                x, y = self._reductions[1].update(buf.epochs, buf.test)
                self.test_curve.setData(x, self._for_display(y))
        if not buf.has_test and self.test_curve.xData is not None:
            self.test_curve.setData(np.empty(0), np.empty(0))
        self._show_test(buf.has_test)
        if self._log_x_choice is None and len(buf):
            self._apply_log_x(spans_decades(float(buf.epochs[0]), float(buf.epochs[-1])))
        if not self.hover_marker.isVisible():
            self.readout.setText(self.thinned_note())
        self._place_anchor()
        # Settle the new range now: left to the paint, the range change (axes, grid) queues a
        # second and third paint of the whole plot for every update.
        vb = self.plot_item.getViewBox()
        if vb._autoRangeNeedsUpdate:
            vb.updateAutoRange()
        vb.updateMatrix()  # and the transform, which prepareForPaint would otherwise move

    def _place_anchor(self) -> None:
        buf = self.buffer
        if len(buf) == 0 or not math.isfinite(buf.min_value):
            if self._anchor_at is not None:
                self._anchor.setData(np.empty(0), np.empty(0))
                self._anchor_at = None
            return
        first, last = float(buf.epochs[0]), float(buf.epochs[-1])
        hi = buf.max_value
        lo = buf.min_positive if self._log_y else buf.min_value
        if self._log_y:
            lo = lo if math.isfinite(lo) else 1.0
            hi = max(hi, lo)
        # a linear loss axis starts at 0: a drop from 0.125 to 0.120 must not look like a cliff
        y0 = range_floor(lo, hi, True) if self._log_y else min(0.0, range_floor(lo, hi, False))
        x1 = range_ceiling(last)
        # a margin beyond the curves, which auto-range widens by their pens' pixel padding
        mx = _ANCHOR_MARGIN * (x1 - first or 1.0)
        if self._log_x and first > 0:
            kx = 10.0 ** (_ANCHOR_MARGIN * max(math.log10(x1 / first), 0.1))
            xs = (first / kx, x1 * kx)
        else:
            xs = (first - mx, x1 + mx)
        if self._log_y:
            k = 10.0 ** (_ANCHOR_MARGIN * max(math.log10(hi / y0), 0.1))
            ys = (y0 / k, hi * k)
        else:
            my = _ANCHOR_MARGIN * (hi - y0 or 1.0)
            ys = (y0 - my, hi + my)
        at = (*xs, *ys)
        if at != self._anchor_at:
            self._anchor_at = at
            self._anchor.setData(np.array(at[:2]), np.array(at[2:]))

    def clear(self) -> None:
        """Forget the history (after a reset) and follow the new run from its start."""
        self.buffer.clear()
        for r in self._reductions:
            r.reset()
        self._dirty = True
        self._hide_hover()
        self.plot_item.enableAutoRange()
        self.refresh(force=True)

    def set_history(
        self, epochs: np.ndarray, train: np.ndarray, test: np.ndarray | None = None
    ) -> None:
        """Replace the whole history (e.g. after loading a session) and redraw."""
        self.buffer.clear()
        for r in self._reductions:
            r.reset()
        self.buffer.append(epochs, train, test)
        self._dirty = True
        self._hide_hover()
        self.plot_item.enableAutoRange()
        self.refresh(force=True)

    def _following(self) -> bool:
        return bool(self.plot_item.getViewBox().autoRangeEnabled()[0])

    @Slot(object)
    def _on_view_state_changed(self, _vb: object) -> None:
        # Zooming in needs the raw points, returning to auto-range ("A" button) the reduction.
        if self._following() != self._fed_following and len(self.buffer) > DISPLAY_POINTS:
            self._dirty = True
            self.refresh(force=True)

    def _for_display(self, y: np.ndarray) -> np.ndarray:
        if self._log_y and self.buffer.has_nonpositive:
            # log10(0) would leave a hole; draw zero losses at the smallest positive loss instead.
            floor = self.buffer.min_positive if math.isfinite(self.buffer.min_positive) else 1.0
            return np.maximum(y, floor)  # NaN stays NaN (missing test loss)
        return y

    def set_show_test(self, on: bool) -> None:
        """Show or hide the test loss curve (the controls' "Show test data")."""
        self._test_hidden = not on
        self._dirty = True
        self.refresh(force=True)

    def _show_test(self, show: bool) -> None:
        show = show and not self._test_hidden
        if show == self._test_shown:
            return
        self._test_shown = show
        self.test_curve.setVisible(show)
        if show:
            self.legend.addItem(self.test_curve, "test")
            self._style_legend()
        else:
            self.legend.removeItem(self.test_curve)

    # ---- modes ----------------------------------------------------------------------------
    @Slot(bool)
    def set_log_y(self, on: bool) -> None:
        """Logarithmic loss axis; zero or negative losses are drawn at the smallest positive one."""
        on = bool(on)
        if self.log_checkbox.isChecked() != on:
            self.log_checkbox.setChecked(on)  # re-enters through toggled
            return
        if on == self._log_y:
            return
        self._log_y = on
        self.plot_item.setLogMode(x=self._log_x, y=on)
        self._hide_hover()
        self._dirty = True
        self.plot_item.enableAutoRange()
        self.refresh(force=True)

    @property
    def log_y(self) -> bool:
        return self._log_y

    @Slot(bool)
    def set_log_x(self, on: bool) -> None:
        """Logarithmic epoch axis, as the user chose it (the automatic choice stops)."""
        self._log_x_choice = bool(on)
        self._apply_log_x(bool(on))

    def _apply_log_x(self, on: bool) -> None:
        if self.log_x_checkbox.isChecked() != on:
            self.log_x_checkbox.setChecked(on)
        if on == self._log_x:
            return
        self._log_x = on
        self.plot_item.setLogMode(x=on, y=self._log_y)
        self._hide_hover()
        self._dirty = True
        self.plot_item.enableAutoRange()
        self.refresh(force=True)

    @property
    def log_x(self) -> bool:
        return self._log_x

    def set_style(self, theme: Theme, scale: float) -> None:
        """The theme's plot colours and the scale of fonts, pen widths and markers
        (``nnviz.gui.palette.Styled``)."""
        self._scale = check_scale(scale)
        self._theme = theme
        self._apply_style()

    def set_scale(self, factor: float) -> None:
        """Presentation mode: multiply fonts, pen widths and markers by ``factor``."""
        self.set_style(self._theme, factor)

    def set_palette_mode(self, dark: bool) -> None:
        """Dark or light background, with curve colours chosen for each."""
        self.set_style(DARK if dark else LIGHT, self._scale)

    def _apply_style(self) -> None:
        pal = _plot_colours(self._theme)
        s = self._scale
        width = _BASE_PEN_WIDTH * s
        self.plot_widget.setBackground(pal["bg"])
        for name in ("bottom", "left"):
            axis = self.plot_item.getAxis(name)
            axis.background = QColor(pal["bg"])
            axis.picture = None  # regenerate the grid with the new background
            axis.update()
        self.train_curve.setPen(pg.mkPen(pal["train"], width=width))
        self.test_curve.setPen(pg.mkPen(pal["test"], width=width))
        self.hover_marker.setSymbolSize(10 * s)
        self.hover_marker.setSymbolPen(pg.mkPen(pal["fg"], width=1.5 * s))
        self.hover_marker.setSymbolBrush(pg.mkBrush(pal["train"]))
        font_pt = _BASE_FONT_PT * s
        tick_font = QFont()
        tick_font.setPointSizeF(font_pt)
        for name, label in (("bottom", "epoch"), ("left", "loss")):
            axis = self.plot_item.getAxis(name)
            axis.setPen(pg.mkPen(pal["fg"], width=max(1.0, s)))
            axis.setTextPen(pg.mkPen(pal["fg"]))
            # maxTickLevel=1: no third level of grid lines; they cost ~4 ms of every repaint and
            # only add clutter.
            axis.setStyle(tickFont=tick_font, tickTextOffset=int(4 * s), maxTickLevel=1)
            axis.setLabel(label, **{"color": pal["fg"], "font-size": f"{font_pt:.1f}pt"})
            # "loss (x0.001)" with ticks 0..300 misleads; tick labels carry the real values.
            axis.enableAutoSIPrefix(False)
        self._style_legend()
        widget_font = QFont(self.font())
        widget_font.setPointSizeF(font_pt)
        self.readout.setFont(widget_font)
        self.log_checkbox.setFont(widget_font)
        self.log_x_checkbox.setFont(widget_font)
        self.readout.setStyleSheet(f"color: {pal['fg']};")
        self.log_checkbox.setStyleSheet(f"color: {pal['fg']};")
        self.log_x_checkbox.setStyleSheet(f"color: {pal['fg']};")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor(pal["bg"]))
        self.setPalette(palette)

    def _style_legend(self) -> None:
        pal = _plot_colours(self._theme)
        self.legend.setLabelTextColor(pal["fg"])
        self.legend.setLabelTextSize(f"{_BASE_FONT_PT * self._scale:.1f}pt")
        for _, label in self.legend.items:
            label.setText(label.text)  # setAttr alone does not re-render existing labels
        self.legend.setBrush(pg.mkBrush(pal["bg"]))
        self.legend.updateSize()
        # its own size, not the size of the plot row it sits in; measured here, since
        # pyqtgraph sizes the labels before their new font applies
        font = QFont()
        font.setPointSizeF(_BASE_FONT_PT * self._scale)
        fm = QFontMetricsF(font)
        texts = [label.text for _, label in self.legend.items] or ["train"]
        sample = max([sample.boundingRect().width() for sample, _ in self.legend.items]
                     or [20.0])
        width = sample + max(fm.horizontalAdvance(t) for t in texts) + 3 * fm.horizontalAdvance("0")
        height = len(texts) * fm.height() * 1.3 + fm.height() * 0.5
        size = QSizeF(width, height)
        self.legend.setMinimumSize(size)
        self.legend.setMaximumSize(size)

    # ---- hover ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Leave:
            self._hide_hover()
        return super().eventFilter(watched, event)

    def nearest_index(self, x: float) -> int | None:
        """Index of the stored point whose epoch is nearest to ``x`` (None when empty)."""
        epochs = self.buffer.epochs
        n = epochs.size
        if n == 0 or not math.isfinite(x):
            return None
        i = int(np.searchsorted(epochs, x))
        if i <= 0:
            return 0
        if i >= n:
            return n - 1
        return i if epochs[i] - x < x - epochs[i - 1] else i - 1

    def readout_at(self, x: float) -> str:
        """The hover text for the point nearest to epoch ``x`` ("" when there is no data)."""
        i = self.nearest_index(x)
        if i is None:
            return ""
        buf = self.buffer
        epoch = format_epoch(float(buf.epochs[i]))
        train = float(buf.train[i])
        test = float(buf.test[i])
        thinned = "   (thinned part)" if float(buf.epochs[i]) < buf.thinned_until else ""
        if buf.has_test and math.isfinite(test):
            return f"epoch {epoch}   train {train:.4g}   test {test:.4g}{thinned}"
        return f"epoch {epoch}   loss {train:.4g}{thinned}"

    def thinned_note(self) -> str:
        """What the readout says while nothing is hovered: "" or that old epochs are thinned."""
        until = self.buffer.thinned_until
        if not until:
            return ""
        return f"thinned before epoch {format_epoch(until)} (min/max kept)"

    @Slot(object)
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        vb = self.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            self._hide_hover()
            return
        x = vb.mapSceneToView(scene_pos).x()
        if self._log_x:
            x = 10.0 ** x  # the view holds log10(epoch)
        i = self.nearest_index(x)
        if i is None:
            self._hide_hover()
            return
        self.readout.setText(self.readout_at(x))
        buf = self.buffer
        self.hover_marker.setData(
            buf.epochs[i : i + 1].copy(), self._for_display(buf.train[i : i + 1]).copy()
        )
        self.hover_marker.setVisible(True)

    def _hide_hover(self) -> None:
        self.readout.setText(self.thinned_note())
        self.hover_marker.setVisible(False)
