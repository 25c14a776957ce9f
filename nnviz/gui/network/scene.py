"""The cached picture of the network view's scene (background, edges, nodes, titles, legend):
rebuilt only when data, size, mode or style change, at the pixel ratio of the device really
painted on. Hover and selection are painted over it, so moving the mouse costs a blit."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPaintEngine, QPainter

from nnviz.gui.network.drawing import new_image

_VECTOR_DPR = 2.0  # pixel ratio of the scene picture embedded in vector exports (SVG)


def device_ratio(p: QPainter, fallback: float) -> float:
    """The pixel ratio to render caches at for the device ``p`` paints on.

    ``QWidget.render`` into a 2x/3x QImage (PNG export) paints through the widget, whose own
    ratio (``fallback``) is the screen's; the painter's engine knows the real target. Vector
    devices (SVG) report 1 but keep what they embed, so they get a 2x picture.
    """
    engine = p.paintEngine()
    device = engine.paintDevice() if engine is not None else None
    dpr = device.devicePixelRatioF() if device is not None else fallback
    if engine is not None and engine.type() not in (QPaintEngine.Type.Raster,
                                                    QPaintEngine.Type.OpenGL2):
        dpr = max(dpr, _VECTOR_DPR)
    return dpr


class SceneImage:
    """The scene as an image of the widget's size at one pixel ratio, kept until invalidated;
    the image it replaces is recycled for the next render (saves allocating 3 MB)."""

    def __init__(self) -> None:
        self._image: QImage | None = None
        self._spare: QImage | None = None

    def invalidate(self) -> None:
        if self._image is not None:
            self._spare = self._image
        self._image = None

    def drop(self) -> None:
        """Forget both images (a new pixel ratio)."""
        self._image = self._spare = None

    def current(self, w: int, h: int, dpr: float) -> QImage | None:
        """The kept image if it still fits a ``w`` x ``h`` widget at ``dpr``."""
        img = self._image
        if img is None or img.size() != _device_size(w, h, dpr):
            return None
        return img

    def render(self, w: int, h: int, dpr: float, background: QColor,
               draw: Callable[[QPainter], None]) -> QImage:
        """A new picture: the background, then ``draw``; kept as the current one."""
        img = self._spare
        if img is None or img.size() != _device_size(w, h, dpr):
            img = new_image(w, h, dpr)
        self._spare = None
        img.fill(background)
        p = QPainter(img)
        try:
            draw(p)
        finally:
            p.end()
        self._image = img
        return img


def _device_size(w: int, h: int, dpr: float) -> QSize:
    return QSize(max(1, math.ceil(w * dpr)), max(1, math.ceil(h * dpr)))
