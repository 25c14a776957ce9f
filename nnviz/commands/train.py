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
    fail,
    load_data,
)

PROG = "nnviz train"
TABLE_ROWS = 10
CHUNK_SECONDS = 0.05  # train in chunks this long so log lines and the bar appear as it goes
BAR_AFTER_SECONDS = 0.5  # only runs longer than this get a progress bar


def add_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="xor",
                      help="xor, xor-bias, checkerboard, circles, spirals, gaussians, iris, "
                           "seeds, heart (default xor)")
    data.add_argument("--csv", metavar="PATH", help="train on your own CSV file instead")
    data.add_argument("--lesson", metavar="NAME",
                      help="start from a shipped lesson (nnviz lessons lists them): its "
                           "network, weights, data and hyper-parameters")
    data.add_argument("--session", metavar="FILE",
                      help="start from a .nnviz session file, as --lesson does")
    data.add_argument("--target", metavar="COL", default="-1",
                      help="with --csv: target column, name or index (default -1, the last), "
                           "or several numeric columns to predict, e.g. t1,t2")
    data.add_argument("--task", type=argtypes.choice(("classify", "regress")), metavar="T",
                      help="with --csv: classify or regress (default: inferred from the target)")
    data.add_argument("--n", type=argtypes.int_at_least(2), metavar="N",
                      help="number of points of a generated data set")
    data.add_argument("--noise", type=argtypes.non_negative_float, default=0.0, metavar="X",
                      help="noise of a generated data set (default 0)")
    data.add_argument("--test-ratio", type=argtypes.test_ratio, default=0.0, metavar="R",
                      help="fraction held out as a test split (default 0)")
    data.add_argument("--features", metavar="LIST",
                      help="feed 2-D data as these input features: x1, x2, x1^2, x2^2, x1x2, "
                           "sinx1, sinx2, e.g. x1,x2,x1x2 (default: the raw inputs)")

    net = parser.add_argument_group("network")
    net.add_argument("--layers", type=argtypes.layers, metavar="SIZES",
                     help="hidden layer sizes (e.g. 4 or 16,16; 0 for none) or the whole "
                          "network (e.g. 2,4,1: its ends must match the data) "
                          "(default: the data set's recommended setup)")
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
    net.add_argument("--bias", default=None, metavar="MODES",
                     help="biases: trained (default), frozen (kept at the initial value) or "
                          "none; one mode for all layers or one per weight layer, e.g. "
                          "trained,none")

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
    train.add_argument("--momentum", type=argtypes.momentum, default=0.0, metavar="M",
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
    out.add_argument("--save", metavar="OUT.nnviz",
                     help="write the trained session (weights, history, data) to open in the "
                          "window")


def _check_layers(args: argparse.Namespace, ds) -> tuple[int, ...]:
    argtypes.fill_recommended(args, ds)
    return check_layer_widths(tuple(args.layers), ds, data_label(args))


def _start_session(args: argparse.Namespace):  # noqa: ANN202 (a Session or None)
    """The session --lesson or --session names, loaded (None without either)."""
    if args.lesson and args.session:
        raise UsageError("give --lesson or --session, not both")
    if not (args.lesson or args.session):
        return None
    if args.csv:
        raise UsageError("--csv cannot be combined with --lesson or --session (they bring "
                         "their own data)")
    from nnviz.core import lessons
    from nnviz.core.session import SessionError, load

    try:
        return lessons.load(args.lesson) if args.lesson else load(args.session)
    except (lessons.LessonError, SessionError) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"cannot read {args.session}: {exc.strerror or exc}") from None


def _from_session(start):  # noqa: ANN001, ANN202 (Session -> Network, Dataset, Trainer)
    from nnviz.core.session import SessionError

    try:
        ds = start.load_dataset()
        net = start.build_network()
        return net, ds, start.build_trainer(net, ds)
    except SessionError as exc:
        raise UsageError(str(exc)) from None


def _save_session(args: argparse.Namespace, start, net, ds, trainer) -> None:  # noqa: ANN001
    """--save: the trained network, its history and data as a session the window opens."""
    from nnviz.core import session as core_session

    if start is not None:
        dataset, title, notes = start.dataset, start.title, start.notes
        view, hidden = start.view, start.hidden
    else:
        dataset = (core_session.embedded_spec(ds, source=args.csv) if args.csv else
                   core_session.builtin_spec(args.dataset, n=args.n, noise=args.noise,
                                             test_ratio=args.test_ratio, seed=args.seed,
                                             features=ds.features))
        title, notes, view, hidden = "", "", {}, []
    s = core_session.Session.from_network(net, dataset=dataset, trainer=trainer, view=view,
                                          hidden=hidden, title=title, notes=notes)
    try:
        core_session.save(args.save, s)
    except (OSError, core_session.SessionError) as exc:
        raise UsageError(f"--save {args.save}: {getattr(exc, 'strerror', None) or exc}") from None


def _with_features(ds, spec: str):  # noqa: ANN001, ANN202 (Dataset -> Dataset)
    from nnviz.core.features import with_features

    try:
        return with_features(ds, spec)
    except ValueError as exc:
        raise UsageError(f"--features: {exc}") from None


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
    """Exit status 0 trained, 1 diverged (or failed otherwise), 2 bad arguments, 130
    interrupted; every failure is one line on stderr, and with --json a JSON object on stdout."""
    try:
        return _run(args)
    except UsageError as exc:
        return fail(args, PROG, str(exc), 2)
    except KeyboardInterrupt:
        return fail(args, PROG, "interrupted", 130, error=False)
    except Exception as exc:
        if not args.json:
            raise
        return fail(args, PROG, f"{type(exc).__name__}: {exc}", 1)


