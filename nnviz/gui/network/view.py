"""The network view widget: public setters, events and cache invalidation. The drawing is
done by painter objects it owns and calls with explicit inputs (see the package docstring)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QToolTip, QWidget

from nnviz.core import notation
from nnviz.gui.network import editing, layout, tooltips
from nnviz.gui.network.data import NetworkData, Phase
from nnviz.gui.network.drawing import new_image
from nnviz.gui.network.edge_labels import EdgeLabels
from nnviz.gui.network.edges import EdgePainter, EdgeSelection, EdgeSet, width_class
from nnviz.gui.network.layout import Layout
from nnviz.gui.network.legend import LegendPainter, legend_lines, worst_lines
from nnviz.gui.network.live import LiveStream
from nnviz.gui.network.nodes import NodePainter
from nnviz.gui.network.overlay import OverlayPainter
from nnviz.gui.network.scene import SceneImage, device_ratio
from nnviz.gui.network.text import Fonts, readable_px
from nnviz.gui.network.titles import TitlePainter
from nnviz.gui.palette import palette, qcolor
from nnviz.gui.theme import DARK, LIGHT, Theme, check_scale

_EDGE_MODES = ("weight", "gradient")


class NetworkView(QWidget):
    """Draws a fully connected network; see the package docstring for the drawing rules.

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
        self._data = NetworkData()
        self._phase = Phase()
        self._mode = "weight"
        self._min_mag = 0.0
        self._fixed_scale: float | None = None
        self._digits = notation.DEFAULT_DIGITS
        self._theme = LIGHT
        self._palette = palette(LIGHT)
        self._scale = 1.0
        self._selected: tuple[int, int] | None = None
        self._hover: tuple[str, tuple[int, ...]] | None = None
        self._tip = tooltips.HoverTip(self)
        self._press_pos: QPoint | None = None
        # the painters, each owning its caches
        self._fonts = Fonts(self.font)
        self._edge_painter = EdgePainter(self._palette, self._scale)
        self._nodes = NodePainter(self._fonts, self._palette, self._scale)
        self._edge_numbers = EdgeLabels(self._fonts, self._palette, self._scale)
        self._titles = TitlePainter(self._fonts, self._palette, self._scale)
        self._legend = LegendPainter(self._fonts, self._palette, self._scale)
        self._overlay = OverlayPainter(self._palette, self._scale)
        # caches of the view: layout, edge choice, the scene picture
        self._layout: Layout | None = None
        self._selection = EdgeSelection()
        self._scene = SceneImage()
        # device pixels per logical pixel of the device last painted on: the screen's, or an
        # export's (2x/3x PNG); every cached image is rendered at this ratio
        self._dpr = 1.0
        self._laid_out_size = QSize()
        self._redraw_ms = 0.0
        self._scene_ms = 0.0
        # Live streams (training) draw edges without antialiasing; once the stream pauses, one
        # antialiased render follows.
        self._stream = LiveStream(self, started=self._invalidate_edges, settled=self._on_settled)

    # ------------------------------------------------------------------ public API
    def set_network(self, sizes: Sequence[int], weights: Sequence[np.ndarray],
                    biases: Sequence[np.ndarray]) -> None:
        """New topology and parameters; clears activations, deltas, gradients and highlight."""
        self._data.set_network(sizes, weights, biases)
        self._phase = Phase()
        self._selected = None
        self._hover = None
        self._nodes.reset()
        self._edge_numbers.reset()
        self._layout = None
        self._invalidate_edges()

    def set_bias_modes(self, modes: Sequence[str]) -> None:
        """The bias mode of every weight layer (README "Bias modes"): a layer without bias
        (mode none) has no square to draw, hover or click; a frozen one says so when edited."""
        self._data.bias_modes = tuple(modes)
        self._layout = None
        self.update()

    def bias_mode(self, layer: int) -> str:
        return self._data.bias_mode(layer)

    def set_params(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                   grads: Sequence[np.ndarray] | None = None) -> None:
        """Cheap update for the same topology; ``grads`` are dE/dW per layer (same shapes)."""
        self._data.set_params(weights, biases, grads)
        self._invalidate_edges()
        self._data_changed()

    def set_activations(self, a: Sequence[np.ndarray] | None,
                        z: Sequence[np.ndarray] | None = None) -> None:
        """Node values for one sample: ``a[0]`` input, ``a[l+1]`` output of layer l, ``z[l]``.

        Entries may be None for layers not computed yet (single-stepping): their nodes show no
        value, and their tooltips say so instead of showing a made-up number."""
        self._data.set_activations(a, z)
        self._invalidate_scene()
        self._data_changed()

    def set_deltas(self, delta: Sequence[np.ndarray | None] | None) -> None:
        """Per-layer deltas ``delta[l]`` (n_out,) for one sample; entries may be None."""
        self._data.set_deltas(delta)
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
        if self._data.sizes:
            self._ensure_edges()
        return self._selection.value_scale

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
            self._phase = Phase()
        else:
            self._data.require()
            self._phase = Phase.checked(layer, kind, len(self._data.weights))
        self._invalidate_scene()

    def set_node_images(self, images: dict[tuple[int, int], QImage] | None) -> None:
        """Small maps of a neuron's output, drawn inside its circle (key = (layer, node))."""
        self._data.images = dict(images) if images else {}
        self._data.images_version += 1
        self._invalidate_scene()

    def set_labels(self, inputs: Sequence[str] | None = None,
                   outputs: Sequence[str] | None = None) -> None:
        """Names written beside input and output nodes (defaults x1.. and y / y1..)."""
        self._data.set_labels(inputs, outputs)
        self._layout = None  # label widths set the side margins
        self._invalidate_scene()

    def input_labels(self) -> list[str] | None:
        """The names given to the input nodes (None: x1, x2, ...)."""
        return self._data.input_labels

    def set_style(self, theme: Theme, scale: float) -> None:
        """Colours of a theme (``nnviz.gui.palette``) and the presentation scale, which
        multiplies fonts, node radii and line widths (``nnviz.gui.palette.Styled``)."""
        if not isinstance(theme, Theme):
            raise ValueError(f"expected a Theme, got {theme!r}")
        scale = check_scale(scale)
        if theme is not self._theme or scale != self._scale:
            self._restyle(theme, scale, relayout=scale != self._scale)

    def set_scale(self, factor: float) -> None:
        """Presentation mode: multiplies fonts, node radii and line widths."""
        self._restyle(self._theme, check_scale(factor), relayout=True)

    def _restyle(self, theme: Theme, scale: float, relayout: bool) -> None:
        """New colours or sizes: every painter drops what it drew with the old ones."""
        if relayout:
            self._layout = None
        self._theme, self._palette, self._scale = theme, palette(theme), scale
        for painter in (self._edge_painter, self._nodes, self._edge_numbers, self._titles,
                        self._legend, self._overlay):
            painter.set_style(self._palette, scale)
        self._invalidate_scene()

    def set_palette_mode(self, dark: bool) -> None:
        """The light (default, white background) or the dark theme."""
        self.set_theme(DARK if dark else LIGHT)

    def set_theme(self, theme: Theme) -> None:
        """Colours of a theme (nnviz.gui.theme): background, text, edge hues and their scale."""
        self.set_style(theme, self._scale)

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

    def readable_px(self) -> float:
        """Smallest text size drawn: text that would be smaller is left out instead."""
        return readable_px(self._scale)

    def drawn_edge_count(self) -> int:
        return sum(int(e.sel.size) for e in self._ensure_edges())

    def drawn_edges(self) -> list[tuple[int, int, int]]:
        """The edges the current picture draws, as (layer, i, j)."""
        out: list[tuple[int, int, int]] = []
        for li, es in enumerate(self._ensure_edges()):
            i, j = np.divmod(es.sel, self._data.sizes[li + 1])
            out.extend((li, int(a), int(b)) for a, b in zip(i, j, strict=True))
        return out

    def total_edge_count(self) -> int:
        return sum(w.size for w in self._data.weights)

    def legend_text(self) -> str:
        """The legend's words (edge colouring, edge count, node key); a short or narrow view
        may draw only the first of them."""
        return " · ".join(self._legend_lines())

    def edges_antialiased(self) -> bool:
        """Whether the next scene render antialiases edges (live updates draw them plain)."""
        return EdgePainter.antialiased(self.drawn_edge_count(), self._stream.live)

    def edge_labels_moved(self) -> int:
        """How many numbers the current phase writes on edges went to the Step panel instead
        (a marker in the view says so), as of the last paint."""
        return self._edge_numbers.moved

    def moved_marker(self) -> str:
        """The marker's text ("" when every edge number is drawn), as of the last paint."""
        return self._edge_numbers.marker if self._edge_numbers.moved else ""

    def drawn_labels(self) -> dict[tuple[int, int], str]:
        """The value drawn for each node ((activation layer, node) -> text, "?" while
        predicting) at the view's current size and state, inside the node or beside it.
        Layers of up to MAX_LABELLED_NODES nodes always have every node here."""
        if not self._data.sizes or self.width() < 2 or self.height() < 2:
            return {}
        img = new_image(self.width(), self.height(), self._dpr)
        img.fill(qcolor(self._palette.background))
        p = QPainter(img)
        try:
            self._draw_scene(p)
        finally:
            p.end()
        return dict(self._nodes.labels)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(900, 600)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(320, 240)

    # ---------------------------------------------------------------- positions & hits
    def node_pos(self, layer: int, node: int) -> QPointF:
        """Centre of a node (activation layer index, node index) in widget coordinates."""
        return layout.node_pos(self._ensure_layout(), layer, node)

    def edge_point(self, layer: int, i: int, j: int, t: float = 0.5) -> QPointF:
        """A point at fraction ``t`` along the drawn edge weights[layer][i, j]."""
        return layout.edge_point(self._ensure_layout(), layer, i, j, t)

    def bias_rect(self, layer: int, j: int) -> QRectF | None:
        """The clickable bias square of node j of weight layer ``layer`` (None if compressed)."""
        return layout.bias_rect(self._ensure_layout(), self._data, self._scale, layer, j)

    def node_at(self, pos: QPointF | QPoint) -> tuple[int, int] | None:
        if not self._data.sizes:
            return None
        return layout.node_at(self._ensure_layout(), self._data.sizes, pos)

    def bias_at(self, pos: QPointF | QPoint) -> tuple[int, int] | None:
        if not self._data.sizes:
            return None
        return layout.bias_at(self._ensure_layout(), self._data, self._scale, pos)

    def edge_at(self, pos: QPointF | QPoint) -> tuple[int, int, int] | None:
        """The drawn edge nearest to ``pos`` within a few pixels, as (layer, i, j)."""
        if not self._data.sizes:
            return None
        lay = self._ensure_layout()
        edges = self._ensure_edges()
        return layout.edge_at(lay, edges, self._data.sizes, self._scale, self._edge_widths, pos)

    def tooltip_text_at(self, pos: QPointF | QPoint) -> str | None:
        """The hover text for whatever is under ``pos`` (bias, node, edge), from current arrays."""
        b = self.bias_at(pos)
        if b is not None:
            return tooltips.bias_text(self._data, *b, self._digits, self._scale)
        n = self.node_at(pos)
        if n is not None:
            return tooltips.node_text(self._data, *n, self._digits, self._scale)
        e = self.edge_at(pos)
        if e is not None:
            return tooltips.edge_text(self._data, *e, self._digits, self._scale)
        return None

    # ---------------------------------------------------------------- validation
    @staticmethod
    def _check_max_edges(n: int) -> int:
        n = int(n)
        if n < 1:
            raise ValueError(f"max_edges must be at least 1, got {n}")
        return n

    # ---------------------------------------------------------------- caches
    def _invalidate_edges(self) -> None:
        self._selection.invalidate()
        self._invalidate_scene()

    def _invalidate_scene(self) -> None:
        self._scene.invalidate()
        self.update()

    def _on_settled(self) -> None:
        if self._selection.valid and self._selection.budget_used < self._max_edges:
            self._invalidate_edges()
        elif not self._edge_painter.rendered_aa and self.edges_antialiased():
            self._invalidate_scene()

    def _data_changed(self) -> None:
        # a stream that starts invalidates the edges: the live edge budget may differ
        self._stream.changed()
        # A visible tooltip is re-read so values under the mouse keep updating during training.
        self._tip.refresh(self.tooltip_text_at)

    def _ensure_layout(self) -> Layout:
        W = float(max(self.width(), 50))
        H = float(max(self.height(), 50))
        # a hidden widget gets its resize event only when rendered: check the size here too
        if self._layout is not None and (self._layout.width, self._layout.height) == (W, H):
            return self._layout
        worst = worst_lines(self.total_edge_count(), self._max_edges, self._min_mag,
                            self._fixed_scale)
        self._layout = layout.build(W, H, self._scale, self._data, self._fonts, self._titles,
                                    self._legend, worst)
        return self._layout

    def _ensure_edges(self) -> list[EdgeSet]:
        return self._selection.sets(self._data, self._mode, self._min_mag, self._fixed_scale,
                                    self._edge_painter.budget(self._stream.live,
                                                              self._max_edges))

    def _edge_widths(self, mag: np.ndarray, li: int) -> np.ndarray:
        """Drawn widths of edges of weight layer ``li`` with these magnitudes."""
        wc = width_class(int(self._ensure_edges()[li].sel.size))
        return self._edge_painter.widths(mag, wc, self._selection.value_scale)

    def _legend_lines(self) -> list[str]:
        if not self._data.sizes:
            return []
        edges = self._ensure_edges()
        return legend_lines(edges, self._selection, self._mode, self._min_mag,
                            self._fixed_scale, self._max_edges)

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
            self._titles.clear()
            self._legend.clear()
            self._invalidate_scene()
        super().changeEvent(event)

    # ---------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        t0 = time.perf_counter()
        p = QPainter(self)
        try:
            self._use_device_ratio(p)
            if self._stream.live and self._data.sizes:
                # Live frames are all different: painting them straight onto the widget saves
                # keeping a scene image and copying it over (that cache pays off for hovering
                # over a paused network, where only the overlay changes).
                t1 = time.perf_counter()
                p.fillRect(QRectF(0, 0, self.width(), self.height()),
                           qcolor(self._palette.background))
                self._draw_scene(p)
                p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                self._scene_ms = (time.perf_counter() - t1) * 1e3
                self._stream.painted = True
            else:
                scene = self._scene.current(self.width(), self.height(), self._dpr)
                if scene is None:
                    t1 = time.perf_counter()
                    scene = self._render_scene()
                    self._scene_ms = (time.perf_counter() - t1) * 1e3
                    self._stream.painted = True
                p.drawImage(0, 0, scene)
            if self._data.sizes:
                self._paint_overlay(p)
        finally:
            p.end()
        self._redraw_ms = (time.perf_counter() - t0) * 1e3

    def _use_device_ratio(self, p: QPainter) -> None:
        """Render caches at the pixel ratio of the device really painted on; they are dropped
        only when the ratio changes, so repeated painting on one device reuses them."""
        dpr = device_ratio(p, self.devicePixelRatioF())
        if dpr != self._dpr:
            self._dpr = dpr
            self._nodes.set_dpr(dpr)
            self._titles.clear()
            self._legend.clear()
            self._scene.drop()

    def _render_scene(self) -> QImage:
        return self._scene.render(self.width(), self.height(), self._dpr,
                                  qcolor(self._palette.background), self._draw_scene)

    def _draw_scene(self, p: QPainter) -> None:
        """Edges, nodes, titles and legend, on the background already filled."""
        if not self._data.sizes:
            p.setPen(qcolor(self._palette.muted))
            p.setFont(self._fonts.font(16 * self._scale))
            p.drawText(QRectF(0, 0, self.width(), self.height()),
                       Qt.AlignmentFlag.AlignCenter, "No network")
            return
        lay = self._ensure_layout()
        edges = self._ensure_edges()
        data, phase = self._data, self._phase
        value_scale = self._selection.value_scale
        self._edge_painter.draw(p, lay, edges, data.sizes,
                                phase.active_edge_layer(len(data.weights)), value_scale,
                                self.edges_antialiased())
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self._nodes.draw(p, lay, data, phase, self._mode, value_scale, self._digits)
        self._edge_numbers.draw(p, lay, edges, data, phase, self._mode, self._digits,
                                self._nodes.label_boxes, self._edge_painter)
        if lay.header_h > 0:
            p.drawImage(QPointF(0, 0), self._titles.image(lay, data, phase, self._dpr))
        if lay.legend_rows > 0:
            p.drawImage(QPointF(0, lay.legend_top),
                        self._legend.image(lay, self._legend_lines(), value_scale,
                                           self._edge_painter, self._dpr))
            self._legend.draw_scale(p, lay, value_scale)

    def _paint_overlay(self, p: QPainter) -> None:
        self._overlay.draw(p, self._ensure_layout(), self._data, self._mode, self._hover,
                           self._selected, self._edge_painter, self._edge_widths)

    # ---------------------------------------------------------------- interaction
    def _item_at(self, pos: QPoint) -> tuple[str, tuple[int, ...]] | None:
        """What the pointer is on: a bias square, else a node, else an edge."""
        for kind, at in (("bias", self.bias_at), ("node", self.node_at), ("edge", self.edge_at)):
            key = at(pos)
            if key is not None:
                return (kind, key)
        return None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            pos = e.pos()  # type: ignore[attr-defined]
            text = self.tooltip_text_at(pos) if self._data.sizes else None
            if not self._tip.show(pos, e.globalPos(), text):  # type: ignore[attr-defined]
                e.ignore()
            return True
        return super().event(e)

    def mouseMoveEvent(self, e: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._data.sizes:
            pos = e.position().toPoint()
            item = self._item_at(pos)
            if item != self._hover:
                self._hover = item
                self.update()
                self.hoverChanged.emit(item)
                if QToolTip.isVisible():
                    self._tip.show(pos, e.globalPosition().toPoint(), self.tooltip_text_at(pos))
        super().mouseMoveEvent(e)

    def leaveEvent(self, e: QEvent) -> None:  # noqa: N802 (Qt override)
        if self._hover is not None:
            self._hover = None
            self.update()
            self.hoverChanged.emit(None)
        self._tip.pos = None
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
        if not self._data.sizes:
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
        value = editing.ask_weight(self, self._data, li, i, j)
        if value is not None:
            self.weightEdited.emit(li, i, j, value)

    def _edit_bias(self, li: int, j: int) -> None:
        mode, value = editing.ask_bias(self, self._data, li, j)
        if mode is not None:
            self.biasModeChanged.emit(li, mode)
        if value is not None:
            self.biasEdited.emit(li, j, value)
