"""Bias modes per layer: trained, frozen (kept at the initial value), none (absent)."""

import numpy as np
import pytest

from nnviz.core import session as core_session
from nnviz.core.explain import explain
from nnviz.core.ledger import ledger_rows
from nnviz.core.network import Network, gradient_check, parse_bias
from nnviz.core.stepper import Stepper
from nnviz.core.trainer import Trainer

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Y = np.array([[0], [1], [1], [0]], float)


def test_parse_bias_one_mode_or_one_per_layer():
    assert parse_bias(None, 2) == ("trained", "trained")
    assert parse_bias("frozen", 3) == ("frozen",) * 3
    assert parse_bias("trained, None", 2) == ("trained", "none")
    with pytest.raises(ValueError, match="unknown bias mode 'fixed'"):
        parse_bias("fixed", 2)
    with pytest.raises(ValueError, match="give 3 layers but the network has 2"):
        parse_bias("trained,none,frozen", 2)


@pytest.mark.parametrize("batch", [None, 1, 3])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_frozen_and_absent_biases_never_move(batch, momentum):
    net = Network([2, 3, 1], init="uniform", seed=1, bias="frozen,none")
    b0 = [b.copy() for b in net.biases]
    assert b0[0].any()  # the uniform init gives frozen biases a non-zero value
    assert np.all(b0[1] == 0.0)
    w0 = [w.copy() for w in net.weights]
    Trainer(net, X, Y, lr=0.5, batch_size=batch, momentum=momentum, l2=0.01).run(20)
    np.testing.assert_array_equal(net.biases[0], b0[0])
    np.testing.assert_array_equal(net.biases[1], 0.0)
    assert not np.array_equal(net.weights[0], w0[0])


def test_trained_layers_learn_exactly_as_before_when_other_biases_are_frozen():
    # A frozen bias only zeroes its own gradient: the weights follow dE/dw of the same network.
    a = Network([2, 3, 1], init="uniform", seed=2, bias="frozen")
    b = Network([2, 3, 1], init="uniform", seed=2)
    Trainer(a, X, Y, lr=0.5).run(1)
    Trainer(b, X, Y, lr=0.5).run(1)
    for wa, wb in zip(a.weights, b.weights, strict=True):
        np.testing.assert_array_equal(wa, wb)


def test_setting_a_bias_on_a_layer_without_one_is_refused():
    net = Network([2, 2, 1], bias="trained,none")
    w, b = net.get_params()
    b[1][:] = 0.5
    with pytest.raises(ValueError, match=r"biases\[1\] must be 0"):
        net.set_params(w, b)
    assert np.all(net.biases[1] == 0)


def test_gradient_check_passes_with_frozen_and_absent_biases():
    net = Network([2, 3, 2], init="uniform", seed=4, bias="frozen,none")
    Y2 = np.hstack([Y, 1 - Y])
    assert max(gradient_check(net, X, Y2)) < 1e-7


def test_stepper_matches_trainer_bit_for_bit_and_explains_the_modes():
    a = Network([2, 3, 1], init="uniform", seed=5, bias="none,frozen")
    b = a.copy()
    st = Stepper(a, X, Y, lr=0.5, shuffle=False)
    st.run_to_epoch_end()
    Trainer(b, X, Y, lr=0.5, batch_size=1, shuffle=False).run(1)
    np.testing.assert_array_equal(a.params, b.params)

    c = Network([2, 3, 1], init="uniform", seed=5, bias="none,frozen")
    st = Stepper(c, X, Y, lr=0.5, shuffle=False)
    forward = st.step()
    text = explain(forward, c)
    assert "z^(1) = a^(0) W^(1)," in text and "b^(1)" not in text  # no bias term at all
    out = st.step()
    assert "+ b^(2)" in explain(out, c)  # a frozen bias still adds its value
    recs = st.finish_sample()
    grads, update = recs[-2], recs[-1]
    assert "no bias" in explain(grads, c) and "biases frozen" in explain(grads, c)
    assert "frozen" in explain(update, c, node=(2, 0))
    assert "has no bias" in explain(update, c, node=(1, 0))
    quantities = {(r.quantity, r.layer) for r in ledger_rows(st.sample_records(),
                                                              bias_modes=c.bias_modes)}
    assert ("b", 1) not in quantities and ("db", 1) not in quantities
    assert ("b", 2) in quantities and ("db", 2) not in quantities and ("b_new", 2) not in quantities


def test_bias_modes_round_trip_through_a_session(tmp_path):
    net = Network([2, 3, 1], init="uniform", seed=6, bias="frozen,none")
    s = core_session.Session.from_network(net)
    assert s.network["bias"] == ["frozen", "none"]
    core_session.save(tmp_path / "b.nnviz", s)
    back = core_session.load(tmp_path / "b.nnviz").build_network()
    assert back.bias_modes == ("frozen", "none")
    np.testing.assert_array_equal(back.params, net.params)
    bad = core_session.Session.from_network(net)
    bad.network["bias"] = ["frozen"] * 3
    with pytest.raises(core_session.SessionError, match="network.bias"):
        bad.validate()


def test_full_batch_epochs_in_slices_keep_frozen_and_absent_biases():
    net = Network([2, 3, 1], init="uniform", seed=7, bias="frozen,none")
    b0 = net.biases[0].copy()
    trainer = Trainer(net, X, Y, lr=0.5)
    trainer._slice_rows = 3  # a long epoch is trained in slices of rows (4 rows: 3 + 1)
    trainer.run(10)
    np.testing.assert_array_equal(net.biases[0], b0)
    np.testing.assert_array_equal(net.biases[1], 0.0)
