"""The stepper: phases in order, values from the core, undo/redo, epoch equivalence, position,
ledger export (the panel's text: test_explain.py). Expected numbers are computed independently
(Network calls on a copy, Trainer runs, plain Python floats by hand)."""

from __future__ import annotations

import csv
import dataclasses
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz.core import Network, Trainer
from nnviz.core import activations as act
from nnviz.core.explain import fmt
from nnviz.core.ledger import LEDGER_COLUMNS, ledger_csv, ledger_markdown, ledger_rows
from nnviz.core.stepper import KINDS, PhaseRecord, Position, Stepper, phase_plan
from nnviz.core.trainer import epoch_order


def data(n: int, n_in: int, n_out: int, onehot: bool = False, seed: int = 1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    if onehot:
        Y = np.eye(n_out)[rng.integers(0, n_out, n)]
    else:
        Y = (rng.random((n, n_out)) > 0.5).astype(float)
    return X, Y


def expected_plan(L: int) -> list[tuple[str, int | None]]:
    return (
        [("forward", l) for l in range(1, L + 1)]  # noqa: E741
        + [("loss", None), ("output_delta", L)]
        + [("backward", l) for l in range(L - 1, 0, -1)]  # noqa: E741
        + [("gradients", None), ("update", None)]
    )


def snapshot(s: Stepper) -> tuple:
    return (s.net.params.copy(), s.optimizer.velocity.copy(), s.sample_records(), s.position)


def assert_same_state(a: tuple, b: tuple) -> None:
    assert np.array_equal(a[0], b[0])
    assert np.array_equal(a[1], b[1])
    assert a[2] == b[2]
    assert a[3] == b[3]


# ---- phases --------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[2, 1], [2, 3, 1], [2, 3, 4, 2], [3, 4, 4, 3, 2]])
def test_phase_order_and_count(sizes: list[int]) -> None:
    L = len(sizes) - 1
    X, Y = data(3, sizes[0], sizes[-1])
    s = Stepper(Network(sizes, seed=0), X, Y, lr=0.1)
    plan = expected_plan(L)
    assert list(phase_plan(L)) == plan and s.phases_per_sample == 2 * L + 3 == len(plan)
    for sample in range(3):
        for index, (kind, layer) in enumerate(plan):
            assert s.next_kind() == kind and s.next_phase() == (kind, layer)
            r = s.step()
            assert (r.kind, r.layer, r.index, r.sample, r.epoch) == (kind, layer, index, sample, 0)
            assert r.kind in KINDS
            assert s.position == Position(0, sample, index + 1)
            assert s.sample_records()[-1] is r and len(s.sample_records()) == index + 1
    # the next step opens epoch 1 with row 0
    assert s.next_kind() == "forward" and s.position == Position(0, 2, 2 * L + 3)
    assert s.next_sample == 0
    r = s.step()
    assert (r.kind, r.layer, r.sample, r.epoch, r.index) == ("forward", 1, 0, 1, 0)
    assert s.sample_records() == (r,)


CASES = [
    ([2, 3, 1], "sigmoid", "sigmoid", "mse", False),
    ([3, 4, 5, 3], "tanh", "softmax", "cross_entropy", True),
    ([2, 4, 3, 2], "relu", "sigmoid", "bce", False),
    ([2, 3, 2], "leaky_relu", "linear", "mse", False),
    ([2, 3, 3], "sigmoid", "softmax", "mse", True),
    ([2, 2, 1], "linear", "tanh", "mse", False),
]


@pytest.mark.parametrize(("sizes", "hidden", "output", "loss", "onehot"), CASES)
def test_values_equal_network_forward_backward(sizes, hidden, output, loss, onehot) -> None:
    X, Y = data(4, sizes[0], sizes[-1], onehot)
    net = Network(sizes, hidden, output, loss, seed=2)
    ref = net.copy()
    s = Stepper(net, X, Y, lr=0.3)
    s.step()
    s.finish_sample()  # sample 0 (net changed), now sample 1 from the updated weights
    ref.params[...] = net.params
    trace = ref.forward(X[1])
    grads = ref.backward(trace, Y[1])
    recs = s.finish_sample()
    L = ref.n_layers
    assert [r.sample for r in recs] == [1] * (2 * L + 3)
    by = {(r.kind, r.layer): r.values for r in recs}
    for l in range(1, L + 1):  # noqa: E741
        v = by["forward", l]
        assert np.array_equal(v["a_prev"], trace.a[l - 1][0])
        assert np.array_equal(v["W"], ref.weights[l - 1])
        assert np.array_equal(v["b"], ref.biases[l - 1])
        assert np.array_equal(v["z"], trace.z[l - 1][0]) and np.array_equal(v["a"], trace.a[l][0])
    v = by["loss", None]
    assert np.array_equal(v["E"], ref.per_sample_loss(X[1], Y[1])[0]) and v["E"].shape == ()
    assert np.allclose(v["terms"].sum(), v["E"], rtol=1e-12, atol=1e-15)
    assert np.array_equal(v["t"], Y[1])
    v = by["output_delta", L]
    assert np.array_equal(v["delta"], grads.delta[-1][0])
    assert np.array_equal(v["error"], trace.a[-1][0] - Y[1])
    assert ("fprime" in v) == (loss == "mse" and output != "softmax")
    assert ("s" in v) == (loss == "mse" and output == "softmax")
    for l in range(L - 1, 0, -1):  # noqa: E741
        v = by["backward", l]
        assert np.array_equal(v["delta"], grads.delta[l - 1][0])
        assert np.array_equal(v["delta_next"], grads.delta[l][0])
        assert np.array_equal(v["W_next"], ref.weights[l])
        assert np.allclose(v["backprop"] * v["fprime"], v["delta"], rtol=1e-12, atol=1e-15)
    v = by["gradients", None]
    u = by["update", None]
    for l in range(1, L + 1):  # noqa: E741
        assert np.array_equal(v[f"dW_{l}"], grads.dW[l - 1])
        assert np.array_equal(v[f"db_{l}"], grads.db[l - 1])
        assert np.array_equal(v[f"a_{l - 1}"], trace.a[l - 1][0])
        assert np.array_equal(v[f"delta_{l}"], grads.delta[l - 1][0])
        assert np.array_equal(u[f"W_old_{l}"], ref.weights[l - 1])
        assert np.array_equal(u[f"W_new_{l}"], net.weights[l - 1])
        assert np.array_equal(u[f"b_new_{l}"], net.biases[l - 1])
        assert np.allclose(u[f"W_new_{l}"], ref.weights[l - 1] - 0.3 * grads.dW[l - 1], atol=1e-15)
    assert float(u["lr"]) == 0.3 and float(u["momentum"]) == 0.0


def test_records_are_immutable_and_arrays_read_only() -> None:
    X, Y = data(3, 2, 1)
    s = Stepper(Network([2, 3, 3, 1], seed=0), X, Y, lr=0.5, momentum=0.5, l2=0.01)
    recs = s.finish_sample()
    assert {r.kind for r in recs} == set(KINDS)
    for r in recs:
        with pytest.raises(dataclasses.FrozenInstanceError):
            r.kind = "loss"  # type: ignore[misc]
        with pytest.raises(TypeError):
            r.values["z"] = np.zeros(1)  # type: ignore[index]
        for name, arr in r.values.items():
            assert isinstance(arr, np.ndarray) and not arr.flags.writeable, (r.kind, name)
            with pytest.raises(ValueError):
                arr[...] = 0.0
    # the records do not alias the live network: a later update leaves them unchanged
    w_before = recs[0].values["W"].copy()
    s.finish_sample()
    assert np.array_equal(recs[0].values["W"], w_before)
    assert not np.shares_memory(recs[0].values["W"], s.net.params)


# ---- equivalence with the trainer ------------------------------------------------------------


@pytest.mark.parametrize(
    ("shuffle", "momentum", "l2", "l1"),
    [(False, 0.0, 0.0, 0.0), (True, 0.0, 0.0, 0.0), (True, 0.9, 0.0, 0.0),
     (False, 0.5, 1e-3, 1e-4)],
)
def test_stepping_every_phase_equals_online_trainer(shuffle, momentum, l2, l1) -> None:
    X, Y = data(7, 3, 2)
    net = Network([3, 4, 3, 2], "tanh", "sigmoid", "bce", seed=4)
    ref = net.copy()
    s = Stepper(net, X, Y, lr=0.2, momentum=momentum, shuffle=shuffle, seed=9, l2=l2, l1=l1)
    trainer = Trainer(ref, X, Y, lr=0.2, batch_size=1, momentum=momentum, shuffle=shuffle, seed=9,
                      l2=l2, l1=l1)
    rng = np.random.default_rng(9)
    for epoch in range(2):
        visited = []
        for _ in range(len(X) * s.phases_per_sample):
            r = s.step()
            if r.kind == "update":
                visited.append(r.sample)
                assert r.epoch == epoch
        assert visited == list(epoch_order(rng, len(X), shuffle))
        trainer.run(1)
        assert np.array_equal(net.params, ref.params), f"epoch {epoch + 1}"
        if momentum:
            assert np.array_equal(s.optimizer.velocity, trainer.optimizer.velocity)
    assert s.position.epoch == 1 and s.next_sample == int(epoch_order(rng, len(X), shuffle)[0])


@pytest.mark.parametrize("max_undo", [1000, 10])
def test_run_to_epoch_end_equals_trainer(max_undo: int) -> None:
    X, Y = data(13, 2, 3, onehot=True)
    net = Network([2, 5, 3], "relu", "softmax", "cross_entropy", seed=1)
    ref = net.copy()
    s = Stepper(net, X, Y, lr=0.1, momentum=0.8, shuffle=True, seed=3, max_undo=max_undo)
    trainer = Trainer(ref, X, Y, lr=0.1, batch_size=1, momentum=0.8, shuffle=True, seed=3)
    s.step()
    s.step()  # part-way into the first sample: run_to_epoch_end finishes it, then the rest
    assert s.run_to_epoch_end() == 13
    trainer.run(1)
    assert np.array_equal(net.params, ref.params)
    assert s.at_boundary and s.current.kind == "update"
    assert s.run_to_epoch_end() == 13  # at the start of epoch 1: the whole epoch
    trainer.run(1)
    assert np.array_equal(net.params, ref.params)
    assert np.array_equal(s.optimizer.velocity, trainer.optimizer.velocity)
    # with a short undo depth the early samples ran unrecorded, yet undo still reaches max_undo
    backs = 0
    while s.can_back:
        s.back()
        backs += 1
    assert backs == min(max_undo, 2 * 13 * s.phases_per_sample)


# ---- undo / redo -----------------------------------------------------------------------------


def test_undo_redo_round_trip_restores_identical_state() -> None:
    X, Y = data(3, 2, 2)
    net = Network([2, 3, 2], "sigmoid", "sigmoid", "mse", seed=5)
    s = Stepper(net, X, Y, lr=0.7, momentum=0.9, l2=0.01, shuffle=True, seed=1)
    assert s.current is None and not s.can_back and s.back() is None
    states = [snapshot(s)]
    records = []
    for _ in range(3 * 7 + 4 + 1 * 7):  # beyond an epoch boundary and through several updates
        records.append(s.step())
        states.append(snapshot(s))
    assert any(np.any(st[1]) for st in states)  # the velocity really was non-zero
    for k in range(len(records), 0, -1):
        got = s.back()
        assert got == (records[k - 2] if k >= 2 and states[k - 1][2] else None)
        assert_same_state(snapshot(s), states[k - 1])
    assert s.back() is None and not s.can_back and s.current is None
    for k, rec in enumerate(records, start=1):
        assert s.can_redo
        assert s.redo() == rec
        assert_same_state(snapshot(s), states[k])
    assert s.redo() is None and not s.can_redo  # nothing to redo: no step either
    assert_same_state(snapshot(s), states[-1])


def test_step_after_back_recomputes_and_redo_replays_as_recorded() -> None:
    X, Y = data(2, 2, 1)
    s = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5)
    recs = s.finish_sample()
    after = s.net.params.copy()
    s.back()  # undo the update
    assert s.can_redo and s.next_kind() == "update"
    s.lr = 0.1
    again = s.step()  # fresh computation with the new lr, and the redo list is gone
    assert not s.can_redo and again != recs[-1]
    assert not np.array_equal(s.net.params, after)
    s.back()
    s.lr = 0.5
    assert s.step() == recs[-1] and np.array_equal(s.net.params, after)
    s.back()
    s.lr = 0.1
    assert s.redo() == recs[-1] and np.array_equal(s.net.params, after)  # as recorded (lr 0.5)


