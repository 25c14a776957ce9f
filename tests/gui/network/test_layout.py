"""Layout and hit testing: every node found where it is drawn, narrow and short views, margins."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF

from tests.gui.network.common import (
    image,
    setup,
    spy_node_texts,
)


def test_node_and_edge_hit_testing(view):
    sizes = [2, 4, 1]
    setup(view, sizes)
    image(view)
    for layer, n in enumerate(sizes):
        for i in range(n):
            assert view.node_at(view.node_pos(layer, i)) == (layer, i)
    for layer in range(2):
        for i in range(sizes[layer]):
            for j in range(sizes[layer + 1]):
                assert view.edge_at(view.edge_point(layer, i, j, 0.3)) == (layer, i, j)
    for layer in range(2):
        for j in range(sizes[layer + 1]):
            rect = view.bias_rect(layer, j)
            assert rect is not None
            assert view.bias_at(rect.center()) == (layer, j)
    assert view.node_at(QPointF(3, 3)) is None
    assert view.edge_at(QPointF(3, 3)) is None
    assert view.tooltip_text_at(QPointF(3, 3)) is None


def test_hit_testing_in_compressed_columns(view):
    setup(view, [784, 128, 64, 10])
    image(view)
    for layer, i in [(0, 0), (0, 400), (0, 783), (1, 77), (2, 63), (3, 9)]:
        assert view.node_at(view.node_pos(layer, i)) == (layer, i)
    layer, i, j = view.drawn_edges()[123]
    hit = view.edge_at(view.edge_point(layer, i, j, 0.5))
    assert hit is not None and hit[0] == layer
    # an edge that is not drawn cannot be hovered
    drawn = set(view.drawn_edges())
    hidden = next((0, i, j) for i in range(784) for j in range(128) if (0, i, j) not in drawn)
    hit = view.edge_at(view.edge_point(*hidden, 0.5))
    assert hit != hidden


def test_short_presentation_view_gives_the_nodes_the_height(view, monkeypatch):
    # 1080p presentation with the step panel docked below: about 1340x630 at scale 2.25
    seen = spy_node_texts(monkeypatch)
    view.resize(1340, 630)
    view.set_scale(2.25)
    setup(view, [2, 4, 1])
    image(view)
    lay = view._ensure_layout()
    # one line of titles and one of legend: together well under a quarter of the height
    assert lay.legend_rows == 1
    assert lay.top + (lay.height - lay.bottom) < 0.25 * 630
    # hidden circles were 24 px with the two-line titles and legend; now about twice that
    c = view.node_pos(1, 0)
    assert view.node_at(c + QPointF(44, 0)) == (1, 0)
    hidden = [px for al, px in seen if al == 1]
    assert hidden and hidden[-1] is not None and hidden[-1] >= 10 * 2.25


@pytest.mark.parametrize("sizes", [[2, 4, 1], [2, 16, 16, 1], [784, 128, 64, 10]])
@pytest.mark.parametrize("width", [60, 120, 200, 320, 500])
def test_narrow_views_never_overlap_layers(view, sizes, width):
    view.resize(width, 400)
    setup(view, sizes)
    img = image(view)
    assert img.width() == width
    lay = view._ensure_layout()
    half = [lay.bar_w / 2 if lay.compressed[al] else lay.radius[al] for al in range(len(sizes))]
    for al in range(len(sizes)):
        x = float(lay.xs[al])
        assert 0 <= x - half[al] and x + half[al] <= width
        if al:
            assert float(lay.xs[al - 1]) + half[al - 1] < x - half[al]
    # every node is still found where it is drawn
    for al, n in enumerate(sizes):
        for i in (0, n - 1):
            assert view.node_at(view.node_pos(al, i)) == (al, i)


def test_margins_follow_the_width_and_side_labels_go_when_there_is_no_room(view):
    setup(view, [2, 4, 1])
    view.resize(1000, 700)
    wide = view._ensure_layout()
    assert wide.label_px[0] > 0 and wide.label_px[1] > 0
    view.resize(120, 700)
    narrow = view._ensure_layout()
    assert narrow.label_px == (0.0, 0.0)
    # the first circle starts closer to the edge than the old fixed margin (14 + "x10" + 14 px)
    assert narrow.xs[0] - narrow.radius[0] < 5
