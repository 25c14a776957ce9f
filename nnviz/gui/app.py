"""QApplication, command-line options of the window, and `create_main_window`."""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from nnviz.commands import argtypes
from nnviz.commands.parser import ArgumentParser
from nnviz.core import activations, datasets, limits, losses
from nnviz.core.features import parse_features, with_features
from nnviz.core.metrics import default_output
from nnviz.core.network import INITS, resolve_layers
from nnviz.core.recommended import setup_for
from nnviz.core.trainer import check_training_size
from nnviz.gui.controller import DEFAULT_RATE, Settings, parse_hidden

_PROCESS_START = time.perf_counter()

#: Seconds a thread waiting for the GIL lets the holder run before forcing a hand-over. The
#: trainer thread gives the GIL up by itself many times a millisecond (NumPy releases it on
#: every large array operation), so the GUI still gets it within a few ms; what the longer
#: interval removes is the GUI being forced off in the middle of a frame, and the extra
#: hand-overs that cost both threads. One `nnviz bench gui` run each on this noisy 2-core
#: machine: the worker kept 61 % of headless speed with Python's default 5 ms and 76 % with
#: 20 ms; the GUI timer's p99 lateness stayed the same (XOR, iris, online checkerboard:
#: 17-25 ms either way).
GIL_SWITCH_INTERVAL = 0.02


def build_parser() -> argparse.ArgumentParser:
    p = ArgumentParser(prog="nnviz", description="Open the nnviz window.")
    p.add_argument("session", nargs="?", help="a .nnviz session file to open")
    p.add_argument("--dataset", default="xor", help=f"one of {', '.join(datasets.names())}")
    p.add_argument("--layers", default=None,
                   help="hidden layer sizes, e.g. 4 or 16,16, or the whole network, e.g. 2,4,1")
    p.add_argument("--activation", default=None, choices=activations.HIDDEN_ACTIVATIONS)
    p.add_argument("--output", default=None, choices=activations.OUTPUT_ACTIVATIONS)
    p.add_argument("--loss", default=None, choices=losses.LOSSES)
    p.add_argument("--init", default="xavier", choices=INITS)
    p.add_argument("--features", default=None, metavar="LIST",
                   help="input features of 2-D data, e.g. x1,x2,x1x2 (x1^2, x2^2, sinx1, sinx2)")
    p.add_argument("--bias", default="trained",
                   help="trained, frozen or none; or one per weight layer, e.g. trained,none")
    # The types `nnviz train` uses: a bad value is one line naming the option, exit 2, before
    # any thread or widget exists.
    p.add_argument("--lr", type=argtypes.positive_float, default=None, help="learning rate")
    p.add_argument("--batch", default=None, help="full, 1 (online) or a mini-batch size N")
    p.add_argument("--momentum", type=argtypes.momentum, default=0.0)
    p.add_argument("--l2", type=argtypes.non_negative_float, default=0.0)
    p.add_argument("--seed", type=argtypes.int_at_least(0), default=0)
    p.add_argument("--noise", type=argtypes.non_negative_float, default=0.0)
    p.add_argument("--test-ratio", type=argtypes.test_ratio, default=0.0)
    p.add_argument("--play", action="store_true", help="start training at once")
    p.add_argument("--speed", default=None, metavar="RATE|max",
                   help="epochs per second while playing (default 300), or max")
    p.add_argument("--auto-stop", choices=("on", "off"), default="on",
                   help="stop playing when converged (default on)")
    p.add_argument("--presentation", action="store_true", help="start in presentation mode (F5)")
    p.add_argument("--lesson", default=None, metavar="NAME",
                   help="open a shipped lesson (nnviz lessons lists them)")
    return p


