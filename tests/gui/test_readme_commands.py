"""The README's example commands work as the README says (README "The window", "Headless
commands")."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from nnviz import cli
from nnviz.core import Network, Trainer, datasets
from nnviz.core.metrics import r2
from nnviz.core.recommended import setup_for

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(prefix: str) -> list[list[str]]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    lines = [ln.strip() for b in blocks for ln in b.splitlines()]
    return [shlex.split(ln)[1:] for ln in lines if ln.startswith(prefix)]


def test_the_readme_has_the_examples() -> None:
    assert len(_commands("nnviz --")) >= 3
    assert _commands("nnviz train ") and _commands("nnviz converge ")


@pytest.mark.parametrize("argv", _commands("nnviz --"), ids=" ".join)
def test_window_examples_build_setups_that_learn(argv: list[str]) -> None:
    from nnviz.gui.app import build_parser, settings_from_args

    parser = build_parser()
    args = parser.parse_args(argv)
    s = settings_from_args(args, parser)
    data = datasets.load_dataset(s.dataset, test_ratio=s.test_ratio, seed=s.data_seed)
    net = Network((data.n_inputs, *s.hidden, data.n_outputs), activation=s.activation,
                  output=s.output, loss=s.loss, init=s.init, seed=s.seed)
    trainer = Trainer(net, data.X_train, data.Y_train, lr=s.lr, batch_size=s.batch_size,
                      seed=s.seed)
    setup = setup_for(s.dataset)
    trainer.run(setup.epochs)
    if setup.r2 is not None:  # numbers to predict: the example fits them well
        assert r2(net.predict(data.X_train), data.Y_train) >= setup.r2
    else:
        assert trainer.evaluate().accuracy >= setup.accuracy


def test_train_example_prints_what_the_readme_says(capsys: pytest.CaptureFixture[str]) -> None:
    # The XOR example; the lesson and CSV examples are tested with their own sections.
    (argv,) = [a for a in _commands("nnviz train ") if a[1:3] == ["--dataset", "xor"]]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "[INFO] epoch=1000, loss=" in out
    assert "Input: [0 0] -> Predicted: " in out and "Accuracy: 100.00% (4/4)" in out


def test_converge_example_parses_and_runs_with_fewer_runs(
        capsys: pytest.CaptureFixture[str]) -> None:
    (argv,) = _commands("nnviz converge ")
    argv = [*argv, "--runs", "20", "--json"]  # the last --runs wins: the example's, smaller
    assert cli.main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["layers"] for c in doc["configs"]] == [[2, 2, 1], [2, 4, 1]]
    assert all(0.0 <= c["fraction_converged"] <= 1.0 for c in doc["configs"])
