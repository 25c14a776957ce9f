"""Presentation mode, zoom and themes (nnviz.gui.classroom); hiding and the shortcut sheet have
their own test modules."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QToolBar, QWidget

from nnviz.gui import classroom, theme


@pytest.fixture
def cwindow(settings_snapshot, make_window):
    """A window whose classroom state is undone before it closes (so the layout it saves on
    closing is an ordinary one for the tests that follow)."""
    windows = []

    def make(*argv: str):
        w = make_window(*argv)
        windows.append(w)
        return w

    yield make
    for w in windows:
        c = w.features["classroom"]
        c.set_hidden_items([])
        c.set_presentation(False)
        c.set_full_screen(False)


class Recorder:
    """Wraps a view's set_scale / set_palette_mode, remembering the arguments."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def __call__(self, arg):
        self.calls.append(arg)
        return self.fn(arg)


def record(monkeypatch, obj, name) -> Recorder:
    rec = Recorder(getattr(obj, name))
    monkeypatch.setattr(obj, name, rec)
    return rec


class ScaledPanel(QWidget):
    """Stands in for a feature's dock widget (the step panel) with set_scale."""

    def __init__(self):
        super().__init__()
        self.scales, self.dark = [], []

    def set_scale(self, factor: float) -> None:
        self.scales.append(factor)

    def set_palette_mode(self, dark: bool) -> None:
        self.dark.append(dark)


def font_size() -> float:
    return QApplication.instance().font().pointSizeF()


def keys(window, name) -> list[str]:
    return [k.toString() for k in window.actions_by_name[name].shortcuts()]


def test_actions_and_shortcuts(cwindow):
    w = cwindow()
    assert isinstance(w.features["classroom"], classroom.Classroom)
    assert keys(w, "actionPresentation") == ["F5"]
    assert keys(w, "actionFullScreen") == ["F11"]
    assert keys(w, "actionZoomIn") == ["Ctrl+=", "Ctrl++"]
    assert keys(w, "actionZoomOut") == ["Ctrl+-"]
    assert keys(w, "actionZoomReset") == ["Ctrl+0"]
    assert keys(w, "actionShortcuts") == ["F1", "?"]
    for name in ("actionPresentation", "actionFullScreen", "actionThemeDark"):
        assert w.actions_by_name[name].isCheckable()
    bar = w.findChild(QToolBar, "toolbarTraining")
    assert w.actions_by_name["actionPresentation"] in bar.actions()
    assert w.menus["help"].actions()


def test_presentation_scales_text_views_and_goes_full_screen(cwindow, monkeypatch, qtbot):
    w = cwindow()
    c = w.features["classroom"]
    panel = ScaledPanel()
    w.add_dock("panel", "Panel", panel, Qt.DockWidgetArea.BottomDockWidgetArea)  # added late
    recs = {name: record(monkeypatch, view, "set_scale")
            for name, view in (("network", w.network_view), ("loss", w.loss_plot),
                               ("boundary", w.boundary_view))}
    qtbot.waitUntil(lambda: w.docks["panel"].isVisible())
    c.set_theme("dark")
    base = font_size()
    assert base == pytest.approx(c.base_point_size)
    assert not w.isFullScreen()

    w.actions_by_name["actionPresentation"].trigger()

    screen_h = w.screen().geometry().height()
    factor = theme.PRESENTATION_SCALE * max(1.0, screen_h / classroom.REFERENCE_HEIGHT)
    assert c.presentation and w.actions_by_name["actionPresentation"].isChecked()
    assert c.effective_scale() == pytest.approx(factor)
    assert font_size() == pytest.approx(base * factor)
    for rec in recs.values():
        assert rec.calls[-1] == pytest.approx(factor)
    assert panel.scales[-1] == pytest.approx(factor)
    assert w.isFullScreen() and w.actions_by_name["actionFullScreen"].isChecked()
    assert c.theme is theme.LIGHT  # projectors get the high-contrast light theme
    assert panel.dark[-1] is False
    assert w.docks["controls"].isHidden()  # the network view gets the width
    assert w.docks["loss"].width() < 0.5 * w.width()  # the stage: the network view keeps most
    # the stage: the network view and one focused panel beside it, every other dock put away
    stage = w.features["stage"]
    assert stage.active and stage.focus == "training"
    assert w.docks["panel"].isHidden() and w.docks["step"].isHidden()
    assert w.dockWidgetArea(w.docks["loss"]) == Qt.DockWidgetArea.RightDockWidgetArea

    w.actions_by_name["actionPresentation"].trigger()

    assert not c.presentation
    assert font_size() == pytest.approx(base)
    assert all(rec.calls[-1] == pytest.approx(1.0) for rec in recs.values())
    assert not w.isFullScreen()
    assert c.theme is theme.DARK  # the theme from before comes back
    assert not w.docks["controls"].isHidden()


