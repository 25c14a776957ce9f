"""Limits and failures in the window: bad options before any thread, sizes refused with the
state unchanged, a session that does not open fails a screenshot, thinned history told."""

from __future__ import annotations

import csv
import os
import subprocess
import sys

import numpy as np
import pytest

from nnviz.core.history import History
from nnviz.gui import export
from nnviz.gui.loss_plot import LossPlot


def run_window(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "nnviz", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--momentum", "5"], "argument --momentum: must be in [0, 1), got 5"),
        (["--lr", "inf"], "argument --lr: must be a number > 0, got inf"),
        (["--l2", "-1"], "argument --l2: must be a number >= 0, got -1"),
        (["--seed", "-1"], "argument --seed: must be >= 0, got -1"),
        (["--layers", "100000,100000"], "--layers 100000,100000: a network of layers"),
    ],
)
def test_bad_window_options_exit_2_naming_the_option_before_any_thread(args, fragment):
    result = run_window(*args)
    assert result.returncode == 2, result.stderr
    lines = [ln for ln in result.stderr.strip().splitlines() if "propagateSizeHints" not in ln]
    assert len(lines) == 1 and fragment in lines[0], result.stderr
    assert "QThread" not in result.stderr and "Traceback" not in result.stderr


def test_window_options_use_the_train_commands_checks():
    from nnviz.commands import argtypes
    from nnviz.gui.app import build_parser

    types = {a.dest: a.type for a in build_parser()._actions}
    assert types["momentum"] is argtypes.momentum and types["lr"] is argtypes.positive_float
    assert types["l2"] is argtypes.non_negative_float


def test_too_large_layers_leave_the_lesson_unchanged(settings_snapshot, make_window):
    w = make_window("--layers", "4")
    c = w.controller
    net, settings = c.net, c.settings
    message = c.apply_settings(hidden=(100_000, 100_000))
    assert message is not None and "would need about" in message and "can spare" in message
    assert c.net is net and c.settings is settings


def test_a_batch_too_large_for_the_machine_is_not_applied(
    settings_snapshot, make_window, monkeypatch
):
    from nnviz.core import limits

    w = make_window("--dataset", "checkerboard", "--batch", "1")
    c = w.controller
    full = limits.training_bytes(c.net.sizes, len(c.dataset.X_train), None)
    monkeypatch.setattr(limits, "available_memory", lambda: int(full / limits.MEMORY_SHARE) - 64)
    message = c.set_batch_size(None)  # full batch: workspaces for every row at once
    assert message is not None and "full batch" in message
    assert c.trainer.batch_size == 1 and c.settings.batch_size == 1


def test_screenshot_of_a_session_that_does_not_open_fails(settings_snapshot, tmp_path, capsys):
    bad = tmp_path / "BAD.nnviz"
    bad.write_text("not a session")
    out = tmp_path / "out.png"
    assert export.screenshot_main([str(bad), "--screenshot", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Could not open BAD.nnviz" in err and "not an nnviz session file" in err
    assert not out.exists()


def test_loss_plot_says_when_older_epochs_are_thinned(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.append(np.arange(1, 101, dtype=float), np.linspace(1, 0.1, 100))
    plot.refresh(force=True)
    assert plot.readout.text() == ""
    # a thinned trainer history has gaps between its older epochs
    epochs = np.concatenate([[1.0, 5.0, 9.0, 13.0], np.arange(14.0, 40.0)])
    plot.set_history(epochs, 1.0 / epochs)
    assert plot.buffer.thinned_until == 13.0
    assert plot.readout.text() == "thinned before epoch 13 (min/max kept)"
    assert "(thinned part)" in plot.readout_at(5.0) and "thinned" not in plot.readout_at(20.0)


def test_loss_csv_marks_thinned_rows(settings_snapshot, make_window, tmp_path):
    w = make_window("--layers", "4")
    c = w.controller
    with c.worker.lock:
        c.trainer.history = History(capacity=4, max_rows=64, recent=16)
    assert export.train_epochs(w, 300) is None
    path = tmp_path / "loss.csv"
    n = export.export_loss_csv(c, path)
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-1] == "thinned" and n == len(rows) - 1 <= 64
    until = c.trainer.history.thinned_until
    assert until > 0
    assert all(r[-1] == ("1" if int(r[0]) < until else "0") for r in rows[1:])


def test_opening_a_session_too_big_for_the_machine_keeps_the_lesson(
    settings_snapshot, make_window, tmp_path, monkeypatch
):
    from nnviz.core import Network, Trainer, datasets, limits
    from nnviz.core import session as core_sessions
    from nnviz.gui.sessions import open_path

    net = Network([2, 8, 1], seed=0)
    ds = datasets.load_dataset("checkerboard", n=3000)
    path = tmp_path / "big.nnviz"
    core_sessions.save(path, core_sessions.Session.from_network(
        net, dataset=core_sessions.builtin_spec("checkerboard", n=3000),
        trainer=Trainer(net, ds.X_train, ds.Y_train)))
    w = make_window("--layers", "4")
    c = w.controller
    before = (c.net, c.settings, c.net.params.copy())
    monkeypatch.setattr(limits, "available_memory", lambda: 1000 * 1024)
    message = open_path(w, path)
    assert message is not None and "cannot open here: training layers 2,8,1" in message
    assert c.net is before[0] and c.settings is before[1]
    np.testing.assert_array_equal(c.net.params, before[2])
