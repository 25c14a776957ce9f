"""Keyboard-only use and screen readers: the whole window and every dock, walked generically, so
widgets added later are checked too (README, "Keyboard" and "Screen readers")."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QTabWidget, QWidget

from nnviz.gui import accessibility, theme
from nnviz.gui.shortcut_sheet import shortcut_rows


def everything_shown(window) -> None:
    """Every dock shown and docked, so the walk covers all of them (the convergence explorer
    starts hidden)."""
    for dock in window.findChildren(QDockWidget):
        dock.setFloating(False)
        dock.show()
    QApplication.processEvents()


def each_tab_page(window):
    """Yield once per combination of visible tab pages (one tab widget at a time)."""
    yield None
    for tabs in window.findChildren(QTabWidget):
        if not tabs.isVisibleTo(window):
            continue
        current = tabs.currentIndex()
        for i in range(tabs.count()):
            if i != current:
                tabs.setCurrentIndex(i)
                QApplication.processEvents()
                yield f"{tabs.objectName()} tab {tabs.tabText(i)!r}"
        tabs.setCurrentIndex(current)


def luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_every_interactive_widget_has_an_accessible_name(make_window):
    w = make_window("--dataset", "circles")
    everything_shown(w)
    missing = []
    for where in each_tab_page(w):
        missing += [f"{m} ({where})" if where else m for m in accessibility.unnamed_widgets(w)]
    assert len(accessibility.interactive_widgets(w)) > 40  # the walk does see the window
    assert not missing, "widgets without an accessible name or label buddy:\n" + "\n".join(
        sorted(set(missing)))


def test_unnamed_widget_is_caught(make_window):
    """The check itself: a nameless field added to a dock is reported."""
    from PySide6.QtWidgets import QLineEdit

    w = make_window()
    w.controls.layout().addWidget(QLineEdit(objectName="namelessEdit"))
    QApplication.processEvents()
    assert any("namelessEdit" in m for m in accessibility.unnamed_widgets(w))


def test_numeric_readouts_are_described(make_window):
    w = make_window()
    step = w.features["step_panel"]
    for label in (w.status_label, step.header):
        assert label.accessibleDescription().strip(), label.objectName()
        # The name stays the text itself, so a screen reader reads the numbers.
        assert not label.accessibleName()


def tab_walk(window, start: QWidget, limit: int) -> list[QWidget]:
    """Press Tab from ``start`` until focus comes back to it (or ``limit`` presses)."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    assert QApplication.focusWidget() is start
    seen = [start]
    for _ in range(limit):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is start:
            return seen
        seen.append(now)
    return seen


def test_tab_reaches_every_control_of_the_window_and_docks(make_window, qtbot):
    w = make_window("--dataset", "circles")
    everything_shown(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    for where in each_tab_page(w):
        wanted = [x for x in accessibility.interactive_widgets(w) if x.isEnabled()]
        seen = tab_walk(w, w.controls.dataset, limit=3 * len(wanted))
        assert seen[-1] is not None
        assert len(seen) < 3 * len(wanted), "Tab never came back to the start: a keyboard trap " \
            f"after {accessibility.describe(seen[-1], w)}"
        unreached = [accessibility.describe(x, w) for x in wanted if x not in seen]
        assert not unreached, f"not reachable with Tab ({where or 'default tabs'}):\n" + \
            "\n".join(unreached)


def test_a_keyboard_trap_is_caught(make_window, qtbot):
    """The walk itself: a text field that keeps Tab for itself makes the next controls
    unreachable, and the walk says so."""
    from PySide6.QtWidgets import QPlainTextEdit

    w = make_window()
    trap = QPlainTextEdit(objectName="trapEdit")  # Tab types a tab character here
    trap.setAccessibleName("trap")
    layout = w.controls.layout()
    layout.insertWidget(1, trap)
    trap.show()  # a child added to a shown window stays hidden until shown
    QWidget.setTabOrder(w.controls.dataset, trap)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    wanted = [x for x in accessibility.interactive_widgets(w) if x.isEnabled()]
    seen = tab_walk(w, w.controls.dataset, limit=3 * len(wanted))
    assert seen[-1] is trap and len(seen) > len(wanted)
    assert w.controls.lr not in seen


def test_tab_order_follows_the_docks_and_reads_top_down(make_window, qtbot):
    w = make_window("--dataset", "circles")
    everything_shown(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    seen = tab_walk(w, w.controls.dataset, limit=400)

    def dock_of(x: QWidget) -> str:
        while x is not None and not isinstance(x, QDockWidget):
            x = x.parentWidget()
        return x.objectName() if x is not None else "central"

    runs = [dock_of(seen[0])]
    for x in seen[1:]:
        if dock_of(x) != runs[-1]:
            runs.append(dock_of(x))
    assert len(runs) == len(set(runs)), f"Tab jumps back and forth between docks: {runs}"
    # The controls read top to bottom, left to right.
    controls = [x for x in seen if w.controls.isAncestorOf(x)]
    pos = [(x.mapTo(w.controls, x.rect().topLeft()).y(), x.mapTo(w.controls, x.rect()
            .topLeft()).x()) for x in controls]
    rows = [y for y, _ in pos]
    assert rows == sorted(rows), "\n".join(
        f"{y}: {accessibility.describe(x, w)} {x.accessibleName()}" for x, y in zip(controls, rows,
                                                                               strict=True))


def test_every_action_is_on_the_keyboard_and_in_the_cheat_sheet(make_window):
    """Each action has a shortcut or sits in a menu opened by its Alt mnemonic, and F1 lists it
    with its keys."""
    w = make_window()
    in_menus: set[int] = set()

    def walk(menu, reachable: bool) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), reachable)
            elif reachable:
                in_menus.add(id(action))

    for top in w.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), "&" in top.menu().title())
    rows = {(cmd, keys) for _g, cmd, keys, _d in shortcut_rows(w)}
    for name, action in w.actions_by_name.items():
        keys = ", ".join(k.toString(k.SequenceFormat.NativeText) for k in action.shortcuts())
        assert keys or id(action) in in_menus, f"{name}: no shortcut and in no menu"
        text = action.text().replace("&", "").rstrip(".\u2026 ")
        assert (text, keys) in rows, f"{name} ({keys}) missing from the F1 cheat sheet"