def test_undo_depth_of_1000_phases_across_samples_and_epochs() -> None:
    X, Y = data(4, 2, 1)
    net = Network([2, 2, 1], seed=0)
    s = Stepper(net, X, Y, lr=0.5, momentum=0.5)
    marks = {}
    for k in range(1, 1101):
        s.step()
        if k in (100, 101, 600):
            marks[k] = snapshot(s)
    assert s.position.epoch >= 30
    for _ in range(500):
        assert s.back() is not None
    assert_same_state(snapshot(s), marks[600])
    for _ in range(499):
        s.back()
    assert_same_state(snapshot(s), marks[101])
    s.back()
    assert_same_state(snapshot(s), marks[100])
    assert not s.can_back and s.back() is None  # the limit: exactly 1,000 phases
    assert_same_state(snapshot(s), marks[100])
    for _ in range(1000):
        s.redo()
    assert not s.can_redo


# ---- picking samples, outside changes ---------------------------------------------------------


def test_set_next_sample_at_boundary_only() -> None:
    X, Y = data(5, 2, 1)
    s = Stepper(Network([2, 3, 1], seed=0), X, Y, lr=0.5)
    assert not s.picked
    s.set_next_sample(3)
    assert s.position == Position(0, 3, 0) and s.next_sample == 3 and s.picked
    recs = s.finish_sample()
    assert {r.sample for r in recs} == {3} and {r.epoch for r in recs} == {0} and s.picked
    assert s.next_sample == 0  # a pick is an extra visit: the order continues at its start
    s.step()
    with pytest.raises(RuntimeError, match="finish_sample"):
        s.set_next_sample(1)
    assert s.finish_sample()[0].sample == 0
    with pytest.raises(ValueError, match="out of range"):
        s.set_next_sample(5)
    with pytest.raises(TypeError):
        s.set_next_sample(1.5)  # type: ignore[arg-type]
    s.set_next_sample(np.int64(4))
    s.set_next_sample(None)  # cancelled
    assert s.finish_sample()[0].sample == 1
    # undoing into a picked sample and stepping again replays the pick
    s.set_next_sample(4)
    s.step()
    s.back()
    assert s.position == Position(0, 1, 7) and s.next_sample == 4
    assert not s.picked  # the position names the finished sample 1, in order
    assert s.step().sample == 4 and s.picked
    s.back()
    s.back()  # into sample 1: the pending pick is dropped and a redo does not bring it back
    assert s.redo().kind == "update" and s.next_sample == 2
    s.step()
    assert not s.picked


