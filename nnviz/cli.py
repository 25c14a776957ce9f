"""Command line: `nnviz` opens the window; `nnviz train|converge|bench|desktop-install` run
headless.

The parser and its subcommands are built in nnviz.commands.parser; each subcommand module is
imported only when used, so `nnviz train` never loads Qt.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

from nnviz.commands.parser import SUBCOMMANDS, build_parser

HEADLESS_HINT = (
    "nnviz: no display found (DISPLAY/WAYLAND_DISPLAY unset), so the window cannot open; "
    "the headless commands work: nnviz train --dataset xor, nnviz converge, nnviz bench core"
)


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
