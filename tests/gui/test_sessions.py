"""Sessions in the window: exact round trips, rejections that change nothing, atomic saves,
recent files, and the unsaved-changes prompt."""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject

from nnviz.core import session as core_session
from nnviz.core.network import Network
from nnviz.core.session import Session, SessionError, load
from nnviz.gui import sessions

LESSON_ARGS = ("--dataset", "circles", "--layers", "5,3", "--activation", "tanh", "--lr", "0.3",
               "--batch", "8", "--momentum", "0.9", "--seed", "4", "--noise", "0.1",
               "--test-ratio", "0.25")


# --------------------------------------------------------------------------------------------
# Helpers


@pytest.fixture(autouse=True)
def fresh_recent():
    sessions.clear_recent()
    yield
    sessions.clear_recent()


@pytest.fixture
def errors(monkeypatch):
    """Messages the windows show through _on_error, instead of message boxes."""
    from nnviz.gui.main_window import MainWindow

    shown: list[str] = []
    monkeypatch.setattr(MainWindow, "_on_error", lambda self, text: shown.append(text))
    return shown


def train(qtbot, window, epochs: int) -> None:
    c = window.controller
    with qtbot.waitSignal(c.metricsChanged, timeout=10_000):
        c.step_epoch(epochs)


def state(window) -> dict:
    """Everything a rejected open must leave alone."""
    c = window.controller
    with c.worker.lock:
        return {
            "net": c.net, "trainer": c.trainer, "dataset": c.dataset,
            "params": c.net.params.tobytes(), "sizes": c.net.sizes,
            "history": {k: v.tobytes() for k, v in c.trainer.history.as_dict().items()},
            "epoch": c.trainer.epoch, "velocity": c.trainer.optimizer.state().tobytes(),
            "rng": c.trainer.rng.bit_generator.state, "settings": replace(c.settings),
            "display": c.display_net.params.tobytes(), "title": window.windowTitle(),
            "dirty": window.features["sessions"].dirty, "path": window.features["sessions"].path,
            "lr_field": window.controls.lr.value(), "hidden_field": window.controls.hidden.text(),
        }


def rewrite(path: Path, doc_edit=None, **arrays: np.ndarray) -> Path:
    """Edit a saved file: change session.json, replace .npy members (weights__0 -> weights/0)."""
    with zipfile.ZipFile(path) as zf:
        content = {n: zf.read(n) for n in zf.namelist()}
    if doc_edit is not None:
        doc = json.loads(content["session.json"])
        doc_edit(doc)
        content["session.json"] = json.dumps(doc).encode()
    for key, arr in arrays.items():
        buf = io.BytesIO()
        np.lib.format.write_array(buf, arr)
        content[key.replace("__", "/") + ".npy"] = buf.getvalue()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return path


def edit_controls(w) -> None:
    p = w.controls
    p.dataset.setCurrentText("xor")
    p.dataset.activated.emit(p.dataset.currentIndex())
    p.hidden.setText("2")
    p.hidden.editingFinished.emit()
    p.activation.setCurrentText("sigmoid")
    p.activation.activated.emit(p.activation.currentIndex())
    p.seed.setValue(9)
    p.seed.editingFinished.emit()
    p.lr.setValue(2.0)
    p.momentum.setValue(0.0)
    p.batch_mode.setCurrentText("full batch")
    p.batch_mode.activated.emit(p.batch_mode.currentIndex())
    p.noise.setValue(0.0)
    p.test_ratio.setValue(0.0)
    p.noise.editingFinished.emit()


def saved_lesson(qtbot, make_window, tmp_path: Path) -> Path:
    """A trained circles lesson saved from a window, then that window closed."""
    w = make_window(*LESSON_ARGS)
    train(qtbot, w, 12)
    path = tmp_path / "lesson.nnviz"
    assert sessions.save_path(w, path) is None
    return path


# --------------------------------------------------------------------------------------------
# Actions and menus


