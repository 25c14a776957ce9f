"""Writes the lesson `landscape-stuck-vs-solved.nnviz` next to this script.

    python resources/lessons/make_landscape_stuck_vs_solved.py

XOR with two hidden sigmoid neurons, lr 1, full batch, from the initial weights of seed 9: that
run gets stuck at loss 0.063 (three of the four cases right), while seed 10, the same in every
other respect, converges. The lesson opens with the Landscape dock shown, so the path is drawn
as training runs. README: "Loss landscape".
"""

from __future__ import annotations

import sys
from pathlib import Path

from nnviz.core import Network
from nnviz.core.session import Session, builtin_spec, save

NAME = "landscape-stuck-vs-solved"
STUCK_SEED, SOLVED_SEED = 9, 10
LR = 1.0
EPOCHS = 20_000

NOTES = f"""\
Why does a run get stuck? XOR, 2-2-1 sigmoid, learning rate {LR:g}, full batch.

1. Press Play and let it run for about {EPOCHS:,} epochs. Seed {STUCK_SEED} gets stuck: the loss
   settles at 0.0627, because two of the four cases, (1, 0) and (1, 1), are both answered 0.5.
   The Landscape dock shows where the path ends: on a wide flat floor, level in every
   direction the picture shows, so the gradient has nothing left to follow.
2. Set the seed to {SOLVED_SEED} (Controls, Network) and press Play again. The same network
   from another start finds a valley: the picture is darker ahead of the current point, and
   the loss falls below 0.001.
3. Compare the 1-D view beside the plane: the loss along the straight line from the initial
   to the current weights. Stuck: it drops once and flattens. Solved: it keeps falling.
"""


def lesson() -> Session:
    net = Network((2, 2, 1), activation="sigmoid", output="sigmoid", loss="mse", init="xavier",
                  seed=STUCK_SEED)
    return Session.from_network(
        net,
        dataset=builtin_spec("xor"),
        hyper={"lr": LR, "batch_size": None, "momentum": 0.0, "l2": 0.0, "l1": 0.0,
               "shuffle": True, "seed": STUCK_SEED},
        view={"landscape": {"directions": "pca", "log": True, "live": True, "shown": True}},
        title="Landscape: stuck next to solved",
        notes=NOTES,
    )


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path(__file__).with_name(f"{NAME}.nnviz")
    save(target, lesson())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
