"""The main window driven through its actions, as a keyboard or a script would."""

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnviz.core import Network


def action(window, name):
    return window.actions_by_name[name]


def wait_epoch(qtbot, window, at_least, timeout=10_000):
    c = window.controller
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch >= at_least,
                    timeout=timeout)


def pause_and_settle(qtbot, window):
    c = window.controller
    assert c.playing
    action(window, "actionPlay").trigger()  # pauses: the worker then sends a final snapshot
    assert not c.playing
    qtbot.waitUntil(lambda: not c.last_snapshot.running, timeout=5000)


def test_opens_on_xor_with_status_and_actions(make_window):
    w = make_window()
    c = w.controller
    assert c.dataset.name == "xor"
    assert c.net.sizes == (2, 4, 1)
    assert "Epoch 0" in w.status_label.text()
    for name in ("actionPlay", "actionStepEpoch", "actionReset"):
        a = action(w, name)
        assert a.objectName() == name
        assert not a.shortcut().isEmpty()
    assert action(w, "actionPlay").shortcut().toString() == "Space"
    assert action(w, "actionStepEpoch").shortcut().toString() == "E"
    assert action(w, "actionReset").shortcut().toString() == "R"


def test_play_then_pause_trains_and_loss_drops(qtbot, make_window):
    w = make_window("--dataset", "xor", "--lr", "2")
    c = w.controller
    first = c.net.loss(c.dataset.X_train, c.dataset.Y_train)
    action(w, "actionPlay").trigger()
    assert c.playing
    wait_epoch(qtbot, w, 2000)
    pause_and_settle(qtbot, w)
    snap = c.last_snapshot
    assert snap.epoch >= 2000 and not snap.running
    assert snap.train_loss.size == 0 or np.all(np.isfinite(snap.train_loss))
    assert c.trainer.history.train_loss[-1] < first
    assert "Epoch" in w.status_label.text()
    assert f"{snap.epoch:,}" in w.status_label.text()
    # the views show the snapshot's parameters, not something else
    assert np.array_equal(c.display_net.params, snap.params)


def test_step_epoch_increments_by_exactly_one(qtbot, make_window):
    w = make_window()
    c = w.controller
    for expected in (1, 2, 3):
        with qtbot.waitSignal(c.metricsChanged, timeout=5000):
            action(w, "actionStepEpoch").trigger()
        assert c.last_snapshot.epoch == expected
        assert c.trainer.epoch == expected
    assert "Epoch 3" in w.status_label.text()


def test_keyboard_shortcuts_drive_the_window(qtbot, make_window):
    w = make_window()
    c = w.controller
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.network_view.setFocus()
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        qtbot.keyClick(w.network_view, Qt.Key.Key_E)
    assert c.trainer.epoch == 1
    qtbot.keyClick(w.network_view, Qt.Key.Key_Space)
    assert c.playing
    qtbot.keyClick(w.network_view, Qt.Key.Key_Space)
    assert not c.playing
    qtbot.waitUntil(lambda: not c.last_snapshot.running, timeout=5000)
    qtbot.keyClick(w.network_view, Qt.Key.Key_R)
    assert c.trainer.epoch == 0


def test_reset_restores_seeded_initial_weights(qtbot, make_window):
    w = make_window("--seed", "3")
    c = w.controller
    fresh = Network(c.net.sizes, activation="sigmoid", seed=3)
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        c.step_epoch(50)
    assert not np.array_equal(c.net.params, fresh.params)
    action(w, "actionReset").trigger()
    assert c.trainer.epoch == 0
    assert len(c.trainer.history) == 0
    assert np.array_equal(c.net.params, fresh.params)
    assert np.array_equal(c.display_net.params, fresh.params)