@pytest.mark.parametrize("name", sorted(theme.THEMES))
def test_focus_is_visible_in_every_theme(make_window, qtbot, settings_snapshot, name):
    w = make_window()
    w.features["classroom"].set_theme(name)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    ring = w.features["accessibility"].focus_ring
    for target in (w.controls.lr, w.loss_plot.plot_widget):
        target.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(ring.isVisible)
        assert ring.target is target
        box = ring.geometry()
        inner = target.rect().translated(target.mapTo(w, target.rect().topLeft()))
        assert box.contains(inner.intersected(w.rect()).adjusted(1, 1, -1, -1))
        colour = ring.colour()
        background = QApplication.palette().color(QApplication.palette().ColorRole.Window)
        assert contrast(colour, background) >= 3.0, (name, colour.name(), background.name())
        # The frame is painted over the window: its top edge has the ring's colour.
        image = w.grab().toImage()
        ratio = image.devicePixelRatio()
        px = image.pixelColor(int((box.left() + box.width() // 2) * ratio),
                              int((box.top() + 1) * ratio))
        assert px.name() == colour.name(), (name, px.name(), colour.name())


def test_focus_ring_follows_a_scrolled_field(make_window, qtbot):
    w = make_window()
    w.resize(w.minimumSizeHint().width(), 420)  # the controls column must scroll
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    ring = w.features["accessibility"].focus_ring
    scroll = w.findChild(QWidget, "controlsScroll")
    bar = scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    target = w.controls.momentum
    target.setFocus(Qt.FocusReason.TabFocusReason)
    for value in (bar.maximum(), bar.minimum(), bar.maximum() // 2):
        bar.setValue(value)
        QApplication.processEvents()
        viewport = scroll.viewport()
        shown = viewport.rect().translated(viewport.mapTo(w, viewport.rect().topLeft()))
        inner = target.rect().translated(target.mapTo(w, target.rect().topLeft()))
        visible = inner.intersected(shown)
        if visible.isEmpty():
            assert not ring.isVisible()
        else:
            assert ring.isVisible()
            assert ring.geometry().adjusted(2, 2, -2, -2) == visible, value


def test_focused_controls_keep_space_and_arrows(make_window, qtbot):
    """Space ticks the focused check box (it does not start training), Right moves the focused
    slider and switches the focused tab bar (it does not step); elsewhere the shortcuts work."""
    w = make_window()
    everything_shown(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    c = w.controller
    handle = w.windowHandle()

    box = w.loss_plot.log_checkbox
    box.setFocus(Qt.FocusReason.TabFocusReason)
    was = box.isChecked()
    QTest.keyClick(handle, Qt.Key.Key_Space)
    assert box.isChecked() != was and not c.playing

    slider = w.controls.min_mag
    slider.setFocus(Qt.FocusReason.TabFocusReason)
    step = w.features["step_panel"]
    assert step.stepper is None
    QTest.keyClick(handle, Qt.Key.Key_Right)
    assert slider.value() == slider.singleStep()
    assert step.stepper is None  # Right did not take a backprop step

    tabs = w.features["step_panel"].tabs
    bar = tabs.tabBar()
    bar.setFocus(Qt.FocusReason.TabFocusReason)
    QTest.keyClick(handle, Qt.Key.Key_Right)
    assert tabs.currentIndex() == 1

    w.network_view.setFocus(Qt.FocusReason.MouseFocusReason)  # no control of its own keys
    with qtbot.waitSignal(c.playingChanged):
        QTest.keyClick(handle, Qt.Key.Key_Space)
    assert c.playing
    c.pause()
