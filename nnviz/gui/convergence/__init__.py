"""The Convergence dock: train many random starts of a few configurations, see how often and how
fast they learn, and open any single run in the main window. See README, "Convergence explorer".

The modules: ``dock`` installs it into the main window (``install(window)``, a feature listed in
``main_window.FEATURES``); ``panel`` is the dock's widget and runs the job; ``form`` reads the
configurations from its fields; ``worker`` trains a job on the panel's thread; ``plots``,
``summary`` and ``run_table`` show the results; ``open_run`` puts one run into the main window;
``text`` holds the words (parsing, labels, diagnosis help); ``colours`` every colour.
"""

from __future__ import annotations

from nnviz.gui.convergence.dock import install, show_dock
from nnviz.gui.convergence.form import MAX_CONFIGS, PRESETS
from nnviz.gui.convergence.panel import ConvergencePanel
from nnviz.gui.convergence.text import parse_architectures, parse_rates, summary_line
from nnviz.gui.convergence.worker import ConvergenceWorker, Job

__all__ = [
    "ConvergencePanel", "ConvergenceWorker", "Job", "MAX_CONFIGS", "PRESETS", "install",
    "parse_architectures", "parse_rates", "show_dock", "summary_line",
]
