"""What the network view shows: the arrays and names last set (``NetworkData``) and the
stepping phase it emphasises (``Phase``). Plain values, checked on the way in; the painters
read them and never change them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtGui import QImage

from nnviz.core import notation

HIGHLIGHT_KINDS = ("forward", "loss", "output_delta", "backward", "gradients", "update")


def float_array(x: object) -> np.ndarray:
    # Keep float32 as float32 so tooltips print the value the network really holds.
    arr = np.asarray(x)
    return arr if np.issubdtype(arr.dtype, np.floating) else arr.astype(float)


def as_vector(x: object, n: int, what: str) -> np.ndarray:
    arr = float_array(x)
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.shape != (n,):
        raise ValueError(f"{what} has shape {np.shape(x)}; expected ({n},) for one sample")
    return arr


@dataclass
class NetworkData:
    """Topology, parameters and per-sample values. Indexing: ``weights[l]`` has shape
    ``(sizes[l], sizes[l + 1])``; ``a[0]`` is the input, ``a[l + 1]``, ``z[l]`` and
    ``delta[l]`` belong to the output of weight layer l (entries may be None: not computed)."""

    sizes: list[int] = field(default_factory=list)
    weights: list[np.ndarray] = field(default_factory=list)
    biases: list[np.ndarray] = field(default_factory=list)
    grads: list[np.ndarray] | None = None
    a: list[np.ndarray | None] | None = None
    z: list[np.ndarray | None] | None = None
    delta: list[np.ndarray | None] | None = None
    #: node maps by (activation layer, node); the version counts replacements (map atlases
    #: are keyed by it)
    images: dict[tuple[int, int], QImage] = field(default_factory=dict)
    images_version: int = 0
    input_labels: list[str] | None = None
    output_labels: list[str] | None = None
    #: per weight layer; "none" draws no bias square
    bias_modes: tuple[str, ...] = ()

    # ---- setting values, checked against the topology ---------------------------------------
    def set_network(self, sizes: Sequence[int], weights: Sequence[np.ndarray],
                    biases: Sequence[np.ndarray]) -> None:
        """New topology and parameters; clears per-sample values, gradients and node maps, and
        labels that no longer fit."""
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"sizes needs at least an input and an output layer, got {sizes}")
        if any(s < 1 for s in sizes):
            raise ValueError(f"every layer needs at least one node, got sizes {sizes}")
        self.sizes = sizes
        self.weights, self.biases = self.check_params(weights, biases)
        self.grads = None
        self.a = self.z = None
        self.delta = None
        self.images = {}
        self.images_version += 1
        if self.input_labels is not None and len(self.input_labels) != sizes[0]:
            self.input_labels = None
        if self.output_labels is not None and len(self.output_labels) != sizes[-1]:
            self.output_labels = None

    def set_params(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray],
                   grads: Sequence[np.ndarray] | None) -> None:
        self.require()
        self.weights, self.biases = self.check_params(weights, biases)
        if grads is None:
            self.grads = None
            return
        if len(grads) != len(self.weights):
            raise ValueError(f"grads has {len(grads)} layers; the network has "
                             f"{len(self.weights)}")
        gs = []
        for li, g in enumerate(grads):
            g = float_array(g)
            if g.shape != self.weights[li].shape:
                raise ValueError(f"grads[{li}] has shape {g.shape}; expected "
                                 f"{self.weights[li].shape} like weights[{li}]")
            gs.append(g)
        self.grads = gs

    def set_activations(self, a: Sequence[np.ndarray | None] | None,
                        z: Sequence[np.ndarray | None] | None) -> None:
        self.require()
        if a is None:
            self.a = None
            self.z = None
            return
        if len(a) != len(self.sizes):
            raise ValueError(f"a has {len(a)} entries; expected {len(self.sizes)} "
                             "(input plus one per layer)")
        self.a = [None if v is None else as_vector(v, n, f"a[{li}]")
                  for li, (v, n) in enumerate(zip(a, self.sizes, strict=True))]
        if z is None:
            self.z = None
            return
        if len(z) != len(self.weights):
            raise ValueError(f"z has {len(z)} entries; expected one per layer "
                             f"({len(self.weights)})")
        self.z = [None if v is None else as_vector(v, self.sizes[li + 1], f"z[{li}]")
                  for li, v in enumerate(z)]

    def set_deltas(self, delta: Sequence[np.ndarray | None] | None) -> None:
        self.require()
        if delta is None:
            self.delta = None
            return
        if len(delta) != len(self.weights):
            raise ValueError(f"delta has {len(delta)} entries; expected one per layer "
                             f"({len(self.weights)})")
        self.delta = [None if d is None else as_vector(d, self.sizes[li + 1], f"delta[{li}]")
                      for li, d in enumerate(delta)]

    def set_labels(self, inputs: Sequence[str] | None, outputs: Sequence[str] | None) -> None:
        if inputs is not None and self.sizes and len(inputs) != self.sizes[0]:
            raise ValueError(f"{len(inputs)} input labels for {self.sizes[0]} inputs")
        if outputs is not None and self.sizes and len(outputs) != self.sizes[-1]:
            raise ValueError(f"{len(outputs)} output labels for {self.sizes[-1]} outputs")
        self.input_labels = list(inputs) if inputs is not None else None
        self.output_labels = list(outputs) if outputs is not None else None

    def require(self) -> None:
        if not self.sizes:
            raise RuntimeError("call set_network() before setting values on the network view")

    def check_params(self, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
                     ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The parameters as float arrays, or ValueError naming the first that does not fit
        ``sizes``."""
        L = len(self.sizes) - 1
        if len(weights) != L or len(biases) != L:
            raise ValueError(f"sizes {self.sizes} need {L} weight and bias arrays, got "
                             f"{len(weights)} and {len(biases)} (new topology? use set_network)")
        ws, bs = [], []
        for li in range(L):
            w = float_array(weights[li])
            want = (self.sizes[li], self.sizes[li + 1])
            if w.shape != want:
                raise ValueError(f"weights[{li}] has shape {w.shape}; expected {want} for sizes "
                                 f"{self.sizes}")
            b = float_array(biases[li])
            if b.ndim == 2 and b.shape[0] == 1:
                b = b[0]
            if b.shape != (self.sizes[li + 1],):
                raise ValueError(f"biases[{li}] has shape {b.shape}; expected "
                                 f"({self.sizes[li + 1]},)")
            ws.append(w)
            bs.append(b)
        return ws, bs

    def bias_mode(self, layer: int) -> str:
        return self.bias_modes[layer] if layer < len(self.bias_modes) else "trained"

    def edge_values(self, li: int, mode: str) -> tuple[np.ndarray, bool]:
        """What colours the edges of weight layer ``li`` in this edge mode, and whether they
        are drawn neutral (gradient mode before any gradient)."""
        if mode == "gradient":
            if self.grads is None:
                return self.weights[li], True
            return self.grads[li], False
        return self.weights[li], False

    # ---- names shown to people (nodes numbered from 1) ------------------------------------
    def layer_name(self, a_layer: int) -> str:
        if a_layer == 0:
            return "input"
        if a_layer == len(self.sizes) - 1:
            return "output"
        return f"hidden {a_layer}"

    def node_name(self, a_layer: int, i: int) -> str:
        if a_layer == 0:
            return self.input_labels[i] if self.input_labels else f"x{i + 1}"
        if a_layer == len(self.sizes) - 1:
            if self.output_labels:
                return self.output_labels[i]
            return "y" if self.sizes[-1] == 1 else f"y{i + 1}"
        return notation.unit(a_layer, i, len(self.sizes) - 1)

    def node_title(self, a_layer: int, i: int) -> str:
        if a_layer == 0:
            return f"Input {self.node_name(0, i)}"
        if a_layer == len(self.sizes) - 1:
            return f"Output {self.node_name(a_layer, i)} (neuron {i + 1})"
        return f"Hidden layer {a_layer}, neuron {i + 1} of {self.sizes[a_layer]}"


