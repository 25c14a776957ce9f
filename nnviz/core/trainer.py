"""Epochs over the data in full-batch, mini-batch or online order, with a growing history.

Loss and accuracy of an epoch are the means over its batches, each measured just before that
batch's update (as most frameworks report them): for full batch that is the loss of the weights the
epoch started from, and it costs nothing extra because backprop computes it anyway. The test loss
and accuracy are measured after the epoch's updates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np

from nnviz.core import limits, losses
from nnviz.core.datacheck import check_finite
from nnviz.core.history import AccuracyBlock, History, score
from nnviz.core.kernels import loss_factor, make_online_step, make_step
from nnviz.core.network import Network, Workspace, accuracy
from nnviz.core.optim import SGD, HyperParameters
from nnviz.core.spec import HyperParams

Array = np.ndarray

#: Weights beyond this magnitude mean the learning rate is far too large: every sigmoid or tanh
#: unit is saturated (its gradient rounds to 0) even before anything overflows to inf.
WEIGHT_LIMIT = 1e4
#: Epochs between checks of the weights (and checkpoints of the last good state).
CHECK_EVERY = 256
#: Floating-point operations of one slice of a long full-batch epoch (a few ms of work): the
#: epoch's gradient is summed over slices of rows so a caller can pause between them. Fixed
#: numbers only (never timings), so the same setup always slices, and rounds, alike.
SLICE_FLOPS = 1 << 23
#: A mini-batch or online epoch longer than this (about 50 ms) yields between groups of
#: batches; a training step's Python overhead counts as STEP_FLOPS.
LONG_EPOCH_FLOPS = 1 << 26
STEP_FLOPS = 20_000


class DivergenceError(RuntimeError):
    """Training produced NaN/inf (or exploding weights); the last good weights were restored."""

    def __init__(self, epoch: int, restored_epoch: int, reason: str, lr: float) -> None:
        self.epoch = epoch
        self.restored_epoch = restored_epoch
        self.reason = reason
        self.lr = lr
        super().__init__(
            f"training diverged at epoch {epoch:,}: {reason}. The weights from epoch "
            f"{restored_epoch:,} (the last finite ones) were kept. Try a smaller learning rate "
            f"than {lr:g}."
        )


def flops_per_row(sizes: tuple[int, ...]) -> int:
    """Floating-point operations of one sample's forward and backward pass (about)."""
    return 6 * sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=False))


