"""Edges: the budget, the strongest first, gradient colouring, hiding weak edges, one
drawLines call per colour bucket, colours from the theme."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QLineF
from PySide6.QtGui import QColor, QPainter

from nnviz.gui import theme
from nnviz.gui.network import edges
from tests.gui.network.common import (
    image,
    setup,
)


def test_big_network_draws_at_most_max_edges_and_says_so(view, monkeypatch):
    drawn_lines: list[int] = []
    real_draw_lines = QPainter.drawLines

    def counting(painter, first, count):
        # the (const QLineF *, count) overload, not a QPolygonF: PySide6 re-takes the GIL every
        # few lines of a QPolygonF, so a frame would wait for the training thread again and again
        assert isinstance(first, QLineF)
        drawn_lines.append(count)
        return real_draw_lines(painter, first, count)

    monkeypatch.setattr(QPainter, "drawLines", counting)
    setup(view, [784, 128, 64, 10])
    image(view)
    assert view.max_edges() == 5000
    assert view.total_edge_count() == 784 * 128 + 128 * 64 + 64 * 10
    assert sum(drawn_lines) == view.drawn_edge_count() == 5000
    # one drawLines call per colour bucket, not per edge
    assert len(drawn_lines) < 200
    assert "showing 5,000 of 109,184 edges" in view.legend_text()


def test_small_network_draws_every_edge(view):
    setup(view, [2, 16, 16, 1])
    assert view.drawn_edge_count() == view.total_edge_count() == 2 * 16 + 16 * 16 + 16
    assert "304 edges" in view.legend_text()
    assert "showing" not in view.legend_text()


def test_budget_keeps_the_strongest_edges(view):
    w = np.arange(1.0, 25.0).reshape(4, 6) * np.where(np.arange(24) % 2, 1, -1).reshape(4, 6)
    view.set_max_edges(5)
    view.set_network([4, 6], [w], [np.zeros(6)])
    drawn = {(i, j) for _, i, j in view.drawn_edges()}
    strongest = {divmod(int(k), 6) for k in np.argsort(-np.abs(w).ravel())[:5]}
    assert drawn == strongest


def test_budget_is_shared_so_small_layers_keep_all_edges(view):
    view.set_max_edges(300)
    setup(view, [50, 40, 3])
    per_layer = np.bincount([li for li, _, _ in view.drawn_edges()], minlength=2)
    assert per_layer[1] == 40 * 3  # fits its fair share (150): kept whole
    assert per_layer[0] == 300 - 120


def test_gradient_mode_colours_and_selects_by_gradient(view):
    w = np.full((4, 6), 0.5)
    g = np.zeros((4, 6))
    g[3, 5], g[0, 1] = -2.0, 1.5
    view.set_max_edges(2)
    view.set_network([4, 6], [w], [np.zeros(6)])
    view.set_params([w], [np.zeros(6)], [g])
    before = image(view)
    assert "edges: weight" in view.legend_text()
    view.set_edge_mode("gradient")
    assert set(view.drawn_edges()) == {(0, 3, 5), (0, 0, 1)}
    assert "dE/dw" in view.legend_text()
    assert image(view) != before
    tip = view.tooltip_text_at(view.edge_point(0, 3, 5, 0.5))
    assert "dE/dw" in tip and "-2" in tip and "0.5" in tip
    with pytest.raises(ValueError, match="edge mode"):
        view.set_edge_mode("gradients")


def test_gradient_mode_without_gradients_says_so(view):
    setup(view, [2, 4, 1])
    view.set_edge_mode("gradient")
    image(view)
    assert "no gradient yet" in view.legend_text()


def test_min_magnitude_hides_weak_edges(view):
    weights, _ = setup(view, [2, 16, 16, 1])
    view.set_min_magnitude(0.8)
    image(view)
    drawn = view.drawn_edges()
    assert drawn and all(abs(weights[li][i, j]) >= 0.8 for li, i, j in drawn)
    expected = sum(int((np.abs(w) >= 0.8).sum()) for w in weights)
    assert len(drawn) == expected
    assert f"showing {expected} of 304 edges" in view.legend_text()
    with pytest.raises(ValueError, match="minimum magnitude"):
        view.set_min_magnitude(-1)


def test_editing_the_themes_weight_hues_changes_the_edges(view):
    """The edges' colours come from the theme: a theme with other weight hues draws its edges
    and their legend bar in those hues."""
    view.resize(400, 300)
    view.set_network([2, 1], [np.array([[1.0], [-1.0]])], [np.zeros(1)])

    def edge_colours() -> list[tuple[int, int, int]]:
        img = image(view)
        return [QColor(img.pixel(view.edge_point(0, i, 0, 0.5).toPoint())).getRgb()[:3]
                for i in (0, 1)]

    assert edge_colours() == [theme.weight_hue(theme.LIGHT, 1), theme.weight_hue(theme.LIGHT, -1)]
    edited = dataclasses.replace(theme.LIGHT, name="edited", edge_positive="#2040ff",
                                 edge_negative="#ff4020")
    view.set_theme(edited)
    assert edge_colours() == [(0x20, 0x40, 0xFF), (0xFF, 0x40, 0x20)]
    strongest = view._edge_painter.bucket_colour(-1, edges.N_BINS - 1, False, False)
    assert strongest.getRgb()[:3] == (0xFF, 0x40, 0x20)  # the legend's bar draws these
