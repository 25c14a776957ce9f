"""What the convergence explorer reports: per-run arrays, statistics and their JSON form."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nnviz.core.convergence.config import ConvergenceConfig
from nnviz.core.network import initial_parameters

Array = np.ndarray


@dataclass(frozen=True)
class RunResult:
    run: int
    seed: int
    converged: bool
    epochs_to_converge: int | None
    final_loss: float
    final_accuracy: float
    diagnosis: str | None


def _json_float(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


@dataclass
class ConvergenceResult:
    """Per-run arrays (index = run r, seed = config.seed + r) and summaries.

    ``epochs`` holds epochs to converge, 0 for runs that did not converge. ``final_loss`` and
    ``final_accuracy`` are NaN for diverged runs. ``loss_curves`` (runs, len(loss_curve_epochs))
    samples every run's history loss at the epochs ``loss_curve_epochs`` (NaN after a run
    converged). ``curve_epochs``/``curve_fraction``: fraction converged by the end of every
    chunk, the live plot's data (``fraction_converged_by`` gives it at any epoch).
    """

    config: ConvergenceConfig
    seeds: Array
    converged: Array
    epochs: Array
    final_loss: Array
    final_accuracy: Array
    diagnosis: list[str | None]
    loss_curve_epochs: Array
    loss_curves: Array
    curve_epochs: Array
    curve_fraction: Array
    epochs_run: int
    cancelled: bool = False
    elapsed: float = 0.0
    network_epochs: int = 0  # run-epochs actually computed (converged runs drop out)
    cpu_seconds: float = 0.0  # processor time of the training, summed over the processes
    _runs: list[RunResult] | None = field(default=None, repr=False)

    @property
    def n_runs(self) -> int:
        return len(self.seeds)

    @property
    def fraction_converged(self) -> float:
        return float(np.mean(self.converged)) if self.n_runs else math.nan

    @property
    def converged_epochs(self) -> Array:
        return self.epochs[self.converged]

    @property
    def median_epochs(self) -> float | None:
        e = self.converged_epochs
        return float(np.median(e)) if len(e) else None

    @property
    def p90_epochs(self) -> float | None:
        e = self.converged_epochs
        return float(np.percentile(e, 90)) if len(e) else None

    def fraction_converged_by(self, epochs: Array) -> Array:
        """Exact fraction of all runs converged by each given epoch."""
        e = np.sort(self.converged_epochs)
        return np.searchsorted(e, np.asarray(epochs), side="right") / max(self.n_runs, 1)

    def diagnosis_counts(self) -> dict[str, int]:
        """Count of every diagnosis among the runs that did not converge (None: still falling)."""
        counts: dict[str, int] = {}
        for c, d in zip(self.converged, self.diagnosis, strict=True):
            if not c:
                key = d if d is not None else "none"
                counts[key] = counts.get(key, 0) + 1
        return counts

    def histogram(self, bins: int = 20) -> tuple[Array, Array]:
        """(edges, counts) of epochs to converge: ``bins`` (at most epochs_run) equal bins over
        [0.5, epochs_run + 0.5]; bin i holds epochs ceil(edges[i]) .. ceil(edges[i + 1]) - 1."""
        hi = max(self.epochs_run, 1)
        counts, edges = np.histogram(
            self.converged_epochs, bins=max(1, min(int(bins), hi)), range=(0.5, hi + 0.5)
        )
        return edges, counts

    def run(self, r: int) -> RunResult:
        c = bool(self.converged[r])
        return RunResult(
            run=int(r), seed=int(self.seeds[r]), converged=c,
            epochs_to_converge=int(self.epochs[r]) if c else None,
            final_loss=float(self.final_loss[r]), final_accuracy=float(self.final_accuracy[r]),
            diagnosis=self.diagnosis[r],
        )

    @property
    def runs(self) -> list[RunResult]:
        if self._runs is None:
            self._runs = [self.run(r) for r in range(self.n_runs)]
        return self._runs

    def initial_parameters(self, r: int) -> tuple[list[Array], list[Array]]:
        """Run r's initial weights and biases, ready for ``Network.set_params``."""
        cfg = self.config
        return initial_parameters(cfg.layers, cfg.init, cfg.run_seed(r))

    def as_dict(self, include_runs: bool = True) -> dict:
        """JSON-safe summary (NaN and inf become None)."""
        d = {
            "layers": list(self.config.layers),
            "label": self.config.label,
            "config": self.config.as_dict(),
            "fraction_converged": self.fraction_converged,
            "median_epochs": self.median_epochs,
            "p90_epochs": self.p90_epochs,
            "epochs_run": self.epochs_run,
            "cancelled": self.cancelled,
            "diagnoses": self.diagnosis_counts(),
        }
        if include_runs:
            d["runs"] = [
                {
                    "seed": r.seed, "converged": r.converged, "epochs": r.epochs_to_converge,
                    "final_loss": _json_float(r.final_loss),
                    "final_accuracy": _json_float(r.final_accuracy), "diagnosis": r.diagnosis,
                }
                for r in self.runs
            ]
        return d
