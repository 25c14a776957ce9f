"""`nnviz bench core|gui|converge|landscape`: speed figures measured in one run, printed or as JSON.

Each suite is a module here with ``measure(seconds: float) -> dict`` and ``report(result) -> str``
(core's and converge's measure also take ``cpu_time``, converge's ``workers``).
Benchmarks pin BLAS to one thread (set by the CLI before NumPy loads) so figures are comparable.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys

SUITES = ("core", "gui", "converge", "landscape")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suite", choices=SUITES, help="what to measure")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--seconds", type=float, default=1.0,
        help="approximate time per measurement (default 1.0); larger is steadier",
    )
    parser.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="converge only: worker processes for the all-cores rows (default: every core)",
    )
    parser.add_argument(
        "--cpu-time", action="store_true",
        help="core and converge: time in-process work by processor time, not wall time "
             "(steadier while other processes share the cores)",
    )


def machine() -> dict:
    import numpy as np

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or platform.machine(),
        "system": platform.system(),
    }


def run(args: argparse.Namespace) -> int:
    if args.seconds <= 0:
        print("nnviz bench: error: --seconds must be > 0", file=sys.stderr)
        return 2
    workers = getattr(args, "workers", None)
    if workers is not None and (args.suite != "converge" or workers < 1):
        print("nnviz bench: error: --workers must be >= 1 and applies to converge only",
              file=sys.stderr)
        return 2
    cpu_time = getattr(args, "cpu_time", False)
    if cpu_time and args.suite not in ("core", "converge"):
        print("nnviz bench: error: --cpu-time applies to core and converge only", file=sys.stderr)
        return 2
    suite = importlib.import_module(f"nnviz.bench.{args.suite}")
    if args.suite == "converge":
        result = suite.measure(args.seconds, workers, cpu_time=cpu_time)
    elif args.suite == "core":
        result = suite.measure(args.seconds, cpu_time=cpu_time)
    else:
        result = suite.measure(args.seconds)
    result = {"suite": args.suite, "machine": machine(), **result}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(suite.report(result))
    return 0
