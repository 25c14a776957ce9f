"""Every colour the convergence explorer uses, in one place (plots, runs table, summary, error
text)."""

from __future__ import annotations

from PySide6.QtGui import QColor

# Okabe-Ito colours (colour-blind safe), ordered so neighbours differ in hue and lightness: one per
# configuration, for light (False) and dark (True) plot backgrounds.
CONFIG_COLOURS = {
    False: ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#444444",
            "#8B6D00"),
    True: ("#56B4E9", "#E69F00", "#2BD1A0", "#E89FCB", "#F0E442", "#F07A3C", "#DDDDDD",
           "#7FA8FF"),
}
#: Plot background, axis text and muted text, for light (False) and dark (True).
PLOT_COLOURS = {
    False: {"bg": "#ffffff", "fg": "#303030", "muted": "#888888"},
    True: {"bg": "#1e1f22", "fg": "#e0e0e0", "muted": "#909090"},
}
#: Text of a problem: the form's preview, the status line.
ERROR_COLOUR = "#d55e00"
#: Alpha of a histogram's fill (its outline has the configuration's colour).
HIST_FILL_ALPHA = 60


def config_colour(index: int, dark: bool) -> QColor:
    """Configuration ``index``'s colour (the palette repeats after its eight colours)."""
    colours = CONFIG_COLOURS[dark]
    return QColor(colours[index % len(colours)])
