"""Input features in the window: named input nodes, the boundary over the raw plane, sessions."""

import numpy as np

from nnviz.core.features import expand
from nnviz.gui import sessions


def test_features_are_input_nodes_and_the_boundary_stays_on_the_plane(make_window, qtbot):
    w = make_window("--dataset", "xor", "--features", "x1,x2,x1x2", "--layers", "0",
                    "--lr", "2")
    c = w.controller
    assert c.net.sizes == (3, 1)
    assert w.network_view.input_labels() == ["x1", "x2", "x1·x2"]
    assert w.controls.features.text() == "x1,x2,x1x2"
    assert w.docks["boundary"].isVisibleTo(w)
    c.step_epoch(2000)
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch == 2000
                    and not c.last_snapshot.running, timeout=60_000)
    assert "accuracy 100.0%" in c.status_text()
    bview = w.boundary_view
    points = bview.plane_points()
    want = c.display_net.predict(expand(points, c.dataset.features))[:, 0]
    c.refresh_from_network()
    np.testing.assert_allclose(bview._output.ravel(), want)


def test_features_field_and_session_round_trip(make_window, tmp_path):
    w = make_window("--dataset", "circles")
    field = w.controls.features
    field.setText("x1^2,x2^2")
    field.editingFinished.emit()
    assert w.controller.net.sizes[0] == 2 and w.controller.dataset.features == ("x1^2", "x2^2")
    field.setText("x1,y")
    field.editingFinished.emit()
    assert field.property("invalid") and "unknown input feature 'y'" in field.toolTip()
    path = tmp_path / "f.nnviz"
    assert sessions.save_path(w, path) is None
    other = make_window("--dataset", "xor")
    assert sessions.open_path(other, path) is None
    assert other.controller.dataset.features == ("x1^2", "x2^2")
    assert other.controls.features.text() == "x1^2,x2^2"
