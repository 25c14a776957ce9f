"""Pace of a lesson: the default speed, auto-stop at convergence, recommended setups with Undo,
the loss axes, L1 and the test-data toggle."""

from __future__ import annotations

import numpy as np

from nnviz.core import Network, Trainer, datasets
from nnviz.core.recommended import LOSS_THRESHOLD, setup_for
from nnviz.gui.controller import DEFAULT_RATE, Settings


def _xor_epochs_to_converge() -> int:
    s = setup_for("xor")
    d = datasets.load_dataset("xor")
    net = Network((2, *s.hidden, 1), activation=s.activation, output=s.output, loss=s.loss,
                  seed=0)
    trainer = Trainer(net, d.X_train, d.Y_train, lr=s.lr, batch_size=s.batch_size, seed=0)
    trainer.run(100_000, converge=(LOSS_THRESHOLD, s.accuracy))
    assert trainer.stop_reason == "converged"
    return trainer.epoch


def test_default_pace_shows_xor_learning_for_at_least_two_seconds(make_window):
    assert Settings().max_rate == DEFAULT_RATE
    assert _xor_epochs_to_converge() / DEFAULT_RATE >= 2.0
    w = make_window(pace=True)
    c = w.controls
    assert c.speed.currentData() == DEFAULT_RATE
    assert c.auto_stop.isChecked()
    assert c.stop_accuracy.value() == 100.0 and c.stop_loss.value() == LOSS_THRESHOLD
    assert c.speed.itemText(c.speed.count() - 1) == "1 epoch / frame"


def test_auto_stop_stops_at_the_convergence_epoch_and_says_so(qtbot, make_window):
    w = make_window("--speed", "max", pace=True)
    c = w.controller
    w.actions_by_name["actionPlay"].trigger()
    qtbot.waitUntil(lambda: not c.playing, timeout=20_000)
    qtbot.waitUntil(lambda: c.last_snapshot is not None and not c.last_snapshot.running,
                    timeout=5000)
    n = _xor_epochs_to_converge()
    assert c.trainer.epoch == n == c.converged_at
    assert f"converged at epoch {n:,}" in w.status_label.text()
    assert f"Converged at epoch {n:,}" in w.statusBar().currentMessage()
    # Play again trains on: it does not stop at once on the epoch already converged
    w.actions_by_name["actionPlay"].trigger()
    qtbot.waitUntil(lambda: c.last_snapshot.epoch > n + 100, timeout=20_000)
    w.actions_by_name["actionPlay"].trigger()
    qtbot.waitUntil(lambda: not c.last_snapshot.running, timeout=5000)  # the final snapshot
    assert c.converged_at is None and "converged" not in w.status_label.text()


def test_stop_rule_fields_edit_the_rule_and_bad_values_change_nothing(make_window):
    w = make_window(pace=True)
    c, ctl = w.controller, w.controls
    ctl.stop_loss.setValue(0.01)
    ctl.stop_accuracy.setValue(90.0)
    assert (c.stop_rule.loss_threshold, c.stop_rule.accuracy) == (0.01, 0.9)
    ctl.auto_stop.setChecked(False)
    assert c.stop_rule.as_converge() is None
    assert c.set_stop_rule(loss_threshold=-1.0) is not None
    assert c.set_stop_rule(accuracy=1.5) is not None
    assert (c.stop_rule.loss_threshold, c.stop_rule.accuracy) == (0.01, 0.9)


def _choose(w, name: str) -> None:
    combo = w.controls.dataset
    combo.setCurrentText(name)
    combo.activated.emit(combo.currentIndex())


def test_switching_data_sets_applies_the_recommended_setup_with_undo(make_window):
    w = make_window(pace=True)
    c, ctl = w.controller, w.controls
    _choose(w, "checkerboard")
    s = setup_for("checkerboard")
    assert c.net.sizes == (2, *s.hidden, 1)
    assert (c.settings.activation, c.settings.output, c.settings.loss) == \
        (s.activation, s.output, s.loss)
    assert (c.settings.lr, c.trainer.batch_size) == (s.lr, s.batch_size)
    assert c.stop_rule.accuracy == s.accuracy and ctl.stop_accuracy.value() == 97.0
    assert not ctl.setup_notice.isHidden() and "Recommended setup" in ctl.setup_notice.text()
    assert ctl.hidden.text() == ",".join(map(str, s.hidden))
    ctl.undo_setup.click()
    assert c.dataset.name == "checkerboard"  # Undo keeps the data, puts the settings back
    assert c.net.sizes == (2, 4, 1) and c.settings.activation == "sigmoid"
    assert c.stop_rule.accuracy == 1.0
    assert ctl.setup_notice.isHidden()
    _choose(w, "iris")
    assert (c.settings.output, c.settings.loss) == ("softmax", "cross_entropy")


def test_l1_control_reaches_the_trainer(make_window):
    w = make_window()
    w.controls.l1.setValue(0.001)
    assert w.controller.trainer.l1 == 0.001 == w.controller.settings.l1


def test_show_test_data_hides_the_test_points_and_curve(qtbot, make_window):
    w = make_window("--dataset", "circles", "--test-ratio", "0.3")
    w.controller.step_epoch(3)
    qtbot.waitUntil(lambda: w.controller.last_snapshot is not None, timeout=5000)
    w.loss_plot.refresh(force=True)
    assert w.boundary_view.test_scatter.isVisible()
    assert w.loss_plot.test_curve.isVisible()
    w.controls.show_test.setChecked(False)
    assert not w.boundary_view.test_scatter.isVisible()
    assert not w.loss_plot.test_curve.isVisible()
    w.controls.show_test.setChecked(True)
    assert w.boundary_view.test_scatter.isVisible() and w.loss_plot.test_curve.isVisible()


def test_loss_axes_start_at_zero_and_turn_log_over_decades(make_window):
    w = make_window()
    plot = w.loss_plot
    e = np.arange(1, 51, dtype=float)
    plot.set_history(e, 0.125 - 0.005 * e / 50)
    assert not plot.log_x
    assert plot._anchor_at[2] <= 0.0  # y starts at 0: a plateau does not look like a cliff
    e = np.arange(1, 5001, dtype=float)
    plot.set_history(e, 1.0 / e)
    assert plot.log_x and plot.log_x_checkbox.isChecked()
    plot.log_x_checkbox.click()  # the user's choice holds from now on
    assert not plot.log_x
    plot.set_history(np.arange(1, 10_001, dtype=float), np.ones(10_000))
    assert not plot.log_x
