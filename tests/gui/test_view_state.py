"""The ViewState: one owner of every view option, and every copy of an option agreeing with it
(the widgets showing it, the views drawing with it, the saved file, a reopened window)."""

from __future__ import annotations

import pytest

from nnviz.core.session import load
from nnviz.gui import sessions, theme
from nnviz.gui.view_state import SESSION_KEYS, ViewState

# --------------------------------------------------------------------------------------------
# The object alone


def test_defaults_and_snapshot_keys():
    vs = ViewState()
    snap = vs.snapshot()
    assert tuple(snap) == SESSION_KEYS
    assert snap == {"edge_mode": "weight", "log_y": False, "discretize": False,
                    "min_magnitude": 0.0, "theme": "light", "zoom": 1.0}
    assert vs.show_test and not vs.presentation and vs.theme is theme.LIGHT


def test_signals_only_on_a_real_change(qtbot):
    vs = ViewState()
    seen: list[str] = []
    vs.changed.connect(seen.append)
    modes: list[str] = []
    vs.edgeModeChanged.connect(modes.append)
    vs.set_edge_mode("weight")  # already so
    vs.set_edge_mode("gradient")
    vs.set_edge_mode("gradient")
    vs.set_log_y(True)
    vs.set_theme("dark")
    vs.set_theme(theme.DARK)
    vs.set_zoom(1.25)
    vs.set_min_magnitude(0.5)
    vs.set_discretize(True)
    vs.set_show_test(False)
    vs.set_presentation(True)
    assert modes == ["gradient"]
    assert seen == ["edge_mode", "log_y", "theme", "zoom", "min_magnitude", "discretize",
                    "show_test", "presentation"]


@pytest.mark.parametrize("setter, value", [
    ("set_edge_mode", "gradients"), ("set_min_magnitude", 1.5), ("set_min_magnitude", -0.1),
    ("set_min_magnitude", float("nan")), ("set_min_magnitude", True), ("set_theme", "neon"),
    ("set_zoom", 100.0), ("set_zoom", 0.0), ("set_zoom", "2"),
])
def test_bad_values_are_refused_and_change_nothing(setter, value):
    vs = ViewState()
    before = vs.snapshot()
    with pytest.raises(ValueError):
        getattr(vs, setter)(value)
    assert vs.snapshot() == before


def test_restore_takes_good_values_and_skips_odd_ones():
    vs = ViewState()
    skipped = vs.restore({"edge_mode": "gradient", "log_y": 1, "discretize": True,
                          "min_magnitude": 0.125, "theme": "high-contrast", "zoom": 2.0,
                          "pins": [], "future": {"x": 1}})
    assert skipped == ["log_y"]  # a flag is true or false
    assert vs.edge_mode == "gradient" and not vs.log_y and vs.discretize
    assert vs.min_magnitude == 0.125 and vs.theme is theme.HIGH_CONTRAST
    assert vs.zoom == 1.0  # the zoom in a file is a note: it suits the teacher's screen only
    assert vs.restore({"edge_mode": [1], "theme": 3, "min_magnitude": "0.5"}) == [
        "edge_mode", "min_magnitude", "theme"]


# --------------------------------------------------------------------------------------------
# Every copy in the window agrees


def edge_copies(w) -> dict[str, str]:
    """The edge mode as each place that shows it says it."""
    return {
        "state": w.view_state.edge_mode,
        "combo": w.controls.edge_mode.currentData(),
        "action": "gradient" if w.actions_by_name["actionGradientEdges"].isChecked()
        else "weight",
        "view": w.network_view.edge_mode(),
    }


def choose_in_combo(combo, data) -> None:
    """As a user does: the combo's current item changes, then it reports the activation."""
    index = combo.findData(data)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_edge_mode_from_the_combo_survives_stepping_saving_and_reopening(make_window, tmp_path):
    w = make_window()
    choose_in_combo(w.controls.edge_mode, "gradient")
    assert set(edge_copies(w).values()) == {"gradient"}

    step = w.features["step_panel"]
    w.actions_by_name["actionStepNext"].trigger()
    assert step.active
    w.actions_by_name["actionLeaveStepping"].trigger()
    assert not step.active
    assert set(edge_copies(w).values()) == {"gradient"}  # stepping gave the view back

    path = tmp_path / "gradient.nnviz"
    assert sessions.save_path(w, path) is None
    assert load(path).view["edge_mode"] == "gradient"

    other = make_window()
    assert set(edge_copies(other).values()) == {"weight"}
    assert sessions.open_path(other, path) is None
    assert set(edge_copies(other).values()) == {"gradient"}
    # and back through the G key's action: every copy follows again
    other.actions_by_name["actionGradientEdges"].trigger()
    assert set(edge_copies(other).values()) == {"weight"}


