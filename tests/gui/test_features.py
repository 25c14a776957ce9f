"""The Feature contract between the window and its features, as sessions use it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnviz.core.session import load
from nnviz.gui import sessions
from nnviz.gui.features import Feature, NoViewState, session_features
from nnviz.gui.main_window import FEATURES

#: Every feature keeps the contract now (none left to port).
NOT_YET_PORTED: set[str] = set()


class Notes:
    """A feature keeping one option, as a plug-in would."""

    def __init__(self) -> None:
        self.text = ""
        self.restored: list[dict] = []

    def view_state(self) -> dict[str, Any]:
        return {"notes_feature": {"text": self.text}} if self.text else {}

    def restore(self, state: Mapping[str, Any]) -> None:
        self.restored.append(dict(state))
        doc = state.get("notes_feature")
        self.text = doc["text"] if isinstance(doc, dict) else ""


class Broken(NoViewState):
    def restore(self, state: Mapping[str, Any]) -> None:
        raise RuntimeError("cannot")


def test_every_installed_feature_keeps_the_contract(make_window):
    w = make_window()
    assert list(w.features) == [name.rsplit(".", 1)[-1] for name in FEATURES]
    keeping = {name for name, _f in session_features(w.features)}
    assert keeping == set(w.features) - NOT_YET_PORTED
    for name in keeping:
        state = w.features[name].view_state()
        assert isinstance(state, dict), name
        assert not set(state) & {"edge_mode", "log_y", "discretize", "min_magnitude", "theme",
                                 "zoom"}, f"{name} saves a ViewState option"


def test_no_view_state_keeps_nothing():
    f = NoViewState()
    assert isinstance(f, Feature)
    assert f.view_state() == {}
    f.restore({"anything": 1})


def test_a_feature_s_options_go_through_the_file(make_window, tmp_path):
    w = make_window()
    notes = Notes()
    notes.text = "look at the second hidden unit"
    w.features["notes"] = notes
    path = tmp_path / "notes.nnviz"
    assert sessions.save_path(w, path) is None
    view = load(path).view
    assert view["notes_feature"] == {"text": "look at the second hidden unit"}
    assert view["edge_mode"] == "weight"  # the ViewState's part is there too

    other = make_window()
    theirs = Notes()
    other.features["notes"] = theirs
    assert sessions.open_path(other, path) is None
    assert theirs.text == "look at the second hidden unit"
    assert "edge_mode" in theirs.restored[-1]  # each feature sees the whole mapping


def test_a_failing_restore_leaves_a_message_not_a_failed_open(make_window, tmp_path,
                                                             monkeypatch):
    w = make_window()
    path = tmp_path / "plain.nnviz"
    assert sessions.save_path(w, path) is None
    w.features["broken"] = Broken()
    messages: list[str] = []
    monkeypatch.setattr(w, "show_message", messages.append)
    assert sessions.open_path(w, path) is None
    assert "View options of broken not restored: cannot" in messages
    assert messages[-1] == "Opened plain.nnviz"
