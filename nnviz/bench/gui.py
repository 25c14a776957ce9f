"""`nnviz bench gui`: the real main window, headless, training checkerboard 2-16-16-1 at full speed.

Measured in one run:
- worker epochs/s as a fraction of the headless Trainer's, with the views updating (snapshots at
  <= 30 Hz redraw the network, loss plot and boundary) and with them idle (no view attached);
  each window measurement is bracketed by headless ones, in 7 rounds (the machine's speed
  drifts), and the median round is reported;
- lateness of a 16 ms GUI timer while training (p50/p95/p99/max), snapshot rate and how long a
  snapshot waits in the event queue (a backlog would show as growing delays);
- time from pause to the worker standing still;
- redraw ms of the network view for 2-16-16-1 and 784-128-64-10 (live frames: new parameters,
  then an immediate repaint; the median of 30 frames, once per round, quickest round);
- time from process start to the window shown (a fresh interpreter);
- a 1,000,000-row CSV file: reading it, and opening it in the CSV dialog (`csv_open`).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np

from nnviz.bench import csv_open

TARGETS = {
    "fraction_live": 0.70,
    "fraction_idle": 0.90,
    "timer_p99_ms": 25.0,
    "timer_max_ms": 50.0,
    "stop_ms": 50.0,
    "redraw_small_ms": 3.0,
    "redraw_large_ms": 15.0,
    "startup_s": 1.0,
    "csv_preview_s": 3.0,
}
# Full batch sigmoid + mse at full speed, auto-stop off: the workload the figures were measured
# with (the window's defaults are now the data set's recommended setup at a watchable pace).
ARGS = ["--dataset", "checkerboard", "--layers", "16,16", "--lr", "0.3", "--seed", "1",
        "--activation", "sigmoid", "--loss", "mse", "--batch", "full", "--speed", "max",
        "--auto-stop", "off"]


def _run_loop(seconds: float) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def _headless_rate(seconds: float) -> float:
    """Steady epochs/s of the Trainer alone on the benchmark's workload (an average, as the
    worker's rate is)."""
    from nnviz.core import Network, Trainer, datasets

    X, Y = datasets.load("checkerboard")
    net = Network([2, 16, 16, 1], seed=1)
    trainer = Trainer(net, X, Y, lr=0.3)
    trainer.run(20)
    t0 = time.perf_counter()
    e0 = trainer.epoch
    while time.perf_counter() - t0 < seconds:
        trainer.run(50)
    return (trainer.epoch - e0) / (time.perf_counter() - t0)


