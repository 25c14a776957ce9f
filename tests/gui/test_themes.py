"""Light, dark and high-contrast themes: contrast computed from the palettes (README
"Classroom")."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage, QPalette

from nnviz.gui import theme
from nnviz.gui.network import NetworkView


@pytest.mark.parametrize("t", list(theme.THEMES.values()), ids=lambda t: t.name)
def test_text_and_weakest_edge_contrast(t):
    for text in (t.text, t.muted):
        for background in (t.window, t.base, t.canvas):
            assert theme.contrast_ratio(text, background) >= theme.MIN_TEXT_CONTRAST, \
                (t.name, text, background)
    for kind, colour in theme.weakest_edges(t).items():
        assert theme.contrast_ratio(colour, t.canvas) >= theme.MIN_GRAPHIC_CONTRAST, \
            (t.name, kind, colour)


@pytest.mark.parametrize("t", list(theme.THEMES.values()), ids=lambda t: t.name)
def test_weight_palette_is_colour_blind_safe(t):
    """Orange against blue: apart in hue and, for every common deficiency, in lightness."""
    neg, pos = theme.rgb(t.edge_negative), theme.rgb(t.edge_positive)
    assert neg[0] > neg[2] and pos[2] > pos[0]  # orange: red over blue; blue: the reverse
    # blue-yellow axis (what deuteranopes and protanopes keep): the pair differs strongly
    assert (neg[0] + neg[1]) / 2 - neg[2] > 60 and pos[2] - (pos[0] + pos[1]) / 2 > 60


def test_contrast_ratio_matches_wcag_examples():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


def test_network_view_draws_the_theme_edges(qtbot):
    """The weakest edge the view draws is the colour the contrast test measured."""
    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_network([2, 1], [np.array([[1.0], [-1.0]])], [np.zeros(1)])
    for t in theme.THEMES.values():
        view.set_theme(t)
        weakest = view._edge_painter.bucket_colour(1, 0, False, False)
        want = tuple(round(v) for v in theme.edge_rgb(t, 1, 0.0))
        assert (weakest.red(), weakest.green(), weakest.blue()) == want
        img = QImage(view.size(), QImage.Format.Format_RGB32)
        view.render(img)
        assert QColor(img.pixel(2, 2)) == QColor(t.canvas)


def test_classroom_switches_to_high_contrast(make_window, settings_snapshot, qapp):
    w = make_window()
    c = w.features["classroom"]
    c.persistent = False
    w.actions_by_name["actionThemeHighContrast"].trigger()
    assert c.theme is theme.HIGH_CONTRAST
    assert w.actions_by_name["actionThemeHighContrast"].isChecked()
    assert not w.actions_by_name["actionThemeLight"].isChecked()
    assert qapp.palette().color(QPalette.ColorRole.WindowText) == QColor("#000000")
    assert w.network_view._theme is theme.HIGH_CONTRAST
    c.set_presentation(True, full_screen=False)
    assert c.theme is theme.HIGH_CONTRAST  # presentation keeps the higher contrast
    c.set_presentation(False)
    c.set_theme("light")


@pytest.mark.parametrize("t", list(theme.THEMES.values()), ids=lambda t: t.name)
def test_check_box_and_radio_indicators_stand_out(t, qapp, qtbot):
    """The indicator frame, as drawn, against the window behind it and the box's own fill."""
    from PySide6.QtWidgets import QCheckBox, QRadioButton, QStyle, QStyleOptionButton

    outline = theme.indicator_outline(t)
    for background in (t.window, t.base):
        assert theme.contrast_ratio(outline, background) >= theme.MIN_GRAPHIC_CONTRAST, \
            (t.name, outline, background)
    saved_palette, saved_font = qapp.palette(), qapp.font()
    try:
        theme.apply(qapp, t, 1.0, saved_font.pointSizeF())
        for cls, element in ((QCheckBox, QStyle.SubElement.SE_CheckBoxIndicator),
                             (QRadioButton, QStyle.SubElement.SE_RadioButtonIndicator)):
            for checked in (False, True):
                box = cls("shown")
                qtbot.addWidget(box)
                box.setChecked(checked)
                box.resize(box.sizeHint())
                opt = QStyleOptionButton()
                opt.initFrom(box)
                rect = box.style().subElementRect(element, opt, box)
                img = QImage(box.size(), QImage.Format.Format_RGB32)
                box.render(img)
                y = rect.center().y()
                # the frame's left side: the strongest contrast within its first two columns
                best = max(theme.contrast_ratio(QColor(img.pixel(x, y)).name(), t.window)
                           for x in (rect.left(), rect.left() + 1))
                assert best >= theme.MIN_GRAPHIC_CONTRAST, (t.name, cls.__name__, checked, best)
                inside = rect.adjusted(3, 3, -3, -3)
                mark = max(theme.contrast_ratio(QColor(img.pixel(x, y)).name(), t.base)
                           for x in range(inside.left(), inside.right() + 1)
                           for y in range(inside.top(), inside.bottom() + 1))
                # checked: a mark that stands out from the box's fill; unchecked: an empty box
                assert (mark >= theme.MIN_GRAPHIC_CONTRAST) == checked, \
                    (t.name, cls.__name__, checked, mark)
    finally:
        qapp.setPalette(saved_palette)
        qapp.setFont(saved_font)


def test_node_fills_use_the_theme_hues_and_atlases_rebuild_on_theme_change_only(qtbot):
    """One palette per theme: the strongest node fills, as cached in the sprite atlas, are the
    edges' hues; the atlas survives redraws and is rebuilt when the theme changes."""
    from nnviz.gui.network.atlas import FILL_LEVELS, NODE_FLOOR

    view = NetworkView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.set_network([2, 1], [np.array([[1.0], [-1.0]])], [np.zeros(1)])
    view.set_activations([np.array([1.0, -1.0]), np.array([0.5])])
    img = QImage(view.size(), QImage.Format.Format_RGB32)
    previous = None
    for t in theme.THEMES.values():
        view.set_theme(t)
        view.render(img)
        assert view._nodes.sprites.atlases, "the nodes are drawn from an atlas"
        (key, (atlas, cell)), = list(view._nodes.sprites.atlases.items())[:1]
        assert previous is None or atlas is not previous, "a new theme rebuilds the atlas"
        pixels = atlas.toImage()
        for sign in (-1, 1):
            c = (sign > 0) * (FILL_LEVELS + 1) + FILL_LEVELS  # the strongest fill of a sign
            centre = ((c % 12) * cell + cell // 2, (c // 12) * cell + cell // 2)
            got = QColor(pixels.pixel(*centre))
            assert (got.red(), got.green(), got.blue()) == theme.weight_hue(t, sign), (t.name, sign)
        rgb = view._nodes.sprites.fill_rgb(np.array([-10.0, 10.0]), 1.0, NODE_FLOOR)
        assert [tuple(v) for v in rgb.tolist()] == [theme.weight_hue(t, -1), theme.weight_hue(t, 1)]
        view.set_activations([np.array([0.2, -0.3]), np.array([0.1])])
        view.render(img)
        assert view._nodes.sprites.atlases[key][0] is atlas, "redraws reuse the atlas"
        view.set_theme(t)
        assert view._nodes.sprites.atlases[key][0] is atlas, "the same theme again keeps it"
        previous = atlas
