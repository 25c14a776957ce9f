"""Edges: which are drawn (``EdgeSelection``: the budget, the strongest first, the colour
scale) and how (``EdgePainter``: colour buckets, one ``drawLines`` call per bucket from NumPy
rows, pens cached per style). See README "The window" and "Speed"."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPen

from nnviz.gui.network.data import NetworkData
from nnviz.gui.network.drawing import LINE_BYTES, draw_line_rows, mix
from nnviz.gui.network.layout import Layout
from nnviz.gui.palette import Palette, qcolor

AA_ALWAYS_LIMIT = 64     # so few edges that antialiasing them is always affordable
AA_EDGE_LIMIT = 2000     # antialias up to this many edges when the view is not updating live
LIVE_EDGE_BUDGET_MS = 8.0    # CPU time live frames may spend on edges (big networks only)
MIN_LIVE_EDGES = 1000
N_BINS = 8  # magnitude bins per sign
# Widest edge per density class: a layer drawing many edges gets thinner lines so the strongest
# ones stay readable instead of merging into one block of colour.
_WMAX = (6.0, 4.0, 2.5, 1.6)
_WCLASS_LIMITS = (64, 400, 1500)
MIN_WIDTH = 1.05  # above 1 px Qt uses its thick-line rasteriser, ~3x cheaper for long lines
# Dense layers cover their area several times over, so whatever is drawn last dominates: each
# bucket is drawn in interleaved chunks so that neither sign systematically ends up on top.
_CHUNKS = (1, 1, 3, 6)
_MAX_CHUNKS = max(_CHUNKS)
_KEY_GREY = 2 * _MAX_CHUNKS * N_BINS  # bucket of neutral edges (gradient mode, no gradient)
_KEY_BLOCK = _KEY_GREY + 1             # buckets per (faded, width class)
#: share of the colour kept by edges of layers a stepping phase does not use
_FADED = 0.22


@dataclass
class EdgeSet:
    """The edges chosen for drawing in one weight layer."""

    sel: np.ndarray      # flat indices into weights[l] (row-major: i * n_out + j)
    vals: np.ndarray     # the colouring values of those edges (weight or dE/dw)
    total: int           # edges in the layer
    grey: bool = False   # gradient mode without gradients: drawn neutral


def water_fill(counts: list[int], budget: int) -> list[int]:
    """Split ``budget`` over layers: layers that fit their fair share keep everything."""
    out = [0] * len(counts)
    order = sorted(range(len(counts)), key=lambda i: counts[i])
    remaining = budget
    for pos, i in enumerate(order):
        share = remaining // (len(order) - pos)
        out[i] = min(counts[i], share)
        remaining -= out[i]
    return out


def width_class(n: int) -> int:
    """Density class of a layer drawing ``n`` edges (0: few, 3: many)."""
    return sum(n > lim for lim in _WCLASS_LIMITS)


class EdgeSelection:
    """The edges drawn per layer and the colour scale, kept until the data, the mode or the
    budget change (``invalidate``)."""

    def __init__(self) -> None:
        self._sets: list[EdgeSet] | None = None
        #: the |value| drawn at full colour (fixed, or this frame's percentile)
        self.value_scale = 1.0
        #: weights beyond a fixed scale, drawn at full strength
        self.saturated = 0
        #: the edge budget of the last selection (fewer than max_edges: thinned while live)
        self.budget_used = 0

    def invalidate(self) -> None:
        self._sets = None

    @property
    def valid(self) -> bool:
        return self._sets is not None

    def sets(self, data: NetworkData, mode: str, min_mag: float, fixed_scale: float | None,
             budget: int) -> list[EdgeSet]:
        """The edge sets, chosen now if not kept: at most ``budget`` edges, shared between
        layers by water-filling, the strongest of the colouring winning within a layer."""
        if self._sets is not None:
            return self._sets
        L = len(data.weights)
        flat: list[np.ndarray] = []
        greys: list[bool] = []
        cand: list[np.ndarray | None] = []
        counts: list[int] = []
        for li in range(L):
            v, grey = data.edge_values(li, mode)
            v = v.ravel()
            if not np.all(np.isfinite(v)):
                v = np.where(np.isfinite(v), v, 0.0)
            flat.append(v)
            greys.append(grey)
            if min_mag > 0 and not grey:
                c = np.flatnonzero(np.abs(v) >= min_mag)
                cand.append(c)
                counts.append(int(c.size))
            else:
                cand.append(None)
                counts.append(int(v.size))
        self.budget_used = budget
        shares = water_fill(counts, budget)
        edges: list[EdgeSet] = []
        for li in range(L):
            v = flat[li]
            c = cand[li]
            if counts[li] > shares[li]:
                pool = v if c is None else v[c]
                k = shares[li]
                if k == 0:
                    sel = np.empty(0, dtype=np.intp)
                else:
                    part = np.argpartition(-np.abs(pool), k - 1)[:k]
                    sel = part if c is None else c[part]
            else:
                sel = np.arange(v.size) if c is None else c
            edges.append(EdgeSet(sel, v[sel], int(v.size), greys[li]))
        # the scale follows every value of the mode, drawn or not, so hiding edges keeps colours
        self.saturated = 0
        if fixed_scale is not None and mode != "gradient":
            self.value_scale = fixed_scale
            self.saturated = sum(int(np.count_nonzero(np.abs(f) > fixed_scale)) for f in flat)
        else:
            coloured = [f for f, g in zip(flat, greys, strict=True) if not g]
            if coloured:
                allv = np.abs(np.concatenate(coloured))
                if allv.size > 20000:
                    # a regular subsample places the percentile well enough for a colour scale
                    allv = allv[:: allv.size // 10000]
                k = min(allv.size - 1, int(0.99 * (allv.size - 1) + 0.5))
                s = float(np.partition(allv, k)[k])
                self.value_scale = s if s > 0 else (float(allv.max()) or 1.0)
            else:
                self.value_scale = 1.0
        self._sets = edges
        return edges


class EdgePainter:
    """Draws edge sets in colour buckets: sign by hue, magnitude by width and by how far the
    colour is mixed from the background towards the full hue. Owns its pens (per style) and
    the measured cost of an edge, which sizes the budget of live frames."""

    def __init__(self, palette: Palette, scale: float) -> None:
        self._palette = palette
        self._scale = scale
        self._pens: dict[tuple, QPen] = {}
        #: CPU time per edge of the last big plain render (None: not measured yet)
        self.cost_us: float | None = None
        #: whether the last render antialiased its edges
        self.rendered_aa = True

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale
        self._pens.clear()

    @staticmethod
    def antialiased(drawn: int, live: bool) -> bool:
        """Whether ``drawn`` edges are antialiased (live updates draw them plain)."""
        return drawn <= AA_ALWAYS_LIMIT or (not live and drawn <= AA_EDGE_LIMIT)

    def budget(self, live: bool, max_edges: int) -> int:
        """How many edges a render may draw: ``max_edges``, fewer for live frames whose
        measured edge cost would exceed ``LIVE_EDGE_BUDGET_MS``."""
        if live and self.cost_us:
            # in steps of 250 so the count (and the legend) does not flicker between frames
            fit = int(LIVE_EDGE_BUDGET_MS * 1000 / self.cost_us) // 250 * 250
            return min(max_edges, max(MIN_LIVE_EDGES, fit))
        return max_edges

    # ---- widths and colours ----------------------------------------------------------------
    def bin_width(self, b: int | np.ndarray, wc: int) -> float | np.ndarray:
        return (MIN_WIDTH + (_WMAX[wc] - MIN_WIDTH) * (b + 1) / N_BINS) * self._scale

    def widths(self, mag: np.ndarray, wc: int, value_scale: float) -> np.ndarray:
        t = np.clip(mag / value_scale, 0.0, 1.0)
        return np.asarray(self.bin_width(np.minimum((t * N_BINS).astype(np.intp),
                                                    N_BINS - 1), wc))

    def bucket_colour(self, sign: int, b: int, faded: bool, grey: bool) -> QColor:
        pal = self._palette
        bg = np.array(pal.background, dtype=float)
        if grey:
            rgb = np.array(pal.neutral, dtype=float)
        else:
            rgb = np.array(pal.edge_rgb(sign, b / (N_BINS - 1)))
        if faded:
            rgb = mix(bg, rgb, _FADED)
        return qcolor(rgb)

    def hue(self, value: float) -> QColor:
        """The full hue of a value's sign (numbers on edges, the hovered edge)."""
        return qcolor(self._palette.weight_hue(1 if value > 0 else -1))

    def _bucket_pen(self, sign: int, b: int, faded: bool, grey: bool, wc: int) -> QPen:
        key = (sign, b, faded, grey, wc)
        pen = self._pens.get(key)
        if pen is None:
            width = MIN_WIDTH * self._scale if grey else float(self.bin_width(b, wc))
            pen = QPen(self.bucket_colour(sign, b, faded, grey), width)
            # flat caps keep Qt on its fast thick-line rasteriser
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            self._pens[key] = pen
        return pen

    def _pen_for_key(self, key: int) -> QPen:
        cls, bucket = divmod(key, _KEY_BLOCK)
        faded, wc = cls < 4, cls % 4
        if bucket == _KEY_GREY:
            return self._bucket_pen(0, 0, faded, True, wc)
        return self._bucket_pen(1 if bucket % 2 else -1, bucket // (2 * _MAX_CHUNKS), faded,
                                False, wc)

    # ---- drawing ---------------------------------------------------------------------------
    @staticmethod
    def segments(lay: Layout, li: int, es: EdgeSet, n_out: int) -> np.ndarray:
        """(k, 4) end points of the drawn edges of weight layer ``li``; a layer drawn whole
        keeps its array for the layout."""
        whole = es.sel.size == es.total
        if whole:
            seg = lay.derived.get(("segments", li))
            if seg is not None:
                return seg
        seg = np.empty((es.sel.size, 4))
        seg[:, 0] = lay.edge_x0[li]
        seg[:, 1] = lay.ys[li][es.sel // n_out]
        seg[:, 2] = lay.edge_x1[li]
        seg[:, 3] = lay.ys[li + 1][es.sel % n_out]
        if whole:
            lay.derived[("segments", li)] = seg
        return seg

    def draw(self, p: QPainter, lay: Layout, edges: list[EdgeSet], sizes: list[int],
             active: int | None, value_scale: float, aa: bool) -> None:
        """Every edge set, faded layers first (``active``: the phase's layer, None: no
        phase), then weak before strong so strong ends up on top."""
        self.rendered_aa = aa
        p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
        segs: list[np.ndarray] = []
        keys: list[np.ndarray] = []
        for li, es in enumerate(edges):
            k = es.sel.size
            if k == 0:
                continue
            segs.append(self.segments(lay, li, es, sizes[li + 1]))
            # key = draw order: faded layers first, then weak before strong so strong is on top
            faded = active is not None and active != li
            wc = width_class(k)
            base = ((0 if faded else 4) + wc) * _KEY_BLOCK
            if es.grey:
                keys.append(np.full(k, base + _KEY_GREY, dtype=np.intp))
            else:
                t = np.clip(np.abs(es.vals) / value_scale, 0.0, 1.0)
                bins = np.minimum((t * N_BINS).astype(np.intp), N_BINS - 1)
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
            draw_line_rows(p, address + a * LINE_BYTES, b - a)
        if key_all.size >= 500 and not aa:
            # CPU cost per edge, used to size the edge budget of live frames
            cost = (time.thread_time() - t0) * 1e6 / key_all.size
            self.cost_us = cost if self.cost_us is None else 0.7 * self.cost_us + 0.3 * cost
