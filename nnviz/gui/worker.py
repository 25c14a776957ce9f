"""The training worker: a QObject living on its own QThread.

Commands arrive through a thread-safe queue (never as cross-thread lambdas); results leave as
frozen Snapshots through one Signal(object), at most ~30 per second and always after the last
chunk. Training runs in chunks of a few milliseconds so pause, stop and edits take effect fast.
The worker never touches a widget. While it runs a chunk it holds `lock`, which the GUI thread
takes to edit or single-step the shared network between chunks. A long epoch is trained in
slices and the trainer asks between them whether to hand back (time up or a command waiting), so
no chunk holds the lock for more than a few ms. Any error in training pauses, puts the trainer
back to its last good state and sends a snapshot with the error (README: Limits and failures).
"""

from __future__ import annotations

import functools
import queue
import threading
import time
import weakref
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from nnviz.core.history import History
from nnviz.core.network import Network, Workspace
from nnviz.core.trainer import DivergenceError, Trainer

SNAPSHOT_INTERVAL = 1 / 30  # seconds between snapshots while training
PROBE_INTERVAL = 0.2  # seconds between evaluations of the probe points (decision boundary)
CHUNK_SECONDS = 0.006  # target duration of one uninterrupted training chunk


def _last_epoch(history: History) -> int:
    return int(history.epoch[-1]) if len(history) else 0


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class Snapshot:
    """What the views need after some training, copied so the worker can go on."""

    generation: int
    epoch: int
    params: np.ndarray  # flat copy of net.params
    grad: np.ndarray | None  # flat gradient of the last batch
    epochs: np.ndarray  # epoch numbers since the previous snapshot
    train_loss: np.ndarray
    test_loss: np.ndarray
    accuracy: float
    test_accuracy: float
    epochs_per_second: float
    running: bool
    error: str | None = None
    stop_reason: str = ""
    # Activations a[1..L] of the network at the probe points (the decision-boundary plane), at
    # most every PROBE_INTERVAL and in every final snapshot; None in between. Hidden layers only
    # at the probe's hidden rows when it has them (what the neuron maps show).
    probe: tuple[np.ndarray, ...] | None = None
    timestamp: float = field(default_factory=time.perf_counter)


