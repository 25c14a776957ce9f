"""One palette: every colour a view draws with comes from the theme through nnviz.gui.palette,
and no other GUI module names a colour (README "Classroom", Themes)."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

import nnviz.gui
from nnviz.gui import palette, theme

GUI = Path(nnviz.gui.__file__).parent
#: The two modules where colours are defined.
OWNERS = {"theme.py"}  # the only module that writes a colour
#: Modules allowed a colour literal besides the owners (none: every colour is in the theme).
NOT_YET: tuple[str, ...] = ()

_HEX = re.compile(r"#[0-9a-fA-F]{6}(?:[0-9a-fA-F]{2})?\b")
_CALL = re.compile(r"\b(?:QColor|fromRgb|fromRgbF|setRgb|mkColor|mkPen|mkBrush)\(\s*[\d.]")
_NAMED = re.compile(r"\bQColor\(\s*[\"'][a-zA-Z]+[\"']|"
                    r"\bQt\.GlobalColor\.(?!transparent\b)[a-zA-Z]+|"
                    r"\b(?:background-)?color:\s*(?:white|black|red|green|blue|gr[ae]y|orange)\b")


def _channel(node: ast.AST) -> float | None:
    """The value of a numeric literal that could be a colour channel (0..255), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool) and float(node.value).is_integer() \
            and 0 <= node.value <= 255:
        return float(node.value)
    return None


def colour_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every colour literal: '#rrggbb' strings, QColor / mkPen / ... called
    with numbers or a colour name, and (r, g, b) triples of 0-255 numbers (one of them at
    least 10, so (1, 2, 5) and the like are not taken for colours), also as ``[v] * 3``."""
    found = []
    for pattern in (_HEX, _CALL, _NAMED):
        for m in pattern.finditer(source):
            found.append((source.count("\n", 0, m.start()) + 1, m.group()))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) == 3:
            values = [_channel(e) for e in node.elts]
            if all(v is not None for v in values) and max(values) >= 10:
                found.append((node.lineno, ast.unparse(node)))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) \
                and isinstance(node.left, ast.List) and len(node.left.elts) == 1 \
                and isinstance(node.right, ast.Constant) and node.right.value == 3:
            v = _channel(node.left.elts[0])
            if v is not None and v >= 10:
                found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def test_the_detector_finds_each_form_and_leaves_other_numbers_alone():
    source = '''
a = "#d55e00"
b = QColor(255, 255, 255)
c = (230, 97, 0)
d = np.array([128.0] * 3)
e = pg.mkPen(0, 0, 0, 0, width=0)
f = QColor("white")
g = "color: grey;"
h = Qt.GlobalColor.black
ok = [(1, 2, 5), (1.0, 2.0, 3.0), (0.0, 0, 2.0), (64, 400, 1500), Qt.GlobalColor.transparent]
'''
    lines = [line for line, _ in colour_literals(source)]
    assert lines == [2, 3, 4, 5, 6, 7, 8, 9]


def test_no_gui_module_but_the_palette_and_the_theme_names_a_colour():
    offenders = []
    for path in sorted(GUI.rglob("*.py")):
        rel = path.relative_to(GUI).as_posix()
        if rel in OWNERS or rel.startswith(NOT_YET):
            continue
        offenders += [f"{rel}:{line}: {text}" for line, text in
                      colour_literals(path.read_text(encoding="utf-8"))]
    assert not offenders, "colour literals outside palette.py / theme.py:\n" + \
        "\n".join(offenders)


@pytest.mark.parametrize("t", list(theme.THEMES.values()), ids=lambda t: t.name)
def test_the_palette_is_derived_from_its_theme(t):
    pal = palette.palette(t)
    assert pal is palette.palette(t)  # built once per theme
    assert pal.background == theme.rgb(t.canvas)
    assert pal.weight_negative == theme.weight_hue(t, -1)
    assert pal.weight_positive == theme.weight_hue(t, 1)
    assert pal.edge_rgb(1, 0.0) == theme.edge_rgb(t, 1, 0.0)
    assert (pal.negative, pal.positive) == (theme.rgb(t.negative), theme.rgb(t.positive))
    assert pal.class_hues[:2] == (theme.rgb(t.plot_negative), theme.rgb(t.plot_positive))
    assert pal.train_curve == theme.rgb(t.plot_positive)


def test_editing_a_theme_changes_its_palette():
    edited = dataclasses.replace(theme.LIGHT, name="edited", edge_negative="#ff0000",
                                 plot_background="#000000", map_positive="#00ff00")
    pal = palette.palette(edited)
    assert pal.weight_negative == (255, 0, 0)
    assert pal.plot_background == (0, 0, 0)
    assert pal.map_hues[1] == (0, 255, 0)
    assert palette.palette(theme.LIGHT).weight_negative == theme.rgb(theme.LIGHT.edge_negative)


def test_the_views_take_a_theme_and_a_scale_through_one_call(qtbot):
    from nnviz.gui.boundary_view import BoundaryView
    from nnviz.gui.fit_view import FitView
    from nnviz.gui.landscape_view import LandscapePlot
    from nnviz.gui.loss_plot import LossPlot
    from nnviz.gui.network import NetworkView
    from nnviz.gui.weight_matrix_view import WeightMatrixView

    for cls in (NetworkView, BoundaryView, LossPlot, WeightMatrixView, LandscapePlot, FitView):
        view = cls()
        qtbot.addWidget(view)
        assert isinstance(view, palette.Styled), cls.__name__
        view.set_style(theme.DARK, 1.5)
        view.set_style(theme.HIGH_CONTRAST, 1.0)