def test_actions_shortcuts_and_file_menu(make_window):
    w = make_window()
    a = w.actions_by_name
    assert a["actionOpen"].shortcut().toString() == "Ctrl+O"
    assert a["actionSave"].shortcut().toString() == "Ctrl+S"
    assert a["actionSaveAs"].shortcut().toString() == "Ctrl+Shift+S"
    texts = [act.text() for act in w.menus["file"].actions() if not act.isSeparator()]
    assert texts[:5] == ["Open...", "Recent files", "Lessons", "Save", "Save As..."]
    assert "Open CSV..." in texts and texts[-1] == "Quit"
    assert not w.features["sessions"].dirty
    assert w.windowTitle().startswith("nnviz — ")  # untitled and clean: no prefix


# --------------------------------------------------------------------------------------------
# Round trips


def test_round_trip_through_the_window_is_bit_identical(qtbot, make_window, tmp_path):
    w = make_window(*LESSON_ARGS)
    c = w.controller
    train(qtbot, w, 25)
    w.actions_by_name["actionLogLoss"].trigger()
    w.actions_by_name["actionGradientEdges"].trigger()
    w.controls.lr.setValue(0.123456789)  # more digits than the field shows
    assert c.settings.lr == pytest.approx(0.12346)
    c.set_lr(0.123456789)
    path = tmp_path / "lesson.nnviz"
    assert sessions.save_path(w, path) is None
    before = state(w)
    saved = load(path)
    reference = saved.build_trainer()  # the core resuming the file: what the window must match
    reference.run(5)

    # Change everything through the controls, as a user would, then open the file again.
    edit_controls(w)
    assert c.net.sizes == (2, 2, 1) and c.settings.activation == "sigmoid"
    assert c.settings.lr == 2.0 and c.settings.batch_size is None
    w.actions_by_name["actionLogLoss"].trigger()
    w.actions_by_name["actionGradientEdges"].trigger()
    train(qtbot, w, 3)
    assert w.features["sessions"].dirty
    assert sessions.open_path(w, path) is None

    after = state(w)
    for key in ("params", "sizes", "history", "epoch", "velocity", "rng", "display", "title"):
        assert after[key] == before[key], key
    assert replace(after["settings"], max_rate=None) == replace(before["settings"], max_rate=None)
    assert c.trainer.lr == 0.123456789 and c.settings.lr == 0.123456789
    assert not w.features["sessions"].dirty
    assert w.windowTitle().startswith("lesson.nnviz — nnviz — circles")
    # The controls show the lesson, not what was there before.
    p = w.controls
    assert p.hidden.text() == "5,3"
    assert p.activation.currentText() == "tanh"
    assert p.seed.value() == 4
    assert p.lr.value() == pytest.approx(0.12346)
    assert p.momentum.value() == pytest.approx(0.9)
    assert p.batch_mode.currentText() == "mini-batch" and p.batch_size.value() == 8
    assert p.noise.value() == pytest.approx(0.1) and p.test_ratio.value() == pytest.approx(0.25)
    assert p.dataset.currentText() == "circles"
    # View options and the loss plot.
    assert w.loss_plot.log_y and w.actions_by_name["actionLogLoss"].isChecked()
    assert w.network_view.edge_mode() == "gradient"
    assert w.actions_by_name["actionGradientEdges"].isChecked()
    assert np.array_equal(w.loss_plot.buffer.epochs, np.arange(1, 26))
    assert "Epoch 25" in w.status_label.text()

    # Training on continues exactly like the core resuming the file (velocity, rng, epoch),
    # and the loss plot gets only the new epochs.
    train(qtbot, w, 5)
    with c.worker.lock:
        assert c.net.params.tobytes() == reference.net.params.tobytes()
        assert c.trainer.epoch == 30
    assert np.array_equal(w.loss_plot.buffer.epochs, np.arange(1, 31))
    assert w.features["sessions"].dirty


def test_saving_twice_gives_identical_files_and_keeps_title_and_notes(make_window, tmp_path):
    w = make_window()
    first, second = tmp_path / "a.nnviz", tmp_path / "b.nnviz"
    s = sessions.capture(w)
    s.title, s.notes = "XOR by hand", "Watch the hidden units."
    core_session.save(first, s)
    assert sessions.open_path(w, first) is None
    assert sessions.save_path(w, second) is None
    again = load(second)
    assert again.title == "XOR by hand" and again.notes == "Watch the hidden units."
    assert again == load(first)
    assert second.read_bytes() == first.read_bytes()


