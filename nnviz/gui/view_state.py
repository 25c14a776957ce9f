"""The one owner of the window's view options (README, "Sessions" and "Classroom").

How the window shows the network, as opposed to what it trains: what the edges are coloured by,
the smallest edge drawn, the loss axis, the boundary's discretizing, whether test data shows,
the theme, the zoom and presentation mode. Each lives here and nowhere else. The widgets that
show or change an option (the Controls combo and slider, the ``G`` and ``L`` actions, the check
boxes of the plots, the classroom's menus) and the views that draw with it bind to the signals;
sessions save :meth:`ViewState.snapshot` and give :meth:`ViewState.restore` what they read.

Setters check their value (``ValueError`` names the option) and emit only on a real change, so
a widget that sets the value it was just told about ends the round trip there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal

from nnviz.gui import theme as themes

EDGE_MODES: tuple[str, ...] = ("weight", "gradient")

#: The options a session file keeps under "view", in the order they are written.
SESSION_KEYS: tuple[str, ...] = ("edge_mode", "log_y", "discretize", "min_magnitude",
                                 "theme", "zoom")


class ViewState(QObject):
    """Edge mode, minimum magnitude, log y, discretize, show test, theme, zoom, presentation.

    ``changed(name)`` follows every change; the typed signals carry the new value.
    """

    changed = Signal(str)  # the option's name, as in SESSION_KEYS (or show_test, presentation)
    edgeModeChanged = Signal(str)
    minMagnitudeChanged = Signal(float)
    logYChanged = Signal(bool)
    discretizeChanged = Signal(bool)
    showTestChanged = Signal(bool)
    themeChanged = Signal(object)  # a theme.Theme
    zoomChanged = Signal(float)
    presentationChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("viewState")
        self._edge_mode = "weight"
        self._min_magnitude = 0.0
        self._log_y = False
        self._discretize = False
        self._show_test = True
        self._theme: themes.Theme = themes.LIGHT
        self._zoom = 1.0
        self._presentation = False

    # ---- reading ----------------------------------------------------------------------------
    @property
    def edge_mode(self) -> str:
        """"weight" or "gradient": what the user chose the edges to show (stepping may show
        the gradient for one phase without changing this)."""
        return self._edge_mode

    @property
    def min_magnitude(self) -> float:
        """Edges below this fraction of the colour scale are hidden, in [0, 1]."""
        return self._min_magnitude

    @property
    def log_y(self) -> bool:
        return self._log_y

    @property
    def discretize(self) -> bool:
        return self._discretize

    @property
    def show_test(self) -> bool:
        return self._show_test

    @property
    def theme(self) -> themes.Theme:
        return self._theme

    @property
    def zoom(self) -> float:
        """The user's zoom; presentation mode multiplies it (see the classroom)."""
        return self._zoom

    @property
    def presentation(self) -> bool:
        return self._presentation

    # ---- changing ---------------------------------------------------------------------------
    def set_edge_mode(self, mode: str) -> None:
        if mode not in EDGE_MODES:
            raise ValueError(f"edge mode must be one of {EDGE_MODES}, got {mode!r}")
        if mode != self._edge_mode:
            self._edge_mode = mode
            self.edgeModeChanged.emit(mode)
            self.changed.emit("edge_mode")

    def set_min_magnitude(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"min_magnitude must be a number, got {value!r}")
        value = float(value)
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"min_magnitude must be between 0 and 1, got {value}")
        if value != self._min_magnitude:
            self._min_magnitude = value
            self.minMagnitudeChanged.emit(value)
            self.changed.emit("min_magnitude")

    def set_log_y(self, on: bool) -> None:
        on = bool(on)
        if on != self._log_y:
            self._log_y = on
            self.logYChanged.emit(on)
            self.changed.emit("log_y")

    def set_discretize(self, on: bool) -> None:
        on = bool(on)
        if on != self._discretize:
            self._discretize = on
            self.discretizeChanged.emit(on)
            self.changed.emit("discretize")

    def set_show_test(self, on: bool) -> None:
        on = bool(on)
        if on != self._show_test:
            self._show_test = on
            self.showTestChanged.emit(on)
            self.changed.emit("show_test")

    def set_theme(self, theme: themes.Theme | str) -> None:
        """A theme.Theme or its name ('light', 'dark', 'high-contrast')."""
        if isinstance(theme, str):
            if theme not in themes.THEMES:
                raise ValueError(f"unknown theme {theme!r}; choose one of "
                                 f"{', '.join(themes.THEMES)}")
            theme = themes.THEMES[theme]
        if not isinstance(theme, themes.Theme):
            raise ValueError(f"a theme must be a theme name, got {theme!r}")
        if theme is not self._theme:
            self._theme = theme
            self.themeChanged.emit(theme)
            self.changed.emit("theme")

    def set_zoom(self, factor: float) -> None:
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            raise ValueError(f"zoom must be a number, got {factor!r}")
        factor = float(factor)
        if not (math.isfinite(factor) and themes.MIN_SCALE <= factor <= themes.MAX_SCALE):
            raise ValueError(f"zoom must be between {themes.MIN_SCALE} and {themes.MAX_SCALE}, "
                             f"got {factor}")
        if factor != self._zoom:
            self._zoom = factor
            self.zoomChanged.emit(factor)
            self.changed.emit("zoom")

    def set_presentation(self, on: bool) -> None:
        on = bool(on)
        if on != self._presentation:
            self._presentation = on
            self.presentationChanged.emit(on)
            self.changed.emit("presentation")

    # ---- sessions ---------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The options a session keeps under "view" (README, "The `.nnviz` session file")."""
        return {"edge_mode": self._edge_mode, "log_y": self._log_y,
                "discretize": self._discretize, "min_magnitude": self._min_magnitude,
                "theme": self._theme.name, "zoom": self._zoom}

    def restore(self, view: Mapping[str, Any]) -> list[str]:
        """Apply a session's "view" options; returns the keys skipped for odd values.

        Unknown keys belong to others (features, newer versions) and are left alone. The zoom
        is kept in the file only as a note: it suits one screen (the teacher's projector), not
        every student's laptop.
        """
        skipped = []
        for key, setter in (("edge_mode", self.set_edge_mode), ("log_y", self.set_log_y),
                            ("discretize", self.set_discretize),
                            ("min_magnitude", self.set_min_magnitude),
                            ("theme", self.set_theme)):
            if key not in view:
                continue
            value = view[key]
            if key in ("log_y", "discretize") and not isinstance(value, bool):
                skipped.append(key)  # a flag is true or false, not 0 or "yes"
                continue
            try:
                setter(value)
            except ValueError:
                skipped.append(key)
        return skipped
