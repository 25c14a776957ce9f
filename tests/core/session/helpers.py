"""Building sessions and editing their files for the session tests."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnviz.core import Network, Trainer, datasets
from nnviz.core.session import Session, SessionError, builtin_spec, load


def trained_session(**extra: Any) -> Session:
    """A circles lesson after a few mini-batch epochs with momentum: every field non-trivial."""
    net = Network([2, 4, 1], activation="tanh", output="sigmoid", loss="bce", seed=3)
    spec = builtin_spec("circles", n=40, noise=0.1, test_ratio=0.25, seed=2)
    ds = datasets.load_dataset("circles", n=40, noise=0.1, test_ratio=0.25, seed=2)
    tr = Trainer(
        net, ds.X_train, ds.Y_train, lr=0.3, batch_size=8, momentum=0.9, l2=1e-4,
        X_test=ds.X_test, Y_test=ds.Y_test, seed=5,
    )
    tr.run(7)
    kwargs: dict[str, Any] = dict(
        trainer=tr,
        dataset=spec,
        stepper={"epoch": 7, "sample": 3, "phase": "backward", "layer": 1},
        view={"edge_mode": "gradient", "log_y": True, "font_scale": 1.25, "theme": "light"},
        hidden=["momentum", "dock:history"],
        title="Circles, tanh",
        notes="Zeile 2: Gewichte ändern sich — watch the boundary.\n",
    )
    kwargs.update(extra)
    return Session.from_network(net, **kwargs)


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_members(path: Path, content: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)


def edit(
    path: Path,
    doc_edit: Callable[[dict], Any] | None = None,
    **replace: bytes | None,
) -> Path:
    """Rewrite a good file: change session.json and replace (or, with None, drop) members.

    Member names are given with '/' spelled '__' (weights__1 -> weights/1.npy).
    """
    content = members(path)
    if doc_edit is not None:
        doc = json.loads(content["session.json"])
        doc_edit(doc)
        content["session.json"] = json.dumps(doc).encode()
    for key, data in replace.items():
        name = key.replace("__", "/") + ".npy"
        assert name in content, name
        if data is None:
            del content[name]
        else:
            content[name] = data
    write_members(path, content)
    return path


def npy(arr: np.ndarray, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


def rejects(path: Path, *fragments: str) -> SessionError:
    with pytest.raises(SessionError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path.name}: "), message
    for fragment in fragments:
        assert fragment in message, message
    return info.value


def assert_same_arrays(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()  # bit-identical, NaNs included


def set_field(path: str, value: Any) -> Callable[[dict], None]:
    """Edit that sets doc[a][b]... (dotted path; digits index lists); DELETE removes the key."""

    def apply(doc: dict) -> None:
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        target = doc
        for k in keys[:-1]:
            target = target[k]
        if value is DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return apply


DELETE = object()