def test_embedded_csv_data_round_trip(qtbot, make_window, tmp_path):
    from nnviz.gui import csv_dialog

    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = np.where(X[:, 0] + X[:, 1] > 0, "yes", "no")
    csv_path = tmp_path / "own.csv"
    csv_path.write_text("a,b,c,label\n" + "\n".join(
        f"{r[0]:.5f},{r[1]:.5f},{r[2]:.5f},{t}" for r, t in zip(X, y, strict=True)))
    w = make_window()
    c = w.controller
    dlg = csv_dialog.CsvDialog(csv_path, w, test_ratio=0.25)
    assert csv_dialog.load_into(w, dlg.dataset(), csv_path) is None
    train(qtbot, w, 7)
    data = c.dataset
    path = tmp_path / "own.nnviz"
    assert sessions.save_path(w, path) is None
    before = state(w)
    assert load(path).dataset["source"] == str(csv_path)
    assert c.apply_settings(dataset="xor") is None
    assert sessions.open_path(w, path) is None
    after = state(w)
    for key in ("params", "sizes", "history", "epoch", "velocity", "rng"):
        assert after[key] == before[key], key
    assert c.settings.dataset == "csv" and c.net.sizes == (3, 4, 1)
    for name in ("X_train", "Y_train", "X_test", "Y_test"):
        assert getattr(c.dataset, name).tobytes() == getattr(data, name).tobytes()
    assert c.dataset.feature_names == ("a", "b", "c")
    assert w.controls.dataset.currentText() == "csv"
    # The source survives a second save from the reopened lesson.
    assert sessions.save_path(w, tmp_path / "again.nnviz") is None
    assert load(tmp_path / "again.nnviz").dataset["source"] == str(csv_path)


def test_hidden_controls_are_saved_and_restored(make_window, tmp_path):
    w = make_window()
    m = w.features["sessions"]
    path = tmp_path / "hidden.nnviz"
    classroom = w.features.get("classroom")
    if classroom is not None and hasattr(classroom, "set_hidden_items"):
        classroom.set_hidden_items(["control:lr", "dock:loss"])
        m.check_dirty()
        assert m.dirty  # hiding controls changes the lesson
        assert sessions.save_path(w, path) is None
        assert load(path).hidden == ["control:lr", "dock:loss"]
        classroom.set_hidden_items([])
        assert sessions.open_path(w, path) is None
        assert classroom.hidden_items() == ["control:lr", "dock:loss"]
        assert w.docks["loss"].isHidden()
    else:  # without the classroom feature the list is carried through unchanged
        s = sessions.capture(w)
        s.hidden = ["control:lr"]
        core_session.save(path, s)
        assert sessions.open_path(w, path) is None
        assert sessions.capture(w).hidden == ["control:lr"]


def test_unknown_view_options_are_kept(make_window, tmp_path):
    w = make_window()
    s = sessions.capture(w)
    s.view = {**s.view, "future_option": [1, 2], "edge_mode": "gradient"}
    path = tmp_path / "v.nnviz"
    core_session.save(path, s)
    assert sessions.open_path(w, path) is None
    assert w.network_view.edge_mode() == "gradient"
    view = sessions.capture(w).view
    assert view["future_option"] == [1, 2] and view["edge_mode"] == "gradient"


def test_session_without_data_set_keeps_the_current_data(make_window, errors, tmp_path):
    w = make_window()  # xor, 2-4-1
    c = w.controller
    net = Network([2, 3, 1], seed=5)
    assert sessions.restore(w, Session.from_network(net)) is None
    assert c.net.sizes == (2, 3, 1) and c.settings.dataset == "xor"
    assert np.array_equal(c.net.params, net.params)
    before = state(w)
    assert sessions.restore(w, Session.from_network(Network([3, 2, 1]))) is not None
    assert "do not fit the current data" in errors[-1]
    assert state(w) == before


def test_data_set_alias_opens_as_its_menu_name(make_window):
    w = make_window()
    s = Session.from_network(Network([7, 3, 3], output="softmax", loss="cross_entropy"),
                             dataset=core_session.builtin_spec("wheat"))
    assert sessions.restore(w, s) is None
    assert w.controller.settings.dataset == "seeds"
    assert w.controls.dataset.currentText() == "seeds"


