"""The Step dock driven through its actions and keys, checked against numbers worked by hand."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from nnviz.core.explain import fmt
from nnviz.core.ledger import ledger_csv, ledger_markdown
from nnviz.core.network import Network
from nnviz.core.stepper import phase_plan
from nnviz.core.trainer import Trainer

STEP_ACTIONS = ("actionStepNext", "actionStepBack", "actionStepNextSample", "actionFinishSample",
                "actionRunToEpochEnd", "actionPredictReveal", "actionRevealNext",
                "actionGradientCheck", "actionExportLedgerCsv", "actionExportLedgerMarkdown",
                "actionLeaveStepping")

# The 2-2-1 example worked by hand below: x = (1, 1), t = 0 (row 3 of xor), lr = 0.5.
W1 = np.array([[0.15, 0.25], [0.20, 0.30]])
B1 = np.array([0.35, 0.35])
W2 = np.array([[0.40], [0.45]])
B2 = np.array([0.60])


def act(window, name):
    return window.actions_by_name[name]


def panel_of(window):
    return window.features["step_panel"]


def trigger(window, name, times=1):
    for _ in range(times):
        act(window, name).trigger()


def bits(a):
    return np.ascontiguousarray(a).view(np.uint64).copy()


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def hand_example():
    """Every number of row 3's phases, computed here without the core."""
    x, t, lr = np.array([1.0, 1.0]), 0.0, 0.5
    z1 = x @ W1 + B1
    a1 = sigmoid(z1)
    z2 = float(a1 @ W2[:, 0] + B2[0])
    a2 = float(sigmoid(z2))
    d2 = (a2 - t) * a2 * (1 - a2)
    d1 = a1 * (1 - a1) * W2[:, 0] * d2
    g2 = a1 * d2  # dE/dW2[:, 0]
    w2_new = W2[:, 0] - lr * g2
    return dict(z1=z1, a1=a1, z2=z2, a2=a2, d2=d2, d1=d1, g2=g2, w2_new=w2_new)


def hand_window(make_window):
    w = make_window("--layers", "2", "--lr", "0.5")
    c = w.controller
    with c.worker.lock:
        c.net.set_params([W1, W2], [B1, B2])
    c.refresh_from_network()
    return w


def activate(qtbot, w):
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.network_view.setFocus()


def wait_settled(qtbot, w):
    c = w.controller
    qtbot.waitUntil(lambda: c.last_snapshot is not None and not c.last_snapshot.running,
                    timeout=5000)


def test_dock_actions_and_menu(make_window):
    w = make_window()
    p = panel_of(w)
    assert w.docks["step"].widget() is p
    assert w.docks["step"].objectName() == "dock_step"
    menu_actions = {a.objectName() for a in p.menu.actions()}
    for name in STEP_ACTIONS:
        assert act(w, name).objectName() == name
        assert name in menu_actions
    keys = {name: [k.toString() for k in act(w, name).shortcuts()] for name in STEP_ACTIONS}
    assert keys["actionStepNext"] == ["N", "Right"]
    assert keys["actionStepBack"] == ["B", "Left"]
    assert keys["actionStepNextSample"] == ["Shift+N"]
    assert keys["actionPredictReveal"] == ["P"]
    assert act(w, "actionPredictReveal").isCheckable()
    assert p.stepper is None  # created on first use only
    assert "Press N" in p.header_text()


