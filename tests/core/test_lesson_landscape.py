"""The shipped lesson `landscape-stuck-vs-solved`: up to date with its generator, and it shows
what it says (seed 9 stuck, seed 10 solved, same everything else)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np

from nnviz.core import Network, Trainer
from nnviz.core.landscape import compute_landscape
from nnviz.core.session import load

LESSONS = Path(__file__).resolve().parents[2] / "resources" / "lessons"


def generator():
    spec = importlib.util.spec_from_file_location(
        "make_lesson", LESSONS / "make_landscape_stuck_vs_solved.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_shipped_file_is_what_the_generator_writes() -> None:
    shipped = load(LESSONS / "landscape-stuck-vs-solved.nnviz")
    assert shipped == generator().lesson()
    assert shipped.network["layers"] == [2, 2, 1] and shipped.dataset["name"] == "xor"
    assert shipped.view["landscape"]["shown"] is True


def test_seed_9_gets_stuck_and_seed_10_converges() -> None:
    g = generator()
    s = load(LESSONS / "landscape-stuck-vs-solved.nnviz")
    ds = s.load_dataset()
    finals = {}
    for seed in (g.STUCK_SEED, g.SOLVED_SEED):
        net = s.build_network() if seed == g.STUCK_SEED else Network((2, 2, 1), seed=seed)
        trainer = Trainer(net, ds.X_train, ds.Y_train, lr=s.hyper["lr"], seed=seed)
        path = [net.params.copy()]
        for _ in range(20):
            trainer.run(g.EPOCHS // 20)
            path.append(net.params.copy())
        land = compute_landscape(net, ds.X_train, ds.Y_train, np.array(path), grid=21)
        finals[seed] = (land.current_loss, net.accuracy(ds.X_train, ds.Y_train), land)
    stuck_loss, stuck_acc, stuck = finals[g.STUCK_SEED]
    solved_loss, solved_acc, solved = finals[g.SOLVED_SEED]
    assert 0.06 < stuck_loss < 0.065 and stuck_acc < 1.0
    assert solved_loss < 1e-3 and solved_acc == 1.0
    # stuck: the line's last stretch is flat; solved: it still falls beyond the current weights
    def tail_drop(land):
        t, y = land.line_t, land.line_loss
        return np.interp(1.0, t, y) - np.interp(1.5, t, y)
    assert abs(tail_drop(stuck)) < 0.05 * stuck_loss
    assert tail_drop(solved) > 0.5 * solved_loss