def _describe(exc: BaseException) -> str:
    """The error's type and text ("MemoryError" alone when it has no text)."""
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class TrainWorker(QObject):
    snapshot = Signal(object)
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.RLock()
        self._commands: queue.SimpleQueue = queue.SimpleQueue()
        self._trainer: Trainer | None = None
        self._generation = 0
        self._playing = False
        self._max_rate: float | None = None  # epochs per second cap, None = as fast as possible
        self._converge: tuple[float, float] | None = None  # auto-stop (loss, accuracy) or off
        # The last epoch already sent in snapshots: an epoch, not a row index, because the
        # history thins its old rows (and so moves them) on long runs.
        self._sent = 0
        self._rate = 0.0
        self.chunks = 0
        self._probe_points: np.ndarray | None = None
        self._probe_rows: np.ndarray | None = None
        self._probe_ws: tuple[Network, Network, Workspace] | None = None
        self._last_probe = 0.0
        self._steps_left = 0  # epochs still to train for "step" (trained in chunks, like play)
        self._chunk = 16  # epochs per chunk, adapted to take about CHUNK_SECONDS
        self._last_emit = 0.0

    # ---- called from the GUI thread ----------------------------------------------------------
    def send(self, command: str, *args: object) -> None:
        self._commands.put((command, args))

    def set_trainer(self, trainer: Trainer | None, generation: int) -> None:
        self.send("set_trainer", trainer, generation)

    def play(self) -> None:
        self.send("play")

    def pause(self) -> None:
        self.send("pause")

    def step_epochs(self, n: int = 1) -> None:
        self.send("step", n)

    def set_max_rate(self, rate: float | None) -> None:
        self.send("rate", rate)

    def set_converge(self, rule: tuple[float, float] | None) -> None:
        """Stop playing at the first epoch whose loss is at most rule[0] with accuracy at least
        rule[1] (the trainer checks every epoch, so it stops exactly there); None: never."""
        self.send("converge", rule)

    def set_probe(self, points: np.ndarray | None, hidden_rows: np.ndarray | None = None) -> None:
        """Points whose activations snapshots carry (evaluated here, off the GUI thread); with
        ``hidden_rows``, hidden layers are handed over only at those rows of ``points`` (the
        output everywhere)."""
        self.send("probe", None if points is None else _frozen(points),
                  None if hidden_rows is None else _frozen(hidden_rows))

    def stop(self) -> None:
        self.send("quit")

    @property
    def playing(self) -> bool:
        """Training live, or still working through the epochs of a step."""
        return self._playing or self._steps_left > 0

    # ---- the worker thread's loop ------------------------------------------------------------
    @Slot()
    def run_loop(self) -> None:
        self._last_emit = 0.0
        self._chunk = 16
        while True:
            try:
                idle = not (self._playing or self._steps_left)
                cmd, args = self._commands.get() if idle else self._commands.get_nowait()
            except queue.Empty:
                cmd = None
            if cmd == "quit":
                break
            try:
                if cmd is not None and not self._handle(cmd, args):
                    continue
                self._train_chunk()
            except Exception as exc:  # noqa: BLE001 (any fault pauses and is told, never kills)
                self._fail(exc)
        self._playing = False
        self.finished.emit()

    def _yield_due(self, deadline: float) -> bool:
        """Asked by the trainer between slices of a long epoch: time is up or a command
        (pause, reset, quit) waits."""
        return time.perf_counter() >= deadline or not self._commands.empty()

    def _train_chunk(self) -> None:
        """Train for about CHUNK_SECONDS (or one slice of a long epoch) with the lock held."""
        trainer = self._trainer
        if not (self._playing or self._steps_left) or trainer is None:
            return
        t0 = time.perf_counter()
        n = self._steps_left or self._chunk
        if self._max_rate and not self._steps_left:
            n = max(1, min(n, int(self._max_rate * CHUNK_SECONDS) or 1))
        error = None
        with self.lock:
            e0 = trainer.epoch
            try:
                trainer.run(n, should_yield=functools.partial(self._yield_due,
                                                              t0 + CHUNK_SECONDS),
                            converge=None if self._steps_left else self._converge)
            except DivergenceError as exc:
                error = str(exc)
            except Exception as exc:  # noqa: BLE001 (MemoryError and the like: see _fault)
                error = self._fault(trainer, e0, exc)
            done = trainer.epoch - e0
        dt = time.perf_counter() - t0
        self.chunks += 1
        if error is None and dt > 0 and done:
            # Adapt the chunk so one takes about CHUNK_SECONDS.
            per_epoch = dt / done
            self._rate = 0.8 * self._rate + 0.2 / per_epoch if self._rate else 1 / per_epoch
            self._chunk = int(min(max(CHUNK_SECONDS / per_epoch, 1), 100_000))
        if error is not None:
            self._playing, self._steps_left = False, 0
            self._emit(error=error)
            self._last_emit = time.perf_counter()
            return
        if not self._steps_left and trainer.stop_reason == "converged":
            self._playing = False  # auto-stop: the trainer stopped at the converged epoch
            self._emit()
            self._last_emit = time.perf_counter()
            return
        if self._steps_left:
            stopped = done == 0 and trainer.stop_reason != "time_slice"
            self._steps_left = 0 if stopped else max(0, self._steps_left - done)
            if not self._steps_left:
                self._emit()
            return
        if self._max_rate and done:
            # Sleep off the rest of this chunk's time budget to respect the cap (not in the
            # middle of a long epoch: its slices are no epochs).
            wait = done / self._max_rate - (time.perf_counter() - t0)
            if wait > 0:
                self._wait_for_command(wait)
        now = time.perf_counter()
        if now - self._last_emit >= SNAPSHOT_INTERVAL:
            self._emit()
            self._last_emit = now

    @staticmethod
    def _fault(trainer: Trainer, epoch: int, exc: BaseException) -> str:
        """Put the trainer back to its last good state after an unexpected error and say so."""
        kept = trainer.restore_checkpoint()
        return (f"Training stopped at epoch {epoch:,} by an error: {_describe(exc)}. The weights "
                f"from epoch {kept:,} were kept; Play trains on from them, Reset starts again.")

    def _fail(self, exc: BaseException) -> None:
        """A fault outside training (a snapshot, a probe): pause and tell, if possible."""
        self._playing, self._steps_left = False, 0
        try:
            self._emit(error=f"Training paused by an error: {_describe(exc)}", with_probe=False)
        except Exception:  # noqa: BLE001 (nothing more can be told; the loop goes on)
            pass

    def _wait_for_command(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking at once for a command (which is put back)."""
        try:
            item = self._commands.get(timeout=seconds)
        except queue.Empty:
            return
        # Re-queue at the front is impossible with SimpleQueue; handle it now instead.
        cmd, args = item
        if cmd == "quit":
            self._commands.put(item)
            self._playing = False
            return
        self._handle(cmd, args)

    def _handle(self, cmd: str, args: tuple) -> bool:
        """Apply one command; True if the loop should go on to train."""
        if cmd == "set_trainer":
            self._trainer, self._generation = args
            self._sent = _last_epoch(self._trainer.history) if self._trainer else 0
            self._rate = 0.0
            self._steps_left = 0
            return True
        if cmd == "play":
            self._playing = self._trainer is not None
            self._steps_left = 0
            self._emit()
            return True
        if cmd == "pause":
            was = self._playing or self._steps_left
            self._playing, self._steps_left = False, 0
            if was:
                self._emit()
            return False
        if cmd == "step":
            # Trained in chunks like play, so a long epoch never holds the lock for long.
            self._playing = False
            self._steps_left = int(args[0]) if self._trainer is not None else 0
            return True
        if cmd == "rate":
            self._max_rate = args[0]
            return True
        if cmd == "converge":
            self._converge = args[0]
            return True
        if cmd == "emit":
            self._emit()
            return False
        if cmd == "probe":
            self._probe_points, self._probe_rows = args
            self._probe_ws = None
            self._last_probe = 0.0
            return False
        return False

    def _evaluate_probe(self, net: Network, params: np.ndarray,
                        points: np.ndarray) -> tuple[np.ndarray, ...]:
        """a[1..L] at the probe points for the weights `params` of `net`, by the forward kernel
        training uses, on a copy of the network and in a workspace kept for the probe
        (allocating one was a quarter of the probe's time, taken from training). Runs without
        the lock: on a large plane it takes longer than the GUI may wait for it. Hidden layers
        are copied out only at the rows the views show."""
        cached = self._probe_ws
        if cached is None or cached[0] is not net:
            copy = net.copy()
            ws = copy.workspace(points.shape[0])
            ws.aT[0][...] = points.T
            self._probe_ws = cached = (net, copy, ws)
        _, copy, ws = cached
        np.copyto(copy.params, params)
        with np.errstate(over="ignore"):  # sigmoid's e^-z may overflow to its correct limit
            copy.forward_into(ws, ws.aT_aug[0])
        rows = self._probe_rows
        *hidden, out = ws.a[1:]
        probe = [_frozen(a) if rows is None else a[rows] for a in hidden] + [_frozen(out)]
        for a in probe:
            a.flags.writeable = False
        return tuple(probe)

    def _emit(self, error: str | None = None, with_probe: bool = True) -> None:
        trainer = self._trainer
        if trainer is None:
            return
        with self.lock:
            h = trainer.history
            n = len(h)
            start = int(np.searchsorted(h.epoch, self._sent, "right"))
            self._sent = _last_epoch(h)
            grad = trainer.last_gradient_vector
            params = _frozen(trainer.net.params)
            now = time.perf_counter()
            points = self._probe_points
            probe_due = with_probe and points is not None and (
                not self._playing or error is not None
                or now - self._last_probe >= PROBE_INTERVAL)
            if probe_due:
                self._last_probe = now
            columns = (_frozen(h.epoch[start:n]), _frozen(h.train_loss[start:n]),
                       _frozen(h.test_loss[start:n]))
            last = (float(h.accuracy[-1]) if n else float("nan"),
                    float(h.test_accuracy[-1]) if n else float("nan"))
            epoch, stop_reason = trainer.epoch, trainer.stop_reason
        # The worker evaluates the plane: on the GUI thread this forward pass competed with
        # training for the GIL and blocked the event loop for tens of ms.
        probe = self._evaluate_probe(trainer.net, params, points) if probe_due else None
        snap = Snapshot(
                generation=self._generation,
                epoch=epoch,
                params=params,
                grad=None if grad is None else _frozen(grad),
                epochs=columns[0],
                train_loss=columns[1],
                test_loss=columns[2],
                accuracy=last[0],
                test_accuracy=last[1],
                epochs_per_second=self._rate if self._playing else 0.0,
                running=self._playing,
                error=error,
                stop_reason=stop_reason,
                probe=probe,
        )
        self.snapshot.emit(snap)


class WorkerThread:
    """Owns a TrainWorker and its QThread; `close()` stops both and waits."""

    #: Every instance ever made (weakly): tests check that none is left running.
    instances: weakref.WeakSet = weakref.WeakSet()

    def __init__(self) -> None:
        WorkerThread.instances.add(self)
        self.thread = QThread()
        self.thread.setObjectName("nnviz-train")
        self.worker = TrainWorker()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run_loop)
        self.thread.start()

    def close(self, timeout_ms: int = 5000) -> bool:
        """Stop the worker; it answers within one slice of training (a few ms). Should it not
        within timeout_ms, wait on: a QThread destroyed while running aborts the process."""
        if not self.thread.isRunning():
            return True
        self.worker.stop()
        # quit() before the loop returns is fine: QThread.exec() then returns at once.
        self.thread.quit()
        return self.thread.wait(timeout_ms) or self.thread.wait()
