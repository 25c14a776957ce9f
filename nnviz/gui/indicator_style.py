"""Check box and radio button indicators with an outline that stands out in every theme.

Fusion draws the indicator's frame from the window colour darkened, which on a dark window is
nearly black on nearly black: the box vanishes. This proxy draws Fusion's indicator (check
mark included) and then a frame in the palette's ``Mid`` role, which ``theme.apply`` sets to
``theme.indicator_outline`` (README "Classroom").
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPalette, QPen
from PySide6.QtWidgets import QProxyStyle, QStyle, QStyleOption, QWidget

_INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox,
               QStyle.PrimitiveElement.PE_IndicatorRadioButton)


_SIZES = (QStyle.PixelMetric.PM_IndicatorWidth, QStyle.PixelMetric.PM_IndicatorHeight,
          QStyle.PixelMetric.PM_ExclusiveIndicatorWidth,
          QStyle.PixelMetric.PM_ExclusiveIndicatorHeight)
#: Indicator size per pixel of the widget's line height. Fusion's fixed 13-14 px box is right
#: for ordinary text and a speck beside presentation-size text.
INDICATOR_PER_LINE = 0.8


class IndicatorOutlineStyle(QProxyStyle):
    """The application style, with indicator frames in the palette's Mid colour and
    indicators that grow with their widget's text (never smaller than the style's own)."""

    def pixelMetric(self, metric: QStyle.PixelMetric, option: QStyleOption | None = None,  # noqa: N802
                    widget: QWidget | None = None) -> int:
        size = super().pixelMetric(metric, option, widget)
        if metric in _SIZES and widget is not None:
            return max(size, round(widget.fontMetrics().height() * INDICATOR_PER_LINE))
        return size

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # noqa: N802
                      painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        if element not in _INDICATORS:
            return
        rect = option.rect
        if rect.width() < 4 or rect.height() < 4:
            return
        painter.save()
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            width = max(1.0, round(min(rect.width(), rect.height()) / 13.0))
            painter.setPen(QPen(option.palette.color(QPalette.ColorRole.Mid), width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            inset = width / 2.0
            box = rect.toRectF().adjusted(inset, inset, -inset, -inset)
            if element == QStyle.PrimitiveElement.PE_IndicatorRadioButton:
                painter.drawEllipse(box)
            else:
                painter.drawRoundedRect(box, 1.0, 1.0)
        finally:
            painter.restore()
