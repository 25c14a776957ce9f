"""What the convergence explorer trains: one architecture and training setting, run many times.
See README, "Convergence explorer"."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from nnviz.core.network import Network, parse_layers
from nnviz.core.optim import check_hyper
from nnviz.core.trainer import Trainer

Array = np.ndarray

# progress(epoch, fraction_converged) -> False to cancel
Progress = Callable[[int, float], "bool | None"]


@dataclass(frozen=True)
class ConvergenceConfig:
    """One architecture + training setting, trained ``runs`` times from seeds seed .. seed+runs-1.

    Names are validated and canonicalised exactly as ``Network`` does it; bad values raise
    ValueError naming the value.
    """

    layers: tuple[int, ...] | str | Sequence[int]
    activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    lr: float = 0.5
    momentum: float = 0.0
    batch_size: int | None = None
    shuffle: bool = True
    epochs: int = 10_000
    runs: int = 100
    seed: int = 0
    loss_threshold: float = 0.05
    require_all_correct: bool = True

    def __post_init__(self) -> None:
        sizes = parse_layers(self.layers)
        # Network validates the layer count, activations, loss pair and init with its messages.
        net = Network(sizes, self.activation, self.output, self.loss, self.init, seed=0)
        check_hyper(lr=self.lr, momentum=self.momentum)
        for name in ("epochs", "runs"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
        if self.batch_size is not None and (
            isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int | np.integer)
            or self.batch_size < 1
        ):
            raise ValueError(
                f"batch size must be a whole number >= 1 (or None for full batch), "
                f"got {self.batch_size!r}"
            )
        if not isinstance(self.seed, int | np.integer) or self.seed < 0:
            raise ValueError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if not (math.isfinite(self.loss_threshold) and self.loss_threshold > 0):
            raise ValueError(f"loss threshold must be a number > 0, got {self.loss_threshold!r}")
        set_ = partial(object.__setattr__, self)
        set_("layers", sizes)
        set_("activation", net.activation)
        set_("output", net.output)
        set_("loss", net.loss_name)
        for name in ("epochs", "runs", "seed"):
            set_(name, int(getattr(self, name)))
        set_("batch_size", None if self.batch_size is None else int(self.batch_size))
        set_("lr", float(self.lr))
        set_("momentum", float(self.momentum))
        set_("loss_threshold", float(self.loss_threshold))

    @property
    def label(self) -> str:
        """Short text for tables: '2-2-1 sigmoid xavier lr=0.5'."""
        text = f"{'-'.join(map(str, self.layers))} {self.activation} {self.init} lr={self.lr:g}"
        if self.momentum:
            text += f" mom={self.momentum:g}"
        if self.batch_size is not None:
            text += f" batch={self.batch_size}"
        return text

    def run_seed(self, run: int) -> int:
        return self.seed + int(run)

    def network(self, run: int) -> Network:
        """Run ``run``'s network at its initial weights: train it alone with ``trainer``."""
        return Network(
            self.layers, self.activation, self.output, self.loss, self.init,
            seed=self.run_seed(run),
        )

    def trainer(self, run: int, X: Array, Y: Array) -> Trainer:
        """The Trainer that reproduces run ``run`` alone (same weights, update and batch order)."""
        return Trainer(
            self.network(run), X, Y, lr=self.lr, batch_size=self.batch_size,
            momentum=self.momentum, shuffle=self.shuffle, seed=self.seed,
        )

    def as_dict(self) -> dict:
        return {
            "layers": list(self.layers), "activation": self.activation, "output": self.output,
            "loss": self.loss, "init": self.init, "lr": self.lr, "momentum": self.momentum,
            "batch_size": self.batch_size, "shuffle": self.shuffle, "epochs": self.epochs,
            "runs": self.runs, "seed": self.seed, "loss_threshold": self.loss_threshold,
            "require_all_correct": self.require_all_correct,
        }
