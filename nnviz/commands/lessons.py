"""`nnviz lessons`: the shipped lessons, one per line (name, title, first line of its text).

Open one with ``nnviz --lesson NAME`` or train it headless with ``nnviz train --lesson NAME``
(README "Lessons"). ``--json`` prints a list of objects instead.
"""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print a JSON list of {name, title, summary, path}")


def run(args: argparse.Namespace) -> int:
    from nnviz.core import lessons

    infos = lessons.catalogue()
    if args.json:
        print(json.dumps([{"name": i.name, "title": i.title, "summary": i.summary,
                           "path": str(i.path)} for i in infos]))
        return 0
    width = max((len(i.name) for i in infos), default=0)
    for i in infos:
        print(f"{i.name:<{width}}  {i.title}")
        if i.summary:
            print(f"{'':<{width}}  {i.summary}")
    print("\nOpen one: nnviz --lesson NAME   Train it: nnviz train --lesson NAME")
    return 0
