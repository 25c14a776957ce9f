"""Write the shipped lessons, resources/lessons/*.nnviz (README "Lessons").

    python tools/make_lessons.py            # (re)write every lesson
    python tools/make_lessons.py --check    # exit 1 if a shipped file differs from its recipe

Every lesson is built here from the core (networks, data sets, sessions), so a change of the
session format or of a lesson's recipe is one run of this script away.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from nnviz.core import datasets
from nnviz.core import session as core_session
from nnviz.core.network import Network

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "lessons"


def worked_example() -> core_session.Session:
    """The 2-2-2 worked example of one forward and backward pass (weights .15 ... .55, biases
    .35 and .60 kept fixed, one sample (.05, .10) -> (.01, .99), lr 0.5)."""
    net = Network([2, 2, 2], activation="sigmoid", output="sigmoid", loss="mse", bias="frozen")
    # w1..w4 go from (i1, i2) to (h1, h2): w1 = i1->h1, w2 = i2->h1, w3 = i1->h2, w4 = i2->h2;
    # w5..w8 from (h1, h2) to (o1, o2) alike. weights[l] is (n_in, n_out).
    net.set_params(
        [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40, 0.50], [0.45, 0.55]])],
        [np.array([0.35, 0.35]), np.array([0.60, 0.60])],
    )
    X, Y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    empty = np.zeros((0, 2))
    data = datasets.Dataset("worked-example", X, Y, empty, empty.copy(), ("i1", "i2"), (),
                            "one sample with two targets")
    return core_session.Session.from_network(
        net, dataset=data,
        hyper={"lr": 0.5, "batch_size": 1, "shuffle": False, "seed": 0},
        title="The worked example: one forward and backward pass by hand",
        notes=(
            "The 2-2-2 sigmoid network of the classic step-by-step backpropagation example.\n"
            "Weights w1..w8 = .15 .20 .25 .30 / .40 .45 .50 .55; biases .35 (hidden) and .60 "
            "(output) are frozen, as in the example; input (.05, .10), targets (.01, .99), "
            "lr 0.5, E = 1/2 sum (t - o)^2.\n"
            "Step (N) through the first sample: out_h1 = 0.593269992, out_o1 = 0.75136507, "
            "E_total = 0.298371109, dE/dw5 = 0.082167041, w5+ = 0.35891648, "
            "w1+ = 0.149780716.\n"
            "Then train (Space): after 10,000 epochs E = 3.5102e-05."
        ),
    )


def tutorial_class() -> core_session.Session:
    """The bias-trick tutorial class NeuralNetwork([2, 2, 1]) on XOR: a 2-3-1 network whose
    output layer has no bias, per-sample SGD in data order, lr 0.5."""
    net = Network([2, 3, 1], init="normal", seed=42, bias="trained,none")
    return core_session.Session.from_network(
        net, dataset=core_session.builtin_spec("xor"),
        hyper={"lr": 0.5, "batch_size": 1, "shuffle": False, "seed": 0},
        title="The tutorial class: the bias trick is a 2-3-1 network",
        notes=(
            "The NeuralNetwork(layers=[2, 2, 1]) class many courses start from appends a column "
            "of ones to X and uses weight matrices of shape (n+1, m+1): that is exactly this "
            "2-3-1 network whose output layer has no bias.\n"
            "Online SGD in data order, lr 0.5, weights randn / sqrt(fan in) as the class draws "
            "them. Train it and compare with the class: the numbers agree to 1e-12."
        ),
    )


def xor_stuck_and_solved() -> core_session.Session:
    net = Network([2, 2, 1], seed=9)
    return core_session.Session.from_network(
        net, dataset=core_session.builtin_spec("xor"),
        hyper={"lr": 0.5, "batch_size": None, "seed": 9},
        title="XOR: stuck, then solved",
        notes=(
            "Two hidden units, seed 9: train (Space) and the loss stalls near 0.063 with one "
            "point wrong, a local minimum (even momentum 0.9 does not get out).\n"
            "Solve it: set Hidden layers to 3 (or try seed 10) and train again; it converges "
            "within a few thousand epochs."
        ),
    )


def symmetric_start() -> core_session.Session:
    net = Network([2, 4, 1], init="small", seed=0)
    return core_session.Session.from_network(
        net, dataset=core_session.builtin_spec("xor"),
        hyper={"lr": 0.5, "batch_size": None, "seed": 0},
        title="The symmetric start",
        notes=(
            "Weights 0.01 * randn and zero biases: every hidden unit starts (almost) the same, "
            "gets (almost) the same gradient and stays a copy of the others.\n"
            "Train: the output sits at 0.5 and the loss at 0.125 for ever. Step one sample and "
            "compare the hidden deltas. Then set Init to xavier: XOR converges."
        ),
    )


def checkerboard_recipe() -> core_session.Session:
    net = Network([2, 16, 16, 1], activation="tanh", seed=1)
    return core_session.Session.from_network(
        net, dataset=core_session.builtin_spec("checkerboard", test_ratio=0.2, seed=1),
        hyper={"lr": 0.1, "batch_size": 16, "momentum": 0.9, "seed": 1},
        title="A recipe for the checkerboard",
        notes=(
            "The 4x4 checkerboard needs two hidden layers of 16 tanh units, mini-batches of 16, "
            "lr 0.1 and momentum 0.9.\n"
            "Train: about 1,000 epochs reach 99 % on the training points and about 91 % on the "
            "held-out test points. Full batch sigmoid with the same layers is still near 60 % "
            "after 3,000."
        ),
    )


def xor_with_features() -> core_session.Session:
    net = Network([3, 1], seed=0)
    return core_session.Session.from_network(
        net, dataset=core_session.builtin_spec("xor", features=["x1", "x2", "x1x2"]),
        hyper={"lr": 2.0, "batch_size": None, "seed": 0},
        title="XOR with the feature x1*x2 needs no hidden layer",
        notes=(
            "The inputs are the features x1, x2 and x1*x2 of each point, and there is no hidden "
            "layer: XOR = x1 + x2 - 2 x1 x2 is a straight cut in that space.\n"
            "Train (Space): 100 % within a few hundred epochs, and the boundary over the plane "
            "is curved although the network is linear in its inputs. Then clear Features (raw "
            "x1, x2): the same network cannot learn XOR (accuracy stays at 50 %)."
        ),
    )


LESSONS: dict[str, Callable[[], core_session.Session]] = {
    "worked-example": worked_example,
    "tutorial-class": tutorial_class,
    "xor-stuck-and-solved": xor_stuck_and_solved,
    "symmetric-start": symmetric_start,
    "checkerboard-recipe": checkerboard_recipe,
    "xor-with-features": xor_with_features,
}


def write(folder: Path = OUT) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in LESSONS.items():
        path = folder / f"{name}.nnviz"
        core_session.save(path, build())
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true",
                   help="compare the shipped files with freshly built ones")
    args = p.parse_args(argv)
    if not args.check:
        for path in write():
            print(path.relative_to(ROOT))
        return 0
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in write(Path(tmp)):
            shipped = OUT / path.name
            if not shipped.exists() or core_session.load(shipped) != core_session.load(path):
                stale.append(path.name)
    for name in stale:
        print(f"{name} differs from its recipe; run python tools/make_lessons.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
