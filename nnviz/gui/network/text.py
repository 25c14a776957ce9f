"""Numbers and fonts of the network view: how values are written, and the fonts they are
written in (cached per pixel size; the view clears them when its font changes)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QFont, QFontMetricsF

from nnviz.core import notation

#: Smallest text drawn, in pixels at scale 1 (grows with the view's scale).
READABLE_PX = 10.0


def fmt(x: float | np.floating) -> str:
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


def short(x: float, digits: int = 3) -> str:
    """A value drawn inside a node or on an edge: as the panel writes it (``notation.number``)."""
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    s = notation.number(x, digits)
    return s[1:] if s.startswith("-") and float(s) == 0 else s  # no "-0.0000"


def scale_text(s: float) -> str:
    """A colour-scale bound as the legend writes it."""
    return f"{s:.3g}"


def readable_px(scale: float) -> float:
    """Smallest text size drawn at this scale: text that would be smaller is left out instead."""
    return max(8.0, READABLE_PX * scale)


class Fonts:
    """The view's font at given pixel sizes (bold or not) and their metrics, cached."""

    def __init__(self, base: Callable[[], QFont]) -> None:
        self._base = base
        self._fonts: dict[tuple[int, bool], QFont] = {}
        self._metrics: dict[int, QFontMetricsF] = {}

    def clear(self) -> None:
        self._fonts.clear()
        self._metrics.clear()

    def font(self, px: float, bold: bool = False) -> QFont:
        key = (max(6, int(round(px))), bold)
        f = self._fonts.get(key)
        if f is None:
            f = QFont(self._base())
            f.setPixelSize(key[0])
            f.setBold(bold)
            self._fonts[key] = f
        return f

    def metrics(self, px: float) -> QFontMetricsF:
        key = max(6, int(round(px)))
        fm = self._metrics.get(key)
        if fm is None:
            fm = self._metrics[key] = QFontMetricsF(self.font(px))
        return fm
