"""What is painted over the cached scene on every paint: the edge, bias or node under the
pointer, and the selected node. Moving the mouse over a large network then costs a blit."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from nnviz.gui.network import layout
from nnviz.gui.network.data import NetworkData
from nnviz.gui.network.edges import EdgePainter
from nnviz.gui.network.layout import Layout
from nnviz.gui.palette import Palette, qcolor


class OverlayPainter:
    """Draws the hover emphasis and the selection ring."""

    def __init__(self, palette: Palette, scale: float) -> None:
        self._palette = palette
        self._scale = scale

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale

    def draw(self, p: QPainter, lay: Layout, data: NetworkData, mode: str,
             hover: tuple[str, tuple[int, ...]] | None, selected: tuple[int, int] | None,
             edges: EdgePainter, widths: Callable[[np.ndarray, int], np.ndarray]) -> None:
        """``widths(|values|, layer)`` gives the drawn width of edges (they are redrawn wider)."""
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pal = self._palette
        s = self._scale
        outline = qcolor(pal.hover)
        if hover is not None:
            kind, key = hover
            if kind == "edge":
                li, i, j = key
                # from rim to rim, so the emphasised edge does not cover the node values
                span = math.hypot(lay.edge_x1[li] - lay.edge_x0[li],
                                  float(lay.ys[li + 1][j] - lay.ys[li][i])) or 1.0
                a = layout.edge_point(lay, li, i, j, min(0.45, lay.radius[li] / span))
                b = layout.edge_point(lay, li, i, j, max(0.55, 1.0 - lay.radius[li + 1] / span))
                v, grey = data.edge_values(li, mode)
                val = float(v[i, j])
                w = float(widths(np.array([abs(val)]), li)[0])
                p.setPen(QPen(outline, w + 4 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(a, b)
                col = edges.hue(val) if not grey else qcolor(pal.neutral)
                p.setPen(QPen(col, w + 1.5 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(a, b)
            elif kind == "bias":
                rect = layout.bias_rect(lay, data, s, *key)
                if rect is not None:
                    p.setPen(QPen(outline, 2.5 * s))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRoundedRect(rect.adjusted(-2, -2, 2, 2), 3, 3)
            elif kind == "node":
                self._ring(p, lay, data.sizes, key, outline, 2.0)
        if selected is not None:
            self._ring(p, lay, data.sizes, selected, qcolor(pal.emphasis), 3.0)

    def _ring(self, p: QPainter, lay: Layout, sizes: list[int], node: tuple[int, ...],
              col: QColor, width: float) -> None:
        al, i = node
        if al >= len(sizes) or i >= sizes[al]:
            return
        x = float(lay.xs[al])
        y = float(lay.ys[al][i])
        w = width * self._scale
        p.setPen(QPen(col, w))
        p.setBrush(Qt.BrushStyle.NoBrush)
        if lay.compressed[al]:
            h = max(3.0, (lay.bottom - lay.top) / sizes[al])
            p.drawRect(QRectF(x - lay.bar_w / 2 - w, y - h / 2 - w, lay.bar_w + 2 * w, h + 2 * w))
        else:
            r = lay.radius[al] + w + 1
            p.drawEllipse(QPointF(x, y), r, r)
