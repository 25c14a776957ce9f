"""The shipped lessons: the textbook worked example to every published digit, the tutorial class
bit for bit with its own algorithm, and every lesson loading and training."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from nnviz.core import lessons
from nnviz.core.stepper import Stepper

ROOT = Path(__file__).resolve().parents[2]


def _make_lessons():
    spec = importlib.util.spec_from_file_location("make_lessons", ROOT / "tools/make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_recipe_is_shipped_and_the_files_match_it():
    maker = _make_lessons()
    # (other lessons may come with their own generator, e.g. landscape-stuck-vs-solved)
    assert set(maker.LESSONS) <= set(lessons.names())
    assert maker.main(["--check"]) == 0


def test_the_catalogue_has_a_title_and_text_for_every_lesson():
    for info in lessons.catalogue():
        assert info.title and info.summary and info.path.exists()
    with pytest.raises(lessons.LessonError, match="no lesson 'nope'; the lessons are: "):
        lessons.path("nope")


def test_worked_example_first_sample_shows_every_published_figure():
    s = lessons.load("worked-example")
    net, data = s.build_network(), s.load_dataset()
    st = Stepper(net, data.X_train, data.Y_train, lr=s.hyper["lr"], shuffle=False)
    records = {(r.kind, r.layer): r for r in st.finish_sample()}
    h = records[("forward", 1)].values
    np.testing.assert_allclose(h["z"][0], 0.3775, rtol=0, atol=5e-13)  # net_h1
    assert round(float(h["a"][0]), 9) == 0.593269992  # out_h1
    o = records[("forward", 2)].values
    assert round(float(o["a"][0]), 8) == 0.75136507  # out_o1
    assert round(float(o["a"][1]), 9) == 0.772928465  # out_o2
    assert round(float(records[("loss", None)].values["E"]), 9) == 0.298371109  # E_total
    g = records[("gradients", None)].values
    assert round(float(g["dW_2"][0, 0]), 9) == 0.082167041  # dE/dw5
    u = records[("update", None)].values
    w1, w2 = u["W_new_1"], u["W_new_2"]
    # w1 = i1->h1, w2 = i2->h1, w3 = i1->h2, w4 = i2->h2 (weights[l] is (n_in, n_out)); w5..w8
    # alike from (h1, h2) to (o1, o2). Each must round to the published figure at the number
    # of decimals printed there (8 or 9).
    published = {
        "w1": (w1[0, 0], "0.149780716"), "w2": (w1[1, 0], "0.19956143"),
        "w3": (w1[0, 1], "0.24975114"), "w4": (w1[1, 1], "0.29950229"),
        "w5": (w2[0, 0], "0.35891648"), "w6": (w2[1, 0], "0.408666186"),
        "w7": (w2[0, 1], "0.511301270"), "w8": (w2[1, 1], "0.561370121"),
    }
    for name, (ours, theirs) in published.items():
        decimals = len(theirs.split(".")[1])
        assert f"{float(ours):.{decimals}f}" == theirs, name
    # the biases are frozen, as in the example
    np.testing.assert_array_equal(u["b_new_1"], [0.35, 0.35])
    np.testing.assert_array_equal(u["b_new_2"], [0.60, 0.60])


def test_worked_example_trains_to_the_published_error_after_10000_epochs():
    s = lessons.load("worked-example")
    trainer = s.build_trainer()
    trainer.run(10_000)
    assert trainer.evaluate().train_loss == pytest.approx(3.5102e-05, rel=1e-4)


class TutorialNetwork:
    """The bias-trick tutorial class, as courses write it (per-sample SGD, sigmoid, mse)."""

    def __init__(self, W: list[np.ndarray], alpha: float) -> None:
        self.W = [w.copy() for w in W]
        self.alpha = alpha

    @staticmethod
    def sigmoid(x):
        return 1.0 / (1 + np.exp(-x))

    @staticmethod
    def sigmoid_deriv(x):
        return x * (1 - x)

    def fit(self, X, y, epochs):
        X = np.c_[X, np.ones(X.shape[0])]
        for _ in range(epochs):
            for x, target in zip(X, y, strict=True):
                self.fit_partial(x, target)

    def fit_partial(self, x, y):
        A = [np.atleast_2d(x)]
        for layer in range(len(self.W)):
            A.append(self.sigmoid(A[layer].dot(self.W[layer])))
        error = A[-1] - y
        D = [error * self.sigmoid_deriv(A[-1])]
        for layer in range(len(A) - 2, 0, -1):
            delta = D[-1].dot(self.W[layer].T)
            D.append(delta * self.sigmoid_deriv(A[layer]))
        D = D[::-1]
        for layer in range(len(self.W)):
            self.W[layer] += -self.alpha * A[layer].T.dot(D[layer])


def test_tutorial_class_lesson_matches_the_tutorial_algorithm_for_100_epochs():
    s = lessons.load("tutorial-class")
    net = s.build_network()
    assert net.sizes == (2, 3, 1) and net.bias_modes == ("trained", "none")
    data = s.load_dataset()
    # the class's matrices: (2+1, 2+1) with the bias row last, then (2+1, 1) with no bias row
    tutorial = TutorialNetwork([np.vstack([net.weights[0], net.biases[0]]), net.weights[1]],
                               alpha=s.hyper["lr"])
    tutorial.fit(data.X_train, data.Y_train, 100)
    trainer = s.build_trainer(net, data)
    trainer.run(100)
    np.testing.assert_allclose(net.weights[0], tutorial.W[0][:-1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.biases[0], tutorial.W[0][-1], rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.weights[1], tutorial.W[1], rtol=0, atol=1e-12)
    assert np.all(net.biases[1] == 0)
    assert not np.allclose(net.weights[1], s.weights[1])  # it did train


@pytest.mark.parametrize("name", lessons.names())
def test_every_lesson_loads_and_trains(name):
    s = lessons.load(name)
    trainer = s.build_trainer()
    trainer.run(5)
    assert trainer.epoch == 5 and np.isfinite(trainer.history.train_loss).all()


def test_the_wheel_carries_the_lessons():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert include["resources/lessons"] == "nnviz/resources/lessons"
    assert lessons.lesson_dir().name == "lessons"
