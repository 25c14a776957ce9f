"""`nnviz bench converge`: the batched convergence kernel against training runs one by one.

Workload: XOR, 2-2-1, sigmoid units, mse, xavier init, lr 0.5, full batch, seeds 0..999.

* batched: ``nnviz.core.convergence`` training R = 1000 runs at once, every run kept in the batch
  (converged runs are not dropped), in calls of about ``CALL_SECONDS``;
* one after another: ``Trainer.run`` on runs 0, 1, 2 in turn (every run costs the same, so a few
  runs give the rate of all of them), calls of about ``CALL_SECONDS`` too.

The two alternate in rounds until each has had about `seconds`, so background load hits both
alike; each figure is the best call (least disturbed). Then the targets:

* speed-up of batched over one-after-another >= 30x (network-epochs per second);
* 1,000 runs x 10,000 epochs, every run trained every epoch, under 5 s: measured for real
  when the estimate fits in 10 x `seconds`, else extrapolated from the batched rate (the report
  says which). Alongside, ``run_convergence`` itself on that workload when it fits: it drops runs
  as they converge, so it computes fewer network-epochs and is what a user waits for.

Then the checkerboard rows (512 points, 2-8-8-1 and 2-16-16-1, 20 and 100 runs, a loss threshold
no run reaches so every run trains every epoch): the serial Trainer on one run, the batched
kernel on all runs in this process (one core) and ``run_convergence`` of the whole job in
``workers`` processes (default: every core), wall time from the call to the result, process
start included (the fork server is started once beforehand, as a session would have it).
Targets: batched one core >= 1.0x serial, all workers >= 0.9 x workers (1.8x on 2 cores). The
load average before and after is printed: on a shared machine other processes take cores too.
"""

from __future__ import annotations

import math
import os
import time

import numpy as np

from nnviz.core import datasets
from nnviz.core.convergence import (
    CHUNK_SECONDS,
    ConvergenceConfig,
    cores,
    run_convergence,
    runs_first,
)
from nnviz.core.convergence.batch import _Batch, _Data

CALL_SECONDS = 0.02
RUNS = 1000
EPOCHS = 10_000
SEQUENTIAL_RUNS = 3
TARGET_SPEEDUP = 30.0
TARGET_SECONDS = 5.0
# Checkerboard rows: 512 points, these layers and numbers of runs, sigmoid/mse, lr 0.5.
CB_POINTS = 512
CB_LAYERS = ((2, 8, 8, 1), (2, 16, 16, 1))
CB_RUNS = (20, 100)
TARGET_ONE_CORE = 1.0
TARGET_PER_WORKER = 0.9  # all workers / serial >= 0.9 x workers (1.8x on 2 cores)


def _config() -> ConvergenceConfig:
    return ConvergenceConfig((2, 2, 1), activation="sigmoid", output="sigmoid", loss="mse",
                             init="xavier", lr=0.5, epochs=EPOCHS, runs=RUNS, seed=0)


# The clock of the in-process items: wall time, or processor time with --cpu-time.
_clock = time.perf_counter


class _Batched:
    def __init__(self, cfg: ConvergenceConfig, X: np.ndarray, Y: np.ndarray) -> None:
        self.state = _Batch(cfg, _Data(X, Y, runs_first(cfg, len(X))), np.arange(cfg.runs))
        self.R = cfg.runs
        self.epochs = 1
        self.buf = (np.empty((1, self.R)), np.empty((1, self.R)))

    def call(self, epochs: int) -> float:
        if self.buf[0].shape[0] < epochs:
            self.buf = (np.empty((epochs, self.R)), np.empty((epochs, self.R)))
        loss, wrong = self.buf[0][:epochs], self.buf[1][:epochs]
        t0 = _clock()
        with np.errstate(all="ignore"):
            self.state.train(loss, wrong)
        return _clock() - t0


