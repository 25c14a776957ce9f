"""One counter: the trainer's epoch is the stepper's; one sample selection."""

from __future__ import annotations

import numpy as np


def _panel(w):
    return w.features["step_panel"]


def _trigger(w, name, times=1):
    for _ in range(times):
        w.actions_by_name[name].trigger()


def test_stepping_advances_the_status_bar_epoch(make_window):
    w = make_window()
    c = w.controller
    _trigger(w, "actionStepNext")
    assert "Epoch 0" in w.status_label.text() and "stepping epoch 1, sample" in \
        w.status_label.text()
    _trigger(w, "actionStepNextSample", 4)  # the rest of the first sample and three more
    assert c.trainer.epoch == 1
    assert "Epoch 1" in w.status_label.text()
    assert "next step: epoch 2, sample" in w.status_label.text()


def test_after_n_trained_epochs_stepping_continues_in_epoch_n_plus_1(qtbot, make_window):
    w = make_window()
    c, p = w.controller, _panel(w)
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        c.step_epoch(1500)
    qtbot.waitUntil(lambda: c.last_snapshot.epoch == 1500, timeout=10_000)
    assert "Epoch 1,500" in w.status_label.text()
    rec = p.next_phase()
    assert rec.epoch == 1500  # 0-based: the 1,501st epoch
    assert "epoch 1,501" in p.header_text()
    assert "stepping epoch 1,501" in w.status_label.text()
    # stepping to the end of that epoch moves the trainer's count, and Play goes on from there
    _trigger(w, "actionRunToEpochEnd")
    assert c.trainer.epoch == 1501 and "Epoch 1,501" in w.status_label.text()
    stepped = c.net.params.copy()
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        c.step_epoch(1)
    qtbot.waitUntil(lambda: c.last_snapshot.epoch == 1502, timeout=5000)
    assert not np.array_equal(c.net.params, stepped)
    assert "Epoch 1,502" in w.status_label.text()
    assert "stepping" not in w.status_label.text()


def test_one_sample_selection_for_the_controls_and_the_picker(make_window):
    w = make_window()
    c, p, spin = w.controller, _panel(w), w.controls.sample
    assert p.pick_sample(2)
    assert c.selected_sample == 2 and spin.value() == 3  # picked in the Step dock
    _trigger(w, "actionStepNext")
    assert p.stepper.position.sample == 2 and spin.value() == 3
    _trigger(w, "actionStepNextSample")  # finish it: at a boundary now
    spin.setValue(2)  # the controls' field picks the next sample while stepping
    assert c.selected_sample == 1
    assert p.stepper.next_sample == 1
    rec = p.next_phase()
    assert rec.sample == 1 and spin.value() == 2
