"""The Convergence dock: runs in its own thread, fills plots/tables, cancels, opens runs."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.core.convergence import run_convergence
from nnviz.gui import main_window
from nnviz.gui.convergence.panel import ConvergencePanel
from nnviz.gui.convergence.run_table import RunTableModel
from nnviz.gui.convergence.text import diagnosis_name


@pytest.fixture(autouse=True)
def only_this_feature(monkeypatch):
    """The window with just this feature: other features' work in progress cannot break these
    tests (the main window's own tests cover them together)."""
    monkeypatch.setattr(main_window, "FEATURES", ("nnviz.gui.convergence",))


@pytest.fixture(autouse=True)
def no_convergence_thread_left():
    """The shared fixture checks the training worker only; this checks the explorer's thread."""
    yield
    running = [p for p in list(ConvergencePanel.instances) if _alive(p)]
    for p in running:
        p.shutdown()
    assert not running, f"{len(running)} convergence thread(s) left running"


def _alive(panel) -> bool:
    try:
        return panel.thread.isRunning()
    except RuntimeError:  # panel already deleted with its window; its thread was stopped
        return False


def panel_of(window) -> ConvergencePanel:
    return window.features["convergence"]


def configure(panel, layers="2,2,1; 2,4,1", runs=40, epochs=2000, inits=("xavier",), seed=0):
    panel.form.layers_edit.setText(layers)
    for name, box in panel.form.init_boxes.items():
        box.setChecked(name in inits)
    panel.form.runs_spin.setValue(runs)
    panel.form.epochs_spin.setValue(epochs)
    panel.form.seed_spin.setValue(seed)


def run_to_end(qtbot, panel, timeout=15_000):
    with qtbot.waitSignal(panel.runFinished, timeout=timeout):
        assert panel.start() is None
    assert not panel.thread.isRunning()
    assert not panel.running


def start_long_run(qtbot, panel):
    """A job far too long to finish during a test (small-init runs never converge, so none
    drops out early); returns once progress has arrived."""
    configure(panel, layers="2,4,1", runs=200, epochs=5_000_000, inits=("small",))
    assert panel.start() is None
    assert panel.running and panel.thread.isRunning()
    qtbot.waitUntil(lambda: 0 in panel._live, timeout=10_000)  # noqa: SLF001


# ---- in the window ---------------------------------------------------------------------------
def test_action_shows_the_dock_floating_and_menu_has_it(qtbot, make_window):
    w = make_window()
    dock = w.docks["convergence"]
    assert not dock.isVisible()
    action = w.actions_by_name["actionConvergence"]
    assert action.shortcut().toString() == "Ctrl+K"
    assert action in w.menus["view"].actions()
    action.trigger()
    assert dock.isVisible() and dock.isFloating()
    assert dock.widget() is panel_of(w)
    # prefilled from the main window
    p = panel_of(w)
    assert p.form.layers_edit.text() == "2,4,1"
    assert p.form.selected_inits() == ["xavier"]
    assert p.form.lr_edit.text() == "0.5"


def test_run_fills_curves_histogram_summary_and_table(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    configure(p)
    run_to_end(qtbot, p)
    c = w.controller
    assert sorted(p.results) == [0, 1]
    assert p._live  # noqa: SLF001  (live progress arrived while it ran)
    # the worker trained exactly what the core trains for these configurations
    for i, cfg in enumerate(p._job.configs):  # noqa: SLF001
        direct = run_convergence(cfg, c.dataset.X_train, c.dataset.Y_train)
        assert np.array_equal(p.results[i].epochs, direct.epochs)
        assert p.results[i].diagnosis == direct.diagnosis
    assert p.model.rowCount() == 80
    assert p.summary.rowCount() == 2
    lines = p.summary_lines()
    assert len(lines) == 2 and lines[0].startswith("2-2-1 sigmoid xavier lr=0.5: ")
    assert "% converged (" in lines[1]
    k = int(p.results[1].converged.sum())
    assert p.summary.item(1, 1).text() == f"{100 * k / 40:.0f}% ({k}/40)"
    assert k > 0 and p.summary.item(1, 2).text() != "—"
    # one persistent curve per configuration, ending at the last epoch at the final fraction
    assert len(p.plots.curves) == 2 and len(p.plots.hists) == 2
    for i, curve in enumerate(p.plots.curves):
        x, y = curve.getData()
        assert x[-1] == 2000
        assert y[-1] == pytest.approx(100 * p.results[i].fraction_converged)
        assert np.all(np.diff(y) >= 0)
        hx, hy = p.plots.hists[i].getData()
        assert hy.sum() == p.results[i].converged.sum()
    assert p.progress_bar.value() == p.progress_bar.maximum()
    assert "Done" in p.status.text()


def test_runs_table_sorts_by_column(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    configure(p, layers="2,2,1", runs=30, epochs=1500)
    run_to_end(qtbot, p)
    m = p.model
    res = p.results[0]
    p.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # converged at
    runs = [m.run_at(row)[1] for row in range(m.rowCount())]
    conv = [r for r in runs if res.converged[r]]
    assert runs[: len(conv)] == conv  # not converged last
    assert list(res.epochs[conv]) == sorted(res.epochs[conv])
    assert m.data(m.index(m.rowCount() - 1, 3)) == "—"
    p.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert [m.run_at(row)[1] for row in range(3)] == [29, 28, 27]
    assert m.data(m.index(0, 2)) == "29"  # seed column


def test_cancel_stops_the_thread_and_the_panel_stays_usable(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    start_long_run(qtbot, p)
    assert p.cancel_button.isEnabled() and not p.start_button.isEnabled()
    qtbot.mouseClick(p.cancel_button, Qt.MouseButton.LeftButton)
    assert not p.thread.isRunning()
    assert not p.running
    assert p.start_button.isEnabled() and not p.cancel_button.isEnabled()
    # the cancelled configuration's partial result still arrives, marked cancelled
    qtbot.waitUntil(lambda: 0 in p.results, timeout=5000)
    assert p.results[0].cancelled
    assert "cancelled at epoch" in p.summary_lines()[0]
    configure(p, layers="2,2,1", runs=10, epochs=500)
    run_to_end(qtbot, p)
    assert p.model.rowCount() == 10


def test_closing_the_window_during_a_run_stops_the_thread(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    start_long_run(qtbot, p)
    thread = p.thread
    w.close()
    assert not thread.isRunning()


def test_double_click_loads_the_runs_initial_weights(qtbot, make_window):
    w = make_window()
    c = w.controller
    p = panel_of(w)
    configure(p, seed=3)
    run_to_end(qtbot, p)
    cfg = p.results[1].config
    X, Y = c.dataset.X_train.copy(), c.dataset.Y_train.copy()
    c.apply_settings(hidden=(7,), seed=99)  # the main window has moved on meanwhile
    w.actions_by_name["actionConvergence"].trigger()
    qtbot.waitExposed(p.table)
    row = p.model.row_of(1, 17)
    index = p.model.index(row, 0)
    p.table.scrollTo(index)
    pos = p.table.visualRect(index).center()
    # a view only takes a double click on the item the first click pressed
    qtbot.mouseClick(p.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    with qtbot.waitSignal(p.runLoaded, timeout=2000) as blocker:
        qtbot.mouseDClick(p.table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == [1, 17]
    assert c.net.sizes == (2, 4, 1)
    assert np.array_equal(c.net.params, cfg.network(17).params)
    assert np.array_equal(c.display_net.params, c.net.params)
    assert c.settings.seed == 20 and c.trainer.epoch == 0
    r = p.results[1].run(17)
    outcome = (f"converged at epoch {r.epochs_to_converge:,}" if r.converged
               else f"not converged: {diagnosis_name(r.diagnosis)}")
    assert w.statusBar().currentMessage() == f"Loaded run 17 (seed 20): {outcome}"
    # stepping in the main window retraces the run alone
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        c.step_epoch(5)
    alone = cfg.trainer(17, X, Y)
    alone.run(5)
    with c.worker.lock:
        assert c.trainer.epoch == 5
        np.testing.assert_allclose(c.trainer.history.train_loss, alone.history.train_loss,
                                   rtol=0, atol=1e-12)
        np.testing.assert_allclose(c.net.params, alone.net.params, rtol=0, atol=1e-12)


def test_loaded_minibatch_run_follows_the_explorers_batch_order(qtbot, make_window):
    w = make_window("--dataset", "circles", "--batch", "8")
    c = w.controller
    p = panel_of(w)
    configure(p, layers="2,3,1", runs=6, epochs=200, seed=4)
    run_to_end(qtbot, p)
    cfg = p.results[0].config
    assert cfg.batch_size == 8
    X, Y = c.dataset.X_train.copy(), c.dataset.Y_train.copy()
    c.apply_settings(dataset="xor", batch_size=None)
    assert p.load_run(0, 5) is None
    assert c.settings.dataset == "circles" and np.array_equal(c.dataset.X_train, X)
    assert np.array_equal(c.net.params, cfg.network(5).params)
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        c.step_epoch(3)
    alone = cfg.trainer(5, X, Y)
    alone.run(3)
    with c.worker.lock:
        np.testing.assert_allclose(c.trainer.history.train_loss, alone.history.train_loss,
                                   rtol=0, atol=1e-12)


def test_symmetric_start_preset_names_the_stuck_runs(qtbot, make_window):
    w = make_window("--dataset", "circles")
    p = panel_of(w)
    assert p.apply_preset("symmetric start", start=False) is None
    assert w.controller.settings.dataset == "xor"
    assert p.form.layers_edit.text() == "2,2,1; 2,4,1"
    assert p.form.selected_inits() == ["xavier", "small"]
    assert p.form.epochs_spin.value() == 5000
    p.form.runs_spin.setValue(40)
    run_to_end(qtbot, p)
    labels = [p.summary.item(i, 0).text() for i in range(p.summary.rowCount())]
    assert labels == ["2-2-1 xavier", "2-2-1 small", "2-4-1 xavier", "2-4-1 small"]
    for i in (1, 3):  # small init: none converges, every run is named
        assert p.summary.item(i, 1).text() == "0% (0/40)"
        assert p.summary.item(i, 4).text() == "40 symmetric hidden units"
        assert "not converged: symmetric hidden units 40" in p.summary_lines()[i]
    assert p.results[2].fraction_converged > 0.5  # the same 2-4-1 with xavier learns
    m = p.model
    diag = {m.data(m.index(row, RunTableModel.DIAGNOSIS_COLUMN))
            for row in range(m.rowCount()) if m.run_at(row)[0] == 3}
    assert diag == {"symmetric hidden units"}
    assert p.load_run(3, 0) is None
    assert w.statusBar().currentMessage() == \
        "Loaded run 0 (seed 0): not converged: symmetric hidden units"
    assert w.controller.settings.init == "small"


def test_bad_form_shows_the_problem_and_starts_nothing(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    p.form.layers_edit.setText("2,x,1")
    error = p.start()
    assert error and "'2,x,1'" in error
    assert "Not started" in p.status.text() and "2,x,1" in p.status.text()
    assert not p.thread.isRunning() and not p.running
    configure(p, layers="2;3;4", inits=("xavier", "small", "he"))
    p.form.lr_edit.setText("0.5")
    assert "at most 8" in p.start()
    p.form.lr_edit.setText("0")
    assert "learning rate" in p.start()


def test_scale_and_palette(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    before = p.font().pointSizeF()
    p.set_scale(1.6)
    assert p.font().pointSizeF() == pytest.approx(before * 1.6, rel=0.02)
    assert p.form.runs_spin.font().pointSizeF() == pytest.approx(before * 1.6, rel=0.02)
    with pytest.raises(ValueError, match="scale factor"):
        p.set_scale(0)
    p.set_palette_mode(True)
    assert p.plots.fraction_plot.backgroundBrush().color().lightness() < 60
    p.set_palette_mode(False)
    assert p.plots.fraction_plot.backgroundBrush().color().lightness() > 200
