"""Single-step backpropagation: one sample, phase by phase, every number kept, with undo.

See README, "Single-step backpropagation". Notation (the step panel's): layers are numbered
l = 1..L over the weight layers, with a_0 = x, z_l = a_{l-1} W_l + b_l and a_l = f(z_l). In code
that is ``net.weights[l - 1]``, ``trace.z[l - 1]`` and ``trace.a[l]``. For one sample (x, t) the
phases are::

    forward l = 1..L, loss, output_delta (layer L), backward l = L-1..1, gradients, update

that is 2L + 3 phases (``phase_plan``), then the next sample in the Trainer's online order:
one ``epoch_order(np.random.default_rng(seed), n, shuffle)`` permutation per epoch.

Every number comes from the functions that train: at the first phase of a sample the stepper
runs ``make_sample_pass`` (the very per-sample forward and backward that the Trainer's online
epochs run, on the same kind of contiguous batch-1 workspace) and every later phase of the sample
slices its values out of that workspace; the update calls ``SGD.step`` on the flat gradient.
Stepping every phase of an epoch therefore gives weights bit-identical to
``Trainer(..., batch_size=1).run(1)`` with the same seed and shuffle, whatever BLAS kernel the
CPU selects (README, "Limits and failures").

Records are immutable: a frozen ``PhaseRecord`` whose ``values`` is a read-only mapping of
read-only arrays (vectors of one sample are 1-D). Records of one sample share one read-only copy
of the parameters (``W``, ``W_old``, ... are views of it; the next sample reuses the update's
``W_new`` copy), so 1,000 phases of undo hold about two parameter-sized arrays per sample (params,
gradient), three with momentum (velocity): 0.2-0.3 GB for a 100k-parameter 3-layer network, next
to nothing for the teaching-sized ones. Lower ``max_undo`` for huge networks.

The step panel's text is ``nnviz.core.explain`` (``explain(record, net, node=..., edge=...)``);
the ledger (every number of a sample as rows, CSV and Markdown) is ``nnviz.core.ledger``.

Rules the GUI relies on:

* ``back()`` undoes one phase, also through updates (parameters and momentum velocity are
  restored exactly) and across samples and epochs, for at least the last ``max_undo`` (1,000)
  phases. It returns the record that is now current, or None at the very start; when nothing is
  left to undo it changes nothing and returns None (see ``can_back``).
* ``redo()`` re-applies the last undone phase exactly as it was recorded (even if ``lr`` was
  changed meanwhile) and returns its record; with nothing to redo it returns None and does NOT
  step. ``step()`` always computes afresh with the current hyper-parameters and drops the redo
  list; it gives the same record redo would have given unless a hyper-parameter changed.
* Outside changes: when ``net.params`` differ from what the stepper last wrote or saw (the
  trainer ran, a weight was edited), the next call to any method or property notices it
  (``sync()``): a sample in progress restarts from its first phase with the new weights (same
  row), the records of a finished sample are dropped, undo and redo are cleared (undoing would
  silently throw the outside change away) and the momentum velocity is reset to zero (the outside
  optimiser's velocity is unknown). No stale value survives.
* ``set_next_sample(i)`` is allowed only at a sample boundary (before the first phase of a sample
  or after its update), else it raises RuntimeError. The picked row is an extra visit outside the
  epoch order: it runs next, then the order continues where it was (its records carry the epoch of
  that position). A pick not yet started is dropped by ``back()``; undoing the first phase of a
  picked sample makes the pick pending again, so ``step()`` replays the same row.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import NamedTuple

import numpy as np

from nnviz.core import losses
from nnviz.core.kernels import make_sample_pass
from nnviz.core.network import Gradients, Network
from nnviz.core.optim import SGD, HyperParameters, check_hyper
from nnviz.core.trainer import epoch_order

Array = np.ndarray

KINDS: tuple[str, ...] = ("forward", "loss", "output_delta", "backward", "gradients", "update")
#: Undo depth the issue asks for; the constructor's ``max_undo`` may raise (or, in tests, lower) it.
MAX_UNDO = 1000


def phase_plan(n_layers: int) -> tuple[tuple[str, int | None], ...]:
    """(kind, layer) of every phase of one sample for a network of ``n_layers`` weight layers."""
    L = int(n_layers)
    if L < 1:
        raise ValueError(f"a network has at least 1 weight layer, got {n_layers}")
    return (
        tuple(("forward", l) for l in range(1, L + 1))  # noqa: E741
        + (("loss", None), ("output_delta", L))
        + tuple(("backward", l) for l in range(L - 1, 0, -1))  # noqa: E741
        + (("gradients", None), ("update", None))
    )


def _frozen(a: Array | float, dtype: np.dtype | None = None) -> Array:
    """A read-only copy: records share arrays, so nobody may write into one."""
    out = np.array(a, dtype=dtype, copy=True)
    out.flags.writeable = False
    return out


def _same_bits(a: Array, b: Array) -> bool:
    # array_equal calls -0.0 and 0.0 equal; a restore must be exact to the bit.
    u = f"u{a.dtype.itemsize}"
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(u), b.view(u))


def _blocks(flat: Array, sizes: tuple[int, ...]) -> list[Array]:
    """Per-layer (n_in + 1, n_out) [W; b] views of a flat vector in the params layout."""
    blocks, off = [], 0
    for i, o in zip(sizes[:-1], sizes[1:], strict=True):
        blocks.append(flat[off : off + (i + 1) * o].reshape(i + 1, o))
        off += (i + 1) * o
    return blocks


def flat_gradient(grads: Gradients) -> Array:
    """dW, db of every layer in the layout of ``net.params`` (what ``SGD.step`` takes)."""
    return np.concatenate(
        [np.vstack([dW, db[None]]).ravel() for dW, db in zip(grads.dW, grads.db, strict=True)]
    )


# ---- records --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PhaseRecord:
    """What one phase computed.

    ``layer`` is the 1-based l of the formulas (forward 1..L, output_delta L, backward L-1..1)
    or None (loss, gradients, update). ``sample`` is the row of X, ``epoch`` the 0-based epoch
    of this visit, ``index`` the phase number within the sample (0-based). ``values`` by kind:

    - forward: a_prev, W, b, z, a
    - loss: a, t, z, E (0-d, the core's per-sample loss), terms (per output k, sum ~ E)
    - output_delta: a, t, z, error (a - t), fprime (mse with a non-softmax output), s (0-d,
      mse with softmax: sum_j (a_j - t_j) a_j), delta
    - backward: delta_next, W_next (= W_{l+1}), z, a, fprime, backprop (W_next @ delta_next), delta
    - gradients: for every l: dW_l, db_l, a_{l-1} (keys a_0 .. a_{L-1}), delta_l
    - update: for every l: W_old_l, b_old_l, W_new_l, b_new_l, dW_l, db_l, a_{l-1}, delta_l;
      lr, momentum, l2, l1 (0-d); with momentum also vW_old_l, vb_old_l, vW_new_l, vb_new_l
    """

    kind: str
    layer: int | None
    sample: int
    epoch: int
    index: int
    values: Mapping[str, Array]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhaseRecord):
            return NotImplemented
        if (self.kind, self.layer, self.sample, self.epoch, self.index) != (
            other.kind, other.layer, other.sample, other.epoch, other.index
        ):
            return False
        if self.values.keys() != other.values.keys():
            return False
        return all(
            np.array_equal(v, other.values[k], equal_nan=True) for k, v in self.values.items()
        )

    __hash__ = None  # type: ignore[assignment]  # equal records may hold different arrays

    def __repr__(self) -> str:
        return (
            f"PhaseRecord(kind={self.kind!r}, layer={self.layer}, sample={self.sample}, "
            f"epoch={self.epoch}, index={self.index}, values=[{', '.join(self.values)}])"
        )


class Position(NamedTuple):
    """Where the stepper is: the current sample's epoch and row and how many phases it has done
    (0 before its first phase, 2L + 3 once updated). At a boundary before any phase of the next
    sample, ``sample`` is the row that ``step()`` will start."""

    epoch: int
    sample: int
    phase: int


@dataclass(frozen=True, eq=False)
class _Sample:
    """Everything one sample's phases show, computed once by the core at its first phase."""

    row: int
    epoch: int
    picked: bool
    params: Array  # read-only copy of net.params when the sample started
    W: tuple[Array, ...]
    b: tuple[Array, ...]
    t: Array
    z: tuple[Array, ...]  # z[l - 1] is z_l
    a: tuple[Array, ...]  # a[l] is a_l, a[0] = x
    fprime: tuple[Array | None, ...]  # f'(z_l) per layer; None for a softmax output
    delta: tuple[Array, ...]
    grad: Array  # flat, params layout, read-only
    dW: tuple[Array, ...]
    db: tuple[Array, ...]
    E: Array
    terms: Array


@dataclass(frozen=True, eq=False)
class _State:
    epoch: int  # order cursor: the epoch of the next in-order sample
    pos: int  # ... and its position in that epoch's order
    pick: int | None  # a picked row that starts before the order continues
    data: _Sample | None  # the current sample (in progress or just finished)
    records: tuple[PhaseRecord, ...]  # its records so far


@dataclass(frozen=True, eq=False)
class _Entry:
    before: _State
    after: _State
    record: PhaseRecord
    # For updates: (params, velocity) before and after; velocity None when momentum was 0
    # (SGD leaves the velocity untouched then).
    undo: tuple[Array, Array | None] | None = None
    redo: tuple[Array, Array | None] | None = None


# ---- the stepper ----------------------------------------------------------------------------


class Stepper(HyperParameters):
    """Walks one sample at a time through the phases of backpropagation; mutates ``net`` in
    place only in the update phase (and when undoing / redoing one).

    >>> s = Stepper(net, X, Y, lr=0.5)
    >>> s.step().kind, s.next_kind()
    ('forward', 'forward')
    """

    def __init__(
        self,
        net: Network,
        X: Array,
        Y: Array,
        lr: float = 0.5,
        momentum: float = 0.0,
        shuffle: bool = False,
        seed: int = 0,
        l2: float = 0.0,
        l1: float = 0.0,
        max_undo: int = MAX_UNDO,
    ) -> None:
        self.net = net
        self.X = np.ascontiguousarray(net.check_input(X))
        self.Y = np.ascontiguousarray(net.check_target(Y, len(self.X)))
        if len(self.X) == 0:
            raise ValueError("no samples to step through (X has 0 rows)")
        check_hyper(lr=lr, momentum=momentum, l2=l2, l1=l1)
        losses.check_targets(net.loss_name, self.Y)
        if int(max_undo) < 1:
            raise ValueError(f"max_undo must be >= 1, got {max_undo}")
        self.max_undo = int(max_undo)
        self.shuffle = bool(shuffle)
        self.seed = seed
        self.optimizer = SGD(net.params, net.weight_mask, lr, momentum, l2, l1)
        self._plan = phase_plan(net.n_layers)
        self._rng = np.random.default_rng(seed)
        self._orders: dict[int, Array] = {}
        self._rng_states: dict[int, dict] = {}  # generator state each epoch's order came from
        self._n_drawn = 0
        self._state = _State(0, 0, None, None, ())
        self._undo: deque[_Entry] = deque(maxlen=self.max_undo)
        self._redo: list[_Entry] = []
        self._expected = _frozen(net.params)
        self._last_v: Array | None = None  # read-only copy of the velocity the last update left
        #: How many times ``sync()`` found the parameters changed outside the stepper. Several
        #: readers call ``sync()``; one that must say so once compares this with its last count.
        self.outside_changes = 0
        # The Trainer's online epochs run this same per-sample function on the same kind of
        # workspace: that is what makes a stepped epoch equal an online one bit for bit.
        self._ws = net.workspace(1)
        self._sample_pass = make_sample_pass(net, self._ws, self.X, self.Y)

    # lr, momentum, l2 and l1 (checked, used by the next update) come from HyperParameters.

    # ---- where we are -----------------------------------------------------------------------
    @property
    def phases_per_sample(self) -> int:
        return len(self._plan)

    @property
    def n_samples(self) -> int:
        return len(self.X)

    def _in_progress(self, st: _State) -> bool:
        return st.data is not None and len(st.records) < len(self._plan)

    @property
    def current(self) -> PhaseRecord | None:
        """The record of the last phase done (None at the start or after an outside change)."""
        self.sync()
        return self._state.records[-1] if self._state.records else None

    def sample_records(self) -> tuple[PhaseRecord, ...]:
        """The records of the current sample so far (all of them once it is updated)."""
        self.sync()
        return self._state.records

    @property
    def position(self) -> Position:
        self.sync()
        st = self._state
        if st.data is not None:
            return Position(st.data.epoch, st.data.row, len(st.records))
        return Position(st.epoch, self._next_row(st)[0], 0)

    @property
    def picked(self) -> bool:
        """True when the sample ``position`` names is a picked visit, out of the epoch order
        (the current sample, or before any phase of it the pending pick)."""
        self.sync()
        st = self._state
        return st.data.picked if st.data is not None else st.pick is not None

    @property
    def at_boundary(self) -> bool:
        """True before the first phase of a sample or after its update."""
        self.sync()
        return not self._in_progress(self._state)

    @property
    def next_sample(self) -> int:
        """The row of the next sample to start (after the current one, if one is in progress)."""
        self.sync()
        st = self._state
        if self._in_progress(st):
            st = self._advanced(st)
        return self._next_row(st)[0]

    @property
    def order(self) -> Array:
        """The sample order (read-only) of the epoch the order cursor is in."""
        self.sync()
        return self._order(self._state.epoch)

    def order_of(self, epoch: int) -> Array:
        """The sample order (read-only) of epoch ``epoch`` (0-based), as the Trainer draws it."""
        if not 0 <= int(epoch):
            raise ValueError(f"epoch must be >= 0, got {epoch}")
        if int(epoch) < self._n_drawn and int(epoch) not in self._orders:
            raise ValueError(f"the order of epoch {epoch} is no longer kept")
        return self._order(int(epoch))

    @property
    def epochs_done(self) -> int:
        """Epochs whose every sample has been stepped (the order cursor's epoch): a Trainer
        continuing from here is at ``trainer.epoch == epochs_done``."""
        self.sync()
        return self._state.epoch

    def rng_state(self, epoch: int | None = None) -> dict:
        """The generator state that draws epoch ``epoch``'s order (default: the cursor's), to
        hand to a Trainer so its next epoch visits the samples in the stepper's order."""
        epoch = self.epochs_done if epoch is None else int(epoch)
        self._order(epoch)
        return dict(self._rng_states[epoch])

    def set_position(
        self, epoch: int, rng_state: dict | None = None, index: int = 0, phase: int = 0
    ) -> None:
        """Continue at epoch ``epoch`` (0-based: ``epoch`` epochs are done, as a Trainer's
        ``epoch`` counts them; ``epochs_done`` becomes ``epoch``), at position ``index`` of its
        order, drawing that order and the later ones from ``rng_state`` (a
        ``bit_generator.state``, e.g. the Trainer's; default: this stepper's seed), with
        ``phase`` phases of that sample done: they are stepped now, on the current weights. All
        2L + 3 of them means the sample is finished and its update already in the weights: the
        stepper continues after it (the next epoch after the last sample). Only at a sample
        boundary; undo and redo are cleared."""
        self.sync()
        if self._in_progress(self._state):
            raise RuntimeError("cannot move the stepper in the middle of a sample; call "
                               "finish_sample() first")
        epoch, index, phase = int(epoch), int(index), int(phase)
        if epoch < 0 or not 0 <= index < len(self.X):
            raise ValueError(f"position (epoch {epoch}, index {index}) is out of range")
        if not 0 <= phase <= len(self._plan):
            raise ValueError(f"phase {phase} is out of range 0..{len(self._plan)}")
        rng = np.random.default_rng(self.seed)
        if rng_state is not None:
            rng.bit_generator.state = rng_state
        self._rng = rng
        self._orders.clear()
        self._rng_states.clear()
        self._n_drawn = epoch
        if phase == len(self._plan):  # finished: the cursor is past it
            epoch, index = (epoch, index + 1) if index + 1 < len(self.X) else (epoch + 1, 0)
            phase = 0
        self._state = _State(epoch, index, self._state.pick, None, ())
        self._undo.clear()
        self._redo.clear()
        for _ in range(phase):
            self.step()

    def restore(self, epoch: int, sample: int, phase: int | str = 0) -> None:
        """Re-enter a saved ``Position`` (a session's ``stepper``): row ``sample`` where the
        order of epoch ``epoch`` has it (not as a pick), stepped to ``phase`` on the current
        weights; ``epochs_done`` becomes ``epoch``.

        ``phase`` is the number of phases done (as ``Position.phase``) or a phase kind name (the
        first phase of that kind). The order is the one this stepper draws next (call
        ``set_position`` with the Trainer's epoch and generator first to make it the Trainer's).
        A finished sample (all phases) is not stepped again: the weights already hold its update.
        One of an epoch before ``epochs_done`` ended that epoch: stepping goes on where it is.
        """
        kinds = [k for k, _ in self._plan]
        P = len(kinds)
        if isinstance(phase, str):
            if phase not in kinds:
                raise ValueError(f"unknown phase {phase!r}; expected one of {sorted(set(kinds))}")
            count = kinds.index(phase) + 1
        else:
            count = int(phase)
            if not 0 <= count <= P:
                raise ValueError(f"phase {count} is out of range 0..{P}")
        sample, epoch = int(sample), int(epoch)
        if not 0 <= sample < len(self.X):
            raise ValueError(f"sample {sample} is out of range 0..{len(self.X) - 1}")
        if epoch < 0:
            raise ValueError(f"epoch must be >= 0, got {epoch}")
        self.sync()
        self._state = _State(self._state.epoch, self._state.pos, None, None, ())  # re-entered
        state = self.rng_state()
        if count == P and epoch < self.epochs_done:
            self.set_position(self.epochs_done, state, self._state.pos)
            return
        self.set_position(epoch, state)
        index = int(np.flatnonzero(self.order_of(epoch) == sample)[0])
        self.set_position(epoch, state, index, count)

    def next_phase(self) -> tuple[str, int | None]:
        """(kind, layer) of the phase ``step()`` will produce."""
        self.sync()
        st = self._state
        return self._plan[len(st.records)] if self._in_progress(st) else self._plan[0]

    def next_kind(self) -> str:
        """The kind of the phase ``step()`` will produce (for "predict, then reveal")."""
        return self.next_phase()[0]

    @property
    def can_back(self) -> bool:
        self.sync()
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        self.sync()
        return bool(self._redo)

    # ---- outside changes --------------------------------------------------------------------
    def sync(self) -> bool:
        """Notice parameters changed outside the stepper; True if it had to restart.

        Then a sample in progress restarts from its first phase (same row, same epoch position),
        a finished sample's records are dropped, undo and redo are cleared and the momentum
        velocity is reset: nothing computed from the old weights stays visible.
        """
        if np.array_equal(self.net.params, self._expected, equal_nan=True):
            return False
        st = self._state
        pick = st.pick
        if self._in_progress(st) and st.data.picked:
            pick = st.data.row
        self._state = _State(st.epoch, st.pos, pick, None, ())
        self._undo.clear()
        self._redo.clear()
        self.optimizer.reset()
        self._expected = _frozen(self.net.params)
        self.outside_changes += 1
        return True

    # ---- moving -----------------------------------------------------------------------------
    def step(self) -> PhaseRecord:
        """Do the next phase (starting the next sample after an update) and return its record."""
        self.sync()
        self._redo.clear()
        before = st = self._state
        if not self._in_progress(st):
            row, picked = self._next_row(st)
            st = _State(st.epoch, st.pos, None, self._compute(row, st.epoch, picked), ())
        index = len(st.records)
        kind, layer = self._plan[index]
        undo = redo = None
        if kind == "update":
            record, undo, redo = self._update(st.data, index)
            st = self._advanced(st)
        else:
            record = self._record(st.data, kind, layer, index)
        after = replace(st, records=st.records + (record,))
        self._state = after
        self._undo.append(_Entry(before, after, record, undo, redo))
        self._prune_orders()
        return record

    def back(self) -> PhaseRecord | None:
        """Undo one phase; return the record now current (None at the start or if nothing to
        undo, including right after an outside change of the weights)."""
        if self.sync() or not self._undo:
            return None
        entry = self._undo.pop()
        if entry.undo is not None:
            self._restore(*entry.undo)
        self._state = entry.before
        self._redo.append(entry)
        return self.current

    def redo(self) -> PhaseRecord | None:
        """Re-apply the last undone phase exactly as recorded; None (and no step) if none."""
        if self.sync() or not self._redo:
            return None
        entry = self._redo.pop()
        if entry.redo is not None:
            self._restore(*entry.redo)
        self._state = entry.after
        self._undo.append(entry)
        return entry.record

    def finish_sample(self) -> tuple[PhaseRecord, ...]:
        """Step to the end of this sample's update (at a boundary: run the whole next sample);
        return all records of that sample."""
        self.sync()
        self.step()
        while self._in_progress(self._state):
            self.step()
        return self._state.records

    def run_to_epoch_end(self) -> int:
        """Finish the current sample, then run samples until the epoch's order is done.

        At a boundary at the start of an epoch this runs the whole epoch. Returns the number of
        samples completed. Samples whose phases would fall out of the undo depth anyway run
        without making records (same core calls, same bits), so a long epoch costs no more
        memory than ``max_undo`` phases.
        """
        self.sync()
        st = self._state
        target = st.data.epoch if self._in_progress(st) else st.epoch
        done = 0
        if self._in_progress(st):
            self.finish_sample()
            done += 1
        keep = math.ceil(self.max_undo / len(self._plan))  # samples whose records can be undone
        while self._state.epoch == target:
            st = self._state
            left = len(self.X) - st.pos + (st.pick is not None)
            if left > keep:
                self._run_unrecorded(st)
            else:
                self.finish_sample()
            done += 1
        return done

    def set_next_sample(self, row: int | None) -> None:
        """Make row ``row`` the next sample to start (None cancels a pick); see the module doc."""
        self.sync()
        st = self._state
        if self._in_progress(st):
            raise RuntimeError(
                f"cannot pick the next sample while sample {st.data.row} is at phase "
                f"{len(st.records)} of {len(self._plan)}; call finish_sample() first"
            )
        if row is not None:
            if isinstance(row, bool) or not isinstance(row, int | np.integer):
                raise TypeError(f"sample must be a row number, got {row!r}")
            if not 0 <= int(row) < len(self.X):
                raise ValueError(
                    f"sample {row} is out of range: the data has rows 0..{len(self.X) - 1}"
                )
            row = int(row)
        self._state = replace(st, pick=row)
        self._redo.clear()

    # ---- internals --------------------------------------------------------------------------
    def _order(self, epoch: int) -> Array:
        # Orders are drawn in sequence from one generator, exactly as the Trainer draws them.
        while self._n_drawn <= epoch:
            self._rng_states[self._n_drawn] = self._rng.bit_generator.state
            o = epoch_order(self._rng, len(self.X), self.shuffle)
            o.flags.writeable = False
            self._orders[self._n_drawn] = o
            self._n_drawn += 1
        return self._orders[epoch]

    def _prune_orders(self) -> None:
        # Keep what the states that back() can reach show: their cursor and their sample's epoch.
        st = self._undo[0].before if self._undo else self._state
        oldest = st.epoch if st.data is None else min(st.epoch, st.data.epoch)
        for e in [e for e in self._orders if e < oldest]:
            del self._orders[e]
            self._rng_states.pop(e, None)

    def _next_row(self, st: _State) -> tuple[int, bool]:
        if st.pick is not None:
            return st.pick, True
        return int(self._order(st.epoch)[st.pos]), False

    def _advanced(self, st: _State) -> _State:
        """The order cursor after the current sample: in-order samples move it, picks do not."""
        if st.data is None or st.data.picked:
            return st
        pos = st.pos + 1
        if pos == len(self.X):
            return replace(st, epoch=st.epoch + 1, pos=0)
        return replace(st, pos=pos)

    def _restore(self, params: Array, velocity: Array | None) -> None:
        np.copyto(self.net.params, params)
        if velocity is not None:
            np.copyto(self.optimizer.velocity, velocity)
            self._last_v = velocity
        self._expected = params

    def _run_unrecorded(self, st: _State) -> None:
        row, picked = self._next_row(st)
        net = self.net
        with np.errstate(over="ignore", invalid="ignore"):
            self._sample_pass(row)
        self.optimizer.step(self._ws.grad)
        st = _State(st.epoch, st.pos, None, None, ())
        if not picked:
            pos = st.pos + 1
            st = _State(st.epoch + 1, 0, None, None, ()) if pos == len(self.X) else replace(
                st, pos=pos
            )
        self._state = st
        self._undo.clear()
        self._redo.clear()
        self._expected = _frozen(net.params)
        self._prune_orders()

    def _compute(self, row: int, epoch: int, picked: bool) -> _Sample:
        net = self.net
        sizes = net.sizes
        params = self._expected  # == net.params: sync() just checked
        blocks = _blocks(params, sizes)
        ws = self._ws
        with np.errstate(over="ignore"):  # sigmoid's e^-z may overflow to its correct limit
            self._sample_pass(row)
        t = self.Y[row : row + 1]
        L = net.n_layers
        fprime: list[Array | None] = []
        for i in range(L):
            f = net.layer_activation(i)
            # A softmax output has no diagonal f' (its Jacobian is full; losses handles it).
            d = None if f.name == "softmax" else f.derivative(ws.z[i], ws.a[i + 1])[0]
            fprime.append(None if d is None else _frozen(d))
        grad = _frozen(ws.grad)
        gblocks = _blocks(grad, sizes)
        z_out, a_out = ws.z[-1], ws.a[-1]
        E = losses.per_sample(net.loss_name, z_out, a_out, t)[0]
        return _Sample(
            row=row,
            epoch=epoch,
            picked=picked,
            params=params,
            W=tuple(p[:-1] for p in blocks),
            b=tuple(p[-1] for p in blocks),
            t=_frozen(t[0]),
            z=tuple(_frozen(z[0]) for z in ws.z),
            a=tuple(_frozen(a[0]) for a in ws.a),
            fprime=tuple(fprime),
            delta=tuple(_frozen(d[0]) for d in ws.delta),
            grad=grad,
            dW=tuple(g[:-1] for g in gblocks),
            db=tuple(g[-1] for g in gblocks),
            E=_frozen(E),
            terms=_frozen(_loss_terms(net.loss_name, z_out[0], a_out[0], t[0])),
        )

    def _record(self, d: _Sample, kind: str, layer: int | None, index: int) -> PhaseRecord:
        L = len(d.W)
        v: dict[str, Array]
        if kind == "forward":
            i = layer - 1
            v = {"a_prev": d.a[i], "W": d.W[i], "b": d.b[i], "z": d.z[i], "a": d.a[i + 1]}
        elif kind == "loss":
            v = {"a": d.a[L], "t": d.t, "z": d.z[L - 1], "E": d.E, "terms": d.terms}
        elif kind == "output_delta":
            a, t = d.a[L], d.t
            v = {"a": a, "t": t, "z": d.z[L - 1], "error": _frozen(a - t)}
            if self.net.loss_name == "mse":
                if self.net.output == "softmax":
                    v["s"] = _frozen(np.dot(a - t, a))
                else:
                    v["fprime"] = d.fprime[L - 1]
            v["delta"] = d.delta[L - 1]
        elif kind == "backward":
            i = layer - 1
            v = {
                "delta_next": d.delta[i + 1], "W_next": d.W[i + 1], "z": d.z[i], "a": d.a[i + 1],
                "fprime": d.fprime[i], "backprop": _frozen(d.W[i + 1] @ d.delta[i + 1]),
                "delta": d.delta[i],
            }
        elif kind == "gradients":
            v = {}
            for l in range(1, L + 1):  # noqa: E741
                v[f"dW_{l}"], v[f"db_{l}"] = d.dW[l - 1], d.db[l - 1]
                v[f"a_{l - 1}"], v[f"delta_{l}"] = d.a[l - 1], d.delta[l - 1]
        else:  # pragma: no cover - the plan has no other kinds
            raise ValueError(f"unknown phase kind {kind!r}")
        return PhaseRecord(kind, layer, d.row, d.epoch, index, MappingProxyType(v))

    def _update(
        self, d: _Sample, index: int
    ) -> tuple[PhaseRecord, tuple[Array, Array | None], tuple[Array, Array | None]]:
        opt = self.optimizer
        use_v = opt.momentum != 0.0
        v_old = None
        if use_v:
            # The previous update's velocity copy is this one's "before" when the bits still
            # match: one velocity copy per sample instead of two.
            last = self._last_v
            v_old = last if last is not None and _same_bits(last, opt.velocity) else _frozen(
                opt.velocity
            )
        opt.step(d.grad)
        new = _frozen(self.net.params)
        v_new = _frozen(opt.velocity) if use_v else None
        if use_v:
            self._last_v = v_new
        self._expected = new
        sizes = self.net.sizes
        nb = _blocks(new, sizes)
        v: dict[str, Array] = {}
        for l in range(1, len(d.W) + 1):  # noqa: E741
            i = l - 1
            v[f"W_old_{l}"], v[f"b_old_{l}"] = d.W[i], d.b[i]
            v[f"W_new_{l}"], v[f"b_new_{l}"] = nb[i][:-1], nb[i][-1]
            v[f"dW_{l}"], v[f"db_{l}"] = d.dW[i], d.db[i]
            v[f"a_{i}"], v[f"delta_{l}"] = d.a[i], d.delta[i]
        for name in ("lr", "momentum", "l2", "l1"):
            v[name] = _frozen(float(getattr(opt, name)))
        if use_v:
            for tag, flat in (("old", v_old), ("new", v_new)):
                for l, blk in enumerate(_blocks(flat, sizes), start=1):  # noqa: E741
                    v[f"vW_{tag}_{l}"], v[f"vb_{tag}_{l}"] = blk[:-1], blk[-1]
        record = PhaseRecord("update", None, d.row, d.epoch, index, MappingProxyType(v))
        return record, (d.params, v_old), (new, v_new)


def _loss_terms(loss: str, z: Array, a: Array, t: Array) -> Array:
    """Per-output terms of E (for the panel; E itself is the core's per_sample)."""
    if loss == "mse":
        return 0.5 * (a - t) ** 2
    if loss == "bce":
        # Each output k as its own one-output "sample": the core's stable z-form per term.
        return losses.per_sample("bce", z[:, None], a[:, None], t[:, None])
    m = z.max()
    log_a = z - m - np.log(np.exp(z - m).sum())
    return -(t * log_a)
