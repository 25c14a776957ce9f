"""`nnviz converge`: text report, JSON, bad arguments."""

from __future__ import annotations

import json
import re

import pytest

from nnviz import cli
from nnviz.commands import converge

SUMMARY = re.compile(r"^  converged: (\d+)/(\d+) \((\d+\.\d) %\)")
HIST = re.compile(r"^ +([\d,]+) - +([\d,]+) \| (#*) ?(\d+)$")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(["converge", *argv])
    except SystemExit as exc:  # argparse errors exit from inside parse_args
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def _no_nan(text: str) -> None:
    raise AssertionError(f"JSON contains {text}")


def test_text_report_per_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--dataset", "xor", "--layers", "2,2,1", "--layers",
                             "2,4,1", "--runs", "60", "--epochs", "3000", "--seed", "0")
    assert code == 0, err
    assert err == ""  # no progress bar when stderr is not a terminal
    lines = out.splitlines()
    assert lines[0].startswith("XOR")
    heads = [i for i, line in enumerate(lines) if line.startswith("2-")]
    assert [lines[i].split(":")[0] for i in heads] == ["2-2-1 sigmoid xavier lr=0.5",
                                                       "2-4-1 sigmoid xavier lr=0.5"]
    fractions = []
    for i in heads:
        block = lines[i: i + 20]
        m = SUMMARY.match(block[1])
        assert m and int(m.group(2)) == 60
        n_conv = int(m.group(1))
        fractions.append(n_conv / 60)
        assert "median" in block[1] and "90th percentile" in block[1]
        assert block[2] == "  epochs to converge:"
        bars = [HIST.match(line) for line in block[3:13]]
        assert all(bars), block[3:13]
        assert sum(int(b.group(4)) for b in bars) == n_conv
        assert bars[0].group(1) == "1" and bars[-1].group(2) == "3,000"
        top = max(int(b.group(4)) for b in bars)
        assert all(len(b.group(3)) == converge.HIST_WIDTH for b in bars if int(b.group(4)) == top)
        if n_conv < 60:
            rest = block[13]
            assert rest.startswith(f"  not converged: {60 - n_conv} -- ")
            counts = re.findall(r": (\d+)", rest.split(" -- ")[1])
            assert sum(map(int, counts)) == 60 - n_conv
    assert fractions[1] > fractions[0]


def test_small_init_is_reported_stuck_and_symmetric(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--layers", "2,2,1", "--init", "small", "--init", "xavier",
                           "--runs", "20", "--epochs", "2000")
    assert code == 0
    blocks = out.split("\n\n")[1:]
    assert blocks[0].startswith("2-2-1 sigmoid small")
    assert "converged: 0/20 (0.0 %)" in blocks[0]
    assert "not converged: 20 -- symmetric hidden units: 20" in blocks[0]
    assert blocks[1].startswith("2-2-1 sigmoid xavier")


def test_json_is_one_object_with_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--layers", "2,2,1", "--layers", "2,3,1", "--lr", "0.5",
                             "--lr", "2", "--runs", "15", "--epochs", "1500", "--seed", "3",
                             "--json")
    assert code == 0, err
    doc = json.loads(out, parse_constant=_no_nan)
    assert len(out.strip().splitlines()) == 1
    configs = doc["configs"]
    assert [(c["layers"], c["config"]["lr"]) for c in configs] == [
        ([2, 2, 1], 0.5), ([2, 2, 1], 2.0), ([2, 3, 1], 0.5), ([2, 3, 1], 2.0)]
    for c in configs:
        runs = c["runs"]
        assert [r["seed"] for r in runs] == list(range(3, 18))
        conv = [r for r in runs if r["converged"]]
        assert c["fraction_converged"] == pytest.approx(len(conv) / 15)
        assert all(isinstance(r["epochs"], int) and 1 <= r["epochs"] <= 1500 for r in conv)
        assert all(r["epochs"] is None for r in runs if not r["converged"])
        assert all(r["diagnosis"] is None for r in conv)
        assert all(set(r) >= {"seed", "converged", "epochs", "final_loss", "diagnosis"}
                   for r in runs)
        if conv:
            assert conv and c["median_epochs"] <= c["p90_epochs"] <= 1500
        else:
            assert c["median_epochs"] is None and c["p90_epochs"] is None


def test_json_has_null_for_diverged_runs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--layers", "2,4,1", "--activation", "tanh", "--output",
                           "linear", "--init", "normal", "--lr", "1", "--runs", "30",
                           "--epochs", "500", "--json")
    assert code == 0
    runs = json.loads(out, parse_constant=_no_nan)["configs"][0]["runs"]
    diverged = [r for r in runs if r["diagnosis"] == "diverged"]
    assert diverged and all(r["final_loss"] is None for r in diverged)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--layers", "3,2,1"], "first size 3 is not the 2 inputs of data set 'xor'"),
        (["--layers", "2,2,2"], "last size 2 is not the 1 output of data set 'xor'"),
        (["--layers", "2,x,1"], "'x' is not a whole number"),
        (["--runs", "0"], "--runs: must be >= 1"),
        (["--epochs", "ten"], "'ten' is not a whole number"),
        (["--lr", "-1"], "--lr: must be a number > 0"),
        (["--batch", "0"], "must be 'full' or a whole number >= 1"),
        (["--init", "zeros"], "'zeros' is not one of xavier"),
        (["--threshold", "0"], "--threshold: must be a number > 0"),
        (["--workers", "0"], "--workers: must be >= 1"),
        (["--momentum", "1"], "--momentum: must be in [0, 1)"),
        (["--dataset", "nope"], "nope"),
        (["--loss", "bce", "--output", "tanh"], "loss 'bce' needs a sigmoid output"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run_cli(capsys, *argv, "--runs", "2", "--epochs", "5") if argv[0] not in (
        "--runs", "--epochs") else run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_workers_change_nothing_but_the_time(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("--dataset", "checkerboard", "--n", "64", "--layers", "2,8,1", "--runs", "4",
            "--epochs", "300", "--json")
    docs = []
    for workers in ("1", "2"):
        code, out, err = run_cli(capsys, *argv, "--workers", workers)
        assert code == 0, err
        docs.append(json.loads(out, parse_constant=_no_nan))
    assert docs[0]["configs"][0]["runs"] == docs[1]["configs"][0]["runs"]


class _Terminal:
    """A stderr that says it is a terminal and keeps what is written to it."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("json_mode", [False, True])
def test_progress_on_a_terminal_shows_runs_and_eta_but_never_with_json(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        json_mode: bool) -> None:
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    monkeypatch.setattr(converge, "BAR_AFTER_SECONDS", 0.0)
    args = ["--dataset", "xor", "--layers", "2,2,1", "--runs", "20", "--epochs", "4000"]
    code, out, _ = run_cli(capsys, *args, *(["--json"] if json_mode else []))
    assert code == 0
    if json_mode:
        assert term.text == ""
        json.loads(out)
    else:
        assert re.search(r"\d+/20 runs converged, ETA (\?|\d+ s)", term.text), term.text


def test_eta_text() -> None:
    from nnviz.commands.argtypes import eta_text

    assert (eta_text(float("inf")), eta_text(12.4), eta_text(185), eta_text(3720)) == \
        ("?", "12 s", "3 min 05 s", "1 h 02 min")
