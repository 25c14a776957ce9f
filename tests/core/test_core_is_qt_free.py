"""nnviz.core must import and train with PySide6 and pyqtgraph unavailable (DESIGN section 1)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "PySide2")

# Runs in a fresh interpreter: a meta-path finder placed first makes every Qt module fail to
# import, as on a machine without them; then the core is imported and used.
PROBE = """
import importlib, importlib.util, json, sys

BLOCKED = {blocked!r}

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{{name}} is blocked for this test")
        return None

sys.meta_path.insert(0, Block())
try:
    import PySide6  # noqa: F401
    blocker_works = False
except ImportError:
    blocker_works = True

import nnviz.core
from nnviz.core import Network, Trainer, datasets
imported = ["nnviz.core", "nnviz.core.datasets"]
for name in ("stepper", "explain", "convergence", "session"):
    if importlib.util.find_spec(f"nnviz.core.{{name}}") is not None:
        importlib.import_module(f"nnviz.core.{{name}}")
        imported.append(f"nnviz.core.{{name}}")
X, Y = datasets.load("xor")
trainer = Trainer(Network([2, 4, 1], seed=0), X, Y, lr=0.5)
trainer.run(2000)
print(json.dumps({{
    "blocker_works": blocker_works,
    "imported": imported,
    "qt_loaded": sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED),
    "accuracy": trainer.evaluate().accuracy,
}}))
"""


def test_core_imports_and_trains_with_qt_blocked() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(blocked=QT_MODULES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["blocker_works"], "the import blocker did not block PySide6"
    assert result["qt_loaded"] == []
    assert "nnviz.core.datasets" in result["imported"]
    assert result["accuracy"] == 1.0


def test_no_core_module_mentions_qt_in_an_import() -> None:
    # Also catches imports inside functions, which the subprocess above would not execute.
    offenders = []
    for path in sorted((ROOT / "nnviz" / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module"
                  and node.args and isinstance(node.args[0], ast.Constant)):
                names = [str(node.args[0].value)]
            else:
                continue
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names
                          if n.split(".")[0] in QT_MODULES]
    assert offenders == []
