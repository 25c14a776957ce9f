"""`nnviz train`: output format, JSON, exit codes, determinism."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nnviz import cli
from nnviz.commands import train

ROOT = Path(__file__).resolve().parents[2]
LOG_LINE = re.compile(r"^\[INFO\] epoch=(\d+), loss=(\d+\.\d{7})$")
ROW = re.compile(r"^Input: \[(.*)\] -> Predicted: (\d\.\d{4}), Actual: (\d)$")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["train", *argv])
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_xor_defaults_log_table_and_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--dataset", "xor", "--layers", "2,4,1", "--activation",
                             "sigmoid", "--lr", "0.5", "--epochs", "10000", "--seed", "0")
    assert code == 0, err
    assert err == ""  # no progress bar when stderr is not a terminal
    lines = out.splitlines()
    logs = [LOG_LINE.match(line) for line in lines if line.startswith("[INFO] epoch=")]
    assert all(logs)
    # Default --log-every is a tenth of the run; epoch 1 is logged too.
    assert [int(m.group(1)) for m in logs] == [1, *range(1000, 10_001, 1000)]
    losses = [float(m.group(2)) for m in logs]
    assert losses[-1] < 0.01 < losses[0]
    rows = [ROW.match(line) for line in lines if line.startswith("Input:")]
    assert len(rows) == 4 and all(rows)
    assert [r.group(1) for r in rows] == ["0 0", "0 1", "1 0", "1 1"]
    assert [r.group(3) for r in rows] == ["0", "1", "1", "0"]
    for r in rows:  # learnt: every prediction on the right side of 0.5
        assert (float(r.group(2)) > 0.5) == (r.group(3) == "1")
    assert "Accuracy: 100.00% (4/4)" in lines
    assert lines.index("Accuracy: 100.00% (4/4)") > lines.index(rows[-1].group(0))


def test_no_arguments_means_the_xor_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--json")
    assert code == 0
    cfg = json.loads(out)["config"]
    assert cfg["dataset"] == "xor" and cfg["layers"] == [2, 4, 1]
    assert (cfg["activation"], cfg["output"], cfg["loss"]) == ("sigmoid", "sigmoid", "mse")
    assert (cfg["lr"], cfg["epochs"], cfg["seed"], cfg["batch"]) == (0.5, 10_000, 0, "full")


def test_options_not_given_come_from_the_recommended_setup(
        capsys: pytest.CaptureFixture[str]) -> None:
    from nnviz.core.recommended import setup_for

    code, out, _ = run_cli(capsys, "--dataset", "iris", "--epochs", "5", "--json")
    assert code == 0
    cfg, s = json.loads(out)["config"], setup_for("iris")
    assert cfg["layers"] == [4, *s.hidden, 3]
    assert (cfg["activation"], cfg["output"], cfg["loss"]) == (s.activation, s.output, s.loss)
    assert (cfg["lr"], cfg["batch"], cfg["epochs"]) == (s.lr, s.batch_size, 5)


def test_a_given_loss_still_picks_its_output(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--dataset", "iris", "--epochs", "1", "--loss", "mse",
                           "--json")
    assert code == 0
    assert json.loads(out)["config"]["output"] == "sigmoid"


def test_log_every_and_many_samples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--dataset", "checkerboard", "--n", "50", "--layers",
                           "2,8,1", "--activation", "tanh", "--epochs", "30", "--log-every",
                           "7", "--batch", "10", "--momentum", "0.5", "--lr", "0.1")
    assert code == 0
    epochs = [int(m.group(1)) for m in map(LOG_LINE.match, out.splitlines()) if m]
    assert epochs == [1, 7, 14, 21, 28, 30]
    assert sum(line.startswith("Input:") for line in out.splitlines()) == 10
    assert "... 40 more samples not shown" in out
    assert re.search(r"^Accuracy: \d+\.\d\d% \(\d+/50\)$", out, re.M)


def test_multi_class_table_shows_classes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--dataset", "iris", "--loss", "cross_entropy",
                           "--epochs", "300", "--lr", "0.2", "--test-ratio", "0.2")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("Input:"))
    assert re.fullmatch(r"Input: \[.*\] -> Predicted: \w+ \(\d\.\d{4}\), Actual: \w+", row)
    assert re.search(r"^Accuracy: .*\(\d+/120\)$", out, re.M)
    assert re.search(r"^Test accuracy: .*\(\d+/30\)$", out, re.M)
    assert re.search(r"^\[INFO\] epoch=300, loss=\d\.\d{7}, test_loss=\d\.\d{7}$", out, re.M)


def test_json_is_one_object_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--epochs", "2000", "--test-ratio", "0", "--json")
    assert code == 0 and err == ""
    assert out.count("\n") == 1
    data = json.loads(out)
    assert set(data) >= {"config", "train_loss", "test_loss", "accuracy", "epochs", "seconds",
                         "epochs_per_second"}
    assert data["epochs"] == 2000 and data["config"]["epochs"] == 2000
    assert data["test_loss"] is None  # no test split: null, never NaN
    assert 0 < data["train_loss"] < 0.2 and 0 <= data["accuracy"] <= 1
    assert data["seconds"] > 0 and data["epochs_per_second"] > 0


def test_json_with_test_split(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--dataset", "gaussians", "--test-ratio", "0.25",
                           "--epochs", "200", "--batch", "1", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["config"]["test_samples"] == 50 and data["config"]["train_samples"] == 150
    assert data["test_loss"] > 0 and data["test_accuracy"] > 0.9


def test_same_seed_bit_identical_other_seed_differs(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("--dataset", "circles", "--n", "40", "--layers", "2,5,1", "--batch", "4",
            "--epochs", "50", "--json")
    results = []
    for seed in ("3", "3", "4"):
        code, out, _ = run_cli(capsys, *args, "--seed", seed)
        assert code == 0
        data = json.loads(out)
        results.append((data["train_loss"], data["accuracy"]))
    assert results[0] == results[1]  # exact float equality, through the JSON round trip
    assert results[0] != results[2]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--layers", "2,,1"], "argument --layers: layer spec '2,,1': size 2 is empty"),
        (["--layers", "2,x,1"], "'x' is not a whole number"),
        (["--layers", "3,4,1"],
         "--layers 3,4,1: read as the whole network, its first size 3 is not the 2 inputs of "
         "data set 'xor'"),
        (["--layers", "2,4,3"],
         "--layers 2,4,3: read as the whole network, its last size 3 is not the 1 output of "
         "data set 'xor'"),
        (["--lr", "0"], "argument --lr: must be a number > 0, got 0"),
        (["--lr", "-0.5"], "argument --lr: must be a number > 0"),
        (["--lr", "fast"], "argument --lr: 'fast' is not a number"),
        (["--dataset", "mnist"], "unknown data set 'mnist'; valid names: xor"),
        (["--batch", "half"], "argument --batch: must be 'full' or a whole number >= 1"),
        (["--batch", "0"], "argument --batch: must be 'full' or a whole number >= 1"),
        (["--epochs", "0"], "argument --epochs: must be >= 1"),
        (["--activation", "swish"], "argument --activation: 'swish' is not one of"),
        (["--output", "relu"], "argument --output: 'relu' is not one of"),
        (["--loss", "bce", "--output", "tanh"], "loss 'bce' needs a sigmoid output"),
        (["--loss", "cross_entropy"], "softmax output needs one unit per class"),
        (["--momentum", "1.5"], "argument --momentum: must be in [0, 1)"),
        (["--test-ratio", "1"], "argument --test-ratio: must be in [0, 1)"),
        (["--dataset", "checkerboard", "--noise", "3"], "noise"),
        (["--csv", "/no/such/file.csv"], "/no/such/file.csv"),
        (["--seed", "-1"], "argument --seed: must be >= 0, got -1"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *argv, "--epochs", argv[1] if argv[0] == "--epochs" else "5")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    # Unknown options are caught by the top-level parser, which names itself "nnviz".
    prefix = "nnviz: error: " if argv[0] == "--frobnicate" else "nnviz train: error: "
    assert err.startswith(prefix)
    assert message in err


def test_divergence_exits_1_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--activation", "relu", "--output", "linear",
                             "--lr", "1e6", "--epochs", "100")
    assert code == 1
    assert "training diverged at epoch" in err and "smaller learning rate" in err
    assert "Accuracy" not in out
    code, out, err = run_cli(capsys, "--activation", "relu", "--output", "linear",
                             "--lr", "1e6", "--epochs", "100", "--json")
    assert code == 1 and "diverged" in err
    doc = json.loads(out)  # one JSON object on stdout, naming the failure
    assert "training diverged at epoch" in doc["error"] and doc["exit_status"] == 1


def test_own_csv_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "and.csv"
    path.write_text("a,b,label\n" + "0,0,no\n0,1,no\n1,0,no\n1,1,yes\n" * 3, encoding="utf-8")
    code, out, _ = run_cli(capsys, "--csv", str(path), "--target", "label", "--lr", "1",
                           "--epochs", "3000", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["config"]["layers"] == [2, 4, 1] and data["accuracy"] == 1.0
    code, _, err = run_cli(capsys, "--csv", str(path), "--target", "nope", "--epochs", "5")
    assert code == 2 and "nope" in err and err.count("\n") == 1


def test_choices_match_the_core() -> None:
    from nnviz.core import activations, losses, network

    assert train.HIDDEN_ACTIVATIONS == activations.HIDDEN_ACTIVATIONS
    assert train.OUTPUT_ACTIVATIONS == activations.OUTPUT_ACTIVATIONS
    assert train.LOSSES == losses.LOSSES
    assert train.INITS == network.INITS


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(train, "BAR_AFTER_SECONDS", 0.0)
    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = train.Progress(100, stream)
        bar.update(50)
        bar.clear()
    assert "50/100 epochs" in tty.getvalue() and tty.getvalue().endswith("\r\x1b[K")
    assert pipe.getvalue() == ""


def test_python_m_nnviz_train_subprocess() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "nnviz", "train", "--epochs", "3000", "--log-every", "1000"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    epochs = [int(m.group(1)) for m in map(LOG_LINE.match, proc.stdout.splitlines()) if m]
    assert epochs == [1, 1000, 2000, 3000]
    assert "Input: [0 0] -> Predicted: " in proc.stdout
    assert re.search(r"^Accuracy: \d+\.\d\d% \(\d/4\)$", proc.stdout, re.M)
    bad = subprocess.run([*cmd, "--layers", "2,,1"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        "nnviz train: error: argument --layers: layer spec '2,,1': size 2 is empty "
        "(write e.g. 2,4,1)"
    ]


@pytest.mark.parametrize(
    ("spec", "sizes"),
    [("4", [2, 4, 1]), ("16,16", [2, 16, 16, 1]), ("2,16,16,1", [2, 16, 16, 1]),
     ("0", [2, 1]), ("2,1", [2, 1]), ("2,2", [2, 2, 2, 1])],
)
def test_layers_are_hidden_sizes_or_the_whole_network(
    capsys: pytest.CaptureFixture[str], spec: str, sizes: list[int]
) -> None:
    code, out, _ = run_cli(capsys, "--layers", spec, "--epochs", "1", "--json")
    assert code == 0
    assert json.loads(out)["config"]["layers"] == sizes


def test_bias_modes_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--layers", "3", "--bias", "trained,none", "--epochs", "5",
                           "--json")
    assert code == 0
    assert json.loads(out)["config"]["bias"] == ["trained", "none"]
    code, _, err = run_cli(capsys, "--bias", "trained,none,frozen", "--epochs", "5")
    assert code == 2 and "give 3 layers but the network has 2 weight layers" in err
    code, _, err = run_cli(capsys, "--bias", "fixed", "--epochs", "5")
    assert code == 2 and "unknown bias mode 'fixed'" in err


def test_train_a_lesson_headless_to_the_published_error(capsys: pytest.CaptureFixture[str]):
    code, out, _ = run_cli(capsys, "--lesson", "worked-example", "--epochs", "10000", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["train_loss"] == pytest.approx(3.5102e-05, rel=1e-4)
    assert data["config"]["dataset"] == "worked-example" and data["config"]["lr"] == 0.5
    assert data["config"]["bias"] == ["frozen", "frozen"]


def test_save_then_resume_from_the_session_equals_one_long_run(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    from nnviz.core import session as core_session

    first = tmp_path / "first.nnviz"
    code, out, _ = run_cli(capsys, "--layers", "3", "--epochs", "300", "--save", str(first))
    assert code == 0 and f"session saved to {first}" in out
    s = core_session.load(first)
    assert s.epoch == 300 and len(s.history["epoch"]) == 300
    code, out, _ = run_cli(capsys, "--session", str(first), "--epochs", "200", "--json")
    resumed = json.loads(out)
    code, out, _ = run_cli(capsys, "--layers", "3", "--epochs", "500", "--json")
    assert resumed["epochs"] == 500 and resumed["train_loss"] == json.loads(out)["train_loss"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lesson", "nope"], "no lesson 'nope'; the lessons are: checkerboard-recipe"),
        (["--lesson", "worked-example", "--session", "x.nnviz"], "not both"),
        (["--session", "/nonexistent/x.nnviz"], "x.nnviz"),
        (["--lesson", "worked-example", "--save", "/nonexistent/dir/out.nnviz"], "--save"),
    ],
)
def test_bad_lesson_session_or_save_is_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run_cli(capsys, *argv, "--epochs", "1")
    assert code == 2 and message in err and err.count("\n") == 1


def test_lessons_command_lists_every_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    from nnviz.core import lessons

    assert cli.main(["lessons", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [x["name"] for x in listed] == lessons.names()
    assert cli.main(["lessons"]) == 0
    text = capsys.readouterr().out
    assert all(name in text for name in lessons.names()) and "nnviz --lesson NAME" in text


def test_regression_reports_r2_and_mae_instead_of_accuracy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "--dataset", "sine", "--n", "60", "--layers", "12",
                           "--activation", "tanh", "--lr", "0.05", "--epochs", "2000",
                           "--test-ratio", "0.2", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["task"] == "regress" and data["accuracy"] is None
    assert data["config"]["output"] == "linear"  # sin x leaves (0, 1)
    assert data["r2"] > 0.9 and 0 < data["mae"] < 0.2
    assert data["test_r2"] is not None and data["test_mae"] is not None
    code, out, _ = run_cli(capsys, "--dataset", "sine", "--n", "30", "--epochs", "10")
    assert "R^2: " in out and "mean absolute error" in out and "Accuracy" not in out


def test_several_csv_targets_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    path = tmp_path / "two.csv"
    rows = ["i1,i2,t1,t2"] + [f"{a / 10},{b / 10},{0.2 + a / 50},{0.8 - b / 50}"
                              for a in range(5) for b in range(5)]
    path.write_text("\n".join(rows) + "\n")
    code, out, _ = run_cli(capsys, "--csv", str(path), "--target", "t1,t2", "--epochs", "50",
                           "--json")
    assert code == 0
    data = json.loads(out)
    assert data["config"]["layers"] == [2, 4, 2] and data["config"]["output"] == "sigmoid"
    assert data["task"] == "regress"
    code, _, err = run_cli(capsys, "--csv", str(path), "--target", "t1,t2", "--task",
                           "classify", "--epochs", "5")
    assert code == 2 and "classify takes one target column" in err


def test_input_features_from_the_command_line(capsys: pytest.CaptureFixture[str], tmp_path):
    code, out, _ = run_cli(capsys, "--dataset", "xor", "--features", "x1,x2,x1x2", "--layers",
                           "0", "--lr", "2", "--epochs", "2000", "--json",
                           "--save", str(tmp_path / "f.nnviz"))
    assert code == 0
    data = json.loads(out)
    assert data["config"]["layers"] == [3, 1] and data["accuracy"] == 1.0
    assert data["config"]["features"] == ["x1", "x2", "x1x2"]
    from nnviz.core import session as core_session

    assert core_session.load(tmp_path / "f.nnviz").dataset["features"] == ["x1", "x2", "x1x2"]
    code, _, err = run_cli(capsys, "--dataset", "iris", "--features", "x1", "--epochs", "1")
    assert code == 2 and "--features: input features need data with two inputs" in err
    code, _, err = run_cli(capsys, "--features", "x7", "--epochs", "1")
    assert code == 2 and "unknown input feature 'x7'" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("json_mode", [False, True])
def test_progress_bar_with_eta_on_a_terminal_only_without_json(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        json_mode: bool) -> None:
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    monkeypatch.setattr(train, "BAR_AFTER_SECONDS", 0.0)
    code, out, _ = run_cli(capsys, "--epochs", "3000", "--log-every", "3000",
                           *(["--json"] if json_mode else []))
    assert code == 0
    if json_mode:
        assert term.getvalue() == ""
    else:
        assert re.search(r"[\d,]+/3,000 epochs \([\d,]+/s\), ETA (\d+ s|\?)", term.getvalue())
