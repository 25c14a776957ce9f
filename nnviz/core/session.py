"""Sessions: a whole lesson (network, weights, data, training state, view) in one ``.nnviz`` file.

## The `.nnviz` session file

A session file is a **ZIP archive** (members deflated) that holds one JSON document,
`session.json`, and the numeric arrays as NumPy `.npy` members. Nothing in it is ever executed
or unpickled: the JSON is parsed as data, and every `.npy` member is read by checking its header
(which must declare a plain integer or floating-point dtype: object, structured, string and
complex arrays are refused) and then copying its raw bytes. Arrays are stored bit for bit, so
weights, biases, optimizer velocity, training history and embedded data come back
**bit-identical** (JSON alone would round-trip float64 through `repr`, but `.npy` is exact by
construction, compact, and readable from any language with a NumPy reader). Saving the same
session twice gives byte-identical files (members carry a fixed 1980-01-01 timestamp).

Members:

* `session.json`: everything else (below), UTF-8 JSON.
* `weights/<l>.npy`, `biases/<l>.npy`: layer `l` (0-based), weights `(n_in, n_out)` and biases
  `(n_out,)`, in the network's dtype.
* `velocity.npy` (optional): the SGD momentum velocity, one flat vector in `Network.params`
  layout (per layer the block `[W; b]`).
* `history/<column>.npy`: one 1-D array per history column (`epoch` int64; losses and
  accuracies float64, NaN where not measured).
* `data/X_train.npy`, `data/Y_train.npy`, `data/X_test.npy`, `data/Y_test.npy`: only for
  embedded data (own CSV files), float64.

`session.json` (every field is required unless marked optional; unknown extra fields are ignored,
except inside `network` and a built-in `dataset`, where they are errors):

```json
{
  "format": "nnviz-session",
  "version": 1,
  "written_by": "nnviz 0.1.0",
  "title": "XOR, step by step",
  "notes": "free text for the lesson",
  "network": {"layers": [2, 4, 1], "activation": "sigmoid", "output": "sigmoid",
              "loss": "mse", "init": "xavier", "seed": 0, "dtype": "float64"},
  "parameters": {
    "weights": [{"npy": "weights/0.npy", "shape": [2, 4]},
                {"npy": "weights/1.npy", "shape": [4, 1]}],
    "biases": [{"npy": "biases/0.npy", "shape": [4]}, {"npy": "biases/1.npy", "shape": [1]}],
    "velocity": {"npy": "velocity.npy", "shape": [17]}
  },
  "training": {
    "epoch": 1500,
    "hyper": {"lr": 0.5, "batch_size": null, "momentum": 0.9, "l2": 0.0, "l1": 0.0,
              "shuffle": true, "seed": 0},
    "rng_state": {"bit_generator": "PCG64", "state": {"state": 1234, "inc": 5678},
                  "has_uint32": 0, "uinteger": 0}
  },
  "history": {"length": 1500,
              "columns": {"epoch": {"npy": "history/epoch.npy", "shape": [1500]},
                          "train_loss": {"npy": "history/train_loss.npy", "shape": [1500]}}},
  "dataset": {"kind": "builtin", "name": "circles", "n": 200, "noise": 0.1, "test_ratio": 0.2,
              "seed": 0, "options": {}},
  "stepper": {"epoch": 3, "sample": 1, "phase": "backward"},
  "view": {"edge_mode": "weight", "log_y": true, "theme": "light"},
  "hidden": ["momentum", "dock:history"]
}
```

* `written_by` is informational (optional). `velocity`, `rng_state`, `dataset` and `stepper`
  may be `null`.
* `network`: layer sizes (whole numbers >= 1, at least two layers), hidden and output
  activation, loss, init scheme and its seed, and `dtype` (`float64` or `float32`); optional
  `bias`, one mode per weight layer (`trained`, `frozen` or `none`; missing = all trained). They are
  checked by the same code that builds a `Network`, so a file can never describe a network
  nnviz would refuse (e.g. loss `bce` needs a `sigmoid` output).
* Array references `{"npy": member, "shape": [...]}` declare their shape, so sizes are checked
  before anything is allocated; the `.npy` header must agree with the declared shape.
* `training.hyper`: `lr` (> 0, finite), `batch_size` (`null` = full batch, or >= 1), `momentum`
  in [0, 1), `l2`, `l1` >= 0, `shuffle` (bool), `seed` (the trainer's shuffling seed, >= 0);
  further keys are kept as plain JSON values. `rng_state` is the trainer's NumPy PCG64 state, so
  that training resumed from the file shuffles exactly as if it had never stopped.
* `history`: columns named with letters, digits and `_`, all of length `length`; `epoch` is
  present whenever any column is.
* `dataset`: either `{"kind": "builtin", ...}`, re-created on load with
  `nnviz.core.datasets.load_dataset(name, n=..., noise=..., test_ratio=..., seed=..., **options)`
  (generated and UCI sets; optional `features`, a list of input features of its 2-D points
  such as `["x1", "x2", "x1x2"]`), or `{"kind": "embedded", "name", "source" (the CSV file it came
  from, informational), "description", "feature_names", "class_names", "arrays": {"X_train",
  "Y_train", "X_test", "Y_test"}}` with the data itself in the file. Either way its input and
  output widths must match the first and last layer sizes.
* `stepper`: the single-stepper's position: `epoch` and `sample` (whole numbers >= 0, the sample
  a row of the training data), `phase` (a name or an index), plus any plain JSON values.
* `view` (options such as edge colouring, log axis, theme, font scale) holds plain JSON values;
  `hidden` lists the names of controls and docks hidden for the classroom.

**Checks on load.** Every field is checked and any problem raises `SessionError` whose message
names the file and the problem, e.g.
`lesson.nnviz: weights[1] has shape (3, 1), expected (4, 1) for layers 2-4-1`. Refused: empty,
truncated or corrupted files (CRC errors included), anything that is not a ZIP with a
`session.json`, invalid JSON (also `NaN`/`Infinity` tokens and duplicate keys), another format
name, a newer version ("written by a newer nnviz (version 3); this nnviz reads version 1"),
missing or mistyped fields, invalid activation / output / loss combinations, arrays of the wrong
count, shape or dtype, NaN or infinite weights, biases, velocity or data, history columns of
unequal length, unknown data sets or options, data whose width does not fit the layers,
hyper-parameters out of range, a stepper sample beyond the data, and absurd sizes (more than
50 million parameters, history rows or data cells per array, 2 GiB of arrays in all, or a
`session.json` over 16 MiB) before anything that large is allocated. A member whose uncompressed
size exceeds what its declared shape needs is refused before it is decompressed (zip bombs).

**Saving is atomic**: the file is written to a temporary file in the same folder, flushed and
`fsync`ed, then renamed over the target with `os.replace`; if anything fails the previous file
is untouched and the temporary file is removed. `save` checks the session first, so it never
writes a file that `load` would refuse.

**Versions.** A reader refuses files of a newer version. Additions that older readers can safely
skip may add fields within a version; anything that changes the meaning of existing fields gets
a new version number.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from nnviz.core import datasets, features, limits
from nnviz.core.history import History
from nnviz.core.network import Network, parse_bias
from nnviz.core.optim import check_hyper
from nnviz.core.trainer import Trainer, check_training_size

if TYPE_CHECKING:
    from nnviz.core.datasets import Dataset

__all__ = [
    "DEFAULT_HYPER",
    "FORMAT",
    "SUFFIX",
    "VERSION",
    "Session",
    "SessionError",
    "builtin_spec",
    "embedded_spec",
    "load",
    "save",
]

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
_MAX_NPY_HEADER = 10_000  # numpy's own default limit for header parsing
_MAX_PLAIN_DEPTH = 16
_MAX_PLAIN_ITEMS = 100_000
_INT_MAX = 2**63 - 1

_JSON_MEMBER = "session.json"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed member timestamps: identical sessions, identical bytes
_COLUMN_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_DATA_ARRAYS = ("X_train", "Y_train", "X_test", "Y_test")
_DTYPES = ("float64", "float32")
_BUILTIN_KEYS = ("kind", "name", "n", "noise", "test_ratio", "seed", "options", "features")
_NETWORK_KEYS = ("layers", "activation", "output", "loss", "init", "seed", "dtype", "bias")


class SessionError(ValueError):
    """A session file (or a session about to be saved) is unusable; says which file and why."""

    def __init__(self, problem: str, path: str | os.PathLike[str] | None = None) -> None:
        self.problem = problem
        self.path = None if path is None else os.fspath(path)
        super().__init__(f"{Path(self.path).name}: {problem}" if self.path else problem)


# ---------------------------------------------------------------------------------------------
# The session


@dataclass(eq=False)
class Session:
    """Everything a lesson needs; arrays are NumPy, everything else plain JSON-able values.

    ``dataset`` is None, a built-in spec (see `builtin_spec`) or an embedded one holding the
    arrays (see `embedded_spec`). ``history`` maps column names to 1-D arrays, like
    `History.as_dict()`. Two sessions compare equal when every field is equal and every array
    is bit-identical (same dtype, shape and bytes).
    """

    network: dict[str, Any]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    dataset: dict[str, Any] | None = None
    hyper: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_HYPER))
    history: dict[str, np.ndarray] = field(default_factory=dict)
    velocity: np.ndarray | None = None
    epoch: int = 0
    rng_state: dict[str, Any] | None = None
    stepper: dict[str, Any] | None = None
    view: dict[str, Any] = field(default_factory=dict)
    hidden: list[str] = field(default_factory=list)
    title: str = ""
    notes: str = ""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Session):
            return NotImplemented
        return all(
            _deep_equal(getattr(self, f), getattr(other, f)) for f in self.__dataclass_fields__
        )

    # ---- building ------------------------------------------------------------------------------
    @classmethod
    def from_network(
        cls,
        net: Network,
        *,
        dataset: Mapping[str, Any] | Dataset | None = None,
        hyper: Mapping[str, Any] | None = None,
        history: History | Mapping[str, Any] | None = None,
        velocity: np.ndarray | None = None,
        epoch: int | None = None,
        trainer: Trainer | None = None,
        stepper: Mapping[str, Any] | Any | None = None,
        view: Mapping[str, Any] | None = None,
        hidden: Sequence[str] = (),
        title: str = "",
        notes: str = "",
    ) -> Session:
        """A session of `net`'s current weights (copied), plus whatever else is given.

        With a `trainer`, its hyper-parameters, history, velocity, epoch count and shuffling
        state are taken too (explicit arguments win; `hyper` entries override the trainer's).
        `dataset` may be a spec dict or a `Dataset`, which is embedded (own CSV data);
        `stepper` a dict or the stepper's `Position` named tuple (epoch, sample, phase).
        """
        hyp = dict(DEFAULT_HYPER)
        hist: History | Mapping[str, Any] | None = history
        rng_state = None
        if trainer is not None:
            opt = trainer.optimizer
            hyp.update(
                lr=opt.lr, batch_size=trainer.batch_size, momentum=opt.momentum,
                l2=opt.l2, l1=opt.l1, shuffle=bool(trainer.shuffle), seed=trainer.seed,
            )
            hist = trainer.history if history is None else history
            velocity = opt.state() if velocity is None else velocity
            epoch = trainer.epoch if epoch is None else epoch
            rng_state = _plain_copy(trainer.rng.bit_generator.state)
        hyp.update(hyper or {})
        if isinstance(hist, History):
            hist = hist.as_dict()
        if dataset is not None and not isinstance(dataset, Mapping):
            dataset = embedded_spec(dataset)
        if stepper is not None and hasattr(stepper, "_asdict"):
            stepper = stepper._asdict()  # a stepper Position (epoch, sample, phase)
        config = net.config()
        config["dtype"] = net.dtype.name
        w, b = net.get_params()
        return cls(
            network=_plain_copy(config),
            weights=w,
            biases=b,
            dataset=_copy_spec(dataset),
            hyper=_plain_copy(hyp),
            history={str(k): np.array(v) for k, v in (hist or {}).items()},
            velocity=None if velocity is None else np.array(velocity, dtype=net.dtype),
            epoch=int(epoch or 0),
            rng_state=rng_state,
            stepper=None if stepper is None else _plain_copy(dict(stepper)),
            view=_plain_copy(dict(view or {})),
            hidden=[str(h) for h in hidden],
            title=title,
            notes=notes,
        )

    def build_network(self) -> Network:
        """A fresh `Network` of this configuration holding the saved weights and biases."""
        try:
            sizes = _check_network(self.network)
            _check_parameters(self, sizes)
            cfg = self.network
            net = Network(
                sizes, activation=cfg["activation"], output=cfg["output"], loss=cfg["loss"],
                init=cfg["init"], seed=cfg["seed"], dtype=np.dtype(cfg.get("dtype", "float64")),
                bias=cfg.get("bias"),
            )
            net.set_params(self.weights, self.biases)
        except SessionError:
            raise
        except Exception as exc:
            raise SessionError(f"cannot build the network: {exc}") from exc
        return net

    def load_dataset(self) -> Dataset:
        """The data set: rebuilt from a built-in spec, or from the embedded arrays (copies)."""
        spec = self.dataset
        if spec is None:
            raise SessionError("this session has no data set")
        if _spec_kind(spec) == "embedded":
            arrays = spec.get("arrays", {})
            return datasets.Dataset(
                str(spec.get("name", "data")),
                *(np.array(arrays[k], dtype=np.float64) for k in _DATA_ARRAYS),
                tuple(spec.get("feature_names", ())),
                tuple(spec.get("class_names", ())),
                str(spec.get("description", "")),
            )
        return _build_builtin(spec)

    def build_trainer(
        self, net: Network | None = None, dataset: Dataset | None = None
    ) -> Trainer:
        """A `Trainer` that continues where this session stopped.

        History, epoch count, optimizer velocity and shuffling state are restored, so training
        on from here gives the same weights as if training had never been interrupted. `net`
        defaults to `build_network()`, `dataset` to `load_dataset()`.
        """
        net = self.build_network() if net is None else net
        ds = self.load_dataset() if dataset is None else dataset
        h = {**DEFAULT_HYPER, **self.hyper}
        try:
            trainer = Trainer(
                net, ds.X_train, ds.Y_train, lr=h["lr"], batch_size=h["batch_size"],
                momentum=h["momentum"], l2=h["l2"], l1=h["l1"], shuffle=h["shuffle"],
                seed=h["seed"], X_test=ds.X_test, Y_test=ds.Y_test,
            )
            if self.history:
                trainer.history.extend(self.history)
            trainer.epoch = int(self.epoch)
            if self.velocity is not None:
                trainer.optimizer.load_state(self.velocity)
            if self.rng_state is not None:
                trainer.rng.bit_generator.state = self.rng_state
        except Exception as exc:
            raise SessionError(f"cannot resume training: {exc}") from exc
        return trainer

    def validate(self) -> None:
        """Raise SessionError naming the first problem; the same checks `load` applies."""
        _validate(self)


def builtin_spec(
    name: str,
    *,
    n: int | None = None,
    noise: float = 0.0,
    test_ratio: float = 0.0,
    seed: int = 0,
    features: Sequence[str] = (),
    **options: Any,
) -> dict[str, Any]:
    """The spec of a generated or UCI data set, re-created on load (see `datasets.load_dataset`);
    with ``features``, its 2-D points are fed as those input features (`features.py`)."""
    spec = {
        "kind": "builtin",
        "name": name,
        "n": n,
        "noise": float(noise),
        "test_ratio": float(test_ratio),
        "seed": seed,
        "options": _plain_copy(dict(options)),
    }
    if features:
        spec["features"] = list(features)
    return spec


def embedded_spec(ds: Dataset, *, source: str | os.PathLike[str] = "") -> dict[str, Any]:
    """A spec carrying the data itself (own CSV data); `source` records the file it came from."""
    return {
        "kind": "embedded",
        "name": ds.name,
        "source": os.fspath(source),
        "description": ds.description,
        "feature_names": list(ds.feature_names),
        "class_names": list(ds.class_names),
        "arrays": {k: np.array(getattr(ds, k), dtype=np.float64) for k in _DATA_ARRAYS},
    }


# ---------------------------------------------------------------------------------------------
# Save


def save(path: str | os.PathLike[str], session: Session) -> None:
    """Check `session` and write it atomically to `path`; raises SessionError on any failure.

    The previous file at `path` (if any) is replaced only once the new one is completely on
    disk; a failure leaves it untouched and removes the temporary file. Hidden temporary files
    of the same name that a killed save left behind are removed too.
    """
    try:
        _validate(session)
    except SessionError as exc:
        raise SessionError(f"not saved: {exc.problem}", path) from None
    # Write through a symlink to its target rather than replacing the link by a file.
    target = Path(os.path.realpath(os.fspath(path)))
    tmp: Path | None = None
    try:
        doc, arrays = _to_document(session)
        text = json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False).encode("utf-8")
        if len(text) > MAX_JSON_BYTES:
            raise SessionError(
                f"not saved: session.json would be {len(text):,} bytes, more than the "
                f"{MAX_JSON_BYTES:,} a reader accepts (shorten the notes or view options)"
            )
        fd, tmp = _create_temp(target)
        with os.fdopen(fd, "wb") as f:
            _write_zip(f, text, arrays)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o7777)
        os.replace(tmp, target)
        tmp = None
        _fsync_dir(target.parent)
        _remove_stale_temps(target)
    except SessionError as exc:
        raise SessionError(exc.problem, path) from None
    except OSError as exc:
        raise SessionError(f"cannot save: {exc.strerror or exc}", path) from exc
    except Exception as exc:
        raise SessionError(f"cannot save: {type(exc).__name__}: {exc}", path) from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


#: A temporary file untouched this long is not being written by a save in progress.
STALE_TEMP_SECONDS = 10.0


def _remove_stale_temps(target: Path) -> None:
    """Delete `.<name>.<8 hex>.tmp` files (what _create_temp makes for this name) that no save
    has written to for STALE_TEMP_SECONDS: what a killed save left behind."""
    pattern = re.compile(rf"\.{re.escape(target.name)}\.[0-9a-f]{{8}}\.tmp")
    now = time.time()
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not pattern.fullmatch(entry.name):
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                os.unlink(entry.path)
        except OSError:
            pass  # gone already, or not ours to remove


def _create_temp(target: Path) -> tuple[int, Path]:
    # Like mkstemp, but with mode 0o666 so the umask applies as for any new file.
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), tmp
        except FileExistsError:
            continue
    raise OSError(f"cannot create a temporary file next to {target}")


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, and not needed for safety.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_zip(f: IO[bytes], text: bytes, arrays: dict[str, np.ndarray]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(_zip_info(_JSON_MEMBER), text)
        for member, arr in arrays.items():
            _write_npy(zf, member, arr)


def _zip_info(member: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _write_npy(zf: zipfile.ZipFile, member: str, arr: np.ndarray) -> None:
    arr = np.ascontiguousarray(arr)
    with zf.open(_zip_info(member), "w", force_zip64=arr.nbytes > 2**30) as f:
        np.lib.format.write_array(f, arr, version=(1, 0), allow_pickle=False)


def _ref(arrays: dict[str, np.ndarray], member: str, arr: np.ndarray) -> dict[str, Any]:
    arrays[member] = arr
    return {"npy": member, "shape": list(arr.shape)}


def _to_document(s: Session) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    from nnviz import __version__

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
        dataset["kind"] = _spec_kind(s.dataset)
        if dataset["kind"] == "embedded":
            dataset["arrays"] = {
                k: _ref(arrays, f"data/{k}.npy", s.dataset["arrays"][k]) for k in _DATA_ARRAYS
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
    return _plain_copy(doc), arrays


# ---------------------------------------------------------------------------------------------
# Load


def load(path: str | os.PathLike[str]) -> Session:
    """Read and check a session file; raises SessionError (only) naming the file and problem."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            if f.tell() == 0:
                raise SessionError("the file is empty")
            f.seek(0)
            if f.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                raise SessionError(
                    "not an nnviz session file (it is not a ZIP archive; "
                    "session files are ZIPs holding session.json)"
                )
            f.seek(0)
            try:
                zf = zipfile.ZipFile(f)
            except zipfile.BadZipFile as exc:
                raise SessionError(f"the file is truncated or corrupted ({exc})") from exc
            with zf:
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


def _reject_constant(token: str) -> None:
    raise SessionError(f"session.json contains {token}, which is not a JSON number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise SessionError(f"session.json has the key {k!r} twice in one object")
        out[k] = v
    return out


def _read_json(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = zf.getinfo(_JSON_MEMBER)
    except KeyError:
        raise SessionError(
            "not an nnviz session file (the archive has no session.json)"
        ) from None
    if info.file_size > MAX_JSON_BYTES:
        raise SessionError(
            f"session.json is {info.file_size:,} bytes, more than the {MAX_JSON_BYTES:,} allowed"
        )
    raw = _read_member(zf, info, info.file_size)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionError(f"session.json is not UTF-8 text (byte {exc.start})") from None
    try:
        doc = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise SessionError(
            f"session.json is not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise SessionError("session.json is nested too deeply") from None
    if not isinstance(doc, dict):
        raise SessionError(f"session.json holds a {_type(doc)}, expected an object")
    return doc


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)
    except Exception as exc:  # BadZipFile (CRC), zlib.error, EOFError, encrypted members...
        raise SessionError(f"member {info.filename!r} is corrupted ({exc})") from exc
    if len(data) > limit:
        raise SessionError(f"member {info.filename!r} is larger than its declared size")
    return data


def _read_session(zf: zipfile.ZipFile) -> Session:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise SessionError(f"the archive has {len(infos):,} members, more than {MAX_MEMBERS:,}")
    doc = _read_json(zf)
    fmt = doc.get("format")
    if fmt != FORMAT:
        raise SessionError(
            f"not an nnviz session file (format is {fmt!r}, expected {FORMAT!r})"
            if fmt is not None else "not an nnviz session file (session.json has no 'format')"
        )
    version = _get(doc, "version", "session.json")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SessionError(f"version must be a whole number >= 1, got {version!r}")
    if version > VERSION:
        raise SessionError(
            f"written by a newer nnviz (version {version}); this nnviz reads version {VERSION}"
        )
    network = _get(doc, "network", "session.json")
    sizes = _check_network(network)
    # Every array is declared (and its size checked) before any is read, so a file cannot make
    # us decompress a gigabyte only to find the next array pushes the total over the limit.
    arrays = _ArrayPlan()
    params = _get_dict(doc, "parameters", "session.json")
    L = len(sizes) - 1
    ctx = f" for layers {_layers(sizes)}"
    for l, r in enumerate(_get_list(params, "weights", "parameters", L)):  # noqa: E741
        arrays.declare(r, f"weights[{l}]", (sizes[l], sizes[l + 1]), MAX_PARAMS, ctx)
    for l, r in enumerate(_get_list(params, "biases", "parameters", L)):  # noqa: E741
        arrays.declare(r, f"biases[{l}]", (sizes[l + 1],), MAX_PARAMS, ctx)
    vref = _get(params, "velocity", "parameters")
    if vref is not None:
        arrays.declare(vref, "velocity", (_n_params(sizes),), MAX_PARAMS, ctx)

    training = _get_dict(doc, "training", "session.json")
    history_doc = _get_dict(doc, "history", "session.json")
    length = _int(_get(history_doc, "length", "history"), "history.length", low=0)
    if length > MAX_HISTORY:
        raise SessionError(f"history.length {length:,} is more than {MAX_HISTORY:,} rows")
    columns = _get_dict(history_doc, "columns", "history")
    for c, r in columns.items():
        arrays.declare(r, f"history.{c}", (length,), MAX_HISTORY, f" (history.length is {length})")

    dataset = _get(doc, "dataset", "session.json")
    embedded = isinstance(dataset, dict) and dataset.get("kind") == "embedded"
    if embedded:
        arrays_doc = _get_dict(dataset, "arrays", "dataset")
        widths = {"X": sizes[0], "Y": sizes[-1]}
        for k in _DATA_ARRAYS:
            ref = _get(arrays_doc, k, "dataset.arrays")
            arrays.declare(ref, f"dataset.{k}", (None, widths[k[0]]), MAX_DATA_CELLS, ctx)

    got = arrays.read(zf)
    if embedded:
        dataset = dict(dataset)
        dataset["arrays"] = {k: got[f"dataset.{k}"] for k in _DATA_ARRAYS}

    session = Session(
        network=network,
        weights=[got[f"weights[{l}]"] for l in range(L)],  # noqa: E741
        biases=[got[f"biases[{l}]"] for l in range(L)],  # noqa: E741
        dataset=dataset,
        hyper=_get(training, "hyper", "training"),
        history={c: got[f"history.{c}"] for c in columns},
        velocity=got.get("velocity"),
        epoch=_get(training, "epoch", "training"),
        rng_state=_get(training, "rng_state", "training"),
        stepper=_get(doc, "stepper", "session.json"),
        view=_get(doc, "view", "session.json"),
        hidden=_get(doc, "hidden", "session.json"),
        title=_get(doc, "title", "session.json"),
        notes=_get(doc, "notes", "session.json"),
    )
    _validate(session, loading=True)
    return session


class _ArrayPlan:
    """The arrays a file declares: shapes and sizes checked first, then all read at once."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, tuple[int, ...]]] = []
        self.nbytes = 0

    def declare(
        self, ref: Any, where: str, expected: tuple[int | None, ...], limit: int, context: str
    ) -> None:
        if not isinstance(ref, dict):
            raise SessionError(
                f"{where} must be an array reference {{npy, shape}}, got {_type(ref)}"
            )
        member = _get(ref, "npy", where)
        if not isinstance(member, str):
            raise SessionError(f"{where}.npy must be a member name, got {member!r}")
        raw = _get(ref, "shape", where)
        if not isinstance(raw, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in raw
        ):
            raise SessionError(
                f"{where}.shape must be a list of whole numbers >= 0, got {raw!r}"
            )
        shape = tuple(raw)
        if len(shape) != len(expected) or any(
            e is not None and d != e for d, e in zip(shape, expected, strict=False)
        ):
            raise SessionError(
                f"{where} has shape {shape}, expected {_shape_text(expected)}{context}"
            )
        count = math.prod(shape)
        if count > limit:
            raise SessionError(f"{where} declares {count:,} values, more than {limit:,}")
        # 8 bytes: the largest item size _read_npy accepts.
        self.nbytes += count * 8
        if self.nbytes > MAX_ARRAY_BYTES_TOTAL:
            raise SessionError(
                f"{where}: the arrays declared so far need up to {self.nbytes:,} bytes, more "
                f"than the {MAX_ARRAY_BYTES_TOTAL:,} a session may hold"
            )
        self.items.append((where, member, shape))

    def read(self, zf: zipfile.ZipFile) -> dict[str, np.ndarray]:
        return {where: _read_npy(zf, member, shape, where) for where, member, shape in self.items}


def _read_npy(zf: zipfile.ZipFile, member: str, shape: tuple[int, ...], where: str) -> np.ndarray:
    """One `.npy` member of a declared shape: header checked, then its raw bytes copied."""
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise SessionError(f"{where}: member {member!r} is missing from the archive") from None
    count = math.prod(shape)
    most = count * 8 + _MAX_NPY_HEADER + 16
    if info.file_size > most:
        raise SessionError(
            f"{where}: member {member!r} is {info.file_size:,} bytes uncompressed, more than "
            f"shape {shape} can need (corrupted file or zip bomb)"
        )
    raw = _read_member(zf, info, info.file_size)
    buf = io.BytesIO(raw)
    try:
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            hdr = np.lib.format.read_array_header_1_0(buf, max_header_size=_MAX_NPY_HEADER)
        elif version == (2, 0):
            hdr = np.lib.format.read_array_header_2_0(buf, max_header_size=_MAX_NPY_HEADER)
        else:
            raise SessionError(f"{where}: member {member!r} has .npy version {version}")
    except SessionError:
        raise
    except Exception as exc:
        raise SessionError(
            f"{where}: member {member!r} is not a valid .npy array ({exc})"
        ) from None
    npy_shape, fortran, dtype = hdr
    if dtype.hasobject or dtype.names is not None or dtype.subdtype is not None:
        raise SessionError(
            f"{where}: member {member!r} holds {dtype} data, not plain numbers "
            "(refused: object arrays would need pickle)"
        )
    if dtype.kind not in "iuf" or dtype.itemsize > 8:
        raise SessionError(f"{where}: member {member!r} holds {dtype} data, not plain numbers")
    if tuple(npy_shape) != shape:
        raise SessionError(
            f"{where}: member {member!r} has shape {tuple(npy_shape)} but session.json "
            f"declares {shape}"
        )
    nbytes = count * dtype.itemsize
    offset = buf.tell()
    have = len(raw) - offset
    if have < nbytes:
        raise SessionError(
            f"{where}: member {member!r} is truncated ({have:,} of {nbytes:,} data bytes)"
        )
    if have > nbytes:
        raise SessionError(f"{where}: member {member!r} has extra bytes after its data")
    flat = np.frombuffer(raw, dtype=dtype, count=count, offset=offset)  # a view, no copy yet
    arr = flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)
    return np.array(arr, dtype=dtype.newbyteorder("="), order="C", copy=True)


# ---------------------------------------------------------------------------------------------
# Validation (shared by save and load)


def _validate(s: Session, loading: bool = False) -> None:
    sizes = _check_network(s.network)
    _check_parameters(s, sizes)
    _check_training(s)
    _check_history(s.history)
    n_train = _check_dataset(s.dataset, sizes)
    if loading and n_train:
        # A small file can describe data that cannot be trained here; say so on opening. (Not
        # on saving: a session that trains here must always save.)
        batch = s.hyper.get("batch_size")
        try:
            check_training_size(sizes, n_train, None if batch is None else int(batch))
        except limits.SizeError as exc:
            raise SessionError(f"cannot open here: {exc}") from None
    _check_stepper(s.stepper, n_train)
    if not isinstance(s.view, dict):
        raise SessionError(f"view must be an object of options, got {_type(s.view)}")
    _check_plain(s.view, "view")
    if not isinstance(s.hidden, list | tuple) or not all(isinstance(h, str) for h in s.hidden):
        raise SessionError("hidden must be a list of control names (strings)")
    for name in ("title", "notes"):
        if not isinstance(getattr(s, name), str):
            raise SessionError(f"{name} must be text, got {_type(getattr(s, name))}")


def _check_network(cfg: Any) -> tuple[int, ...]:
    if not isinstance(cfg, dict):
        raise SessionError(f"network must be an object, got {_type(cfg)}")
    unknown = sorted(set(cfg) - set(_NETWORK_KEYS))
    if unknown:
        raise SessionError(f"network has unknown field(s): {', '.join(map(str, unknown))}")
    layers = _get(cfg, "layers", "network")
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
        raise SessionError(f"network.layers sizes must be >= 1, got {_layers(sizes)}")
    n_params = _n_params(sizes)
    if n_params > MAX_PARAMS:
        raise SessionError(
            f"network.layers {_layers(sizes)} need {n_params:,} parameters, more than "
            f"{MAX_PARAMS:,}"
        )
    for key in ("activation", "output", "loss", "init"):
        if not isinstance(_get(cfg, key, "network"), str):
            raise SessionError(f"network.{key} must be a name, got {cfg[key]!r}")
    seed = _int(_get(cfg, "seed", "network"), "network.seed", low=0)
    bias = cfg.get("bias")
    if bias is not None:
        if not isinstance(bias, list) or not all(isinstance(m, str) for m in bias):
            raise SessionError(f"network.bias must be a list of bias modes, got {bias!r}")
        try:
            parse_bias(bias, len(sizes) - 1)
        except ValueError as exc:
            raise SessionError(f"network.bias: {exc}") from None
    dtype = _get(cfg, "dtype", "network")
    if dtype not in _DTYPES:
        raise SessionError(f"network.dtype must be one of {', '.join(_DTYPES)}, got {dtype!r}")
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


def _check_parameters(s: Session, sizes: tuple[int, ...]) -> None:
    L = len(sizes) - 1
    dtype = np.dtype(s.network.get("dtype", "float64"))
    ctx = f" for layers {_layers(sizes)}"
    for name, arrays in (("weights", s.weights), ("biases", s.biases)):
        if not isinstance(arrays, list | tuple) or len(arrays) != L:
            got = len(arrays) if isinstance(arrays, list | tuple) else _type(arrays)
            raise SessionError(f"{name}: expected {L} arrays{ctx}, got {got}")
        for l, a in enumerate(arrays):  # noqa: E741
            want = (sizes[l], sizes[l + 1]) if name == "weights" else (sizes[l + 1],)
            _check_float_array(a, f"{name}[{l}]", want, dtype, ctx)
    if s.velocity is not None:
        _check_float_array(s.velocity, "velocity", (_n_params(sizes),), dtype, ctx)


def _check_float_array(
    a: Any, where: str, shape: tuple[int, ...], dtype: np.dtype, context: str = ""
) -> None:
    if not isinstance(a, np.ndarray):
        raise SessionError(f"{where} must be a NumPy array, got {_type(a)}")
    if a.shape != shape:
        raise SessionError(f"{where} has shape {a.shape}, expected {shape}{context}")
    if a.dtype != dtype:
        raise SessionError(f"{where} is {a.dtype}, expected {dtype} like the network")
    if not np.isfinite(a).all():
        bad = "NaN" if np.isnan(a).any() else "infinite values"
        raise SessionError(f"{where} contains {bad}")


def _check_training(s: Session) -> None:
    _int(s.epoch, "training.epoch", low=0)
    h = s.hyper
    if not isinstance(h, dict):
        raise SessionError(f"training.hyper must be an object, got {_type(h)}")
    _check_plain(h, "training.hyper")
    lr = _number(_get(h, "lr", "training.hyper"), "training.hyper.lr")
    values = {"lr": lr}
    for key in ("momentum", "l2", "l1"):
        if key in h:
            values[key] = _number(h[key], f"training.hyper.{key}")
    try:
        check_hyper(**values)
    except ValueError as exc:
        raise SessionError(f"training.hyper: {exc}") from None
    bs = h.get("batch_size")
    if bs is not None:
        _int(bs, "training.hyper.batch_size", low=1)
    if "shuffle" in h and not isinstance(h["shuffle"], bool | np.bool_):
        raise SessionError(f"training.hyper.shuffle must be true or false, got {h['shuffle']!r}")
    if "seed" in h:
        _int(h["seed"], "training.hyper.seed", low=0)
    if s.rng_state is not None:
        if not isinstance(s.rng_state, dict) or s.rng_state.get("bit_generator") != "PCG64":
            raise SessionError("training.rng_state must be a NumPy PCG64 state object")
        try:
            np.random.PCG64().state = s.rng_state
        except Exception as exc:
            raise SessionError(f"training.rng_state is not a valid PCG64 state ({exc})") from None


def _check_history(history: Any) -> None:
    if not isinstance(history, dict):
        raise SessionError(f"history must map column names to arrays, got {_type(history)}")
    length = None
    for name, col in history.items():
        if not isinstance(name, str) or not _COLUMN_NAME.match(name):
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


def _spec_kind(spec: Mapping[str, Any]) -> str:
    return str(spec.get("kind", "embedded" if "arrays" in spec else "builtin"))


def _check_dataset(spec: Any, sizes: tuple[int, ...]) -> int | None:
    """Check the spec against the layers; returns the number of training rows (None: no data)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise SessionError(f"dataset must be an object or null, got {_type(spec)}")
    kind = spec.get("kind")
    if kind == "builtin":
        ds = _build_builtin(spec)
    elif kind == "embedded":
        ds = _check_embedded(spec)
    else:
        raise SessionError(f"dataset.kind must be 'builtin' or 'embedded', got {kind!r}")
    label = f"data set {ds.name!r}"
    if ds.n_inputs != sizes[0]:
        raise SessionError(
            f"{label} has {ds.n_inputs} inputs but the network's input layer has "
            f"{sizes[0]} units (layers {_layers(sizes)})"
        )
    if ds.n_outputs != sizes[-1]:
        raise SessionError(
            f"{label} has {ds.n_outputs} target columns but the network's output layer has "
            f"{sizes[-1]} units (layers {_layers(sizes)})"
        )
    return len(ds.X_train)


def _build_builtin(spec: Mapping[str, Any]) -> Dataset:
    unknown = sorted(set(spec) - set(_BUILTIN_KEYS))
    if unknown:
        raise SessionError(f"dataset has unknown field(s): {', '.join(map(str, unknown))}")
    name = _get(spec, "name", "dataset")
    if not isinstance(name, str):
        raise SessionError(f"dataset.name must be a name, got {name!r}")
    n = _get(spec, "n", "dataset")
    if n is not None:
        n = _int(n, "dataset.n", low=2)
        if n > MAX_GENERATED_N:
            raise SessionError(f"dataset.n {n:,} is more than {MAX_GENERATED_N:,} points")
    noise = _number(_get(spec, "noise", "dataset"), "dataset.noise")
    test_ratio = _number(_get(spec, "test_ratio", "dataset"), "dataset.test_ratio")
    seed = _int(_get(spec, "seed", "dataset"), "dataset.seed", low=0)
    options = _get(spec, "options", "dataset")
    if not isinstance(options, dict):
        raise SessionError(f"dataset.options must be an object, got {_type(options)}")
    _check_plain(options, "dataset.options")
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
        if not isinstance(_get(spec, key, "dataset"), str):
            raise SessionError(f"dataset.{key} must be text, got {_type(spec[key])}")
    names: dict[str, list[str]] = {}
    for key in ("feature_names", "class_names"):
        value = _get(spec, key, "dataset")
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise SessionError(f"dataset.{key} must be a list of names")
        names[key] = list(value)
    arrays = _get(spec, "arrays", "dataset")
    if not isinstance(arrays, dict):
        raise SessionError(f"dataset.arrays must be an object, got {_type(arrays)}")
    a = {}
    for k in _DATA_ARRAYS:
        v = _get(arrays, k, "dataset.arrays")
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


def _check_stepper(stepper: Any, n_train: int | None) -> None:
    if stepper is None:
        return
    if not isinstance(stepper, dict):
        raise SessionError(f"stepper must be an object or null, got {_type(stepper)}")
    _check_plain(stepper, "stepper")
    _int(_get(stepper, "epoch", "stepper"), "stepper.epoch", low=0)
    sample = _int(_get(stepper, "sample", "stepper"), "stepper.sample", low=0)
    if n_train is not None and sample >= n_train:
        raise SessionError(
            f"stepper.sample {sample} is beyond the {n_train} training samples "
            f"(rows 0..{n_train - 1})"
        )
    phase = _get(stepper, "phase", "stepper")
    if isinstance(phase, bool) or not (
        (isinstance(phase, str) and phase)
        or (isinstance(phase, int | np.integer) and phase >= 0)
    ):
        raise SessionError(f"stepper.phase must be a phase name or index >= 0, got {phase!r}")


# ---------------------------------------------------------------------------------------------
# Small helpers


def _get(d: Mapping[str, Any], key: str, where: str) -> Any:
    if not isinstance(d, Mapping):
        raise SessionError(f"{where} must be an object, got {_type(d)}")
    try:
        return d[key]
    except KeyError:
        raise SessionError(f"{where}: missing field {key!r}") from None


def _get_dict(d: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = _get(d, key, where)
    if not isinstance(value, dict):
        raise SessionError(f"{key} must be an object, got {_type(value)}")
    return value


def _get_list(d: Mapping[str, Any], key: str, where: str, n: int) -> list[Any]:
    value = _get(d, key, where)
    if not isinstance(value, list):
        raise SessionError(f"{where}.{key} must be a list, got {_type(value)}")
    if len(value) != n:
        raise SessionError(
            f"{where}.{key} has {len(value)} arrays, expected {n} (one per weight layer)"
        )
    return value


def _int(value: Any, where: str, *, low: int | None = None) -> int:
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise SessionError(f"{where} must be a whole number, got {value!r}")
    if low is not None and value < low:
        raise SessionError(f"{where} must be >= {low}, got {value}")
    # Counts and seeds end up in int64 arrays and NumPy calls; JSON integers are unbounded.
    if value > _INT_MAX:
        raise SessionError(f"{where} is {value}, too large (at most {_INT_MAX})")
    return int(value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(
        value, int | float | np.integer | np.floating
    ):
        raise SessionError(f"{where} must be a number, got {value!r}")
    if not math.isfinite(float(value)):
        raise SessionError(f"{where} must be finite, got {value!r}")
    return float(value)


def _check_plain(value: Any, where: str, depth: int = 0) -> None:
    """Only JSON data: null, booleans, finite numbers, text, lists and string-keyed objects."""
    if depth > _MAX_PLAIN_DEPTH:
        raise SessionError(f"{where} is nested more than {_MAX_PLAIN_DEPTH} levels deep")
    if value is None or isinstance(value, bool | str | int | np.bool_ | np.integer):
        return
    if isinstance(value, float | np.floating):
        if not math.isfinite(float(value)):
            raise SessionError(f"{where} is {value}, not a finite number")
        return
    if isinstance(value, list | tuple | dict):
        if len(value) > _MAX_PLAIN_ITEMS:
            raise SessionError(f"{where} has {len(value):,} items, more than {_MAX_PLAIN_ITEMS:,}")
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise SessionError(f"{where} has a non-text key {k!r}")
                _check_plain(v, f"{where}.{k}", depth + 1)
        else:
            for i, v in enumerate(value):
                _check_plain(v, f"{where}[{i}]", depth + 1)
        return
    raise SessionError(f"{where} is a {_type(value)}, not a plain JSON value")


def _plain_copy(value: Any) -> Any:
    """A deep copy with NumPy scalars turned into Python ones and tuples into lists."""
    if isinstance(value, dict):
        return {k: _plain_copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_copy(v) for v in value]
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _copy_spec(spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    out = {k: _plain_copy(v) for k, v in spec.items() if k != "arrays"}
    if "arrays" in spec:
        out["arrays"] = {k: np.array(v) for k, v in spec["arrays"].items()}
    out.setdefault("kind", _spec_kind(spec))
    return out


def _deep_equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
            and a.dtype == b.dtype and a.shape == b.shape
            and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b  # True must not equal 1 here
    return bool(a == b)


def _n_params(sizes: Sequence[int]) -> int:
    return sum((i + 1) * o for i, o in zip(sizes[:-1], sizes[1:], strict=True))


def _layers(sizes: Sequence[int]) -> str:
    return "-".join(map(str, sizes))


def _shape_text(shape: tuple[int | None, ...]) -> str:
    if all(d is not None for d in shape):
        return str(shape)
    return "(" + ", ".join("n" if d is None else str(d) for d in shape) + ")"


def _type(value: Any) -> str:
    names = {dict: "object", list: "list", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), type(value).__name__)
