"""Keyboard-only use and screen readers in every dialog the app opens, and focus visible in
dialogs and floating docks (README, "Keyboard" and "Screen readers").

Each dialog is opened the way the app opens it, but never with exec(): shown, walked, closed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QWidget,
)

import nnviz.gui
from nnviz.gui import accessibility, classroom_hiding, shortcut_sheet, theme
from nnviz.gui.bias_dialog import BiasDialog
from nnviz.gui.csv_dialog import CsvDialog
from tests.gui.test_accessibility import contrast, tab_walk


def _hide(w, _tmp):
    return w.features["classroom"].show_hide_dialog()


def _shortcuts(w, _tmp):
    return w.features["classroom"].show_shortcuts()


def _bias(w, _tmp):
    d = BiasDialog(w, "Bias of h1", 0.35, "trained")
    d.show()
    return d


def _csv(w, tmp):
    path = tmp / "points.csv"
    path.write_text("x1,x2,label\n0.1,0.2,a\n0.3,0.1,b\n0.5,0.9,a\n0.7,0.4,b\n")
    d = CsvDialog(path, w)
    d.show()
    d.settle()
    return d


def _error(w, _tmp):
    w._on_error("Learning rate must be positive")
    return w.findChild(QMessageBox, "errorDialog")


#: Every dialog the app opens without exec(), by the class it is (the file and question boxes
#: of QFileDialog, QInputDialog and the modal "Save changes?" box are Qt's own).
DIALOGS = {
    "hide": (_hide, classroom_hiding.HideDialog),
    "shortcuts": (_shortcuts, shortcut_sheet.ShortcutsDialog),
    "bias": (_bias, BiasDialog),
    "csv": (_csv, CsvDialog),
    "error": (_error, QMessageBox),
}


@pytest.fixture
def open_dialog(make_window, qtbot, tmp_path):
    """open(name) -> (window, dialog shown and active); closed after the test."""
    opened = []

    def open_(name: str, *argv: str):
        w = make_window(*argv)
        w.show()
        dialog = DIALOGS[name][0](w, tmp_path)
        opened.append(dialog)
        dialog.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
        return w, dialog

    yield open_
    for d in opened:
        d.done(0) if isinstance(d, CsvDialog) else d.close()  # done() stops the CSV reader


def test_every_dialog_class_of_the_app_is_walked():
    """A dialog added later fails here until it joins DIALOGS."""
    walked = {cls for _f, cls in DIALOGS.values()}
    found = set()
    for info in pkgutil.iter_modules(nnviz.gui.__path__, "nnviz.gui."):
        module = importlib.import_module(info.name)
        for _n, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, QDialog) and cls.__module__ == module.__name__:
                found.add(cls)
    assert found, "no dialog classes found: the search is broken"
    assert found <= walked, f"dialogs nobody walks: {sorted(c.__name__ for c in found - walked)}"


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_every_dialog_widget_has_an_accessible_name(open_dialog, name):
    _w, dialog = open_dialog(name)
    assert isinstance(dialog, DIALOGS[name][1])
    assert accessibility.interactive_widgets(dialog), "the walk sees no control"
    missing = accessibility.unnamed_widgets(dialog)
    assert not missing, f"{name}: widgets without an accessible name or label buddy:\n" + \
        "\n".join(missing)


@pytest.mark.parametrize("name", sorted(DIALOGS))
def test_tab_reaches_every_control_of_each_dialog(open_dialog, name):
    _w, dialog = open_dialog(name)
    wanted = [x for x in accessibility.interactive_widgets(dialog) if x.isEnabled()]
    limit = 3 * len(wanted) + 3
    seen = tab_walk(dialog, wanted[0], limit=limit)
    assert len(seen) <= len(wanted), "Tab never came back to the start: a keyboard trap " \
        f"after {accessibility.describe(seen[-1], dialog)}"
    unreached = [accessibility.describe(x, dialog) for x in wanted if x not in seen]
    assert not unreached, f"{name}: not reachable with Tab:\n" + "\n".join(unreached)


def test_tab_order_in_dialogs_reads_fields_before_buttons(open_dialog):
    """The Hide dialog's boxes come before its buttons (they are made after them), and the CSV
    dialog goes preview, columns, then Load and Cancel."""
    _w, hide = open_dialog("hide")
    seen = tab_walk(hide, next(iter(hide.boxes.values())), limit=200)
    assert seen[:len(hide.boxes)] == list(hide.boxes.values())
    assert seen[len(hide.boxes)] is hide.show_all
    _w, csv = open_dialog("csv")
    seen = tab_walk(csv, csv.table, limit=50)
    order = [csv.header_box, csv.target_combo, csv.task_combo, csv.more_targets,
             csv.features_list, csv.test_ratio, csv.standardize_box, csv.counts_table,
             csv.ok_button]
    assert [seen.index(x) for x in order] == sorted(seen.index(x) for x in order)


def test_a_nameless_dialog_field_and_a_table_trap_are_caught(open_dialog):
    """The checks themselves, in a dialog: a field without a name is reported, and a table
    that keeps Tab for its cells makes the walk fail to come back."""
    _w, dialog = open_dialog("bias")
    field = QLineEdit(objectName="namelessDialogEdit")
    dialog.layout().insertWidget(1, field)
    field.show()
    assert any("namelessDialogEdit" in m for m in accessibility.unnamed_widgets(dialog))
    field.setAccessibleName("named")
    assert not accessibility.unnamed_widgets(dialog)
    table = QTableWidget(3, 3, objectName="trapTable")
    table.setAccessibleName("cells")
    dialog.layout().insertWidget(1, table)
    table.show()
    QWidget.setTabOrder(dialog.value, table)
    wanted = [x for x in accessibility.interactive_widgets(dialog) if x.isEnabled()]
    seen = tab_walk(dialog, dialog.value, limit=3 * len(wanted))
    assert len(seen) > len(wanted) and dialog.mode not in seen


def _ring_drawn(host: QWidget, ring: QWidget, target: QWidget) -> None:
    """``ring`` frames ``target`` inside ``host`` and its top edge is painted in its colour,
    which stands out from the window's background."""
    assert ring.isVisible() and ring.target is target
    inner = target.rect().translated(target.mapTo(host, target.rect().topLeft()))
    box = ring.geometry()
    assert box.contains(inner.intersected(host.rect()).adjusted(1, 1, -1, -1))
    colour = ring.colour()
    background = host.palette().color(host.palette().ColorRole.Window)
    assert contrast(colour, background) >= 3.0, (colour.name(), background.name())
    image = host.grab().toImage()
    ratio = image.devicePixelRatio()
    px = image.pixelColor(int((box.left() + box.width() // 2) * ratio),
                          int((box.top() + 1) * ratio))
    assert px.name() == colour.name(), (px.name(), colour.name())


@pytest.mark.parametrize("name", sorted(theme.THEMES))
def test_focus_is_visible_in_dialogs_in_every_theme(open_dialog, qtbot, settings_snapshot,
                                                    name):
    w, dialog = open_dialog("bias")
    w.features["classroom"].set_theme(name)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    for target in (dialog.mode, dialog.value):
        target.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: accessibility.ring_of(dialog) is not None)
        ring = accessibility.ring_of(dialog)
        qtbot.waitUntil(lambda t=target, r=ring: r.target is t and r.isVisible())
        _ring_drawn(dialog, ring, target)
    # The main window's ring stays in the main window, and hides while focus is elsewhere.
    assert not w.features["accessibility"].focus_ring.isVisible()


@pytest.mark.parametrize("name", sorted(theme.THEMES))
def test_focus_is_visible_in_a_floating_dock_in_every_theme(make_window, qtbot,
                                                           settings_snapshot, name):
    w = make_window()
    w.show()
    w.features["classroom"].set_theme(name)
    dock = w.docks["loss"]
    assert isinstance(dock, QDockWidget)
    dock.setFloating(True)
    dock.show()
    dock.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dock)
    target = w.loss_plot.log_checkbox
    target.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: accessibility.ring_of(dock) is not None)
    ring = accessibility.ring_of(dock)
    qtbot.waitUntil(lambda: ring.isVisible() and ring.target is target)
    _ring_drawn(dock, ring, target)
    # Docked again, the main window's ring takes over and the dock's own hides.
    dock.setFloating(False)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    target.setFocus(Qt.FocusReason.TabFocusReason)
    main_ring = w.features["accessibility"].focus_ring
    qtbot.waitUntil(lambda: main_ring.isVisible() and main_ring.target is target)
    assert not ring.isVisible()
