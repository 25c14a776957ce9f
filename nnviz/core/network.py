"""A fully connected network: parameters, forward pass and backpropagation.

Layer indices in code are 0-based over the weight layers: ``weights[l]`` (n_in, n_out) and
``biases[l]`` (n_out,) map ``a[l]`` to ``z[l] = a[l] @ weights[l] + biases[l]`` and
``a[l + 1] = f(z[l])``. So ``trace.a[0]`` is the input X, ``trace.a[-1]`` the output, and
``trace.z``, ``grads.delta``, ``grads.dW``, ``grads.db`` all have one entry per weight layer.
(The textbook notation of the step panel counts layers from 1: its z_l is our ``z[l - 1]``.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnviz.core import activations as act
from nnviz.core import limits, losses

if TYPE_CHECKING:
    from nnviz.core.spec import NetworkSpec

Array = np.ndarray

INITS: tuple[str, ...] = ("xavier", "he", "normal", "uniform", "small")
#: What happens to a layer's biases: learnt (the default), kept at their initial values, or
#: absent (held at 0: drawn nowhere, no term in the formulas). README "Bias modes".
BIAS_MODES: tuple[str, ...] = ("trained", "frozen", "none")


def parse_bias(spec: str | Sequence[str] | None, n_layers: int) -> tuple[str, ...]:
    """'frozen' -> that mode for every weight layer; 'trained,none' -> one mode per layer.

    Raises ValueError naming the bad word or the count mismatch.
    """
    if spec is None:
        return ("trained",) * n_layers
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    modes = tuple(str(p).strip().lower() for p in parts)
    for m in modes:
        if m not in BIAS_MODES:
            raise ValueError(f"unknown bias mode {m!r}; choose one of {', '.join(BIAS_MODES)}")
    if len(modes) == 1:
        return modes * n_layers
    if len(modes) != n_layers:
        raise ValueError(
            f"bias modes {','.join(modes)} give {len(modes)} layers but the network has "
            f"{n_layers} weight layers (give one mode, or one per weight layer)"
        )
    return modes


def parse_layers(spec: str | Sequence[int]) -> tuple[int, ...]:
    """'2,4,1' -> (2, 4, 1); raises ValueError naming the bad part."""
    if isinstance(spec, str):
        parts = [p.strip() for p in spec.replace(";", ",").split(",")]
        if not spec.strip():
            raise ValueError("layer spec is empty; write sizes like 2,4,1")
        sizes = []
        for i, p in enumerate(parts):
            if not p:
                raise ValueError(f"layer spec {spec!r}: size {i + 1} is empty (write e.g. 2,4,1)")
            try:
                n = int(p)
            except ValueError:
                raise ValueError(f"layer spec {spec!r}: {p!r} is not a whole number") from None
            sizes.append(n)
    else:
        sizes = [int(n) for n in spec]
    for n in sizes:
        if n < 1:
            raise ValueError(f"layer sizes must be >= 1, got {n} in {tuple(sizes)}")
    return tuple(sizes)


def resolve_layers(
    spec: Sequence[int], n_in: int, n_out: int, where: str = "the data"
) -> tuple[int, ...]:
    """A --layers spec made whole against the data: README "Layer sizes (--layers)".

    A spec whose first and last sizes are the data's input and output widths is the whole
    network (``2,16,16,1`` on XOR); any other spec lists the hidden layers only (``16,16``,
    ``()`` for none). A spec of three or more sizes with exactly one matching end is refused
    as a whole-network spec with a wrong end, naming it.
    """
    sizes = tuple(int(n) for n in spec)
    first, last = len(sizes) >= 2 and sizes[0] == n_in, len(sizes) >= 2 and sizes[-1] == n_out
    if first and last:
        return sizes
    if len(sizes) >= 3 and (first or last):
        text = ",".join(map(str, sizes))
        if first:
            problem = (f"its last size {sizes[-1]} is not the {n_out} "
                       f"output{'s' if n_out != 1 else ''} of {where}")
        else:
            problem = (f"its first size {sizes[0]} is not the {n_in} "
                       f"input{'s' if n_in != 1 else ''} of {where}")
        raise ValueError(
            f"layers {text}: read as the whole network, {problem}; give "
            f"{n_in},...,{n_out} or the hidden sizes only"
        )
    return (n_in, *sizes, n_out)


def check_architecture(
    sizes: Sequence[int] | str,
    activation: str = "sigmoid",
    output: str = "sigmoid",
    loss: str = "mse",
    init: str = "xavier",
    bias: str | Sequence[str] | None = None,
) -> tuple[tuple[int, ...], str, str, str, str, tuple[str, ...]]:
    """The canonical (sizes, activation, output, loss, init, bias modes) of a network's
    description, as Network and NetworkSpec take it; ValueError naming the first bad part."""
    sizes = parse_layers(sizes)
    if len(sizes) < 2:
        raise ValueError(f"a network needs at least an input and an output layer, got {sizes}")
    hidden = act.get(activation)
    if hidden.name not in act.HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"{hidden.name!r} cannot be a hidden activation; choose one of "
            f"{', '.join(act.HIDDEN_ACTIVATIONS)}"
        )
    out = act.get(output)
    if out.name not in act.OUTPUT_ACTIVATIONS:
        raise ValueError(
            f"{out.name!r} cannot be an output activation; choose one of "
            f"{', '.join(act.OUTPUT_ACTIVATIONS)}"
        )
    loss_name = losses.canonical(loss)
    losses.check_pair(out.name, loss_name)
    if out.name == "softmax" and sizes[-1] < 2:
        raise ValueError("a softmax output needs at least 2 output units (one per class)")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    return sizes, hidden.name, out.name, loss_name, init, parse_bias(bias, len(sizes) - 1)


def initial_parameters(
    sizes: Sequence[int], init: str = "xavier", seed: int | np.random.Generator = 0,
    dtype: type = np.float64,
) -> tuple[list[Array], list[Array]]:
    """Seeded weights and biases, drawn layer by layer (W then b) from one generator.

    - xavier: U(-r, r), r = sqrt(6 / (fan_in + fan_out)); zero biases (Glorot & Bengio 2010)
    - he: N(0, 2 / fan_in); zero biases (He et al. 2015)
    - normal: randn / sqrt(fan_in) for weights and biases, as the classic tutorial class
      initialises its bias-augmented matrices
    - uniform: U(-0.5, 0.5) for weights and biases
    - small: 0.01 * randn, zero biases (the symmetric start that leaves XOR stuck)
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        if init == "xavier":
            r = np.sqrt(6.0 / (fan_in + fan_out))
            w = rng.uniform(-r, r, (fan_in, fan_out))
            b = np.zeros(fan_out)
        elif init == "he":
            w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
            b = np.zeros(fan_out)
        elif init == "normal":
            w = rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)
            b = rng.standard_normal(fan_out) / np.sqrt(fan_in)
        elif init == "uniform":
            w = rng.uniform(-0.5, 0.5, (fan_in, fan_out))
            b = rng.uniform(-0.5, 0.5, fan_out)
        else:
            w = 0.01 * rng.standard_normal((fan_in, fan_out))
            b = np.zeros(fan_out)
        weights.append(np.ascontiguousarray(w, dtype=dtype))
        biases.append(np.ascontiguousarray(b, dtype=dtype))
    return weights, biases


