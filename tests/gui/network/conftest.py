import pytest

from nnviz.gui.network import NetworkView


@pytest.fixture
def view(qtbot):
    v = NetworkView()
    qtbot.addWidget(v)
    v.resize(1000, 700)
    return v