class _Sequential:
    def __init__(self, cfg: ConvergenceConfig, X: np.ndarray, Y: np.ndarray,
                 runs: int = SEQUENTIAL_RUNS) -> None:
        self.trainers = [cfg.trainer(r, X, Y) for r in range(runs)]
        self.turn = 0

    def call(self, epochs: int) -> float:
        tr = self.trainers[self.turn % len(self.trainers)]
        self.turn += 1
        t0 = _clock()
        tr.run(epochs)
        return _clock() - t0


def _calibrate(item, budget: float) -> int:
    """Epochs per call so that one call takes about ``budget`` seconds."""
    epochs = 1
    while True:
        spent = item.call(epochs)
        if spent >= budget / 4 or epochs >= 1 << 20:
            return max(1, int(epochs * budget / max(spent, 1e-9)))
        epochs *= 4


class _Processes:
    """run_convergence of the whole job in worker processes: wall time, start to result."""

    def __init__(self, sizes: tuple[int, ...], runs: int, X: np.ndarray, Y: np.ndarray,
                 workers: int) -> None:
        self.sizes, self.runs, self.X, self.Y, self.workers = sizes, runs, X, Y, workers

    def call(self, epochs: int) -> tuple[float, float]:
        """(wall seconds, processor seconds summed over the workers) of one job."""
        cfg = _cb_config(self.sizes, self.runs, epochs)
        t0 = time.perf_counter()
        res = run_convergence(cfg, self.X, self.Y, workers=self.workers)
        spent = time.perf_counter() - t0
        assert res.network_epochs == self.runs * epochs  # fixed work: no run leaves early
        return spent, res.cpu_seconds


def _cb_config(sizes: tuple[int, ...], runs: int, epochs: int = 1) -> ConvergenceConfig:
    # A loss threshold no run reaches: every run trains every epoch, a fixed amount of work.
    return ConvergenceConfig(sizes, activation="sigmoid", output="sigmoid", loss="mse",
                             init="xavier", lr=0.5, epochs=epochs, runs=runs, seed=0,
                             loss_threshold=1e-300)


def _best(items: list, epochs: list[int], seconds: float) -> list[float]:
    """Interleaved calls until each item has had ~seconds; the best seconds per epoch of each."""
    best = [math.inf] * len(items)
    spent = [0.0] * len(items)
    while min(spent) < seconds:
        for k, (item, e) in enumerate(zip(items, epochs, strict=True)):
            t = item.call(e)
            spent[k] += t
            best[k] = min(best[k], t / e)
    return best


def measure_checkerboard(seconds: float, workers: int) -> list[dict]:
    """Per (layers, runs): serial Trainer, the batched kernel on one core and the whole job in
    ``workers`` processes, each in seconds per run-epoch (best of interleaved calls)."""
    X, Y = datasets.load("checkerboard", n=CB_POINTS)
    rows = []
    _Processes(CB_LAYERS[0], workers, X, Y, workers).call(1)  # start the fork server once
    for sizes in CB_LAYERS:
        seq = _Sequential(_cb_config(sizes, 1), X, Y, runs=1)
        n_s = _calibrate(seq, CALL_SECONDS)
        for runs in CB_RUNS:
            batched = _Batched(_cb_config(sizes, runs), X, Y)
            n_b = _calibrate(batched, CHUNK_SECONDS)  # the chunks run_convergence trains in
            t_s, t_b = _best([seq, batched], [n_s, n_b], seconds / 2)
            t_b /= runs
            # the processes' job: about `seconds` long at the serial rate shared by the workers
            epochs = max(10, round(seconds * workers / (runs * t_s)))
            pool = _Processes(sizes, runs, X, Y, workers)
            t_p, cpu_p = (v / (runs * epochs) for v in min(pool.call(epochs) for _ in range(2)))
            goal = TARGET_PER_WORKER * workers
            rows.append({
                "layers": list(sizes), "runs": runs, "workers": workers,
                "serial_us_per_run_epoch": t_s * 1e6,
                "batched_us_per_run_epoch": t_b * 1e6,
                "processes_us_per_run_epoch": t_p * 1e6,
                "processes_epochs": epochs,
                # processor time the workers spent per run-epoch: near serial means the
                # processes add no work, so on idle cores the wall time divides by `workers`
                "processes_cpu_us_per_run_epoch": cpu_p * 1e6,
                "one_core_ratio": t_s / t_b, "one_core_target": TARGET_ONE_CORE,
                "one_core_pass": t_s / t_b >= TARGET_ONE_CORE,
                "processes_ratio": t_s / t_p, "processes_target": goal,
                "processes_pass": t_s / t_p >= goal,
            })
    return rows


