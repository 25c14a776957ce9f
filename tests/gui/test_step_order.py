"""One owner for the sample order, the epoch count and the learning rate while stepping: the
Step dock shows and steps the Stepper's order, which is the online Trainer's for the same seed,
and after step, back, rewind, leaving stepping and a saved and reopened session every reader
agrees, because there is only one copy (README, "Single-step backpropagation", "One counter")."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

from nnviz.core.network import Network
from nnviz.core.trainer import Trainer, epoch_order
from nnviz.gui import sessions
from nnviz.gui.step.step_panel import SAMPLES_TAB


def panel_of(w):
    return w.features["step_panel"]


def trigger(w, name, times=1):
    for _ in range(times):
        w.actions_by_name[name].trigger()


def trainer_orders(seed: int, n: int, epochs: int) -> list[list[int]]:
    """The samples an online Trainer with this seed visits, epoch by epoch."""
    X, Y = np.zeros((n, 2)), np.zeros((n, 1))
    t = Trainer(Network([2, 1], seed=0), X, Y, lr=0.5, batch_size=1, shuffle=True, seed=seed)
    return [list(epoch_order(t.rng, n, t.shuffle)) for _ in range(epochs)]


def next_order_of_trainer(w) -> list[int]:
    """The order the window's trainer would visit next (drawn from a copy of its generator)."""
    t = w.controller.trainer
    n = len(w.controller.dataset.X_train)
    return list(epoch_order(copy.deepcopy(t.rng), n, True))


def shown_visit(p) -> tuple[int, int]:
    """(sample row, k) from the header's "Sample r (k of n in this epoch's order)"."""
    m = re.search(r"Sample (\d+) \((\d+) of \d+ in this epoch's order\)", p.header_text())
    assert m, p.header_text()
    return int(m.group(1)) - 1, int(m.group(2))


def shown_next(p) -> int:
    """The row the sample picker marks as next."""
    t = p.samples
    rows = [r for r in range(t.rowCount()) if t.item(r, 0).text() == "next"]
    assert len(rows) == 1
    return rows[0]


def assert_one_order(w, epoch: int) -> None:
    """The panel, the stepper and the trainer agree on the order of ``epoch``."""
    p, c = panel_of(w), w.controller
    st = p.stepper
    assert c.trainer.epoch == st.epochs_done
    assert next_order_of_trainer(w) == list(st.order_of(st.epochs_done))
    row, k = shown_visit(p)
    assert int(st.order_of(epoch)[k - 1]) == row == st.position.sample
    assert shown_next(p) == st.next_sample


def test_the_panel_steps_the_stepper_order_which_is_the_trainer_order(make_window):
    w = make_window("--seed", "4")
    p, c = panel_of(w), w.controller
    n = len(c.dataset.X_train)
    p.shuffle.setChecked(True)
    p.tabs.setCurrentIndex(SAMPLES_TAB)
    expected = trainer_orders(4, n, 2)
    assert expected[0] != list(range(n)) or expected[1] != list(range(n))  # really shuffled

    stepped = []
    for epoch in (0, 1):
        for k in range(n):
            trigger(w, "actionStepNext")  # the first phase of the next sample
            assert shown_visit(p) == (expected[epoch][k], k + 1)
            assert_one_order(w, epoch)
            trigger(w, "actionFinishSample")
            stepped.append(p.stepper.current.sample)
    assert stepped == expected[0] + expected[1]
    assert c.trainer.epoch == 2 and next_order_of_trainer(w) == list(p.stepper.order_of(2))

    # back across the epoch boundary: the trainer's count and order follow the stepper
    trigger(w, "actionStepBack", p.stepper.phases_per_sample * n)
    assert p.stepper.current.epoch == 0 and p.stepper.current.kind == "update"
    assert c.trainer.epoch == 1 and next_order_of_trainer(w) == expected[1]
    assert_one_order(w, 0)
    # rewind to the very start: epoch 0 again, the trainer's generator as it was
    while p.stepper.can_back:
        trigger(w, "actionStepBack")
    assert p.stepper.current is None and c.trainer.epoch == 0
    assert next_order_of_trainer(w) == expected[0]
    # leave stepping: nothing moves; the next step takes up the same order
    trigger(w, "actionLeaveStepping")
    assert not p.active and c.trainer.epoch == 0 and next_order_of_trainer(w) == expected[0]
    rec = p.next_phase()
    assert (rec.sample, rec.epoch) == (expected[0][0], 0)
    assert_one_order(w, 0)