def test_keys_walk_the_phases_in_order_and_back(qtbot, make_window):
    w = make_window()  # xor 2-4-1: 7 phases a sample
    p = panel_of(w)
    plan = phase_plan(2)
    activate(qtbot, w)
    view = w.network_view
    seen = []
    for key in (Qt.Key.Key_N, Qt.Key.Key_N, Qt.Key.Key_Right, Qt.Key.Key_N):
        qtbot.keyClick(view, key)
        cur = p.stepper.current
        seen.append((cur.kind, cur.layer))
    assert seen == list(plan[:4])
    assert "phase 4/7: " in p.header_text() and "output delta" in p.header_text()
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert (p.stepper.current.kind, p.stepper.current.layer) == plan[2]
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert (p.stepper.current.kind, p.stepper.current.layer) == plan[1]
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)  # finish the sample
    recs = p.stepper.sample_records()
    assert [(r.kind, r.layer) for r in recs] == list(plan)
    assert recs[-1].sample == 0
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)  # a whole sample
    assert p.stepper.current.kind == "update" and p.stepper.current.sample == 1
    assert p.active


def test_shortcuts_leave_text_fields_and_spin_boxes_alone(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    activate(qtbot, w)
    edit = w.controls.hidden
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "nb")
    assert edit.text() == "nb"
    for spin in (w.controls.seed, p.precision_spin):
        spin.setFocus()
        qtbot.keyClick(spin, Qt.Key.Key_Left)
        qtbot.keyClick(spin, Qt.Key.Key_Right)
    assert p.stepper is None  # nothing stepped
    w.network_view.setFocus()
    qtbot.keyClick(w.network_view, Qt.Key.Key_Right)
    assert p.stepper.current.kind == "forward"


def test_back_through_an_update_restores_weights_bit_for_bit(make_window):
    w = make_window("--momentum", "0.9")
    c, p = w.controller, panel_of(w)
    before = bits(c.net.params)
    trigger(w, "actionStepNextSample")  # one whole sample, through its update
    after_one = bits(c.net.params)
    assert not np.array_equal(before, after_one)
    trigger(w, "actionStepNextSample")
    assert not np.array_equal(after_one, bits(c.net.params))
    trigger(w, "actionStepBack")  # undo the second update (velocity too)
    assert np.array_equal(bits(c.net.params), after_one)
    assert np.array_equal(bits(c.display_net.params), after_one)  # the views follow
    trigger(w, "actionStepBack", times=6 + 7)  # the rest of sample 2, then all of sample 1
    assert np.array_equal(bits(c.net.params), before)
    assert p.stepper.current is None
    trigger(w, "actionStepBack")  # nothing left: no change, a message
    assert np.array_equal(bits(c.net.params), before)
    assert "Nothing to undo" in w.statusBar().currentMessage()


def test_formula_of_the_hand_worked_2_2_1_example(make_window):
    w = hand_window(make_window)
    p = panel_of(w)
    h = hand_example()
    assert p.pick_sample(3)
    trigger(w, "actionStepNext")  # forward, layer 1
    view = w.network_view
    view.click_at(view.node_pos(1, 0))  # the node's click selects it for the panel
    text = p.formula_text()
    assert "z^(1)_1 = sum_i a^(0)_i w^(1)_i1 + b^(1)_1 = 1.0000 * 0.1500 + 1.0000 * 0.2000" \
           " + 0.3500 = 0.7000" in text
    assert f"a^(1)_1 = sigmoid(z^(1)_1) = 1/(1+e^-0.7000) = {h['a1'][0]:.4f}" in text
    assert "Sample 4 (picked, out of order)" in p.header_text()

    trigger(w, "actionStepNext", 3)  # forward 2, loss, output delta
    p.select(node=(2, 0))
    text = p.formula_text()
    assert (f"delta^(2)_1 = (a^(2)_1 - t_1) * f'(z^(2)_1) = ({h['a2']:.4f} - 0.0000) * "
            f"{h['a2'] * (1 - h['a2']):.4f} = {h['d2']:.4f}") in text

    trigger(w, "actionStepNext")  # backward, layer 1
    p.select(node=(1, 1))
    text = p.formula_text()
    s1 = h["a1"][1] * (1 - h["a1"][1])
    assert (f"delta^(1)_2 = f'(z^(1)_2) * sum_k w^(2)_2k delta^(2)_k = {s1:.4f} * "
            f"(0.4500 * {h['d2']:.4f}) = {h['d1'][1]:.4f}") in text

    trigger(w, "actionStepNext")  # gradients
    p.select(edge=(2, 0, 0))
    assert (f"dE/dw^(2)_11 = a^(1)_1 * delta^(2)_1 = {h['a1'][0]:.4f} * {h['d2']:.4f} = "
            f"{h['g2'][0]:.4f}") in p.formula_text()

    trigger(w, "actionStepNext")  # update
    assert (f"w^(2)_11 <- w - lr * a^(1)_1 * delta^(2)_1 = 0.4000 - 0.5 * "
            f"({h['a1'][0]:.4f} * {h['d2']:.4f}) = {h['w2_new'][0]:.4f}") in p.formula_text()
    assert w.controller.net.weights[1][0, 0] == pytest.approx(h["w2_new"][0], abs=1e-15)

    p.precision_spin.setValue(7)
    assert f"= {h['w2_new'][0]:.7f}" in p.formula_text()
    # the values table of the update shows old -> new
    cells = [p.values.item(r, 2).text() for r in range(p.values.rowCount())]
    assert f"0.4000000 → {h['w2_new'][0]:.7f}" in cells


