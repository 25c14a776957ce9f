"""The weight colour scale: fixed at the initial weights by default, a user value, or auto."""

from __future__ import annotations

import numpy as np


def _max_abs(weights) -> float:
    return max(float(np.abs(w).max()) for w in weights)


def test_colour_scale_is_fixed_at_the_initial_weights_and_saturates_beyond(qtbot, make_window):
    w = make_window("--lr", "2")
    c, view = w.controller, w.network_view
    initial = _max_abs(c.net.weights)
    assert c.colour_mode == "initial" and c.colour_scale == initial
    assert view.value_scale == initial
    assert "fixed scale" in view.legend_text()
    assert w.controls.colour_scale.value() == round(initial, 3)
    c.step_epoch(3000)
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch == 3000,
                    timeout=20_000)
    assert _max_abs(c.net.weights) > 2 * initial  # the weights grew ...
    assert view.value_scale == initial  # ... and the colours show it: the scale stayed
    beyond = sum(int(np.count_nonzero(np.abs(x) > initial)) for x in c.display_net.weights)
    assert beyond > 0
    assert f"{beyond} beyond ±" in view.legend_text() and "(saturated)" in view.legend_text()


def test_user_value_and_auto(qtbot, make_window):
    w = make_window()
    c, view, spin = w.controller, w.network_view, w.controls.colour_scale
    spin.setValue(5.0)
    spin.editingFinished.emit()
    assert (c.colour_mode, c.colour_scale, view.value_scale) == ("user", 5.0, 5.0)
    w.controls.hidden.setText("3")
    w.controls.hidden.editingFinished.emit()
    assert c.net.sizes == (2, 3, 1) and view.value_scale == 5.0  # kept on a new network
    spin.setValue(0.0)
    assert spin.text() == "auto"
    spin.editingFinished.emit()
    assert c.colour_mode == "auto"
    assert "auto scale" in view.legend_text() and "saturated" not in view.legend_text()
    c.reset_colour_scale()
    assert c.colour_mode == "initial" and view.value_scale == _max_abs(c.net.weights)
