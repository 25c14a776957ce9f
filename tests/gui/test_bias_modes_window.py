"""Bias modes in the window: option, controls field, bias dialog, drawing, sessions, stepping."""

import numpy as np

from nnviz.gui import sessions


def test_bias_option_builds_the_network_and_none_draws_no_square(make_window, qtbot):
    w = make_window("--dataset", "xor", "--layers", "3", "--bias", "frozen,none")
    c = w.controller
    assert c.net.bias_modes == ("frozen", "none")
    assert w.controls.bias.text() == "frozen,none"
    view = w.network_view
    assert view.bias_rect(1, 0) is None and view.bias_rect(0, 0) is not None
    b0 = c.net.biases[0].copy()
    c.step_epoch(50)
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch == 50)
    np.testing.assert_array_equal(c.net.biases[0], b0)
    assert np.all(c.net.biases[1] == 0)


def test_controls_field_applies_modes_and_rejects_bad_ones(make_window):
    w = make_window("--dataset", "xor", "--layers", "3")
    field = w.controls.bias
    field.setText("trained,frozen")
    field.editingFinished.emit()
    assert w.controller.net.bias_modes == ("trained", "frozen")
    field.setText("trained,none,none")
    field.editingFinished.emit()
    assert field.property("invalid")
    assert "give 3 layers" in field.toolTip()
    assert w.controller.net.bias_modes == ("trained", "frozen")  # the network is untouched


def test_bias_dialog_mode_change_keeps_the_weights(make_window):
    w = make_window("--dataset", "xor", "--layers", "3")
    c = w.controller
    weights = [x.copy() for x in c.net.weights]
    assert c.set_bias_mode(1, "none") is None
    assert c.net.bias_modes == ("trained", "none")
    for a, b in zip(c.net.weights, weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert w.controls.bias.text() == "trained,none"
    assert w.network_view.bias_rect(1, 0) is None


def test_bias_modes_round_trip_through_a_window_session(make_window, tmp_path):
    w = make_window("--dataset", "xor", "--layers", "3", "--bias", "none,frozen")
    path = tmp_path / "b.nnviz"
    assert sessions.save_path(w, path) is None
    other = make_window("--dataset", "xor")
    assert sessions.open_path(other, path) is None
    assert other.controller.net.bias_modes == ("none", "frozen")
    assert other.controls.bias.text() == "none,frozen"
