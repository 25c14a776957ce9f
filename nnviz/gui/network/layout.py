"""Where everything goes: node centres and radii, compressed columns, margins, the bands of
titles and legend (``build``), and the reverse, what is at a point (hit testing). See README
"The window" and "Classroom" (numbers never vanish, text never below the readable size)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRectF

from nnviz.gui.network.data import NetworkData
from nnviz.gui.network.text import Fonts, readable_px

if TYPE_CHECKING:
    from nnviz.gui.network.edges import EdgeSet
    from nnviz.gui.network.legend import LegendPainter
    from nnviz.gui.network.titles import TitlePainter

MAX_CIRCLE_NODES = 32
# Layout proportions. Margins follow the widget size, capped at their size at scale 1.
_CHROME_SHARE = 0.2    # titles + legend taller than this share of the height: compact, one line
_LEGEND_SHARE = 0.12   # height share a compact legend may use (it drops items beyond that)
_R_VERTICAL = 0.42     # circle radius / vertical distance between nodes of a layer
_R_HORIZONTAL = 0.3    # circle radius / horizontal distance between layers


@dataclass
class Layout:
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
class Chrome:
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


def pad_x(width: float, scale: float) -> float:
    """Side margin of a view this wide."""
    return min(14.0 * scale, 0.015 * width)


def chrome_metrics(W: float, H: float, compact: bool, scale: float, titles: TitlePainter,
                   legend: LegendPainter, worst: tuple[str, list[str], str]) -> Chrome:
    """Heights of the title band, the legend band (rows for the widest words ``worst`` the
    legend can show) and the gaps around the nodes."""
    s = scale
    tfm, sfm = titles.metrics(compact)
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
    lh = legend.line_height(compact)
    lpad = min((4 if compact else 6) * s, 0.015 * H)
    max_rows = max(1, int((_LEGEND_SHARE * H - 2 * lpad) // lh)) if compact else 4
    rows = legend.rows_needed(W - 2 * pad_x(W, s), compact, max_rows, worst)
    c = Chrome(compact, header, gap_top, rows * lh + 2 * lpad, rows, lpad, gap_bottom)
    if compact and c.total > 0.5 * H:
        # a very short view keeps room for its nodes: the legend goes, then the titles
        c.legend_h, c.legend_rows, c.gap_bottom = 0.0, 0, 2.0
        if c.total > 0.5 * H:
            c.header_h, c.gap_top = 0.0, 2.0
    return c


def build(W: float, H: float, scale: float, data: NetworkData, fonts: Fonts,
          titles: TitlePainter, legend: LegendPainter,
          worst: tuple[str, list[str], str]) -> Layout:
    """The layout of a ``W`` x ``H`` view, with room for the titles and for the legend's
    widest words ``worst``."""
    s = scale
    sizes = data.sizes or [1]
    n_layers = len(sizes)
    compressed = [n > MAX_CIRCLE_NODES for n in sizes]
    bands = chrome_metrics(W, H, False, s, titles, legend, worst)
    if bands.total > _CHROME_SHARE * H:
        bands = chrome_metrics(W, H, True, s, titles, legend, worst)
    top = bands.header_h + bands.gap_top
    legend_top = H - bands.legend_h
    bottom = max(legend_top - bands.gap_bottom, top + 10.0)
    avail_h = bottom - top
    max_r = 38.0 * s
    spacing = [min(avail_h / n, 130.0 * s) for n in sizes]
    r_vert = [max(3.0, min(_R_VERTICAL * sp, max_r)) for sp in spacing]
    # side labels (x1, y ...): readable or left out, and never more than a share of the width
    px_side = pad_x(W, s)
    label_gap = min(8.0 * s, 0.01 * W + 2.0)
    label_px = [0.0, 0.0]
    reserve = [px_side, px_side]
    for side, al in ((0, 0), (1, n_layers - 1)):
        if not data.sizes or compressed[al] or (side == 1 and n_layers == 1):
            continue
        px = min(16.0 * s, spacing[al] * 0.8)
        if px >= readable_px(s):
            fm = fonts.metrics(px)
            names = [data.node_name(al, i) for i in range(sizes[al])]
            label_px[side] = px
            reserve[side] += max(fm.horizontalAdvance(t) for t in names) + label_gap
    if reserve[0] + reserve[1] > 0.3 * W:
        label_px, reserve = [0.0, 0.0], [px_side, px_side]
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
    lay = Layout(W, H, xs, ys, radius, compressed, bar_w, top, bottom, legend_top,
                 compact=bands.compact, header_h=bands.header_h,
                 legend_rows=bands.legend_rows, legend_pad=bands.legend_pad,
                 pad_x=px_side, label_px=tuple(label_px), label_gap=label_gap)
    for li in range(n_layers - 1):
        lay.edge_x0.append(float(xs[li]) + (bar_w / 2 if compressed[li] else 0.0))
        lay.edge_x1.append(float(xs[li + 1]) - (bar_w / 2 if compressed[li + 1] else 0.0))
    return lay


# ---- positions ---------------------------------------------------------------------------
def node_pos(lay: Layout, layer: int, node: int) -> QPointF:
    return QPointF(float(lay.xs[layer]), float(lay.ys[layer][node]))


def edge_point(lay: Layout, layer: int, i: int, j: int, t: float = 0.5) -> QPointF:
    """A point at fraction ``t`` along the drawn edge weights[layer][i, j]."""
    x0, x1 = lay.edge_x0[layer], lay.edge_x1[layer]
    y0, y1 = lay.ys[layer][i], lay.ys[layer + 1][j]
    return QPointF(x0 + (x1 - x0) * t, float(y0 + (y1 - y0) * t))


def bias_rect(lay: Layout, data: NetworkData, scale: float, layer: int, j: int) -> QRectF | None:
    """The bias square of node j of weight layer ``layer`` (None: compressed or no bias)."""
    a = layer + 1
    if lay.compressed[a] or data.bias_mode(layer) == "none":
        return None
    r = lay.radius[a]
    # clickable even on small circles, but never larger than its circle (crowded layers)
    s = min(max(7.0 * scale, r * 0.45), r * 0.8)
    cx = float(lay.xs[a]) - r * 0.9
    cy = float(lay.ys[a][j]) + r * 0.82
    return QRectF(cx - s / 2, cy - s / 2, s, s)


def bias_rects(lay: Layout, data: NetworkData, scale: float, li: int) -> list[QRectF]:
    """Every bias square of weight layer ``li``, kept with the layout."""
    if lay.bias_rects is None:
        lay.bias_rects = [[r for j in range(data.sizes[k + 1])
                           if (r := bias_rect(lay, data, scale, k, j)) is not None]
                          for k in range(len(data.sizes) - 1)]
    return lay.bias_rects[li]


# ---- hit testing -------------------------------------------------------------------------
def node_at(lay: Layout, sizes: list[int], pos: QPointF | QPoint) -> tuple[int, int] | None:
    px, py = float(pos.x()), float(pos.y())
    for li in range(len(sizes)):
        x = float(lay.xs[li])
        if lay.compressed[li]:
            half = lay.bar_w / 2 + 2
            if abs(px - x) <= half and lay.top <= py <= lay.bottom:
                n = sizes[li]
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


def bias_at(lay: Layout, data: NetworkData, scale: float,
            pos: QPointF | QPoint) -> tuple[int, int] | None:
    p = QPointF(pos)
    for li in range(len(data.weights)):
        if lay.compressed[li + 1]:
            continue
        r0 = bias_rect(lay, data, scale, li, 0)
        if r0 is None or abs(p.x() - r0.center().x()) > r0.width():
            continue
        for j in range(data.sizes[li + 1]):
            rect = bias_rect(lay, data, scale, li, j)
            if rect is not None and rect.adjusted(-2, -2, 2, 2).contains(p):
                return (li, j)
    return None


def edge_at(lay: Layout, edges: list[EdgeSet], sizes: list[int], scale: float,
            widths: Callable[[np.ndarray, int], np.ndarray],
            pos: QPointF | QPoint) -> tuple[int, int, int] | None:
    """The drawn edge nearest to ``pos`` within a few pixels (or its drawn width), as
    (layer, i, j); ``widths(|values|, layer)`` gives drawn widths."""
    px, py = float(pos.x()), float(pos.y())
    best: tuple[float, int, int, int] | None = None
    for li, es in enumerate(edges):
        x0, x1 = lay.edge_x0[li], lay.edge_x1[li]
        if not (min(x0, x1) - 6 <= px <= max(x0, x1) + 6) or es.sel.size == 0:
            continue
        n_out = sizes[li + 1]
        i = es.sel // n_out
        j = es.sel % n_out
        y0 = lay.ys[li][i]
        y1 = lay.ys[li + 1][j]
        dx = x1 - x0
        dy = y1 - y0
        t = np.clip(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy), 0.0, 1.0)
        d2 = (x0 + t * dx - px) ** 2 + (y0 + t * dy - py) ** 2
        tol = np.maximum(5.0 * scale, widths(np.abs(es.vals), li) / 2 + 3)
        d2 = np.where(d2 <= tol * tol, d2, np.inf)
        k = int(np.argmin(d2))
        if np.isfinite(d2[k]) and (best is None or d2[k] < best[0]):
            best = (float(d2[k]), li, int(i[k]), int(j[k]))
    return None if best is None else best[1:]
