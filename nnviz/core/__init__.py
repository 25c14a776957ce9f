"""The Qt-free engine: networks, training, data sets, stepping, convergence, sessions.

Nothing under nnviz.core imports PySide6 or pyqtgraph (a test enforces it).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from nnviz.core.history import History
from nnviz.core.network import Gradients, Network, Trace, gradient_check, gradient_check_detail
from nnviz.core.trainer import DivergenceError, Trainer

if TYPE_CHECKING:
    from nnviz.core import convergence, datasets, session, stepper  # noqa: F401

__all__ = [
    "DivergenceError",
    "Gradients",
    "History",
    "Network",
    "Trace",
    "Trainer",
    "convergence",
    "datasets",
    "gradient_check",
    "gradient_check_detail",
    "session",
    "stepper",
]

_SUBMODULES = {"datasets", "convergence", "stepper", "session"}


def __getattr__(name: str):
    # Submodules load on first use so `import nnviz.core` stays light.
    if name in _SUBMODULES:
        return importlib.import_module(f"nnviz.core.{name}")
    raise AttributeError(f"module 'nnviz.core' has no attribute {name!r}")
