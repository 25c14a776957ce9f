"""The Weights dock: Hinton squares follow the weights, hover links with the network view, a click
edits, big layers are shown in blocks with a note, export and sessions keep it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtGui import QColor

from nnviz.gui import sessions
from nnviz.gui.theme import LIGHT
from nnviz.gui.weight_matrix_view import WeightMatrixView, block_mean, diagrams


def open_weights(qtbot, w):
    w.actions_by_name["actionWeightMatrix"].trigger()
    view = w.docks["weights"].widget()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    view.resize(500, 300)
    return view


def side(view: WeightMatrixView, layer: int, row: int, col: int) -> float:
    return view.square_rect(layer, row, col).width()


def test_action_and_dock(qtbot, make_window):
    w = make_window("--layers", "3")
    assert w.docks["weights"].isHidden() and w.docks["weights"].windowTitle() == "Weights"
    view = open_weights(qtbot, w)
    assert [d.values.shape for d in view.diagrams()] == [(3, 3), (4, 1)]  # weights + bias row


def test_squares_follow_the_weights(qtbot, make_window):
    w = make_window("--layers", "3")
    view = open_weights(qtbot, w)
    c = w.controller
    c.edit_weight(0, 1, 2, 4.0)  # the layer's largest |w|: a full-size square
    c.edit_weight(0, 0, 0, -1.0)  # a quarter of its area: half its side
    c.edit_bias(0, 1, 0.0)
    d = view.diagrams()[0]
    assert d.values[1, 2] == 4.0 and d.values[0, 0] == -1.0 and d.values[2, 1] == 0.0
    full = side(view, 0, 1, 2)
    assert full > 10
    assert side(view, 0, 0, 0) == pytest.approx(full / 2)
    assert side(view, 0, 2, 1) == 0.0  # the zero bias has no square
    # areas are |w| / max|w| of the layer, for every square
    for (row, col), v in np.ndenumerate(d.values):
        assert side(view, 0, row, col) ** 2 == pytest.approx(full**2 * abs(v) / 4.0)
    # live: training moves the squares
    before = d.values.copy()
    with qtbot.waitSignal(c.metricsChanged, timeout=10_000):
        c.step_epoch(50)
    qtbot.waitUntil(lambda: not np.array_equal(view.diagrams()[0].values, before), timeout=5000)
    np.testing.assert_array_equal(view.diagrams()[0].values[:-1], c.display_net.weights[0])


def test_colour_is_the_sign(qtbot, make_window):
    w = make_window("--layers", "2")
    view = open_weights(qtbot, w)
    w.controller.edit_weight(0, 0, 0, 3.0)
    w.controller.edit_weight(0, 1, 1, -3.0)
    img = view.grab().toImage()
    for (row, col), colour in (((0, 0), LIGHT.positive), ((1, 1), LIGHT.negative)):
        centre = view.square_rect(0, row, col).center().toPoint()
        assert img.pixelColor(centre) == QColor(colour)


def test_hover_links_both_ways(qtbot, make_window):
    w = make_window("--layers", "2")
    view = open_weights(qtbot, w)
    with qtbot.waitSignal(view.hoverChanged) as blocker:
        qtbot.mouseMove(view, view.square_rect(1, 1, 0).center().toPoint())
    assert blocker.args[0] == ("edge", (1, 1, 0))
    assert w.network_view.hovered() == ("edge", (1, 1, 0))
    w.network_view.hoverChanged.emit(("bias", (0, 1)))
    assert view._highlight == ("bias", (0, 1))  # noqa: SLF001


def test_click_edits_the_weight_and_the_bias(qtbot, make_window, monkeypatch):
    w = make_window("--layers", "2")
    view = open_weights(qtbot, w)
    monkeypatch.setattr(view, "ask_value", lambda title, name, current: 0.75)
    view.click_at(view.square_rect(0, 1, 0).center())
    assert w.controller.net.weights[0][1, 0] == 0.75
    view.click_at(view.square_rect(0, 2, 1).center())
    assert w.controller.net.biases[0][1] == 0.75


def test_big_layers_are_shown_in_blocks_with_a_note() -> None:
    rng = np.random.default_rng(0)
    sizes = (784, 128, 64, 10)
    ws = [rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    bs = [rng.standard_normal(b) for b in sizes[1:]]
    ds = diagrams(ws, bs)
    assert [d.block for d in ds] == [(17, 3), (3, 2), (2, 1)]
    assert all(max(d.values.shape) <= 48 for d in ds)
    np.testing.assert_allclose(ds[0].values[0, 0], ws[0][:17, :3].mean())
    np.testing.assert_allclose(ds[0].values[-1, 0], bs[0][:3].mean())
    assert ds[0].values.shape == (math.ceil(784 / 17) + 1, math.ceil(128 / 3))
    np.testing.assert_allclose(block_mean(np.arange(5.0)[None, :], 1, 2), [[0.5, 2.5, 4.0]])


def test_big_network_in_the_window(qtbot, make_window):
    w = make_window("--layers", "40,100")
    view = open_weights(qtbot, w)
    assert [d.exact for d in view.diagrams()] == [True, False, False]
    view.grab()  # paints with the note
    assert view.item_at(view.square_rect(1, 0, 0).center()) is None  # blocks are not edited
    assert "mean of" in view.tooltip_text_at(view.square_rect(1, 0, 0).center())


def test_export_and_sessions(qtbot, make_window, tmp_path, monkeypatch):
    w = make_window("--layers", "2")
    open_weights(qtbot, w)
    exporter = w.features["export"]
    for ext in ("png", "svg"):
        target = tmp_path / f"weights.{ext}"
        monkeypatch.setattr(exporter, "_ask_path", lambda what, e, t=target: str(t))
        w.actions_by_name[f"actionExportWeights{ext.capitalize()}"].trigger()
        assert target.stat().st_size > 500
    assert b"<rect" in (tmp_path / "weights.svg").read_bytes() or \
        b"<path" in (tmp_path / "weights.svg").read_bytes()
    path = tmp_path / "w.nnviz"
    assert sessions.save_path(w, path) is None
    w2 = make_window()
    assert w2.docks["weights"].isHidden()
    assert sessions.open_path(w2, path) is None
    assert not w2.docks["weights"].isHidden()


def test_presentation_and_accessibility(qtbot, make_window):
    w = make_window("--layers", "2")
    view = open_weights(qtbot, w)
    small = side(view, 0, 0, 0)
    view.set_scale(2.0)
    view.set_palette_mode(True)
    # squares grow with the scale as far as the dock allows
    assert small <= side(view, 0, 0, 0) <= min(view.width(), view.height())
    assert view.accessibleName()
    with pytest.raises(ValueError):
        view.set_scale(0.0)


def test_docks_open_as_tabs_beside_the_boundary_and_restore_layout_hides_them(qtbot, make_window):
    w = make_window("--layers", "2")
    w.actions_by_name["actionLossLandscape"].trigger()
    w.actions_by_name["actionWeightMatrix"].trigger()
    tabbed = w.tabifiedDockWidgets(w.docks["boundary"])
    assert w.docks["landscape"] in tabbed and w.docks["weights"] in tabbed
    assert w.docks["weights"].widget().isVisible()  # the one shown last is the current tab
    w.actions_by_name["actionRestoreLayout"].trigger()
    assert w.docks["landscape"].isHidden() and w.docks["weights"].isHidden()
    assert not w.docks["boundary"].isHidden()
