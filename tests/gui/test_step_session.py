"""The stepping session (nnviz.gui.step.session): outside changes reported once, whoever reads
the stepper first; picks refused in the middle of a sample; the gradient check's limits."""

from __future__ import annotations

RESTART = "The weights changed outside the stepper"


def panel_of(w):
    return w.features["step_panel"]


def trigger(w, name, times=1):
    for _ in range(times):
        w.actions_by_name[name].trigger()


def listen(w) -> list[str]:
    """The messages the window's status bar shows from now on, in order."""
    texts: list[str] = []
    w.statusBar().messageChanged.connect(lambda t: texts.append(t) if t else None)
    return texts


def test_an_outside_change_is_reported_once_whoever_reads_the_stepper_first(make_window):
    w = make_window()
    c, p = w.controller, panel_of(w)
    trigger(w, "actionStepNext", 2)
    session = p.session
    assert not session.outside_change()
    with c.worker.lock:
        c.net.params[0] += 0.5  # behind everybody's back, no signal
    assert p.stepper.position.phase == 0  # another reader (a session save) notices first
    assert session.outside_change()
    assert not session.outside_change()


def test_an_edited_weight_restarts_the_sample_with_one_note(make_window):
    w = make_window()
    shown = listen(w)
    c, p = w.controller, panel_of(w)
    trigger(w, "actionStepNext", 3)
    row = p.stepper.position.sample
    c.edit_weight(0, 0, 0, 0.25)
    assert not p.active and p.stepper.current is None
    assert sum(RESTART in t for t in shown) == 1
    rec = p.next_phase()  # the same row again, from its first phase, with the edited weight
    assert (rec.sample, rec.index) == (row, 0) and rec.values["W"][0, 0] == 0.25
    assert p.active and sum(RESTART in t for t in shown) == 1


def test_a_pick_waits_for_the_sample_boundary(make_window):
    w = make_window()
    shown = listen(w)
    p = panel_of(w)
    trigger(w, "actionStepNext")
    assert not p.pick_sample(3)
    assert shown[-1].startswith("Finish this sample first (sample 1 is at phase 1 of 7")
    trigger(w, "actionFinishSample")
    assert p.pick_sample(3) and p.stepper.next_sample == 3
    assert w.controller.selected_sample == 3  # the one selection follows the pick
    trigger(w, "actionStepNext")
    assert "Sample 4 (picked, out of order)" in p.header_text()


def test_the_gradient_check_refuses_networks_too_large_to_check(make_window):
    from nnviz.gui.step.session import MAX_CHECK_PARAMS

    w = make_window("--layers", "80,80")  # 2-80-80-1: 6,801 parameters
    shown = listen(w)
    assert w.controller.net.params.size > MAX_CHECK_PARAMS
    assert panel_of(w).gradient_check() is None
    assert shown[-1].startswith("Gradient check is for small networks: this one has 6,801")