@dataclass(frozen=True)
class Trace:
    """Everything the forward pass computed: z[l] per weight layer, a[0] = X ... a[-1] = output."""

    z: tuple[Array, ...]
    a: tuple[Array, ...]

    @property
    def output(self) -> Array:
        return self.a[-1]


@dataclass(frozen=True)
class Gradients:
    """delta[l] = dE/dz[l] per sample (batch, n_out); dW[l], db[l] = gradient of the batch mean."""

    delta: tuple[Array, ...]
    dW: tuple[Array, ...]
    db: tuple[Array, ...]


class Workspace:
    """Preallocated buffers for one batch size, so a training step allocates nothing.

    Inside, activations are stored features x batch (transposed), each with a trailing row of
    ones, and the network keeps every layer as one (n_in + 1, n_out) block [W; b]: one
    ``np.dot`` then gives z = a W + b and one more gives [dW; db] (the bias trick, used inside
    only). The transposed layout keeps every elementwise output C-contiguous, which NumPy
    handles several times faster than strided views. ``a``, ``z``, ``delta`` (batch x n),
    ``dW`` and ``db`` are views with the public shapes.
    """

    def __init__(self, net: Network, batch: int) -> None:
        sizes, dtype = net.sizes, net.dtype
        outs = sizes[1:]
        self.batch = batch
        self.aT_aug = [np.ones((n + 1, batch), dtype) for n in sizes[:-1]]
        self.aT = [m[:-1] for m in self.aT_aug] + [np.empty((outs[-1], batch), dtype)]
        self.zT = [np.empty((n, batch), dtype) for n in outs]
        self.scratch = [np.empty((n, batch), dtype) for n in outs]
        self.grad = np.empty(net.n_params(), dtype)
        self.G = net._blocks(self.grad)
        self.dW = [g[:-1] for g in self.G]
        self.db = [g[-1] for g in self.G]
        # Biases that are frozen or absent get a zero gradient after every backward pass, so
        # every optimiser (and the trainer's fused update) leaves them where they are.
        self.fixed_db = [self.db[l] for l, m in enumerate(net.bias_modes) if m != "trained"]  # noqa: E741
        self.deltaT = [np.empty((n, batch), dtype) for n in outs]
        self.a = [m.T for m in self.aT]
        self.z = [m.T for m in self.zT]
        self.delta = [m.T for m in self.deltaT]
        self.inv_n = np.array(1.0 / batch, dtype)
        PT = [p.T for p in net._P]
        self.forward_plan = list(
            zip(PT, self.zT, [act.columnwise(f) for f in net._acts], self.aT[1:],
                self.aT_aug[1:] + [None], strict=True)
        )
        self.backward_plan = [
            (l, self.aT_aug[l] if l else None, self.G[l], self.delta[l], net.weights[l],
             self.deltaT[l], self.deltaT[l - 1] if l else None,
             net._acts[l - 1].derivative if l else None,
             self.zT[l - 1] if l else None, self.aT[l], self.scratch[l - 1] if l else None)
            for l in range(len(outs) - 1, -1, -1)  # noqa: E741
        ]


