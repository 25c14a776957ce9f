"""The stepping session: one core ``Stepper`` on the controller's network, shared with live
training (README, "Single-step backpropagation", "One counter").

The session drives the stepper on ``controller.net`` itself, never on a copy. Every command first
pauses the worker and waits until it has really stopped, then runs with ``worker.lock`` held.
Play trains on from the stepped weights; the stepper notices weights changed behind its back
(training, an edited weight) through ``Stepper.sync()`` and restarts the sample in progress.

Everything the panel shows about the stepper's place (order, epoch, picks, outside changes) is
read from the stepper; the session keeps no copy of it. It owns only what the stepper cannot
know: the shuffle choice for the next stepper and which outside change it has reported.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import numpy as np

from nnviz.core import notation
from nnviz.core.network import GradientCheck, gradient_check_detail
from nnviz.core.stepper import PhaseRecord, Position, Stepper

#: How long a command waits for the worker to finish its current chunk (a chunk is ~6 ms).
PAUSE_TIMEOUT_S = 1.0
#: Finite differences cost two forward passes per parameter: keep the check interactive.
MAX_CHECK_PARAMS = 5000

T = TypeVar("T")


class StepSession:
    """The Step dock's stepper and its bond with the trainer (``controller`` of the window)."""

    def __init__(self, controller: Any) -> None:  # Controller (nnviz.gui.controller)
        self.c = controller
        self._stepper: Stepper | None = None
        self._shuffle = False  # the order of the next stepper (the current one has its own)
        self._reported = 0  # the stepper's outside_changes already reported by outside_change()
        # True while the session moves the controller's selected sample itself: the controller's
        # sampleSelected signal then echoes our own choice and must not become a pick.
        self.selecting = False

    # ---- the stepper ------------------------------------------------------------------------
    @property
    def stepper(self) -> Stepper | None:
        """The stepper on the controller's network, or None before the first step on it."""
        st = self._stepper
        return st if st is not None and st.net is self.c.net else None

    def drop(self) -> None:
        """Forget the stepper (a new network, a new order): the next command makes a new one."""
        self._stepper = None

    def set_shuffle(self, on: bool) -> bool:
        """The sample order of the next stepper; True if a stepper was dropped for it."""
        self._shuffle = bool(on)
        dropped = self._stepper is not None
        self._stepper = None
        return dropped

    def pause_training(self) -> None:
        """Stop live training and wait until the worker has finished its chunk.

        controller.pause() only queues the command; without waiting, the worker could start one
        more chunk between our step and its reading of the queue, on top of the stepped weights.
        """
        c = self.c
        if c.playing or c.worker.playing:
            c.pause()
            deadline = time.perf_counter() + PAUSE_TIMEOUT_S
            while c.worker.playing and time.perf_counter() < deadline:
                time.sleep(0.0005)

    def ensure(self) -> Stepper:
        """The stepper, created now if needed (training paused first); ValueError if the data
        cannot be stepped. The controls' hyper-parameters apply from its next update."""
        self.pause_training()
        c = self.c
        s = c.settings
        with c.worker.lock:
            st = self.stepper
            if st is None:
                st = Stepper(c.net, c.dataset.X_train, c.dataset.Y_train, lr=s.lr,
                             momentum=s.momentum, shuffle=self._shuffle, seed=s.seed,
                             l2=s.l2, l1=s.l1)
                self._stepper = st
                self._reported = 0
            else:
                # The controls own these and change them live; the stepper takes them here,
                # before every command, so its next update uses what the controls show.
                for name in ("lr", "momentum", "l2", "l1"):
                    value = float(getattr(s, name))
                    if getattr(st, name) != value:
                        setattr(st, name, value)
            self._sync_counter(st, follow_trainer=True)
        return st

    def outside_change(self) -> bool:
        """True once after the weights changed behind the stepper's back (training, an edit).

        Counted by the stepper whoever notices it: other features (sessions) read the stepper
        too, and ``Stepper.sync()`` answers True only to the first reader.
        """
        st = self.stepper
        if st is None:
            return False
        with self.c.worker.lock:
            st.sync()
            n = st.outside_changes
        changed, self._reported = n != self._reported, n
        return changed

    def command(self, run: Callable[[Stepper], T]) -> T:
        """``run(stepper)`` with the worker's lock held, then the trainer's count follows."""
        st = self.stepper
        assert st is not None, "ensure() first"
        with self.c.worker.lock:
            result = run(st)
            self._sync_counter(st, follow_trainer=False)
        return result

    # ---- one counter ------------------------------------------------------------------------
    def _sync_counter(self, st: Stepper, follow_trainer: bool) -> None:
        """One epoch count, the trainer's (call with the worker's lock held).

        Before a command (``follow_trainer``) a difference means the trainer trained since the
        last one: the stepper, at a sample boundary, continues at the trainer's epoch in the
        order the trainer would draw next. After a command the stepper moved (through epochs,
        or back): the trainer's count and order follow it, so the status bar and Play continue
        from there.
        """
        t = self.c.trainer
        if st.epochs_done != t.epoch:
            if not follow_trainer:
                t.epoch = st.epochs_done
                t.rng.bit_generator.state = st.rng_state()
            elif st.at_boundary:
                st.set_position(t.epoch, t.rng.bit_generator.state)
        pos = st.position
        self.follow_selection(pos.sample)
        P = st.phases_per_sample
        if 0 < pos.phase < P:
            text = (f"stepping {notation.epoch(pos.epoch)}, {notation.sample(pos.sample)}, "
                    f"phase {pos.phase}/{P}")
        else:
            text = f"next step: {notation.epoch(st.epochs_done)}, {notation.sample(st.next_sample)}"
        self.c.show_step_position(t.epoch, text)

    # ---- picks and the one selected sample ----------------------------------------------------
    def follow_selection(self, row: int) -> None:
        """The controller's one selected sample follows the stepper (no pick back)."""
        self.selecting = True
        try:
            self.c.select_sample(row)
        finally:
            self.selecting = False

    def pick(self, row: int) -> Position | None:
        """Make data row ``row`` the next sample; refused in the middle of a sample: then the
        position of the sample in progress is returned (None when picked)."""
        st = self.stepper
        assert st is not None, "ensure() first"
        with self.c.worker.lock:
            if not st.at_boundary:
                return st.position
            st.set_next_sample(int(row))
        self.follow_selection(int(row))
        return None

    def restore(self, position: Mapping[str, Any]) -> Position:
        """Re-enter a saved ``Position`` (a session's ``stepper``) on the current weights, in the
        order the trainer draws (``Stepper.restore``); returns the position reached."""
        self.ensure()  # at the trainer's epoch, in the trainer's next order

        def run(st: Stepper) -> Position:
            st.restore(int(position["epoch"]), int(position["sample"]), position.get("phase", 0))
            return st.position

        return self.command(run)

    # ---- reading ----------------------------------------------------------------------------
    def records(self) -> tuple[tuple[PhaseRecord, ...], Stepper | None]:
        """The current sample's records so far and the stepper (none before the first step)."""
        st = self.stepper
        if st is None:
            return (), None
        with self.c.worker.lock:
            return st.sample_records(), st

    def current(self) -> PhaseRecord | None:
        recs, _st = self.records()
        return recs[-1] if recs else None

    def read(self, get: Callable[[Stepper], T]) -> T:
        """``get(stepper)`` with the worker's lock held (the stepper must exist)."""
        st = self.stepper
        assert st is not None, "ensure() first"
        with self.c.worker.lock:
            return get(st)

    def place(self) -> tuple[Position, int | None, int]:
        """The stepper's position, the 1-based visit of its sample in that epoch's order (None:
        a pick, out of order) and the row of the sample after it."""
        st = self.stepper
        assert st is not None, "ensure() first"
        with self.c.worker.lock:
            pos = st.position
            visit = None if st.picked else int(
                np.flatnonzero(st.order_of(pos.epoch) == pos.sample)[0]) + 1
            return pos, visit, st.next_sample

    def marks(self) -> tuple[int | None, int | None]:
        """The row of the sample in progress (None between samples) and the next sample's row
        (the first data row before the first step)."""
        st = self.stepper
        if st is None:
            return None, 0 if len(self.c.dataset.X_train) else None
        with self.c.worker.lock:
            recs = st.sample_records()
            current = recs[-1].sample if recs and not st.at_boundary else None
            return current, st.next_sample

    def views_behind(self) -> bool:
        """True when the views show other weights than the network has, while paused (after a
        step, or when a snapshot the worker sent before a step arrived after it)."""
        c = self.c
        with c.worker.lock:
            return not c.playing and not np.array_equal(c.display_net.params, c.net.params)

    def gradient_check(self) -> tuple[GradientCheck, int]:
        """Backprop next to finite differences for the current sample, at the weights it was
        stepped with (after the update: the update's old weights, so the check compares the
        very gradient the panel showed); the check and the sample's row. ValueError (with the
        message to show) for a network too large to check or data that cannot be stepped."""
        c = self.c
        n_params = c.net.params.size
        if n_params > MAX_CHECK_PARAMS:
            raise ValueError(f"Gradient check is for small networks: this one has "
                             f"{n_params:,} parameters (limit {MAX_CHECK_PARAMS:,})")
        try:
            st = self.ensure()
        except ValueError as exc:
            raise ValueError(f"Cannot check: {exc}") from exc
        with c.worker.lock:
            net = c.net.copy()
            recs = st.sample_records()
            row = recs[-1].sample if recs else st.position.sample
            if recs and recs[-1].kind == "update":
                v = recs[-1].values
                L = net.n_layers
                net.set_params([v[f"W_old_{l}"] for l in range(1, L + 1)],  # noqa: E741
                               [v[f"b_old_{l}"] for l in range(1, L + 1)])  # noqa: E741
        d = c.dataset
        return gradient_check_detail(net, d.X_train[row], d.Y_train[row]), row