def test_outside_change_restarts_the_sample_and_clears_history() -> None:
    X, Y = data(4, 2, 1)
    net = Network([2, 3, 1], seed=0)
    s = Stepper(net, X, Y, lr=0.5, momentum=0.9)
    s.finish_sample()
    for _ in range(4):
        s.step()  # sample 1, in the backward pass
    assert s.position == Position(0, 1, 4) and s.can_back
    net.weights[0][0, 0] += 0.25  # e.g. the user edited a weight
    assert s.position == Position(0, 1, 0)
    assert s.current is None and s.sample_records() == () and not s.can_back and not s.can_redo
    assert not np.any(s.optimizer.velocity)
    assert s.next_kind() == "forward"
    r = s.step()
    assert (r.kind, r.layer, r.sample) == ("forward", 1, 1)
    assert np.array_equal(r.values["W"], net.weights[0])
    assert np.array_equal(r.values["z"], net.forward(X[1]).z[0][0])
    assert not s.sync()  # nothing changed since
    # the trainer runs on the same network; a picked sample in progress restarts as the same pick
    s.finish_sample()
    s.set_next_sample(3)
    s.step()
    Trainer(net, X, Y, lr=0.5, batch_size=1).run(1)
    assert s.back() is None  # nothing left to undo after an outside change
    assert s.position == Position(0, 3, 0)
    recs = s.finish_sample()
    assert recs[0].sample == 3 and np.array_equal(recs[0].values["W"], recs[-1].values["W_old_1"])
    # a finished sample's records are dropped too (they show the old weights)
    net.biases[1][0] = 0.0
    assert s.sample_records() == () and s.position == Position(0, 2, 0)


