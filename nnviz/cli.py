"""Command line: `nnviz` opens the window; `nnviz train|converge|bench|desktop-install` run
headless.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``
and is imported only when used, so `nnviz train` never loads Qt.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "train": ("nnviz.commands.train", "train a network headless and print the result"),
    "converge": (
        "nnviz.commands.converge",
        "train many random initialisations; how often and how fast do they converge",
    ),
    "landscape": (
        "nnviz.commands.landscape",
        "train, then compute the loss over a plane through weight space (and the path taken)",
    ),
    "bench": ("nnviz.bench", "measure speed (core, gui, converge, landscape)"),
    "desktop-install": (
        "nnviz.commands.desktop",
        "add nnviz to the application menu, with its icon and the .nnviz file type (Linux)",
    ),
    "desktop-uninstall": (
        "nnviz.commands.desktop",
        "remove what desktop-install added",
    ),
    "lessons": ("nnviz.commands.lessons", "list the shipped lessons"),
}

HEADLESS_HINT = (
    "nnviz: no display found (DISPLAY/WAYLAND_DISPLAY unset), so the window cannot open; "
    "the headless commands work: nnviz train --dataset xor, nnviz converge, nnviz bench core"
)


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line and exits with status 2; with
    ``json_errors`` set it also prints that as a JSON object with an ``error`` key on stdout."""

    json_errors = False

    def error(self, message: str) -> None:  # type: ignore[override]
        if self.json_errors:
            print(json.dumps({"error": message, "exit_status": 2}), flush=True)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(only: str | None = None, json_errors: bool = False) -> ArgumentParser:
    """The parser; with `only`, just that subcommand's arguments are loaded (imported).
    json_errors: argument errors of the subcommands also go to stdout as JSON (--json)."""
    parser = ArgumentParser(
        prog="nnviz",
        description="Backpropagation made visible. Without a command, opens the window.",
        epilog="window: nnviz [SESSION.nnviz] [--dataset NAME] [--layers HIDDEN e.g. 16,16] "
        "[--activation F] [--output F] [--loss L] [--init I] [--lr X] [--batch full|N] "
        "[--momentum M] [--l2 X] [--seed S] [--noise X] [--test-ratio R] [--play] "
        "[--presentation] [--lesson NAME] [--screenshot OUT.png]",
    )
    from nnviz import __version__

    parser.json_errors = json_errors  # "unrecognized arguments" is the top parser's error
    parser.add_argument("--version", action="version", version=f"nnviz {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=ArgumentParser)
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.json_errors = json_errors
        if only is None or name == only:
            importlib.import_module(module).add_arguments(p)
    return parser


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    if platform in ("offscreen", "minimal", "vnc", "eglfs"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        if argv[0] == "bench":
            # One BLAS thread, set before NumPy loads, so figures compare across machines.
            for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                os.environ.setdefault(var, "1")
        json_errors = argv[0] in ("train", "converge", "landscape") and "--json" in argv
        args = build_parser(only=argv[0], json_errors=json_errors).parse_args(argv)
        module = importlib.import_module(SUBCOMMANDS[args.command][0])
        try:
            return int(module.run(args) or 0)
        except BrokenPipeError:  # e.g. `nnviz bench core --json | head`
            sys.stderr.close()
            return 0
    if argv and argv[0] in ("-h", "--help", "--version"):
        build_parser().parse_args(argv)
        return 0
    return open_window(argv)


def open_window(argv: list[str]) -> int:
    """`nnviz [options] [session.nnviz]`: the desktop window."""
    if any(a == "--screenshot" or a.startswith("--screenshot=") for a in argv):
        # Renders offscreen: needs no display.
        try:
            from nnviz.gui.export import screenshot_main
        except ImportError as exc:
            print(f"nnviz: --screenshot needs PySide6 and pyqtgraph ({exc})", file=sys.stderr)
            return 1
        return screenshot_main(argv)
    if not has_display():
        print(HEADLESS_HINT, file=sys.stderr)
        return 1
    try:
        from nnviz.gui.app import main as gui_main
    except ImportError as exc:  # Qt missing or its system libraries absent
        print(f"nnviz: the window needs PySide6 and pyqtgraph ({exc}); the headless commands "
              "still work: nnviz train --dataset xor", file=sys.stderr)
        return 1
    return int(gui_main(argv) or 0)