def measure(seconds: float, workers: int | None = None, cpu_time: bool = False) -> dict:
    """All rows; cpu_time times the in-process items by processor time (the all-worker rows
    stay wall time, start to result, with the workers' processor time beside it)."""
    global _clock
    _clock = time.process_time if cpu_time else time.perf_counter
    workers = cores() if workers is None else int(workers)
    load_before = _load()
    result = measure_xor(seconds)
    result["checkerboard"] = measure_checkerboard(seconds, workers)
    result["workers"] = workers
    result["cores"] = cores()
    result["load_average"] = [load_before, _load()]
    result["clock"] = "processor time" if cpu_time else "wall"
    return result


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:  # not available on this system
        return None


def measure_xor(seconds: float) -> dict:
    cfg = _config()
    X, Y = datasets.load("xor")
    batched, seq = _Batched(cfg, X, Y), _Sequential(cfg, X, Y)
    call = min(CALL_SECONDS, seconds / 4)
    n_b, n_s = _calibrate(batched, call), _calibrate(seq, call)
    best_b, best_s = [], []
    spent_b = spent_s = 0.0
    while spent_b < seconds or spent_s < seconds:
        t = batched.call(n_b)
        spent_b += t
        best_b.append(t / n_b)
        t = seq.call(n_s)
        spent_s += t
        best_s.append(t / n_s)
    epoch_b = min(best_b)  # seconds per epoch of all R runs
    epoch_s = min(best_s)  # seconds per epoch of one run
    rate_b = RUNS / epoch_b
    rate_s = 1.0 / epoch_s
    estimate = EPOCHS * epoch_b
    fits = estimate <= 10 * seconds
    if fits:
        fresh = _Batched(cfg, X, Y)
        full, left = 0.0, EPOCHS
        while left:  # in calls like the rounds above, so the figures compare
            step = min(n_b, left)
            full += fresh.call(step)
            left -= step
        res = run_convergence(cfg, X, Y)
        converge = {
            "seconds": res.elapsed,
            "fraction_converged": res.fraction_converged,
            "network_epochs": res.network_epochs,
        }
    else:
        full = estimate
        converge = None
    return {
        "workload": "XOR 2-2-1 sigmoid/mse, xavier, lr 0.5, full batch",
        "runs": RUNS,
        "epochs": EPOCHS,
        "batched_network_epochs_per_s": rate_b,
        "batched_us_per_epoch": epoch_b * 1e6,
        "batched_median_us_per_epoch": float(np.median(best_b)) * 1e6,
        "load": float(np.median(best_b)) / epoch_b,  # median / best call: 1 on a quiet machine
        "sequential_network_epochs_per_s": rate_s,
        "sequential_us_per_epoch": epoch_s * 1e6,
        "sequential_runs_measured": SEQUENTIAL_RUNS,
        "speedup": rate_b / rate_s,
        "speedup_target": TARGET_SPEEDUP,
        "speedup_pass": rate_b / rate_s >= TARGET_SPEEDUP,
        "full_seconds": full,
        "full_measured": fits,
        "full_best_call_estimate_seconds": estimate,
        "full_target_seconds": TARGET_SECONDS,
        "full_pass": full < TARGET_SECONDS,
        "run_convergence": converge,
    }


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(result: dict) -> str:
    r = result
    m = r.get("machine", {})
    lines = [
        f"nnviz bench converge: {r['workload']}"
        + (f"  [python {m['python']}, numpy {m['numpy']}, {m['machine']}]" if m else ""),
        f"  batched, {r['runs']:,} runs at once:   {r['batched_network_epochs_per_s'] / 1e6:7.2f} "
        f"M network-epochs/s  ({r['batched_us_per_epoch']:.0f} us per epoch of all runs, "
        f"median {r['batched_median_us_per_epoch']:.0f})",
        f"  one after another (Trainer):  {r['sequential_network_epochs_per_s'] / 1e6:7.3f} "
        f"M network-epochs/s  ({r['sequential_us_per_epoch']:.1f} us per epoch; "
        f"{r['sequential_runs_measured']} runs measured, the rest extrapolated)",
        f"  speed-up: {r['speedup']:.0f}x   target >= {r['speedup_target']:.0f}x   "
        f"{_verdict(r['speedup_pass'])}",
        f"  {r['runs']:,} runs x {r['epochs']:,} epochs, every run every epoch: "
        f"{r['full_seconds']:.2f} s "
        + (f"(measured; {r['full_best_call_estimate_seconds']:.2f} s at the best call's rate)"
           if r["full_measured"] else
           "(extrapolated from the batched rate; run with a larger --seconds to measure)")
        + f"   target < {r['full_target_seconds']:g} s   {_verdict(r['full_pass'])}",
    ]
    if r["load"] > 1.3:
        lines.append(f"  note: the machine was busy (median call {r['load']:.1f}x the best); "
                     "measured times include that")
    c = r.get("run_convergence")
    if c:
        lines.append(
            f"  run_convergence on that workload: {c['seconds']:.2f} s, "
            f"{100 * c['fraction_converged']:.1f} % converged; converged runs leave the batch, "
            f"so {c['network_epochs'] / 1e6:.1f} M of {r['runs'] * r['epochs'] / 1e6:.0f} M "
            "network-epochs were computed"
        )
    else:
        lines.append("  run_convergence on that workload: not run (does not fit in 10 x --seconds)")
    rows = r.get("checkerboard") or []
    if rows:
        w = rows[0]["workers"]
        lines += [
            "",
            f"checkerboard {CB_POINTS} points, sigmoid/mse, full batch, every run every epoch "
            f"(us per run-epoch; {w} worker process{'es' if w != 1 else ''}, "
            f"{r.get('cores', '?')} cores):",
            f"  {'layers':<11} {'runs':>4}  {'serial':>7}  {'batched, one core':>24}  "
            f"{'all workers':>24}  {'workers CPU':>11}",
        ]
        for row in rows:
            one = (f"{row['batched_us_per_run_epoch']:6.1f} {row['one_core_ratio']:5.2f}x "
                   f">= {row['one_core_target']:g} {_verdict(row['one_core_pass'])}")
            many = (f"{row['processes_us_per_run_epoch']:6.1f} {row['processes_ratio']:5.2f}x "
                    f">= {row['processes_target']:g} {_verdict(row['processes_pass'])}")
            lines.append(f"  {'-'.join(map(str, row['layers'])):<11} {row['runs']:>4}  "
                         f"{row['serial_us_per_run_epoch']:7.1f}  {one:>24}  {many:>24}  "
                         f"{row['processes_cpu_us_per_run_epoch']:11.1f}")
    if r.get("clock") == "processor time":
        lines.append("  serial and one-core figures timed by processor time (--cpu-time); the "
                     "all-worker figures by the wall clock")
    load = r.get("load_average")
    if load and None not in load:
        lines.append(f"  load average (1 min) {load[0]:.2f} at the start, {load[1]:.2f} at the "
                     "end: other processes share these cores")
    return "\n".join(lines)