def test_bad_arguments_are_named() -> None:
    X, Y = data(3, 2, 1)
    net = Network([2, 2, 1], seed=0)
    with pytest.raises(ValueError, match="learning rate"):
        Stepper(net, X, Y, lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        Stepper(net, X, Y, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match="features"):
        Stepper(net, X[:, :1], Y, lr=0.1)
    with pytest.raises(ValueError, match="targets"):
        Stepper(net, X, Y[:2], lr=0.1)
    with pytest.raises(ValueError, match="no samples"):
        Stepper(net, X[:0], Y[:0], lr=0.1)
    s = Stepper(net, X, Y, lr=0.1)
    with pytest.raises(ValueError, match="learning rate"):
        s.lr = -1


# ---- a known example (the ledger test here, the text tests in test_explain.py) -----------


def known_221() -> tuple[Network, np.ndarray, np.ndarray]:
    net = Network([2, 2, 1], "sigmoid", "sigmoid", "mse", seed=0)
    net.set_params([[[0.15, 0.25], [0.20, 0.30]], [[0.40], [0.45]]], [[0.35, 0.35], [0.60]])
    return net, np.array([[0.05, 0.10]]), np.array([[0.01]])


# ---- ledger ----------------------------------------------------------------------------------


def test_ledger_rows_csv_and_markdown() -> None:
    net, X, Y = known_221()
    s = Stepper(net, X, Y, lr=0.5)
    recs = s.finish_sample()
    rows = ledger_rows(recs)
    as_t = [r.as_tuple() for r in rows]
    by = {(r.phase, r.quantity, r.layer, r.index): r.value for r in rows}
    assert (0, "forward", 0, "a", "2", 0.10) in as_t  # the input
    assert by[0, "W", 1, "2,1"] == 0.20 and by[0, "b", 1, "2"] == 0.35
    a1 = recs[0].values["a"]
    assert by[0, "a", 1, "1"] == float(a1[0])
    assert by[2, "E", None, ""] == float(recs[2].values["E"])
    assert by[3, "delta", 2, "1"] == float(recs[3].values["delta"][0])
    assert by[5, "dW", 2, "2,1"] == float(recs[5].values["dW_2"][1, 0])
    assert by[6, "W", 2, "1,1"] == float(net.weights[1][0, 0])
    assert by[6, "lr", None, ""] == 0.5
    # each phase lists only what it adds: 2-2-1 has 2+6+2+2 / 3+1+2 / t,E_k,E / error,f',delta /
    # backprop,f',delta x2 / dW,db 6+2+2+1 / W,b new 6+2+1 + lr
    counts = [sum(r.phase == k for r in rows) for k in range(7)]
    assert counts == [2 + 4 + 2 + 2 + 2, 2 + 1 + 1 + 1, 3, 3, 6, 9, 10]
    assert len(ledger_rows(recs, full=True)) > len(rows)

    text = ledger_csv(recs)
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == LEDGER_COLUMNS
    assert len(parsed) == len(rows) + 1
    for row, r in zip(parsed[1:], rows, strict=True):
        assert row[:5] == [str(r.phase), r.kind, "" if r.layer is None else str(r.layer),
                           r.quantity, r.index]
        assert float(row[5]) == r.value  # full precision round-trips
    assert "0,forward,1,W,2,1" not in text and '0,forward,1,W,"2,1",0.2\n' in text

    md = ledger_markdown(recs)
    lines = md.splitlines()
    assert lines[0] == "| phase | kind | layer | quantity | index | value |"
    assert lines[1].startswith("|---:|") and len(lines) == len(rows) + 2
    assert "| 0 | forward | 1 | W | 2,1 | 0.2000 |" in lines
    assert f"| 2 | loss |  | E |  | {fmt(float(recs[2].values['E']))} |" in lines
    assert "| 0 | forward | 1 | W | 2,1 | 0.20 |" in ledger_markdown(recs, precision=2)
    assert ledger_csv([]) == ",".join(LEDGER_COLUMNS) + "\n"


def test_phase_record_equality() -> None:
    X, Y = data(2, 2, 1)
    a = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5).finish_sample()
    b = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5).finish_sample()
    c = Stepper(Network([2, 2, 1], seed=1), X, Y, lr=0.5).finish_sample()
    assert a == b and a[0] is not b[0]
    assert a[0] != c[0] and a[0] != a[1]
    assert isinstance(a[0], PhaseRecord) and "forward" in repr(a[0])