@dataclass(frozen=True)
class Phase:
    """The stepping phase shown: ``layer`` indexes ``weights`` (None: no phase). See
    ``NetworkView.set_highlight`` for the kinds."""

    layer: int | None = None
    kind: str | None = None

    @classmethod
    def checked(cls, layer: int, kind: str | None, n_weight_layers: int) -> Phase:
        """The phase of weight layer ``layer``, or ValueError naming what does not fit."""
        layer = int(layer)
        if not 0 <= layer < n_weight_layers:
            raise ValueError(f"highlight layer {layer} out of range 0..{n_weight_layers - 1}")
        if kind is not None and kind not in HIGHLIGHT_KINDS:
            raise ValueError(f"highlight kind must be one of {HIGHLIGHT_KINDS}, got {kind!r}")
        return cls(layer, kind)

    def node_roles(self, n_layers: int) -> tuple[set[int], set[int], str | None]:
        """Activation layers with a strong ring, with a light ring, and what strong ones show."""
        if self.layer is None:
            return set(), set(), None
        li, k = self.layer, self.kind
        out = li + 1
        if k == "forward":
            return {out}, {li}, "za"
        if k in ("loss",):
            return {out}, set(), None
        if k == "output_delta":
            return {out}, set(), "delta"
        if k == "backward":
            light = {out + 1} if out + 1 < n_layers else set()
            return {out}, light, "delta"
        if k == "gradients":
            return {out}, {li}, "delta"
        return {out}, {li}, None  # update or kind None

    def active_edge_layer(self, n_weight_layers: int) -> int | None:
        """The weight layer whose edges the phase uses (None = no emphasis, -1 = none)."""
        if self.layer is None:
            return None
        if self.kind in ("loss", "output_delta"):
            return -1  # no edges carry this phase: fade them all
        if self.kind == "backward":
            nxt = self.layer + 1
            return nxt if nxt < n_weight_layers else -1
        return self.layer
