"""The CSV dialog's column list: the one owner of which columns are features."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from nnviz.gui.csv_columns import FeatureColumns

CHECK = Qt.ItemDataRole.CheckStateRole


def test_the_target_is_never_a_feature_and_cannot_be_ticked(qtbot):
    model = FeatureColumns()
    model.set_columns(["a", "b", "y"], np.ones(3, bool), target=2)
    assert model.features() == [0, 1] and model.rowCount() == 3
    assert model.data(model.index(2), CHECK) == Qt.CheckState.Unchecked
    assert not model.flags(model.index(2)) & Qt.ItemFlag.ItemIsEnabled
    assert model.data(model.index(2), Qt.ItemDataRole.ToolTipRole) == "the target"
    model.set_target(0)
    assert model.features() == [1, 2]


def test_a_tick_changes_the_features_and_says_so(qtbot):
    model = FeatureColumns()
    model.set_columns(["a", "b", "y"], np.ones(3, bool), target=2)
    with qtbot.waitSignal(model.toggled, timeout=1000):
        assert model.setData(model.index(0), Qt.CheckState.Unchecked, CHECK)
    assert model.features() == [1]
    assert not model.setData(model.index(0), "x", Qt.ItemDataRole.EditRole)
    model.set_checked(np.array([True, True, False]))
    assert model.features() == [0, 1]
