"""Plot axes whose tick labels never collide, whatever the text size.

pyqtgraph picks the number of ticks from the axis length alone; with presentation-size text a
long axis then gets more labels than fit ("01,00020000"). ReadableAxis asks for fewer ticks
until the widest label (plus a gap) fits between two of them (README "Classroom").
"""

from __future__ import annotations

# isort: off
# pyqtgraph picks its Qt binding from what is already imported: PySide6 must come first.
from PySide6.QtGui import QFontMetricsF
import pyqtgraph as pg
# isort: on

#: Space between two tick labels, in widths of the digit "0".
LABEL_GAP_CHARS = 2.0


class ReadableAxis(pg.AxisItem):
    """An AxisItem with at most as many major ticks as their labels have room for."""

    def _label_room(self, levels: list, min_val: float, max_val: float) -> float:
        """Pixels one major tick label needs along the axis."""
        font = self.style.get("tickFont") or self.font()
        fm = QFontMetricsF(font)
        if self.orientation in ("left", "right"):
            return fm.height() * 1.6
        spacing = levels[0][0]
        scale = getattr(self, "scale", 1.0) or 1.0
        probes = [min_val, max_val, (min_val + max_val) / 2]
        try:
            texts = self.tickStrings(probes, scale, spacing)
        except Exception:  # noqa: BLE001 (a subclass' formatter must not break the axis)
            texts = [f"{max_val:g}"]
        return max(fm.horizontalAdvance(t) for t in texts) + LABEL_GAP_CHARS * \
            fm.horizontalAdvance("0")

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803, ANN201
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or span == 0 or size <= 0 or self.logMode:
            return levels
        eff = float(size)
        for _ in range(8):
            major_px = levels[0][0] / span * size
            if major_px >= self._label_room(levels, minVal, maxVal) or eff < 20:
                break
            eff *= 0.6
            fewer = super().tickSpacing(minVal, maxVal, eff)
            if not fewer:
                break
            levels = fewer
        return levels
