"""Wires the core, the training worker and the views.

The controller owns the model state (data set, network, trainer) and the worker thread. Views
never see the live network while it trains: they get copies from frozen Snapshots. A reset bumps
`generation`, so snapshots still in flight from the previous network are dropped. Edits and
single steps take the worker's lock, so they happen between training chunks.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from nnviz.core import datasets, features, limits, metrics, notation
from nnviz.core.network import Network, parse_layers
from nnviz.core.recommended import LOSS_THRESHOLD, SETUPS, is_converged, setup_for
from nnviz.core.spec import HyperParams, NetworkSpec
from nnviz.core.trainer import Trainer, check_training_size
from nnviz.gui.worker import Snapshot, WorkerThread

# The loss plot's axes re-layout on every new range, its costliest part: 10 Hz reads as live.
LOSS_INTERVAL = 0.1
#: Play's default speed cap in epochs per second: XOR (2-4-1, lr 0.5) converges at epoch
#: ~1,500, so its learning takes about five seconds on screen (README "The window").
DEFAULT_RATE = 300.0


@dataclass(frozen=True)
class Settings:
    """Everything that defines a training setup; the controls edit it (through the controller,
    which owns the one instance and replaces it), sessions save it.

    The hyper-parameters are checked once, when settings are made: ``hyper`` is their
    HyperParams, what the trainer and the step panel's stepper take as it is. The network's
    part becomes a NetworkSpec once the data fixes its ends (``network_spec``).
    """

    dataset: str = "xor"
    noise: float = 0.0
    n_points: int | None = None
    test_ratio: float = 0.0
    data_seed: int = 0
    hidden: tuple[int, ...] = (4,)
    activation: str = "sigmoid"
    output: str = "sigmoid"
    loss: str = "mse"
    init: str = "xavier"
    seed: int = 0
    lr: float = 0.5
    batch_size: int | None = None
    momentum: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    max_rate: float | None = DEFAULT_RATE
    dataset_options: dict = field(default_factory=dict)
    #: bias modes: one for every layer ("trained") or one per weight layer ("trained,none")
    bias: str = "trained"
    #: input features of 2-D data (core/features.py); () feeds the raw inputs
    features: tuple[str, ...] = ()
    #: lr, momentum, l2, l1, batch size and seed, checked (made from the fields above)
    hyper: HyperParams = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        hyper = HyperParams(lr=self.lr, momentum=self.momentum, l2=self.l2, l1=self.l1,
                            batch_size=self.batch_size, seed=self.seed)
        object.__setattr__(self, "hyper", hyper)
        for name in ("lr", "momentum", "l2", "l1", "batch_size", "seed"):
            object.__setattr__(self, name, getattr(hyper, name))

    def network_spec(self, n_inputs: int, n_outputs: int) -> NetworkSpec:
        """The network of these settings between the data's inputs and outputs."""
        return NetworkSpec.from_hidden(
            self.hidden, n_inputs, n_outputs, activation=self.activation, output=self.output,
            loss=self.loss, init=self.init, seed=self.seed, bias=self.bias,
            features=self.features)


@dataclass
class StopRule:
    """Play's auto-stop: at the first epoch with every training point correct (or the accuracy
    target of the data set's recommended setup) and the loss at most ``loss_threshold``."""

    enabled: bool = True
    loss_threshold: float = LOSS_THRESHOLD
    accuracy: float = 1.0

    def as_converge(self) -> tuple[float, float] | None:
        """What Trainer.run(converge=...) takes: None when auto-stop is off."""
        return (self.loss_threshold, self.accuracy) if self.enabled else None

    def met_by(self, loss: float, accuracy: float) -> bool:
        return self.enabled and is_converged(loss, accuracy, self.loss_threshold, self.accuracy)


def initial_colour_scale(net: Network, trainer: Trainer | None = None) -> float:
    """The largest |weight| the network started from: the default, fixed weight colour scale,
    so weights that grow tenfold look it. ``net`` is taken as initial unless a trainer says
    it has trained (then its seeded initial weights are rebuilt)."""
    if trainer is not None and trainer.epoch:
        net = Network(net.sizes, activation=net.activation, output=net.output,
                      loss=net.loss_name, init=net.init, seed=net.seed)
    m = max((float(np.abs(w).max()) for w in net.weights if w.size), default=0.0)
    return m if m > 0 and math.isfinite(m) else 1.0


