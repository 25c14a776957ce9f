"""The runs table's model: one row per run, read from the result arrays, sorted with NumPy."""

import math

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from nnviz.core import datasets
from nnviz.core.convergence import ConvergenceConfig, run_convergence
from nnviz.gui.convergence.run_table import RunTableModel
from nnviz.gui.convergence.text import DIAGNOSIS_HELP


def _model_with_two_configs():
    X, Y = datasets.load("xor")
    results = [
        run_convergence(ConvergenceConfig((2, 4, 1), runs=12, epochs=3000, seed=3), X, Y),
        run_convergence(ConvergenceConfig((2, 2, 1), init="small", runs=5, epochs=500), X, Y),
    ]
    model = RunTableModel()
    model.labels = ["xavier", "small"]
    for i, res in enumerate(results):
        model.add_result(i, res)
    return model, results


def test_rows_show_every_run_of_every_configuration(qapp):
    model, (a, b) = _model_with_two_configs()
    assert model.rowCount() == 17 and model.columnCount() == len(RunTableModel.COLUMNS)
    assert [model.run_at(r) for r in (0, 11, 12, 16)] == [(0, 0), (0, 11), (1, 0), (1, 4)]
    assert model.row_of(1, 2) == 14
    text = [[model.data(model.index(row, c)) for c in range(7)] for row in range(17)]
    assert text[0][:3] == ["xavier", "0", "3"]  # label, run, seed = config seed + run
    for row, (ci, r) in enumerate(model.run_at(i) for i in range(17)):
        res = (a, b)[ci]
        if res.converged[r]:
            assert text[row][3] == f"{int(res.epochs[r]):,}" and text[row][4] == ""
        else:
            assert text[row][3] == "—" and text[row][4] == (res.diagnosis[r] or "still falling")
        assert text[row][5] == (f"{res.final_loss[r]:.4g}" if math.isfinite(res.final_loss[r])
                                else "—")
    diag = model.index(model.row_of(1, 0), RunTableModel.DIAGNOSIS_COLUMN)
    assert model.data(diag, Qt.ItemDataRole.ToolTipRole) == \
        DIAGNOSIS_HELP["symmetric hidden units"]
    with pytest.raises(KeyError, match="no run 9 of configuration 1"):
        model.row_of(1, 9)


def test_sorting_keeps_not_converged_runs_last_and_colours_follow_configurations(qapp):
    model, (a, _) = _model_with_two_configs()
    model.sort(3, Qt.SortOrder.AscendingOrder)
    rows = [model.run_at(r) for r in range(model.rowCount())]
    epochs = [int(a.epochs[r]) for ci, r in rows if ci == 0 and a.converged[r]]
    n_conv = len(epochs)
    assert n_conv and epochs == sorted(epochs)
    assert all(model.data(model.index(r, 3)) != "—" for r in range(n_conv))
    assert all(model.data(model.index(r, 3)) == "—" for r in range(n_conv, len(rows)))
    model.sort(2, Qt.SortOrder.DescendingOrder)  # seeds: config 0 has 3..14, config 1 0..4
    seeds = [int(model.data(model.index(r, 2))) for r in range(model.rowCount())]
    assert seeds == sorted(seeds, reverse=True)
    model.set_colours([QColor("#000000"), QColor("#ffffff")])
    row = model.row_of(1, 0)
    assert model.data(model.index(row, 0), Qt.ItemDataRole.DecorationRole) == QColor("#ffffff")
    model.clear()
    assert model.rowCount() == 0