def test_predict_then_reveal_hides_the_numbers_everywhere(make_window):
    w = hand_window(make_window)
    c, p, view = w.controller, panel_of(w), w.network_view
    h = hand_example()
    p.pick_sample(3)
    p.tabs.setCurrentIndex(2)  # the sample picker shows predictions: not this one's
    trigger(w, "actionPredictReveal")
    assert act(w, "actionPredictReveal").isChecked()
    trigger(w, "actionStepNext")  # forward, layer 1: computed, not shown
    assert p.hidden and act(w, "actionRevealNext").isEnabled()
    a1 = f"{h['a1'][0]:.4f}"
    text = p.formula_text()
    assert "= ?" in text and a1 not in text and "0.7000" not in text
    assert "1.0000 * 0.1500 + 1.0000 * 0.2000 + 0.3500 = ?" in text  # the known inputs are
    cells = [p.values.item(r, 2).text() for r in range(p.values.rowCount())]
    whats = [p.values.item(r, 1).text() for r in range(p.values.rowCount())]
    assert cells[whats.index("a = f(z)")] == "?"
    assert not any(a1 in cell for cell in cells)
    assert a1 not in p.header_text()
    tip = view.tooltip_text_at(view.node_pos(1, 0))
    assert "0.668" not in tip
    trigger(w, "actionStepNext")  # N reveals (no new phase)
    assert not p.hidden
    assert p.stepper.current.kind == "forward" and p.stepper.current.layer == 1
    assert a1 in p.formula_text()
    assert "0.668" in view.tooltip_text_at(view.node_pos(1, 0))

    last = p.samples.columnCount() - 1
    assert p.samples.item(3, last).text() == "?"  # the output of row 3 is not revealed yet
    trigger(w, "actionStepNext")  # forward 2, hidden
    assert p.samples.item(3, last).text() == "?"
    trigger(w, "actionRevealNext")
    assert p.samples.item(3, last).text() == f"{h['a2']:.4f}"

    # a hidden update keeps the new weights off the screen until revealed
    for _ in range(4):  # loss, output delta, backward 1, gradients
        trigger(w, "actionStepNext")
        trigger(w, "actionRevealNext")
    old = c.display_net.params.copy()
    trigger(w, "actionStepNext")  # update, hidden
    assert p.stepper.current.kind == "update" and p.hidden
    assert not np.array_equal(c.net.params, old)  # the net is updated ...
    assert np.array_equal(c.display_net.params, old)  # ... the views still show the old weights
    assert f"{h['w2_new'][0]:.4f}" not in p.formula_text()
    trigger(w, "actionRevealNext")
    assert np.array_equal(c.display_net.params, c.net.params)
    assert f"{h['w2_new'][0]:.4f}" in " ".join(
        p.values.item(r, 2).text() for r in range(p.values.rowCount()))

    # back takes a hidden phase back; turning the toggle off reveals
    trigger(w, "actionStepNext")  # the next sample's forward 1, hidden
    assert p.hidden
    trigger(w, "actionStepBack")
    assert not p.hidden and p.stepper.current.kind == "update"
    trigger(w, "actionStepNext")
    trigger(w, "actionPredictReveal")
    assert not p.hidden and not act(w, "actionPredictReveal").isChecked()


