"""Sessions in the window: File > Open / Save / Save As / Recent files, and unsaved changes
(README, "Sessions" and "The `.nnviz` session file").

A session (`nnviz.core.session`) is captured from the live controller under the worker's lock,
so weights, history, epoch, optimizer velocity and shuffling state are one consistent moment.
Opening one is all or nothing: the file is checked by the core, then the whole new state is
checked again by building it with the core (`Session.build_trainer`) before the controller
changes at all; if something still fails after the rebuild, the previous network, trainer and
data are put back as they were. The window then shows the new state: views, loss history,
controls, view options, hidden controls and the stepper position.

The view options are the window's :class:`~nnviz.gui.view_state.ViewState` and what each
feature adds through the :class:`~nnviz.gui.features.Feature` contract; options this build does
not know are carried through to the next save.

Unsaved changes are tracked by content: the session is "dirty" once the settings, the data,
the epoch, the weights or the hidden controls differ from the last save or open (listening to
the controller's signals and the controls); how the lesson is shown (view options) does not
count. The prompt before close or open goes through the
module-level `ask_unsaved`, which tests replace; on the offscreen platform (tests, headless
screenshots) and with ``NNVIZ_NO_PROMPT=1`` it answers "discard" without showing anything.

Two features keep parts of a lesson outside "view", each when installed: the classroom's hidden
controls (``hidden_items()`` / ``set_hidden_items``) and, while it is stepping, the step panel's
position (``active``, ``stepper.position``, ``restore_position``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from nnviz.core import datasets
from nnviz.core.session import (
    DEFAULT_HYPER,
    SUFFIX,
    Session,
    SessionError,
    builtin_spec,
    embedded_spec,
    load,
    save,
)
from nnviz.gui.features import NoViewState, session_features
from nnviz.gui.lessons_menu import build_menu

if TYPE_CHECKING:
    from nnviz.gui.controller import Controller
    from nnviz.gui.main_window import MainWindow

SETTINGS_ORG, SETTINGS_APP = "nnviz", "nnviz"
RECENT_KEY = "sessions/recent"
LAST_DIR_KEY = "sessions/last_dir"
MAX_RECENT = 8
FILE_FILTER = f"nnviz sessions (*{SUFFIX});;All files (*)"

__all__ = [
    "MAX_RECENT",
    "SessionManager",
    "add_recent",
    "ask_open_path",
    "ask_save_path",
    "ask_unsaved",
    "capture",
    "clear_recent",
    "install",
    "open_path",
    "recent_files",
    "restore",
    "sync_controls",
]


# ---------------------------------------------------------------------------------------------
# Questions to the user (module level so tests and scripts can replace them)


def prompts_disabled() -> bool:
    """True on the offscreen platform and with NNVIZ_NO_PROMPT=1: nobody could answer a box."""
    if os.environ.get("NNVIZ_NO_PROMPT", "") not in ("", "0"):
        return True
    return QGuiApplication.platformName() in ("offscreen", "minimal")


def ask_unsaved(window: QWidget, name: str) -> str:
    """'save', 'discard' or 'cancel' for the changes to `name`; 'discard' when prompts are off."""
    if prompts_disabled():
        return "discard"
    buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
               | QMessageBox.StandardButton.Cancel)
    box = QMessageBox(QMessageBox.Icon.Question, "nnviz", f"Save changes to {name}?", buttons,
                      window)
    box.setObjectName("unsavedDialog")
    box.setInformativeText("Your changes will be lost if you don't save them.")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()  # modal on purpose: the close or open waits for the answer
    if answer == QMessageBox.StandardButton.Save:
        return "save"
    if answer == QMessageBox.StandardButton.Discard:
        return "discard"
    return "cancel"


def ask_open_path(window: QWidget, directory: str) -> str | None:
    path, _ = QFileDialog.getOpenFileName(window, "Open lesson", directory, FILE_FILTER)
    return path or None


def ask_save_path(window: QWidget, suggested: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(window, "Save lesson", suggested, FILE_FILTER)
    return path or None


# ---------------------------------------------------------------------------------------------
# Recent files


def _qsettings() -> QSettings:
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


def _stored_recent(s: QSettings) -> list[str]:
    value = s.value(RECENT_KEY, [])
    if isinstance(value, str):  # a one-entry list can come back as a plain string
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    return [str(v) for v in value if v]


def recent_files() -> list[str]:
    """The remembered session files, newest first; entries that no longer exist are dropped."""
    s = _qsettings()
    stored = _stored_recent(s)
    existing = [p for p in stored if os.path.isfile(p)][:MAX_RECENT]
    if existing != stored:
        s.setValue(RECENT_KEY, existing)
    return existing


def add_recent(path: str | os.PathLike[str]) -> list[str]:
    full = os.path.abspath(os.fspath(path))
    files = [full] + [p for p in recent_files() if p != full]
    files = files[:MAX_RECENT]
    s = _qsettings()
    s.setValue(RECENT_KEY, files)
    s.setValue(LAST_DIR_KEY, os.path.dirname(full))
    return files


def clear_recent() -> None:
    _qsettings().setValue(RECENT_KEY, [])


# ---------------------------------------------------------------------------------------------
# Capture


def _manager(window: MainWindow) -> SessionManager | None:
    m = window.features.get("sessions")
    return m if isinstance(m, SessionManager) else None


def view_options(window: MainWindow) -> dict[str, Any]:
    """The view options a lesson keeps: the ViewState's, then each feature's."""
    view = window.view_state.snapshot()
    for _name, feature in session_features(window.features):
        view.update(feature.view_state())
    return view


def _hidden_items(window: MainWindow) -> list[str] | None:
    classroom = window.features.get("classroom")
    return None if classroom is None else [str(h) for h in classroom.hidden_items()]


def _stepper_position(window: MainWindow) -> Any:
    """The stepper's position while the step panel is stepping (None otherwise: a stepper the
    panel has not used says nothing about the lesson)."""
    panel = window.features.get("step_panel")
    if panel is None or not panel.active:
        return None
    return panel.stepper.position


def _dataset_spec(c: Controller, csv_source: str) -> dict[str, Any]:
    s = c.settings
    if s.dataset == "csv":
        return embedded_spec(c.dataset, source=csv_source)
    return builtin_spec(s.dataset, n=s.n_points, noise=s.noise, test_ratio=s.test_ratio,
                        seed=s.data_seed, features=s.features, **dict(s.dataset_options))


def _capture(window: MainWindow) -> tuple[Session, tuple]:
    """The session and the matching "clean" state key, read at one moment under the lock."""
    c = window.controller
    m = _manager(window)
    was_playing = c.playing
    c.pause()
    try:
        shown = view_options(window)
        view = {**(m.view_passthrough if m else {}), **shown}
        hidden = _hidden_items(window)
        if hidden is None:
            hidden = list(m.hidden_passthrough) if m else []
        position = _stepper_position(window)
        source = m.csv_source_for(c.dataset) if m else ""
        with c.worker.lock:
            session = Session.from_network(
                c.net, dataset=_dataset_spec(c, source), trainer=c.trainer,
                # The controls' choice, even when the trainer clips it to the data size.
                hyper={"batch_size": c.settings.batch_size},
                stepper=position, view=view, hidden=hidden,
                title=m.title if m else "", notes=m.notes if m else "",
            )
            key = _state_key(window)
    finally:
        if was_playing:
            c.play()
    return session, key


def capture(window: MainWindow) -> Session:
    """The window's whole lesson as a Session (training is paused while it is read)."""
    return _capture(window)[0]


