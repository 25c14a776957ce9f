"""Numbers on the edges of a stepping phase: kept apart, the strongest first."""

from __future__ import annotations

import numpy as np

from nnviz.gui.network import NetworkView
from tests.gui.network.common import (
    image,
    setup,
)


def edge_labels(view: NetworkView) -> list:
    """(value, box, text) of the numbers the view writes on edges now."""
    return view._edge_numbers.labels(view._ensure_layout(), view._ensure_edges(), view._data,
                                     view._phase, view.edge_mode(), view.digits,
                                     view._nodes.label_boxes)


def test_edge_numbers_of_a_cramped_phase_never_overprint(view):
    view.resize(900, 420)
    view.set_scale(1.6)
    weights, _ = setup(view, [2, 8, 8, 1])
    view.set_highlight(0, "forward")
    image(view)
    labels = edge_labels(view)
    assert 0 < len(labels) < 16  # too many to fit: some are left out ...
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            inner = labels[a][1].adjusted(1, 1, -1, -1)
            assert not inner.intersects(labels[b][1])  # ... and the others do not overlap
    strongest = float(weights[0].flat[np.argmax(np.abs(weights[0]))])
    assert strongest in [v for v, _, _ in labels]
    # with room, every edge of the phase gets its number
    view.resize(1340, 630)
    view.set_scale(2.25)
    setup(view, [2, 4, 1])
    view.set_highlight(0, "forward")
    image(view)
    assert len(edge_labels(view)) == 8