def parse_hidden(spec: str) -> tuple[int, ...]:
    """'4' or '8,8' -> hidden layer sizes; '' or '0' means no hidden layer."""
    text = spec.strip()
    if text in ("", "0", "-"):
        return ()
    try:
        return parse_layers(text)
    except ValueError as exc:
        raise ValueError(str(exc).replace("layer spec", "hidden layers")) from None


@dataclass(frozen=True)
class Lesson:
    """The settings, data, network and trainer the window shows (see Controller.lesson)."""

    settings: Settings
    dataset: datasets.Dataset
    net: Network
    trainer: Trainer
    csv: datasets.Dataset | None


class Controller(QObject):
    """The main window's model: state, worker and view updates."""

    statusChanged = Signal(str)  # one-line message for the status bar
    metricsChanged = Signal(object)  # Snapshot (or None after a reset)
    networkRebuilt = Signal()
    playingChanged = Signal(bool)
    errorOccurred = Signal(str)  # divergence and other errors worth a dialog
    paramsChanged = Signal()  # the parameters on screen changed (edit, step, snapshot)
    positionChanged = Signal()  # single-stepping moved (the status line shows where)
    sampleSelected = Signal(int)  # the one selected sample (data row) changed

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.generation = 0
        self.views: dict[str, object] = {}
        self.last_snapshot: Snapshot | None = None
        self.last_error: str | None = None
        self.selected_sample = 0
        self.stop_rule = StopRule(accuracy=setup_for(self.settings.dataset).accuracy)
        self.converged_at: int | None = None  # the epoch auto-stop stopped at, until trained on
        # Where single-stepping is (epochs done, "stepping epoch 3, sample 2, ..."), shown in
        # the status line until training moves on.
        self._step_position: tuple[int, str] | None = None
        # Weight colour scale: "initial" (max |w| of each new network's initial weights),
        # "user" (colour_scale as typed) or "auto" (the view's per-frame percentile).
        self.colour_mode = "initial"
        self.colour_scale = 1.0
        # What a data set switch replaced with the recommended setup, for its Undo.
        self._before_setup: tuple[Settings, StopRule] | None = None
        self._playing = False
        self._last_loss_refresh = 0.0
        self._csv: datasets.Dataset | None = None
        self.dataset: datasets.Dataset = None  # type: ignore[assignment]
        self.net: Network = None  # type: ignore[assignment]
        self.trainer: Trainer = None  # type: ignore[assignment]
        self.display_net: Network = None  # type: ignore[assignment]
        self._worker = WorkerThread()
        self.worker = self._worker.worker
        self.worker.snapshot.connect(self.on_snapshot)
        self.rebuild()

    # ---- building ---------------------------------------------------------------------------
    def _load_data(self, s: Settings) -> datasets.Dataset:
        data = self._raw_data(s)
        return features.with_features(data, s.features) if s.features else data

    def _raw_data(self, s: Settings) -> datasets.Dataset:
        if s.dataset == "csv":
            if self._csv is None:
                raise ValueError("no CSV file loaded")
            return self._csv
        return datasets.load_dataset(
            s.dataset, n=s.n_points, noise=s.noise, test_ratio=s.test_ratio, seed=s.data_seed,
            **s.dataset_options,
        )

    def _build(self, s: Settings, data: datasets.Dataset | None = None,
               data_of: Trainer | None = None) -> tuple[datasets.Dataset, Network, Trainer]:
        data = self._load_data(s) if data is None else data
        net = s.network_spec(data.n_inputs, data.n_outputs).build()
        trainer = Trainer.from_hyper(
            net, data.X_train, data.Y_train, s.hyper,
            X_test=data.X_test if len(data.X_test) else None,
            Y_test=data.Y_test if len(data.Y_test) else None,
            data_of=data_of,
        )
        return data, net, trainer

    def apply_settings(self, **changes: object) -> str | None:
        """Change settings that need a new network; on error nothing changes and the message is
        returned (and emitted as a status message)."""
        try:
            new = replace(self.settings, **changes)
            built = self._build(new)
        except (ValueError, datasets.DatasetError) as exc:
            self.statusChanged.emit(f"Not applied: {exc}")
            return str(exc)
        self.settings = new
        self._install(*built)
        if built[2].warning:
            self.statusChanged.emit(f"Warning: {built[2].warning}")
        return None

    def rebuild(self) -> None:
        self._install(*self._build(self.settings))

    def reset(self) -> None:
        """Back to the seeded initial weights (same settings), history cleared."""
        # The same settings give the same (seeded) data: keep it rather than make 1.5 million
        # points again while the window waits. The worker is paused and its lock held while
        # the new trainer is built: a training worker holds the GIL, and every NumPy call that
        # releases it cost the GUI thread a whole switch interval to get it back (1 s in all).
        self.worker.pause()
        with self.worker.lock:
            built = self._build(self.settings, data=self.dataset, data_of=self.trainer)
        self._install(*built)
        self.statusChanged.emit("Reset to the initial weights of seed "
                                f"{self.settings.seed}")

    def _install(self, data: datasets.Dataset, net: Network, trainer: Trainer) -> None:
        was_playing = self._playing
        same_data = data is self.dataset
        self.worker.pause()
        with self.worker.lock:
            self.generation += 1
            self.dataset, self.net, self.trainer = data, net, trainer
            self.display_net = net.copy()
            self.last_snapshot = None
            self._step_position = None
            self.converged_at = None
            self.selected_sample = min(self.selected_sample, len(data.X_train) - 1)
        self.worker.set_trainer(trainer, self.generation)
        self.worker.set_max_rate(self.settings.max_rate)
        self.networkRebuilt.emit()
        self._refresh_views(full=True, same_data=same_data)
        self.metricsChanged.emit(None)
        if was_playing:
            self.play()
        else:
            self._set_playing(False)

    def lesson(self) -> Lesson:
        """What makes up the current lesson, to put back with ``restore_lesson``."""
        return Lesson(self.settings, self.dataset, self.net, self.trainer, self._csv)

    def restore_lesson(self, lesson: Lesson) -> None:
        """Reinstall a lesson taken with ``lesson()``: the very objects (weights, history, rng),
        not copies. Sessions use it to undo a half-opened file."""
        self.settings = lesson.settings
        self._csv = lesson.csv
        self._install(lesson.dataset, lesson.net, lesson.trainer)

    def load_csv_dataset(self, data: datasets.Dataset) -> str | None:
        previous = self._csv
        self._csv = data
        # Own data comes with its own columns: input features of a plane start over. The
        # current settings stay (sessions and drawn data rely on it); the recommended setups
        # are for the named data sets.
        error = self.apply_settings(dataset="csv", features=())
        if error:
            self._csv = previous
        return error

    def choose_dataset(self, name: str) -> str | None:
        """Switch to a named data set with its recommended setup (layers, activations, output,
        loss, learning rate, batch and the auto-stop accuracy; README "Data sets").
        ``undo_setup`` puts the previous settings back on the new data."""
        setup = setup_for(name)
        output, loss, accuracy = setup.output, setup.loss, setup.accuracy
        s = self.settings
        try:
            data = datasets.load_dataset(name, n=s.n_points, noise=s.noise,
                                         test_ratio=s.test_ratio, seed=s.data_seed)
        except datasets.DatasetError:
            data = None  # apply_settings reports it
        if data is not None and not data.is_classification and name not in SETUPS:
            # Numbers to predict: an output that fits them, and the loss alone decides the stop.
            (output, loss), accuracy = metrics.default_output(data), 0.0
        before = (self.settings, self.stop_rule)
        # set first: the rebuild's networkRebuilt shows it in the controls
        self.stop_rule = replace(self.stop_rule, accuracy=accuracy)
        error = self.apply_settings(
            dataset=name, hidden=setup.hidden, activation=setup.activation, output=output,
            loss=loss, lr=setup.lr, batch_size=setup.batch_size)
        if error is None:
            self._before_setup = before
        else:
            self.stop_rule = before[1]
        return error

    def setup_notice(self) -> str:
        """One line on what the last data set switch applied."""
        s = self.settings
        batch = "full batch" if s.batch_size is None else f"batches of {s.batch_size}"
        sizes = "-".join(map(str, self.net.sizes))
        return (f"Recommended setup: {sizes} {s.activation}, {s.output} output, {s.loss}, "
                f"lr {s.lr:g}, {batch}")

    def undo_setup(self) -> str | None:
        """Back to the settings the last data set switch replaced (keeping the new data)."""
        if self._before_setup is None:
            return "nothing to undo"
        old, rule = self._before_setup
        now = self.stop_rule
        self.stop_rule = rule
        error = self.apply_settings(
            hidden=old.hidden, activation=old.activation, output=old.output, loss=old.loss,
            lr=old.lr, batch_size=old.batch_size)
        if error is None:
            self._before_setup = None
        else:
            self.stop_rule = now
        return error

    # ---- live hyper-parameters ----------------------------------------------------------------
    def set_hyper(self, **changes: object) -> str | None:
        """Change lr, momentum, l2, l1 or the batch size of the running trainer (from its next
        update). The new settings are the one check: a bad value changes nothing, and its
        message is emitted once and returned."""
        try:
            new = replace(self.settings, **changes)
            if "batch_size" in changes:
                # a larger batch means larger workspaces: check before the trainer builds them
                check_training_size(self.net.sizes, len(self.dataset.X_train), new.batch_size,
                                    len(self.dataset.X_test))
        except limits.SizeError as exc:
            self.statusChanged.emit(f"Not applied: {exc}")
            return str(exc)
        except ValueError as exc:
            self.statusChanged.emit(str(exc))
            return str(exc)
        with self.worker.lock:
            self.trainer.set_hyper(new.hyper)
            if "batch_size" in changes:
                batch = new.batch_size
                self.trainer.batch_size = None if batch is None or \
                    batch >= len(self.trainer.X) else batch
        self.settings = new
        return None

    def set_lr(self, lr: float) -> str | None:
        return self.set_hyper(lr=lr)

    def set_optimizer(self, *, momentum: float | None = None, l2: float | None = None,
                      l1: float | None = None) -> str | None:
        return self.set_hyper(**{k: v for k, v in (("momentum", momentum), ("l2", l2),
                                                   ("l1", l1)) if v is not None})

    def set_batch_size(self, batch: int | None) -> str | None:
        return self.set_hyper(batch_size=batch)

    def set_max_rate(self, rate: float | None) -> None:
        self.settings = replace(self.settings, max_rate=rate)
        self.worker.set_max_rate(rate)

    def set_stop_rule(self, *, enabled: bool | None = None, loss_threshold: float | None = None,
                      accuracy: float | None = None) -> str | None:
        """Change the auto-stop rule (it applies from the next Play); a bad value changes
        nothing and its message is returned."""
        rule = replace(self.stop_rule, **{k: v for k, v in (
            ("enabled", enabled), ("loss_threshold", loss_threshold), ("accuracy", accuracy))
            if v is not None})
        if not (math.isfinite(rule.loss_threshold) and rule.loss_threshold > 0):
            msg = f"the loss threshold must be a number > 0, got {rule.loss_threshold:g}"
        elif not 0.0 < rule.accuracy <= 1.0:
            msg = f"the accuracy target must be in (0 %, 100 %], got {100 * rule.accuracy:g} %"
        else:
            self.stop_rule = rule
            return None
        self.statusChanged.emit(msg)
        return msg

    # ---- running ----------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self._playing

    def _set_playing(self, on: bool) -> None:
        if on != self._playing:
            self._playing = on
            self.playingChanged.emit(on)

    def play(self) -> None:
        self.last_error = None
        rule = self.stop_rule
        with self.worker.lock:
            last = self.trainer.history.last()
        if last and rule.met_by(last["train_loss"], last["accuracy"]):
            # Already converged: Play means "train on", so this run does not stop at once.
            self.worker.set_converge(None)
            self.statusChanged.emit("Converged already; training on without auto-stop")
        else:
            self.worker.set_converge(rule.as_converge())
        self.converged_at = None
        self.worker.play()
        self._set_playing(True)

    def pause(self) -> None:
        self.worker.pause()
        self._set_playing(False)

    def toggle_play(self) -> None:
        self.pause() if self._playing else self.play()

    def step_epoch(self, n: int = 1) -> None:
        self.worker.step_epochs(n)
        self._set_playing(False)

    def close(self) -> bool:
        """Stop the worker and wait for its thread (called when the window closes)."""
        return self._worker.close()

    # ---- snapshots from the worker ----------------------------------------------------------
    @Slot(object)
    def on_snapshot(self, snap: Snapshot) -> None:
        if snap.generation != self.generation:
            return  # from a network that has since been replaced
        self.last_snapshot = snap
        self._step_position = None  # trained since: the snapshot's epoch is the count
        if snap.stop_reason == "converged" and not snap.running:
            self.converged_at = snap.epoch  # before metricsChanged: the status line shows it
        np.copyto(self.display_net.params, snap.params)
        plot = self.views.get("loss")
        now = time.perf_counter()
        if plot is not None and len(snap.epochs):
            test = snap.test_loss if self.trainer.X_test is not None else None
            plot.append(snap.epochs, snap.train_loss, test)
        loss_due = not snap.running or now - self._last_loss_refresh >= LOSS_INTERVAL
        if plot is not None and loss_due:
            self._last_loss_refresh = now
            plot.refresh()
        self._refresh_views(grad=snap.grad, boundary=False)
        bview = self.views.get("boundary")
        if bview is not None and snap.probe is not None and self.dataset.is_2d:
            # hidden layers come at the neuron maps' rows only (unless the probe was set without
            # those rows: then they cover the plane like the output)
            picked = len(snap.probe) > 1 and \
                snap.probe[0].shape[0] != snap.probe[-1].shape[0]
            self._show_boundary(bview, snap.probe, picked=picked)
        self.metricsChanged.emit(snap)
        if snap.error:
            self.last_error = snap.error
            self._set_playing(False)
            self.statusChanged.emit(snap.error)
            self.errorOccurred.emit(snap.error)
        elif not snap.running and self._playing:
            self._set_playing(False)
            if snap.stop_reason == "converged":
                with self.worker.lock:
                    loss = self.trainer.history.last().get("train_loss", math.nan)
                self.statusChanged.emit(
                    f"Converged at epoch {snap.epoch:,}: accuracy {100 * snap.accuracy:.1f} % "
                    f"and loss {loss:.4g} <= {self.stop_rule.loss_threshold:g} (auto-stop)")

    # ---- views ------------------------------------------------------------------------------
    def _grad_blocks(self, grad: np.ndarray | None) -> list[np.ndarray] | None:
        if grad is None:
            return None
        return [g[:-1] for g in self.display_net._blocks(grad)]

    def refresh_from_network(self) -> None:
        """Show the live network's current parameters (after an edit or a step, paused)."""
        with self.worker.lock:
            np.copyto(self.display_net.params, self.net.params)
            grad = self.trainer.last_gradient_vector
            grad = None if grad is None else grad.copy()
        self._refresh_views(grad=grad, boundary=True)

    def _refresh_views(self, full: bool = False, grad: np.ndarray | None = None,
                       boundary: bool = True, same_data: bool = False) -> None:
        """same_data: a new network on the data the views already show (a reset), so the
        boundary view keeps its points (1.5 million of them take a quarter second)."""
        net = self.display_net
        view = self.views.get("network")
        if view is not None:
            if full:
                if hasattr(view, "set_bias_modes"):
                    view.set_bias_modes(net.bias_modes)
                if self.colour_mode == "initial":
                    self.colour_scale = initial_colour_scale(net, self.trainer)
                self._apply_colour_scale()
                view.set_network(net.sizes, net.weights, net.biases)
                labels_in = list(self.dataset.feature_names) or None
                # Regression or multi-target data has no class names: unlabelled outputs.
                names = list(self.dataset.class_names)
                labels_out = names if net.sizes[-1] > 1 and names else None
                if hasattr(view, "set_labels"):
                    view.set_labels(labels_in, labels_out)
            else:
                view.set_params(net.weights, net.biases, self._grad_blocks(grad))
            self._show_sample_activations()
        plot = self.views.get("loss")
        if plot is not None and full:
            plot.clear()
            h = self.trainer.history
            if len(h):
                plot.set_history(h.epoch, h.train_loss,
                                 h.test_loss if self.trainer.X_test is not None else None)
        bview = self.views.get("boundary")
        if bview is not None:
            if full and not same_data:
                self._set_boundary_data(bview)
            elif full:
                self.set_boundary_probe(True)  # the new network's worker needs the plane
            if boundary and self.dataset.is_2d:
                self._update_boundary(bview)
        self.paramsChanged.emit()

    def set_colour_scale(self, value: float | None) -> None:
        """A weight colour scale the user set (> 0), or None for "auto" (rescaled every frame).
        A new network goes back to its initial weights' scale unless a value was set."""
        if value is None:
            self.colour_mode = "auto"
        else:
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"the colour scale must be a number > 0, got {value}")
            self.colour_mode, self.colour_scale = "user", float(value)
        self._apply_colour_scale()

    def reset_colour_scale(self) -> None:
        """Back to the default: fixed at the current network's initial weights."""
        self.colour_mode = "initial"
        with self.worker.lock:
            self.colour_scale = initial_colour_scale(self.net, self.trainer)
        self._apply_colour_scale()

    def _apply_colour_scale(self) -> None:
        view = self.views.get("network")
        if view is not None and hasattr(view, "set_value_scale"):
            view.set_value_scale(None if self.colour_mode == "auto" else self.colour_scale)

    def _set_boundary_data(self, bview: object) -> None:
        d = self.dataset
        if d.is_2d:
            X_train, X_test = d.plane_points()  # the raw (x1, x2) points, also with features
            bview.set_data(X_train, d.Y_train, X_test if len(X_test) else None,
                           d.Y_test if len(d.Y_test) else None)
        self.set_boundary_probe(True)

    def set_boundary_probe(self, enabled: bool) -> None:
        """Whether the worker evaluates the decision-boundary plane for the snapshots (only
        for 2-D data with a boundary view attached)."""
        bview = self.views.get("boundary")
        if enabled and bview is not None and self.dataset.is_2d:
            self.worker.set_probe(self._plane_inputs(bview), bview.neuron_rows())
        else:
            self.worker.set_probe(None)

    def _update_boundary(self, bview: object) -> None:
        """Evaluate the plane here (paused: after an edit, a step, a rebuild)."""
        self._show_boundary(bview, self.display_net.forward(self._plane_inputs(bview)).a[1:])

    def _plane_inputs(self, bview: object) -> np.ndarray:
        """The network's inputs at the boundary view's points: the points themselves, or their
        input features."""
        points = bview.plane_points()
        feats = self.dataset.features
        return features.expand(points, feats) if feats else points

    def _show_boundary(self, bview: object, activations: tuple | list,
                       picked: bool = False) -> None:
        """Colour the plane from a[1..L] at its points, and the hidden neurons' maps (hidden
        layers at every plane point, or ``picked``: at the maps' rows only, as the worker
        sends them)."""
        out = activations[-1]
        bview.set_output(out[:, 0] if out.shape[1] == 1 else out)
        view = self.views.get("network")
        if view is not None and len(activations) > 1:
            view.set_node_images(bview.neuron_images(list(activations[:-1]), picked=picked))

    def _show_sample_activations(self) -> None:
        view = self.views.get("network")
        if view is None or not len(self.dataset.X_train):
            return
        i = min(self.selected_sample, len(self.dataset.X_train) - 1)
        trace = self.display_net.forward(self.dataset.X_train[i])
        view.set_activations([a[0] for a in trace.a], [z[0] for z in trace.z])

    def show_step_position(self, epochs_done: int, text: str) -> None:
        """The step panel's position for the status line (epoch count and where it is)."""
        self._step_position = (int(epochs_done), text)
        self.positionChanged.emit()

    def select_sample(self, index: int) -> None:
        """The sample the nodes show and single-stepping takes next: one selection for the
        controls' "Sample" field and the step panel's sample picker."""
        row = int(np.clip(index, 0, len(self.dataset.X_train) - 1))
        changed = row != self.selected_sample
        self.selected_sample = row
        self._show_sample_activations()
        if changed:
            self.sampleSelected.emit(row)

    # ---- edits from the network view --------------------------------------------------------
    @Slot(int, int, int, float)
    def edit_weight(self, layer: int, i: int, j: int, value: float) -> None:
        if not math.isfinite(value):
            self.statusChanged.emit("A weight must be a finite number")
            return
        with self.worker.lock:
            self.net.weights[layer][i, j] = value
        self.statusChanged.emit(f"{notation.weight(layer, i, j)} set to {value:g}")
        self.refresh_from_network()

    @Slot(int, int, float)
    def edit_bias(self, layer: int, j: int, value: float) -> None:
        if not math.isfinite(value):
            self.statusChanged.emit("A bias must be a finite number")
            return
        if not self.net.has_bias(layer):
            self.statusChanged.emit(f"Layer {layer + 1} has no bias (mode none)")
            return
        with self.worker.lock:
            self.net.biases[layer][j] = value
        self.statusChanged.emit(f"{notation.bias(layer, j)} set to {value:g}")
        self.refresh_from_network()

    @Slot(int, str)
    def set_bias_mode(self, layer: int, mode: str) -> str | None:
        """Give weight layer ``layer`` another bias mode, keeping every weight and the other
        biases (a layer set to none loses its biases); returns the error, if any."""
        modes = list(self.net.bias_modes)
        if mode == modes[layer]:
            return None
        modes[layer] = mode
        with self.worker.lock:
            w, b = self.net.get_params()
        if mode == "none":
            b[layer][:] = 0.0
        spec = modes[0] if len(set(modes)) == 1 else ",".join(modes)
        error = self.apply_settings(bias=spec)
        if error is None:
            with self.worker.lock:
                self.net.set_params(w, b)
            self.refresh_from_network()
            self.statusChanged.emit(f"Layer {layer + 1}: bias {mode}")
        return error

    # ---- reading ----------------------------------------------------------------------------
    def regression_scores(self) -> list[str]:
        """R^2 and mean absolute error of the shown weights, instead of an accuracy that
        numbers to predict do not have (README "Several targets and regression")."""
        d, net = self.dataset, self.display_net
        parts = []
        for label, X, Y in (("", d.X_train, d.Y_train), ("test ", d.X_test, d.Y_test)):
            if len(X):
                out = net.predict(X)
                parts.append(f"{label}R² {metrics.r2(out, Y):.4f}")
                parts.append(f"{label}MAE {metrics.mae(out, Y):.4g}")
        return parts

    def status_text(self) -> str:
        """Epoch, losses, accuracy and speed, from the last snapshot (never the live trainer)."""
        snap = self.last_snapshot
        if snap is None:
            with self.worker.lock:
                last, epoch = self.trainer.history.last(), self.trainer.epoch
            running, rate = False, 0.0
        else:
            epoch, running, rate = snap.epoch, snap.running, snap.epochs_per_second
            last = {}
            if len(snap.train_loss):
                last = {"train_loss": snap.train_loss[-1], "test_loss": snap.test_loss[-1],
                        "accuracy": snap.accuracy, "test_accuracy": snap.test_accuracy}
            elif snap.epoch:
                with self.worker.lock:
                    last = self.trainer.history.last()
        stepping = self._step_position
        if stepping is not None:
            epoch = stepping[0]
            with self.worker.lock:
                last = self.trainer.history.last() if epoch else {}
        parts = [f"Epoch {epoch:,}"]
        has_test = self.trainer.X_test is not None
        if last:
            parts.append(f"loss {last['train_loss']:.6g}")
            if has_test:
                parts.append(f"test loss {last['test_loss']:.6g}")
            if self.dataset.is_classification:
                parts.append(f"accuracy {100 * last['accuracy']:.1f}%")
                if has_test and not math.isnan(last["test_accuracy"]):
                    parts.append(f"test accuracy {100 * last['test_accuracy']:.1f}%")
            else:
                parts.extend(self.regression_scores())
        if running and rate:
            parts.append(f"{rate:,.0f} epochs/s")
        if self.converged_at is not None and self.converged_at == epoch:
            parts.append(f"converged at epoch {epoch:,}")
        if stepping is not None:
            parts.append(stepping[1])
        return "  |  ".join(parts)
