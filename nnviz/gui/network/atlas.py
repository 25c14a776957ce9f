"""Fill colours and pre-rendered node pieces: every fill a node or bias square can have is in
a table (quantised to ``FILL_LEVELS`` per sign, invisibly), and every circle sprite of a radius
and outline, every bias square and every node map of a layer sits in one atlas pixmap, so a
layer is drawn with one ``drawPixmapFragments`` call (``drawing.draw_cells``)."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPixmap

from nnviz.gui.network.drawing import build_atlas, mix, new_image
from nnviz.gui.palette import Palette, qcolor

FILL_LEVELS = 64  # node and bias fills are quantised to this many levels per sign
NODE_FLOOR = 0.08  # share of the hue in the fill of a zero activation
BIAS_FLOOR = 0.15  # ... and of a zero bias
#: atlas cell of NaN / inf; the next one: no value (the background, or neutral for biases)
ATLAS_BAD = 2 * (FILL_LEVELS + 1)


def fill_index(vals: np.ndarray, scale: float) -> tuple[tuple, np.ndarray | None]:
    """Table index of each value (quantised, invisibly, so node sprites can be cached by
    colour; |v| clamped at ``scale``) and the mask of non-finite values (None: all finite)."""
    finite = np.isfinite(vals)
    bad = None
    if not finite.all():
        bad = ~finite
        vals = np.where(finite, vals, 0.0)
    level = np.minimum(np.abs(vals) * (FILL_LEVELS / scale), float(FILL_LEVELS))
    return ((vals > 0).view(np.int8), np.rint(level).astype(np.intp)), bad


def fill_cells(vals: np.ndarray, scale: float) -> np.ndarray:
    """Atlas cell of each value: ``sign * (FILL_LEVELS + 1) + level``, or ATLAS_BAD."""
    (sign, level), bad = fill_index(vals, scale)
    cells = sign * (FILL_LEVELS + 1) + level
    if bad is not None:
        cells[bad] = ATLAS_BAD
    return cells


class Sprites:
    """Fill tables, circle sprites and atlases for one palette, scale and pixel ratio (each
    change drops the pictures; the tables are keyed by their colours)."""

    def __init__(self, palette: Palette, scale: float) -> None:
        self._palette = palette
        self._scale = scale
        self._dpr = 1.0
        self._bg = np.array(palette.background, dtype=float)
        self._sprites: dict[tuple, tuple[dict[int, QImage], float]] = {}
        #: node atlases by (radius, dashed), bias atlases by ("bias", size)
        self.atlases: dict[tuple, tuple[QPixmap, int]] = {}
        self._luts: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        # node maps cut to discs, per activation layer: (key, (pixmap, cell, nodes) or None)
        self._discs: dict[int, tuple[tuple, tuple[QPixmap, int, np.ndarray] | None]] = {}

    def set_style(self, palette: Palette, scale: float) -> None:
        self._palette, self._scale = palette, scale
        self._bg = np.array(palette.background, dtype=float)
        self._sprites.clear()
        self.atlases.clear()

    def set_dpr(self, dpr: float) -> None:
        self._dpr = dpr
        self._sprites.clear()
        self.atlases.clear()

    # ---- fill colours ----------------------------------------------------------------------
    def lut(self, floor: float) -> tuple[np.ndarray, np.ndarray]:
        """Fill colours (2, 65, 3) and their packed 0xRRGGBB keys (2, 65): [v > 0, level]."""
        bg = self._bg
        pal = self._palette
        key = (floor, tuple(bg.tolist()), pal.weight_negative, pal.weight_positive)
        hit = self._luts.get(key)
        if hit is None:
            t = np.arange(FILL_LEVELS + 1) / FILL_LEVELS
            mixed = (floor + (1 - floor) * t)[None, :, None]
            # the edges' hues (one palette per theme), so a node reads like its edges
            hue = np.array([pal.weight_negative, pal.weight_positive], dtype=float)[:, None, :]
            rgb = np.rint(bg + (hue - bg) * mixed).astype(np.int64)
            packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
            hit = self._luts[key] = (rgb, packed)
        return hit

    def dark_cells(self) -> np.ndarray:
        """Per node atlas cell (see ``node_atlas``): whether its fill is dark (luma below 150)."""
        rgb, _ = self.lut(NODE_FLOOR)
        cells = np.concatenate([rgb.reshape(-1, 3), [self._palette.invalid],
                                [self._bg]]).astype(float)
        return cells @ np.array([0.299, 0.587, 0.114]) < 150

    def fill_rgb(self, vals: np.ndarray, scale: float, floor: float = NODE_FLOOR) -> np.ndarray:
        """Diverging palette colours (n, 3) for values, |v| clamped at ``scale``."""
        idx, bad = fill_index(vals, scale)
        rgb = self.lut(floor)[0][idx]
        if bad is not None:
            rgb[bad] = self._palette.invalid  # NaN / inf: unmistakably wrong
        return rgb

    def unset_fill(self, t: float) -> QColor:
        """The background mixed towards the neutral grey by ``t`` (a missing value)."""
        return qcolor(mix(self._bg, np.array(self._palette.unset, dtype=float), t))

    # ---- node circles ----------------------------------------------------------------------
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
        pal = self._palette
        ow = (2.0 if dashed else 1.5) * self._scale
        img = new_image(2 * half, 2 * half, self._dpr)
        img.fill(0)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(qcolor(pal.emphasis if dashed else pal.node_outline), ow)
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

    def node_atlas(self, r: float, dashed: bool) -> tuple[QPixmap, int]:
        """Every node sprite of one radius and outline in one pixmap, and its cell size in
        device pixels. Cell ``sign * (FILL_LEVELS + 1) + level`` holds the fill of
        ``fill_index``; then one cell for NaN / inf and one for "no value" (background)."""
        key = (r, dashed)
        hit = self.atlases.get(key)
        if hit is not None:
            return hit
        _, half = self._sprite_set(r, dashed)
        cell = math.ceil(2 * half * self._dpr)
        _, packed = self.lut(NODE_FLOOR)
        bg = self._bg
        bad = self._palette.invalid
        keys = [*packed.ravel().tolist(), bad[0] << 16 | bad[1] << 8 | bad[2],
                int(bg[0]) << 16 | int(bg[1]) << 8 | int(bg[2])]

        def paint(p: QPainter, c: int, left: float, top: float) -> None:
            p.drawImage(QPointF(left, top), self._sprite(keys[c], r, dashed)[0])

        hit = self.atlases[key] = (build_atlas(len(keys), cell, self._dpr, paint), cell)
        return hit

    # ---- bias squares ----------------------------------------------------------------------
    def bias_atlas(self, size: float) -> tuple[QPixmap, int]:
        """Solid bias squares of every fill colour: cells as in ``node_atlas`` (floor 0.15),
        then NaN / inf, then the neutral grey of gradient mode."""
        key = ("bias", size)
        hit = self.atlases.get(key)
        if hit is not None:
            return hit
        cell = max(1, math.ceil(size * self._dpr))
        rgb, _ = self.lut(BIAS_FLOOR)
        grey = mix(self._bg, np.array(self._palette.unset, dtype=float), 0.5)
        colours = [*map(tuple, rgb.reshape(-1, 3).tolist()), self._palette.invalid,
                   tuple(np.rint(grey).astype(int))]
        side = cell / self._dpr

        def paint(p: QPainter, c: int, left: float, top: float) -> None:
            p.fillRect(QRectF(left, top, side, side), QColor(*(int(v) for v in colours[c])))

        hit = self.atlases[key] = (build_atlas(len(colours), cell, self._dpr, paint), cell)
        return hit

    # ---- node maps -------------------------------------------------------------------------
    def map_atlas(self, images: dict[tuple[int, int], QImage], version: int, n: int, al: int,
                  radius: float) -> tuple[QPixmap, int, np.ndarray] | None:
        """The node maps of layer ``al`` (of ``n`` nodes) cut to antialiased discs of
        ``radius``, in one pixmap, and the nodes they belong to. Rebuilt when a map changes
        (the boundary view sends new maps a few times a second; frames come 30 times)."""
        key = (version, radius, self._dpr)
        hit = self._discs.get(al)
        if hit is not None and hit[0] == key:
            return hit[1]
        nodes = [i for i in range(n) if (al, i) in images]
        if not nodes:
            self._discs[al] = (key, None)
            return None
        cell = math.ceil(2 * radius * self._dpr)

        def paint(p: QPainter, c: int, left: float, top: float) -> None:
            path = QPainterPath()
            path.addEllipse(QPointF(left + radius, top + radius), radius, radius)
            p.setClipPath(path)
            p.drawImage(QRectF(left, top, 2 * radius, 2 * radius), images[(al, nodes[c])])

        value = (build_atlas(len(nodes), cell, self._dpr, paint), cell,
                 np.array(nodes, dtype=np.intp))
        self._discs[al] = (key, value)
        return value