def test_records_share_parameter_copies_between_phases_and_samples() -> None:
    # What keeps 1,000 phases of undo small: one read-only parameter copy per sample, shared.
    X, Y = data(3, 2, 1)
    s = Stepper(Network([2, 3, 1], seed=0), X, Y, lr=0.5, momentum=0.9)
    first = s.finish_sample()
    second = s.finish_sample()
    fwd, back, upd = second[0].values, second[4].values, second[-1].values
    prev = first[-1].values
    assert np.shares_memory(fwd["W"], prev["W_new_1"])
    assert np.shares_memory(back["W_next"], upd["W_old_2"])
    assert np.shares_memory(upd["vW_old_1"], prev["vW_new_1"])
    assert np.shares_memory(second[-2].values["dW_2"], upd["dW_2"])


# ---- one counter with the trainer ------------------------------------------------------------


def test_after_n_trained_epochs_stepping_continues_in_epoch_n_plus_1() -> None:
    X, Y = data(6, 2, 1)
    net = Network([2, 3, 1], "tanh", "sigmoid", "bce", seed=2)
    trainer = Trainer(net, X, Y, lr=0.3, batch_size=1, shuffle=True, seed=5)
    trainer.run(4)
    ref = Trainer(net.copy(), X, Y, lr=0.3, batch_size=1, shuffle=True, seed=5)
    ref.rng.bit_generator.state = trainer.rng.bit_generator.state
    ref.epoch = trainer.epoch
    s = Stepper(net, X, Y, lr=0.3, shuffle=True, seed=5)
    s.set_position(trainer.epoch, trainer.rng.bit_generator.state)
    assert s.epochs_done == 4 and s.position.epoch == 4  # shown as epoch 5
    probe = np.random.default_rng(5)
    probe.bit_generator.state = trainer.rng.bit_generator.state
    expected = epoch_order(probe, 6, True)
    assert list(s.order) == list(expected) == list(s.order_of(4))
    s.run_to_epoch_end()
    ref.run(1)
    assert np.array_equal(net.params, ref.net.params)  # the very epoch the trainer would train
    assert s.epochs_done == 5
    # and back: a trainer handed the stepper's position draws the stepper's next order
    trainer.epoch = s.epochs_done
    trainer.rng.bit_generator.state = s.rng_state()
    nxt = list(s.order_of(5))
    probe.bit_generator.state = trainer.rng.bit_generator.state
    assert list(epoch_order(probe, 6, True)) == nxt


