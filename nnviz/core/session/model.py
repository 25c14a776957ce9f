"""`Session`: a whole lesson in memory, and the specs of its data set (see README,
"The `.nnviz` session file" and "Sessions")."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from nnviz.core import datasets, limits
from nnviz.core.history import History
from nnviz.core.network import Network
from nnviz.core.session.checks import (
    build_builtin,
    check_dataset,
    check_history,
    check_network,
    check_parameters,
    check_stepper,
    check_training,
)
from nnviz.core.session.format import DATA_ARRAYS, DEFAULT_HYPER, SessionError
from nnviz.core.session.values import check_plain, plain_copy, spec_kind, type_name
from nnviz.core.trainer import Trainer, check_training_size

if TYPE_CHECKING:
    from nnviz.core.datasets import Dataset


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
            rng_state = plain_copy(trainer.rng.bit_generator.state)
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
            network=plain_copy(config),
            weights=w,
            biases=b,
            dataset=_copy_spec(dataset),
            hyper=plain_copy(hyp),
            history={str(k): np.array(v) for k, v in (hist or {}).items()},
            velocity=None if velocity is None else np.array(velocity, dtype=net.dtype),
            epoch=int(epoch or 0),
            rng_state=rng_state,
            stepper=None if stepper is None else plain_copy(dict(stepper)),
            view=plain_copy(dict(view or {})),
            hidden=[str(h) for h in hidden],
            title=title,
            notes=notes,
        )

    def build_network(self) -> Network:
        """A fresh `Network` of this configuration holding the saved weights and biases."""
        try:
            sizes = check_network(self.network)
            check_parameters(
                self.network, self.weights, self.biases, self.velocity, sizes
            )
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
        if spec_kind(spec) == "embedded":
            arrays = spec.get("arrays", {})
            return datasets.Dataset(
                str(spec.get("name", "data")),
                *(np.array(arrays[k], dtype=np.float64) for k in DATA_ARRAYS),
                tuple(spec.get("feature_names", ())),
                tuple(spec.get("class_names", ())),
                str(spec.get("description", "")),
            )
        return build_builtin(spec)

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
        validate_session(self)


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
        "options": plain_copy(dict(options)),
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
        "arrays": {k: np.array(getattr(ds, k), dtype=np.float64) for k in DATA_ARRAYS},
    }


def validate_session(s: Session, loading: bool = False) -> None:
    sizes = check_network(s.network)
    check_parameters(s.network, s.weights, s.biases, s.velocity, sizes)
    check_training(s.epoch, s.hyper, s.rng_state)
    check_history(s.history)
    n_train = check_dataset(s.dataset, sizes)
    if loading and n_train:
        # A small file can describe data that cannot be trained here; say so on opening. (Not
        # on saving: a session that trains here must always save.)
        batch = s.hyper.get("batch_size")
        try:
            check_training_size(sizes, n_train, None if batch is None else int(batch))
        except limits.SizeError as exc:
            raise SessionError(f"cannot open here: {exc}") from None
    check_stepper(s.stepper, n_train)
    if not isinstance(s.view, dict):
        raise SessionError(f"view must be an object of options, got {type_name(s.view)}")
    check_plain(s.view, "view")
    if not isinstance(s.hidden, list | tuple) or not all(isinstance(h, str) for h in s.hidden):
        raise SessionError("hidden must be a list of control names (strings)")
    for name in ("title", "notes"):
        if not isinstance(getattr(s, name), str):
            raise SessionError(f"{name} must be text, got {type_name(getattr(s, name))}")


def _copy_spec(spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    out = {k: plain_copy(v) for k, v in spec.items() if k != "arrays"}
    if "arrays" in spec:
        out["arrays"] = {k: np.array(v) for k, v in spec["arrays"].items()}
    out.setdefault("kind", spec_kind(spec))
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