def settings_from_args(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Settings:
    try:
        spec = parse_hidden(args.layers) if args.layers is not None else None
    except ValueError as exc:
        parser.error(f"--layers: {exc}")
    name = args.dataset.strip().lower()
    multi = False
    try:
        data = datasets.load_dataset(name, noise=args.noise, test_ratio=args.test_ratio)
        multi = data.n_outputs > 1
    except datasets.DatasetError as exc:
        parser.error(str(exc))
    feats: tuple[str, ...] = ()
    if args.features:
        try:
            feats = parse_features(args.features)
            data = with_features(data, feats)
        except ValueError as exc:
            parser.error(f"--features: {exc}")
    hidden = None
    if spec is not None:
        # Hidden sizes, or the whole network when its ends match the data (README "--layers").
        try:
            hidden = resolve_layers(spec, data.n_inputs, data.n_outputs,
                                    f"data set {name!r}")[1:-1]
        except ValueError as exc:
            parser.error(f"--{exc}")
    # Options not given come from the data set's recommended setup (README "Data sets").
    setup = setup_for(name, data.n_outputs if multi else 1)
    if hidden is None:
        hidden = setup.hidden
    if args.output or args.loss:
        output = args.output or ("softmax" if args.loss == "cross_entropy" else "sigmoid")
        loss = args.loss or ("cross_entropy" if output == "softmax" else "mse")
    elif not data.is_classification and setup.r2 is None:
        output, loss = default_output(data)  # numbers: linear, or sigmoid inside (0, 1); mse
    else:
        output, loss = setup.output, setup.loss
    lr = args.lr if args.lr is not None else setup.lr
    batch = "recommended" if args.batch is None else args.batch.strip().lower()
    if batch == "recommended":
        batch_size = setup.batch_size
    elif batch in ("full", "none"):
        batch_size = None
    else:
        try:
            batch_size = int(batch)
        except ValueError:
            parser.error(f"--batch must be full or a whole number, got {args.batch!r}")
        if batch_size < 1:
            parser.error(f"--batch must be >= 1, got {batch_size}")
    if args.lesson is not None:
        from nnviz.core import lessons

        try:
            lessons.path(args.lesson)
        except lessons.LessonError as exc:
            parser.error(f"--lesson: {exc}")
        if args.session:
            parser.error("give a session file or --lesson, not both")
    bias = args.bias.strip().lower().replace(" ", "")
    try:
        settings = Settings(
            dataset=name, noise=args.noise, test_ratio=args.test_ratio, hidden=hidden,
            activation=args.activation or setup.activation, output=output, loss=loss,
            init=args.init, seed=args.seed, lr=lr, batch_size=batch_size,
            momentum=args.momentum, l2=args.l2, bias=bias, features=feats,
            max_rate=_speed(args.speed, parser))
        # The network's checks (loss and output pair, bias modes, ...), before any window.
        sizes = settings.network_spec(data.n_inputs, data.n_outputs).layers
    except ValueError as exc:
        parser.error(str(exc))
    try:
        check_training_size(sizes, len(data.X_train), batch_size, len(data.X_test))
    except limits.SizeError as exc:
        parser.error(f"--layers {args.layers}: {exc}" if args.layers else str(exc))
    return settings


def _speed(text: str | None, parser: argparse.ArgumentParser) -> float | None:
    """--speed: epochs per second, 'max' (None: no cap), or the default pace."""
    if text is None:
        return DEFAULT_RATE
    if text.strip().lower() == "max":
        return None
    try:
        rate = float(text)
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        parser.error(f"--speed must be a number of epochs per second > 0 or max, got {text!r}")
    return rate


_collector = None

#: Name of the launcher entry (`nnviz desktop-install` writes nnviz.desktop): Wayland
#: compositors and task bars match the window to it, and so to its icon.
DESKTOP_FILE_NAME = "nnviz"


def set_identity(app: QApplication) -> None:
    """Name, organisation, desktop entry and icon, so settings, task bars and docks name the app
    (README, "Install as a desktop app")."""
    from nnviz.gui.icon import app_icon

    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setApplicationDisplayName("nnviz")
    app.setDesktopFileName(DESKTOP_FILE_NAME)
    if app.property("nnvizIcon") is None:  # read the PNGs once per process
        app.setWindowIcon(app_icon())
        app.setProperty("nnvizIcon", True)


def application() -> QApplication:
    global _collector
    sys.setswitchinterval(GIL_SWITCH_INTERVAL)
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    set_identity(app)
    if _collector is None:
        # Collect cycles only on the GUI thread: a collection that the worker thread happens to
        # trigger would destroy Qt objects there ("Timers cannot be stopped from another
        # thread", or worse).
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _collector = GarbageCollector(interval=1.0)
    return app


def parse_options(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Settings]:
    """The window's options, checked; a bad one exits 2 with one line (SystemExit)."""
    parser = build_parser()
    args = parser.parse_args(list(argv or []))
    return args, settings_from_args(args, parser)


def create_main_window(argv: Sequence[str] | None = None, *, restore_layout: bool = True):
    """Build and show the window for these command-line options, without running the loop.

    restore_layout=False ignores the dock layout remembered from earlier runs (screenshots)."""
    from nnviz.gui.main_window import MainWindow

    args, settings = parse_options(argv)
    application()
    window = MainWindow(settings, restore_layout=restore_layout, defer_features=True)
    window.controller.set_stop_rule(enabled=args.auto_stop == "on")
    window.controls.sync_from_controller()
    window.show()
    QApplication.processEvents()  # map and paint the window before the features are built
    window.shown_at = time.time()
    window.shown_after = time.perf_counter() - _PROCESS_START
    window.install_features()
    QApplication.processEvents()  # deferred set-up of the features (theme, zoom) settles here
    window.fit_to_screen()
    window.session_error = None  # why the session named on the command line did not open
    if args.session:
        from nnviz.gui.sessions import open_path

        window.session_error = open_path(window, args.session)
    elif args.lesson:
        from nnviz.gui.lessons_menu import open_lesson

        open_lesson(window, args.lesson)
    if args.presentation and "classroom" in window.features:
        window.features["classroom"].set_presentation(True)
    if args.play:
        QTimer.singleShot(0, window.controller.play)
    return window


def main(argv: Sequence[str] | None = None) -> int:
    parse_options(argv)  # before the QApplication, the worker thread and any widget
    app = application()
    window = create_main_window(argv)
    code = app.exec()
    window.controller.close()  # also when the loop ended without a closeEvent
    return code
