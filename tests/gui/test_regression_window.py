"""Regression in the window: the output that fits, R^2 / MAE in the status bar, the Fit dock."""

import numpy as np

from nnviz.core import metrics


def test_sine_gets_a_linear_output_scores_and_a_fit_curve(make_window, qtbot):
    w = make_window("--dataset", "sine", "--layers", "12", "--activation", "tanh",
                    "--lr", "0.05", "--test-ratio", "0.2")
    c = w.controller
    assert c.net.output == "linear"
    fit = w.features["fit_view"]
    assert fit.dock.isVisibleTo(w) and fit.view.mode == "curve"
    c.step_epoch(1500)
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch == 1500
                    and not c.last_snapshot.running, timeout=60_000)
    w.update_status()
    text = w.status_label.text()
    assert "R² " in text and "MAE " in text and "accuracy" not in text
    x, y = fit.view.curve.getData()
    np.testing.assert_allclose(y, c.display_net.predict(x[:, None])[:, 0])
    r2 = metrics.r2(c.display_net.predict(c.dataset.X_train), c.dataset.Y_train)
    assert f"R² {r2:.4f}" in text and r2 > 0.8


def test_two_inputs_show_predicted_against_true(make_window):
    w = make_window("--dataset", "bumps", "--layers", "8")
    c = w.controller
    assert c.net.output == "linear"  # the recommended setup of bumps
    view = w.features["fit_view"].view
    assert view.mode == "scatter"
    true, predicted = view.train_points.getData()
    np.testing.assert_array_equal(true, c.dataset.Y_train.ravel())
    np.testing.assert_allclose(predicted, c.display_net.predict(c.dataset.X_train).ravel())


def test_fit_dock_hidden_for_classes_and_dataset_switch_fits_the_output(make_window):
    w = make_window("--dataset", "xor")
    fit = w.features["fit_view"]
    assert not fit.dock.isVisibleTo(w)
    combo = w.controls.dataset
    combo.setCurrentText("sine")
    combo.activated.emit(combo.currentIndex())
    assert w.controller.settings.dataset == "sine" and w.controller.net.output == "linear"
    assert fit.dock.isVisibleTo(w)
    combo.setCurrentText("xor")
    combo.activated.emit(combo.currentIndex())
    assert w.controller.net.output == "sigmoid" and not fit.dock.isVisibleTo(w)


def test_csv_with_two_targets_opens_without_error(make_window, tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("i1,i2,t1,t2\n0.05,0.10,0.01,0.99\n0.5,0.2,0.3,0.6\n0.9,0.4,0.7,0.2\n")
    w = make_window("--dataset", "xor")
    assert w.load_csv(str(path), target=["t1", "t2"]) is None
    c = w.controller
    assert c.net.sizes[-1] == 2 and c.net.output == "sigmoid"
    assert w.features["fit_view"].view.mode == "scatter"
