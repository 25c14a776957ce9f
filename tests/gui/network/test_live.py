"""Live streams: big networks thinned while updating, whole again once the stream pauses."""

from __future__ import annotations

import numpy as np

from nnviz.gui.network import NetworkView, edges, live
from tests.gui.network.common import (
    forward,
    image,
    setup,
)


def test_live_updates_thin_big_networks_until_they_settle(qtbot, monkeypatch):
    # an impossible frame budget forces the minimum live edge count, independent of speed; a
    # long settle time keeps a loaded machine from ending the "live" stream early
    monkeypatch.setattr(edges, "LIVE_EDGE_BUDGET_MS", 1e-6)
    monkeypatch.setattr(live, "LIVE_SETTLE_MS", 1500)
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(1000, 700)
    sizes = [784, 128, 64, 10]
    weights, biases = setup(view, sizes, activations=False)
    # several setters before one frame are one update, not a stream
    view.set_params(weights, biases)
    view.set_activations(*forward(sizes, weights, biases))
    view.set_deltas([np.zeros(n) for n in sizes[1:]])
    image(view)  # a normal frame; it also measures the cost of an edge
    assert view.drawn_edge_count() == 5000
    assert "thinned" not in view.legend_text()
    view.set_params(weights, biases)  # the next update after a frame: a live stream
    image(view)
    assert view.drawn_edge_count() == edges.MIN_LIVE_EDGES
    assert "thinned while updating" in view.legend_text()
    qtbot.waitUntil(lambda: view.drawn_edge_count() == 5000, timeout=10000)
    assert "thinned" not in view.legend_text()
