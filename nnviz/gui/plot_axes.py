"""Plot axes whose tick labels never collide, whatever the text size.

pyqtgraph picks the number of ticks from the axis length alone; with presentation-size text a
long axis then gets more labels than fit ("01,00020000"). ReadableAxis asks for fewer ticks
until the widest label (plus a gap) fits between two of them (README "Classroom").
"""

from __future__ import annotations

import math

# isort: off
# pyqtgraph picks its Qt binding from what is already imported: PySide6 must come first.
from PySide6.QtGui import QFontMetricsF
import pyqtgraph as pg
# isort: on

#: Space between two tick labels, in widths of the digit "0".
LABEL_GAP_CHARS = 3.0


class ReadableAxis(pg.AxisItem):
    """An AxisItem with at most as many major ticks as their labels have room for."""

    def _label_room(self, levels: list, min_val: float, max_val: float,
                    gap_chars: float = LABEL_GAP_CHARS) -> float:
        """Pixels one major tick label needs along the axis."""
        font = self.style.get("tickFont") or self.font()
        fm = QFontMetricsF(font)
        if self.orientation in ("left", "right"):
            return fm.height() * (1.0 + gap_chars / 5)
        spacing = levels[0][0]
        scale = getattr(self, "scale", 1.0) or 1.0
        lo, hi = sorted((min_val, max_val))
        first = math.ceil(lo / spacing) * spacing
        count = min(50, int((hi - first) / spacing) + 1)
        probes = [first + k * spacing for k in range(max(1, count))]
        try:
            texts = self.tickStrings(probes, scale, spacing)
        except Exception:  # noqa: BLE001 (a subclass' formatter must not break the axis)
            texts = [f"{max_val:g}"]
        return max(fm.horizontalAdvance(t) for t in texts) + gap_chars * \
            fm.horizontalAdvance("0")

    def _labels_inside(self, spacing: float, min_val: float, max_val: float,
                       size: float) -> int:
        """How many labels of ticks `spacing` apart lie wholly inside the axis (pyqtgraph
        hides the others)."""
        lo, hi = sorted((min_val, max_val))
        half = self._label_room([(spacing, 0.0)], lo, hi, gap_chars=0.0) / 2
        margin = half / size * (hi - lo)
        first = math.ceil((lo + margin) / spacing) * spacing
        return max(0, int(math.floor((hi - margin - first) / spacing + 1e-9)) + 1)

    def tickSpacing(self, minVal: float, maxVal: float, size: float):  # noqa: N802, N803, ANN201
        levels = super().tickSpacing(minVal, maxVal, size)
        span = abs(maxVal - minVal)
        if not levels or span == 0 or size <= 0 or self.logMode:
            return levels
        room = self._label_room(levels, minVal, maxVal)
        if levels[0][0] / span * size < room:
            # pyqtgraph keeps at least ~2 intervals whatever the labels need: pick the
            # smallest 1-2-5 spacing whose labels fit, re-measured with that spacing's labels
            for _ in range(4):
                spacing = _nice_at_least(room / size * span)
                levels = [(spacing, 0.0)]
                room = self._label_room(levels, minVal, maxVal)
                if spacing / span * size >= room:
                    break
        inside = self._labels_inside(levels[0][0], minVal, maxVal, size)
        if inside < 2:
            # The roomy spacing put its ticks at the ends, where pyqtgraph hides their labels
            # (0 and 5000 on 0..5000, only 50 on 0..100): a gap of one digit still reads.
            tight = _nice_at_least(self._label_room(levels[:1], minVal, maxVal, 1.0) / size
                                   * span, steps=(1.0, 2.0, 2.5, 5.0, 10.0))
            if tight < levels[0][0] and self._labels_inside(tight, minVal, maxVal,
                                                            size) > inside:
                levels = [(tight, 0.0)]
        # pyqtgraph labels the minor level too where it thinks there is room: keep minor
        # ticks only when their labels would fit as well
        if len(levels) > 1 and levels[1][0] / span * size < self._label_room(levels[1:], minVal,
                                                                            maxVal):
            levels = levels[:1]
        return levels


def _nice_at_least(x: float, steps: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0)) -> float:
    """The smallest of `steps` (1, 2, 5) times a power of ten that is >= x (> 0)."""
    power = 10.0 ** math.floor(math.log10(x))
    for m in steps:
        if m * power >= x * (1 - 1e-12):
            return m * power
    return 10.0 * power
