"""Decision boundary of a 2-D classifier: the model's output over the input plane as a heat map
with the train (circles) and test (diamonds) points on top, plus small per-neuron maps.

A pure view: the controller asks for :meth:`BoundaryView.plane_points`, evaluates the model there
and hands back the outputs (:meth:`BoundaryView.set_output`) or the hidden activations
(:meth:`BoundaryView.neuron_images`). It knows nothing about threads or training.

Colours come from the theme's palette (``nnviz.gui.palette``): orange = class 0 / low /
negative, blue = class 1 / high / positive (Okabe-Ito, distinguishable with every common
colour-vision deficiency), a neutral light grey (dark grey in dark mode) where the output sits
at the decision threshold. Points use the full hue with a dark outline so they stay visible on
the lighter map colours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

# isort: off
# pyqtgraph picks its Qt binding from what is already imported: PySide6 must come first.
from PySide6.QtCore import QRectF, QSize, Slot
from PySide6.QtGui import QColor, QFont, QImage
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget
import pyqtgraph as pg

from nnviz.gui.palette import palette, qcolor
from nnviz.gui.plot_axes import ReadableAxis
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale
# isort: on

__all__ = ["BoundaryView", "grid_points", "output_to_image", "output_to_rgb"]

DEFAULT_RESOLUTION = 100
NEURON_MAP_SIZE = 32  # pixels per side of the small map of each hidden neuron
_MARGIN = 0.15  # of the data span on each side, so edge points are not cut by the frame

_MAP_STRENGTH = 0.72  # map colours stop short of the full hue, which is kept for the points


def _mix(a: np.ndarray, b: np.ndarray, t: float | np.ndarray) -> np.ndarray:
    return a + (b - a) * t


class _Colours:
    """The palette's plot colours as the view uses them (arrays, QColors, the lookup table)."""

    def __init__(self, theme: Theme) -> None:
        pal = palette(theme)
        self.bg = qcolor(pal.plot_background)
        self.fg = qcolor(pal.plot_text)
        self.mid = np.array(pal.plot_neutral, dtype=float)
        self.map_hues = np.array([_mix(self.mid, np.array(h, dtype=float), _MAP_STRENGTH)
                                  for h in pal.map_hues])
        # dark themes have brighter point fills on their darker map
        self.point_hues = np.array(pal.class_hues, dtype=float)
        self.outline = qcolor(pal.point_outline)
        # 256-entry diverging lookup table: low -> mid -> high
        t = np.linspace(0.0, 1.0, 256)[:, None]
        lo, hi = self.map_hues[0], self.map_hues[1]
        self.lut = np.rint(
            np.where(t < 0.5, _mix(lo, self.mid, t * 2), _mix(self.mid, hi, t * 2 - 1))
        ).astype(np.uint8)

    def class_map_colour(self, k: int) -> np.ndarray:
        return self.map_hues[k % len(self.map_hues)]

    def class_point_colour(self, k: int) -> QColor:
        return qcolor(self.point_hues[k % len(self.point_hues)])


@lru_cache(maxsize=8)
def _colours(theme: Theme) -> _Colours:
    return _Colours(theme)


def grid_points(
    xlim: tuple[float, float], ylim: tuple[float, float], resolution: int = DEFAULT_RESOLUTION
) -> np.ndarray:
    """Pixel centres of a ``resolution`` x ``resolution`` image covering the rectangle.

    Row-major like an image: row 0 is the top (largest y), x increases along each row. Point
    ``r * resolution + c`` is pixel (row r, column c); pixel centres make the image cover the
    rectangle exactly. Returns float64 of shape (resolution**2, 2).
    """
    resolution = int(resolution)
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    (x0, x1), (y0, y1) = (map(float, xlim)), (map(float, ylim))
    if not (math.isfinite(x0) and math.isfinite(x1) and x1 > x0):
        raise ValueError(f"xlim must be finite with xlim[0] < xlim[1], got {xlim}")
    if not (math.isfinite(y0) and math.isfinite(y1) and y1 > y0):
        raise ValueError(f"ylim must be finite with ylim[0] < ylim[1], got {ylim}")
    frac = (np.arange(resolution) + 0.5) / resolution
    xs = x0 + (x1 - x0) * frac
    ys = y1 - (y1 - y0) * frac
    pts = np.empty((resolution, resolution, 2))
    pts[:, :, 0] = xs[None, :]
    pts[:, :, 1] = ys[:, None]
    return pts.reshape(-1, 2)


