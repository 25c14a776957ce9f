"""The central network drawing: nodes by layer, edges coloured by weight or gradient.

A pure view. It knows nothing about training or threads: a controller feeds it arrays
(``set_network`` / ``set_params`` / ``set_activations`` / ``set_deltas``) and listens to its
signals. Everything it shows comes from the arrays last set, so hover read-outs stay current
while training runs.

Drawing choices (see DESIGN.md section 4):

* Edges are colour-binned: sign by hue (orange negative, blue positive, a colour-blind-safe
  pair), magnitude by width and by how far the colour is mixed from the background towards the
  full hue (saturation), clamped at a scale (the 99th percentile of |value| over all edges,
  unless fixed with ``set_value_scale``: then weights beyond it saturate and the legend counts
  them; the gradient colouring always follows its percentile). All edges of one bucket (faded
  or not, width class, sign, magnitude bin) go to one ``QPainter.drawLines`` call whose point
  buffer is filled from NumPy, never one call or item per edge. Colours are opaque (mixed with
  the background): semi-transparent lines take the raster engine's per-pixel path, about 10x
  slower here.
* Layers that draw many edges use thinner lines (``_WMAX`` per density class) so the strongest
  stay readable, and draw each bucket in interleaved chunks so neither sign systematically ends
  up on top where a dense layer covers its area several times over.
* Layers run left to right. A layer of at most ``MAX_CIRCLE_NODES`` (32) nodes is drawn as
  circles; a wider layer is drawn as a *compressed column*: a narrow bar spanning the plot height
  in which node ``i`` owns the horizontal slice ``i`` (filled by its activation), so every node
  still has a position, edges still end at their own node, and hover/click still resolve single
  nodes. Biases of compressed layers appear in the node tooltip only.
* At most ``max_edges`` edges are drawn (default 5000). The budget is shared between layers by
  water-filling (small layers keep all their edges, the rest is split evenly), and within a
  layer the strongest edges of the current colouring (weight or dE/dw) win. The legend then
  says "showing N of M edges".
* Live streams: data arriving within ``LIVE_SETTLE_MS`` of the previous painted update counts as
  live (training). Live frames draw edges without antialiasing, and a network whose measured
  edge cost would exceed ``LIVE_EDGE_BUDGET_MS`` draws fewer of its strongest edges (never fewer
  than ``MIN_LIVE_EDGES``; the legend says "thinned while updating"). When the stream pauses,
  one full render follows: all ``max_edges`` edges, antialiased if at most ``AA_EDGE_LIMIT``.
  Networks of at most ``AA_ALWAYS_LIMIT`` edges are always antialiased.
* Bias: a small square at the lower left of each circle node, coloured like an edge with the
  bias value (the bias is the weight of a constant +1 input); hover shows it, click edits it.
* Layout for any size (classrooms, projectors, docks): margins are a share of the widget size
  (capped at their scale-1 size), not fixed. When titles and legend would take more than
  ``_CHROME_SHARE`` of the height they become compact: one line per layer title and a smaller
  legend that flows into as few rows as the width allows (at most ``_LEGEND_SHARE`` of the
  height; the node key, then the count, are left out first). Circles are limited by the
  vertical spacing of their layer (``_R_VERTICAL``), by ``_R_HORIZONTAL`` of the distance
  between layers (so layers never overlap, however narrow) and by 38 px x scale. Text never
  shrinks below ``_READABLE_PX`` x scale: node values, side labels (x1, y) and titles are left
  out (titles are first shortened: "Hidden 1 4 neurons", "Hidden 1 4", "H1 4", "H1") rather
  than drawn smaller.
  The legend's height is computed from the widest words the network can show, so nodes do not
  move when the count or the edge mode changes.
* Node fill: activation ``a`` with the same diverging palette, clamped at 1 (or at the layer's
  largest |a| when that is larger, e.g. ReLU or raw inputs); the value is written inside when
  the circle is large enough for readable text (z and a together in the forward phase if
  both fit, else a alone). Node maps (``set_node_images``) are drawn inside
  their circle, with the activation colour as a ring.
* Stepper highlight (``set_highlight``): the edges the phase uses are drawn at full colour and
  the others faded; the nodes the phase computes get a dark ring and show z and a (forward) or
  delta (output_delta / backward / gradients), their inputs a dashed ring; the layer title gets
  a phase badge; a small active layer (<= 24 edges) gets its numbers written on the edges
  (dE/dw in the gradients phase or gradient mode, otherwise the weight).
* The scene (background, edges, nodes, titles, legend) is rendered into a cached image that is
  rebuilt only when data, size, mode or style change; hover and selection are painted on top,
  so moving the mouse over a large network costs a blit. Live frames, which all differ, are
  painted straight onto the widget instead. Titles and legend are cached images keyed by their
  content (the legend's scale labels, which change with every training update, are drawn into
  slots beside its cached image).
* Cost per frame is GIL time taken from the training thread (a Qt call made from Python keeps the
  GIL), so the drawing makes few calls: the edges of one colour bucket are one
  ``drawLines(const QLineF *, n)`` reading NumPy rows in place (never a QPolygonF, for which
  PySide6 re-takes the GIL every few lines while drawing); node circles of one layer are one
  ``drawPixmapFragments`` call from an atlas holding every fill colour (fills are quantised to
  64 levels per sign), and so are node maps and bias squares; positions, segments and label
  texts are kept per layout.
* Cached images are rendered at the pixel ratio of the device being painted, read from the
  painter (``QWidget.render`` into a 3x QImage paints through this widget, whose own ratio is
  the screen's): PNG exports at 2x/3x are drawn at that resolution, not upscaled, and SVG
  exports embed a 2x picture. The caches are rebuilt only when that ratio changes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shiboken6
from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import QInputDialog, QToolTip, QWidget

from nnviz.core import notation
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale, edge_rgb, weight_hue
from nnviz.gui.theme import rgb as theme_rgb

__all__ = ["NetworkView", "MAX_CIRCLE_NODES", "AA_ALWAYS_LIMIT", "AA_EDGE_LIMIT"]

MAX_CIRCLE_NODES = 32
#: Layers up to this wide show every node's value: inside the node, or beside it when small.
MAX_LABELLED_NODES = 16
#: QImage.text key of node images that stand for a value not to be shown ("?" marks); other
#: node images (maps over the input plane) get the value beside the node.
HIDES_VALUE = "nnviz-hides-value"
AA_ALWAYS_LIMIT = 64     # so few edges that antialiasing them is always affordable
AA_EDGE_LIMIT = 2000     # antialias up to this many edges when the view is not updating live
LIVE_SETTLE_MS = 300     # data changes closer together than this count as a live stream
_N_BINS = 8  # magnitude bins per sign
# Widest edge per density class: a layer drawing many edges gets thinner lines so the strongest
# ones stay readable instead of merging into one block of colour.
_WMAX = (6.0, 4.0, 2.5, 1.6)
_WCLASS_LIMITS = (64, 400, 1500)
_MIN_WIDTH = 1.05  # above 1 px Qt uses its thick-line rasteriser, ~3x cheaper for long lines
# Dense layers cover their area several times over, so whatever is drawn last dominates: each
# bucket is drawn in interleaved chunks so that neither sign systematically ends up on top.
_CHUNKS = (1, 1, 3, 6)
_MAX_CHUNKS = max(_CHUNKS)
_KEY_GREY = 2 * _MAX_CHUNKS * _N_BINS  # bucket of neutral edges (gradient mode, no gradient)
_KEY_BLOCK = _KEY_GREY + 1             # buckets per (faded, width class)
LIVE_EDGE_BUDGET_MS = 8.0    # CPU time live frames may spend on edges (big networks only)
MIN_LIVE_EDGES = 1000
_HIGHLIGHT_KINDS = ("forward", "loss", "output_delta", "backward", "gradients", "update")
_EDGE_MODES = ("weight", "gradient")
_VECTOR_DPR = 2.0  # pixel ratio of the scene picture embedded in vector exports (SVG)
# Layout proportions. Margins follow the widget size, capped at their size at scale 1.
_CHROME_SHARE = 0.2    # titles + legend taller than this share of the height: compact, one line
_LEGEND_SHARE = 0.12   # height share a compact legend may use (it drops items beyond that)
_R_VERTICAL = 0.42     # circle radius / vertical distance between nodes of a layer
_R_HORIZONTAL = 0.3    # circle radius / horizontal distance between layers
_READABLE_PX = 10.0    # smallest text drawn, in pixels at scale 1 (grows with set_scale)
_NODE_KEY = "nodes: activation  ·  ■ bias"

_BAD_RGB = (200, 0, 200)  # fill of NaN / inf
_BAD_KEY = 200 << 16 | 200
_FILL_LEVELS = 64  # node and bias fills are quantised to this many levels per sign
_NODE_FLOOR = 0.08  # share of the hue in the fill of a zero activation
_BIAS_FLOOR = 0.15  # ... and of a zero bias
_ATLAS_COLUMNS = 12
_ATLAS_BAD = 2 * (_FILL_LEVELS + 1)  # atlas cell of NaN / inf; the next one: no value


@dataclass
class _Style:
    dark: bool
    bg: np.ndarray
    fg: QColor
    muted: QColor
    node_outline: QColor
    highlight: QColor
    hover: QColor
    theme: Theme = LIGHT

    @classmethod
    def make(cls, which: bool | Theme) -> _Style:
        """The view's colours for a theme (True / False: the dark / light one)."""
        t = which if isinstance(which, Theme) else (DARK if which else LIGHT)
        bg = np.array(theme_rgb(t.canvas), dtype=float)
        fg, muted = QColor(t.text), QColor(t.muted)
        if t.dark:
            return cls(True, bg, fg, muted, QColor(150, 150, 155), QColor(255, 214, 10),
                       QColor(255, 255, 255), t)
        outline = QColor(90, 90, 90) if t is LIGHT else QColor(t.text)
        return cls(False, bg, fg, muted, outline, fg, QColor(0, 0, 0), t)


@dataclass
class _Layout:
    width: float
    height: float
    xs: np.ndarray                      # x centre per activation layer
    ys: list[np.ndarray]                # node y centres per activation layer
    radius: list[float]                 # circle radius per layer (0 for compressed columns)
    compressed: list[bool]
    bar_w: float
    top: float
    bottom: float
    legend_top: float
    compact: bool = False               # one-line titles and a smaller legend (short views)
    header_h: float = 0.0               # height of the title band (0: titles left out)
    legend_rows: int = 0
    legend_pad: float = 0.0
    pad_x: float = 0.0
    label_px: tuple[float, float] = (0.0, 0.0)  # input / output side label size (0: none)
    label_gap: float = 0.0
    # x where edges of weight layer l start / end (circle centres or bar sides)
    edge_x0: list[float] = field(default_factory=list)
    edge_x1: list[float] = field(default_factory=list)
    bias_rects: list[list[QRectF]] | None = None
    # things derived from this layout alone, built on first use (node points, label texts,
    # edge segments): a live frame then only recomputes what the new values change
    derived: dict = field(default_factory=dict)


@dataclass
class _Chrome:
    """Vertical space of the text around the nodes."""

    compact: bool
    header_h: float
    gap_top: float
    legend_h: float
    legend_rows: int
    legend_pad: float
    gap_bottom: float

    @property
    def total(self) -> float:
        return self.header_h + self.gap_top + self.legend_h + self.gap_bottom


@dataclass
class _EdgeSet:
    """The edges chosen for drawing in one weight layer."""

    sel: np.ndarray      # flat indices into weights[l] (row-major: i * n_out + j)
    vals: np.ndarray     # the colouring values of those edges (weight or dE/dw)
    total: int           # edges in the layer
    grey: bool = False   # gradient mode without gradients: drawn neutral


def _fmt(x: float | np.floating) -> str:
    """Shortest text that round-trips the value in its own dtype (exact, no noise digits)."""
    if isinstance(x, np.floating):
        v = x
    else:
        v = np.float64(x)
    if not np.isfinite(v):
        return str(float(v))
    a = abs(float(v))
    if a != 0.0 and (a < 1e-4 or a >= 1e7):
        return np.format_float_scientific(v, unique=True, trim="-")
    return np.format_float_positional(v, unique=True, trim="-")


