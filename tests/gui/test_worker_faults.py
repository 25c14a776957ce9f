"""The training worker under faults and long epochs (README: Limits and failures).

Faults are injected by monkeypatching Trainer.run; long epochs come from a slow-slice fixture
(every slice of a sliced full-batch epoch is made slow), so nothing here depends on the speed
of the machine: the assertions count slices and epochs, never time, except for lock waits
checked with bounds far above the slice time.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from nnviz.core import trainer as trainer_module
from nnviz.core.datasets import Dataset
from nnviz.core.trainer import Trainer


def action(window, name):
    return window.actions_by_name[name]


def test_an_error_inside_trainer_run_pauses_keeps_finite_weights_and_is_told(
        qtbot, make_window, monkeypatch):
    w = make_window()
    c = w.controller
    real_run = Trainer.run
    calls = 0

    def failing_run(self, epochs, **kwargs):
        nonlocal calls
        calls += 1
        if calls < 5:
            return real_run(self, epochs, **kwargs)
        real_run(self, 1, **kwargs)
        self.net.params[:] = np.nan  # half-way through an update, say
        raise MemoryError("injected")

    monkeypatch.setattr(Trainer, "run", failing_run)
    with qtbot.waitSignal(c.errorOccurred, timeout=10_000) as blocker:
        action(w, "actionPlay").trigger()
    message = blocker.args[0]
    assert "MemoryError: injected" in message and "learning rate" not in message
    qtbot.waitUntil(lambda: not c.playing)
    assert action(w, "actionPlay").text() == "Play"
    assert "MemoryError" in w.statusBar().currentMessage()
    assert "MemoryError: injected" in w.status_label.text()  # what the status bar shows
    box = w.findChild(QMessageBox, "errorDialog")
    assert box is not None and "MemoryError" in box.text()
    assert np.all(np.isfinite(c.net.params))
    assert np.array_equal(c.display_net.params, c.net.params)
    stopped_at = c.last_snapshot.epoch
    assert c.trainer.epoch == stopped_at and len(c.trainer.history) == stopped_at

    # Play trains on once the fault is gone; Reset goes back to the seeded start.
    monkeypatch.setattr(Trainer, "run", real_run)
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: c.last_snapshot is not None
                    and c.last_snapshot.epoch > stopped_at + 10, timeout=10_000)
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: not c.last_snapshot.running, timeout=5000)
    action(w, "actionReset").trigger()
    assert c.trainer.epoch == 0
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        action(w, "actionStepEpoch").trigger()
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch == 1)


def test_an_error_in_a_single_step_is_told_too(qtbot, make_window, monkeypatch):
    w = make_window()
    c = w.controller

    def broken(self, epochs, **kwargs):
        raise RuntimeError("kernel fault")

    monkeypatch.setattr(Trainer, "run", broken)
    with qtbot.waitSignal(c.errorOccurred, timeout=5000) as blocker:
        action(w, "actionStepEpoch").trigger()
    assert "RuntimeError: kernel fault" in blocker.args[0]
    assert not c.playing and c.trainer.epoch == 0


def test_nan_in_loaded_data_is_a_data_problem_not_divergence(make_window):
    w = make_window()
    c = w.controller
    X = np.zeros((20, 2))
    X[16, 1] = np.nan
    Y = (np.arange(20) % 2).astype(float)[:, None]
    data = Dataset("bad", X, Y, np.zeros((0, 2)), np.zeros((0, 1)), ("a", "b"), ("0", "1"),
                   "bad data")
    before = c.net
    error = c.load_csv_dataset(data)
    assert error is not None and "input column 2 has NaN at row 17" in error
    assert "smaller learning rate" not in error
    assert c.net is before  # state intact


# ---- long epochs ------------------------------------------------------------------------------
SLICES_PER_EPOCH = 400


@pytest.fixture
def slow_epochs(monkeypatch):
    """Every epoch becomes SLICES_PER_EPOCH slices (full batch: one row each; mini-batch and
    online: one batch each), each slice slowed down (a stand-in for a 1.5M-row epoch); counts
    the slices done."""
    done = {"slices": 0}

    def slowed(real):
        def slow(self):
            parts = real(self)
            try:
                while True:
                    time.sleep(0.005)  # the slow step itself, in the worker; tests never sleep
                    next(parts)
                    done["slices"] += 1
                    yield
            except StopIteration as stop:
                return stop.value
        return slow

    monkeypatch.setattr(trainer_module, "slice_rows", lambda sizes, n: 1)
    monkeypatch.setattr(trainer_module, "SLICE_FLOPS", 1)
    monkeypatch.setattr(Trainer, "_long_batched_epoch", lambda self: True)
    monkeypatch.setattr(Trainer, "_sliced_epoch", slowed(Trainer._sliced_epoch))
    monkeypatch.setattr(Trainer, "_batched_epoch_parts", slowed(Trainer._batched_epoch_parts))
    return done


def _long_epoch_window(make_window):
    w = make_window()
    assert w.controller.apply_settings(dataset="checkerboard", n_points=SLICES_PER_EPOCH,
                                       hidden=(8,)) is None
    return w


def _lock_wait(c) -> float:
    t0 = time.perf_counter()
    with c.worker.lock:
        pass
    return time.perf_counter() - t0


@pytest.mark.parametrize("batch", [None, 1, 2])
def test_pause_and_reset_answer_in_the_middle_of_a_long_epoch(qtbot, make_window, slow_epochs,
                                                              batch):
    w = _long_epoch_window(make_window)
    c = w.controller
    assert c.set_batch_size(batch) is None
    assert c.trainer._slice_rows == 1 and len(c.trainer.X) >= SLICES_PER_EPOCH - 1
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: slow_epochs["slices"] >= 5, timeout=10_000)
    # The GUI thread gets the lock between slices (generous bound: a slice is ~5 ms).
    assert max(_lock_wait(c) for _ in range(5)) < 0.5
    action(w, "actionPlay").trigger()  # pause
    qtbot.waitUntil(lambda: c.last_snapshot is not None and not c.last_snapshot.running,
                    timeout=5000)
    assert c.trainer.epoch == 0  # paused inside the first epoch, not after it
    paused_at = slow_epochs["slices"]
    assert paused_at < SLICES_PER_EPOCH
    assert c.trainer._pending is not None

    # Play goes on with the same epoch, Reset drops it at once.
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: slow_epochs["slices"] >= paused_at + 3, timeout=10_000)
    action(w, "actionReset").trigger()
    assert c.trainer.epoch == 0 and c.trainer._pending is None
    assert slow_epochs["slices"] < 2 * SLICES_PER_EPOCH
    assert c.playing  # a reset while training trains on from the new start
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: not c.worker.playing, timeout=5000)


def test_step_epoch_finishes_the_long_epoch_in_slices(qtbot, make_window, slow_epochs):
    w = _long_epoch_window(make_window)
    c = w.controller
    start = slow_epochs["slices"]
    with qtbot.waitSignal(c.metricsChanged, timeout=60_000):
        action(w, "actionStepEpoch").trigger()
        qtbot.waitUntil(lambda: slow_epochs["slices"] >= start + 5, timeout=10_000)
        assert _lock_wait(c) < 0.5  # the GUI is not shut out while the step runs
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch == 1,
                    timeout=60_000)
    assert c.trainer.epoch == 1


def test_closing_during_a_long_epoch_stops_the_worker_cleanly(qtbot, make_window, slow_epochs):
    from nnviz.gui.worker import WorkerThread

    w = _long_epoch_window(make_window)
    c = w.controller
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: slow_epochs["slices"] >= 5, timeout=10_000)
    thread = c._worker.thread
    w.close()
    assert not thread.isRunning()
    assert slow_epochs["slices"] < SLICES_PER_EPOCH  # it did not wait for the epoch's end
    assert all(not t.thread.isRunning() for t in WorkerThread.instances)
    assert threading.active_count() >= 1


def test_a_speed_cap_counts_epochs_not_the_slices_of_a_long_one(qtbot, make_window, slow_epochs):
    w = _long_epoch_window(make_window)
    c = w.controller
    c.set_max_rate(0.5)  # one epoch every 2 s; a slice must not wait that long
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: slow_epochs["slices"] >= 20, timeout=15_000)
    action(w, "actionPlay").trigger()
    qtbot.waitUntil(lambda: not c.worker.playing, timeout=5000)
