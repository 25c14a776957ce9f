"""A good session file, with generated and with embedded data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnviz.core import Network, datasets
from nnviz.core.session import Session, embedded_spec, save
from tests.core.session.helpers import trained_session


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "lesson.nnviz"
    save(path, trained_session())
    return path


@pytest.fixture
def own(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    Y = (X[:, :1] > 0).astype(float)
    ds = datasets.Dataset("mine", X[:16], Y[:16], X[16:], Y[16:], ("u", "v"), ("no", "yes"), "d")
    path = tmp_path / "own.nnviz"
    save(path, Session.from_network(Network([2, 2, 1]), dataset=embedded_spec(ds, source="m.csv")))
    return path