class Network:
    """A multilayer perceptron with explicit bias vectors.

    Keeping b separate is the same model as the "bias trick" (append a constant 1 to every
    layer's input and a row of weights for it): [a, 1] @ [[W], [b]] == a @ W + b. The public
    ``weights[l]`` and ``biases[l]`` are separate arrays so the drawing shows biases as what they
    are and the data needs no column of ones; inside, each layer is stored as the stacked block
    [W; b] (``weights[l]`` and ``biases[l]`` are views of it), because that is the trick that
    makes z = a W + b one matrix product.

    >>> net = Network([2, 4, 1], activation="sigmoid", output="sigmoid", loss="mse", seed=0)
    >>> trace = net.forward(X); grads = net.backward(trace, Y)
    """

    def __init__(
        self,
        sizes: Sequence[int] | str,
        activation: str = "sigmoid",
        output: str = "sigmoid",
        loss: str = "mse",
        init: str = "xavier",
        seed: int = 0,
        dtype: type = np.float64,
        bias: str | Sequence[str] | None = None,
    ) -> None:
        described = check_architecture(sizes, activation, output, loss, init, bias)
        self._setup(*described, seed, dtype)

    @classmethod
    def from_spec(cls, spec: NetworkSpec, dtype: type = np.float64) -> Network:
        """The network a NetworkSpec describes (checked when the spec was made, not again)."""
        net = cls.__new__(cls)
        net._setup(spec.layers, spec.activation, spec.output, spec.loss, spec.init, spec.bias,
                   spec.seed, dtype)
        return net

    def _setup(self, sizes: tuple[int, ...], activation: str, output: str, loss: str,
               init: str, bias_modes: tuple[str, ...], seed: int, dtype: type) -> None:
        """Allocate and initialise from canonical, checked values (check_architecture)."""
        self.sizes = sizes
        self.loss_name = loss
        self.bias_modes = bias_modes
        limits.check_network(self.sizes)  # before the parameters are allocated
        self.activation = activation
        self.output = output
        self.init = init
        self.seed = seed
        self.dtype = np.dtype(dtype)
        hidden, out = act.ACTIVATIONS[activation], act.ACTIVATIONS[output]
        self._acts = [hidden] * (len(self.sizes) - 2) + [out]
        # All parameters in one flat vector; weights[l] and biases[l] are views into it, so an
        # optimiser step is a couple of NumPy calls for the whole network.
        self.params = np.empty(self.n_params(), self.dtype)
        self._bind_views()
        w, b = initial_parameters(self.sizes, init, seed, self.dtype.type)
        for l in range(self.n_layers):  # noqa: E741
            self.weights[l][...] = w[l]
            self.biases[l][...] = 0.0 if self.bias_modes[l] == "none" else b[l]

    def _blocks(self, flat: Array) -> list[Array]:
        """Split a flat parameter-shaped vector into per-layer (n_in + 1, n_out) blocks."""
        blocks, off = [], 0
        for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            blocks.append(flat[off : off + (i + 1) * o].reshape(i + 1, o))
            off += (i + 1) * o
        return blocks

    def _bind_views(self) -> None:
        self._P = self._blocks(self.params)
        self.weights = [p[:-1] for p in self._P]
        self.biases = [p[-1] for p in self._P]
        self.weight_mask = np.zeros_like(self.params)  # 1 where params holds a weight, 0 for biases
        for m in self._blocks(self.weight_mask):
            m[:-1] = 1.0

    # ---- description -------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.sizes) - 1

    def layer_activation(self, l: int) -> act.Activation:  # noqa: E741
        return self._acts[l]

    def config(self) -> dict:
        cfg = {
            "layers": list(self.sizes),
            "activation": self.activation,
            "output": self.output,
            "loss": self.loss_name,
            "init": self.init,
            "seed": self.seed,
        }
        if any(m != "trained" for m in self.bias_modes):  # the default goes unsaid
            cfg["bias"] = list(self.bias_modes)
        return cfg

    def has_bias(self, l: int) -> bool:  # noqa: E741
        """False when weight layer l has no bias at all (mode none): nothing to draw or write."""
        return self.bias_modes[l] != "none"

    def __repr__(self) -> str:
        s = "-".join(map(str, self.sizes))
        return f"Network({s}, {self.activation}/{self.output}, loss={self.loss_name})"

    # ---- parameters --------------------------------------------------------------------------
    def copy(self) -> Network:
        other = object.__new__(Network)
        other.__dict__.update(self.__dict__)
        other.params = self.params.copy()
        other._bind_views()
        return other

    def get_params(self) -> tuple[list[Array], list[Array]]:
        return [w.copy() for w in self.weights], [b.copy() for b in self.biases]

    def set_params(self, weights: Sequence[Array], biases: Sequence[Array]) -> None:
        """Copy parameters in after checking shapes and finiteness; on error nothing changes."""
        if len(weights) != self.n_layers or len(biases) != self.n_layers:
            raise ValueError(
                f"expected {self.n_layers} weight and bias arrays, "
                f"got {len(weights)} and {len(biases)}"
            )
        new_w, new_b = [], []
        for l, (w, b) in enumerate(zip(weights, biases, strict=True)):  # noqa: E741
            w = np.asarray(w, dtype=self.dtype)
            b = np.asarray(b, dtype=self.dtype)
            want = (self.sizes[l], self.sizes[l + 1])
            if w.shape != want:
                raise ValueError(f"weights[{l}] has shape {w.shape}, expected {want}")
            if b.shape != (want[1],):
                raise ValueError(f"biases[{l}] has shape {b.shape}, expected {(want[1],)}")
            if not (np.isfinite(w).all() and np.isfinite(b).all()):
                raise ValueError(f"layer {l} parameters contain NaN or inf")
            if self.bias_modes[l] == "none" and np.any(b != 0):
                raise ValueError(f"biases[{l}] must be 0: that layer has no bias (mode none)")
            new_w.append(w)
            new_b.append(b)
        for l in range(self.n_layers):  # noqa: E741
            # In place: views held by a trainer's optimiser stay valid.
            np.copyto(self.weights[l], new_w[l])
            np.copyto(self.biases[l], new_b[l])

    def n_params(self) -> int:
        return sum((i + 1) * o for i, o in zip(self.sizes[:-1], self.sizes[1:], strict=True))

    # ---- the two passes ----------------------------------------------------------------------
    def check_input(self, X: Array) -> Array:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"input has {X.shape[-1] if X.ndim else 0} features per sample but the network's "
                f"first layer has {self.sizes[0]} units"
            )
        return X

    def check_target(self, Y: Array, batch: int) -> Array:
        Y = np.asarray(Y, dtype=self.dtype)
        if Y.ndim == 1:
            Y = Y.reshape(batch, -1) if batch else Y.reshape(0, self.sizes[-1])
        if Y.shape != (batch, self.sizes[-1]):
            raise ValueError(
                f"targets have shape {Y.shape}, expected ({batch}, {self.sizes[-1]}): the output "
                f"layer has {self.sizes[-1]} units"
            )
        return Y

    def workspace(self, batch: int) -> Workspace:
        return Workspace(self, batch)

    def forward_into(self, ws: Workspace, xT_aug: Array) -> None:
        """Forward pass writing ws.z and ws.a: the kernel that training runs.

        xT_aug is the input transposed (features x batch) with a trailing row of ones:
        ws.aT_aug[0], or columns of a prepared copy of the data set (no copy per batch).
        """
        dot = np.dot
        A = xT_aug
        for PT, Z, f, A_next, A_next_aug in ws.forward_plan:
            dot(PT, A, out=Z)
            f(Z, A_next)
            A = A_next_aug

    def backward_into(
        self, ws: Workspace, xT_aug: Array, YT: Array, want_loss: bool = False
    ) -> float:
        """Backward pass writing ws.delta (per sample), ws.dW and ws.db (batch mean).

        Needs the forward pass of the same xT_aug in ws; YT is the targets transposed. Returns
        the batch's summed loss when want_loss (the output delta gets it almost free).
        """
        _, total = losses.output_delta_and_loss(
            self.loss_name, self.output, ws.zT[-1], ws.aT[-1], YT, ws.deltaT[-1],
            ws.scratch[-1], want_loss, axis=0,
        )
        dot = np.dot
        for l, A, G, D, W, DT, DT_prev, fprime, Z_prev, A_l, S in ws.backward_plan:  # noqa: E741
            dot(A if l else xT_aug, D, out=G)
            if l:
                dot(W, DT, out=DT_prev)
                DT_prev *= fprime(Z_prev, A_l, S)
        for row in ws.fixed_db:
            row.fill(0.0)
        if ws.batch != 1:
            ws.grad *= ws.inv_n
        return total

    def forward(self, X: Array) -> Trace:
        X = self.check_input(X)
        ws = Workspace(self, X.shape[0])
        ws.aT[0][...] = X.T
        with np.errstate(over="ignore"):  # sigmoid's e^-z may overflow to its correct limit
            self.forward_into(ws, ws.aT_aug[0])
        return Trace(tuple(ws.z), tuple(ws.a))

    def backward(self, trace: Trace, Y: Array) -> Gradients:
        batch = trace.a[0].shape[0]
        Y = self.check_target(Y, batch)
        ws = Workspace(self, batch)
        for dst, src in zip(ws.a, trace.a, strict=True):
            dst[...] = src
        for dst, src in zip(ws.z, trace.z, strict=True):
            dst[...] = src
        self.backward_into(ws, ws.aT_aug[0], np.ascontiguousarray(Y.T))
        return Gradients(tuple(ws.delta), tuple(ws.dW), tuple(ws.db))

    def predict(self, X: Array) -> Array:
        return self.forward(X).a[-1]

    def per_sample_loss(self, X: Array, Y: Array) -> Array:
        trace = self.forward(X)
        Y = self.check_target(Y, trace.a[0].shape[0])
        return losses.per_sample(self.loss_name, trace.z[-1], trace.a[-1], Y)

    def loss(self, X: Array, Y: Array) -> float:
        """Mean over the batch of the per-sample loss E."""
        return float(self.per_sample_loss(X, Y).mean())

    def accuracy(self, X: Array, Y: Array) -> float:
        return accuracy(self.predict(X), np.asarray(Y))


