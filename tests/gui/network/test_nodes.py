"""Nodes: maps inside circles, values never below the readable size, no made-up values."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage

from tests.gui.network.common import (
    forward,
    image,
    setup,
    spy_node_texts,
)


def test_node_images_are_drawn(view):
    setup(view, [2, 4, 1])
    plain = image(view)
    tile = QImage(8, 8, QImage.Format.Format_ARGB32)
    tile.fill(QColor(200, 30, 160))
    view.set_node_images({(1, 0): tile, (1, 3): tile})
    magenta = image(view)
    assert magenta != plain
    centre = view.node_pos(1, 0).toPoint()
    assert QColor(magenta.pixel(centre)) == QColor(200, 30, 160)
    # new maps (a new dict of images) replace the cached ones, also at the same nodes
    green = QImage(8, 8, QImage.Format.Format_ARGB32)
    green.fill(QColor(20, 180, 60))
    view.set_node_images({(1, 0): green, (1, 3): tile})
    assert QColor(image(view).pixel(centre)) == QColor(20, 180, 60)
    view.set_node_images(None)
    assert image(view) == plain
    setup(view, [2, 4, 1])  # a new network starts without maps
    assert image(view) == plain


@pytest.mark.parametrize("scale", [1.0, 1.6, 2.25])
def test_node_values_are_never_smaller_than_the_readable_size(view, monkeypatch, scale):
    seen = spy_node_texts(monkeypatch)
    view.set_scale(scale)
    for size in [(1000, 700), (1000, 420), (700, 330), (1480, 400)]:
        view.resize(*size)
        setup(view, [2, 4, 1])
        image(view)
    drawn = [px for _, px in seen if px is not None]
    assert drawn, "values were written at some size"
    assert min(drawn) >= 10 * scale - 1e-9
    # too small for readable values at this scale: they are left out, not shrunk
    seen.clear()
    view.resize(700, 160)
    image(view)
    assert [px for al, px in seen if al == 1] == [None]


def test_layers_not_computed_yet_show_no_made_up_values(view):
    """While stepping, later layers have no values yet: None, and their tooltips say so."""
    weights, biases = setup(view, [2, 3, 1], activations=False)
    a, z = forward([2, 3, 1], weights, biases)
    view.set_activations([a[0], a[1], None], [z[0], None])
    view.grab()
    hidden = view.tooltip_text_at(view.node_pos(1, 0))
    output = view.tooltip_text_at(view.node_pos(2, 0))
    assert "<td>z</td>" in hidden and "<td>a</td>" in hidden
    assert "<td>z</td>" not in output and "<td>a</td>" not in output  # no value, not a 0
    assert "<td>bias</td>" in output
    with pytest.raises(ValueError):
        view.set_activations([a[0], a[1]], None)  # still one entry per layer
