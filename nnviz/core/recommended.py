"""A recommended setup per data set, and the rule that says a run has converged.

Each setup is the one the window applies when a data set is chosen and the one `nnviz train`
and `nnviz converge` use for the options not given. ``accuracy`` is the training accuracy the
setup reaches after ``epochs`` epochs with seed 0 (a test holds every one of them); README
"Data sets" lists them with the seconds they take.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A run has converged when its training loss is at most this (and its accuracy reached the
#: target): the convergence explorer's default too.
LOSS_THRESHOLD = 0.05


@dataclass(frozen=True)
class Setup:
    """Network and training settings that make a data set learnable in a few seconds."""

    hidden: tuple[int, ...]
    activation: str
    output: str
    loss: str
    lr: float
    batch_size: int | None  # None = full batch
    epochs: int
    accuracy: float  # training accuracy it reaches after `epochs` (seed 0), the stop target
    #: numbers to predict: the training R^2 it reaches instead (accuracy is then 0: the loss
    #: threshold alone stops it)
    r2: float | None = None


_XOR = Setup((4,), "sigmoid", "sigmoid", "mse", 0.5, None, 10_000, 1.0)
# Mini-batches of 16 with tanh: full batch sigmoid stays near 56 % on the checkerboard for
# tens of thousands of epochs; these reach 97 % in a few hundred.
_TWO_SPIRALS = Setup((16, 16), "tanh", "sigmoid", "bce", 0.1, 16, 1_500, 0.97)

SETUPS: dict[str, Setup] = {
    "xor": _XOR,
    "xor-bias": _XOR,
    "checkerboard": _TWO_SPIRALS,
    "spirals": _TWO_SPIRALS,
    "circles": Setup((8,), "tanh", "sigmoid", "bce", 0.5, None, 2_000, 1.0),
    "gaussians": Setup((4,), "tanh", "sigmoid", "bce", 0.5, None, 1_000, 1.0),
    "iris": Setup((8,), "tanh", "softmax", "cross_entropy", 0.1, 16, 300, 0.97),
    "seeds": Setup((8,), "tanh", "softmax", "cross_entropy", 0.1, 16, 300, 0.97),
    "heart": Setup((8,), "tanh", "sigmoid", "bce", 0.05, 16, 300, 0.95),
    # Regression: a linear output and mse (README "Several targets and regression").
    "sine": Setup((16,), "tanh", "linear", "mse", 0.05, None, 8_000, 0.0, r2=0.97),
    "bumps": Setup((16, 16), "tanh", "linear", "mse", 0.05, 8, 1_500, 0.0, r2=0.9),
}

#: For data without a setup of its own (a CSV file): one small hidden layer, the classic.
DEFAULT = Setup((4,), "sigmoid", "sigmoid", "mse", 0.5, None, 10_000, 1.0)


def setup_for(dataset: str, n_outputs: int = 1) -> Setup:
    """The recommended setup of a data set by name; for other data (CSV) the default, with
    softmax and cross-entropy when there are several classes."""
    setup = SETUPS.get(dataset)
    if setup is not None:
        return setup
    if n_outputs > 1:
        return Setup(DEFAULT.hidden, DEFAULT.activation, "softmax", "cross_entropy", 0.1, 16,
                     1_000, 1.0)
    return DEFAULT


def is_converged(loss: float, accuracy: float, loss_threshold: float = LOSS_THRESHOLD,
                 target_accuracy: float = 1.0) -> bool:
    """The auto-stop rule: accuracy reached its target and the loss is under the threshold."""
    return accuracy >= target_accuracy and loss <= loss_threshold