# --------------------------------------------------------------------------------------------
# Rejections leave the open lesson exactly as it was


def _truncate(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def _corrupt(p: Path) -> None:
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as zf:
        info = zf.getinfo("weights/0.npy")
    pos = info.header_offset + 30 + len(info.filename) + 5  # inside the member's data
    data[pos] ^= 0xFF
    p.write_bytes(bytes(data))


def _newer_version(p: Path) -> None:
    rewrite(p, lambda d: d.update(version=2))


def _weights_do_not_fit(p: Path) -> None:
    def doc_edit(d):
        d["parameters"]["weights"][1]["shape"] = [2, 3]
    rewrite(p, doc_edit, weights__1=np.ones((2, 3)))


def _nan_weights(p: Path) -> None:
    w = load(p).weights[0].copy()
    w[0, 1] = np.nan
    rewrite(p, weights__0=w)


def _not_a_session(p: Path) -> None:
    p.write_text("5.1,3.5,1.4,0.2,Iris-setosa\n")


@pytest.mark.parametrize(("damage", "fragment"), [
    (_truncate, "lesson.nnviz"),
    (_corrupt, "lesson.nnviz"),
    (_newer_version, "newer nnviz"),
    (_weights_do_not_fit, "weights[1] has shape (2, 3)"),
    (_nan_weights, "weights[0] contains NaN"),
    (_not_a_session, "lesson.nnviz"),
    (lambda p: p.unlink(), "lesson.nnviz"),
])
def test_bad_files_are_rejected_and_change_nothing(qtbot, make_window, errors, tmp_path,
                                                   damage, fragment):
    path = saved_lesson(qtbot, make_window, tmp_path)
    damage(path)
    w = make_window("--dataset", "xor", "--lr", "2")
    train(qtbot, w, 4)
    before = state(w)
    assert before["dirty"]
    error = sessions.open_path(w, path)
    assert error is not None and fragment in error
    assert errors == [error] and error.startswith("Could not open lesson.nnviz: ")
    assert state(w) == before
    assert sessions.recent_files() == ([str(path)] if path.exists() else [])


def test_failure_after_the_rebuild_puts_the_previous_lesson_back(
        qtbot, make_window, errors, tmp_path, monkeypatch):
    path = saved_lesson(qtbot, make_window, tmp_path)
    w = make_window("--dataset", "xor", "--layers", "3")
    train(qtbot, w, 6)
    before = state(w)

    def broken(c, session):
        with c.worker.lock:
            c.net.params[:] = 0.0  # half done ...
        raise RuntimeError("disk on fire")  # ... then something unforeseen fails

    monkeypatch.setattr(sessions, "_load_state", broken)
    assert "disk on fire" in sessions.open_path(w, path)
    assert state(w) == before  # the very same objects, weights, history and controls
    assert w.controller.net is before["net"]


def test_controller_refusal_changes_nothing(qtbot, make_window, errors, tmp_path, monkeypatch):
    path = saved_lesson(qtbot, make_window, tmp_path)
    w = make_window()
    train(qtbot, w, 2)
    before = state(w)
    monkeypatch.setattr(w.controller, "apply_settings", lambda **_: "not today")
    assert "not today" in sessions.open_path(w, path)
    assert state(w) == before


# --------------------------------------------------------------------------------------------
# Saving


def test_failed_save_keeps_the_previous_file(qtbot, make_window, errors, tmp_path, monkeypatch):
    w = make_window()
    path = tmp_path / "lesson.nnviz"
    assert sessions.save_path(w, path) is None
    old = path.read_bytes()
    train(qtbot, w, 3)
    calls = []
    real = core_session.archive.write_npy

    def failing(zf, member, arr):
        calls.append(member)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(zf, member, arr)

    monkeypatch.setattr(core_session.archive, "write_npy", failing)
    error = sessions.save_path(w, path)
    assert error is not None and "No space left on device" in error
    assert errors == [error]
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.nnviz"]
    assert w.features["sessions"].dirty  # still unsaved


def test_unwritable_place_is_an_error_message_not_a_crash(make_window, errors, tmp_path):
    w = make_window()
    error = sessions.save_path(w, tmp_path / "no" / "such" / "dir" / "x.nnviz")
    assert error is not None and errors == [error] and "x.nnviz" in error
    assert w.features["sessions"].path is None


def test_save_while_training_keeps_training(qtbot, make_window, tmp_path):
    w = make_window("--dataset", "circles")
    c = w.controller
    c.play()
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch > 50,
                    timeout=10_000)
    path = tmp_path / "live.nnviz"
    assert sessions.save_path(w, path) is None
    assert c.playing
    s = load(path)
    assert s.epoch > 50 and len(s.history["epoch"]) == s.epoch
    assert s.history["epoch"][-1] == s.epoch
    c.pause()