def test_the_panel_keeps_no_copy_of_the_stepper_state(make_window):
    w = make_window()
    p = panel_of(w)
    trigger(w, "actionStepNextSample")
    for owner in (p, p.session):
        for name in ("_order", "_seen", "_busy", "_counter", "_picked", "_pick_pending"):
            assert not hasattr(owner, name), (type(owner).__name__, name)


def test_the_panel_shows_the_learning_rate_the_stepper_uses_the_one_the_controls_set(
        make_window):
    w = make_window("--lr", "0.5")
    c, p = w.controller, panel_of(w)
    w.controls.lr.setValue(0.3)
    assert c.settings.lr == c.trainer.lr == 0.3
    trigger(w, "actionStepNext")  # forward 1: the stepper takes the controls' lr
    assert p.stepper.lr == 0.3
    w.controls.lr.setValue(0.2)  # in the middle of a sample: the update uses the new one
    trigger(w, "actionFinishSample")
    upd = p.stepper.current
    assert upd.kind == "update" and float(upd.values["lr"]) == 0.2 == p.stepper.lr
    assert "lr = 0.2)" in p.formula_text()
    p.select(edge=(2, 0, 0))
    assert " - 0.2 * (" in p.formula_text()
    # predicting, the masked update names it too
    w.controls.lr.setValue(0.7)
    p.set_predict(True)
    trigger(w, "actionStepNextSample")  # the next sample, up to its update, revealed
    trigger(w, "actionStepBack")
    trigger(w, "actionStepNext")  # its update again, hidden
    assert p.hidden and p.stepper.current.kind == "update"
    assert "(lr = 0.7)" in p.formula_text() and p.stepper.lr == c.trainer.lr == 0.7


@pytest.mark.parametrize("shuffle", [False, True])
def test_a_reopened_session_steps_on_where_it_was(make_window, tmp_path, shuffle):
    first = make_window("--seed", "2")
    p = panel_of(first)
    p.shuffle.setChecked(shuffle)
    n = len(first.controller.dataset.X_train)
    trigger(first, "actionStepNextSample", 2)
    trigger(first, "actionStepNext", 3)
    saved = p.stepper.position
    order = list(p.stepper.order_of(0))
    path = tmp_path / "stepping.nnviz"
    assert sessions.save_path(first, path) is None

    second = make_window()
    q = panel_of(second)
    q.shuffle.setChecked(shuffle)
    assert sessions.open_path(second, path) is None
    assert q.active and q.stepper.position == saved
    assert list(q.stepper.order_of(0)) == order
    assert "picked" not in q.header_text()  # in order, not as a pick
    assert second.controller.trainer.epoch == 0 == q.stepper.epochs_done

    # the last sample of an epoch finished: the next epoch, at its first sample
    trigger(first, "actionStepNextSample", 1 + n - 3)
    assert p.stepper.position == (0, order[-1], p.stepper.phases_per_sample)
    assert first.controller.trainer.epoch == 1
    following = int(p.stepper.order_of(1)[0])
    assert sessions.save_path(first, path) is None
    assert sessions.open_path(second, path) is None
    assert q.stepper.epochs_done == 1 == second.controller.trainer.epoch
    assert q.stepper.position == (1, following, 0) and not q.active
    assert np.array_equal(second.controller.net.params, first.controller.net.params)