def test_sample_picker_picks_the_next_sample(qtbot, make_window):
    w = make_window()
    p = panel_of(w)
    p.tabs.setCurrentIndex(2)
    table = p.samples
    assert table.rowCount() == 4
    assert [table.item(r, 1).text() for r in range(4)] == ["1", "2", "3", "4"]  # 1-based

    def click(row):
        rect = table.visualItemRect(table.item(row, 2))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    click(2)
    assert p.stepper.next_sample == 2
    trigger(w, "actionStepNext")
    assert p.stepper.current.sample == 2
    assert "Sample 3 (picked, out of order)" in p.header_text()
    click(1)  # in the middle of a sample: refused
    assert "finish this sample first" in w.statusBar().currentMessage().lower()
    assert p.stepper.next_sample == 0  # the order goes on where it was
    trigger(w, "actionFinishSample")
    assert p.stepper.current.kind == "update" and p.stepper.current.sample == 2
    click(1)
    trigger(w, "actionStepNext")
    assert p.stepper.current.sample == 1
    assert table.item(1, 0).text() == "●"  # the current row is marked
    # predictions come from the weights on screen
    pred = w.controller.display_net.predict(w.controller.dataset.X_train)
    assert table.item(3, table.columnCount() - 1).text() == fmt(pred[3, 0], 4)


def test_gradient_check_agrees_with_backprop(make_window):
    w = make_window()
    p = panel_of(w)
    trigger(w, "actionStepNext", 6)  # up to the gradients phase
    rec = p.stepper.current
    assert rec.kind == "gradients"
    trigger(w, "actionGradientCheck")
    gc = p.last_gradient_check
    assert gc is not None and gc.max_error < 1e-6
    assert all(e < 1e-6 for e in gc.errors) and len(gc.errors) == 2
    for layer in (1, 2):  # the very gradient the panel showed
        np.testing.assert_allclose(gc.dW[layer - 1], rec.values[f"dW_{layer}"], rtol=0,
                                   atol=1e-15)
    assert p.check_table.rowCount() == w.controller.net.params.size  # every weight and bias
    assert "agrees" in p.check_summary.text()
    assert p.tabs.currentIndex() == 3
    # after the update it checks the weights the sample was stepped with, not the new ones
    trigger(w, "actionStepNext")
    trigger(w, "actionGradientCheck")
    np.testing.assert_allclose(p.last_gradient_check.dW[1], rec.values["dW_2"], rtol=0,
                               atol=1e-15)


def test_ledger_export_csv_and_markdown(make_window, tmp_path, monkeypatch):
    w = make_window()
    p = panel_of(w)
    target = {"path": ""}
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (target["path"], "")))
    trigger(w, "actionExportLedgerCsv")  # nothing stepped yet
    assert "Nothing to export" in w.statusBar().currentMessage()
    trigger(w, "actionStepNextSample")
    records = p.stepper.sample_records()
    assert len(records) == 7

    target["path"] = str(tmp_path / "ledger.csv")
    trigger(w, "actionExportLedgerCsv")
    text = (tmp_path / "ledger.csv").read_text(encoding="utf-8")
    assert text == ledger_csv(records)
    assert text.startswith("phase,kind,layer,quantity,index,value\n")
    assert "written to" in w.statusBar().currentMessage()

    target["path"] = str(tmp_path / "handout")  # no suffix: .md is added
    trigger(w, "actionExportLedgerMarkdown")
    md = (tmp_path / "handout.md").read_text(encoding="utf-8")
    assert md.startswith("# Ledger: sample 1, epoch 1\n")
    assert ledger_markdown(records, precision=4) in md

    target["path"] = str(tmp_path / "missing" / "x.csv")
    trigger(w, "actionExportLedgerCsv")
    assert "Could not write" in w.statusBar().currentMessage()
    target["path"] = ""  # cancelled: nothing happens
    assert p.export_ledger_csv() is None