def test_save_action_asks_for_a_name_once(make_window, tmp_path, monkeypatch):
    w = make_window()
    asked = []

    def ask(window, suggested):
        asked.append(suggested)
        return str(tmp_path / "first")  # no suffix: .nnviz is added

    monkeypatch.setattr(sessions, "ask_save_path", ask)
    w.actions_by_name["actionSave"].trigger()
    assert (tmp_path / "first.nnviz").is_file()
    assert w.features["sessions"].path == str(tmp_path / "first.nnviz")
    w.actions_by_name["actionSave"].trigger()  # now saves in place
    assert len(asked) == 1 and asked[0].endswith("lesson.nnviz")
    w.actions_by_name["actionSaveAs"].trigger()
    assert len(asked) == 2 and asked[1].endswith("first.nnviz")


# --------------------------------------------------------------------------------------------
# Recent files


def test_recent_files_newest_first_at_most_eight_missing_dropped(make_window, tmp_path,
                                                                 monkeypatch):
    w = make_window()
    paths = []
    for i in range(10):
        p = tmp_path / f"l{i}.nnviz"
        assert sessions.save_path(w, p) is None
        paths.append(str(p))
    assert sessions.recent_files() == paths[::-1][: sessions.MAX_RECENT]
    Path(paths[8]).unlink()
    assert sessions.recent_files() == [paths[9], *paths[7:1:-1]]
    m = w.features["sessions"]
    m.fill_recent_menu()
    entries = [a for a in m.recent_menu.actions() if a.objectName().startswith("actionRecent")]
    assert [a.data() for a in entries] == sessions.recent_files()
    assert entries[0].text() == "&1 l9.nnviz"
    # Opening an older one moves it to the top.
    assert sessions.open_path(w, paths[3]) is None
    assert sessions.recent_files()[0] == paths[3]
    m.fill_recent_menu()
    clear = [a for a in m.recent_menu.actions() if a.objectName() == "actionClearRecent"]
    clear[0].trigger()
    assert sessions.recent_files() == []


def test_recent_menu_entry_opens_the_file(qtbot, make_window, tmp_path, monkeypatch):
    path = saved_lesson(qtbot, make_window, tmp_path)
    w = make_window()
    train(qtbot, w, 2)
    monkeypatch.setattr(sessions, "ask_unsaved", lambda window, name: "discard")
    m = w.features["sessions"]
    m.fill_recent_menu()
    m.recent_menu.actions()[0].trigger()
    assert m.path == str(path) and w.controller.net.sizes == (2, 5, 3, 1)


# --------------------------------------------------------------------------------------------
# Unsaved changes


def test_clean_window_never_prompts(make_window, monkeypatch):
    w = make_window()
    monkeypatch.setattr(sessions, "ask_unsaved", lambda *a: pytest.fail("prompted"))
    assert w.close()


def test_default_prompt_answers_discard_offscreen(make_window):
    w = make_window()
    assert sessions.prompts_disabled()
    assert sessions.ask_unsaved(w, "x.nnviz") == "discard"


def test_title_shows_name_and_star(qtbot, make_window, tmp_path):
    w = make_window()
    m = w.features["sessions"]
    train(qtbot, w, 1)
    assert m.dirty and w.windowTitle().startswith("untitled* — nnviz — xor")
    assert sessions.save_path(w, tmp_path / "x.nnviz") is None
    assert w.windowTitle() == "x.nnviz — nnviz — xor, 2-4-1 sigmoid"
    w.controls.lr.setValue(1.5)  # a live change without a rebuild
    assert m.dirty and w.windowTitle() == "x.nnviz* — nnviz — xor, 2-4-1 sigmoid"
    w.controls.hidden.setText("3")
    w.controls.hidden.editingFinished.emit()  # the window retitles itself after the rebuild
    assert w.windowTitle() == "x.nnviz* — nnviz — xor, 2-3-1 sigmoid"