def correct(output: Array, Y: Array) -> Array:
    """Per-sample correctness: one output is thresholded at 0.5, several compared by argmax."""
    if output.shape[1] == 1:
        return (output[:, 0] > 0.5) == (Y.reshape(len(Y), -1)[:, 0] > 0.5)
    return output.argmax(axis=1) == Y.argmax(axis=1)


def accuracy(output: Array, Y: Array) -> float:
    if len(output) == 0:
        return float("nan")
    return float(np.mean(correct(output, Y)))


@dataclass(frozen=True)
class GradientCheck:
    """Backprop gradients next to central finite differences, with the relative error per layer."""

    dW: tuple[Array, ...]
    db: tuple[Array, ...]
    numeric_dW: tuple[Array, ...]
    numeric_db: tuple[Array, ...]
    errors: tuple[float, ...]

    @property
    def max_error(self) -> float:
        return max(self.errors)


def _rel_error(analytic: Array, numeric: Array) -> float:
    # Norm-based, per layer: robust where single entries are ~0 (cs231n's gradient-check advice).
    num = np.linalg.norm(analytic - numeric)
    den = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(num / den) if den > 1e-300 else 0.0


def gradient_check_detail(net: Network, X: Array, Y: Array, eps: float = 1e-5) -> GradientCheck:
    X = net.check_input(X)
    Y = net.check_target(Y, X.shape[0])
    grads = net.backward(net.forward(X), Y)
    num_W, num_b = [], []
    for params, out in ((net.weights, num_W), (net.biases, num_b)):
        for p in params:
            g = np.zeros_like(p)
            flat, gflat = p.reshape(-1), g.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + eps
                up = net.loss(X, Y)
                flat[i] = old - eps
                down = net.loss(X, Y)
                flat[i] = old
                gflat[i] = (up - down) / (2 * eps)
            out.append(g)
    # A frozen or absent bias is no parameter of the training, so its (zeroed) backprop
    # gradient is not compared with the loss's slope along it.
    for l, mode in enumerate(net.bias_modes):  # noqa: E741
        if mode != "trained":
            num_b[l][...] = 0.0
    errors = tuple(
        _rel_error(np.concatenate([grads.dW[l].ravel(), grads.db[l].ravel()]),
                   np.concatenate([num_W[l].ravel(), num_b[l].ravel()]))
        for l in range(net.n_layers)  # noqa: E741
    )
    return GradientCheck(grads.dW, grads.db, tuple(num_W), tuple(num_b), errors)


def gradient_check(net: Network, X: Array, Y: Array, eps: float = 1e-5) -> list[float]:
    """Max relative error, per weight layer, of backprop against central finite differences."""
    return list(gradient_check_detail(net, X, Y, eps).errors)
