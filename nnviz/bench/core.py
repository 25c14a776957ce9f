"""`nnviz bench core`: how fast the Trainer is next to a hand-tuned loop and the tutorial class.

Measured in one run, interleaved so background load hits every contestant alike:

* full-batch epochs/s of the Trainer on XOR 2-4-1 and a 512-point checkerboard 2-16-16-1
  (sigmoid units; mse and bce) and on iris 4-8-3 (sigmoid hidden units, softmax output;
  cross-entropy, and mse for the loss-to-loss ratio), next to (a) ``HandTunedLoop``, a tight
  NumPy loop for the same network and loss written here (preallocated buffers, ``out=``
  everywhere, ``np.dot`` with ``out=``), and on XOR (b) ``NeuralNetwork``, the classic
  per-sample tutorial class (bias column appended with ``np.c_``, an update after every sample);
* online training (batch 1, fixed order) of the Trainer against (b), per sample, with a
  hand-tuned per-sample loop for reference.

Every item runs in calls of about ``CALL_SECONDS`` (the chunk size the GUI's worker uses too);
rounds of one call per item repeat until each item has had about `seconds`; an item's figure is
its best call (least disturbed by other processes), the median is kept as well.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz.core import Network, Trainer, datasets
from nnviz.core.kernels import BCE_SPLIT_SIZE

CALL_SECONDS = 0.01
LR = 0.5

# (ratio name, numerator item, denominator item, goal, unit of comparison)
TARGETS: tuple[tuple[str, str, str, float, str], ...] = (
    ("Trainer / (a) hand-tuned, mse, XOR full batch", "xor_trainer", "xor_hand", 0.8, "epochs"),
    ("Trainer / (a) hand-tuned, mse, checkerboard full batch", "cb_trainer", "cb_hand", 0.8,
     "epochs"),
    ("Trainer / (a) hand-tuned, bce, XOR full batch", "xor_bce_trainer", "xor_bce_hand", 0.8,
     "epochs"),
    ("Trainer / (a) hand-tuned, bce, checkerboard full batch", "cb_bce_trainer", "cb_bce_hand",
     0.8, "epochs"),
    ("Trainer / (a) hand-tuned, cross-entropy, iris full batch", "iris_ce_trainer",
     "iris_ce_hand", 0.8, "epochs"),
    ("Trainer bce / Trainer mse, XOR 2-4-1", "xor_bce_trainer", "xor_trainer", 0.9, "epochs"),
    ("Trainer bce / Trainer mse, checkerboard 2-16-16-1", "cb_bce_trainer", "cb_trainer", 0.9,
     "epochs"),
    ("Trainer cross-entropy / Trainer mse, iris 4-8-3 softmax", "iris_ce_trainer",
     "iris_mse_trainer", 0.9, "epochs"),
    ("Trainer / (b) tutorial, XOR per epoch", "xor_trainer", "xor_tutorial", 5.0, "epochs"),
    ("Trainer online / (b) tutorial, per sample", "online_trainer", "xor_tutorial", 1.3,
     "samples"),
)

_ONE = np.array(1.0)
_SIGN = np.array([-1.0, 1.0]).reshape(2, 1, 1)


# ---- (a) the hand-tuned loop ---------------------------------------------------------------------
class HandTunedLoop:
    """Gradient descent on an MLP with sigmoid hidden units, as tight as NumPy allows: every
    buffer preallocated, every call writing with ``out=``, 0-d array constants, and the whole
    epoch loop in one closure over local variables (no attribute lookups, no call per epoch;
    in-place updates are ufunc calls with the output passed positionally, which NumPy parses a
    little faster than ``out=`` and which, unlike ``x *= y``, does not make x a local of the
    closure).

    Data and activations are stored features x samples with a trailing row of ones, and each
    layer as one (n_in + 1, n_out) block [W; b] in a flat parameter vector, so z = [W; b]^T [a; 1]
    is one ``np.dot``, its gradient another, and the update one subtraction for all layers. The
    loss is computed every step and kept per epoch, as a loop that reports its progress must:

    - ``mse`` (sigmoid output): 1/2 sum (a - t)^2, one ``np.vdot``; about 22 NumPy calls a step
      for 2-4-1, 33 for 2-16-16-1.
    - ``bce`` (sigmoid output): delta a - t; E = t softplus(-z) + (1 - t) softplus(z), exact and
      finite for every finite z: softplus of [-z; z] at once (``np.logaddexp(0, .)``, or
      relu(+-z) + log1p(e^-|z|) for large outputs) and one vdot with [t; 1 - t], made once per
      batch.
    - ``cross_entropy`` (softmax output): delta a - t; -log a = log sum e^(z - max z) - (z - max z)
      from the softmax's own pieces.

    ``batch=None`` is full batch; ``batch=1`` updates after every sample, in data order.
    """

    def __init__(self, sizes: tuple[int, ...], X: np.ndarray, Y: np.ndarray,
                 weights: list[np.ndarray], biases: list[np.ndarray], lr: float,
                 batch: int | None = None, loss: str = "mse") -> None:
        n = len(X)
        B = n if batch is None else batch
        if n % B:
            raise ValueError(f"{n} samples do not split into batches of {B}")
        if loss not in ("mse", "bce", "cross_entropy"):
            raise ValueError(f"unknown loss {loss!r}")
        self.n = n
        self.loss = loss
        self.params = np.empty(sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:],
                                                                 strict=True)))
        self.grad = np.empty_like(self.params)
        self.P, self.G = [], []
        off = 0
        for i, o in zip(sizes[:-1], sizes[1:], strict=True):
            self.P.append(self.params[off : off + (i + 1) * o].reshape(i + 1, o))
            self.G.append(self.grad[off : off + (i + 1) * o].reshape(i + 1, o))
            off += (i + 1) * o
        for P, w, b in zip(self.P, weights, biases, strict=True):
            P[:-1] = w
            P[-1] = b
        XT = np.ones((sizes[0] + 1, n))
        XT[:-1] = X.T
        YT = Y.T
        # One contiguous (features + 1, B) block per batch with its targets and [t; 1 - t].
        self.batches = []
        for s in range(0, n, B):
            t = np.ascontiguousarray(YT[:, s : s + B])
            self.batches.append((np.ascontiguousarray(XT[:, s : s + B]), t, np.stack([t, 1.0 - t])))
        # Activations: hidden ones carry the row of ones for the next layer's bias.
        self.A = [np.ones((o + 1, B)) for o in sizes[1:-1]] + [np.empty((sizes[-1], B))]
        self.Z = [np.empty((o, B)) for o in sizes[1:]]
        self.D = [np.empty((o, B)) for o in sizes[1:]]
        self.S = [np.empty((o, B)) for o in sizes[1:]]
        self.top, self.sums = np.empty((1, B)), np.empty((1, B))  # the softmax's pieces
        self.pair = np.empty((2, sizes[-1], B))  # bce: [-z; z], then [softplus(-z); softplus(z)]
        self.log_term = np.empty((sizes[-1], B))
        self.split = sizes[-1] * B >= BCE_SPLIT_SIZE
        self.scale = np.array(lr / B)
        self.losses = np.empty(1024)
        self.epochs = 0
        self._run = {2: self._loop_2, 3: self._loop_3}[len(sizes) - 1]()

    def train(self, epochs: int) -> None:
        if self.epochs + epochs > len(self.losses):
            grown = np.empty(2 * (self.epochs + epochs))
            grown[: self.epochs] = self.losses[: self.epochs]
            self.losses = grown
        with np.errstate(over="ignore"):  # as the Trainer: e^-z may overflow to its limit
            self._run(self.epochs, self.epochs + epochs)
        self.epochs += epochs

    def _inv_n(self) -> float:
        return (0.5 if self.loss == "mse" else 1.0) / self.n

    # Unrolled per depth: a loop over layers would add Python overhead the bar should not carry.
    # The output layer branches on the loss (two tests of a local, some ns) so mse keeps its calls.
    def _loop_2(self):
        dot, mul, add, sub = np.dot, np.multiply, np.add, np.subtract
        neg, exp, recip = np.negative, np.exp, np.reciprocal
        vdot, log, lae, div = np.vdot, np.log, np.logaddexp, np.divide
        amax, add_reduce = np.maximum.reduce, np.add.reduce
        one, zero, scale, params, grad = _ONE, np.array(0.0), self.scale, self.params, self.grad
        top, sums = self.top, self.sums
        pair, log_term, split, sign = self.pair, self.log_term, self.split, _SIGN
        minimum, maximum, log1p = np.minimum, np.maximum, np.log1p
        mse, bce = self.loss == "mse", self.loss == "bce"
        batches, inv_n = self.batches, self._inv_n()
        PT0, PT1 = (P.T for P in self.P)
        W1 = self.P[1][:-1]
        Z0, Z1 = self.Z
        A0, A1 = self.A
        H0 = A0[:-1]
        D0, D1 = self.D
        D0T, D1T = D0.T, D1.T
        S0, S1 = self.S
        G0, G1 = self.G
        owner = self

        def run(first: int, last: int) -> None:
            losses = owner.losses
            for e in range(first, last):
                total = 0.0
                for X, Y, C in batches:
                    # forward: sigmoid(z) = 1 / (1 + e^-z), the Trainer's formula
                    dot(PT0, X, out=Z0)
                    neg(Z0, H0)
                    exp(H0, H0)
                    add(H0, one, H0)
                    recip(H0, H0)
                    dot(PT1, A0, out=Z1)
                    if mse:
                        neg(Z1, A1)
                        exp(A1, A1)
                        add(A1, one, A1)
                        recip(A1, A1)
                        # delta (a - t) a (1 - a), scaled by lr / B: gradients come out scaled
                        sub(A1, Y, D1)
                        total += vdot(D1, D1)
                        sub(one, A1, S1)
                        mul(S1, A1, S1)
                        mul(S1, scale, S1)
                        mul(D1, S1, D1)
                    elif bce:
                        neg(Z1, A1)
                        exp(A1, A1)
                        add(A1, one, A1)
                        recip(A1, A1)
                        sub(A1, Y, D1)
                        mul(Z1, sign, pair)
                        if split:
                            minimum(pair[0], pair[1], out=log_term)
                            exp(log_term, log_term)
                            log1p(log_term, log_term)
                            maximum(pair, zero, out=pair)
                            add(pair, log_term, pair)
                        else:
                            lae(zero, pair, pair)
                        total += vdot(C, pair)
                        mul(D1, scale, D1)
                    else:  # softmax and cross-entropy
                        amax(Z1, 0, None, top, True)
                        sub(Z1, top, S1)
                        exp(S1, A1)
                        add_reduce(A1, 0, None, sums, True)
                        div(A1, sums, A1)
                        sub(A1, Y, D1)
                        log(sums, sums)
                        sub(sums, S1, S1)
                        total += vdot(Y, S1)
                        mul(D1, scale, D1)
                    dot(A0, D1T, out=G1)
                    dot(W1, D1, out=D0)
                    sub(one, H0, S0)
                    mul(S0, H0, S0)
                    mul(D0, S0, D0)
                    dot(X, D0T, out=G0)
                    sub(params, grad, params)
                losses[e] = total * inv_n

        return run

    def _loop_3(self):
        dot, mul, add, sub = np.dot, np.multiply, np.add, np.subtract
        neg, exp, recip = np.negative, np.exp, np.reciprocal
        vdot, log, lae, div = np.vdot, np.log, np.logaddexp, np.divide
        amax, add_reduce = np.maximum.reduce, np.add.reduce
        one, zero, scale, params, grad = _ONE, np.array(0.0), self.scale, self.params, self.grad
        top, sums = self.top, self.sums
        pair, log_term, split, sign = self.pair, self.log_term, self.split, _SIGN
        minimum, maximum, log1p = np.minimum, np.maximum, np.log1p
        mse, bce = self.loss == "mse", self.loss == "bce"
        batches, inv_n = self.batches, self._inv_n()
        PT0, PT1, PT2 = (P.T for P in self.P)
        W1, W2 = self.P[1][:-1], self.P[2][:-1]
        Z0, Z1, Z2 = self.Z
        A0, A1, A2 = self.A
        H0, H1 = A0[:-1], A1[:-1]
        D0, D1, D2 = self.D
        D0T, D1T, D2T = D0.T, D1.T, D2.T
        S0, S1, S2 = self.S
        G0, G1, G2 = self.G
        owner = self

        def run(first: int, last: int) -> None:
            losses = owner.losses
            for e in range(first, last):
                total = 0.0
                for X, Y, C in batches:
                    dot(PT0, X, out=Z0)
                    neg(Z0, H0)
                    exp(H0, H0)
                    add(H0, one, H0)
                    recip(H0, H0)
                    dot(PT1, A0, out=Z1)
                    neg(Z1, H1)
                    exp(H1, H1)
                    add(H1, one, H1)
                    recip(H1, H1)
                    dot(PT2, A1, out=Z2)
                    if mse:
                        neg(Z2, A2)
                        exp(A2, A2)
                        add(A2, one, A2)
                        recip(A2, A2)
                        # delta (a - t) a (1 - a), scaled by lr / B: gradients come out scaled
                        sub(A2, Y, D2)
                        total += vdot(D2, D2)
                        sub(one, A2, S2)
                        mul(S2, A2, S2)
                        mul(S2, scale, S2)
                        mul(D2, S2, D2)
                    elif bce:
                        neg(Z2, A2)
                        exp(A2, A2)
                        add(A2, one, A2)
                        recip(A2, A2)
                        sub(A2, Y, D2)
                        mul(Z2, sign, pair)
                        if split:
                            minimum(pair[0], pair[1], out=log_term)
                            exp(log_term, log_term)
                            log1p(log_term, log_term)
                            maximum(pair, zero, out=pair)
                            add(pair, log_term, pair)
                        else:
                            lae(zero, pair, pair)
                        total += vdot(C, pair)
                        mul(D2, scale, D2)
                    else:  # softmax and cross-entropy
                        amax(Z2, 0, None, top, True)
                        sub(Z2, top, S2)
                        exp(S2, A2)
                        add_reduce(A2, 0, None, sums, True)
                        div(A2, sums, A2)
                        sub(A2, Y, D2)
                        log(sums, sums)
                        sub(sums, S2, S2)
                        total += vdot(Y, S2)
                        mul(D2, scale, D2)
                    dot(A1, D2T, out=G2)
                    dot(W2, D2, out=D1)
                    sub(one, H1, S1)
                    mul(S1, H1, S1)
                    mul(D1, S1, D1)
                    dot(A0, D1T, out=G1)
                    dot(W1, D1, out=D0)
                    sub(one, H0, S0)
                    mul(S0, H0, S0)
                    mul(D0, S0, D0)
                    dot(X, D0T, out=G0)
                    sub(params, grad, params)
                losses[e] = total * inv_n

        return run

    def weights(self) -> list[np.ndarray]:
        return [P[:-1].copy() for P in self.P]

    def biases(self) -> list[np.ndarray]:
        return [P[-1].copy() for P in self.P]


# ---- (b) the classic tutorial class, as PyImageSearch teaches it --------------------------------
class NeuralNetwork:
    """The per-sample tutorial network (PyImageSearch, "Backpropagation from scratch with Python"),
    written faithfully: a bias column appended with np.c_, every hidden layer carrying an extra
    (trained) bias unit, weights randn / sqrt(n), and an update after every sample."""

    def __init__(self, layers: list[int], alpha: float = 0.1, seed: int = 0) -> None:
        rng = np.random.RandomState(seed)
        self.W = []
        self.layers = layers
        self.alpha = alpha
        for i in np.arange(0, len(layers) - 2):
            w = rng.randn(layers[i] + 1, layers[i + 1] + 1)
            self.W.append(w / np.sqrt(layers[i]))
        w = rng.randn(layers[-2] + 1, layers[-1])
        self.W.append(w / np.sqrt(layers[-2]))

    def sigmoid(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1 + np.exp(-x))

    def sigmoid_deriv(self, x: np.ndarray) -> np.ndarray:
        return x * (1 - x)

    def fit(self, X: np.ndarray, y: np.ndarray, epochs: int = 1000,
            displayUpdate: int = 100, verbose: bool = False) -> None:  # noqa: N803
        X = np.c_[X, np.ones((X.shape[0]))]  # noqa: UP034 (verbatim)
        for epoch in np.arange(0, epochs):
            for x, target in zip(X, y, strict=True):
                self.fit_partial(x, target)
            if verbose and (epoch == 0 or (epoch + 1) % displayUpdate == 0):
                loss = self.calculate_loss(X, y)
                print(f"[INFO] epoch={epoch + 1}, loss={loss:.7f}")

    def fit_partial(self, x: np.ndarray, y: np.ndarray) -> None:
        A = [np.atleast_2d(x)]
        for layer in np.arange(0, len(self.W)):
            net = A[layer].dot(self.W[layer])
            out = self.sigmoid(net)
            A.append(out)
        error = A[-1] - y
        D = [error * self.sigmoid_deriv(A[-1])]
        for layer in np.arange(len(A) - 2, 0, -1):
            delta = D[-1].dot(self.W[layer].T)
            delta = delta * self.sigmoid_deriv(A[layer])
            D.append(delta)
        D = D[::-1]
        for layer in np.arange(0, len(self.W)):
            self.W[layer] += -self.alpha * A[layer].T.dot(D[layer])

    def predict(self, X: np.ndarray, addBias: bool = True) -> np.ndarray:  # noqa: N803
        p = np.atleast_2d(X)
        if addBias:
            p = np.c_[p, np.ones((p.shape[0]))]  # noqa: UP034 (verbatim)
        for layer in np.arange(0, len(self.W)):
            p = self.sigmoid(np.dot(p, self.W[layer]))
        return p

    def calculate_loss(self, X: np.ndarray, targets: np.ndarray) -> float:
        targets = np.atleast_2d(targets)
        predictions = self.predict(X, addBias=False)
        return float(0.5 * np.sum((predictions - targets) ** 2))


# ---- measuring ----------------------------------------------------------------------------------
@dataclass
class Item:
    key: str
    label: str
    samples: int  # per epoch
    train: Callable[[int], object]  # runs k epochs
    chunk: int = 1
    rates: list[float] | None = None


def _workloads() -> list[Item]:
    X_xor, Y_xor = datasets.load("xor")
    X_cb, Y_cb = datasets.load("checkerboard", n=512)
    X_iris, Y_iris = datasets.load("iris")
    items = []
    for key, sizes, X, Y, output, loss, hand in (
        ("xor", (2, 4, 1), X_xor, Y_xor, "sigmoid", "mse", True),
        ("cb", (2, 16, 16, 1), X_cb, Y_cb, "sigmoid", "mse", True),
        ("xor_bce", (2, 4, 1), X_xor, Y_xor, "sigmoid", "bce", True),
        ("cb_bce", (2, 16, 16, 1), X_cb, Y_cb, "sigmoid", "bce", True),
        ("iris_ce", (4, 8, 3), X_iris, Y_iris, "softmax", "cross_entropy", True),
        ("iris_mse", (4, 8, 3), X_iris, Y_iris, "softmax", "mse", False),
    ):
        net = Network(sizes, activation="sigmoid", output=output, loss=loss, seed=0)
        w, b = net.get_params()
        trainer = Trainer(net, X, Y, lr=LR)
        name = {"xor": "XOR 2-4-1", "cb": "checkerboard 512 2-16-16-1",
                "iris": "iris 4-8-3 softmax"}[key.split("_")[0]]
        what = f"{name}, {loss.replace('_', '-')}, full batch"
        items.append(Item(f"{key}_trainer", f"{what}: Trainer", len(X), trainer.run))
        if hand:
            loop = HandTunedLoop(sizes, X, Y, w, b, LR, loss=loss)
            items.append(Item(f"{key}_hand", f"{what}: (a) hand-tuned loop", len(X), loop.train))
    tutorial = NeuralNetwork([2, 4, 1], alpha=LR)
    items.append(Item("xor_tutorial", "XOR 2-4-1, per sample: (b) tutorial class", 4,
                      lambda k: tutorial.fit(X_xor, Y_xor, epochs=k)))
    net = Network((2, 4, 1), seed=0)
    online = Trainer(net, X_xor, Y_xor, lr=LR, batch_size=1, shuffle=False)
    items.append(Item("online_trainer", "XOR 2-4-1, per sample: Trainer online, fixed order", 4,
                      online.run))
    shuffled = Trainer(Network((2, 4, 1), seed=0), X_xor, Y_xor, lr=LR, batch_size=1, seed=0)
    items.append(Item("online_trainer_shuffled",
                      "XOR 2-4-1, per sample: Trainer online, shuffled", 4, shuffled.run))
    w, b = net.get_params()
    hand_online = HandTunedLoop((2, 4, 1), X_xor, Y_xor, w, b, LR, batch=1)
    items.append(Item("online_hand", "XOR 2-4-1, per sample: hand-tuned per-sample loop", 4,
                      hand_online.train))
    return items


def _calibrate(item: Item, clock: Callable[[], float]) -> None:
    item.train(1)  # warm up: workspaces, first-call costs
    k = 1
    while True:
        t0 = clock()
        item.train(k)
        dt = clock() - t0
        if dt >= CALL_SECONDS / 4 or k >= 1 << 22:
            item.chunk = max(1, int(k * CALL_SECONDS / max(dt, 1e-9)))
            return
        k *= 4


def measure(seconds: float = 1.0, cpu_time: bool = False) -> dict:
    """Epochs/s of every item (best of interleaved calls of ~CALL_SECONDS, ~`seconds` each),
    timed by the wall clock, or with cpu_time by this process's processor time (steadier when
    other processes share the cores: waiting for a core is not counted)."""
    clock = time.process_time if cpu_time else time.perf_counter
    items = _workloads()
    for item in items:
        _calibrate(item, clock)
        item.rates = []
    rounds = max(3, round(seconds / CALL_SECONDS))
    for _ in range(rounds):
        for item in items:
            t0 = clock()
            item.train(item.chunk)
            item.rates.append(item.chunk / (clock() - t0))
    results = {}
    for item in items:
        best = max(item.rates)
        results[item.key] = {
            "label": item.label,
            "epochs_per_second": best,
            "median_epochs_per_second": statistics.median(item.rates),
            "samples_per_epoch": item.samples,
            "samples_per_second": best * item.samples,
            "epochs_per_call": item.chunk,
            "calls": len(item.rates),
        }
    targets = []
    for name, num, den, goal, unit in TARGETS:
        field = "epochs_per_second" if unit == "epochs" else "samples_per_second"
        ratio = results[num][field] / results[den][field]
        targets.append({"name": name, "ratio": ratio, "goal": goal, "unit": unit,
                        "pass": bool(ratio >= goal)})
    return {"seconds_per_item": seconds, "call_seconds": CALL_SECONDS, "lr": LR,
            "clock": "processor time" if cpu_time else "wall", "items": results,
            "targets": targets}


def report(result: dict) -> str:
    lines = ["nnviz bench core: full-batch and online training speed (sigmoid hidden units; "
             "mse, bce, cross-entropy)"]
    m = result.get("machine")
    if m:
        lines.append(f"machine: {m['processor']} ({m['system']}), Python {m['python']}, "
                     f"NumPy {m['numpy']}, one BLAS thread")
    lines.append(f"each figure: the best of {result['items']['xor_trainer']['calls']} "
                 f"interleaved calls of ~{result['call_seconds'] * 1e3:.0f} ms (median in "
                 f"brackets), timed by {result.get('clock', 'wall')} clock")
    lines.append("")
    width = max(len(v["label"]) for v in result["items"].values())
    lines.append(f"{'':{width}}  {'epochs/s':>18}  {'samples/s':>11}")
    for v in result["items"].values():
        lines.append(f"{v['label']:{width}}  {v['epochs_per_second']:>9,.0f} "
                     f"({v['median_epochs_per_second']:>7,.0f})  {v['samples_per_second']:>11,.0f}")
    lines.append("")
    width = max(len(t["name"]) for t in result["targets"])
    lines.append(f"{'target':{width}}  {'ratio':>6}  {'goal':>7}")
    for t in result["targets"]:
        verdict = "PASS" if t["pass"] else "MISS"
        lines.append(f"{t['name']:{width}}  {t['ratio']:>5.2f}x  >= {t['goal']:<4g}  {verdict}")
    return "\n".join(lines)
