"""Low-level drawing shared by the network view's painters: images at a device pixel ratio,
opaque colours mixed from the background, and the two bulk calls that read NumPy rows in place
(``drawLines`` for edges, ``drawPixmapFragments`` for atlas cells). See README "Speed"."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import shiboken6
from PySide6.QtCore import QLineF
from PySide6.QtGui import QImage, QPainter, QPixmap

#: Cells per row of an atlas pixmap.
ATLAS_COLUMNS = 12
#: Bytes of one QLineF: four doubles.
LINE_BYTES = 32


def new_image(w: float, h: float, dpr: float) -> QImage:
    """A transparent-capable image of ``w`` x ``h`` logical pixels at pixel ratio ``dpr``."""
    img = QImage(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)),
                 QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    return img


def mix(bg: np.ndarray, rgb: np.ndarray, t: np.ndarray | float) -> np.ndarray:
    """``bg`` mixed towards ``rgb`` by ``t`` (opaque: semi-transparent lines would take the
    raster engine's per-pixel path, about 10x slower)."""
    return bg + (rgb - bg) * np.asarray(t)[..., None]


def draw_line_rows(p: QPainter, address: int, count: int) -> None:
    """Draw ``count`` lines stored as rows of four float64 (x1, y1, x2, y2) at ``address``.

    Not a QPolygonF: given one, PySide6 (6.11) re-takes the GIL every few lines while
    drawing, so a frame waits for the training thread's GIL slices again and again (300 lines:
    1.7 ms alone, 100 ms while training runs). The pointer overload reads the rows in place.
    """
    p.drawLines(shiboken6.wrapInstance(address, QLineF), count)


def build_atlas(count: int, cell: int, dpr: float,
                paint: Callable[[QPainter, int, float, float], None]) -> QPixmap:
    """A transparent pixmap of ``count`` square cells of ``cell`` device pixels, in rows of
    ``ATLAS_COLUMNS``; ``paint(p, c, left, top)`` draws cell c (logical coordinates)."""
    rows = -(-count // ATLAS_COLUMNS)
    img = QImage(cell * ATLAS_COLUMNS, cell * rows, QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(0)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    try:
        for c in range(count):
            paint(p, c, (c % ATLAS_COLUMNS) * cell / dpr, (c // ATLAS_COLUMNS) * cell / dpr)
    finally:
        p.end()
    return QPixmap.fromImage(img)


def draw_cells(p: QPainter, atlas: QPixmap, cell: int, cells: np.ndarray, derived: dict,
               key: tuple, dpr: float, x: float | np.ndarray, y: float | np.ndarray) -> None:
    """Blit atlas cells centred at (x, y) with one QPainter.drawPixmapFragments call.

    The (const PixmapFragment *, count) overload reads rows of ten doubles in place: centre,
    source cell, source size, scale, rotation, opacity. One call per layer instead of a
    Python-level blit per node: every millisecond of Python here is taken from the training
    thread. Everything but the source cell is fixed for a layout: the rows are kept in its
    ``derived`` cache under ``key``."""
    n = int(cells.size)
    if n == 0:
        return
    tkey = ("fragments", key, cell, dpr)
    template = derived.get(tkey)
    if template is None or template.shape[0] != n:
        template = np.empty((n, 10))
        template[:, 0] = x
        template[:, 1] = y
        template[:, 4:6] = cell
        template[:, 6:8] = 1.0 / dpr
        template[:, 8] = 0.0
        template[:, 9] = 1.0
        derived[tkey] = template
    frags = template.copy()
    row, col = np.divmod(cells, ATLAS_COLUMNS)
    frags[:, 2] = col * cell
    frags[:, 3] = row * cell
    p.drawPixmapFragments(shiboken6.wrapInstance(frags.ctypes.data, QPainter.PixmapFragment),
                          n, atlas)
