"""Drawn data: clicks in the boundary view add and remove training points, the network keeps its
weights, edits undo, and the custom data survives save/open and exports as CSV."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from nnviz.core import datasets
from nnviz.gui import sessions
from nnviz.gui.point_editor import CUSTOM_NAME, class_of, nearest


def editor_of(w):
    ed = w.features["point_editor"]
    ed.set_editing(True)
    return ed


def click_at(qtbot, w, x: float, y: float, button=Qt.MouseButton.LeftButton) -> None:
    """A real mouse click on the boundary plot at data coordinates (x, y)."""
    bview = w.boundary_view
    scene = bview.plot_item.getViewBox().mapViewToScene(QPointF(x, y))
    pos = bview.plot_widget.mapFromScene(scene)
    qtbot.mouseClick(bview.plot_widget.viewport(), button, pos=QPoint(pos.x(), pos.y()))


def test_left_click_adds_a_point_of_the_chosen_class_and_keeps_the_weights(qtbot, make_window):
    w = make_window("--layers", "3")
    w.docks["boundary"].show()
    qtbot.waitUntil(w.boundary_view.isVisible, timeout=5000)
    w.boundary_view.resize(400, 400)
    c = w.controller
    with qtbot.waitSignal(c.metricsChanged, timeout=10_000):
        c.step_epoch(20)
    params = c.net.params.copy()
    ed = editor_of(w)
    ed.class_box.setCurrentIndex(1)
    click_at(qtbot, w, 0.5, 0.5)
    d = c.dataset
    assert d.name == CUSTOM_NAME and c.settings.dataset == "csv"
    assert len(d.X_train) == 5
    np.testing.assert_allclose(d.X_train[-1], [0.5, 0.5], atol=0.05)
    assert class_of(d.Y_train)[-1] == 1
    np.testing.assert_array_equal(c.net.params, params)  # training goes on from these weights
    np.testing.assert_array_equal(c.trainer.X, d.X_train)  # and on these points


def test_right_click_removes_the_nearest_and_undo_brings_everything_back(qtbot, make_window):
    w = make_window("--layers", "3")
    w.docks["boundary"].show()
    qtbot.waitUntil(w.boundary_view.isVisible, timeout=5000)
    c = w.controller
    original = c.dataset.X_train.copy()
    ed = editor_of(w)
    click_at(qtbot, w, 0.95, 0.05, Qt.MouseButton.RightButton)  # nearest is (1, 0)
    assert len(c.dataset.X_train) == 3
    assert not any(np.allclose(p, [1, 0]) for p in c.dataset.X_train)
    assert ed.add_point(0.2, 0.8, 0) is None
    assert len(c.dataset.X_train) == 4
    w.actions_by_name["actionUndoPoints"].trigger()
    assert len(c.dataset.X_train) == 3
    w.actions_by_name["actionUndoPoints"].trigger()  # back to the built-in set, by name
    assert c.settings.dataset == "xor" and c.dataset.name == "xor"
    np.testing.assert_array_equal(c.dataset.X_train, original)
    assert ed.undo() == "No point edit to undo"


def test_at_least_two_points_and_only_for_2d_classification(qtbot, make_window):
    w = make_window("--layers", "3")
    ed = editor_of(w)
    c = w.controller
    for _ in range(2):
        assert ed.remove_nearest(0, 0) is None
    assert ed.remove_nearest(0, 0) == "Keep at least 2 training points"
    assert len(c.dataset.X_train) == 2
    w2 = make_window("--dataset", "iris", "--layers", "4")
    ed2 = w2.features["point_editor"]
    ed2.set_editing(True)
    assert not ed2.editing


def test_custom_points_survive_save_and_open_and_export_as_csv(qtbot, make_window, tmp_path):
    w = make_window("--dataset", "gaussians", "--layers", "4")
    ed = editor_of(w)
    ed.add_point(0.1, 0.2, 0)
    ed.add_point(-0.3, 0.4, 1)
    data = w.controller.dataset
    path = tmp_path / "drawn.nnviz"
    assert sessions.save_path(w, path) is None
    w2 = make_window()
    assert sessions.open_path(w2, path) is None
    d2 = w2.controller.dataset
    np.testing.assert_array_equal(d2.X_train, data.X_train)
    np.testing.assert_array_equal(d2.Y_train, data.Y_train)
    assert d2.name == CUSTOM_NAME
    rows = ed.export_csv(tmp_path / "points.csv")
    assert rows == len(data.X_train)
    back = datasets.load_csv(tmp_path / "points.csv", standardize=False)
    np.testing.assert_allclose(back.X_train, data.X_train)
    np.testing.assert_array_equal(class_of(back.Y_train), class_of(data.Y_train))


def test_nearest_measures_in_plot_fractions() -> None:
    d = datasets.load_dataset("xor")
    # x spans 10 units and y 1: a point 0.4 off in x is nearer than one 0.4 off in y
    assert nearest(d, 0.4, 0.0, (10.0, 1.0)) == 0
    with pytest.raises(AttributeError):
        d.X_train = None  # a Dataset is frozen: edits make new ones
