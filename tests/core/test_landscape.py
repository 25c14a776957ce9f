"""The loss landscape: the plane, its directions, the path's projection and `nnviz landscape`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz import cli
from nnviz.core import Network, Trainer, datasets
from nnviz.core.landscape import (
    compute_landscape,
    pca_directions,
    plane_points,
    project,
    random_directions,
    stacked_losses,
)


def trained(sizes=(2, 4, 1), name="xor", epochs=300, seed=0, n=None, **net_options):
    ds = datasets.load_dataset(name, n=n, seed=seed)
    net = Network(sizes, seed=seed, **net_options)
    trainer = Trainer(net, ds.X_train, ds.Y_train, lr=0.5, seed=seed)
    path = [net.params.copy()]
    for _ in range(10):
        trainer.run(epochs // 10)
        path.append(net.params.copy())
    return net, ds.X_train, ds.Y_train, np.array(path)


def loss_at(net: Network, params: np.ndarray, X, Y) -> float:
    other = net.copy()
    other.params[...] = params
    return other.loss(X, Y)


@pytest.mark.parametrize("directions", ["pca", "random"])
def test_centre_of_the_grid_is_the_current_loss(directions: str) -> None:
    net, X, Y, path = trained()
    land = compute_landscape(net, X, Y, path, directions=directions, grid=51)
    assert land.grid.shape == (51, 51)
    assert land.alphas[25] == 0.0 and land.betas[25] == 0.0
    assert land.grid[25, 25] == pytest.approx(net.loss(X, Y), abs=1e-12)
    assert land.current_loss == pytest.approx(net.loss(X, Y), abs=1e-12)


@pytest.mark.parametrize("loss,output", [("mse", "sigmoid"), ("bce", "sigmoid"),
                                         ("cross_entropy", "softmax")])
def test_a_plane_point_recomputed_with_network_loss_matches_the_grid(loss, output) -> None:
    name, sizes = ("xor", (2, 3, 1)) if output == "sigmoid" else ("iris", (4, 5, 3))
    net, X, Y, path = trained(sizes, name, output=output, loss=loss, activation="tanh")
    land = compute_landscape(net, X, Y, path, grid=11)
    dirs = land.basis
    np.testing.assert_array_equal(dirs, pca_directions(path, net.params)[0])
    for i, j in ((0, 0), (3, 7), (10, 2), (5, 5)):
        theta = net.params + land.alphas[j] * dirs[0] + land.betas[i] * dirs[1]
        assert land.grid[i, j] == pytest.approx(loss_at(net, theta, X, Y), abs=1e-12)


def test_batched_grid_equals_per_point_evaluation() -> None:
    net, X, Y, _ = trained((2, 16, 16, 1), "checkerboard", n=64, epochs=50)
    dirs = random_directions(net, seed=3)
    alphas, betas = np.linspace(-1, 1, 7), np.linspace(-0.5, 0.5, 5)
    points = plane_points(net.params, dirs, alphas, betas)
    batched = stacked_losses(net, X, Y, points)
    single = np.array([loss_at(net, p, X, Y) for p in points])
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-12)


def test_chunks_do_not_change_the_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from nnviz.core import landscape

    net, X, Y, path = trained()
    whole = stacked_losses(net, X, Y, path)
    monkeypatch.setattr(landscape, "CHUNK_ELEMENTS", 1)  # one parameter vector per chunk
    np.testing.assert_array_equal(stacked_losses(net, X, Y, path), whole)


def test_pca_directions_are_orthonormal_and_explain_the_variance() -> None:
    _, _, _, path = trained(epochs=500)
    dirs, ratio = pca_directions(path, path[-1])
    np.testing.assert_allclose(dirs @ dirs.T, np.eye(2), atol=1e-12)
    assert ratio[0] >= ratio[1] >= 0 and ratio.sum() <= 1 + 1e-12


@given(st.integers(0, 2**31 - 1))
@settings(max_examples=25, deadline=None)
def test_projection_reproduces_recorded_losses_of_a_path_in_the_plane(seed: int) -> None:
    """A path made inside a plane through the current weights: its projection lands on its
    points, so the plane's loss there is the loss recorded along the path."""
    rng = np.random.default_rng(seed)
    net, X, Y, _ = trained(epochs=100)
    u, v = rng.standard_normal((2, net.n_params()))
    coords = rng.uniform(-2, 2, (12, 2))
    coords[-1] = 0.0  # the path ends at the current weights
    path = net.params + coords[:, :1] * u + coords[:, 1:] * v
    recorded = np.array([loss_at(net, p, X, Y) for p in path])
    dirs, ratio = pca_directions(path, net.params)
    np.testing.assert_allclose(dirs @ dirs.T, np.eye(2), atol=1e-10)
    ab = project(net.params, dirs, path)
    back = net.params + ab[:, :1] * dirs[0] + ab[:, 1:] * dirs[1]
    np.testing.assert_allclose(back, path, atol=1e-9)
    np.testing.assert_allclose(stacked_losses(net, X, Y, back), recorded, atol=1e-12)
    land = compute_landscape(net, X, Y, path, grid=5)
    np.testing.assert_allclose(land.trajectory[:, :2], ab, atol=1e-9)
    np.testing.assert_allclose(land.trajectory[:, 2], recorded, atol=1e-12)
    assert ratio.sum() == pytest.approx(1.0)