def _state_key(window: MainWindow) -> tuple:
    """What "unchanged since the last save" compares: settings, data, epoch, weights, hidden
    controls. View options (theme, zoom, edge colouring) are left out: changing how a lesson is
    shown in the hall is not a change worth a prompt."""
    c = window.controller
    s = replace(c.settings, max_rate=None)  # the speed is not part of a lesson either
    with c.worker.lock:
        epoch, params = c.trainer.epoch, c.net.params.copy()
    hidden = _hidden_items(window)
    return (s, c.dataset if s.dataset == "csv" else None, epoch, params, tuple(hidden or ()))


def _same_state(a: tuple, b: tuple) -> bool:
    return (a[0] == b[0] and a[1] is b[1] and a[2] == b[2]
            and a[3].shape == b[3].shape and np.array_equal(a[3], b[3]) and a[4] == b[4])


# ---------------------------------------------------------------------------------------------
# Restore


def _bias_spec(modes: list[str] | None) -> str:
    """The controls' spelling of a session's bias modes: one word when all layers agree."""
    if not modes:
        return "trained"
    return modes[0] if len(set(modes)) == 1 else ",".join(modes)


def _plan(c: Controller, session: Session) -> tuple[dict[str, Any], datasets.Dataset | None]:
    """Settings changes and embedded data for `session`; SessionError if it cannot be built."""
    cfg = session.network
    layers = [int(n) for n in cfg["layers"]]
    h = {**DEFAULT_HYPER, **session.hyper}
    batch = h.get("batch_size")
    changes: dict[str, Any] = dict(
        hidden=tuple(layers[1:-1]), activation=str(cfg["activation"]), output=str(cfg["output"]),
        loss=str(cfg["loss"]), init=str(cfg["init"]), seed=int(cfg["seed"]),
        lr=float(h["lr"]), batch_size=None if batch is None else int(batch),
        momentum=float(h["momentum"]), l2=float(h["l2"]), l1=float(h["l1"]),
        bias=_bias_spec(cfg.get("bias")),
    )
    spec = session.dataset
    csv = None
    if spec is None:
        data = c.dataset
        if (data.n_inputs, data.n_outputs) != (layers[0], layers[-1]):
            raise SessionError(
                f"it has no data set, and its layers {'-'.join(map(str, layers))} do not fit "
                f"the current data ({data.n_inputs} inputs, {data.n_outputs} outputs)"
            )
    elif spec.get("kind") == "embedded" or "arrays" in spec:
        data = csv = session.load_dataset()
        changes["dataset"] = "csv"
        changes["features"] = ()  # embedded data holds its input columns as they are
    else:
        data = session.load_dataset()
        # The canonical name ("seeds" for "wheat"), as the data set menu lists it.
        name = data.name if data.name in datasets.names() else str(spec["name"])
        changes.update(
            dataset=name, n_points=None if spec.get("n") is None else int(spec["n"]),
            noise=float(spec.get("noise", 0.0)), test_ratio=float(spec.get("test_ratio", 0.0)),
            data_seed=int(spec.get("seed", 0)), dataset_options=dict(spec.get("options") or {}),
            features=tuple(data.features),
        )
    # The whole state built once by the core: anything inconsistent fails here, before the
    # controller changes.
    session.build_trainer(dataset=data)
    return changes, csv


