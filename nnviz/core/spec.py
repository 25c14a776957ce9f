"""What defines a run: the network (`NetworkSpec`) and how it is trained (`HyperParams`).

Both are frozen and checked once, when made: a bad value raises one ValueError that names the
option, and whatever holds a spec can use it without checking again (README, "The engine").
The rules for each hyper-parameter live here only: the Trainer, the Stepper (through
optim.HyperParameters), the window's settings and the command line types all apply them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from nnviz.core.network import Network, check_architecture


def _whole(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finite_at_least(low: float, strict: bool) -> Callable[[Any], bool]:
    return lambda v: _real(v) and math.isfinite(v) and (v > low if strict else v >= low)


def _whole_at_least(low: int, or_none: bool) -> Callable[[Any], bool]:
    return lambda v: (or_none and v is None) or (_whole(v) and v >= low)


#: option -> (the test a value must pass, the message when it fails, with {value} in it)
RULES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "lr": (_finite_at_least(0.0, True), "learning rate must be a positive number, got {value}"),
    "momentum": (lambda v: _real(v) and 0.0 <= v < 1.0,
                 "momentum must be in [0, 1), got {value}"),
    "l2": (_finite_at_least(0.0, False), "L2 penalty must be >= 0, got {value}"),
    "l1": (_finite_at_least(0.0, False), "L1 penalty must be >= 0, got {value}"),
    "batch_size": (_whole_at_least(1, True),
                   "batch size must be >= 1 (or None for full batch), got {value}"),
    "shuffle": (lambda v: isinstance(v, bool | numbers.Integral | np.bool_),
                "shuffle must be true or false, got {value!r}"),
    "seed": (_whole_at_least(0, False), "seed must be a whole number >= 0, got {value!r}"),
    "epochs": (_whole_at_least(1, True), "epochs must be a whole number >= 1, got {value!r}"),
}
_KINDS: dict[str, type] = {"batch_size": int, "seed": int, "epochs": int, "shuffle": bool}


def check_option(name: str, value: Any) -> Any:
    """`value` as HyperParams keeps option `name` (a float, int, bool or None); ValueError
    naming the option when the value breaks its rule."""
    ok, message = RULES[name]
    if not ok(value):
        raise ValueError(message.format(value=value))
    return None if value is None else _KINDS.get(name, float)(value)


@dataclass(frozen=True)
class HyperParams:
    """How a network is trained: README "The engine".

    lr, momentum, l2 and l1 feed SGD (and may change between epochs); batch_size None is full
    batch, 1 online, N mini-batches of N; shuffle and seed decide the order of every epoch;
    epochs is how long a headless run trains (None: the caller decides, as the window does).
    """

    lr: float = 0.5
    momentum: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    batch_size: int | None = None
    shuffle: bool = True
    seed: int = 0
    epochs: int | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, check_option(f.name, getattr(self, f.name)))

    def replace(self, **changes: Any) -> HyperParams:
        """A copy with `changes`, checked."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class NetworkSpec:
    """What defines a network: whole layer sizes, activations, output, loss, initialiser, the
    seed of its initial weights, bias modes (one per weight layer; README "Bias modes") and
    the input features of 2-D data (README "Input features"; () feeds the raw inputs).

    Names are checked and made canonical as Network does it ("leaky-relu" -> "leaky_relu",
    "trained" -> one mode per layer); ``build()`` makes the network without checking again.
    """

    layers: tuple[int, ...]
    activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    seed: int = 0
    bias: tuple[str, ...] | str | None = None
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        layers, activation, output, loss, init, bias = check_architecture(
            self.layers, self.activation, self.output, self.loss, self.init, self.bias)
        seed = check_option("seed", self.seed)
        features: tuple[str, ...] = ()
        if self.features:
            from nnviz.core.features import parse_features  # loads the data sets module

            features = parse_features(self.features)
        for name, value in (("layers", layers), ("activation", activation), ("output", output),
                            ("loss", loss), ("init", init), ("seed", seed), ("bias", bias),
                            ("features", features)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_hidden(cls, hidden: Sequence[int], n_inputs: int, n_outputs: int,
                    **options: Any) -> NetworkSpec:
        """The spec of a network with these hidden sizes between the data's inputs and
        outputs."""
        return cls((int(n_inputs), *hidden, int(n_outputs)), **options)

    @property
    def hidden(self) -> tuple[int, ...]:
        return self.layers[1:-1]

    def build(self, dtype: type | None = None) -> Network:
        """The network at its seeded initial weights."""
        return Network.from_spec(self) if dtype is None else Network.from_spec(self, dtype)