def test_presentation_keeps_a_full_screen_it_did_not_make(cwindow):
    w = cwindow()
    c = w.features["classroom"]
    w.actions_by_name["actionFullScreen"].trigger()
    assert w.isFullScreen()
    c.set_presentation(True)
    c.set_presentation(False)
    assert w.isFullScreen()
    w.actions_by_name["actionFullScreen"].trigger()
    assert not w.isFullScreen()
    assert not w.actions_by_name["actionFullScreen"].isChecked()


def test_zoom_in_out_reset(cwindow, monkeypatch):
    w = cwindow()
    c = w.features["classroom"]
    net = record(monkeypatch, w.network_view, "set_scale")
    loss = record(monkeypatch, w.loss_plot, "set_scale")
    base = font_size()
    a = w.actions_by_name

    a["actionZoomIn"].trigger()
    a["actionZoomIn"].trigger()
    assert c.zoom == pytest.approx(1.25)
    assert font_size() == pytest.approx(base * 1.25)
    assert net.calls[-1] == pytest.approx(1.25) and loss.calls[-1] == pytest.approx(1.25)

    for _ in range(4):  # 1.1, 1.0, 0.9, 0.8
        a["actionZoomOut"].trigger()
    assert c.zoom == pytest.approx(0.8)
    assert font_size() == pytest.approx(base * 0.8)
    assert net.calls[-1] == pytest.approx(0.8)

    a["actionZoomReset"].trigger()
    assert c.zoom == 1.0 and font_size() == pytest.approx(base)
    assert net.calls[-1] == 1.0

    for _ in range(40):  # stops at the limits instead of failing
        a["actionZoomIn"].trigger()
    assert c.zoom == theme.MAX_SCALE
    with pytest.raises(ValueError, match="zoom must be between"):
        c.set_zoom(0.1)


def test_zoom_multiplies_presentation_scale(cwindow):
    w = cwindow()
    c = w.features["classroom"]
    c.set_presentation(True, full_screen=False)
    presented = c.effective_scale()
    c.set_zoom(1.25)
    assert c.effective_scale() == pytest.approx(min(presented * 1.25, 6.0))
    assert not w.isFullScreen()


def test_theme_switch(cwindow, monkeypatch):
    w = cwindow()
    c = w.features["classroom"]
    recs = [record(monkeypatch, v, "set_palette_mode")
            for v in (w.network_view, w.loss_plot, w.boundary_view)]
    window_colour = QPalette.ColorRole.Window

    w.actions_by_name["actionThemeDark"].trigger()
    assert c.theme is theme.DARK
    assert QApplication.instance().palette().color(window_colour) == QColor(theme.DARK.window)
    assert all(r.calls[-1] is True for r in recs)
    assert w.actions_by_name["actionThemeDark"].isChecked()
    assert not w.actions_by_name["actionThemeLight"].isChecked()

    w.actions_by_name["actionThemeLight"].trigger()
    assert c.theme is theme.LIGHT
    assert QApplication.instance().palette().color(window_colour) == QColor(theme.LIGHT.window)
    assert all(r.calls[-1] is False for r in recs)
    with pytest.raises(ValueError, match="unknown theme"):
        c.set_theme("sepia")


def test_zoom_theme_and_presentation_remembered(cwindow, qtbot):
    w = cwindow()
    c = w.features["classroom"]
    c.set_zoom(1.4)
    c.set_theme("dark")
    c.set_presentation(True)

    w1 = cwindow()
    QApplication.processEvents()
    # presentation is a choice of one run: the next one starts without it...
    assert not w1.features["classroom"].presentation and not w1.isFullScreen()
    assert w1.features["classroom"].zoom == pytest.approx(1.4)
    w1.close()
    # ... unless asked to remember it
    c.set_remember_presentation(True)
    c.set_presentation(True)

    w2 = cwindow()
    c2 = w2.features["classroom"]
    assert c2.zoom == pytest.approx(1.4)
    qtbot.waitUntil(lambda: c2.presentation)  # entered once the window is shown
    assert w2.isFullScreen()
    c2.set_presentation(False)
    assert c2.theme is theme.DARK  # the theme from before presentation, across the restart
    assert not w2.isFullScreen()
    assert not w2.docks["controls"].isHidden()

    w3 = cwindow()
    c3 = w3.features["classroom"]
    QApplication.processEvents()
    assert not c3.presentation and c3.theme is theme.DARK