def _rebuild(c: Controller, changes: dict[str, Any], csv: datasets.Dataset | None) -> str | None:
    """One controller rebuild with all the changes; on error the controller is unchanged."""
    if csv is None:
        return c.apply_settings(**changes)
    before = c.settings
    # load_csv_dataset rebuilds from the current settings: give it all of them at once.
    c.settings = replace(before, **changes)
    error = c.load_csv_dataset(csv)
    if error:
        c.settings = before
    return error


def _load_state(c: Controller, session: Session) -> None:
    """Weights, history, epoch, velocity and shuffling state into the freshly built trainer."""
    h = {**DEFAULT_HYPER, **session.hyper}
    with c.worker.lock:
        c.net.set_params(session.weights, session.biases)
        tr = c.trainer
        tr.history.truncate(0)
        if session.history:
            tr.history.extend(session.history)
        tr.epoch = int(session.epoch)
        if session.velocity is not None:
            tr.optimizer.load_state(session.velocity)
        tr.shuffle = bool(h["shuffle"])
        tr.seed = int(h["seed"])
        tr.rng = np.random.default_rng(tr.seed)
        if session.rng_state is not None:
            tr.rng.bit_generator.state = session.rng_state
    # The worker counted the history rows it has "sent" when it got this trainer, maybe before
    # the history was filled: hand it over again so the next snapshot starts after them.
    c.worker.set_trainer(c.trainer, c.generation)


