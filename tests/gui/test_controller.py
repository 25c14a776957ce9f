"""The controller owns the settings: the hyper-parameters are checked once, when new settings are
made, and every copy the engine holds (trainer, the step panel's stepper, the saved session)
takes them from there."""

from __future__ import annotations

import dataclasses

import pytest

from nnviz.core import optim, spec
from nnviz.core.spec import HyperParams
from nnviz.gui import sessions
from nnviz.gui.controller import Settings


def stepper_of(window):
    return window.features["step_panel"].ensure_stepper()


@pytest.fixture
def lr_checks(monkeypatch):
    """How often a learning rate is checked (by the spec's rule, wherever it is applied)."""
    seen: list[object] = []
    real = spec.check_option

    def counting(name, value):  # noqa: ANN001, ANN202
        if name == "lr":
            seen.append(value)
        return real(name, value)

    monkeypatch.setattr(spec, "check_option", counting)
    monkeypatch.setattr(optim, "check_option", counting)
    return seen


def test_the_learning_rate_of_the_controls_is_the_trainers_the_steppers_and_the_sessions(
        make_window, lr_checks):
    w = make_window("--dataset", "xor")
    c = w.controller
    lr_checks.clear()
    assert c.set_lr(0.25) is None
    assert lr_checks == [0.25]  # once, on the way to the trainer
    assert c.settings.lr == c.settings.hyper.lr == c.trainer.lr == 0.25
    w.controls.lr.setValue(0.3)  # the field goes through set_lr
    assert c.settings.lr == c.settings.hyper.lr == c.trainer.lr == 0.3
    w.actions_by_name["actionStepNext"].trigger()
    assert stepper_of(w).lr == 0.3
    assert sessions.capture(w).hyper["lr"] == 0.3

    # changed again while stepping: the stepper's next update uses it too
    w.controls.lr.setValue(0.75)
    w.actions_by_name["actionStepNext"].trigger()
    assert c.trainer.lr == stepper_of(w).lr == 0.75
    assert sessions.capture(w).hyper["lr"] == 0.75
    w.actions_by_name["actionLeaveStepping"].trigger()
    assert c.settings.lr == c.trainer.lr == 0.75


def test_a_bad_learning_rate_is_refused_once_with_one_message_and_changes_nothing(
        make_window, lr_checks):
    w = make_window("--dataset", "xor", "--lr", "0.5")
    c = w.controller
    messages: list[str] = []
    c.statusChanged.connect(messages.append)
    before, trainer = c.settings, c.trainer
    lr_checks.clear()
    error = c.set_lr(-1.0)
    assert error == "learning rate must be a positive number, got -1.0"
    assert messages == [error] and lr_checks == [-1.0]
    assert c.settings is before and c.trainer is trainer and trainer.lr == 0.5
    assert c.set_optimizer(momentum=1.0) == "momentum must be in [0, 1), got 1.0"
    assert c.settings is before and trainer.momentum == 0.0


def test_live_changes_reach_the_trainer_as_one_hyper_params(make_window):
    w = make_window("--dataset", "xor")
    c = w.controller
    assert c.set_optimizer(momentum=0.5, l2=0.01) is None
    assert c.set_batch_size(2) is None
    h = c.settings.hyper
    assert (h.momentum, h.l2, h.batch_size) == (0.5, 0.01, 2)
    assert c.trainer.hyper == h.replace(epochs=None, shuffle=True)
    assert c.settings.momentum == 0.5 and c.settings.batch_size == 2


def test_settings_are_frozen_and_check_their_hyper_parameters() -> None:
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.lr = 2.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="L1 penalty must be >= 0"):
        dataclasses.replace(s, l1=-1.0)
    assert dataclasses.replace(s, lr=2).hyper == HyperParams(lr=2.0)
    net = dataclasses.replace(s, hidden=(3, 2), bias="trained,frozen,none").network_spec(2, 1)
    assert net.layers == (2, 3, 2, 1) and net.bias == ("trained", "frozen", "none")