def test_set_position_only_at_a_boundary_and_in_range() -> None:
    X, Y = data(4, 2, 1)
    s = Stepper(Network([2, 2, 1], seed=0), X, Y, shuffle=True)
    s.step()
    with pytest.raises(RuntimeError):
        s.set_position(3)
    s.finish_sample()
    with pytest.raises(ValueError):
        s.set_position(-1)
    with pytest.raises(ValueError):
        s.set_position(0, index=4)
    s.set_position(2, index=1)
    assert s.position.epoch == 2 and not s.can_back
    assert s.position.sample == int(s.order_of(2)[1])


def test_set_position_with_phases_done_and_after_a_finished_sample() -> None:
    X, Y = data(4, 2, 1)
    s = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5, shuffle=True, seed=3)
    s.set_position(2, index=1, phase=3)
    assert s.position == Position(2, int(s.order_of(2)[1]), 3) and s.epochs_done == 2
    assert s.current.kind == "loss" and s.can_back  # stepped: undo goes through those phases
    t = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5, shuffle=True, seed=3)
    t.set_position(2, index=3, phase=t.phases_per_sample)  # the epoch's last sample, finished
    assert t.epochs_done == 3 and t.current is None
    assert t.position == Position(3, int(t.order_of(3)[0]), 0)
    assert list(t.order_of(2)) == list(s.order_of(2))  # the same generator draws both
    with pytest.raises(ValueError, match=r"phase 8 is out of range 0..7"):
        t.set_position(0, phase=8)


