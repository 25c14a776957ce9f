import pytest

from nnviz.gui.worker import WorkerThread


@pytest.fixture(autouse=True)
def fresh_settings(tmp_path_factory):
    """Every test starts with no remembered layout, zoom, theme or recent files."""
    from PySide6.QtCore import QSettings

    folder = str(tmp_path_factory.mktemp("settings"))
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield


@pytest.fixture
def settings_snapshot(qapp):
    """For tests that change the application's font or palette (zoom, themes): put them back.
    (Remembered settings need no restoring: every test has its own, see fresh_settings.)"""
    font, palette = qapp.font(), qapp.palette()
    yield
    qapp.setFont(font)
    qapp.setPalette(palette)


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail a test that leaves a training thread running (it would be destroyed while running)."""
    yield
    running = [w for w in list(WorkerThread.instances) if w.thread.isRunning()]
    for w in running:
        w.close()
    assert not running, f"{len(running)} training thread(s) left running"


@pytest.fixture
def make_window(qtbot):
    """create_main_window, kept alive for the test and closed (worker stopped) after it;
    ``make(..., pace=True)`` keeps the window's default speed and auto-stop.

    qtbot.addWidget holds widgets weakly; a window collected mid-test would take its running
    worker thread with it, so the fixture holds them strongly.
    """
    from nnviz.gui.app import create_main_window

    windows = []

    def make(*argv: str, pace: bool = False):
        # Tests train as fast as they can and as long as they like, unless they test the pace
        # (the window's default speed cap and auto-stop); options they give still win.
        fast = [] if pace else ["--speed", "max", "--auto-stop", "off"]
        window = create_main_window([*fast, *argv])
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