def test_the_gradient_phase_shows_gradients_without_changing_the_choice(make_window, tmp_path):
    w = make_window()
    w.actions_by_name["actionStepNext"].trigger()
    for _ in range(6):  # forward 1, 2, loss, output delta, backward, gradients
        if w.network_view.edge_mode() == "gradient":
            break
        w.actions_by_name["actionStepNext"].trigger()
    assert w.network_view.edge_mode() == "gradient"  # the phase shows dE/dw
    assert w.view_state.edge_mode == "weight"  # the user's choice is unchanged
    path = tmp_path / "stepping.nnviz"
    assert sessions.save_path(w, path) is None
    assert load(path).view["edge_mode"] == "weight"


def log_copies(w) -> set[bool]:
    return {w.view_state.log_y, w.loss_plot.log_y, w.loss_plot.log_checkbox.isChecked(),
            w.actions_by_name["actionLogLoss"].isChecked()}


def test_log_y_from_the_plot_check_box_reaches_the_action_and_the_file(make_window, tmp_path):
    w = make_window()
    assert log_copies(w) == {False}
    w.loss_plot.log_checkbox.click()
    assert log_copies(w) == {True}
    path = tmp_path / "log.nnviz"
    assert sessions.save_path(w, path) is None
    assert load(path).view["log_y"] is True
    w.actions_by_name["actionLogLoss"].trigger()
    assert log_copies(w) == {False}
    assert sessions.open_path(w, path) is None
    assert log_copies(w) == {True}


def test_discretize_and_hide_small_follow_the_state(make_window, tmp_path):
    w = make_window()
    w.boundary_view.discretize_checkbox.click()
    w.controls.min_mag.setValue(40)
    assert w.view_state.discretize and w.boundary_view.discretize
    assert w.view_state.min_magnitude == pytest.approx(0.4)
    assert w.network_view._min_mag == pytest.approx(0.4)
    path = tmp_path / "options.nnviz"
    assert sessions.save_path(w, path) is None
    view = load(path).view
    assert view["discretize"] is True and view["min_magnitude"] == pytest.approx(0.4)

    other = make_window()
    assert sessions.open_path(other, path) is None
    assert other.boundary_view.discretize_checkbox.isChecked() and other.view_state.discretize
    assert other.controls.min_mag.value() == 40
    assert other.network_view._min_mag == pytest.approx(0.4)


def test_show_test_reaches_both_plots(make_window):
    w = make_window("--dataset", "circles", "--test-ratio", "0.25")
    w.controls.show_test.click()
    assert not w.view_state.show_test
    assert not w.boundary_view.show_test
    assert w.loss_plot._test_hidden
    w.view_state.set_show_test(True)
    assert w.controls.show_test.isChecked() and w.boundary_view.show_test


def test_theme_and_zoom_in_the_file(make_window, tmp_path, settings_snapshot):
    w = make_window()
    classroom = w.features["classroom"]
    w.actions_by_name["actionThemeDark"].trigger()
    classroom.set_zoom(1.4)
    assert classroom.theme is theme.DARK is w.view_state.theme
    assert w.view_state.zoom == classroom.zoom == pytest.approx(1.4)
    path = tmp_path / "dark.nnviz"
    assert sessions.save_path(w, path) is None
    view = load(path).view
    assert view["theme"] == "dark" and view["zoom"] == pytest.approx(1.4)

    w.actions_by_name["actionThemeLight"].trigger()
    classroom.set_zoom(1.0)
    assert sessions.open_path(w, path) is None
    assert w.view_state.theme is theme.DARK and classroom.theme is theme.DARK
    assert w.actions_by_name["actionThemeDark"].isChecked()
    assert w.network_view._theme is theme.DARK
    assert w.view_state.zoom == 1.0  # kept only as a note


def test_presentation_is_the_state_s(make_window, settings_snapshot):
    w = make_window()
    classroom = w.features["classroom"]
    w.actions_by_name["actionThemeDark"].trigger()
    w.view_state.set_presentation(True)  # whoever sets it, the classroom enters
    assert classroom.presentation and w.actions_by_name["actionPresentation"].isChecked()
    assert w.view_state.theme is theme.LIGHT
    w.actions_by_name["actionPresentation"].trigger()
    assert not w.view_state.presentation and not classroom.presentation
    assert w.view_state.theme is theme.DARK