def slice_rows(sizes: tuple[int, ...], n: int) -> int:
    """Rows per slice of a full-batch epoch of n rows (n itself when one slice is enough)."""
    return min(n, max(64, SLICE_FLOPS // max(flops_per_row(sizes), 1)))


def check_training_size(
    sizes: tuple[int, ...], n: int, batch_size: int | None, n_test: int = 0
) -> None:
    """Raise limits.SizeError when a Trainer of this shape would not fit in memory. A full batch
    over many rows works in slices, so its workspaces hold slice_rows rows, not n."""
    full = batch_size is None or batch_size >= n
    rows = slice_rows(sizes, n) if full else batch_size
    limits.check_training(sizes, n, batch_size, n_test, workspace_rows=rows)


def epoch_order(rng: np.random.Generator, n: int, shuffle: bool) -> Array:
    """The sample order of one epoch; the stepper uses it too, so both visit samples alike."""
    return rng.permutation(n) if shuffle else np.arange(n)


@dataclass(frozen=True)
class Evaluation:
    train_loss: float
    accuracy: float
    test_loss: float
    test_accuracy: float


class Trainer(HyperParameters):
    """Trains `net` in place on (X, Y).

    batch_size=None trains full batch; 1 is online SGD; N mini-batches of N. With shuffle the
    order of every epoch is a seeded permutation, else the data order. Everything is seeded:
    the same arguments give bit-identical weights and histories.
    """

    def __init__(
        self,
        net: Network,
        X: Array,
        Y: Array,
        lr: float = 0.5,
        batch_size: int | None = None,
        momentum: float = 0.0,
        l2: float = 0.0,
        l1: float = 0.0,
        shuffle: bool = True,
        seed: int = 0,
        X_test: Array | None = None,
        Y_test: Array | None = None,
        weight_limit: float | None = WEIGHT_LIMIT,
    ) -> None:
        hyper = HyperParams(lr=lr, momentum=momentum, l2=l2, l1=l1, batch_size=batch_size,
                            shuffle=shuffle, seed=seed)
        self._setup(net, X, Y, hyper, X_test, Y_test, weight_limit)

    @classmethod
    def from_hyper(
        cls,
        net: Network,
        X: Array,
        Y: Array,
        hyper: HyperParams,
        X_test: Array | None = None,
        Y_test: Array | None = None,
        weight_limit: float | None = WEIGHT_LIMIT,
        data_of: Trainer | None = None,
    ) -> Trainer:
        """A Trainer of `hyper`'s learning rate, batch size, momentum, penalties, shuffling and
        seed (checked when `hyper` was made, not again). `data_of`: a trainer of the very same
        X and Y arrays (a reset), whose read-only kernel layout of them is taken over rather
        than built again (36 MB and a noticeable wait at 1.5 million rows)."""
        trainer = cls.__new__(cls)
        trainer._setup(net, X, Y, hyper, X_test, Y_test, weight_limit, data_of)
        return trainer

    def _setup(self, net: Network, X: Array, Y: Array, hyper: HyperParams,
               X_test: Array | None, Y_test: Array | None, weight_limit: float | None,
               data_of: Trainer | None = None) -> None:
        self.net = net
        self.X = np.ascontiguousarray(net.check_input(X))
        self.Y = np.ascontiguousarray(net.check_target(Y, len(self.X)))
        check_finite(self.X, self.Y)
        if len(self.X) == 0:
            raise ValueError("no training samples")
        n = len(self.X)
        batch_size = hyper.batch_size
        self.batch_size = None if batch_size is None or batch_size >= n else batch_size
        check_training_size(net.sizes, n, self.batch_size,
                            len(X_test) if X_test is not None else 0)
        if X_test is not None and Y_test is not None and len(X_test):
            self.X_test = net.check_input(X_test)
            self.Y_test = net.check_target(Y_test, len(self.X_test))
            check_finite(self.X_test, self.Y_test, "test data")
        else:
            self.X_test = self.Y_test = None
        losses.check_targets(net.loss_name, self.Y)
        #: A sentence about targets the output cannot reach (shown, not refused), or None.
        self.warning = losses.target_warning(net.output, self.Y)
        self.shuffle = hyper.shuffle
        self.seed = hyper.seed
        self.rng = np.random.default_rng(self.seed)
        self.weight_limit = weight_limit
        self.optimizer = SGD.from_hyper(net.params, net.weight_mask, hyper)
        # Transposed (features x samples) with a row of ones: the layout the kernel wants.
        if (data_of is not None and data_of.X is self.X and data_of.Y is self.Y
                and data_of.XT_aug.dtype == net.dtype):
            self.XT_aug, self.YT = data_of.XT_aug, data_of.YT
        else:
            self.XT_aug = np.ones((self.X.shape[1] + 1, n), net.dtype)
            self.XT_aug[:-1] = self.X.T
            self.YT = np.ascontiguousarray(self.Y.T)
        self.history = History()
        self.epoch = 0
        self.stop_reason = ""
        self._outputsT = np.empty_like(self.Y.T)  # the epoch's outputs, for its accuracy
        self._ws: dict[int, Workspace] = {}
        self._single_output = net.sizes[-1] == 1
        self._target_bool = self.Y[:, 0] > 0.5 if self._single_output else None
        self._target_class = None if self._single_output else self.Y.argmax(axis=1)
        self._bool_buf = np.empty(n, bool)
        self._block: AccuracyBlock | None = None  # made by the first full-batch run
        self._checkpoint: tuple | None = None
        self._last_ws: Workspace | None = None
        self._grad_scale = 1.0  # ws.grad holds grad_scale times the mean gradient
        self._flops_per_row = flops_per_row(net.sizes)
        self._slice_rows = slice_rows(net.sizes, n)
        self._slice_ws: dict[int, Workspace] = {}
        # An epoch paused half way (see run()): (generator, weights when paused, batch size)
        self._pending: tuple | None = None

    # lr, momentum, l2 and l1 (checked, changeable between epochs), `hyper` and `set_hyper`
    # come from HyperParameters.

    @property
    def last_gradients(self) -> tuple[list[Array], list[Array]] | None:
        """dW, db of the most recent batch (copies), or None before the first."""
        grad = self.last_gradient_vector
        if grad is None:
            return None
        blocks = self.net._blocks(grad)
        return [b[:-1] for b in blocks], [b[-1] for b in blocks]

    @property
    def last_gradient_vector(self) -> Array | None:
        """The flat batch-mean gradient of the most recent batch (a copy), in params layout."""
        if self._last_ws is None:
            return None
        grad = self._last_ws.grad
        return grad / self._grad_scale if self._grad_scale != 1.0 else grad.copy()

    def _workspace(self, batch: int) -> Workspace:
        ws = self._ws.get(batch)
        if ws is None:
            ws = self._ws[batch] = self.net.workspace(batch)
        return ws

    def _kernel(
        self, batch: int, want_loss: bool = True
    ) -> tuple[Workspace, Callable, float, float]:
        ws = self._workspace(batch)
        return (ws, *make_step(self.net, ws, self.optimizer, want_loss))

    # ---- training ------------------------------------------------------------------------------
    def run(
        self,
        epochs: int,
        *,
        target_loss: float | None = None,
        target_accuracy: float | None = None,
        eval_every: int = 1,
        should_yield: Callable[[], bool] | None = None,
        converge: tuple[float, float] | None = None,
    ) -> History:
        """Train up to `epochs` more epochs; stop early at a target loss or accuracy, or (with
        ``converge=(loss_threshold, accuracy)``) at the first epoch that meets both, the
        window's auto-stop (stop_reason "converged").

        Raises DivergenceError (after restoring the last good weights) when the loss or the
        weights stop being finite or exceed `weight_limit`.

        A long full-batch epoch is computed over slices of rows (README: Limits and failures);
        `should_yield` is asked after every slice, and when it says True run() returns at once
        with stop_reason "time_slice" and the epoch half done. The next run() goes on with it,
        unless the weights were changed in between: then the epoch starts again.
        """
        # Overflow in sigmoid's e^-z gives the correct limit; inf/NaN from a diverging run are
        # detected below and reported as a DivergenceError, not as NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._run(epochs, target_loss, target_accuracy, eval_every, should_yield,
                             converge)

    def _run(
        self,
        epochs: int,
        target_loss: float | None,
        target_accuracy: float | None,
        eval_every: int,
        should_yield: Callable[[], bool] | None = None,
        converge: tuple[float, float] | None = None,
    ) -> History:
        epochs = int(epochs)
        if epochs < 0:
            raise ValueError(f"epochs must be >= 0, got {epochs}")
        n = len(self.X)
        full = self.batch_size is None
        sliced = full and self._slice_rows < n
        pending = self._take_pending(sliced)
        kernel = None
        if full and not sliced:
            # Kernels are built per run() so live changes of lr or momentum take effect.
            kernel = self._kernel(n)
            self._last_ws, self._grad_scale = kernel[0], kernel[3]
        elif not full:
            self._prepare_batches()
        self._save_checkpoint()
        self.stop_reason = "epochs"
        stops = (target_loss, target_accuracy, converge)
        if kernel is not None and pending is None:
            self._full_batch_epochs(epochs, kernel, stops, eval_every)
        else:
            self._epochs(epochs, kernel, pending, sliced, should_yield, stops, eval_every)
        self._check_weights_and_checkpoint()
        return self.history

    def _full_batch_epochs(self, epochs: int, kernel: tuple, stops: tuple,
                           eval_every: int) -> None:
        """_run's loop for full-batch epochs of one kernel call each. Only what must happen
        every epoch does: the loss is stored as the kernel's sum and scaled, the epochs
        numbered and their accuracies scored, a block of rows at a time when they are
        published (at every weight check, when the block or the history's room is full, and
        at the end); a stop rule that needs them computes them at once."""
        ws, step, scale, _ = kernel
        scale /= len(self.X)
        XT, YT, out = self.XT_aug, self.YT, ws.aT[-1]
        block = self._accuracy_block()
        outs, score_one = block.outputs, block.score
        target_loss, target_accuracy, converge = stops
        stopping = any(rule is not None for rule in stops)
        h, test, isfinite = self.history, self.X_test is not None, math.isfinite
        i = len(h)
        shift = self.epoch - i  # row i holds epoch i + shift
        room = h.make_room(epochs)  # rows are written straight into h's arrays up to here
        c_loss, _, c_tloss, c_tacc = h.columns()
        prev_test = (c_tloss[i - 1], c_tacc[i - 1]) if i else (math.nan, math.nan)
        first = i  # the first row not yet published
        mark = min(room, i + block.rows, i + CHECK_EVERY - (i + shift) % CHECK_EVERY)
        try:
            for k in range(epochs):
                if i == room:  # full (and published): let the history thin its old rows
                    room, first = h.make_room(epochs - k), len(h)
                    shift += i - first
                    i = first
                    c_loss, _, c_tloss, c_tacc = h.columns()
                    mark = min(room, i + block.rows, i + CHECK_EVERY - (i + shift) % CHECK_EVERY)
                total = step(XT, YT)
                outs[i - first] = out
                c_loss[i] = total
                if test:
                    if (i + shift + 1) % eval_every == 0 or k == epochs - 1:
                        prev_test = self._test_metrics()
                    c_tloss[i], c_tacc[i] = prev_test
                i += 1
                if not isfinite(total):  # scale > 0 and <= 1 keeps inf and NaN, adds none
                    self._publish(i + shift, i, first, block, scale)
                    self._diverged(f"the loss became {total * scale}")
                if i == mark:
                    self._publish(i + shift, i, first, block, scale)
                    if not (i + shift) % CHECK_EVERY:
                        self._check_weights_and_checkpoint()
                    first = i
                    mark = min(room, i + block.rows, i + CHECK_EVERY - (i + shift) % CHECK_EVERY)
                if stopping:
                    loss = total * scale
                    if target_loss is not None and loss <= target_loss:
                        self.stop_reason = "target_loss"
                        break
                    if target_accuracy is not None and score_one(out) >= target_accuracy:
                        self.stop_reason = "target_accuracy"
                        break
                    if converge is not None and loss <= converge[0] and \
                            score_one(out) >= converge[1]:
                        self.stop_reason = "converged"
                        break
        finally:
            if self.stop_reason != "diverged":
                self._publish(i + shift, i, first, block, scale)

    def _epochs(self, epochs: int, kernel: tuple | None, pending: tuple | None, sliced: bool,
                should_yield: Callable[[], bool] | None, stops: tuple, eval_every: int) -> None:
        """_run's loop for every other kind of epoch: in slices, in (mini-)batches, or one
        paused half way to go on with first."""
        long_batched = self.batch_size is not None and self._long_batched_epoch()
        target_loss, target_accuracy, converge = stops
        h, test, isfinite = self.history, self.X_test is not None, math.isfinite
        epoch, i = self.epoch, len(h)
        room = h.make_room(epochs)
        c_loss, c_acc, c_tloss, c_tacc = h.columns()
        prev_test = (c_tloss[i - 1], c_tacc[i - 1]) if i else (math.nan, math.nan)
        try:
            for k in range(epochs):
                if i == room:  # full: publish, let the history thin its old rows, go on
                    self._publish(epoch, i)
                    room, i = h.make_room(epochs - k), len(h)
                    c_loss, c_acc, c_tloss, c_tacc = h.columns()
                if pending is not None or sliced or long_batched:
                    if pending is not None:
                        parts, batch = pending
                    elif sliced:
                        parts, batch = self._sliced_epoch(), None
                    else:
                        parts, batch = self._batched_epoch_parts(), self.batch_size
                    pending = None
                    result = self._advance(parts, batch, should_yield)
                    if result is None:
                        self.stop_reason = "time_slice"
                        break
                    loss, acc = result
                elif kernel is not None:  # full batch, after a paused mini-batch epoch
                    ws, step, loss_factor, self._grad_scale = kernel
                    self._last_ws = ws
                    loss = step(self.XT_aug, self.YT) * (loss_factor / len(self.X))
                    acc = self._accuracy_of(ws.aT[-1], self._target_bool, self._target_class)
                else:
                    loss, acc = self._batched_epoch()
                epoch += 1
                c_loss[i] = loss
                c_acc[i] = acc
                if test:
                    if epoch % eval_every == 0 or k == epochs - 1:
                        prev_test = self._test_metrics()
                    c_tloss[i], c_tacc[i] = prev_test
                i += 1
                if not isfinite(loss):
                    self._publish(epoch, i)
                    self._diverged(f"the loss became {loss}")
                if not epoch % CHECK_EVERY:
                    self._publish(epoch, i)
                    self._check_weights_and_checkpoint()
                if target_loss is not None and loss <= target_loss:
                    self.stop_reason = "target_loss"
                    break
                if target_accuracy is not None and acc >= target_accuracy:
                    self.stop_reason = "target_accuracy"
                    break
                if converge is not None and loss <= converge[0] and acc >= converge[1]:
                    self.stop_reason = "converged"
                    break
        finally:
            if self.stop_reason != "diverged":
                self._publish(epoch, i)

    def _accuracy_block(self) -> AccuracyBlock:
        block = self._block
        if block is None:
            targets = self._target_bool if self._single_output else self._target_class
            block = self._block = AccuracyBlock(self._outputsT, targets, CHECK_EVERY)
        return block

    def _publish(self, epoch: int, row: int, first: int = 0,
                 block: AccuracyBlock | None = None, scale: float = 1.0) -> None:
        """The rows written since the last publish join the history; the trainer is at
        `epoch`. With a `block`, rows first .. row - 1 hold the kernel's sums (scaled here to
        the loss) and their accuracies are scored from the block."""
        h = self.history
        if block is not None:
            c_loss, c_acc = h.columns()[:2]
            np.multiply(c_loss[first:row], scale, c_loss[first:row])
            block.score_into(row - first, c_acc[first:row])
        h.publish(row, epoch)
        self.epoch = epoch

    # ---- long full-batch epochs, in slices of rows -----------------------------------------------
    def _take_pending(self, sliced: bool) -> tuple[Generator, int | None] | None:
        """The epoch paused half way, to go on with; None if there is none or it cannot go on:
        a full-batch one whose weights were changed since (its gradient is stale) or after a
        switch to mini-batches. A half-done mini-batch epoch always goes on (its updates are
        made), with its own batch size."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        parts, params, batch = pending
        if batch is None and not (sliced and np.array_equal(params, self.net.params)):
            parts.close()
            return None
        return parts, batch

    def _advance(
        self, parts: Generator, batch: int | None, should_yield: Callable[[], bool] | None
    ) -> tuple[float, float] | None:
        """Run an epoch given as a generator (of batches of `batch` rows, None: full batch)
        until it ends, giving (loss, accuracy), or until should_yield() says so between two of
        its parts: then None, and it is kept."""
        try:
            while True:
                next(parts)
                if should_yield is not None and should_yield():
                    params = self.net.params.copy() if batch is None else None
                    self._pending = (parts, params, batch)
                    return None
        except StopIteration as done:
            return done.value

    # ---- long mini-batch and online epochs, yielding between groups of batches -------------------
    def _long_batched_epoch(self) -> bool:
        return self._batched_epoch_cost() > LONG_EPOCH_FLOPS

    def _batched_epoch_cost(self) -> float:
        """An epoch's work in flops, a step's Python overhead counted as STEP_FLOPS."""
        n, B = len(self.X), self.batch_size  # noqa: N806
        return n * self._flops_per_row + -(-n // B) * STEP_FLOPS

    def _batched_epoch_parts(self):  # noqa: ANN202 (a generator of (loss, accuracy))
        """_batched_epoch for long epochs, the same calls in the same order (so the same bits),
        yielding after every group of batches worth about SLICE_FLOPS. The kernels are made
        again after each pause, so a new learning rate takes effect within the epoch."""
        B, n = self.batch_size, len(self.X)  # noqa: N806
        every = max(1, int(SLICE_FLOPS // (B * self._flops_per_row + STEP_FLOPS)))
        order = epoch_order(self.rng, n, self.shuffle)
        outs = self._outputsT
        total = 0.0

        def kernels() -> dict:  # the very kernels _batched_epoch runs
            self._prepare_batches()
            return self._kernels

        if B == 1:
            ws, step, loss_factor, self._grad_scale = kernels()[1]
            out, rows, outs = ws.aT[-1][:, 0], self._rows[2], self._rows[3]
            for count, j in enumerate(order.tolist(), 1):
                total += step(j)
                rows[j][:] = out
                if not count % every:
                    yield
                    ws, step, loss_factor, self._grad_scale = kernels()[1]
            if loss_factor == 0.5:  # the mse fast path: every sample's loss in one call
                diff = np.subtract(outs, self.YT)
                total = float(np.vdot(diff, diff))
            acc = self._accuracy_of(outs, self._target_bool, self._target_class)
        else:
            if self.shuffle:
                X, Y = self.XT_aug[:, order], self.YT[:, order]  # noqa: N806
            else:
                X, Y = self.XT_aug, self.YT  # noqa: N806
            made = kernels()
            for count, start in enumerate(range(0, n, B), 1):
                stop = start + B
                ws, step, loss_factor, self._grad_scale = made[min(B, n - start)]
                x = X[:, start:stop]
                total += step(x, Y[:, start:stop])
                outs[:, start:stop] = ws.aT[-1]
                if not count % every:
                    yield
                    made = kernels()
            if not self.shuffle:
                acc = self._accuracy_of(outs, self._target_bool, self._target_class)
            elif self._single_output:
                acc = self._accuracy_of(outs, Y[0] > 0.5, None)
            else:
                acc = self._accuracy_of(outs, None, Y.argmax(axis=0))
        self._last_ws = ws
        return total * loss_factor / n, acc

    def _sliced_workspace(self, rows: int) -> Workspace:
        ws = self._slice_ws.get(rows)
        if ws is None:
            ws = self._slice_ws[rows] = self.net.workspace(rows)
            ws.inv_n = np.array(1.0, self.net.dtype)  # each slice leaves its summed gradient
        return ws

    def _sliced_epoch(self):  # noqa: ANN202 (a generator of (loss, accuracy))
        """One full-batch epoch as a sum of per-slice gradients, then one update; yields
        between slices. Equal to the one-batch epoch to about 1e-12 (the sums are grouped
        differently), and bit-identical from run to run."""
        net, n, rows = self.net, len(self.X), self._slice_rows
        outs, XT, YT = self._outputsT, self.XT_aug, self.YT
        total_grad = np.zeros_like(net.params)
        total = 0.0
        ws = None
        for start in range(0, n, rows):
            if start:
                yield
            stop = min(start + rows, n)
            ws = self._sliced_workspace(stop - start)
            x = XT[:, start:stop]
            net.forward_into(ws, x)
            total += net.backward_into(ws, x, YT[:, start:stop], want_loss=True)
            total_grad += ws.grad
            outs[:, start:stop] = ws.aT[-1]
        total_grad *= 1.0 / n
        self.optimizer.step(total_grad)
        np.copyto(ws.grad, total_grad)
        self._last_ws, self._grad_scale = ws, 1.0
        return total / n, self._accuracy_of(outs, self._target_bool, self._target_class)

    def _prepare_batches(self) -> None:
        B, n = self.batch_size, len(self.X)
        if B == 1:
            # Kernels are built per run() so live changes of lr or momentum take effect.
            ws = self._workspace(1)
            if not hasattr(self, "_rows"):
                # Row views made once: an epoch visits them in its order.
                # Online outputs are stored a row per sample (each written where the step
                # computed it); the accuracy reads them transposed.
                outputs = np.empty_like(self.Y)
                self._rows = list(self.X), list(self.Y), list(outputs), outputs.T
            xs, ys = self._rows[:2]
            step = make_online_step(self.net, ws, self.optimizer, xs, ys, want_loss=False)
            self._kernels = {1: (ws, step, loss_factor(self.net), 1.0)}
        else:
            self._kernels = {b: self._kernel(b) for b in {B, n % B} if b}

    def _batched_epoch(self) -> tuple[float, float]:
        B, n = self.batch_size, len(self.X)
        order = epoch_order(self.rng, n, self.shuffle)
        outs = self._outputsT
        total = 0.0
        if B == 1:
            ws, step, loss_factor, self._grad_scale = self._kernels[1]
            out, rows, outs = ws.aT[-1][:, 0], self._rows[2], self._rows[3]
            for j in order.tolist():
                total += step(j)
                rows[j][:] = out
            if loss_factor == 0.5:  # the mse fast path: every sample's loss in one call
                diff = np.subtract(outs, self.YT)
                total = float(np.vdot(diff, diff))
            # outputs were written at each sample's own column, so compare with Y in data order
            acc = self._accuracy_of(outs, self._target_bool, self._target_class)
        else:
            if self.shuffle:
                X, Y = self.XT_aug[:, order], self.YT[:, order]
            else:
                X, Y = self.XT_aug, self.YT
            ws, step, loss_factor, self._grad_scale = self._kernels[B]
            for start in range(0, n, B):
                stop = start + B
                if stop > n:
                    ws, step, loss_factor, self._grad_scale = self._kernels[n - start]
                x = X[:, start:stop]
                total += step(x, Y[:, start:stop])
                outs[:, start:stop] = ws.aT[-1]
            if not self.shuffle:
                acc = self._accuracy_of(outs, self._target_bool, self._target_class)
            elif self._single_output:
                acc = self._accuracy_of(outs, Y[0] > 0.5, None)
            else:
                acc = self._accuracy_of(outs, None, Y.argmax(axis=0))
        self._last_ws = ws
        return total * loss_factor / n, acc

    def _accuracy_of(
        self, outputsT: Array, targets_bool: Array | None, classes: Array | None
    ) -> float:
        """Fraction correct; outputsT is (n_out, samples), as the kernel stores it."""
        targets = targets_bool if self._single_output else classes
        return score(outputsT, targets, self._bool_buf)

    def _test_metrics(self) -> tuple[float, float]:
        trace = self.net.forward(self.X_test)
        loss = float(
            losses.per_sample(self.net.loss_name, trace.z[-1], trace.a[-1], self.Y_test).mean()
        )
        return loss, accuracy(trace.a[-1], self.Y_test)

    def evaluate(self) -> Evaluation:
        """Loss and accuracy of the current weights on the whole training and test sets."""
        out = self.net.predict(self.X)
        if self.X_test is not None:
            test_loss, test_acc = self._test_metrics()
        else:
            test_loss = test_acc = math.nan
        return Evaluation(self.net.loss(self.X, self.Y), accuracy(out, self.Y), test_loss, test_acc)

    # ---- divergence ----------------------------------------------------------------------------
    def _save_checkpoint(self) -> None:
        state = self.rng.bit_generator.state
        self._checkpoint = (self.net.params.copy(), self.optimizer.state(), state, self.epoch)

    def _check_weights_and_checkpoint(self) -> None:
        limit = math.inf if self.weight_limit is None else self.weight_limit
        params = self.net.params
        # One pass over all parameters; the layers are looked at only to name the bad one.
        if not max(float(params.max()), -float(params.min())) <= limit:  # also true for NaN
            for l, (w, b) in enumerate(zip(self.net.weights, self.net.biases, strict=True)):  # noqa: E741
                m = max(float(np.abs(w).max()), float(np.abs(b).max()) if b.size else 0.0)
                if not m <= limit:
                    what = "NaN or inf" if not math.isfinite(m) else f"|{m:.3g}|, beyond {limit:g}"
                    self._diverged(f"weights of layer {l + 1} exploded ({what})")
        self._save_checkpoint()

    def restore_checkpoint(self) -> int:
        """Back to the last good state (weights, velocity, shuffling, epoch, history) saved at
        the start of the last run() or its last weight check; returns that epoch. After any
        error inside run() this leaves a consistent trainer that can train on."""
        self._pending = None
        if self._checkpoint is None:
            return self.epoch
        params, opt_state, rng_state, epoch = self._checkpoint
        np.copyto(self.net.params, params)
        self.optimizer.load_state(opt_state)
        self.rng.bit_generator.state = rng_state
        self.epoch = epoch
        self.history.truncate_to_epoch(epoch)  # by epoch: thinning may have moved the rows
        return epoch

    def _diverged(self, reason: str) -> None:
        bad_epoch = self.epoch
        epoch = self.restore_checkpoint()
        self.stop_reason = "diverged"
        raise DivergenceError(bad_epoch, epoch, reason, self.lr)