def test_stepping_pauses_live_training(qtbot, make_window):
    w = make_window()
    c, p = w.controller, panel_of(w)
    trigger(w, "actionPlay")
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch > 0,
                    timeout=5000)
    trigger(w, "actionStepNextSample")  # pauses first, then a whole sample with the lock held
    assert not c.playing and not c.worker.playing
    wait_settled(qtbot, w)
    stepped = c.net.params.copy()
    epoch = c.trainer.epoch
    trigger(w, "actionStepNext", 3)
    assert c.trainer.epoch == epoch  # no training in between
    assert p.stepper.current.kind == "loss"
    # the worker's last snapshot (sent before the step) does not leave old weights on screen
    qtbot.waitUntil(lambda: np.array_equal(c.display_net.params, c.net.params), timeout=5000)
    assert np.array_equal(c.net.params, stepped)


def test_play_and_step_epoch_continue_from_the_stepped_weights(qtbot, make_window):
    w = make_window("--lr", "2")
    c, p = w.controller, panel_of(w)
    trigger(w, "actionStepNextSample")
    trigger(w, "actionStepNext", 3)  # leave a sample in progress
    stepped = c.net.params.copy()
    view = w.network_view

    def train_from_stepped(epochs):
        net = Network(c.net.sizes, activation="sigmoid", seed=0)
        net.params[:] = stepped
        Trainer(net, c.dataset.X_train, c.dataset.Y_train, lr=2.0, seed=0).run(epochs)
        return net.params

    with qtbot.waitSignal(c.metricsChanged, timeout=5000):
        trigger(w, "actionStepEpoch")
    assert np.array_equal(c.net.params, train_from_stepped(1))
    # the stepper's records are void now: the normal view, and a word why
    assert not p.active
    assert "changed outside the stepper" in w.statusBar().currentMessage()

    trigger(w, "actionStepNext")
    assert p.active
    trigger(w, "actionPlay")
    assert not p.active  # Play leaves step mode: the normal view is back
    assert view.edge_mode() == "weight"
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch >= 50,
                    timeout=5000)
    trigger(w, "actionPlay")
    wait_settled(qtbot, w)
    assert np.array_equal(c.net.params, train_from_stepped(c.trainer.epoch))

    # the stepper notices the training: after N trained epochs it steps epoch N + 1, from
    # the first sample of the order the trainer would visit next, on the new weights
    trigger(w, "actionStepBack")
    assert "Nothing to undo" in w.statusBar().currentMessage()
    n = c.trainer.epoch
    rec = p.next_phase()
    assert (rec.kind, rec.layer, rec.epoch) == ("forward", 1, n)
    assert rec.sample == int(p.stepper.order_of(n)[0])
    assert p.stepper.position.phase == 1
    assert f"epoch {n + 1:,}" in p.header_text()
    np.testing.assert_array_equal(rec.values["W"], c.net.weights[0])


