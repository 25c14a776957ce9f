"""Limits and failures: sizes refused before memory is taken, bounded loss history, CSV rules,
target checks, JSON errors of the headless commands, stale temporary files. Nothing here
allocates a large amount of memory: huge requests are refused by estimate, and the machine's
available memory is replaced by a small figure where a small request must be refused."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz.commands import train as train_cmd
from nnviz.core import Network, Trainer, csv_table, datasets, limits
from nnviz.core import session as sessions
from nnviz.core.convergence import ConvergenceConfig, run_convergence
from nnviz.core.history import History
from nnviz.core.trainer import DivergenceError

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
XOR_Y = np.array([[0], [1], [1], [0]], float)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiny_machine(monkeypatch: pytest.MonkeyPatch) -> int:
    """A machine with 64 KiB of memory to spare: small requests must now be refused."""
    monkeypatch.setattr(limits, "available_memory", lambda: 80 * 1024)
    return limits.memory_limit()


# ---- sizes are checked before memory is taken -----------------------------------------------


def test_available_memory_is_a_plausible_figure() -> None:
    assert 2**20 < limits.available_memory() < 2**60
    assert limits.format_bytes(1536) == "1.5 KiB" and limits.format_bytes(10) == "10 bytes"


def test_huge_layers_are_refused_naming_size_and_limit() -> None:
    with pytest.raises(limits.SizeError) as err:
        Network([2, 1_000_000_000, 1])
    message = str(err.value)
    assert "layers 2,1000000000,1" in message and "4,000,000,001 parameters" in message
    assert "would need about" in message and "can spare" in message


def test_trainer_refuses_data_x_network_beyond_the_limit(tiny_machine: int) -> None:
    net = Network([2, 4, 1])  # the network alone fits
    X = np.zeros((2000, 2))
    with pytest.raises(limits.SizeError, match=r"training layers 2,4,1 on 2,000 rows"):
        Trainer(net, X, np.zeros((2000, 1)))
    Trainer(net, X[:4], np.zeros((4, 1)))  # a few rows still fit
    assert limits.training_bytes((2, 4, 1), 2000, 10) < limits.training_bytes((2, 4, 1), 2000)


def test_generated_points_are_refused_before_generating() -> None:
    with pytest.raises(datasets.DatasetError, match=r"100,000,000,000 points would need about"):
        datasets.load_dataset("checkerboard", n=100_000_000_000)


def test_convergence_runs_are_refused_before_allocating() -> None:
    cfg = ConvergenceConfig((2, 4, 1), runs=1_000_000_000, epochs=1)
    with pytest.raises(limits.SizeError, match=r"1,000,000,000 runs of layers 2,4,1"):
        run_convergence(cfg, XOR_X, XOR_Y)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["train", "--layers", "2,1000000000,1"], "layers 2,1000000000,1"),
        (["train", "--dataset", "checkerboard", "--n", "100000000000"], "100,000,000,000 points"),
        (["converge", "--runs", "1000000000"], "--runs 1000000000: 1,000,000,000 runs"),
        (["converge", "--layers", "2,1000000000,1"], "layers 2,1000000000,1"),
    ],
)
def test_cli_sizes_exit_2_with_one_line(capsys, argv: list[str], fragment: str) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0] and "can spare" in lines[0], err


def test_csv_with_hundreds_of_classes_is_refused(tmp_path: Path) -> None:
    n = limits.MAX_CLASSES + 1
    path = tmp_path / "ids.csv"
    path.write_text("x,name\n" + "".join(f"{i},id{i}\n" for i in range(n)))
    with pytest.raises(datasets.DatasetError, match=rf"{n} classes: is the target column right?"):
        datasets.load_csv(path)
    ok = tmp_path / "ok.csv"  # at the limit it still loads
    ok.write_text("x,name\n" + "".join(f"{i},c{i}\n" for i in range(n - 1)))
    assert len(datasets.load_csv(ok).class_names) == n - 1


def test_a_session_too_big_for_this_machine_is_refused_on_opening(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    net = Network([2, 8, 1], seed=0)
    ds = datasets.load_dataset("checkerboard", n=3000)
    s = sessions.Session.from_network(
        net, dataset=sessions.builtin_spec("checkerboard", n=3000),
        trainer=Trainer(net, ds.X_train, ds.Y_train),
    )
    path = tmp_path / "big.nnviz"
    sessions.save(path, s)
    # room for the points, not for training on them
    monkeypatch.setattr(limits, "available_memory", lambda: 1000 * 1024)
    with pytest.raises(sessions.SessionError) as err:
        sessions.load(path)
    assert "cannot open here: training layers 2,8,1 on 3,000 rows" in str(err.value)
    sessions.save(path, s)  # saving never refuses a session that exists


# ---- the loss history keeps memory flat --------------------------------------------------------


def fill(h: History, start: int, stop: int, loss=None) -> None:
    epochs = np.arange(start, stop)
    h.extend({"epoch": epochs,
              "train_loss": 1.0 / epochs if loss is None else loss(epochs),
              "accuracy": np.full(len(epochs), 0.5)})


def test_history_keeps_recent_epochs_and_thins_older_ones() -> None:
    h = History()
    spike = 1_234_567  # a single bad epoch long ago must survive the thinning
    fill(h, 1, 5_000_001, lambda e: np.where(e == spike, 99.0, 1.0 / e))
    assert len(h) <= History.MAX_ROWS
    assert all(len(c) <= History.MAX_ROWS for c in h._data.values())  # memory is bounded
    e = h.epoch
    assert np.all(np.diff(e) > 0) and e[0] == 1 and e[-1] == 5_000_000
    recent = e[-History.RECENT:]
    np.testing.assert_array_equal(recent, np.arange(5_000_001 - History.RECENT, 5_000_001))
    assert 0 < h.thinned_until <= recent[0]
    assert np.all(np.diff(e[e >= h.thinned_until]) == 1)
    assert spike in e and h.train_loss[np.searchsorted(e, spike)] == 99.0
    # the older the epochs, the sparser they are kept
    early = np.count_nonzero(e < 1_000_000)
    late = np.count_nonzero((e >= 3_000_000) & (e < 4_000_000))
    assert early < late < 1_000_000
    # and every row is a real epoch with its own values
    np.testing.assert_array_equal(h.train_loss[e != spike], 1.0 / e[e != spike])


def test_history_small_limits_and_truncate_to_epoch() -> None:
    h = History(capacity=2, max_rows=40, recent=8)
    for k in range(1, 1001):
        h.append(epoch=k, train_loss=float(k % 7), accuracy=1.0)
    assert len(h) <= 40 and h.last()["epoch"] == 1000
    assert list(h.epoch[-8:]) == list(range(993, 1001))
    h.truncate_to_epoch(996)
    assert h.last()["epoch"] == 996
    h.truncate_to_epoch(0)
    assert len(h) == 0 and h.thinned_until == 0
    with pytest.raises(ValueError, match="recent"):
        History(max_rows=10, recent=5)


def test_trainer_history_thins_while_training_and_diverges_cleanly() -> None:
    net = Network([2, 3, 1], "relu", "linear", seed=0)
    tr = Trainer(net, XOR_X, XOR_Y, lr=0.05)
    tr.history = History(capacity=4, max_rows=64, recent=16)
    tr.run(1000)
    h = tr.history
    assert tr.epoch == 1000 and len(h) <= 64 and h.thinned_until > 0
    assert list(h.epoch[-16:]) == list(range(985, 1001))
    assert np.all(np.diff(h.epoch) > 0) and np.isfinite(h.train_loss).all()
    tr.lr = 1e6  # blows up: the restore goes back by epoch, even though rows moved
    with pytest.raises(DivergenceError) as err:
        tr.run(1000)
    assert h.last()["epoch"] == err.value.restored_epoch == tr.epoch


def test_thinned_history_saves_and_loads(tmp_path: Path) -> None:
    net = Network([2, 3, 1], seed=0)
    tr = Trainer(net, XOR_X, XOR_Y, lr=0.5)
    tr.history = History(capacity=4, max_rows=64, recent=16)
    tr.run(500)
    s = sessions.Session.from_network(net, dataset=sessions.builtin_spec("xor"), trainer=tr)
    sessions.save(tmp_path / "t.nnviz", s)
    back = sessions.load(tmp_path / "t.nnviz")
    resumed = back.build_trainer()
    assert resumed.history.thinned_until == tr.history.thinned_until > 0
    np.testing.assert_array_equal(resumed.history.epoch, tr.history.epoch)


# ---- CSV parsing rules ------------------------------------------------------------------------


def test_all_numeric_first_row_is_data_unless_it_cannot_be(tmp_path: Path) -> None:
    data = tmp_path / "data.csv"
    data.write_text("1,2,0\n3,4,1\n5,6,0\n")
    table = csv_table.read_table(data)
    assert not table.header and "read as data" in table.header_note
    assert len(datasets.load_csv(data, standardize=False).X_train) == 3
    named = tmp_path / "named.csv"  # pandas writes integer column names like this
    named.write_text("0,1,2\n0.5,1.5,cat\n2.5,0.1,dog\n")
    table = csv_table.read_table(named)
    assert table.header and "column 3 holds text" in table.header_note
    ds = datasets.load_csv(named)
    assert ds.class_names == ("cat", "dog") and len(ds.X_train) == 2
    text = tmp_path / "text.csv"
    text.write_text("a,b,y\n1,2,0\n3,4,1\n")
    assert "'a' above numbers" in csv_table.read_table(text).header_note


def test_true_and_true_are_one_class(tmp_path: Path) -> None:
    path = tmp_path / "bool.csv"
    path.write_text("x,y\n1,True\n2,true\n3,FALSE\n4,false\n5,TRUE\n")
    ds = datasets.load_csv(path)
    assert ds.class_names == ("False", "True")
    np.testing.assert_array_equal(ds.Y_train[:, 0], [1, 1, 0, 0, 1])


def test_scaling_overflow_is_an_error_naming_the_column(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text("a,big,y\n1,1e308,0\n2,-1e308,1\n3,1e308,0\n")
    with pytest.raises(datasets.DatasetError, match=r"feature 'big': values up to 1e\+308"):
        datasets.load_csv(path)
    assert datasets.load_csv(path, standardize=False).X_train[0, 1] == 1e308


def test_nul_bytes_are_an_error_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"a,b,y\n1,2,0\n3,\x004,1\n")
    with pytest.raises(datasets.DatasetError, match=r"line 3: contains a NUL byte"):
        datasets.load_csv(path)
    with pytest.raises(datasets.DatasetError, match="NUL"):
        csv_table.read_table(path)


# ---- targets the loss or output cannot use --------------------------------------------------


def test_bce_refuses_targets_outside_0_1_and_sigmoid_warns(tmp_path: Path, capsys) -> None:
    net = Network([2, 3, 1], output="sigmoid", loss="bce")
    with pytest.raises(ValueError, match=r"needs targets in \[0, 1\].*from -1 to 7"):
        Trainer(net, XOR_X, np.array([[0], [7], [-1], [0.5]]))
    assert Trainer(net, XOR_X, np.array([[0], [1], [0.3], [1]])).warning is None
    mse = Network([2, 3, 1], output="sigmoid", loss="mse")
    warning = Trainer(mse, XOR_X, np.array([[0.5], [2.0], [0.25], [0.1]])).warning
    assert "only reaches values in (0, 1)" in warning and "2" in warning
    assert Trainer(mse, XOR_X, XOR_Y).warning is None  # 0/1 class targets: fine
    path = tmp_path / "reg.csv"
    path.write_text("a,b,y\n1,2,3.5\n2,3,-1.25\n3,1,7.5\n4,4,0.5\n")
    code, out, err = run_cli(capsys, "train", "--csv", str(path), "--output", "sigmoid",
                             "--loss", "bce", "--epochs", "2")
    assert code == 2 and "needs targets in [0, 1]" in err and len(err.splitlines()) == 1
    code, out, err = run_cli(capsys, "train", "--csv", str(path), "--output", "sigmoid",
                             "--epochs", "2")
    assert code == 0 and "warning: a sigmoid output only reaches" in err


# ---- --json on any failure ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "status", "fragment"),
    [
        (["train", "--json", "--lr", "inf"], 2, "argument --lr"),
        (["train", "--json", "--dataset", "nope"], 2, "unknown data set"),
        (["train", "--json", "--bogus"], 2, "unrecognized arguments: --bogus"),
        (["train", "--json", "--lr", "1e6", "--activation", "relu", "--output", "linear",
          "--epochs", "50"], 1, "training diverged"),
        (["converge", "--json", "--runs", "0"], 2, "argument --runs"),
        (["converge", "--json", "--dataset", "nope"], 2, "unknown data set"),
        (["landscape", "--json", "--grid", "2"], 2, "argument --grid"),
    ],
)
def test_json_failures_print_one_object_with_error(capsys, argv, status, fragment) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == status
    doc = json.loads(out)
    assert fragment in doc["error"] and doc["exit_status"] == status
    assert fragment in err  # and the line on stderr for people


def test_json_interrupt_exits_130_with_error_object(capsys, monkeypatch) -> None:
    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Trainer, "run", interrupted)
    code, out, err = run_cli(capsys, "train", "--json")
    assert code == 130 and json.loads(out) == {"error": "interrupted after epoch 0",
                                               "exit_status": 130}
    monkeypatch.setattr(train_cmd, "load_data", interrupted)  # before training starts
    code, out, _ = run_cli(capsys, "train", "--json")
    assert code == 130 and json.loads(out)["error"] == "interrupted"
    import nnviz.core.convergence as conv

    monkeypatch.setattr(conv, "run_convergence", interrupted)
    code, out, _ = run_cli(capsys, "converge", "--json", "--runs", "2", "--epochs", "5")
    assert code == 130 and json.loads(out)["error"] == "interrupted"


# ---- saves clean up after killed saves --------------------------------------------------------


def test_save_removes_stale_temporaries_of_its_own_name(tmp_path: Path) -> None:
    s = sessions.Session.from_network(Network([2, 2, 1]), dataset=sessions.builtin_spec("xor"))
    path = tmp_path / "lesson.nnviz"
    stale = tmp_path / ".lesson.nnviz.0badc0de.tmp"  # what a killed save leaves
    fresh = tmp_path / ".lesson.nnviz.12345678.tmp"  # a save still writing
    other = tmp_path / ".other.nnviz.0badc0de.tmp"  # another file's
    for p in (stale, fresh, other):
        p.write_bytes(b"partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    sessions.save(path, s)
    assert not stale.exists() and fresh.exists() and other.exists()
    assert sessions.load(path) == s
