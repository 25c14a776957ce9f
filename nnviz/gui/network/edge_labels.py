"""Numbers on edges during a stepping phase: the active layer's weights, dE/dw or new weights,
written on their edges when they fit without covering a node's value; the rest are counted
by a marker pointing to the Step panel. See README "Classroom" (numbers never vanish)."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

from nnviz.gui.network import layout
from nnviz.gui.network.data import NetworkData, Phase
from nnviz.gui.network.edges import EdgePainter, EdgeSet
from nnviz.gui.network.layout import Layout
from nnviz.gui.network.text import Fonts, short
from nnviz.gui.palette import Palette, qcolor

#: A layer with more edges than this gets no numbers on its edges.
MAX_LABELLED_EDGES = 24


class EdgeLabels:
    """Lays out and draws the numbers of the active layer's edges; keeps what the last drawing
    left out (``moved``: how many, ``marker``: the note saying so)."""

    def __init__(self, fonts: Fonts, palette: Palette, scale: float) -> None:
        self._text = fonts
        self._palette = palette
        self._scale = scale
        #: numbers the phase writes on edges, as of the last drawing
        self.total = 0
        self.moved = 0
        self.marker = ""

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale

    def reset(self) -> None:
        """A new network: nothing written or moved."""
        self.total = self.moved = 0
        self.marker = ""

    def labels(self, lay: Layout, edges: list[EdgeSet], data: NetworkData, phase: Phase,
               mode: str, digits: int, label_boxes: list[QRectF]
               ) -> list[tuple[float, QRectF, str]]:
        """(value, box, text) of the numbers written on the active layer's edges; those that
        would overlap another or a node's value box (``label_boxes``) are left out."""
        self.total = 0
        li = phase.active_edge_layer(len(data.weights))
        if li is None or li < 0 or phase.kind == "backward":
            return []
        es = edges[li]
        n_in, n_out = data.sizes[li], data.sizes[li + 1]
        # the numbers this phase writes on its edges (those not kept are in the Step panel)
        self.total = int(es.sel.size)
        if es.sel.size == 0 or es.sel.size > MAX_LABELLED_EDGES or lay.compressed[li] \
                or lay.compressed[li + 1]:
            return []
        use_grad = data.grads is not None and (phase.kind == "gradients" or mode == "gradient")
        vals = data.grads[li] if use_grad else data.weights[li]  # type: ignore[index]
        s = self._scale
        fm = self._text.metrics(13 * s)
        span = lay.edge_x1[li] - lay.edge_x0[li]
        t_lo = min(0.4, (lay.radius[li] + fm.horizontalAdvance("-0.000") / 2 + 8 * s) / span)
        t_hi = 0.62
        found: list[tuple[float, QRectF, str]] = []
        for k in es.sel.tolist():
            i, j = divmod(k, n_out)
            # sources get different positions along their edges so labels do not collide
            t = t_lo + (t_hi - t_lo) * (0.5 if n_in == 1 else i / (n_in - 1))
            pt = layout.edge_point(lay, li, i, j, t)
            v = float(vals[i, j])
            txt = short(v, digits)
            w = fm.horizontalAdvance(txt) + 8 * s
            found.append((v, QRectF(pt.x() - w / 2, pt.y() - fm.height() / 2, w, fm.height()),
                          txt))
        # Where they still collide (a cramped view), the strongest edges keep their numbers;
        # the others are left out (their tooltips still have them) instead of overprinted.
        kept: list[tuple[float, QRectF, str]] = []
        for v, box, txt in sorted(found, key=lambda e: -abs(e[0]) if math.isfinite(e[0])
                                  else -math.inf):
            inner = box.adjusted(1, 1, -1, -1)
            # node values beside their nodes come first: an edge number never covers one
            if not any(inner.intersects(other) for _, other, _ in kept) and \
                    not any(inner.intersects(other) for other in label_boxes):
                kept.append((v, box, txt))
        return kept

    def draw(self, p: QPainter, lay: Layout, edges: list[EdgeSet], data: NetworkData,
             phase: Phase, mode: str, digits: int, label_boxes: list[QRectF],
             painter: EdgePainter) -> None:
        """Write the numbers that fit, in their sign's hue, and the marker for the others."""
        kept = self.labels(lay, edges, data, phase, mode, digits, label_boxes)
        self.moved = max(0, self.total - len(kept))
        if self.moved:
            self._draw_marker(p, lay, data, phase, len(kept), self.total)
        if not kept:
            return
        s = self._scale
        p.setFont(self._text.font(13 * s))
        bg = qcolor(self._palette.background)
        bg.setAlpha(225)
        for v, box, txt in kept:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(bg)
            p.drawRoundedRect(box, 4 * s, 4 * s)
            p.setPen(painter.hue(v))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, txt)

    def _draw_marker(self, p: QPainter, lay: Layout, data: NetworkData, phase: Phase,
                     shown: int, total: int) -> None:
        """A visible note over the active edges that their numbers are in the Step panel."""
        li = phase.active_edge_layer(len(data.weights))
        if li is None:
            return
        what = {"gradients": "dE/dw", "update": "new weights"}.get(phase.kind or "", "weights")
        text = (f"{what}: all {total} in the Step panel ▸" if shown == 0 else
                f"{what}: {total - shown} more in the Step panel ▸")
        s = self._scale
        fm = self._text.metrics(13 * s)
        w = fm.horizontalAdvance(text) + 10 * s
        cx = (lay.edge_x0[li] + lay.edge_x1[li]) / 2
        x = min(max(cx - w / 2, 0.0), max(0.0, lay.width - w))
        h = fm.height() + 4 * s
        # under the nodes, just above the legend: clear of the titles and the node values
        box = QRectF(x, max(lay.top, lay.legend_top - h - 2 * s), w, h)
        bg = qcolor(self._palette.background)
        bg.setAlpha(235)
        p.setPen(QPen(qcolor(self._palette.text), 1.0 * s))
        p.setBrush(bg)
        p.drawRoundedRect(box, 4 * s, 4 * s)
        p.setFont(self._text.font(13 * s))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        self.marker = text