def restore(window: MainWindow, session: Session, *, name: str = "the session",
            validate: bool = True) -> str | None:
    """Make `session` the window's lesson; None on success, else the message (also shown).

    On any failure the current lesson stays exactly as it was.
    """
    c = window.controller
    m = _manager(window)
    c.pause()
    with m.suspended() if m else _nothing():
        try:
            if validate:
                session.validate()
            changes, csv = _plan(c, session)
        except SessionError as exc:
            return _fail(window, f"Could not open {name}: {exc}")
        except Exception as exc:  # a Session built by hand may hold anything
            return _fail(window, f"Could not open {name}: {type(exc).__name__}: {exc}")
        old = c.lesson()
        error = _rebuild(c, changes, csv)
        if error:
            return _fail(window, f"Could not open {name}: {error}")
        try:
            _load_state(c, session)
        except Exception as exc:
            c.restore_lesson(old)
            sync_controls(window)
            return _fail(window, f"Could not open {name}: {exc}")
        _show(window, session)
        if m is not None:
            m.adopt(session, csv)
    return None


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _fail(window: MainWindow, message: str) -> str:
    window._on_error(message)
    return message


def _show(window: MainWindow, session: Session) -> None:
    """Views, loss history, controls, view options, hidden controls, stepper position."""
    c = window.controller
    c.refresh_from_network()
    with c.worker.lock:
        h = c.trainer.history
        epochs, train, test = h.epoch.copy(), h.train_loss.copy(), h.test_loss.copy()
        has_test = c.trainer.X_test is not None
    plot = window.loss_plot
    if len(epochs):
        plot.set_history(epochs, train, test if has_test else None)
    else:
        plot.clear()
    window.update_status()
    sync_controls(window)
    apply_view_options(window, session.view)
    notes = []
    classroom = window.features.get("classroom")
    if classroom is not None:
        try:
            classroom.set_hidden_items(list(session.hidden))
        except Exception as exc:
            notes.append(f"hidden controls not restored ({exc})")
    panel = window.features.get("step_panel")
    if session.stepper is not None and panel is not None:
        try:
            panel.restore_position(dict(session.stepper))
        except Exception as exc:
            notes.append(f"stepper position not restored ({exc})")
    if notes:
        window.show_message("Opened, but " + "; ".join(notes))


def apply_view_options(window: MainWindow, view: dict[str, Any]) -> None:
    """Apply the view options a session carries; unknown or odd values are skipped."""
    window.view_state.restore(view)
    for name, feature in session_features(window.features):
        try:
            feature.restore(dict(view))
        except Exception as exc:  # noqa: BLE001 (a view's options must not stop the open)
            window.show_message(f"View options of {name} not restored: {exc}")


def sync_controls(window: MainWindow) -> None:
    """Make every field of the controls panel show the controller's settings."""
    window.controls.sync_from_controller()


# ---------------------------------------------------------------------------------------------
# Opening and saving files


def open_path(window: MainWindow, path: str | os.PathLike[str]) -> str | None:
    """Open the session file at `path` (no unsaved-changes prompt; `nnviz lesson.nnviz` uses
    this). Returns None on success, else the message, which is also shown."""
    try:
        session = load(path)
    except SessionError as exc:
        return _fail(window, f"Could not open {exc}")
    name = Path(os.fspath(path)).name
    error = restore(window, session, name=name, validate=False)
    if error is None:
        m = _manager(window)
        if m is not None:
            m.set_path(os.path.abspath(os.fspath(path)))
        add_recent(path)
        window.show_message(f"Opened {name}")
    return error


def save_path(window: MainWindow, path: str | os.PathLike[str]) -> str | None:
    """Save the lesson to `path` atomically; None on success, else the message (also shown)."""
    path = os.fspath(path)
    try:
        session, key = _capture(window)
        save(path, session)
    except SessionError as exc:
        return _fail(window, f"Could not save {exc}")
    except Exception as exc:  # never let a save crash the window
        return _fail(window, f"Could not save {Path(path).name}: {type(exc).__name__}: {exc}")
    m = _manager(window)
    if m is not None:
        m.set_path(os.path.abspath(path))
        m.mark_clean(key)
    add_recent(path)
    window.show_message(f"Saved {Path(path).name}")
    return None


# ---------------------------------------------------------------------------------------------
# The window feature


