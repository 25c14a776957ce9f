"""Session files: exact round trips, every rejection as SessionError, atomic saves."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nnviz.core import Network, Trainer, datasets
from nnviz.core import session as sessions
from nnviz.core.session import Session, SessionError, builtin_spec, embedded_spec, load, save

# --------------------------------------------------------------------------------------------
# Fixtures and helpers


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


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "lesson.nnviz"
    save(path, trained_session())
    return path


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


# --------------------------------------------------------------------------------------------
# Round trips


def test_round_trip_with_generated_data_is_exact(tmp_path: Path) -> None:
    s = trained_session()
    path = tmp_path / "lesson.nnviz"
    save(path, s)
    back = load(path)
    assert back == s
    for w0, w1 in zip(s.weights + s.biases, back.weights + back.biases, strict=True):
        assert_same_arrays(w0, w1)
    assert_same_arrays(s.velocity, back.velocity)
    assert set(back.history) == {"epoch", "train_loss", "test_loss", "accuracy", "test_accuracy"}
    for c in s.history:
        assert_same_arrays(s.history[c], back.history[c])
    assert back.history["epoch"].dtype == np.int64
    assert back.epoch == 7 and back.hyper["momentum"] == 0.9 and back.hyper["batch_size"] == 8
    assert back.network == {
        "layers": [2, 4, 1], "activation": "tanh", "output": "sigmoid", "loss": "bce",
        "init": "xavier", "seed": 3, "dtype": "float64",
    }
    assert back.stepper == s.stepper and back.view == s.view and back.hidden == s.hidden
    assert back.title == s.title and back.notes == s.notes
    ds0 = datasets.load_dataset("circles", n=40, noise=0.1, test_ratio=0.25, seed=2)
    ds1 = back.load_dataset()
    for k in ("X_train", "Y_train", "X_test", "Y_test"):
        assert_same_arrays(getattr(ds0, k), getattr(ds1, k))


def test_round_trip_with_embedded_csv_data_is_exact(tmp_path: Path) -> None:
    csv = tmp_path / "flowers.csv"
    rows = ["length;width;colour;kind"] + [
        f"{1 + 0.1 * i:.3f};{2 - 0.07 * i:.3f};{i % 3};{'ab'[i % 2]}" for i in range(30)
    ]
    csv.write_text("\n".join(rows) + "\n")
    ds = datasets.load_csv(csv, target="kind", test_ratio=0.2, seed=1)
    net = Network([3, 5, 1], activation="relu", seed=4)
    s = Session.from_network(net, dataset=embedded_spec(ds, source=csv), title="own data")
    path = tmp_path / "own.nnviz"
    save(path, s)
    back = load(path)
    assert back == s
    assert back.dataset["kind"] == "embedded" and back.dataset["source"] == str(csv)
    got = back.load_dataset()
    for k in ("X_train", "Y_train", "X_test", "Y_test"):
        assert_same_arrays(getattr(ds, k), getattr(got, k))
    assert got.feature_names == ("length", "width", "colour")
    assert got.class_names == ("a", "b") and got.name == "flowers"
    # A Dataset passed directly is embedded the same way.
    assert Session.from_network(net, dataset=ds).dataset["kind"] == "embedded"


def test_stepper_position_named_tuple_is_stored_as_a_dict() -> None:
    from typing import NamedTuple

    class Position(NamedTuple):  # the shape of nnviz.core.stepper.Position
        epoch: int
        sample: int
        phase: int

    s = Session.from_network(Network([2, 2, 1]), stepper=Position(2, 1, 5))
    assert s.stepper == {"epoch": 2, "sample": 1, "phase": 5}
    s.validate()


def test_identical_sessions_give_identical_bytes(tmp_path: Path) -> None:
    s = trained_session()
    save(tmp_path / "a.nnviz", s)
    save(tmp_path / "b.nnviz", load(tmp_path / "a.nnviz"))
    assert (tmp_path / "a.nnviz").read_bytes() == (tmp_path / "b.nnviz").read_bytes()


def test_from_network_minimal_and_build_network_reproduces_predictions(tmp_path: Path) -> None:
    net = Network([3, 6, 4, 3], activation="leaky_relu", output="softmax",
                  loss="cross_entropy", init="he", seed=9)
    net.weights[1][2, 1] = 0.123456789  # not what the seed would give: weights come from the file
    s = Session.from_network(net)
    assert s.dataset is None and s.history == {} and s.velocity is None and s.epoch == 0
    assert s.stepper is None and s.view == {} and s.hidden == [] and s.title == ""
    assert s.hyper == sessions.DEFAULT_HYPER
    net.weights[0][0, 0] = 99.0  # the session holds copies
    assert s.weights[0][0, 0] != 99.0
    path = tmp_path / "min.nnviz"
    save(path, s)
    rebuilt = load(path).build_network()
    net.weights[0][0, 0] = s.weights[0][0, 0]
    X = np.random.default_rng(0).standard_normal((10, 3))
    assert np.array_equal(rebuilt.predict(X), net.predict(X))
    assert rebuilt.config() == net.config() and rebuilt.weights[1][2, 1] == 0.123456789
    with pytest.raises(SessionError, match="no data set"):
        load(path).load_dataset()


def test_float32_network_round_trips(tmp_path: Path) -> None:
    net = Network([2, 3, 1], seed=1, dtype=np.float32)
    save(tmp_path / "f32.nnviz", Session.from_network(net))
    back = load(tmp_path / "f32.nnviz").build_network()
    assert back.dtype == np.float32
    assert_same_arrays(back.params, net.params)


def test_resumed_training_matches_uninterrupted_training(tmp_path: Path) -> None:
    def trainer() -> Trainer:
        ds = datasets.load_dataset("gaussians", n=30, test_ratio=0.2, seed=1)
        net = Network([2, 3, 1], seed=2)
        return Trainer(net, ds.X_train, ds.Y_train, lr=0.4, batch_size=4, momentum=0.5,
                       X_test=ds.X_test, Y_test=ds.Y_test, seed=7)

    straight = trainer()
    straight.run(10)
    first = trainer()
    first.run(6)
    spec = builtin_spec("gaussians", n=30, test_ratio=0.2, seed=1)
    save(tmp_path / "half.nnviz", Session.from_network(first.net, trainer=first, dataset=spec))
    resumed = load(tmp_path / "half.nnviz").build_trainer()
    resumed.run(4)
    assert_same_arrays(resumed.net.params, straight.net.params)
    for c in straight.history.COLUMNS:
        assert_same_arrays(resumed.history.column(c), straight.history.column(c))
    assert resumed.epoch == 10


# --------------------------------------------------------------------------------------------
# Whole-file rejections


def test_rejects_missing_empty_random_and_non_zip_files(tmp_path: Path) -> None:
    rejects(tmp_path / "nope.nnviz", "no such file")
    rejects(tmp_path, "folder")
    empty = tmp_path / "empty.nnviz"
    empty.write_bytes(b"")
    rejects(empty, "empty")
    noise = tmp_path / "noise.nnviz"
    noise.write_bytes(np.random.default_rng(0).bytes(5000))
    rejects(noise, "not a ZIP")
    text = tmp_path / "text.nnviz"
    text.write_text('{"format": "nnviz-session", "version": 1}')
    rejects(text, "not a ZIP")
    fake = tmp_path / "fake.nnviz"
    fake.write_bytes(b"PK\x03\x04" + bytes(200))
    rejects(fake, "truncated or corrupted")


@pytest.mark.parametrize("keep", [0.99, 0.9, 0.5, 0.1])
def test_rejects_truncated_file(good: Path, keep: float) -> None:
    data = good.read_bytes()
    good.write_bytes(data[: int(len(data) * keep)])
    rejects(good)


def test_rejects_corrupted_member_data(good: Path) -> None:
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("weights/1.npy")
    # Flip a byte inside the member's compressed data (after its 30-byte local header + name).
    pos = info.header_offset + 30 + len(info.filename) + 5
    data[pos] ^= 0xFF
    good.write_bytes(bytes(data))
    rejects(good, "weights/1.npy")


def test_rejects_archive_without_session_json(good: Path) -> None:
    content = members(good)
    del content["session.json"]
    write_members(good, content)
    rejects(good, "no session.json")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b'{"format": "nnviz-session", "version": 1,', "not valid JSON (line 1"),
        (b"[1, 2, 3]", "holds a list, expected an object"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": "nnviz-session", "version": NaN}', "NaN"),
        (b'{"format": "nnviz-session", "format": "nnviz-session"}', "twice"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"format": "keras-model", "version": 1}', "format is 'keras-model'"),
        (b'{"version": 1}', "has no 'format'"),
        (b'{"format": "nnviz-session"}', "missing field 'version'"),
    ],
)
def test_rejects_bad_json(good: Path, raw: bytes, fragment: str) -> None:
    content = members(good)
    content["session.json"] = raw
    write_members(good, content)
    rejects(good, fragment)


def test_rejects_newer_version_with_a_clear_message(good: Path) -> None:
    edit(good, lambda d: d.update(version=3))
    err = rejects(good)
    assert str(err) == (
        "lesson.nnviz: written by a newer nnviz (version 3); this nnviz reads version 1"
    )
    assert err.problem.startswith("written by") and err.path == str(good)


@pytest.mark.parametrize("version", [0, -1, "1", 1.0, True, None])
def test_rejects_invalid_version(good: Path, version: Any) -> None:
    edit(good, lambda d: d.update(version=version))
    rejects(good, "version")


# --------------------------------------------------------------------------------------------
# Field rejections, each by editing a good file


def _set(path: str, value: Any) -> Callable[[dict], None]:
    """Edit that sets doc[a][b]... (dotted path; digits index lists); _DELETE removes the key."""

    def apply(doc: dict) -> None:
        keys = [int(k) if k.isdigit() else k for k in path.split(".")]
        target = doc
        for k in keys[:-1]:
            target = target[k]
        if value is _DELETE:
            del target[keys[-1]]
        else:
            target[keys[-1]] = value

    return apply


_DELETE = object()


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("network", _DELETE, "missing field 'network'"),
        ("network", [2, 4, 1], "network must be an object"),
        ("network.layers", [2, 0, 1], "sizes must be >= 1"),
        ("network.layers", [2], "must have 2 to"),
        ("network.layers", "2,4,1", "list of whole numbers"),
        ("network.layers", [2, True, 1], "list of whole numbers"),
        ("network.layers", [2, 4.0, 1], "list of whole numbers"),
        ("network.layers", [100_000, 100_000, 10], "more than 50,000,000"),
        ("network.activation", "swish", "unknown activation"),
        ("network.activation", "softmax", "cannot be a hidden activation"),
        ("network.activation", 3, "network.activation must be a name"),
        ("network.output", "relu", "cannot be an output activation"),
        ("network.output", "tanh", "loss 'bce' needs a sigmoid output"),
        ("network.loss", "hinge", "unknown loss"),
        ("network.init", "zeros", "unknown init"),
        ("network.seed", -1, "network.seed must be >= 0"),
        ("network.seed", 2**64, "too large"),
        ("training.epoch", 2**70, "training.epoch is 1180591620717411303424, too large"),
        ("network.dtype", "float16", "network.dtype"),
        ("network.dropout", 0.5, "unknown field(s): dropout"),
        ("network.loss", _DELETE, "network: missing field 'loss'"),
        ("parameters.weights", [], "has 0 arrays, expected 2"),
        ("parameters.weights.0", [[1.0]], "array reference"),
        ("parameters.weights.0.shape", [2, 3], "weights[0] has shape (2, 3), expected (2, 4) "
                                               "for layers 2-4-1"),
        ("parameters.weights.0.shape", "2x4", "shape must be a list"),
        ("parameters.weights.0.npy", "weights/9.npy", "'weights/9.npy' is missing"),
        ("parameters.biases.1.shape", [4], "biases[1] has shape (4,), expected (1,)"),
        ("parameters.velocity.shape", [16], "velocity has shape (16,), expected (17,)"),
        ("training.epoch", -3, "training.epoch must be >= 0"),
        ("training.epoch", 2.5, "training.epoch must be a whole number"),
        ("training.hyper.lr", 0, "learning rate must be a positive number"),
        ("training.hyper.lr", -0.1, "learning rate must be a positive number"),
        ("training.hyper.lr", "fast", "training.hyper.lr must be a number"),
        ("training.hyper.lr", 1e999, "contains Infinity"),  # json writes the token Infinity
        ("training.hyper.lr", _DELETE, "missing field 'lr'"),
        ("training.hyper.momentum", 1.0, "momentum must be in [0, 1)"),
        ("training.hyper.l2", -1.0, "L2 penalty must be >= 0"),
        ("training.hyper.batch_size", 0, "batch_size must be >= 1"),
        ("training.hyper.shuffle", "yes", "shuffle must be true or false"),
        ("training.hyper.seed", -5, "hyper.seed must be >= 0"),
        ("training.rng_state", {"bit_generator": "MT19937"}, "PCG64 state"),
        ("training.rng_state.state", "broken", "not a valid PCG64 state"),
        ("history.length", 10**12, "more than 50,000,000 rows"),
        ("history.length", 8, "history.epoch has shape (7,), expected (8,)"),
        ("history.columns.train_loss.shape", [6], "train_loss has shape (6,), expected (7,)"),
        ("history.columns.epoch", _DELETE, "no 'epoch' column"),
        ("history.columns", [], "columns must be an object"),
        ("dataset.name", "mnist", "unknown data set 'mnist'"),
        ("dataset.name", "iris", "has 4 inputs but the network's input layer has 2 units"),
        ("dataset.noise", -0.5, "noise must be >= 0"),
        ("dataset.test_ratio", 1.0, "test_ratio must be < 1"),
        ("dataset.n", 10**9, "more than 10,000,000 points"),
        ("dataset.n", 1, "dataset.n must be >= 2"),
        ("dataset.options", {"k": 3}, "unknown option(s) for data set 'circles': k"),
        ("dataset.options", {"deep": {"a": [1, 2]}}, "unknown option"),
        ("dataset.kind", "url", "dataset.kind must be"),
        ("dataset.url", "http://example.org/x.csv", "unknown field(s): url"),
        ("dataset", 5, "dataset must be an object or null"),
        ("stepper.sample", 30, "stepper.sample 30 is beyond the 30 training samples"),
        ("stepper.sample", -1, "stepper.sample must be >= 0"),
        ("stepper.phase", True, "stepper.phase must be"),
        ("stepper.phase", "", "stepper.phase must be"),
        ("stepper.epoch", _DELETE, "stepper: missing field 'epoch'"),
        ("view", [1, 2], "view must be an object"),
        ("hidden", "lr", "hidden must be a list"),
        ("hidden", ["lr", 3], "hidden must be a list"),
        ("title", None, "title must be text"),
        ("notes", _DELETE, "missing field 'notes'"),
        ("training", _DELETE, "missing field 'training'"),
    ],
)
def test_rejects_bad_field(good: Path, field: str, value: Any, fragment: str) -> None:
    edit(good, _set(field, value))
    rejects(good, fragment)


def test_rejects_nan_and_inf_in_session_json(good: Path) -> None:
    content = members(good)
    text = content["session.json"].decode().replace('"font_scale": 1.25', '"font_scale": NaN')
    content["session.json"] = text.encode()
    write_members(good, content)
    rejects(good, "NaN, which is not a JSON number")


def test_missing_version_field_names_it(good: Path) -> None:
    edit(good, _set("version", _DELETE))
    rejects(good, "missing field 'version'")


# --------------------------------------------------------------------------------------------
# Array member rejections


def test_rejects_weights_of_the_wrong_shape_with_the_documented_message(good: Path) -> None:
    edit(good, _set("parameters.weights.1.shape", [3, 1]), weights__1=npy(np.ones((3, 1))))
    err = rejects(good)
    assert str(err) == (
        "lesson.nnviz: weights[1] has shape (3, 1), expected (4, 1) for layers 2-4-1"
    )


def test_rejects_npy_whose_header_disagrees_with_session_json(good: Path) -> None:
    edit(good, weights__0=npy(np.ones((4, 2))))
    rejects(good, "weights[0]", "has shape (4, 2) but session.json declares (2, 4)")


def test_rejects_nan_weights_and_inf_velocity(good: Path, tmp_path: Path) -> None:
    w = load(good).weights[0].copy()
    w[1, 2] = np.nan
    edit(good, weights__0=npy(w))
    rejects(good, "weights[0] contains NaN")
    other = tmp_path / "v.nnviz"
    save(other, trained_session())
    v = load(other).velocity.copy()
    v[0] = np.inf
    edit(other, velocity=npy(v))
    rejects(other, "velocity contains infinite values")


def test_rejects_weights_of_another_dtype(good: Path) -> None:
    edit(good, weights__0=npy(load(good).weights[0].astype(np.float32)))
    rejects(good, "weights[0] is float32, expected float64")


def test_rejects_object_npy_without_unpickling(good: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple:
            return (open, (str(marker), "w"))

    arr = np.empty((2, 4), dtype=object)
    arr[0, 0] = Payload()
    payload = npy(arr, allow_pickle=True)
    assert b"pwned" in payload and pickle.PROTO in payload  # really a pickle inside
    edit(good, weights__0=payload)
    rejects(good, "weights[0]", "holds object data", "pickle")
    assert not marker.exists()


@pytest.mark.parametrize(
    ("arr", "fragment"),
    [
        (np.zeros((2, 4), dtype=[("a", "f8")]), "not plain numbers"),
        (np.zeros((2, 4), dtype=complex), "complex128 data, not plain numbers"),
        (np.full((2, 4), "x"), "<U1 data, not plain numbers"),
        (np.zeros((2, 4), dtype=bool), "bool data, not plain numbers"),
        (np.zeros((2, 4), dtype=np.longdouble), "not plain numbers"),
    ],
)
def test_rejects_npy_of_non_numeric_dtypes(good: Path, arr: np.ndarray, fragment: str) -> None:
    edit(good, weights__0=npy(arr))
    rejects(good, "weights[0]", fragment)


def test_rejects_non_npy_member(good: Path) -> None:
    edit(good, weights__0=b"not an array at all, just text")
    rejects(good, "weights[0]", "not a valid .npy array")


def test_rejects_npy_member_that_is_itself_a_zip(good: Path) -> None:
    buf = io.BytesIO()
    np.savez(buf, w=np.ones((2, 4)))
    edit(good, weights__0=buf.getvalue())
    rejects(good, "weights[0]", "not a valid .npy array")


def test_rejects_truncated_and_padded_npy_members(good: Path, tmp_path: Path) -> None:
    full = npy(load(good).weights[0])
    edit(good, weights__0=full[:-8])
    rejects(good, "weights[0]", "truncated (56 of 64 data bytes)")
    other = tmp_path / "pad.nnviz"
    save(other, trained_session())
    edit(other, weights__0=full + b"\0" * 8)
    rejects(other, "weights[0]", "extra bytes")


def test_rejects_zip_bomb_member_before_decompressing(good: Path) -> None:
    # 64 MB of zeros compress to ~64 KB; the declared (2, 4) float64 shape needs 64 bytes.
    bomb = npy(np.ones((2, 4))) + bytes(64 * 1024**2)
    edit(good, weights__0=bomb)
    assert good.stat().st_size < 1024**2
    rejects(good, "weights[0]", "bytes uncompressed, more than shape (2, 4) can need")


def test_rejects_missing_member(good: Path) -> None:
    edit(good, history__train_loss=None)
    rejects(good, "history.train_loss", "'history/train_loss.npy' is missing")


def test_rejects_history_of_strings_and_unequal_lengths(good: Path, tmp_path: Path) -> None:
    edit(good, history__test_loss=npy(np.array(["a"] * 7)))
    rejects(good, "history.test_loss", "not plain numbers")
    # Unequal lengths caught on the in-memory session too (save refuses it).
    s = trained_session()
    s.history["accuracy"] = s.history["accuracy"][:-1]
    with pytest.raises(SessionError, match="history columns differ in length"):
        save(tmp_path / "x.nnviz", s)


def test_rejects_absurd_total_array_size(good: Path) -> None:
    # Each history column stays under its own limit, but 6 of them would need > 2 GiB; the
    # total is checked before any member is read.
    def grow(doc: dict) -> None:
        n = 49_000_000
        columns = doc["history"]["columns"]
        columns["extra"] = dict(columns["epoch"])
        doc["history"]["length"] = n
        for ref in columns.values():
            ref["shape"] = [n]

    edit(good, grow)
    rejects(good, "more than the 2,147,483,648 a session may hold")


# --------------------------------------------------------------------------------------------
# Embedded data rejections


@pytest.fixture
def own(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    Y = (X[:, :1] > 0).astype(float)
    ds = datasets.Dataset("mine", X[:16], Y[:16], X[16:], Y[16:], ("u", "v"), ("no", "yes"), "d")
    path = tmp_path / "own.nnviz"
    save(path, Session.from_network(Network([2, 2, 1]), dataset=embedded_spec(ds, source="m.csv")))
    return path


def test_rejects_embedded_data_of_the_wrong_width(own: Path) -> None:
    X = np.zeros((16, 3))
    edit(own, _set("dataset.arrays.X_train.shape", [16, 3]), data__X_train=npy(X))
    rejects(own, "dataset.X_train has shape (16, 3), expected (n, 2) for layers 2-2-1")
    edit(own, _set("network.layers", [3, 2, 1]))
    rejects(own, "weights[0] has shape (2, 2), expected (3, 2)")


def test_rejects_embedded_targets_and_inputs_of_different_lengths(own: Path) -> None:
    Y = np.zeros((15, 1))
    edit(own, _set("dataset.arrays.Y_train.shape", [15, 1]), data__Y_train=npy(Y))
    rejects(own, "dataset.X_train has 16 rows but dataset.Y_train has 15")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("dataset.feature_names", ["u"], "1 names for 2 inputs"),
        ("dataset.class_names", ["a", "b", "c"], "3 names but the 1 target column(s) need 2"),
        ("dataset.class_names", "ab", "list of names"),
        ("dataset.source", None, "dataset.source must be text"),
        ("dataset.arrays.Y_test", _DELETE, "missing field 'Y_test'"),
    ],
)
def test_rejects_bad_embedded_fields(own: Path, field: str, value: Any, fragment: str) -> None:
    edit(own, _set(field, value))
    rejects(own, fragment)


def test_rejects_nan_in_embedded_data_and_non_binary_class_targets(own: Path) -> None:
    s = load(own)
    X = s.dataset["arrays"]["X_test"].copy()
    X[0, 0] = np.nan
    Y = s.dataset["arrays"]["Y_train"].copy()
    Y[0, 0] = 0.5
    edit(own, data__X_test=npy(X))
    rejects(own, "dataset.X_test contains NaN")
    edit(own, data__X_test=npy(s.dataset["arrays"]["X_test"]), data__Y_train=npy(Y))
    rejects(own, "dataset.Y_train holds values other than 0 and 1")


# --------------------------------------------------------------------------------------------
# Robustness: nothing but SessionError, whatever the damage


def test_random_byte_damage_raises_only_session_error(good: Path) -> None:
    data = good.read_bytes()
    rng = np.random.default_rng(1)
    outcomes = set()
    for _ in range(150):
        damaged = bytearray(data)
        for pos in rng.integers(0, len(data), size=rng.integers(1, 4)):
            damaged[pos] = int(rng.integers(0, 256))
        good.write_bytes(bytes(damaged))
        try:
            load(good)
            outcomes.add("loaded")
        except SessionError:
            outcomes.add("rejected")
    assert "rejected" in outcomes


_ODD_VALUES = [None, -1, 0, 2**70, 1.5, "", "x", True, [], [None], {}, {"a": None}]


def _leaves(node: Any, prefix: str = "") -> list[str]:
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = ((str(i), v) for i, v in enumerate(node))
    else:
        return [prefix[:-1]]
    out = [prefix[:-1]] if prefix else []
    for k, v in items:
        out += _leaves(v, f"{prefix}{k}.")
    return out


def test_every_field_replaced_by_odd_values_raises_only_session_error(good: Path) -> None:
    doc = json.loads(members(good)["session.json"])
    doc["training"]["rng_state"] = None  # its 128-bit integers would only add noise here
    doc["history"]["columns"] = {"epoch": doc["history"]["columns"]["epoch"]}
    base = members(good)
    base["session.json"] = json.dumps(doc).encode()
    write_members(good, base)
    fields = [f for f in _leaves(doc) if f]
    assert len(fields) > 40
    for f in fields:
        for value in _ODD_VALUES:
            content = dict(base)
            d = json.loads(base["session.json"])
            _set(f, value)(d)
            content["session.json"] = json.dumps(d).encode()
            write_members(good, content)
            try:
                s = load(good)
            except SessionError as exc:
                assert str(exc).startswith("lesson.nnviz: ")
                continue
            s.validate()  # anything accepted is a valid session
            s.build_network()


# --------------------------------------------------------------------------------------------
# Saving


def test_save_refuses_invalid_sessions_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.nnviz"
    s = trained_session()
    s.weights[0][0, 0] = np.nan
    with pytest.raises(SessionError, match=r"^bad.nnviz: not saved: weights\[0\] contains NaN"):
        save(path, s)
    s = trained_session(view={"zoom": float("inf")})
    with pytest.raises(SessionError, match="view.zoom is inf"):
        save(path, s)
    s = trained_session(view={"widget": object()})
    with pytest.raises(SessionError, match="not a plain JSON value"):
        save(path, s)
    s = trained_session()
    s.weights = s.weights[:1]
    with pytest.raises(SessionError, match="weights: expected 2 arrays for layers 2-4-1, got 1"):
        save(path, s)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), RuntimeError("bug")])
def test_failed_save_keeps_the_previous_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    path = tmp_path / "lesson.nnviz"
    save(path, Session.from_network(Network([2, 2, 1])))
    before = path.read_bytes()
    calls = []
    real = sessions._write_npy

    def failing(zf: zipfile.ZipFile, member: str, arr: np.ndarray) -> None:
        calls.append(member)
        if len(calls) == 3:  # part of the new file is already written
            raise error
        real(zf, member, arr)

    monkeypatch.setattr(sessions, "_write_npy", failing)
    with pytest.raises(SessionError, match=r"^lesson.nnviz: cannot save: ") as info:
        save(path, trained_session())
    assert info.value.__cause__ is error
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.nnviz"]


def test_failed_rename_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lesson.nnviz"
    save(path, Session.from_network(Network([2, 2, 1])))
    before = path.read_bytes()

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(sessions.os, "replace", refuse)
    with pytest.raises(SessionError, match="cannot save: Permission denied"):
        save(path, trained_session())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["lesson.nnviz"]


def test_save_syncs_before_renaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(sessions.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(
        sessions.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))
    )
    save(tmp_path / "s.nnviz", trained_session())
    assert events[:2] == ["fsync", "replace"]
    assert load(tmp_path / "s.nnviz") == trained_session()


def test_save_replaces_existing_file_keeping_its_permissions(tmp_path: Path) -> None:
    path = tmp_path / "lesson.nnviz"
    save(path, Session.from_network(Network([2, 2, 1])))
    os.chmod(path, 0o640)
    save(path, trained_session())
    assert path.stat().st_mode & 0o777 == 0o640
    assert load(path) == trained_session()


def test_save_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    real = tmp_path / "real.nnviz"
    save(real, Session.from_network(Network([2, 2, 1])))
    link = tmp_path / "link.nnviz"
    link.symlink_to(real)
    save(link, trained_session())
    assert link.is_symlink() and load(real) == trained_session()


def test_save_into_a_missing_folder_is_a_session_error(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="cannot save"):
        save(tmp_path / "no" / "such" / "x.nnviz", trained_session())


def test_sessions_compare_by_value_and_bits() -> None:
    a, b = trained_session(), trained_session()
    assert a == b
    b.weights[0][0, 0] = np.nextafter(b.weights[0][0, 0], 1.0)
    assert a != b
    c = trained_session(hidden=["lr"])
    assert a != c
    with pytest.raises(TypeError):
        hash(a)
