"""Input features of a 2-D plane, as TensorFlow Playground offers them: README "Input features".

A run may feed the network any of x1, x2, x1^2, x2^2, x1*x2, sin x1 and sin x2 of the raw
points (x1, x2) instead of the points themselves; each feature is one input node, drawn with its
name. The classic lesson: XOR with the single feature x1*x2 needs no hidden layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from nnviz.core.datasets import Dataset, DatasetError

Array = np.ndarray

#: token -> (label drawn at the input node, function of the raw columns x1, x2)
FEATURES: dict[str, tuple[str, Callable[[Array, Array], Array]]] = {
    "x1": ("x1", lambda a, b: a),
    "x2": ("x2", lambda a, b: b),
    "x1^2": ("x1²", lambda a, b: a * a),
    "x2^2": ("x2²", lambda a, b: b * b),
    "x1x2": ("x1·x2", lambda a, b: a * b),
    "sinx1": ("sin x1", lambda a, b: np.sin(a)),
    "sinx2": ("sin x2", lambda a, b: np.sin(b)),
}
_ALIASES = {"x1sq": "x1^2", "x2sq": "x2^2", "x1x1": "x1^2", "x2x2": "x2^2", "x1*x2": "x1x2",
            "x2x1": "x1x2", "sin(x1)": "sinx1", "sin(x2)": "sinx2"}


def parse_features(spec: str | Sequence[str]) -> tuple[str, ...]:
    """'x1,x2,x1x2' -> ('x1', 'x2', 'x1x2'); ValueError naming an unknown or repeated one."""
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for part in parts:
        key = str(part).strip().lower().replace(" ", "").replace("²", "^2").replace("·", "*")
        key = _ALIASES.get(key, key)
        if key not in FEATURES:
            raise ValueError(
                f"unknown input feature {str(part).strip()!r}; choose from "
                f"{', '.join(FEATURES)}"
            )
        if key in out:
            raise ValueError(f"input feature {key!r} is listed twice")
        out.append(key)
    if not out:
        raise ValueError("no input features given; e.g. x1,x2,x1x2")
    return tuple(out)


def labels(features: Sequence[str]) -> tuple[str, ...]:
    return tuple(FEATURES[f][0] for f in features)


def expand(points: Array, features: Sequence[str]) -> Array:
    """The feature columns of raw 2-D points (n, 2) -> (n, len(features))."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"input features need points (x1, x2), got shape {points.shape}")
    a, b = points[:, 0], points[:, 1]
    out = np.empty((len(points), len(features)))
    for j, f in enumerate(features):
        out[:, j] = FEATURES[f][1](a, b)
    return out


def with_features(data: Dataset, features: Sequence[str]) -> Dataset:
    """``data`` with its inputs replaced by ``features`` of its 2-D points; the raw points stay
    in ``plane`` so the decision boundary is still drawn over (x1, x2)."""
    if data.features:
        raise DatasetError(f"{data.name}: its inputs are features already")
    if data.n_inputs != 2:
        raise DatasetError(
            f"input features need data with two inputs (x1, x2); {data.name!r} has "
            f"{data.n_inputs}"
        )
    feats = parse_features(features)
    return replace(
        data,
        X_train=expand(data.X_train, feats),
        X_test=expand(data.X_test, feats),
        feature_names=labels(feats),
        description=f"{data.description}; inputs {', '.join(labels(feats))}",
        features=feats,
        plane=(data.X_train, data.X_test),
    )