def test_random_directions_are_filter_normalised() -> None:
    net, *_ = trained((2, 5, 3, 1))
    for d in random_directions(net, seed=1):
        for block, weights in zip(net._blocks(d), net._P, strict=True):
            np.testing.assert_allclose(np.linalg.norm(block, axis=0),
                                       np.linalg.norm(weights, axis=0), rtol=1e-12)


def test_line_runs_from_the_initial_to_the_current_weights() -> None:
    net, X, Y, path = trained()
    land = compute_landscape(net, X, Y, path, grid=5)
    at = dict(zip(np.round(land.line_t, 12), land.line_loss, strict=True))
    assert at[0.0] == pytest.approx(loss_at(net, path[0], X, Y), abs=1e-12)
    assert at[1.0] == pytest.approx(net.loss(X, Y), abs=1e-12)


def test_a_path_too_short_for_two_components_still_gives_a_plane() -> None:
    net, X, Y, _ = trained(epochs=10)
    land = compute_landscape(net, X, Y, None, grid=5)
    assert land.trajectory.shape == (0, 3)
    assert list(land.explained_variance) == [0.0, 0.0]
    assert land.grid[2, 2] == pytest.approx(net.loss(X, Y), abs=1e-12)


def test_bad_arguments_raise_clear_errors() -> None:
    net, X, Y, path = trained(epochs=10)
    with pytest.raises(ValueError, match="directions"):
        compute_landscape(net, X, Y, path, directions="sideways")
    with pytest.raises(ValueError, match="grid size"):
        compute_landscape(net, X, Y, path, grid=2)
    with pytest.raises(ValueError, match="expected"):
        stacked_losses(net, X, Y, np.zeros((3, 5)))


# ---- the command ----------------------------------------------------------------------------
def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["landscape", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--dataset", "xor", "--layers", "2,2,1", "--epochs", "400",
                             "--grid", "9", "--directions", "pca", "--json")
    assert code == 0, err
    doc = json.loads(out)
    for key in ("grid", "alphas", "betas", "trajectory", "directions", "explained_variance",
                "seconds"):
        assert key in doc
    assert np.array(doc["grid"]).shape == (9, 9)
    assert len(doc["alphas"]) == len(doc["betas"]) == 9
    assert all(len(row) == 3 for row in doc["trajectory"])
    assert doc["directions"] == "pca" and len(doc["explained_variance"]) == 2
    # the command's plane is the one the core computes for the same run
    net = Network((2, 2, 1), seed=0)
    ds = datasets.load_dataset("xor", seed=0)
    Trainer(net, ds.X_train, ds.Y_train, lr=0.5, seed=0).run(400)
    assert doc["grid"][4][4] == pytest.approx(net.loss(ds.X_train, ds.Y_train), abs=1e-12)
    assert doc["trajectory"][-1][2] == pytest.approx(doc["grid"][4][4], abs=1e-12)


def test_random_directions_have_no_explained_variance(capsys) -> None:
    code, out, _ = run_cli(capsys, "--epochs", "50", "--grid", "5", "--directions", "random",
                           "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["directions"] == "random" and doc["explained_variance"] is None


def test_text_report_and_png(capsys, tmp_path) -> None:
    out_png = tmp_path / "plane.png"
    code, out, err = run_cli(capsys, "--epochs", "100", "--grid", "7", "--out", str(out_png))
    assert code == 0, err
    assert "plane (pca, 7x7)" in out and "wrote" in out
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("argv,needle", [
    (["--grid", "2"], "--grid"),
    (["--grid", "500"], "--grid"),
    (["--directions", "up"], "--directions"),
    (["--out", "plane.jpg"], "--out"),
    (["--layers", "3,4,1"], "--layers"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, needle) -> None:
    try:
        code, out, err = run_cli(capsys, "--epochs", "5", *argv)
    except SystemExit as exc:
        code, (out, err) = exc.code, capsys.readouterr()
    assert code == 2 and out == ""
    assert needle in err and len(err.strip().splitlines()) == 1


def test_affordable_grid_is_odd_and_within_bounds() -> None:
    from nnviz.core.landscape import affordable_grid, forward_cost

    small = Network((2, 4, 1))
    big = Network((784, 128, 64, 10), output="softmax", loss="cross_entropy")
    assert forward_cost(small, 4) == 4 * (3 * 4 + 5 * 1)
    assert affordable_grid(small, 4, 5e8) == 51
    assert affordable_grid(big, 1000, 5e8) == 11
    side = affordable_grid(Network((2, 16, 16, 1)), 2000, 5e8)
    assert side % 2 == 1 and 11 <= side < 51


def test_a_cancelled_computation_stops_with_a_clear_exception() -> None:
    from nnviz.core.landscape import LandscapeCancelled

    net, X, Y, path = trained(epochs=10)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return True

    with pytest.raises(LandscapeCancelled):
        compute_landscape(net, X, Y, path, grid=5, cancelled=cancelled)
    assert calls == [1]