def test_view_follows_the_phase_and_is_restored_on_leaving(make_window):
    w = make_window()
    p, view = panel_of(w), w.network_view

    def exact(x):  # as the panel and the view write it: one digits setting
        from nnviz.core import notation

        return notation.number(x, view.digits)

    trigger(w, "actionStepNext")  # forward 1: the output is not computed yet
    early_tip = view.tooltip_text_at(view.node_pos(2, 0))
    hidden_tip = view.tooltip_text_at(view.node_pos(1, 0))
    trigger(w, "actionStepNext")  # forward 2
    out = p.stepper.current.values["a"][0]
    assert exact(out) not in early_tip
    assert exact(out) in view.tooltip_text_at(view.node_pos(2, 0))
    assert exact(p.stepper.sample_records()[0].values["a"][0]) in hidden_tip
    trigger(w, "actionStepNext", 4)  # loss, output delta, backward 1, gradients
    assert view.edge_mode() == "gradient"
    grad = p.stepper.current.values["dW_2"][0, 0]
    assert exact(grad) in view.tooltip_text_at(view.edge_point(1, 0, 0))
    trigger(w, "actionStepNext")  # update: edges show the new weights again
    assert view.edge_mode() == "weight"
    new_w = w.controller.net.weights[1][0, 0]
    assert exact(new_w) in view.tooltip_text_at(view.edge_point(1, 0, 0))
    trigger(w, "actionLeaveStepping")
    assert not p.active
    assert not act(w, "actionLeaveStepping").isEnabled()
    # the normal view: the controller's selected sample (row 0), every layer filled in
    assert "not computed" not in view.tooltip_text_at(view.node_pos(2, 0))


def test_rebuild_drops_the_stepper(make_window):
    w = make_window()
    c, p = w.controller, panel_of(w)
    trigger(w, "actionStepNext", 2)
    assert p.stepper is not None
    assert c.apply_settings(hidden=(3,)) is None
    assert p.stepper is None and not p.active
    rec = p.next_phase()
    assert rec.values["W"].shape == (2, 3)


def test_scale_palette_and_precision_limits(make_window):
    w = make_window()
    p = panel_of(w)
    trigger(w, "actionStepNext")
    size = p.formula.font().pointSizeF()
    p.set_scale(1.6)
    assert p.formula.font().pointSizeF() == pytest.approx(size * 1.6)
    p.set_palette_mode(True)
    p.set_palette_mode(False)
    with pytest.raises(ValueError, match="scale factor"):
        p.set_scale(0)
    with pytest.raises(ValueError, match="precision"):
        p.set_precision(1)
    p.set_precision(10)
    assert p.precision_spin.value() == 10


@pytest.mark.parametrize("shuffle", [False, True])
def test_run_to_epoch_end_equals_an_online_trainer_epoch(make_window, shuffle):
    w = make_window("--seed", "4")
    c, p = w.controller, panel_of(w)
    start = c.net.params.copy()
    p.shuffle.setChecked(shuffle)
    trigger(w, "actionStepNext", 3)  # part of the first sample, then the rest of the epoch
    trigger(w, "actionRunToEpochEnd")
    assert p.stepper.current.kind == "update"
    net = Network(c.net.sizes, activation="sigmoid", seed=4)
    net.params[:] = start
    Trainer(net, c.dataset.X_train, c.dataset.Y_train, lr=0.5, batch_size=1,
            shuffle=shuffle, seed=4).run(1)
    assert np.array_equal(bits(c.net.params), bits(net.params))
    assert "end of epoch 1" in w.statusBar().currentMessage()
    trigger(w, "actionStepNext")
    assert p.stepper.current.epoch == 1
    assert "epoch 2" in p.header_text()


def test_restore_position_for_sessions(make_window):
    w = make_window()
    p = panel_of(w)
    p.restore_position({"epoch": 0, "sample": 2, "phase": 3})
    cur = p.stepper.current
    assert (cur.sample, cur.index, cur.kind) == (2, 2, "loss")
    assert p.active and p.stepper.position.phase == 3
    p.restore_position({"epoch": 0, "sample": 1, "phase": "backward"})
    assert (p.stepper.current.sample, p.stepper.current.kind) == (1, "backward")
    with pytest.raises(ValueError, match="unknown phase"):
        p.restore_position({"epoch": 0, "sample": 1, "phase": "sideways"})
    with pytest.raises(ValueError, match="out of range"):
        p.restore_position({"epoch": 0, "sample": 9, "phase": 1})
