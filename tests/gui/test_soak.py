"""The real window training live with every view updating for 10 s, without a crash.

Guards against the PySide6 6.12.0 / Python 3.11 abort ("none_dealloc") that live plotting
triggers within seconds, and against any other slow leak of references in the update path.
"""

import time

import numpy as np

SOAK_SECONDS = 10.0


def test_live_training_with_all_views_for_ten_seconds(qtbot, make_window):
    w = make_window("--dataset", "checkerboard", "--layers", "16,16", "--lr", "0.3")
    c = w.controller
    seen = []
    c.metricsChanged.connect(lambda snap: seen.append(snap.epoch) if snap is not None else None)
    w.actions_by_name["actionPlay"].trigger()
    start = time.perf_counter()
    qtbot.waitUntil(lambda: time.perf_counter() - start >= SOAK_SECONDS and len(seen) > 50,
                    timeout=int(SOAK_SECONDS * 1000) + 20_000)
    w.actions_by_name["actionPlay"].trigger()
    qtbot.waitUntil(lambda: not c.last_snapshot.running, timeout=5000)
    assert c.trainer.epoch > 100
    assert np.all(np.diff(seen) >= 0)  # snapshots in order, none from a stale generation
    assert np.isfinite(c.trainer.history.train_loss).all()
    assert w.loss_plot.train_curve.xData is not None
