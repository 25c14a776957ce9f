"""`nnviz landscape`: train headless, then compute the loss over a plane through weight space.

    nnviz landscape --dataset xor --layers 2,2,1 --epochs 3000 --grid 51 --directions pca \
        --out plane.png --json

takes the data, network and training options of `nnviz train`, records the parameter trajectory
while training, and computes the plane centred on the final weights (README: "Loss landscape").
``--out`` draws the picture the window's Landscape dock shows; ``--json`` prints one object with
the keys ``grid``, ``alphas``, ``betas``, ``trajectory``, ``directions``, ``explained_variance``
and ``seconds`` (plus ``line``, ``current_loss`` and ``config``). Exit status: 0 done, 1 training
diverged or the picture could not be written, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

from nnviz.commands import argtypes
from nnviz.commands import train as train_command
from nnviz.commands.argtypes import UsageError, data_label, fail

PROG = "nnviz landscape"
#: Parameter vectors recorded along the run (evenly spaced in epochs, the first and last kept).
TRAJECTORY_POINTS = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    train_command.add_arguments(parser)
    # train's output options, as they apply here
    options = parser._option_string_actions  # noqa: SLF001 (argparse has no public way)
    options["--log-every"].help = argparse.SUPPRESS  # nothing is logged while training here
    options["--json"].help = ("print one JSON object (grid, alphas, betas, trajectory, "
                              "directions, explained_variance, seconds, ...), nothing else")
    plane = parser.add_argument_group("landscape")
    plane.add_argument("--grid", type=argtypes.int_at_least(3), default=51, metavar="N",
                       help="grid points per side of the plane, 3..201 (default 51)")
    plane.add_argument("--directions", type=argtypes.choice(("pca", "random")), default="pca",
                       metavar="pca|random",
                       help="pca: the trajectory's principal components (default); random: "
                            "filter-normalised random directions")
    plane.add_argument("--out", metavar="PNG", help="also draw the plane and the line to a PNG")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as exc:
        return fail(args, PROG, str(exc), 2)
    except KeyboardInterrupt:
        return fail(args, PROG, "interrupted", 130, error=False)


def _run(args: argparse.Namespace) -> int:
    import numpy as np

    from nnviz.core import DivergenceError, Trainer
    from nnviz.core.landscape import MAX_GRID, compute_landscape

    if args.grid > MAX_GRID:
        raise UsageError(f"argument --grid: must be <= {MAX_GRID}, got {args.grid}")
    if args.out and not args.out.lower().endswith(".png"):
        raise UsageError(f"argument --out: {args.out!r} must end in .png")
    ds = argtypes.load_data(args, args.test_ratio)
    argtypes.fill_recommended(args, ds)  # the options of `nnviz train`, with its defaults
    sizes = tuple(args.layers)
    argtypes.check_layer_widths(sizes, ds, data_label(args))
    # The plane moves every bias, so the landscape's network trains them all (it takes --bias
    # with the rest of `nnviz train`'s options, and leaves it out).
    spec = argtypes.network_spec(args, sizes, bias_option=False)
    hyper = argtypes.hyper_params(args)
    try:
        net = spec.build()
        trainer = Trainer.from_hyper(net, ds.X_train, ds.Y_train, hyper)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    marks = np.unique(np.linspace(0, args.epochs, TRAJECTORY_POINTS).round().astype(int))
    trajectory = [net.params.copy()]
    try:
        for end in marks[1:]:
            trainer.run(int(end) - trainer.epoch)
            trajectory.append(net.params.copy())
    except DivergenceError as exc:
        return fail(args, PROG, str(exc), 1)
    land = compute_landscape(net, ds.X_train, ds.Y_train, np.array(trajectory),
                             directions=args.directions, grid=args.grid, seed=args.seed)
    if args.out:
        from nnviz.gui.landscape_view import save_landscape_png

        title = f"{data_label(args)}, {'-'.join(map(str, sizes))} {net.activation}, " \
                f"seed {args.seed}, {trainer.epoch} epochs"
        try:
            save_landscape_png(land, args.out, title=title)
        except (OSError, ImportError) as exc:
            print(f"{PROG}: error: {exc}", file=sys.stderr)
            return 1
    if args.json:
        result = land.as_json()
        result["config"] = {
            "dataset": args.csv or ds.name, "layers": list(sizes), "activation": net.activation,
            "output": net.output, "loss": net.loss_name, "init": net.init, "lr": args.lr,
            "epochs": trainer.epoch, "seed": args.seed, "grid": args.grid,
        }
        print(json.dumps(result))
        return 0
    grid = land.grid
    print(f"[INFO] {net!r} on {data_label(args)} after {trainer.epoch} epochs: "
          f"loss {land.current_loss:.6g}")
    where = np.unravel_index(int(np.nanargmin(grid)), grid.shape)
    print(f"plane ({args.directions}, {args.grid}x{args.grid}): loss {np.nanmin(grid):.6g} .. "
          f"{np.nanmax(grid):.6g}, lowest at alpha={land.alphas[where[1]]:.4g}, "
          f"beta={land.betas[where[0]]:.4g}")
    if land.explained_variance is not None:
        ev = land.explained_variance
        print(f"the two directions explain {100 * ev[0]:.1f}% and {100 * ev[1]:.1f}% of the "
              "path's variance")
    print(f"line initial -> current: loss {land.line_loss[np.searchsorted(land.line_t, 0)]:.6g} "
          f"at the start, {land.line_loss.max():.6g} highest along it")
    if args.out:
        print(f"wrote {args.out}")
    print(f"[INFO] computed in {land.seconds:.3f} s")
    return 0
