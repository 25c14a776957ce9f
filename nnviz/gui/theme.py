"""Palettes and text scale shared by every view.

Weights use the Okabe-Ito orange (negative) and blue (positive): distinct in hue and in
lightness, so they stay apart for the common colour-vision deficiencies and in greyscale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class Theme:
    name: str
    dark: bool
    window: str
    base: str
    text: str
    muted: str
    negative: str
    positive: str
    highlight: str


LIGHT = Theme("light", False, "#f4f4f4", "#ffffff", "#111111", "#666666", "#d55e00", "#0072b2",
              "#009e73")
DARK = Theme("dark", True, "#1e1e1e", "#121212", "#eeeeee", "#a0a0a0", "#f0903c", "#56b4e9",
             "#2bd1a0")
THEMES = {t.name: t for t in (LIGHT, DARK)}

#: Font scale of presentation mode: readable from the back of a hall at 1024x768.
PRESENTATION_SCALE = 1.6
MIN_SCALE, MAX_SCALE = 0.6, 3.0


def check_scale(factor: float) -> float:
    """A view's scale factor (presentation, zoom) as a float, or ValueError naming it."""
    factor = float(factor)
    if not (math.isfinite(factor) and 0.25 <= factor <= 8.0):
        raise ValueError(f"scale factor must be between 0.25 and 8, got {factor}")
    return factor


def apply(app: QApplication, theme: Theme, scale: float, base_point_size: float) -> None:
    """Set the application palette and font size for a theme and text scale."""
    pal = QPalette()
    window, base, text = QColor(theme.window), QColor(theme.base), QColor(theme.text)
    pal.setColor(QPalette.ColorRole.Window, window)
    pal.setColor(QPalette.ColorRole.Base, base)
    pal.setColor(QPalette.ColorRole.AlternateBase, window)
    # Buttons, check boxes and slider grooves need to stand out from the window in dark mode.
    pal.setColor(QPalette.ColorRole.Button, window.lighter(150) if theme.dark else window)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText, QPalette.ColorRole.ToolTipText):
        pal.setColor(role, text)
    pal.setColor(QPalette.ColorRole.ToolTipBase, base)
    pal.setColor(QPalette.ColorRole.Highlight, QColor(theme.positive))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    pal.setColor(QPalette.ColorRole.PlaceholderText, QColor(theme.muted))
    # Disabled widgets must look disabled: muted text in that group only.
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        pal.setColor(disabled, role, QColor(theme.muted))
    app.setPalette(pal)
    font = QFont(app.font())
    font.setPointSizeF(max(6.0, base_point_size * scale))
    app.setFont(font)
