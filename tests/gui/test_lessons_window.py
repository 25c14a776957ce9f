"""Every shipped lesson opens in the window: nnviz --lesson, File > Lessons, its text shown."""

import numpy as np
import pytest

from nnviz.core import lessons
from nnviz.gui.lessons_menu import open_lesson


@pytest.mark.parametrize("name", lessons.names())
def test_every_shipped_lesson_opens_in_the_window(make_window, name):
    w = make_window("--dataset", "xor")
    assert open_lesson(w, name) is None
    s = lessons.load(name)
    c = w.controller
    assert c.net.sizes == tuple(s.network["layers"])
    assert c.net.bias_modes == tuple(s.network.get("bias", ["trained"] * c.net.n_layers))
    for ours, saved in zip(c.net.weights, s.weights, strict=True):
        np.testing.assert_array_equal(ours, saved)
    text = w.docks["lesson"].widget()
    assert w.docks["lesson"].isVisible() and text.text.toPlainText() == s.notes
    assert text.heading.text() == s.title
    assert w.features["sessions"].path is None  # Save never overwrites the shipped file
    assert not w.features["sessions"].dirty


def test_lesson_option_and_file_menu(make_window, qtbot):
    w = make_window("--lesson", "worked-example")
    assert w.controller.net.sizes == (2, 2, 2)
    assert w.controller.net.bias_modes == ("frozen", "frozen")
    menu = w.features["sessions"].lessons_menu
    names = [a.data() for a in menu.actions()]
    assert names == lessons.names()
    action = next(a for a in menu.actions() if a.data() == "tutorial-class")
    action.trigger()
    assert w.controller.net.sizes == (2, 3, 1)
    assert w.network_view.bias_rect(1, 0) is None  # the output layer has no bias square


def test_worked_example_steps_to_the_published_numbers_in_the_window(make_window):
    w = make_window("--lesson", "worked-example")
    panel = w.features["step_panel"]
    panel.finish_sample()
    rec = panel.stepper.sample_records()
    assert len(rec) == 2 * 2 + 3
    forward2 = next(r for r in rec if r.kind == "forward" and r.layer == 2)
    assert f"{float(forward2.values['a'][0]):.8f}" == "0.75136507"
    update = rec[-1].values
    assert f"{float(update['W_new_2'][0, 0]):.8f}" == "0.35891648"
    assert f"{float(update['W_new_1'][0, 0]):.9f}" == "0.149780716"


def test_lesson_dock_and_bias_dialog_are_named_for_screen_readers(make_window, qtbot):
    from nnviz.gui import accessibility
    from nnviz.gui.bias_dialog import BiasDialog

    w = make_window("--lesson", "worked-example")
    assert not [m for m in accessibility.unnamed_widgets(w) if "dock_lesson" in m]
    d = BiasDialog(w, "Bias of h1", 0.35, "frozen")
    qtbot.addWidget(d)
    assert accessibility.unnamed_widgets(d) == []
