"""The checks every part of a session passes, on saving and on loading alike; each problem is
a `SessionError` naming the field (see README, "The `.nnviz` session file", Checks on load).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from nnviz.core import datasets, features
from nnviz.core.network import Network, parse_bias
from nnviz.core.optim import check_hyper
from nnviz.core.session.format import (
    BUILTIN_KEYS,
    COLUMN_NAME,
    DATA_ARRAYS,
    DTYPES,
    MAX_DATA_CELLS,
    MAX_GENERATED_N,
    MAX_HISTORY,
    MAX_LAYERS,
    MAX_PARAMS,
    NETWORK_KEYS,
    SessionError,
)
from nnviz.core.session.values import (
    check_plain,
    count_params,
    get_field,
    layers_text,
    number,
    type_name,
    whole,
)

if TYPE_CHECKING:
    from nnviz.core.datasets import Dataset


def check_network(cfg: Any) -> tuple[int, ...]:
    if not isinstance(cfg, dict):
        raise SessionError(f"network must be an object, got {type_name(cfg)}")
    unknown = sorted(set(cfg) - set(NETWORK_KEYS))
    if unknown:
        raise SessionError(f"network has unknown field(s): {', '.join(map(str, unknown))}")
    layers = get_field(cfg, "layers", "network")
    if not isinstance(layers, list | tuple) or not all(
        isinstance(n, int | np.integer) and not isinstance(n, bool) for n in layers
    ):
        raise SessionError(f"network.layers must be a list of whole numbers, got {layers!r}")
    if not 2 <= len(layers) <= MAX_LAYERS:
        raise SessionError(
            f"network.layers must have 2 to {MAX_LAYERS} sizes (input ... output), "
            f"got {len(layers)}"
        )
    sizes = tuple(int(n) for n in layers)
    if min(sizes) < 1:
        raise SessionError(f"network.layers sizes must be >= 1, got {layers_text(sizes)}")
    n_params = count_params(sizes)
    if n_params > MAX_PARAMS:
        raise SessionError(
            f"network.layers {layers_text(sizes)} need {n_params:,} parameters, more than "
            f"{MAX_PARAMS:,}"
        )
    for key in ("activation", "output", "loss", "init"):
        if not isinstance(get_field(cfg, key, "network"), str):
            raise SessionError(f"network.{key} must be a name, got {cfg[key]!r}")
    seed = whole(get_field(cfg, "seed", "network"), "network.seed", low=0)
    bias = cfg.get("bias")
    if bias is not None:
        if not isinstance(bias, list) or not all(isinstance(m, str) for m in bias):
            raise SessionError(f"network.bias must be a list of bias modes, got {bias!r}")
        try:
            parse_bias(bias, len(sizes) - 1)
        except ValueError as exc:
            raise SessionError(f"network.bias: {exc}") from None
    dtype = get_field(cfg, "dtype", "network")
    if dtype not in DTYPES:
        raise SessionError(f"network.dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    try:
        # The core's own checks (names, output/loss pair, softmax width, init name) on a network
        # just wide enough to trigger them, so an absurd file allocates nothing here.
        Network(
            [1, min(sizes[-1], 2)], activation=cfg["activation"], output=cfg["output"],
            loss=cfg["loss"], init=cfg["init"], seed=seed,
        )
    except Exception as exc:
        raise SessionError(f"network: {exc}") from None
    return sizes


def check_parameters(
    network: Mapping[str, Any],
    weights: Any,
    biases: Any,
    velocity: Any,
    sizes: tuple[int, ...],
) -> None:
    """Weights and biases (one array per layer) and the optional velocity fit the layers."""
    L = len(sizes) - 1
    dtype = np.dtype(network.get("dtype", "float64"))
    ctx = f" for layers {layers_text(sizes)}"
    for name, arrays in (("weights", weights), ("biases", biases)):
        if not isinstance(arrays, list | tuple) or len(arrays) != L:
            got = len(arrays) if isinstance(arrays, list | tuple) else type_name(arrays)
            raise SessionError(f"{name}: expected {L} arrays{ctx}, got {got}")
        for l, a in enumerate(arrays):  # noqa: E741
            want = (sizes[l], sizes[l + 1]) if name == "weights" else (sizes[l + 1],)
            _check_float_array(a, f"{name}[{l}]", want, dtype, ctx)
    if velocity is not None:
        _check_float_array(velocity, "velocity", (count_params(sizes),), dtype, ctx)


def _check_float_array(
    a: Any, where: str, shape: tuple[int, ...], dtype: np.dtype, context: str = ""
) -> None:
    if not isinstance(a, np.ndarray):
        raise SessionError(f"{where} must be a NumPy array, got {type_name(a)}")
    if a.shape != shape:
        raise SessionError(f"{where} has shape {a.shape}, expected {shape}{context}")
    if a.dtype != dtype:
        raise SessionError(f"{where} is {a.dtype}, expected {dtype} like the network")
    if not np.isfinite(a).all():
        bad = "NaN" if np.isnan(a).any() else "infinite values"
        raise SessionError(f"{where} contains {bad}")


def check_training(epoch: Any, hyper: Any, rng_state: Any) -> None:
    """The epoch count, the hyper-parameters (the optimizer's own ranges) and the PCG64 state."""
    whole(epoch, "training.epoch", low=0)
    h = hyper
    if not isinstance(h, dict):
        raise SessionError(f"training.hyper must be an object, got {type_name(h)}")
    check_plain(h, "training.hyper")
    lr = number(get_field(h, "lr", "training.hyper"), "training.hyper.lr")
    values = {"lr": lr}
    for key in ("momentum", "l2", "l1"):
        if key in h:
            values[key] = number(h[key], f"training.hyper.{key}")
    try:
        check_hyper(**values)
    except ValueError as exc:
        raise SessionError(f"training.hyper: {exc}") from None
    bs = h.get("batch_size")
    if bs is not None:
        whole(bs, "training.hyper.batch_size", low=1)
    if "shuffle" in h and not isinstance(h["shuffle"], bool | np.bool_):
        raise SessionError(f"training.hyper.shuffle must be true or false, got {h['shuffle']!r}")
    if "seed" in h:
        whole(h["seed"], "training.hyper.seed", low=0)
    if rng_state is not None:
        if not isinstance(rng_state, dict) or rng_state.get("bit_generator") != "PCG64":
            raise SessionError("training.rng_state must be a NumPy PCG64 state object")
        try:
            np.random.PCG64().state = rng_state
        except Exception as exc:
            raise SessionError(f"training.rng_state is not a valid PCG64 state ({exc})") from None


def check_history(history: Any) -> None:
    if not isinstance(history, dict):
        raise SessionError(f"history must map column names to arrays, got {type_name(history)}")
    length = None
    for name, col in history.items():
        if not isinstance(name, str) or not COLUMN_NAME.match(name):
            raise SessionError(
                f"history column name {name!r} must be 1-64 letters, digits or '_'"
            )
        where = f"history.{name}"
        if not isinstance(col, np.ndarray) or col.ndim != 1:
            raise SessionError(f"{where} must be a 1-D array")
        if col.dtype.kind not in "iuf":
            raise SessionError(f"{where} holds {col.dtype} values, not numbers")
        if len(col) > MAX_HISTORY:
            raise SessionError(f"{where} has {len(col):,} rows, more than {MAX_HISTORY:,}")
        if length is None:
            length = len(col)
        elif len(col) != length:
            raise SessionError(
                f"history columns differ in length: {where} has {len(col)}, others {length}"
            )
    if history and "epoch" not in history:
        raise SessionError("history has columns but no 'epoch' column")


def check_dataset(spec: Any, sizes: tuple[int, ...]) -> int | None:
    """Check the spec against the layers; returns the number of training rows (None: no data)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise SessionError(f"dataset must be an object or null, got {type_name(spec)}")
    kind = spec.get("kind")
    if kind == "builtin":
        ds = build_builtin(spec)
    elif kind == "embedded":
        ds = _check_embedded(spec)
    else:
        raise SessionError(f"dataset.kind must be 'builtin' or 'embedded', got {kind!r}")
    label = f"data set {ds.name!r}"
    if ds.n_inputs != sizes[0]:
        raise SessionError(
            f"{label} has {ds.n_inputs} inputs but the network's input layer has "
            f"{sizes[0]} units (layers {layers_text(sizes)})"
        )
    if ds.n_outputs != sizes[-1]:
        raise SessionError(
            f"{label} has {ds.n_outputs} target columns but the network's output layer has "
            f"{sizes[-1]} units (layers {layers_text(sizes)})"
        )
    return len(ds.X_train)


def build_builtin(spec: Mapping[str, Any]) -> Dataset:
    unknown = sorted(set(spec) - set(BUILTIN_KEYS))
    if unknown:
        raise SessionError(f"dataset has unknown field(s): {', '.join(map(str, unknown))}")
    name = get_field(spec, "name", "dataset")
    if not isinstance(name, str):
        raise SessionError(f"dataset.name must be a name, got {name!r}")
    n = get_field(spec, "n", "dataset")
    if n is not None:
        n = whole(n, "dataset.n", low=2)
        if n > MAX_GENERATED_N:
            raise SessionError(f"dataset.n {n:,} is more than {MAX_GENERATED_N:,} points")
    noise = number(get_field(spec, "noise", "dataset"), "dataset.noise")
    test_ratio = number(get_field(spec, "test_ratio", "dataset"), "dataset.test_ratio")
    seed = whole(get_field(spec, "seed", "dataset"), "dataset.seed", low=0)
    options = get_field(spec, "options", "dataset")
    if not isinstance(options, dict):
        raise SessionError(f"dataset.options must be an object, got {type_name(options)}")
    check_plain(options, "dataset.options")
    feats = spec.get("features")
    if feats is not None and (
        not isinstance(feats, list) or not all(isinstance(f, str) for f in feats)
    ):
        raise SessionError(f"dataset.features must be a list of feature names, got {feats!r}")
    try:
        ds = datasets.load_dataset(
            name, n=n, noise=noise, test_ratio=test_ratio, seed=seed, **options
        )
        return features.with_features(ds, feats) if feats else ds
    except ValueError as exc:  # DatasetError included
        raise SessionError(f"dataset: {exc}") from None
    except Exception as exc:
        raise SessionError(f"dataset: cannot build {name!r}: {exc}") from None


def _check_embedded(spec: Mapping[str, Any]) -> Dataset:
    for key in ("name", "source", "description"):
        if not isinstance(get_field(spec, key, "dataset"), str):
            raise SessionError(f"dataset.{key} must be text, got {type_name(spec[key])}")
    names: dict[str, list[str]] = {}
    for key in ("feature_names", "class_names"):
        value = get_field(spec, key, "dataset")
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise SessionError(f"dataset.{key} must be a list of names")
        names[key] = list(value)
    arrays = get_field(spec, "arrays", "dataset")
    if not isinstance(arrays, dict):
        raise SessionError(f"dataset.arrays must be an object, got {type_name(arrays)}")
    a = {}
    for k in DATA_ARRAYS:
        v = get_field(arrays, k, "dataset.arrays")
        if not isinstance(v, np.ndarray) or v.ndim != 2:
            raise SessionError(f"dataset.{k} must be a 2-D array")
        if v.dtype != np.float64:
            raise SessionError(f"dataset.{k} is {v.dtype}, expected float64")
        if v.size > MAX_DATA_CELLS:
            raise SessionError(f"dataset.{k} has {v.size:,} values, more than {MAX_DATA_CELLS:,}")
        if not np.isfinite(v).all():
            raise SessionError(f"dataset.{k} contains NaN or infinite values")
        a[k] = v
    d, k_out = a["X_train"].shape[1], a["Y_train"].shape[1]
    if len(a["X_train"]) == 0:
        raise SessionError("dataset.X_train has no rows")
    for x, y in (("X_train", "Y_train"), ("X_test", "Y_test")):
        if len(a[x]) != len(a[y]):
            raise SessionError(
                f"dataset.{x} has {len(a[x])} rows but dataset.{y} has {len(a[y])}"
            )
    if a["X_test"].shape[1] != d or a["Y_test"].shape[1] != k_out:
        raise SessionError(
            f"dataset test arrays {a['X_test'].shape}, {a['Y_test'].shape} do not match the "
            f"training arrays' widths ({d}, {k_out})"
        )
    if len(names["feature_names"]) != d:
        raise SessionError(
            f"dataset.feature_names has {len(names['feature_names'])} names for {d} inputs"
        )
    classes = names["class_names"]
    if classes:
        want = 2 if k_out == 1 else k_out
        if len(classes) != want:
            raise SessionError(
                f"dataset.class_names has {len(classes)} names but the {k_out} target "
                f"column(s) need {want}"
            )
        for y in ("Y_train", "Y_test"):
            if not np.isin(a[y], (0.0, 1.0)).all():
                raise SessionError(f"dataset.{y} holds values other than 0 and 1 for classes")
    return datasets.Dataset(
        spec["name"], a["X_train"], a["Y_train"], a["X_test"], a["Y_test"],
        tuple(names["feature_names"]), tuple(classes), spec["description"],
    )


def check_stepper(stepper: Any, n_train: int | None) -> None:
    if stepper is None:
        return
    if not isinstance(stepper, dict):
        raise SessionError(f"stepper must be an object or null, got {type_name(stepper)}")
    check_plain(stepper, "stepper")
    whole(get_field(stepper, "epoch", "stepper"), "stepper.epoch", low=0)
    sample = whole(get_field(stepper, "sample", "stepper"), "stepper.sample", low=0)
    if n_train is not None and sample >= n_train:
        raise SessionError(
            f"stepper.sample {sample} is beyond the {n_train} training samples "
            f"(rows 0..{n_train - 1})"
        )
    phase = get_field(stepper, "phase", "stepper")
    if isinstance(phase, bool) or not (
        (isinstance(phase, str) and phase)
        or (isinstance(phase, int | np.integer) and phase >= 0)
    ):
        raise SessionError(f"stepper.phase must be a phase name or index >= 0, got {phase!r}")