def test_reset_keeps_the_points_and_gives_the_new_network_the_plane(qtbot, make_window,
                                                                    monkeypatch):
    """A reset trains the same data again: the boundary view keeps its points (re-sending a
    large data set took a quarter second per million points), but the worker's plane probe
    follows the new network, so the map keeps updating."""
    w = make_window("--dataset", "circles")
    c = w.controller
    sent = []
    monkeypatch.setattr(w.boundary_view, "set_data", lambda *a, **k: sent.append(a))
    probes = []
    real_probe = c.worker.set_probe
    monkeypatch.setattr(c.worker, "set_probe", lambda *a: (probes.append(a), real_probe(*a)))
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        c.step_epoch(20)
    action(w, "actionReset").trigger()
    assert sent == [] and probes and probes[-1][0] is not None
    assert c.trainer.epoch == 0
    # A new data set (not a reset) is sent to the view.
    assert c.apply_settings(n_points=150) is None
    assert len(sent) == 1 and len(sent[0][0]) == len(c.dataset.plane_points()[0])


def test_live_learning_rate_change_keeps_training(qtbot, make_window):
    w = make_window()
    c = w.controller
    action(w, "actionPlay").trigger()
    wait_epoch(qtbot, w, 200)
    gen = c.generation
    w.controls.lr.setValue(1.25)
    assert c.trainer.lr == pytest.approx(1.25)
    assert c.generation == gen  # no reset
    epoch = c.last_snapshot.epoch
    wait_epoch(qtbot, w, epoch + 200)
    pause_and_settle(qtbot, w)
    assert c.trainer.epoch > epoch


def test_invalid_layer_spec_marks_field_and_keeps_network(qtbot, make_window):
    w = make_window()
    c = w.controller
    params, sizes = c.net.params.copy(), c.net.sizes
    field = w.controls.hidden
    field.setText("4,,x")
    field.editingFinished.emit()
    assert field.property("invalid") is True
    assert "empty" in field.toolTip() or "number" in field.toolTip()
    assert c.net.sizes == sizes and np.array_equal(c.net.params, params)
    field.setText("8,8")
    field.editingFinished.emit()
    assert not field.property("invalid")
    assert c.net.sizes == (2, 8, 8, 1)


def test_divergence_pauses_keeps_finite_weights_and_says_so(qtbot, make_window):
    w = make_window("--dataset", "xor", "--activation", "relu", "--output", "linear",
                    "--lr", "1000000")
    c = w.controller
    with qtbot.waitSignal(c.errorOccurred, timeout=10_000) as blocker:
        action(w, "actionPlay").trigger()
    message = blocker.args[0]
    assert "diverged" in message and "learning rate" in message
    qtbot.waitUntil(lambda: not c.playing)
    assert np.all(np.isfinite(c.net.params))
    assert np.all(np.isfinite(c.display_net.params))
    assert "diverged" in w.statusBar().currentMessage()


def test_close_while_training_stops_thread(qtbot, make_window):
    from nnviz.gui.worker import WorkerThread

    w = make_window("--dataset", "checkerboard", "--layers", "16,16")
    c = w.controller
    action(w, "actionPlay").trigger()
    wait_epoch(qtbot, w, 10)
    thread = c._worker.thread
    w.close()
    assert not thread.isRunning()
    assert all(not t.thread.isRunning() for t in WorkerThread.instances)


def test_switching_data_sets_while_training(qtbot, make_window):
    w = make_window()
    c = w.controller
    action(w, "actionPlay").trigger()
    wait_epoch(qtbot, w, 100)
    old_gen = c.generation
    combo = w.controls.dataset
    combo.setCurrentText("checkerboard")
    combo.activated.emit(combo.currentIndex())
    assert c.generation > old_gen
    assert c.dataset.name == "checkerboard"
    assert c.net.sizes[0] == 2 and c.trainer.X.shape[0] == len(c.dataset.X_train)
    assert c.playing  # keeps training the new network
    qtbot.waitUntil(lambda: c.last_snapshot is not None
                    and c.last_snapshot.generation == c.generation
                    and c.last_snapshot.epoch > 0, timeout=10_000)
    pause_and_settle(qtbot, w)
    combo.setCurrentText("iris")
    combo.activated.emit(combo.currentIndex())
    assert c.net.sizes[0] == 4 and c.net.sizes[-1] == 3
    assert w.docks["boundary"].isHidden()