def test_restore_re_enters_a_saved_position_in_order() -> None:
    X, Y = data(5, 2, 1)
    net = Network([2, 2, 1], seed=0)
    s = Stepper(net, X, Y, lr=0.5, shuffle=True, seed=1)
    s.finish_sample()
    s.finish_sample()
    for _ in range(3):
        s.step()
    saved, state = s.position, s.rng_state()
    # a new stepper where the trainer is (epoch and generator): back at the row, in order
    other = Stepper(net.copy(), X, Y, lr=0.5, shuffle=True, seed=99)
    other.set_position(saved.epoch, state)
    other.restore(*saved)
    assert other.position == saved and other.sample_records() == s.sample_records()
    assert list(other.order) == list(s.order)
    other.restore(saved.epoch, saved.sample, "loss")  # a phase kind: its first phase
    assert other.position == saved and other.current.kind == "loss"
    # the epoch counter is the position's
    other.restore(7, saved.sample, 1)
    assert other.epochs_done == 7 and other.position == Position(7, saved.sample, 1)
    # a finished sample is not stepped again: the stepper continues after it ...
    P = other.phases_per_sample
    order = other.order_of(7)
    other.restore(7, int(order[1]), P)
    assert other.position == Position(7, int(order[2]), 0) and other.current is None
    # ... and the last one of an epoch before the counter ended that epoch
    other.restore(6, int(order[4]), P)
    assert other.epochs_done == 7 and other.position == Position(7, int(order[2]), 0)
    for bad, match in (("sideways", "unknown phase 'sideways'"), (P + 1, "out of range 0..7")):
        with pytest.raises(ValueError, match=match):
            other.restore(0, 1, bad)
    with pytest.raises(ValueError, match=r"sample 5 is out of range 0..4"):
        other.restore(0, 5, 1)


def test_outside_changes_are_counted_whoever_notices_them() -> None:
    X, Y = data(3, 2, 1)
    s = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5)
    s.step()
    assert s.outside_changes == 0
    s.net.params[0] += 1.0
    assert s.position.phase == 0  # any reader notices (here: the position)
    assert s.outside_changes == 1
    assert not s.sync() and s.outside_changes == 1


def test_the_order_of_every_reachable_sample_is_kept() -> None:
    X, Y = data(2, 2, 1)
    s = Stepper(Network([2, 2, 1], seed=0), X, Y, lr=0.5, shuffle=True, max_undo=1)
    s.finish_sample()
    s.finish_sample()  # the end of epoch 0
    s.step()  # epoch 1; the one undo step left leads back to epoch 0's last sample
    s.back()
    assert s.current.epoch == 0
    assert s.current.sample == int(s.order_of(0)[1])


