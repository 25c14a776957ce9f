"""The session file's constants, size limits and its one error type.

See README, "The `.nnviz` session file" for the format these name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

FORMAT = "nnviz-session"
VERSION = 1
SUFFIX = ".nnviz"

DEFAULT_HYPER: dict[str, Any] = {
    "lr": 0.5,
    "batch_size": None,
    "momentum": 0.0,
    "l2": 0.0,
    "l1": 0.0,
    "shuffle": True,
    "seed": 0,
}

# Limits that keep a hostile or corrupted file from exhausting memory; far above any lesson.
MAX_PARAMS = 50_000_000
MAX_HISTORY = 50_000_000
MAX_DATA_CELLS = 50_000_000
MAX_GENERATED_N = 10_000_000
MAX_ARRAY_BYTES_TOTAL = 2 * 1024**3
MAX_JSON_BYTES = 16 * 1024**2
MAX_MEMBERS = 10_000
MAX_LAYERS = 1_000
MAX_NPY_HEADER = 10_000  # numpy's own default limit for header parsing
MAX_PLAIN_DEPTH = 16
MAX_PLAIN_ITEMS = 100_000
INT_MAX = 2**63 - 1

JSON_MEMBER = "session.json"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: identical sessions, identical bytes
COLUMN_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
DATA_ARRAYS = ("X_train", "Y_train", "X_test", "Y_test")
DTYPES = ("float64", "float32")
BUILTIN_KEYS = ("kind", "name", "n", "noise", "test_ratio", "seed", "options", "features")
NETWORK_KEYS = ("layers", "activation", "output", "loss", "init", "seed", "dtype", "bias")


class SessionError(ValueError):
    """A session file (or a session about to be saved) is unusable; says which file and why."""

    def __init__(self, problem: str, path: str | os.PathLike[str] | None = None) -> None:
        self.problem = problem
        self.path = None if path is None else os.fspath(path)
        super().__init__(f"{Path(self.path).name}: {problem}" if self.path else problem)