class SessionManager(QObject, NoViewState):
    """Session actions, recent files, the dirty state and the title of one window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("sessionManager")
        self.window = window
        self.path: str | None = None
        self.title = ""
        self.notes = ""
        self.view_passthrough: dict[str, Any] = {}  # options this build does not show, kept
        self.hidden_passthrough: list[str] = []
        self._csv_source: tuple[datasets.Dataset, str] | None = None
        self._dirty = False
        self._suspend = 0
        self._prefix = ""
        self._base_title = window.windowTitle()
        self._setting_title = False
        self._asking = False
        self._clean = _state_key(window)
        self._make_actions()
        self._connect()
        window.installEventFilter(self)
        # Filters installed last run first. Features installed after this one may also watch
        # the window's Close (to stop their threads): once every feature is in, move ahead of
        # them, so "Cancel" stops the close before anyone starts shutting down.
        QTimer.singleShot(0, self._filter_first)

    # ---- construction -----------------------------------------------------------------------
    def _make_actions(self) -> None:
        w = self.window
        self.action_open = w.add_action("actionOpen", "Open...", "Ctrl+O", self.open_dialog,
                                        tip="Open a lesson (.nnviz)")
        self.action_save = w.add_action("actionSave", "Save", "Ctrl+S", self.save,
                                        tip="Save the lesson")
        self.action_save_as = w.add_action("actionSaveAs", "Save As...", "Ctrl+Shift+S",
                                           self.save_as, tip="Save the lesson to a new file")
        self.recent_menu = QMenu("Recent files", w)
        self.recent_menu.setObjectName("menuRecent")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        menu = w.menus["file"]
        first = menu.actions()[0] if menu.actions() else None
        menu.insertAction(first, self.action_open)
        menu.insertMenu(first, self.recent_menu)
        self.lessons_menu = build_menu(w, self.maybe_save)
        menu.insertMenu(first, self.lessons_menu)
        menu.insertSeparator(first)
        menu.insertAction(first, self.action_save)
        menu.insertAction(first, self.action_save_as)
        menu.insertSeparator(first)
        self.fill_recent_menu()

    def _connect(self) -> None:
        w, c = self.window, self.window.controller
        c.paramsChanged.connect(self.check_dirty)
        c.networkRebuilt.connect(self.check_dirty)
        c.metricsChanged.connect(self.check_dirty)
        w.windowTitleChanged.connect(self._on_title_changed)
        p = w.controls
        # Live hyper-parameters change without a rebuild or a signal of the controller.
        for signal in (p.lr.valueChanged, p.momentum.valueChanged, p.l2.valueChanged,
                       p.batch_mode.activated, p.batch_size.editingFinished):
            signal.connect(self.check_dirty)

    # ---- state ------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self._dirty

    def display_name(self) -> str:
        return Path(self.path).name if self.path else "untitled"

    def csv_source_for(self, data: datasets.Dataset) -> str:
        if self._csv_source is not None and self._csv_source[0] is data:
            return self._csv_source[1]
        return ""

    def note_csv_source(self, data: datasets.Dataset, path: str | os.PathLike[str]) -> None:
        """Remember which file CSV data came from (saved as the embedded data's source)."""
        self._csv_source = (data, os.fspath(path))

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Changes made inside (opening a session) do not count as unsaved changes."""
        self._suspend += 1
        try:
            yield
        finally:
            self._suspend -= 1

    @Slot()
    def check_dirty(self, *_args: object) -> None:
        if self._dirty or self._suspend:
            return
        if not _same_state(_state_key(self.window), self._clean):
            self.mark_dirty()

    def mark_dirty(self) -> None:
        if not self._dirty:
            self._dirty = True
            self._update_title()

    def mark_clean(self, key: tuple | None = None) -> None:
        self._clean = _state_key(self.window) if key is None else key
        self._dirty = False
        self._update_title()

    def set_path(self, path: str | None) -> None:
        self.path = path
        self._update_title()

    def adopt(self, session: Session, csv: datasets.Dataset | None) -> None:
        """After a successful restore: keep what this build does not show, start clean."""
        self.title, self.notes = session.title, session.notes
        self.hidden_passthrough = list(session.hidden)
        shown = view_options(self.window)
        self.view_passthrough = {k: v for k, v in session.view.items() if k not in shown}
        if csv is not None and isinstance(session.dataset, dict):
            self._csv_source = (csv, str(session.dataset.get("source", "")))
        self.mark_clean()

    # ---- title --------------------------------------------------------------------------------
    def _update_title(self) -> None:
        if self.path or self._dirty:
            prefix = f"{self.display_name()}{'*' if self._dirty else ''} — "
        else:
            prefix = ""
        self._prefix = prefix
        self._setting_title = True
        try:
            self.window.setWindowTitle(prefix + self._base_title)
        finally:
            self._setting_title = False

    @Slot(str)
    def _on_title_changed(self, title: str) -> None:
        if self._setting_title:
            return
        # Someone else (the window after a rebuild) set a new base title: put the prefix back.
        if self._prefix and title.startswith(self._prefix):
            title = title[len(self._prefix):]
        self._base_title = title
        self._update_title()

    # ---- commands ---------------------------------------------------------------------------
    def _directory(self) -> str:
        if self.path:
            return os.path.dirname(self.path)
        last = _qsettings().value(LAST_DIR_KEY, "")
        return str(last) if last and os.path.isdir(str(last)) else os.path.expanduser("~")

    @Slot()
    def save(self) -> str | None:
        """Save to the current file (asks for one the first time); None when saved."""
        if not self.path:
            return self.save_as()
        return save_path(self.window, self.path)

    @Slot()
    def save_as(self) -> str | None:
        stem = Path(self.path).stem if self.path else (self.title or "lesson")
        safe = "".join(ch if ch.isalnum() or ch in "-_ ." else "_" for ch in stem).strip()
        suggested = os.path.join(self._directory(), (safe or "lesson") + SUFFIX)
        path = ask_save_path(self.window, suggested)
        if not path:
            return "cancelled"
        if not Path(path).suffix:
            path += SUFFIX
        return save_path(self.window, path)

    def maybe_save(self) -> bool:
        """Before close or open: True to go on (saved or discarded), False to stay."""
        self.check_dirty()  # also catches changes no signal reported (hidden controls)
        if not self._dirty:
            return True
        if self._asking:
            return False
        self._asking = True
        c = self.window.controller
        was_playing = c.playing
        c.pause()  # what the question is about must not change while it is asked
        try:
            answer = ask_unsaved(self.window, self.display_name())
        finally:
            self._asking = False
        go_on = self.save() is None if answer == "save" else answer == "discard"
        if was_playing and not go_on:
            c.play()  # staying: training goes on as before
        return go_on

    @Slot()
    def open_dialog(self) -> str | None:
        if not self.maybe_save():
            return "cancelled"
        path = ask_open_path(self.window, self._directory())
        if not path:
            return "cancelled"
        return open_path(self.window, path)

    def open_lesson(self, session: Session, name: str) -> str | None:
        """Open a shipped lesson (``name`` for messages): like a file, but with no path, so
        Save asks where and never overwrites the shipped file."""
        error = restore(self.window, session, name=name, validate=False)
        if error is None:
            self.set_path(None)
        return error

    def open_file(self, path: str) -> str | None:
        """Open `path` after asking about unsaved changes (the recent-files menu uses it)."""
        if not self.maybe_save():
            return "cancelled"
        return open_path(self.window, path)

    @Slot()
    def fill_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = recent_files()
        for i, path in enumerate(files):
            action = menu.addAction(f"&{i + 1} {Path(path).name}")
            action.setObjectName(f"actionRecent{i}")
            action.setData(path)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(functools.partial(self.open_file, path))
        if not files:
            empty = menu.addAction("No recent files")
            empty.setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("Clear recent files")
        clear.setObjectName("actionClearRecent")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self._clear_recent)

    @Slot()
    def _clear_recent(self) -> None:
        clear_recent()
        self.fill_recent_menu()

    # ---- closing ----------------------------------------------------------------------------
    @Slot()
    def _filter_first(self) -> None:
        self.window.removeEventFilter(self)
        self.window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if obj is self.window and event.type() == QEvent.Type.Close and not self.maybe_save():
            event.ignore()
            return True  # the window's closeEvent never runs: the worker keeps going
        return False


def install(window: MainWindow) -> SessionManager:
    """Add the session actions, recent files, the unsaved-changes prompt and the CSV dialog."""
    from nnviz.gui import csv_dialog

    manager = SessionManager(window)
    manager.csv_opener = csv_dialog.install(window)
    manager.csv_opener.loaded.connect(manager.note_csv_source)
    return manager
