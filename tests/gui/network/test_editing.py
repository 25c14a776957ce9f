"""Clicking the network view: editing weights and biases through their dialogs, selecting nodes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from tests.gui.network.common import (
    image,
    setup,
)


def test_click_on_edge_edits_weight_through_dialog(view, qtbot, monkeypatch):
    weights, _ = setup(view, [2, 4, 1])
    image(view)
    asked = []

    def fake_get_double(parent, title, label, value, *args):
        asked.append((title, value))
        return 1.25, True

    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(fake_get_double))
    pos = view.edge_point(0, 1, 3, 0.3).toPoint()
    with qtbot.waitSignal(view.weightEdited) as sig:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=pos)
    assert sig.args == [0, 1, 3, 1.25]
    assert asked == [("Edit weight", float(weights[0][1, 3]))]
    # the view never edits the arrays itself: the controller applies the edit
    assert weights[0][1, 3] != 1.25


def test_cancelled_dialog_emits_nothing(view, qtbot, monkeypatch):
    setup(view, [2, 4, 1])
    image(view)
    monkeypatch.setattr(QInputDialog, "getDouble", staticmethod(lambda *a: (0.0, False)))
    with qtbot.assertNotEmitted(view.weightEdited):
        view.click_at(view.edge_point(0, 0, 0, 0.3))


def test_click_on_bias_edits_bias(view, qtbot, monkeypatch):
    from nnviz.gui import bias_dialog

    setup(view, [2, 4, 1])
    image(view)
    monkeypatch.setattr(bias_dialog, "ask_bias", lambda *a: (-0.75, "trained"))
    rect = view.bias_rect(1, 0)
    with qtbot.waitSignal(view.biasEdited) as sig:
        view.click_at(rect.center())
    assert sig.args == [1, 0, -0.75]


def test_bias_dialog_changes_the_layers_mode_and_none_draws_no_square(view, qtbot, monkeypatch):
    from nnviz.gui import bias_dialog

    setup(view, [2, 4, 1])
    image(view)
    monkeypatch.setattr(bias_dialog, "ask_bias", lambda *a: (0.0, "none"))
    with qtbot.waitSignal(view.biasModeChanged) as sig, qtbot.assertNotEmitted(view.biasEdited):
        view.click_at(view.bias_rect(1, 0).center())
    assert sig.args == [1, "none"]
    view.set_bias_modes(["trained", "none"])
    image(view)
    assert view.bias_rect(1, 0) is None and view.bias_rect(0, 0) is not None
    assert "frozen" not in view.tooltip_text_at(view.bias_rect(0, 0).center())


def test_bias_dialog_offers_the_three_modes(qtbot):
    from nnviz.gui.bias_dialog import BiasDialog

    d = BiasDialog(None, "Bias of h1", 0.35, "frozen")
    qtbot.addWidget(d)
    assert [d.mode.itemData(i) for i in range(d.mode.count())] == ["trained", "frozen", "none"]
    assert d.result_pair() == (0.35, "frozen")
    d.mode.setCurrentIndex(2)
    assert not d.value.isEnabled()


def test_click_on_node_selects_it(view, qtbot):
    setup(view, [2, 4, 1])
    image(view)
    with qtbot.waitSignal(view.nodeSelected) as sig:
        qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=view.node_pos(1, 2).toPoint())
    assert sig.args == [1, 2]
    assert view.selected_node() == (1, 2)
