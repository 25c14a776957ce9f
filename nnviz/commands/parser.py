"""The `nnviz` command line's parser: the subcommands and an argparse that fails in one line.

Each subcommand lives in its own module exposing ``add_arguments(parser)`` and ``run(args) -> int``
and is imported only when used, so `nnviz train` never loads Qt. The window's own options
(nnviz.gui.app) and `nnviz --screenshot` (nnviz.gui.export) build on ``ArgumentParser`` too.
"""

from __future__ import annotations

import argparse
import importlib
import json

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