def _window_rate(window, seconds: float, *, views: bool) -> dict:
    """Train live for `seconds`; returns worker rate, timer lateness, snapshot stats."""
    from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Slot

    c = window.controller
    saved_views = dict(c.views)
    if not views:
        # no view attached: none asks the worker for the decision-boundary plane either
        c.views.clear()
        c.set_boundary_probe(False)

    class Probe(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.clock = QElapsedTimer()
            self.clock.start()
            self.last = None
            self.late: list[float] = []
            self.delays: list[float] = []
            self.snaps = 0

        @Slot()
        def tick(self) -> None:
            now = self.clock.nsecsElapsed() / 1e6
            if self.last is not None:
                self.late.append(max(0.0, now - self.last - 16.0))
            self.last = now

        @Slot(object)
        def snapshot(self, snap) -> None:
            if snap is not None:
                self.snaps += 1
                self.delays.append((time.perf_counter() - snap.timestamp) * 1000)

    probe = Probe()
    timer = QTimer()
    timer.setInterval(16)
    timer.timeout.connect(probe.tick)
    c.metricsChanged.connect(probe.snapshot)
    c.play()
    _run_loop(0.3)  # warm up: chunk size adapts
    e0, t0 = c.trainer.epoch, time.perf_counter()
    probe.late.clear()
    probe.delays.clear()
    probe.snaps = 0
    probe.last = None
    timer.start()
    _run_loop(seconds)
    timer.stop()
    with c.worker.lock:
        e1, t1 = c.trainer.epoch, time.perf_counter()
    snaps = probe.snaps
    # time to stop: from pause() to the worker idle (lock free and no longer playing)
    t_stop = time.perf_counter()
    c.pause()
    while c.worker.playing:
        _run_loop(0.001)
    with c.worker.lock:
        stop_ms = (time.perf_counter() - t_stop) * 1000
    _run_loop(0.1)
    c.metricsChanged.disconnect(probe.snapshot)
    c.views.update(saved_views)
    if not views:
        c.set_boundary_probe(True)
    late = np.array(probe.late or [0.0])
    delays = np.array(probe.delays or [0.0])
    return {
        "epochs_per_s": (e1 - e0) / (t1 - t0),
        "timer_p50_ms": float(np.percentile(late, 50)),
        "timer_p95_ms": float(np.percentile(late, 95)),
        "timer_p99_ms": float(np.percentile(late, 99)),
        "timer_max_ms": float(late.max()),
        "snapshots_per_s": snaps / (t1 - t0),
        "snapshot_delay_p99_ms": float(np.percentile(delays, 99)),
        "stop_ms": stop_ms,
    }


def _redraw_ms(sizes: tuple[int, ...], frames: int = 30) -> float:
    from nnviz.core import Network
    from nnviz.gui.network import NetworkView

    net = Network(sizes, seed=0)
    view = NetworkView()
    view.resize(1000, 700)
    view.show()
    from PySide6.QtTest import QTest

    QTest.qWaitForWindowExposed(view)
    view.set_network(net.sizes, net.weights, net.biases)
    x = np.random.default_rng(0).random(sizes[0])
    trace = net.forward(x)
    view.set_activations([a[0] for a in trace.a], [z[0] for z in trace.z])
    view.repaint()
    times = []
    rng = np.random.default_rng(1)
    for _ in range(frames):
        net.params += 0.01 * rng.standard_normal(net.params.shape)
        view.set_params(net.weights, net.biases)
        view.repaint()
        times.append(view.redraw_ms())
    view.close()
    return statistics.median(times)


def _startup_seconds() -> float:
    """Wall time from starting a fresh interpreter to the window shown (painted), median of 3."""
    code = (
        "from nnviz.gui.app import create_main_window;"
        "w = create_main_window([]); print(repr(w.shown_at)); w.close()"
    )
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    times = []
    for _ in range(3):
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", code], check=True, env=env,
                             capture_output=True, text=True).stdout
        times.append(float(out.strip().splitlines()[-1]) - t0)
    return statistics.median(times)


ROUNDS = 7


