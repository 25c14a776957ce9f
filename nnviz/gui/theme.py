"""Palettes and text scale shared by every view.

Weights use the Okabe-Ito orange (negative) and blue (positive): distinct in hue and in
lightness, so they stay apart for the common colour-vision deficiencies and in greyscale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from nnviz.gui.indicator_style import IndicatorOutlineStyle

#: Okabe-Ito hues: apart in hue and lightness for every common colour-vision deficiency.
VERMILLION = "#d55e00"
BLUE = "#0072b2"
SKY_BLUE = "#56b4e9"
ORANGE = "#e69f00"
BLUISH_GREEN = "#009e73"
REDDISH_PURPLE = "#cc79a7"
YELLOW = "#f0e442"
#: Frame of an entry the program rejects (Controls), the same in every theme.
ERROR = VERMILLION


@dataclass(frozen=True)
class Theme:
    """The colours of one theme; ``nnviz.gui.palette.palette`` derives what each view draws
    with from them (README "Classroom")."""

    name: str
    dark: bool
    window: str
    base: str
    text: str
    muted: str
    negative: str
    positive: str
    highlight: str
    #: background of the network view
    canvas: str = "#ffffff"
    #: edge hues at full strength (weights: orange negative, blue positive)
    edge_negative: str = "#b34d00"
    edge_positive: str = "#00629e"
    #: share of the hue in the weakest edge colour: it still stands out from the canvas
    edge_floor: float = 0.7
    label: str = ""
    #: network view: node outlines, the rings and badge of a stepping phase and the selected
    #: node ("" for either: the text colour), and the outline of what the pointer is on
    node_outline: str = "#5a5a5a"
    emphasis: str = ""
    hover: str = "#000000"
    #: plots (loss, decision boundary): background, text, and the boundary map's middle (the
    #: output at the decision threshold)
    plot_background: str = "#ffffff"
    plot_text: str = "#303030"
    plot_neutral: str = "#f6f6f6"
    #: class 0 and class 1 on the plots: boundary points, and the train loss curve (positive)
    plot_negative: str = VERMILLION
    plot_positive: str = BLUE
    #: the test loss curve
    plot_test: str = VERMILLION
    #: the boundary map's hues for class 0 and 1 (mixed towards plot_neutral; the full hue is
    #: kept for the points)
    map_negative: str = VERMILLION
    map_positive: str = BLUE


LIGHT = Theme("light", False, "#f4f4f4", "#ffffff", "#111111", "#595959", VERMILLION, BLUE,
              BLUISH_GREEN, canvas="#ffffff", edge_negative="#b34d00", edge_positive="#00629e",
              edge_floor=0.7, label="Light")
DARK = Theme("dark", True, "#1e1e1e", "#121212", "#eeeeee", "#a8a8a8", "#f0903c", SKY_BLUE,
             "#2bd1a0", canvas="#181a1e", edge_negative="#f0903c", edge_positive=SKY_BLUE,
             edge_floor=0.62, label="Dark", node_outline="#96969b", emphasis="#ffd60a",
             hover="#ffffff", plot_background="#1e1f22", plot_text="#e0e0e0",
             plot_neutral="#34363a", plot_negative="#f0903c", plot_positive=SKY_BLUE,
             plot_test=ORANGE)
#: Black on white, darker hues, the weakest edge well apart from the background: for washed-out
#: projectors and low vision. The plots keep the light theme's colours.
HIGH_CONTRAST = Theme("high-contrast", False, "#ffffff", "#ffffff", "#000000", "#3d3d3d",
                      "#9a3f00", "#004c85", "#00664a", canvas="#ffffff",
                      edge_negative="#9a3f00", edge_positive="#004c85", edge_floor=0.8,
                      label="High contrast", node_outline="")
THEMES = {t.name: t for t in (LIGHT, DARK, HIGH_CONTRAST)}

#: Least contrast ratios (WCAG 2): text, and graphics such as the weakest edge.
MIN_TEXT_CONTRAST = 4.5
MIN_GRAPHIC_CONTRAST = 3.0


def rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' as (r, g, b)."""
    c = colour.lstrip("#")
    if len(c) != 6:
        raise ValueError(f"expected a colour like '#12abef', got {colour!r}")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def relative_luminance(colour: str | tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    values = rgb(colour) if isinstance(colour, str) else colour

    def linear(v: float) -> float:
        v = v / 255.0
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in values)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str | tuple[float, float, float],
                   b: str | tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (same) to 21 (black on white)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def weight_hue(theme: Theme, sign: int) -> tuple[int, int, int]:
    """Full-strength colour of a value of this sign: the network view's edges, their legend
    and its node and bias fills all mix from it."""
    return rgb(theme.edge_positive if sign > 0 else theme.edge_negative)


