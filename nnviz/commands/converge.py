"""`nnviz converge`: how often, and how fast, does a network learn the data from random starts?

    nnviz converge --dataset xor --layers 2,2,1 --layers 2,3,1 --layers 2,4,1 --runs 1000 \\
        --epochs 10000 --lr 0.5 --seed 0 [--init xavier|small|...] [--workers N] [--json]

Every configuration (each --layers x each --init x each --lr) is trained from ``--runs`` random
initialisations at once (seeds seed .. seed+runs-1, see nnviz.core.convergence). Per
configuration it prints the fraction converged, the median and 90th percentile of the epochs to
converge, a text histogram of those epochs and how many of the other runs got each stuck
diagnosis. ``--json`` prints one object ``{"configs": [{"layers": [...], "fraction_converged":
..., "median_epochs": ..., "p90_epochs": ..., "runs": [{"seed", "converged", "epochs",
"final_loss", "diagnosis", ...}, ...]}, ...]}`` (missing numbers are null). A progress bar goes
to stderr, only on a terminal. Exit status: 0 done, 2 bad arguments, 130 interrupted.

This module is imported to build the parser, so NumPy and the core load only inside `run`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from typing import TextIO

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

PROG = "nnviz converge"
HIST_WIDTH = 40
BAR_AFTER_SECONDS = 0.3


# ---- argument types: each rejects a bad value with one line naming it --------------------------














def add_arguments(parser: argparse.ArgumentParser) -> None:
    data = parser.add_argument_group("data")
    data.add_argument("--dataset", default="xor",
                      help="xor, xor-bias, checkerboard, circles, spirals, gaussians, iris, "
                           "seeds, heart (default xor)")
    data.add_argument("--csv", metavar="PATH", help="use your own CSV file instead")
    data.add_argument("--target", metavar="COL", default="-1",
                      help="with --csv: target column, name or index (default -1, the last)")
    data.add_argument("--n", type=argtypes.int_at_least(2), metavar="N",
                      help="number of points of a generated data set")
    data.add_argument("--noise", type=argtypes.non_negative_float, default=0.0, metavar="X",
                      help="noise of a generated data set (default 0)")

    net = parser.add_argument_group("networks (each --layers x each --init x each --lr)")
    net.add_argument("--layers", type=argtypes.layers, action="append", metavar="SIZES",
                     help="hidden sizes (e.g. 2 or 8,8) or the whole network (e.g. 2,2,1); "
                          "repeat to compare architectures (default: the data set's recommended "
                          "setup)")
    net.add_argument("--init", type=argtypes.choice(INITS), action="append", metavar="I",
                     help=f"initialisation: {', '.join(INITS)}; repeat to compare "
                          "(default xavier)")
    net.add_argument("--lr", type=argtypes.positive_float, action="append", metavar="LR",
                     help="learning rate; repeat to compare (default: recommended)")
    net.add_argument("--activation", type=argtypes.choice(HIDDEN_ACTIVATIONS), metavar="F",
                     help=f"hidden activation: {', '.join(HIDDEN_ACTIVATIONS)} "
                          "(default: recommended)")
    net.add_argument("--output", type=argtypes.choice(OUTPUT_ACTIVATIONS), metavar="F",
                     help=f"output activation: {', '.join(OUTPUT_ACTIVATIONS)} "
                          "(default: recommended; softmax with --loss cross_entropy)")
    net.add_argument("--loss", type=argtypes.choice(LOSSES), metavar="L",
                     help=f"{', '.join(LOSSES)} (default: recommended)")

    train = parser.add_argument_group("training")
    train.add_argument("--runs", type=argtypes.int_at_least(1), default=100,
                       help="random initialisations per configuration (default 100)")
    train.add_argument("--epochs", type=argtypes.int_at_least(1),
                       help="at most this many epochs per run (default: recommended)")
    train.add_argument("--seed", type=int, default=0,
                       help="run r uses seed+r for its weights; also seeds the data and the "
                            "batch order (default 0)")
    train.add_argument("--batch", type=argtypes.batch, default=argtypes.RECOMMENDED_BATCH,
                       metavar="full|N", help="full batch, 1 = online, or mini-batches of N "
                                              "(default: recommended)")
    train.add_argument("--no-shuffle", action="store_true",
                       help="mini-batches in data order instead of a seeded shuffle")
    train.add_argument("--momentum", type=argtypes.momentum, default=0.0, metavar="M",
                       help="momentum in [0, 1) (default 0)")
    train.add_argument("--threshold", type=argtypes.positive_float, default=0.05, metavar="X",
                       help="converged = every point classified correctly and mean loss below "
                            "X (default 0.05)")
    train.add_argument("--loss-only", action="store_true",
                       help="converged = loss below --threshold, correct or not")
    train.add_argument("--workers", type=argtypes.int_at_least(1), default=None, metavar="N",
                       help="processes that share the runs (default: every core for large "
                            "jobs, else 1); the results are the same for any N")

    out = parser.add_argument_group("output")
    out.add_argument("--bins", type=argtypes.int_at_least(1), default=10,
                     help="histogram bars (default 10)")
    out.add_argument("--json", action="store_true",
                     help="print one JSON object with every run and nothing else")


def _configs(args: argparse.Namespace, ds) -> list:
    from nnviz.core.convergence import ConvergenceConfig

    argtypes.fill_recommended(args, ds, lists=True)
    layer_list = [check_layer_widths(tuple(sizes), ds, data_label(args))
                  for sizes in args.layers]
    output = args.output
    configs = []
    for sizes, init, lr in itertools.product(layer_list, args.init or ["xavier"],
                                             args.lr):
        try:
            configs.append(ConvergenceConfig(
                sizes, activation=args.activation, output=output, loss=args.loss, init=init,
                lr=lr, momentum=args.momentum, batch_size=args.batch,
                shuffle=not args.no_shuffle, epochs=args.epochs, runs=args.runs,
                seed=args.seed, loss_threshold=args.threshold,
                require_all_correct=not args.loss_only,
            ))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    from nnviz.core import limits

    for cfg in configs:
        try:
            limits.check_runs(cfg.layers, cfg.runs, len(ds.X_train), cfg.batch_size)
        except limits.SizeError as exc:
            raise UsageError(f"--runs {cfg.runs}: {exc}") from None
    return configs


class ProgressBar:
    """One line on stderr, only on a terminal and only once a configuration takes a while."""

    def __init__(self, stream: TextIO, n_configs: int, runs: int = 0) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.n_configs = n_configs
        self.runs = runs
        self.shown = False
        self.start = self.began = time.perf_counter()
        self.last = 0.0

    def runs_done(self, fraction: float) -> str:
        if not self.runs:
            return f"{100 * fraction:.1f} %"
        return f"{round(fraction * self.runs):,}/{self.runs:,}"

    def update(self, index: int, label: str, epoch: int, total: int, fraction: float) -> None:
        now = time.perf_counter()
        if not self.enabled or now - self.start < BAR_AFTER_SECONDS or now - self.last < 0.1:
            return
        self.last = now
        width = 24
        filled = int(width * epoch / total)
        done = (index + epoch / total) / self.n_configs
        eta = eta_text((now - self.began) * (1 - done) / done if done > 0 else math.inf)
        self.stream.write(
            f"\r[{index + 1}/{self.n_configs}] {label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{epoch:,}/{total:,} epochs, {self.runs_done(fraction)} runs converged, "
            f"ETA {eta}\033[K"
        )
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
        return fail(args, PROG, str(exc), 2)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # off the progress bar's line
        return fail(args, PROG, "interrupted", 130, error=False)
    except Exception as exc:
        if not args.json:
            raise
        return fail(args, PROG, f"{type(exc).__name__}: {exc}", 1)


def _run(args: argparse.Namespace) -> int:
    from nnviz.core.convergence import run_convergence

    ds = load_data(args)
    configs = _configs(args, ds)
    bar = ProgressBar(sys.stderr, len(configs), args.runs)
    bar.enabled = bar.enabled and not args.json  # --json prints one object, nothing else
    results = []
    for i, cfg in enumerate(configs):
        def progress(epoch: int, fraction: float, i: int = i, cfg=cfg) -> None:
            bar.update(i, cfg.label, epoch, cfg.epochs, fraction)

        bar.start = time.perf_counter()
        results.append(run_convergence(cfg, ds.X_train, ds.Y_train, progress,
                                       workers=args.workers))
        bar.clear()
    if args.json:
        doc = {
            "dataset": ds.name if not args.csv else args.csv,
            "samples": len(ds.X_train),
            "configs": [r.as_dict() for r in results],
        }
        print(json.dumps(doc, allow_nan=False))
        return 0
    print(f"{ds.description} ({len(ds.X_train)} samples)")
    for res in results:
        print()
        print("\n".join(report(res, args.bins)))
    return 0


def _count(n: float) -> str:
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"


def report(res, bins: int = 10) -> list[str]:
    """The text block of one configuration's result."""
    cfg = res.config
    batch = "full batch" if cfg.batch_size is None else f"batches of {cfg.batch_size}"
    rule = f"loss < {cfg.loss_threshold:g}"
    if cfg.require_all_correct:
        rule = "all points correct and " + rule
    lines = [
        f"{cfg.label}: {cfg.runs:,} runs (seeds {cfg.seed}..{cfg.seed + cfg.runs - 1}), up to "
        f"{cfg.epochs:,} epochs, {batch}, loss {cfg.loss}; converged = {rule}",
    ]
    n_conv = int(res.converged.sum())
    line = (f"  converged: {n_conv:,}/{cfg.runs:,} ({100 * res.fraction_converged:.1f} %)")
    if n_conv:
        line += (f"   median {_count(res.median_epochs)} epochs, "
                 f"90th percentile {_count(res.p90_epochs)}")
    line += f"   [{res.elapsed:.2f} s]"
    lines.append(line)
    if res.cancelled:
        lines.append(f"  cancelled after {res.epochs_run:,} epochs")
    if n_conv:
        edges, counts = res.histogram(bins)
        top = max(int(counts.max()), 1)
        w = len(f"{math.ceil(edges[-1]):,}")
        lines.append("  epochs to converge:")
        for lo, hi, c in zip(edges[:-1], edges[1:], counts, strict=True):
            bar = "#" * math.ceil(HIST_WIDTH * c / top) if c else ""
            first, last = math.ceil(lo), math.ceil(hi) - 1
            lines.append(f"    {first:>{w},} - {last:>{w},} | {bar + ' ' if bar else ''}{int(c):,}")
    stuck = res.diagnosis_counts()
    if stuck:
        names = {"none": "still improving (more epochs may do it)"}
        parts = [f"{names.get(k, k)}: {v:,}"
                 for k, v in sorted(stuck.items(), key=lambda kv: (-kv[1], kv[0]))]
        lines.append(f"  not converged: {cfg.runs - n_conv:,} -- " + ", ".join(parts))
    return lines