def measure(seconds: float = 1.0, rounds: int = ROUNDS, csv_rows: int = csv_open.ROWS) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from nnviz.gui.app import application, create_main_window

    application()
    window = create_main_window(ARGS, restore_layout=False)
    # This machine's speed drifts by tens of percent within seconds (other tenants): every
    # window measurement is bracketed by headless ones and compared with their mean, in rounds
    # spread over the run, and the median round is reported. The redraw times are measured
    # once per round too, so a slow spell cannot decide them either.
    span = max(0.5, seconds)
    results = []
    small: list[float] = []
    large: list[float] = []
    try:
        _run_loop(0.2)
        for _ in range(rounds):
            h0 = _headless_rate(span / 2)
            live = _window_rate(window, span, views=True)
            h1 = _headless_rate(span / 2)
            idle = _window_rate(window, span, views=False)
            h2 = _headless_rate(span / 2)
            results.append((live["epochs_per_s"] / ((h0 + h1) / 2),
                           idle["epochs_per_s"] / ((h1 + h2) / 2), (h0 + h1 + h2) / 3,
                           live, idle))
            small.append(_redraw_ms((2, 16, 16, 1)))
            large.append(_redraw_ms((784, 128, 64, 10)))
    finally:
        window.close()
    results.sort(key=lambda r: r[0])
    fraction_live, _, headless, live, _ = results[len(results) // 2]
    fractions_live = sorted(r[0] for r in results)
    results.sort(key=lambda r: r[1])
    _, fraction_idle, _, _, idle = results[len(results) // 2]
    fractions_idle = sorted(r[1] for r in results)
    return {
        "workload": "checkerboard 512 points, 2-16-16-1 sigmoid, full batch",
        "rounds": rounds,
        "headless_epochs_per_s": headless,
        "live": live,
        "idle": idle,
        "fraction_live": fraction_live,
        "fraction_idle": fraction_idle,
        "fraction_live_range": (fractions_live[0], fractions_live[-1]),
        "fraction_idle_range": (fractions_idle[0], fractions_idle[-1]),
        # A redraw is a fixed amount of work: like timeit, the quickest round measures it, and
        # slower rounds measure other tenants of the machine (their range is reported too).
        "redraw_small_ms": min(small),
        "redraw_large_ms": min(large),
        "redraw_small_range_ms": (min(small), max(small)),
        "redraw_large_range_ms": (min(large), max(large)),
        "startup_s": _startup_seconds(),
        **csv_open.measure(csv_rows),
        "targets": TARGETS,
    }


def report(r: dict) -> str:
    live, idle, t = r["live"], r["idle"], r["targets"]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    small, large = r["redraw_small_ms"], r["redraw_large_ms"]

    rows = [
        ("worker / headless, views updating", f"{r['fraction_live']:.0%}",
         f">= {t['fraction_live']:.0%}", verdict(r["fraction_live"] >= t["fraction_live"])),
        ("worker / headless, views idle", f"{r['fraction_idle']:.0%}",
         f">= {t['fraction_idle']:.0%}", verdict(r["fraction_idle"] >= t["fraction_idle"])),
        ("16 ms timer lateness p99 (live)", f"{live['timer_p99_ms']:.1f} ms",
         f"<= {t['timer_p99_ms']:.0f} ms", verdict(live["timer_p99_ms"] <= t["timer_p99_ms"])),
        ("16 ms timer lateness max (live)", f"{live['timer_max_ms']:.1f} ms",
         f"<= {t['timer_max_ms']:.0f} ms", verdict(live["timer_max_ms"] <= t["timer_max_ms"])),
        ("time to stop", f"{live['stop_ms']:.1f} ms", f"<= {t['stop_ms']:.0f} ms",
         verdict(live["stop_ms"] <= t["stop_ms"])),
        ("redraw 2-16-16-1", f"{small:.2f} ms",
         f"<= {t['redraw_small_ms']:.0f} ms", verdict(small <= t["redraw_small_ms"])),
        ("redraw 784-128-64-10", f"{large:.2f} ms",
         f"<= {t['redraw_large_ms']:.0f} ms", verdict(large <= t["redraw_large_ms"])),
        ("process start to window shown", f"{r['startup_s']:.2f} s",
         f"<= {t['startup_s']:.0f} s", verdict(r["startup_s"] <= t["startup_s"])),
        (f"CSV {r['csv_rows']:,} rows: dialog preview shown", f"{r['csv_preview_s']:.2f} s",
         f"<= {t['csv_preview_s']:.0f} s", verdict(r["csv_preview_s"] <= t["csv_preview_s"])),
    ]
    lo_live, hi_live = r["fraction_live_range"]
    lo_idle, hi_idle = r["fraction_idle_range"]
    lo_s, hi_s = r["redraw_small_range_ms"]
    lo_l, hi_l = r["redraw_large_range_ms"]
    lines = [
        f"nnviz bench gui: {r['workload']} (Python {r['machine']['python']}, "
        f"NumPy {r['machine']['numpy']}, {r['machine']['machine']})",
        f"  fractions: median of {r['rounds']} rounds, redraws: quickest round; range over the "
        f"rounds: views updating "
        f"{lo_live:.0%}-{hi_live:.0%}, idle {lo_idle:.0%}-{hi_idle:.0%}, redraw "
        f"{lo_s:.2f}-{hi_s:.2f} ms and {lo_l:.1f}-{hi_l:.1f} ms",
        f"  headless Trainer: {r['headless_epochs_per_s']:,.0f} epochs/s",
        f"  worker, views updating: {live['epochs_per_s']:,.0f} epochs/s, "
        f"{live['snapshots_per_s']:.1f} snapshots/s, queue delay p99 "
        f"{live['snapshot_delay_p99_ms']:.1f} ms",
        f"  worker, views idle:     {idle['epochs_per_s']:,.0f} epochs/s",
        f"  timer lateness live p50/p95/p99/max: {live['timer_p50_ms']:.1f} / "
        f"{live['timer_p95_ms']:.1f} / {live['timer_p99_ms']:.1f} / {live['timer_max_ms']:.1f} ms",
        f"  CSV {r['csv_rows']:,} rows ({r['csv_megabytes']:.0f} MB), quickest of 3: read_table "
        f"{r['csv_read_s']:.2f} s; dialog: preview {r['csv_preview_s']:.2f} s, ready to Load "
        f"{r['csv_ready_s']:.2f} s, a new target and features {r['csv_target_change_s']:.2f} s "
        "(no new reading)",
        "",
        f"  {'target':<38} {'measured':>12} {'goal':>10}",
    ]
    lines += [f"  {a:<38} {b:>12} {c:>10}  {d}" for a, b, c, d in rows]
    return "\n".join(lines)