def test_weight_edit_and_reset_back_to_the_saved_state(qtbot, make_window, tmp_path):
    w = make_window()
    m = w.features["sessions"]
    c = w.controller
    c.edit_weight(0, 0, 0, 1.25)
    assert m.dirty
    assert sessions.save_path(w, tmp_path / "e.nnviz") is None
    c.reset()  # other weights than saved
    assert m.dirty
    assert sessions.open_path(w, tmp_path / "e.nnviz") is None
    assert not m.dirty and c.net.weights[0][0, 0] == 1.25


class CloseRecorder(QObject):
    """Stands for a feature installed after sessions that stops its work on Close."""

    def __init__(self) -> None:
        super().__init__()
        self.closes = 0

    def eventFilter(self, obj, event):  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.Close:
            self.closes += 1
        return False


def test_cancel_keeps_window_open_and_training(qtbot, make_window, monkeypatch):
    w = make_window()
    c = w.controller
    later = CloseRecorder()
    w.installEventFilter(later)  # like another feature's filter: it would run first ...
    w.features["sessions"]._filter_first()  # ... until sessions moves ahead, as at start-up
    train(qtbot, w, 2)
    asked = []
    monkeypatch.setattr(sessions, "ask_unsaved",
                        lambda window, name: asked.append((name, c.playing)) or "cancel")
    c.play()
    assert not w.close()
    assert asked == [("untitled", False)] and w.isVisible()  # paused while it asked
    assert later.closes == 0  # nobody else heard of a close that did not happen
    assert c._worker.thread.isRunning() and c.playing
    epoch = c.trainer.epoch
    qtbot.waitUntil(lambda: c.last_snapshot is not None and c.last_snapshot.epoch > epoch + 10,
                    timeout=10_000)
    monkeypatch.setattr(sessions, "ask_unsaved", lambda window, name: "discard")
    assert w.close()
    assert not c._worker.thread.isRunning() and later.closes == 1


def test_save_answer_saves_then_closes(qtbot, make_window, tmp_path, monkeypatch):
    w = make_window()
    train(qtbot, w, 2)
    monkeypatch.setattr(sessions, "ask_unsaved", lambda window, name: "save")
    monkeypatch.setattr(sessions, "ask_save_path", lambda window, s: None)  # dialog cancelled
    assert not w.close()  # nothing saved, so nothing lost: stay open
    monkeypatch.setattr(sessions, "ask_save_path", lambda window, s: str(tmp_path / "s.nnviz"))
    thread = w.controller._worker.thread
    assert w.close()
    assert load(tmp_path / "s.nnviz").epoch == 2
    assert not thread.isRunning()


def test_prompt_before_open(qtbot, make_window, tmp_path, monkeypatch):
    path = saved_lesson(qtbot, make_window, tmp_path)
    w = make_window()
    train(qtbot, w, 2)
    monkeypatch.setattr(sessions, "ask_open_path", lambda window, d: str(path))
    monkeypatch.setattr(sessions, "ask_unsaved", lambda window, name: "cancel")
    w.actions_by_name["actionOpen"].trigger()
    assert w.controller.net.sizes == (2, 4, 1) and w.features["sessions"].path is None
    monkeypatch.setattr(sessions, "ask_unsaved", lambda window, name: "discard")
    w.actions_by_name["actionOpen"].trigger()
    assert w.controller.net.sizes == (2, 5, 3, 1)
    assert w.features["sessions"].path == str(path)


def test_session_error_is_the_only_error_from_open(make_window, errors, tmp_path):
    w = make_window()
    path = tmp_path / "x.nnviz"
    path.write_bytes(b"PK\x03\x04" + os.urandom(200))
    assert sessions.open_path(w, path) is not None
    with pytest.raises(SessionError):
        load(path)
