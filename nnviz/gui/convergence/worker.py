"""The convergence explorer's background work: a `Job`, the `ConvergenceWorker` that trains it on
the panel's thread, and the frozen messages it sends.

The worker never touches a widget: it emits frozen `Progress`, `ConfigDone` and `JobDone` objects
through Signal(object), progress at most ``1 / PROGRESS_INTERVAL`` times a second. Cancel sets a
threading.Event that `run_convergence`'s progress callback turns into ``False`` after its current
chunk (~0.1 s), so a cancel (or closing the window) waits at most about that long.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from nnviz.core.convergence import ConvergenceConfig, ConvergenceResult, run_convergence

#: Seconds between progress signals from the worker (the live plot updates at <= 10 Hz).
PROGRESS_INTERVAL = 0.1
THREAD_WAIT_MS = 10_000


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only copy of ``a``: safe to hand from one thread to another."""
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Job:
    """One explorer run: configurations trained in turn on the same (frozen) data."""

    job_id: int
    configs: tuple[ConvergenceConfig, ...]
    X: np.ndarray
    Y: np.ndarray
    data_settings: dict = field(default_factory=dict)  # Settings fields that rebuild the data
    dataset_name: str = ""

    @property
    def total_epochs(self) -> int:
        return sum(c.epochs for c in self.configs)


@dataclass(frozen=True)
class Progress:
    job_id: int
    index: int  # configuration index
    epoch: int
    fraction: float
    curve_epochs: np.ndarray  # fraction converged sampled at the end of every chunk so far
    curve_fraction: np.ndarray
    work_done: int  # epochs of the job done (finished configurations count fully)


@dataclass(frozen=True)
class ConfigDone:
    job_id: int
    index: int
    result: ConvergenceResult  # its arrays are read-only; the worker never touches it again


@dataclass(frozen=True)
class JobDone:
    job_id: int
    cancelled: bool
    error: str | None
    elapsed: float


class _Tracker:
    """run_convergence's progress callback (worker thread): throttled Progress, cancel check."""

    def __init__(self, worker: ConvergenceWorker, job: Job, index: int, offset: int) -> None:
        self.worker, self.job, self.index, self.offset = worker, job, index, offset
        self.xs: list[int] = [0]
        self.ys: list[float] = [0.0]
        self.last = 0.0

    def __call__(self, epoch: int, fraction: float) -> bool:
        self.xs.append(int(epoch))
        self.ys.append(float(fraction))
        now = time.perf_counter()
        if now - self.last >= PROGRESS_INTERVAL:
            self.last = now
            self.worker.progress.emit(Progress(
                self.job.job_id, self.index, int(epoch), float(fraction),
                frozen(np.array(self.xs)), frozen(np.array(self.ys)), self.offset + int(epoch),
            ))
        return not self.worker.cancel_requested


class ConvergenceWorker(QObject):
    """Runs a Job on the panel's thread; talks to the GUI only through its signals."""

    progress = Signal(object)  # Progress
    configDone = Signal(object)  # ConfigDone
    jobDone = Signal(object)  # JobDone

    def __init__(self) -> None:
        super().__init__()
        self.job: Job | None = None
        self._cancel = threading.Event()

    # GUI thread, while the worker's thread is not running
    def prepare(self, job: Job) -> None:
        self.job = job
        self._cancel.clear()

    # any thread
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        job = self.job
        if job is None:
            return
        t0 = time.perf_counter()
        cancelled, error, offset = False, None, 0
        try:
            for i, cfg in enumerate(job.configs):
                if self._cancel.is_set():
                    cancelled = True
                    break
                result = run_convergence(cfg, job.X, job.Y, progress=_Tracker(self, job, i, offset))
                for name in ("seeds", "converged", "epochs", "final_loss", "final_accuracy",
                             "loss_curve_epochs", "loss_curves", "curve_epochs",
                             "curve_fraction"):
                    getattr(result, name).flags.writeable = False
                self.configDone.emit(ConfigDone(job.job_id, i, result))
                offset += cfg.epochs
                if result.cancelled:
                    cancelled = True
                    break
        except Exception as exc:  # noqa: BLE001 (a thread must report, never die silently)
            error = f"{type(exc).__name__}: {exc}"
        self.jobDone.emit(JobDone(job.job_id, cancelled, error, time.perf_counter() - t0))


def stop_thread(thread: QThread, worker: ConvergenceWorker) -> bool:
    """Cancel the worker's job and wait for its thread (GUI thread)."""
    try:
        if not thread.isRunning():
            return True
    except RuntimeError:  # the C++ object is already gone
        return True
    worker.cancel()
    thread.quit()  # exec() returns as soon as the running job returns
    return thread.wait(THREAD_WAIT_MS)


def stop_on_destroyed(thread: QThread, worker: ConvergenceWorker, *_args: object) -> None:
    """For a window's destroyed signal: stop the thread without holding the panel."""
    stop_thread(thread, worker)