def _short(x: float, digits: int = 3) -> str:
    """A value drawn inside a node or on an edge: as the panel writes it (``notation.number``)."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    s = notation.number(x, digits)
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0.0000"


def _nice_scale_text(s: float) -> str:
    return f"{s:.3g}"


_LINE_BYTES = 32  # one QLineF: four doubles


def _draw_line_rows(p: QPainter, address: int, count: int) -> None:
    """Draw ``count`` lines stored as rows of four float64 (x1, y1, x2, y2) at ``address``.

    Not a QPolygonF: given one, PySide6 (6.11) re-takes the GIL every few lines while
    drawing, so a frame waits for the training thread's GIL slices again and again (300 lines:
    1.7 ms alone, 100 ms while training runs). The pointer overload reads the rows in place.
    """
    p.drawLines(shiboken6.wrapInstance(address, QLineF), count)


def _mix(bg: np.ndarray, rgb: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    return bg + (rgb - bg) * np.asarray(t)[..., None]


def _qcolor(rgb: np.ndarray) -> QColor:
    r, g, b = (int(round(float(c))) for c in rgb)
    return QColor(r, g, b)


def _water_fill(counts: list[int], budget: int) -> list[int]:
    """Split ``budget`` over layers: layers that fit their fair share keep everything."""
    out = [0] * len(counts)
    order = sorted(range(len(counts)), key=lambda i: counts[i])
    remaining = budget
    for pos, i in enumerate(order):
        share = remaining // (len(order) - pos)
        out[i] = min(counts[i], share)
        remaining -= out[i]
    return out


def _flow(widths: Sequence[float], avail: float, gap: float, max_rows: int) -> list[list[int]]:
    """Greedy rows of item indices, in order; items after the last row that fits are left out.
    Narrower items never need more rows, so rows reserved for the widest case suffice."""
    rows: list[list[int]] = [[]]
    x = 0.0
    for i, w in enumerate(widths):
        if rows[-1] and x + gap + w > avail:
            if len(rows) >= max_rows:
                break
            rows.append([])
            x = 0.0
        x += (gap if rows[-1] else 0.0) + w
        rows[-1].append(i)
    return rows


def _float_array(x: object) -> np.ndarray:
    # Keep float32 as float32 so tooltips print the value the network really holds.
    arr = np.asarray(x)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(float)


def _as_vector(x: object, n: int, what: str) -> np.ndarray:
    arr = _float_array(x)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.shape != (n,):
        raise ValueError(f"{what} has shape {np.shape(x)}; expected ({n},) for one sample")
    return arr


class NetworkView(QWidget):
    """Draws a fully connected network; see the module docstring for the drawing rules.

    Indexing: ``weights[l]`` has shape ``(sizes[l], sizes[l + 1])`` and connects activation
    layer ``l`` (0 = input) to activation layer ``l + 1``. Text shown to people numbers nodes
    from 1 (x1, x2, neuron 1...); signals and ``*_at`` methods use 0-based indices.
    """

    weightEdited = Signal(int, int, int, float)
    biasEdited = Signal(int, int, float)
    biasModeChanged = Signal(int, str)  # weight layer, new bias mode (from the bias dialog)
    nodeSelected = Signal(int, int)
    # ("edge", (layer, i, j)), ("bias", (layer, j)), ("node", (layer, i)) or None: other views
    # (the weight matrices) highlight what the pointer is on
    hoverChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, max_edges: int = 5000) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        # Tab reaches it too: with the focus here every one-key shortcut (Space, N, B, ...) acts
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._max_edges = self._check_max_edges(max_edges)
        self._sizes: list[int] = []
        self._weights: list[np.ndarray] = []
        self._biases: list[np.ndarray] = []
        self._grads: list[np.ndarray] | None = None
        self._a: list[np.ndarray] | None = None
        self._z: list[np.ndarray] | None = None
        self._delta: list[np.ndarray | None] | None = None
        self._images: dict[tuple[int, int], QImage] = {}
        self._discs: dict[int, tuple[tuple, tuple[QPixmap, int, np.ndarray] | None]] = {}
        self._images_version = 0  # counts set_node_images calls: map atlases are keyed by it
        self._input_labels: list[str] | None = None
        self._output_labels: list[str] | None = None
        self._mode = "weight"
        self._min_mag = 0.0
        self._fixed_scale: float | None = None
        self._saturated = 0  # weights beyond a fixed scale, drawn at full strength
        self._digits = notation.DEFAULT_DIGITS
        self._hl_layer: int | None = None
        self._hl_kind: str | None = None
        self._scale = 1.0
        self._style = _Style.make(False)
        self._selected: tuple[int, int] | None = None
        self._hover: tuple[str, tuple[int, ...]] | None = None
        self._tip_pos: QPoint | None = None
        self._press_pos: QPoint | None = None
        # caches
        self._layout: _Layout | None = None
        self._bias_modes: tuple[str, ...] = ()  # per weight layer; "none" draws no bias square
        self._edges: list[_EdgeSet] | None = None
        self._value_scale = 1.0
        self._scene: QImage | None = None
        self._spare: QImage | None = None
        self._chrome: dict[str, QImage] = {}
        self._chrome_keys: dict[str, tuple] = {}
        # where the legend image left room for its scale labels: x of the left and right
        # slots, row top, row height, slot width (None: no colour bar drawn)
        self._legend_scale_at: tuple[float, float, float, float, float] | None = None
        self._sprites: dict[tuple, tuple[QImage, float]] = {}
        self._pens: dict[tuple, QPen] = {}
        self._fonts: dict[tuple[int, bool], QFont] = {}
        self._font_metrics: dict[int, QFontMetricsF] = {}
        self._luts: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._atlases: dict[tuple[float, bool], tuple[QPixmap, int]] = {}
        # device pixels per logical pixel of the device last painted on: the screen's, or an
        # export's (2x/3x PNG); every cached image is rendered at this ratio
        self._dpr = 1.0
        self._laid_out_size = QSize()
        self._redraw_ms = 0.0
        self._scene_ms = 0.0
        # Live streams (training) draw edges without antialiasing; once the stream pauses, one
        # antialiased render follows.
        self._live = False
        self._rendered_aa = True
        self._edge_cost_us: float | None = None
        self._budget_used = 0
        self._last_change = -1.0
        self._painted_since_change = False
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(LIVE_SETTLE_MS)
        self._settle.timeout.connect(self._on_settled)

    # ------------------------------------------------------------------ public API
    def set_network(self, sizes: Sequence[int], weights: Sequence[np.ndarray],
                    biases: Sequence[np.ndarray]) -> None:
        """New topology and parameters; clears activations, deltas, gradients and highlight."""
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output layer, got {sizes}")
        if any(s < 1 for s in sizes):
            raise ValueError(f"every layer needs at least one node, got sizes {sizes}")
        self._sizes = sizes
        self._weights, self._biases = self._check_params(weights, biases)
        self._grads = None
        self._a = self._z = None
        self._delta = None
        self._hl_layer = self._hl_kind = None
        self._selected = None
        self._hover = None
        self._images = {}
        self._labels: dict[tuple[int, int], str] = {}
        self._label_boxes = []
        self._edge_label_total = self._edge_labels_moved = 0
        self._moved_marker = ""
        self._images_version += 1
        if self._input_labels is not None and len(self._input_labels) != sizes[0]:
            self._input_labels = None
        if self._output_labels is not None and len(self._output_labels) != sizes[-1]:
            self._output_labels = None
        self._layout = None
        self._invalidate_edges()

    def set_bias_modes(self, modes: Sequence[str]) -> None:
        """The bias mode of every weight layer (README "Bias modes"): a layer without bias
        (mode none) has no square to draw, hover or click; a frozen one says so when edited."""
        self._bias_modes = tuple(modes)
        self._layout = None
        self.update()

    def bias_mode(self, layer: int) -> str:
        return self._bias_modes[layer] if layer < len(self._bias_modes) else "trained"

    def set_params(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                   grads: Sequence[np.ndarray] | None = None) -> None:
        """Cheap update for the same topology; ``grads`` are dE/dW per layer (same shapes)."""
        self._require_network()
        self._weights, self._biases = self._check_params(weights, biases)
        if grads is None:
            self._grads = None
        else:
            if len(grads) != len(self._weights):
                raise ValueError(f"grads has {len(grads)} layers; the network has "
                                 f"{len(self._weights)}")
            gs = []
            for li, g in enumerate(grads):
                g = _float_array(g)
                if g.shape != self._weights[li].shape:
                    raise ValueError(f"grads[{li}] has shape {g.shape}; expected "
                                     f"{self._weights[li].shape} like weights[{li}]")
                gs.append(g)
            self._grads = gs
        self._invalidate_edges()
        self._data_changed()

    def set_activations(self, a: Sequence[np.ndarray] | None,
                        z: Sequence[np.ndarray] | None = None) -> None:
        """Node values for one sample: ``a[0]`` input, ``a[l+1]`` output of layer l, ``z[l]``.

        Entries may be None for layers not computed yet (single-stepping): their nodes show no
        value, and their tooltips say so instead of showing a made-up number."""
        self._require_network()
        if a is None:
            self._a = None
            self._z = None
        else:
            if len(a) != len(self._sizes):
                raise ValueError(f"a has {len(a)} entries; expected {len(self._sizes)} "
                                 "(input plus one per layer)")
            self._a = [None if v is None else _as_vector(v, n, f"a[{li}]")
                       for li, (v, n) in enumerate(zip(a, self._sizes, strict=True))]
            if z is None:
                self._z = None
            else:
                if len(z) != len(self._weights):
                    raise ValueError(f"z has {len(z)} entries; expected one per layer "
                                     f"({len(self._weights)})")
                self._z = [None if v is None else _as_vector(v, self._sizes[li + 1], f"z[{li}]")
                           for li, v in enumerate(z)]
        self._invalidate_scene()
        self._data_changed()

    def set_deltas(self, delta: Sequence[np.ndarray | None] | None) -> None:
        """Per-layer deltas ``delta[l]`` (n_out,) for one sample; entries may be None."""
        self._require_network()
        if delta is None:
            self._delta = None
        else:
            if len(delta) != len(self._weights):
                raise ValueError(f"delta has {len(delta)} entries; expected one per layer "
                                 f"({len(self._weights)})")
            self._delta = [None if d is None else _as_vector(d, self._sizes[li + 1], f"delta[{li}]")
                           for li, d in enumerate(delta)]
        self._invalidate_scene()
        self._data_changed()

    def set_edge_mode(self, mode: str) -> None:
        """Colour edges by ``"weight"`` (default) or by ``"gradient"`` (dE/dw from set_params)."""
        if mode not in _EDGE_MODES:
            raise ValueError(f"edge mode must be one of {_EDGE_MODES}, got {mode!r}")
        if mode != self._mode:
            self._mode = mode
            self._invalidate_edges()

    def edge_mode(self) -> str:
        return self._mode

    def set_min_magnitude(self, value: float) -> None:
        """Hide edges whose |value| (weight or dE/dw, per the mode) is below ``value``."""
        value = float(value)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"minimum magnitude must be a finite number >= 0, got {value}")
        if value != self._min_mag:
            if (value > 0) != (self._min_mag > 0):
                self._layout = None  # the legend may need another row for the count
            self._min_mag = value
            self._invalidate_edges()

    def set_value_scale(self, value: float | None) -> None:
        """Fix the weight colour scale (|w| drawn at full strength, larger ones saturate and the
        legend says how many); None = the 99th percentile of every frame ("auto")."""
        if value is not None:
            value = float(value)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"value scale must be a finite number > 0, got {value}")
        if (value is None) != (self._fixed_scale is None):
            self._layout = None  # the legend's widest words change
        self._fixed_scale = value
        self._invalidate_edges()

    @property
    def value_scale(self) -> float:
        """The |value| drawn at full colour (fixed, or this frame's percentile)."""
        if self._sizes:
            self._ensure_edges()
        return self._value_scale

    def set_digits(self, digits: int) -> None:
        """Decimals of the numbers in the nodes, on the edges and in the tooltips (the step
        panel's digits setting: one setting for every number shown)."""
        digits = int(digits)
        if not 1 <= digits <= 10:
            raise ValueError(f"digits must be 1..10, got {digits}")
        if digits != self._digits:
            self._digits = digits
            self._invalidate_scene()

    @property
    def digits(self) -> int:
        return self._digits

    def _num(self, x: float) -> str:
        return notation.number(float(x), self._digits)

    def set_max_edges(self, n: int) -> None:
        self._max_edges = self._check_max_edges(n)
        self._layout = None  # the legend's count may get longer
        self._invalidate_edges()

    def max_edges(self) -> int:
        return self._max_edges

    def set_highlight(self, layer: int | None, kind: str | None = None) -> None:
        """Emphasise one weight layer for a stepper phase.

        ``layer`` indexes ``weights``. ``kind``: "forward" (edges of the layer, its output nodes
        show z and a), "loss" (output nodes), "output_delta" (output nodes show delta),
        "backward" (nodes of activation layer ``layer + 1`` show their delta; the edges that
        carry it back are those of ``weights[layer + 1]``), "gradients" (edges of the layer,
        output nodes show delta), "update" (edges of the layer). None clears.
        """
        if layer is None:
            self._hl_layer = self._hl_kind = None
        else:
            self._require_network()
            layer = int(layer)
            if not 0 <= layer < len(self._weights):
                raise ValueError(f"highlight layer {layer} out of range "
                                 f"0..{len(self._weights) - 1}")
            if kind is not None and kind not in _HIGHLIGHT_KINDS:
                raise ValueError(f"highlight kind must be one of {_HIGHLIGHT_KINDS}, got {kind!r}")
            self._hl_layer, self._hl_kind = layer, kind
        self._invalidate_scene()

    def set_node_images(self, images: dict[tuple[int, int], QImage] | None) -> None:
        """Small maps of a neuron's output, drawn inside its circle (key = (layer, node))."""
        self._images = dict(images) if images else {}
        self._images_version += 1
        self._invalidate_scene()

    def set_labels(self, inputs: Sequence[str] | None = None,
                   outputs: Sequence[str] | None = None) -> None:
        """Names written beside input and output nodes (defaults x1.. and y / y1..)."""
        if inputs is not None and self._sizes and len(inputs) != self._sizes[0]:
            raise ValueError(f"{len(inputs)} input labels for {self._sizes[0]} inputs")
        if outputs is not None and self._sizes and len(outputs) != self._sizes[-1]:
            raise ValueError(f"{len(outputs)} output labels for {self._sizes[-1]} outputs")
        self._input_labels = list(inputs) if inputs is not None else None
        self._output_labels = list(outputs) if outputs is not None else None
        self._layout = None  # label widths set the side margins
        self._invalidate_scene()

    def set_scale(self, factor: float) -> None:
        """Presentation mode: multiplies fonts, node radii and line widths."""
        factor = self._scale = check_scale(factor)
        self._layout = None
        self._sprites.clear()
        self._atlases.clear()
        self._pens.clear()
        self._invalidate_scene()

    def set_palette_mode(self, dark: bool) -> None:
        """The light (default, white background) or the dark theme."""
        self.set_theme(DARK if dark else LIGHT)

    def set_theme(self, theme: Theme) -> None:
        """Colours of a theme (nnviz.gui.theme): background, text, edge hues and their scale."""
        if not isinstance(theme, Theme):
            raise ValueError(f"expected a Theme, got {theme!r}")
        if theme is self._style.theme:
            return
        self._style = _Style.make(theme)
        self._sprites.clear()
        self._atlases.clear()
        self._pens.clear()
        self._invalidate_scene()

    def hovered(self) -> tuple[str, tuple[int, ...]] | None:
        return self._hover

    def set_hovered(self, item: tuple[str, tuple[int, ...]] | None) -> None:
        """Emphasise an edge, bias or node as if the pointer were on it (None clears)."""
        if item != self._hover:
            self._hover = item
            self.update()

    def set_selected_node(self, node: tuple[int, int] | None) -> None:
        self._selected = node
        self.update()

    def selected_node(self) -> tuple[int, int] | None:
        return self._selected

    def redraw_ms(self) -> float:
        """Duration of the last paintEvent in milliseconds."""
        return self._redraw_ms

    def scene_ms(self) -> float:
        """Duration of the last full scene render (edges, nodes, legend) in milliseconds."""
        return self._scene_ms

    def drawn_edge_count(self) -> int:
        self._ensure_edges()
        return sum(int(e.sel.size) for e in self._edges or [])

    def drawn_edges(self) -> list[tuple[int, int, int]]:
        """The edges the current picture draws, as (layer, i, j)."""
        out: list[tuple[int, int, int]] = []
        for li, es in enumerate(self._ensure_edges()):
            i, j = np.divmod(es.sel, self._sizes[li + 1])
            out.extend((li, int(a), int(b)) for a, b in zip(i, j, strict=True))
        return out

    def total_edge_count(self) -> int:
        return sum(w.size for w in self._weights)

    def legend_text(self) -> str:
        """The legend's words (edge colouring, edge count, node key); a short or narrow view
        may draw only the first of them."""
        return " · ".join(self._legend_lines())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(900, 600)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 240)

    # ---------------------------------------------------------------- positions & hits
    def node_pos(self, layer: int, node: int) -> QPointF:
        """Centre of a node (activation layer index, node index) in widget coordinates."""
        lay = self._ensure_layout()
        return QPointF(float(lay.xs[layer]), float(lay.ys[layer][node]))

    def edge_point(self, layer: int, i: int, j: int, t: float = 0.5) -> QPointF:
        """A point at fraction ``t`` along the drawn edge weights[layer][i, j]."""
        lay = self._ensure_layout()
        x0, x1 = lay.edge_x0[layer], lay.edge_x1[layer]
        y0, y1 = lay.ys[layer][i], lay.ys[layer + 1][j]
        return QPointF(x0 + (x1 - x0) * t, float(y0 + (y1 - y0) * t))

    def bias_rect(self, layer: int, j: int) -> QRectF | None:
        """The clickable bias square of node j of weight layer ``layer`` (None if compressed)."""
        lay = self._ensure_layout()
        a = layer + 1
        if lay.compressed[a] or self.bias_mode(layer) == "none":
            return None
        r = lay.radius[a]
        # clickable even on small circles, but never larger than its circle (crowded layers)
        s = min(max(7.0 * self._scale, r * 0.45), r * 0.8)
        cx = float(lay.xs[a]) - r * 0.9
        cy = float(lay.ys[a][j]) + r * 0.82
        return QRectF(cx - s / 2, cy - s / 2, s, s)

    def node_at(self, pos: QPointF | QPoint) -> tuple[int, int] | None:
        if not self._sizes:
            return None
        lay = self._ensure_layout()
        px, py = float(pos.x()), float(pos.y())
        for li in range(len(self._sizes)):
            x = float(lay.xs[li])
            if lay.compressed[li]:
                half = lay.bar_w / 2 + 2
                if abs(px - x) <= half and lay.top <= py <= lay.bottom:
                    n = self._sizes[li]
                    i = int((py - lay.top) / (lay.bottom - lay.top) * n)
                    return (li, min(max(i, 0), n - 1))
            else:
                r = lay.radius[li] + 2
                if abs(px - x) > r:
                    continue
                d = np.abs(lay.ys[li] - py)
                i = int(np.argmin(d))
                if (px - x) ** 2 + (py - lay.ys[li][i]) ** 2 <= r * r:
                    return (li, i)
        return None

    def bias_at(self, pos: QPointF | QPoint) -> tuple[int, int] | None:
        if not self._sizes:
            return None
        lay = self._ensure_layout()
        p = QPointF(pos)
        for li in range(len(self._weights)):
            if lay.compressed[li + 1]:
                continue
            r0 = self.bias_rect(li, 0)
            if r0 is None or abs(p.x() - r0.center().x()) > r0.width():
                continue
            for j in range(self._sizes[li + 1]):
                rect = self.bias_rect(li, j)
                if rect is not None and rect.adjusted(-2, -2, 2, 2).contains(p):
                    return (li, j)
        return None

    def edge_at(self, pos: QPointF | QPoint) -> tuple[int, int, int] | None:
        """The drawn edge nearest to ``pos`` within a few pixels, as (layer, i, j)."""
        if not self._sizes:
            return None
        lay = self._ensure_layout()
        edges = self._ensure_edges()
        px, py = float(pos.x()), float(pos.y())
        best: tuple[float, int, int, int] | None = None
        for li, es in enumerate(edges):
            x0, x1 = lay.edge_x0[li], lay.edge_x1[li]
            if not (min(x0, x1) - 6 <= px <= max(x0, x1) + 6) or es.sel.size == 0:
                continue
            n_out = self._sizes[li + 1]
            i = es.sel // n_out
            j = es.sel % n_out
            y0 = lay.ys[li][i]
            y1 = lay.ys[li + 1][j]
            dx = x1 - x0
            dy = y1 - y0
            t = np.clip(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
            d2 = (x0 + t * dx - px) ** 2 + (y0 + t * dy - py) ** 2
            widths = self._edge_widths(np.abs(es.vals), self._layer_wclass(li))
            tol = np.maximum(5.0 * self._scale, widths / 2 + 3)
            d2 = np.where(d2 <= tol * tol, d2, np.inf)
            k = int(np.argmin(d2))
            if np.isfinite(d2[k]) and (best is None or d2[k] < best[0]):
                best = (float(d2[k]), li, int(i[k]), int(j[k]))
        return None if best is None else best[1:]

    def tooltip_text_at(self, pos: QPointF | QPoint) -> str | None:
        """The hover text for whatever is under ``pos`` (bias, node, edge), from current arrays."""
        b = self.bias_at(pos)
        if b is not None:
            return self._bias_text(*b)
        n = self.node_at(pos)
        if n is not None:
            return self._node_text(*n)
        e = self.edge_at(pos)
        if e is not None:
            return self._edge_text(*e)
        return None

    # ---------------------------------------------------------------- text helpers
    def _layer_name(self, a_layer: int) -> str:
        if a_layer == 0:
            return "input"
        if a_layer == len(self._sizes) - 1:
            return "output"
        return f"hidden {a_layer}"

    def _node_name(self, a_layer: int, i: int) -> str:
        if a_layer == 0:
            return self._input_labels[i] if self._input_labels else f"x{i + 1}"
        if a_layer == len(self._sizes) - 1:
            if self._output_labels:
                return self._output_labels[i]
            return "y" if self._sizes[-1] == 1 else f"y{i + 1}"
        return notation.unit(a_layer, i, len(self._sizes) - 1)

    def _node_title(self, a_layer: int, i: int) -> str:
        if a_layer == 0:
            return f"Input {self._node_name(0, i)}"
        if a_layer == len(self._sizes) - 1:
            return f"Output {self._node_name(a_layer, i)} (neuron {i + 1})"
        return f"Hidden layer {a_layer}, neuron {i + 1} of {self._sizes[a_layer]}"

    def _tip(self, title: str, rows: list[tuple[str, str]], hint: str | None = None) -> str:
        pt = 11 * self._scale
        body = "".join(f"<tr><td>{k}</td><td>&nbsp;=&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
        html = (f"<div style='font-size:{pt:.0f}pt'><b>{title}</b>"
                f"<table cellspacing='0'>{body}</table>")
        if hint:
            html += f"<i>{hint}</i>"
        return html + "</div>"

    def _node_text(self, a_layer: int, i: int) -> str:
        rows: list[tuple[str, str]] = []
        if a_layer > 0 and self._z is not None and self._z[a_layer - 1] is not None:
            rows.append(("z", self._num(self._z[a_layer - 1][i])))
        if self._a is not None and self._a[a_layer] is not None:
            rows.append(("a" if a_layer else "x", self._num(self._a[a_layer][i])))
        if a_layer > 0 and self.bias_mode(a_layer - 1) != "none":
            rows.append(("bias", self._num(self._biases[a_layer - 1][i])))
            if self._delta is not None and self._delta[a_layer - 1] is not None:
                rows.append(("δ", self._num(self._delta[a_layer - 1][i])))
        if not rows:
            rows.append(("value", "not computed yet"))
        return self._tip(self._node_title(a_layer, i), rows)

    def _edge_text(self, li: int, i: int, j: int) -> str:
        w = self._weights[li][i, j]
        rows = [("weight", self._num(w))]
        if self._grads is not None:
            rows.append(("dE/dw", self._num(self._grads[li][i, j])))
        title = f"{self._node_name(li, i)} → {self._node_name(li + 1, j)}  " \
                f"({notation.weight(li, i, j)})"
        return self._tip(title, rows, "click to edit")

    def _bias_text(self, li: int, j: int) -> str:
        title = f"Bias of {self._node_name(li + 1, j)}  ({notation.bias(li, j)})"
        rows = [("bias", self._num(self._biases[li][j]))]
        if self.bias_mode(li) == "frozen":
            rows.append(("mode", "frozen (training keeps it)"))
        return self._tip(title, rows, "click to edit")

    # ---------------------------------------------------------------- validation
    @staticmethod
    def _check_max_edges(n: int) -> int:
        n = int(n)
        if n < 1:
            raise ValueError(f"max_edges must be at least 1, got {n}")
        return n

    def _require_network(self) -> None:
        if not self._sizes:
            raise RuntimeError("call set_network() before setting values on the network view")

    def _check_params(self, weights: Sequence[np.ndarray],
                      biases: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        L = len(self._sizes) - 1
        if len(weights) != L or len(biases) != L:
            raise ValueError(f"sizes {self._sizes} need {L} weight and bias arrays, got "
                             f"{len(weights)} and {len(biases)} (new topology? use set_network)")
        ws, bs = [], []
        for li in range(L):
            w = _float_array(weights[li])
            want = (self._sizes[li], self._sizes[li + 1])
            if w.shape != want:
                raise ValueError(f"weights[{li}] has shape {w.shape}; expected {want} for sizes "
                                 f"{self._sizes}")
            b = _float_array(biases[li])
            if b.ndim == 2 and b.shape[0] == 1:
                b = b[0]
            if b.shape != (self._sizes[li + 1],):
                raise ValueError(f"biases[{li}] has shape {b.shape}; expected "
                                 f"({self._sizes[li + 1]},)")
            ws.append(w)
            bs.append(b)
        return ws, bs

    # ---------------------------------------------------------------- caches
    def _invalidate_edges(self) -> None:
        self._edges = None
        self._invalidate_scene()

    def _invalidate_scene(self) -> None:
        if self._scene is not None:
            self._spare = self._scene  # reused by the next render: saves allocating 3 MB
        self._scene = None
        self.update()

    def _on_settled(self) -> None:
        self._live = False
        if self._edges is not None and self._budget_used < self._max_edges:
            self._invalidate_edges()
        elif not self._rendered_aa and self.edges_antialiased():
            self._invalidate_scene()

    def _data_changed(self) -> None:
        # Several setters called for one update (params, activations, deltas) count once: only
        # a change after a frame was painted can make the stream "live".
        now = time.monotonic()
        if self._painted_since_change:
            recent = self._last_change >= 0 and (now - self._last_change) * 1e3 < LIVE_SETTLE_MS
            if recent and not self._live:
                self._live = True
                self._invalidate_edges()  # the live edge budget may differ
            self._last_change = now
            self._painted_since_change = False
        elif self._last_change < 0:
            self._last_change = now
        if self._live:
            self._settle.start()
        # A visible tooltip is re-read so values under the mouse keep updating during training.
        if self._tip_pos is not None and QToolTip.isVisible():
            text = self.tooltip_text_at(self._tip_pos)
            if text:
                QToolTip.showText(self.mapToGlobal(self._tip_pos), text, self)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        # Rendering a hidden widget (grab, export) sends a resize event of the same size every
        # time; only a real change invalidates the layout and the scene.
        if event.size() != self._laid_out_size:
            self._laid_out_size = QSize(event.size())
            self._layout = None
            self._invalidate_scene()
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.FontChange:
            self._layout = None  # text sizes follow the font family (zoom, theme)
            self._fonts.clear()
            self._font_metrics.clear()
            self._chrome_keys.clear()
            self._invalidate_scene()
        super().changeEvent(event)

    def _px(self, v: float) -> float:
        return v * self._scale

    def _font(self, px: float, bold: bool = False) -> QFont:
        key = (max(6, int(round(px))), bold)
        f = self._fonts.get(key)
        if f is None:
            f = QFont(self.font())
            f.setPixelSize(key[0])
            f.setBold(bold)
            self._fonts[key] = f
        return f

    def _metrics(self, px: float) -> QFontMetricsF:
        key = max(6, int(round(px)))
        fm = self._font_metrics.get(key)
        if fm is None:
            fm = self._font_metrics[key] = QFontMetricsF(self._font(px))
        return fm

    def _pad_x(self, width: float) -> float:
        return min(14.0 * self._scale, 0.015 * width)

    def _readable_px(self) -> float:
        """Smallest text size drawn: text that would be smaller is left out instead."""
        return max(8.0, _READABLE_PX * self._scale)

    def _title_fonts(self, compact: bool) -> tuple[QFont, QFont]:
        s = self._scale
        if compact:
            return self._font(15 * s, True), self._font(13 * s)
        return self._font(17 * s, True), self._font(14 * s)

    def _legend_fonts(self, compact: bool) -> tuple[QFont, QFont]:
        s = self._scale
        if compact:
            return self._font(12 * s), self._font(11 * s)
        return self._font(15 * s), self._font(13 * s)

    def _legend_worst_lines(self) -> tuple[str, list[str], str]:
        """The widest legend words this network can show, so the legend's height (and with it
        the node layout) stays put while counts and modes change."""
        total = self.total_edge_count()
        counts = [f"{total:,} edges"]
        if total > min(self._max_edges, MIN_LIVE_EDGES) or self._min_mag > 0:
            counts.append(f"showing {total:,} of {total:,} edges (strongest; thinned while "
                          "updating)")
            if self._min_mag > 0:
                counts.append(f"showing {total:,} of {total:,} edges (|dE/dw| ≥ 0.888)")
        if self._fixed_scale is not None:
            counts.append(f"showing {total:,} of {total:,} edges (strongest), {total:,} beyond "
                          "±0.888 (saturated)")
        return "edges: dE/dw (no gradient yet)", counts, _NODE_KEY

    def _legend_slot(self, compact: bool, scale_text: str | None = None) -> float:
        """Width kept for each scale label beside the colour bar: that of a typical value, or
        more when ``scale_text`` needs it. Live updates change only the labels, which are drawn
        into the slots on every frame while the rest of the legend stays a cached image."""
        sfm = QFontMetricsF(self._legend_fonts(compact)[1])
        w = sfm.horizontalAdvance("−0.888")
        if scale_text is not None:
            w = max(w, sfm.horizontalAdvance(f"−{scale_text}"),
                    sfm.horizontalAdvance(f"+{scale_text}"))
        return math.ceil(w)

    def _legend_widths(self, compact: bool, first: str, counts: Sequence[str], key: str,
                       slot: float) -> list[float]:
        """Widths of the legend's items: edge label, colour bar with its scale, count, node key."""
        fm = QFontMetricsF(self._legend_fonts(compact)[0])
        bar = 2 * slot + 2 * self._legend_bar_width(compact) + 12 * self._scale
        return [fm.horizontalAdvance(first), bar, max(fm.horizontalAdvance(c) for c in counts),
                fm.horizontalAdvance(key)]

    def _legend_gap(self, compact: bool) -> float:
        return (14.0 if compact else 24.0) * self._scale

    def _chrome_metrics(self, W: float, H: float, compact: bool) -> _Chrome:
        """Heights of the title band, the legend band and the gaps around the nodes."""
        s = self._scale
        tfm, sfm = (QFontMetricsF(f) for f in self._title_fonts(compact))
        if compact:
            pad = min(6 * s, 0.015 * H)
            header = pad + max(tfm.height(), sfm.height()) + 2 * s
            gap_top = max(2.0, min(8 * s, 0.02 * H))
            gap_bottom = max(2.0, min(6 * s, 0.015 * H))
        else:
            pad = min(10 * s, 0.02 * H)
            header = pad + tfm.height() + sfm.height() + 2 * s
            gap_top = max(2.0, min(20 * s, 0.04 * H))
            gap_bottom = max(2.0, min(12 * s, 0.02 * H))
        lf, _ = self._legend_fonts(compact)
        lh = QFontMetricsF(lf).height()
        lpad = min((4 if compact else 6) * s, 0.015 * H)
        max_rows = max(1, int((_LEGEND_SHARE * H - 2 * lpad) // lh)) if compact else 4
        first, counts, key = self._legend_worst_lines()
        widths = self._legend_widths(compact, first, counts, key, self._legend_slot(compact))
        rows = len(_flow(widths, W - 2 * self._pad_x(W), self._legend_gap(compact), max_rows))
        c = _Chrome(compact, header, gap_top, rows * lh + 2 * lpad, rows, lpad, gap_bottom)
        if compact and c.total > 0.5 * H:
            # a very short view keeps room for its nodes: the legend goes, then the titles
            c.legend_h, c.legend_rows, c.gap_bottom = 0.0, 0, 2.0
            if c.total > 0.5 * H:
                c.header_h, c.gap_top = 0.0, 2.0
        return c

    def _ensure_layout(self) -> _Layout:
        W = float(max(self.width(), 50))
        H = float(max(self.height(), 50))
        # a hidden widget gets its resize event only when rendered: check the size here too
        if self._layout is not None and (self._layout.width, self._layout.height) == (W, H):
            return self._layout
        s = self._scale
        sizes = self._sizes or [1]
        n_layers = len(sizes)
        compressed = [n > MAX_CIRCLE_NODES for n in sizes]
        chrome = self._chrome_metrics(W, H, compact=False)
        if chrome.total > _CHROME_SHARE * H:
            chrome = self._chrome_metrics(W, H, compact=True)
        top = chrome.header_h + chrome.gap_top
        legend_top = H - chrome.legend_h
        bottom = max(legend_top - chrome.gap_bottom, top + 10.0)
        avail_h = bottom - top
        max_r = 38.0 * s
        spacing = [min(avail_h / n, 130.0 * s) for n in sizes]
        r_vert = [max(3.0, min(_R_VERTICAL * sp, max_r)) for sp in spacing]
        # side labels (x1, y ...): readable or left out, and never more than a share of the width
        pad_x = self._pad_x(W)
        label_gap = min(8.0 * s, 0.01 * W + 2.0)
        label_px = [0.0, 0.0]
        reserve = [pad_x, pad_x]
        for side, al in ((0, 0), (1, n_layers - 1)):
            if not self._sizes or compressed[al] or (side == 1 and n_layers == 1):
                continue
            px = min(16.0 * s, spacing[al] * 0.8)
            if px >= self._readable_px():
                fm = self._metrics(px)
                names = [self._node_name(al, i) for i in range(sizes[al])]
                label_px[side] = px
                reserve[side] += max(fm.horizontalAdvance(t) for t in names) + label_gap
        if reserve[0] + reserve[1] > 0.3 * W:
            label_px, reserve = [0.0, 0.0], [pad_x, pad_x]
        span = W - reserve[0] - reserve[1]
        if n_layers > 1:
            # Circles may take up to _R_HORIZONTAL of the distance between layers. The lower
            # bound of that distance (all radii at their horizontal limit) sizes the outer
            # layers, whose radii set the margins; inner ones then grow into what is left.
            least = span / (n_layers - 1 + 2 * _R_HORIZONTAL)
            bar_w = min(14.0 * s, 2 * _R_HORIZONTAL * least)

            def half_width(al: int, gap: float) -> float:
                return bar_w / 2 if compressed[al] else min(r_vert[al], _R_HORIZONTAL * gap)

            ends = (half_width(0, least), half_width(n_layers - 1, least))
            xs = np.linspace(reserve[0] + ends[0], W - reserve[1] - ends[1], n_layers)
            xgap = float(xs[1] - xs[0])
        else:
            bar_w = min(14.0 * s, 0.3 * W)
            xs = np.array([W / 2])
            xgap = W
            ends = (min(r_vert[0], 0.3 * W), 0.0)
        ys: list[np.ndarray] = []
        radius: list[float] = []
        for al, (n, comp) in enumerate(zip(sizes, compressed, strict=True)):
            if comp:
                ys.append(top + (np.arange(n) + 0.5) * (avail_h / n))
                radius.append(0.0)
                continue
            ys.append((top + bottom) / 2 + (np.arange(n) - (n - 1) / 2) * spacing[al])
            if al == 0:
                radius.append(ends[0])
            elif al == n_layers - 1:
                radius.append(ends[1])
            else:
                radius.append(min(r_vert[al], _R_HORIZONTAL * xgap))
        lay = _Layout(W, H, xs, ys, radius, compressed, bar_w, top, bottom, legend_top,
                      compact=chrome.compact, header_h=chrome.header_h,
                      legend_rows=chrome.legend_rows, legend_pad=chrome.legend_pad,
                      pad_x=pad_x, label_px=tuple(label_px), label_gap=label_gap)
        for li in range(n_layers - 1):
            lay.edge_x0.append(float(xs[li]) + (bar_w / 2 if compressed[li] else 0.0))
            lay.edge_x1.append(float(xs[li + 1]) - (bar_w / 2 if compressed[li + 1] else 0.0))
        self._layout = lay
        return lay

    def _edge_values(self, li: int) -> tuple[np.ndarray, bool]:
        if self._mode == "gradient":
            if self._grads is None:
                return self._weights[li], True
            return self._grads[li], False
        return self._weights[li], False

    def _ensure_edges(self) -> list[_EdgeSet]:
        if self._edges is not None:
            return self._edges
        L = len(self._weights)
        flat: list[np.ndarray] = []
        greys: list[bool] = []
        cand: list[np.ndarray | None] = []
        counts: list[int] = []
        for li in range(L):
            v, grey = self._edge_values(li)
            v = v.ravel()
            if not np.all(np.isfinite(v)):
                v = np.where(np.isfinite(v), v, 0.0)
            flat.append(v)
            greys.append(grey)
            if self._min_mag > 0 and not grey:
                c = np.flatnonzero(np.abs(v) >= self._min_mag)
                cand.append(c)
                counts.append(int(c.size))
            else:
                cand.append(None)
                counts.append(int(v.size))
        self._budget_used = self._edge_budget()
        budget = _water_fill(counts, self._budget_used)
        edges: list[_EdgeSet] = []
        for li in range(L):
            v = flat[li]
            c = cand[li]
            if counts[li] > budget[li]:
                pool = v if c is None else v[c]
                k = budget[li]
                if k == 0:
                    sel = np.empty(0, dtype=np.intp)
                else:
                    part = np.argpartition(-np.abs(pool), k - 1)[:k]
                    sel = part if c is None else c[part]
            else:
                sel = np.arange(v.size) if c is None else c
            edges.append(_EdgeSet(sel, v[sel], int(v.size), greys[li]))
        # the scale follows every value of the mode, drawn or not, so hiding edges keeps colours
        self._saturated = 0
        if self._fixed_scale is not None and self._mode != "gradient":
            self._value_scale = self._fixed_scale
            self._saturated = sum(int(np.count_nonzero(np.abs(f) > self._fixed_scale))
                                  for f in flat)
        else:
            coloured = [f for f, g in zip(flat, greys, strict=True) if not g]
            if coloured:
                allv = np.abs(np.concatenate(coloured))
                if allv.size > 20000:
                    # a regular subsample places the percentile well enough for a colour scale
                    allv = allv[:: allv.size // 10000]
                k = min(allv.size - 1, int(0.99 * (allv.size - 1) + 0.5))
                s = float(np.partition(allv, k)[k])
                self._value_scale = s if s > 0 else (float(allv.max()) or 1.0)
            else:
                self._value_scale = 1.0
        self._edges = edges
        return edges

    def _edge_budget(self) -> int:
        """How many edges this render may draw: ``max_edges``, fewer for live frames whose
        measured edge cost would exceed ``LIVE_EDGE_BUDGET_MS``."""
        if self._live and self._edge_cost_us:
            # in steps of 250 so the count (and the legend) does not flicker between frames
            fit = int(LIVE_EDGE_BUDGET_MS * 1000 / self._edge_cost_us) // 250 * 250
            return min(self._max_edges, max(MIN_LIVE_EDGES, fit))
        return self._max_edges

    def _bin_width(self, b: int | np.ndarray, wc: int) -> float | np.ndarray:
        return (_MIN_WIDTH + (_WMAX[wc] - _MIN_WIDTH) * (b + 1) / _N_BINS) * self._scale

    def _edge_widths(self, mag: np.ndarray, wc: int) -> np.ndarray:
        t = np.clip(mag / self._value_scale, 0.0, 1.0)
        return np.asarray(self._bin_width(np.minimum((t * _N_BINS).astype(np.intp),
                                                     _N_BINS - 1), wc))

    def _layer_wclass(self, li: int) -> int:
        n = int(self._ensure_edges()[li].sel.size)
        return sum(n > lim for lim in _WCLASS_LIMITS)

    # ---------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        t0 = time.perf_counter()
        p = QPainter(self)
        try:
            self._use_device_ratio(p)
            if self._live and self._sizes:
                # Live frames are all different: painting them straight onto the widget saves
                # keeping a scene image and copying it over (that cache pays off for hovering
                # over a paused network, where only the overlay changes).
                t1 = time.perf_counter()
                p.fillRect(QRectF(0, 0, self.width(), self.height()), _qcolor(self._style.bg))
                self._draw_scene(p)
                p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                self._scene_ms = (time.perf_counter() - t1) * 1e3
                self._painted_since_change = True
            else:
                if self._scene is None or self._scene.size() != self._scene_size():
                    t1 = time.perf_counter()
                    self._scene = self._render_scene()
                    self._scene_ms = (time.perf_counter() - t1) * 1e3
                    self._painted_since_change = True
                p.drawImage(0, 0, self._scene)
            if self._sizes:
                self._paint_overlay(p)
        finally:
            p.end()
        self._redraw_ms = (time.perf_counter() - t0) * 1e3

    def _use_device_ratio(self, p: QPainter) -> None:
        """Render caches at the pixel ratio of the device really painted on.

        ``QWidget.render`` into a 2x/3x QImage (PNG export) paints through the widget, whose own
        ratio is the screen's; the painter's engine knows the real target. Vector devices (SVG)
        report 1 but keep what they embed, so they get a 2x picture. Caches are dropped only
        when the ratio changes, so repeated painting on one device reuses them.
        """
        engine = p.paintEngine()
        device = engine.paintDevice() if engine is not None else None
        dpr = device.devicePixelRatioF() if device is not None else self.devicePixelRatioF()
        if engine is not None and engine.type() not in (QPaintEngine.Type.Raster,
                                                        QPaintEngine.Type.OpenGL2):
            dpr = max(dpr, _VECTOR_DPR)
        if dpr != self._dpr:
            self._dpr = dpr
            self._sprites.clear()
            self._atlases.clear()
            self._chrome.clear()
            self._chrome_keys.clear()
            self._scene = None
            self._spare = None

    def _scene_size(self) -> QSize:
        dpr = self._dpr
        return QSize(max(1, math.ceil(self.width() * dpr)), max(1, math.ceil(self.height() * dpr)))

    def _new_image(self, w: float, h: float) -> QImage:
        dpr = self._dpr
        img = QImage(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)),
                     QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        return img

    def _render_scene(self) -> QImage:
        img = self._spare
        if img is None or img.size() != self._scene_size():
            img = self._new_image(self.width(), self.height())
        self._spare = None
        img.fill(_qcolor(self._style.bg))
        p = QPainter(img)
        try:
            self._draw_scene(p)
        finally:
            p.end()
        return img

    def _draw_scene(self, p: QPainter) -> None:
        """Edges, nodes, titles and legend, on the background already filled."""
        if not self._sizes:
            p.setPen(self._style.muted)
            p.setFont(self._font(self._px(16)))
            p.drawText(QRectF(0, 0, self.width(), self.height()),
                       Qt.AlignmentFlag.AlignCenter, "No network")
            return
        lay = self._ensure_layout()
        edges = self._ensure_edges()
        self._draw_edges(p, lay, edges)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._draw_nodes(p, lay)
        self._draw_edge_labels(p, lay, edges)
        if lay.header_h > 0:
            p.drawImage(QPointF(0, 0), self._chrome_image("titles", lay))
        if lay.legend_rows > 0:
            p.drawImage(QPointF(0, lay.legend_top), self._chrome_image("legend", lay))
            self._draw_legend_scale(p)

    def _chrome_image(self, which: str, lay: _Layout) -> QImage:
        """Titles and legend change rarely: keep them as images keyed by what they show."""
        common = (lay.width, lay.compact, self._scale, self._style.theme.name, self._dpr)
        if which == "titles":
            key: tuple = (which, *common, lay.header_h, tuple(lay.xs.tolist()),
                          tuple(self._sizes), self._hl_layer, self._hl_kind)
        else:
            key = (which, *common, lay.height - lay.legend_top, lay.legend_rows,
                   tuple(self._legend_lines()),
                   self._legend_slot(lay.compact, _nice_scale_text(self._value_scale)))
        img = self._chrome.get(which)
        if img is not None and self._chrome_keys.get(which) == key:
            return img
        h = lay.header_h if which == "titles" else lay.height - lay.legend_top
        img = self._new_image(lay.width, h)
        img.fill(_qcolor(self._style.bg))
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        try:
            if which == "titles":
                self._draw_titles(p, lay)
            else:
                p.translate(0, -lay.legend_top)
                self._draw_legend(p, lay)
        finally:
            p.end()
        self._chrome[which] = img
        self._chrome_keys[which] = key
        return img

    def _bucket_colour(self, sign: int, b: int, faded: bool, grey: bool) -> QColor:
        bg = self._style.bg
        if grey:
            rgb = np.array(theme_rgb(self._style.theme.muted), dtype=float)
        else:
            rgb = np.array(edge_rgb(self._style.theme, sign, b / (_N_BINS - 1)))
        if faded:
            rgb = _mix(bg, rgb, 0.22)
        return _qcolor(rgb)

    def _edge_hue(self, value: float) -> QColor:
        t = self._style.theme
        return QColor(t.edge_positive if value > 0 else t.edge_negative)

    def _bucket_pen(self, sign: int, b: int, faded: bool, grey: bool, wc: int) -> QPen:
        key = (sign, b, faded, grey, wc)
        pen = self._pens.get(key)
        if pen is None:
            width = _MIN_WIDTH * self._scale if grey else float(self._bin_width(b, wc))
            pen = QPen(self._bucket_colour(sign, b, faded, grey), width)
            # flat caps keep Qt on its fast thick-line rasteriser
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            self._pens[key] = pen
        return pen

    def _active_edge_layer(self) -> int | None:
        """The weight layer whose edges the current phase uses (None = no emphasis)."""
        if self._hl_layer is None:
            return None
        if self._hl_kind in ("loss", "output_delta"):
            return -1  # no edges carry this phase: fade them all
        if self._hl_kind == "backward":
            nxt = self._hl_layer + 1
            return nxt if nxt < len(self._weights) else -1
        return self._hl_layer

    def edges_antialiased(self) -> bool:
        """Whether the next scene render antialiases edges (live updates draw them plain)."""
        n = self.drawn_edge_count()
        return n <= AA_ALWAYS_LIMIT or (not self._live and n <= AA_EDGE_LIMIT)

    def _edge_segments(self, lay: _Layout, li: int, es: _EdgeSet) -> np.ndarray:
        """(k, 4) end points of the drawn edges of weight layer ``li``; a layer drawn whole
        keeps its array for the layout."""
        whole = es.sel.size == es.total
        if whole:
            seg = lay.derived.get(("segments", li))
            if seg is not None:
                return seg
        n_out = self._sizes[li + 1]
        seg = np.empty((es.sel.size, 4))
        seg[:, 0] = lay.edge_x0[li]
        seg[:, 1] = lay.ys[li][es.sel // n_out]
        seg[:, 2] = lay.edge_x1[li]
        seg[:, 3] = lay.ys[li + 1][es.sel % n_out]
        if whole:
            lay.derived[("segments", li)] = seg
        return seg

    def _draw_edges(self, p: QPainter, lay: _Layout, edges: list[_EdgeSet]) -> None:
        aa = self.edges_antialiased()
        self._rendered_aa = aa
        p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
        active = self._active_edge_layer()
        segs: list[np.ndarray] = []
        keys: list[np.ndarray] = []
        for li, es in enumerate(edges):
            k = es.sel.size
            if k == 0:
                continue
            segs.append(self._edge_segments(lay, li, es))
            # key = draw order: faded layers first, then weak before strong so strong is on top
            faded = active is not None and active != li
            wc = sum(k > lim for lim in _WCLASS_LIMITS)
            base = ((0 if faded else 4) + wc) * _KEY_BLOCK
            if es.grey:
                keys.append(np.full(k, base + _KEY_GREY, dtype=np.intp))
            else:
                t = np.clip(np.abs(es.vals) / self._value_scale, 0.0, 1.0)
                bins = np.minimum((t * _N_BINS).astype(np.intp), _N_BINS - 1)
                chunk = np.arange(k) % _CHUNKS[wc] if _CHUNKS[wc] > 1 else 0
                keys.append(base + (bins * _MAX_CHUNKS + chunk) * 2 + (es.vals > 0))
        if not segs:
            return
        key_all = np.concatenate(keys)
        order = np.argsort(key_all, kind="stable")
        key_all = key_all[order]
        # rows of x1 y1 x2 y2 doubles are QLineF's memory layout: each bucket is handed to
        # QPainter.drawLines(const QLineF *, int) in place, without a Python object per edge
        lines = np.ascontiguousarray(np.concatenate(segs)[order])
        bounds = np.flatnonzero(np.diff(key_all)) + 1
        starts = [0, *bounds.tolist()]
        ends = [*bounds.tolist(), int(key_all.size)]
        address = lines.ctypes.data
        t0 = time.thread_time()
        for a, b in zip(starts, ends, strict=True):
            p.setPen(self._pen_for_key(int(key_all[a])))
            _draw_line_rows(p, address + a * _LINE_BYTES, b - a)
        if key_all.size >= 500 and not aa:
            # CPU cost per edge, used to size the edge budget of live frames
            cost = (time.thread_time() - t0) * 1e6 / key_all.size
            self._edge_cost_us = cost if self._edge_cost_us is None else \
                0.7 * self._edge_cost_us + 0.3 * cost

    def _draw_edge_labels(self, p: QPainter, lay: _Layout, edges: list[_EdgeSet]) -> None:
        """During a stepper phase, write the numbers on the active layer's edges if they fit."""
        kept = self._edge_labels(lay, edges)
        self._edge_labels_moved = max(0, self._edge_label_total - len(kept))
        if self._edge_labels_moved:
            self._draw_moved_marker(p, lay, len(kept), self._edge_label_total)
        if not kept:
            return
        s = self._scale
        p.setFont(self._font(self._px(13)))
        bg = _qcolor(self._style.bg)
        bg.setAlpha(225)
        for v, box, txt in kept:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(box, 4 * s, 4 * s)
            p.setPen(self._edge_hue(v))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, txt)

    def _draw_moved_marker(self, p: QPainter, lay: _Layout, shown: int, total: int) -> None:
        """A visible note over the active edges that their numbers are in the Step panel."""
        li = self._active_edge_layer()
        if li is None:
            return
        what = {"gradients": "dE/dw", "update": "new weights"}.get(self._hl_kind or "",
                                                                     "weights")
        text = (f"{what}: all {total} in the Step panel ▸" if shown == 0 else
                f"{what}: {total - shown} more in the Step panel ▸")
        s = self._scale
        fm = self._metrics(self._px(13))
        w = fm.horizontalAdvance(text) + 10 * s
        cx = (lay.edge_x0[li] + lay.edge_x1[li]) / 2
        x = min(max(cx - w / 2, 0.0), max(0.0, lay.width - w))
        h = fm.height() + 4 * s
        # under the nodes, just above the legend: clear of the titles and the node values
        box = QRectF(x, max(lay.top, lay.legend_top - h - 2 * s), w, h)
        bg = _qcolor(self._style.bg)
        bg.setAlpha(235)
        p.setPen(QPen(self._style.fg, 1.0 * s))
        p.setBrush(bg)
        p.drawRoundedRect(box, 4 * s, 4 * s)
        p.setFont(self._font(self._px(13)))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        self._moved_marker = text

    def edge_labels_moved(self) -> int:
        """How many numbers the current phase writes on edges went to the Step panel instead
        (a marker in the view says so), as of the last paint."""
        return self._edge_labels_moved

    def moved_marker(self) -> str:
        """The marker's text ("" when every edge number is drawn), as of the last paint."""
        return self._moved_marker if self._edge_labels_moved else ""

    def _edge_labels(self, lay: _Layout,
                     edges: list[_EdgeSet]) -> list[tuple[float, QRectF, str]]:
        """(value, box, text) of the numbers written on the active layer's edges."""
        self._edge_label_total = 0
        li = self._active_edge_layer()
        if li is None or li < 0 or self._hl_kind == "backward":
            return []
        es = edges[li]
        n_in, n_out = self._sizes[li], self._sizes[li + 1]
        # the numbers this phase writes on its edges (those not kept are in the Step panel)
        self._edge_label_total = int(es.sel.size)
        if es.sel.size == 0 or es.sel.size > 24 or lay.compressed[li] or lay.compressed[li + 1]:
            return []
        use_grad = self._grads is not None and (self._hl_kind == "gradients"
                                                or self._mode == "gradient")
        vals = self._grads[li] if use_grad else self._weights[li]  # type: ignore[index]
        s = self._scale
        fm = self._metrics(self._px(13))
        span = lay.edge_x1[li] - lay.edge_x0[li]
        t_lo = min(0.4, (lay.radius[li] + fm.horizontalAdvance("-0.000") / 2 + 8 * s) / span)
        t_hi = 0.62
        labels: list[tuple[float, QRectF, str]] = []
        for k in es.sel.tolist():
            i, j = divmod(k, n_out)
            # sources get different positions along their edges so labels do not collide
            t = t_lo + (t_hi - t_lo) * (0.5 if n_in == 1 else i / (n_in - 1))
            pt = self.edge_point(li, i, j, t)
            v = float(vals[i, j])
            txt = _short(v, self._digits)
            w = fm.horizontalAdvance(txt) + 8 * s
            labels.append((v, QRectF(pt.x() - w / 2, pt.y() - fm.height() / 2, w, fm.height()),
                           txt))
        # Where they still collide (a cramped view), the strongest edges keep their numbers;
        # the others are left out (their tooltips still have them) instead of overprinted.
        kept: list[tuple[float, QRectF, str]] = []
        for v, box, txt in sorted(labels, key=lambda e: -abs(e[0]) if math.isfinite(e[0])
                                  else -math.inf):
            inner = box.adjusted(1, 1, -1, -1)
            # node values beside their nodes come first: an edge number never covers one
            if not any(inner.intersects(other) for _, other, _ in kept) and \
                    not any(inner.intersects(other) for other in self._label_boxes):
                kept.append((v, box, txt))
        return kept

    def _pen_for_key(self, key: int) -> QPen:
        cls, bucket = divmod(key, _KEY_BLOCK)
        faded, wc = cls < 4, cls % 4
        if bucket == _KEY_GREY:
            return self._bucket_pen(0, 0, faded, True, wc)
        return self._bucket_pen(1 if bucket % 2 else -1, bucket // (2 * _MAX_CHUNKS), faded,
                                False, wc)

    def _node_roles(self) -> tuple[set[int], set[int], str | None]:
        """Activation layers with a strong ring, with a light ring, and what strong ones show."""
        if self._hl_layer is None:
            return set(), set(), None
        li, k = self._hl_layer, self._hl_kind
        out = li + 1
        if k == "forward":
            return {out}, {li}, "za"
        if k in ("loss",):
            return {out}, set(), None
        if k == "output_delta":
            return {out}, set(), "delta"
        if k == "backward":
            light = {out + 1} if out + 1 < len(self._sizes) else set()
            return {out}, light, "delta"
        if k == "gradients":
            return {out}, {li}, "delta"
        return {out}, {li}, None  # update or kind None

    def _sprite_set(self, r: float, dashed: bool) -> tuple[dict[int, QImage], float]:
        """The cached circle sprites of one radius and outline, by fill colour, and their half
        size (sprites are drawn at centre - half)."""
        key = (r, dashed)
        hit = self._sprites.get(key)
        if hit is None:
            half = r + (2.0 if dashed else 1.5) * self._scale + 1
            hit = self._sprites[key] = ({}, half)
        return hit

    def _sprite(self, rgb: int, r: float, dashed: bool) -> tuple[QImage, float]:
        """An antialiased filled and outlined circle, cached: blitting beats re-rasterising."""
        images, half = self._sprite_set(r, dashed)
        img = images.get(rgb)
        if img is not None:
            return img, half
        st = self._style
        ow = (2.0 if dashed else 1.5) * self._scale
        img = self._new_image(2 * half, 2 * half)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(st.highlight if dashed else st.node_outline, ow)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(QBrush(QColor((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255)))
        p.drawEllipse(QPointF(half, half), r, r)
        p.end()
        if len(images) > 2000:
            images.clear()
        images[rgb] = img
        return img, half

    def _atlas(self, r: float, dashed: bool) -> tuple[QPixmap, int]:
        """Every node sprite of one radius and outline in one pixmap, and its cell size in
        device pixels. Cell ``sign * (_FILL_LEVELS + 1) + level`` holds the fill of
        ``_fill_index``; then one cell for NaN / inf and one for "no value" (background)."""
        key = (r, dashed)
        hit = self._atlases.get(key)
        if hit is not None:
            return hit
        _, half = self._sprite_set(r, dashed)
        cell = math.ceil(2 * half * self._dpr)
        _, packed = self._palette_lut(_NODE_FLOOR)
        bg = self._style.bg
        keys = [*packed.ravel().tolist(), _BAD_KEY,
                int(bg[0]) << 16 | int(bg[1]) << 8 | int(bg[2])]

        def paint(p: QPainter, c: int, left: float, top: float) -> None:
            p.drawImage(QPointF(left, top), self._sprite(keys[c], r, dashed)[0])

        hit = self._atlases[key] = (self._build_atlas(len(keys), cell, paint), cell)
        return hit

    def _build_atlas(self, count: int, cell: int,
                     paint: Callable[[QPainter, int, float, float], None]) -> QPixmap:
        """A transparent pixmap of ``count`` square cells of ``cell`` device pixels, in rows of
        ``_ATLAS_COLUMNS``; ``paint(p, c, left, top)`` draws cell c (logical coordinates)."""
        dpr = self._dpr
        rows = -(-count // _ATLAS_COLUMNS)
        img = QImage(cell * _ATLAS_COLUMNS, cell * rows, QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        try:
            for c in range(count):
                paint(p, c, (c % _ATLAS_COLUMNS) * cell / dpr, (c // _ATLAS_COLUMNS) * cell / dpr)
        finally:
            p.end()
        return QPixmap.fromImage(img)

    def _palette_lut(self, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """Fill colours (2, 65, 3) and their packed 0xRRGGBB keys (2, 65): [v > 0, level]."""
        bg = self._style.bg
        theme = self._style.theme
        key = (floor, tuple(bg.tolist()), theme.edge_negative, theme.edge_positive)
        hit = self._luts.get(key)
        if hit is None:
            t = np.arange(_FILL_LEVELS + 1) / _FILL_LEVELS
            mix = (floor + (1 - floor) * t)[None, :, None]
            # the edges' hues (one palette per theme), so a node reads like its edges
            hue = np.array([weight_hue(theme, -1), weight_hue(theme, 1)], dtype=float)[:, None, :]
            rgb = np.rint(bg + (hue - bg) * mix).astype(np.int64)
            packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
            hit = self._luts[key] = (rgb, packed)
        return hit

    def _dark_cells(self) -> np.ndarray:
        """Per node atlas cell (see ``_atlas``): whether its fill is dark (luma below 150)."""
        rgb, _ = self._palette_lut(_NODE_FLOOR)
        bg = self._style.bg
        cells = np.concatenate([rgb.reshape(-1, 3), [_BAD_RGB], [bg]]).astype(float)
        return cells @ np.array([0.299, 0.587, 0.114]) < 150

    def _fill_index(self, vals: np.ndarray, scale: float) -> tuple[tuple, np.ndarray | None]:
        """LUT index of each value (quantised, invisibly, so node sprites can be cached by
        colour; |v| clamped at ``scale``) and the mask of non-finite values (None: all finite)."""
        finite = np.isfinite(vals)
        bad = None
        if not finite.all():
            bad = ~finite
            vals = np.where(finite, vals, 0.0)
        level = np.minimum(np.abs(vals) * (_FILL_LEVELS / scale), float(_FILL_LEVELS))
        return ((vals > 0).view(np.int8), np.rint(level).astype(np.intp)), bad

    def _fill_rgb(self, vals: np.ndarray, scale: float, floor: float = _NODE_FLOOR) -> np.ndarray:
        """Diverging palette colours (n, 3) for values, |v| clamped at ``scale``."""
        idx, bad = self._fill_index(vals, scale)
        rgb = self._palette_lut(floor)[0][idx]
        if bad is not None:
            rgb[bad] = _BAD_RGB  # NaN / inf: unmistakably wrong
        return rgb

    def _draw_cells(self, p: QPainter, atlas: QPixmap, cell: int, cells: np.ndarray,
                    lay: _Layout, key: tuple, x: float | np.ndarray,
                    y: float | np.ndarray) -> None:
        """Blit atlas cells centred at (x, y) with one QPainter.drawPixmapFragments call.

        The (const PixmapFragment *, count) overload reads rows of ten doubles in place: centre,
        source cell, source size, scale, rotation, opacity. One call per layer instead of a
        Python-level blit per node: every millisecond of Python here is taken from the training
        thread. Everything but the source cell is fixed for a layout (``key`` names it)."""
        n = int(cells.size)
        if n == 0:
            return
        tkey = ("fragments", key, cell, self._dpr)
        template = lay.derived.get(tkey)
        if template is None or template.shape[0] != n:
            template = np.empty((n, 10))
            template[:, 0] = x
            template[:, 1] = y
            template[:, 4:6] = cell
            template[:, 6:8] = 1.0 / self._dpr
            template[:, 8] = 0.0
            template[:, 9] = 1.0
            lay.derived[tkey] = template
        frags = template.copy()
        row, col = np.divmod(cells, _ATLAS_COLUMNS)
        frags[:, 2] = col * cell
        frags[:, 3] = row * cell
        p.drawPixmapFragments(shiboken6.wrapInstance(frags.ctypes.data, QPainter.PixmapFragment),
                              n, atlas)

    def _map_atlas(self, al: int, radius: float) -> tuple[QPixmap, int, np.ndarray] | None:
        """The node maps of one layer cut to antialiased discs of ``radius``, in one pixmap, and
        the nodes they belong to. Rebuilt when a map changes (the boundary view sends new maps
        a few times a second; frames come 30 times)."""
        key = (self._images_version, radius, self._dpr)
        hit = self._discs.get(al)
        if hit is not None and hit[0] == key:
            return hit[1]
        nodes = [i for i in range(self._sizes[al]) if (al, i) in self._images]
        if not nodes:
            self._discs[al] = (key, None)
            return None
        cell = math.ceil(2 * radius * self._dpr)

        def paint(p: QPainter, c: int, left: float, top: float) -> None:
            path = QPainterPath()
            path.addEllipse(QPointF(left + radius, top + radius), radius, radius)
            p.setClipPath(path)
            p.drawImage(QRectF(left, top, 2 * radius, 2 * radius), self._images[(al, nodes[c])])

        value = (self._build_atlas(len(nodes), cell, paint), cell, np.array(nodes, dtype=np.intp))
        self._discs[al] = (key, value)
        return value

    def _bias_centres(self, lay: _Layout, li: int) -> tuple[np.ndarray, np.ndarray, float]:
        key = ("bias_centres", li)
        hit = lay.derived.get(key)
        if hit is None:
            rects = self._bias_rects(li)
            hit = lay.derived[key] = (np.array([r.center().x() for r in rects]),
                                      np.array([r.center().y() for r in rects]),
                                      rects[0].width() if rects else 0.0)
        return hit

    def _bias_atlas(self, size: float) -> tuple[QPixmap, int]:
        """Solid bias squares of every fill colour: cells as in ``_atlas`` (floor 0.15), then
        NaN / inf, then the neutral grey of gradient mode."""
        key = ("bias", size)
        hit = self._atlases.get(key)
        if hit is not None:
            return hit
        cell = max(1, math.ceil(size * self._dpr))
        rgb, _ = self._palette_lut(_BIAS_FLOOR)
        colours = [*map(tuple, rgb.reshape(-1, 3).tolist()), _BAD_RGB,
                   tuple(np.rint(_mix(self._style.bg, np.array([128.0] * 3), 0.5)).astype(int))]
        side = cell / self._dpr

        def paint(p: QPainter, c: int, left: float, top: float) -> None:
            p.fillRect(QRectF(left, top, side, side), QColor(*(int(v) for v in colours[c])))

        hit = self._atlases[key] = (self._build_atlas(len(colours), cell, paint), cell)
        return hit

    def _bias_cells(self, li: int) -> np.ndarray:
        """Bias atlas cell of each bias square of weight layer ``li``."""
        b = self._biases[li]
        if self._mode == "gradient":
            # dE/db is not passed to the view; keep the bias visible but neutral
            return np.full(b.size, _ATLAS_BAD + 1, dtype=np.intp)
        (sign, level), bad = self._fill_index(b, self._value_scale)
        cells = sign * (_FILL_LEVELS + 1) + level
        if bad is not None:
            cells[bad] = _ATLAS_BAD
        return cells

    def _draw_nodes(self, p: QPainter, lay: _Layout) -> None:
        # Runs for every live frame, on the GUI thread whose Python time the trainer loses:
        # per node only a lookup and a blit; colours come from a table, positions from the layout.
        st = self._style
        s = self._scale
        strong, light, shows = self._node_roles()
        bias_rects: list[QRectF] = []
        white, black = QColor(255, 255, 255), QColor(20, 20, 20)
        self._labels = labels = {}
        self._label_boxes: list[QRectF] = []
        beside: list[tuple[int, np.ndarray, float, bool]] = []
        for al, n in enumerate(self._sizes):
            a = self._a[al] if self._a is not None else None
            show_delta = (shows == "delta" and al in strong and al > 0 and self._delta is not None
                          and self._delta[al - 1] is not None)
            vals = self._delta[al - 1] if show_delta else a  # type: ignore[index]
            if vals is not None:
                finite = np.abs(vals[np.isfinite(vals)])
                peak = float(finite.max()) if finite.size else 0.0
                scale = peak if show_delta else max(1.0, peak)
                scale = scale if scale > 0 else 1.0
            else:
                scale = 1.0
            ring = st.highlight if al in strong else None
            if lay.compressed[al]:
                self._draw_column(p, lay, al, vals, scale, ring, al in light)
                continue
            r = lay.radius[al]
            dashed = al in light
            atlas, cell = self._atlas(r, dashed)
            if vals is not None:
                (sign, level), bad = self._fill_index(vals, scale)
                cells = sign * (_FILL_LEVELS + 1) + level
                if bad is not None:
                    cells[bad] = _ATLAS_BAD
            else:
                cells = np.full(n, _ATLAS_BAD + 1, dtype=np.intp)
            self._draw_cells(p, atlas, cell, cells, lay, ("nodes", al), float(lay.xs[al]),
                             lay.ys[al])
            written = None if vals is None else \
                self._node_texts(al, vals, r, shows if al in strong else None, show_delta)
            if written is not None:
                texts, px = written
                # white text on dark fills: the atlas cell says which fill a node has
                dark = self._dark_cells()[cells].tolist()
                p.setFont(self._font(px))
                x = float(lay.xs[al])
                ys = lay.ys[al].tolist()
                covered = []
                for i in range(n):
                    if (al, i) in self._images:
                        covered.append(i)
                        continue
                    p.setPen(white if dark[i] else black)
                    p.drawText(QRectF(x - r, ys[i] - r, 2 * r, 2 * r),
                               Qt.AlignmentFlag.AlignCenter, texts[i])
                    labels[(al, i)] = texts[i]
                if covered and n <= MAX_LABELLED_NODES:
                    beside.append((al, vals, r, show_delta, covered))  # maps cover them
            elif vals is not None and n <= MAX_LABELLED_NODES:
                beside.append((al, vals, r, show_delta, range(n)))
            elif vals is None and n <= MAX_LABELLED_NODES:
                self._draw_unknown(p, lay, al, r)
            if self._images and r >= 8:
                maps = self._map_atlas(al, 0.8 * r)
                if maps is not None:
                    pix, mcell, nodes = maps
                    self._draw_cells(p, pix, mcell, np.arange(nodes.size), lay,
                                     ("maps", al, nodes.tobytes()), float(lay.xs[al]),
                                     lay.ys[al][nodes])
            if al > 0 and self.bias_mode(al - 1) != "none":
                cx, cy, size = self._bias_centres(lay, al - 1)
                pix, bcell = self._bias_atlas(size)
                self._draw_cells(p, pix, bcell, self._bias_cells(al - 1), lay, ("biases", al),
                                 cx, cy)
                bias_rects.extend(self._bias_rects(al - 1))
            if ring is not None:
                rw = 3.5 * s
                p.setPen(QPen(ring, rw))
                p.setBrush(Qt.BrushStyle.NoBrush)
                x = float(lay.xs[al])
                for y in lay.ys[al].tolist():
                    p.drawEllipse(QPointF(x, y), r + rw, r + rw)
            self._draw_side_labels(p, lay, al)
        for al, vals, r, show_delta, nodes in beside:
            self._draw_beside_labels(p, lay, al, vals, r, show_delta, nodes)
        if bias_rects:
            p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            p.setPen(QPen(st.node_outline, 1.0))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRects(bias_rects)
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)

    def _node_texts(self, al: int, vals: np.ndarray, r: float, shows: str | None,
                    show_delta: bool) -> tuple[list[str], float] | None:
        """The numbers written inside one layer's nodes and their font size, or None when they
        would not be readable (below ``_readable_px``): z and a when asked and they fit, else
        one value; three decimals unless two give a clearly larger font."""
        s = self._scale
        min_px = self._readable_px()
        pre = "δ " if show_delta else ""
        choices: list[tuple[float, Callable[[int], list[str]]]] = []
        if shows == "za" and self._z is not None and self._z[al - 1] is not None:
            z = self._z[al - 1]
            choices.append((min(r * 0.42, 19 * s),
                            lambda d: [f"z {_short(float(zi), d)}\na {_short(float(ai), d)}"
                                       for zi, ai in zip(z, vals, strict=True)]))
        choices.append((min(r * 0.5, 19 * s),
                        lambda d: [pre + _short(float(v), d) for v in vals]))
        for base, make in choices:
            if base < min_px:
                continue  # built only for sizes that can be drawn: this runs on every frame
            fm = self._metrics(base)
            # the digits setting first; fewer decimals only where those would not be readable
            options = [make(d) for d in range(self._digits, 1, -1)] or [make(self._digits)]
            for k, texts in enumerate(options):
                widest = max(fm.horizontalAdvance(ln) for t in texts for ln in t.split("\n"))
                px = base * min(1.0, 1.7 * r / widest) if widest > 0 else base
                if px >= max(min_px, 0.85 * base) or (k == len(options) - 1 and px >= min_px):
                    return texts, px
        return None

    def _draw_beside_labels(self, p: QPainter, lay: _Layout, al: int, vals: np.ndarray,
                            r: float, show_delta: bool, nodes: Iterable[int]) -> None:
        """Values of nodes too small to hold them, in boxes beside the nodes: right of them,
        left of the output layer (its names are on the right)."""
        spacing = float(lay.ys[al][1] - lay.ys[al][0]) if len(lay.ys[al]) > 1 else lay.height
        px = max(self._readable_px(), min(16.0 * self._scale, 0.9 * spacing))
        fm = self._metrics(px)
        pre = "δ " if show_delta else ""
        left = al == len(self._sizes) - 1 and al > 0
        x = float(lay.xs[al])
        gap = 3.0 * self._scale
        bg = _qcolor(self._style.bg)
        bg.setAlpha(230)
        p.setFont(self._font(px))
        ys = lay.ys[al].tolist()
        for i in nodes:
            y = ys[i]
            image = self._images.get((al, i))
            if image is not None and image.text(HIDES_VALUE):
                self._labels[(al, i)] = "?"  # not computed yet, or hidden until revealed
                continue
            text = pre + _short(float(vals[i]), 3 if show_delta else 2)
            w = fm.horizontalAdvance(text) + 6 * self._scale
            box = QRectF(x - r - gap - w if left else x + r + gap, y - fm.height() / 2, w,
                         fm.height())
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(box, 3 * self._scale, 3 * self._scale)
            p.setPen(self._style.fg)
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            self._labels[(al, i)] = text
            self._label_boxes.append(box)

    def _draw_unknown(self, p: QPainter, lay: _Layout, al: int, r: float) -> None:
        """A layer the current phase has not computed yet: "?" in its nodes (beside them when
        they are small), so no node is blank and no made-up value is shown."""
        px = max(self._readable_px(), min(1.1 * r, 19.0 * self._scale))
        fm = self._metrics(px)
        x = float(lay.xs[al])
        inside = fm.height() <= 2 * r
        p.setFont(self._font(px))
        p.setPen(self._style.muted)
        w = fm.horizontalAdvance("?") + 6 * self._scale
        for i, y in enumerate(lay.ys[al].tolist()):
            box = QRectF(x - r, y - r, 2 * r, 2 * r) if inside else \
                QRectF(x + r + 3 * self._scale, y - fm.height() / 2, w, fm.height())
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, "?")
            self._labels[(al, i)] = "?"

    def drawn_labels(self) -> dict[tuple[int, int], str]:
        """The value drawn for each node ((activation layer, node) -> text, "?" while
        predicting) at the view's current size and state, inside the node or beside it.
        Layers of up to MAX_LABELLED_NODES nodes always have every node here."""
        if not self._sizes or self.width() < 2 or self.height() < 2:
            return {}
        img = self._new_image(self.width(), self.height())
        img.fill(_qcolor(self._style.bg))
        p = QPainter(img)
        try:
            self._draw_scene(p)
        finally:
            p.end()
        return dict(self._labels)

    def _bias_rects(self, li: int) -> list[QRectF]:
        lay = self._ensure_layout()
        if lay.bias_rects is None:
            lay.bias_rects = [[r for j in range(self._sizes[k + 1])
                               if (r := self.bias_rect(k, j)) is not None]
                              for k in range(len(self._sizes) - 1)]
        return lay.bias_rects[li]

    def _draw_column(self, p: QPainter, lay: _Layout, al: int, vals: np.ndarray | None,
                     scale: float, ring: QColor | None, light: bool) -> None:
        n = self._sizes[al]
        x = float(lay.xs[al])
        rect = QRectF(x - lay.bar_w / 2, lay.top, lay.bar_w, lay.bottom - lay.top)
        if vals is not None:
            rgb = self._fill_rgb(vals, scale)
            # built at device pixel size so drawing it is a plain blit, not a scaled draw
            dpr = self._dpr
            w_px = max(1, round(rect.width() * dpr))
            h_px = max(1, round(rect.height() * dpr))
            rows = np.minimum((np.arange(h_px) + 0.5) * n / h_px, n - 1).astype(np.intp)
            bgra = np.empty((h_px, 4), dtype=np.uint8)  # byte order of Format_ARGB32
            bgra[:, 0] = rgb[rows, 2]
            bgra[:, 1] = rgb[rows, 1]
            bgra[:, 2] = rgb[rows, 0]
            bgra[:, 3] = 255
            pixels = np.ascontiguousarray(np.broadcast_to(bgra[:, None, :], (h_px, w_px, 4)))
            strip = QImage(pixels.tobytes(), w_px, h_px, 4 * w_px,
                           QImage.Format.Format_ARGB32).copy()
            strip.setDevicePixelRatio(dpr)
            p.drawImage(rect.topLeft(), strip)
        else:
            p.fillRect(rect, _qcolor(_mix(self._style.bg, np.array([128.0, 128.0, 128.0]), 0.15)))
        pen = QPen(ring if ring is not None else self._style.node_outline,
                   (3.0 if ring is not None else 1.2) * self._scale)
        if light:
            pen = QPen(self._style.highlight, 2.0 * self._scale, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(rect)

    def _draw_side_labels(self, p: QPainter, lay: _Layout, al: int) -> None:
        last = len(self._sizes) - 1
        if al not in (0, last) or lay.compressed[al]:
            return
        px = lay.label_px[0 if al == 0 else 1]
        if px <= 0:
            return
        p.setFont(self._font(px))
        p.setPen(self._style.fg)
        for at, text in self._side_labels(lay, al, px):
            p.drawStaticText(at, text)

    def _side_labels(self, lay: _Layout, al: int, px: float) -> list[tuple[QPointF, QStaticText]]:
        """Names beside the input (right-aligned) or output nodes, laid out once per layout."""
        key = ("side_labels", al)
        hit = lay.derived.get(key)
        if hit is not None:
            return hit
        font = self._font(px)
        r = lay.radius[al]
        x = float(lay.xs[al])
        out = []
        for i, y in enumerate(lay.ys[al].tolist()):
            text = QStaticText(self._node_name(al, i))
            text.setTextFormat(Qt.TextFormat.PlainText)
            text.prepare(QTransform(), font)
            size = text.size()
            left = x - r - lay.label_gap - size.width() if al == 0 else x + r + lay.label_gap
            out.append((QPointF(left, y - size.height() / 2), text))
        lay.derived[key] = out
        return out

    def _title_variants(self, al: int) -> list[tuple[str, str]]:
        """(title, subtitle) pairs for one layer, longest first; the first that fits is drawn."""
        name = self._layer_name(al)
        n = self._sizes[al]
        title = f"{name[0].upper()}{name[1:]}"
        short = {"input": "In", "output": "Out"}.get(name, f"H{al}")
        strong, _, _ = self._node_roles()
        if al in strong and self._hl_kind is not None:
            badge = f"▶ {self._hl_kind.replace('_', ' ')}"
            return [(title, badge), (short, badge), (short, "▶"), ("", "▶")]
        unit = "inputs" if al == 0 else ("outputs" if al == len(self._sizes) - 1 else "neurons")
        sub = f"{n} {unit}" if n > 1 else f"{n} {unit[:-1]}"
        return [(title, sub), (title, str(n)), (short, str(n)), (short, "")]

    def _draw_titles(self, p: QPainter, lay: _Layout) -> None:
        f, sf = self._title_fonts(lay.compact)
        fm, sfm = QFontMetricsF(f), QFontMetricsF(sf)
        s = self._scale
        y = lay.header_h - 2 * s - (max(fm.height(), sfm.height()) if lay.compact
                                    else fm.height() + sfm.height())
        strong, _, _ = self._node_roles()
        n_layers = len(self._sizes)
        pad = 6 * s
        for al in range(n_layers):
            x = float(lay.xs[al])
            # each title keeps to its own share of the width (up to halfway to its neighbours)
            lo = 4.0 if al == 0 else (float(lay.xs[al - 1]) + x) / 2 + 3 * s
            hi = lay.width - 4.0 if al == n_layers - 1 else (x + float(lay.xs[al + 1])) / 2 - 3 * s
            active = al in strong and self._hl_kind is not None
            chosen = None
            for title, sub in self._title_variants(al):
                tw, sw = fm.horizontalAdvance(title), sfm.horizontalAdvance(sub)
                if active:
                    sw += 2 * pad  # the badge's own padding
                if lay.compact:
                    w = tw + sw + (pad if title and sub else 0.0) + 2 * pad
                else:
                    w = max(tw, sw) + 2 * pad
                if w <= hi - lo:
                    chosen = (title, sub, tw, sw, w)
                    break
            if chosen is None:
                continue  # no room even for the short form: leave it out rather than overlap
            title, sub, tw, sw, w = chosen
            left = min(max(x - w / 2, lo), hi - w)
            if lay.compact:
                h = max(fm.height(), sfm.height())
                title_box = QRectF(left + pad, y, tw, h)
                sub_box = QRectF(left + w - pad - sw, y, sw, h)
            else:
                title_box = QRectF(left, y, w, fm.height())
                sub_box = QRectF(left, y + fm.height(), w, sfm.height() + 2 * s)
            p.setFont(f)
            p.setPen(self._style.fg)
            p.drawText(title_box, Qt.AlignmentFlag.AlignCenter, title)
            if not sub:
                continue
            p.setFont(sf)
            if active:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QBrush(self._style.highlight))
                p.drawRoundedRect(sub_box, 5 * s, 5 * s)
                p.setPen(_qcolor(self._style.bg))
            else:
                p.setPen(self._style.muted)
            p.drawText(sub_box, Qt.AlignmentFlag.AlignCenter, sub)

    def _legend_lines(self) -> list[str]:
        if not self._sizes:
            return []
        edges = self._ensure_edges()
        grey = any(e.grey for e in edges)
        what = "dE/dw" if self._mode == "gradient" else "weight"
        drawn = sum(int(e.sel.size) for e in edges)
        total = sum(e.total for e in edges)
        fixed = self._fixed_scale is not None and self._mode != "gradient"
        first = "edges: dE/dw (no gradient yet)" if grey else \
            f"edges: {what}, {'fixed' if fixed else 'auto'} scale"
        if drawn < total:
            count = f"showing {drawn:,} of {total:,} edges"
            if self._min_mag > 0:
                count += f" (|{what}| ≥ {_nice_scale_text(self._min_mag)})"
            elif self._budget_used < self._max_edges:
                count += " (strongest; thinned while updating)"
            elif drawn >= self._max_edges:
                count += " (strongest)"
        else:
            count = f"{total:,} edges"
        if fixed and self._saturated:
            count += f", {self._saturated:,} beyond ±{_nice_scale_text(self._value_scale)} " \
                     "(saturated)"
        return [first, count, _NODE_KEY]

    def _legend_bar_width(self, compact: bool = False) -> float:
        """Width of one half (one sign) of the legend's colour bar."""
        return (48.0 if compact else 72.0) * self._scale

    def _draw_legend(self, p: QPainter, lay: _Layout) -> None:
        """Items left to right, wrapping into the rows the layout reserved; items that do not
        fit there are left out (the node key first). The scale labels are not drawn here
        (see ``_draw_legend_scale``); where they go is kept in ``_legend_scale_at``."""
        self._legend_scale_at = None
        if lay.legend_rows <= 0:
            return
        st = self._style
        compact = lay.compact
        f, _ = self._legend_fonts(compact)
        fm = QFontMetricsF(f)
        lines = self._legend_lines()
        slot = self._legend_slot(compact, _nice_scale_text(self._value_scale))
        widths = self._legend_widths(compact, lines[0], [lines[1]], lines[2], slot)
        avail = lay.width - 2 * lay.pad_x
        rows = _flow(widths, avail, self._legend_gap(compact), lay.legend_rows)
        lh = fm.height()
        texts = {0: (lines[0], st.fg), 2: (lines[1], st.fg), 3: (lines[2], st.muted)}
        grey = "no gradient" in lines[0]
        y = lay.legend_top + lay.legend_pad
        for row in rows:
            x = lay.pad_x
            for k in row:
                if k == 1:
                    self._draw_legend_bar(p, x, y, lh, slot, grey, compact, avail)
                else:
                    text, colour = texts[k]
                    if widths[k] > avail:
                        text = fm.elidedText(text, Qt.TextElideMode.ElideRight, avail)
                    p.setFont(f)
                    p.setPen(colour)
                    p.drawText(QPointF(x, y + fm.ascent()), text)
                x += widths[k] + self._legend_gap(compact)
            y += lh

    def _draw_legend_bar(self, p: QPainter, x: float, y: float, lh: float, slot: float,
                         grey: bool, compact: bool, max_w: float) -> None:
        """[−scale] colour bar [+scale] on one text row; the bar shows the very bucket colours
        and widths used for edges. A narrow widget gets a shorter bar, not smaller text."""
        gap = 6 * self._scale
        bar_w = min(self._legend_bar_width(compact), (max_w - 2 * slot - 2 * gap) / 2)
        if bar_w < _N_BINS:
            return  # not even a pixel per colour
        bx = x + slot + gap
        cell = bar_w / _N_BINS
        for k in range(2 * _N_BINS):
            sign = -1 if k < _N_BINS else 1
            b = _N_BINS - 1 - k if sign < 0 else k - _N_BINS
            col = self._bucket_colour(sign, b, False, grey)
            hgt = min(float(self._bin_width(b, 1)) * 1.6, lh * 0.8)
            p.fillRect(QRectF(bx + k * cell, y + lh / 2 - hgt / 2, cell + 0.5, hgt), col)
        # y relative to the legend's top: the cached legend image is reused when only the
        # height of the view (and with it where the legend starts) changed
        self._legend_scale_at = (x, bx + 2 * bar_w + gap, y - self._ensure_layout().legend_top,
                                 lh, slot)

    def _draw_legend_scale(self, p: QPainter) -> None:
        """The colour scale's −/+ labels, into the slots beside the cached legend's bar."""
        at = self._legend_scale_at
        lay = self._layout
        if at is None or lay is None or lay.legend_rows <= 0:
            return
        x_left, x_right, y, lh, slot = at
        y += lay.legend_top
        sc = _nice_scale_text(self._value_scale)
        small = self._legend_fonts(lay.compact)[1]
        p.setFont(small)
        p.setPen(self._style.muted)
        left = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(x_left, y, slot, lh), left, f"−{sc}")
        right = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        p.drawText(QRectF(x_right, y, slot, lh), right, f"+{sc}")

    def _paint_overlay(self, p: QPainter) -> None:
        lay = self._ensure_layout()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        st = self._style
        if self._hover is not None:
            kind, key = self._hover
            if kind == "edge":
                li, i, j = key
                # from rim to rim, so the emphasised edge does not cover the node values
                span = math.hypot(lay.edge_x1[li] - lay.edge_x0[li],
                                  float(lay.ys[li + 1][j] - lay.ys[li][i])) or 1.0
                a = self.edge_point(li, i, j, min(0.45, lay.radius[li] / span))
                b = self.edge_point(li, i, j, max(0.55, 1.0 - lay.radius[li + 1] / span))
                v, grey = self._edge_values(li)
                val = float(v[i, j])
                w = float(self._edge_widths(np.array([abs(val)]), self._layer_wclass(li))[0])
                p.setPen(QPen(st.hover, w + 4 * self._scale, Qt.PenStyle.SolidLine,
                              Qt.PenCapStyle.RoundCap))
                p.drawLine(a, b)
                col = self._edge_hue(val) if not grey else QColor(st.theme.muted)
                p.setPen(QPen(col, w + 1.5 * self._scale, Qt.PenStyle.SolidLine,
                              Qt.PenCapStyle.RoundCap))
                p.drawLine(a, b)
            elif kind == "bias":
                rect = self.bias_rect(*key)
                if rect is not None:
                    p.setPen(QPen(st.hover, 2.5 * self._scale))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 3, 3)
            elif kind == "node":
                self._ring(p, lay, key, st.hover, 2.0)
        if self._selected is not None:
            self._ring(p, lay, self._selected, st.highlight, 3.0)

    def _ring(self, p: QPainter, lay: _Layout, node: tuple[int, int], col: QColor,
              width: float) -> None:
        al, i = node
        if al >= len(self._sizes) or i >= self._sizes[al]:
            return
        x = float(lay.xs[al])
        y = float(lay.ys[al][i])
        w = width * self._scale
        p.setPen(QPen(col, w))
        p.setBrush(Qt.BrushStyle.NoBrush)
        if lay.compressed[al]:
            h = max(3.0, (lay.bottom - lay.top) / self._sizes[al])
            p.drawRect(QRectF(x - lay.bar_w / 2 - w, y - h / 2 - w, lay.bar_w + 2 * w, h + 2 * w))
        else:
            r = lay.radius[al] + w + 1
            p.drawEllipse(QPointF(x, y), r, r)

    # ---------------------------------------------------------------- interaction
    def _item_at(self, pos: QPoint) -> tuple[str, tuple[int, ...]] | None:
        b = self.bias_at(pos)
        if b is not None:
            return ("bias", b)
        n = self.node_at(pos)
        if n is not None:
            return ("node", n)
        e = self.edge_at(pos)
        if e is not None:
            return ("edge", e)
        return None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            pos = e.pos()  # type: ignore[attr-defined]
            text = self.tooltip_text_at(pos) if self._sizes else None
            if text:
                self._tip_pos = QPoint(pos)
                QToolTip.showText(e.globalPos(), text, self)  # type: ignore[attr-defined]
            else:
                self._tip_pos = None
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._sizes:
            pos = e.position().toPoint()
            item = self._item_at(pos)
            if item != self._hover:
                self._hover = item
                self.update()
                self.hoverChanged.emit(item)
                if QToolTip.isVisible():
                    text = self.tooltip_text_at(pos)
                    if text:
                        self._tip_pos = pos
                        QToolTip.showText(e.globalPosition().toPoint(), text, self)
                    else:
                        self._tip_pos = None
                        QToolTip.hideText()
        super().mouseMoveEvent(e)

    def leaveEvent(self, e: QEvent) -> None:  # noqa: N802 (Qt override)
        if self._hover is not None:
            self._hover = None
            self.update()
            self.hoverChanged.emit(None)
        self._tip_pos = None
        super().leaveEvent(e)

    def mousePressEvent(self, e: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if e.button() == Qt.MouseButton.LeftButton:
            self._press_pos = e.position().toPoint()
        super().mousePressEvent(e)

    def mouseReleaseEvent(self, e: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        pos = e.position().toPoint()
        press, self._press_pos = self._press_pos, None
        if (e.button() == Qt.MouseButton.LeftButton and press is not None
                and (pos - press).manhattanLength() <= 4):
            self.click_at(pos)
        super().mouseReleaseEvent(e)

    def click_at(self, pos: QPointF | QPoint) -> None:
        """What a left click at ``pos`` does: edit a bias or weight, or select a node."""
        if not self._sizes:
            return
        item = self._item_at(QPointF(pos).toPoint())
        if item is None:
            return
        kind, key = item
        if kind == "bias":
            self._edit_bias(*key)
        elif kind == "node":
            self._selected = (key[0], key[1])
            self.update()
            self.nodeSelected.emit(key[0], key[1])
        else:
            self._edit_weight(*key)

    def _edit_weight(self, li: int, i: int, j: int) -> None:
        cur = float(self._weights[li][i, j])
        label = (f"Weight from {self._node_name(li, i)} to {self._node_name(li + 1, j)}\n"
                 f"({notation.weight(li, i, j)}, now {_fmt(self._weights[li][i, j])}):")
        value, ok = QInputDialog.getDouble(self, "Edit weight", label, cur, -1e9, 1e9, 6)
        if ok:
            self.weightEdited.emit(li, i, j, float(value))

    def _edit_bias(self, li: int, j: int) -> None:
        cur = float(self._biases[li][j])
        label = (f"Bias of {self._node_name(li + 1, j)}\n"
                 f"({notation.bias(li, j)}, now {_fmt(self._biases[li][j])}):")
        from nnviz.gui import bias_dialog

        answer = bias_dialog.ask_bias(self, label, cur, self.bias_mode(li))
        if answer is None:
            return
        value, mode = answer
        if mode != self.bias_mode(li):
            self.biasModeChanged.emit(li, mode)
        if mode != "none" and value != cur:
            self.biasEdited.emit(li, j, float(value))
