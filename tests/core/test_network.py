"""Network: backprop against finite differences, batch means, and the errors for bad settings."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nnviz.core import Network, gradient_check, gradient_check_detail
from nnviz.core.activations import HIDDEN_ACTIVATIONS
from nnviz.core.network import INITS, parse_layers

# Every (output, loss) pair the network accepts.
VALID_PAIRS = [
    ("sigmoid", "mse"),
    ("tanh", "mse"),
    ("linear", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "bce"),
    ("softmax", "cross_entropy"),
]
COMBOS = [(h, o, loss) for h in HIDDEN_ACTIVATIONS for o, loss in VALID_PAIRS]
# "small" (0.01 * randn) is left out of the random checks: its gradients in early layers of
# deep nets are ~1e-6, where the finite difference's rounding error (~1e-11) alone is > 1e-6
# relative. It gets its own shallow check below.
CHECK_INITS = tuple(i for i in INITS if i != "small")
KINKED = ("relu", "leaky_relu")


def make_data(
    rng: np.random.Generator, n_in: int, n_out: int, batch: int, output: str, loss: str
) -> tuple[np.ndarray, np.ndarray]:
    X = rng.normal(0.0, 1.0, (batch, n_in))
    if output == "softmax":
        Y = np.eye(n_out)[rng.integers(0, n_out, batch)]
    elif loss == "bce":
        Y = rng.integers(0, 2, (batch, n_out)).astype(float)
    elif output == "sigmoid":
        Y = rng.uniform(0.0, 1.0, (batch, n_out))
    elif output == "tanh":
        Y = rng.uniform(-1.0, 1.0, (batch, n_out))
    else:
        Y = rng.normal(0.0, 1.0, (batch, n_out))
    return X, Y


def min_abs_hidden_z(net: Network, X: np.ndarray) -> float:
    trace = net.forward(X)
    return min(float(np.abs(z).min()) for z in trace.z[:-1]) if net.n_layers > 1 else np.inf


@pytest.mark.parametrize(("hidden", "output", "loss"), COMBOS)
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_in=st.integers(1, 3),
    hidden_sizes=st.lists(st.integers(1, 4), min_size=0, max_size=2),
    n_out=st.integers(1, 3),
    batch=st.integers(1, 5),
    init=st.sampled_from(CHECK_INITS),
    seed=st.integers(0, 2**32 - 1),
)
def test_backprop_matches_finite_differences(
    hidden: str, output: str, loss: str, n_in: int, hidden_sizes: list[int], n_out: int,
    batch: int, init: str, seed: int,
) -> None:
    if output == "softmax":
        n_out = max(n_out, 2)
    sizes = [n_in, *hidden_sizes, n_out]
    rng = np.random.default_rng(seed)
    net = Network(sizes, activation=hidden, output=output, loss=loss, init=init, seed=seed)
    X, Y = make_data(rng, n_in, n_out, batch, output, loss)
    if hidden in KINKED:
        # A finite difference straddling the kink at 0 measures neither side's slope.
        assume(min_abs_hidden_z(net, X) > 1e-3)
    # Where a layer's gradient is ~0 (saturated units) the finite difference is rounding noise
    # of size ~1e-16 * E / eps; relative error is meaningless there, so such draws are skipped.
    grads = net.backward(net.forward(X), Y)
    floor = 1e-4 * (1.0 + net.loss(X, Y))
    assume(all(np.hypot(np.linalg.norm(w), np.linalg.norm(b)) > floor
               for w, b in zip(grads.dW, grads.db, strict=True)))
    errors = gradient_check(net, X, Y)
    assert len(errors) == net.n_layers
    assert max(errors) < 1e-6, (sizes, errors)


@pytest.mark.parametrize("batch", [1, 7])
@pytest.mark.parametrize(("hidden", "output", "loss"), COMBOS)
def test_gradient_check_batch_of_one_and_several(
    hidden: str, output: str, loss: str, batch: int
) -> None:
    # Fixed deep-ish shape (2-5-3-3) so every combination is checked at both batch sizes.
    net = Network([2, 5, 3, 3], activation=hidden, output=output, loss=loss, seed=3)
    X, Y = make_data(np.random.default_rng(11), 2, 3, batch, output, loss)
    assert min_abs_hidden_z(net, X) > 1e-4
    detail = gradient_check_detail(net, X, Y)
    assert detail.max_error < 1e-6, detail.errors
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(detail.dW[l], detail.numeric_dW[l], rtol=1e-5, atol=1e-9)
        np.testing.assert_allclose(detail.db[l], detail.numeric_db[l], rtol=1e-5, atol=1e-9)


def test_gradient_check_catches_a_wrong_gradient() -> None:
    # The check must be able to fail: a derivative that is off by a factor shows up as a large
    # error in the layers it feeds.
    net = Network([2, 3, 1], activation="tanh", seed=0)
    X, Y = make_data(np.random.default_rng(0), 2, 1, 4, "sigmoid", "mse")
    hidden = net._acts[0]
    bad = type(hidden)(hidden.name, hidden.f, lambda z, a, out=None: 2 * hidden.derivative(z, a),
                       hidden.formula, hidden.derivative_formula)
    net._acts[0] = bad
    errors = gradient_check(net, X, Y)
    assert errors[1] < 1e-6
    assert errors[0] > 0.1


def test_small_init_shallow_gradients() -> None:
    net = Network([3, 4, 2], activation="sigmoid", output="softmax", loss="cross_entropy",
                  init="small", seed=5)
    X, Y = make_data(np.random.default_rng(5), 3, 2, 6, "softmax", "cross_entropy")
    assert max(gradient_check(net, X, Y)) < 1e-6


def test_trace_and_gradient_shapes_follow_the_contract() -> None:
    net = Network("3,5,4,2", activation="tanh", output="softmax", loss="cross_entropy", seed=1)
    X = np.random.default_rng(0).normal(size=(6, 3))
    Y = np.eye(2)[[0, 1, 1, 0, 1, 0]]
    trace = net.forward(X)
    assert len(trace.z) == 3 and len(trace.a) == 4
    np.testing.assert_array_equal(trace.a[0], X)
    for l in range(3):  # noqa: E741
        assert trace.z[l].shape == (6, net.sizes[l + 1])
        np.testing.assert_allclose(trace.z[l], trace.a[l] @ net.weights[l] + net.biases[l],
                                   rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(trace.a[-1].sum(axis=1), 1.0, rtol=1e-14)
    grads = net.backward(trace, Y)
    for l in range(3):  # noqa: E741
        assert grads.delta[l].shape == (6, net.sizes[l + 1])
        assert grads.dW[l].shape == net.weights[l].shape
        assert grads.db[l].shape == net.biases[l].shape
        # dW of the batch mean is a^T delta / batch, db the mean delta.
        np.testing.assert_allclose(grads.dW[l], trace.a[l].T @ grads.delta[l] / 6, rtol=1e-12)
        np.testing.assert_allclose(grads.db[l], grads.delta[l].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize(("hidden", "output", "loss"),
                         [("sigmoid", "sigmoid", "mse"), ("relu", "softmax", "cross_entropy"),
                          ("tanh", "sigmoid", "bce"), ("leaky_relu", "linear", "mse")])
def test_full_batch_gradient_is_mean_of_per_sample_gradients(
    hidden: str, output: str, loss: str
) -> None:
    net = Network([3, 4, 3], activation=hidden, output=output, loss=loss, seed=2)
    X, Y = make_data(np.random.default_rng(2), 3, 3, 9, output, loss)
    full = net.backward(net.forward(X), Y)
    singles = [net.backward(net.forward(X[i]), Y[i : i + 1]) for i in range(len(X))]
    for l in range(net.n_layers):  # noqa: E741
        np.testing.assert_allclose(full.dW[l], np.mean([g.dW[l] for g in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(full.db[l], np.mean([g.db[l] for g in singles], axis=0),
                                   rtol=1e-12, atol=1e-15)
        # delta is per sample: row i of the batch equals sample i alone.
        np.testing.assert_allclose(full.delta[l], np.vstack([g.delta[l] for g in singles]),
                                   rtol=1e-12, atol=1e-15)


def test_loss_is_the_mean_of_the_per_sample_loss() -> None:
    net = Network([2, 3, 2], output="sigmoid", loss="mse", seed=0)
    X = np.array([[0.0, 1.0], [1.0, 0.5], [-1.0, 2.0]])
    Y = np.array([[0.0, 1.0], [1.0, 1.0], [0.5, 0.0]])
    out = net.predict(X)
    per = 0.5 * ((out - Y) ** 2).sum(axis=1)
    np.testing.assert_allclose(net.per_sample_loss(X, Y), per, rtol=1e-14)
    assert net.loss(X, Y) == pytest.approx(per.mean(), rel=1e-14)


def test_weights_and_biases_are_views_of_params() -> None:
    net = Network([2, 3, 1], seed=0)
    net.weights[1][0, 0] = 42.0
    net.biases[0][2] = -7.0
    assert 42.0 in net.params and -7.0 in net.params
    assert net.weight_mask.sum() == 2 * 3 + 3 * 1
    clone = net.copy()
    clone.weights[0][...] = 0.0
    assert np.any(net.weights[0] != 0.0)


def test_same_seed_same_weights_other_seed_differs() -> None:
    for init in INITS:
        a, b = Network([2, 4, 1], init=init, seed=7), Network([2, 4, 1], init=init, seed=7)
        assert np.array_equal(a.params, b.params)
        assert not np.array_equal(a.params, Network([2, 4, 1], init=init, seed=8).params)


# ---- bad settings give a ValueError that names the problem -------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"output": "sigmoid", "loss": "cross_entropy"}, "'cross_entropy' needs a softmax output"),
        ({"output": "linear", "loss": "cross_entropy"}, "'cross_entropy' needs a softmax output"),
        ({"output": "tanh", "loss": "bce"}, "'bce' needs a sigmoid output.*'tanh'"),
        ({"output": "linear", "loss": "bce"}, "'bce' needs a sigmoid output.*'linear'"),
        ({"output": "softmax", "loss": "bce"}, "'bce' needs a sigmoid output"),
        ({"sizes": [2, 3, 1], "output": "softmax"}, "softmax output needs at least 2 output"),
        ({"sizes": [2, 3, 1], "output": "softmax", "loss": "cross_entropy"},
         "softmax output needs at least 2 output"),
        ({"sizes": "2,,1"}, "size 2 is empty"),
        ({"sizes": "2,x,1"}, "'x' is not a whole number"),
        ({"sizes": "2,1.5,1"}, "'1.5' is not a whole number"),
        ({"sizes": "0"}, "must be >= 1, got 0"),
        ({"sizes": "2,0,1"}, "must be >= 1, got 0"),
        ({"sizes": "2,-3,1"}, "must be >= 1, got -3"),
        ({"sizes": ""}, "empty"),
        ({"sizes": "3"}, "at least an input and an output layer"),
        ({"activation": "swish"}, "unknown activation 'swish'"),
        ({"activation": "softmax"}, "'softmax' cannot be a hidden activation"),
        ({"output": "relu"}, "'relu' cannot be an output activation"),
        ({"output": "gelu"}, "unknown activation 'gelu'"),
        ({"init": "glorot"}, "unknown init 'glorot'; choose one of xavier"),
        ({"loss": "hinge"}, "unknown loss 'hinge'; choose one of mse"),
    ],
)
def test_invalid_settings_raise_clear_value_errors(kwargs: dict, message: str) -> None:
    kwargs = {"sizes": [2, 3, 2], **kwargs}
    with pytest.raises(ValueError, match=message):
        Network(**kwargs)


def test_parse_layers() -> None:
    assert parse_layers("2,4,1") == (2, 4, 1)
    assert parse_layers(" 2, 16 ,16,1 ") == (2, 16, 16, 1)
    assert parse_layers([3, 5, 2]) == (3, 5, 2)


def test_wrong_input_and_target_shapes_are_named() -> None:
    net = Network([2, 3, 1], seed=0)
    with pytest.raises(ValueError, match="input has 3 features .* first layer has 2 units"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"targets have shape \(4, 2\), expected \(4, 1\)"):
        net.backward(net.forward(np.zeros((4, 2))), np.zeros((4, 2)))


def test_set_params_validates_and_leaves_the_network_unchanged_on_error() -> None:
    net = Network([2, 3, 1], seed=0)
    before = net.params.copy()
    w, b = net.get_params()
    w[1] = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"weights\[1\] has shape \(3, 2\), expected \(3, 1\)"):
        net.set_params(w, b)
    w, b = net.get_params()
    w[0][0, 0] = np.nan
    with pytest.raises(ValueError, match="layer 0 parameters contain NaN"):
        net.set_params(w, b)
    assert np.array_equal(net.params, before)