def _class_probabilities(values: np.ndarray) -> np.ndarray:
    """Rows of class scores as probabilities: as given if already in [0, 1] (normalised to sum
    to one, e.g. softmax or one sigmoid per class), else through a softmax."""
    v = np.where(np.isfinite(values), values, 0.0)
    if v.min() >= 0.0 and v.max() <= 1.0:
        s = v.sum(axis=1, keepdims=True)
        return np.where(s > 0, v / np.where(s > 0, s, 1.0), 1.0 / v.shape[1])
    e = np.exp(v - v.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def output_to_rgb(
    values: np.ndarray,
    resolution: int,
    *,
    dark: bool = False,
    discretize: bool = False,
    vmin: float = 0.0,
    vmax: float = 1.0,
    theme: Theme | None = None,
) -> np.ndarray:
    """Colours (resolution, resolution, 3) uint8 for outputs over :func:`grid_points`.

    ``values`` (N,) or (N, 1): one output in [vmin, vmax] on the diverging map (orange low,
    neutral at the midpoint, blue high). (N, 2): the class-1 probability on the same map.
    (N, k > 2): the argmax class's colour, faded towards neutral as the confidence drops.
    ``discretize`` paints only the winning class's colour (a 2-colour image for binary outputs).
    NaN outputs are drawn neutral. Colours of ``theme``, else of the dark or the light theme.
    """
    v = np.asarray(values, dtype=np.float64)
    n = int(resolution) ** 2
    if v.ndim == 2 and v.shape[1] == 1:
        v = v[:, 0]
    if v.ndim not in (1, 2) or v.shape[0] != n:
        raise ValueError(
            f"values must have {n} rows (resolution {resolution} squared), got shape {v.shape}"
        )
    if not (math.isfinite(vmin) and math.isfinite(vmax) and vmax > vmin):
        raise ValueError(f"need finite vmin < vmax, got vmin={vmin}, vmax={vmax}")
    col = _colours(theme if theme is not None else (DARK if dark else LIGHT))
    if v.ndim == 2 and v.shape[1] == 2:
        v = _class_probabilities(v)[:, 1]
        vmin, vmax = 0.0, 1.0
    if v.ndim == 1:
        t = (v - vmin) / (vmax - vmin)
        t = np.where(np.isfinite(t), t, 0.5)
        if discretize:
            t = np.where(t >= 0.5, 1.0, 0.0)
        idx = np.rint(np.clip(t, 0.0, 1.0) * 255).astype(np.intp)
        rgb = col.lut[idx]
    else:
        k = v.shape[1]
        p = _class_probabilities(v)
        winner = p.argmax(axis=1)
        hues = np.array([col.class_map_colour(c) for c in range(k)])
        if discretize:
            conf = np.ones(n)
        else:
            conf = np.clip((p.max(axis=1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
        rgb = np.rint(_mix(col.mid, hues[winner], conf[:, None])).astype(np.uint8)
    return np.ascontiguousarray(rgb.reshape(int(resolution), int(resolution), 3))


def _rgb_to_qimage(rgb: np.ndarray) -> QImage:
    h, w, _ = rgb.shape
    data = np.ascontiguousarray(rgb)
    # copy(): the QImage must own its pixels, not borrow the NumPy buffer.
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def output_to_image(
    values: np.ndarray,
    resolution: int,
    *,
    dark: bool = False,
    discretize: bool = False,
    vmin: float = 0.0,
    vmax: float = 1.0,
    theme: Theme | None = None,
) -> QImage:
    """The :func:`output_to_rgb` colours as a ``resolution`` x ``resolution`` QImage (row 0 at
    the top, matching :func:`grid_points`)."""
    rgb = output_to_rgb(values, resolution, dark=dark, discretize=discretize, vmin=vmin,
                        vmax=vmax, theme=theme)
    return _rgb_to_qimage(rgb)


def _classes(Y: np.ndarray, n: int, name: str) -> np.ndarray:
    y = np.asarray(Y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    if y.ndim != 2 or y.shape[0] != n:
        raise ValueError(f"{name} must have one row per point ({n}), got shape {y.shape}")
    if y.shape[1] == 1:
        return (y[:, 0] > 0.5).astype(np.intp)
    return y.argmax(axis=1)


def _points(X: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(X, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(
            f"{name} must be 2-D points of shape (n, 2) (the decision boundary needs exactly "
            f"two inputs), got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{name} contains NaN or infinite coordinates")
    return x


def _limits(lo: float, hi: float) -> tuple[float, float]:
    span = hi - lo
    if span <= 0:
        return lo - 1.0, hi + 1.0
    return lo - _MARGIN * span, hi + _MARGIN * span


_BASE_FONT_PT = 11.0
_BASE_POINT_SIZE = 10.0
#: Points drawn per set (train, test); larger sets show an even spread of this many.
MAX_DRAWN_POINTS = 5_000
_REFERENCE_SIDE = 300.0  # plot side (px at text scale 1) where markers have their base size
_VIEW_FACTOR_LIMITS = (0.6, 2.0)


class BoundaryView(QWidget):
    """The model's output over the input plane, with the data points drawn on top."""

    def __init__(self, parent: QWidget | None = None, *, resolution: int = DEFAULT_RESOLUTION):
        super().__init__(parent)
        resolution = int(resolution)
        if resolution < 2:
            raise ValueError(f"resolution must be at least 2, got {resolution}")
        self.resolution = resolution
        self._theme = LIGHT
        self._scale = 1.0
        self._discretize = False
        self._xlim = (-1.0, 1.0)
        self._ylim = (-1.0, 1.0)
        self._plane: np.ndarray | None = None
        self._output: np.ndarray | None = None
        self._output_range = (0.0, 1.0)
        self._train: tuple[np.ndarray, np.ndarray] | None = None
        self._test: tuple[np.ndarray, np.ndarray] | None = None

        self.discretize_checkbox = QCheckBox("discretize")
        self.discretize_checkbox.setObjectName("discretizeCheckBox")
        self.discretize_checkbox.setToolTip("Show only the predicted class, not the confidence")
        self.discretize_checkbox.toggled.connect(self.set_discretize)
        self.key_label = QLabel("")
        self.key_label.setObjectName("boundaryKey")
        top = QHBoxLayout()
        top.setContentsMargins(8, 4, 8, 0)
        top.addWidget(self.key_label, 1)
        top.addWidget(self.discretize_checkbox)

        self.plot_widget = pg.PlotWidget(
            axisItems={"bottom": ReadableAxis("bottom"), "left": ReadableAxis("left")})
        self.plot_widget.setAccessibleName("Decision boundary plot")
        self.plot_item = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.hideButtons()
        self.plot_item.setMouseEnabled(x=False, y=False)
        self.plot_item.getViewBox().disableAutoRange()
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot_item.addItem(self.image_item)
        self.train_scatter = pg.ScatterPlotItem(symbol="o", pxMode=True)
        self.test_scatter = pg.ScatterPlotItem(symbol="d", pxMode=True)
        self.plot_item.addItem(self.train_scatter)
        self.plot_item.addItem(self.test_scatter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self.plot_widget, 1)
        self._view_factor = 1.0
        self.plot_item.getViewBox().sigResized.connect(self._on_view_resized)
        self._apply_limits()
        self._apply_style()

    # ---- data -----------------------------------------------------------------------------
    def set_data(
        self,
        X_train: np.ndarray,  # noqa: N803 (maths names)
        Y_train: np.ndarray,  # noqa: N803
        X_test: np.ndarray | None = None,  # noqa: N803
        Y_test: np.ndarray | None = None,  # noqa: N803
    ) -> None:
        """The 2-D points and their targets; the plane is fitted around them with a margin.

        Classes come from Y: one column -> Y > 0.5, several columns -> argmax. Clears the map
        until the next :meth:`set_output` (the plane has changed).
        """
        xtr = _points(X_train, "X_train")
        ctr = _classes(Y_train, len(xtr), "Y_train")
        if (X_test is None) != (Y_test is None):
            raise ValueError("give both X_test and Y_test, or neither")
        if X_test is not None and len(X_test):
            xte = _points(X_test, "X_test")
            cte = _classes(Y_test, len(xte), "Y_test")
            self._test = (xte, cte)
        else:
            self._test = None
        self._train = (xtr, ctr)
        allx = xtr if self._test is None else np.vstack([xtr, self._test[0]])
        if len(allx):
            self._xlim = _limits(float(allx[:, 0].min()), float(allx[:, 0].max()))
            self._ylim = _limits(float(allx[:, 1].min()), float(allx[:, 1].max()))
        else:
            self._xlim = self._ylim = (-1.0, 1.0)
        self._plane = None
        self._output = None
        self.image_item.clear()
        self._apply_limits()
        self._update_points()

    @property
    def xlim(self) -> tuple[float, float]:
        return self._xlim

    @property
    def ylim(self) -> tuple[float, float]:
        return self._ylim

    def plane_points(self) -> np.ndarray:
        """The (resolution**2, 2) grid, row 0 at the top, where the model must be evaluated.
        Read-only and cached until the next :meth:`set_data`."""
        if self._plane is None:
            plane = grid_points(self._xlim, self._ylim, self.resolution)
            plane.setflags(write=False)
            self._plane = plane
        return self._plane

    def set_output(self, values: np.ndarray, *, vmin: float = 0.0, vmax: float = 1.0) -> None:
        """Model output at :meth:`plane_points`: (N,) for one output in [vmin, vmax], (N, k)
        for k classes (coloured by the argmax class, faded by confidence)."""
        v = np.array(values, dtype=np.float64)  # a private copy: the caller may reuse its array
        n = self.resolution**2
        if v.ndim == 0 or v.shape[0] != n or v.ndim > 2:
            raise ValueError(
                f"output must have one row per plane point ({n}), got shape {v.shape}"
            )
        self._output = v
        self._output_range = (float(vmin), float(vmax))
        self._render()

    def _render(self) -> None:
        if self._output is None:
            self.image_item.clear()
            return
        rgb = output_to_rgb(
            self._output, self.resolution, theme=self._theme, discretize=self._discretize,
            vmin=self._output_range[0], vmax=self._output_range[1],
        )
        # ImageItem's row 0 is at the bottom of the y-up view; the grid's row 0 is the top.
        self.image_item.setImage(np.ascontiguousarray(rgb[::-1]), autoLevels=False)
        self.image_item.setRect(QRectF(self._xlim[0], self._ylim[0],
                                       self._xlim[1] - self._xlim[0],
                                       self._ylim[1] - self._ylim[0]))

    @Slot(bool)
    def set_discretize(self, on: bool) -> None:
        on = bool(on)
        if self.discretize_checkbox.isChecked() != on:
            self.discretize_checkbox.setChecked(on)  # re-enters through toggled
            return
        if on != self._discretize:
            self._discretize = on
            self._render()

    @property
    def discretize(self) -> bool:
        return self._discretize

    def neuron_rows(self, size: int = NEURON_MAP_SIZE) -> np.ndarray:
        """Rows of :meth:`plane_points` that a ``size`` x ``size`` neuron map shows (nearest
        grid point per map pixel, row-major): evaluating hidden layers there alone suffices."""
        size = int(size)
        if size < 1:
            raise ValueError(f"size must be positive, got {size}")
        res = self.resolution
        pick = np.minimum(((np.arange(size) + 0.5) * res / size).astype(np.intp), res - 1)
        return (pick[:, None] * res + pick[None, :]).ravel()

    def neuron_images(
        self,
        hidden_outputs: Sequence[np.ndarray],
        size: int = NEURON_MAP_SIZE,
        ranges: Sequence[tuple[float, float] | None] | None = None,
        picked: bool = False,
    ) -> dict[tuple[int, int], QImage]:
        """A ``size`` x ``size`` map of each hidden neuron's output over the plane.

        ``hidden_outputs[l]`` holds hidden layer l+1's activations at :meth:`plane_points`,
        shape (N, neurons), or with ``picked`` only at its :meth:`neuron_rows` (size**2 rows).
        Keys are (layer, neuron) with layers counted from 1 (layer 0 is the input). Colour
        range per layer: ``ranges[l]`` if given, else [0, 1] when all values lie there
        (sigmoid), [-1, 1] when they lie there (tanh), otherwise symmetric around 0 up to the
        layer's largest magnitude (ReLU, linear) -- so orange is low, blue high.
        """
        size = int(size)
        if size < 1:
            raise ValueError(f"size must be positive, got {size}")
        if ranges is not None and len(ranges) != len(hidden_outputs):
            raise ValueError(
                f"{len(ranges)} ranges given for {len(hidden_outputs)} hidden layers"
            )
        n = size * size if picked else self.resolution ** 2
        flat = slice(None) if picked else self.neuron_rows(size)
        lut = _colours(self._theme).lut
        images: dict[tuple[int, int], QImage] = {}
        for li, a in enumerate(hidden_outputs):
            a = np.asarray(a, dtype=np.float64)
            if a.ndim == 1:
                a = a[:, None]
            if a.ndim != 2 or a.shape[0] != n:
                raise ValueError(
                    f"hidden layer {li + 1} output must have shape ({n}, neurons) over the "
                    f"plane points, got {a.shape}"
                )
            shown = a[flat]  # the map's pixels; its colour range comes from them alone, so
            # maps from full-plane and from picked activations are the same
            lo, hi = self._neuron_range(shown, None if ranges is None else ranges[li])
            # the whole layer through the lookup table at once: (neurons, size, size, 3)
            t = (shown.T - lo) / (hi - lo)
            t = np.where(np.isfinite(t), t, 0.5)
            idx = np.rint(np.clip(t, 0.0, 1.0) * 255).astype(np.intp)
            rgb = lut[idx].reshape(a.shape[1], size, size, 3)
            for j in range(a.shape[1]):
                images[(li + 1, j)] = _rgb_to_qimage(rgb[j])
        return images

    @staticmethod
    def _neuron_range(a: np.ndarray, given: tuple[float, float] | None) -> tuple[float, float]:
        if given is not None:
            lo, hi = float(given[0]), float(given[1])
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise ValueError(f"a neuron range needs finite lo < hi, got {given}")
            return lo, hi
        lo, hi = (float(a.min()), float(a.max())) if a.size else (math.nan, math.nan)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            # only here the slower pass that leaves NaN / inf out (the common case has none)
            finite = a[np.isfinite(a)]
            if finite.size == 0:
                return -1.0, 1.0
            lo, hi = float(finite.min()), float(finite.max())
        if lo >= 0.0 and hi <= 1.0:
            return 0.0, 1.0
        if lo >= -1.0 and hi <= 1.0:
            return -1.0, 1.0
        m = max(abs(lo), abs(hi))
        return -m, m

    # ---- presentation ---------------------------------------------------------------------
    def set_style(self, theme: Theme, scale: float) -> None:
        """The theme's plot colours (map, points, axes) and the text and marker scale
        (``nnviz.gui.palette.Styled``)."""
        self._scale = check_scale(scale)
        recolour = theme is not self._theme
        self._theme = theme
        self._apply_style()
        if recolour:
            self._render()

    def set_scale(self, factor: float) -> None:
        """Presentation mode: multiply fonts, point sizes and outlines by ``factor``."""
        self.set_style(self._theme, factor)

    def set_palette_mode(self, dark: bool) -> None:
        """Dark or light background, with map and point colours chosen for each."""
        self.set_style(DARK if dark else LIGHT, self._scale)

    def _apply_limits(self) -> None:
        self.plot_item.setRange(xRange=self._xlim, yRange=self._ylim, padding=0)
        self.image_item.setRect(QRectF(self._xlim[0], self._ylim[0],
                                       self._xlim[1] - self._xlim[0],
                                       self._ylim[1] - self._ylim[0]))

    def _update_points(self) -> None:
        col = _colours(self._theme)
        s = self._scale
        pen = pg.mkPen(col.outline, width=1.3 * s)
        # one brush object per class, so pyqtgraph can cache one symbol per class
        brushes = {}
        # Many points would bury the map under their markers: shrink them as the count grows.
        n = sum(len(d[0]) for d in (self._train, self._test) if d is not None)
        crowd = 1.0 if n <= 100 else max(0.45, (100 / n) ** 0.35)
        crowd *= self.view_factor()  # and they grow and shrink with the plot
        for item, data, size in (
            (self.train_scatter, self._train, _BASE_POINT_SIZE * s * crowd),
            (self.test_scatter, self._test, (_BASE_POINT_SIZE + 2) * s * crowd),
        ):
            if data is None or not len(data[0]):
                item.setData([], [])
                continue
            x, c = data
            if len(x) > MAX_DRAWN_POINTS:
                # An even spread of the points: more are a blur, and a scatter of 1.5 million
                # took pyqtgraph 19 s to build and 1 s to paint, freezing the window.
                keep = np.linspace(0, len(x) - 1, MAX_DRAWN_POINTS).astype(np.intp)
                x, c = x[keep], c[keep]
            for k in np.unique(c):
                brushes.setdefault(int(k), pg.mkBrush(col.class_point_colour(int(k))))
            item.setData(
                x=x[:, 0], y=x[:, 1], size=size, pen=pen,
                brush=[brushes[int(k)] for k in c],
            )
        key = "● train    ◆ test" if self._test is not None else "● train"
        total = sum(len(d[0]) for d in (self._train, self._test) if d is not None)
        if any(d is not None and len(d[0]) > MAX_DRAWN_POINTS for d in (self._train, self._test)):
            shown = sum(min(len(d[0]), MAX_DRAWN_POINTS)
                        for d in (self._train, self._test) if d is not None)
            key += f"    ({shown:,} of {total:,} shown)"
        self.key_label.setText(key)

    def view_factor(self) -> float:
        """How much the markers grow or shrink with the plot: its shorter side over
        _REFERENCE_SIDE (times the text scale), within _VIEW_FACTOR_LIMITS; 1 before the plot
        is laid out."""
        rect = self.plot_item.getViewBox().sceneBoundingRect()
        side = min(rect.width(), rect.height())
        if side < 50:
            return 1.0
        lo, hi = _VIEW_FACTOR_LIMITS
        return min(max(side / (_REFERENCE_SIDE * self._scale), lo), hi)

    @Slot()
    def _on_view_resized(self) -> None:
        factor = round(self.view_factor(), 2)
        if factor != self._view_factor:
            self._view_factor = factor
            self._update_points()

    def set_show_test(self, on: bool) -> None:
        """Show or hide the test points (the controls' "Show test data")."""
        self.test_scatter.setVisible(on)

    @property
    def show_test(self) -> bool:
        return self.test_scatter.isVisible()

    def _apply_style(self) -> None:
        col = _colours(self._theme)
        s = self._scale
        self.plot_widget.setBackground(col.bg)
        font_pt = _BASE_FONT_PT * s
        tick_font = QFont()
        tick_font.setPointSizeF(font_pt)
        for name, label in (("bottom", "x<sub>1</sub>"), ("left", "x<sub>2</sub>")):
            axis = self.plot_item.getAxis(name)
            axis.setPen(pg.mkPen(col.fg, width=max(1.0, s)))
            axis.setTextPen(pg.mkPen(col.fg))
            axis.setStyle(tickFont=tick_font, tickTextOffset=int(4 * s))
            axis.setLabel(label, **{"color": col.fg.name(), "font-size": f"{font_pt:.1f}pt"})
            axis.enableAutoSIPrefix(False)
        widget_font = QFont(self.font())
        widget_font.setPointSizeF(font_pt)
        for w in (self.key_label, self.discretize_checkbox):
            w.setFont(widget_font)
            w.setStyleSheet(f"color: {col.fg.name()};")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), col.bg)
        self.setPalette(palette)
        self._update_points()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return super().sizeHint().expandedTo(QSize(320, 320))
