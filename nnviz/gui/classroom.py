"""Classroom features: presentation mode, zoom, themes, hiding controls, the shortcut sheet.

`install(window)` adds the actions and menus and returns the :class:`Classroom`. Zoom, theme
and presentation are the window's ViewState's; the classroom applies them. One scale factor
drives everything: the application font (menus, docks, controls) and ``set_scale`` of every
view and dock widget that has one (fonts, node radii, line widths). Presentation mode
multiplies the user's zoom by ``theme.PRESENTATION_SCALE``, and by the screen height over 768
on larger screens: a projector shows the whole screen at the same physical size whatever its
resolution, so text must take the same fraction of the screen height to stay readable from the
back of a hall.

Zoom, theme and presentation state are remembered between runs (QSettings keys under
``classroom/``); the hidden controls (``classroom_hiding``) belong to a lesson, so sessions save
them (:meth:`Classroom.hidden_items` / :meth:`Classroom.set_hidden_items`). The shortcut sheet
is ``shortcut_sheet``.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QActionGroup, QFont
from PySide6.QtWidgets import QApplication, QMainWindow, QToolBar

from nnviz.gui import theme
from nnviz.gui.classroom_hiding import HiddenItems, HideableItem, HideDialog
from nnviz.gui.features import NoViewState
from nnviz.gui.shortcut_sheet import ShortcutsDialog

SETTINGS_ORG, SETTINGS_APP = "nnviz", "nnviz"
GROUP = "classroom"
#: Zoom levels stepped through by Ctrl+= / Ctrl+-; any value in [MIN_SCALE, MAX_SCALE] is valid.
ZOOM_STEPS: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.25,
                                 2.5, 2.75, 3.0)
#: Screen height that PRESENTATION_SCALE was tuned for (a 1024x768 projector).
REFERENCE_HEIGHT = 768
#: The views accept scale factors in [0.25, 6]; the effective scale is clamped into it.
SCALE_LIMITS = (0.25, 6.0)
#: Share of the screen width the side docks (loss, boundary) get in presentation mode.
PRESENTATION_SIDE_FRACTION = 0.3
#: Share of the screen height docks above or below the network view get (the step panel).
PRESENTATION_BOTTOM_FRACTION = 0.3
_BASE_FONT_PROPERTY = "nnviz_base_point_size"


class Classroom(QObject, NoViewState):
    """State and actions of the classroom features of one main window."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        #: False keeps zoom/theme/presentation changes out of QSettings (screenshots, scripts).
        self.persistent = True
        self._options = window.view_state  # zoom, theme and presentation live there
        self._own_change = False  # the classroom itself changes the ViewState: no reaction
        self._full_screen_request = True  # set_presentation's full_screen, for the reaction
        self.remember_presentation = False  # start the next run in presentation if it ends so
        self._theme_before_presentation: theme.Theme | None = None
        self._layout_before_presentation: QByteArray | None = None
        self._full_screen_by_presentation = False
        self._pending_presentation = False  # remembered; entered once the window is shown
        self._fit_pending = False
        self._applied_scale = 1.0
        self._state_before_full_screen = Qt.WindowState.WindowNoState
        self.hiding = HiddenItems(window)
        self._shortcuts_dialog: ShortcutsDialog | None = None
        app = QApplication.instance()
        # Every window applies a scaled application font; the unscaled size is recorded once,
        # on the application, so a second window does not take the scaled size as its base.
        base = app.property(_BASE_FONT_PROPERTY)
        if not isinstance(base, float) or not base > 0:
            base = app.font().pointSizeF()
            base = base if base > 0 else 9.0
            app.setProperty(_BASE_FONT_PROPERTY, float(base))
        self.base_point_size = float(base)
        self._make_actions()
        self._make_menus()
        window.installEventFilter(self)
        self._restore()
        vs = self._options
        vs.themeChanged.connect(self._on_theme_changed)
        vs.zoomChanged.connect(self._on_zoom_changed)
        vs.presentationChanged.connect(self._on_presentation_changed)
        self.apply()
        # After the window restored its geometry and showed itself: restoreGeometry would undo
        # a full screen set now, and docks added by later features need the current scale.
        QTimer.singleShot(0, self._after_show)

    # ---- actions and menus ------------------------------------------------------------------
    def _make_actions(self) -> None:
        w = self.window
        self.action_presentation = w.add_action(
            "actionPresentation", "Presentation mode", "F5", self._on_presentation_action,
            checkable=True, tip="Full screen, large text and lines, light theme")
        self.action_remember = w.add_action(
            "actionRememberPresentation", "Start next run in presentation mode", None,
            lambda: self.set_remember_presentation(self.action_remember.isChecked()),
            checkable=True, tip="Remember presentation mode for the next start (off: every "
                                "run starts in the normal window)")
        self.action_full_screen = w.add_action(
            "actionFullScreen", "Full screen", "F11", self._on_full_screen_action,
            checkable=True, tip="Full screen on/off")
        w.add_action("actionZoomIn", "Zoom in", ["Ctrl+=", "Ctrl++"], self.zoom_in,
                     tip="Larger text, nodes and lines")
        w.add_action("actionZoomOut", "Zoom out", "Ctrl+-", self.zoom_out,
                     tip="Smaller text, nodes and lines")
        w.add_action("actionZoomReset", "Actual size", "Ctrl+0", self.zoom_reset,
                     tip="Zoom back to 100 %")
        self.action_light = w.add_action("actionThemeLight", "Light", None,
                                         lambda: self.set_theme("light"), checkable=True,
                                         tip="Light theme, the default on projectors")
        self.action_dark = w.add_action("actionThemeDark", "Dark", None,
                                        lambda: self.set_theme("dark"), checkable=True,
                                        tip="Dark theme")
        self.action_high_contrast = w.add_action(
            "actionThemeHighContrast", "High contrast", None,
            lambda: self.set_theme("high-contrast"), checkable=True,
            tip="Black on white with darker colours: washed-out projectors, low vision")
        group = QActionGroup(self)
        group.setExclusive(True)
        group.addAction(self.action_light)
        group.addAction(self.action_dark)
        group.addAction(self.action_high_contrast)
        w.add_action("actionHideForClassroom", "Hide for the classroom\u2026", None,
                     self.show_hide_dialog, tip="Choose controls and panels to hide in a lesson")
        w.add_action("actionShortcuts", "Keyboard shortcuts", ["F1", "?"], self.show_shortcuts,
                     tip="List every keyboard shortcut")

    def _make_menus(self) -> None:
        w = self.window
        a = w.actions_by_name
        view = w.menus["view"]
        view.addSeparator()
        view.addAction(a["actionPresentation"])
        view.addAction(a["actionRememberPresentation"])
        view.addAction(a["actionFullScreen"])
        zoom = view.addMenu("&Zoom")
        zoom.setObjectName("menuZoom")
        for name in ("actionZoomIn", "actionZoomOut", "actionZoomReset"):
            zoom.addAction(a[name])
        themes = view.addMenu("&Theme")
        themes.setObjectName("menuTheme")
        themes.addAction(a["actionThemeLight"])
        themes.addAction(a["actionThemeDark"])
        themes.addAction(a["actionThemeHighContrast"])
        view.addAction(a["actionHideForClassroom"])
        help_menu = w.menus.get("help")
        if help_menu is None:
            help_menu = w.menuBar().addMenu("&Help")
            help_menu.setObjectName("menuHelp")
            w.menus["help"] = help_menu
        help_menu.addAction(a["actionShortcuts"])
        toolbar = w.findChild(QToolBar, "toolbarTraining")
        if toolbar is None:
            toolbar = w.addToolBar("Classroom")
            toolbar.setObjectName("toolbarClassroom")
        else:
            toolbar.addSeparator()
        toolbar.addAction(a["actionPresentation"])

    # ---- persistence ------------------------------------------------------------------------
    @staticmethod
    def _settings() -> QSettings:
        return QSettings(SETTINGS_ORG, SETTINGS_APP)

    def _restore(self) -> None:
        s = self._settings()
        try:
            zoom = float(s.value(f"{GROUP}/zoom", 1.0))
        except (TypeError, ValueError):
            zoom = 1.0
        vs = self._options
        vs.set_zoom(zoom if theme.MIN_SCALE <= zoom <= theme.MAX_SCALE else 1.0)
        vs.set_theme(theme.THEMES.get(str(s.value(f"{GROUP}/theme", "light")), theme.LIGHT))
        self.remember_presentation = \
            str(s.value(f"{GROUP}/remember_presentation", "false")).lower() == "true"
        # presentation is chosen per run (F5, --presentation); only on request does the next
        # run start in it
        self._pending_presentation = self.remember_presentation and \
            str(s.value(f"{GROUP}/presentation", "false")).lower() == "true"
        if self._pending_presentation:
            before = s.value(f"{GROUP}/theme_before_presentation", "")
            self._theme_before_presentation = theme.THEMES.get(str(before))
            layout = s.value(f"{GROUP}/layout_before_presentation")
            self._layout_before_presentation = layout if isinstance(layout, QByteArray) \
                else None
        self._sync_actions()

    def _save(self) -> None:
        if not self.persistent:
            return
        s = self._settings()
        s.setValue(f"{GROUP}/zoom", self.zoom)
        s.setValue(f"{GROUP}/theme", self.theme.name)
        s.setValue(f"{GROUP}/presentation", "true" if self.presentation else "false")
        s.setValue(f"{GROUP}/remember_presentation",
                   "true" if self.remember_presentation else "false")
        before = self._theme_before_presentation
        s.setValue(f"{GROUP}/theme_before_presentation", before.name if before else "")
        # The window saves its layout when it closes, in presentation too; the layout to go
        # back to after presentation must survive a restart in presentation mode.
        if self.presentation and self._layout_before_presentation is not None:
            s.setValue(f"{GROUP}/layout_before_presentation", self._layout_before_presentation)
        else:
            s.remove(f"{GROUP}/layout_before_presentation")

    @Slot()
    def _after_show(self) -> None:
        if self._pending_presentation:
            self._enter_presentation(full_screen=True, restoring=True)
        self.apply()

    # ---- scale and theme --------------------------------------------------------------------
    def stage_height(self) -> int:
        """Height of the screen presentation mode fills: the screen's when full screen, else
        the window's (a window sized as a screen: screenshots, tests)."""
        w = self.window
        screen = w.screen()
        if w.isFullScreen() and screen is not None:
            return screen.geometry().height()
        return w.height() if w.height() > 0 else REFERENCE_HEIGHT

    def presentation_factor(self) -> float:
        """PRESENTATION_SCALE, grown with the stage height beyond 768 pixels."""
        return theme.PRESENTATION_SCALE * max(1.0, self.stage_height() / REFERENCE_HEIGHT)

    def effective_scale(self) -> float:
        """The factor handed to the views and applied to the application font."""
        s = self.zoom * (self.presentation_factor() if self.presentation else 1.0)
        return min(max(s, SCALE_LIMITS[0]), SCALE_LIMITS[1])

    def _targets(self) -> Iterable[object]:
        """Views and dock widgets, each once (the loss and boundary views are dock widgets)."""
        w = self.window
        seen: set[int] = set()
        for obj in (w.network_view, w.loss_plot, w.boundary_view,
                    *(d.widget() for d in w.docks.values())):
            if obj is not None and id(obj) not in seen:
                seen.add(id(obj))
                yield obj

    def apply(self) -> None:
        """Push the current theme and scale to the application and every view and dock."""
        app = QApplication.instance()
        scale = self._applied_scale = self.effective_scale()
        theme.apply(app, self.theme, scale, self.base_point_size)
        # QDockWidget draws its title in the font it captured at creation unless its own font
        # differs from the application's; a font differing only in style strategy (invisible)
        # makes the titles follow the zoom. Children inherit it, so the size stays uniform.
        title_font = QFont(app.font())
        title_font.setStyleStrategy(QFont.StyleStrategy.PreferQuality)
        for dock in self.window.docks.values():
            dock.setFont(title_font)
        for target in self._targets():
            for method, arg in (("set_scale", scale), ("set_palette_mode", self.theme.dark),
                                ("set_theme", self.theme)):
                fn = getattr(target, method, None)
                if callable(fn):
                    try:
                        fn(arg)
                    except ValueError as exc:  # a feature's limits must not break the zoom
                        self.window.show_message(f"{type(target).__name__}: {exc}")
        self._sync_actions()

    def _sync_actions(self) -> None:
        for action, on in ((self.action_presentation, self.presentation),
                           (self.action_remember, self.remember_presentation),
                           (self.action_dark, self.theme is theme.DARK),
                           (self.action_light, self.theme is theme.LIGHT),
                           (self.action_high_contrast, self.theme is theme.HIGH_CONTRAST),
                           (self.action_full_screen, self.window.isFullScreen())):
            if action.isChecked() != on:
                action.blockSignals(True)
                action.setChecked(on)
                action.blockSignals(False)

    # ---- the ViewState's zoom, theme and presentation ---------------------------------------
    @property
    def zoom(self) -> float:
        return self._options.zoom

    @property
    def theme(self) -> theme.Theme:
        return self._options.theme

    @property
    def presentation(self) -> bool:
        return self._options.presentation

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """ViewState changes made inside are the classroom's own steps, applied by itself."""
        self._own_change = True
        try:
            yield
        finally:
            self._own_change = False

    @Slot(float)
    def _on_zoom_changed(self, _zoom: float) -> None:
        if not self._own_change:
            self.apply()
            self._save()

    @Slot(object)
    def _on_theme_changed(self, _theme: theme.Theme) -> None:
        if self._own_change:
            return
        if self.presentation:
            self._theme_before_presentation = None  # an explicit choice outlives presentation
        self.apply()
        self._save()

    @Slot(bool)
    def _on_presentation_changed(self, on: bool) -> None:
        full_screen, self._full_screen_request = self._full_screen_request, True
        if self._own_change:
            return
        if on:
            self._enter_presentation(full_screen=full_screen, restoring=False)
        else:
            self._leave_presentation()

    def set_zoom(self, factor: float) -> None:
        self._options.set_zoom(float(factor))
        self.window.show_message(f"Zoom {round(100 * self.zoom)} %")

    @Slot()
    def zoom_in(self) -> None:
        bigger = [z for z in ZOOM_STEPS if z > self.zoom + 1e-9]
        if bigger:
            self.set_zoom(bigger[0])

    @Slot()
    def zoom_out(self) -> None:
        smaller = [z for z in ZOOM_STEPS if z < self.zoom - 1e-9]
        if smaller:
            self.set_zoom(smaller[-1])

    @Slot()
    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def set_theme(self, name: str) -> None:
        """'light' (the projector default), 'dark' or 'high-contrast'."""
        if name not in theme.THEMES:
            raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(theme.THEMES)}")
        if self.presentation:
            self._theme_before_presentation = None  # an explicit choice outlives presentation
        if theme.THEMES[name] is self.theme:
            self._save()  # the same theme chosen again: only the choice is news
        else:
            self._options.set_theme(name)

    # ---- presentation and full screen -------------------------------------------------------
    def set_remember_presentation(self, on: bool) -> None:
        """Whether a run that ends in presentation mode starts the next one in it (off by
        default: presentation is a choice of one run)."""
        self.remember_presentation = bool(on)
        self.action_remember.setChecked(self.remember_presentation)
        self._save()

    def _on_presentation_action(self) -> None:
        self.set_presentation(self.action_presentation.isChecked())

    def _on_full_screen_action(self) -> None:
        self.set_full_screen(self.action_full_screen.isChecked())

    def set_presentation(self, on: bool, *, full_screen: bool = True) -> None:
        """Presentation mode: full screen (unless ``full_screen=False``), large text and lines,
        light theme, the controls dock put away and the network view given most of the
        width; leaving restores the theme, dock layout and window state from before."""
        self._pending_presentation = False
        on = bool(on)
        if on == self.presentation:
            self._sync_actions()
            return
        self._full_screen_request = full_screen
        self._options.set_presentation(on)  # enters or leaves in _on_presentation_changed

    def _enter_presentation(self, *, full_screen: bool, restoring: bool) -> None:
        w = self.window
        self._pending_presentation = False
        with self._quietly():
            self._options.set_presentation(True)
            if not restoring:  # after a restart these come from the settings
                self._theme_before_presentation = self.theme
                if self.theme is not theme.HIGH_CONTRAST:  # light, unless higher contrast
                    self._options.set_theme(theme.LIGHT)
            self._layout_before_presentation = w.saveState()
        self._full_screen_by_presentation = False
        if full_screen:
            # After a restart the window may already be full screen from its saved geometry;
            # that full screen is presentation's own. Otherwise F11's full screen stays F11's.
            if not w.isFullScreen():
                self.set_full_screen(True)
                self._full_screen_by_presentation = True
            elif restoring:
                self._full_screen_by_presentation = True
        controls = w.docks.get("controls")
        if controls is not None and not controls.isFloating():
            controls.hide()  # View > Controls brings it back; F5 restores the old layout
        self.apply()
        stage = w.features.get("stage")
        if stage is not None:
            stage.enter()
        self._fit_pending = True
        self.fit_presentation_layout()
        self._save()
        self.window.show_message("Presentation mode: F5 to leave, F6 switches the panel, "
                                 "Ctrl+= / Ctrl+- to zoom")

    def _leave_presentation(self) -> None:
        w = self.window
        self._fit_pending = False
        stage = w.features.get("stage")
        if stage is not None:
            stage.leave()
        with self._quietly():
            self._options.set_presentation(False)
            if self._theme_before_presentation is not None:
                self._options.set_theme(self._theme_before_presentation)
        self._theme_before_presentation = None
        if self._full_screen_by_presentation and w.isFullScreen():
            self.set_full_screen(False)
        self._full_screen_by_presentation = False
        if self._layout_before_presentation is not None:
            state = w.windowState()
            w.restoreState(self._layout_before_presentation)
            if w.windowState() != state:  # restoreState can drop a full screen set by F11
                w.setWindowState(state)
        self._layout_before_presentation = None
        self.hiding.reapply()
        self.apply()
        self._save()

    def fit_presentation_layout(self) -> None:
        """Side docks take PRESENTATION_SIDE_FRACTION of the screen width and bottom (or top)
        docks PRESENTATION_BOTTOM_FRACTION of its height, the network view the rest: node
        values need the room, since node radii follow the space per layer."""
        w = self.window
        screen = w.screen()
        geo = screen.geometry() if screen is not None else w.geometry()
        stage = w.features.get("stage")
        if stage is not None and stage.active:
            # the stage sizes its panel from the window, whose full screen may come later
            if abs(self.effective_scale() - self._applied_scale) > 1e-6:
                self.apply()
            stage.arrange()
            if w.width() >= 0.9 * geo.width() or not w.isFullScreen():
                self._fit_pending = False
            return
        area = w.dockWidgetArea
        A = Qt.DockWidgetArea
        docked = [d for d in w.docks.values() if d.isVisible() and not d.isFloating()]
        side = [d for d in docked if area(d) in (A.LeftDockWidgetArea, A.RightDockWidgetArea)]
        ends = [d for d in docked if area(d) in (A.TopDockWidgetArea, A.BottomDockWidgetArea)]
        if side:
            w.resizeDocks(side, [int(geo.width() * PRESENTATION_SIDE_FRACTION)] * len(side),
                          Qt.Orientation.Horizontal)
        if ends:
            w.resizeDocks(ends, [int(geo.height() * PRESENTATION_BOTTOM_FRACTION)] * len(ends),
                          Qt.Orientation.Vertical)
        # Full screen arrives later, through the window manager: fit again at that size.
        if w.width() >= 0.9 * geo.width():
            self._fit_pending = False

    @Slot()
    def _refit(self) -> None:
        if not self.presentation:
            return
        if self._fit_pending or abs(self.effective_scale() - self._applied_scale) > 1e-6:
            self._fit_pending = True
            self.fit_presentation_layout()
        else:
            stage = self.window.features.get("stage")
            if stage is not None and stage.active:
                stage.arrange()

    def set_full_screen(self, on: bool) -> None:
        w = self.window
        state = w.windowState()
        if on:
            self._state_before_full_screen = state & ~Qt.WindowState.WindowFullScreen
            w.setWindowState(state | Qt.WindowState.WindowFullScreen)
        else:
            self._full_screen_by_presentation = False
            w.setWindowState(self._state_before_full_screen
                             & ~Qt.WindowState.WindowFullScreen)
        self._sync_actions()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.window:
            kind = event.type()
            if kind == QEvent.Type.WindowStateChange:
                self._sync_actions()
            elif kind == QEvent.Type.Resize and self.presentation:
                # a new stage size (full screen arriving, a screen change): new text scale
                # and panel widths
                QTimer.singleShot(0, self._refit)
        return super().eventFilter(watched, event)

    # ---- hide for the classroom (classroom_hiding) -------------------------------------------
    def hideable_items(self) -> list[HideableItem]:
        """Everything the "Hide for the classroom" dialog lists, in display order."""
        return self.hiding.hideable_items()

    def hidden_items(self) -> list[str]:
        """Keys of the hidden items ("control:lr", "dock:loss", ...), for the session file."""
        return self.hiding.hidden_items()

    def set_hidden_items(self, keys: Iterable[str]) -> None:
        self.hiding.set_hidden_items(keys)

    def set_item_hidden(self, key: str, hidden: bool) -> None:
        self.hiding.set_item_hidden(key, hidden)

    @Slot()
    def show_hide_dialog(self) -> HideDialog:
        return self.hiding.show_dialog()

    # ---- cheat sheet ------------------------------------------------------------------------
    @Slot()
    def show_shortcuts(self) -> ShortcutsDialog:
        if self._shortcuts_dialog is None:
            self._shortcuts_dialog = ShortcutsDialog(self.window)
        self._shortcuts_dialog.refill()
        self._shortcuts_dialog.show()
        self._shortcuts_dialog.raise_()
        return self._shortcuts_dialog


def install(window: QMainWindow) -> Classroom:
    """Add presentation mode, zoom, themes, hiding and the shortcut sheet to ``window``."""
    return Classroom(window)
