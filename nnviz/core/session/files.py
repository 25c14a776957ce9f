"""`save` and `load`: a `Session` to and from its `.nnviz` file (see README, "The `.nnviz`
session file")."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from nnviz import __version__
from nnviz.core.session import archive
from nnviz.core.session.checks import check_network
from nnviz.core.session.format import (
    DATA_ARRAYS,
    FORMAT,
    MAX_DATA_CELLS,
    MAX_HISTORY,
    MAX_JSON_BYTES,
    MAX_MEMBERS,
    MAX_PARAMS,
    VERSION,
    SessionError,
)
from nnviz.core.session.model import Session, validate_session
from nnviz.core.session.values import (
    count_params,
    get_field,
    get_list,
    get_object,
    layers_text,
    plain_copy,
    spec_kind,
    whole,
)


def save(path: str | os.PathLike[str], session: Session) -> None:
    """Check `session` and write it atomically to `path`; raises SessionError on any failure.

    The previous file at `path` (if any) is replaced only once the new one is completely on
    disk; a failure leaves it untouched and removes the temporary file. Hidden temporary files
    of the same name that a killed save left behind are removed too.
    """
    try:
        validate_session(session)
    except SessionError as exc:
        raise SessionError(f"not saved: {exc.problem}", path) from None
    # Write through a symlink to its target rather than replacing the link by a file.
    target = Path(os.path.realpath(os.fspath(path)))
    try:
        doc, arrays = _to_document(session)
        text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if len(text) > MAX_JSON_BYTES:
            raise SessionError(
                f"not saved: session.json would be {len(text):,} bytes, more than the "
                f"{MAX_JSON_BYTES:,} a reader accepts (shorten the notes or view options)"
            )
        archive.write_atomically(target, lambda f: archive.write_zip(f, text, arrays))
    except SessionError as exc:
        raise SessionError(exc.problem, path) from None
    except OSError as exc:
        raise SessionError(f"cannot save: {exc.strerror or exc}", path) from exc
    except Exception as exc:
        raise SessionError(f"cannot save: {type(exc).__name__}: {exc}", path) from exc


def _ref(arrays: dict[str, np.ndarray], member: str, arr: np.ndarray) -> dict[str, Any]:
    arrays[member] = arr
    return {"npy": member, "shape": list(arr.shape)}


def _to_document(s: Session) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    arrays: dict[str, np.ndarray] = {}
    params = {
        "weights": [_ref(arrays, f"weights/{l}.npy", w) for l, w in enumerate(s.weights)],  # noqa: E741
        "biases": [_ref(arrays, f"biases/{l}.npy", b) for l, b in enumerate(s.biases)],  # noqa: E741
        "velocity": None if s.velocity is None else _ref(arrays, "velocity.npy", s.velocity),
    }
    length = len(next(iter(s.history.values()))) if s.history else 0
    history = {
        "length": length,
        "columns": {c: _ref(arrays, f"history/{c}.npy", v) for c, v in s.history.items()},
    }
    dataset: dict[str, Any] | None = None
    if s.dataset is not None:
        dataset = {k: v for k, v in s.dataset.items() if k != "arrays"}
        dataset["kind"] = spec_kind(s.dataset)
        if dataset["kind"] == "embedded":
            dataset["arrays"] = {
                k: _ref(arrays, f"data/{k}.npy", s.dataset["arrays"][k]) for k in DATA_ARRAYS
            }
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "written_by": f"nnviz {__version__}",
        "title": s.title,
        "notes": s.notes,
        "network": s.network,
        "parameters": params,
        "training": {"epoch": int(s.epoch), "hyper": s.hyper, "rng_state": s.rng_state},
        "history": history,
        "dataset": dataset,
        "stepper": s.stepper,
        "view": s.view,
        "hidden": list(s.hidden),
    }
    return plain_copy(doc), arrays


# ---------------------------------------------------------------------------------------------
# Load


def load(path: str | os.PathLike[str]) -> Session:
    """Read and check a session file; raises SessionError (only) naming the file and problem."""
    try:
        with archive.open_zip(path) as zf:
            return _read_session(zf)
    except SessionError as exc:
        raise SessionError(exc.problem, path) from exc.__cause__
    except FileNotFoundError:
        raise SessionError("no such file", path) from None
    except IsADirectoryError:
        raise SessionError("is a folder, not a session file", path) from None
    except OSError as exc:
        raise SessionError(f"cannot read the file: {exc.strerror or exc}", path) from exc
    except Exception as exc:
        # The contract is SessionError only: whatever a hostile file provokes is reported.
        raise SessionError(f"corrupted file ({type(exc).__name__}: {exc})", path) from exc


def _read_session(zf: zipfile.ZipFile) -> Session:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise SessionError(f"the archive has {len(infos):,} members, more than {MAX_MEMBERS:,}")
    doc = archive.read_json(zf)
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise SessionError(
            f"not an nnviz session file (format is {fmt!r}, expected {FORMAT!r})"
            if fmt is not None else "not an nnviz session file (session.json has no 'format')"
        )
    version = get_field(doc, "version", "session.json")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SessionError(f"version must be a whole number >= 1, got {version!r}")
    if version > VERSION:
        raise SessionError(
            f"written by a newer nnviz (version {version}); this nnviz reads version {VERSION}"
        )
    network = get_field(doc, "network", "session.json")
    sizes = check_network(network)
    # Every array is declared (and its size checked) before any is read, so a file cannot make
    # us decompress a gigabyte only to find the next array pushes the total over the limit.
    arrays = archive.ArrayPlan()
    params = get_object(doc, "parameters", "session.json")
    L = len(sizes) - 1
    ctx = f" for layers {layers_text(sizes)}"
    for l, r in enumerate(get_list(params, "weights", "parameters", L)):  # noqa: E741
        arrays.declare(r, f"weights[{l}]", (sizes[l], sizes[l + 1]), MAX_PARAMS, ctx)
    for l, r in enumerate(get_list(params, "biases", "parameters", L)):  # noqa: E741
        arrays.declare(r, f"biases[{l}]", (sizes[l + 1],), MAX_PARAMS, ctx)
    vref = get_field(params, "velocity", "parameters")
    if vref is not None:
        arrays.declare(vref, "velocity", (count_params(sizes),), MAX_PARAMS, ctx)

    training = get_object(doc, "training", "session.json")
    history_doc = get_object(doc, "history", "session.json")
    length = whole(get_field(history_doc, "length", "history"), "history.length", low=0)
    if length > MAX_HISTORY:
        raise SessionError(f"history.length {length:,} is more than {MAX_HISTORY:,} rows")
    columns = get_object(history_doc, "columns", "history")
    for c, r in columns.items():
        arrays.declare(r, f"history.{c}", (length,), MAX_HISTORY, f" (history.length is {length})")

    dataset = get_field(doc, "dataset", "session.json")
    embedded = isinstance(dataset, dict) and dataset.get("kind") == "embedded"
    if embedded:
        arrays_doc = get_object(dataset, "arrays", "dataset")
        widths = {"X": sizes[0], "Y": sizes[-1]}
        for k in DATA_ARRAYS:
            ref = get_field(arrays_doc, k, "dataset.arrays")
            arrays.declare(ref, f"dataset.{k}", (None, widths[k[0]]), MAX_DATA_CELLS, ctx)

    got = arrays.read(zf)
    if embedded:
        dataset = dict(dataset)
        dataset["arrays"] = {k: got[f"dataset.{k}"] for k in DATA_ARRAYS}

    session = Session(
        network=network,
        weights=[got[f"weights[{l}]"] for l in range(L)],  # noqa: E741
        biases=[got[f"biases[{l}]"] for l in range(L)],  # noqa: E741
        dataset=dataset,
        hyper=get_field(training, "hyper", "training"),
        history={c: got[f"history.{c}"] for c in columns},
        velocity=got.get("velocity"),
        epoch=get_field(training, "epoch", "training"),
        rng_state=get_field(training, "rng_state", "training"),
        stepper=get_field(doc, "stepper", "session.json"),
        view=get_field(doc, "view", "session.json"),
        hidden=get_field(doc, "hidden", "session.json"),
        title=get_field(doc, "title", "session.json"),
        notes=get_field(doc, "notes", "session.json"),
    )
    validate_session(session, loading=True)
    return session
