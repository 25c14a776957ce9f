"""Every colour a view draws with, derived from one theme (``nnviz.gui.theme``).

A view takes its colours from ``palette(theme)`` and never names a colour itself, so editing
a theme changes every view that shows it: the network view's edges, fills and rings, the
plots' backgrounds, curves and class hues. Views are restyled through one call,
``set_style(theme, scale)`` (the ``Styled`` protocol). See README "Classroom" (Themes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, runtime_checkable

from PySide6.QtGui import QColor

from nnviz.gui import theme as themes
from nnviz.gui.theme import Theme, rgb

RGB = tuple[int, int, int]

#: Hues of classes 3 and up on the plots (after class 0 and 1), then grey. (Class 5 repeats
#: class 1 in the dark theme, class 4 class 0 in the others: a set chosen for the light pair.)
MORE_CLASSES = (themes.BLUISH_GREEN, themes.REDDISH_PURPLE, themes.VERMILLION, themes.SKY_BLUE,
                themes.YELLOW, themes.GREY_CLASS)
#: Fill of a NaN / inf value: unmistakably wrong, in every theme.
INVALID = themes.INVALID_FILL
#: Node values written on dark and on light fills.
TEXT_ON_DARK = themes.TEXT_ON_DARK
TEXT_ON_LIGHT = themes.TEXT_ON_LIGHT
#: Mixed into the background where a value is missing (bias squares in gradient colouring, a
#: wide layer before its activations).
UNSET = themes.UNSET_FILL
#: Outline of the boundary view's points: dark on every map colour.
POINT_OUTLINE = themes.POINT_OUTLINE


@dataclass(frozen=True)
class Palette:
    """The colours of one theme as (r, g, b), by what they are used for."""

    theme: Theme
    dark: bool
    #: window and text-field backgrounds (the weight matrices and the landscape sit on base)
    window: RGB
    base: RGB
    #: the accent: the landscape's path, the hovered weight's square
    highlight: RGB
    #: the network view's canvas; text and muted text everywhere
    background: RGB
    text: RGB
    muted: RGB
    #: signs in tables, weight matrices and plot markers
    negative: RGB
    positive: RGB
    #: full-strength edge hues; node and bias fills mix from them too (``theme.weight_hue``)
    weight_negative: RGB
    weight_positive: RGB
    #: edges of no sign yet (gradient colouring before any gradient)
    neutral: RGB
    node_outline: RGB
    #: rings and badge of a stepping phase, the selected node
    emphasis: RGB
    #: outline of the edge, bias or node under the pointer
    hover: RGB
    invalid: RGB
    text_on_dark: RGB
    text_on_light: RGB
    unset: RGB
    #: plots: background, text, the boundary map's middle, point outlines
    plot_background: RGB
    plot_text: RGB
    plot_neutral: RGB
    point_outline: RGB
    #: per class: the boundary points' hues and the hues their map mixes towards plot_neutral
    class_hues: tuple[RGB, ...]
    map_hues: tuple[RGB, ...]
    #: loss curves
    train_curve: RGB
    test_curve: RGB

    def weight_hue(self, sign: int) -> RGB:
        """Full-strength colour of a weight of this sign (see ``theme.weight_hue``)."""
        return self.weight_positive if sign > 0 else self.weight_negative

    def edge_rgb(self, sign: int, strength: float) -> tuple[float, float, float]:
        """Colour of an edge of this sign at ``strength`` of the colour scale
        (``theme.edge_rgb``)."""
        return themes.edge_rgb(self.theme, sign, strength)


@lru_cache(maxsize=16)
def palette(theme: Theme) -> Palette:
    """The palette of a theme (themes are frozen, so each is built once)."""
    more = tuple(rgb(c) for c in MORE_CLASSES)
    return Palette(
        theme=theme,
        dark=theme.dark,
        window=rgb(theme.window),
        base=rgb(theme.base),
        highlight=rgb(theme.highlight),
        background=rgb(theme.canvas),
        text=rgb(theme.text),
        muted=rgb(theme.muted),
        negative=rgb(theme.negative),
        positive=rgb(theme.positive),
        weight_negative=themes.weight_hue(theme, -1),
        weight_positive=themes.weight_hue(theme, 1),
        neutral=rgb(theme.muted),
        node_outline=rgb(theme.node_outline or theme.text),
        emphasis=rgb(theme.emphasis or theme.text),
        hover=rgb(theme.hover),
        invalid=rgb(INVALID),
        text_on_dark=rgb(TEXT_ON_DARK),
        text_on_light=rgb(TEXT_ON_LIGHT),
        unset=rgb(UNSET),
        plot_background=rgb(theme.plot_background),
        plot_text=rgb(theme.plot_text),
        plot_neutral=rgb(theme.plot_neutral),
        point_outline=rgb(POINT_OUTLINE),
        class_hues=(rgb(theme.plot_negative), rgb(theme.plot_positive), *more),
        map_hues=(rgb(theme.map_negative), rgb(theme.map_positive), *more),
        train_curve=rgb(theme.plot_positive),
        test_curve=rgb(theme.plot_test),
    )


def qcolor(colour: RGB | tuple[float, float, float]) -> QColor:
    """An (r, g, b) colour, components rounded, as a QColor."""
    r, g, b = (int(round(float(c))) for c in colour)
    return QColor(r, g, b)


def hex_name(colour: RGB) -> str:
    """'#rrggbb' of an (r, g, b) colour (for style sheets and rich text)."""
    return "#{:02x}{:02x}{:02x}".format(*colour)


@runtime_checkable
class Styled(Protocol):
    """A view restyled by the classroom: its colours from ``palette(theme)``, its text, line
    and marker sizes times ``scale`` (``theme.check_scale``)."""

    def set_style(self, theme: Theme, scale: float) -> None: ...
