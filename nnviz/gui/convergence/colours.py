"""The convergence explorer's colours (defined in the theme module) and how it picks them."""

from __future__ import annotations

from PySide6.QtGui import QColor

from nnviz.gui.theme import CONVERGENCE_CONFIG_COLOURS as CONFIG_COLOURS
from nnviz.gui.theme import CONVERGENCE_PLOT_COLOURS as PLOT_COLOURS
from nnviz.gui.theme import ERROR

__all__ = ["CONFIG_COLOURS", "ERROR_COLOUR", "HIST_FILL_ALPHA", "PLOT_COLOURS", "config_colour"]

#: Text of a problem: the form's preview, the status line.
ERROR_COLOUR = ERROR
#: Alpha of a histogram's fill (its outline has the configuration's colour).
HIST_FILL_ALPHA = 60


def config_colour(index: int, dark: bool) -> QColor:
    """Configuration ``index``'s colour (the palette repeats after its eight colours)."""
    colours = CONFIG_COLOURS[dark]
    return QColor(colours[index % len(colours)])
