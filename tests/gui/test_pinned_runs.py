"""Pinned runs: curves that stay while the setup changes, labels naming what differs, at most 8,
removable, saved in sessions, exported as one CSV."""

from __future__ import annotations

import csv

import numpy as np

from nnviz.gui import sessions
from nnviz.gui.pinned_runs import MAX_PINS, PIN_POINTS, difference, thin


def train(qtbot, w, epochs: int) -> None:
    with qtbot.waitSignal(w.controller.metricsChanged, timeout=10_000):
        w.controller.step_epoch(epochs)


def legend_texts(w) -> list[str]:
    return [label.text for _, label in w.loss_plot.legend.items]


def test_pin_stays_through_a_new_setup_and_says_what_differs(qtbot, make_window):
    w = make_window("--layers", "2", "--lr", "0.5")
    pins = w.features["pinned_runs"]
    train(qtbot, w, 30)
    with w.controller.worker.lock:
        h = w.controller.trainer.history
        expected = (h.epoch.copy(), h.train_loss.copy())
    w.actions_by_name["actionPinRun"].trigger()
    assert len(pins.pins) == 1
    pin = pins.pins[0]
    np.testing.assert_array_equal(pin.epochs, expected[0])
    np.testing.assert_array_equal(pin.train, expected[1])
    assert "pin 1: same setup" in legend_texts(w)
    assert w.controller.apply_settings(lr=2.0) is None  # a new network: the pin stays
    assert pin.train_item.scene() is w.loss_plot.plot_widget.scene()
    assert "pin 1: lr 0.5 -> 2" in legend_texts(w)
    w.controller.apply_settings(seed=3)
    assert pins.pins[0].label == "pin 1: seed 0 -> 3, lr 0.5 -> 2"
    x, y = pin.train_item.getData()
    np.testing.assert_array_equal(y, expected[1])


def test_at_most_eight_and_each_removable(qtbot, make_window):
    w = make_window("--layers", "2")
    pins = w.features["pinned_runs"]
    assert pins.pin() == "Nothing to pin yet: train first"
    train(qtbot, w, 5)
    for _ in range(MAX_PINS):
        assert pins.pin() is None
    assert "At most 8" in pins.pin()
    assert len(pins.pins) == MAX_PINS
    pins._fill_menu()  # noqa: SLF001 (what aboutToShow does)
    removers = [a for a in pins.menu.actions() if a.text().startswith("Remove pin 3")]
    removers[0].trigger()
    assert [p.number for p in pins.pins] == [1, 2, 4, 5, 6, 7, 8]
    assert not any(t.startswith("pin 3:") for t in legend_texts(w))
    w.actions_by_name["actionClearPins"].trigger()
    assert pins.pins == [] and not any(t.startswith("pin") for t in legend_texts(w))


def test_pins_survive_save_and_open(qtbot, make_window, tmp_path):
    w = make_window("--dataset", "circles", "--layers", "3", "--test-ratio", "0.25")
    pins = w.features["pinned_runs"]
    train(qtbot, w, 20)
    pins.pin()
    w.controller.apply_settings(lr=1.5)
    train(qtbot, w, 10)
    pins.pin()
    path = tmp_path / "pins.nnviz"
    assert sessions.save_path(w, path) is None
    w2 = make_window()
    assert sessions.open_path(w2, path) is None
    p2 = w2.features["pinned_runs"]
    assert [p.number for p in p2.pins] == [1, 2]
    for a, b in zip(pins.pins, p2.pins, strict=True):
        np.testing.assert_array_equal(a.epochs, b.epochs)
        np.testing.assert_array_equal(a.train, b.train)
        np.testing.assert_array_equal(a.test, b.test)  # test losses, NaN-free here
        assert a.setup == b.setup and a.label == b.label
    assert np.isfinite(p2.pins[0].test).all()
    p2.pin()  # numbering goes on after the loaded pins
    assert p2.pins[-1].number == 3


def test_one_csv_with_every_pin(qtbot, make_window, tmp_path):
    w = make_window("--layers", "2")
    pins = w.features["pinned_runs"]
    train(qtbot, w, 4)
    pins.pin()
    train(qtbot, w, 3)
    pins.pin()
    rows = pins.export_csv(tmp_path / "pins.csv")
    with open(tmp_path / "pins.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert rows == len(table) == 4 + 7
    assert {r["pin"] for r in table} == {"1", "2"}
    first = [r for r in table if r["pin"] == "1"]
    assert [int(r["epoch"]) for r in first] == [1, 2, 3, 4]
    assert float(first[-1]["train_loss"]) == pins.pins[0].train[-1]
    assert first[0]["test_loss"] == ""  # no test split: empty, not nan


def test_difference_and_thinning() -> None:
    a = {"lr": 0.5, "hidden": [4], "batch_size": None, "seed": 0}
    b = {"lr": 2.0, "hidden": [8, 8], "batch_size": 16, "seed": 0}
    assert difference(a, b) == "hidden 4 -> 8,8, lr 0.5 -> 2, batch full -> 16"
    assert difference(a, dict(a)) == "same setup"
    e = np.arange(1, 100_001)
    kept, y = thin(e, e * 2.0)
    assert len(kept) <= PIN_POINTS and kept[0] == 1 and kept[-1] == 100_000
    np.testing.assert_array_equal(y, kept * 2.0)