def test_large_784_128_64_10_network_opens(qtbot, make_window, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.random((60, 784))
    y = np.arange(60) % 10
    path = tmp_path / "digits.csv"
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", fmt="%.4g")
    w = make_window()
    assert w.load_csv(str(path)) is None
    c = w.controller
    w.controls.hidden.setText("128,64")
    w.controls.hidden.editingFinished.emit()
    assert c.net.sizes == (784, 128, 64, 10)
    w.network_view.grab()
    assert 0 < w.network_view.drawn_edge_count() <= w.network_view.max_edges()
    with qtbot.waitSignal(c.metricsChanged, timeout=10_000):
        action(w, "actionStepEpoch").trigger()
    assert c.trainer.epoch == 1


def test_bad_csv_reports_and_keeps_session(qtbot, make_window, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("a,b,c\n1,2,0\n3,x,1\n")
    w = make_window()
    c = w.controller
    sizes = c.net.sizes
    error = w.load_csv(str(path))
    assert error and "line 3" in error
    assert c.net.sizes == sizes and c.dataset.name == "xor"


def test_status_line_follows_at_10_hz_while_running_and_shows_the_final_snapshot(
        qtbot, make_window, monkeypatch):
    import nnviz.gui.main_window as mw

    w = make_window()
    c = w.controller
    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        action(w, "actionStepEpoch").trigger()
    assert "Epoch 1" in w.status_label.text()
    clock = [mw.time.perf_counter() + 1000.0]
    monkeypatch.setattr(mw.time, "perf_counter", lambda: clock[0])
    base = c.last_snapshot

    def show(epoch, running):
        c.last_snapshot = dataclasses.replace(base, epoch=epoch, running=running)
        w.update_status(c.last_snapshot)

    show(10, True)
    assert "Epoch 10" in w.status_label.text()
    clock[0] += 0.03
    show(20, True)  # 30 ms later: unreadable churn, skipped
    assert "Epoch 10" in w.status_label.text()
    clock[0] += 0.08
    show(30, True)
    assert "Epoch 30" in w.status_label.text()
    clock[0] += 0.01
    show(31, False)  # the snapshot after a pause always shows
    assert "Epoch 31" in w.status_label.text()


def test_the_window_process_uses_the_longer_gil_switch_interval(make_window):
    import sys

    from nnviz.gui.app import GIL_SWITCH_INTERVAL

    make_window()
    assert GIL_SWITCH_INTERVAL > 0.005  # longer than Python's default
    assert sys.getswitchinterval() == pytest.approx(GIL_SWITCH_INTERVAL)


def test_restore_lesson_puts_back_the_very_objects(make_window):
    w = make_window()
    c = w.controller
    before = c.lesson()
    assert c.apply_settings(dataset="checkerboard", hidden=(8, 8)) is None
    assert c.net is not before.net and c.dataset.name == "checkerboard"
    c.restore_lesson(before)
    assert (c.settings, c.dataset, c.net, c.trainer) == (
        before.settings, before.dataset, before.net, before.trainer)
    assert c.net is before.net and c.trainer is before.trainer
    assert c.worker is not None and c.display_net.sizes == before.net.sizes


def test_worker_probe_is_the_network_on_the_plane(qtbot, make_window):
    """The decision boundary and neuron maps come from the worker's probe: the same forward
    kernel on the same weights as Network.forward, bit for bit, and read-only."""
    w = make_window()
    c = w.controller
    bview = c.views["boundary"]
    for _ in range(2):  # the second probe reuses the worker's workspace
        with qtbot.waitSignal(c.metricsChanged, timeout=5000):
            action(w, "actionStepEpoch").trigger()
        snap = c.last_snapshot
        assert snap.probe is not None
        ref = c.display_net.forward(bview.plane_points()).a[1:]
        rows = bview.neuron_rows()
        assert np.array_equal(snap.probe[-1], ref[-1])
        for got, want in zip(snap.probe[:-1], ref[:-1], strict=True):
            assert np.array_equal(got, want[rows])
        assert not any(a.flags.writeable for a in snap.probe)
