"""`nnviz train`: train one network headless and print the log, the predictions and the accuracy.

    nnviz train --dataset xor --layers 2,4,1 --activation sigmoid --lr 0.5 --epochs 10000 --seed 0

prints ``[INFO] epoch=1000, loss=0.0123456`` every ``--log-every`` epochs (default a tenth of
the run), then one line per sample ``Input: [0 0] -> Predicted: 0.0324, Actual: 0`` (the first
ten) and ``Accuracy: 100.00% (4/4)``. ``--json`` prints one JSON object instead. Exit status:
0 trained, 1 training diverged, 2 bad arguments.

This module is imported to build the parser, so NumPy and the core load only inside `run`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import Any, TextIO

from nnviz.commands import argtypes
from nnviz.commands.argtypes import (
    HIDDEN_ACTIVATIONS,
    INITS,
    LOSSES,
    OUTPUT_ACTIVATIONS,
    UsageError,
    check_layer_widths,
    data_label,
    eta_text,
    load_data,
)

PROG = "nnviz train"
TABLE_ROWS = 10
CHUNK_SECONDS = 0.05  # train in chunks this long so log lines and the bar appear as it goes
BAR_AFTER_SECONDS = 0.5  # only runs longer than this get a progress bar


# ---- argument types: each rejects a bad value with one line naming it ---------------------------












def add_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="xor",
                      help="xor, xor-bias, checkerboard, circles, spirals, gaussians, iris, "
                           "seeds, heart (default xor)")
    data.add_argument("--csv", metavar="PATH", help="train on your own CSV file instead")
    data.add_argument("--target", metavar="COL", default="-1",
                      help="with --csv: target column, name or index (default -1, the last)")
    data.add_argument("--n", type=argtypes.int_at_least(2), metavar="N",
                      help="number of points of a generated data set")
    data.add_argument("--noise", type=argtypes.non_negative_float, default=0.0, metavar="X",
                      help="noise of a generated data set (default 0)")
    data.add_argument("--test-ratio", type=argtypes.non_negative_float, default=0.0, metavar="R",
                      help="fraction held out as a test split (default 0)")

    net = parser.add_argument_group("network")
    net.add_argument("--layers", type=argtypes.layers, metavar="SIZES",
                     help="layer sizes, e.g. 2,4,1; the first must equal the data's features and "
                          "the last its outputs (default: the data set's recommended setup)")
    net.add_argument("--activation", type=argtypes.choice(HIDDEN_ACTIVATIONS), metavar="F",
                     help=f"hidden activation: {', '.join(HIDDEN_ACTIVATIONS)} "
                          "(default: recommended)")
    net.add_argument("--output", type=argtypes.choice(OUTPUT_ACTIVATIONS), metavar="F",
                     help=f"output activation: {', '.join(OUTPUT_ACTIVATIONS)} "
                          "(default: recommended; softmax with --loss cross_entropy)")
    net.add_argument("--loss", type=argtypes.choice(LOSSES), metavar="L",
                     help=f"{', '.join(LOSSES)} (mse is 1/2 sum (a - t)^2; default: "
                          "recommended)")
    net.add_argument("--init", type=argtypes.choice(INITS), default="xavier", metavar="I",
                     help=f"weight initialisation: {', '.join(INITS)} (default xavier)")

    train = parser.add_argument_group("training")
    train.add_argument("--lr", type=argtypes.positive_float,
                       help="learning rate (default: recommended)")
    train.add_argument("--epochs", type=argtypes.int_at_least(1),
                       help="(default: recommended)")
    train.add_argument("--seed", type=argtypes.int_at_least(0), default=0,
                       help="seeds the data, the weights and the order (default 0)")
    train.add_argument("--batch", type=argtypes.batch, default=argtypes.RECOMMENDED_BATCH,
                       metavar="full|1|N", help="full batch, 1 = online, or mini-batches of N "
                                                "(default: recommended)")
    train.add_argument("--no-shuffle", action="store_true",
                       help="visit samples in data order instead of a seeded shuffle")
    train.add_argument("--momentum", type=argtypes.non_negative_float, default=0.0, metavar="M",
                       help="momentum in [0, 1) (default 0)")
    train.add_argument("--l2", type=argtypes.non_negative_float, default=0.0, metavar="X",
                       help="L2 penalty on the weights (default 0)")
    train.add_argument("--l1", type=argtypes.non_negative_float, default=0.0, metavar="X",
                       help="L1 penalty on the weights (default 0)")

    out = parser.add_argument_group("output")
    out.add_argument("--log-every", type=argtypes.int_at_least(1), metavar="K",
                     help="log the loss every K epochs (default: a tenth of --epochs)")
    out.add_argument("--json", action="store_true",
                     help="print one JSON object (config, losses, accuracy, speed), nothing else")


def _check_layers(args: argparse.Namespace, ds) -> tuple[int, ...]:
    argtypes.fill_recommended(args, ds)
    sizes = tuple(args.layers)
    check_layer_widths(sizes, ds, data_label(args))
    return sizes


def _number(value: float) -> float | None:
    """JSON has no NaN: missing figures (no test split) become null."""
    return None if value is None or not math.isfinite(value) else float(value)


def _fmt_input(row) -> str:
    parts = [f"{int(v)}" if float(v).is_integer() else f"{v:.4g}" for v in row]
    return "[" + " ".join(parts) + "]"


class Progress:
    """A one-line bar on stderr, drawn only on a terminal and only for runs that take a while."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.enabled = stream.isatty()
        self.start = time.perf_counter()
        self.shown = False

    def update(self, done: int) -> None:
        if not self.enabled or time.perf_counter() - self.start < BAR_AFTER_SECONDS:
            return
        width = 30
        filled = int(width * done / self.total)
        rate = done / max(time.perf_counter() - self.start, 1e-9)
        eta = eta_text((self.total - done) / rate if rate > 0 else math.inf)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                          f"{done:,}/{self.total:,} epochs ({rate:,.0f}/s), ETA {eta}\033[K")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    import numpy as np

    from nnviz.core import DivergenceError, Network, Trainer
    from nnviz.core.network import correct

    if args.momentum >= 1.0:
        raise UsageError(f"argument --momentum: must be in [0, 1), got {args.momentum:g}")
    if args.test_ratio >= 1.0:
        raise UsageError(f"argument --test-ratio: must be < 1, got {args.test_ratio:g}")
    ds = load_data(args, args.test_ratio)
    sizes = _check_layers(args, ds)
    output = args.output
    if output == "softmax" and ds.n_outputs < 2:
        raise UsageError(
            f"a softmax output needs one unit per class, but {data_label(args)} has one output "
            "column (two classes); use --output sigmoid with --loss bce or mse"
        )
    try:
        net = Network(sizes, activation=args.activation, output=output, loss=args.loss,
                      init=args.init, seed=args.seed)
        trainer = Trainer(net, ds.X_train, ds.Y_train, lr=args.lr, batch_size=args.batch,
                          momentum=args.momentum, l2=args.l2, l1=args.l1,
                          shuffle=not args.no_shuffle, seed=args.seed,
                          X_test=ds.X_test, Y_test=ds.Y_test)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    has_test = trainer.X_test is not None
    config: dict[str, Any] = {
        "dataset": ds.name if not args.csv else args.csv,
        "layers": list(sizes),
        "activation": net.activation,
        "output": net.output,
        "loss": net.loss_name,
        "init": net.init,
        "lr": args.lr,
        "epochs": args.epochs,
        "seed": args.seed,
        "batch": "full" if args.batch is None else args.batch,
        "shuffle": not args.no_shuffle,
        "momentum": args.momentum,
        "l2": args.l2,
        "l1": args.l1,
        "n": args.n,
        "noise": args.noise,
        "test_ratio": args.test_ratio,
        "train_samples": len(ds.X_train),
        "test_samples": len(ds.X_test),
    }
    log = not args.json
    if log:
        batch = "full" if args.batch is None else args.batch
        print(f"[INFO] training {net!r} on {config['dataset']}: {len(ds.X_train)} samples, "
              f"lr={args.lr:g}, batch={batch}, epochs={args.epochs}, seed={args.seed}",
              flush=True)
    log_every = args.log_every or max(1, args.epochs // 10)
    progress = Progress(args.epochs, sys.stderr)
    progress.enabled = progress.enabled and not args.json  # one JSON object, nothing else
    history = trainer.history
    chunk = 1
    started = time.perf_counter()
    try:
        while trainer.epoch < args.epochs:
            # Chunks end on log epochs, so each line is printed as soon as its epoch is done.
            next_log = (trainer.epoch // log_every + 1) * log_every
            size = min(chunk, args.epochs - trainer.epoch, next_log - trainer.epoch)
            t0 = time.perf_counter()
            trainer.run(size)
            spent = time.perf_counter() - t0
            # Grow or shrink the chunk towards CHUNK_SECONDS of work.
            chunk = max(1, min(chunk * 4, int(size * CHUNK_SECONDS / max(spent, 1e-6))))
            epoch = trainer.epoch
            if log and (epoch == 1 or epoch % log_every == 0 or epoch == args.epochs):
                progress.clear()
                line = f"[INFO] epoch={epoch}, loss={history.train_loss[-1]:.7f}"
                if has_test:
                    line += f", test_loss={history.test_loss[-1]:.7f}"
                print(line, flush=True)
            progress.update(epoch)
    except DivergenceError as exc:
        progress.clear()
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        progress.clear()
        print(f"{PROG}: interrupted after epoch {trainer.epoch}", file=sys.stderr)
        return 130
    seconds = time.perf_counter() - started
    progress.clear()

    ev = trainer.evaluate()
    classify = ds.is_classification
    result = {
        "config": config,
        "train_loss": _number(ev.train_loss),
        "test_loss": _number(ev.test_loss) if has_test else None,
        "accuracy": _number(ev.accuracy) if classify else None,
        "test_accuracy": _number(ev.test_accuracy) if has_test and classify else None,
        "epochs": trainer.epoch,
        "seconds": seconds,
        "epochs_per_second": trainer.epoch / seconds if seconds > 0 else None,
    }
    if args.json:
        print(json.dumps(result))
        return 0

    X, Y = ds.X_train, ds.Y_train
    out = net.predict(X)
    multi = Y.shape[1] > 1
    names = ds.class_names
    for x, p, t in zip(X[:TABLE_ROWS], out[:TABLE_ROWS], Y[:TABLE_ROWS], strict=True):
        if multi and classify:
            k, j = int(p.argmax()), int(t.argmax())
            pred = f"{names[k] if k < len(names) else k} ({p[k]:.4f})"
            actual = f"{names[j] if j < len(names) else j}"
        elif multi:
            pred = "[" + " ".join(f"{v:.4f}" for v in p) + "]"
            actual = "[" + " ".join(f"{v:g}" for v in t) + "]"
        else:
            pred, actual = f"{p[0]:.4f}", f"{t[0]:g}"
        print(f"Input: {_fmt_input(x)} -> Predicted: {pred}, Actual: {actual}")
    if len(X) > TABLE_ROWS:
        print(f"... {len(X) - TABLE_ROWS} more samples not shown")
    if classify:
        hits = int(np.count_nonzero(correct(out, Y)))
        print(f"Accuracy: {100 * hits / len(X):.2f}% ({hits}/{len(X)})")
        if has_test:
            t_hits = int(np.count_nonzero(correct(net.predict(ds.X_test), ds.Y_test)))
            n_test = len(ds.X_test)
            print(f"Test accuracy: {100 * t_hits / n_test:.2f}% ({t_hits}/{n_test})")
    else:
        print(f"Loss: {ev.train_loss:.7f}" + (f", test loss: {ev.test_loss:.7f}" if has_test
                                             else ""))
    print(f"[INFO] {trainer.epoch} epochs in {seconds:.2f} s "
          f"({result['epochs_per_second'] or 0:,.0f} epochs/s)")
    return 0