def _run(args: argparse.Namespace) -> int:
    import numpy as np

    from nnviz.core import DivergenceError, Trainer
    from nnviz.core.metrics import mae, r2
    from nnviz.core.network import correct

    start = _start_session(args)
    if start is not None:
        net, ds, trainer = _from_session(start)
        sizes = net.sizes
        # The session brings its own training setup; options not given report what it holds.
        if args.lr is None:
            args.lr = trainer.lr
        if args.batch is argtypes.RECOMMENDED_BATCH:
            args.batch = trainer.batch_size
        if args.epochs is None:
            from nnviz.core.recommended import DEFAULT

            args.epochs = DEFAULT.epochs
    else:
        ds = load_data(args, args.test_ratio)
        if args.features:
            ds = _with_features(ds, args.features)
        sizes = _check_layers(args, ds)  # fills what was not given from the recommended setup
        output = args.output
        if output == "softmax" and ds.n_outputs < 2:
            raise UsageError(
                f"a softmax output needs one unit per class, but {data_label(args)} has one "
                "output column (two classes); use --output sigmoid with --loss bce or mse"
            )
        spec = argtypes.network_spec(args, sizes, ds.features)
        hyper = argtypes.hyper_params(args)
        try:
            net = spec.build()
            trainer = Trainer.from_hyper(net, ds.X_train, ds.Y_train, hyper,
                                         X_test=ds.X_test, Y_test=ds.Y_test)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if trainer.warning:
        print(f"{PROG}: warning: {trainer.warning}", file=sys.stderr)
    has_test = trainer.X_test is not None
    config: dict[str, Any] = {
        "dataset": ds.name if not args.csv else args.csv,
        "features": list(ds.features),
        "layers": list(sizes),
        "activation": net.activation,
        "output": net.output,
        "loss": net.loss_name,
        "init": net.init,
        "bias": list(net.bias_modes),
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
    if start is not None:  # the session's own setup, not the (unused) options
        opt = trainer.optimizer
        config.update(
            dataset=args.lesson or args.session, lr=opt.lr, momentum=opt.momentum, l2=opt.l2,
            l1=opt.l1, seed=trainer.seed, shuffle=trainer.shuffle,
            batch="full" if trainer.batch_size is None else trainer.batch_size,
            n=None, noise=None, test_ratio=None, start_epoch=trainer.epoch,
        )
    first = trainer.epoch  # a session may resume from a later epoch: train --epochs more
    end = first + args.epochs
    log = not args.json
    if log:
        print(f"[INFO] training {net!r} on {config['dataset']}: {len(ds.X_train)} samples, "
              f"lr={config['lr']:g}, batch={config['batch']}, epochs={args.epochs}, "
              f"seed={config['seed']}",
              flush=True)
    log_every = args.log_every or max(1, args.epochs // 10)
    progress = Progress(args.epochs, sys.stderr)
    progress.enabled = progress.enabled and not args.json  # one JSON object, nothing else
    history = trainer.history
    chunk = 1
    started = time.perf_counter()
    try:
        while trainer.epoch < end:
            # Chunks end on log epochs, so each line is printed as soon as its epoch is done.
            next_log = (trainer.epoch // log_every + 1) * log_every
            size = min(chunk, end - trainer.epoch, next_log - trainer.epoch)
            t0 = time.perf_counter()
            trainer.run(size)
            spent = time.perf_counter() - t0
            # Grow or shrink the chunk towards CHUNK_SECONDS of work.
            chunk = max(1, min(chunk * 4, int(size * CHUNK_SECONDS / max(spent, 1e-6))))
            epoch = trainer.epoch
            if log and (epoch == 1 or epoch % log_every == 0 or epoch == end):
                progress.clear()
                line = f"[INFO] epoch={epoch}, loss={history.train_loss[-1]:.7f}"
                if has_test:
                    line += f", test_loss={history.test_loss[-1]:.7f}"
                print(line, flush=True)
            progress.update(epoch - first)
    except DivergenceError as exc:
        progress.clear()
        return fail(args, PROG, str(exc), 1)
    except KeyboardInterrupt:
        progress.clear()
        return fail(args, PROG, f"interrupted after epoch {trainer.epoch}", 130, error=False)
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
        "task": "classify" if classify else "regress",
        "epochs": trainer.epoch,
        "seconds": seconds,
        "epochs_per_second": (trainer.epoch - first) / seconds if seconds > 0 else None,
    }
    if not classify:  # numbers to predict: R^2 and mean absolute error instead of accuracy
        out_train = net.predict(ds.X_train)
        result.update(r2=_number(r2(out_train, ds.Y_train)),
                      mae=_number(mae(out_train, ds.Y_train)))
        if has_test:
            out_test = net.predict(ds.X_test)
            result.update(test_r2=_number(r2(out_test, ds.Y_test)),
                          test_mae=_number(mae(out_test, ds.Y_test)))
    if args.save:
        _save_session(args, start, net, ds, trainer)
        if not args.json:
            print(f"[INFO] session saved to {args.save} (open it: nnviz {args.save})")
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
        print(f"R^2: {result['r2']:.4f}, mean absolute error: {result['mae']:.4g}"
              + (f"; test R^2: {result['test_r2']:.4f}, test mean absolute error: "
                 f"{result['test_mae']:.4g}" if has_test else ""))
    print(f"[INFO] {trainer.epoch} epochs in {seconds:.2f} s "
          f"({result['epochs_per_second'] or 0:,.0f} epochs/s)")
    return 0
