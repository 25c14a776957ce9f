"""Hide for the classroom (nnviz.gui.classroom_hiding), through the window's classroom."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QFormLayout, QToolBar, QWidget

from nnviz.gui.classroom_hiding import HideDialog


@pytest.fixture
def hwindow(make_window):
    """A window whose hidden items are shown again before it closes."""
    windows = []

    def make(*argv: str):
        w = make_window(*argv)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.features["classroom"].set_hidden_items([])


def _row_visible(window, attr: str) -> bool:
    widget = getattr(window.controls, attr)
    form = widget.parentWidget().layout()
    assert isinstance(form, QFormLayout)
    row, _ = form.getWidgetPosition(widget)
    if row < 0:  # inside a row's field layout (Batch)
        row = next(r for r in range(form.rowCount())
                   if form.itemAt(r, QFormLayout.ItemRole.FieldRole).layout() is not None
                   and form.itemAt(r, QFormLayout.ItemRole.FieldRole).layout().indexOf(widget)
                   >= 0)
    return form.isRowVisible(row)


def test_hide_items_round_trip(hwindow):
    w = hwindow()
    c = w.features["classroom"]
    keys_listed = {i.key for i in c.hideable_items()}
    for key in ("control:dataset", "control:lr", "control:batch", "control:momentum",
                "control:speed", "control:buttons", "dock:controls", "dock:loss",
                "dock:boundary", "toolbar:toolbarTraining"):
        assert key in keys_listed

    hidden = ["control:lr", "control:batch", "dock:loss", "toolbar:toolbarTraining",
              "dock:from_a_newer_build"]
    c.set_hidden_items(hidden)
    assert c.hidden_items() == hidden  # unknown names survive a round trip
    assert not _row_visible(w, "lr") and not _row_visible(w, "batch_mode")
    assert _row_visible(w, "momentum")
    assert w.docks["loss"].isHidden()
    assert not w.docks["loss"].toggleViewAction().isVisible()
    assert w.findChild(QToolBar, "toolbarTraining").isHidden()

    # A rebuild re-shows the boundary dock for 2-D data; a hidden one stays hidden.
    c.set_item_hidden("dock:boundary", True)
    assert w.controller.apply_settings(seed=3) is None
    assert w.docks["boundary"].isHidden()

    c.set_hidden_items([])
    assert c.hidden_items() == []
    assert _row_visible(w, "lr") and _row_visible(w, "batch_mode")
    assert not w.docks["loss"].isHidden() and not w.docks["boundary"].isHidden()
    assert not w.findChild(QToolBar, "toolbarTraining").isHidden()


def test_hiding_every_row_of_a_group_hides_the_group(hwindow):
    w = hwindow()
    c = w.features["classroom"]
    group = w.controls.dataset.parentWidget()
    c.set_hidden_items(["control:dataset", "control:noise", "control:test_ratio"])
    assert not group.isHidden()
    c.set_item_hidden("control:features", True)
    assert group.isHidden()
    c.set_item_hidden("control:noise", False)
    assert not group.isHidden() and _row_visible(w, "noise")


def test_hidden_items_rejects_bad_input(hwindow):
    c = hwindow().features["classroom"]
    with pytest.raises(ValueError, match="list of names"):
        c.set_hidden_items("control:lr")
    with pytest.raises(ValueError, match="got 3"):
        c.set_hidden_items([3])
    with pytest.raises(ValueError, match="'lr'"):
        c.set_hidden_items(["lr"])
    assert c.hidden_items() == []


def test_hide_dialog_applies_at_once(hwindow):
    w = hwindow()
    c = w.features["classroom"]
    w.actions_by_name["actionHideForClassroom"].trigger()
    dialog = w.findChild(HideDialog)
    assert dialog.isVisible() and not dialog.isModal()
    dialog.boxes["control:seed"].setChecked(True)
    dialog.boxes["dock:loss"].setChecked(True)
    assert c.hidden_items() == ["control:seed", "dock:loss"]
    assert not _row_visible(w, "seed") and w.docks["loss"].isHidden()
    c.set_hidden_items(["control:init"])
    c.show_hide_dialog()  # refilled from the current state
    assert dialog.boxes["control:init"].isChecked()
    assert not dialog.boxes["control:seed"].isChecked()
    dialog.findChild(QWidget, "showEverythingButton").click()
    assert c.hidden_items() == [] and _row_visible(w, "init")
    dialog.close()
