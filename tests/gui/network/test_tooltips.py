"""Hover texts: current values, the digits setting, float32 without noise digits."""

from __future__ import annotations

import numpy as np

from tests.gui.network.common import (
    forward,
    image,
    make_params,
)


def test_tooltips_show_current_values_with_the_digits_setting(view):
    from nnviz.core import notation

    sizes = [2, 4, 1]
    weights, biases = make_params(sizes)
    weights[0][1, 2] = 0.123456789
    biases[0][2] = -0.987654321
    view.set_network(sizes, weights, biases)
    a, z = forward(sizes, weights, biases)
    view.set_activations(a, z)
    view.set_deltas([np.array([0.1, -0.2, 0.0312, 0.4]), np.array([-0.0228])])
    image(view)
    text = view.tooltip_text_at(view.edge_point(0, 1, 2, 0.3))
    assert text is not None and "0.1235" in text and "x2" in text
    assert "w^(1)_23" in text  # one notation: layer and units 1-based, as in the formulas
    node = view.tooltip_text_at(view.node_pos(1, 2))
    assert node is not None
    for value in (z[0][2], a[1][2]):
        assert notation.number(value, 4) in node
    assert "-0.9877" in node and "0.0312" in node
    view.set_digits(9)
    text = view.tooltip_text_at(view.edge_point(0, 1, 2, 0.3))
    assert "0.123456789" in text
    assert "-0.987654321" in view.tooltip_text_at(view.node_pos(1, 2))
    # the tooltip follows the arrays last set (it stays current while training)
    weights[0] = weights[0].copy()
    weights[0][1, 2] = -2.5
    view.set_params(weights, biases)
    assert "-2.500000000" in view.tooltip_text_at(view.edge_point(0, 1, 2, 0.3))


def test_tooltip_shows_float32_values_without_noise_digits(view):
    w = [np.array([[0.1, -0.7]], dtype=np.float32)]
    view.set_network([1, 2], w, [np.zeros(2, dtype=np.float32)])
    view.set_digits(10)
    image(view)
    text = view.tooltip_text_at(view.edge_point(0, 0, 0, 0.5))
    assert "0.1000000015" in text  # what a float32 0.1 is, to the digits asked for