# ---- bit identity on every kernel: one property over the whole option space ------------------

_OUTPUT_LOSS = [("sigmoid", "mse"), ("tanh", "mse"), ("linear", "mse"), ("softmax", "mse"),
                ("sigmoid", "bce"), ("softmax", "cross_entropy")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hidden=st.sampled_from(act.HIDDEN_ACTIVATIONS),
    output_loss=st.sampled_from(_OUTPUT_LOSS),
    momentum=st.sampled_from([0.0, 0.5, 0.9]),
    l2=st.sampled_from([0.0, 1e-3]),
    l1=st.sampled_from([0.0, 1e-4]),
    shuffle=st.booleans(),
    widths=st.lists(st.integers(1, 5), min_size=0, max_size=2),
    n_in=st.integers(1, 4),
    n=st.integers(1, 9),
    seed=st.integers(0, 2**16),
)
def test_stepped_epoch_is_bit_identical_to_online_epoch(
    hidden, output_loss, momentum, l2, l1, shuffle, widths, n_in, n, seed
) -> None:
    """Both run make_sample_pass on a contiguous batch-1 workspace, so the bits agree under any
    deterministic BLAS kernel (.ci/run repeats tests/core under several OpenBLAS core types)."""
    output, loss = output_loss
    n_out = 3 if output == "softmax" else 2
    X, Y = data(n, n_in, n_out, onehot=output == "softmax", seed=seed)
    net = Network([n_in, *widths, n_out], hidden, output, loss, seed=seed)
    ref = net.copy()
    kw = dict(lr=0.02, momentum=momentum, l2=l2, l1=l1, shuffle=shuffle, seed=seed)
    s = Stepper(net, X, Y, max_undo=7, **kw)  # short: the epochs below run partly unrecorded
    # no weight limit: growing weights (linear units, momentum 0.9) must still agree bit for bit
    trainer = Trainer(ref, X, Y, batch_size=1, weight_limit=None, **kw)
    # and the path of long online epochs, handing back after every sample
    paused_net = net.copy()
    paused = Trainer(paused_net, X, Y, batch_size=1, weight_limit=None, **kw)
    paused._long_batched_epoch = lambda: True
    for epoch in range(2):
        for _ in range(n * s.phases_per_sample):
            s.step()
        trainer.run(1)
        while paused.epoch < epoch + 1:
            paused.run(1, should_yield=lambda: True)
        assert net.params.tobytes() == ref.params.tobytes(), f"epoch {epoch + 1}"
        assert paused_net.params.tobytes() == ref.params.tobytes(), f"paused, epoch {epoch + 1}"
        assert s.optimizer.velocity.tobytes() == trainer.optimizer.velocity.tobytes()
    s.run_to_epoch_end()  # the unrecorded fast path of a long epoch runs the same function
    trainer.run(1)
    assert net.params.tobytes() == ref.params.tobytes()


@pytest.mark.parametrize(("output", "loss"), [("sigmoid", "bce"), ("softmax", "cross_entropy"),
                                              ("sigmoid", "mse")])
def test_online_epoch_loss_is_the_mean_of_the_stepped_losses(output: str, loss: str) -> None:
    """The online epoch's loss (each sample's, before its update) against the stepper's E of the
    same samples: the per-sample pass must not reuse anything derived from earlier targets."""
    n_out = 3 if output == "softmax" else 2
    X, Y = data(9, 3, n_out, onehot=output == "softmax", seed=4)
    net = Network([3, 4, n_out], "tanh", output, loss, seed=2)
    ref = net.copy()
    s = Stepper(net, X, Y, lr=0.3, shuffle=True, seed=5)
    trainer = Trainer(ref, X, Y, lr=0.3, batch_size=1, shuffle=True, seed=5)
    stepped = [float(r.values["E"]) for r in (s.step() for _ in range(9 * s.phases_per_sample))
               if r.kind == "loss"]
    trainer.run(1)
    assert trainer.history.train_loss[0] == pytest.approx(np.mean(stepped), rel=1e-12)
