"""What the headless commands share: argparse types that reject a bad value with one clear line,
the data loading, and the check that --layers fits the data."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable

# Mirrors nnviz.core.activations / losses / network (a test checks they agree); spelled out here
# so building a parser does not import NumPy.
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS = ("sigmoid", "tanh", "linear", "softmax")
LOSSES = ("mse", "bce", "cross_entropy")
INITS = ("xavier", "he", "normal", "uniform", "small")


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text}")
    return value


def momentum(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (0.0 <= value < 1.0):
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def test_ratio(text: str) -> float:
    value = non_negative_float(text)
    if value >= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def int_at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


def batch(text: str) -> int | None:
    """'full' -> None (full batch), N >= 1 -> N (1 = online)."""
    if text.strip().lower() == "full":
        return None
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"must be 'full' or a whole number >= 1 (1 = online), got {text!r}"
        )
    return value


def layers(text: str) -> tuple[int, ...]:
    """Hidden sizes ('16,16'; '0' for none) or the whole network ('2,16,16,1'): which one is
    decided against the data (check_layer_widths)."""
    from nnviz.core.network import parse_layers  # light: network imports NumPy only

    if text.strip() in ("0", "-"):
        return ()
    try:
        return parse_layers(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        key = text.strip().lower().replace("-", "_")
        if key not in options:
            raise argparse.ArgumentTypeError(f"{text!r} is not one of {', '.join(options)}")
        return key

    parse.__name__ = "choice"
    return parse


class UsageError(Exception):
    """A bad argument found after parsing (it needs the data): exit 2 with one line."""


def fail(args: argparse.Namespace, prog: str, message: str, status: int,
         error: bool = True) -> int:
    """Report a failure: one line on stderr and, with --json, one JSON object with an `error`
    key on stdout (so a script reading stdout always gets JSON). Returns `status`."""
    print(f"{prog}: error: {message}" if error else f"{prog}: {message}", file=sys.stderr)
    if getattr(args, "json", False):
        print(json.dumps({"error": message, "exit_status": status}), flush=True)
    return status


def data_label(args: argparse.Namespace) -> str:
    return f"file {args.csv!r}" if args.csv else f"data set {args.dataset!r}"


def load_data(args: argparse.Namespace, test_ratio: float = 0.0):  # noqa: ANN201 (a Dataset)
    """The data set or CSV file the arguments name; a DatasetError becomes a UsageError."""
    from nnviz.core import datasets

    try:
        if args.csv:
            targets: list[str | int] = []
            for part in str(args.target).split(","):
                try:
                    targets.append(int(part))
                except ValueError:
                    targets.append(part.strip())
            return datasets.load_csv(args.csv, target=targets if len(targets) > 1 else targets[0],
                                     test_ratio=test_ratio, seed=args.seed,
                                     task=getattr(args, "task", None))
        return datasets.load_dataset(args.dataset, n=args.n, noise=args.noise,
                                     test_ratio=test_ratio, seed=args.seed)
    except datasets.DatasetError as exc:
        raise UsageError(str(exc)) from None


def check_layer_widths(sizes: tuple[int, ...], ds, where: str) -> tuple[int, ...]:  # noqa: ANN001
    """The whole network's sizes for a --layers spec (hidden only, or whole with ends that
    match the data's features and outputs); a spec with one wrong end is a UsageError."""
    from nnviz.core.network import resolve_layers

    try:
        return resolve_layers(sizes, ds.n_inputs, ds.n_outputs, where)
    except ValueError as exc:
        raise UsageError(f"--{exc}") from None


def network_spec(args: argparse.Namespace, sizes: tuple[int, ...], features: tuple = (),
                 *, bias_option: bool = True):  # noqa: ANN201 (a NetworkSpec)
    """The NetworkSpec (nnviz.core.spec) of the network options, for the whole `sizes`
    (without `bias_option`, --bias is left out: every layer's biases are trained); a value
    the spec refuses is a UsageError naming it."""
    from nnviz.core.spec import NetworkSpec

    try:
        return NetworkSpec(sizes, activation=args.activation, output=args.output,
                           loss=args.loss, init=args.init, seed=args.seed,
                           bias=args.bias if bias_option else None,
                           features=tuple(features))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def hyper_params(args: argparse.Namespace, lr: float | None = None):  # noqa: ANN201 (HyperParams)
    """The HyperParams (nnviz.core.spec) of the training options (`lr` for one of a list of
    --lr); a value the spec refuses is a UsageError naming it."""
    from nnviz.core.spec import HyperParams

    try:
        return HyperParams(lr=args.lr if lr is None else lr, momentum=args.momentum,
                           l2=args.l2, l1=args.l1,
                           batch_size=args.batch, shuffle=not args.no_shuffle, seed=args.seed,
                           epochs=args.epochs)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


class _Recommended:
    """The default of --batch: the data set's recommended setup decides (None would mean full
    batch, and a string default would go through the option's type)."""

    def __repr__(self) -> str:
        return "recommended"


RECOMMENDED_BATCH = _Recommended()


def fill_recommended(args: argparse.Namespace, ds, *, lists: bool = False) -> object:  # noqa: ANN001
    """Fill the network and training options not given (None) from the data set's recommended
    setup (README "Data sets") and return that setup. An output not given follows a loss that
    was given (softmax for cross-entropy). ``lists``: --layers and --lr are repeatable lists."""
    from nnviz.core.recommended import setup_for

    setup = setup_for("" if getattr(args, "csv", None) else args.dataset, ds.n_outputs)
    if args.output is None:
        if not ds.is_classification and setup.r2 is None:
            from nnviz.core.metrics import default_output

            # Numbers, not classes: linear (or sigmoid for targets inside (0, 1)) and mse.
            args.output, loss = default_output(ds)
            if args.loss is None:
                args.loss = loss
        elif args.loss is None:
            args.output = setup.output
        else:
            args.output = "softmax" if args.loss == "cross_entropy" else "sigmoid"
    for name in ("activation", "loss", "epochs"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(setup, name))
    if args.lr is None:
        args.lr = [setup.lr] if lists else setup.lr
    if args.batch is RECOMMENDED_BATCH:
        args.batch = setup.batch_size
    if args.layers is None:
        sizes = (ds.n_inputs, *setup.hidden, ds.n_outputs)
        args.layers = [sizes] if lists else sizes
    return setup


def eta_text(seconds: float) -> str:
    """'12 s', '3 min 05 s', '1 h 02 min', or '?' before there is anything to go by."""
    if not math.isfinite(seconds):
        return "?"
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