def edge_rgb(theme: Theme, sign: int, strength: float) -> tuple[float, float, float]:
    """Colour of an edge of this sign whose magnitude is ``strength`` (0: the weakest drawn,
    1: the strongest) of the colour scale: the canvas mixed towards the edge hue, from
    ``edge_floor`` up to the full hue. The network view and its legend draw with it."""
    t = theme.edge_floor + (1.0 - theme.edge_floor) * min(max(strength, 0.0), 1.0)
    bg = rgb(theme.canvas)
    return tuple(b + (h - b) * t for b, h in zip(bg, weight_hue(theme, sign), strict=True))


def weakest_edges(theme: Theme) -> dict[str, tuple[float, float, float]]:
    """The least visible edge colours a theme draws: both signs at the bottom of the scale,
    and the neutral edges (gradient colouring before any gradient)."""
    return {"negative": edge_rgb(theme, -1, 0.0), "positive": edge_rgb(theme, 1, 0.0),
            "neutral": tuple(float(v) for v in rgb(theme.muted))}


#: Font scale of presentation mode: readable from the back of a hall at 1024x768.
PRESENTATION_SCALE = 1.6
MIN_SCALE, MAX_SCALE = 0.6, 3.0


def check_scale(factor: float) -> float:
    """A view's scale factor (presentation, zoom) as a float, or ValueError naming it."""
    factor = float(factor)
    if not (math.isfinite(factor) and 0.25 <= factor <= 8.0):
        raise ValueError(f"scale factor must be between 0.25 and 8, got {factor}")
    return factor


def indicator_outline(theme: Theme) -> str:
    """Frame colour of check box and radio button indicators: the muted text colour, which
    stands out from the window and the indicator's own (base) fill in every theme."""
    return theme.muted


def apply(app: QApplication, theme: Theme, scale: float, base_point_size: float) -> None:
    """Set the application palette and font size for a theme and text scale."""
    if not isinstance(app.style(), IndicatorOutlineStyle):
        # before the palette: a new style would otherwise repolish with its own palette
        app.setStyle(IndicatorOutlineStyle())
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
    pal.setColor(QPalette.ColorRole.Mid, QColor(indicator_outline(theme)))
    # Disabled widgets must look disabled: muted text in that group only.
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        pal.setColor(disabled, role, QColor(theme.muted))
    app.setPalette(pal)
    font = QFont(app.font())
    font.setPointSizeF(max(6.0, base_point_size * scale))
    app.setFont(font)


# ---- colours of single features (kept here so this module is the only place a colour is
# written; the features import them) ------------------------------------------------------------
#: Convergence explorer: Okabe-Ito colours ordered so neighbours differ in hue and lightness, one
#: per configuration, for light (False) and dark (True) plot backgrounds.
CONVERGENCE_CONFIG_COLOURS = {
    False: ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#444444",
            "#8B6D00"),
    True: ("#56B4E9", "#E69F00", "#2BD1A0", "#E89FCB", "#F0E442", "#F07A3C", "#DDDDDD",
           "#7FA8FF"),
}
#: Convergence explorer: plot background, axis text and muted text, light (False) and dark (True).
CONVERGENCE_PLOT_COLOURS = {
    False: {"bg": "#ffffff", "fg": "#303030", "muted": "#888888"},
    True: {"bg": "#1e1f22", "fg": "#e0e0e0", "muted": "#909090"},
}
#: CSV dialog: the target column's faint tint and a bad cell's tint in the preview (RGBA).
CSV_TARGET_TINT = (0, 114, 178, 40)
CSV_ERROR_TINT = (213, 94, 0, 90)
#: CSV dialog: the box that names a problem in the file.
CSV_ERROR_STYLE = ("QLabel { color: #8b2500; background: #fff1ea; border: 1px solid #d55e00; "
                   "padding: 6px; }")

# ---- fixed colours the palette adds to every theme --------------------------------------------
#: The last class hue on the plots (after the Okabe-Ito ones).
GREY_CLASS = "#6e6e6e"
#: Fill of a NaN / inf value: unmistakably wrong, in every theme.
INVALID_FILL = "#c800c8"
#: Node values written on dark and on light fills.
TEXT_ON_DARK = "#ffffff"
TEXT_ON_LIGHT = "#141414"
#: Mixed into the background where a value is missing.
UNSET_FILL = "#808080"
#: Outline of the boundary view's points.
POINT_OUTLINE = "#0c0c0c"
