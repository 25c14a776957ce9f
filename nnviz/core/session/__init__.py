"""Sessions: a whole lesson (network, weights, data, training state, view) in one ``.nnviz`` file.

The file format, the checks on loading and the atomic save are described in README,
"The `.nnviz` session file". The package holds the format's constants and error (`format`),
the ZIP container and atomic write (`archive`), field readers (`values`), the checks
(`checks`), the in-memory `Session` (`model`) and `save`/`load` (`files`).
"""

from __future__ import annotations

from nnviz.core.session.archive import STALE_TEMP_SECONDS
from nnviz.core.session.files import load, save
from nnviz.core.session.format import (
    DEFAULT_HYPER,
    FORMAT,
    MAX_ARRAY_BYTES_TOTAL,
    MAX_DATA_CELLS,
    MAX_GENERATED_N,
    MAX_HISTORY,
    MAX_JSON_BYTES,
    MAX_LAYERS,
    MAX_MEMBERS,
    MAX_PARAMS,
    SUFFIX,
    VERSION,
    SessionError,
)
from nnviz.core.session.model import Session, builtin_spec, embedded_spec

__all__ = [
    "DEFAULT_HYPER",
    "FORMAT",
    "MAX_ARRAY_BYTES_TOTAL",
    "MAX_DATA_CELLS",
    "MAX_GENERATED_N",
    "MAX_HISTORY",
    "MAX_JSON_BYTES",
    "MAX_LAYERS",
    "MAX_MEMBERS",
    "MAX_PARAMS",
    "STALE_TEMP_SECONDS",
    "SUFFIX",
    "VERSION",
    "Session",
    "SessionError",
    "builtin_spec",
    "embedded_spec",
    "load",
    "save",
]
