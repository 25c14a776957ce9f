"""Regenerate the presentation-mode screenshots in resources/screenshots/.

    python scripts/presentation_screenshots.py

For each projector size (1024x768, 1280x720, 1920x1080) the window is set to the screen size
in presentation mode, then pictured twice: stepping (XOR 2-4-1, backward phase, hidden unit 1
selected) and training (checkerboard 2-16-16-1 after 3,000 epochs). Headless; no display needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZES = ((1024, 768), (1280, 720), (1920, 1080))
OUT = Path(__file__).resolve().parent.parent / "resources" / "screenshots"


def shoot(size: tuple[int, int], mode: str) -> Path:
    from PySide6.QtWidgets import QApplication

    from nnviz.gui.app import create_main_window
    from nnviz.gui.export import export_widget_png, train_epochs

    def settle() -> None:
        window.resize(*size)
        for _ in range(4):
            QApplication.processEvents()

    args = ["--dataset", "xor"] if mode == "stepping" else \
        ["--dataset", "checkerboard", "--layers", "16,16", "--lr", "0.3", "--seed", "1"]
    window = create_main_window(args, restore_layout=False)
    try:
        classroom = window.features["classroom"]
        classroom.persistent = False  # the user's remembered zoom and theme stay as they are
        window.resize(*size)
        classroom.set_presentation(True, full_screen=False)
        settle()
        if mode == "stepping":
            panel = window.features["step_panel"]
            while panel.next_phase().kind != "backward":
                pass
            panel.select(node=(1, 0))
        else:
            train_epochs(window, 3000)
        settle()
        path = OUT / f"presentation-{size[0]}x{size[1]}-{mode}.png"
        export_widget_png(window, path, 1.0)
        return path
    finally:
        window.features["classroom"].set_presentation(False)  # the next window starts unscaled
        window.controller.close()
        window.hide()
        window.deleteLater()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        for mode in ("stepping", "training"):
            print(f"wrote {shoot(size, mode)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
