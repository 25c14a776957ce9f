"""The Landscape dock: computed on its own thread from the path training took, shown, saved in
sessions, exported, and scaled for presentation."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from nnviz.core.landscape import compute_landscape
from nnviz.gui import landscape_view, sessions
from nnviz.gui.landscape_view import PathRecorder


def show_landscape(qtbot, w):
    panel = w.features["landscape_view"]
    with qtbot.waitSignal(panel.computed, timeout=20_000) as blocker:
        w.actions_by_name["actionLossLandscape"].trigger()
    return panel, blocker.args[0]


def test_action_opens_the_dock_titled_landscape(qtbot, make_window):
    w = make_window("--layers", "2")
    assert w.docks["landscape"].isHidden()
    assert w.docks["landscape"].windowTitle() == "Landscape"
    assert w.actions_by_name["actionLossLandscape"] in w.menus["view"].actions()
    panel, land = show_landscape(qtbot, w)
    assert not w.docks["landscape"].isHidden()
    assert land.grid.shape == (51, 51)


def test_computed_on_the_worker_thread_from_the_training_path(qtbot, make_window, monkeypatch):
    w = make_window("--layers", "2", "--lr", "1", "--seed", "9")
    threads = []

    def spy(*args, **kwargs):
        threads.append(threading.current_thread() is threading.main_thread())
        return compute_landscape(*args, **kwargs)

    monkeypatch.setattr(landscape_view, "compute_landscape", spy)
    panel, _ = show_landscape(qtbot, w)
    c = w.controller
    for _ in range(4):
        with qtbot.waitSignal(c.metricsChanged, timeout=10_000):
            c.step_epoch(50)
    assert len(panel.path) == 5  # the initial weights and one point per snapshot
    with qtbot.waitSignal(panel.computed, timeout=20_000) as blocker:
        panel.recompute_button.click()
    land = blocker.args[0]
    assert threads and not any(threads)  # never on the GUI thread
    qtbot.waitUntil(lambda: not panel.thread.isRunning(), timeout=5000)  # no idle thread left
    X, Y = c.dataset.X_train, c.dataset.Y_train
    assert land.current_loss == pytest.approx(c.display_net.loss(X, Y), abs=1e-12)
    assert land.grid[25, 25] == pytest.approx(c.display_net.loss(X, Y), abs=1e-12)
    # the plane is the one the core computes for the same path
    ref = compute_landscape(c.display_net, X, Y, panel.request().path)
    np.testing.assert_allclose(land.grid, ref.grid, atol=1e-12)
    assert len(land.trajectory) == 6 and land.trajectory[-1, :2] == pytest.approx([0, 0])
    shown = panel.plot.image.image
    np.testing.assert_allclose(shown.T, np.log10(land.grid))  # log colour is the default
    assert panel.plot.path_item.getData()[0].size == 6
    assert "points on the path" in panel.status.text()


def test_random_directions_and_linear_colour(qtbot, make_window):
    w = make_window("--layers", "3")
    panel, _ = show_landscape(qtbot, w)
    panel.log_box.setChecked(False)
    with qtbot.waitSignal(panel.computed, timeout=20_000) as blocker:
        panel.directions.setCurrentIndex(panel.directions.findData("random"))
    land = blocker.args[0]
    assert land.directions == "random" and land.explained_variance is None
    np.testing.assert_allclose(panel.plot.image.image.T, land.grid)
    assert "random directions" in panel.plot.title.text()


def test_a_rebuild_drops_the_old_path_and_late_results(qtbot, make_window):
    w = make_window("--layers", "2")
    panel, _ = show_landscape(qtbot, w)
    c = w.controller
    with qtbot.waitSignal(c.metricsChanged, timeout=10_000):
        c.step_epoch(20)
    assert len(panel.path) == 2
    generation = panel.generation
    c.reset()
    assert panel.generation == generation + 1 and len(panel.path) == 1


def test_path_recorder_thins_evenly_and_keeps_ends() -> None:
    rec = PathRecorder()
    rec.reset(np.zeros(3))
    for k in range(1, 1000):
        rec.add(np.full(3, float(k)), k)
    pts = rec.array()
    assert len(rec) <= 400 and pts[0, 0] == 0 and pts[-1, 0] == 999
    assert np.all(np.diff(pts[:, 0]) > 0)


def test_view_options_survive_save_and_open(qtbot, make_window, tmp_path):
    w = make_window("--layers", "2")
    panel, _ = show_landscape(qtbot, w)
    panel.directions.setCurrentIndex(panel.directions.findData("random"))
    panel.log_box.setChecked(False)
    panel.live_box.setChecked(False)
    path = tmp_path / "land.nnviz"
    assert sessions.save_path(w, path) is None
    w2 = make_window()
    assert sessions.open_path(w2, path) is None
    p2 = w2.features["landscape_view"]
    assert p2.options() == {"directions": "random", "log": False, "live": False}
    assert not w2.docks["landscape"].isHidden()


def test_export_png_and_svg(qtbot, make_window, tmp_path, monkeypatch):
    w = make_window("--layers", "2")
    show_landscape(qtbot, w)
    exporter = w.features["export"]
    for ext in ("png", "svg"):
        target = tmp_path / f"land.{ext}"
        monkeypatch.setattr(exporter, "_ask_path", lambda what, e, t=target: str(t))
        w.actions_by_name[f"actionExportLandscape{ext.capitalize()}"].trigger()
        assert target.stat().st_size > 1000
    assert (tmp_path / "land.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "land.svg").read_bytes()


def test_presentation_scale_and_dark_palette(qtbot, make_window):
    w = make_window("--layers", "2")
    panel, _ = show_landscape(qtbot, w)
    panel.set_scale(1.6)
    panel.set_palette_mode(True)
    assert panel.plot.path_item.opts["pen"].widthF() == pytest.approx(3.2)
    with pytest.raises(ValueError):
        panel.set_scale(100)
    for widget in (panel.directions, panel.log_box, panel.live_box, panel.recompute_button):
        assert widget.accessibleName()


def test_closing_the_window_cancels_a_computation_under_way(qtbot, make_window, monkeypatch):
    w = make_window("--layers", "2")
    panel = w.features["landscape_view"]
    started = threading.Event()

    def slow(*args, cancelled=None, **kwargs):
        started.set()
        panel.worker.cancel.wait(10)  # a long computation, until the window asks it to stop
        assert cancelled()  # what compute_landscape asks between its chunks
        raise landscape_view.LandscapeCancelled("cancelled")

    monkeypatch.setattr(landscape_view, "compute_landscape", slow)
    w.docks["landscape"].show()
    panel.recompute()
    assert started.wait(10)
    w.close()
    assert not panel.thread.isRunning()
